// TAOADASKETCH's options (-tao_adasketch_*), its public C API through composed functions (PETSc's pattern:
// PetscTryMethod for setters, no-ops for other TAO types; PetscUseMethod for getters), and the package
// initialisation (log events).
#include "solvers/adasketch/adasketch_impl.hpp"
#include <cmath>

// PetalSketchStep and PetalAdaSketchSpectra belong to sketch/ (RegisterSketchEvents); the outer loop's events are here.
PetscLogEvent PETAL_AdaSketchKKT = 0, PETAL_AdaSketchInner = 0, PETAL_AdaSketchMerit = 0;

const char *const TaoAdaSketchInnerTypes[]  = {"sketch", "ksp", "TaoAdaSketchInnerType", "TAO_ADASKETCH_INNER_", nullptr};
const char *const TaoAdaSketchSketchTypes[] = {"kaczmarz", "gaussian", "TaoAdaSketchSketchType", "TAO_ADASKETCH_SKETCH_", nullptr};
static const char *const NormKindNames[]    = {"frobenius", "spectral", "NormKind", "", nullptr};

static PetscBool adasketchPackageInitialized = PETSC_FALSE;

PetscErrorCode TaoAdaSketchInitializePackage(void)
{
  PetscFunctionBegin;
  if (adasketchPackageInitialized) PetscFunctionReturn(0);
  adasketchPackageInitialized = PETSC_TRUE;
  PetscCall(TaoInitializePackage());
  PetscCall(PetscLogEventRegister("PetalAdaSketchKKT", TAO_CLASSID, &PETAL_AdaSketchKKT));
  PetscCall(PetscLogEventRegister("PetalAdaSketchInner", TAO_CLASSID, &PETAL_AdaSketchInner));
  PetscCall(PetscLogEventRegister("PetalAdaSketchMerit", TAO_CLASSID, &PETAL_AdaSketchMerit));
  PetscCall(petal::adasketch::RegisterSketchEvents());
  PetscFunctionReturn(0);
}

