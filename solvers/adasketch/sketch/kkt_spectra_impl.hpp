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

} // namespace spectra
} // namespace adasketch
} // namespace petal
