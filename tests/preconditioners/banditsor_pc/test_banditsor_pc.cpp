// PCBANDITSOR at the PC level, on 1 and 2 ranks:
//  - with a fixed omega it is PCSOR: CG + SSOR and Richardson + forward SOR give PCSOR's iteration counts and
//    bit-identical solutions (Richardson with a wrapper convergence test, so that PCSOR does not take the
//    Richardson fast path, which ignores the tolerances);
//  - the learner state saved after T solves and loaded into a new PC continues the sequence bit for bit
//    (PCBanditSORSaveState/LoadState and -pc_banditsor_state);
//  - decisions are deterministic and identical on every rank (rank 0's context is used);
//  - bad options and unreadable state files fail with clear PETSc errors.
#include "banditsor_test_util.hpp"
#include <gtest/gtest.h>
#include <petal/banditsor.h>
#include <petscksp.h>
#include <hdf5.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace {
using namespace banditsor_test;

// Richardson with KSPConvergedDefault behind a wrapper: PETSc only takes PCSOR's Richardson fast path (max_it
// sweeps, tolerances ignored) when the convergence test is KSPConvergedDefault itself.
PetscErrorCode WrappedDefault(KSP ksp, PetscInt it, PetscReal rnorm, KSPConvergedReason *reason, void *ctx)
{
  return KSPConvergedDefault(ksp, it, rnorm, reason, ctx);
}

enum class Method { CG_SSOR, RICHARDSON_FORWARD };

// A KSP with either PCSOR or PCBANDITSOR at fixed omega (the options database, prefix p, gives the latter
// its omega: the "fixed" learner has no setter for it).
KSP MakeKsp(Method m, bool bandit, double omega, const std::string &prefix, bool wrap = true)
{
  KSP ksp;
  PC  pc;
  EXPECT_EQ(KSPCreate(Comm(), &ksp), 0);
  EXPECT_EQ(KSPSetOptionsPrefix(ksp, prefix.c_str()), 0);
  EXPECT_EQ(KSPSetType(ksp, m == Method::CG_SSOR ? KSPCG : KSPRICHARDSON), 0);
  EXPECT_EQ(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED), 0);
  EXPECT_EQ(KSPSetTolerances(ksp, 1e-8, PETSC_DEFAULT, PETSC_DEFAULT, 5000), 0);
  EXPECT_EQ(KSPGetPC(ksp, &pc), 0);
  if (bandit) {
    EXPECT_EQ(PCSetType(pc, PCBANDITSOR), 0);
    char w[64];
    snprintf(w, sizeof w, "%.17g", omega);
    EXPECT_EQ(PetscOptionsSetValue(NULL, ("-" + prefix + "pc_banditsor_learner").c_str(), "fixed"), 0);
    EXPECT_EQ(PetscOptionsSetValue(NULL, ("-" + prefix + "pc_banditsor_omega").c_str(), w), 0);
    EXPECT_EQ(PetscOptionsSetValue(NULL, ("-" + prefix + "pc_banditsor_sweep").c_str(), m == Method::CG_SSOR ? "symmetric" : "forward"), 0);
  } else {
    EXPECT_EQ(PCSetType(pc, PCSOR), 0);
    EXPECT_EQ(PCSORSetOmega(pc, omega), 0);
    // PCSOR's default is the local symmetric sweep; in parallel both PCs sweep each rank's block.
    EXPECT_EQ(PCSORSetSymmetric(pc, m == Method::CG_SSOR ? SOR_LOCAL_SYMMETRIC_SWEEP : SOR_LOCAL_FORWARD_SWEEP), 0);
    if (m == Method::RICHARDSON_FORWARD && wrap) {
      void *ctx;
      EXPECT_EQ(KSPConvergedDefaultCreate(&ctx), 0);
      EXPECT_EQ(KSPSetConvergenceTest(ksp, WrappedDefault, ctx, KSPConvergedDefaultDestroy), 0);
    }
  }
  EXPECT_EQ(KSPSetFromOptions(ksp), 0);
  return ksp;
}


