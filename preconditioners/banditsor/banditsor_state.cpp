// The learner state of PCBANDITSOR in HDF5, so that a sequence of solves spread over several jobs keeps
// learning. Rank 0 does the file I/O (the state is tiny and identical on every rank) and broadcasts.
//
// Layout (petal_format "petal-banditsor-state", version 3):
//   /learner/type   uint8[]  learner type name      /learner/rng    uint8[]  generator state (text)
//   /learner/reals  float64[]                       /learner/ints   int64[]  (private to the learner type)
//   /pc/omega_grid  float64[]                       /pc/totals      int64[3] solves, iterations, capped
//   /pc/settings    float64[12] fixed omega, seed, context min, context max, bins, features,
//                   context transform (0 linear, 1 log), log floor, Tsallis RV (0/1), RV shift,
//                   RV shift window, RV shift gate, RV soft gate (0/1)
#include "preconditioners/banditsor/banditsor_impl.hpp"
#include <petal/io.h>
#include "core/h5.hpp"
#include <hdf5.h>
#include <cmath>
#include <cstdint>

namespace petal {
namespace {
constexpr int kVersion = 3; // 2: /pc/settings also hold the context transform and the Tsallis-INF estimator; 3: its shift window and gate
constexpr std::size_t kSettings = 13;


template <class T>
bool Write(hid_t loc, const char *name, hid_t type, const std::vector<T> &v)
{
  hsize_t n  = v.size();
  hid_t   sp = H5Screate_simple(1, &n, nullptr);
  hid_t   ds = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  bool    ok = ds >= 0 && (n == 0 || H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0);
  if (ds >= 0) H5Dclose(ds);
  H5Sclose(sp);
  return ok;
}

template <class T>
bool Read(hid_t loc, const char *name, hid_t type, std::vector<T> &v)
{
  hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
  if (ds < 0) return false;
  hid_t   sp = H5Dget_space(ds);
  hsize_t n  = 0;
  bool    ok = H5Sget_simple_extent_ndims(sp) == 1 && H5Sget_simple_extent_dims(sp, &n, nullptr) == 1;
  if (ok) {
    v.resize(n);
    ok = n == 0 || H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0;
  }
  H5Sclose(sp);
  H5Dclose(ds);
  return ok;
}

std::vector<std::uint8_t> Bytes(const std::string &s) { return std::vector<std::uint8_t>(s.begin(), s.end()); }
std::string               String(const std::vector<std::uint8_t> &b) { return std::string(b.begin(), b.end()); }

// Everything a state file holds, flat.
struct StateRecord {
  bandits::LearnerState learner;
  std::vector<double>   grid;
  std::vector<int64_t>  totals;
  std::vector<double>   settings;
};

const char *WriteRecord(const char *file, const StateRecord &r)
{
  h5::Quiet quiet;
  hid_t     f = H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f < 0) return "cannot create the file";
  hid_t l = H5Gcreate2(f, "learner", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t p = H5Gcreate2(f, "pc", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  bool  ok = l >= 0 && p >= 0;
  ok = ok && Write(l, "type", H5T_NATIVE_UINT8, Bytes(r.learner.type)) && Write(l, "rng", H5T_NATIVE_UINT8, Bytes(r.learner.rng));
  ok = ok && Write(l, "reals", H5T_NATIVE_DOUBLE, r.learner.reals) && Write(l, "ints", H5T_NATIVE_INT64, r.learner.ints);
  ok = ok && Write(p, "omega_grid", H5T_NATIVE_DOUBLE, r.grid) && Write(p, "totals", H5T_NATIVE_INT64, r.totals) && Write(p, "settings", H5T_NATIVE_DOUBLE, r.settings);
  ok = ok && Write(f, "petal_format", H5T_NATIVE_UINT8, Bytes("petal-banditsor-state")) && Write(f, "petal_format_version", H5T_NATIVE_INT64, std::vector<int64_t>{kVersion});
  if (l >= 0) H5Gclose(l);
  if (p >= 0) H5Gclose(p);
  ok = H5Fclose(f) >= 0 && ok;
  return ok ? nullptr : "cannot write its datasets";
}

const char *ReadRecord(const char *file, StateRecord &r)
{
  h5::Quiet quiet;
  if (H5Fis_hdf5(file) <= 0) return "it is not an HDF5 file";
  hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return "it cannot be opened";
  std::vector<std::uint8_t> format, type, rng;
  std::vector<int64_t>      version;
  const char               *err = nullptr;
  if (!Read(f, "petal_format", H5T_NATIVE_UINT8, format) || String(format) != "petal-banditsor-state") err = "it is not a petal bandit-SOR state (no /petal_format \"petal-banditsor-state\")";
  else if (!Read(f, "petal_format_version", H5T_NATIVE_INT64, version) || version.size() != 1 || version[0] != kVersion) err = "it has an unsupported petal_format_version (this petal reads version 3: a state written by an older petal cannot be resumed)";
  else if (!Read(f, "learner/type", H5T_NATIVE_UINT8, type) || !Read(f, "learner/rng", H5T_NATIVE_UINT8, rng) || !Read(f, "learner/reals", H5T_NATIVE_DOUBLE, r.learner.reals) || !Read(f, "learner/ints", H5T_NATIVE_INT64, r.learner.ints)) err = "the /learner group is missing or incomplete";
  else if (!Read(f, "pc/omega_grid", H5T_NATIVE_DOUBLE, r.grid) || !Read(f, "pc/totals", H5T_NATIVE_INT64, r.totals) || r.totals.size() != 3 || !Read(f, "pc/settings", H5T_NATIVE_DOUBLE, r.settings) || r.settings.size() != kSettings || r.grid.empty()) err = "the /pc group is missing or malformed";
  r.learner.type = String(type);
  r.learner.rng  = String(rng);
  H5Fclose(f);
  return err;
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
  PetscCallMPI(MPI_Bcast(r.learner.type.data(), (int)n[0], MPI_CHAR, 0, comm));
  PetscCallMPI(MPI_Bcast(r.learner.rng.data(), (int)n[1], MPI_CHAR, 0, comm));
  PetscCallMPI(MPI_Bcast(r.learner.reals.data(), (int)n[2], MPI_DOUBLE, 0, comm));
  PetscCallMPI(MPI_Bcast(r.learner.ints.data(), (int)n[3], MPI_INT64_T, 0, comm));
  PetscCallMPI(MPI_Bcast(r.grid.data(), (int)n[4], MPI_DOUBLE, 0, comm));
  PetscCallMPI(MPI_Bcast(r.settings.data(), (int)n[5], MPI_DOUBLE, 0, comm));
  PetscCallMPI(MPI_Bcast(r.totals.data(), 3, MPI_INT64_T, 0, comm));
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode BanditSORWriteState(PC pc, PC_BanditSOR *sor, const char *filename)
{
  MPI_Comm    comm = PetscObjectComm((PetscObject)pc);
  PetscMPIInt rank;
  char        tmp[PETSC_MAX_PATH_LEN];
  int         failed = 0;
  const char *why    = nullptr;

  PetscFunctionBegin;
  PetscCheck(sor->learner, comm, PETSC_ERR_ORDER, "PCBANDITSOR: no learner state to save yet");
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetalAtomicFileTempName(filename, tmp, sizeof tmp));
  if (rank == 0) {
    StateRecord r;
    sor->learner->Save(r.learner);
    r.grid     = sor->grid;
    r.totals   = {sor->solves, sor->iterations, sor->capped};
    r.settings = {sor->fixedOmega, (double)sor->seed, sor->contextMin, sor->contextMax, (double)sor->bins, (double)sor->features, (double)sor->transform, sor->logFloor, (double)sor->tsallis.reduced_variance, sor->tsallis.shift, (double)sor->tsallis.window, sor->tsallis.gate, (double)sor->tsallis.soft_gate};
    why        = WriteRecord(tmp, r);
    failed     = why != nullptr;
  }
  PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, comm));
  if (failed) {
    PetscCall(PetalAtomicFileAbort(comm, tmp));
    SETERRQ(comm, PETSC_ERR_FILE_WRITE, "PCBANDITSOR: cannot write the learner state to %s: %s", filename, why ? why : "see rank 0");
  }
  PetscCall(PetalAtomicFileCommit(comm, tmp, filename));
  PetscFunctionReturn(0);
}

PetscErrorCode BanditSORReadState(PC pc, PC_BanditSOR *sor, const char *filename)
{
  MPI_Comm    comm = PetscObjectComm((PetscObject)pc);
  PetscMPIInt rank;
  StateRecord r;
  int         failed = 0;
  const char *why    = nullptr;

  PetscFunctionBegin;
  PetscCall(PetalCheckReadable(comm, filename));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    why    = ReadRecord(filename, r);
    failed = why != nullptr;
  }
  PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, comm));
  PetscCheck(!failed, comm, PETSC_ERR_FILE_UNEXPECTED, "PCBANDITSOR: cannot read the learner state %s: %s", filename, why ? why : "see rank 0");
  PetscCall(BcastRecord(comm, r));
  std::unique_ptr<bandits::Learner> learner;
  try {
    learner = bandits::RestoreLearner(r.learner);
  } catch (const std::exception &e) {
    SETERRQ(comm, PETSC_ERR_FILE_UNEXPECTED, "PCBANDITSOR: the learner state in %s is invalid: %s", filename, e.what());
  }
  for (double w : r.grid) PetscCheck(w > 0 && w < 2, comm, PETSC_ERR_FILE_UNEXPECTED, "PCBANDITSOR: the state %s has omega %g outside (0, 2)", filename, w);
  PetscCheck((r.settings[6] == 0.0 || r.settings[6] == 1.0) && r.settings[7] > 0 && std::isfinite(r.settings[7]) && (r.settings[8] == 0.0 || r.settings[8] == 1.0) && r.settings[9] >= 0 && std::isfinite(r.settings[9]) && r.settings[10] >= 0 && r.settings[10] <= (double)PETSC_MAX_INT && r.settings[10] == std::floor(r.settings[10]) && r.settings[11] > 0 && std::isfinite(r.settings[11]) && (r.settings[12] == 0.0 || r.settings[12] == 1.0), comm, PETSC_ERR_FILE_UNEXPECTED, "PCBANDITSOR: the state %s has invalid settings (context transform, log floor or Tsallis-INF estimator)", filename);
  sor->learner     = std::move(learner);
  sor->learnerType = r.learner.type;
  sor->grid        = r.grid;
  sor->solves      = (PetscInt)r.totals[0];
  sor->iterations  = (PetscInt)r.totals[1];
  sor->capped      = (PetscInt)r.totals[2];
  sor->fixedOmega  = r.settings[0];
  sor->seed        = (PetscInt)r.settings[1];
  sor->contextMin  = r.settings[2];
  sor->contextMax  = r.settings[3];
  sor->bins        = (PetscInt)r.settings[4];
  sor->features    = (PetscInt)r.settings[5];
  sor->transform    = r.settings[6] == 1.0 ? PCBANDITSOR_CONTEXT_LOG : PCBANDITSOR_CONTEXT_LINEAR;
  sor->logFloor     = r.settings[7];
  sor->tsallis.reduced_variance = r.settings[8] == 1.0;
  sor->tsallis.shift            = r.settings[9];
  sor->tsallis.window           = (std::int64_t)r.settings[10];
  sor->tsallis.gate             = r.settings[11];
  sor->tsallis.soft_gate        = r.settings[12] == 1.0;
  PetscFunctionReturn(0);
}
} // namespace petal
