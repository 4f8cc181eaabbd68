// PCBANDITSOR: SOR/SSOR with a learned relaxation factor (Khodak et al., "Learning to Relax", ICLR 2024).
//
// The PC learns across KSPSolve calls: PCPreSolve asks the learner for omega (given the context of this
// solve), PCApply runs SOR sweeps with it (MatSOR, or the Kokkos multicolor kernel), and PCPostSolve charges
// the learner the solve's iteration count (the KSP's max_it if it did not converge). Structure follows
// PCSOR (src/ksp/pc/impls/sor/sor.c).
#include "preconditioners/banditsor/banditsor_impl.hpp"
#include "learned/bandits/context.hpp"
#include <petal/petal.h>
#include <petscksp.h>
#include <algorithm>
#include <cmath>
#include <sstream>

PetscLogEvent PETAL_BanditLearner = 0;
const char *const PCBanditSORContextTransforms[] = {"linear", "log", "PCBanditSORContextTransform", "PCBANDITSOR_CONTEXT_", nullptr};

namespace petal {
namespace {
const char *const LearnerTypes[] = {"fixed", "tsallis", "tsallis_cb", "chebcb"};
const char *const SweepNames[]   = {"symmetric", "forward", "backward", "SORSweep", "", nullptr};
const char *const BackendNames[] = {"petsc", "kokkos", "SORBackend", "", nullptr};
const char *const ColoringNames[] = {"greedy", "kokkoskernels", "level", "SORColoring", "", nullptr};
const char *const EstimatorNames[] = {"iw", "rv", "TsallisEstimator", "", nullptr};

PetscErrorCode CheckOmega(PC pc, PetscReal omega)
{
  PetscFunctionBegin;
  PetscCheck(omega > 0 && omega < 2 && std::isfinite(omega), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: relaxation factor omega = %g is outside (0, 2), where SOR converges for SPD matrices", (double)omega);
  PetscFunctionReturn(0);
}

MatSORType SweepFlag(SORSweep s)
{
  // Local sweeps: on one rank they are the global sweeps; in parallel PETSc's MatSOR only supports these
  // (block Jacobi across ranks with SOR on each block).
  switch (s) {
  case SORSweep::FORWARD: return SOR_LOCAL_FORWARD_SWEEP;
  case SORSweep::BACKWARD: return SOR_LOCAL_BACKWARD_SWEEP;
  default: return SOR_LOCAL_SYMMETRIC_SWEEP;
  }
}

// The context as the learner sees it (-pc_banditsor_context_transform).
PetscReal LearnerContext(const PC_BanditSOR *sor, PetscReal c)
{
  if (sor->transform == PCBANDITSOR_CONTEXT_LINEAR) return c;
  return bandits::LogContext(c, sor->contextMin, sor->contextMax, sor->logFloor);
}
} // namespace

PetscErrorCode BanditSORCreateLearner(PC pc, PC_BanditSOR *sor)
{
  PetscFunctionBegin;
  if (sor->learner) PetscFunctionReturn(0);
  bandits::LearnerOptions o;
  o.num_arms    = sor->learnerType == "fixed" ? 1 : sor->grid.size();
  o.seed        = (std::uint64_t)sor->seed;
  o.fixed_arm   = 0;
  o.bins        = (std::size_t)sor->bins;
  o.features    = (std::size_t)sor->features;
  o.context_min = LearnerContext(sor, sor->contextMin);
  o.context_max = LearnerContext(sor, sor->contextMax);
  o.tsallis_estimator = sor->tsallis;
  try {
    sor->learner = bandits::CreateLearner(sor->learnerType, o);
  } catch (const std::exception &e) {
    SETERRQ(PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_WRONG, "PCBANDITSOR: cannot create learner %s: %s", sor->learnerType.c_str(), e.what());
  }
  PetscFunctionReturn(0);
}

namespace {
PetscErrorCode ArmOmega(const PC_BanditSOR *sor, std::size_t arm, PetscReal *omega)
{
  *omega = sor->learnerType == "fixed" ? sor->fixedOmega : sor->grid[arm];
  return 0;
}

PetscErrorCode PCPreSolve_BanditSOR(PC pc, KSP, Vec, Vec)
{
  auto          *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscReal      context = sor->context;
  PetscLogDouble t0, t1;

  PetscFunctionBegin;
  PetscCall(BanditSORCreateLearner(pc, sor));
  if (sor->contextFunction) PetscCall(sor->contextFunction(pc, &context, sor->contextCtx));
  // Rank 0's context, so that every rank makes the same decision.
  PetscCallMPI(MPI_Bcast(&context, 1, MPIU_REAL, 0, PetscObjectComm((PetscObject)pc)));
  PetscCall(PetscLogEventBegin(PETAL_BanditLearner, pc, 0, 0, 0));
  PetscCall(PetscTime(&t0));
  std::size_t arm = 0;
  try {
    arm = sor->learner->Choose(LearnerContext(sor, context));
  } catch (const std::exception &e) {
    SETERRQ(PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_WRONG, "PCBANDITSOR: learner %s rejected context %g: %s", sor->learnerType.c_str(), (double)context, e.what());
  }
  PetscCall(PetscTime(&t1));
  PetscCall(PetscLogEventEnd(PETAL_BanditLearner, pc, 0, 0, 0));
  sor->learnerSeconds += t1 - t0;
  PetscCall(ArmOmega(sor, arm, &sor->omega));
  sor->lastContext = context;
  sor->deciding    = true;
  PetscFunctionReturn(0);
}

PetscErrorCode PCPostSolve_BanditSOR(PC pc, KSP ksp, Vec, Vec)
{
  auto              *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscInt           its, maxit;
  KSPConvergedReason reason;
  PetscLogDouble     t0, t1;

  PetscFunctionBegin;
  if (!sor->deciding) PetscFunctionReturn(0);
  sor->deciding = false;
  PetscCall(KSPGetIterationNumber(ksp, &its));
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  PetscCall(KSPGetTolerances(ksp, NULL, NULL, NULL, &maxit));
  // A solve that did not converge is charged the cap, as in the reference code (its cost is censored).
  const PetscInt cost = reason < 0 ? std::max(maxit, its) : its;
  if (reason < 0) sor->capped++;
  PetscCall(PetscLogEventBegin(PETAL_BanditLearner, pc, 0, 0, 0));
  PetscCall(PetscTime(&t0));
  try {
    sor->learner->Update((double)cost);
  } catch (const std::exception &e) {
    SETERRQ(PetscObjectComm((PetscObject)pc), PETSC_ERR_LIB, "PCBANDITSOR: learner update failed: %s", e.what());
  }
  PetscCall(PetscTime(&t1));
  PetscCall(PetscLogEventEnd(PETAL_BanditLearner, pc, 0, 0, 0));
  sor->learnerSeconds += t1 - t0;
  sor->solves++;
  sor->iterations += cost;
  PetscFunctionReturn(0);
}

PetscErrorCode PCSetUp_BanditSOR(PC pc)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  PetscCall(BanditSORCreateLearner(pc, sor));
  if (sor->backend == SORBackend::KOKKOS) {
    // The coloring is kept while the nonzero pattern is (e.g. A_t of a time loop); values are re-copied.
    if (!sor->kokkos || !sor->kokkos->IsCreated() || pc->flag != SAME_NONZERO_PATTERN || sor->kokkos->Coloring() != sor->coloring) {
      sor->kokkos = std::make_unique<KokkosSOR>();
      PetscCall(sor->kokkos->Create(pc->pmat, sor->coloring));
    } else PetscCall(sor->kokkos->UpdateValues(pc->pmat));
  } else sor->kokkos.reset();
  PetscFunctionReturn(0);
}

PetscErrorCode PCApply_BanditSOR(PC pc, Vec x, Vec y)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  PetscCall(CheckOmega(pc, sor->omega));
  if (sor->backend == SORBackend::KOKKOS) {
    PetscCall(sor->kokkos->Apply(sor->omega, static_cast<sor::Sweep>(sor->sweep), sor->its, x, y));
    PetscFunctionReturn(0);
  }
  PetscCall(MatSOR(pc->pmat, x, sor->omega, (MatSORType)(SweepFlag(sor->sweep) | SOR_ZERO_INITIAL_GUESS), 0.0, sor->its, 1, y));
  PetscFunctionReturn(0);
}

PetscErrorCode PCReset_BanditSOR(PC pc)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  sor->kokkos.reset();
  PetscFunctionReturn(0);
}