void CompareWithPCSOR(Method m, const char *tag)
{
  Sequence seq(12);
  Vec      x1, x2;
  ASSERT_EQ(VecDuplicate(seq.b, &x1), 0);
  ASSERT_EQ(VecDuplicate(seq.b, &x2), 0);
  for (double omega : {1.0, 1.3, 1.6, 1.85}) {
    const std::string prefix = std::string(tag) + "_" + std::to_string((int)(omega * 100)) + "_";
    KSP               sor = MakeKsp(m, false, omega, prefix + "sor_"), bandit = MakeKsp(m, true, omega, prefix + "bandit_");
    for (int t = 0; t < 5; ++t) {
      seq.Set(t);
      SolveResult a = Solve(sor, seq.A, seq.b, x1), b = Solve(bandit, seq.A, seq.b, x2);
      // In parallel, SOR is block Jacobi with SOR blocks: plain Richardson with it diverges for large omega
      // (DIVERGED_DTOL at omega = 1.85 on 2 ranks). Both PCs must then fail in the same way.
      if (m == Method::CG_SSOR || omega < 1.7) {
        EXPECT_GT(a.reason, 0) << "PCSOR, omega " << omega << ", instance " << t;
        EXPECT_GT(b.reason, 0) << "PCBANDITSOR, omega " << omega << ", instance " << t;
      }
      EXPECT_EQ(a.reason, b.reason) << "omega " << omega << ", instance " << t;
      EXPECT_EQ(a.its, b.its) << "omega " << omega << ", instance " << t;
      EXPECT_GT(a.its, 3);
      PetscBool same;
      ASSERT_EQ(VecEqual(x1, x2, &same), 0);
      EXPECT_TRUE(same) << "solutions differ, omega " << omega << ", instance " << t;
    }
    PC        pc;
    PetscReal w;
    PetscInt  solves, its;
    ASSERT_EQ(KSPGetPC(bandit, &pc), 0);
    ASSERT_EQ(PCBanditSORGetOmega(pc, &w), 0);
    EXPECT_EQ(w, omega);
    ASSERT_EQ(PCBanditSORGetTotals(pc, &solves, &its), 0);
    EXPECT_EQ(solves, 5);
    KSPDestroy(&sor);
    KSPDestroy(&bandit);
  }
  VecDestroy(&x1);
  VecDestroy(&x2);
}

TEST(BanditSORPC, FixedOmegaIsPCSORWithCGAndSSOR) { CompareWithPCSOR(Method::CG_SSOR, "cg"); }

TEST(BanditSORPC, FixedOmegaIsPCSORWithRichardsonAndForwardSOR) { CompareWithPCSOR(Method::RICHARDSON_FORWARD, "rich"); }

