// PetalOT end to end (run on 1 and 2 ranks): exact optima (Hungarian algorithm, 1-D monotone coupling),
// the entropic bound OT <= <C,P_eta> <= OT + 2 log n / eta, marginals to tolerance checked on the
// returned plan, equal results on 1 and 2 ranks, SNS = Sinkhorn, dense cost = points, zero weights,
// epsilon scaling, extreme eta, the HDF5 output.
#include "ot_test_util.hpp"
#include <hdf5.h>
#include <algorithm>
#include <functional>
// GlobalTopKIsExact drives the top-k selection directly (internal API).
#include "solvers/ot/ot_impl.hpp"
#include <cstdio>

using namespace ottest;

namespace {
MPI_Comm World() { return PETSC_COMM_WORLD; }

std::vector<std::vector<double>> CostMatrix(const HostProblem &p, PetalOTCostType type)
{
  std::vector<std::vector<double>> C(p.n, std::vector<double>(p.m));
  for (int i = 0; i < p.n; ++i)
    for (int j = 0; j < p.m; ++j) C[i][j] = Cost(p, i, j, type);
  return C;
}

// Row and column sums of the returned plan (all entries: threshold 0), on every rank.
void PlanMarginals(PetalOT ot, std::vector<double> *rows, std::vector<double> *cols)
{
  Mat P;
  Vec ones, rs, cs;
  PETAL_ASSERT_OK(PetalOTGetPlan(ot, 0.0, &P, NULL));
  PETAL_ASSERT_OK(MatCreateVecs(P, &ones, &rs));
  PETAL_ASSERT_OK(VecDuplicate(ones, &cs));
  PETAL_ASSERT_OK(VecSet(ones, 1.0));
  PETAL_ASSERT_OK(MatMult(P, ones, rs));
  Vec onesRow;
  PETAL_ASSERT_OK(VecDuplicate(rs, &onesRow));
  PETAL_ASSERT_OK(VecSet(onesRow, 1.0));
  PETAL_ASSERT_OK(MatMultTranspose(P, onesRow, cs));
  PETAL_ASSERT_OK(GatherAll(rs, rows));
  PETAL_ASSERT_OK(GatherAll(cs, cols));
  VecDestroy(&ones);
  VecDestroy(&onesRow);
  VecDestroy(&rs);
  VecDestroy(&cs);
  MatDestroy(&P);
}

void SetAdaptiveSwitch(PetalOT ot) // leave the warm-up once a Newton step takes a unit step
{
  PetscOptionsSetValue(NULL, "-ot_sns_adaptive_switch", "1");
  PetscOptionsSetValue(NULL, "-ot_sns_warmup", "3");
  PetalOTSetFromOptions(ot);
  PetscOptionsClearValue(NULL, "-ot_sns_adaptive_switch");
  PetscOptionsClearValue(NULL, "-ot_sns_warmup");
}
void SetLogVariant(PetalOT ot) { PetalOTSetSinkhornVariant(ot, PETAL_OT_SINKHORN_LOG); }
void SetFusedVariant(PetalOT ot) { PetalOTSetSinkhornVariant(ot, PETAL_OT_SINKHORN_FUSED); }
void SetStoredDouble(PetalOT ot)
{
  PetalOTSetSinkhornVariant(ot, PETAL_OT_SINKHORN_STORED);
  PetalOTSetSinkhornStoredFloat(ot, PETSC_FALSE);
}
void SetStoredFloat(PetalOT ot) { PetalOTSetSinkhornVariant(ot, PETAL_OT_SINKHORN_STORED); }
// auto with a budget (MiB) that the float copy of the 45 x 35 plan (6.2 KB) fits and the double one (12.3 KB)
// does not: the float phase hands over to the log-domain iterations.
void SetAutoFloatOnly(PetalOT ot) { PetalOTSetSinkhornStoredMemory(ot, 0.009); }
void SetEpsScaling(PetalOT ot) { PetalOTSetEpsilonScaling(ot, PETSC_TRUE, 5.0, 4.0); }
// Twelve iterations only, stopping far from convergence: the potentials of the unfinished sequence.
void Stop12Fused(PetalOT ot)
{
  SetFusedVariant(ot);
  PetalOTSetTolerances(ot, 0.0, 12);
}
void Stop12StoredDouble(PetalOT ot)
{
  SetStoredDouble(ot);
  PetalOTSetTolerances(ot, 0.0, 12);
}
void Stop12StoredFloat(PetalOT ot)
{
  SetStoredFloat(ot);
  PetalOTSetTolerances(ot, 0.0, 12);
}
void SetNullspaceGauge(PetalOT ot) // through the options database, as a user would
{
  PetscOptionsSetValue(NULL, "-ot_newton_gauge", "nullspace");
  PetalOTSetFromOptions(ot);
  PetscOptionsClearValue(NULL, "-ot_newton_gauge");
}
} // namespace

