// ComputeKKTSpectra (solvers/adasketch/sketch/kkt_spectra.hpp) on 1 and 2 ranks:
//   - closed forms (kkt_test_mats.hpp): G = [D, -I] with diagonal H, and the paper's Poisson control KKT;
//     dense path and iterative path (denseLimit = 0) each against the closed form, Frobenius and spectral norms;
//   - the iterative path's cached G G^T factorisation is dropped when G changes;
//   - a matrix-free (MATSHELL) G on both paths;
//   - a rank-deficient G (dense path's SVD branch), m >= d, the same numbers on every rank;
//   - nonconforming H and G: an error on every rank.
#include "petal_test.hpp"
#include "kkt_test_mats.hpp"
#include "solvers/adasketch/sketch/kkt_spectra.hpp"
#include "core/splitmix64.hpp"
#include <cmath>

using petal::adasketch::ComputeKKTSpectra;
using petal::adasketch::KKTSpectra;
using petal::adasketch::NormKind;
using petal::adasketch::SpectraSettings;

namespace {
SpectraSettings Settings(bool dense, NormKind norm)
{
  SpectraSettings s;
  s.denseLimit = dense ? 100000 : 0;
  s.norm       = norm;
  s.tol        = 1e-8;
  return s;
}

/* The numbers agree on every rank (bitwise). */
void ExpectSameOnEveryRank(const KKTSpectra &s)
{
  double v[4] = {s.lambdaMinGGt, s.lambdaMinReducedHessian, s.normH, s.normG}, lo[4], hi[4];
  ASSERT_EQ(MPI_Allreduce(v, lo, 4, MPI_DOUBLE, MPI_MIN, PETSC_COMM_WORLD), MPI_SUCCESS);
  ASSERT_EQ(MPI_Allreduce(v, hi, 4, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD), MPI_SUCCESS);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(lo[i], hi[i]) << "quantity " << i << " differs between ranks";
}

struct DiagCase {
  std::vector<double> a, b, dv;
  double              lminGGt, lminRed, froH, froG, specH, specG;
};

DiagCase MakeDiagCase(PetscInt k)
{
  petal::SplitMix64 rng(17);
  DiagCase          c;
  c.lminGGt = c.lminRed = 1e300;
  c.froH = c.froG = c.specH = c.specG = 0;
  for (PetscInt i = 0; i < k; ++i) {
    const double a = 3 * rng.Uniform() - 1, b = 2 * rng.Uniform() + 0.1, d = 3 * rng.Uniform() - 1.5;
    c.a.push_back(a);
    c.b.push_back(b);
    c.dv.push_back(d);
    c.lminGGt = std::min(c.lminGGt, 1 + d * d);
    c.lminRed = std::min(c.lminRed, (a + b * d * d) / (1 + d * d));
    c.froH += a * a + b * b;
    c.froG += d * d + 1;
    c.specH = std::max({c.specH, std::fabs(a), std::fabs(b)});
    c.specG = std::max(c.specG, std::sqrt(1 + d * d));
  }
  c.froH = std::sqrt(c.froH);
  c.froG = std::sqrt(c.froG);
  return c;
}
} // namespace