// SOR on several ranks is block Jacobi (like PCSOR), so iteration counts change with the rank count. The Kokkos
// backend's global ordering sweeps all rows in one multicolor order; with the level coloring that is
// natural-order SSOR over the whole matrix: the iterations of one-rank PCSOR on any number of ranks.
TEST(BanditSORPC, KokkosGlobalOrderingHasTheIterationsOfOneRank)
{
  const PetscInt m = 12, n = m * m;
  Sequence       seq(m);
  const char    *options[][2] = {{"-kglobal_pc_banditsor_backend", "kokkos"}, {"-kglobal_pc_banditsor_kokkos_coloring", "level"}, {"-kglobal_pc_banditsor_kokkos_ordering", "global"}};
  for (auto &o : options) ASSERT_EQ(PetscOptionsSetValue(NULL, o[0], o[1]), 0);
  KSP bandit = MakeKsp(Method::CG_SSOR, true, 1.6, "kglobal_");
  // The same systems on this rank alone, with PCSOR: the one-rank iteration counts.
  Mat Aseq;
  Vec bseq, xseq, x;
  ASSERT_EQ(MatCreateSeqAIJ(PETSC_COMM_SELF, n, n, 5, NULL, &Aseq), 0);
  for (PetscInt i = 0; i < n; ++i) {
    const PetscInt ix = i % m, iy = i / m;
    for (PetscInt j : {i - m, i - 1, i, i + 1, i + m}) {
      if (j < 0 || j >= n || (j == i - 1 && ix == 0) || (j == i + 1 && ix == m - 1) || (j == i - m && iy == 0) || (j == i + m && iy == m - 1)) continue;
      ASSERT_EQ(MatSetValue(Aseq, i, j, j == i ? 4.0 : -1.0, INSERT_VALUES), 0);
    }
  }
  ASSERT_EQ(MatAssemblyBegin(Aseq, MAT_FINAL_ASSEMBLY), 0);
  ASSERT_EQ(MatAssemblyEnd(Aseq, MAT_FINAL_ASSEMBLY), 0);
  ASSERT_EQ(MatCreateVecs(Aseq, &xseq, &bseq), 0);
  ASSERT_EQ(VecDuplicate(seq.b, &x), 0);
  KSP sor;
  PC  pc;
  ASSERT_EQ(KSPCreate(PETSC_COMM_SELF, &sor), 0);
  ASSERT_EQ(KSPSetType(sor, KSPCG), 0);
  ASSERT_EQ(KSPSetNormType(sor, KSP_NORM_UNPRECONDITIONED), 0);
  ASSERT_EQ(KSPSetTolerances(sor, 1e-8, PETSC_DEFAULT, PETSC_DEFAULT, 5000), 0);
  ASSERT_EQ(KSPGetPC(sor, &pc), 0);
  ASSERT_EQ(PCSetType(pc, PCSOR), 0);
  ASSERT_EQ(PCSORSetOmega(pc, 1.6), 0);
  for (int t = 0; t < 4; ++t) {
    seq.Set(t);
    Mat At;
    ASSERT_EQ(MatDuplicate(Aseq, MAT_COPY_VALUES, &At), 0);
    ASSERT_EQ(MatShift(At, Sequence::Context(t)), 0);
    for (PetscInt i = 0; i < n; ++i) ASSERT_EQ(VecSetValue(bseq, i, std::sin(0.37 * i + 1.3 * t) + 0.1 * std::cos(0.11 * i * t), INSERT_VALUES), 0);
    ASSERT_EQ(VecAssemblyBegin(bseq), 0);
    ASSERT_EQ(VecAssemblyEnd(bseq), 0);
    const SolveResult one = Solve(sor, At, bseq, xseq), global = Solve(bandit, seq.A, seq.b, x);
    EXPECT_GT(global.reason, 0);
    EXPECT_EQ(global.its, one.its) << "instance " << t << " on " << Size() << " ranks";
    MatDestroy(&At);
  }
  for (auto &o : options) ASSERT_EQ(PetscOptionsClearValue(NULL, o[0]), 0);
  KSPDestroy(&bandit), KSPDestroy(&sor), MatDestroy(&Aseq), VecDestroy(&bseq), VecDestroy(&xseq), VecDestroy(&x);
}

// The pitfall the wrapper avoids: without it, Richardson + PCSOR runs max_it sweeps whatever the tolerance,
// while PCBANDITSOR (no applyrichardson) stops at the tolerance.
TEST(BanditSORPC, RichardsonFastPathOfPCSORIgnoresTheTolerance)
{
  Sequence seq(8);
  Vec      x;
  ASSERT_EQ(VecDuplicate(seq.b, &x), 0);
  seq.Set(0);
  KSP fast = MakeKsp(Method::RICHARDSON_FORWARD, false, 1.5, "fastpath_sor_", false), bandit = MakeKsp(Method::RICHARDSON_FORWARD, true, 1.5, "fastpath_bandit_");
  EXPECT_EQ(KSPSetTolerances(fast, 1e-8, PETSC_DEFAULT, PETSC_DEFAULT, 1000), 0);
  SolveResult a = Solve(fast, seq.A, seq.b, x), b = Solve(bandit, seq.A, seq.b, x);
  EXPECT_EQ(a.its, 1000);
  EXPECT_GT(b.reason, 0);
  EXPECT_LT(b.its, 200);
  KSPDestroy(&fast);
  KSPDestroy(&bandit);
  VecDestroy(&x);
}


// ---- learners: state save/load, determinism ----


class Learners : public ::testing::TestWithParam<const char *> {};