PetscErrorCode PCDestroy_BanditSOR(PC pc)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  // A sequence spread over several jobs keeps learning: the state goes back to the file it came from.
  if (!sor->stateFile.empty() && sor->learner && sor->solves > 0) PetscCall(BanditSORWriteState(pc, sor, sor->stateFile.c_str()));
  PetscCall(PCReset_BanditSOR(pc));
  delete sor;
  pc->data = nullptr;
  const char *names[] = {"PCBanditSORSetContext_C", "PCBanditSORSetContextFunction_C", "PCBanditSORSetLearner_C", "PCBanditSORSetOmegaGrid_C", "PCBanditSORSetContextRange_C", "PCBanditSORSetSeed_C", "PCBanditSORGetOmega_C", "PCBanditSORGetOmegaGrid_C", "PCBanditSORGetTotals_C", "PCBanditSORSaveState_C", "PCBanditSORLoadState_C", "PCBanditSORSetContextTransform_C", "PCBanditSORSetTsallisEstimator_C", "PCBanditSORSetTsallisShiftAdaptation_C", "PCBanditSORGetTsallisEstimator_C"};
  for (const char *n : names) PetscCall(PetscObjectComposeFunction((PetscObject)pc, n, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode PCView_BanditSOR(PC pc, PetscViewer viewer)
{
  auto     *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscBool iascii;
  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &iascii));
  if (!iascii) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(viewer, "  learner %s, seed %" PetscInt_FMT ", %s sweeps (%" PetscInt_FMT " per application), backend %s\n", sor->learnerType.c_str(), sor->seed, SweepNames[(int)sor->sweep], sor->its, BackendNames[(int)sor->backend]));
  if (sor->backend == SORBackend::KOKKOS) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "  Kokkos execution space %s, row order %s\n", PetalKokkosExecutionSpaceName(), ColoringNames[(int)sor->coloring]));
    if (sor->kokkos && sor->kokkos->IsCreated()) {
      PetscCall(PetscViewerASCIIPushTab(viewer));
      PetscCall(sor->kokkos->View(viewer));
      PetscCall(PetscViewerASCIIPopTab(viewer));
    }
  }
  if (sor->learnerType == "fixed") PetscCall(PetscViewerASCIIPrintf(viewer, "  omega %g\n", (double)sor->fixedOmega));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "  omega grid: %zu values on [%g, %g]\n", sor->grid.size(), sor->grid.front(), sor->grid.back()));
  if (sor->learnerType == "tsallis_cb" || sor->learnerType == "chebcb") {
    PetscCall(PetscViewerASCIIPrintf(viewer, "  context range [%g, %g], %s %" PetscInt_FMT ", last context %g\n", (double)sor->contextMin, (double)sor->contextMax, sor->learnerType == "chebcb" ? "features" : "bins", sor->learnerType == "chebcb" ? sor->features : sor->bins, (double)sor->lastContext));
    if (sor->transform == PCBANDITSOR_CONTEXT_LOG) PetscCall(PetscViewerASCIIPrintf(viewer, "  context transform log: the learner sees log10(c - a + %g (b - a))\n", (double)sor->logFloor));
  }
  if (sor->learnerType == "tsallis" || sor->learnerType == "tsallis_cb") {
    const bandits::TsallisEstimator &e = sor->tsallis;
    if (e.reduced_variance) {
      char shift[64];
      if (e.window > 0) PetscCall(PetscSNPrintf(shift, sizeof shift, "moving average of the last %lld losses", (long long)e.window));
      else PetscCall(PetscSNPrintf(shift, sizeof shift, "%g", e.shift));
      PetscCall(PetscViewerASCIIPrintf(viewer, "  loss estimator: reduced variance, shift %s, whole on arms with p >= %g eta^2, %s below\n", shift, e.gate, e.soft_gate ? "sqrt(p / (gate eta^2)) of it" : "none"));
    }
    else PetscCall(PetscViewerASCIIPrintf(viewer, "  loss estimator: importance weighting\n"));
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "  solves %" PetscInt_FMT ", iterations charged %" PetscInt_FMT " (mean %.2f), capped solves %" PetscInt_FMT ", current omega %g\n", sor->solves, sor->iterations, sor->solves ? (double)sor->iterations / sor->solves : 0.0, sor->capped, (double)sor->omega));
  PetscCall(PetscViewerASCIIPrintf(viewer, "  learner time %.3g s\n", sor->learnerSeconds));
  if (!sor->stateFile.empty()) PetscCall(PetscViewerASCIIPrintf(viewer, "  state file %s\n", sor->stateFile.c_str()));
  if (sor->learner && sor->learnerType != "fixed") {
    std::istringstream lines(sor->learner->Summary(sor->grid));
    std::string        line;
    while (std::getline(lines, line)) PetscCall(PetscViewerASCIIPrintf(viewer, "  %s\n", line.c_str()));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ResetLearnerIfUnused(PC pc, PC_BanditSOR *sor, const char *what);

PetscErrorCode PCSetFromOptions_BanditSOR(PC pc, PetscOptionItems *PetscOptionsObject)
{
  auto     *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscInt  learner, n = 64;
  PetscReal grid[64], range[2] = {sor->contextMin, sor->contextMax}, lo = 1.0, hi = 1.95;
  PetscInt  npoints = (PetscInt)sor->grid.size(), nrange = 2;
  PetscBool set, setGrid, setLo, setHi, setN;
  char      file[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "Bandit SOR options");
  learner = (PetscInt)(std::find(std::begin(LearnerTypes), std::end(LearnerTypes), sor->learnerType) - std::begin(LearnerTypes));
  PetscCall(PetscOptionsEList("-pc_banditsor_learner", "Learner that picks omega: fixed, tsallis (Tsallis-INF), tsallis_cb (binned contextual), chebcb (Chebyshev contextual)", "PCBanditSORSetLearner", LearnerTypes, 4, LearnerTypes[learner], &learner, &set));
  if (set) PetscCall(PCBanditSORSetLearner(pc, LearnerTypes[learner]));
  PetscCall(PetscOptionsReal("-pc_banditsor_omega", "omega of the fixed learner", "PCBanditSORSetLearner", sor->fixedOmega, &sor->fixedOmega, &set));
  if (set) PetscCall(CheckOmega(pc, sor->fixedOmega));
  {
    // -help shows the current grid; a given grid may have up to 64 values.
    PetscBool given;
    PetscCall(PetscOptionsHasName(((PetscObject)pc)->options, ((PetscObject)pc)->prefix, "-pc_banditsor_omega_grid", &given));
    if (!given) n = (PetscInt)std::min<size_t>(sor->grid.size(), 64);
    for (PetscInt i = 0; i < n && !given; ++i) grid[i] = sor->grid[i];
  }
  PetscCall(PetscOptionsRealArray("-pc_banditsor_omega_grid", "Explicit list of omega values (arms)", "PCBanditSORSetOmegaGrid", grid, &n, &setGrid));
  if (setGrid) PetscCall(PCBanditSORSetOmegaGrid(pc, n, grid));
  lo = sor->grid.front();
  hi = sor->grid.back();
  PetscCall(PetscOptionsReal("-pc_banditsor_omega_min", "Smallest omega of the uniform grid", "PCBanditSORSetOmegaGrid", lo, &lo, &setLo));
  PetscCall(PetscOptionsReal("-pc_banditsor_omega_max", "Largest omega of the uniform grid", "PCBanditSORSetOmegaGrid", hi, &hi, &setHi));
  PetscCall(PetscOptionsInt("-pc_banditsor_omega_n", "Number of omega values of the uniform grid", "PCBanditSORSetOmegaGrid", npoints, &npoints, &setN));
  if (!setGrid && (setLo || setHi || setN)) {
    PetscCheck(npoints >= 1, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: the omega grid must have at least one value, got -pc_banditsor_omega_n %" PetscInt_FMT, npoints);
    std::vector<PetscReal> g(npoints);
    for (PetscInt i = 0; i < npoints; ++i) g[i] = npoints == 1 ? lo : lo + (hi - lo) * i / (npoints - 1);
    PetscCall(PCBanditSORSetOmegaGrid(pc, npoints, g.data()));
  }
  PetscInt seed = sor->seed, bins = sor->bins, features = sor->features;
  PetscCall(PetscOptionsInt("-pc_banditsor_seed", "Seed of the learner's generator (same on every rank)", "PCBanditSORSetSeed", seed, &seed, &set));
  if (set) PetscCall(PCBanditSORSetSeed(pc, seed));
  PetscCall(PetscOptionsEnum("-pc_banditsor_sweep", "SOR sweep: symmetric (SSOR), forward or backward (local to each rank in parallel)", "", SweepNames, (PetscEnum)sor->sweep, (PetscEnum *)&sor->sweep, NULL));
  PetscCall(PetscOptionsInt("-pc_banditsor_its", "SOR sweeps per preconditioner application", "", sor->its, &sor->its, NULL));
  PetscCheck(sor->its >= 1, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: -pc_banditsor_its must be at least 1");
  PetscCall(PetscOptionsEnum("-pc_banditsor_backend", "SOR kernel: petsc (MatSOR) or kokkos (multicolor Kokkos kernel)", "", BackendNames, (PetscEnum)sor->backend, (PetscEnum *)&sor->backend, NULL));
  PetscCall(PetscOptionsEnum("-pc_banditsor_kokkos_coloring", "Row order of the kokkos backend: level (natural-order SOR, same as MatSOR), greedy (multicolor: red-black on 5-point stencils, most parallel, weaker SSOR), kokkoskernels", "", ColoringNames, (PetscEnum)sor->coloring, (PetscEnum *)&sor->coloring, NULL));
  PetscCall(PetscOptionsReal("-pc_banditsor_context", "Context of the next solve for contextual learners", "PCBanditSORSetContext", sor->context, &sor->context, NULL));
  PetscCall(PetscOptionsRealArray("-pc_banditsor_context_range", "Range [a,b] of the context for contextual learners", "PCBanditSORSetContextRange", range, &nrange, &set));
  if (set) {
    PetscCheck(nrange == 2, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_SIZ, "PCBANDITSOR: -pc_banditsor_context_range takes two values a,b");
    PetscCall(PCBanditSORSetContextRange(pc, range[0], range[1]));
  }
  {
    PCBanditSORContextTransform transform = sor->transform;
    PetscReal                   floor     = sor->logFloor;
    PetscBool                   set1, set2;
    PetscCall(PetscOptionsEnum("-pc_banditsor_context_transform", "How contextual learners see the context: linear, or log (log10(c - a + floor (b - a)); for contexts spanning decades)", "PCBanditSORSetContextTransform", PCBanditSORContextTransforms, (PetscEnum)transform, (PetscEnum *)&transform, &set1));
    PetscCall(PetscOptionsReal("-pc_banditsor_context_log_floor", "log transform: floor as a fraction of the context range", "PCBanditSORSetContextTransform", floor, &floor, &set2));
    if (set1 || set2) PetscCall(PCBanditSORSetContextTransform(pc, transform, floor));
    PetscInt  estimator = sor->tsallis.reduced_variance ? 1 : 0;
    PetscReal shift     = sor->tsallis.shift;
    PetscCall(PetscOptionsEList("-pc_banditsor_tsallis_estimator", "Loss estimator of tsallis and tsallis_cb: rv (reduced variance) or iw (importance weighting, as the reference code)", "PCBanditSORSetTsallisEstimator", EstimatorNames, 2, EstimatorNames[estimator], &estimator, &set1));
    PetscCall(PetscOptionsReal("-pc_banditsor_tsallis_shift", "Constant shift B of the reduced-variance estimator, normalised-loss units (used with -pc_banditsor_tsallis_shift_window 0)", "PCBanditSORSetTsallisEstimator", shift, &shift, &set2));
    if (set1 || set2) PetscCall(PCBanditSORSetTsallisEstimator(pc, estimator == 1 ? PETSC_TRUE : PETSC_FALSE, shift));
    PetscInt  window = (PetscInt)sor->tsallis.window;
    PetscReal gate   = sor->tsallis.gate;
    PetscBool soft   = sor->tsallis.soft_gate ? PETSC_TRUE : PETSC_FALSE, set3;
    PetscCall(PetscOptionsInt("-pc_banditsor_tsallis_shift_window", "Reduced-variance estimator: the shift follows the moving average of the last ~w normalised losses (0: the constant shift B)", "PCBanditSORSetTsallisShiftAdaptation", window, &window, &set1));
    PetscCall(PetscOptionsReal("-pc_banditsor_tsallis_shift_gate", "Reduced-variance estimator: arms with p >= gate eta^2 get the whole shift", "PCBanditSORSetTsallisShiftAdaptation", gate, &gate, &set2));
    PetscCall(PetscOptionsBool("-pc_banditsor_tsallis_shift_soft_gate", "Reduced-variance estimator: arms below the gate get sqrt(p / (gate eta^2)) of the shift (false: none, as PCGBandit)", "PCBanditSORSetTsallisShiftAdaptation", soft, &soft, &set3));
    if (set1 || set2 || set3) PetscCall(PCBanditSORSetTsallisShiftAdaptation(pc, window, gate, soft));
  }
  PetscCall(PetscOptionsInt("-pc_banditsor_bins", "Context bins of tsallis_cb", "", bins, &bins, NULL));
  PetscCall(PetscOptionsInt("-pc_banditsor_features", "Chebyshev features of chebcb", "", features, &features, NULL));
  PetscCheck(bins >= 1 && features >= 1, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: -pc_banditsor_bins and -pc_banditsor_features must be positive");
  if (bins != sor->bins || features != sor->features) {
    PetscCall(ResetLearnerIfUnused(pc, sor, "bins/features"));
    sor->bins     = bins;
    sor->features = features;
  }
  PetscCall(PetscOptionsString("-pc_banditsor_state", "HDF5 file with the learner state: loaded if it exists, written when the PC is destroyed", "PCBanditSORLoadState", sor->stateFile.c_str(), file, sizeof file, &set));
  if (set) {
    sor->stateFile = file;
    PetscBool exists;
    PetscCall(PetscTestFile(file, 'r', &exists));
    if (exists) PetscCall(PCBanditSORLoadState(pc, file));
  }
  PetscOptionsHeadEnd();
  PetscFunctionReturn(0);
}

// ---- setter implementations (composed; reached through PetscTryMethod/PetscUseMethod) ----
PetscErrorCode ResetLearnerIfUnused(PC pc, PC_BanditSOR *sor, const char *what)
{
  PetscFunctionBegin;
  PetscCheck(!sor->learner || sor->learner->Rounds() == 0, PetscObjectComm((PetscObject)pc), PETSC_ERR_ORDER, "PCBANDITSOR: cannot change the %s after the learner has been charged for a solve", what);
  sor->learner.reset();
  PetscFunctionReturn(0);
}

PetscErrorCode SetContext_BanditSOR(PC pc, PetscReal c)
{
  static_cast<PC_BanditSOR *>(pc->data)->context = c;
  return 0;
}
PetscErrorCode SetContextFunction_BanditSOR(PC pc, PetscErrorCode (*f)(PC, PetscReal *, void *), void *ctx)
{
  auto *sor            = static_cast<PC_BanditSOR *>(pc->data);
  sor->contextFunction = f;
  sor->contextCtx      = ctx;
  return 0;
}
PetscErrorCode SetLearner_BanditSOR(PC pc, const char type[])
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  PetscCheck(std::find_if(std::begin(LearnerTypes), std::end(LearnerTypes), [&](const char *t) { return !strcmp(t, type); }) != std::end(LearnerTypes), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_UNKNOWN_TYPE, "PCBANDITSOR: unknown learner %s (fixed, tsallis, tsallis_cb, chebcb)", type);
  if (sor->learnerType == type) PetscFunctionReturn(0);
  PetscCall(ResetLearnerIfUnused(pc, sor, "learner"));
  sor->learnerType = type;
  PetscFunctionReturn(0);
}
PetscErrorCode SetOmegaGrid_BanditSOR(PC pc, PetscInt n, const PetscReal g[])
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  PetscCheck(n >= 1, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: the omega grid is empty");
  for (PetscInt i = 0; i < n; ++i) PetscCall(CheckOmega(pc, g[i]));
  // The same grid up to rounding (a linspace computed another way) is no change for the learner.
  const bool same = sor->grid.size() == (size_t)n && std::equal(g, g + n, sor->grid.begin(), [](double a, double b) { return std::abs(a - b) <= 1e-12; });
  if (!same) PetscCall(ResetLearnerIfUnused(pc, sor, "omega grid"));
  sor->grid.assign(g, g + n);
  PetscFunctionReturn(0);
}
PetscErrorCode SetContextRange_BanditSOR(PC pc, PetscReal a, PetscReal b)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  PetscCheck(a < b && std::isfinite(a) && std::isfinite(b), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: context range [%g, %g] is empty", (double)a, (double)b);
  if (a == sor->contextMin && b == sor->contextMax) PetscFunctionReturn(0);
  PetscCall(ResetLearnerIfUnused(pc, sor, "context range"));
  sor->contextMin = a;
  sor->contextMax = b;
  PetscFunctionReturn(0);
}
PetscErrorCode SetSeed_BanditSOR(PC pc, PetscInt seed)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  if (seed == sor->seed) PetscFunctionReturn(0);
  PetscCall(ResetLearnerIfUnused(pc, sor, "seed"));
  sor->seed = seed;
  PetscFunctionReturn(0);
}
PetscErrorCode SetContextTransform_BanditSOR(PC pc, PCBanditSORContextTransform transform, PetscReal floor)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  PetscCheck(transform == PCBANDITSOR_CONTEXT_LINEAR || transform == PCBANDITSOR_CONTEXT_LOG, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: unknown context transform %d", (int)transform);
  PetscCheck(floor > 0 && std::isfinite(floor), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: the log context floor must be positive and finite, got %g", (double)floor);
  if (transform == sor->transform && floor == sor->logFloor) PetscFunctionReturn(0);
  PetscCall(ResetLearnerIfUnused(pc, sor, "context transform"));
  sor->transform = transform;
  sor->logFloor  = floor;
  PetscFunctionReturn(0);
}
PetscErrorCode SetTsallisEstimator_BanditSOR(PC pc, PetscBool rv, PetscReal shift)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  PetscCheck(shift >= 0 && std::isfinite(shift), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: the reduced-variance shift must be finite and >= 0, got %g", (double)shift);
  if ((rv == PETSC_TRUE) == sor->tsallis.reduced_variance && shift == sor->tsallis.shift) PetscFunctionReturn(0);
  PetscCall(ResetLearnerIfUnused(pc, sor, "Tsallis-INF loss estimator"));
  sor->tsallis.reduced_variance = rv == PETSC_TRUE;
  sor->tsallis.shift            = shift;
  PetscFunctionReturn(0);
}
PetscErrorCode SetTsallisShiftAdaptation_BanditSOR(PC pc, PetscInt window, PetscReal gate, PetscBool soft)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  PetscCheck(window >= 0, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: the reduced-variance shift window must be >= 0 (0: the constant shift), got %" PetscInt_FMT, window);
  PetscCheck(gate > 0 && std::isfinite(gate), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: the reduced-variance shift gate must be finite and > 0, got %g", (double)gate);
  if (window == sor->tsallis.window && gate == sor->tsallis.gate && (soft == PETSC_TRUE) == sor->tsallis.soft_gate) PetscFunctionReturn(0);
  PetscCall(ResetLearnerIfUnused(pc, sor, "Tsallis-INF shift adaptation"));
  sor->tsallis.window    = window;
  sor->tsallis.gate      = gate;
  sor->tsallis.soft_gate = soft == PETSC_TRUE;
  PetscFunctionReturn(0);
}
PetscErrorCode GetOmegaGrid_BanditSOR(PC pc, PetscInt *n, const PetscReal **grid)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  if (sor->learnerType == "fixed") {
    *n    = 1;
    *grid = &sor->fixedOmega;
  } else {
    *n    = (PetscInt)sor->grid.size();
    *grid = sor->grid.data();
  }
  return 0;
}
PetscErrorCode GetOmega_BanditSOR(PC pc, PetscReal *omega)
{
  *omega = static_cast<PC_BanditSOR *>(pc->data)->omega;
  return 0;
}
PetscErrorCode GetTotals_BanditSOR(PC pc, PetscInt *solves, PetscInt *its)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  if (solves) *solves = sor->solves;
  if (its) *its = sor->iterations;
  return 0;
}
PetscErrorCode GetTsallisEstimator_BanditSOR(PC pc, PetscBool *rv, PetscReal *shift, PetscInt *window, PetscReal *gate, PetscBool *soft)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  const bandits::TsallisEstimator &e = sor->tsallis;
  if (rv) *rv = e.reduced_variance ? PETSC_TRUE : PETSC_FALSE;
  if (shift) *shift = e.shift;
  if (window) *window = (PetscInt)e.window;
  if (gate) *gate = e.gate;
  if (soft) *soft = e.soft_gate ? PETSC_TRUE : PETSC_FALSE;
  return 0;
}
PetscErrorCode SaveState_BanditSOR(PC pc, const char file[])
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  PetscCall(BanditSORCreateLearner(pc, sor));
  PetscCall(BanditSORWriteState(pc, sor, file));
  PetscFunctionReturn(0);
}
PetscErrorCode LoadState_BanditSOR(PC pc, const char file[])
{
  return BanditSORReadState(pc, static_cast<PC_BanditSOR *>(pc->data), file);
}
} // namespace
} // namespace petal

