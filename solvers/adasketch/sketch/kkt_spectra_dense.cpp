// Dense path of ComputeKKTSpectra: every rank gathers H and G whole (n = d + m is at most a few thousand) and
// runs the same LAPACK calls, so every rank gets the same numbers without a broadcast.
#include "solvers/adasketch/sketch/kkt_spectra_impl.hpp"
#include <petscblaslapack.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace petal {
namespace adasketch {
namespace spectra {
namespace {

/* A (rows x cols, any parallel layout and type) as a column-major array on every rank. Shell matrices are
 * assembled first by products with unit vectors (MatComputeOperator). */
PetscErrorCode GatherDense(Mat A, std::vector<double> &dense, PetscInt *rows, PetscInt *cols)
{
  PetscFunctionBegin;
  PetscBool shell;
  Mat       Aop = A;
  PetscCall(PetscObjectTypeCompare((PetscObject)A, MATSHELL, &shell));
  if (shell) PetscCall(MatComputeOperator(A, MATAIJ, &Aop));
  PetscCall(MatGetSize(Aop, rows, cols));
  IS   isr, isc;
  Mat *sub, D;
  PetscCall(ISCreateStride(PETSC_COMM_SELF, *rows, 0, 1, &isr));
  PetscCall(ISCreateStride(PETSC_COMM_SELF, *cols, 0, 1, &isc));
  PetscCall(MatCreateSubMatrices(Aop, 1, &isr, &isc, MAT_INITIAL_MATRIX, &sub));
  PetscCall(MatConvert(sub[0], MATSEQDENSE, MAT_INITIAL_MATRIX, &D));
  const PetscScalar *a;
  PetscInt           lda;
  PetscCall(MatDenseGetLDA(D, &lda));
  PetscCall(MatDenseGetArrayRead(D, &a));
  dense.assign((size_t)*rows * *cols, 0.0);
  for (PetscInt j = 0; j < *cols; ++j)
    for (PetscInt i = 0; i < *rows; ++i) dense[i + (size_t)j * *rows] = a[i + (size_t)j * lda];
  PetscCall(MatDenseRestoreArrayRead(D, &a));
  PetscCall(MatDestroy(&D));
  PetscCall(MatDestroySubMatrices(1, &sub));
  PetscCall(ISDestroy(&isr));
  PetscCall(ISDestroy(&isc));
  if (shell) PetscCall(MatDestroy(&Aop));
  PetscFunctionReturn(0);
}

/* Eigenvalues (ascending) of the symmetric n x n column-major A (destroyed). */
PetscErrorCode SymmetricEigenvalues(PetscInt n, std::vector<double> &A, std::vector<double> &lam)
{
  PetscFunctionBegin;
  lam.assign(n, 0.0);
  if (n == 0) PetscFunctionReturn(0);
  for (PetscInt j = 0; j < n; ++j) // symmetrise: rounding in the products that formed A
    for (PetscInt i = 0; i < j; ++i) A[i + (size_t)j * n] = A[j + (size_t)i * n] = 0.5 * (A[i + (size_t)j * n] + A[j + (size_t)i * n]);
  PetscBLASInt bn, info = 0, lwork = -1;
  PetscCall(PetscBLASIntCast(n, &bn));
  double query = 0;
  LAPACKsyev_("N", "U", &bn, A.data(), &bn, lam.data(), &query, &lwork, &info);
  lwork = std::max<PetscBLASInt>((PetscBLASInt)query, 3 * bn);
  std::vector<double> work(lwork);
  LAPACKsyev_("N", "U", &bn, A.data(), &bn, lam.data(), work.data(), &lwork, &info);
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "ComputeKKTSpectra: LAPACK dsyev failed (info %d)", (int)info);
  PetscFunctionReturn(0);
}

/* C (m x n) = op(A) op(B), column-major. */
void Gemm(const char *ta, const char *tb, PetscBLASInt m, PetscBLASInt n, PetscBLASInt k, const double *A, PetscBLASInt lda, const double *B, PetscBLASInt ldb,
          std::vector<double> &C)
{
  const double one = 1, zero = 0;
  C.assign((size_t)m * n, 0.0);
  if (m == 0 || n == 0 || k == 0) return;
  BLASgemm_(ta, tb, &m, &n, &k, &one, A, &lda, B, &ldb, &zero, C.data(), &m);
}

/* An orthonormal basis of null(G), G m x d column-major, as d x (d - rank) column-major. Full row rank (the case
 * the method runs in): the last d - m columns of the full Q of G^T = Q R. Otherwise: the right singular vectors
 * of the singular values below max(m, d) eps sigma_max. */
PetscErrorCode NullSpaceBasis(PetscInt m, PetscInt d, const std::vector<double> &G, bool fullRank, std::vector<double> &Z, PetscInt *k)
{
  PetscFunctionBegin;
  PetscBLASInt bm, bd, info = 0, lwork;
  PetscCall(PetscBLASIntCast(m, &bm));
  PetscCall(PetscBLASIntCast(d, &bd));
  if (fullRank) {
    std::vector<double> Q((size_t)d * d, 0.0), tau(std::max<PetscInt>(m, 1));
    for (PetscInt j = 0; j < m; ++j)
      for (PetscInt i = 0; i < d; ++i) Q[i + (size_t)j * d] = G[j + (size_t)i * m]; // G^T
    lwork = std::max<PetscBLASInt>(64 * bd, 1);
    std::vector<double> work(lwork);
    LAPACKgeqrf_(&bd, &bm, Q.data(), &bd, tau.data(), work.data(), &lwork, &info);
    PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "ComputeKKTSpectra: LAPACK dgeqrf failed (info %d)", (int)info);
    LAPACKorgqr_(&bd, &bd, &bm, Q.data(), &bd, tau.data(), work.data(), &lwork, &info); // full d x d Q
    PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "ComputeKKTSpectra: LAPACK dorgqr failed (info %d)", (int)info);
    *k = d - m;
    Z.assign(Q.begin() + (size_t)m * d, Q.end());
    PetscFunctionReturn(0);
  }
  std::vector<double> A(G), s(std::min(m, d)), VT((size_t)d * d), U(1);
  PetscBLASInt        one = 1;
  lwork                   = std::max<PetscBLASInt>(5 * (bm + bd) + bd * 64, 1);
  std::vector<double> work(lwork);
  LAPACKgesvd_("N", "A", &bm, &bd, A.data(), &bm, s.data(), U.data(), &one, VT.data(), &bd, work.data(), &lwork, &info);
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "ComputeKKTSpectra: LAPACK dgesvd failed (info %d)", (int)info);
  const double smax = s.empty() ? 0 : s[0], cut = std::max(m, d) * PETSC_MACHINE_EPSILON * smax;
  PetscInt     rank = 0;
  for (double v : s) rank += v > cut;
  *k = d - rank;
  Z.assign((size_t)d * *k, 0.0);
  for (PetscInt c = 0; c < *k; ++c)
    for (PetscInt i = 0; i < d; ++i) Z[i + (size_t)c * d] = VT[(rank + c) + (size_t)i * d]; // row rank + c of V^T
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode ComputeDense(Mat H, Mat G, const SpectraSettings &settings, KKTSpectra *out)
{
  PetscFunctionBegin;
  std::vector<double> Hd, Gd;
  PetscInt            d, d2, m, dg;
  PetscCall(GatherDense(H, Hd, &d, &d2));
  PetscCall(GatherDense(G, Gd, &m, &dg));
  PetscBLASInt bm, bd;
  PetscCall(PetscBLASIntCast(m, &bm));
  PetscCall(PetscBLASIntCast(d, &bd));

  std::vector<double> GGt, lamG, lamH;
  Gemm("N", "T", bm, bm, bd, Gd.data(), std::max<PetscBLASInt>(bm, 1), Gd.data(), std::max<PetscBLASInt>(bm, 1), GGt);
  PetscCall(SymmetricEigenvalues(m, GGt, lamG));
  out->lambdaMinGGt = m > 0 ? lamG[0] : std::numeric_limits<PetscReal>::infinity();
  const double lamGmax = m > 0 ? lamG[m - 1] : 0;

  if (settings.norm == NormKind::Frobenius) {
    double h2 = 0, g2 = 0;
    for (double v : Hd) h2 += v * v;
    for (double v : Gd) g2 += v * v;
    out->normH = std::sqrt(h2);
    out->normG = std::sqrt(g2);
  } else {
    std::vector<double> Hc(Hd);
    PetscCall(SymmetricEigenvalues(d, Hc, lamH));
    out->normH = d > 0 ? std::max(std::fabs(lamH[0]), std::fabs(lamH[d - 1])) : 0;
    out->normG = std::sqrt(std::max(lamGmax, 0.0));
  }

  if (m >= d) {
    out->lambdaMinReducedHessian = std::numeric_limits<PetscReal>::infinity(); // the header's convention: null(G) = {0} generically
    PetscFunctionReturn(0);
  }
  const bool          fullRank = m == 0 || out->lambdaMinGGt > (double)std::max(m, d) * PETSC_MACHINE_EPSILON * lamGmax;
  std::vector<double> Z, HZ, R, lamR;
  PetscInt            k = 0;
  PetscCall(NullSpaceBasis(m, d, Gd, fullRank, Z, &k));
  if (k == 0) {
    out->lambdaMinReducedHessian = std::numeric_limits<PetscReal>::infinity();
    PetscFunctionReturn(0);
  }
  PetscBLASInt bk;
  PetscCall(PetscBLASIntCast(k, &bk));
  Gemm("N", "N", bd, bk, bd, Hd.data(), bd, Z.data(), bd, HZ);
  Gemm("T", "N", bk, bk, bd, Z.data(), bd, HZ.data(), bd, R);
  PetscCall(SymmetricEigenvalues(k, R, lamR));
  out->lambdaMinReducedHessian = lamR[0];
  PetscFunctionReturn(0);
}

} // namespace spectra
} // namespace adasketch
} // namespace petal
