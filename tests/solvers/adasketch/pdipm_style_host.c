/* A plain PETSc program written for TAOPDIPM (no petal headers, links PETSc only): an equality-constrained
 * problem through TAO's standard callbacks, distributed Vecs/Mats, a Hessian of the Lagrangian L = f + DE^T c
 * that reads the multipliers with TaoGetDualVariables, and infinite bounds (TAOPDIPM on PETSc 3.18 needs them).
 * The tests run it unchanged with -tao_type adasketch -dll_append libpetal.so, and with -bad <case> to check
 * how bad input is reported.
 *
 *   pdipm_style_host [-problem hs40|hs7] [-bad none|nan_objective|nan_hessian|inf_constraints|wrong_size|
 *                     inequality|bounds|no_hessian|no_jacobian|singular] [Tao options]
 *
 * Prints "pdipm_style_host: reason <R> iterations <k> f <f> kkt <|(grad_x L, c)|>" with the KKT residual
 * recomputed here from the callbacks, and exits non-zero unless TAO converged. */
static char help[] = "TAOPDIPM-style equality-constrained host program (HS40/HS7).\n\n";

#include <petsctao.h>

typedef struct {
  PetscInt  d, m;
  PetscBool hs7, singular, nanObjective, nanHessian, infConstraints;
  Vec       xall; /* the whole x on every rank */
  VecScatter toall;
  Vec       lall;
  VecScatter ltoall;
} Problem;

/* ---- the problems on whole arrays ---- */
static PetscReal Objective(Problem *p, const PetscScalar *x)
{
  if (p->hs7) return PetscLogReal(1 + x[0] * x[0]) - x[1];
  return -x[0] * x[1] * x[2] * x[3];
}
static void Gradient(Problem *p, const PetscScalar *x, PetscScalar *g)
{
  if (p->hs7) {
    g[0] = 2 * x[0] / (1 + x[0] * x[0]);
    g[1] = -1;
    return;
  }
  g[0] = -x[1] * x[2] * x[3];
  g[1] = -x[0] * x[2] * x[3];
  g[2] = -x[0] * x[1] * x[3];
  g[3] = -x[0] * x[1] * x[2];
}
static void Constraints(Problem *p, const PetscScalar *x, PetscScalar *c)
{
  if (p->hs7) {
    c[0] = (1 + x[0] * x[0]) * (1 + x[0] * x[0]) + x[1] * x[1] - 4;
    if (p->singular) c[1] = 2 * c[0]; /* a dependent copy: G has rank 1 */
    return;
  }
  c[0] = x[0] * x[0] * x[0] + x[1] * x[1] - 1;
  c[1] = x[0] * x[0] * x[3] - x[2];
  c[2] = x[3] * x[3] - x[1];
}
/* J row-major m x d */
static void Jacobian(Problem *p, const PetscScalar *x, PetscScalar *J)
{
  PetscInt i;
  for (i = 0; i < p->m * p->d; i++) J[i] = 0;
  if (p->hs7) {
    J[0] = 4 * x[0] * (1 + x[0] * x[0]);
    J[1] = 2 * x[1];
    if (p->singular) {
      J[2] = 2 * J[0];
      J[3] = 2 * J[1];
    }
    return;
  }
  J[0 * 4 + 0] = 3 * x[0] * x[0];
  J[0 * 4 + 1] = 2 * x[1];
  J[1 * 4 + 0] = 2 * x[0] * x[3];
  J[1 * 4 + 2] = -1;
  J[1 * 4 + 3] = x[0] * x[0];
  J[2 * 4 + 1] = -1;
  J[2 * 4 + 3] = 2 * x[3];
}
/* Hessian of f + l^T c, row-major d x d */
static void HessianL(Problem *p, const PetscScalar *x, const PetscScalar *l, PetscScalar *H)
{
  PetscInt i;
  for (i = 0; i < p->d * p->d; i++) H[i] = 0;
  if (p->hs7) {
    PetscScalar lam = l[0] + (p->singular ? 2 * l[1] : 0);
    PetscScalar t   = 1 + x[0] * x[0];
    H[0]            = 2 * (1 - x[0] * x[0]) / (t * t) + lam * (4 + 12 * x[0] * x[0]);
    H[3]            = lam * 2;
    return;
  }
  /* f = -x0 x1 x2 x3 */
  H[0 * 4 + 1] = H[1 * 4 + 0] = -x[2] * x[3];
  H[0 * 4 + 2] = H[2 * 4 + 0] = -x[1] * x[3];
  H[0 * 4 + 3] = H[3 * 4 + 0] = -x[1] * x[2];
  H[1 * 4 + 2] = H[2 * 4 + 1] = -x[0] * x[3];
  H[1 * 4 + 3] = H[3 * 4 + 1] = -x[0] * x[2];
  H[2 * 4 + 3] = H[3 * 4 + 2] = -x[0] * x[1];
  /* c0 = x0^3 + x1^2 - 1 */
  H[0] += l[0] * 6 * x[0];
  H[5] += l[0] * 2;
  /* c1 = x0^2 x3 - x2 */
  H[0] += l[1] * 2 * x[3];
  H[0 * 4 + 3] += l[1] * 2 * x[0];
  H[3 * 4 + 0] += l[1] * 2 * x[0];
  /* c2 = x3^2 - x1 */
  H[15] += l[2] * 2;
}