TEST(OTSolve, AssignmentMatchesHungarianWithinEntropicBound)
{
  // Sinkhorn at a moderate eta (at large eta and tiny n it converges only sublinearly), SNS at a larger one.
  for (PetalOTMethod method : {PETAL_OT_SINKHORN, PETAL_OT_SNS})
    for (int n : {7, 40}) {
      SCOPED_TRACE(std::string(PetalOTMethods[method]) + " n " + std::to_string(n));
      HostProblem      p = RandomPoints(n, n, 2, 100 + n);
      std::vector<int> perm;
      const double     ot  = Hungarian(CostMatrix(p, PETAL_OT_COST_SQEUCLIDEAN), &perm) / n;
      const double     eta = method == PETAL_OT_SINKHORN ? 40.0 : 400.0;
      Solution         s;
      PETAL_ASSERT_OK(Solve(World(), p, method, eta, 1e-10, &s));
      EXPECT_EQ(s.res.reason, PETAL_OT_CONVERGED_TOL);
      EXPECT_GE(s.res.transport_cost, ot - 1e-12);
      EXPECT_LE(s.res.transport_cost, ot + 2 * std::log(double(n)) / eta);
    }
}

TEST(OTSolve, LargeEtaRecoversTheOptimalPermutation)
{
  const int        n = 12;
  HostProblem      p = RandomPoints(n, n, 2, 77);
  std::vector<int> perm;
  const double     ot = Hungarian(CostMatrix(p, PETAL_OT_COST_EUCLIDEAN), &perm) / n;
  Solution         s;
  PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SNS, 5e3, 1e-11, &s, PETAL_OT_COST_EUCLIDEAN));
  EXPECT_EQ(s.res.reason, PETAL_OT_CONVERGED_TOL);
  EXPECT_NEAR(s.res.transport_cost, ot, 2 * std::log(double(n)) / 5e3);
  // the plan's largest entry in each row sits on the optimal permutation
  PetalOT      solver;
  PetscProblem q;
  Mat          P;
  PETAL_ASSERT_OK(ToPetsc(World(), p, &q));
  PETAL_ASSERT_OK(PetalOTCreate(World(), &solver));
  PETAL_ASSERT_OK(PetalOTSetProblemPoints(solver, q.r, q.c, 2, q.X, q.Y));
  PETAL_ASSERT_OK(PetalOTSetCost(solver, PETAL_OT_COST_EUCLIDEAN, 2));
  PETAL_ASSERT_OK(PetalOTSetEta(solver, 5e3));
  PETAL_ASSERT_OK(PetalOTSetMethod(solver, PETAL_OT_SNS));
  PETAL_ASSERT_OK(PetalOTSolve(solver));
  PETAL_ASSERT_OK(PetalOTGetPlan(solver, 0.0, &P, NULL));
  PetscInt rstart, rend;
  PETAL_ASSERT_OK(MatGetOwnershipRange(P, &rstart, &rend));
  for (PetscInt i = rstart; i < rend; ++i) {
    PetscInt           nc;
    const PetscInt    *cols;
    const PetscScalar *vals;
    PETAL_ASSERT_OK(MatGetRow(P, i, &nc, &cols, &vals));
    PetscInt best = -1;
    double   bv   = -1;
    for (PetscInt k = 0; k < nc; ++k)
      if (vals[k] > bv) bv = vals[k], best = cols[k];
    EXPECT_EQ(best, perm[i]) << "row " << i;
    EXPECT_GT(bv, 0.99 / n);
    PETAL_ASSERT_OK(MatRestoreRow(P, i, &nc, &cols, &vals));
  }
  MatDestroy(&P);
  PetalOTDestroy(&solver);
}