namespace petal {
namespace adasketch {
namespace {

PetscErrorCode SetInnerType_AdaSketch(Tao tao, TaoAdaSketchInnerType t)
{
  PetscFunctionBegin;
  PetscCheck(t == TAO_ADASKETCH_INNER_SKETCH || t == TAO_ADASKETCH_INNER_KSP, PetscObjectComm((PetscObject)tao), PETSC_ERR_ARG_OUTOFRANGE, "TAOADASKETCH: unknown inner solver %d", (int)t);
  if (Data(tao)->inner != t) PetscCall(InnerDestroy(tao));
  Data(tao)->inner = t;
  PetscFunctionReturn(0);
}
PetscErrorCode GetInnerType_AdaSketch(Tao tao, TaoAdaSketchInnerType *t)
{
  *t = Data(tao)->inner;
  return 0;
}
PetscErrorCode SetSketch_AdaSketch(Tao tao, TaoAdaSketchSketchType t, PetscInt q)
{
  PetscFunctionBegin;
  PetscCheck(t == TAO_ADASKETCH_SKETCH_KACZMARZ || t == TAO_ADASKETCH_SKETCH_GAUSSIAN, PetscObjectComm((PetscObject)tao), PETSC_ERR_ARG_OUTOFRANGE, "TAOADASKETCH: unknown sketch %d", (int)t);
  PetscCheck(q >= 1, PetscObjectComm((PetscObject)tao), PETSC_ERR_ARG_OUTOFRANGE, "TAOADASKETCH: sketch block size %" PetscInt_FMT " must be at least 1", q);
  Data(tao)->sketch = t;
  Data(tao)->block  = q;
  Data(tao)->sketchSolver.reset();
  PetscFunctionReturn(0);
}
PetscErrorCode GetSketch_AdaSketch(Tao tao, TaoAdaSketchSketchType *t, PetscInt *q)
{
  if (t) *t = Data(tao)->sketch;
  if (q) *q = Data(tao)->block;
  return 0;
}
PetscErrorCode SetSeed_AdaSketch(Tao tao, PetscInt64 seed)
{
  Data(tao)->seed = seed;
  Data(tao)->sketchSolver.reset();
  return 0;
}
PetscErrorCode SetPenalties_AdaSketch(Tao tao, PetscReal mu, PetscReal nu, PetscReal delta)
{
  PetscFunctionBegin;
  PetscCheck(mu > 0 && nu > 0 && delta > 0 && std::isfinite((double)(mu + nu + delta)), PetscObjectComm((PetscObject)tao), PETSC_ERR_ARG_OUTOFRANGE,
             "TAOADASKETCH: penalties and accuracy must be positive and finite (mu %g, nu %g, delta %g)", (double)mu, (double)nu, (double)delta);
  Data(tao)->mu0 = Data(tao)->mu = mu;
  Data(tao)->nu0 = Data(tao)->nu = nu;
  Data(tao)->delta0 = Data(tao)->delta = delta;
  PetscFunctionReturn(0);
}
PetscErrorCode GetPenalties_AdaSketch(Tao tao, PetscReal *mu, PetscReal *nu, PetscReal *delta)
{
  if (mu) *mu = Data(tao)->mu;
  if (nu) *nu = Data(tao)->nu;
  if (delta) *delta = Data(tao)->delta;
  return 0;
}
PetscErrorCode SetAccuracy_AdaSketch(Tao tao, PetscReal theta0, PetscBool superlinear)
{
  PetscFunctionBegin;
  PetscCheck(theta0 > 0 && std::isfinite((double)theta0), PetscObjectComm((PetscObject)tao), PETSC_ERR_ARG_OUTOFRANGE, "TAOADASKETCH: theta %g must be positive", (double)theta0);
  Data(tao)->theta0      = theta0;
  Data(tao)->superlinear = superlinear;
  PetscFunctionReturn(0);
}
PetscErrorCode GetKSP_AdaSketch(Tao tao, KSP *ksp)
{
  PetscFunctionBegin;
  PetscCall(EnsureKSP(tao));
  *ksp = Data(tao)->ksp;
  PetscFunctionReturn(0);
}
PetscErrorCode SetStateIS_AdaSketch(Tao tao, IS is)
{
  Tao_AdaSketch *as = Data(tao);
  PetscFunctionBegin;
  PetscCall(PetscObjectReference((PetscObject)is));
  PetscCall(ISDestroy(&as->stateIS));
  as->stateIS = is;
  PetscCall(InnerDestroy(tao)); /* the KKT index sets and the preconditioner depend on it */
  PetscFunctionReturn(0);
}
PetscErrorCode GetStats_AdaSketch(Tao tao, PetscInt64 *inner, PetscInt *pen, PetscInt *halv)
{
  if (inner) *inner = Data(tao)->innerTotal;
  if (pen) *pen = Data(tao)->penaltyIncreases;
  if (halv) *halv = Data(tao)->halvings;
  return 0;
}

struct Composed {
  const char *name;
  void (*fn)(void);
};
#define PETAL_COMPOSED(n) {"TaoAdaSketch" #n "_C", (void (*)(void))n##_AdaSketch}
const Composed kComposed[] = {PETAL_COMPOSED(SetInnerType), PETAL_COMPOSED(GetInnerType), PETAL_COMPOSED(SetSketch),    PETAL_COMPOSED(GetSketch),
                              PETAL_COMPOSED(SetSeed),      PETAL_COMPOSED(SetPenalties), PETAL_COMPOSED(GetPenalties), PETAL_COMPOSED(SetAccuracy),
                              PETAL_COMPOSED(GetKSP),       PETAL_COMPOSED(GetStats),     PETAL_COMPOSED(SetStateIS)};
#undef PETAL_COMPOSED

} // namespace

PetscErrorCode ComposeFunctions(Tao tao)
{
  PetscFunctionBegin;
  for (const Composed &c : kComposed) PetscCall(PetscObjectComposeFunction_Private((PetscObject)tao, c.name, c.fn));
  PetscFunctionReturn(0);
}

PetscErrorCode RemoveFunctions(Tao tao)
{
  PetscFunctionBegin;
  for (const Composed &c : kComposed) PetscCall(PetscObjectComposeFunction_Private((PetscObject)tao, c.name, nullptr));
  PetscFunctionReturn(0);
}

/* A default for an option of the inner solver's sub-solvers (created only when the field split is set up), put
 * in the options database unless the user gave that option. */
static PetscErrorCode DefaultOption(Tao tao, const char *suffix, const char *value)
{
  const char *prefix;
  char        key[256];
  PetscBool   has;
  PetscFunctionBegin;
  PetscCall(TaoGetOptionsPrefix(tao, &prefix));
  PetscCall(PetscSNPrintf(key, sizeof(key), "-%stao_adasketch_%s", prefix ? prefix : "", suffix));
  PetscCall(PetscOptionsHasName(((PetscObject)tao)->options, NULL, key, &has));
  if (!has) PetscCall(PetscOptionsSetValue(((PetscObject)tao)->options, key, value));
  PetscFunctionReturn(0);
}

/* The inner KSP with prefix <tao prefix>tao_adasketch_ and its defaults, measured on the paper's Poisson control
 * (README.md): FGMRES(100) (right preconditioning: its residual is the true one the accuracy test measures) with a
 * Schur-complement field split of the KKT matrix, full factorization, Schur preconditioner from selfp
 * (A11 - A10 diag(A00)^-1 A01), each split applied once (preonly): ILU/block Jacobi on the Hessian block,
 * BoomerAMG (GAMG without hypre) on the assembled Schur approximation. Every default can be changed from the
 * options database. */
PetscErrorCode EnsureKSP(Tao tao)
{
  Tao_AdaSketch *as = Data(tao);
  const char    *prefix;
  PC             pc;
  PetscFunctionBegin;
  if (as->ksp) PetscFunctionReturn(0);
  PetscCall(KSPCreate(PetscObjectComm((PetscObject)tao), &as->ksp));
  PetscCall(PetscObjectIncrementTabLevel((PetscObject)as->ksp, (PetscObject)tao, 1));
  PetscCall(TaoGetOptionsPrefix(tao, &prefix));
  PetscCall(KSPSetOptionsPrefix(as->ksp, prefix));
  PetscCall(KSPAppendOptionsPrefix(as->ksp, "tao_adasketch_"));
  PetscCall(KSPSetType(as->ksp, KSPFGMRES));
  PetscCall(KSPGMRESSetRestart(as->ksp, 100));
  PetscCall(KSPSetTolerances(as->ksp, 0.0, 0.0, 1e50, 10000));
  PetscCall(KSPGetPC(as->ksp, &pc));
  PetscCall(PCSetType(pc, PCFIELDSPLIT));
  PetscCall(PCFieldSplitSetType(pc, PC_COMPOSITE_SCHUR));
  PetscCall(PCFieldSplitSetSchurPre(pc, PC_FIELDSPLIT_SCHUR_PRE_SELFP, nullptr));
  PetscCall(PCFieldSplitSetSchurFactType(pc, PC_FIELDSPLIT_SCHUR_FACT_FULL));
  PetscCall(DefaultOption(tao, "fieldsplit_0_ksp_type", "preonly"));
  PetscCall(DefaultOption(tao, "fieldsplit_1_ksp_type", "preonly"));
#if defined(PETSC_HAVE_HYPRE)
  PetscCall(DefaultOption(tao, "fieldsplit_1_pc_type", "hypre"));
#else
  PetscCall(DefaultOption(tao, "fieldsplit_1_pc_type", "gamg"));
#endif
  PetscCall(KSPSetFromOptions(as->ksp));
  PetscFunctionReturn(0);
}

PetscErrorCode SetFromOptions(Tao tao, PetscOptionItems *PetscOptionsObject)
{
  Tao_AdaSketch *as = Data(tao);
  PetscBool      flg, set;
  PetscInt       e;
  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "AdaSketch-Newton options (TAOADASKETCH)");
  e = as->inner;
  PetscCall(PetscOptionsEList("-tao_adasketch_inner", "Inexact KKT solver", "TaoAdaSketchSetInnerType", TaoAdaSketchInnerTypes, 2, TaoAdaSketchInnerTypes[as->inner], &e, &flg));
  if (flg) PetscCall(TaoAdaSketchSetInnerType(tao, (TaoAdaSketchInnerType)e));
  PetscInt q = as->block;
  e          = as->sketch;
  PetscCall(PetscOptionsEList("-tao_adasketch_sketch", "Sketch of the sketch-and-project steps", "TaoAdaSketchSetSketch", TaoAdaSketchSketchTypes, 2, TaoAdaSketchSketchTypes[as->sketch], &e, &flg));
  PetscCall(PetscOptionsInt("-tao_adasketch_sketch_block", "Sketch block size q", "TaoAdaSketchSetSketch", q, &q, &set));
  if (flg || set) PetscCall(TaoAdaSketchSetSketch(tao, (TaoAdaSketchSketchType)e, q));
  PetscInt64 seed = as->seed;
  PetscInt   seedInt = (PetscInt)as->seed;
  PetscCall(PetscOptionsInt("-tao_adasketch_seed", "Seed of the sketches' random stream (the same on every rank count)", "TaoAdaSketchSetSeed", seedInt, &seedInt, &flg));
  if (flg) {
    seed = seedInt;
    PetscCall(TaoAdaSketchSetSeed(tao, seed));
  }
  PetscReal mu = as->mu0, nu = as->nu0, delta = as->delta0;
  PetscBool f1, f2, f3;
  PetscCall(PetscOptionsReal("-tao_adasketch_mu", "Initial penalty mu on |c|^2", "TaoAdaSketchSetPenalties", mu, &mu, &f1));
  PetscCall(PetscOptionsReal("-tao_adasketch_nu", "Initial penalty nu on |grad_x L|^2", "TaoAdaSketchSetPenalties", nu, &nu, &f2));
  PetscCall(PetscOptionsReal("-tao_adasketch_delta", "Initial accuracy delta of the inner solves", "TaoAdaSketchSetPenalties", delta, &delta, &f3));
  if (f1 || f2 || f3) PetscCall(TaoAdaSketchSetPenalties(tao, mu, nu, delta));
  PetscReal theta = as->theta0;
  PetscBool sl    = as->superlinear;
  PetscCall(PetscOptionsReal("-tao_adasketch_theta", "Accuracy factor theta0 of |K| Psi |Kz + grad L| <= theta delta |grad L|", "TaoAdaSketchSetAccuracy", theta, &theta, &f1));
  PetscCall(PetscOptionsBool("-tao_adasketch_superlinear", "Sharpened schedule theta_t = theta0 sqrt(|grad L_t|/|grad L_0|) -> 0", "TaoAdaSketchSetAccuracy", sl, &sl, &f2));
  if (f1 || f2) PetscCall(TaoAdaSketchSetAccuracy(tao, theta, sl));
  e = as->spectra.norm == NormKind::Frobenius ? 0 : 1;
  PetscCall(PetscOptionsEList("-tao_adasketch_norm", "Matrix norm in Psi, Upsilon and |K|: frobenius (the reference's) or spectral (estimates; for PDE scale)", "", NormKindNames, 2, NormKindNames[e], &e, &flg));
  if (flg) as->spectra.norm = e == 0 ? NormKind::Frobenius : NormKind::Spectral;
  PetscCall(PetscOptionsInt("-tao_adasketch_dense_limit", "d + m at or below which the spectral quantities are computed densely", "", as->spectra.denseLimit, &as->spectra.denseLimit, NULL));
  PetscCall(PetscOptionsInt("-tao_adasketch_spectra_lag", "Recompute lambda_min(G G^T), the reduced-Hessian test and the norms every this many iterations", "", as->spectraLag,
                            &as->spectraLag, &flg));
  PetscCheck(as->spectraLag >= 1, PetscObjectComm((PetscObject)tao), PETSC_ERR_ARG_OUTOFRANGE, "-tao_adasketch_spectra_lag must be at least 1");
  PetscCall(PetscOptionsBool("-tao_adasketch_reduced_space", "With a state set (TaoAdaSketchSetStateIS): the reduced-space KKT preconditioner for the KSP inner solver", "TaoAdaSketchSetStateIS",
                             as->reducedSpace, &as->reducedSpace, NULL));
  PetscCall(PetscOptionsReal("-tao_adasketch_spectra_tol", "Relative accuracy of iterative eigenvalue estimates", "", as->spectra.tol, &as->spectra.tol, NULL));
  PetscInt maxInner = (PetscInt)std::min<PetscInt64>(as->maxInner, PETSC_MAX_INT);
  PetscCall(PetscOptionsInt("-tao_adasketch_max_inner", "Most sketch steps per inner solve", "", maxInner, &maxInner, &flg));
  if (flg) {
    PetscCheck(maxInner >= 1, PetscObjectComm((PetscObject)tao), PETSC_ERR_ARG_OUTOFRANGE, "-tao_adasketch_max_inner must be at least 1");
    as->maxInner = maxInner;
  }
  PetscCall(PetscOptionsReal("-tao_adasketch_inner_floor", "Smallest |Kz + grad L|/|grad L| the accuracy test asks for", "", as->innerFloor, &as->innerFloor, NULL));
  PetscCall(PetscOptionsInt("-tao_adasketch_max_halvings", "Armijo halvings before a line search failure", "", as->maxHalvings, &as->maxHalvings, NULL));
  PetscCall(PetscOptionsReal("-tao_adasketch_lambda0", "Initial multipliers (all entries) when the dual Vec is created", "", as->lambda0, &as->lambda0, NULL));
  PetscCall(PetscOptionsBool("-tao_adasketch_sketch_reference", "Run the sketch steps with the host reference kernels instead of Kokkos", "", as->sketchReference, &as->sketchReference, &flg));
  if (flg) as->sketchSolver.reset();
  PetscBool taoMonitor = PETSC_FALSE;
  PetscCall(PetscOptionsHasName(((PetscObject)tao)->options, ((PetscObject)tao)->prefix, "-tao_monitor", &taoMonitor));
  PetscCall(PetscOptionsBool("-tao_adasketch_monitor", "One line per iteration: f, |c|, |grad_x L|, mu, nu, delta, inner iterations, step (also with -tao_monitor)", "", as->monitor,
                             &as->monitor, NULL));
  if (taoMonitor) as->monitor = PETSC_TRUE;
  PetscOptionsHeadEnd();
  if (as->inner == TAO_ADASKETCH_INNER_KSP) {
    PetscCall(EnsureKSP(tao));
    PetscCall(KSPSetFromOptions(as->ksp));
  }
  PetscFunctionReturn(0);
}

} // namespace adasketch
} // namespace petal

