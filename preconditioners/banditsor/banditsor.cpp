// PCBANDITSOR: SOR/SSOR with a learned relaxation factor (Khodak et al., "Learning to Relax", ICLR 2024).
//
// The PC learns across KSPSolve calls: PCPreSolve asks the learner for omega (given the context of this
// solve), PCApply runs SOR sweeps with it (MatSOR, or the Kokkos multicolor kernel), and PCPostSolve charges
// the learner the solve's iteration count (the KSP's max_it if it did not converge). Structure follows
// PCSOR (src/ksp/pc/impls/sor/sor.c). Options: banditsor_options.cpp; setters: banditsor_api.cpp; the HDF5
// state and its checkpoints: banditsor_state.cpp.
#include "preconditioners/banditsor/banditsor_impl.hpp"
#include "learned/bandits/context.hpp"
#include "learned/bandits/omega_grid.hpp"
#include <petal/petal.h>
#include <petscksp.h>
#include <algorithm>
#include <cmath>
#include <sstream>

PetscLogEvent PETAL_BanditLearner = 0;
const char *const PCBanditSORContextTransforms[] = {"linear", "log", "PCBanditSORContextTransform", "PCBANDITSOR_CONTEXT_", nullptr};

namespace petal {
const char *const BanditSORSweepNames[]     = {"symmetric", "forward", "backward", "SORSweep", "", nullptr};
const char *const BanditSORBackendNames[]   = {"petsc", "kokkos", "SORBackend", "", nullptr};
const char *const BanditSORColoringNames[]  = {"greedy", "kokkoskernels", "level", "SORColoring", "", nullptr};
const char *const BanditSOROrderingNames[]  = {"local", "global", "SOROrdering", "", nullptr};
const char *const BanditSOREstimatorNames[] = {"iw", "rv", "TsallisEstimator", "", nullptr};

PetscErrorCode BanditSORCheckOmega(PC pc, const char *where, PetscReal omega)
{
  PetscFunctionBegin;
  const std::string why = bandits::OmegaProblem(omega);
  PetscCheck(why.empty(), PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCBANDITSOR: %s: %s", where, why.c_str());
  PetscFunctionReturn(0);
}

PetscReal BanditSORLearnerContext(const PC_BanditSOR *sor, PetscReal c)
{
  if (sor->transform == PCBANDITSOR_CONTEXT_LINEAR) return c;
  return bandits::LogContext(c, sor->contextMin, sor->contextMax, sor->logFloor);
}

bandits::LearnerOptions BanditSORLearnerOptions(const PC_BanditSOR *sor, std::uint64_t seed)
{
  bandits::LearnerOptions o;
  o.num_arms          = sor->learnerType == "fixed" ? 1 : sor->grid.size();
  o.seed              = seed;
  o.fixed_arm         = 0;
  o.bins              = (std::size_t)sor->bins;
  o.features          = (std::size_t)sor->features;
  o.context_min       = BanditSORLearnerContext(sor, sor->contextMin);
  o.context_max       = BanditSORLearnerContext(sor, sor->contextMax);
  o.tsallis_estimator = sor->tsallis;
  return o;
}

PetscErrorCode BanditSORCreateLearner(PC pc, PC_BanditSOR *sor)
{
  PetscFunctionBegin;
  if (sor->learner) PetscFunctionReturn(0);
  try {
    sor->learner = bandits::CreateLearner(sor->learnerType, BanditSORLearnerOptions(sor, (std::uint64_t)sor->seed));
  } catch (const std::exception &e) {
    SETERRQ(PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_WRONG, "PCBANDITSOR: cannot create learner %s: %s", sor->learnerType.c_str(), e.what());
  }
  PetscFunctionReturn(0);
}

PetscErrorCode BanditSORResetLearnerIfUnused(PC pc, PC_BanditSOR *sor, const char *what)
{
  PetscFunctionBegin;
  PetscCheck(!sor->learner || sor->learner->Rounds() == 0, PetscObjectComm((PetscObject)pc), PETSC_ERR_ORDER, "PCBANDITSOR: cannot change the %s after the learner has been charged for a solve", what);
  sor->learner.reset();
  PetscFunctionReturn(0);
}

namespace {
PetscReal ArmOmega(const PC_BanditSOR *sor, std::size_t arm) { return sor->learnerType == "fixed" ? sor->fixedOmega : sor->grid[arm]; }

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
    arm = sor->learner->Choose(BanditSORLearnerContext(sor, context));
  } catch (const std::exception &e) {
    SETERRQ(PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_WRONG, "PCBANDITSOR: learner %s rejected context %g: %s", sor->learnerType.c_str(), (double)context, e.what());
  }
  PetscCall(PetscTime(&t1));
  PetscCall(PetscLogEventEnd(PETAL_BanditLearner, pc, 0, 0, 0));
  sor->learnerSeconds += t1 - t0;
  sor->omega       = ArmOmega(sor, arm);
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
  PetscCall(BanditSORCheckpoint(pc, sor));
  PetscFunctionReturn(0);
}

PetscErrorCode PCSetUp_BanditSOR(PC pc)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  PetscCall(BanditSORCreateLearner(pc, sor));
  if (sor->backend == SORBackend::KOKKOS) {
    // The coloring is kept while the nonzero pattern is (e.g. A_t of a time loop); values are re-copied.
    if (!sor->kokkos || !sor->kokkos->IsCreated() || pc->flag != SAME_NONZERO_PATTERN || sor->kokkos->Coloring() != sor->coloring || sor->kokkos->Ordering() != sor->ordering) {
      sor->kokkos = std::make_unique<KokkosSOR>();
      PetscCall(sor->kokkos->Create(pc->pmat, sor->coloring, sor->ordering));
    } else PetscCall(sor->kokkos->UpdateValues(pc->pmat));
  } else sor->kokkos.reset();
  PetscFunctionReturn(0);
}