TEST(OTSolve, OneDimensionalClosedFormWithinBound)
{
  // 1-D, non-uniform weights: the exact optimum is the monotone coupling of the sorted points.
  const int   n = 60, m = 45;
  HostProblem p = RandomPoints(n, m, 1, 5, false);
  auto        sq = [](double t) { return t * t; };
  const double ot = MonotoneOT1D(p.X, p.r, p.Y, p.c, +sq);
  for (double eta : {50.0, 2000.0}) {
    Solution s;
    PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SINKHORN, eta, 1e-10, &s));
    EXPECT_EQ(s.res.reason, PETAL_OT_CONVERGED_TOL);
    EXPECT_GE(s.res.transport_cost, ot - 1e-12);
    EXPECT_LE(s.res.transport_cost, ot + 2 * std::log(double(std::max(n, m))) / eta);
    // strong duality: the regularised primal objective = the dual one at the optimum
    EXPECT_NEAR(s.res.regularized_objective, s.res.dual_objective, 1e-8);
  }
}

TEST(OTSolve, MarginalsOfThePlanMeetTheTolerance)
{
  HostProblem p = RandomPoints(50, 70, 2, 9, false);
  for (PetalOTMethod method : {PETAL_OT_SINKHORN, PETAL_OT_SNS}) {
    PetalOT      ot;
    PetscProblem q;
    PETAL_ASSERT_OK(ToPetsc(World(), p, &q));
    PETAL_ASSERT_OK(PetalOTCreate(World(), &ot));
    PETAL_ASSERT_OK(PetalOTSetProblemPoints(ot, q.r, q.c, 2, q.X, q.Y));
    PETAL_ASSERT_OK(PetalOTSetEta(ot, 300));
    PETAL_ASSERT_OK(PetalOTSetMethod(ot, method));
    PETAL_ASSERT_OK(PetalOTSetTolerances(ot, 1e-9, PETSC_DEFAULT));
    PETAL_ASSERT_OK(PetalOTSolve(ot));
    PetalOTResult res;
    PETAL_ASSERT_OK(PetalOTGetResult(ot, &res));
    EXPECT_EQ(res.reason, PETAL_OT_CONVERGED_TOL);
    EXPECT_LE(res.row_error, 1e-9);
    EXPECT_LE(res.col_error, 1e-9);
    std::vector<double> rows, cols;
    PlanMarginals(ot, &rows, &cols);
    double er = 0, ec = 0;
    for (int i = 0; i < p.n; ++i) er += std::fabs(rows[i] - p.r[i]);
    for (int j = 0; j < p.m; ++j) ec += std::fabs(cols[j] - p.c[j]);
    EXPECT_LE(er, 1.5e-9);
    EXPECT_LE(ec, 1.5e-9);
    PetalOTDestroy(&ot);
  }
}

TEST(OTSolve, SameResultOnOneRankAndOnAll)
{
  // The world communicator (1 or 2 ranks) against PETSC_COMM_SELF on every rank.
  HostProblem p = RandomPoints(64, 48, 3, 31, false);
  for (PetalOTMethod method : {PETAL_OT_SINKHORN, PETAL_OT_SNS}) {
    Solution a, b;
    PETAL_ASSERT_OK(Solve(World(), p, method, 500, 1e-11, &a));
    PETAL_ASSERT_OK(Solve(PETSC_COMM_SELF, p, method, 500, 1e-11, &b));
    // Rounding differs with the row split; with the stored plan the float-to-double handover (at an L1 error
    // of 1e-6) may then come one iteration apart, so the two runs agree to the tolerance (1e-11), not to
    // the last bits.
    EXPECT_NEAR(a.res.transport_cost, b.res.transport_cost, 5e-12);
    EXPECT_LT(PotentialDiff(a, b), 1e-10);
    if (method == PETAL_OT_SINKHORN) EXPECT_NEAR(a.res.sinkhorn_iterations, b.res.sinkhorn_iterations, 1); // rounding at the stopping test
  }
}

