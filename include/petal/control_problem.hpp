#pragma once
/* The optimal-control problems of petal-control and bench/control, defined once: the serial finite-difference
 * twins in the NLP problem library (include/petal/nlp_problems.hpp) and petal-control's distributed DMDA and
 * DMPlex/PetscFE versions take their data from here. PETSc-free.
 *
 * 1. The AdaSketch paper's Poisson control (2-D; PDE/<method>/Eval.jl of the reference code), N x N interior grid,
 *    h = 2/(N+1), variables (w, z) (w first), d = 2N^2, m = N^2:
 *        min 1/2 sum (w - w_t)^2 + 0.05 sum z^2   s.t.  Delta_h w + z = 0   (5-point Laplacian, w = 0 outside),
 *    w_t(i, j) = PaperTarget(i, j, N), i, j = 1..N. Optima: 9.644442 (N=3), 116.835 (10), 1177.821 (32),
 *    4067.774 (64). petal-control's "paper" problem on a DMDA is this one (3-D: the third term below).
 *
 * 2. Semilinear elliptic control on Omega = (0,1)^D, D = 2 or 3:
 *        min 1/2 |y - y_d|^2_{L2} + alpha/2 |u|^2_{L2}   s.t.  -Delta y + y^3 = u + f in Omega, y = 0 on the boundary,
 *    with the manufactured optimum y* = s, u* = s, s(x) = prod_k sin(pi x_k), adjoint (TAO's multiplier of the
 *    constraint written as c = -Delta y + y^3 - u - f) lambda* = alpha u*, so that
 *        f   = D pi^2 s + s^3 - s,
 *        y_d = s + alpha (D pi^2 s + 3 s^3)       (from  y - y_d + (-Delta + 3 y^2) lambda = 0, alpha u = lambda).
 *    Finite differences (library and DMDA): N^D interior points x = (i+1)/(N+1), i = 0..N-1, h = 1/(N+1),
 *        f_h = h^D [1/2 sum (y - y_d)^2 + alpha/2 sum u^2],  c_i = (A_h y)_i + y_i^3 - u_i - f_i,
 *    A_h the (2D+1)-point -Delta_h (unscaled, 1/h^2), variables (y, u) (y first): G = [A_h + 3 diag(y^2), -I] has
 *    full row rank, and the discrete optimum approaches (s, s) as O(h^2). The DMPlex version is the P1 finite
 *    element discretisation of the same continuous problem. Default alpha = 1e-2. */
#include <cmath>

namespace petal {
namespace control {

constexpr double kPi           = 3.14159265358979323846;
constexpr double kDefaultAlpha = 1e-2;

/* The reference code's target w_t at grid index (i, j[, k]), 1-based, on the N^D grid:
 * sin(4 + a (i - (N+1)/2)) + cos(3 + a (j - (N+1)/2)) [+ sin(5 + a (k - (N+1)/2)) in 3-D], a = 0.1/sqrt(15). */
inline double PaperTarget(int i, int j, int N) {
  const double a = 0.1 / std::sqrt(15.0), c = 0.5 * (N + 1);
  return std::sin(4.0 + a * (i - c)) + std::cos(3.0 + a * (j - c));
}
inline double PaperTarget3(int i, int j, int k, int N) {
  const double a = 0.1 / std::sqrt(15.0), c = 0.5 * (N + 1);
  return PaperTarget(i, j, N) + std::sin(5.0 + a * (k - c));
}
constexpr double kPaperControlWeight = 0.05; /* the 0.05 of 0.05 sum z^2 */

/* s(x) = prod_k sin(pi x_k) for the first D coordinates of x. */
inline double Bump(const double *x, int D) {
  double s = 1.0;
  for (int k = 0; k < D; ++k) s *= std::sin(kPi * x[k]);
  return s;
}
/* The semilinear problem's data at a point x of Omega. */
inline double SemilinearSource(const double *x, int D) {
  const double s = Bump(x, D);
  return D * kPi * kPi * s + s * s * s - s;
}
inline double SemilinearTarget(const double *x, int D, double alpha) {
  const double s = Bump(x, D);
  return s + alpha * (D * kPi * kPi * s + 3.0 * s * s * s);
}
/* The manufactured optimum (continuous): y* = u* = s, lambda* = alpha s. */
inline double SemilinearOptimalState(const double *x, int D) { return Bump(x, D); }

} // namespace control
} // namespace petal