TEST_P(Learners, SaveAndLoadStateResumesTheSequenceBitForBit)
{
  const int   T = 12;
  const char *learner = GetParam();
  Sequence    seq(10);
  Trace       once, split;
  KSP         a = LearnerKsp(learner, 7);
  RunSeq(a, seq, 0, 2 * T, once);
  KSPDestroy(&a);

  const std::string file = StateFile(learner);
  KSP               b    = LearnerKsp(learner, 7);
  PC                pc;
  RunSeq(b, seq, 0, T, split);
  ASSERT_EQ(KSPGetPC(b, &pc), 0);
  ASSERT_EQ(PCBanditSORSaveState(pc, file.c_str()), 0);
  KSPDestroy(&b);
  KSP c = LearnerKsp(learner, 7);
  ASSERT_EQ(KSPGetPC(c, &pc), 0);
  ASSERT_EQ(PCBanditSORLoadState(pc, file.c_str()), 0);
  RunSeq(c, seq, T, 2 * T, split);
  PetscInt solves, its;
  ASSERT_EQ(PCBanditSORGetTotals(pc, &solves, &its), 0);
  KSPDestroy(&c);

  EXPECT_EQ(once.omega, split.omega);
  EXPECT_EQ(once.its, split.its);
  EXPECT_EQ(solves, 2 * T);
  PetscInt total = 0;
  for (PetscInt v : once.its) total += v;
  EXPECT_EQ(its, total);
  // The learner must actually have explored (otherwise the comparison would be trivial).
  std::vector<double> distinct(once.omega);
  std::sort(distinct.begin(), distinct.end());
  EXPECT_GT(std::unique(distinct.begin(), distinct.end()) - distinct.begin(), 1);
  if (Rank() == 0) std::remove(file.c_str());
}

// The same through the option: -pc_banditsor_state FILE is written by PCDestroy and loaded by the next PC.
TEST_P(Learners, StateOptionResumesTheSequence)
{
  const int   T = 10;
  const char *learner = GetParam();
  Sequence    seq(10);
  Trace       once, split;
  KSP         a = LearnerKsp(learner, 3);
  RunSeq(a, seq, 0, 2 * T, once);
  KSPDestroy(&a);

  const std::string file   = StateFile((std::string("opt_") + learner).c_str());
  const std::string prefix = std::string("stateopt_") + learner + "_";
  if (Rank() == 0) std::remove(file.c_str());
  MPI_Barrier(Comm());
  ASSERT_EQ(PetscOptionsSetValue(NULL, ("-" + prefix + "pc_banditsor_state").c_str(), file.c_str()), 0);
  KSP b = LearnerKsp(learner, 3, prefix);
  RunSeq(b, seq, 0, T, split);
  KSPDestroy(&b); // writes the state
  KSP c = LearnerKsp(learner, 3, prefix); // loads it (same settings: the setters see no change)
  RunSeq(c, seq, T, 2 * T, split);
  KSPDestroy(&c);
  ASSERT_EQ(PetscOptionsClearValue(NULL, ("-" + prefix + "pc_banditsor_state").c_str()), 0);
  EXPECT_EQ(once.omega, split.omega);
  EXPECT_EQ(once.its, split.its);
  if (Rank() == 0) std::remove(file.c_str());
}