TEST(KKTSpectra, DiagonalPairClosedFormDenseAndIterative)
{
  const PetscInt k = 60; // d = 120, m = 60
  const DiagCase c = MakeDiagCase(k);
  Mat            H, G;
  PETAL_ASSERT_OK(kkt_mats::DiagonalPair(PETSC_COMM_WORLD, c.a, c.b, c.dv, &H, &G));
  for (bool dense : {true, false})
    for (NormKind norm : {NormKind::Frobenius, NormKind::Spectral}) {
      KKTSpectra s;
      PETAL_ASSERT_OK(ComputeKKTSpectra(H, G, Settings(dense, norm), &s));
      const double tol = dense ? 1e-12 : 1e-6;
      EXPECT_NEAR(s.lambdaMinGGt, c.lminGGt, tol * c.lminGGt) << (dense ? "dense" : "iterative");
      EXPECT_NEAR(s.lambdaMinReducedHessian, c.lminRed, tol * c.specH) << (dense ? "dense" : "iterative");
      EXPECT_LT(c.lminRed, 0); // the case exercises a negative reduced eigenvalue (H modification needed)
      EXPECT_NEAR(s.normH, norm == NormKind::Frobenius ? c.froH : c.specH, tol * c.froH);
      EXPECT_NEAR(s.normG, norm == NormKind::Frobenius ? c.froG : c.specG, tol * c.froG);
      if (dense) EXPECT_EQ(s.iterations, 0);
      else EXPECT_GT(s.iterations, 0);
      ExpectSameOnEveryRank(s);
    }
  // the iterative path keeps G's factorisation between calls: changing G's values must invalidate it
  // (2 G: lambda_min(G G^T) x 4, null(G) and so Z^T H Z unchanged)
  PETAL_ASSERT_OK(MatScale(G, 2.0));
  KKTSpectra s2;
  PETAL_ASSERT_OK(ComputeKKTSpectra(H, G, Settings(false, NormKind::Frobenius), &s2));
  EXPECT_NEAR(s2.lambdaMinGGt, 4 * c.lminGGt, 1e-6 * 4 * c.lminGGt);
  EXPECT_NEAR(s2.lambdaMinReducedHessian, c.lminRed, 1e-6 * c.specH);
  EXPECT_NEAR(s2.normG, 2 * c.froG, 1e-12 * c.froG);
  PETAL_ASSERT_OK(MatDestroy(&H));
  PETAL_ASSERT_OK(MatDestroy(&G));
}

TEST(KKTSpectra, PoissonControlClosedForm)
{
  // the paper's problem (h = 2/(N+1), H = diag(1, 0.1)) at N = 12 on both paths, and its 3-D analogue at N = 6
  // (h = 1/(N+1), H = diag(1, 1e-2), as in the semilinear problem) on both paths
  for (int D : {2, 3}) {
    const PetscInt N  = D == 2 ? 12 : 6;
    const double   h  = D == 2 ? 2.0 / (N + 1) : 1.0 / (N + 1), hz = D == 2 ? 0.1 : 1e-2;
    const auto     cf = kkt_mats::PoissonControlSpectra(N, D, h, 1.0, hz);
    Mat            H, G;
    PETAL_ASSERT_OK(kkt_mats::PoissonControl(PETSC_COMM_WORLD, N, D, h, 1.0, hz, &H, &G));
    for (bool dense : {true, false}) {
      KKTSpectra s;
      PETAL_ASSERT_OK(ComputeKKTSpectra(H, G, Settings(dense, NormKind::Spectral), &s));
      const double tol = dense ? 1e-10 : 1e-6;
      EXPECT_NEAR(s.lambdaMinGGt, cf.lambdaMinGGt, tol * cf.lambdaMinGGt) << "N=" << N << (dense ? " dense" : " iterative");
      EXPECT_NEAR(s.lambdaMinReducedHessian, cf.lambdaMinReduced, tol) << "N=" << N << (dense ? " dense" : " iterative");
      EXPECT_NEAR(s.normH, 1.0, tol);
      EXPECT_NEAR(s.normG, cf.normGspectral, tol * cf.normGspectral);
      ExpectSameOnEveryRank(s);
    }
    PETAL_ASSERT_OK(MatDestroy(&H));
    PETAL_ASSERT_OK(MatDestroy(&G));
  }
}

