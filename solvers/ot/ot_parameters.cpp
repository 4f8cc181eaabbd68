// PetalOT's parameters: setters and getters, options prefix, and PetalOTSetFromOptions. Every value is
// checked where it enters (a setter, or the option right after it is read), so a bad value is an error that
// names the option, never a solve that ends in NaN or a message with a nonsensical comparison.
#include "ot_impl.hpp"
#include <cmath>
#include <cstring>

namespace {
/* v must be finite and >= lo (or > lo with open): the error names the quantity and its option. */
PetscErrorCode CheckReal(PetalOT ot, const char *what, PetscReal v, PetscReal lo, PetscBool open)
{
  PetscFunctionBegin;
  PetscCheck(std::isfinite(v) && (open ? v > lo : v >= lo), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: %s must be finite and %s %g, got %g", what, open ? ">" : ">=", (double)lo, (double)v);
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode PetalOTSetCost(PetalOT ot, PetalOTCostType type, PetscReal p)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(type >= PETAL_OT_COST_SQEUCLIDEAN && type <= PETAL_OT_COST_PNORM, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: unknown cost type %d", (int)type);
  if (type == PETAL_OT_COST_PNORM) PetscCall(CheckReal(ot, "the exponent p of the pnorm cost (-ot_cost_p)", p, 1, PETSC_FALSE));
  ot->costType = type;
  if (type == PETAL_OT_COST_PNORM) ot->costP = p;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetCostScale(PetalOT ot, PetscReal scale)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCall(CheckReal(ot, "the cost scale (-ot_cost_scale)", scale, 0, PETSC_TRUE));
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

PetscErrorCode PetalOTGetCost(PetalOT ot, PetalOTCostType *type, PetscReal *p)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  if (type) *type = ot->costType;
  if (p) *p = ot->costP;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetEta(PetalOT ot, PetscReal eta)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCall(CheckReal(ot, "eta, the inverse regularisation 1/epsilon (-ot_eta),", eta, 0, PETSC_TRUE));
  ot->eta = eta;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetEpsilon(PetalOT ot, PetscReal epsilon)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCall(CheckReal(ot, "epsilon, the regularisation 1/eta (-ot_epsilon),", epsilon, 0, PETSC_TRUE));
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

PetscErrorCode PetalOTGetSinkhornVariant(PetalOT ot, PetalOTSinkhornVariant *variant)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  *variant = ot->variant;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetSinkhornVariant(PetalOT ot, PetalOTSinkhornVariant variant)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(variant >= PETAL_OT_SINKHORN_FUSED && variant <= PETAL_OT_SINKHORN_AUTO, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: unknown Sinkhorn variant %d", (int)variant);
  ot->variant = variant;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetSinkhornStoredMemory(PetalOT ot, PetscReal mib)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCall(CheckReal(ot, "the stored-plan memory in MiB (-ot_sinkhorn_stored_max_mb)", mib, 0, PETSC_FALSE));
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

PetscErrorCode PetalOTSetTolerances(PetalOT ot, PetscReal tol, PetscInt maxIt)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  if (tol != (PetscReal)PETSC_DEFAULT) {
    PetscCall(CheckReal(ot, "the tolerance on the L1 marginal errors (-ot_tol)", tol, 0, PETSC_FALSE));
    ot->tol = tol;
  }
  if (maxIt != PETSC_DEFAULT) {
    PetscCheck(maxIt >= 0, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the iteration limit (-ot_max_it) must be non-negative, got %" PetscInt_FMT, maxIt);
    ot->maxIt = maxIt;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetMassTolerance(PetalOT ot, PetscReal tol)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCall(CheckReal(ot, "the relative tolerance on the difference of the total masses (-ot_mass_tol)", tol, 0, PETSC_FALSE));
  ot->massTol = tol;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetMassTolerance(PetalOT ot, PetscReal *tol)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidRealPointer(tol, 2);
  *tol = ot->massTol;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetKernelISA(PetalOT ot, PetalOTKernelISA isa)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(isa >= PETAL_OT_KERNEL_ISA_AUTO && isa <= PETAL_OT_KERNEL_ISA_AVX512, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: unknown kernel ISA %d", (int)isa);
  ot->kernelISA = isa;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetKernelISA(PetalOT ot, PetalOTKernelISA *isa)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidPointer(isa, 2);
  *isa = ot->solved ? ot->kernelISAUsed : ot->kernelISA;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetEpsilonScaling(PetalOT ot, PetscBool flg, PetscReal eta0, PetscReal factor)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  if (eta0 != (PetscReal)PETSC_DEFAULT) PetscCall(CheckReal(ot, "the starting eta of epsilon scaling (-ot_eps_scaling_eta0)", eta0, 0, PETSC_TRUE));
  if (factor != (PetscReal)PETSC_DEFAULT) PetscCall(CheckReal(ot, "the epsilon-scaling factor (-ot_eps_scaling_factor)", factor, 1, PETSC_TRUE));
  ot->epsScaling = flg;
  if (eta0 != (PetscReal)PETSC_DEFAULT) ot->epsEta0 = eta0;
  if (factor != (PetscReal)PETSC_DEFAULT) ot->epsFactor = factor;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetOptionsPrefix(PetalOT ot, const char prefix[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCall(PetscObjectSetOptionsPrefix((PetscObject)ot, prefix));
  if (ot->ksp) {
    PetscCall(KSPSetOptionsPrefix(ot->ksp, prefix));
    PetscCall(KSPAppendOptionsPrefix(ot->ksp, "ot_newton_"));
  }
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
  MPI_Comm      comm = PetscObjectComm((PetscObject)ot);
  char          type[256];
  PetalOTMethod method = PETAL_OT_SINKHORN;
  PetscReal     real, eps = 0;
  PetscInt      its;
  PetscBool     set, typeSet, methodSet, view = PETSC_FALSE;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCall(PetalOTInitializePackage());
  PetscObjectOptionsBegin((PetscObject)ot);
  PetscCall(PetscOptionsFList("-ot_type", "Method: sinkhorn (log-domain Sinkhorn) or sns (Sinkhorn-Newton-Sparse)", "PetalOTSetType", PetalOTList, ((PetscObject)ot)->type_name, type, sizeof type, &typeSet));
  if (typeSet) PetscCall(PetalOTSetType(ot, type));
  {
    PetscBool isSNS;
    PetscCall(PetscObjectTypeCompare((PetscObject)ot, PETALOTSNS, &isSNS));
    method = isSNS ? PETAL_OT_SNS : PETAL_OT_SINKHORN;
  }
  PetscCall(PetscOptionsEnum("-ot_method", "Alias of -ot_type for the built-in methods", "PetalOTSetMethod", PetalOTMethods, (PetscEnum)method, (PetscEnum *)&method, &methodSet));
  PetscCheck(!(typeSet && methodSet) || !std::strcmp(type, PetalOTMethods[method]), comm, PETSC_ERR_ARG_INCOMP, "PetalOT: -ot_type %s and -ot_method %s disagree (-ot_method is an alias of -ot_type; give one)", type, PetalOTMethods[method]);
  if (methodSet) PetscCall(PetalOTSetMethod(ot, method));

  PetscCall(PetscOptionsReal("-ot_eta", "Inverse regularisation eta (objective <C,P> + (1/eta) sum P log P)", "PetalOTSetEta", ot->eta, &real, &set));
  if (set) PetscCall(PetalOTSetEta(ot, real));
  PetscCall(PetscOptionsReal("-ot_epsilon", "Regularisation epsilon = 1/eta (POT's reg); overrides -ot_eta", "PetalOTSetEpsilon", 1.0 / ot->eta, &eps, &set));
  if (set) PetscCall(PetalOTSetEpsilon(ot, eps));
  PetscCall(PetscOptionsEnum("-ot_cost", "Cost between points: sqeuclidean, euclidean, pnorm (|a-b|_p^p)", "PetalOTSetCost", PetalOTCostTypes, (PetscEnum)ot->costType, (PetscEnum *)&ot->costType, NULL));
  PetscCall(PetscOptionsReal("-ot_cost_p", "Exponent p of the pnorm cost (p >= 1)", "PetalOTSetCost", ot->costP, &real, &set));
  if (set) {
    PetscCall(CheckReal(ot, "the exponent p of the pnorm cost (-ot_cost_p)", real, 1, PETSC_FALSE));
    ot->costP = real;
  }
  PetscCall(PetscOptionsReal("-ot_cost_scale", "Multiply the cost by this factor (> 0, finite)", "PetalOTSetCostScale", ot->costScale, &real, &set));
  if (set) { /* not PetalOTSetCostScale: a normalisation set in code still wins unless -ot_cost_normalize 0 */
    PetscCall(CheckReal(ot, "the cost scale (-ot_cost_scale)", real, 0, PETSC_TRUE));
    ot->costScale = real;
  }
  PetscCall(PetscOptionsBool("-ot_cost_normalize", "Scale the cost so that its maximum is 1 (overrides -ot_cost_scale)", "PetalOTSetCostNormalize", ot->costNormalize, &ot->costNormalize, NULL));
  PetscCall(PetscOptionsReal("-ot_tol", "Tolerance on the L1 error of both marginals (>= 0)", "PetalOTSetTolerances", ot->tol, &real, &set));
  if (set) PetscCall(PetalOTSetTolerances(ot, real, PETSC_DEFAULT));
  PetscCall(PetscOptionsInt("-ot_max_it", "Maximum Sinkhorn iterations (all stages, warm-up and fallbacks included)", "PetalOTSetTolerances", ot->maxIt, &its, &set));
  if (set) PetscCall(PetalOTSetTolerances(ot, PETSC_DEFAULT, its));
  PetscCall(PetscOptionsReal("-ot_mass_tol", "Relative tolerance on |sum r - sum c| / max(sum r, sum c) (>= 0; c is rescaled to sum r)", "PetalOTSetMassTolerance", ot->massTol, &real, &set));
  if (set) PetscCall(PetalOTSetMassTolerance(ot, real));
  PetscCall(PetscOptionsEnum("-ot_sinkhorn_variant", "fused (one exp per entry per iteration, O(n d) memory), log (row and column LSE passes), stored (plan stored, iterations on scalings), auto (stored if it fits -ot_sinkhorn_stored_max_mb)", "PetalOTSetSinkhornVariant", PetalOTSinkhornVariants, (PetscEnum)ot->variant, (PetscEnum *)&ot->variant, NULL));
  PetscCall(PetscOptionsReal("-ot_sinkhorn_stored_max_mb", "auto variant: memory (MiB per rank) the stored plan may use", "PetalOTSetSinkhornStoredMemory", ot->storedMaxMB, &real, &set));
  if (set) PetscCall(PetalOTSetSinkhornStoredMemory(ot, real));
  PetscCall(PetscOptionsBool("-ot_sinkhorn_stored_float", "stored/auto variants: iterate on a float copy of the plan (half the memory traffic) until the L1 error is below 1e-7, then in double", "PetalOTSetSinkhornStoredFloat", ot->storedFloat, &ot->storedFloat, NULL));
  {
    PetscBool flg = ot->epsScaling;
    PetscReal eta0 = ot->epsEta0, factor = ot->epsFactor;
    PetscCall(PetscOptionsBool("-ot_eps_scaling", "Epsilon scaling: solve for eta0, eta0*factor, ... up to eta", "PetalOTSetEpsilonScaling", flg, &flg, NULL));
    PetscCall(PetscOptionsReal("-ot_eps_scaling_eta0", "First eta of epsilon scaling (> 0)", "PetalOTSetEpsilonScaling", eta0, &eta0, NULL));
    PetscCall(PetscOptionsReal("-ot_eps_scaling_factor", "Factor between successive eta of epsilon scaling (> 1)", "PetalOTSetEpsilonScaling", factor, &factor, NULL));
    PetscCall(PetalOTSetEpsilonScaling(ot, flg, eta0, factor));
  }
  PetscCall(PetscOptionsReal("-ot_eps_scaling_stage_tol", "Marginal error at which an intermediate stage ends (>= 0)", "", ot->epsStageTol, &real, &set));
  if (set) {
    PetscCall(CheckReal(ot, "the stage tolerance of epsilon scaling (-ot_eps_scaling_stage_tol)", real, 0, PETSC_FALSE));
    ot->epsStageTol = real;
  }
  PetscCall(PetscOptionsReal("-ot_plan_threshold", "Plan output keeps the entries P_ij >= threshold * r_i (>= 0)", "PetalOTSaveHDF5", ot->planThreshold, &real, &set));
  if (set) {
    PetscCall(CheckReal(ot, "the plan output threshold (-ot_plan_threshold)", real, 0, PETSC_FALSE));
    ot->planThreshold = real;
  }
  PetscCall(PetscOptionsEnum("-ot_kernel_isa", "Compiled variant of the n^2 kernels: auto (the best this CPU supports), generic (the build's baseline), avx2 (AVX2 + FMA), avx512", "PetalOTSetKernelISA", PetalOTKernelISAs, (PetscEnum)ot->kernelISA, (PetscEnum *)&ot->kernelISA, NULL));
  PetscCall(PetscOptionsBool("-ot_monitor", "Print the marginal errors during the solve", "", ot->monitor, &ot->monitor, NULL));
  PetscCall(PetscOptionsInt("-ot_monitor_interval", "Sinkhorn iterations between monitor lines (>= 1)", "", ot->monitorInterval, &ot->monitorInterval, NULL));
  PetscCheck(ot->monitorInterval >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: -ot_monitor_interval must be >= 1, got %" PetscInt_FMT, ot->monitorInterval);
  PetscCall(PetscOptionsBool("-ot_view", "View the solver (parameters and results) at the end of PetalOTSolve", "PetalOTView", view, &view, NULL));
  PetscTryTypeMethod(ot, setfromoptions, PetscOptionsObject);
  PetscOptionsEnd();
  if (ot->ksp) PetscCall(KSPSetFromOptions(ot->ksp));
  PetscFunctionReturn(0);
}