TEST(OTSolve, SNSAgreesWithSinkhorn)
{
  HostProblem p = RandomPoints(80, 80, 2, 13);
  for (PetalOTCostType type : {PETAL_OT_COST_SQEUCLIDEAN, PETAL_OT_COST_EUCLIDEAN}) {
    Solution     a, b, c, d;
    const double eta = type == PETAL_OT_COST_EUCLIDEAN ? 50 : 200; // Sinkhorn slows down quickly with eta
    PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SINKHORN, eta, 1e-11, &a, type));
    PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SNS, eta, 1e-11, &b, type));
    PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SNS, eta, 1e-11, &c, type, false, SetNullspaceGauge));
    PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SNS, eta, 1e-11, &d, type, false, SetAdaptiveSwitch));
    EXPECT_EQ(d.res.reason, PETAL_OT_CONVERGED_TOL);
    EXPECT_GT(d.res.newton_iterations, 0);
    EXPECT_NEAR(a.res.transport_cost, d.res.transport_cost, 1e-10);
    EXPECT_LT(PotentialDiff(a, d), 1e-6);
    EXPECT_EQ(b.res.reason, PETAL_OT_CONVERGED_TOL);
    EXPECT_EQ(c.res.reason, PETAL_OT_CONVERGED_TOL);
    EXPECT_GT(b.res.newton_iterations, 0);
    EXPECT_NEAR(a.res.transport_cost, b.res.transport_cost, 1e-10);
    EXPECT_NEAR(a.res.transport_cost, c.res.transport_cost, 1e-10);
    EXPECT_LT(PotentialDiff(a, b), 1e-6); // potentials are less well conditioned than the marginals
    EXPECT_LT(PotentialDiff(a, c), 1e-6);
  }
}

TEST(OTSolve, VariantsAndInputsAgree)
{
  // dense cost = points; log-domain variant = fused = stored plan (double, float then double) = auto (the
  // default); epsilon scaling = plain.
  HostProblem p = RandomPoints(45, 35, 2, 21, false);
  Solution    base, dense, logv, eps, autov, storedD, storedF, floatOnly;
  PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SINKHORN, 800, 1e-11, &base, PETAL_OT_COST_SQEUCLIDEAN, false, SetFusedVariant));
  PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SINKHORN, 800, 1e-11, &autov));
  PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SINKHORN, 800, 1e-11, &storedD, PETAL_OT_COST_SQEUCLIDEAN, false, SetStoredDouble));
  PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SINKHORN, 800, 1e-11, &storedF, PETAL_OT_COST_SQEUCLIDEAN, false, SetStoredFloat));
  PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SINKHORN, 800, 1e-11, &floatOnly, PETAL_OT_COST_SQEUCLIDEAN, false, SetAutoFloatOnly));
  PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SINKHORN, 800, 1e-11, &dense, PETAL_OT_COST_SQEUCLIDEAN, true));
  PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SINKHORN, 800, 1e-11, &logv, PETAL_OT_COST_SQEUCLIDEAN, false, SetLogVariant));
  PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SINKHORN, 800, 1e-11, &eps, PETAL_OT_COST_SQEUCLIDEAN, false, SetEpsScaling));
  for (const Solution *s : {&dense, &logv, &eps, &autov, &storedD, &storedF, &floatOnly}) {
    EXPECT_EQ(s->res.reason, PETAL_OT_CONVERGED_TOL);
    EXPECT_LE(s->res.row_error, 1e-11);
    EXPECT_LE(s->res.col_error, 1e-11);
    EXPECT_NEAR(s->res.transport_cost, base.res.transport_cost, 1e-11);
    EXPECT_LT(PotentialDiff(*s, base), 1e-9);
  }
  // The same iteration, rounded differently (the float copy's fixed point is ~1e-7 off, so its handover
  // may cost a few more iterations).
  EXPECT_NEAR(logv.res.sinkhorn_iterations, base.res.sinkhorn_iterations, 1);
  EXPECT_NEAR(storedD.res.sinkhorn_iterations, base.res.sinkhorn_iterations, 1);
  EXPECT_NEAR(storedF.res.sinkhorn_iterations, base.res.sinkhorn_iterations, 0.05 * base.res.sinkhorn_iterations + 2);
  EXPECT_NEAR(floatOnly.res.sinkhorn_iterations, base.res.sinkhorn_iterations, 0.05 * base.res.sinkhorn_iterations + 2);
  // what each ran on (the float-only budget is per rank: on more ranks the double copy fits too)
  int size;
  MPI_Comm_size(World(), &size);
  EXPECT_EQ(base.res.sinkhorn_plan, PETAL_OT_PLAN_ON_THE_FLY);
  EXPECT_EQ(logv.res.sinkhorn_plan, PETAL_OT_PLAN_ON_THE_FLY);
  EXPECT_EQ(storedD.res.sinkhorn_plan, PETAL_OT_PLAN_DOUBLE);
  EXPECT_EQ(storedF.res.sinkhorn_plan, PETAL_OT_PLAN_FLOAT_DOUBLE);
  EXPECT_EQ(autov.res.sinkhorn_plan, PETAL_OT_PLAN_FLOAT_DOUBLE);
  EXPECT_EQ(floatOnly.res.sinkhorn_plan, size == 1 ? PETAL_OT_PLAN_FLOAT_LOG : PETAL_OT_PLAN_FLOAT_DOUBLE);
}

