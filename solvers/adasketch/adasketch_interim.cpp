// TEMPORARY (until branch ada-sketch provides solvers/adasketch/sketch/): a minimal dense ComputeKKTSpectra and a
// plain host sketch-and-project solver (q = 1 only), so that the TAO type and its tests run. Compiled only when
// sketch/ has no implementation (solvers/adasketch/CMakeLists.txt decides); then PETAL_ADASKETCH_INTERIM is defined.
// Nothing here is the agreed implementation: delete this file once ada-sketch is merged.
#include "solvers/adasketch/adasketch_impl.hpp"
#include "core/splitmix64.hpp"
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

class InterimSketchSolver : public SketchSolver {
public:
  explicit InterimSketchSolver(const SketchSettings &s) : s_(s)
  {
    if (s.block != 1) throw std::invalid_argument("the interim sketch solver supports block size 1 only");
  }
  void SetOperator(const KKTCsr &K) override
  {
    K_ = K;
    rowNorm2_.assign(K.n, 0.0);
    for (std::int64_t i = 0; i < K.n; ++i)
      for (std::int64_t k = K.rowptr[i]; k < K.rowptr[i + 1]; ++k) rowNorm2_[i] += K.val[k] * K.val[k];
  }
  SketchStats Solve(std::vector<double> &z, const std::vector<double> &g, double target, std::int64_t maxSteps, std::uint64_t stream) override
  {
    const std::int64_t  n = K_.n;
    std::vector<double> r(n), d(n), Kd(n);
    Multiply(z, r);
    for (std::int64_t i = 0; i < n; ++i) r[i] += g[i];
    SketchStats st;
    double      rn = Norm(r);
    while (rn > target && st.steps < maxSteps) {
      SplitMix64 rng(SplitMix64Mix(s_.seed ^ SplitMix64Mix(stream)) + (std::uint64_t)st.steps);
      std::fill(d.begin(), d.end(), 0.0);
      double a = 0, dd = 0;
      if (s_.kind == SketchKind::Kaczmarz) {
        const std::int64_t i = (std::int64_t)(rng.Uniform() * n) % n;
        if (rowNorm2_[i] == 0) {
          ++st.steps;
          continue;
        }
        for (std::int64_t k = K_.rowptr[i]; k < K_.rowptr[i + 1]; ++k) d[K_.col[k]] = K_.val[k]; /* K e_i = row i (K symmetric) */
        a  = r[i];
        dd = rowNorm2_[i];
      } else {
        std::vector<double> s(n);
        for (auto &v : s) { /* Box-Muller */
          const double u1 = std::max(rng.Uniform(), 1e-300), u2 = rng.Uniform();
          v = std::sqrt(-2 * std::log(u1)) * std::cos(2 * 3.14159265358979323846 * u2);
        }
        Multiply(s, d);
        for (std::int64_t i = 0; i < n; ++i) {
          a += s[i] * r[i];
          dd += d[i] * d[i];
        }
        if (dd == 0) {
          ++st.steps;
          continue;
        }
      }
      const double t = a / dd;
      Multiply(d, Kd);
      for (std::int64_t i = 0; i < n; ++i) {
        z[i] -= t * d[i];
        r[i] -= t * Kd[i];
      }
      rn = Norm(r);
      ++st.steps;
    }
    st.residualNorm  = rn;
    st.reachedTarget = rn <= target;
    return st;
  }

private:
  void Multiply(const std::vector<double> &x, std::vector<double> &y) const
  {
    for (std::int64_t i = 0; i < K_.n; ++i) {
      double s = 0;
      for (std::int64_t k = K_.rowptr[i]; k < K_.rowptr[i + 1]; ++k) s += K_.val[k] * x[K_.col[k]];
      y[i] = s;
    }
  }
  static double Norm(const std::vector<double> &v)
  {
    double s = 0;
    for (double x : v) s += x * x;
    return std::sqrt(s);
  }
  SketchSettings      s_;
  KKTCsr              K_;
  std::vector<double> rowNorm2_;
};

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

std::unique_ptr<SketchSolver> CreateSketchSolver(const SketchSettings &s, bool) { return std::make_unique<InterimSketchSolver>(s); }

} // namespace adasketch
} // namespace petal
