#pragma once
/* w = M^+ b for a small symmetric positive semidefinite M (q x q, column-major), callable on host and device:
 * cyclic Jacobi eigen-decomposition M = V diag(lam) V^T, then w = sum over lam_k > cutoff * max(lam) of
 * (v_k^T b / lam_k) v_k. Used by the Kokkos sketch solver inside its kernels (the reference solver uses
 * LAPACK's dsyev instead, so the tests compare two independent solves). */
#include "core/counter_rng.hpp"

namespace petal {
namespace adasketch {
namespace sketch {

/* A is overwritten (its diagonal ends up holding the eigenvalues), V receives the eigenvectors. */
KOKKOS_INLINE_FUNCTION void JacobiPseudoInverseSolve(int q, double *A, double *V, const double *b, double *w, double cutoff)
{
  if (q == 1) {
    w[0] = A[0] > 0 ? b[0] / A[0] : 0.0;
    return;
  }
  for (int j = 0; j < q; ++j)
    for (int i = 0; i < q; ++i) V[i + j * q] = (i == j) ? 1.0 : 0.0;
  for (int sweep = 0; sweep < 60; ++sweep) {
    double off = 0, all = 0;
    for (int j = 0; j < q; ++j)
      for (int i = 0; i < q; ++i) {
        const double a2 = A[i + j * q] * A[i + j * q];
        all += a2;
        if (i != j) off += a2;
      }
    if (!(off > 1e-32 * all)) break; // also stops on all == 0
    for (int p = 0; p < q - 1; ++p)
      for (int r = p + 1; r < q; ++r) {
        const double apr = A[p + r * q];
        if (apr == 0) continue;
        /* the rotation that zeroes A(p, r): t = tan(phi), the smaller root of t^2 + 2 theta t - 1 = 0 */
        const double theta = (A[r + r * q] - A[p + p * q]) / (2 * apr);
        const double at    = theta < 0 ? -theta : theta;
        double       t     = at > 1e150 ? 0.5 / at : 1.0 / (at + counter_rng_math::sqrt(theta * theta + 1.0));
        if (theta < 0) t = -t;
        const double c = 1.0 / counter_rng_math::sqrt(t * t + 1.0), s = t * c;
        for (int k = 0; k < q; ++k) { // columns p, r of A J and of V J
          const double akp = A[k + p * q], akr = A[k + r * q];
          A[k + p * q]     = c * akp - s * akr;
          A[k + r * q]     = s * akp + c * akr;
          const double vkp = V[k + p * q], vkr = V[k + r * q];
          V[k + p * q]     = c * vkp - s * vkr;
          V[k + r * q]     = s * vkp + c * vkr;
        }
        for (int k = 0; k < q; ++k) { // rows p, r of J^T (A J)
          const double apk = A[p + k * q], ark = A[r + k * q];
          A[p + k * q]     = c * apk - s * ark;
          A[r + k * q]     = s * apk + c * ark;
        }
      }
  }
  double lmax = 0;
  for (int k = 0; k < q; ++k) lmax = A[k + k * q] > lmax ? A[k + k * q] : lmax;
  for (int a = 0; a < q; ++a) w[a] = 0;
  if (!(lmax > 0)) return;
  for (int k = 0; k < q; ++k) {
    const double lam = A[k + k * q];
    if (lam <= cutoff * lmax) continue;
    double cb = 0;
    for (int a = 0; a < q; ++a) cb += V[a + k * q] * b[a];
    cb /= lam;
    for (int a = 0; a < q; ++a) w[a] += cb * V[a + k * q];
  }
}

} // namespace sketch
} // namespace adasketch
} // namespace petal
