// The Kokkos bridge against PETSc itself: a Kokkos SpMV over the (MPI)AIJ blocks must reproduce MatMult,
// and Vec views must alias or mirror the local entries exactly.
#include "petal_test.hpp"
#include <petal/kokkos_bridge.hpp>
#include <petscmat.h>
#include <vector>

namespace {
// A nonsymmetric 2-D convection-diffusion-like matrix on an n x n grid with some long-range couplings,
// so that on 2 ranks the off-diagonal block has many ghost columns.
PetscErrorCode BuildMatrix(PetscInt n, Mat *A)
{
  PetscInt N = n * n, rstart, rend;

  PetscFunctionBegin;
  PetscCall(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, N, N, 7, NULL, 7, NULL, A));
  PetscCall(MatGetOwnershipRange(*A, &rstart, &rend));
  for (PetscInt row = rstart; row < rend; ++row) {
    PetscInt i = row % n, j = row / n;
    PetscCall(MatSetValue(*A, row, row, 4.0 + 0.01 * row, ADD_VALUES));
    if (i > 0) PetscCall(MatSetValue(*A, row, row - 1, -1.3, ADD_VALUES));
    if (i < n - 1) PetscCall(MatSetValue(*A, row, row + 1, -0.7, ADD_VALUES));
    if (j > 0) PetscCall(MatSetValue(*A, row, row - n, -1.1, ADD_VALUES));
    if (j < n - 1) PetscCall(MatSetValue(*A, row, row + n, -0.9, ADD_VALUES));
    PetscCall(MatSetValue(*A, row, (row * 7 + 3) % N, 0.125, ADD_VALUES));
  }
  PetscCall(MatAssemblyBegin(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

PetscErrorCode MaxDiff(Vec a, Vec b, PetscReal *d)
{
  Vec w;
  PetscFunctionBegin;
  PetscCall(VecDuplicate(a, &w));
  PetscCall(VecWAXPY(w, -1.0, a, b));
  PetscCall(VecNorm(w, NORM_INFINITY, d));
  PetscCall(VecDestroy(&w));
  PetscFunctionReturn(0);
}
} // namespace

TEST(KokkosBridge, SpMVEqualsMatMult)
{
  Mat         A;
  Vec         x, yPetsc, yKokkos;
  PetscRandom rnd;
  PetscReal   diff, ynorm;
  PETAL_ASSERT_OK(BuildMatrix(40, &A));
  PETAL_ASSERT_OK(MatCreateVecs(A, &x, &yPetsc));
  PETAL_ASSERT_OK(VecDuplicate(yPetsc, &yKokkos));
  PETAL_ASSERT_OK(PetscRandomCreate(PETSC_COMM_WORLD, &rnd));
  PETAL_ASSERT_OK(PetscRandomSetSeed(rnd, 7));
  PETAL_ASSERT_OK(PetscRandomSeed(rnd));
  PETAL_ASSERT_OK(VecSetRandom(x, rnd));

  petal::KokkosAIJ K;
  PETAL_ASSERT_OK(K.Create(A));
  PetscMPIInt size;
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  if (size > 1) EXPECT_GT(K.nghost, 0) << "the test matrix must couple ranks";
  PETAL_ASSERT_OK(MatMult(A, x, yPetsc));
  PETAL_ASSERT_OK(K.Mult(x, yKokkos));
  PETAL_ASSERT_OK(MaxDiff(yPetsc, yKokkos, &diff));
  PETAL_ASSERT_OK(VecNorm(yPetsc, NORM_INFINITY, &ynorm));
  EXPECT_LE(diff, 1e-14 * ynorm);

  // Values change, pattern stays (a time-dependent A_t): UpdateValues must follow.
  PETAL_ASSERT_OK(MatScale(A, -2.5));
  PETAL_ASSERT_OK(MatShift(A, 3.0));
  PETAL_ASSERT_OK(K.UpdateValues(A));
  PETAL_ASSERT_OK(MatMult(A, x, yPetsc));
  PETAL_ASSERT_OK(K.Mult(x, yKokkos));
  PETAL_ASSERT_OK(MaxDiff(yPetsc, yKokkos, &diff));
  PETAL_ASSERT_OK(VecNorm(yPetsc, NORM_INFINITY, &ynorm));
  EXPECT_LE(diff, 1e-14 * ynorm);

  PETAL_ASSERT_OK(PetscRandomDestroy(&rnd));
  PETAL_ASSERT_OK(VecDestroy(&x));
  PETAL_ASSERT_OK(VecDestroy(&yPetsc));
  PETAL_ASSERT_OK(VecDestroy(&yKokkos));
  PETAL_ASSERT_OK(MatDestroy(&A));
}

TEST(KokkosBridge, VecViewsRoundTrip)
{
  Vec      v;
  PetscInt n = 17, rstart;
  PETAL_ASSERT_OK(VecCreateMPI(PETSC_COMM_WORLD, n, PETSC_DETERMINE, &v));
  PETAL_ASSERT_OK(VecGetOwnershipRange(v, &rstart, NULL));
  for (PetscInt i = 0; i < n; ++i) PETAL_ASSERT_OK(VecSetValue(v, rstart + i, rstart + i, INSERT_VALUES));
  PETAL_ASSERT_OK(VecAssemblyBegin(v));
  PETAL_ASSERT_OK(VecAssemblyEnd(v));

  petal::ConstVectorView r;
  PETAL_ASSERT_OK(petal::VecGetKokkosViewRead(v, &r));
  ASSERT_EQ((PetscInt)r.extent(0), n);
  auto rh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), r);
  for (PetscInt i = 0; i < n; ++i) EXPECT_EQ(rh(i), (PetscScalar)(rstart + i));
  PETAL_ASSERT_OK(petal::VecRestoreKokkosViewRead(v, &r));

  // A kernel writes through the view; the Vec must see it after Restore.
  petal::VectorView w;
  PETAL_ASSERT_OK(petal::VecGetKokkosViewWrite(v, &w));
  Kokkos::parallel_for("double", Kokkos::RangePolicy<petal::ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) { w(i) *= 2; });
  Kokkos::fence();
  PETAL_ASSERT_OK(petal::VecRestoreKokkosViewWrite(v, &w));
  const PetscScalar *a;
  PETAL_ASSERT_OK(VecGetArrayRead(v, &a));
  for (PetscInt i = 0; i < n; ++i) EXPECT_EQ(a[i], 2.0 * (rstart + i));
  PETAL_ASSERT_OK(VecRestoreArrayRead(v, &a));
  PETAL_ASSERT_OK(VecDestroy(&v));
}