using petal::PC_BanditSOR;

PetscErrorCode PCBanditSORInitializePackage(void)
{
  PetscFunctionBegin;
  if (!PETAL_BanditLearner) PetscCall(PetscLogEventRegister("PetalBanditLearn", PC_CLASSID, &PETAL_BanditLearner));
  PetscCall(petal::KokkosSORInitializePackage());
  PetscFunctionReturn(0);
}

PetscErrorCode PCCreate_BanditSOR(PC pc)
{
  PetscFunctionBegin;
  PetscCall(PCBanditSORInitializePackage());
  pc->data                 = new PC_BanditSOR();
  pc->ops->apply           = petal::PCApply_BanditSOR;
  pc->ops->setup           = petal::PCSetUp_BanditSOR;
  pc->ops->presolve        = petal::PCPreSolve_BanditSOR;
  pc->ops->postsolve       = petal::PCPostSolve_BanditSOR;
  pc->ops->setfromoptions  = petal::PCSetFromOptions_BanditSOR;
  pc->ops->view            = petal::PCView_BanditSOR;
  pc->ops->reset           = petal::PCReset_BanditSOR;
  pc->ops->destroy         = petal::PCDestroy_BanditSOR;
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORSetContext_C", petal::SetContext_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORSetContextFunction_C", petal::SetContextFunction_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORSetLearner_C", petal::SetLearner_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORSetOmegaGrid_C", petal::SetOmegaGrid_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORSetContextRange_C", petal::SetContextRange_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORSetSeed_C", petal::SetSeed_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORGetOmega_C", petal::GetOmega_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORGetTotals_C", petal::GetTotals_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORGetTsallisEstimator_C", petal::GetTsallisEstimator_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORGetOmegaGrid_C", petal::GetOmegaGrid_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORSaveState_C", petal::SaveState_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORLoadState_C", petal::LoadState_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORSetContextTransform_C", petal::SetContextTransform_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORSetTsallisEstimator_C", petal::SetTsallisEstimator_BanditSOR));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSORSetTsallisShiftAdaptation_C", petal::SetTsallisShiftAdaptation_BanditSOR));
  PetscFunctionReturn(0);
}

