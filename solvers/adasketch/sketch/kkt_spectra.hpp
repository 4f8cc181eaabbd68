#pragma once
/* The spectral quantities AdaSketch-Newton's safeguards and accuracy test need, for distributed H (d x d,
 * Hessian of the Lagrangian) and G (m x d, constraint Jacobian):
 *   xi_G           = lambda_min(G G^T)                (the reference aborts below 1e-2: "singular Jacobian")
 *   lambda_min(Z^T H Z), Z an orthonormal basis of null(G) (decides the Hessian modification B = H + (xi_B+|H|) I)
 *   |H|, |G|       (Frobenius, the reference's Julia norm(Matrix); spectral as an option for PDE scale)
 * Small problems (n <= denseLimit): gathered and computed densely (LAPACK). Large ones: iteratively (SLEPc or
 * Lanczos on G G^T and on the null-space-projected H, the projector applied through a KSP on G G^T).
 * Internal to solvers/adasketch/ (implemented in solvers/adasketch/sketch/). */
#include <petscmat.h>

namespace petal {
namespace adasketch {

enum class NormKind { Frobenius, Spectral };

struct SpectraSettings {
  NormKind norm       = NormKind::Frobenius;
  PetscInt denseLimit = 2000; /* d + m at or below which everything is computed densely */
  PetscReal tol       = 1e-6; /* relative accuracy of iterative eigenvalue estimates */
  IS        xState    = nullptr; /* optional (not owned): the state variables, G(:, state) square and invertible;
                                    the iterative path then works through state solves (kkt_spectra_impl.hpp) */
};

struct KKTSpectra {
  PetscReal lambdaMinGGt           = 0;
  PetscReal lambdaMinReducedHessian = 0; /* +inf when m >= d (null(G) = {0}) */
  PetscReal normH = 0, normG = 0;
  PetscInt  iterations = 0; /* eigen-solver iterations (0 on the dense path) */
};

/* Collective on H's communicator. Errors (PETSC_ERR_ARG_WRONG) when H and G do not conform. */
PetscErrorCode ComputeKKTSpectra(Mat H, Mat G, const SpectraSettings &, KKTSpectra *);

} // namespace adasketch
} // namespace petal