// The stored plan runs the same Sinkhorn sequence: stopped after 12 iterations (nowhere near converged, at
// a large eta where the scalings are absorbed along the way), its potentials and plan are those of the
// fused variant, to rounding in double and to float rounding with the float copy.
TEST(OTSolve, StoredPlanRunsTheSameSequence)
{
  HostProblem p = RandomPoints(60, 50, 2, 41, false);
  for (double eta : {50.0, 3000.0}) {
    Solution fused, dbl, flt;
    PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SINKHORN, eta, 0.0, &fused, PETAL_OT_COST_SQEUCLIDEAN, false, Stop12Fused));
    PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SINKHORN, eta, 0.0, &dbl, PETAL_OT_COST_SQEUCLIDEAN, false, Stop12StoredDouble));
    PETAL_ASSERT_OK(Solve(World(), p, PETAL_OT_SINKHORN, eta, 0.0, &flt, PETAL_OT_COST_SQEUCLIDEAN, false, Stop12StoredFloat));
    EXPECT_EQ(fused.res.sinkhorn_iterations, 12);
    EXPECT_EQ(dbl.res.sinkhorn_iterations, 12);
    EXPECT_EQ(flt.res.sinkhorn_iterations, 12);
    EXPECT_GT(fused.res.row_error, 1e-6) << "the comparison should be of an unfinished sequence";
    EXPECT_LT(PotentialDiff(dbl, fused), 1e-10 * (1 + 1 / eta * 1e3)) << "eta " << eta;
    EXPECT_NEAR(dbl.res.row_error, fused.res.row_error, 1e-10);
    EXPECT_NEAR(dbl.res.transport_cost, fused.res.transport_cost, 1e-12);
    EXPECT_NEAR(flt.res.row_error, fused.res.row_error, 1e-6) << "eta " << eta;
    EXPECT_LT(flt.res.col_error, 1e-12) << "eta " << eta << ": a cap on the float copy must still end with exact columns";
    EXPECT_LT(dbl.res.col_error, 1e-12) << "eta " << eta;
    EXPECT_NEAR(flt.res.transport_cost, fused.res.transport_cost, 1e-7 * fused.res.transport_cost) << "eta " << eta;
  }
}