PetscErrorCode PCBanditSORSetContext(PC pc, PetscReal c)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscTryMethod(pc, "PCBanditSORSetContext_C", (PC, PetscReal), (pc, c));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORSetContextFunction(PC pc, PetscErrorCode (*f)(PC, PetscReal *, void *), void *ctx)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscTryMethod(pc, "PCBanditSORSetContextFunction_C", (PC, PetscErrorCode(*)(PC, PetscReal *, void *), void *), (pc, f, ctx));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORSetLearner(PC pc, const char type[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscTryMethod(pc, "PCBanditSORSetLearner_C", (PC, const char[]), (pc, type));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORSetOmegaGrid(PC pc, PetscInt n, const PetscReal g[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscTryMethod(pc, "PCBanditSORSetOmegaGrid_C", (PC, PetscInt, const PetscReal[]), (pc, n, g));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORSetContextRange(PC pc, PetscReal a, PetscReal b)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscTryMethod(pc, "PCBanditSORSetContextRange_C", (PC, PetscReal, PetscReal), (pc, a, b));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORSetSeed(PC pc, PetscInt seed)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscTryMethod(pc, "PCBanditSORSetSeed_C", (PC, PetscInt), (pc, seed));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORSetContextTransform(PC pc, PCBanditSORContextTransform transform, PetscReal floor)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscTryMethod(pc, "PCBanditSORSetContextTransform_C", (PC, PCBanditSORContextTransform, PetscReal), (pc, transform, floor));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORSetTsallisEstimator(PC pc, PetscBool rv, PetscReal shift)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscTryMethod(pc, "PCBanditSORSetTsallisEstimator_C", (PC, PetscBool, PetscReal), (pc, rv, shift));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORGetOmega(PC pc, PetscReal *omega)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscUseMethod(pc, "PCBanditSORGetOmega_C", (PC, PetscReal *), (pc, omega));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORGetOmegaGrid(PC pc, PetscInt *n, const PetscReal **grid)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscUseMethod(pc, "PCBanditSORGetOmegaGrid_C", (PC, PetscInt *, const PetscReal **), (pc, n, grid));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORGetTotals(PC pc, PetscInt *solves, PetscInt *its)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscUseMethod(pc, "PCBanditSORGetTotals_C", (PC, PetscInt *, PetscInt *), (pc, solves, its));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORSaveState(PC pc, const char file[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscUseMethod(pc, "PCBanditSORSaveState_C", (PC, const char[]), (pc, file));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORLoadState(PC pc, const char file[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscUseMethod(pc, "PCBanditSORLoadState_C", (PC, const char[]), (pc, file));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORSetTsallisShiftAdaptation(PC pc, PetscInt window, PetscReal gate, PetscBool soft)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscTryMethod(pc, "PCBanditSORSetTsallisShiftAdaptation_C", (PC, PetscInt, PetscReal, PetscBool), (pc, window, gate, soft));
  PetscFunctionReturn(0);
}
PetscErrorCode PCBanditSORGetTsallisEstimator(PC pc, PetscBool *rv, PetscReal *shift, PetscInt *window, PetscReal *gate, PetscBool *soft)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscUseMethod(pc, "PCBanditSORGetTsallisEstimator_C", (PC, PetscBool *, PetscReal *, PetscInt *, PetscReal *, PetscBool *), (pc, rv, shift, window, gate, soft));
  PetscFunctionReturn(0);
}
