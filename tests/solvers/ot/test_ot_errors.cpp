// Bad input gives a clear PETSc error (on every rank, so 2-rank runs do not hang): negative or NaN
// weights, totals that differ beyond the tolerance, mismatched sizes, eta <= 0, bad option values.
#include "ot_test_util.hpp"
// The object is opaque in the public API; these tests poke eta directly to check that PetalOTSolve
// validates it too (not only the setters).
#include "solvers/ot/ot_impl.hpp"

using namespace ottest;

namespace {
// Solves p (possibly modified) and returns the error code of PetalOTSolve.
PetscErrorCode SolveExpectingError(const HostProblem &p, double eta = 100, bool dense = false)
{
  PetalOT        ot;
  PetscProblem   q;
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscCall(ToPetsc(PETSC_COMM_WORLD, p, &q));
  PetscCall(PetalOTCreate(PETSC_COMM_WORLD, &ot));
  if (dense) {
    PetscCall(DenseCost(PETSC_COMM_WORLD, p, PETAL_OT_COST_SQEUCLIDEAN, &q));
    PetscCall(PetalOTSetProblemCost(ot, q.r, q.c, q.C));
  } else PetscCall(PetalOTSetProblemPoints(ot, q.r, q.c, p.dim, q.X, q.Y));
  ot->eta = eta; /* bypass the setter's check: PetalOTSolve must check too */
  ierr    = PetalOTSolve(ot);
  PetscCall(PetalOTDestroy(&ot));
  return ierr;
}
} // namespace

TEST(OTErrors, NegativeWeight)
{
  HostProblem p = RandomPoints(10, 10, 2, 1);
  p.r[0] += p.r[7] + 0.01; // keep the totals equal
  p.r[7] = -0.01;
  PETAL_EXPECT_PETSC_ERROR(SolveExpectingError(p));
}

TEST(OTErrors, NaNWeight)
{
  HostProblem p = RandomPoints(10, 10, 2, 1);
  p.c[4]        = std::nan("");
  PETAL_EXPECT_PETSC_ERROR(SolveExpectingError(p));
  p.c[4] = std::numeric_limits<double>::infinity();
  PETAL_EXPECT_PETSC_ERROR(SolveExpectingError(p));
}

TEST(OTErrors, TotalsDiffer)
{
  HostProblem p = RandomPoints(10, 12, 2, 1);
  p.c[3] += 1e-4;
  PETAL_EXPECT_PETSC_ERROR(SolveExpectingError(p));
  p.c[3] -= 1e-4 - 1e-12; /* within -ot_mass_tol: accepted, c rescaled */
  PETAL_ASSERT_OK(SolveExpectingError(p));
}

TEST(OTErrors, NonPositiveEta)
{
  HostProblem p = RandomPoints(8, 8, 2, 1);
  PETAL_EXPECT_PETSC_ERROR(SolveExpectingError(p, 0.0));
  PETAL_EXPECT_PETSC_ERROR(SolveExpectingError(p, -5.0));
  PETAL_EXPECT_PETSC_ERROR(SolveExpectingError(p, std::nan("")));
  PetalOT ot;
  PETAL_ASSERT_OK(PetalOTCreate(PETSC_COMM_WORLD, &ot));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetEta(ot, 0.0));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetEta(ot, -1.0));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetEpsilon(ot, 0.0));
  PETAL_ASSERT_OK(PetscOptionsSetValue(NULL, "-ot_eta", "-3"));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetFromOptions(ot));
  PETAL_ASSERT_OK(PetscOptionsClearValue(NULL, "-ot_eta"));
  PETAL_ASSERT_OK(PetscOptionsSetValue(NULL, "-ot_epsilon", "0"));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetFromOptions(ot));
  PETAL_ASSERT_OK(PetscOptionsClearValue(NULL, "-ot_epsilon"));
  PETAL_ASSERT_OK(PetalOTDestroy(&ot));
}