TEST(OTSolve, ZeroWeightsGiveEmptyRowsAndFinitePotentials)
{
  HostProblem p = RandomPoints(30, 25, 2, 41, false);
  p.r[3] = p.r[17] = 0;
  p.c[0] = p.c[24] = 0;
  double sr = 0, sc = 0;
  for (double v : p.r) sr += v;
  for (double v : p.c) sc += v;
  for (double &v : p.r) v /= sr;
  for (double &v : p.c) v /= sc;
  PetalOT      ot;
  PetscProblem q;
  PETAL_ASSERT_OK(ToPetsc(World(), p, &q));
  PETAL_ASSERT_OK(PetalOTCreate(World(), &ot));
  PETAL_ASSERT_OK(PetalOTSetProblemPoints(ot, q.r, q.c, 2, q.X, q.Y));
  PETAL_ASSERT_OK(PetalOTSetEta(ot, 300));
  PETAL_ASSERT_OK(PetalOTSetMethod(ot, PETAL_OT_SNS));
  PETAL_ASSERT_OK(PetalOTSolve(ot));
  PetalOTResult res;
  PETAL_ASSERT_OK(PetalOTGetResult(ot, &res));
  EXPECT_EQ(res.reason, PETAL_OT_CONVERGED_TOL);
  std::vector<double> rows, cols, x, y;
  PlanMarginals(ot, &rows, &cols);
  EXPECT_EQ(rows[3], 0.0);
  EXPECT_EQ(rows[17], 0.0);
  EXPECT_EQ(cols[0], 0.0);
  EXPECT_EQ(cols[24], 0.0);
  Vec xv, yv;
  PETAL_ASSERT_OK(PetalOTGetPotentials(ot, &xv, &yv));
  PETAL_ASSERT_OK(GatherAll(xv, &x));
  PETAL_ASSERT_OK(GatherAll(yv, &y));
  for (double v : x) EXPECT_TRUE(std::isfinite(v));
  for (double v : y) EXPECT_TRUE(std::isfinite(v));
  // x_3 is the smoothed c-transform: -(1/eta) log sum_j exp(eta (y_j - C_3j)) over the kept columns
  double mx = -1e300;
  std::vector<double> t;
  for (int j = 1; j < 24; ++j) t.push_back(300 * (y[j] - Cost(p, 3, j, PETAL_OT_COST_SQEUCLIDEAN)));
  for (double v : t) mx = std::max(mx, v);
  double s = 0;
  for (double v : t) s += std::exp(v - mx);
  EXPECT_NEAR(x[3], -(mx + std::log(s)) / 300, 1e-12);
  PetalOTDestroy(&ot);
}

TEST(OTSolve, ExtremeEtaGivesNoNaN)
{
  // Costs normalised to [0, 1]: at eta = 1e4 and 1e7 almost every exp(-eta C) underflows. No method may
  // produce NaN or infinities; SNS with epsilon scaling converges and lands within the entropic bound
  // of the exact optimum.
  const int        n = 40;
  HostProblem      p = RandomPoints(n, n, 2, 3);
  std::vector<int> perm;
  auto             C = CostMatrix(p, PETAL_OT_COST_SQEUCLIDEAN);
  double           cmax = 0;
  for (auto &row : C)
    for (double v : row) cmax = std::max(cmax, v);
  const double opt = Hungarian(C, &perm) / n / cmax;
  for (double eta : {1e4, 1e7}) {
    for (int variant = 0; variant < 4; ++variant) { /* Sinkhorn (stored plan), SNS, SNS + epsilon scaling, Sinkhorn on the fly */
      SCOPED_TRACE("variant " + std::to_string(variant) + " eta " + std::to_string(eta));
      PetalOT      ot;
      PetscProblem q;
      PETAL_ASSERT_OK(ToPetsc(World(), p, &q));
      PETAL_ASSERT_OK(PetalOTCreate(World(), &ot));
      PETAL_ASSERT_OK(PetalOTSetProblemPoints(ot, q.r, q.c, 2, q.X, q.Y));
      PETAL_ASSERT_OK(PetalOTSetCostNormalize(ot, PETSC_TRUE));
      PETAL_ASSERT_OK(PetalOTSetEta(ot, eta));
      PETAL_ASSERT_OK(PetalOTSetMethod(ot, variant == 0 || variant == 3 ? PETAL_OT_SINKHORN : PETAL_OT_SNS));
      if (variant == 3) PETAL_ASSERT_OK(PetalOTSetSinkhornVariant(ot, PETAL_OT_SINKHORN_FUSED));
      PETAL_ASSERT_OK(PetalOTSetTolerances(ot, 1e-9, 3000));
      PETAL_ASSERT_OK(PetalOTSNSSetMaxNewton(ot, 60));
      if (variant == 2) PETAL_ASSERT_OK(PetalOTSetEpsilonScaling(ot, PETSC_TRUE, 100, 4));
      PETAL_ASSERT_OK(PetalOTSolve(ot));
      PetalOTResult res;
      PETAL_ASSERT_OK(PetalOTGetResult(ot, &res));
      EXPECT_NE(res.reason, PETAL_OT_DIVERGED_NAN);
      EXPECT_TRUE(std::isfinite(res.transport_cost) && std::isfinite(res.row_error) && std::isfinite(res.col_error) && std::isfinite(res.dual_objective));
      EXPECT_LE(res.row_error + res.col_error, 2.0); // a sane plan, converged or not
      std::vector<double> x, y;
      Vec                 xv, yv;
      PETAL_ASSERT_OK(PetalOTGetPotentials(ot, &xv, &yv));
      PETAL_ASSERT_OK(GatherAll(xv, &x));
      PETAL_ASSERT_OK(GatherAll(yv, &y));
      for (double v : x) EXPECT_TRUE(std::isfinite(v));
      for (double v : y) EXPECT_TRUE(std::isfinite(v));
      if (variant == 2) {
        EXPECT_EQ(res.reason, PETAL_OT_CONVERGED_TOL);
        EXPECT_GE(res.transport_cost, opt - 1e-12);
        EXPECT_LE(res.transport_cost, opt + 2 * std::log(double(n)) / eta);
      }
      PetalOTDestroy(&ot);
    }
  }
}