/* ---- TAO callbacks: each rank fills its owned rows from the whole x ---- */
static PetscErrorCode GetWhole(VecScatter sc, Vec v, Vec all, const PetscScalar **a)
{
  PetscFunctionBeginUser;
  PetscCall(VecScatterBegin(sc, v, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, v, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecGetArrayRead(all, a));
  PetscFunctionReturn(0);
}

static PetscErrorCode FormFunctionGradient(Tao tao, Vec X, PetscReal *f, Vec G, void *ctx)
{
  Problem           *p = (Problem *)ctx;
  const PetscScalar *x;
  PetscScalar        g[4];
  PetscInt           lo, hi, i;

  PetscFunctionBeginUser;
  PetscCall(GetWhole(p->toall, X, p->xall, &x));
  *f = Objective(p, x);
  if (p->nanObjective) *f = NAN;
  Gradient(p, x, g);
  PetscCall(VecRestoreArrayRead(p->xall, &x));
  PetscCall(VecGetOwnershipRange(G, &lo, &hi));
  for (i = lo; i < hi; i++) PetscCall(VecSetValue(G, i, g[i], INSERT_VALUES));
  PetscCall(VecAssemblyBegin(G));
  PetscCall(VecAssemblyEnd(G));
  PetscFunctionReturn(0);
}

static PetscErrorCode FormEqualityConstraints(Tao tao, Vec X, Vec CE, void *ctx)
{
  Problem           *p = (Problem *)ctx;
  const PetscScalar *x;
  PetscScalar        c[4];
  PetscInt           lo, hi, i;

  PetscFunctionBeginUser;
  PetscCall(GetWhole(p->toall, X, p->xall, &x));
  Constraints(p, x, c);
  PetscCall(VecRestoreArrayRead(p->xall, &x));
  if (p->infConstraints) c[p->m - 1] = INFINITY;
  PetscCall(VecGetOwnershipRange(CE, &lo, &hi));
  for (i = lo; i < hi; i++) PetscCall(VecSetValue(CE, i, c[i], INSERT_VALUES));
  PetscCall(VecAssemblyBegin(CE));
  PetscCall(VecAssemblyEnd(CE));
  PetscFunctionReturn(0);
}

static PetscErrorCode FormEqualityJacobian(Tao tao, Vec X, Mat J, Mat Jpre, void *ctx)
{
  Problem           *p = (Problem *)ctx;
  const PetscScalar *x;
  PetscScalar        jac[16];
  PetscInt           lo, hi, i, j;

  PetscFunctionBeginUser;
  PetscCall(GetWhole(p->toall, X, p->xall, &x));
  Jacobian(p, x, jac);
  PetscCall(VecRestoreArrayRead(p->xall, &x));
  PetscCall(MatGetOwnershipRange(J, &lo, &hi));
  for (i = lo; i < hi; i++)
    for (j = 0; j < p->d; j++) PetscCall(MatSetValue(J, i, j, jac[i * p->d + j], INSERT_VALUES));
  PetscCall(MatAssemblyBegin(J, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(J, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

/* The Hessian of the Lagrangian, with the multipliers from TaoGetDualVariables (as in TAOPDIPM's ex1.c). */
static PetscErrorCode FormHessian(Tao tao, Vec X, Mat H, Mat Hpre, void *ctx)
{
  Problem           *p = (Problem *)ctx;
  const PetscScalar *x, *l;
  PetscScalar        h[16];
  Vec                DE, DI;
  PetscInt           lo, hi, i, j;

  PetscFunctionBeginUser;
  PetscCall(TaoGetDualVariables(tao, &DE, &DI));
  PetscCall(GetWhole(p->toall, X, p->xall, &x));
  PetscCall(GetWhole(p->ltoall, DE, p->lall, &l));
  HessianL(p, x, l, h);
  if (p->nanHessian) h[0] = NAN;
  PetscCall(VecRestoreArrayRead(p->xall, &x));
  PetscCall(VecRestoreArrayRead(p->lall, &l));
  PetscCall(MatGetOwnershipRange(H, &lo, &hi));
  for (i = lo; i < hi; i++)
    for (j = 0; j < p->d; j++) PetscCall(MatSetValue(H, i, j, h[i * p->d + j], INSERT_VALUES));
  PetscCall(MatAssemblyBegin(H, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(H, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

static PetscErrorCode FormInequality(Tao tao, Vec X, Vec CI, void *ctx)
{
  PetscFunctionBeginUser;
  PetscCall(VecSet(CI, 0.0));
  PetscFunctionReturn(0);
}

static PetscErrorCode DenseAIJ(PetscInt m, PetscInt n, PetscInt mlocal, PetscInt nlocal, Mat *A)
{
  PetscFunctionBeginUser;
  PetscCall(MatCreateAIJ(PETSC_COMM_WORLD, mlocal, nlocal, m, n, n, NULL, n, NULL, A));
  PetscCall(MatSetOption(*A, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_FALSE));
  PetscFunctionReturn(0);
}

int main(int argc, char **argv)
{
  Problem            p = {0};
  Tao                tao;
  Vec                x, ce, xl, xu, ci = NULL, g;
  Mat                J, H, Ji = NULL;
  char               problem[16] = "hs40", bad[32] = "none";
  PetscBool          wrongSize, inequality, bounds, noHessian, noJacobian;
  TaoConvergedReason reason;
  PetscInt           its, lo, hi, i, dl;
  PetscReal          f, gn, cn;
  Vec                DE, DI;

  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "pdipm_style_host options", NULL);
  PetscCall(PetscOptionsString("-problem", "hs40 or hs7", NULL, problem, problem, sizeof(problem), NULL));
  PetscCall(PetscOptionsString("-bad", "bad input to give the solver", NULL, bad, bad, sizeof(bad), NULL));
  PetscOptionsEnd();
  PetscCall(PetscStrcmp(problem, "hs7", &p.hs7));
  PetscCall(PetscStrcmp(bad, "singular", &p.singular));
  PetscCall(PetscStrcmp(bad, "nan_objective", &p.nanObjective));
  PetscCall(PetscStrcmp(bad, "nan_hessian", &p.nanHessian));
  PetscCall(PetscStrcmp(bad, "inf_constraints", &p.infConstraints));
  PetscCall(PetscStrcmp(bad, "wrong_size", &wrongSize));
  PetscCall(PetscStrcmp(bad, "inequality", &inequality));
  PetscCall(PetscStrcmp(bad, "bounds", &bounds));
  PetscCall(PetscStrcmp(bad, "no_hessian", &noHessian));
  PetscCall(PetscStrcmp(bad, "no_jacobian", &noJacobian));
  if (p.singular) p.hs7 = PETSC_TRUE;
  p.d = p.hs7 ? 2 : 4;
  p.m = p.hs7 ? (p.singular ? 2 : 1) : 3;

  /* The start point: HS7 (2, 2); HS40 0.8 * ones. A wrong-size start point has one entry too many. */
  PetscCall(VecCreateMPI(PETSC_COMM_WORLD, PETSC_DECIDE, p.d + (wrongSize ? 1 : 0), &x));
  PetscCall(VecSet(x, p.hs7 ? 2.0 : 0.8));
  PetscCall(VecCreateMPI(PETSC_COMM_WORLD, PETSC_DECIDE, p.m, &ce));
  PetscCall(VecScatterCreateToAll(x, &p.toall, &p.xall));
  PetscCall(VecScatterCreateToAll(ce, &p.ltoall, &p.lall));
  PetscCall(VecGetLocalSize(x, &dl));
  if (wrongSize) {
    /* The matrices have the problem's d columns; the callbacks still see the d + 1 entries x has. */
    PetscCall(VecScatterDestroy(&p.toall));
    PetscCall(VecDestroy(&p.xall));
    PetscCall(VecScatterCreateToAll(x, &p.toall, &p.xall));
  }
  {
    Vec xd;
    PetscCall(VecCreateMPI(PETSC_COMM_WORLD, PETSC_DECIDE, p.d, &xd));
    PetscCall(VecGetLocalSize(xd, &dl));
    PetscCall(VecDestroy(&xd));
  }
  {
    PetscInt ml;
    PetscCall(VecGetLocalSize(ce, &ml));
    PetscCall(DenseAIJ(p.m, p.d, ml, dl, &J));
    PetscCall(DenseAIJ(p.d, p.d, dl, dl, &H));
  }

  PetscCall(TaoCreate(PETSC_COMM_WORLD, &tao));
  PetscCall(TaoSetType(tao, TAOPDIPM));
  PetscCall(TaoSetSolution(tao, x));
  PetscCall(VecDuplicate(x, &xl));
  PetscCall(VecDuplicate(x, &xu));
  PetscCall(VecSet(xl, bounds ? -10.0 : PETSC_NINFINITY));
  PetscCall(VecSet(xu, bounds ? 10.0 : PETSC_INFINITY));
  PetscCall(TaoSetVariableBounds(tao, xl, xu));
  PetscCall(TaoSetObjectiveAndGradient(tao, NULL, FormFunctionGradient, &p));
  PetscCall(TaoSetEqualityConstraintsRoutine(tao, ce, FormEqualityConstraints, &p));
  if (!noJacobian) PetscCall(TaoSetJacobianEqualityRoutine(tao, J, J, FormEqualityJacobian, &p));
  if (!noHessian) PetscCall(TaoSetHessian(tao, H, H, FormHessian, &p));
  if (inequality) {
    PetscCall(VecCreateMPI(PETSC_COMM_WORLD, PETSC_DECIDE, 1, &ci));
    PetscCall(TaoSetInequalityConstraintsRoutine(tao, ci, FormInequality, &p));
  }
  PetscCall(TaoSetTolerances(tao, 1e-8, 1e-8, 1e-8));
  PetscCall(TaoSetConstraintTolerances(tao, 1e-8, 1e-8));
  PetscCall(TaoSetFromOptions(tao));
  PetscCall(TaoSolve(tao));
  PetscCall(TaoGetSolutionStatus(tao, &its, &f, NULL, NULL, NULL, &reason));

  /* The KKT residual, recomputed from the callbacks at the returned x and multipliers (TAOPDIPM's sign). */
  PetscCall(TaoGetDualVariables(tao, &DE, &DI));
  PetscCall(VecDuplicate(x, &g));
  PetscCall(FormFunctionGradient(tao, x, &f, g, &p));
  PetscCall(FormEqualityConstraints(tao, x, ce, &p));
  PetscCall(FormEqualityJacobian(tao, x, J, J, &p));
  PetscCall(MatMultTransposeAdd(J, DE, g, g));
  PetscCall(VecNorm(g, NORM_2, &gn));
  PetscCall(VecNorm(ce, NORM_2, &cn));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "pdipm_style_host: reason %s iterations %" PetscInt_FMT " f %.10f kkt %.3e\n", TaoConvergedReasons[reason], its, (double)f,
                        (double)PetscSqrtReal(gn * gn + cn * cn)));
  (void)lo;
  (void)hi;
  (void)i;

  PetscCall(VecDestroy(&g));
  PetscCall(VecDestroy(&ci));
  PetscCall(MatDestroy(&Ji));
  PetscCall(TaoDestroy(&tao));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&xl));
  PetscCall(VecDestroy(&xu));
  PetscCall(VecDestroy(&ce));
  PetscCall(MatDestroy(&J));
  PetscCall(MatDestroy(&H));
  PetscCall(VecScatterDestroy(&p.toall));
  PetscCall(VecScatterDestroy(&p.ltoall));
  PetscCall(VecDestroy(&p.xall));
  PetscCall(VecDestroy(&p.lall));
  PetscCall(PetscFinalize());
  return reason > 0 ? 0 : 1;
}
