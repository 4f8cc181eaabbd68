// TAOADASKETCH: AdaSketch-Newton (Hong, Na, Mahoney & Kolar, ICML 2023) for min f(x) s.t. c(x) = 0.
//
// The outer loop of the reference code (CUTEst/AdaSketchNewtonRK/AdaSketchNewtonRK.jl), with the exact merit
// gradient: Newton-KKT steps solved inexactly under the adaptive accuracy test, penalties raised until the step
// is a descent direction of the exact augmented Lagrangian, Armijo backtracking on it. Structure follows
// TAOPDIPM/TAOALMM (src/tao/constrained/impls): the multipliers live in tao->DE so that the user's Hessian callback
// reads them with TaoGetDualVariables (L = f + DE^T c). See README.md for the algorithm as implemented.
#include "solvers/adasketch/adasketch_impl.hpp"
#include <algorithm>
#include <cmath>

namespace petal {
namespace adasketch {
namespace {

/* f, grad f, c, G at (x, l), and gradL = grad f + G^T l. Every callback's output is checked for NaN/Inf. */
PetscErrorCode Evaluate(Tao tao, Vec x, Vec l, PetscReal *f)
{
  Tao_AdaSketch *as = Data(tao);
  PetscFunctionBegin;
  PetscCall(TaoComputeObjectiveAndGradient(tao, x, f, tao->gradient));
  PetscCheck(std::isfinite((double)*f), PetscObjectComm((PetscObject)tao), PETSC_ERR_FP, "TAOADASKETCH: the objective callback returned %g (NaN or Inf)", (double)*f);
  PetscCall(CheckFiniteVec(tao, tao->gradient, "the gradient callback (TaoSetObjectiveAndGradient/TaoSetGradient)"));
  PetscCall(TaoComputeEqualityConstraints(tao, x, tao->constraints_equality));
  PetscCall(CheckFiniteVec(tao, tao->constraints_equality, "the equality constraints callback (TaoSetEqualityConstraintsRoutine)"));
  PetscCall(TaoComputeJacobianEquality(tao, x, tao->jacobian_equality, tao->jacobian_equality_pre));
  PetscCall(CheckFiniteMat(tao, tao->jacobian_equality, "the equality Jacobian callback (TaoSetJacobianEqualityRoutine)"));
  PetscCall(MatMultTransposeAdd(tao->jacobian_equality, l, tao->gradient, as->gradL));
  PetscFunctionReturn(0);
}

PetscErrorCode KKTNorms(Tao tao, PetscReal *kkt, PetscReal *gnorm, PetscReal *cnorm)
{
  Tao_AdaSketch *as = Data(tao);
  PetscFunctionBegin;
  PetscCall(VecNorm(as->gradL, NORM_2, gnorm));
  PetscCall(VecNorm(tao->constraints_equality, NORM_2, cnorm));
  *kkt = std::sqrt((*gnorm) * (*gnorm) + (*cnorm) * (*cnorm));
  PetscFunctionReturn(0);
}

/* delta_trial(mu, nu) = (0.5 - beta) nu / ((1 + mu + nu) Upsilon^2 Psi^2) */
PetscReal DeltaTrial(const Tao_AdaSketch *as, PetscReal mu, PetscReal nu, PetscReal upsilon, PetscReal psi)
{
  return (0.5 - as->c.beta) * nu / ((1.0 + mu + nu) * upsilon * upsilon * psi * psi);
}

/* Records iteration `it`, prints the monitors and runs the convergence test. */
PetscErrorCode Report(Tao tao, PetscInt it, PetscReal f, PetscReal kkt, PetscReal gnorm, PetscReal cnorm, PetscReal step, PetscInt64 inner)
{
  Tao_AdaSketch *as = Data(tao);
  PetscFunctionBegin;
  tao->niter   = it;
  tao->ksp_its = (PetscInt)inner;
  tao->ksp_tot_its += (PetscInt)inner;
  PetscCall(TaoLogConvergenceHistory(tao, f, kkt, cnorm, (PetscInt)inner));
  PetscCall(TaoMonitor(tao, it, f, kkt, cnorm, step));
  if (as->monitor) {
    PetscViewer viewer = PETSC_VIEWER_STDOUT_(PetscObjectComm((PetscObject)tao));
    PetscCall(PetscViewerASCIIAddTab(viewer, ((PetscObject)tao)->tablevel));
    PetscCall(PetscViewerASCIIPrintf(viewer,
                                     "  adasketch %3" PetscInt_FMT " f %.10e |c| %.3e |grad_x L| %.3e mu %.3e nu %.3e delta %.3e inner %" PetscInt64_FMT " step %g\n",
                                     it, (double)f, (double)cnorm, (double)gnorm, (double)as->mu, (double)as->nu, (double)as->delta, inner, (double)step));
    PetscCall(PetscViewerASCIISubtractTab(viewer, ((PetscObject)tao)->tablevel));
  }
  PetscUseTypeMethod(tao, convergencetest, tao->cnvP);
  PetscFunctionReturn(0);
}

} // namespace

static PetscErrorCode ComputeScales(Tao tao, Mat H, Mat G, PetscInt it, Scales *s)
{
  Tao_AdaSketch *as = Data(tao);
  KKTSpectra     sp;
  PetscInt       d, m;
  PetscFunctionBegin;
  PetscCall(MatGetSize(G, &m, &d));
  SpectraSettings settings = as->spectra;
  settings.xState          = as->stateIS; /* with a state split: through state solves, no G G^T factorisation */
  PetscCall(Spectra(H, G, settings, &sp)); /* logged as PetalAdaSketchSpectra by sketch/ */
  as->lastLambdaMinGGt = sp.lambdaMinGGt;
  PetscCheck(sp.lambdaMinGGt >= as->c.singularGGt, PetscObjectComm((PetscObject)tao), PETSC_ERR_NOT_CONVERGED,
             "TAOADASKETCH: singular constraint Jacobian at iteration %" PetscInt_FMT ": lambda_min(G G^T) = %g < %g (the constraints are dependent or degenerate here)", it,
             (double)sp.lambdaMinGGt, (double)as->c.singularGGt);
  s->xiG   = sp.lambdaMinGGt;
  s->normH = sp.normH;
  s->normG = sp.normG;
  // B = H + (xi_B + |H|) I when the reduced Hessian is not safely positive definite (m < d only). The threshold is
  // the reference's 1e-6, relative to |H| when |H| < 1: a discretised PDE's objective carries the cell volume h^D,
  // and an absolute 1e-6 would call a convex problem indefinite on fine grids (the shift then turns Newton steps
  // into gradient steps: seen as a stall at N = 127).
  const PetscReal hessMin = as->c.reducedHessMin * std::min((PetscReal)1.0, sp.normH);
  s->shift = (m < d && sp.lambdaMinReducedHessian < hessMin) ? as->c.xiB + sp.normH : 0.0;
  if (s->shift == 0) s->normB = sp.normH;
  else if (as->spectra.norm == NormKind::Frobenius) {
    // |H + s I|_F^2 = |H|_F^2 + 2 s tr(H) + d s^2, exactly.
    PetscScalar tr;
    PetscCall(MatGetTrace(H, &tr));
    s->normB = std::sqrt(std::max(0.0, (double)(sp.normH * sp.normH + 2 * s->shift * PetscRealPart(tr) + d * s->shift * s->shift)));
  } else s->normB = sp.normH + s->shift; /* |H + s I|_2 <= |H|_2 + s (equal when lambda_max(H) = |H|_2) */
  s->psi     = 20.0 * std::max(s->normB * s->normB, (PetscReal)1.0) / (std::min(s->xiG, (PetscReal)1.0) * std::min(as->c.xiB, (PetscReal)1.0));
  s->upsilon = std::max({s->normG, s->normH, (PetscReal)1.0});
  // |K| for K = [[B, G^T], [G, 0]]: exact in Frobenius; in the spectral setting the bound |B|_2 + |G|_2.
  s->normK = as->spectra.norm == NormKind::Frobenius ? std::sqrt(s->normB * s->normB + 2 * s->normG * s->normG) : s->normB + s->normG;
  PetscCall(PetscInfo(tao, "iteration %" PetscInt_FMT ": lambda_min(GG^T) %g lambda_min(Z^T H Z) %g |H| %g |G| %g shift %g Psi %g Upsilon %g |K| %g\n", it, (double)s->xiG,
                      (double)sp.lambdaMinReducedHessian, (double)s->normH, (double)s->normG, (double)s->shift, (double)s->psi, (double)s->upsilon, (double)s->normK));
  PetscFunctionReturn(0);
}

static PetscErrorCode TaoSolve_AdaSketch(Tao tao)
{
  Tao_AdaSketch *as = Data(tao);
  Vec            x = tao->solution, l = tao->DE, c = tao->constraints_equality;
  Mat            G = tao->jacobian_equality, H = tao->hessian;
  PetscReal      f, kkt, gnorm, cnorm;
  PetscInt       it = 0;

  PetscFunctionBegin;
  PetscCall(CheckProblem(tao));
  as->mu = as->mu0;
  as->nu = as->nu0;
  as->delta = as->delta0;
  as->innerTotal = 0;
  as->penaltyIncreases = 0;
  as->halvings = 0;
  as->scalesIteration = -1;
  tao->reason      = TAO_CONTINUE_ITERATING;
  tao->lsflag      = PETSC_FALSE; /* a line-search failure of an earlier solve must not stop this one */
  tao->ksp_tot_its = 0;

  PetscCall(Evaluate(tao, x, l, &f));
  PetscCall(KKTNorms(tao, &kkt, &gnorm, &cnorm));
  const PetscReal kkt0 = kkt;
  PetscCall(Report(tao, 0, f, kkt, gnorm, cnorm, 0.0, 0));

  while (tao->reason == TAO_CONTINUE_ITERATING) {
    if (tao->ops->update) PetscUseTypeMethod(tao, update, tao->niter, tao->user_update);
    // The Lagrangian Hessian at (x, l): the user's callback reads l = tao->DE.
    PetscCall(TaoComputeHessian(tao, x, H, tao->hessian_pre));
    PetscCall(CheckFiniteMat(tao, H, "the Hessian callback (TaoSetHessian)"));
    // The spectral quantities move slowly with x; with -tao_adasketch_spectra_lag k they are recomputed every k
    // outer iterations (eigenvalue solves dominate an iteration at PDE scale).
    if (as->scalesIteration < 0 || it - as->scalesIteration >= as->spectraLag) {
      PetscCall(ComputeScales(tao, H, G, it, &as->scales));
      as->scalesIteration = it;
    }
    const Scales &s = as->scales;
    as->delta = std::max(as->c.deltaMin, std::min(as->delta, DeltaTrial(as, as->mu, as->nu, s.upsilon, s.psi)));
    // theta_t: constant (the paper's linear variant) or theta0 sqrt(|grad L_t| / |grad L_0|) -> 0 (superlinear).
    PetscReal theta = as->theta0;
    if (as->superlinear && kkt0 > 0) theta *= std::min((PetscReal)1.0, std::sqrt(kkt / kkt0));
    PetscCall(MeritGradientParts(tao, H, G, as->gradL, c));

    PetscCall(VecSet(as->dx, 0.0));
    PetscCall(VecSet(as->dl, 0.0));
    PetscCall(InnerReset(tao));
    PetscInt64 inner = 0;
    PetscReal  gz    = 0;
    for (std::uint64_t retry = 0;; ++retry) {
      // Adaptive accuracy test |K| Psi |K z + grad L| <= theta delta |grad L|, as a target on |K z + grad L|
      // relative to |grad L| (floored at innerFloor: below it the test asks for more than double precision holds).
      const PetscReal rel = std::max(theta * as->delta / (s.normK * s.psi), as->innerFloor);
      InnerResult     r;
      PetscCall(InnerSolve(tao, H, s.shift, G, as->gradL, c, rel, ((std::uint64_t)it << 20) + retry, &r));
      inner += r.iterations;
      PetscCall(MeritGradient(as, c, as->mu, as->nu, as->gmx, as->gml));
      PetscScalar a, b;
      PetscCall(VecDot(as->gmx, as->dx, &a));
      PetscCall(VecDot(as->gml, as->dl, &b));
      gz = PetscRealPart(a + b);
      if (as->mu > as->c.muMax || as->nu < as->c.nuMin) break; /* safeguard */
      if (gz > -0.5 * as->nu * kkt * kkt) {
        // Not a descent direction of L_{mu,nu}: raise the penalties, tighten delta, and continue from z.
        as->mu *= as->c.rho * as->c.rho;
        as->nu /= as->c.rho;
        as->delta = std::max(as->c.deltaMin, std::min(as->delta / std::pow(as->c.rho, 4), DeltaTrial(as, as->mu, as->nu, s.upsilon, s.psi)));
        as->penaltyIncreases++;
        continue;
      }
      break;
    }
    as->innerTotal += inner;

    // Armijo backtracking on L_{mu,nu}. The trial evaluations overwrite the current c, G and grad f, which are
    // not needed again: the accepted trial is the new point.
    PetscReal merit0, alpha = 1.0, ft = f;
    PetscCall(MeritValue(f, l, c, as->gradL, as->mu, as->nu, &merit0));
    bool accepted = false;
    for (PetscInt k = 0; k <= as->maxHalvings; ++k) {
      PetscCall(VecWAXPY(as->xTrial, alpha, as->dx, x));
      PetscCall(VecWAXPY(as->lTrial, alpha, as->dl, l));
      PetscCall(Evaluate(tao, as->xTrial, as->lTrial, &ft));
      PetscReal mt;
      PetscCall(MeritValue(ft, as->lTrial, c, as->gradL, as->mu, as->nu, &mt));
      if (mt <= merit0 + alpha * as->c.beta * gz) {
        accepted = true;
        break;
      }
      alpha *= 0.5;
      as->halvings++;
    }
    ++it;
    if (!accepted) {
      // Back to a consistent state at the unchanged iterate, and stop.
      PetscCall(Evaluate(tao, x, l, &f));
      PetscCall(KKTNorms(tao, &kkt, &gnorm, &cnorm));
      PetscCall(PetscInfo(tao, "Armijo line search failed after %" PetscInt_FMT " halvings (directional derivative %g)\n", as->maxHalvings, (double)gz));
      tao->lsflag = PETSC_TRUE;
      PetscCall(Report(tao, it, f, kkt, gnorm, cnorm, 0.0, inner));
      if (tao->reason == TAO_CONTINUE_ITERATING) tao->reason = TAO_DIVERGED_LS_FAILURE;
      break;
    }
    PetscCall(VecCopy(as->xTrial, x));
    PetscCall(VecCopy(as->lTrial, l));
    f = ft;
    PetscCall(KKTNorms(tao, &kkt, &gnorm, &cnorm));
    PetscCall(Report(tao, it, f, kkt, gnorm, cnorm, alpha, inner));
  }
  PetscCall(InnerReset(tao));
  PetscFunctionReturn(0);
}

static PetscErrorCode TaoSetUp_AdaSketch(Tao tao)
{
  Tao_AdaSketch *as = Data(tao);
  PetscFunctionBegin;
  PetscCall(CheckProblem(tao));
  if (!tao->gradient) PetscCall(VecDuplicate(tao->solution, &tao->gradient));
  if (!tao->DE) {
    PetscCall(VecDuplicate(tao->constraints_equality, &tao->DE));
    PetscCall(VecSet(tao->DE, as->lambda0));
  }
  PetscCall(VecDuplicate(tao->solution, &as->gradL));
  PetscCall(VecDuplicate(tao->solution, &as->dx));
  PetscCall(VecDuplicate(tao->solution, &as->xTrial));
  PetscCall(VecDuplicate(tao->solution, &as->Hg));
  PetscCall(VecDuplicate(tao->solution, &as->Gtc));
  PetscCall(VecDuplicate(tao->solution, &as->gmx));
  PetscCall(VecDuplicate(tao->constraints_equality, &as->dl));
  PetscCall(VecDuplicate(tao->constraints_equality, &as->lTrial));
  PetscCall(VecDuplicate(tao->constraints_equality, &as->Gg));
  PetscCall(VecDuplicate(tao->constraints_equality, &as->gml));
  PetscFunctionReturn(0);
}

static PetscErrorCode DestroyWork(Tao_AdaSketch *as)
{
  PetscFunctionBegin;
  for (Vec *v : {&as->gradL, &as->dx, &as->dl, &as->xTrial, &as->lTrial, &as->Hg, &as->Gtc, &as->Gg, &as->gmx, &as->gml}) PetscCall(VecDestroy(v));
  PetscCall(MatDestroy(&as->B));
  PetscFunctionReturn(0);
}

static PetscErrorCode TaoDestroy_AdaSketch(Tao tao)
{
  Tao_AdaSketch *as = Data(tao);
  PetscFunctionBegin;
  PetscCall(InnerDestroy(tao));
  PetscCall(DestroyWork(as));
  PetscCall(KSPDestroy(&as->ksp));
  PetscCall(ISDestroy(&as->stateIS));
  delete as;
  tao->data = nullptr;
  PetscCall(RemoveFunctions(tao));
  PetscFunctionReturn(0);
}

static PetscErrorCode TaoView_AdaSketch(Tao tao, PetscViewer viewer)
{
  Tao_AdaSketch *as = Data(tao);
  PetscBool      isascii;
  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &isascii));
  if (!isascii) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "AdaSketch-Newton: exact augmented Lagrangian, adaptive inexact KKT solves\n"));
  if (as->inner == TAO_ADASKETCH_INNER_SKETCH)
    PetscCall(PetscViewerASCIIPrintf(viewer, "inner solver: sketch (%s, block %" PetscInt_FMT ", seed %" PetscInt64_FMT ", %s kernels, at most %" PetscInt64_FMT " steps)\n",
                                     TaoAdaSketchSketchTypes[as->sketch], as->block, as->seed, as->sketchReference ? "reference" : "Kokkos", as->maxInner));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "inner solver: ksp (options prefix tao_adasketch_)\n"));
  PetscCall(PetscViewerASCIIPrintf(viewer, "initial mu %g nu %g delta %g; theta %g%s\n", (double)as->mu0, (double)as->nu0, (double)as->delta0, (double)as->theta0,
                                   as->superlinear ? " (superlinear schedule theta0 sqrt(|grad L|/|grad L0|))" : ""));
  PetscCall(PetscViewerASCIIPrintf(viewer, "norms in Psi and |K|: %s; spectral quantities recomputed every %" PetscInt_FMT " iteration(s)\n",
                                   as->spectra.norm == NormKind::Frobenius ? "frobenius" : "spectral", as->spectraLag));
  if (as->stateIS) {
    PetscInt ny;
    PetscCall(ISGetSize(as->stateIS, &ny));
    PetscCall(PetscViewerASCIIPrintf(viewer, "state variables: %" PetscInt_FMT " (TaoAdaSketchSetStateIS); reduced-space preconditioner: %s\n", ny, as->reducedSpace ? "yes" : "no"));
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "constants: xi_B %g beta %g rho %g delta_min %g singular lambda_min(GG^T) < %g; safeguards mu > %g, nu < %g\n", (double)as->c.xiB,
                                   (double)as->c.beta, (double)as->c.rho, (double)as->c.deltaMin, (double)as->c.singularGGt, (double)as->c.muMax, (double)as->c.nuMin));
  PetscCall(PetscViewerASCIIPrintf(viewer, "last solve: final mu %g nu %g delta %g; inner iterations %" PetscInt64_FMT ", penalty increases %" PetscInt_FMT ", Armijo halvings %" PetscInt_FMT "\n",
                                   (double)as->mu, (double)as->nu, (double)as->delta, as->innerTotal, as->penaltyIncreases, as->halvings));
  if (as->inner == TAO_ADASKETCH_INNER_KSP && as->ksp) PetscCall(KSPView(as->ksp, viewer));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

} // namespace adasketch
} // namespace petal

/*MC
  TAOADASKETCH - "adasketch": AdaSketch-Newton for equality-constrained problems (include/petal/adasketch.h,
  solvers/adasketch/README.md).
M*/
PetscErrorCode TaoCreate_AdaSketch(Tao tao)
{
  using namespace petal::adasketch;
  PetscFunctionBegin;
  PetscCall(TaoAdaSketchInitializePackage());
  tao->data                = new Tao_AdaSketch();
  tao->ops->setup          = TaoSetUp_AdaSketch;
  tao->ops->solve          = TaoSolve_AdaSketch;
  tao->ops->view           = TaoView_AdaSketch;
  tao->ops->setfromoptions = SetFromOptions;
  tao->ops->destroy        = TaoDestroy_AdaSketch;
  // Stop on the absolute KKT residual |(grad_x L, c)| <= gatol with |c| <= catol (1e-8 each unless set); the
  // relative test |grad L|/|f| is off unless the user asks for it.
  if (!tao->gatol_changed) tao->gatol = 1e-8;
  if (!tao->catol_changed) tao->catol = 1e-8;
  if (!tao->grtol_changed) tao->grtol = 0.0;
  PetscCall(ComposeFunctions(tao));
  PetscFunctionReturn(0);
}