TEST(OTSolve, HDF5OutputHoldsPlanAndPotentials)
{
  HostProblem  p = RandomPoints(30, 20, 2, 6, false);
  PetalOT      ot;
  PetscProblem q;
  PETAL_ASSERT_OK(ToPetsc(World(), p, &q));
  PETAL_ASSERT_OK(PetalOTCreate(World(), &ot));
  PETAL_ASSERT_OK(PetalOTSetProblemPoints(ot, q.r, q.c, 2, q.X, q.Y));
  PETAL_ASSERT_OK(PetalOTSetEta(ot, 100));
  PETAL_ASSERT_OK(PetalOTSolve(ot));
  const char *file = "ot_test_output.h5";
  PETAL_ASSERT_OK(PetalOTSaveHDF5(ot, file, 1e-6));
  PetalOTResult res;
  PETAL_ASSERT_OK(PetalOTGetResult(ot, &res));
  PetscMPIInt rank;
  MPI_Comm_rank(World(), &rank);
  if (rank == 0) {
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    auto readAll = [&](const char *path) {
      hid_t               d = H5Dopen2(f, path, H5P_DEFAULT), s = H5Dget_space(d);
      hssize_t            n = H5Sget_simple_extent_npoints(s);
      std::vector<double> v(n);
      H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
      H5Sclose(s);
      H5Dclose(d);
      return v;
    };
    auto   val = readAll("/plan/value"), row = readAll("/plan/row"), x = readAll("/potentials/x"), y = readAll("/potentials/y");
    double total = 0, dropped = 0, eta = 0;
    for (double v : val) total += v;
    hid_t g = H5Gopen2(f, "/plan", H5P_DEFAULT), a = H5Aopen(g, "dropped_mass", H5P_DEFAULT);
    H5Aread(a, H5T_NATIVE_DOUBLE, &dropped);
    H5Aclose(a);
    H5Gclose(g);
    a = H5Aopen(f, "eta", H5P_DEFAULT);
    H5Aread(a, H5T_NATIVE_DOUBLE, &eta);
    H5Aclose(a);
    EXPECT_EQ(x.size(), 30u);
    EXPECT_EQ(y.size(), 20u);
    EXPECT_EQ(row.size(), val.size());
    EXPECT_GT(val.size(), 20u);
    EXPECT_NEAR(total + dropped, res.mass, 1e-12);
    EXPECT_EQ(eta, 100.0);
    H5Fclose(f);
    std::remove(file);
  }
  PetalOTDestroy(&ot);
}

