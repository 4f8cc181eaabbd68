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