PetscErrorCode TaoAdaSketchSetInnerType(Tao tao, TaoAdaSketchInnerType t)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(tao, TAO_CLASSID, 1);
  PetscValidLogicalCollectiveEnum(tao, t, 2);
  PetscTryMethod(tao, "TaoAdaSketchSetInnerType_C", (Tao, TaoAdaSketchInnerType), (tao, t));
  PetscFunctionReturn(0);
}
PetscErrorCode TaoAdaSketchGetInnerType(Tao tao, TaoAdaSketchInnerType *t)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(tao, TAO_CLASSID, 1);
  PetscUseMethod(tao, "TaoAdaSketchGetInnerType_C", (Tao, TaoAdaSketchInnerType *), (tao, t));
  PetscFunctionReturn(0);
}
PetscErrorCode TaoAdaSketchSetSketch(Tao tao, TaoAdaSketchSketchType t, PetscInt q)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(tao, TAO_CLASSID, 1);
  PetscValidLogicalCollectiveEnum(tao, t, 2);
  PetscValidLogicalCollectiveInt(tao, q, 3);
  PetscTryMethod(tao, "TaoAdaSketchSetSketch_C", (Tao, TaoAdaSketchSketchType, PetscInt), (tao, t, q));
  PetscFunctionReturn(0);
}
PetscErrorCode TaoAdaSketchGetSketch(Tao tao, TaoAdaSketchSketchType *t, PetscInt *q)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(tao, TAO_CLASSID, 1);
  PetscUseMethod(tao, "TaoAdaSketchGetSketch_C", (Tao, TaoAdaSketchSketchType *, PetscInt *), (tao, t, q));
  PetscFunctionReturn(0);
}
PetscErrorCode TaoAdaSketchSetSeed(Tao tao, PetscInt64 seed)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(tao, TAO_CLASSID, 1);
  PetscTryMethod(tao, "TaoAdaSketchSetSeed_C", (Tao, PetscInt64), (tao, seed));
  PetscFunctionReturn(0);
}
PetscErrorCode TaoAdaSketchSetPenalties(Tao tao, PetscReal mu, PetscReal nu, PetscReal delta)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(tao, TAO_CLASSID, 1);
  PetscValidLogicalCollectiveReal(tao, mu, 2);
  PetscValidLogicalCollectiveReal(tao, nu, 3);
  PetscValidLogicalCollectiveReal(tao, delta, 4);
  PetscTryMethod(tao, "TaoAdaSketchSetPenalties_C", (Tao, PetscReal, PetscReal, PetscReal), (tao, mu, nu, delta));
  PetscFunctionReturn(0);
}
PetscErrorCode TaoAdaSketchGetPenalties(Tao tao, PetscReal *mu, PetscReal *nu, PetscReal *delta)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(tao, TAO_CLASSID, 1);
  PetscUseMethod(tao, "TaoAdaSketchGetPenalties_C", (Tao, PetscReal *, PetscReal *, PetscReal *), (tao, mu, nu, delta));
  PetscFunctionReturn(0);
}
PetscErrorCode TaoAdaSketchSetAccuracy(Tao tao, PetscReal theta0, PetscBool superlinear)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(tao, TAO_CLASSID, 1);
  PetscValidLogicalCollectiveReal(tao, theta0, 2);
  PetscTryMethod(tao, "TaoAdaSketchSetAccuracy_C", (Tao, PetscReal, PetscBool), (tao, theta0, superlinear));
  PetscFunctionReturn(0);
}
PetscErrorCode TaoAdaSketchGetKSP(Tao tao, KSP *ksp)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(tao, TAO_CLASSID, 1);
  PetscValidPointer(ksp, 2);
  PetscUseMethod(tao, "TaoAdaSketchGetKSP_C", (Tao, KSP *), (tao, ksp));
  PetscFunctionReturn(0);
}
PetscErrorCode TaoAdaSketchSetStateIS(Tao tao, IS is)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(tao, TAO_CLASSID, 1);
  PetscValidHeaderSpecific(is, IS_CLASSID, 2);
  PetscTryMethod(tao, "TaoAdaSketchSetStateIS_C", (Tao, IS), (tao, is));
  PetscFunctionReturn(0);
}
PetscErrorCode TaoAdaSketchGetStats(Tao tao, PetscInt64 *inner, PetscInt *penaltyIncreases, PetscInt *halvings)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(tao, TAO_CLASSID, 1);
  PetscUseMethod(tao, "TaoAdaSketchGetStats_C", (Tao, PetscInt64 *, PetscInt *, PetscInt *), (tao, inner, penaltyIncreases, halvings));
  PetscFunctionReturn(0);
}