// The order petal-heat uses: KSPSetFromOptions (which loads -pc_banditsor_state) and only then
// PCBanditSORSetContextRange with the range the state was made with. Setting the same range again must not
// count as a change of the (already trained) learner's settings.
TEST_P(Learners, SettersAfterLoadingTheStateAcceptTheSameSettings)
{
  const char *learner = GetParam();
  Sequence    seq(8);
  Trace       tr;
  const std::string file   = StateFile((std::string("order_") + learner).c_str());
  const std::string prefix = std::string("stateorder_") + learner + "_";
  KSP               a      = LearnerKsp(learner, 5);
  PC                pc;
  RunSeq(a, seq, 0, 4, tr);
  ASSERT_EQ(KSPGetPC(a, &pc), 0);
  ASSERT_EQ(PCBanditSORSaveState(pc, file.c_str()), 0);
  KSPDestroy(&a);
  KSP b;
  ASSERT_EQ(KSPCreate(Comm(), &b), 0);
  ASSERT_EQ(KSPSetOptionsPrefix(b, prefix.c_str()), 0);
  ASSERT_EQ(KSPSetType(b, KSPCG), 0);
  ASSERT_EQ(KSPGetPC(b, &pc), 0);
  ASSERT_EQ(PCSetType(pc, PCBANDITSOR), 0);
  ASSERT_EQ(PetscOptionsSetValue(NULL, ("-" + prefix + "pc_banditsor_state").c_str(), file.c_str()), 0);
  ASSERT_EQ(KSPSetFromOptions(b), 0);
  ASSERT_EQ(PetscOptionsClearValue(NULL, ("-" + prefix + "pc_banditsor_state").c_str()), 0);
  PetscErrorCode ierr;
  {
    ErrorCapture cap;
    ierr = PCBanditSORSetContextRange(pc, -0.15, 0.65); // the range the state was trained with
  }
  EXPECT_EQ(ierr, 0) << "PCBanditSORSetContextRange with the state's own range fails after loading the state";
  ierr = PCBanditSORSetSeed(pc, 5);
  EXPECT_EQ(ierr, 0);
  std::vector<PetscReal> grid(20);
  for (int i = 0; i < 20; ++i) grid[i] = 1.0 + 0.95 * i / 19; // the default grid the state was trained with
  {
    ErrorCapture cap;
    ierr = PCBanditSORSetOmegaGrid(pc, 20, grid.data());
  }
  EXPECT_EQ(ierr, 0) << "PCBanditSORSetOmegaGrid with the state's own grid fails after loading the state";
  KSPDestroy(&b);
  MPI_Barrier(Comm());
  if (Rank() == 0) std::remove(file.c_str());
}

// Two identical runs agree; every rank makes the same decisions, even when the ranks pass different contexts
// (rank 0's is used), so a run with perturbed contexts on ranks > 0 equals the unperturbed one.
TEST_P(Learners, DeterministicAndIdenticalOnEveryRank)
{
  const char *learner = GetParam();
  Sequence    seq(10);
  Trace       r1, r2, r3;
  KSP         a = LearnerKsp(learner, 11), b = LearnerKsp(learner, 11), c = LearnerKsp(learner, 11);
  RunSeq(a, seq, 0, 16, r1);
  RunSeq(b, seq, 0, 16, r2);
  RunSeq(c, seq, 0, 16, r3, 0.3);
  EXPECT_EQ(r1.omega, r2.omega);
  EXPECT_EQ(r1.its, r2.its);
  EXPECT_EQ(r1.omega, r3.omega);
  std::vector<double> lo(r1.omega), hi(r1.omega);
  MPI_Allreduce(MPI_IN_PLACE, lo.data(), (int)lo.size(), MPI_DOUBLE, MPI_MIN, Comm());
  MPI_Allreduce(MPI_IN_PLACE, hi.data(), (int)hi.size(), MPI_DOUBLE, MPI_MAX, Comm());
  EXPECT_EQ(lo, hi) << "ranks chose different omegas";
  KSPDestroy(&a);
  KSPDestroy(&b);
  KSPDestroy(&c);
}

// The log context transform is exactly "a linear-context learner fed log10(c - a + floor (b - a)) on the
// transformed range": both PCs must make the same decisions.
TEST_P(Learners, LogContextTransformIsALearnerOnTheLogContext)
{
  const char  *learner = GetParam();
  const double a = -0.15, b = 0.65, floor = 1e-2;
  auto         logc = [&](double c) { return std::log10(std::min(std::max(c, a), b) - a + floor * (b - a)); };
  Sequence     seq(10);
  KSP          k1 = LearnerKsp(learner, 13), k2 = LearnerKsp(learner, 13);
  PC           p1, p2;
  ASSERT_EQ(KSPGetPC(k1, &p1), 0);
  ASSERT_EQ(KSPGetPC(k2, &p2), 0);
  ASSERT_EQ(PCBanditSORSetContextTransform(p1, PCBANDITSOR_CONTEXT_LOG, floor), 0);
  ASSERT_EQ(PCBanditSORSetContextRange(p2, logc(a), logc(b)), 0);
  Vec x;
  ASSERT_EQ(VecDuplicate(seq.b, &x), 0);
  std::vector<double> w1, w2;
  for (int t = 0; t < 16; ++t) {
    seq.Set(t);
    ASSERT_EQ(PCBanditSORSetContext(p1, Sequence::Context(t)), 0);
    ASSERT_EQ(PCBanditSORSetContext(p2, logc(Sequence::Context(t))), 0);
    PetscReal o1, o2;
    Solve(k1, seq.A, seq.b, x);
    Solve(k2, seq.A, seq.b, x);
    ASSERT_EQ(PCBanditSORGetOmega(p1, &o1), 0);
    ASSERT_EQ(PCBanditSORGetOmega(p2, &o2), 0);
    w1.push_back(o1);
    w2.push_back(o2);
  }
  EXPECT_EQ(w1, w2);
  VecDestroy(&x);
  KSPDestroy(&k1);
  KSPDestroy(&k2);
}