TEST(OTErrors, MismatchedSizes)
{
  HostProblem  p = RandomPoints(10, 9, 2, 1);
  PetalOT      ot;
  PetscProblem q, other;
  PETAL_ASSERT_OK(ToPetsc(PETSC_COMM_WORLD, p, &q));
  // cost matrix with the wrong number of columns
  HostProblem p2 = RandomPoints(10, 11, 2, 1);
  PETAL_ASSERT_OK(ToPetsc(PETSC_COMM_WORLD, p2, &other));
  PETAL_ASSERT_OK(DenseCost(PETSC_COMM_WORLD, p2, PETAL_OT_COST_SQEUCLIDEAN, &other));
  PETAL_ASSERT_OK(PetalOTCreate(PETSC_COMM_WORLD, &ot));
  PETAL_ASSERT_OK(PetalOTSetProblemCost(ot, q.r, q.c, other.C));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSolve(ot));
  // target points for 11 targets with 9 target weights
  PETAL_ASSERT_OK(PetalOTSetProblemPoints(ot, q.r, q.c, 2, q.X, other.Y));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSolve(ot));
  // points of the wrong dimension
  PETAL_ASSERT_OK(PetalOTSetProblemPoints(ot, q.r, q.c, 3, q.X, q.Y));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSolve(ot));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetProblemPoints(ot, q.r, q.c, 0, q.X, q.Y));
  PETAL_ASSERT_OK(PetalOTDestroy(&ot));
}

TEST(OTErrors, CallOrderAndOptions)
{
  PetalOT       ot;
  PetalOTResult res;
  PETAL_ASSERT_OK(PetalOTCreate(PETSC_COMM_WORLD, &ot));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSolve(ot)); // no problem set
  PETAL_EXPECT_PETSC_ERROR(PetalOTGetResult(ot, &res));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetCost(ot, PETAL_OT_COST_PNORM, 0.5));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSNSSetDensity(ot, 1.5));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetTolerances(ot, -1.0, PETSC_DEFAULT));
  PETAL_ASSERT_OK(PetscOptionsSetValue(NULL, "-ot_method", "newton"));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetFromOptions(ot));
  PETAL_ASSERT_OK(PetscOptionsClearValue(NULL, "-ot_method"));
  PETAL_ASSERT_OK(PetalOTDestroy(&ot));
}

TEST(OTErrors, NaNCost)
{
  HostProblem p = RandomPoints(6, 6, 2, 1);
  p.Y[5]        = std::nan("");
  PETAL_EXPECT_PETSC_ERROR(SolveExpectingError(p));
}

// Values that used to end as DIVERGED_NAN after a whole solve, or in messages comparing with a negative
// tolerance, are refused where they enter (setters, options) or at set-up, before any iteration.
TEST(OTErrors, NonFiniteAndOutOfRangeValues)
{
  PetalOT ot;
  PETAL_ASSERT_OK(PetalOTCreate(PETSC_COMM_WORLD, &ot));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetMassTolerance(ot, -1.0));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetMassTolerance(ot, std::nan("")));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetTolerances(ot, std::nan(""), PETSC_DEFAULT));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetTolerances(ot, std::numeric_limits<double>::infinity(), PETSC_DEFAULT));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetCostScale(ot, std::numeric_limits<double>::infinity()));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetSinkhornStoredMemory(ot, std::nan("")));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetEpsilonScaling(ot, PETSC_TRUE, -1.0, PETSC_DEFAULT));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetEpsilonScaling(ot, PETSC_TRUE, PETSC_DEFAULT, 1.0));
  for (const char *opt : {"-ot_mass_tol", "-ot_tol", "-ot_cost_scale", "-ot_plan_threshold", "-ot_eps_scaling_stage_tol"}) {
    SCOPED_TRACE(opt);
    PETAL_ASSERT_OK(PetscOptionsSetValue(NULL, opt, "-1"));
    PETAL_EXPECT_PETSC_ERROR(PetalOTSetFromOptions(ot));
    PETAL_ASSERT_OK(PetscOptionsSetValue(NULL, opt, "inf"));
    PETAL_EXPECT_PETSC_ERROR(PetalOTSetFromOptions(ot));
    PETAL_ASSERT_OK(PetscOptionsClearValue(NULL, opt));
  }
  PetscReal tol;
  PETAL_ASSERT_OK(PetalOTGetMassTolerance(ot, &tol));
  EXPECT_EQ(tol, 1e-8); // the refused values left the default alone
  PETAL_ASSERT_OK(PetalOTDestroy(&ot));
}

