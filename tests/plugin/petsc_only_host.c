/* A plain PETSc program that knows nothing about petal: it links PETSc only (no petal, no Kokkos) and
 * solves a 1-D Laplacian with whatever the options database asks for. The plugin tests run it with
 * -dll_append /path/to/libpetal.so to check that petal loads into an unmodified PETSc application: its log
 * events are registered, its options are listed by -help and its types are selectable by name.
 *
 *   petsc_only_host [-n 100] [-problem ksp|tao] [-dll_append libpetal.so] [KSP/PC/Tao options]
 *
 * -problem ksp (default): solve A x = 1 with KSPSetFromOptions (-ksp_type, -pc_type, -ksp_view, ...).
 * -problem tao: minimize 1/2 x'Ax - 1'x with TaoSetFromOptions (-tao_type, -tao_view, ...).
 * Prints one summary line "petsc_only_host: ..." and exits non-zero unless the solver converged. */
static char help[] = "PETSc-only host program: 1-D Laplacian solved with KSPSetFromOptions or TaoSetFromOptions.\n"
                     "Used to test loading petal as a plugin with -dll_append.\n\n";

#include <petscksp.h>
#include <petsctao.h>

typedef struct {
  Mat A;
  Vec b;
} Quadratic;

/* f(x) = 1/2 x'Ax - b'x, g(x) = Ax - b */
static PetscErrorCode FormFunctionGradient(Tao tao, Vec x, PetscReal *f, Vec g, void *ctx)
{
  Quadratic  *q = (Quadratic *)ctx;
  PetscScalar xAx, bx;

  PetscFunctionBeginUser;
  PetscCall(MatMult(q->A, x, g));
  PetscCall(VecDot(x, g, &xAx));
  PetscCall(VecDot(q->b, x, &bx));
  *f = PetscRealPart(0.5 * xAx - bx);
  PetscCall(VecAXPY(g, -1.0, q->b));
  PetscFunctionReturn(0);
}

static PetscErrorCode FormHessian(Tao tao, Vec x, Mat H, Mat Hpre, void *ctx)
{
  PetscFunctionBeginUser;
  PetscFunctionReturn(0); /* constant: H = A */
}

static PetscErrorCode SolveKSP(Mat A, Vec b, Vec x, PetscInt n, PetscBool *converged)
{
  KSP                ksp;
  PetscInt           its;
  KSPConvergedReason reason;
  PetscReal          rnorm;

  PetscFunctionBeginUser;
  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetOperators(ksp, A, A));
  PetscCall(KSPSetTolerances(ksp, 1e-8, PETSC_DEFAULT, PETSC_DEFAULT, 10 * n));
  PetscCall(KSPSetFromOptions(ksp));
  PetscCall(KSPSolve(ksp, b, x));
  PetscCall(KSPGetIterationNumber(ksp, &its));
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  PetscCall(KSPGetResidualNorm(ksp, &rnorm));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "petsc_only_host: KSP n %" PetscInt_FMT " reason %s iterations %" PetscInt_FMT " residual norm %g\n", n, KSPConvergedReasons[reason], its,
                        (double)rnorm));
  *converged = reason > 0 ? PETSC_TRUE : PETSC_FALSE;
  PetscCall(KSPDestroy(&ksp));
  PetscFunctionReturn(0);
}

static PetscErrorCode SolveTao(Mat A, Vec b, Vec x, PetscInt n, PetscBool *converged)
{
  Tao                tao;
  Quadratic          q = {A, b};
  PetscInt           its;
  TaoConvergedReason reason;
  PetscReal          f, gnorm;

  PetscFunctionBeginUser;
  PetscCall(TaoCreate(PETSC_COMM_WORLD, &tao));
  PetscCall(TaoSetType(tao, TAOLMVM));
  PetscCall(VecSet(x, 0.0));
  PetscCall(TaoSetSolution(tao, x));
  PetscCall(TaoSetObjectiveAndGradient(tao, NULL, FormFunctionGradient, &q));
  PetscCall(TaoSetHessian(tao, A, A, FormHessian, &q));
  PetscCall(TaoSetTolerances(tao, 1e-8, 1e-8, 0.0));
  PetscCall(TaoSetMaximumIterations(tao, 10 * n));
  PetscCall(TaoSetFromOptions(tao));
  PetscCall(TaoSolve(tao));
  PetscCall(TaoGetSolutionStatus(tao, &its, &f, &gnorm, NULL, NULL, &reason));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "petsc_only_host: Tao n %" PetscInt_FMT " reason %s iterations %" PetscInt_FMT " gradient norm %g\n", n, TaoConvergedReasons[reason], its,
                        (double)gnorm));
  *converged = reason > 0 ? PETSC_TRUE : PETSC_FALSE;
  PetscCall(TaoDestroy(&tao));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  Mat       A;
  Vec       x, b;
  PetscInt  n = 100, rstart, rend;
  char      problem[16] = "ksp";
  PetscBool converged   = PETSC_FALSE, isksp, istao;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "petsc_only_host options", NULL);
  PetscCall(PetscOptionsInt("-n", "Number of unknowns", NULL, n, &n, NULL));
  PetscCall(PetscOptionsString("-problem", "ksp: linear solve; tao: minimization", NULL, problem, problem, sizeof(problem), NULL));
  PetscOptionsEnd();
  PetscCall(PetscStrcmp(problem, "ksp", &isksp));
  PetscCall(PetscStrcmp(problem, "tao", &istao));
  PetscCheck(isksp || istao, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "-problem must be ksp or tao, not %s", problem);

  PetscCall(MatCreate(PETSC_COMM_WORLD, &A));
  PetscCall(MatSetSizes(A, PETSC_DECIDE, PETSC_DECIDE, n, n));
  PetscCall(MatSetFromOptions(A));
  PetscCall(MatSetUp(A));
  PetscCall(MatGetOwnershipRange(A, &rstart, &rend));
  for (PetscInt i = rstart; i < rend; i++) {
    if (i > 0) PetscCall(MatSetValue(A, i, i - 1, -1.0, INSERT_VALUES));
    PetscCall(MatSetValue(A, i, i, 2.0, INSERT_VALUES));
    if (i < n - 1) PetscCall(MatSetValue(A, i, i + 1, -1.0, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatCreateVecs(A, &x, &b));
  PetscCall(VecSet(b, 1.0));

  if (isksp) PetscCall(SolveKSP(A, b, x, n, &converged));
  else PetscCall(SolveTao(A, b, x, n, &converged));

  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&b));
  PetscCall(MatDestroy(&A));
  PetscCall(PetscFinalize());
  return converged ? 0 : 1;
}