// The context transform and the Tsallis-INF estimator are part of the state: a PC with default settings that
// loads a state made with other settings (a log context and the importance-weighted estimator; or PCGBandit's
// reduced-variance estimator: constant shift, hard gate 1) continues that sequence bit for bit and reports the
// saved estimator settings.
TEST_P(Learners, StateKeepsContextTransformAndEstimator)
{
  using Options = std::vector<std::pair<std::string, std::string>>;
  const Options cases[] = {{{"pc_banditsor_context_transform", "log"}, {"pc_banditsor_tsallis_estimator", "iw"}},
                           {{"pc_banditsor_tsallis_shift_window", "0"}, {"pc_banditsor_tsallis_shift_gate", "1"}, {"pc_banditsor_tsallis_shift_soft_gate", "false"}}};
  const int   T       = 8;
  const char *learner = GetParam();
  for (std::size_t icase = 0; icase < 2; ++icase) {
    const std::string prefix = "settings" + std::to_string(icase) + "_" + learner + "_";
    for (const auto &o : cases[icase]) ASSERT_EQ(PetscOptionsSetValue(NULL, ("-" + prefix + o.first).c_str(), o.second.c_str()), 0);
    Sequence seq(10);
    Trace    once, split;
    KSP      a = LearnerKsp(learner, 21, prefix);
    RunSeq(a, seq, 0, 2 * T, once);
    KSPDestroy(&a);
    const std::string file = StateFile(("settings" + std::to_string(icase) + "_" + learner).c_str());
    KSP               b    = LearnerKsp(learner, 21, prefix);
    PC                pc;
    PetscBool         rv[2], soft[2];
    PetscReal         shift[2], gate[2];
    PetscInt          window[2];
    RunSeq(b, seq, 0, T, split);
    ASSERT_EQ(KSPGetPC(b, &pc), 0);
    ASSERT_EQ(PCBanditSORGetTsallisEstimator(pc, &rv[0], &shift[0], &window[0], &gate[0], &soft[0]), 0);
    ASSERT_EQ(PCBanditSORSaveState(pc, file.c_str()), 0);
    KSPDestroy(&b);
    for (const auto &o : cases[icase]) ASSERT_EQ(PetscOptionsClearValue(NULL, ("-" + prefix + o.first).c_str()), 0);
    KSP c = LearnerKsp(learner, 21); // defaults: linear context, reduced-variance estimator, window 32, soft gate 1/4
    ASSERT_EQ(KSPGetPC(c, &pc), 0);
    ASSERT_EQ(PCBanditSORLoadState(pc, file.c_str()), 0);
    ASSERT_EQ(PCBanditSORGetTsallisEstimator(pc, &rv[1], &shift[1], &window[1], &gate[1], &soft[1]), 0);
    RunSeq(c, seq, T, 2 * T, split);
    KSPDestroy(&c);
    EXPECT_EQ(once.omega, split.omega) << "case " << icase;
    EXPECT_EQ(once.its, split.its) << "case " << icase;
    EXPECT_EQ(rv[0], rv[1]);
    EXPECT_EQ(shift[0], shift[1]);
    EXPECT_EQ(window[0], window[1]);
    EXPECT_EQ(gate[0], gate[1]);
    EXPECT_EQ(soft[0], soft[1]);
    if (icase == 1) EXPECT_TRUE(window[1] == 0 && gate[1] == 1.0 && soft[1] == PETSC_FALSE);
    MPI_Barrier(Comm());
    if (Rank() == 0) std::remove(file.c_str());
  }
}

