#pragma once
// Distributed H and G for the KKT-spectra tests and timings, with closed-form spectra:
//  - DiagonalPair: G = [D, -I] (m = k, d = 2k), H = diag(a, b). lambda_min(G G^T) = 1 + min d_i^2; null(G) is spanned
//    by (e_i, d_i e_i) / sqrt(1 + d_i^2), on which H is diagonal: lambda(Z^T H Z) = (a_i + b_i d_i^2) / (1 + d_i^2).
//  - PoissonControl (the paper's 2-D problem, or its 3-D analogue): G = [L_h, I], H = diag(hw I, hz I), L_h the
//    5- (7-) point Laplacian with eigenvalues mu = -(4/h^2) sum_k sin^2(p_k pi / (2(N+1))). Then G G^T = L^2 + I
//    (lambda_min = 1 + min mu^2) and on null(G) = {(w, -L w)}: lambda = (hw + hz mu^2) / (1 + mu^2), the minimum at
//    the mu of largest (if hz < hw) or smallest modulus.
#include <petscmat.h>
#include <algorithm>
#include <cmath>
#include <vector>

namespace kkt_mats {

/* H = diag(a, b) (2k x 2k), G = [diag(dv), -I] (k x 2k), PETSC_DECIDE layouts (consistent between H and G). */
inline PetscErrorCode DiagonalPair(MPI_Comm comm, const std::vector<double> &a, const std::vector<double> &b, const std::vector<double> &dv, Mat *H, Mat *G)
{
  PetscFunctionBegin;
  const PetscInt k = (PetscInt)a.size();
  PetscCall(MatCreateAIJ(comm, PETSC_DECIDE, PETSC_DECIDE, 2 * k, 2 * k, 1, NULL, 1, NULL, H));
  PetscCall(MatCreateAIJ(comm, PETSC_DECIDE, PETSC_DECIDE, k, 2 * k, 2, NULL, 2, NULL, G));
  PetscInt r0, r1;
  PetscCall(MatGetOwnershipRange(*H, &r0, &r1));
  for (PetscInt i = r0; i < r1; ++i) PetscCall(MatSetValue(*H, i, i, i < k ? a[i] : b[i - k], INSERT_VALUES));
  PetscCall(MatGetOwnershipRange(*G, &r0, &r1));
  for (PetscInt i = r0; i < r1; ++i) {
    PetscCall(MatSetValue(*G, i, i, dv[i], INSERT_VALUES));
    PetscCall(MatSetValue(*G, i, k + i, -1.0, INSERT_VALUES));
  }
  for (Mat A : {*H, *G}) {
    PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  }
  PetscFunctionReturn(0);
}

/* The Poisson control H, G on an N^D grid (D = 2 or 3), h = 2/(N+1) (the paper's) or given. */
inline PetscErrorCode PoissonControl(MPI_Comm comm, PetscInt N, int D, double h, double hw, double hz, Mat *H, Mat *G)
{
  PetscFunctionBegin;
  const PetscInt nn = D == 2 ? N * N : N * N * N;
  const double   ih2 = 1.0 / (h * h);
  PetscCall(MatCreateAIJ(comm, PETSC_DECIDE, PETSC_DECIDE, 2 * nn, 2 * nn, 1, NULL, 1, NULL, H));
  PetscCall(MatCreateAIJ(comm, PETSC_DECIDE, PETSC_DECIDE, nn, 2 * nn, 2 * D + 2, NULL, 2 * D + 2, NULL, G));
  PetscInt r0, r1;
  PetscCall(MatGetOwnershipRange(*H, &r0, &r1));
  for (PetscInt i = r0; i < r1; ++i) PetscCall(MatSetValue(*H, i, i, i < nn ? hw : hz, INSERT_VALUES));
  PetscCall(MatGetOwnershipRange(*G, &r0, &r1));
  for (PetscInt row = r0; row < r1; ++row) {
    PetscInt idx[3] = {row % N, (row / N) % N, D == 3 ? row / (N * N) : 0}, stride[3] = {1, N, N * N};
    PetscCall(MatSetValue(*G, row, row, -2.0 * D * ih2, INSERT_VALUES));
    for (int k = 0; k < D; ++k) {
      if (idx[k] > 0) PetscCall(MatSetValue(*G, row, row - stride[k], ih2, INSERT_VALUES));
      if (idx[k] < N - 1) PetscCall(MatSetValue(*G, row, row + stride[k], ih2, INSERT_VALUES));
    }
    PetscCall(MatSetValue(*G, row, nn + row, 1.0, INSERT_VALUES));
  }
  for (Mat A : {*H, *G}) {
    PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  }
  PetscFunctionReturn(0);
}

struct ClosedForm {
  double lambdaMinGGt, lambdaMinReduced, normGspectral;
};

/* The closed-form spectra of PoissonControl (see the file comment). */
inline ClosedForm PoissonControlSpectra(PetscInt N, int D, double h, double hw, double hz)
{
  const double pi = 3.14159265358979323846, s1 = std::sin(pi / (2.0 * (N + 1))), sN = std::sin(N * pi / (2.0 * (N + 1)));
  const double muMin = 4.0 / (h * h) * D * s1 * s1, muMax = 4.0 / (h * h) * D * sN * sN; // |mu| range
  auto         red   = [&](double mu) { return (hw + hz * mu * mu) / (1 + mu * mu); };
  return {1 + muMin * muMin, std::min(red(muMin), red(muMax)), std::sqrt(1 + muMax * muMax)};
}

} // namespace kkt_mats
