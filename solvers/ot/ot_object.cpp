// PetalOT life cycle: create, problem and parameter setters, options, solve, view, accessors, destroy.
#include "ot_impl.hpp"

using petal::ot::Workspace;

PetscErrorCode PetalOTCreate(MPI_Comm comm, PetalOT *out)
{
  PetalOT ot;

  PetscFunctionBegin;
  PetscValidPointer(out, 2);
  PetscCall(PetalOTInitializePackage());
  PetscCall(PetscHeaderCreate(ot, PETAL_OT_CLASSID, "PetalOT", "Entropic optimal transport", "PetalOT", comm, PetalOTDestroy, PetalOTView));
  ot->costType          = PETAL_OT_COST_SQEUCLIDEAN;
  ot->costP             = 2.0;
  ot->costScale         = 1.0;
  ot->costScaleUsed     = 1.0;
  ot->costNormalize     = PETSC_FALSE;
  ot->method            = PETAL_OT_SINKHORN;
  ot->variant           = PETAL_OT_SINKHORN_AUTO;
  ot->storedMaxMB       = 256;
  ot->storedFloat       = PETSC_TRUE;
  ot->eta               = 100.0;
  ot->tol               = 1e-9;
  ot->massTol           = 1e-8;
  ot->maxIt             = 100000;
  ot->epsScaling        = PETSC_FALSE;
  ot->epsEta0           = 10.0;
  ot->epsFactor         = 4.0;
  ot->epsStageTol       = 1e-3;
  ot->epsInnerMax       = 200;
  ot->epsStageWarmup    = 2;
  ot->snsWarmup         = 20; /* the paper's N1 for random assignment and MNIST-L2 */
  ot->snsMaxNewton      = 200;
  ot->snsSwitchInterval = 10;
  ot->snsFallbackIts    = 20;
  ot->snsDensity        = -1; /* 2 / max(n, m), the paper's lambda */
  ot->snsAdaptive       = PETSC_FALSE;
  ot->snsDensityAdapt   = PETSC_TRUE;
  ot->snsInterleave     = 0;
  ot->snsStallRate      = 1.0;
  ot->snsDensityMax     = -1; /* max(0.1, 64/n), at least lambda */
  ot->gauge             = PETAL_OT_GAUGE_FIX;
  ot->forcing           = PETSC_TRUE;
  ot->forcingMax        = 0.01;
  ot->forcingPower      = 1.0;
  ot->lsC1              = 1e-4;
  ot->lsMax             = 40;
  ot->planThreshold     = 1e-12;
  ot->monitor           = PETSC_FALSE;
  ot->monitorInterval   = 100;
  ot->res.reason        = PETAL_OT_ITERATING;

  /* The Newton systems: CG + Jacobi on the sparsified Hessian, options under -ot_newton_ksp_. */
  PC pc;
  PetscCall(KSPCreate(comm, &ot->ksp));
  PetscCall(PetscObjectIncrementTabLevel((PetscObject)ot->ksp, (PetscObject)ot, 1));
  PetscCall(KSPSetType(ot->ksp, KSPCG));
  PetscCall(KSPGetPC(ot->ksp, &pc));
  PetscCall(PCSetType(pc, PCJACOBI));
  PetscCall(KSPSetNormType(ot->ksp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetTolerances(ot->ksp, 1e-2, 1e-50, PETSC_DEFAULT, 10000));
  PetscCall(KSPSetOptionsPrefix(ot->ksp, "ot_newton_"));
  PetscCall(PetscObjectChangeTypeName((PetscObject)ot, PetalOTMethods[ot->method]));
  ot->ws = new Workspace();
  *out   = ot;
  PetscFunctionReturn(0);
}

static PetscErrorCode ClearProblem(PetalOT ot)
{
  PetscFunctionBegin;
  PetscCall(VecDestroy(&ot->r));
  PetscCall(VecDestroy(&ot->c));
  PetscCall(VecDestroy(&ot->X));
  PetscCall(VecDestroy(&ot->Y));
  PetscCall(MatDestroy(&ot->C));
  PetscCall(VecDestroy(&ot->xOut));
  PetscCall(VecDestroy(&ot->yOut));
  ot->solved = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTDestroy(PetalOT *ot)
{
  PetscFunctionBegin;
  if (!ot || !*ot) PetscFunctionReturn(0);
  PetscValidHeaderSpecific(*ot, PETAL_OT_CLASSID, 1);
  if (--((PetscObject)(*ot))->refct > 0) {
    *ot = NULL;
    PetscFunctionReturn(0);
  }
  PetscCall(ClearProblem(*ot));
  PetscCall(KSPDestroy(&(*ot)->ksp));
  delete (*ot)->ws;
  PetscCall(PetscHeaderDestroy(ot));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetProblemCost(PetalOT ot, Vec r, Vec c, Mat C)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidHeaderSpecific(r, VEC_CLASSID, 2);
  PetscValidHeaderSpecific(c, VEC_CLASSID, 3);
  PetscValidHeaderSpecific(C, MAT_CLASSID, 4);
  PetscCall(PetscObjectReference((PetscObject)r));
  PetscCall(PetscObjectReference((PetscObject)c));
  PetscCall(PetscObjectReference((PetscObject)C));
  PetscCall(ClearProblem(ot));
  ot->r   = r;
  ot->c   = c;
  ot->C   = C;
  ot->dim = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetProblemPoints(PetalOT ot, Vec r, Vec c, PetscInt dim, Vec X, Vec Y)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidHeaderSpecific(r, VEC_CLASSID, 2);
  PetscValidHeaderSpecific(c, VEC_CLASSID, 3);
  PetscValidHeaderSpecific(X, VEC_CLASSID, 5);
  PetscValidHeaderSpecific(Y, VEC_CLASSID, 6);
  PetscCheck(dim >= 1, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the point dimension must be >= 1, got %" PetscInt_FMT, dim);
  PetscCall(PetscObjectReference((PetscObject)r));
  PetscCall(PetscObjectReference((PetscObject)c));
  PetscCall(PetscObjectReference((PetscObject)X));
  PetscCall(PetscObjectReference((PetscObject)Y));
  PetscCall(ClearProblem(ot));
  ot->r   = r;
  ot->c   = c;
  ot->X   = X;
  ot->Y   = Y;
  ot->dim = dim;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetCost(PetalOT ot, PetalOTCostType type, PetscReal p)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(type != PETAL_OT_COST_PNORM || (p >= 1 && PetscIsNormalReal(p)), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the p-norm cost needs p >= 1, got %g", (double)p);
  ot->costType = type;
  if (type == PETAL_OT_COST_PNORM) ot->costP = p;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetCostScale(PetalOT ot, PetscReal scale)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(scale > 0 && PetscIsNormalReal(scale), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the cost scale must be positive and finite, got %g", (double)scale);
  ot->costScale     = scale;
  ot->costNormalize = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetCostNormalize(PetalOT ot, PetscBool normalize)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  ot->costNormalize = normalize;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetCostScale(PetalOT ot, PetscReal *scale)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  *scale = ot->costScaleUsed;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetEta(PetalOT ot, PetscReal eta)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(eta > 0 && !PetscIsInfOrNanReal(eta), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: eta (the inverse regularisation 1/epsilon) must be positive and finite, got %g", (double)eta);
  ot->eta = eta;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetEpsilon(PetalOT ot, PetscReal epsilon)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(epsilon > 0 && !PetscIsInfOrNanReal(epsilon), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: epsilon (the regularisation 1/eta) must be positive and finite, got %g", (double)epsilon);
  PetscCall(PetalOTSetEta(ot, 1.0 / epsilon));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetEta(PetalOT ot, PetscReal *eta)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  *eta = ot->eta;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetMethod(PetalOT ot, PetalOTMethod method)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  ot->method = method;
  PetscCall(PetscObjectChangeTypeName((PetscObject)ot, PetalOTMethods[method]));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetMethod(PetalOT ot, PetalOTMethod *method)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  *method = ot->method;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetSinkhornVariant(PetalOT ot, PetalOTSinkhornVariant *variant)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  *variant = ot->variant;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetCost(PetalOT ot, PetalOTCostType *type, PetscReal *p)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  if (type) *type = ot->costType;
  if (p) *p = ot->costP;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetSinkhornStoredMemory(PetalOT ot, PetscReal mib)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(mib >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the stored-plan memory must be >= 0 MiB, got %g", (double)mib);
  ot->storedMaxMB = mib;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetSinkhornStoredFloat(PetalOT ot, PetscBool flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  ot->storedFloat = flg;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetSinkhornVariant(PetalOT ot, PetalOTSinkhornVariant variant)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  ot->variant = variant;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetTolerances(PetalOT ot, PetscReal tol, PetscInt maxIt)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  if (tol != (PetscReal)PETSC_DEFAULT) {
    PetscCheck(tol >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the tolerance must be non-negative, got %g", (double)tol);
    ot->tol = tol;
  }
  if (maxIt != PETSC_DEFAULT) {
    PetscCheck(maxIt >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the iteration limit must be non-negative, got %" PetscInt_FMT, maxIt);
    ot->maxIt = maxIt;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSNSSetWarmup(PetalOT ot, PetscInt n1)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(n1 >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the SNS warm-up must be non-negative, got %" PetscInt_FMT, n1);
  ot->snsWarmup = n1;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSNSSetDensity(PetalOT ot, PetscReal lambda)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(lambda == (PetscReal)PETSC_DEFAULT || (lambda > 0 && lambda <= 1), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the Hessian density must be in (0, 1], got %g", (double)lambda);
  ot->snsDensity = lambda == (PetscReal)PETSC_DEFAULT ? -1 : lambda;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSNSSetMaxNewton(PetalOT ot, PetscInt maxNewton)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(maxNewton >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the Newton step limit must be non-negative, got %" PetscInt_FMT, maxNewton);
  ot->snsMaxNewton = maxNewton;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetEpsilonScaling(PetalOT ot, PetscBool flg, PetscReal eta0, PetscReal factor)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  ot->epsScaling = flg;
  if (eta0 != (PetscReal)PETSC_DEFAULT) {
    PetscCheck(eta0 > 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the starting eta of epsilon scaling must be positive, got %g", (double)eta0);
    ot->epsEta0 = eta0;
  }
  if (factor != (PetscReal)PETSC_DEFAULT) {
    PetscCheck(factor > 1, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the epsilon-scaling factor must be > 1, got %g", (double)factor);
    ot->epsFactor = factor;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetOptionsPrefix(PetalOT ot, const char prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCall(PetscObjectSetOptionsPrefix((PetscObject)ot, prefix));
  PetscCall(KSPSetOptionsPrefix(ot->ksp, prefix));
  PetscCall(KSPAppendOptionsPrefix(ot->ksp, "ot_newton_"));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTAppendOptionsPrefix(PetalOT ot, const char prefix[])
{
  const char *p;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCall(PetscObjectAppendOptionsPrefix((PetscObject)ot, prefix));
  PetscCall(PetscObjectGetOptionsPrefix((PetscObject)ot, &p));
  PetscCall(PetalOTSetOptionsPrefix(ot, p));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetFromOptions(PetalOT ot)
{
  PetscReal eps = 0, density = ot->snsDensity;
  PetscBool set = PETSC_FALSE, view = PETSC_FALSE;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscObjectOptionsBegin((PetscObject)ot);
  PetscCall(PetscOptionsEnum("-ot_method", "Solver: sinkhorn (log-domain) or sns (Sinkhorn-Newton-Sparse)", "PetalOTSetMethod", PetalOTMethods, (PetscEnum)ot->method, (PetscEnum *)&ot->method, NULL));
  PetscCall(PetscOptionsReal("-ot_eta", "Inverse regularisation eta (objective <C,P> + (1/eta) sum P log P)", "PetalOTSetEta", ot->eta, &ot->eta, NULL));
  PetscCall(PetscOptionsReal("-ot_epsilon", "Regularisation epsilon = 1/eta (POT's reg); overrides -ot_eta", "PetalOTSetEpsilon", 1.0 / ot->eta, &eps, &set));
  if (set) {
    PetscCheck(eps > 0 && !PetscIsInfOrNanReal(eps), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: -ot_epsilon must be positive and finite, got %g", (double)eps);
    ot->eta = 1.0 / eps;
  }
  PetscCheck(ot->eta > 0 && !PetscIsInfOrNanReal(ot->eta), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: -ot_eta must be positive and finite, got %g", (double)ot->eta);
  PetscCall(PetscOptionsEnum("-ot_cost", "Cost between points: sqeuclidean, euclidean, pnorm (|a-b|_p^p)", "PetalOTSetCost", PetalOTCostTypes, (PetscEnum)ot->costType, (PetscEnum *)&ot->costType, NULL));
  PetscCall(PetscOptionsReal("-ot_cost_p", "Exponent p of the pnorm cost (p >= 1)", "PetalOTSetCost", ot->costP, &ot->costP, NULL));
  PetscCheck(ot->costP >= 1, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: -ot_cost_p must be >= 1, got %g", (double)ot->costP);
  PetscCall(PetscOptionsReal("-ot_cost_scale", "Multiply the cost by this factor", "PetalOTSetCostScale", ot->costScale, &ot->costScale, NULL));
  PetscCheck(ot->costScale > 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: -ot_cost_scale must be positive, got %g", (double)ot->costScale);
  PetscCall(PetscOptionsBool("-ot_cost_normalize", "Scale the cost so that its maximum is 1 (overrides -ot_cost_scale)", "PetalOTSetCostNormalize", ot->costNormalize, &ot->costNormalize, NULL));
  PetscCall(PetscOptionsReal("-ot_tol", "Tolerance on the L1 error of both marginals", "PetalOTSetTolerances", ot->tol, &ot->tol, NULL));
  PetscCall(PetscOptionsInt("-ot_max_it", "Maximum Sinkhorn iterations (all stages, warm-up and fallbacks included)", "PetalOTSetTolerances", ot->maxIt, &ot->maxIt, NULL));
  PetscCall(PetscOptionsReal("-ot_mass_tol", "Relative tolerance on |sum r - sum c| / sum r (c is rescaled to sum r)", "", ot->massTol, &ot->massTol, NULL));
  PetscCall(PetscOptionsEnum("-ot_sinkhorn_variant", "fused (one exp per entry per iteration, O(n d) memory), log (row and column LSE passes), stored (plan stored, iterations on scalings), auto (stored if it fits -ot_sinkhorn_stored_max_mb)", "PetalOTSetSinkhornVariant", PetalOTSinkhornVariants, (PetscEnum)ot->variant, (PetscEnum *)&ot->variant, NULL));
  PetscCall(PetscOptionsReal("-ot_sinkhorn_stored_max_mb", "auto variant: memory (MiB per rank) the stored plan may use", "PetalOTSetSinkhornStoredMemory", ot->storedMaxMB, &ot->storedMaxMB, NULL));
  PetscCall(PetscOptionsBool("-ot_sinkhorn_stored_float", "stored/auto variants: iterate on a float copy of the plan (half the memory traffic) until the L1 error is below 1e-7, then in double", "PetalOTSetSinkhornStoredFloat", ot->storedFloat, &ot->storedFloat, NULL));
  PetscCheck(ot->storedMaxMB >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: -ot_sinkhorn_stored_max_mb must be >= 0, got %g", (double)ot->storedMaxMB);
  PetscCall(PetscOptionsBool("-ot_eps_scaling", "Epsilon scaling: solve for eta0, eta0*factor, ... up to eta", "PetalOTSetEpsilonScaling", ot->epsScaling, &ot->epsScaling, NULL));
  PetscCall(PetscOptionsReal("-ot_eps_scaling_eta0", "First eta of epsilon scaling", "PetalOTSetEpsilonScaling", ot->epsEta0, &ot->epsEta0, NULL));
  PetscCall(PetscOptionsReal("-ot_eps_scaling_factor", "Factor between successive eta of epsilon scaling (> 1)", "PetalOTSetEpsilonScaling", ot->epsFactor, &ot->epsFactor, NULL));
  PetscCall(PetscOptionsReal("-ot_eps_scaling_stage_tol", "Marginal error at which an intermediate stage ends", "", ot->epsStageTol, &ot->epsStageTol, NULL));
  PetscCall(PetscOptionsInt("-ot_eps_scaling_stage_max_it", "Sinkhorn: iteration limit of an intermediate stage", "", ot->epsInnerMax, &ot->epsInnerMax, NULL));
  PetscCall(PetscOptionsInt("-ot_eps_scaling_stage_warmup", "SNS: Sinkhorn iterations at the start of each later stage", "", ot->epsStageWarmup, &ot->epsStageWarmup, NULL));
  PetscCheck(ot->epsFactor > 1 && ot->epsEta0 > 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: epsilon scaling needs -ot_eps_scaling_eta0 > 0 and -ot_eps_scaling_factor > 1");
  PetscCall(PetscOptionsInt("-ot_sns_warmup", "SNS: Sinkhorn warm-up iterations N1 (with -ot_sns_adaptive_switch: before the first Newton try)", "PetalOTSNSSetWarmup", ot->snsWarmup, &ot->snsWarmup, NULL));
  PetscCall(PetscOptionsReal("-ot_sns_density", "SNS: Hessian density lambda, keep the ceil(lambda n m) largest plan entries (default 2/max(n,m))", "PetalOTSNSSetDensity", density, &density, &set));
  if (set) PetscCall(PetalOTSNSSetDensity(ot, density <= 0 ? (PetscReal)PETSC_DEFAULT : density));
  PetscCall(PetscOptionsBool("-ot_sns_density_adapt", "SNS: raise the density (x2, x4) after a full Newton step that does not cut the marginal error by 4", "", ot->snsDensityAdapt, &ot->snsDensityAdapt, NULL));
  PetscCall(PetscOptionsReal("-ot_sns_density_max", "SNS: largest density the adaptation may reach (default max(0.1, 64/n))", "", ot->snsDensityMax, &ot->snsDensityMax, NULL));
  PetscCall(PetscOptionsReal("-ot_sns_stall_rate", "SNS: after the N1 warm-up iterations, keep iterating Sinkhorn while it cuts the error by this factor per iteration (over 5; 1: stop at N1)", "", ot->snsStallRate, &ot->snsStallRate, NULL));
  PetscCall(PetscOptionsInt("-ot_sns_interleave", "SNS: Sinkhorn iterations after a Newton step that does not halve the error (0: none)", "", ot->snsInterleave, &ot->snsInterleave, NULL));
  PetscCall(PetscOptionsInt("-ot_sns_max_newton", "SNS: maximum Newton steps", "PetalOTSNSSetMaxNewton", ot->snsMaxNewton, &ot->snsMaxNewton, NULL));
  PetscCall(PetscOptionsBool("-ot_sns_adaptive_switch", "SNS: leave the warm-up once a Newton step is accepted with unit step", "", ot->snsAdaptive, &ot->snsAdaptive, NULL));
  PetscCall(PetscOptionsInt("-ot_sns_switch_interval", "SNS adaptive switch: Sinkhorn iterations between Newton tries", "", ot->snsSwitchInterval, &ot->snsSwitchInterval, NULL));
  PetscCall(PetscOptionsInt("-ot_sns_fallback_its", "SNS: Sinkhorn iterations after a failed line search", "", ot->snsFallbackIts, &ot->snsFallbackIts, NULL));
  PetscCall(PetscOptionsEnum("-ot_newton_gauge", "SNS: how the (1,-1) null direction is removed: fix (y_m = const) or nullspace (MatNullSpace)", "", PetalOTGauges, (PetscEnum)ot->gauge, (PetscEnum *)&ot->gauge, NULL));
  PetscCall(PetscOptionsBool("-ot_newton_forcing", "SNS: inexact Newton, KSP rtol = min(forcing_max, marginal error^forcing_power); off: -ot_newton_ksp_rtol", "", ot->forcing, &ot->forcing, NULL));
  PetscCall(PetscOptionsReal("-ot_newton_forcing_power", "SNS: exponent of the forcing rule (1: quadratic, 0.5: superlinear Newton)", "", ot->forcingPower, &ot->forcingPower, NULL));
  PetscCall(PetscOptionsReal("-ot_newton_forcing_max", "SNS: largest KSP rtol of the forcing rule", "", ot->forcingMax, &ot->forcingMax, NULL));
  PetscCall(PetscOptionsReal("-ot_newton_ls_c1", "SNS: Armijo constant of the backtracking line search", "", ot->lsC1, &ot->lsC1, NULL));
  PetscCall(PetscOptionsInt("-ot_newton_ls_max", "SNS: maximum step halvings in the line search", "", ot->lsMax, &ot->lsMax, NULL));
  PetscCall(PetscOptionsReal("-ot_plan_threshold", "Plan output keeps the entries P_ij >= threshold * r_i", "PetalOTSaveHDF5", ot->planThreshold, &ot->planThreshold, NULL));
  PetscCall(PetscOptionsBool("-ot_monitor", "Print the marginal errors during the solve", "", ot->monitor, &ot->monitor, NULL));
  PetscCall(PetscOptionsInt("-ot_monitor_interval", "Sinkhorn iterations between monitor lines", "", ot->monitorInterval, &ot->monitorInterval, NULL));
  PetscCall(PetscOptionsBool("-ot_view", "View the solver (parameters and results) at the end of PetalOTSolve", "PetalOTView", view, &view, NULL));
  PetscOptionsEnd();
  PetscCheck(ot->tol >= 0 && ot->maxIt >= 0 && ot->snsWarmup >= 0 && ot->snsMaxNewton >= 0 && ot->monitorInterval > 0 && ot->snsSwitchInterval > 0 && ot->lsMax > 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: tolerances, iteration counts and intervals must be non-negative (intervals positive)");
  PetscCall(PetscObjectChangeTypeName((PetscObject)ot, PetalOTMethods[ot->method]));
  PetscCall(KSPSetFromOptions(ot->ksp));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSolve(PetalOT ot)
{
  PetscLogDouble t0, t1;
  PetscBool      view = PETSC_FALSE;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(ot->r && ot->c, PetscObjectComm((PetscObject)ot), PETSC_ERR_ORDER, "PetalOT: call PetalOTSetProblemCost() or PetalOTSetProblemPoints() before PetalOTSolve()");
  PetscCall(PetscMemzero(&ot->res, sizeof(ot->res)));
  PetscCall(PetscTime(&t0));
  PetscCall(petal::ot::SetUpProblem(ot));
  PetscCall(PetscTime(&t1));
  ot->res.time_setup = t1 - t0;
  if (ot->method == PETAL_OT_SINKHORN) PetscCall(petal::ot::RunSinkhorn(ot));
  else PetscCall(petal::ot::RunSNS(ot));
  PetscCall(petal::ot::FillResult(ot));
  PetscCall(petal::ot::BuildOutputPotentials(ot));
  PetscCall(PetscTime(&t1));
  ot->res.time_total = t1 - t0;
  {
    PetscLogDouble times[4] = {ot->res.time_total, ot->res.time_setup, ot->res.time_sinkhorn, ot->res.time_newton};
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, times, 4, MPI_DOUBLE, MPI_MAX, PetscObjectComm((PetscObject)ot)));
    ot->res.time_total    = times[0];
    ot->res.time_setup    = times[1];
    ot->res.time_sinkhorn = times[2];
    ot->res.time_newton   = times[3];
  }
  ot->solved = PETSC_TRUE;
  PetscCall(PetscOptionsGetBool(((PetscObject)ot)->options, ((PetscObject)ot)->prefix, "-ot_view", &view, NULL));
  if (view) PetscCall(PetalOTView(ot, PETSC_VIEWER_STDOUT_(PetscObjectComm((PetscObject)ot))));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTView(PetalOT ot, PetscViewer viewer)
{
  PetscBool   isascii;
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(PetscObjectComm((PetscObject)ot), &viewer));
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &isascii));
  if (!isascii) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_size(PetscObjectComm((PetscObject)ot), &size));
  PetscCall(PetscObjectPrintClassNamePrefixType((PetscObject)ot, viewer));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "%d rank(s), Kokkos execution space %s\n", (int)size, petal::ExecSpace::name()));
  PetscCall(PetscViewerASCIIPrintf(viewer, "regularisation: eta = %g (epsilon = 1/eta = %g); objective <C,P> + (1/eta) sum P log P\n", (double)ot->eta, (double)(1.0 / ot->eta)));
  if (ot->r) {
    PetscInt n, m;
    PetscCall(VecGetSize(ot->r, &n));
    PetscCall(VecGetSize(ot->c, &m));
    char kept[128] = "";
    if (ot->solved) PetscCall(PetscSNPrintf(kept, sizeof kept, " (%" PetscInt_FMT " x %" PetscInt_FMT " with positive weight)", ot->nKept, ot->mKept));
    PetscCall(PetscViewerASCIIPrintf(viewer, "problem: n = %" PetscInt_FMT " sources, m = %" PetscInt_FMT " targets%s\n", n, m, kept));
    if (ot->C) PetscCall(PetscViewerASCIIPrintf(viewer, "cost: dense matrix (stored, row-major copy)\n"));
    else if (ot->costType == PETAL_OT_COST_PNORM) PetscCall(PetscViewerASCIIPrintf(viewer, "cost: pnorm |a-b|_p^p, p = %g, of %" PetscInt_FMT "-D points, computed on the fly\n", (double)ot->costP, ot->dim));
    else PetscCall(PetscViewerASCIIPrintf(viewer, "cost: %s of %" PetscInt_FMT "-D points, computed on the fly\n", PetalOTCostTypes[ot->costType], ot->dim));
  }
  if (ot->costNormalize) PetscCall(PetscViewerASCIIPrintf(viewer, "cost scale: normalised to max 1 (scale = %g)\n", (double)ot->costScaleUsed));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "cost scale: %g\n", (double)ot->costScale));
  PetscCall(PetscViewerASCIIPrintf(viewer, "stopping: L1 error of both marginals <= %g, at most %" PetscInt_FMT " Sinkhorn iterations; mass tolerance %g\n", (double)ot->tol, ot->maxIt, (double)ot->massTol));
  if (ot->variant == PETAL_OT_SINKHORN_AUTO) PetscCall(PetscViewerASCIIPrintf(viewer, "Sinkhorn variant: auto (stored plan if it fits %g MiB per rank, else fused)%s\n", (double)ot->storedMaxMB, ot->storedFloat ? "; float copy until the error is below 1e-7" : ""));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "Sinkhorn variant: %s\n", PetalOTSinkhornVariants[ot->variant]));
  if (ot->epsScaling) PetscCall(PetscViewerASCIIPrintf(viewer, "epsilon scaling: eta0 = %g, factor %g, stages end at error %g or %" PetscInt_FMT " iterations\n", (double)ot->epsEta0, (double)ot->epsFactor, (double)ot->epsStageTol, ot->epsInnerMax));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "epsilon scaling: off\n"));
  if (ot->method == PETAL_OT_SNS) {
    if (ot->snsAdaptive) PetscCall(PetscViewerASCIIPrintf(viewer, "SNS switch: adaptive, first Newton try after %" PetscInt_FMT " Sinkhorn iterations, retry every %" PetscInt_FMT "\n", ot->snsWarmup, ot->snsSwitchInterval));
    else PetscCall(PetscViewerASCIIPrintf(viewer, "SNS switch: after N1 = %" PetscInt_FMT " Sinkhorn iterations\n", ot->snsWarmup));
    if (ot->solved) PetscCall(PetscViewerASCIIPrintf(viewer, "SNS Hessian density: lambda = %g (k = %" PetscInt_FMT " plan entries kept, plus the full diagonals)\n", (double)ot->densityUsed, ot->kUsed));
    else PetscCall(PetscViewerASCIIPrintf(viewer, "SNS Hessian density: lambda = %s\n", ot->snsDensity > 0 ? "user value" : "2/max(n,m)"));
    if (ot->snsDensity > 0) PetscCall(PetscViewerASCIIPrintf(viewer, "  (user lambda = %g)\n", (double)ot->snsDensity));
    PetscCall(PetscViewerASCIIPrintf(viewer, "SNS density adaptation: %s (up to lambda = %g); warm-up extended while Sinkhorn cuts the error by %g per iteration%s; %" PetscInt_FMT " Sinkhorn iterations after a slow Newton step\n", ot->snsDensityAdapt ? "on" : "off", (double)(ot->solved ? ot->ws->densityMax : ot->snsDensityMax), (double)ot->snsStallRate, ot->snsStallRate < 1 ? "" : " (off)", ot->snsInterleave));
    PetscCall(PetscViewerASCIIPrintf(viewer, "SNS Newton: at most %" PetscInt_FMT " steps, gauge %s, forcing %s (rtol = min(%g, error^%g)), Armijo c1 = %g, at most %" PetscInt_FMT " halvings, %" PetscInt_FMT " Sinkhorn iterations after a failed line search\n", ot->snsMaxNewton, PetalOTGauges[ot->gauge], ot->forcing ? "on" : "off", (double)ot->forcingMax, (double)ot->forcingPower, (double)ot->lsC1, ot->lsMax, ot->snsFallbackIts));
    PetscCall(KSPView(ot->ksp, viewer));
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "plan output threshold: P_ij >= %g r_i\n", (double)ot->planThreshold));
  if (ot->solved) {
    const PetalOTResult &r = ot->res;
    PetscCall(PetscViewerASCIIPrintf(viewer, "result: %s after %" PetscInt_FMT " Sinkhorn iterations, %" PetscInt_FMT " Newton steps (%" PetscInt_FMT " KSP iterations, %" PetscInt_FMT " line-search evaluations), %" PetscInt_FMT " max-shifted rows\n", PetalOTConvergedReasons[r.reason + 3], r.sinkhorn_iterations, r.newton_iterations, r.ksp_iterations, r.line_search_evaluations, r.fallback_rows));
    PetscCall(PetscViewerASCIIPrintf(viewer, "Sinkhorn iterations ran on: %s\n", PetalOTSinkhornPlans[r.sinkhorn_plan]));
    PetscCall(PetscViewerASCIIPrintf(viewer, "  transport cost <C,P> = %.12g, entropic objective = %.12g, dual objective = %.12g, mass = %.15g\n", (double)r.transport_cost, (double)r.entropic_cost, (double)r.dual_objective, (double)r.mass));
    PetscCall(PetscViewerASCIIPrintf(viewer, "  L1 marginal errors: rows %.3e, columns %.3e\n", (double)r.row_error, (double)r.col_error));
    PetscCall(PetscViewerASCIIPrintf(viewer, "  time: %.4f s total (set-up %.4f, Sinkhorn %.4f, Newton %.4f)\n", r.time_total, r.time_setup, r.time_sinkhorn, r.time_newton));
  }
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetResult(PetalOT ot, PetalOTResult *result)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidPointer(result, 2);
  PetscCheck(ot->solved, PetscObjectComm((PetscObject)ot), PETSC_ERR_ORDER, "PetalOT: no result before PetalOTSolve()");
  *result = ot->res;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetConvergedReason(PetalOT ot, PetalOTConvergedReason *reason)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  *reason = ot->res.reason;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetPotentials(PetalOT ot, Vec *x, Vec *y)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(ot->solved, PetscObjectComm((PetscObject)ot), PETSC_ERR_ORDER, "PetalOT: no potentials before PetalOTSolve()");
  if (x) *x = ot->xOut;
  if (y) *y = ot->yOut;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetNewtonKSP(PetalOT ot, KSP *ksp)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  *ksp = ot->ksp;
  PetscFunctionReturn(0);
}
