// ComputeKKTSpectra for PDE-constrained problems with a state split x = (y, u), G = [G_y, G_u], G_y square and
// invertible (the discrete PDE). The general iterative path factors G G^T (a squared PDE operator: 40 s and most of
// 1.1 GB at 2-D N = 511, hundreds of seconds in 3-D); here every quantity comes from solves with G_y and G_y^T by
// GMRES + BoomerAMG (prefix -petal_spectra_state_), which cost a few V-cycles each:
//   lambda_min(G G^T) >= sigma_min(G_y)^2 + lambda_min(G_u G_u^T)   (G G^T = G_y G_y^T + G_u G_u^T; the second
//                        term only when G_u is square), sigma_min(G_y)^-2 the dominant eigenvalue of G_y^-T G_y^-1;
//   lambda_min(Z^T H Z): with the null-space basis Y = [-G_y^-1 G_u; I] (not orthonormal), W = Y^T H Y. Every x in
//                        null(G) is Y v, and x^T H x / x^T x = v^T W v / v^T Y^T Y v, so lambda_min(W) has the sign
//                        of lambda_min(Z^T H Z), and lambda_min(W) / lambda_max(Y^T Y) is a lower bound of it when
//                        positive (reported, with lambda_max(Y^T Y) <= 1 + |G_u|^2 / sigma_min(G_y)^2; a
//                        non-positive lambda_min(W) is reported as is);
//   |H|_2, |G|_2:        dominant eigenvalues of H and G G^T (Frobenius by MatNorm when asked).
// The bounds only make the accuracy test stricter and the Hessian modification more cautious than the exact values.
#include "solvers/adasketch/sketch/kkt_spectra_impl.hpp"
#include <cmath>
#include <limits>
#if defined(PETAL_HAVE_SLEPC)
  #include <slepceps.h>
#endif

