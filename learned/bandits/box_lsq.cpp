#include "learned/bandits/box_lsq.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace petal::bandits {

namespace {

/* One-sided (Hestenes) Jacobi: orthogonalises the columns of U (rows x cols, row-major, overwritten) by
 * plane rotations accumulated in V (cols x cols), so that A = U V^T with orthogonal columns of U;
 * the singular values are the column norms of U. Accurate for small matrices, including singular ones. */
void OneSidedJacobi(std::vector<double> &U, std::size_t rows, std::size_t cols, std::vector<double> &V)
{
  V.assign(cols * cols, 0.0);
  for (std::size_t j = 0; j < cols; ++j) V[j * cols + j] = 1.0;
  constexpr double tol = 4 * std::numeric_limits<double>::epsilon();
  for (int sweep = 0; sweep < 80; ++sweep) {
    bool rotated = false;
    for (std::size_t p = 0; p + 1 < cols; ++p) {
      for (std::size_t q = p + 1; q < cols; ++q) {
        double alpha = 0.0, beta = 0.0, gamma = 0.0;
        for (std::size_t i = 0; i < rows; ++i) {
          const double up = U[i * cols + p], uq = U[i * cols + q];
          alpha += up * up;
          beta += uq * uq;
          gamma += up * uq;
        }
        if (gamma == 0.0 || std::abs(gamma) <= tol * std::sqrt(alpha) * std::sqrt(beta)) continue;
        rotated            = true;
        const double zeta  = (beta - alpha) / (2.0 * gamma);
        const double t     = (std::abs(zeta) > 1e150) ? 0.5 / zeta
                                                      : std::copysign(1.0, zeta) / (std::abs(zeta) + std::sqrt(1.0 + zeta * zeta));
        const double c     = 1.0 / std::sqrt(1.0 + t * t);
        const double s     = c * t;
        for (std::size_t i = 0; i < rows; ++i) {
          const double up = U[i * cols + p], uq = U[i * cols + q];
          U[i * cols + p] = c * up - s * uq;
          U[i * cols + q] = s * up + c * uq;
        }
        for (std::size_t i = 0; i < cols; ++i) {
          const double vp = V[i * cols + p], vq = V[i * cols + q];
          V[i * cols + p] = c * vp - s * vq;
          V[i * cols + q] = s * vp + c * vq;
        }
      }
    }
    if (!rotated) break;
  }
}

double Residual2(const std::vector<double> &A, std::size_t rows, std::size_t cols, const std::vector<double> &b,
                 const std::vector<double> &x, std::vector<double> *r = nullptr)
{
  double s = 0.0;
  if (r) r->resize(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    double ri = b[i];
    for (std::size_t j = 0; j < cols; ++j) ri -= A[i * cols + j] * x[j];
    if (r) (*r)[i] = ri;
    s += ri * ri;
  }
  return s;
}


/* Fast path of MinNormLeastSquares for full-column-rank, well-conditioned A (rows >= cols): Householder QR,
 * then the explicit inverse of the triangular factor gives the exact 1-norm condition number. If
 * cond_1(R) <= kMaxCondition, sigma_min/sigma_max >= 1/(sqrt(cols) cond_1) is far above any rtol the SVD path
 * is used with, so the SVD would truncate nothing and the unique least-squares solution is the minimum-norm
 * one: x = R^{-1} Q^T b. Returns false (x untouched) when the fast path does not apply. Why: ChebCB refits a
 * 6 x 6 triangular system every round, and the Jacobi SVD cost about 3 us of its 9 us per round. */
constexpr double kMaxCondition = 1e8;

bool WellConditionedLeastSquares(const std::vector<double> &A, std::size_t rows, std::size_t cols,
                                 const std::vector<double> &b, double rtol, std::vector<double> &x)
{
  if (rows < cols || !(rtol * kMaxCondition * std::sqrt(static_cast<double>(cols)) < 1.0)) return false;
  std::vector<double> R = A, y = b, v(rows);
  for (std::size_t k = 0; k < cols; ++k) { // Householder reflection of column k, applied to R and y
    double norm = 0.0;
    for (std::size_t i = k; i < rows; ++i) norm += R[i * cols + k] * R[i * cols + k];
    norm = std::sqrt(norm);
    if (!(norm > 0.0) || !std::isfinite(norm)) return false;
    const double alpha = R[k * cols + k] > 0.0 ? -norm : norm;
    for (std::size_t i = k; i < rows; ++i) v[i - k] = R[i * cols + k];
    v[0] -= alpha;
    double vv = 0.0;
    for (std::size_t i = 0; i < rows - k; ++i) vv += v[i] * v[i];
    if (vv > 0.0) {
      for (std::size_t j = k; j < cols; ++j) {
        double dot = 0.0;
        for (std::size_t i = k; i < rows; ++i) dot += v[i - k] * R[i * cols + j];
        const double f = 2.0 * dot / vv;
        for (std::size_t i = k; i < rows; ++i) R[i * cols + j] -= f * v[i - k];
      }
      double dot = 0.0;
      for (std::size_t i = k; i < rows; ++i) dot += v[i - k] * y[i];
      const double f = 2.0 * dot / vv;
      for (std::size_t i = k; i < rows; ++i) y[i] -= f * v[i - k];
    }
  }
  // Rinv (upper triangular) column by column; cond_1 = ||R||_1 ||Rinv||_1.
  std::vector<double> Rinv(cols * cols, 0.0);
  for (std::size_t j = 0; j < cols; ++j) {
    Rinv[j * cols + j] = 1.0 / R[j * cols + j];
    for (std::size_t ii = j; ii-- > 0;) {
      double s = 0.0;
      for (std::size_t l = ii + 1; l <= j; ++l) s += R[ii * cols + l] * Rinv[l * cols + j];
      Rinv[ii * cols + j] = -s / R[ii * cols + ii];
    }
  }
  double normR = 0.0, normRinv = 0.0;
  for (std::size_t j = 0; j < cols; ++j) {
    double cr = 0.0, ci = 0.0;
    for (std::size_t i = 0; i <= j; ++i) {
      cr += std::abs(R[i * cols + j]);
      ci += std::abs(Rinv[i * cols + j]);
    }
    normR    = std::max(normR, cr);
    normRinv = std::max(normRinv, ci);
  }
  const double cond = normR * normRinv;
  if (!std::isfinite(cond) || cond > kMaxCondition) return false;
  x.assign(cols, 0.0);
  for (std::size_t i = 0; i < cols; ++i)
    for (std::size_t j = i; j < cols; ++j) x[i] += Rinv[i * cols + j] * y[j];
  return true;
}

} // namespace

