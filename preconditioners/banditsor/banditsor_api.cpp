// The public C API of PCBANDITSOR (include/petal/banditsor.h): PETSc's pattern of composed functions
// (PCBanditSOR*_C, reached through PetscTryMethod for setters, which are no-ops for other PC types, and
// PetscUseMethod for getters), plus the PC-independent helpers (learner types, omega grids).
#include "preconditioners/banditsor/banditsor_impl.hpp"
#include "learned/bandits/omega_grid.hpp"
#include <algorithm>
#include <cmath>
#include <cstring>

static_assert(PCBANDITSOR_MAX_OMEGA_GRID == petal::bandits::kMaxOmegaGrid, "one cap on the omega grid");

namespace petal {
namespace {
PC_BanditSOR *Data(PC pc) { return static_cast<PC_BanditSOR *>(pc->data); }

PetscErrorCode SetContext_BanditSOR(PC pc, PetscReal c)
{
  Data(pc)->context = c;
  return 0;
}
PetscErrorCode SetContextFunction_BanditSOR(PC pc, PetscErrorCode (*f)(PC, PetscReal *, void *), void *ctx)
{
  Data(pc)->contextFunction = f;
  Data(pc)->contextCtx      = ctx;
  return 0;
}
PetscErrorCode SetLearner_BanditSOR(PC pc, const char type[])
{
  auto             *sor   = Data(pc);
  const auto       &types = bandits::LearnerTypes();
  PetscFunctionBegin;
  if (std::find(types.begin(), types.end(), type) == types.end()) {
    std::string known;
    for (const std::string &t : types) known += (known.empty() ? "" : ", ") + t;
    SETERRQ(PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_UNKNOWN_TYPE, "PCBANDITSOR: unknown learner %s (%s)", type, known.c_str());
  }
  sor->explicitLearner = true;
  if (sor->learnerType == type) PetscFunctionReturn(0);
  PetscCall(BanditSORResetLearnerIfUnused(pc, sor, "learner"));
  sor->learnerType = type;
  PetscFunctionReturn(0);
}
PetscErrorCode SetOmegaGrid_BanditSOR(PC pc, PetscInt n, const PetscReal g[])
{
  auto *sor = Data(pc);
  PetscFunctionBegin;
  PetscCall(PCBanditSORCheckOmegaGrid(PetscObjectComm((PetscObject)pc), "PCBanditSORSetOmegaGrid", n, g));
  sor->explicitGrid = true;
  // The same grid up to rounding (a linspace computed another way) is no change for the learner.
  const bool same = sor->grid.size() == (size_t)n && std::equal(g, g + n, sor->grid.begin(), [](double a, double b) { return std::abs(a - b) <= 1e-12; });
  if (!same) PetscCall(BanditSORResetLearnerIfUnused(pc, sor, "omega grid"));
  sor->grid.assign(g, g + n);
  PetscFunctionReturn(0);
}
PetscErrorCode SetContextRange_BanditSOR(PC pc, PetscReal a, PetscReal b)
{
  auto *sor = Data(pc);
  PetscFunctionBegin;
  PetscCheck(a < b && std::isfinite(a) && std::isfinite(b), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: context range [%g, %g] is empty", (double)a, (double)b);
  if (a == sor->contextMin && b == sor->contextMax) PetscFunctionReturn(0);
  PetscCall(BanditSORResetLearnerIfUnused(pc, sor, "context range"));
  sor->contextMin = a;
  sor->contextMax = b;
  PetscFunctionReturn(0);
}
PetscErrorCode SetSeed_BanditSOR(PC pc, PetscInt seed)
{
  auto *sor = Data(pc);
  PetscFunctionBegin;
  if (seed == sor->seed) PetscFunctionReturn(0);
  PetscCall(BanditSORResetLearnerIfUnused(pc, sor, "seed"));
  sor->seed = seed;
  PetscFunctionReturn(0);
}
PetscErrorCode SetContextTransform_BanditSOR(PC pc, PCBanditSORContextTransform transform, PetscReal floor)
{
  auto *sor = Data(pc);
  PetscFunctionBegin;
  PetscCheck(transform == PCBANDITSOR_CONTEXT_LINEAR || transform == PCBANDITSOR_CONTEXT_LOG, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: unknown context transform %d", (int)transform);
  PetscCheck(floor > 0 && std::isfinite(floor), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: the log context floor must be positive and finite, got %g", (double)floor);
  if (transform == sor->transform && floor == sor->logFloor) PetscFunctionReturn(0);
  PetscCall(BanditSORResetLearnerIfUnused(pc, sor, "context transform"));
  sor->transform = transform;
  sor->logFloor  = floor;
  PetscFunctionReturn(0);
}
PetscErrorCode SetTsallisEstimator_BanditSOR(PC pc, PetscBool rv, PetscReal shift)
{
  auto *sor = Data(pc);
  PetscFunctionBegin;
  PetscCheck(shift >= 0 && std::isfinite(shift), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: the reduced-variance shift must be finite and >= 0, got %g", (double)shift);
  if ((rv == PETSC_TRUE) == sor->tsallis.reduced_variance && shift == sor->tsallis.shift) PetscFunctionReturn(0);
  PetscCall(BanditSORResetLearnerIfUnused(pc, sor, "Tsallis-INF loss estimator"));
  sor->tsallis.reduced_variance = rv == PETSC_TRUE;
  sor->tsallis.shift            = shift;
  PetscFunctionReturn(0);
}
PetscErrorCode SetTsallisShiftAdaptation_BanditSOR(PC pc, PetscInt window, PetscReal gate, PetscBool soft)
{
  auto *sor = Data(pc);
  PetscFunctionBegin;
  PetscCheck(window >= 0, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: the reduced-variance shift window must be >= 0 (0: the constant shift), got %" PetscInt_FMT, window);
  PetscCheck(gate > 0 && std::isfinite(gate), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: the reduced-variance shift gate must be finite and > 0, got %g", (double)gate);
  if (window == sor->tsallis.window && gate == sor->tsallis.gate && (soft == PETSC_TRUE) == sor->tsallis.soft_gate) PetscFunctionReturn(0);
  PetscCall(BanditSORResetLearnerIfUnused(pc, sor, "Tsallis-INF shift adaptation"));
  sor->tsallis.window    = window;
  sor->tsallis.gate      = gate;
  sor->tsallis.soft_gate = soft == PETSC_TRUE;
  PetscFunctionReturn(0);
}
PetscErrorCode SetStateFile_BanditSOR(PC pc, const char file[])
{
  auto     *sor = Data(pc);
  PetscBool exists;
  PetscFunctionBegin;
  sor->stateFile = file ? file : "";
  if (sor->stateFile.empty()) PetscFunctionReturn(0);
  PetscCall(PetscTime(&sor->savedTime)); // the checkpoint period starts now (or when the file is loaded)
  PetscCall(PetscTestFile(file, 'r', &exists));
  // Every rank must take the same branch: rank 0's view of the file decides.
  PetscCallMPI(MPI_Bcast(&exists, 1, MPIU_BOOL, 0, PetscObjectComm((PetscObject)pc)));
  if (exists) PetscCall(BanditSORReadState(pc, sor, file));
  PetscFunctionReturn(0);
}
PetscErrorCode SetStateAdopt_BanditSOR(PC pc, PetscBool adopt)
{
  Data(pc)->adoptState = adopt == PETSC_TRUE;
  return 0;
}
PetscErrorCode SetStateCheckpoint_BanditSOR(PC pc, PetscInt interval, PetscReal seconds)
{
  auto *sor = Data(pc);
  PetscFunctionBegin;
  PetscCheck(interval >= 0, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: the state checkpoint interval must be >= 0 solves (0: none), got %" PetscInt_FMT, interval);
  PetscCheck(seconds >= 0 && std::isfinite(seconds), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: the state checkpoint period must be finite and >= 0 seconds (0: none), got %g", (double)seconds);
  sor->checkpointInterval = interval;
  sor->checkpointSeconds  = seconds;
  PetscFunctionReturn(0);
}
PetscErrorCode GetOmegaGrid_BanditSOR(PC pc, PetscInt *n, const PetscReal **grid)
{
  auto *sor = Data(pc);
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
  *omega = Data(pc)->omega;
  return 0;
}
PetscErrorCode GetTotals_BanditSOR(PC pc, PetscInt *solves, PetscInt *its)
{
  if (solves) *solves = Data(pc)->solves;
  if (its) *its = Data(pc)->iterations;
  return 0;
}
PetscErrorCode GetLearnerTime_BanditSOR(PC pc, PetscLogDouble *seconds)
{
  *seconds = Data(pc)->learnerSeconds;
  return 0;
}
PetscErrorCode GetTsallisEstimator_BanditSOR(PC pc, PetscBool *rv, PetscReal *shift, PetscInt *window, PetscReal *gate, PetscBool *soft)
{
  const bandits::TsallisEstimator &e = Data(pc)->tsallis;
  if (rv) *rv = e.reduced_variance ? PETSC_TRUE : PETSC_FALSE;
  if (shift) *shift = e.shift;
  if (window) *window = (PetscInt)e.window;
  if (gate) *gate = e.gate;
  if (soft) *soft = e.soft_gate ? PETSC_TRUE : PETSC_FALSE;
  return 0;
}
PetscErrorCode SaveState_BanditSOR(PC pc, const char file[])
{
  PetscFunctionBegin;
  PetscCall(BanditSORCreateLearner(pc, Data(pc)));
  PetscCall(BanditSORWriteState(pc, Data(pc), file));
  PetscFunctionReturn(0);
}
PetscErrorCode LoadState_BanditSOR(PC pc, const char file[]) { return BanditSORReadState(pc, Data(pc), file); }

// A fresh learner with the PC's configuration and another seed, run over a table of costs (no solves).
PetscErrorCode Replay_BanditSOR(PC pc, PetscInt instances, PetscInt arms, const PetscInt costs[], const PetscReal contexts[], PetscInt seed, PetscInt64 *total)
{
  auto          *sor  = Data(pc);
  MPI_Comm       comm = PetscObjectComm((PetscObject)pc);
  const PetscInt d    = sor->learnerType == "fixed" ? 1 : (PetscInt)sor->grid.size();
  PetscFunctionBegin;
  PetscCheck(arms == d, comm, PETSC_ERR_ARG_SIZ, "PCBanditSORReplay: the cost table has %" PetscInt_FMT " arms per instance, the PC's learner %s has %" PetscInt_FMT, arms, sor->learnerType.c_str(), d);
  PetscCheck(instances >= 0 && seed >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "PCBanditSORReplay: instances and seed must be non-negative");
  *total = 0;
  try {
    auto learner = bandits::CreateLearner(sor->learnerType, BanditSORLearnerOptions(sor, (std::uint64_t)seed));
    for (PetscInt t = 0; t < instances; ++t) {
      const std::size_t arm  = learner->Choose(BanditSORLearnerContext(sor, contexts[t]));
      const PetscInt    cost = costs[(std::size_t)t * (std::size_t)d + arm];
      learner->Update((double)cost);
      *total += cost;
    }
  } catch (const std::exception &e) {
    SETERRQ(comm, PETSC_ERR_ARG_WRONG, "PCBanditSORReplay: learner %s: %s", sor->learnerType.c_str(), e.what());
  }
  PetscFunctionReturn(0);
}

#define PETAL_BANDITSOR_METHODS(X) \
  X(SetContext) X(SetContextFunction) X(SetLearner) X(SetOmegaGrid) X(SetContextRange) X(SetSeed) X(SetContextTransform) \
  X(SetTsallisEstimator) X(SetTsallisShiftAdaptation) X(SetStateFile) X(SetStateAdopt) X(SetStateCheckpoint) X(GetOmegaGrid) \
  X(GetOmega) X(GetTotals) X(GetLearnerTime) X(GetTsallisEstimator) X(SaveState) X(LoadState) X(Replay)
} // namespace

PetscErrorCode BanditSORComposeFunctions(PC pc)
{
  PetscFunctionBegin;
#define PETAL_COMPOSE(name) PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSOR" #name "_C", name##_BanditSOR));
  PETAL_BANDITSOR_METHODS(PETAL_COMPOSE)
#undef PETAL_COMPOSE
  PetscFunctionReturn(0);
}

PetscErrorCode BanditSORRemoveFunctions(PC pc)
{
  PetscFunctionBegin;
#define PETAL_REMOVE(name) PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCBanditSOR" #name "_C", NULL));
  PETAL_BANDITSOR_METHODS(PETAL_REMOVE)
#undef PETAL_REMOVE
  PetscFunctionReturn(0);
}
} // namespace petal

// ---- public functions ----
#define PETAL_TRY(name, types, args) \
  PetscFunctionBegin; \
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1); \
  PetscTryMethod(pc, "PCBanditSOR" #name "_C", types, args); \
  PetscFunctionReturn(0)
#define PETAL_USE(name, types, args) \
  PetscFunctionBegin; \
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1); \
  PetscUseMethod(pc, "PCBanditSOR" #name "_C", types, args); \
  PetscFunctionReturn(0)

PetscErrorCode PCBanditSORSetContext(PC pc, PetscReal c) { PETAL_TRY(SetContext, (PC, PetscReal), (pc, c)); }
PetscErrorCode PCBanditSORSetContextFunction(PC pc, PetscErrorCode (*f)(PC, PetscReal *, void *), void *ctx) { PETAL_TRY(SetContextFunction, (PC, PetscErrorCode(*)(PC, PetscReal *, void *), void *), (pc, f, ctx)); }
PetscErrorCode PCBanditSORSetLearner(PC pc, const char type[]) { PETAL_TRY(SetLearner, (PC, const char[]), (pc, type)); }
PetscErrorCode PCBanditSORSetOmegaGrid(PC pc, PetscInt n, const PetscReal g[]) { PETAL_TRY(SetOmegaGrid, (PC, PetscInt, const PetscReal[]), (pc, n, g)); }
PetscErrorCode PCBanditSORSetContextRange(PC pc, PetscReal a, PetscReal b) { PETAL_TRY(SetContextRange, (PC, PetscReal, PetscReal), (pc, a, b)); }
PetscErrorCode PCBanditSORSetSeed(PC pc, PetscInt seed) { PETAL_TRY(SetSeed, (PC, PetscInt), (pc, seed)); }
PetscErrorCode PCBanditSORSetContextTransform(PC pc, PCBanditSORContextTransform transform, PetscReal floor) { PETAL_TRY(SetContextTransform, (PC, PCBanditSORContextTransform, PetscReal), (pc, transform, floor)); }
PetscErrorCode PCBanditSORSetTsallisEstimator(PC pc, PetscBool rv, PetscReal shift) { PETAL_TRY(SetTsallisEstimator, (PC, PetscBool, PetscReal), (pc, rv, shift)); }
PetscErrorCode PCBanditSORSetTsallisShiftAdaptation(PC pc, PetscInt window, PetscReal gate, PetscBool soft) { PETAL_TRY(SetTsallisShiftAdaptation, (PC, PetscInt, PetscReal, PetscBool), (pc, window, gate, soft)); }
PetscErrorCode PCBanditSORSetStateFile(PC pc, const char file[]) { PETAL_TRY(SetStateFile, (PC, const char[]), (pc, file)); }
PetscErrorCode PCBanditSORSetStateAdopt(PC pc, PetscBool adopt) { PETAL_TRY(SetStateAdopt, (PC, PetscBool), (pc, adopt)); }
PetscErrorCode PCBanditSORSetStateCheckpoint(PC pc, PetscInt interval, PetscReal seconds) { PETAL_TRY(SetStateCheckpoint, (PC, PetscInt, PetscReal), (pc, interval, seconds)); }
PetscErrorCode PCBanditSORGetOmega(PC pc, PetscReal *omega) { PETAL_USE(GetOmega, (PC, PetscReal *), (pc, omega)); }
PetscErrorCode PCBanditSORGetOmegaGrid(PC pc, PetscInt *n, const PetscReal **grid) { PETAL_USE(GetOmegaGrid, (PC, PetscInt *, const PetscReal **), (pc, n, grid)); }
PetscErrorCode PCBanditSORGetTotals(PC pc, PetscInt *solves, PetscInt *its) { PETAL_USE(GetTotals, (PC, PetscInt *, PetscInt *), (pc, solves, its)); }
PetscErrorCode PCBanditSORGetLearnerTime(PC pc, PetscLogDouble *seconds) { PETAL_USE(GetLearnerTime, (PC, PetscLogDouble *), (pc, seconds)); }
PetscErrorCode PCBanditSORGetTsallisEstimator(PC pc, PetscBool *rv, PetscReal *shift, PetscInt *window, PetscReal *gate, PetscBool *soft) { PETAL_USE(GetTsallisEstimator, (PC, PetscBool *, PetscReal *, PetscInt *, PetscReal *, PetscBool *), (pc, rv, shift, window, gate, soft)); }
PetscErrorCode PCBanditSORSaveState(PC pc, const char file[]) { PETAL_USE(SaveState, (PC, const char[]), (pc, file)); }
PetscErrorCode PCBanditSORLoadState(PC pc, const char file[]) { PETAL_USE(LoadState, (PC, const char[]), (pc, file)); }
PetscErrorCode PCBanditSORReplay(PC pc, PetscInt instances, PetscInt arms, const PetscInt costs[], const PetscReal contexts[], PetscInt seed, PetscInt64 *total) { PETAL_USE(Replay, (PC, PetscInt, PetscInt, const PetscInt[], const PetscReal[], PetscInt, PetscInt64 *), (pc, instances, arms, costs, contexts, seed, total)); }

PetscErrorCode PCBanditSORGetLearnerTypes(PetscInt *n, const char *const *types[])
{
  static const std::vector<const char *> names = [] {
    std::vector<const char *> v;
    for (const std::string &t : petal::bandits::LearnerTypes()) v.push_back(t.c_str());
    v.push_back(nullptr);
    return v;
  }();
  PetscFunctionBegin;
  if (n) *n = (PetscInt)names.size() - 1;
  if (types) *types = names.data();
  PetscFunctionReturn(0);
}

PetscErrorCode PCBanditSORGetLearnerTypeInfo(const char type[], const char **label, PetscBool *contextual, PetscBool *tsallisEstimator)
{
  const auto &types = petal::bandits::LearnerTypes();
  PetscFunctionBegin;
  PetscCheck(std::find(types.begin(), types.end(), type) != types.end(), PETSC_COMM_SELF, PETSC_ERR_ARG_UNKNOWN_TYPE, "PCBANDITSOR: unknown learner %s", type);
  const petal::bandits::LearnerTypeTraits &t = petal::bandits::TraitsOf(type);
  if (label) *label = t.label;
  if (contextual) *contextual = t.contextual ? PETSC_TRUE : PETSC_FALSE;
  if (tsallisEstimator) *tsallisEstimator = t.tsallis_estimator ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode PCBanditSORCheckOmegaGrid(MPI_Comm comm, const char source[], PetscInt n, const PetscReal omega[])
{
  PetscFunctionBegin;
  const std::string why = petal::bandits::OmegaGridProblem(omega, n);
  PetscCheck(why.empty(), comm, PETSC_ERR_ARG_OUTOFRANGE, "%s: %s", source, why.c_str());
  PetscFunctionReturn(0);
}

PetscErrorCode PCBanditSORCheckUniformOmegaGrid(MPI_Comm comm, const char source[], PetscInt n, PetscReal omin, PetscReal omax)
{
  PetscFunctionBegin;
  const std::string why = petal::bandits::UniformOmegaGridProblem(n, omin, omax);
  PetscCheck(why.empty(), comm, PETSC_ERR_ARG_OUTOFRANGE, "%s: %s", source, why.c_str());
  PetscFunctionReturn(0);
}

PetscErrorCode PCBanditSORUniformOmegaGrid(MPI_Comm comm, const char source[], PetscInt n, PetscReal omin, PetscReal omax, PetscReal grid[])
{
  PetscFunctionBegin;
  PetscCall(PCBanditSORCheckUniformOmegaGrid(comm, source, n, omin, omax));
  const std::vector<double> g = petal::bandits::DefaultOmegaGrid((std::size_t)n, omin, omax);
  std::copy(g.begin(), g.end(), grid);
  PetscFunctionReturn(0);
}
