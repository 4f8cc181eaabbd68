/* A plain PETSc program that knows nothing about petal (it links PETSc only): the 7-point Laplacian of an
 * n x n x n grid, assembled on a DMDA with DMCreateMatrix (so the matrix knows its grid), zero Dirichlet values
 * eliminated, solved with whatever the options database asks for. The DCDM plugin tests run it with
 *   -dll_append libpetal.so -ksp_type dcdm -pc_type dcdm -pc_dcdm_weights FILE
 * Prints "dcdm_dmda_host: n N reason R iterations K relative residual E" and exits non-zero unless the solve
 * converged. */
static char help[] = "PETSc-only host: a 3-D DMDA Laplacian solved with KSPSetFromOptions (-n grid size, default 8).\n\n";

#include <petscdmda.h>
#include <petscksp.h>

static PetscErrorCode Assemble(DM da, Mat A, Vec b)
{
  PetscInt      M, xs, ys, zs, xm, ym, zm;
  PetscScalar ***bb;

  PetscFunctionBeginUser;
  PetscCall(DMDAGetInfo(da, NULL, &M, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCall(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(DMDAVecGetArray(da, b, &bb));
  for (PetscInt k = zs; k < zs + zm; ++k)
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i) {
        MatStencil  row = {k, j, i, 0}, col[7];
        PetscScalar v[7];
        PetscInt    n = 0;
        const PetscInt nb[6][3] = {{i - 1, j, k}, {i + 1, j, k}, {i, j - 1, k}, {i, j + 1, k}, {i, j, k - 1}, {i, j, k + 1}};
        for (int q = 0; q < 6; ++q) {
          if (nb[q][0] < 0 || nb[q][0] >= M || nb[q][1] < 0 || nb[q][1] >= M || nb[q][2] < 0 || nb[q][2] >= M) continue;
          col[n].i = nb[q][0], col[n].j = nb[q][1], col[n].k = nb[q][2], col[n].c = 0;
          v[n++]   = -1.0;
        }
        col[n] = row, v[n++] = 6.0;
        PetscCall(MatSetValuesStencil(A, 1, &row, n, col, v, INSERT_VALUES));
        bb[k][j][i] = 1.0 + 0.5 * ((i + 2 * j + 3 * k) % 5);
      }
  PetscCall(DMDAVecRestoreArray(da, b, &bb));
  PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  DM                 da;
  Mat                A;
  Vec                b, x, r;
  KSP                ksp;
  PetscInt           n = 8, its;
  KSPConvergedReason reason;
  PetscReal          rn, bn;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-n", &n, NULL));
  PetscCall(DMDACreate3d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, n, n, n, PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, NULL, &da));
  PetscCall(DMSetUp(da));
  PetscCall(DMCreateMatrix(da, &A));
  PetscCall(DMCreateGlobalVector(da, &b));
  PetscCall(VecDuplicate(b, &x));
  PetscCall(VecDuplicate(b, &r));
  PetscCall(Assemble(da, A, b));
  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetOperators(ksp, A, A));
  PetscCall(KSPSetTolerances(ksp, 1e-8, PETSC_DEFAULT, PETSC_DEFAULT, 500));
  PetscCall(KSPSetFromOptions(ksp));
  PetscCall(KSPSolve(ksp, b, x));
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  PetscCall(KSPGetIterationNumber(ksp, &its));
  PetscCall(MatMult(A, x, r));
  PetscCall(VecAYPX(r, -1.0, b));
  PetscCall(VecNorm(r, NORM_2, &rn));
  PetscCall(VecNorm(b, NORM_2, &bn));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "dcdm_dmda_host: n %" PetscInt_FMT " reason %s iterations %" PetscInt_FMT " relative residual %.3g\n", n, KSPConvergedReasons[reason], its, (double)(rn / bn)));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(VecDestroy(&r));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&b));
  PetscCall(MatDestroy(&A));
  PetscCall(DMDestroy(&da));
  PetscCall(PetscFinalize());
  return reason > 0 ? 0 : 1;
}
