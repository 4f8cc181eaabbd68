// Iterative path of ComputeKKTSpectra, for KKT systems too large to gather (PDE-constrained problems):
//  - lambda_min(G G^T): SLEPc Krylov-Schur on (G G^T)^{-1}, G G^T assembled (MatMatTransposeMult) and solved with
//    its sparse Cholesky factorisation (see ConfigureGGtKSP; options prefix -petal_spectra_).
//    Directly, the smallest eigenvalue of G G^T = L^2 + I (Poisson control, cond ~ N^4) would take thousands of
//    Lanczos steps; inverted, it is the dominant one and converges in a few.
//  - lambda_min(Z^T H Z): the smallest eigenvalue of  T = P H P + sigma (I - P),  P = I - G^T (G G^T)^{-1} G the
//    orthogonal projector on null(G) (applied with the same factorisation). On null(G), T = Z^T H Z; on range(G^T), T = sigma,
//    and sigma = 1.01 |H|_2 lies above every eigenvalue of Z^T H Z, so min eig(T) = lambda_min(Z^T H Z).
//  - norms: MatNorm (Frobenius) or the dominant eigenvalues of H and G G^T (spectral).
#include "solvers/adasketch/sketch/kkt_spectra_impl.hpp"
#include <cmath>
#include <limits>
#if defined(PETAL_HAVE_SLEPC)
  #include <petsc/private/petscimpl.h> // PetscObjectStateGet
  #include <slepceps.h>
#endif