TEST(KKTSpectra, StateSplitBoundsOnPoissonControl)
{
  // With a state split (G_y = L square, G_u = I): no G G^T factorisation; lambda_min(G G^T) >= sigma_min(L)^2 + 1
  // (equal here, L symmetric) and lambda_min(Z^T H Z) >= lambda_min(W) / lambda_max(Y^T Y) with Y = [-L^-1; I]:
  // W = hw L^-2 + hz, Y^T Y = I + L^-2, so the bound is (hz + hw / mu_max^2) / (1 + 1 / mu_min^2). Estimated to
  // 1e-2. On PETSC_COMM_SELF (every rank the same problem): the split needs each rank's states to match its rows.
  for (int D : {2, 3}) {
    const PetscInt N = D == 2 ? 12 : 6;
    const double   h = 1.0 / (N + 1), hz = 1e-2;
    const auto     cf = kkt_mats::PoissonControlSpectra(N, D, h, 1.0, hz);
    Mat            H, G;
    IS             state;
    PETAL_ASSERT_OK(kkt_mats::PoissonControl(PETSC_COMM_SELF, N, D, h, 1.0, hz, &H, &G));
    PetscInt m;
    PETAL_ASSERT_OK(MatGetSize(G, &m, NULL));
    PETAL_ASSERT_OK(ISCreateStride(PETSC_COMM_SELF, m, 0, 1, &state));
    SpectraSettings set = Settings(false, NormKind::Spectral);
    set.xState          = state;
    KKTSpectra s;
    PETAL_ASSERT_OK(ComputeKKTSpectra(H, G, set, &s));
    const double muMin2 = cf.lambdaMinGGt - 1, muMax2 = cf.normGspectral * cf.normGspectral - 1;
    const double bound  = (hz + 1.0 / muMax2) / (1 + 1.0 / muMin2);
    EXPECT_NEAR(s.lambdaMinGGt, cf.lambdaMinGGt, 2e-2 * cf.lambdaMinGGt) << "D=" << D;
    EXPECT_NEAR(s.lambdaMinReducedHessian, bound, 3e-2 * bound) << "D=" << D;
    EXPECT_LE(s.lambdaMinReducedHessian, cf.lambdaMinReduced * (1 + 1e-2)) << "a lower bound, D=" << D;
    EXPECT_NEAR(s.normH, 1.0, 1e-2);
    EXPECT_NEAR(s.normG, cf.normGspectral, 1e-2 * cf.normGspectral);
    // An indefinite reduced Hessian keeps its sign: H_uu = -hz.
    Mat Hneg;
    PETAL_ASSERT_OK(MatDuplicate(H, MAT_COPY_VALUES, &Hneg));
    for (PetscInt i = m; i < 2 * m; ++i) PETAL_ASSERT_OK(MatSetValue(Hneg, i, i, -hz, INSERT_VALUES));
    PETAL_ASSERT_OK(MatAssemblyBegin(Hneg, MAT_FINAL_ASSEMBLY));
    PETAL_ASSERT_OK(MatAssemblyEnd(Hneg, MAT_FINAL_ASSEMBLY));
    PETAL_ASSERT_OK(ComputeKKTSpectra(Hneg, G, set, &s));
    EXPECT_LT(s.lambdaMinReducedHessian, 0) << "D=" << D;
    PETAL_ASSERT_OK(MatDestroy(&Hneg));
    PETAL_ASSERT_OK(ISDestroy(&state));
    PETAL_ASSERT_OK(MatDestroy(&H));
    PETAL_ASSERT_OK(MatDestroy(&G));
  }
}

namespace {
PetscErrorCode ShellMult(Mat A, Vec x, Vec y)
{
  Mat G;
  PetscFunctionBegin;
  PetscCall(MatShellGetContext(A, &G));
  PetscCall(MatMult(G, x, y));
  PetscFunctionReturn(0);
}
PetscErrorCode ShellMultTranspose(Mat A, Vec x, Vec y)
{
  Mat G;
  PetscFunctionBegin;
  PetscCall(MatShellGetContext(A, &G));
  PetscCall(MatMultTranspose(G, x, y));
  PetscFunctionReturn(0);
}
} // namespace