// The global top-k threshold (SNS's sparsification) is exact: rho is the k-th largest plan entry over all
// ranks and every rank keeps exactly its entries >= rho. Checked against sorting all entries (collected with
// threshold 0 through the same kernel, so the values are bitwise the same), from the histogram path (no
// hint), from a good hint and from a hint too high (fallback), and with enough candidates (n = m = 400,
// 160,000 entries) that the radix selection needs several rounds before the final gather.
TEST(OTSolve, GlobalTopKIsExact)
{
  for (int n : {37, 400}) {
    HostProblem  p = RandomPoints(n, n, 2, 77 + n, false);
    PetscProblem q;
    PetalOT      ot;
    PETAL_ASSERT_OK(ToPetsc(World(), p, &q));
    PETAL_ASSERT_OK(PetalOTCreate(World(), &ot));
    PETAL_ASSERT_OK(PetalOTSetProblemPoints(ot, q.r, q.c, 2, q.X, q.Y));
    PETAL_ASSERT_OK(PetalOTSetEta(ot, 300));
    PETAL_ASSERT_OK(petal::ot::SetUpProblem(ot));
    petal::ot::Workspace &ws = *ot->ws;
    ws.eta                   = 300;
    { // potentials that make the plan entries spread over many binades
      Rng  g(5);
      auto hx = Kokkos::create_mirror_view(ws.x);
      auto hy = Kokkos::create_mirror_view(ws.y);
      for (size_t i = 0; i < hx.extent(0); ++i) hx(i) = 0.01 * g.Uniform();
      for (size_t j = 0; j < hy.extent(0); ++j) hy(j) = 0.01 * g.Uniform();
      Kokkos::deep_copy(ws.x, hx);
      Kokkos::deep_copy(ws.y, hy);
    }
    petal::ot::Affine(ws.scratch, ws.ex, ws.eta, ws.x, -1.0);
    petal::ot::Affine(ws.scratch, ws.ey, ws.eta, ws.y, 0.0);
    petal::ot::Vec1    zero("zero", ws.nLoc);
    petal::ot::Entries all;
    petal::ot::PlanCollect(ws.cost, ws.eta, ws.ex, ws.ey, zero, ws.scratch, 0, &all);
    long long local = (long long)all.v.size(), total = 0;
    MPI_Allreduce(&local, &total, 1, MPI_LONG_LONG, MPI_SUM, World());
    int size;
    MPI_Comm_size(World(), &size);
    std::vector<int> counts(size), displs(size);
    int              mine = (int)local;
    MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, World());
    for (int r = 1; r < size; ++r) displs[r] = displs[r - 1] + counts[r - 1];
    std::vector<double> values(total);
    MPI_Allgatherv(all.v.data(), mine, MPI_DOUBLE, values.data(), counts.data(), displs.data(), MPI_DOUBLE, World());
    std::sort(values.begin(), values.end(), std::greater<double>());
    ASSERT_EQ(total, (long long)n * n);
    for (long long k : {1LL, 7LL, (long long)n * n / 10, (long long)n * n * 5 / 8, (long long)n * n - 3}) {
      const double exact = values[k - 1];
      for (double hint : {0.0, 0.5 * exact, 4.0 * exact}) {
        petal::ot::Entries kept;
        double             rho = -1;
        PETAL_ASSERT_OK(petal::ot::SelectTopK(ot, k, hint, 0.0, &kept, &rho));
        EXPECT_EQ(rho, exact) << "n " << n << " k " << k << " hint " << hint;
        long long keptLocal = (long long)kept.v.size(), keptTotal = 0, want = 0;
        MPI_Allreduce(&keptLocal, &keptTotal, 1, MPI_LONG_LONG, MPI_SUM, World());
        for (double v : values) want += v >= exact ? 1 : 0;
        EXPECT_EQ(keptTotal, want) << "n " << n << " k " << k;
        for (double v : kept.v) ASSERT_GE(v, rho);
      }
    }
    PetalOTDestroy(&ot);

  }
}