namespace petal {
namespace adasketch {
namespace spectra {

#if !defined(PETAL_HAVE_SLEPC)
PetscErrorCode ComputeIterative(Mat H, Mat, const SpectraSettings &settings, KKTSpectra *)
{
  PetscFunctionBegin;
  SETERRQ(PetscObjectComm((PetscObject)H), PETSC_ERR_SUP,
          "ComputeKKTSpectra: petal was built without SLEPc, so only the dense path exists (d + m <= denseLimit = %" PetscInt_FMT "); rebuild with slepc-dev or raise denseLimit",
          settings.denseLimit);
}
#else
namespace {
/* SLEPc's classes refuse to work unless SlepcInitialize ran; in a PETSc program (TAO user code, petal's drivers) it
 * has not, so petal starts SLEPc on first use (SlepcInitialize only registers SLEPc when PETSc is already up) and
 * finalizes it from PetscFinalize. */
PetscErrorCode SlepcFinalizeFromPetsc()
{
  PetscFunctionBegin;
  PetscCall(SlepcFinalize());
  PetscFunctionReturn(0);
}

PetscErrorCode SlepcInitializeIfNeeded()
{
  PetscBool initialized;
  PetscFunctionBegin;
  PetscCall(SlepcInitialized(&initialized));
  if (initialized) PetscFunctionReturn(0);
  PetscCall(SlepcInitializeNoArguments());
  PetscCall(PetscRegisterFinalize(SlepcFinalizeFromPetsc));
  PetscFunctionReturn(0);
}

/* The G-only part of the work (G G^T, its factorisation, lambda_min(G G^T)) kept from the last call: with linear
 * constraints (the paper's PDE problem) G is the same at every outer iteration, and this part is most of the cost.
 * Keyed by G's object id and state (changing G's values bumps its state). One entry, for assembled (AIJ) G; freed
 * at PetscFinalize. */
struct GGtCache {
  PetscObjectId    id    = 0;
  PetscObjectState state = 0;
  PetscReal        tol   = 0;
  Mat              GGt   = NULL;
  KSP              ksp   = NULL;
  PetscReal        lambdaMin = 0;
};
GGtCache  ggtCache;
PetscBool ggtCacheFinalizeRegistered = PETSC_FALSE;

PetscErrorCode GGtCacheClear()
{
  PetscFunctionBegin;
  PetscCall(MatDestroy(&ggtCache.GGt));
  PetscCall(KSPDestroy(&ggtCache.ksp));
  ggtCache = GGtCache{};
  PetscFunctionReturn(0);
}

PetscErrorCode GGtCacheFinalize()
{
  PetscFunctionBegin;
  PetscCall(GGtCacheClear());
  ggtCacheFinalizeRegistered = PETSC_FALSE;
  PetscFunctionReturn(0);
}

struct GGtShell {
  Mat G;
  Vec td; /* d */
};

PetscErrorCode GGtMult(Mat A, Vec x, Vec y)
{
  GGtShell *c;
  PetscFunctionBegin;
  PetscCall(MatShellGetContext(A, &c));
  PetscCall(MatMultTranspose(c->G, x, c->td));
  PetscCall(MatMult(c->G, c->td, y));
  PetscFunctionReturn(0);
}

/* Krylov basis size for lambda_min(Z^T H Z): its smallest eigenvalues come in a tight cluster on the control
 * problems (all high-frequency modes give nearly hz), and with SLEPc's default 16 the 3-D 32^3 case took 14
 * restarts (272 projector solves); 32 took 4 (128 solves). */
constexpr PetscInt kReducedNcv = 32;

struct ReducedShell {
  Mat       H, G;
  KSP       ksp; /* on G G^T */
  Vec       gm, gm2, td, y, h, py;
  PetscReal sigma;
};

/* out = x - G^T (G G^T)^{-1} G x */
PetscErrorCode Project(ReducedShell *c, Vec x, Vec out)
{
  PetscFunctionBegin;
  PetscCall(MatMult(c->G, x, c->gm));
  PetscCall(KSPSolve(c->ksp, c->gm, c->gm2));
  KSPConvergedReason reason;
  PetscCall(KSPGetConvergedReason(c->ksp, &reason));
  PetscCheck(reason > 0, PetscObjectComm((PetscObject)c->ksp), PETSC_ERR_NOT_CONVERGED,
             "ComputeKKTSpectra: the CG solve with G G^T in the null-space projector did not converge (reason %s)", KSPConvergedReasons[reason]);
  PetscCall(MatMultTranspose(c->G, c->gm2, c->td));
  PetscCall(VecWAXPY(out, -1.0, c->td, x));
  PetscFunctionReturn(0);
}

/* y = (G G^T)^{-1} x: the operator whose dominant eigenvalue is 1 / lambda_min(G G^T) */
PetscErrorCode InverseGGtMult(Mat A, Vec x, Vec y)
{
  KSP ksp;
  PetscFunctionBegin;
  PetscCall(MatShellGetContext(A, &ksp));
  PetscCall(KSPSolve(ksp, x, y));
  KSPConvergedReason reason;
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  PetscCheck(reason > 0, PetscObjectComm((PetscObject)ksp), PETSC_ERR_NOT_CONVERGED,
             "ComputeKKTSpectra: the CG solve with G G^T for lambda_min(G G^T) did not converge (reason %s)", KSPConvergedReasons[reason]);
  PetscFunctionReturn(0);
}

PetscErrorCode ReducedMult(Mat A, Vec x, Vec out)
{
  ReducedShell *c;
  PetscFunctionBegin;
  PetscCall(MatShellGetContext(A, &c));
  PetscCall(Project(c, x, c->y));
  PetscCall(MatMult(c->H, c->y, c->h));
  PetscCall(Project(c, c->h, out));
  PetscCall(VecWAXPY(c->py, -1.0, c->y, x)); /* (I - P) x */
  PetscCall(VecAXPY(out, c->sigma, c->py));
  PetscFunctionReturn(0);
}

/* One eigenvalue of the symmetric A: which = EPS_LARGEST_MAGNITUDE, EPS_LARGEST_REAL or EPS_SMALLEST_REAL.
 * absTol > 0: absolute convergence test (residual norm <= absTol), else relative (tol). ncv: the Krylov basis size
 * (PETSC_DEFAULT: SLEPc's 16 for one eigenvalue). */
PetscErrorCode OneEigenvalue(Mat A, EPSWhich which, PetscReal tol, PetscReal absTol, PetscInt ncv, PetscReal *lambda, PetscInt *its)
{
  MPI_Comm comm = PetscObjectComm((PetscObject)A);
  EPS      eps;
  PetscFunctionBegin;
  PetscCall(EPSCreate(comm, &eps));
  PetscCall(EPSSetOperators(eps, A, NULL));
  PetscCall(EPSSetProblemType(eps, EPS_HEP));
  PetscCall(EPSSetType(eps, EPSKRYLOVSCHUR));
  PetscCall(EPSSetDimensions(eps, 1, ncv, PETSC_DEFAULT));
  PetscCall(EPSSetWhichEigenpairs(eps, which));
  if (absTol > 0) {
    PetscCall(EPSSetConvergenceTest(eps, EPS_CONV_ABS));
    PetscCall(EPSSetTolerances(eps, absTol, 5000));
  } else PetscCall(EPSSetTolerances(eps, tol, 5000));
  PetscCall(EPSSetOptionsPrefix(eps, "petal_spectra_"));
  PetscCall(EPSSetFromOptions(eps));
  PetscCall(EPSSolve(eps));
  PetscInt nconv, it;
  PetscCall(EPSGetConverged(eps, &nconv));
  PetscCall(EPSGetIterationNumber(eps, &it));
  PetscCheck(nconv >= 1, comm, PETSC_ERR_NOT_CONVERGED, "ComputeKKTSpectra: the Krylov-Schur eigensolver did not converge in %" PetscInt_FMT " iterations", it);
  PetscScalar kr;
  PetscCall(EPSGetEigenvalue(eps, 0, &kr, NULL));
  *lambda = PetscRealPart(kr);
  *its += it;
  PetscCall(EPSDestroy(&eps));
  PetscFunctionReturn(0);
}

/* Solves with G G^T: a sparse Cholesky factorisation of the assembled G G^T, applied once (KSPPREONLY; on several ranks
 * PCREDUNDANT: every rank factors the whole m x m G G^T, which on 2 ranks at m = 4096 measured 5x faster than MUMPS's
 * distributed solves), so each solve after the first costs two triangular solves. On the Poisson control
 * G G^T = L^2 + I (cond ~ N^4) algebraic multigrid needed ~400 CG iterations per solve at N = 64 (GAMG; ~50 with
 * BoomerAMG). Overridable: -petal_spectra_ksp_type cg -petal_spectra_pc_type gamg, ... (for a G G^T too large
 * to factor). A shell G G^T (G not AIJ) gets unpreconditioned CG. */
/* G G^T with more than 16 nonzeros per row on average (3-D stencils: 25 for L^2 + I, against 13 in 2-D) fills in
 * heavily when factored; MUMPS's multifrontal factorisation took 6 s there (3-D 32^3) against 44 s for PETSc's
 * own, while on 2-D problems PETSc's own was the faster (2-D 256^2: 4.4 s factorisation and 16 ms per solve,
 * MUMPS 2.9 s and 58 ms). */
bool FillHeavy(KSP ksp)
{
  Mat     A;
  MatInfo info;
  PetscInt m;
  if (KSPGetOperators(ksp, &A, NULL) || MatGetInfo(A, MAT_GLOBAL_SUM, &info) || MatGetSize(A, &m, NULL)) return false;
  return m > 0 && info.nz_used > 16.0 * m;
}

PetscErrorCode ConfigureGGtKSP(KSP ksp, void *assembled)
{
  PC          pc;
  PetscMPIInt size;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(PetscObjectComm((PetscObject)ksp), &size));
  PetscCall(KSPSetType(ksp, assembled ? KSPPREONLY : KSPCG)); /* the factorisation is exact: one application */
  PetscCall(KSPGetPC(ksp, &pc));
  if (!assembled) PetscCall(PCSetType(pc, PCNONE));
  else if (size == 1) {
    PetscCall(PCSetType(pc, PCCHOLESKY));
  #if defined(PETSC_HAVE_MUMPS)
    if (FillHeavy(ksp)) PetscCall(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
  #endif
  }
  else {
    KSP inner;
    PC  innerPC;
    PetscCall(PCSetType(pc, PCREDUNDANT));
    PetscCall(PCRedundantGetKSP(pc, &inner));
    PetscCall(KSPGetPC(inner, &innerPC));
    PetscCall(PCSetType(innerPC, PCCHOLESKY));
  }
  PetscCall(KSPSetTolerances(ksp, 1e-11, 1e-300, PETSC_DEFAULT, 10000));
  PetscCall(KSPSetOptionsPrefix(ksp, "petal_spectra_"));
  PetscCall(KSPSetFromOptions(ksp));
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode ComputeIterative(Mat H, Mat G, const SpectraSettings &settings, KKTSpectra *out)
{
  MPI_Comm comm = PetscObjectComm((PetscObject)H);
  PetscFunctionBegin;
  PetscCall(SlepcInitializeIfNeeded());
  PetscInt m, d, mloc, dloc;
  PetscCall(MatGetSize(G, &m, &d));
  PetscCall(MatGetLocalSize(G, &mloc, &dloc));
  PetscInt its = 0;

  /* G G^T: assembled when G is an AIJ matrix (then solved by its Cholesky factorisation, kept for the next call
   * with the same G), a shell otherwise */
  PetscBool aij;
  PetscCall(PetscObjectBaseTypeCompareAny((PetscObject)G, &aij, MATSEQAIJ, MATMPIAIJ, "")); /* also the AIJ GPU subtypes */
  Mat      GGt = NULL;
  KSP      ksp = NULL; /* one KSP on G G^T (one factorisation) for lambda_min(G G^T) and for the projector */
  GGtShell gctx{G, NULL};
  PetscCall(MatCreateVecs(G, &gctx.td, NULL));
  if (m == 0) out->lambdaMinGGt = std::numeric_limits<PetscReal>::infinity();
  else if (aij) {
    PetscObjectId    id;
    PetscObjectState state;
    PetscCall(PetscObjectGetId((PetscObject)G, &id));
    PetscCall(PetscObjectStateGet((PetscObject)G, &state));
    if (!(ggtCache.GGt && ggtCache.id == id && ggtCache.state == state && ggtCache.tol == settings.tol)) {
      PetscCall(GGtCacheClear());
      if (!ggtCacheFinalizeRegistered) {
        PetscCall(PetscRegisterFinalize(GGtCacheFinalize));
        ggtCacheFinalizeRegistered = PETSC_TRUE;
      }
      PetscCall(MatMatTransposeMult(G, G, MAT_INITIAL_MATRIX, PETSC_DEFAULT, &ggtCache.GGt));
      PetscCall(KSPCreate(comm, &ggtCache.ksp));
      PetscCall(KSPSetOperators(ggtCache.ksp, ggtCache.GGt, ggtCache.GGt));
      PetscCall(ConfigureGGtKSP(ggtCache.ksp, (void *)1));
      /* lambda_min(G G^T) as the inverse of the dominant eigenvalue of (G G^T)^{-1}: a few iterations even when
       * cond(G G^T) ~ N^4 */
      Mat       inv;
      PetscReal mu;
      PetscCall(MatCreateShell(comm, mloc, mloc, m, m, ggtCache.ksp, &inv));
      PetscCall(MatShellSetOperation(inv, MATOP_MULT, (void (*)(void))InverseGGtMult));
      PetscCall(MatSetOption(inv, MAT_SYMMETRIC, PETSC_TRUE));
      PetscCall(OneEigenvalue(inv, EPS_LARGEST_MAGNITUDE, settings.tol, 0, PETSC_DEFAULT, &mu, &its));
      PetscCall(MatDestroy(&inv));
      ggtCache.lambdaMin = mu > 0 ? 1.0 / mu : 0.0;
      ggtCache.id        = id;
      ggtCache.state     = state;
      ggtCache.tol       = settings.tol;
    }
    GGt = ggtCache.GGt;
    ksp = ggtCache.ksp;
    PetscCall(PetscObjectReference((PetscObject)GGt));
    PetscCall(PetscObjectReference((PetscObject)ksp));
    out->lambdaMinGGt = ggtCache.lambdaMin;
  } else {
    PetscCall(MatCreateShell(comm, mloc, mloc, m, m, &gctx, &GGt));
    PetscCall(MatShellSetOperation(GGt, MATOP_MULT, (void (*)(void))GGtMult));
    PetscCall(MatSetOption(GGt, MAT_SYMMETRIC, PETSC_TRUE));
    PetscCall(KSPCreate(comm, &ksp));
    PetscCall(KSPSetOperators(ksp, GGt, GGt));
    PetscCall(ConfigureGGtKSP(ksp, NULL));
    PetscCall(OneEigenvalue(GGt, EPS_SMALLEST_REAL, settings.tol, 0, PETSC_DEFAULT, &out->lambdaMinGGt, &its)); /* slow when ill-conditioned */
  }

  /* |H|_2 is needed for sigma in any case; the norms reported are Frobenius (exact) or spectral */
  PetscReal normH2 = 0;
  PetscCall(OneEigenvalue(H, EPS_LARGEST_MAGNITUDE, settings.tol, 0, PETSC_DEFAULT, &normH2, &its));
  normH2 = PetscAbsReal(normH2);
  if (settings.norm == NormKind::Frobenius) {
    PetscCall(MatNorm(H, NORM_FROBENIUS, &out->normH));
    PetscCall(MatNorm(G, NORM_FROBENIUS, &out->normG));
  } else {
    PetscReal lmaxG = 0;
    if (m > 0) PetscCall(OneEigenvalue(GGt, EPS_LARGEST_REAL, settings.tol, 0, PETSC_DEFAULT, &lmaxG, &its));
    out->normH = normH2;
    out->normG = PetscSqrtReal(PetscMax(lmaxG, 0.0));
  }

  if (m >= d) out->lambdaMinReducedHessian = std::numeric_limits<PetscReal>::infinity();
  else {
    ReducedShell rc{};
    rc.H     = H;
    rc.G     = G;
    rc.sigma = normH2 > 0 ? 1.01 * normH2 : 1.0;
    rc.ksp   = ksp;
    PetscCall(MatCreateVecs(G, &rc.td, &rc.gm));
    PetscCall(VecDuplicate(rc.gm, &rc.gm2));
    PetscCall(VecDuplicate(rc.td, &rc.y));
    PetscCall(VecDuplicate(rc.td, &rc.h));
    PetscCall(VecDuplicate(rc.td, &rc.py));
    Mat T;
    PetscCall(MatCreateShell(comm, dloc, dloc, d, d, &rc, &T));
    PetscCall(MatShellSetOperation(T, MATOP_MULT, (void (*)(void))ReducedMult));
    PetscCall(MatSetOption(T, MAT_SYMMETRIC, PETSC_TRUE));
    if (m == 0) { // P = I: T = H
      PetscCall(OneEigenvalue(H, EPS_SMALLEST_REAL, settings.tol, settings.tol * rc.sigma, PetscMin(kReducedNcv, d), &out->lambdaMinReducedHessian, &its));
    } else PetscCall(OneEigenvalue(T, EPS_SMALLEST_REAL, settings.tol, settings.tol * rc.sigma, PetscMin(kReducedNcv, d), &out->lambdaMinReducedHessian, &its));
    PetscCall(MatDestroy(&T));
    PetscCall(VecDestroy(&rc.td));
    PetscCall(VecDestroy(&rc.gm));
    PetscCall(VecDestroy(&rc.gm2));
    PetscCall(VecDestroy(&rc.y));
    PetscCall(VecDestroy(&rc.h));
    PetscCall(VecDestroy(&rc.py));
  }
  out->iterations = its;
  PetscCall(KSPDestroy(&ksp));
  PetscCall(MatDestroy(&GGt));
  PetscCall(VecDestroy(&gctx.td));
  PetscFunctionReturn(0);
}

PetscErrorCode StartSlepc() { return SlepcInitializeIfNeeded(); }
PetscErrorCode DominantOrExtremeEigenvalue(Mat A, int which, PetscReal tol, PetscReal absTol, PetscInt ncv, PetscReal *lambda, PetscInt *its)
{
  return OneEigenvalue(A, (EPSWhich)which, tol, absTol, ncv, lambda, its);
}
#endif

} // namespace spectra
} // namespace adasketch
} // namespace petal