TEST(KKTSpectra, MatrixFreeG)
{
  // G known only through products (MATSHELL): the dense path assembles it, the iterative one works matrix-free
  // (unpreconditioned CG in the projector, Lanczos on G G^T); both must give the closed form.
  const DiagCase c = MakeDiagCase(40);
  Mat            H, G, Gs;
  PETAL_ASSERT_OK(kkt_mats::DiagonalPair(PETSC_COMM_WORLD, c.a, c.b, c.dv, &H, &G));
  PetscInt m, n, M, N;
  PETAL_ASSERT_OK(MatGetLocalSize(G, &m, &n));
  PETAL_ASSERT_OK(MatGetSize(G, &M, &N));
  PETAL_ASSERT_OK(MatCreateShell(PETSC_COMM_WORLD, m, n, M, N, G, &Gs));
  PETAL_ASSERT_OK(MatShellSetOperation(Gs, MATOP_MULT, (void (*)(void))ShellMult));
  PETAL_ASSERT_OK(MatShellSetOperation(Gs, MATOP_MULT_TRANSPOSE, (void (*)(void))ShellMultTranspose));
  for (bool dense : {true, false}) {
    KKTSpectra s;
    PETAL_ASSERT_OK(ComputeKKTSpectra(H, Gs, Settings(dense, NormKind::Spectral), &s));
    EXPECT_NEAR(s.lambdaMinGGt, c.lminGGt, 1e-6 * c.lminGGt) << (dense ? "dense" : "iterative");
    EXPECT_NEAR(s.lambdaMinReducedHessian, c.lminRed, 1e-6 * c.specH) << (dense ? "dense" : "iterative");
    EXPECT_NEAR(s.normG, c.specG, 1e-6 * c.specG);
    ExpectSameOnEveryRank(s);
  }
  PETAL_ASSERT_OK(MatDestroy(&Gs));
  PETAL_ASSERT_OK(MatDestroy(&H));
  PETAL_ASSERT_OK(MatDestroy(&G));
}

TEST(KKTSpectra, RankDeficientAndSquareG)
{
  // G = [I, -I] with its first row repeated: G G^T singular, null(G) unchanged ({(x, x)}), so
  // lambda_min(Z^T H Z) = min (a_i + b_i) / 2.
  const PetscInt      k = 8;
  std::vector<double> a(k), b(k);
  double              lred = 1e300;
  for (PetscInt i = 0; i < k; ++i) {
    a[i] = 1.0 + i;
    b[i] = 0.5 - 0.25 * i;
    lred = std::min(lred, 0.5 * (a[i] + b[i]));
  }
  Mat H, G;
  PETAL_ASSERT_OK(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, 2 * k, 2 * k, 1, NULL, 1, NULL, &H));
  PETAL_ASSERT_OK(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, k + 1, 2 * k, 2, NULL, 2, NULL, &G));
  PetscInt r0, r1;
  PETAL_ASSERT_OK(MatGetOwnershipRange(H, &r0, &r1));
  for (PetscInt i = r0; i < r1; ++i) PETAL_ASSERT_OK(MatSetValue(H, i, i, i < k ? a[i] : b[i - k], INSERT_VALUES));
  PETAL_ASSERT_OK(MatGetOwnershipRange(G, &r0, &r1));
  for (PetscInt i = r0; i < r1; ++i) {
    const PetscInt c = i < k ? i : 0;
    PETAL_ASSERT_OK(MatSetValue(G, i, c, 1.0, INSERT_VALUES));
    PETAL_ASSERT_OK(MatSetValue(G, i, k + c, -1.0, INSERT_VALUES));
  }
  for (Mat A : {H, G}) {
    PETAL_ASSERT_OK(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
    PETAL_ASSERT_OK(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  }
  KKTSpectra s;
  PETAL_ASSERT_OK(ComputeKKTSpectra(H, G, Settings(true, NormKind::Frobenius), &s));
  EXPECT_LT(std::fabs(s.lambdaMinGGt), 1e-12);
  EXPECT_NEAR(s.lambdaMinReducedHessian, lred, 1e-12);
  ExpectSameOnEveryRank(s);
  PETAL_ASSERT_OK(MatDestroy(&G));

  // m >= d: null(G) = {0}, reported as +inf; G = I (d x d): lambda_min(G G^T) = 1
  PETAL_ASSERT_OK(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, 2 * k, 2 * k, 1, NULL, 0, NULL, &G));
  PETAL_ASSERT_OK(MatGetOwnershipRange(G, &r0, &r1));
  for (PetscInt i = r0; i < r1; ++i) PETAL_ASSERT_OK(MatSetValue(G, i, i, 1.0, INSERT_VALUES));
  PETAL_ASSERT_OK(MatAssemblyBegin(G, MAT_FINAL_ASSEMBLY));
  PETAL_ASSERT_OK(MatAssemblyEnd(G, MAT_FINAL_ASSEMBLY));
  for (bool dense : {true, false}) {
    PETAL_ASSERT_OK(ComputeKKTSpectra(H, G, Settings(dense, NormKind::Frobenius), &s));
    EXPECT_TRUE(std::isinf(s.lambdaMinReducedHessian) && s.lambdaMinReducedHessian > 0);
    EXPECT_NEAR(s.lambdaMinGGt, 1.0, 1e-8);
  }
  PETAL_ASSERT_OK(MatDestroy(&H));
  PETAL_ASSERT_OK(MatDestroy(&G));
}

