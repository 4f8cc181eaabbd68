// The "sns" type (PETALOTSNS): Sinkhorn-Newton-Sparse. Its life cycle, options and view; the public
// PetalOTSNSSet* functions reach its data through composed functions (PetscTryMethod), as KSPGMRESSetRestart
// reaches GMRES's, so they are no-ops on other types. The algorithm is in ot_newton.cpp.
#include "ot_sns.hpp"
#include <cmath>

namespace {
PetalOT_SNS &Data(PetalOT ot) { return *static_cast<PetalOT_SNS *>(ot->data); }

/* Every real option of the type: finite and within [lo, hi] (an open end where the flag says so). */
PetscErrorCode CheckRange(PetalOT ot, const char *option, PetscReal v, PetscReal lo, PetscBool loOpen, PetscReal hi, PetscBool hiOpen)
{
  PetscFunctionBegin;
  const bool ok = std::isfinite(v) && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
  PetscCheck(ok, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: %s must be finite and in %s%g, %g%s, got %g", option, loOpen ? "(" : "[", (double)lo, (double)hi, hiOpen ? ")" : "]", (double)v);
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSNSSetWarmup_SNS(PetalOT ot, PetscInt n1)
{
  PetscFunctionBegin;
  Data(ot).warmup = n1;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSNSSetDensity_SNS(PetalOT ot, PetscReal lambda)
{
  PetscFunctionBegin;
  Data(ot).density = lambda == (PetscReal)PETSC_DEFAULT ? -1 : lambda;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSNSSetMaxNewton_SNS(PetalOT ot, PetscInt maxNewton)
{
  PetscFunctionBegin;
  Data(ot).maxNewton = maxNewton;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetFromOptions_SNS(PetalOT ot, PetscOptionItems *PetscOptionsObject)
{
  PetalOT_SNS &s       = Data(ot);
  MPI_Comm     comm    = PetscObjectComm((PetscObject)ot);
  PetscReal    density = s.density;
  PetscInt     n;
  PetscBool    set;
  KSP          ksp;

  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "PetalOT Sinkhorn-Newton-Sparse (sns) options");
  PetscCall(PetscOptionsInt("-ot_sns_warmup", "SNS: Sinkhorn warm-up iterations N1 (with -ot_sns_adaptive_switch: before the first Newton try)", "PetalOTSNSSetWarmup", s.warmup, &n, &set));
  if (set) PetscCall(PetalOTSNSSetWarmup(ot, n));
  PetscCall(PetscOptionsReal("-ot_sns_density", "SNS: Hessian density lambda, keep the ceil(lambda n m) largest plan entries (default 2/max(n,m); <= 0: the default)", "PetalOTSNSSetDensity", density, &density, &set));
  if (set) PetscCall(PetalOTSNSSetDensity(ot, density <= 0 ? (PetscReal)PETSC_DEFAULT : density));
  PetscCall(PetscOptionsBool("-ot_sns_density_adapt", "SNS: raise the density (x2, x4) after a full Newton step that does not cut the marginal error by 4", "", s.densityAdapt, &s.densityAdapt, NULL));
  PetscCall(PetscOptionsReal("-ot_sns_density_max", "SNS: largest density the adaptation may reach (default max(0.1, 64/n); <= 0: the default)", "", s.densityMax, &s.densityMax, &set));
  if (set && !(s.densityMax <= 0)) PetscCall(CheckRange(ot, "-ot_sns_density_max", s.densityMax, 0, PETSC_TRUE, 1, PETSC_FALSE));
  PetscCall(PetscOptionsReal("-ot_sns_stall_rate", "SNS: after the N1 warm-up iterations, keep iterating Sinkhorn while it cuts the error by this factor per iteration (over 5; 1: stop at N1)", "", s.stallRate, &s.stallRate, NULL));
  PetscCall(CheckRange(ot, "-ot_sns_stall_rate", s.stallRate, 0, PETSC_TRUE, 1, PETSC_FALSE));
  PetscCall(PetscOptionsInt("-ot_sns_interleave", "SNS: Sinkhorn iterations after a Newton step that does not halve the error (0: none)", "", s.interleave, &s.interleave, NULL));
  PetscCall(PetscOptionsInt("-ot_sns_max_newton", "SNS: maximum Newton steps", "PetalOTSNSSetMaxNewton", s.maxNewton, &n, &set));
  if (set) PetscCall(PetalOTSNSSetMaxNewton(ot, n));
  PetscCall(PetscOptionsBool("-ot_sns_adaptive_switch", "SNS: leave the warm-up once a Newton step is accepted with unit step", "", s.adaptive, &s.adaptive, NULL));
  PetscCall(PetscOptionsInt("-ot_sns_switch_interval", "SNS adaptive switch: Sinkhorn iterations between Newton tries (>= 1)", "", s.switchInterval, &s.switchInterval, NULL));
  PetscCall(PetscOptionsInt("-ot_sns_fallback_its", "SNS: Sinkhorn iterations after a failed line search", "", s.fallbackIts, &s.fallbackIts, NULL));
  PetscCall(PetscOptionsInt("-ot_eps_scaling_stage_warmup", "SNS: Sinkhorn iterations at the start of each later epsilon-scaling stage", "", s.stageWarmup, &s.stageWarmup, NULL));
  PetscCall(PetscOptionsEnum("-ot_newton_gauge", "SNS: how the (1,-1) null direction is removed: fix (y_m = const) or nullspace (MatNullSpace)", "", PetalOTGauges, (PetscEnum)s.gauge, (PetscEnum *)&s.gauge, NULL));
  PetscCall(PetscOptionsBool("-ot_newton_forcing", "SNS: inexact Newton, KSP rtol = min(forcing_max, marginal error^forcing_power); off: -ot_newton_ksp_rtol", "", s.forcing, &s.forcing, NULL));
  PetscCall(PetscOptionsReal("-ot_newton_forcing_power", "SNS: exponent of the forcing rule (1: quadratic, 0.5: superlinear Newton)", "", s.forcingPower, &s.forcingPower, NULL));
  PetscCall(CheckRange(ot, "-ot_newton_forcing_power", s.forcingPower, 0, PETSC_TRUE, PETSC_MAX_REAL, PETSC_FALSE));
  PetscCall(PetscOptionsReal("-ot_newton_forcing_max", "SNS: largest KSP rtol of the forcing rule", "", s.forcingMax, &s.forcingMax, NULL));
  PetscCall(CheckRange(ot, "-ot_newton_forcing_max", s.forcingMax, 0, PETSC_TRUE, 1, PETSC_TRUE));
  PetscCall(PetscOptionsReal("-ot_newton_ls_c1", "SNS: Armijo constant of the backtracking line search", "", s.lsC1, &s.lsC1, NULL));
  PetscCall(CheckRange(ot, "-ot_newton_ls_c1", s.lsC1, 0, PETSC_TRUE, 1, PETSC_TRUE));
  PetscCall(PetscOptionsInt("-ot_newton_ls_max", "SNS: maximum step halvings in the line search (>= 1)", "", s.lsMax, &s.lsMax, NULL));
  PetscOptionsHeadEnd();
  PetscCheck(s.interleave >= 0 && s.fallbackIts >= 0 && s.stageWarmup >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: -ot_sns_interleave, -ot_sns_fallback_its and -ot_eps_scaling_stage_warmup must be >= 0, got %" PetscInt_FMT ", %" PetscInt_FMT " and %" PetscInt_FMT, s.interleave, s.fallbackIts, s.stageWarmup);
  PetscCheck(s.switchInterval >= 1 && s.lsMax >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: -ot_sns_switch_interval and -ot_newton_ls_max must be >= 1, got %" PetscInt_FMT " and %" PetscInt_FMT, s.switchInterval, s.lsMax);
  PetscCall(PetalOTGetNewtonKSP(ot, &ksp)); /* PetalOTSetFromOptions configures it after this block */
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSolve_SNS(PetalOT ot)
{
  PetscFunctionBegin;
  PetscCall(petal::ot::RunSNS(ot, Data(ot)));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTView_SNS(PetalOT ot, PetscViewer viewer)
{
  const PetalOT_SNS &s = Data(ot);
  KSP                ksp;

  PetscFunctionBegin;
  if (s.adaptive) PetscCall(PetscViewerASCIIPrintf(viewer, "SNS switch: adaptive, first Newton try after %" PetscInt_FMT " Sinkhorn iterations, retry every %" PetscInt_FMT "\n", s.warmup, s.switchInterval));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "SNS switch: after N1 = %" PetscInt_FMT " Sinkhorn iterations\n", s.warmup));
  if (ot->epsScaling) PetscCall(PetscViewerASCIIPrintf(viewer, "SNS epsilon scaling: %" PetscInt_FMT " Sinkhorn iterations at the start of each later stage\n", s.stageWarmup));
  if (ot->solved) PetscCall(PetscViewerASCIIPrintf(viewer, "SNS Hessian density: lambda = %g (k = %" PetscInt_FMT " plan entries kept, plus the full diagonals)\n", (double)s.densityUsed, s.kUsed));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "SNS Hessian density: lambda = %s\n", s.density > 0 ? "user value" : "2/max(n,m)"));
  if (s.density > 0) PetscCall(PetscViewerASCIIPrintf(viewer, "  (user lambda = %g)\n", (double)s.density));
  PetscCall(PetscViewerASCIIPrintf(viewer, "SNS density adaptation: %s (up to lambda = %g); warm-up extended while Sinkhorn cuts the error by %g per iteration%s; %" PetscInt_FMT " Sinkhorn iterations after a slow Newton step\n", s.densityAdapt ? "on" : "off",
                                   (double)(ot->solved ? s.curDensityMax : s.densityMax), (double)s.stallRate, s.stallRate < 1 ? "" : " (off)", s.interleave));
  PetscCall(PetscViewerASCIIPrintf(viewer, "SNS Newton: at most %" PetscInt_FMT " steps, gauge %s, forcing %s (rtol = min(%g, error^%g)), Armijo c1 = %g, at most %" PetscInt_FMT " halvings, %" PetscInt_FMT " Sinkhorn iterations after a failed line search\n", s.maxNewton,
                                   PetalOTGauges[s.gauge], s.forcing ? "on" : "off", (double)s.forcingMax, (double)s.forcingPower, (double)s.lsC1, s.lsMax, s.fallbackIts));
  PetscCall(PetalOTGetNewtonKSP(ot, &ksp));
  PetscCall(KSPView(ksp, viewer));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTDestroy_SNS(PetalOT ot)
{
  PetscFunctionBegin;
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "PetalOTSNSSetWarmup_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "PetalOTSNSSetDensity_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "PetalOTSNSSetMaxNewton_C", NULL));
  delete static_cast<PetalOT_SNS *>(ot->data);
  ot->data = nullptr;
  PetscFunctionReturn(0);
}
} // namespace

PETSC_EXTERN PetscErrorCode PetalOTCreate_SNS(PetalOT ot)
{
  PetscFunctionBegin;
  ot->data                = new PetalOT_SNS();
  ot->ops->setfromoptions = PetalOTSetFromOptions_SNS;
  ot->ops->solve          = PetalOTSolve_SNS;
  ot->ops->view           = PetalOTView_SNS;
  ot->ops->destroy        = PetalOTDestroy_SNS;
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "PetalOTSNSSetWarmup_C", PetalOTSNSSetWarmup_SNS));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "PetalOTSNSSetDensity_C", PetalOTSNSSetDensity_SNS));
  PetscCall(PetscObjectComposeFunction((PetscObject)ot, "PetalOTSNSSetMaxNewton_C", PetalOTSNSSetMaxNewton_SNS));
  PetscFunctionReturn(0);
}

/* The public setters: arguments checked for any type, applied by the sns type only. */
PetscErrorCode PetalOTSNSSetWarmup(PetalOT ot, PetscInt n1)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(n1 >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the SNS warm-up (-ot_sns_warmup) must be non-negative, got %" PetscInt_FMT, n1);
  PetscTryMethod(ot, "PetalOTSNSSetWarmup_C", (PetalOT, PetscInt), (ot, n1));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSNSSetDensity(PetalOT ot, PetscReal lambda)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(lambda == (PetscReal)PETSC_DEFAULT || (lambda > 0 && lambda <= 1), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the Hessian density (-ot_sns_density) must be in (0, 1], got %g", (double)lambda);
  PetscTryMethod(ot, "PetalOTSNSSetDensity_C", (PetalOT, PetscReal), (ot, lambda));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSNSSetMaxNewton(PetalOT ot, PetscInt maxNewton)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(maxNewton >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the Newton step limit (-ot_sns_max_newton) must be non-negative, got %" PetscInt_FMT, maxNewton);
  PetscTryMethod(ot, "PetalOTSNSSetMaxNewton_C", (PetalOT, PetscInt), (ot, maxNewton));
  PetscFunctionReturn(0);
}