std::vector<double> MinNormLeastSquares(const std::vector<double> &A, std::size_t rows, std::size_t cols,
                                        const std::vector<double> &b, double rtol)
{
  if (A.size() != rows * cols || b.size() != rows) throw std::invalid_argument("petal::bandits::MinNormLeastSquares: inconsistent sizes");
  std::vector<double> x(cols, 0.0);
  if (cols == 0 || rows == 0) return x;
  if (WellConditionedLeastSquares(A, rows, cols, b, rtol, x)) return x;
  std::vector<double> U = A, V;
  OneSidedJacobi(U, rows, cols, V);
  std::vector<double> sigma(cols, 0.0);
  double              smax = 0.0;
  for (std::size_t j = 0; j < cols; ++j) {
    double s = 0.0;
    for (std::size_t i = 0; i < rows; ++i) s += U[i * cols + j] * U[i * cols + j];
    sigma[j] = std::sqrt(s);
    smax     = std::max(smax, sigma[j]);
  }
  if (!(smax > 0.0)) return x;
  // x = sum_j v_j (u_j^T b) / sigma_j with u_j = U(:, j)/sigma_j, i.e. v_j (U(:, j)^T b) / sigma_j^2.
  for (std::size_t j = 0; j < cols; ++j) {
    if (!(sigma[j] > rtol * smax)) continue;
    double ub = 0.0;
    for (std::size_t i = 0; i < rows; ++i) ub += U[i * cols + j] * b[i];
    const double coef = ub / (sigma[j] * sigma[j]);
    for (std::size_t i = 0; i < cols; ++i) x[i] += V[i * cols + j] * coef;
  }
  return x;
}