INSTANTIATE_TEST_SUITE_P(AllLearners, Learners, ::testing::Values("tsallis", "tsallis_cb", "chebcb"));

// ---- errors ----

// KSPSetFromOptions with -bad_<option> value must fail with a message containing `expect`.
void ExpectOptionError(const char *option, const char *value, const char *expect)
{
  const std::string prefix = "bad_";
  const std::string name   = "-" + prefix + option;
  KSP               ksp;
  PC                pc;
  ASSERT_EQ(KSPCreate(Comm(), &ksp), 0);
  ASSERT_EQ(KSPSetOptionsPrefix(ksp, prefix.c_str()), 0);
  ASSERT_EQ(KSPGetPC(ksp, &pc), 0);
  ASSERT_EQ(PCSetType(pc, PCBANDITSOR), 0);
  ASSERT_EQ(PetscOptionsSetValue(NULL, name.c_str(), value), 0);
  PetscErrorCode ierr;
  std::string    msg;
  {
    ErrorCapture cap;
    ierr = KSPSetFromOptions(ksp);
    msg  = cap.Message();
  }
  EXPECT_NE(ierr, 0) << name << " " << value << " was accepted";
  EXPECT_NE(msg.find(expect), std::string::npos) << "message on rank " << Rank() << ": " << msg;
  ASSERT_EQ(PetscOptionsClearValue(NULL, name.c_str()), 0);
  KSPDestroy(&ksp);
}

TEST(BanditSORPCErrors, OmegaOutsideZeroTwo)
{
  ExpectOptionError("pc_banditsor_omega", "2.0", "outside (0, 2)");
  ExpectOptionError("pc_banditsor_omega", "0", "outside (0, 2)");
}

TEST(BanditSORPCErrors, OmegaGridValuesOutsideZeroTwo)
{
  ExpectOptionError("pc_banditsor_omega_grid", "1.2,2.0", "outside (0, 2)");
  ExpectOptionError("pc_banditsor_omega_grid", "0,1.5", "outside (0, 2)");
  ExpectOptionError("pc_banditsor_omega_grid", "1.2,-0.5", "outside (0, 2)");
  ExpectOptionError("pc_banditsor_omega_max", "2.5", "outside (0, 2)");
}

TEST(BanditSORPCErrors, EmptyOmegaGrid) { ExpectOptionError("pc_banditsor_omega_n", "0", "at least one value"); }

// One set of grid rules: a grid that would exhaust memory and time, or an empty range, is refused before it
// is built, naming the options.
TEST(BanditSORPCErrors, HugeOrReversedOmegaGrid)
{
  ExpectOptionError("pc_banditsor_omega_n", "1000000000", "-pc_banditsor_omega_min/_max/_n: the omega grid has 1000000000 values, at most 1000 are allowed");
  ExpectOptionError("pc_banditsor_omega_min", "1.96", "omega_min = 1.96 must be below omega_max = 1.95");
  KSP ksp = LearnerKsp("tsallis", 0);
  PC  pc;
  ASSERT_EQ(KSPGetPC(ksp, &pc), 0);
  std::vector<PetscReal> big(1001, 1.5);
  PETAL_EXPECT_ERROR(PCBanditSORSetOmegaGrid(pc, 1001, big.data()), "PCBanditSORSetOmegaGrid: the omega grid has 1001 values");
  KSPDestroy(&ksp);
}

TEST(BanditSORPCErrors, ContextTransformAndEstimatorParameters)
{
  ExpectOptionError("pc_banditsor_context_log_floor", "0", "log context floor must be positive");
  ExpectOptionError("pc_banditsor_tsallis_shift", "-1", "shift must be finite and >= 0");
  ExpectOptionError("pc_banditsor_tsallis_shift_window", "-1", "shift window must be >= 0");
  ExpectOptionError("pc_banditsor_tsallis_shift_gate", "0", "shift gate must be finite and > 0");
}

void WriteText(const std::string &file)
{
  if (Rank() == 0) {
    FILE *f = std::fopen(file.c_str(), "w");
    std::fputs("this is not a learner state\n", f);
    std::fclose(f);
  }
  MPI_Barrier(Comm());
}

