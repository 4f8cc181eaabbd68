// TEMPORARY (until branch ada-sketch implements ComputeKKTSpectra in solvers/adasketch/sketch/): a minimal dense
// version, so that the TAO type and its tests run. Compiled only while sketch/ has no *spectra*.cpp
// (solvers/adasketch/CMakeLists.txt decides). Not the agreed implementation: delete it once ada-sketch has one.
#include "solvers/adasketch/adasketch_impl.hpp"
#include <petscblaslapack.h>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace petal {
namespace adasketch {
namespace {

/* Whole A as a dense row-major host array on every rank. */
PetscErrorCode DenseWhole(Mat A, std::vector<double> &a, PetscInt *M, PetscInt *N)
{
  IS   rows, cols;
  Mat *sub;
  PetscFunctionBegin;
  PetscCall(MatGetSize(A, M, N));
  PetscCall(ISCreateStride(PETSC_COMM_SELF, *M, 0, 1, &rows));
  PetscCall(ISCreateStride(PETSC_COMM_SELF, *N, 0, 1, &cols));
  PetscCall(MatCreateSubMatrices(A, 1, &rows, &cols, MAT_INITIAL_MATRIX, &sub));
  a.assign((size_t)(*M) * (*N), 0.0);
  for (PetscInt i = 0; i < *M; ++i) {
    PetscInt           nc;
    const PetscInt    *c;
    const PetscScalar *v;
    PetscCall(MatGetRow(sub[0], i, &nc, &c, &v));
    for (PetscInt k = 0; k < nc; ++k) a[(size_t)i * (*N) + c[k]] += PetscRealPart(v[k]);
    PetscCall(MatRestoreRow(sub[0], i, &nc, &c, &v));
  }
  PetscCall(MatDestroySubMatrices(1, &sub));
  PetscCall(ISDestroy(&rows));
  PetscCall(ISDestroy(&cols));
  PetscFunctionReturn(0);
}

/* Eigenvalues (ascending) and, with vectors, eigenvectors (columns, column-major in a) of the symmetric n x n a. */
PetscErrorCode SymEig(std::vector<double> &a, PetscInt n, std::vector<double> &w, bool vectors)
{
  PetscBLASInt bn, lwork, info;
  PetscFunctionBegin;
  w.assign(n, 0.0);
  if (n == 0) PetscFunctionReturn(0);
  PetscCall(PetscBLASIntCast(n, &bn));
  lwork = std::max<PetscBLASInt>(1, 3 * bn);
  std::vector<double> work(lwork);
  PetscCallBLAS("LAPACKsyev", LAPACKsyev_(vectors ? "V" : "N", "U", &bn, a.data(), &bn, w.data(), work.data(), &lwork, &info));
  PetscCheck(info == 0, PETSC_COMM_SELF, PETSC_ERR_LIB, "LAPACK syev failed (info %d)", (int)info);
  PetscFunctionReturn(0);
}

} // namespace

PetscErrorCode Spectra(Mat H, Mat G, const SpectraSettings &set, KKTSpectra *out)
{
  std::vector<double> h, g, w;
  PetscInt            d, d2, m, dg;
  PetscFunctionBegin;
  PetscCall(DenseWhole(H, h, &d, &d2));
  PetscCall(DenseWhole(G, g, &m, &dg));
  PetscCheck(d == d2 && dg == d, PetscObjectComm((PetscObject)H), PETSC_ERR_ARG_WRONG, "H (%d x %d) and G (%d x %d) do not conform", (int)d, (int)d2, (int)m, (int)dg);
  PetscCheck(d + m <= 4 * set.denseLimit, PetscObjectComm((PetscObject)H), PETSC_ERR_SUP, "interim dense spectra: d + m = %d is too large (ada-sketch's iterative spectra not merged yet)", (int)(d + m));
  // G G^T (row-major = column-major, symmetric)
  std::vector<double> ggt((size_t)m * m, 0.0);
  for (PetscInt i = 0; i < m; ++i)
    for (PetscInt j = 0; j < m; ++j) {
      double s = 0;
      for (PetscInt k = 0; k < d; ++k) s += g[(size_t)i * d + k] * g[(size_t)j * d + k];
      ggt[(size_t)i * m + j] = s;
    }
  std::vector<double> a = ggt;
  PetscCall(SymEig(a, m, w, false));
  out->lambdaMinGGt = m ? w[0] : 0;
  const double maxGGt = m ? w[m - 1] : 0;
  // Null space of G: eigenvectors of G^T G for its d - m smallest eigenvalues (G has full row rank when xi_G > 0).
  out->lambdaMinReducedHessian = PETSC_INFINITY;
  if (m < d) {
    std::vector<double> gtg((size_t)d * d, 0.0);
    for (PetscInt i = 0; i < d; ++i)
      for (PetscInt j = 0; j < d; ++j) {
        double s = 0;
        for (PetscInt k = 0; k < m; ++k) s += g[(size_t)k * d + i] * g[(size_t)k * d + j];
        gtg[(size_t)i * d + j] = s;
      }
    PetscCall(SymEig(gtg, d, w, true)); /* gtg now holds eigenvectors as columns (column-major) */
    const PetscInt      r = d - m;
    std::vector<double> zhz((size_t)r * r, 0.0), hz((size_t)d * r, 0.0);
    for (PetscInt i = 0; i < d; ++i)
      for (PetscInt j = 0; j < r; ++j) {
        double s = 0;
        for (PetscInt k = 0; k < d; ++k) s += h[(size_t)i * d + k] * gtg[(size_t)j * d + k];
        hz[(size_t)i * r + j] = s;
      }
    for (PetscInt i = 0; i < r; ++i)
      for (PetscInt j = 0; j < r; ++j) {
        double s = 0;
        for (PetscInt k = 0; k < d; ++k) s += gtg[(size_t)i * d + k] * hz[(size_t)k * r + j];
        zhz[(size_t)i * r + j] = s;
      }
    for (PetscInt i = 0; i < r; ++i)
      for (PetscInt j = 0; j < i; ++j) zhz[(size_t)i * r + j] = zhz[(size_t)j * r + i] = 0.5 * (zhz[(size_t)i * r + j] + zhz[(size_t)j * r + i]);
    PetscCall(SymEig(zhz, r, w, false));
    out->lambdaMinReducedHessian = w[0];
  }
  if (set.norm == NormKind::Frobenius) {
    double sh = 0, sg = 0;
    for (double v : h) sh += v * v;
    for (double v : g) sg += v * v;
    out->normH = std::sqrt(sh);
    out->normG = std::sqrt(sg);
  } else {
    std::vector<double> hs = h;
    for (PetscInt i = 0; i < d; ++i)
      for (PetscInt j = 0; j < i; ++j) hs[(size_t)i * d + j] = hs[(size_t)j * d + i] = 0.5 * (h[(size_t)i * d + j] + h[(size_t)j * d + i]);
    PetscCall(SymEig(hs, d, w, false));
    out->normH = d ? std::max(std::abs(w[0]), std::abs(w[d - 1])) : 0;
    out->normG = std::sqrt(std::max(0.0, maxGGt));
  }
  out->iterations = 0;
  PetscFunctionReturn(0);
}

} // namespace adasketch
} // namespace petal