BoxLsqResult BoxLeastSquares(const std::vector<double> &A, std::size_t rows, std::size_t cols,
                             const std::vector<double> &b, const std::vector<double> &lb,
                             const std::vector<double> &ub, const std::vector<double> &x0)
{
  if (A.size() != rows * cols || b.size() != rows || lb.size() != cols || ub.size() != cols || (!x0.empty() && x0.size() != cols))
    throw std::invalid_argument("petal::bandits::BoxLeastSquares: inconsistent sizes");
  for (std::size_t j = 0; j < cols; ++j)
    if (!std::isfinite(lb[j]) || !std::isfinite(ub[j]) || !(lb[j] <= ub[j]))
      throw std::invalid_argument("petal::bandits::BoxLeastSquares: bounds must be finite with lb <= ub");

  enum Where { kFree, kLower, kUpper };
  BoxLsqResult res;
  std::vector<double> &x = res.x;
  x.assign(cols, 0.0);
  std::vector<Where> where(cols, kFree);
  std::vector<bool>  fixed(cols, false);
  for (std::size_t j = 0; j < cols; ++j) {
    const double start = x0.empty() ? 0.0 : (std::isfinite(x0[j]) ? x0[j] : 0.0);
    x[j]               = std::min(std::max(start, lb[j]), ub[j]);
    if (lb[j] == ub[j]) {
      fixed[j] = true;
      where[j] = kLower;
      x[j]     = lb[j];
    }
  }

  // Scale for the KKT tolerance: |grad_j| = |A_j^T r| <= ||A_j|| ||r||.
  double anorm = 0.0, bnorm = 0.0;
  for (double v : A) anorm += v * v;
  for (double v : b) bnorm += v * v;
  anorm = std::sqrt(anorm);
  bnorm = std::sqrt(bnorm);

  const int max_outer = 20 + 10 * static_cast<int>(cols);
  std::vector<bool> tabu(cols, false); // freed variables that were re-bound at once without any progress
  std::size_t       just_freed = cols;
  std::vector<std::size_t> F;
  std::vector<double> AF, rhs, r;
  for (int outer = 0; outer < max_outer; ++outer) {
    // Inner loop: minimise over the free variables, binding those that block the way.
    bool progressed = false;
    for (std::size_t inner = 0; inner <= cols; ++inner) {
      F.clear();
      for (std::size_t j = 0; j < cols; ++j)
        if (where[j] == kFree) F.push_back(j);
      if (F.empty()) break;
      ++res.iterations;
      const std::size_t nf = F.size();
      AF.assign(rows * nf, 0.0);
      rhs.assign(b.begin(), b.end());
      for (std::size_t i = 0; i < rows; ++i) {
        for (std::size_t jj = 0; jj < nf; ++jj) AF[i * nf + jj] = A[i * cols + F[jj]];
        for (std::size_t j = 0; j < cols; ++j)
          if (where[j] != kFree) rhs[i] -= A[i * cols + j] * x[j];
      }
      const std::vector<double> z = MinNormLeastSquares(AF, rows, nf, rhs);
      double      step  = 1.0;
      std::size_t block = cols;
      for (std::size_t jj = 0; jj < nf; ++jj) {
        const std::size_t j = F[jj];
        double            a = 1.0;
        if (z[jj] < lb[j]) a = (lb[j] - x[j]) / (z[jj] - x[j]);
        else if (z[jj] > ub[j]) a = (ub[j] - x[j]) / (z[jj] - x[j]);
        else continue;
        a = std::min(std::max(a, 0.0), 1.0);
        if (block == cols || a < step) {
          step  = a;
          block = j;
        }
      }
      if (block == cols) { // the free problem's solution is feasible
        for (std::size_t jj = 0; jj < nf; ++jj) x[F[jj]] = z[jj];
        progressed = true;
        break;
      }
      for (std::size_t jj = 0; jj < nf; ++jj) {
        const std::size_t j = F[jj];
        x[j]                = std::min(std::max(x[j] + step * (z[jj] - x[j]), lb[j]), ub[j]);
      }
      if (step > 0.0) progressed = true;
      // Bind the blocking variable and any other that reached its bound.
      for (std::size_t jj = 0; jj < nf; ++jj) {
        const std::size_t j = F[jj];
        if (j == block) {
          x[j]     = z[jj] < lb[j] ? lb[j] : ub[j];
          where[j] = z[jj] < lb[j] ? kLower : kUpper;
        } else if (x[j] <= lb[j] && z[jj] < lb[j]) {
          x[j]     = lb[j];
          where[j] = kLower;
        } else if (x[j] >= ub[j] && z[jj] > ub[j]) {
          x[j]     = ub[j];
          where[j] = kUpper;
        }
      }
      if (!progressed && just_freed < cols && where[just_freed] != kFree) tabu[just_freed] = true;
    }
    if (progressed) std::fill(tabu.begin(), tabu.end(), false);

    // KKT check on the bound variables: the negative gradient g = A^T (b - A x) must point out of the box.
    double xnorm = 0.0;
    for (double v : x) xnorm += v * v;
    const double gtol = 1e-12 * anorm * (bnorm + anorm * std::sqrt(xnorm));
    Residual2(A, rows, cols, b, x, &r);
    std::size_t best  = cols;
    double      viol  = 0.0;
    bool        stuck = false;
    for (std::size_t j = 0; j < cols; ++j) {
      if (where[j] == kFree || fixed[j]) continue;
      double g = 0.0;
      for (std::size_t i = 0; i < rows; ++i) g += A[i * cols + j] * r[i];
      const double v = where[j] == kLower ? g : -g;
      if (!(v > gtol)) continue;
      if (tabu[j]) {
        stuck = true;
      } else if (v > viol) {
        viol = v;
        best = j;
      }
    }
    if (best == cols) {
      res.converged = !stuck;
      break;
    }
    where[best] = kFree;
    just_freed  = best;
    ++res.iterations;
  }
  res.resnorm = Residual2(A, rows, cols, b, x);
  return res;
}

} // namespace petal::bandits
