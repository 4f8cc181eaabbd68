#pragma once
// Test problems of the DCDM solver tests: 3-D 7-point Laplacians on a DMDA (DMCreateMatrix, so the matrix knows
// its grid), deterministic right-hand sides, and a random-weights file.
#include "dcdm_test_util.hpp"
#include "dcdm_test_weights.hpp"
#include <petal/cnn.hpp>
#include <petal/dcdm_weights.hpp>
#include <petscdmda.h>
#include <petscksp.h>
#include <cmath>
#include <cstdio>

namespace dcdm_test {

enum class Boundary { Dirichlet, Neumann, DirichletRows };

// The 7-point Laplacian on an M x N x P DMDA:
//   Dirichlet:     zero Dirichlet values eliminated (diagonal 6, every cell an unknown), SPD;
//   Neumann:       no flux through the box (diagonal = number of neighbours), singular, constant null space
//                  attached to the matrix;
//   DirichletRows: the boundary cells are identity rows (only a diagonal), the interior as Dirichlet.
// `sign` -1 gives the negated (negative definite) operator.
inline Mat Laplacian(DM da, Boundary bc, double sign = 1.0)
{
  Mat      A;
  PetscInt M, N, P, xs, ys, zs, xm, ym, zm;
  EXPECT_EQ(DMDAGetInfo(da, NULL, &M, &N, &P, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), 0);
  EXPECT_EQ(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm), 0);
  EXPECT_EQ(DMCreateMatrix(da, &A), 0);
  for (PetscInt k = zs; k < zs + zm; ++k)
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i) {
        MatStencil  row = {k, j, i, 0}, col[7];
        PetscScalar v[7];
        PetscInt    n        = 0;
        const bool  boundary = i == 0 || j == 0 || k == 0 || i == M - 1 || j == N - 1 || k == P - 1;
        if (bc == Boundary::DirichletRows && boundary) {
          col[0] = row, v[0] = sign * 1.0;
          EXPECT_EQ(MatSetValuesStencil(A, 1, &row, 1, col, v, INSERT_VALUES), 0);
          continue;
        }
        const PetscInt nb[6][3] = {{i - 1, j, k}, {i + 1, j, k}, {i, j - 1, k}, {i, j + 1, k}, {i, j, k - 1}, {i, j, k + 1}};
        PetscScalar    diag     = 0;
        for (const auto &c : nb) {
          const bool inside = c[0] >= 0 && c[0] < M && c[1] >= 0 && c[1] < N && c[2] >= 0 && c[2] < P;
          if (bc != Boundary::Neumann || inside) diag += 1.0;
          if (!inside) continue;
          const bool fixed = bc == Boundary::DirichletRows && (c[0] == 0 || c[1] == 0 || c[2] == 0 || c[0] == M - 1 || c[1] == N - 1 || c[2] == P - 1);
          if (fixed) continue; // eliminated: the identity row holds a zero value
          col[n].i = c[0], col[n].j = c[1], col[n].k = c[2], col[n].c = 0;
          v[n++]   = -sign;
        }
        col[n] = row, v[n++] = sign * diag;
        EXPECT_EQ(MatSetValuesStencil(A, 1, &row, n, col, v, INSERT_VALUES), 0);
      }
  EXPECT_EQ(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY), 0);
  EXPECT_EQ(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY), 0);
  if (bc == Boundary::Neumann) {
    MatNullSpace ns;
    EXPECT_EQ(MatNullSpaceCreate(Comm(), PETSC_TRUE, 0, NULL, &ns), 0);
    EXPECT_EQ(MatSetNullSpace(A, ns), 0);
    MatNullSpaceDestroy(&ns);
  }
  return A;
}

inline DM Grid(PetscInt M, PetscInt N, PetscInt P)
{
  DM da;
  EXPECT_EQ(DMDACreate3d(Comm(), DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, M, N, P, PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, NULL, &da), 0);
  EXPECT_EQ(DMSetUp(da), 0);
  return da;
}

// b(x, y, z): smooth plus a rough part, the same on any number of ranks; zero on identity rows if asked.
inline Vec RightHandSide(DM da, bool zeroBoundary = false, bool zeroMean = false)
{
  Vec      b;
  PetscInt M, N, P, xs, ys, zs, xm, ym, zm;
  EXPECT_EQ(DMDAGetInfo(da, NULL, &M, &N, &P, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), 0);
  EXPECT_EQ(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm), 0);
  EXPECT_EQ(DMCreateGlobalVector(da, &b), 0);
  PetscScalar ***a;
  EXPECT_EQ(DMDAVecGetArray(da, b, &a), 0);
  for (PetscInt k = zs; k < zs + zm; ++k)
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i) {
        const bool boundary = i == 0 || j == 0 || k == 0 || i == M - 1 || j == N - 1 || k == P - 1;
        a[k][j][i]          = zeroBoundary && boundary ? 0.0 : std::sin(0.9 * i + 0.4 * j) * std::cos(0.3 * k) + 0.2 * ((i * 3 + j * 5 + k * 11) % 7) - 0.5;
      }
  EXPECT_EQ(DMDAVecRestoreArray(da, b, &a), 0);
  if (zeroMean) {
    PetscScalar s;
    PetscInt    n;
    EXPECT_EQ(VecSum(b, &s), 0);
    EXPECT_EQ(VecGetSize(b, &n), 0);
    EXPECT_EQ(VecShift(b, -s / n), 0);
  }
  return b;
}

inline std::string SmootherWeightsFile(double noise)
{
  char tag[32];
  std::snprintf(tag, sizeof tag, "%g", noise);
  const std::string file = TestFile(std::string("smoother_weights_") + tag);
  EXPECT_EQ(PetalDCDMWeightsSave(Comm(), file.c_str(), dcdm_test::SmootherWeights(noise), petal::DCDMTrainingInfo()), 0);
  return file;
}

// A from64 file with random weights (seed given), written once per seed and rank count.
inline std::string RandomWeightsFile(unsigned long long seed = 7)
{
  const std::string file = TestFile("random_weights_" + std::to_string(seed));
  EXPECT_EQ(PetalDCDMWeightsSave(Comm(), file.c_str(), petal::cnn::RandomWeights(petal::cnn::From64(), seed), petal::DCDMTrainingInfo()), 0);
  return file;
}

// ||b - A x|| / ||b||
inline double RelativeResidual(Mat A, Vec b, Vec x)
{
  Vec       r;
  PetscReal rn, bn;
  EXPECT_EQ(VecDuplicate(b, &r), 0);
  EXPECT_EQ(MatMult(A, x, r), 0);
  EXPECT_EQ(VecAYPX(r, -1.0, b), 0);
  EXPECT_EQ(VecNorm(r, NORM_2, &rn), 0);
  EXPECT_EQ(VecNorm(b, NORM_2, &bn), 0);
  VecDestroy(&r);
  return rn / bn;
}

} // namespace dcdm_test