PetscErrorCode PCApply_BanditSOR(PC pc, Vec x, Vec y)
{
  auto *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscFunctionBegin;
  PetscCall(BanditSORCheckOmega(pc, "PCApply", sor->omega));
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
  PetscCall(BanditSORFinalState(pc, sor));
  PetscCall(PCReset_BanditSOR(pc));
  delete sor;
  pc->data = nullptr;
  PetscCall(BanditSORRemoveFunctions(pc));
  PetscFunctionReturn(0);
}

// ---- view ----
PetscErrorCode ViewSettings(PC pc, PC_BanditSOR *sor, PetscViewer viewer)
{
  PetscMPIInt size;
  PetscFunctionBegin;
  PetscCall(PetscViewerASCIIPrintf(viewer, "  learner %s, seed %" PetscInt_FMT ", %s sweeps (%" PetscInt_FMT " per application), backend %s\n", sor->learnerType.c_str(), sor->seed, BanditSORSweepNames[(int)sor->sweep], sor->its, BanditSORBackendNames[(int)sor->backend]));
  // Where users compare runs on different rank counts: SOR in parallel is not the sequential SOR.
  PetscCallMPI(MPI_Comm_size(PetscObjectComm((PetscObject)pc), &size));
  const bool global = sor->backend == SORBackend::KOKKOS && sor->ordering == SOROrdering::GLOBAL;
  if (global) PetscCall(PetscViewerASCIIPrintf(viewer, "  sweeps over all rows in one global multicolor order (-pc_banditsor_kokkos_ordering global): the same preconditioner on any number of ranks, up to rounding\n"));
  else if (size > 1) PetscCall(PetscViewerASCIIPrintf(viewer, "  sweeps local to each of the %d ranks: block Jacobi over the ranks with SOR inside each block (like PCSOR), so iterations and the best omega depend on the rank count\n", (int)size));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "  sweeps over all rows (1 rank); on several ranks they are local to each rank (block Jacobi, like PCSOR), so iterations depend on the rank count\n"));
  if (sor->backend == SORBackend::KOKKOS) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "  Kokkos execution space %s, row order %s, ordering %s\n", PetalKokkosExecutionSpaceName(), BanditSORColoringNames[(int)sor->coloring], BanditSOROrderingNames[(int)sor->ordering]));
    if (sor->kokkos && sor->kokkos->IsCreated()) {
      PetscCall(PetscViewerASCIIPushTab(viewer));
      PetscCall(sor->kokkos->View(viewer));
      PetscCall(PetscViewerASCIIPopTab(viewer));
    }
  }
  if (sor->learnerType == "fixed") PetscCall(PetscViewerASCIIPrintf(viewer, "  omega %g\n", (double)sor->fixedOmega));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "  omega grid: %zu values on [%g, %g]\n", sor->grid.size(), sor->grid.front(), sor->grid.back()));
  if (bandits::TraitsOf(sor->learnerType).contextual) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "  context range [%g, %g], %s %" PetscInt_FMT ", last context %g\n", (double)sor->contextMin, (double)sor->contextMax, sor->learnerType == "chebcb" ? "features" : "bins", sor->learnerType == "chebcb" ? sor->features : sor->bins, (double)sor->lastContext));
    if (sor->transform == PCBANDITSOR_CONTEXT_LOG) PetscCall(PetscViewerASCIIPrintf(viewer, "  context transform log: the learner sees log10(c - a + %g (b - a))\n", (double)sor->logFloor));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ViewEstimator(PC_BanditSOR *sor, PetscViewer viewer)
{
  PetscFunctionBegin;
  if (!bandits::TraitsOf(sor->learnerType).tsallis_estimator) PetscFunctionReturn(0);
  const bandits::TsallisEstimator &e = sor->tsallis;
  if (!e.reduced_variance) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "  loss estimator: importance weighting\n"));
    PetscFunctionReturn(0);
  }
  char shift[64];
  if (e.window > 0) PetscCall(PetscSNPrintf(shift, sizeof shift, "moving average of the last %lld losses", (long long)e.window));
  else PetscCall(PetscSNPrintf(shift, sizeof shift, "%g", e.shift));
  PetscCall(PetscViewerASCIIPrintf(viewer, "  loss estimator: reduced variance, shift %s, whole on arms with p >= %g eta^2, %s below\n", shift, e.gate, e.soft_gate ? "sqrt(p / (gate eta^2)) of it" : "none"));
  PetscFunctionReturn(0);
}

