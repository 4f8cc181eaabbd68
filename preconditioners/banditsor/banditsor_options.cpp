// PCSetFromOptions of PCBANDITSOR: every option under the PC's prefix, in -help and -ksp_view. Options that
// change the learner's configuration go through the public setters, so the options and the C API share one
// set of checks (and "cannot change ... after the learner has been charged").
#include "preconditioners/banditsor/banditsor_impl.hpp"
#include "learned/bandits/omega_grid.hpp"
#include <algorithm>
#include <cmath>

namespace petal {
namespace {
// The learner types as PetscOptionsEList wants them, and their one-line description, from bandits::LearnerTypes().
const std::vector<const char *> &LearnerTypeNames()
{
  static const std::vector<const char *> names = [] {
    std::vector<const char *> v;
    for (const std::string &t : bandits::LearnerTypes()) v.push_back(t.c_str());
    return v;
  }();
  return names;
}

std::string LearnerHelp()
{
  std::string help = "Learner that picks omega:";
  for (const std::string &t : bandits::LearnerTypes()) help += " " + t + " (" + bandits::TraitsOf(t).label + ")";
  return help;
}

PetscErrorCode LearnerOptions(PC pc, PC_BanditSOR *sor, PetscOptionItems *PetscOptionsObject)
{
  const std::vector<const char *> &types = LearnerTypeNames();
  PetscInt                         learner = (PetscInt)(std::find(bandits::LearnerTypes().begin(), bandits::LearnerTypes().end(), sor->learnerType) - bandits::LearnerTypes().begin());
  PetscBool                        set;
  const std::string                help = LearnerHelp();
  PetscFunctionBegin;
  PetscCall(PetscOptionsEList("-pc_banditsor_learner", help.c_str(), "PCBanditSORSetLearner", types.data(), (PetscInt)types.size(), types[learner], &learner, &set));
  if (set) PetscCall(PCBanditSORSetLearner(pc, types[learner]));
  PetscCall(PetscOptionsReal("-pc_banditsor_omega", "omega of the fixed learner", "PCBanditSORSetLearner", sor->fixedOmega, &sor->fixedOmega, &set));
  if (set) PetscCall(BanditSORCheckOmega(pc, "-pc_banditsor_omega", sor->fixedOmega));
  PetscFunctionReturn(0);
}

// -pc_banditsor_omega_grid, or the uniform grid -pc_banditsor_omega_min/_max/_n (checked before it is built).
PetscErrorCode GridOptions(PC pc, PC_BanditSOR *sor, PetscOptionItems *PetscOptionsObject)
{
  PetscReal grid[64];
  PetscInt  n = 64, npoints = (PetscInt)sor->grid.size();
  PetscReal lo = sor->grid.front(), hi = sor->grid.back();
  PetscBool setGrid, setLo, setHi, setN;
  PetscFunctionBegin;
  grid[0] = sor->grid.front(); // what -help shows (PETSc prints the first value of a list)
  PetscCall(PetscOptionsRealArray("-pc_banditsor_omega_grid", "Explicit list of omega values (arms), at most 64 (default: the uniform grid of -pc_banditsor_omega_min/_max/_n)", "PCBanditSORSetOmegaGrid", grid, &n, &setGrid));
  if (setGrid) {
    const std::string why = bandits::OmegaGridProblem(grid, n);
    PetscCheck(why.empty(), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: -pc_banditsor_omega_grid: %s", why.c_str());
    PetscCall(PCBanditSORSetOmegaGrid(pc, n, grid));
  }
  PetscCall(PetscOptionsReal("-pc_banditsor_omega_min", "Smallest omega of the uniform grid", "PCBanditSORSetOmegaGrid", lo, &lo, &setLo));
  PetscCall(PetscOptionsReal("-pc_banditsor_omega_max", "Largest omega of the uniform grid", "PCBanditSORSetOmegaGrid", hi, &hi, &setHi));
  PetscCall(PetscOptionsInt("-pc_banditsor_omega_n", "Number of omega values of the uniform grid (at most 1000)", "PCBanditSORSetOmegaGrid", npoints, &npoints, &setN));
  if (!setGrid && (setLo || setHi || setN)) {
    const std::string why = bandits::UniformOmegaGridProblem(npoints, lo, hi);
    PetscCheck(why.empty(), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: -pc_banditsor_omega_min/_max/_n: %s", why.c_str());
    const std::vector<double> g = bandits::DefaultOmegaGrid((std::size_t)npoints, lo, hi);
    PetscCall(PCBanditSORSetOmegaGrid(pc, npoints, g.data()));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode KernelOptions(PC pc, PC_BanditSOR *sor, PetscOptionItems *PetscOptionsObject)
{
  PetscInt  seed = sor->seed;
  PetscBool set;
  PetscFunctionBegin;
  PetscCall(PetscOptionsInt("-pc_banditsor_seed", "Seed of the learner's generator (same on every rank)", "PCBanditSORSetSeed", seed, &seed, &set));
  if (set) PetscCall(PCBanditSORSetSeed(pc, seed));
  PetscCall(PetscOptionsEnum("-pc_banditsor_sweep", "SOR sweep: symmetric (SSOR), forward or backward (local to each rank in parallel: block Jacobi over the ranks)", "", BanditSORSweepNames, (PetscEnum)sor->sweep, (PetscEnum *)&sor->sweep, NULL));
  PetscCall(PetscOptionsInt("-pc_banditsor_its", "SOR sweeps per preconditioner application", "", sor->its, &sor->its, NULL));
  PetscCheck(sor->its >= 1, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: -pc_banditsor_its must be at least 1");
  PetscCall(PetscOptionsEnum("-pc_banditsor_backend", "SOR kernel: petsc (MatSOR) or kokkos (multicolor Kokkos kernel)", "", BanditSORBackendNames, (PetscEnum)sor->backend, (PetscEnum *)&sor->backend, NULL));
  PetscCall(PetscOptionsEnum("-pc_banditsor_kokkos_ordering", "Sweeps of the kokkos backend on several ranks: local (block Jacobi over the ranks, like MatSOR) or global (one multicolor order over all rows, ghosts exchanged per color: the same preconditioner on any number of ranks; greedy or level coloring)", "", BanditSOROrderingNames, (PetscEnum)sor->ordering, (PetscEnum *)&sor->ordering, NULL));
  PetscCall(PetscOptionsEnum("-pc_banditsor_kokkos_coloring", "Row order of the kokkos backend: level (natural-order SOR, same as MatSOR), greedy (multicolor: red-black on 5-point stencils, most parallel, weaker SSOR), kokkoskernels", "", BanditSORColoringNames, (PetscEnum)sor->coloring, (PetscEnum *)&sor->coloring, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode ContextOptions(PC pc, PC_BanditSOR *sor, PetscOptionItems *PetscOptionsObject)
{
  PetscReal                   range[2] = {sor->contextMin, sor->contextMax}, floor = sor->logFloor;
  PetscInt                    nrange = 2, bins = sor->bins, features = sor->features;
  PCBanditSORContextTransform transform = sor->transform;
  PetscBool                   set, set2;
  PetscFunctionBegin;
  PetscCall(PetscOptionsReal("-pc_banditsor_context", "Context of the next solve for contextual learners", "PCBanditSORSetContext", sor->context, &sor->context, NULL));
  PetscCall(PetscOptionsRealArray("-pc_banditsor_context_range", "Range [a,b] of the context for contextual learners", "PCBanditSORSetContextRange", range, &nrange, &set));
  if (set) {
    PetscCheck(nrange == 2, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_SIZ, "PCBANDITSOR: -pc_banditsor_context_range takes two values a,b");
    PetscCall(PCBanditSORSetContextRange(pc, range[0], range[1]));
  }
  PetscCall(PetscOptionsEnum("-pc_banditsor_context_transform", "How contextual learners see the context: linear, or log (log10(c - a + floor (b - a)); for contexts spanning decades)", "PCBanditSORSetContextTransform", PCBanditSORContextTransforms, (PetscEnum)transform, (PetscEnum *)&transform, &set));
  PetscCall(PetscOptionsReal("-pc_banditsor_context_log_floor", "log transform: floor as a fraction of the context range", "PCBanditSORSetContextTransform", floor, &floor, &set2));
  if (set || set2) PetscCall(PCBanditSORSetContextTransform(pc, transform, floor));
  PetscCall(PetscOptionsInt("-pc_banditsor_bins", "Context bins of tsallis_cb", "", bins, &bins, NULL));
  PetscCall(PetscOptionsInt("-pc_banditsor_features", "Chebyshev features of chebcb", "", features, &features, NULL));
  PetscCheck(bins >= 1 && features >= 1, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: -pc_banditsor_bins and -pc_banditsor_features must be positive");
  if (bins != sor->bins || features != sor->features) {
    PetscCall(BanditSORResetLearnerIfUnused(pc, sor, "bins/features"));
    sor->bins     = bins;
    sor->features = features;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode EstimatorOptions(PC pc, PC_BanditSOR *sor, PetscOptionItems *PetscOptionsObject)
{
  PetscInt  estimator = sor->tsallis.reduced_variance ? 1 : 0, window = (PetscInt)sor->tsallis.window;
  PetscReal shift = sor->tsallis.shift, gate = sor->tsallis.gate;
  PetscBool soft = sor->tsallis.soft_gate ? PETSC_TRUE : PETSC_FALSE, set1, set2, set3;
  PetscFunctionBegin;
  PetscCall(PetscOptionsEList("-pc_banditsor_tsallis_estimator", "Loss estimator of tsallis and tsallis_cb: rv (reduced variance) or iw (importance weighting, as the reference code)", "PCBanditSORSetTsallisEstimator", BanditSOREstimatorNames, 2, BanditSOREstimatorNames[estimator], &estimator, &set1));
  PetscCall(PetscOptionsReal("-pc_banditsor_tsallis_shift", "Constant shift B of the reduced-variance estimator, normalised-loss units (used with -pc_banditsor_tsallis_shift_window 0)", "PCBanditSORSetTsallisEstimator", shift, &shift, &set2));
  if (set1 || set2) PetscCall(PCBanditSORSetTsallisEstimator(pc, estimator == 1 ? PETSC_TRUE : PETSC_FALSE, shift));
  PetscCall(PetscOptionsInt("-pc_banditsor_tsallis_shift_window", "Reduced-variance estimator: the shift follows the moving average of the last ~w normalised losses (0: the constant shift B)", "PCBanditSORSetTsallisShiftAdaptation", window, &window, &set1));
  PetscCall(PetscOptionsReal("-pc_banditsor_tsallis_shift_gate", "Reduced-variance estimator: arms with p >= gate eta^2 get the whole shift", "PCBanditSORSetTsallisShiftAdaptation", gate, &gate, &set2));
  PetscCall(PetscOptionsBool("-pc_banditsor_tsallis_shift_soft_gate", "Reduced-variance estimator: arms below the gate get sqrt(p / (gate eta^2)) of the shift (false: none, as PCGBandit)", "PCBanditSORSetTsallisShiftAdaptation", soft, &soft, &set3));
  if (set1 || set2 || set3) PetscCall(PCBanditSORSetTsallisShiftAdaptation(pc, window, gate, soft));
  PetscFunctionReturn(0);
}

// The state file options; read last, so that the configuration a loaded state is compared with is complete.
PetscErrorCode StateOptions(PC pc, PC_BanditSOR *sor, PetscOptionItems *PetscOptionsObject)
{
  char      file[PETSC_MAX_PATH_LEN];
  PetscInt  interval = sor->checkpointInterval;
  PetscReal seconds  = sor->checkpointSeconds;
  PetscBool adopt    = sor->adoptState ? PETSC_TRUE : PETSC_FALSE, set1, set2;
  PetscFunctionBegin;
  PetscCall(PetscOptionsInt("-pc_banditsor_state_checkpoint_interval", "Also write the state file every this many solves (0: only when the PC is destroyed)", "PCBanditSORSetStateCheckpoint", interval, &interval, &set1));
  PetscCall(PetscOptionsReal("-pc_banditsor_state_checkpoint_seconds", "Also write the state file when this many seconds have passed since the last write (0: never)", "PCBanditSORSetStateCheckpoint", seconds, &seconds, &set2));
  if (set1 || set2) PetscCall(PCBanditSORSetStateCheckpoint(pc, interval, seconds));
  PetscCall(PetscOptionsBool("-pc_banditsor_state_adopt", "Load a state file whose learner type or omega grid differs from the configured one (with a notice) instead of refusing it", "PCBanditSORSetStateAdopt", adopt, &adopt, &set1));
  if (set1) PetscCall(PCBanditSORSetStateAdopt(pc, adopt));
  PetscCall(PetscOptionsString("-pc_banditsor_state", "HDF5 file with the learner state: loaded if it exists, written at checkpoints and when the PC is destroyed", "PCBanditSORSetStateFile", sor->stateFile.c_str(), file, sizeof file, &set1));
  if (set1) PetscCall(PCBanditSORSetStateFile(pc, file));
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode PCSetFromOptions_BanditSOR(PC pc, PetscOptionItems *PetscOptionsObject)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "Bandit SOR options");
  PetscCall(LearnerOptions(pc, sor, PetscOptionsObject));
  PetscCall(GridOptions(pc, sor, PetscOptionsObject));
  PetscCall(KernelOptions(pc, sor, PetscOptionsObject));
  PetscCall(ContextOptions(pc, sor, PetscOptionsObject));
  PetscCall(EstimatorOptions(pc, sor, PetscOptionsObject));
  PetscCall(StateOptions(pc, sor, PetscOptionsObject));
  PetscOptionsHeadEnd();
  PetscFunctionReturn(0);
}
} // namespace petal