namespace petal {
namespace adasketch {
namespace spectra {

#if !defined(PETAL_HAVE_SLEPC)
PetscErrorCode ComputeWithStateSplit(Mat H, Mat G, const SpectraSettings &settings, KKTSpectra *out) { return ComputeIterative(H, G, settings, out); }
#else
namespace {

struct StateOps {
  Mat H, G, Gy, Gu, GyT;
  KSP state, stateT;
  IS  xs, xu;
  Vec x, hx, y, t, c, u; /* x, hx: full layout; y, t: state; c: constraint; u: control */
};

PetscErrorCode SolveState(StateOps *o, KSP ksp, Vec b, Vec x, const char *what)
{
  KSPConvergedReason reason;
  PetscFunctionBegin;
  PetscCall(KSPSolve(ksp, b, x));
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  PetscCheck(reason > 0, PetscObjectComm((PetscObject)ksp), PETSC_ERR_NOT_CONVERGED,
             "ComputeKKTSpectra: the solve with %s (the state Jacobian) did not converge (%s): is dc/dy singular? -petal_spectra_state_ksp_* selects the solver", what,
             KSPConvergedReasons[reason]);
  PetscFunctionReturn(0);
}

/* v -> G_y^-T G_y^-1 v (dominant eigenvalue 1 / sigma_min(G_y)^2); v in the state layout */
PetscErrorCode InverseGyGytMult(Mat A, Vec v, Vec out)
{
  StateOps *o;
  PetscFunctionBegin;
  PetscCall(MatShellGetContext(A, &o));
  PetscCall(SolveState(o, o->stateT, v, o->c, "G_y^T"));
  PetscCall(SolveState(o, o->state, o->c, out, "G_y"));
  PetscFunctionReturn(0);
}

/* x = Y v = (-G_y^-1 G_u v, v) in o->x */
PetscErrorCode ApplyY(StateOps *o, Vec v)
{
  PetscFunctionBegin;
  PetscCall(MatMult(o->Gu, v, o->c));
  PetscCall(SolveState(o, o->state, o->c, o->y, "G_y"));
  PetscCall(VecScale(o->y, -1.0));
  PetscCall(VecISCopy(o->x, o->xs, SCATTER_FORWARD, o->y));
  PetscCall(VecISCopy(o->x, o->xu, SCATTER_FORWARD, v));
  PetscFunctionReturn(0);
}

/* out = Y^T w for w in the full layout: w_u - G_u^T G_y^-T w_y */
PetscErrorCode ApplyYt(StateOps *o, Vec w, Vec out)
{
  PetscFunctionBegin;
  PetscCall(VecISCopy(w, o->xs, SCATTER_REVERSE, o->t));
  PetscCall(SolveState(o, o->stateT, o->t, o->c, "G_y^T"));
  PetscCall(MatMultTranspose(o->Gu, o->c, out));
  PetscCall(VecScale(out, -1.0));
  PetscCall(VecISCopy(w, o->xu, SCATTER_REVERSE, o->u));
  PetscCall(VecAXPY(out, 1.0, o->u));
  PetscFunctionReturn(0);
}

PetscErrorCode ReducedHessianMult(Mat A, Vec v, Vec out) /* W v = Y^T H Y v */
{
  StateOps *o;
  PetscFunctionBegin;
  PetscCall(MatShellGetContext(A, &o));
  PetscCall(ApplyY(o, v));
  PetscCall(MatMult(o->H, o->x, o->hx));
  PetscCall(ApplyYt(o, o->hx, out));
  PetscFunctionReturn(0);
}

PetscErrorCode GGtMultSplit(Mat A, Vec v, Vec out) /* G G^T v */
{
  StateOps *o;
  PetscFunctionBegin;
  PetscCall(MatShellGetContext(A, &o));
  PetscCall(MatMultTranspose(o->G, v, o->x));
  PetscCall(MatMult(o->G, o->x, out));
  PetscFunctionReturn(0);
}

PetscErrorCode CreateStateKSP(Mat A, KSP *ksp)
{
  PC pc;
  PetscFunctionBegin;
  PetscCall(KSPCreate(PetscObjectComm((PetscObject)A), ksp));
  PetscCall(KSPSetOperators(*ksp, A, A));
  PetscCall(KSPSetType(*ksp, KSPGMRES));
  PetscCall(KSPSetTolerances(*ksp, 1e-4, 1e-300, PETSC_DEFAULT, 1000)); /* eigenvalues to 1e-2 need no more (same values to 4 digits at 3-D 32^3 as with 1e-10) */
  PetscCall(KSPGetPC(*ksp, &pc));
  #if defined(PETSC_HAVE_HYPRE)
  PetscCall(PCSetType(pc, PCHYPRE));
  #else
  PetscCall(PCSetType(pc, PCGAMG));
  #endif
  PetscCall(KSPSetOptionsPrefix(*ksp, "petal_spectra_state_"));
  PetscCall(KSPSetFromOptions(*ksp));
  PetscCall(KSPSetUp(*ksp));
  PetscFunctionReturn(0);
}

/* One eigenvalue, timed for -info (which of them dominates decides the tolerance one can afford). */
PetscErrorCode TimedEigenvalue(const char *what, Mat A, int which, PetscReal tol, PetscReal absTol, PetscInt ncv, PetscReal *lambda, PetscInt *its)
{
  PetscLogDouble t0, t1;
  PetscInt       before = *its;
  PetscFunctionBegin;
  PetscCall(PetscTime(&t0));
  PetscCall(DominantOrExtremeEigenvalue(A, which, tol, absTol, ncv, lambda, its));
  PetscCall(PetscTime(&t1));
  PetscCall(PetscInfo(A, "%s = %g: %" PetscInt_FMT " Krylov-Schur iterations, %.3f s\n", what, (double)*lambda, *its - before, (double)(t1 - t0)));
  PetscFunctionReturn(0);
}

/* A symmetric shell operator on vectors with n local and N global entries */
PetscErrorCode Shell(StateOps *o, PetscInt n, PetscInt N, PetscErrorCode (*mult)(Mat, Vec, Vec), Mat *A)
{
  PetscFunctionBegin;
  PetscCall(MatCreateShell(PetscObjectComm((PetscObject)o->G), n, n, N, N, o, A));
  PetscCall(MatShellSetOperation(*A, MATOP_MULT, (void (*)(void))mult));
  PetscCall(MatSetOption(*A, MAT_SYMMETRIC, PETSC_TRUE));
  PetscFunctionReturn(0);
}

} // namespace

PetscErrorCode ComputeWithStateSplit(Mat H, Mat G, const SpectraSettings &settings, KKTSpectra *out)
{
  MPI_Comm  comm = PetscObjectComm((PetscObject)H);
  StateOps  o{};
  PetscInt  m, d, ny, xstart, xend, its = 0;
  PetscBool sym;
  PetscFunctionBegin;
  PetscCall(StartSlepc());
  PetscCall(MatGetSize(G, &m, &d));
  PetscCall(ISGetSize(settings.xState, &ny));
  PetscCheck(ny == m, comm, PETSC_ERR_ARG_SIZ, "ComputeKKTSpectra: %" PetscInt_FMT " state variables for %" PetscInt_FMT " constraints: the state Jacobian must be square", ny, m);
  PetscCall(MatGetOwnershipRangeColumn(G, &xstart, &xend));
  PetscCall(ISDuplicate(settings.xState, &o.xs));
  PetscCall(ISSort(o.xs));
  PetscCall(ISComplement(o.xs, xstart, xend, &o.xu));
  IS rows;
  PetscCall(MatGetOwnershipIS(G, &rows, NULL));
  PetscCall(MatCreateSubMatrix(G, rows, o.xs, MAT_INITIAL_MATRIX, &o.Gy));
  PetscCall(MatCreateSubMatrix(G, rows, o.xu, MAT_INITIAL_MATRIX, &o.Gu));
  PetscCall(ISDestroy(&rows));
  o.H = H;
  o.G = G;
  PetscCall(CreateStateKSP(o.Gy, &o.state));
  PetscCall(MatIsSymmetric(o.Gy, 0.0, &sym));
  if (sym) {
    o.stateT = o.state;
    PetscCall(PetscObjectReference((PetscObject)o.state));
  } else {
    PetscCall(MatTranspose(o.Gy, MAT_INITIAL_MATRIX, &o.GyT));
    PetscCall(CreateStateKSP(o.GyT, &o.stateT));
  }
  PetscCall(MatCreateVecs(G, &o.x, &o.c));
  PetscCall(VecDuplicate(o.x, &o.hx));
  PetscCall(MatCreateVecs(o.Gy, &o.y, NULL));
  PetscCall(VecDuplicate(o.y, &o.t));
  PetscCall(MatCreateVecs(o.Gu, &o.u, NULL));
  PetscInt nyLocal, mLocal, nu, nuLocal;
  PetscCall(VecGetLocalSize(o.y, &nyLocal));
  PetscCall(VecGetLocalSize(o.c, &mLocal));
  PetscCall(VecGetLocalSize(o.u, &nuLocal));
  PetscCall(VecGetSize(o.u, &nu));
  // Bounds, norms and a sign are what the caller needs (they scale the accuracy test and decide the Hessian
  // modification): 1e-2 relative, on Krylov bases of 12 vectors. Each product costs two state solves, and at
  // 2-D N = 255 the 1e-4 / 16-32-vector setting spent 3.8 s here against 3.3 s in all inner solves.
  const PetscReal tol = PetscMax(settings.tol, 1e-2);
  const PetscInt  ncv = 12;

  // lambda_min(G G^T) lower bound
  Mat       A;
  PetscReal mu = 0, lamU = 0;
  PetscCall(Shell(&o, nyLocal, m, InverseGyGytMult, &A));
  PetscCall(TimedEigenvalue("1/sigma_min(G_y)^2", A, EPS_LARGEST_MAGNITUDE, tol, 0, PetscMin(ncv, m), &mu, &its));
  PetscCall(MatDestroy(&A));
  // G_u G_u^T: its smallest eigenvalue adds to the bound when G_u is square, its largest (|G_u|_2^2) bounds
  // lambda_max(Y^T Y) <= 1 + |G_u|_2^2 / sigma_min(G_y)^2 below without further state solves.
  Mat       GuGut;
  PetscReal normGu2 = 0;
  PetscCall(MatMatTransposeMult(o.Gu, o.Gu, MAT_INITIAL_MATRIX, PETSC_DEFAULT, &GuGut));
  PetscCall(TimedEigenvalue("|G_u|_2^2", GuGut, EPS_LARGEST_REAL, tol, 0, PetscMin(ncv, m), &normGu2, &its));
  if (nu == m) PetscCall(TimedEigenvalue("lambda_min(G_u G_u^T)", GuGut, EPS_SMALLEST_REAL, tol, 0, PetscMin(ncv, m), &lamU, &its));
  PetscCall(MatDestroy(&GuGut));
  out->lambdaMinGGt = (mu > 0 ? 1.0 / mu : 0.0) + PetscMax(lamU, 0.0);

  // norms
  PetscReal normH2 = 0;
  PetscCall(TimedEigenvalue("|H|_2", H, EPS_LARGEST_MAGNITUDE, tol, 0, PETSC_DEFAULT, &normH2, &its));
  normH2 = PetscAbsReal(normH2);
  if (settings.norm == NormKind::Frobenius) {
    PetscCall(MatNorm(H, NORM_FROBENIUS, &out->normH));
    PetscCall(MatNorm(G, NORM_FROBENIUS, &out->normG));
  } else {
    PetscReal lmaxG = 0;
    PetscCall(Shell(&o, mLocal, m, GGtMultSplit, &A));
    PetscCall(TimedEigenvalue("|G|_2^2", A, EPS_LARGEST_REAL, tol, 0, PETSC_DEFAULT, &lmaxG, &its));
    PetscCall(MatDestroy(&A));
    out->normH = normH2;
    out->normG = PetscSqrtReal(PetscMax(lmaxG, 0.0));
  }

  // reduced Hessian (null(G) = range(Y) has dimension d - m = nu)
  if (nu == 0) out->lambdaMinReducedHessian = std::numeric_limits<PetscReal>::infinity();
  else {
    PetscReal w, gram = 1;
    PetscCall(Shell(&o, nuLocal, nu, ReducedHessianMult, &A));
    PetscCall(TimedEigenvalue("lambda_min(W)", A, EPS_SMALLEST_REAL, tol, tol * PetscMax(normH2, PETSC_SMALL), PetscMin(ncv, nu), &w, &its));
    PetscCall(MatDestroy(&A));
    // lambda_max(Y^T Y) = 1 + sigma_max(G_y^-1 G_u)^2 <= 1 + |G_u|^2 / sigma_min(G_y)^2 (the estimates' 1e-2 slack
    // on top: the bound stays a lower bound of lambda_min(Z^T H Z) to that accuracy).
    if (w > 0) gram = 1.0 + PetscMax(normGu2, 0.0) * mu * (1 + tol);
    out->lambdaMinReducedHessian = w > 0 ? w / PetscMax(gram, 1.0) : w;
  }
  out->iterations = its;
  PetscCall(KSPDestroy(&o.state));
  PetscCall(KSPDestroy(&o.stateT));
  for (Mat *M : {&o.Gy, &o.Gu, &o.GyT}) PetscCall(MatDestroy(M));
  for (Vec *v : {&o.x, &o.hx, &o.y, &o.t, &o.c, &o.u}) PetscCall(VecDestroy(v));
  PetscCall(ISDestroy(&o.xs));
  PetscCall(ISDestroy(&o.xu));
  PetscFunctionReturn(0);
}
#endif

} // namespace spectra
} // namespace adasketch
} // namespace petal