void WriteEmptyHDF5(const std::string &file)
{
  if (Rank() == 0) {
    hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "learner", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(g);
    H5Fclose(f);
  }
  MPI_Barrier(Comm());
}

void ExpectLoadError(const std::string &file, const char *expect)
{
  KSP            ksp = LearnerKsp("tsallis", 0);
  PC             pc;
  PetscErrorCode ierr;
  std::string    msg;
  ASSERT_EQ(KSPGetPC(ksp, &pc), 0);
  {
    ErrorCapture cap;
    ierr = PCBanditSORLoadState(pc, file.c_str());
    msg  = cap.Message();
  }
  EXPECT_NE(ierr, 0) << file << " was accepted as a state";
  // Rank 0 reads the file and broadcasts its verdict: every rank raises the same message.
  EXPECT_NE(msg.find(expect), std::string::npos) << "message on rank " << Rank() << ": " << msg;
  KSPDestroy(&ksp);
}

TEST(BanditSORPCErrors, UnreadableOrCorruptStateFile)
{
  const std::string text = StateFile("text"), empty = StateFile("empty");
  WriteText(text);
  WriteEmptyHDF5(empty);
  ExpectLoadError(text, "not an HDF5 file");
  ExpectLoadError(empty, "not a petal bandit-SOR state");
  ExpectLoadError(StateFile("does_not_exist"), "Cannot open file");
  // Through the option, the existing corrupt file is rejected when the options are read.
  ExpectOptionError("pc_banditsor_state", text.c_str(), "not an HDF5 file");
  ExpectOptionError("pc_banditsor_state", empty.c_str(), "not a petal bandit-SOR state");
  if (Rank() == 0) std::remove(text.c_str()), std::remove(empty.c_str());
}

// A state written by an older petal (format version 2, before the estimator's shift window and gate) is
// rejected by name, not misread.
TEST(BanditSORPCErrors, OlderStateFormatVersion)
{
  const std::string file = StateFile("version2");
  Sequence          seq(4);
  Trace             trace;
  KSP               ksp = LearnerKsp("tsallis", 3);
  PC                pc;
  RunSeq(ksp, seq, 0, 3, trace);
  ASSERT_EQ(KSPGetPC(ksp, &pc), 0);
  ASSERT_EQ(PCBanditSORSaveState(pc, file.c_str()), 0);
  KSPDestroy(&ksp);
  if (Rank() == 0) {
    const std::int64_t older = 2;
    hid_t              f     = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t              d     = H5Dopen2(f, "petal_format_version", H5P_DEFAULT);
    EXPECT_GE(H5Dwrite(d, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, &older), 0);
    H5Dclose(d);
    H5Fclose(f);
  }
  MPI_Barrier(Comm());
  ExpectLoadError(file, "unsupported petal_format_version (this petal reads version 3");
  if (Rank() == 0) std::remove(file.c_str());
}

// -ksp_view reports the learner's time, and the log event exists.
TEST(BanditSORPC, ViewReportsLearnerTimeAndTheEventIsRegistered)
{
  Sequence    seq(6);
  Trace       tr;
  KSP         ksp = LearnerKsp("chebcb", 1);
  PetscViewer       v;
  const std::string file = StateFile("view") + ".txt";
  RunSeq(ksp, seq, 0, 3, tr);
  ASSERT_EQ(PetscViewerASCIIOpen(Comm(), file.c_str(), &v), 0);
  ASSERT_EQ(KSPView(ksp, v), 0);
  ASSERT_EQ(PetscViewerDestroy(&v), 0);
  std::string text;
  if (FILE *f = std::fopen(file.c_str(), "r")) {
    char line[512];
    while (std::fgets(line, sizeof line, f)) text += line;
    std::fclose(f);
  }
  EXPECT_NE(text.find("learner time"), std::string::npos) << text;
  EXPECT_NE(text.find("solves 3"), std::string::npos) << text;
  MPI_Barrier(Comm());
  if (Rank() == 0) std::remove(file.c_str());
  PetscLogEvent ev = -1;
  ASSERT_EQ(PetscLogEventGetId("PetalBanditLearn", &ev), 0);
  EXPECT_GE(ev, 0);
  KSPDestroy(&ksp);
}
} // namespace
