#pragma once
// Small dense least-squares kernels for ChebCB: minimum-norm least squares (one-sided Jacobi SVD) and
// box-constrained least squares (an active-set method of the BVLS / Lawson-Hanson kind). Matrices are
// row-major std::vector<double> of rows x cols; sizes are small (cols = number of Chebyshev features).
#include <cstddef>
#include <vector>

namespace petal::bandits {

/* Minimum-norm solution of min ||A x - b||_2 (the pseudo-inverse solution, as MATLAB's lsqminnorm).
 * Singular values below rtol * sigma_max are treated as zero. */
std::vector<double> MinNormLeastSquares(const std::vector<double> &A, std::size_t rows, std::size_t cols,
                                        const std::vector<double> &b, double rtol = 1e-12);

struct BoxLsqResult {
  std::vector<double> x; // the solution, lb <= x <= ub exactly
  double resnorm = 0.0;  // ||A x - b||_2^2
  int iterations = 0;    // outer (freeing) plus inner (binding) steps
  bool converged = false; // KKT conditions met (to a relative tolerance) before the iteration cap
};

/* min ||A x - b||_2^2 subject to lb <= x <= ub (componentwise, lb_j <= ub_j finite; lb_j == ub_j fixes x_j).
 * Active-set method: start from x0 clipped to the box (or the point of the box nearest 0) with every
 * non-fixed variable free; repeatedly solve the least-squares problem of the free variables (minimum-norm,
 * so rank-deficient A is fine), step towards its solution until a bound blocks and bind that variable; when
 * the free problem's solution is feasible, free the bound variable whose gradient most violates the KKT
 * conditions, until none does. Every step keeps x feasible and does not increase the objective, so even if
 * the iteration cap is hit the returned x is feasible. Throws std::invalid_argument on inconsistent sizes or
 * bounds. */
BoxLsqResult BoxLeastSquares(const std::vector<double> &A, std::size_t rows, std::size_t cols,
                             const std::vector<double> &b, const std::vector<double> &lb,
                             const std::vector<double> &ub, const std::vector<double> &x0 = {});

} // namespace petal::bandits
