#pragma once
/* The two paths behind ComputeKKTSpectra (kkt_spectra.cpp checks the input and picks one). */
#include "solvers/adasketch/sketch/kkt_spectra.hpp"

namespace petal {
namespace adasketch {
namespace spectra {

/* Gathers H and G to every rank and uses LAPACK: eigenvalues of G G^T, an orthonormal basis Z of null(G) from a
 * QR factorisation of G^T (an SVD when G is rank deficient), eigenvalues of Z^T H Z. Every rank computes the same
 * numbers from the same gathered data. */
PetscErrorCode ComputeDense(Mat H, Mat G, const SpectraSettings &, KKTSpectra *);

/* Krylov eigensolvers (SLEPc) on G G^T (shift-and-invert through CG on an assembled G G^T) and on the projected
 * Hessian P H P + sigma (I - P), P = I - G^T (G G^T)^{-1} G; norms by MatNorm (Frobenius) or Krylov (spectral). */
PetscErrorCode ComputeIterative(Mat H, Mat G, const SpectraSettings &, KKTSpectra *);

/* With a state split (SpectraSettings::xState, G_y = G(:, state) square and invertible): no G G^T factorisation;
 * solves with G_y and G_y^T (GMRES + BoomerAMG, prefix -petal_spectra_state_) instead. lambda_min(G G^T) is
 * replaced by its lower bound sigma_min(G_y)^2 + lambda_min(G_u G_u^T) (the second term only when G_u is square),
 * lambda_min(Z^T H Z) by lambda_min(W) / (1 + |G_u|^2 / sigma_min(G_y)^2) when positive (W = Y^T H Y,
 * Y = [-G_y^-1 G_u; I] a null-space basis: a lower bound of the Rayleigh quotients of H on null(G); the sign is
 * exact). */
PetscErrorCode ComputeWithStateSplit(Mat H, Mat G, const SpectraSettings &, KKTSpectra *);

#if defined(PETAL_HAVE_SLEPC)
PetscErrorCode StartSlepc();
/* One eigenvalue of the symmetric operator A with SLEPc's Krylov-Schur (see kkt_spectra_iterative.cpp). */
PetscErrorCode DominantOrExtremeEigenvalue(Mat A, int which /* EPSWhich */, PetscReal tol, PetscReal absTol, PetscInt ncv, PetscReal *lambda, PetscInt *its);
#endif

} // namespace spectra
} // namespace adasketch
} // namespace petal