TEST(OTErrors, CostsThatOverflowAreRefusedAtSetUp)
{
  HostProblem p = RandomPoints(8, 8, 2, 1);
  for (double &v : p.X) v *= 1e200; // |x - y|^2 ~ 1e400: not representable
  for (double &v : p.Y) v *= 1e200;
  PETAL_EXPECT_PETSC_ERROR(SolveExpectingError(p));
  HostProblem q = RandomPoints(8, 8, 2, 1);
  PETAL_EXPECT_PETSC_ERROR(SolveExpectingError(q, 1e305)); // eta * max C > 1e300
  PETAL_EXPECT_PETSC_ERROR(SolveExpectingError(q, 1e305, true)); // the same for a stored cost matrix
}

// The type family: set by name or through the method alias, unknown names refused, type-specific setters
// without effect on other types, and a type registered from outside the library.
namespace {
PetscBool customSolved = PETSC_FALSE;
PetscErrorCode SolveCustom(PetalOT ot)
{
  PetscFunctionBegin;
  customSolved = PETSC_TRUE;
  PetscCall(petal::ot::RunSinkhorn(ot, 100));
  PetscFunctionReturn(0);
}
PetscErrorCode CreateCustom(PetalOT ot)
{
  PetscFunctionBegin;
  ot->ops->solve = SolveCustom;
  PetscFunctionReturn(0);
}
} // namespace

TEST(OTErrors, TypesAndAliases)
{
  PetalOT       ot;
  PetalOTType   type;
  PetalOTMethod method;
  PETAL_ASSERT_OK(PetalOTCreate(PETSC_COMM_WORLD, &ot));
  PETAL_ASSERT_OK(PetalOTGetType(ot, &type));
  EXPECT_STREQ(type, PETALOTSINKHORN);
  PETAL_ASSERT_OK(PetalOTSNSSetWarmup(ot, 7)); // no effect on sinkhorn, no error
  PETAL_EXPECT_PETSC_ERROR(PetalOTSNSSetWarmup(ot, -1)); // but checked
  PETAL_ASSERT_OK(PetalOTSetMethod(ot, PETAL_OT_SNS));
  PETAL_ASSERT_OK(PetalOTGetType(ot, &type));
  EXPECT_STREQ(type, PETALOTSNS);
  PETAL_ASSERT_OK(PetalOTSetType(ot, PETALOTSINKHORN));
  PETAL_ASSERT_OK(PetalOTGetMethod(ot, &method));
  EXPECT_EQ(method, PETAL_OT_SINKHORN);
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetType(ot, "newton"));
  PETAL_ASSERT_OK(PetscOptionsSetValue(NULL, "-ot_type", "sns"));
  PETAL_ASSERT_OK(PetscOptionsSetValue(NULL, "-ot_method", "sinkhorn"));
  PETAL_EXPECT_PETSC_ERROR(PetalOTSetFromOptions(ot)); // -ot_method is an alias: the two must agree
  PETAL_ASSERT_OK(PetscOptionsClearValue(NULL, "-ot_method"));
  PETAL_ASSERT_OK(PetalOTSetFromOptions(ot));
  PETAL_ASSERT_OK(PetscOptionsClearValue(NULL, "-ot_type"));
  PETAL_ASSERT_OK(PetalOTGetType(ot, &type));
  EXPECT_STREQ(type, PETALOTSNS);

  PETAL_ASSERT_OK(PetalOTRegister("custom", CreateCustom));
  PETAL_ASSERT_OK(PetalOTSetType(ot, "custom"));
  PETAL_EXPECT_PETSC_ERROR(PetalOTGetMethod(ot, &method)); // not a built-in method
  HostProblem  p = RandomPoints(10, 10, 2, 1);
  PetscProblem q;
  PETAL_ASSERT_OK(ToPetsc(PETSC_COMM_WORLD, p, &q));
  PETAL_ASSERT_OK(PetalOTSetProblemPoints(ot, q.r, q.c, 2, q.X, q.Y));
  PETAL_ASSERT_OK(PetalOTSolve(ot));
  EXPECT_TRUE(customSolved);
  PetalOTConvergedReason reason;
  PETAL_ASSERT_OK(PetalOTGetConvergedReason(ot, &reason));
  EXPECT_EQ(reason, PETAL_OT_CONVERGED_TOL);
  PETAL_ASSERT_OK(PetalOTDestroy(&ot));
}
