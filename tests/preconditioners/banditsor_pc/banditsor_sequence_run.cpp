static const char help[] = "Solves a sequence of shifted Laplacians A_t = L + c_t I with CG + PCBANDITSOR (context c_t), continuing\n"
                           "the sequence where a loaded learner state (-pc_banditsor_state) left it, and prints every solve.\n"
                           "The program the checkpoint tests kill mid-write (test_banditsor_checkpoint.py).\n"
                           "  -solves N   solves in this run (20)\n  -m M        grid points per direction (8)\n";
// Public headers only: what any application using PCBANDITSOR's state file does.
#include <petal/banditsor.h>
#include <petal/driver.h>
#include <petscksp.h>
#include <cmath>
#include <cstdio>

namespace {
// The unscaled 5-point Laplacian of an m x m grid, distributed by rows (the same matrix on any rank count).
PetscErrorCode Laplacian(MPI_Comm comm, PetscInt m, Mat *L)
{
  PetscInt rs, re;
  PetscFunctionBegin;
  PetscCall(MatCreateAIJ(comm, PETSC_DECIDE, PETSC_DECIDE, m * m, m * m, 5, NULL, 2, NULL, L));
  PetscCall(MatGetOwnershipRange(*L, &rs, &re));
  for (PetscInt i = rs; i < re; ++i) {
    const PetscInt ix = i % m, iy = i / m;
    if (iy > 0) PetscCall(MatSetValue(*L, i, i - m, -1.0, INSERT_VALUES));
    if (ix > 0) PetscCall(MatSetValue(*L, i, i - 1, -1.0, INSERT_VALUES));
    PetscCall(MatSetValue(*L, i, i, 4.0, INSERT_VALUES));
    if (ix < m - 1) PetscCall(MatSetValue(*L, i, i + 1, -1.0, INSERT_VALUES));
    if (iy < m - 1) PetscCall(MatSetValue(*L, i, i + m, -1.0, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(*L, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*L, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

PetscReal Context(PetscInt t) { return -0.1 + 0.5 * std::fabs(std::sin(1.7 * t + 0.3)); }

// Instance t: A = L + c_t I, b_i = sin(0.37 i + 1.3 t).
PetscErrorCode Instance(Mat L, Mat A, Vec b, PetscInt t)
{
  PetscInt rs, re;
  PetscFunctionBegin;
  PetscCall(MatCopy(L, A, SAME_NONZERO_PATTERN));
  PetscCall(MatShift(A, Context(t)));
  PetscCall(VecGetOwnershipRange(b, &rs, &re));
  for (PetscInt i = rs; i < re; ++i) PetscCall(VecSetValue(b, i, std::sin(0.37 * i + 1.3 * t), INSERT_VALUES));
  PetscCall(VecAssemblyBegin(b));
  PetscCall(VecAssemblyEnd(b));
  PetscFunctionReturn(0);
}

PetscErrorCode Run(MPI_Comm comm)
{
  PetscInt  solves = 20, m = 8, first, its;
  Mat       L, A;
  Vec       b, x;
  KSP       ksp;
  PC        pc;
  PetscFunctionBegin;
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-solves", &solves, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-m", &m, NULL));
  PetscCall(Laplacian(comm, m, &L));
  PetscCall(MatDuplicate(L, MAT_COPY_VALUES, &A));
  PetscCall(MatCreateVecs(L, &x, &b));
  PetscCall(KSPCreate(comm, &ksp));
  PetscCall(KSPSetType(ksp, KSPCG));
  PetscCall(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetTolerances(ksp, 1e-8, PETSC_DEFAULT, PETSC_DEFAULT, 2000));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCSetType(pc, PCBANDITSOR));
  PetscCall(PCBanditSORSetContextRange(pc, -0.15, 0.65));
  PetscCall(KSPSetFromOptions(ksp)); // loads -pc_banditsor_state if the file exists
  PetscCall(PCBanditSORGetTotals(pc, &first, &its));
  PetscCall(PetscPrintf(comm, "start at solve %" PetscInt_FMT " (iterations so far %" PetscInt_FMT ")\n", first, its));
  for (PetscInt t = first; t < first + solves; ++t) {
    PetscReal omega;
    PetscCall(Instance(L, A, b, t));
    PetscCall(KSPSetOperators(ksp, A, A));
    PetscCall(PCBanditSORSetContext(pc, Context(t)));
    PetscCall(VecSet(x, 0.0));
    PetscCall(KSPSolve(ksp, b, x));
    PetscCall(KSPGetIterationNumber(ksp, &its));
    PetscCall(PCBanditSORGetOmega(pc, &omega));
    PetscCall(PetscPrintf(comm, "solve %" PetscInt_FMT " its %" PetscInt_FMT " omega %.17g\n", t, its, (double)omega));
    fflush(PETSC_STDOUT); // a killed run has printed every solve it finished
  }
  PetscCall(PCBanditSORGetTotals(pc, &first, &its));
  PetscCall(PetscPrintf(comm, "totals %" PetscInt_FMT " %" PetscInt_FMT "\n", first, its));
  PetscCall(KSPDestroy(&ksp)); // writes the final state
  PetscCall(MatDestroy(&L));
  PetscCall(MatDestroy(&A));
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&x));
  PetscFunctionReturn(0);
}
} // namespace

int main(int argc, char **argv)
{
  PetscCall(PetalDriverInitialize(&argc, &argv, help));
  return PetalDriverFinalize(Run(PETSC_COMM_WORLD));
}