TEST(KKTSpectra, NonconformingInputIsAnError)
{
  PetscMPIInt size;
  ASSERT_EQ(MPI_Comm_size(PETSC_COMM_WORLD, &size), MPI_SUCCESS);
  Mat H, G;
  // G has 5 columns, H is 6 x 6
  PETAL_ASSERT_OK(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, 6, 6, 1, NULL, 0, NULL, &H));
  PETAL_ASSERT_OK(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, 2, 5, 1, NULL, 0, NULL, &G));
  for (Mat A : {H, G}) {
    PETAL_ASSERT_OK(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
    PETAL_ASSERT_OK(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  }
  KKTSpectra s;
  PETAL_EXPECT_PETSC_ERROR(ComputeKKTSpectra(H, G, Settings(true, NormKind::Frobenius), &s));
  PETAL_EXPECT_PETSC_ERROR(ComputeKKTSpectra(H, G, Settings(false, NormKind::Frobenius), &s));
  PETAL_ASSERT_OK(MatDestroy(&G));
  // H not square
  Mat Hr;
  PETAL_ASSERT_OK(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, 5, 6, 1, NULL, 0, NULL, &Hr));
  PETAL_ASSERT_OK(MatAssemblyBegin(Hr, MAT_FINAL_ASSEMBLY));
  PETAL_ASSERT_OK(MatAssemblyEnd(Hr, MAT_FINAL_ASSEMBLY));
  PETAL_ASSERT_OK(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, 2, 6, 1, NULL, 0, NULL, &G));
  PETAL_ASSERT_OK(MatAssemblyBegin(G, MAT_FINAL_ASSEMBLY));
  PETAL_ASSERT_OK(MatAssemblyEnd(G, MAT_FINAL_ASSEMBLY));
  PETAL_EXPECT_PETSC_ERROR(ComputeKKTSpectra(Hr, G, Settings(true, NormKind::Frobenius), &s));
  PETAL_ASSERT_OK(MatDestroy(&Hr));
  PETAL_ASSERT_OK(MatDestroy(&G));
  if (size > 1) {
    // same global sizes, different column layouts: rank 0 owns all 6 columns of G, H is split evenly
    PetscMPIInt rank;
    ASSERT_EQ(MPI_Comm_rank(PETSC_COMM_WORLD, &rank), MPI_SUCCESS);
    PETAL_ASSERT_OK(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, rank == 0 ? 6 : 0, 2, 6, 1, NULL, 1, NULL, &G));
    PETAL_ASSERT_OK(MatAssemblyBegin(G, MAT_FINAL_ASSEMBLY));
    PETAL_ASSERT_OK(MatAssemblyEnd(G, MAT_FINAL_ASSEMBLY));
    PETAL_EXPECT_PETSC_ERROR(ComputeKKTSpectra(H, G, Settings(true, NormKind::Frobenius), &s));
    PETAL_ASSERT_OK(MatDestroy(&G));
  }
  PETAL_ASSERT_OK(MatDestroy(&H));
}
