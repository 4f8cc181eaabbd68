// PCBANDITSOR's learner state and configuration, on 1 and 2 ranks:
//  - a malformed state file (wrong dtypes or shapes, missing datasets, sizes beyond the caps, unwritten data,
//    settings or totals out of range, a learner state that does not fit its grid, a truncated file) is
//    refused with the same clear message on every rank (PCBanditSORLoadState is a fuzz target);
//  - a state of another learner type or grid than the configured one is refused, naming both, unless
//    PCBanditSORSetStateAdopt / -pc_banditsor_state_adopt;
//  - checkpoints every N solves or T seconds hold every solve up to them;
//  - PCBanditSORReplay with the PC's seed on the cost table of a stateless sequence is the PC's own run, and
//    the learner types and learner time are public.
#include "banditsor_test_util.hpp"
#include <hdf5.h>
#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <functional>
#include <limits>
#include <sstream>

namespace {
using namespace banditsor_test;

// A state of `learner` after `solves` solves of the test sequence, saved to file.
void SaveState(const char *learner, int solves, const std::string &file, PetscInt seed = 3)
{
  Sequence seq(8);
  Trace    tr;
  KSP      ksp = LearnerKsp(learner, seed);
  PC       pc;
  RunSeq(ksp, seq, 0, solves, tr);
  ASSERT_EQ(KSPGetPC(ksp, &pc), 0);
  ASSERT_EQ(PCBanditSORSaveState(pc, file.c_str()), 0);
  KSPDestroy(&ksp);
}

// Rank 0 replaces the dataset at path by one of the given type and dimensions (no data: declared only).
void Replace(const std::string &file, const char *path, hid_t type, std::vector<hsize_t> dims, const void *data)
{
  if (Rank() == 0) {
    hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    H5Ldelete(f, path, H5P_DEFAULT);
    hid_t sp = H5Screate_simple((int)dims.size(), dims.data(), nullptr);
    hid_t ds = H5Dcreate2(f, path, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (data) EXPECT_GE(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
    H5Dclose(ds), H5Sclose(sp), H5Fclose(f);
  }
  MPI_Barrier(Comm());
}
void ReplaceReals(const std::string &file, const char *path, const std::vector<double> &v) { Replace(file, path, H5T_NATIVE_DOUBLE, {v.size()}, v.data()); }
void ReplaceInts(const std::string &file, const char *path, const std::vector<long long> &v) { Replace(file, path, H5T_NATIVE_LLONG, {v.size()}, v.data()); }
void ReplaceText(const std::string &file, const char *path, const std::string &s) { Replace(file, path, H5T_NATIVE_UINT8, {s.size()}, s.data()); }

// Rank 0 only (it alone rewrites the file; a reader on another rank would hold a lock on it).
std::vector<double> ReadReals(const std::string &file, const char *path)
{
  std::vector<double> v;
  if (Rank() != 0) return v;
  hid_t               f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), d = H5Dopen2(f, path, H5P_DEFAULT), sp = H5Dget_space(d);
  v.resize(H5Sget_simple_extent_npoints(sp));
  H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Sclose(sp), H5Dclose(d), H5Fclose(f);
  return v;
}

// Loads file into a fresh chebcb PC (the learner the valid state was made with); returns the message, checking
// that every rank raised the same one.
std::string LoadMessage(const std::string &file)
{
  KSP         ksp = LearnerKsp("chebcb", 3);
  PC          pc;
  std::string msg;
  EXPECT_EQ(KSPGetPC(ksp, &pc), 0);
  {
    ErrorCapture cap;
    EXPECT_NE(PCBanditSORLoadState(pc, file.c_str()), 0) << file << " was accepted";
    msg = cap.Message();
  }
  KSPDestroy(&ksp);
  int len = (int)msg.size();
  MPI_Bcast(&len, 1, MPI_INT, 0, Comm());
  std::string root(len, ' ');
  if (Rank() == 0) root = msg;
  MPI_Bcast(&root[0], len, MPI_CHAR, 0, Comm());
  EXPECT_EQ(msg, root) << "rank " << Rank() << " raised another message than rank 0";
  return msg;
}

void ExpectRefused(const char *what, const std::function<void(const std::string &)> &mutate, const std::string &expect)
{
  const std::string file = StateFile((std::string("malformed_") + what).c_str());
  SaveState("chebcb", 4, file);
  mutate(file);
  const std::string msg = LoadMessage(file);
  EXPECT_NE(msg.find(expect), std::string::npos) << what << ": expected \"" << expect << "\", got \"" << msg << "\"";
  EXPECT_NE(msg.find(file), std::string::npos) << what << ": the message does not name the file: " << msg;
  MPI_Barrier(Comm());
  if (Rank() == 0) std::remove(file.c_str());
}

TEST(BanditSORState, MalformedLearnerGroupIsRefused)
{
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ExpectRefused("type", [](const std::string &f) { ReplaceText(f, "learner/type", "bogus"); }, "the /learner group is invalid: petal::bandits: invalid learner state: unknown type 'bogus'");
  ExpectRefused("type_long", [](const std::string &f) { ReplaceText(f, "learner/type", std::string(100, 'x')); }, "dataset /learner/type has 100 entries, more than the 64");
  ExpectRefused("rng", [](const std::string &f) { ReplaceText(f, "learner/rng", "garbage"); }, "malformed generator state");
  ExpectRefused("reals_int", [](const std::string &f) { ReplaceInts(f, "learner/reals", {1, 2, 3}); }, "dataset /learner/reals holds integers, not floating-point numbers");
  ExpectRefused("ints_float", [](const std::string &f) { ReplaceReals(f, "learner/ints", {1, 2, 3}); }, "dataset /learner/ints holds floating-point numbers, not integers");
  ExpectRefused("reals_nan", [&](const std::string &f) { auto v = ReadReals(f, "learner/reals"); if (!v.empty()) v[1] = nan; ReplaceReals(f, "learner/reals", v); }, "the /learner group is invalid");
  ExpectRefused("reals_2d", [](const std::string &f) { const double v[4] = {1, 2, 3, 4}; Replace(f, "learner/reals", H5T_NATIVE_DOUBLE, {2, 2}, v); }, "dataset /learner/reals must be a 1-d array, it has 2 dimensions");
  ExpectRefused("no_ints", [](const std::string &f) { if (Rank() == 0) { hid_t h = H5Fopen(f.c_str(), H5F_ACC_RDWR, H5P_DEFAULT); H5Ldelete(h, "learner/ints", H5P_DEFAULT); H5Fclose(h); } MPI_Barrier(Comm()); }, "dataset /learner/ints is missing");
}

TEST(BanditSORState, MalformedPCGroupIsRefused)
{
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto         settings = [](const std::string &f, int i, double v) { auto s = ReadReals(f, "pc/settings"); if (!s.empty()) s[i] = v; ReplaceReals(f, "pc/settings", s); };
  ExpectRefused("grid_size", [](const std::string &f) { ReplaceReals(f, "pc/omega_grid", {1.0, 1.2, 1.4, 1.6, 1.8}); }, "the learner has 20 arms but the grid /pc/omega_grid has 5 values");
  ExpectRefused("grid_value", [](const std::string &f) { std::vector<double> g(20, 1.5); g[7] = 2.5; ReplaceReals(f, "pc/omega_grid", g); }, "/pc/omega_grid: relaxation factor omega = 2.5 is outside (0, 2)");
  ExpectRefused("grid_empty", [](const std::string &f) { ReplaceReals(f, "pc/omega_grid", {}); }, "/pc/omega_grid: the omega grid needs at least one value");
  ExpectRefused("settings_short", [](const std::string &f) { ReplaceReals(f, "pc/settings", std::vector<double>(12, 1.0)); }, "/pc/totals must hold 3 values and /pc/settings 13");
  ExpectRefused("settings_long", [](const std::string &f) { ReplaceReals(f, "pc/settings", std::vector<double>(14, 1.0)); }, "dataset /pc/settings has 14 entries, more than the 13");
  ExpectRefused("fixed_omega", [&](const std::string &f) { settings(f, 0, 3.0); }, "the fixed learner's relaxation factor omega = 3");
  ExpectRefused("seed", [&](const std::string &f) { settings(f, 1, nan); }, "the seed must be an integer");
  ExpectRefused("range", [&](const std::string &f) { settings(f, 3, -1.0); }, "the context range must be finite with a < b");
  ExpectRefused("bins", [&](const std::string &f) { settings(f, 4, 0.0); }, "bins and features must be positive integers");
  ExpectRefused("transform", [&](const std::string &f) { settings(f, 6, 2.0); }, "invalid context transform or log floor");
  ExpectRefused("window", [&](const std::string &f) { settings(f, 10, 1.5); }, "invalid Tsallis-INF estimator settings");
  ExpectRefused("totals", [](const std::string &f) { ReplaceInts(f, "pc/totals", {-1, 5, 0}); }, "/pc/totals: solves, iterations and capped solves must be non-negative");
  ExpectRefused("capped", [](const std::string &f) { ReplaceInts(f, "pc/totals", {4, 10, 7}); }, "capped <= solves");
  ExpectRefused("settings_group", [](const std::string &f) { if (Rank() == 0) { hid_t h = H5Fopen(f.c_str(), H5F_ACC_RDWR, H5P_DEFAULT); H5Ldelete(h, "pc/settings", H5P_DEFAULT); H5Gclose(H5Gcreate2(h, "pc/settings", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)); H5Fclose(h); } MPI_Barrier(Comm()); }, "/pc/settings is not a dataset");
}

// Sizes are capped and data must be present before anything is allocated.
TEST(BanditSORState, HugeUnwrittenOrTruncatedStateIsRefused)
{
  ExpectRefused("unwritten", [](const std::string &f) { Replace(f, "learner/reals", H5T_NATIVE_DOUBLE, {hsize_t(1) << 20}, nullptr); }, "dataset /learner/reals declares 1048576 entries but the file holds only 0");
  ExpectRefused("huge", [](const std::string &f) { Replace(f, "learner/reals", H5T_NATIVE_DOUBLE, {hsize_t(1) << 30}, nullptr); }, "dataset /learner/reals has 1073741824 entries, more than the 16777216");
  ExpectRefused("truncated", [](const std::string &f) { if (Rank() == 0) { std::ifstream in(f, std::ios::binary | std::ios::ate); EXPECT_EQ(truncate(f.c_str(), (long)in.tellg() / 2), 0); } MPI_Barrier(Comm()); }, "HDF5 cannot open it (damaged or truncated)");
}

// ---- the state's configuration against the PC's ----

TEST(BanditSORState, StateOfAnotherLearnerOrGridIsRefusedUnlessAdopted)
{
  const std::string file = StateFile("other_config");
  SaveState("tsallis", 5, file);
  KSP ksp = LearnerKsp("chebcb", 3);
  PC  pc;
  ASSERT_EQ(KSPGetPC(ksp, &pc), 0);
  PETAL_EXPECT_ERROR(PCBanditSORLoadState(pc, file.c_str()), "was learned with learner tsallis, 20 omegas on [1, 1.95], but this PC is configured with learner chebcb, 20 omegas on [1, 1.95]; give -pc_banditsor_state_adopt");
  KSPDestroy(&ksp);

  ksp = LearnerKsp("tsallis", 3);
  ASSERT_EQ(KSPGetPC(ksp, &pc), 0);
  std::vector<PetscReal> grid = {1.2, 1.4, 1.6, 1.9};
  ASSERT_EQ(PCBanditSORSetOmegaGrid(pc, 4, grid.data()), 0);
  PETAL_EXPECT_ERROR(PCBanditSORLoadState(pc, file.c_str()), "but this PC is configured with learner tsallis, 4 omegas on [1.2, 1.9]");
  // Adopted: the state's learner and grid win, and the sequence continues from its totals.
  ASSERT_EQ(PCBanditSORSetStateAdopt(pc, PETSC_TRUE), 0);
  ASSERT_EQ(PCBanditSORLoadState(pc, file.c_str()), 0);
  PetscInt         n, solves;
  const PetscReal *g;
  ASSERT_EQ(PCBanditSORGetOmegaGrid(pc, &n, &g), 0);
  ASSERT_EQ(PCBanditSORGetTotals(pc, &solves, NULL), 0);
  EXPECT_EQ(n, 20);
  EXPECT_EQ(solves, 5);
  KSPDestroy(&ksp);

  // The same through the options database: a PC configured for chebcb by option adopts the tsallis state.
  ASSERT_EQ(PetscOptionsSetValue(NULL, "-adopt_pc_banditsor_learner", "chebcb"), 0);
  ASSERT_EQ(PetscOptionsSetValue(NULL, "-adopt_pc_banditsor_state", file.c_str()), 0);
  ASSERT_EQ(PetscOptionsSetValue(NULL, "-adopt_pc_banditsor_state_adopt", "true"), 0);
  KSP k2;
  ASSERT_EQ(KSPCreate(Comm(), &k2), 0);
  ASSERT_EQ(KSPSetOptionsPrefix(k2, "adopt_"), 0);
  ASSERT_EQ(KSPGetPC(k2, &pc), 0);
  ASSERT_EQ(PCSetType(pc, PCBANDITSOR), 0);
  ASSERT_EQ(KSPSetFromOptions(k2), 0);
  ASSERT_EQ(PCBanditSORGetTotals(pc, &solves, NULL), 0);
  EXPECT_EQ(solves, 5);
  KSPDestroy(&k2); // no solve since the state was loaded: the file is not written again
  for (const char *o : {"-adopt_pc_banditsor_learner", "-adopt_pc_banditsor_state", "-adopt_pc_banditsor_state_adopt"}) ASSERT_EQ(PetscOptionsClearValue(NULL, o), 0);
  MPI_Barrier(Comm());
  if (Rank() == 0) std::remove(file.c_str());
}

// ---- checkpoints ----

PetscInt SavedSolves(const std::string &file)
{
  long long totals[3] = {-1, -1, -1};
  MPI_Barrier(Comm());
  if (access(file.c_str(), F_OK) == 0) {
    hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), d = H5Dopen2(f, "pc/totals", H5P_DEFAULT);
    H5Dread(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, totals);
    H5Dclose(d), H5Fclose(f);
  }
  MPI_Barrier(Comm());
  return (PetscInt)totals[0];
}

// Solves one instance at a time and returns the solves in the state file after each (-1: no file yet).
std::vector<PetscInt> CheckpointTrace(const std::string &prefix, const std::string &file, int solves, std::string *view)
{
  std::vector<PetscInt> saved;
  Sequence              seq(8);
  Trace                 tr;
  KSP                   ksp = LearnerKsp("tsallis", 1, prefix);
  for (int t = 0; t < solves; ++t) {
    RunSeq(ksp, seq, t, t + 1, tr);
    saved.push_back(SavedSolves(file));
  }
  PetscViewer v;
  const std::string out = file + ".view";
  EXPECT_EQ(PetscViewerASCIIOpen(Comm(), out.c_str(), &v), 0);
  EXPECT_EQ(KSPView(ksp, v), 0);
  EXPECT_EQ(PetscViewerDestroy(&v), 0);
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  *view = ss.str();
  KSPDestroy(&ksp); // the final state
  saved.push_back(SavedSolves(file));
  MPI_Barrier(Comm());
  if (Rank() == 0) std::remove(out.c_str());
  return saved;
}

TEST(BanditSORState, CheckpointsEveryNSolvesAndEveryTSeconds)
{
  const std::string file = StateFile("checkpoint_n"), timed = StateFile("checkpoint_t");
  if (Rank() == 0) std::remove(file.c_str()), std::remove(timed.c_str());
  ASSERT_EQ(PetscOptionsSetValue(NULL, "-ckn_pc_banditsor_state", file.c_str()), 0);
  ASSERT_EQ(PetscOptionsSetValue(NULL, "-ckn_pc_banditsor_state_checkpoint_interval", "3"), 0);
  std::string view;
  EXPECT_EQ(CheckpointTrace("ckn_", file, 7, &view), (std::vector<PetscInt>{-1, -1, 3, 3, 3, 6, 6, 7}));
  EXPECT_NE(view.find("checkpoints every 3 solves, and when the PC is destroyed"), std::string::npos) << view;
  EXPECT_FALSE(access((file + ".tmp").c_str(), F_OK) == 0);
  // A period of a microsecond is due after every solve (rank 0's clock decides for every rank).
  ASSERT_EQ(PetscOptionsSetValue(NULL, "-ckt_pc_banditsor_state", timed.c_str()), 0);
  ASSERT_EQ(PetscOptionsSetValue(NULL, "-ckt_pc_banditsor_state_checkpoint_seconds", "1e-6"), 0);
  EXPECT_EQ(CheckpointTrace("ckt_", timed, 3, &view), (std::vector<PetscInt>{1, 2, 3, 3}));
  EXPECT_NE(view.find("checkpoints every 1e-06 s"), std::string::npos) << view;
  for (const char *o : {"-ckn_pc_banditsor_state", "-ckn_pc_banditsor_state_checkpoint_interval", "-ckt_pc_banditsor_state", "-ckt_pc_banditsor_state_checkpoint_seconds"}) ASSERT_EQ(PetscOptionsClearValue(NULL, o), 0);
  MPI_Barrier(Comm());
  if (Rank() == 0) std::remove(file.c_str()), std::remove(timed.c_str());
}

TEST(BanditSORState, CheckpointSettingsAreChecked)
{
  KSP ksp = LearnerKsp("tsallis", 1);
  PC  pc;
  ASSERT_EQ(KSPGetPC(ksp, &pc), 0);
  PETAL_EXPECT_ERROR(PCBanditSORSetStateCheckpoint(pc, -1, 0), "checkpoint interval must be >= 0");
  PETAL_EXPECT_ERROR(PCBanditSORSetStateCheckpoint(pc, 0, -2), "checkpoint period must be finite and >= 0");
  KSPDestroy(&ksp);
}

// ---- replay, learner types, learner time ----

class Replays : public ::testing::TestWithParam<const char *> {};

// The cost table of a stateless sequence (every instance from x = 0, every omega of the grid), replayed with
// the PC's own seed, is exactly what the PC did online: one builder of the learner for both.
TEST_P(Replays, ReplayWithThePCSeedIsThePCRun)
{
  const int   T = 14, d = 20;
  const char *learner = GetParam();
  Sequence    seq(6);
  Vec         x;
  std::vector<PetscInt>  costs(T * d);
  std::vector<PetscReal> contexts(T);
  ASSERT_EQ(VecDuplicate(seq.b, &x), 0);
  KSP online = LearnerKsp(learner, 9);
  PC  pc;
  ASSERT_EQ(KSPGetPC(online, &pc), 0);
  PetscInt         n;
  const PetscReal *grid;
  ASSERT_EQ(PCBanditSORGetOmegaGrid(pc, &n, &grid), 0);
  ASSERT_EQ(n, d);
  std::vector<KSP> arms(d); // one-arm learners: the fixed omegas of the table
  for (int k = 0; k < d; ++k) {
    PC armPc;
    arms[k] = LearnerKsp("tsallis", 0);
    ASSERT_EQ(KSPGetPC(arms[k], &armPc), 0);
    ASSERT_EQ(PCBanditSORSetOmegaGrid(armPc, 1, &grid[k]), 0);
  }
  long long total = 0;
  for (int t = 0; t < T; ++t) {
    seq.Set(t);
    contexts[t] = Sequence::Context(t);
    for (int k = 0; k < d; ++k) costs[t * d + k] = Solve(arms[k], seq.A, seq.b, x).its;
    ASSERT_EQ(PCBanditSORSetContext(pc, contexts[t]), 0);
    total += Solve(online, seq.A, seq.b, x).its;
  }
  PetscInt64 replayed, again, other;
  ASSERT_EQ(PCBanditSORReplay(pc, T, d, costs.data(), contexts.data(), 9, &replayed), 0);
  ASSERT_EQ(PCBanditSORReplay(pc, T, d, costs.data(), contexts.data(), 9, &again), 0);
  ASSERT_EQ(PCBanditSORReplay(pc, T, d, costs.data(), contexts.data(), 10, &other), 0);
  EXPECT_EQ((long long)replayed, total);
  EXPECT_EQ(again, replayed);
  EXPECT_GT(other, 0);
  PETAL_EXPECT_ERROR(PCBanditSORReplay(pc, T, d - 1, costs.data(), contexts.data(), 9, &other), "the cost table has 19 arms per instance, the PC's learner");
  PetscLogDouble seconds;
  ASSERT_EQ(PCBanditSORGetLearnerTime(pc, &seconds), 0);
  EXPECT_GT(seconds, 0.0);
  for (KSP &k : arms) KSPDestroy(&k);
  KSPDestroy(&online), VecDestroy(&x);
}

INSTANTIATE_TEST_SUITE_P(AllLearners, Replays, ::testing::Values("tsallis", "tsallis_cb", "chebcb"));

TEST(BanditSORState, LearnerTypesArePublic)
{
  PetscInt           n;
  const char *const *types;
  ASSERT_EQ(PCBanditSORGetLearnerTypes(&n, &types), 0);
  ASSERT_EQ(n, 4);
  EXPECT_STREQ(types[0], "fixed");
  EXPECT_STREQ(types[3], "chebcb");
  EXPECT_EQ(types[4], nullptr);
  const char *label;
  PetscBool   contextual, tsallis;
  ASSERT_EQ(PCBanditSORGetLearnerTypeInfo("tsallis_cb", &label, &contextual, &tsallis), 0);
  EXPECT_STREQ(label, "Tsallis-INF-CB");
  EXPECT_TRUE(contextual && tsallis);
  ASSERT_EQ(PCBanditSORGetLearnerTypeInfo("chebcb", &label, &contextual, &tsallis), 0);
  EXPECT_TRUE(contextual && !tsallis);
  PETAL_EXPECT_ERROR(PCBanditSORGetLearnerTypeInfo("bogus", NULL, NULL, NULL), "unknown learner bogus");
}
} // namespace
