#include "solvers/nlp/nlp_dense.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace petal {
namespace nlp {

std::vector<double> DenseJacobian(const NLPProblem &p, const double *x) {
  const NLPIndex        n = p.NumVariables(), m = p.NumConstraints();
  std::vector<NLPIndex> rows, cols;
  p.JacobianPattern(rows, cols);
  std::vector<double> values(rows.size()), G(size_t(m * n), 0.0);
  p.JacobianValues(x, values.data());
  for (size_t k = 0; k < rows.size(); ++k) G[size_t(rows[k] * n + cols[k])] += values[k];
  return G;
}

std::vector<double> DenseHessian(const NLPProblem &p, const double *x, double sigma, const double *lambda) {
  const NLPIndex        n = p.NumVariables();
  std::vector<NLPIndex> rows, cols;
  p.HessianPattern(rows, cols);
  std::vector<double> values(rows.size()), H(size_t(n * n), 0.0);
  p.HessianValues(x, sigma, lambda, values.data());
  for (size_t k = 0; k < rows.size(); ++k) {
    H[size_t(rows[k] * n + cols[k])] += values[k];
    if (rows[k] != cols[k]) H[size_t(cols[k] * n + rows[k])] += values[k];
  }
  return H;
}

bool LeastSquaresMultipliers(const NLPProblem &p, const double *x, double *lambda) {
  const NLPIndex n = p.NumVariables(), m = p.NumConstraints();
  if (m > 4000) return false;
  const std::vector<double> G = DenseJacobian(p, x);
  std::vector<double>       g(n), A(size_t(m * m), 0.0), b(m, 0.0);
  p.Gradient(x, g.data());
  for (NLPIndex i = 0; i < m; ++i) {
    for (NLPIndex j = 0; j <= i; ++j) {
      double s = 0.0;
      for (NLPIndex k = 0; k < n; ++k) s += G[i * n + k] * G[j * n + k];
      A[i * m + j] = A[j * m + i] = s;
    }
    for (NLPIndex k = 0; k < n; ++k) b[i] -= G[i * n + k] * g[k];
  }
  /* Cholesky A = L L^T in the lower triangle. */
  double dmax = 0.0;
  for (NLPIndex i = 0; i < m; ++i) dmax = std::max(dmax, A[i * m + i]);
  for (NLPIndex j = 0; j < m; ++j) {
    double d = A[j * m + j];
    for (NLPIndex k = 0; k < j; ++k) d -= A[j * m + k] * A[j * m + k];
    if (!(d > 1e-14 * dmax)) return false;
    d            = std::sqrt(d);
    A[j * m + j] = d;
    for (NLPIndex i = j + 1; i < m; ++i) {
      double s = A[i * m + j];
      for (NLPIndex k = 0; k < j; ++k) s -= A[i * m + k] * A[j * m + k];
      A[i * m + j] = s / d;
    }
  }
  for (NLPIndex i = 0; i < m; ++i) { /* L y = b */
    double s = b[i];
    for (NLPIndex k = 0; k < i; ++k) s -= A[i * m + k] * b[k];
    b[i] = s / A[i * m + i];
  }
  for (NLPIndex i = m - 1; i >= 0; --i) { /* L^T lambda = y */
    double s = b[i];
    for (NLPIndex k = i + 1; k < m; ++k) s -= A[k * m + i] * b[k];
    b[i] = s / A[i * m + i];
  }
  for (NLPIndex i = 0; i < m; ++i) lambda[i] = b[i];
  return true;
}

bool DenseSolve(int n, double *A, double *b) {
  for (int j = 0; j < n; ++j) {
    int piv = j;
    for (int i = j + 1; i < n; ++i)
      if (std::fabs(A[i * n + j]) > std::fabs(A[piv * n + j])) piv = i;
    if (!(A[piv * n + j] != 0.0) || !std::isfinite(A[piv * n + j])) return false;
    if (piv != j) {
      for (int k = 0; k < n; ++k) std::swap(A[j * n + k], A[piv * n + k]);
      std::swap(b[j], b[piv]);
    }
    for (int i = j + 1; i < n; ++i) {
      const double l = A[i * n + j] / A[j * n + j];
      if (l == 0.0) continue;
      for (int k = j; k < n; ++k) A[i * n + k] -= l * A[j * n + k];
      b[i] -= l * b[j];
    }
  }
  for (int i = n - 1; i >= 0; --i) {
    double s = b[i];
    for (int k = i + 1; k < n; ++k) s -= A[i * n + k] * b[k];
    b[i] = s / A[i * n + i];
  }
  return true;
}

} // namespace nlp
} // namespace petal
