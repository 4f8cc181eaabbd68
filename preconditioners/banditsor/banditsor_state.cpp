// The learner state of PCBANDITSOR in HDF5, so that a sequence of solves spread over several jobs keeps
// learning. Rank 0 does the file I/O (the state is tiny and identical on every rank) and broadcasts.
//
// Layout (petal_format "petal-banditsor-state", version 3):
//   /learner/type   uint8[]  learner type name      /learner/rng    uint8[]  generator state (text)
//   /learner/reals  float64[]                       /learner/ints   int64[]  (private to the learner type)
//   /pc/omega_grid  float64[]                       /pc/totals      int64[3] solves, iterations, capped
//   /pc/settings    float64[13] fixed omega, seed, context min, context max, bins, features,
//                   context transform (0 linear, 1 log), log floor, Tsallis RV (0/1), RV shift,
//                   RV shift window, RV shift gate, RV soft gate (0/1)
//
// Reading is a fuzz target: rank 0 checks every dataset (class, shape, size caps before allocating, data
// present) and every value (settings in range, grid, totals, the learner's own state, arms = grid size)
// and broadcasts the verdict with its text, so a malformed file is the same clear error on every rank.
#include "preconditioners/banditsor/banditsor_impl.hpp"
#include "learned/bandits/omega_grid.hpp"
#include <petal/driver.h>
#include <petal/io.h>
#include "core/file_verdict.hpp"
#include "core/h5_dataset.hpp"
#include <cmath>
#include <cstdio>
#include <cstdint>