PetscErrorCode ViewStateFile(PC_BanditSOR *sor, PetscViewer viewer)
{
  PetscFunctionBegin;
  if (sor->stateFile.empty()) PetscFunctionReturn(0);
  std::string when;
  char        secs[32];
  PetscCall(PetscSNPrintf(secs, sizeof secs, "%g s", (double)sor->checkpointSeconds));
  if (sor->checkpointInterval > 0) when += "every " + std::to_string(sor->checkpointInterval) + " solves";
  if (sor->checkpointSeconds > 0) when += (when.empty() ? "every " : " and every ") + std::string(secs);
  PetscCall(PetscViewerASCIIPrintf(viewer, "  state file %s: checkpoints %s, and when the PC is destroyed%s\n", sor->stateFile.c_str(), when.empty() ? "never" : when.c_str(), sor->adoptState ? "; a state of another configuration is adopted" : ""));
  PetscFunctionReturn(0);
}

PetscErrorCode PCView_BanditSOR(PC pc, PetscViewer viewer)
{
  auto     *sor = static_cast<PC_BanditSOR *>(pc->data);
  PetscBool iascii;
  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &iascii));
  if (!iascii) PetscFunctionReturn(0);
  PetscCall(ViewSettings(pc, sor, viewer));
  PetscCall(ViewEstimator(sor, viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "  solves %" PetscInt_FMT ", iterations charged %" PetscInt_FMT " (mean %.2f), capped solves %" PetscInt_FMT ", current omega %g\n", sor->solves, sor->iterations, sor->solves ? (double)sor->iterations / sor->solves : 0.0, sor->capped, (double)sor->omega));
  PetscCall(PetscViewerASCIIPrintf(viewer, "  learner time %.3g s\n", sor->learnerSeconds));
  PetscCall(ViewStateFile(sor, viewer));
  if (sor->learner && sor->learnerType != "fixed") {
    std::istringstream lines(sor->learner->Summary(sor->grid));
    std::string        line;
    while (std::getline(lines, line)) PetscCall(PetscViewerASCIIPrintf(viewer, "  %s\n", line.c_str()));
  }
  PetscFunctionReturn(0);
}
} // namespace
} // namespace petal

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
  pc->data                = new petal::PC_BanditSOR();
  pc->ops->apply          = petal::PCApply_BanditSOR;
  pc->ops->setup          = petal::PCSetUp_BanditSOR;
  pc->ops->presolve       = petal::PCPreSolve_BanditSOR;
  pc->ops->postsolve      = petal::PCPostSolve_BanditSOR;
  pc->ops->setfromoptions = petal::PCSetFromOptions_BanditSOR;
  pc->ops->view           = petal::PCView_BanditSOR;
  pc->ops->reset          = petal::PCReset_BanditSOR;
  pc->ops->destroy        = petal::PCDestroy_BanditSOR;
  PetscCall(petal::BanditSORComposeFunctions(pc));
  PetscFunctionReturn(0);
}