namespace petal {
namespace {
constexpr int       kVersion  = 3; // 2: /pc/settings also hold the context transform and the Tsallis-INF estimator; 3: its shift window and gate
constexpr long long kSettings = 13;
// Caps checked before anything is allocated; far above any real state (arms <= PCBANDITSOR_MAX_OMEGA_GRID).
constexpr unsigned long long kMaxStateArray = 1ull << 24, kMaxStateText = 1ull << 20;
using h5::Handle;

template <class T>
bool Write(hid_t loc, const char *name, hid_t type, const std::vector<T> &v)
{
  hsize_t n = v.size();
  Handle  sp(H5Screate_simple(1, &n, nullptr));
  Handle  ds(H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  return ds.valid() && (n == 0 || H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
}

std::vector<std::uint8_t> Bytes(const std::string &s) { return std::vector<std::uint8_t>(s.begin(), s.end()); }

// Everything a state file holds, flat.
struct StateRecord {
  bandits::LearnerState  learner;
  std::vector<double>    grid;
  std::vector<long long> totals;
  std::vector<double>    settings;
};

StateRecord RecordOf(const PC_BanditSOR *sor)
{
  StateRecord r;
  sor->learner->Save(r.learner);
  r.grid     = sor->grid;
  r.totals   = {sor->solves, sor->iterations, sor->capped};
  r.settings = {sor->fixedOmega, (double)sor->seed, sor->contextMin, sor->contextMax, (double)sor->bins, (double)sor->features, (double)sor->transform, sor->logFloor, (double)sor->tsallis.reduced_variance, sor->tsallis.shift, (double)sor->tsallis.window, sor->tsallis.gate, (double)sor->tsallis.soft_gate};
  return r;
}

// Rank 0: writes the record to `file` (a temporary name). *ok is false if HDF5 failed.
PetscErrorCode WriteRecord(const char *file, const StateRecord &r, bool *ok)
{
  h5::Quiet quiet;
  PetscFunctionBegin;
  Handle f(H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  *ok = f.valid();
  if (!*ok) PetscFunctionReturn(0);
  {
    Handle l(H5Gcreate2(f, "learner", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), p(H5Gcreate2(f, "pc", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    *ok = l.valid() && p.valid();
    *ok = *ok && Write(l, "type", H5T_NATIVE_UINT8, Bytes(r.learner.type)) && Write(l, "rng", H5T_NATIVE_UINT8, Bytes(r.learner.rng));
    *ok = *ok && Write(l, "reals", H5T_NATIVE_DOUBLE, r.learner.reals) && Write(l, "ints", H5T_NATIVE_INT64, std::vector<std::int64_t>(r.learner.ints.begin(), r.learner.ints.end()));
    *ok = *ok && Write(p, "omega_grid", H5T_NATIVE_DOUBLE, r.grid) && Write(p, "totals", H5T_NATIVE_INT64, std::vector<std::int64_t>(r.totals.begin(), r.totals.end())) && Write(p, "settings", H5T_NATIVE_DOUBLE, r.settings);
    *ok = *ok && Write(f, "petal_format", H5T_NATIVE_UINT8, Bytes("petal-banditsor-state")) && Write(f, "petal_format_version", H5T_NATIVE_INT64, std::vector<std::int64_t>{kVersion});
  }
  // A test stalls here and kills the process: the temporary file is half-written, the state file untouched.
  PetscCall(PetalFaultPoint("banditsor_state_write"));
  *ok = H5Fclose(f.release()) >= 0 && *ok;
  PetscFunctionReturn(0);
}

bool IsFlag(double v) { return v == 0.0 || v == 1.0; }
bool IsCount(double v, double lo) { return std::isfinite(v) && v >= lo && v <= (double)PETSC_MAX_INT && v == std::floor(v); }

// Rank 0: what is wrong with the values of a record that has the right shapes ("" if nothing).
std::string CheckValues(const StateRecord &r)
{
  const std::vector<double> &s = r.settings;
  std::string                why = bandits::OmegaGridProblem(r.grid.data(), (long long)r.grid.size());
  if (!why.empty()) return "/pc/omega_grid: " + why;
  if (!bandits::OmegaProblem(s[0]).empty()) return "/pc/settings: the fixed learner's " + bandits::OmegaProblem(s[0]);
  if (!IsCount(s[1], 0)) return "/pc/settings: the seed must be an integer in [0, PETSC_MAX_INT]";
  if (!(std::isfinite(s[2]) && std::isfinite(s[3]) && s[2] < s[3])) return "/pc/settings: the context range must be finite with a < b";
  if (!IsCount(s[4], 1) || !IsCount(s[5], 1)) return "/pc/settings: bins and features must be positive integers";
  if (!IsFlag(s[6]) || !(s[7] > 0 && std::isfinite(s[7]))) return "/pc/settings: invalid context transform or log floor";
  if (!IsFlag(s[8]) || !(s[9] >= 0 && std::isfinite(s[9])) || !IsCount(s[10], 0) || !(s[11] > 0 && std::isfinite(s[11])) || !IsFlag(s[12])) return "/pc/settings: invalid Tsallis-INF estimator settings";
  const std::vector<long long> &t = r.totals;
  if (t[0] < 0 || t[1] < 0 || t[2] < 0 || t[2] > t[0] || t[0] > PETSC_MAX_INT || t[1] > PETSC_MAX_INT) return "/pc/totals: solves, iterations and capped solves must be non-negative, capped <= solves, and fit a PetscInt";
  try {
    const auto          learner = bandits::RestoreLearner(r.learner);
    const std::size_t   arms    = r.learner.type == "fixed" ? 1 : r.grid.size();
    if (learner->NumArms() != arms) return "the learner has " + std::to_string(learner->NumArms()) + " arms but the grid /pc/omega_grid has " + std::to_string(r.grid.size()) + " values";
  } catch (const std::exception &e) {
    return std::string("the /learner group is invalid: ") + e.what();
  }
  return "";
}

// Rank 0: reads and checks the file into r; "" or the problem.
std::string ReadRecord(const char *file, StateRecord &r)
{
  h5::Quiet quiet;
  if (!h5::IsHDF5(file)) return "it is not an HDF5 file";
  Handle f(H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f.valid()) return "HDF5 cannot open it (damaged or truncated)";
  std::string            format, why;
  std::vector<long long> version;
  if (!h5::ReadVector(f, "/petal_format", kMaxStateText, &format).empty() || format != "petal-banditsor-state") return "it is not a petal bandit-SOR state (no /petal_format \"petal-banditsor-state\")";
  if (!h5::ReadVector(f, "/petal_format_version", h5::Kind::INTEGER, 1, &version).empty() || version.size() != 1 || version[0] != kVersion) return "it has an unsupported petal_format_version (this petal reads version 3: a state written by an older petal cannot be resumed)";
  if (why.empty()) why = h5::ReadVector(f, "/learner/type", 64, &r.learner.type);
  if (why.empty()) why = h5::ReadVector(f, "/learner/rng", kMaxStateText, &r.learner.rng);
  if (why.empty()) why = h5::ReadVector(f, "/learner/reals", h5::Kind::FLOAT, kMaxStateArray, &r.learner.reals);
  std::vector<long long> ints;
  if (why.empty()) why = h5::ReadVector(f, "/learner/ints", h5::Kind::INTEGER, kMaxStateArray, &ints);
  r.learner.ints.assign(ints.begin(), ints.end());
  if (why.empty()) why = h5::ReadVector(f, "/pc/omega_grid", h5::Kind::FLOAT, bandits::kMaxOmegaGrid, &r.grid);
  if (why.empty()) why = h5::ReadVector(f, "/pc/totals", h5::Kind::INTEGER, 3, &r.totals);
  if (why.empty()) why = h5::ReadVector(f, "/pc/settings", h5::Kind::FLOAT, kSettings, &r.settings);
  if (why.empty() && (r.totals.size() != 3 || (long long)r.settings.size() != kSettings)) why = "/pc/totals must hold 3 values and /pc/settings 13";
  return why.empty() ? CheckValues(r) : why;
}

// Broadcast of a record from rank 0 (sizes first, then the arrays).
PetscErrorCode BcastRecord(MPI_Comm comm, StateRecord &r)
{
  PetscFunctionBegin;
  long long n[6] = {(long long)r.learner.type.size(), (long long)r.learner.rng.size(), (long long)r.learner.reals.size(), (long long)r.learner.ints.size(), (long long)r.grid.size(), (long long)r.settings.size()};
  PetscCallMPI(MPI_Bcast(n, 6, MPI_LONG_LONG, 0, comm));
  r.learner.type.resize(n[0]);
  r.learner.rng.resize(n[1]);
  r.learner.reals.resize(n[2]);
  r.learner.ints.resize(n[3]);
  r.grid.resize(n[4]);
  r.settings.resize(n[5]);
  r.totals.resize(3);
  PetscCallMPI(MPI_Bcast(&r.learner.type[0], (int)n[0], MPI_CHAR, 0, comm));
  PetscCallMPI(MPI_Bcast(&r.learner.rng[0], (int)n[1], MPI_CHAR, 0, comm));
  PetscCallMPI(MPI_Bcast(r.learner.reals.data(), (int)n[2], MPI_DOUBLE, 0, comm));
  PetscCallMPI(MPI_Bcast(r.learner.ints.data(), (int)n[3], MPI_INT64_T, 0, comm));
  PetscCallMPI(MPI_Bcast(r.grid.data(), (int)n[4], MPI_DOUBLE, 0, comm));
  PetscCallMPI(MPI_Bcast(r.settings.data(), (int)n[5], MPI_DOUBLE, 0, comm));
  PetscCallMPI(MPI_Bcast(r.totals.data(), 3, MPI_LONG_LONG, 0, comm));
  PetscFunctionReturn(0);
}

std::string Configuration(const std::string &type, const std::vector<double> &grid)
{
  char buf[160];
  if (type == "fixed") return "learner fixed";
  std::snprintf(buf, sizeof buf, "learner %s, %zu omegas on [%g, %g]", type.c_str(), grid.size(), grid.front(), grid.back());
  return buf;
}

bool SameGrid(const std::vector<double> &a, const std::vector<double> &b)
{
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::abs(a[i] - b[i]) > 1e-12) return false;
  return true;
}

// A state of another learner type or grid than the one set explicitly is refused, or adopted with a notice.
PetscErrorCode CheckConfiguration(PC pc, const PC_BanditSOR *sor, const StateRecord &r, const char *file)
{
  MPI_Comm    comm = PetscObjectComm((PetscObject)pc);
  const char *prefix;
  PetscFunctionBegin;
  const bool otherType = sor->explicitLearner && sor->learnerType != r.learner.type;
  const bool otherGrid = sor->explicitGrid && sor->learnerType != "fixed" && r.learner.type != "fixed" && !SameGrid(sor->grid, r.grid);
  if (!otherType && !otherGrid) PetscFunctionReturn(0);
  const std::string state = Configuration(r.learner.type, r.grid), mine = Configuration(sor->learnerType, sor->grid);
  PetscCall(PCGetOptionsPrefix(pc, &prefix));
  PetscCheck(sor->adoptState, comm, PETSC_ERR_ARG_INCOMP, "PCBANDITSOR: the learner state %s was learned with %s, but this PC is configured with %s; give -%spc_banditsor_state_adopt (PCBanditSORSetStateAdopt) to continue with the state's configuration, or use another state file", file, state.c_str(), mine.c_str(), prefix ? prefix : "");
  PetscCall(PetscPrintf(comm, "PCBANDITSOR: adopting the learner state %s (%s); it overrides the configured %s\n", file, state.c_str(), mine.c_str()));
  PetscFunctionReturn(0);
}

void Apply(PC_BanditSOR *sor, const StateRecord &r, std::unique_ptr<bandits::Learner> learner)
{
  const std::vector<double> &s  = r.settings;
  sor->learner                  = std::move(learner);
  sor->learnerType              = r.learner.type;
  sor->grid                     = r.grid;
  sor->solves                   = (PetscInt)r.totals[0];
  sor->iterations               = (PetscInt)r.totals[1];
  sor->capped                   = (PetscInt)r.totals[2];
  sor->fixedOmega               = s[0];
  sor->seed                     = (PetscInt)s[1];
  sor->contextMin               = s[2];
  sor->contextMax               = s[3];
  sor->bins                     = (PetscInt)s[4];
  sor->features                 = (PetscInt)s[5];
  sor->transform                = s[6] == 1.0 ? PCBANDITSOR_CONTEXT_LOG : PCBANDITSOR_CONTEXT_LINEAR;
  sor->logFloor                 = s[7];
  sor->tsallis.reduced_variance = s[8] == 1.0;
  sor->tsallis.shift            = s[9];
  sor->tsallis.window           = (std::int64_t)s[10];
  sor->tsallis.gate             = s[11];
  sor->tsallis.soft_gate        = s[12] == 1.0;
}
} // namespace

PetscErrorCode BanditSORWriteState(PC pc, PC_BanditSOR *sor, const char *filename)
{
  MPI_Comm    comm = PetscObjectComm((PetscObject)pc);
  PetscMPIInt rank;
  char        tmp[PETSC_MAX_PATH_LEN];
  int         failed = 0;

  PetscFunctionBegin;
  PetscCheck(sor->learner, comm, PETSC_ERR_ORDER, "PCBANDITSOR: no learner state to save yet");
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetalAtomicFileTempName(filename, tmp, sizeof tmp));
  if (rank == 0) {
    bool ok;
    PetscCall(WriteRecord(tmp, RecordOf(sor), &ok));
    failed = !ok;
  }
  PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, comm));
  // The other ranks pass the fault site once rank 0's temporary file is complete (a fault there must leave
  // nothing behind either).
  if (rank > 0) PetscCall(PetalFaultPoint("banditsor_state_write"));
  if (failed) {
    PetscCall(PetalAtomicFileAbort(comm, tmp));
    SETERRQ(comm, PETSC_ERR_FILE_WRITE, "PCBANDITSOR: cannot write the learner state to %s (HDF5 failed on rank 0)", filename);
  }
  PetscCall(PetalAtomicFileCommit(comm, tmp, filename));
  if (sor->stateFile == filename) {
    sor->savedSolves = sor->solves;
    PetscCall(PetscTime(&sor->savedTime));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode BanditSORReadState(PC pc, PC_BanditSOR *sor, const char *filename)
{
  MPI_Comm    comm = PetscObjectComm((PetscObject)pc);
  PetscMPIInt rank;
  StateRecord r;
  std::string why;

  PetscFunctionBegin;
  PetscCall(PetalCheckReadable(comm, filename));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) why = ReadRecord(filename, r);
  PetscCall(BcastVerdict(comm, &why));
  PetscCheck(why.empty(), comm, PETSC_ERR_FILE_UNEXPECTED, "PCBANDITSOR: cannot read the learner state %s: %s", filename, why.c_str());
  PetscCall(BcastRecord(comm, r));
  std::unique_ptr<bandits::Learner> learner;
  try {
    learner = bandits::RestoreLearner(r.learner); // rank 0 has restored it already: this cannot fail
  } catch (const std::exception &e) {
    SETERRQ(comm, PETSC_ERR_PLIB, "PCBANDITSOR: the learner state in %s is invalid: %s", filename, e.what());
  }
  PetscCall(CheckConfiguration(pc, sor, r, filename));
  Apply(sor, r, std::move(learner));
  if (sor->stateFile == filename) {
    sor->savedSolves = sor->solves;
    PetscCall(PetscTime(&sor->savedTime));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode BanditSORCheckpoint(PC pc, PC_BanditSOR *sor)
{
  PetscFunctionBegin;
  if (sor->stateFile.empty() || (sor->checkpointInterval <= 0 && sor->checkpointSeconds <= 0)) PetscFunctionReturn(0);
  int due = sor->checkpointInterval > 0 && sor->solves - std::max<PetscInt>(sor->savedSolves, 0) >= sor->checkpointInterval;
  if (!due && sor->checkpointSeconds > 0) {
    // Clocks differ between ranks: rank 0's decides, so that every rank writes (collectively) or none.
    PetscLogDouble now;
    PetscCall(PetscTime(&now));
    due = now - sor->savedTime >= sor->checkpointSeconds;
    PetscCallMPI(MPI_Bcast(&due, 1, MPI_INT, 0, PetscObjectComm((PetscObject)pc)));
  }
  if (due) PetscCall(BanditSORWriteState(pc, sor, sor->stateFile.c_str()));
  PetscFunctionReturn(0);
}

PetscErrorCode BanditSORFinalState(PC pc, PC_BanditSOR *sor)
{
  PetscFunctionBegin;
  if (!sor->stateFile.empty() && sor->learner && sor->solves > std::max<PetscInt>(sor->savedSolves, 0)) PetscCall(BanditSORWriteState(pc, sor, sor->stateFile.c_str()));
  PetscFunctionReturn(0);
}
} // namespace petal
