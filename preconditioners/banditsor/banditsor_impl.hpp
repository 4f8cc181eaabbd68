#pragma once
// Private data of PCBANDITSOR, shared by its files:
//   banditsor.cpp          the PETSc type (presolve, apply, postsolve, view, destroy) and the learner builder
//   banditsor_options.cpp  PCSetFromOptions_BanditSOR
//   banditsor_api.cpp      the composed setters/getters and the public PCBanditSOR* functions
//   banditsor_state.cpp    the HDF5 learner state: load, save, checkpoints, configuration checks
#include <petal/banditsor.h>
#include <petsc/private/pcimpl.h>
#include "learned/bandits/learner.hpp"
#include "preconditioners/banditsor/sor_kokkos.hpp"
#include <memory>
#include <string>
#include <vector>

namespace petal {

enum class SORBackend : int { PETSC = 0, KOKKOS = 1 };
enum class SORSweep : int { SYMMETRIC = 0, FORWARD = 1, BACKWARD = 2 };

// Names for PetscOptionsEnum and views, indexed by the enums above and SORColoring.
extern const char *const BanditSORSweepNames[];
extern const char *const BanditSORBackendNames[];
extern const char *const BanditSORColoringNames[];
extern const char *const BanditSOROrderingNames[];
extern const char *const BanditSOREstimatorNames[];

struct PC_BanditSOR {
  // Settings (options)
  std::string         learnerType = "tsallis";
  std::vector<double> grid        = bandits::DefaultOmegaGrid();
  PetscReal           fixedOmega  = 1.0; // the single arm of the "fixed" learner
  PetscInt            seed        = 0;
  PetscInt            bins = 5, features = 6;
  PetscReal           contextMin = 0.0, contextMax = 1.0;
  PCBanditSORContextTransform transform = PCBANDITSOR_CONTEXT_LINEAR;
  PetscReal           logFloor = 1e-3;       // log transform: floor as a fraction of the context range
  bandits::TsallisEstimator tsallis;          // loss estimator of tsallis/tsallis_cb, passed to the learner as is
  SORSweep            sweep      = SORSweep::SYMMETRIC;
  SORBackend          backend    = SORBackend::PETSC;
  SORColoring         coloring   = SORColoring::LEVEL; // natural-order SOR: the same operator as MatSOR
  SOROrdering         ordering   = SOROrdering::LOCAL; // GLOBAL: the same preconditioner on any rank count
  PetscInt            its        = 1;
  // Whether the learner type and the grid were chosen (a setter, or an option that calls one) rather than
  // left at their defaults: a loaded state of another configuration is refused unless adoptState.
  bool explicitLearner = false, explicitGrid = false;

  // Learner state file (-pc_banditsor_state): loaded when the options are read, written at checkpoints
  // (every checkpointInterval solves and/or checkpointSeconds seconds; 0: never) and when the PC is destroyed.
  std::string    stateFile;
  bool           adoptState         = false;
  PetscInt       checkpointInterval = 0;
  PetscReal      checkpointSeconds  = 0;
  PetscInt       savedSolves        = -1; // solves in the file last written or loaded (-1: none)
  PetscLogDouble savedTime          = 0;  // when (rank 0's clock, broadcast)

  // Context of the next solve
  PetscReal context = 0.0;
  PetscErrorCode (*contextFunction)(PC, PetscReal *, void *) = nullptr;
  void *contextCtx                                           = nullptr;

  // Learning state
  std::unique_ptr<bandits::Learner> learner;
  PetscReal                         omega    = 1.0; // of the current solve
  bool                              deciding = false; // between presolve and postsolve
  PetscInt                          solves = 0, iterations = 0, capped = 0;
  PetscReal                         lastContext = 0.0;
  PetscLogDouble                    learnerSeconds = 0;

  std::unique_ptr<KokkosSOR> kokkos;
};

// The one builder of the learner's options from the PC's settings (the PC's learner and PCBanditSORReplay).
bandits::LearnerOptions BanditSORLearnerOptions(const PC_BanditSOR *sor, std::uint64_t seed);
// The context as the learner sees it (-pc_banditsor_context_transform).
PetscReal BanditSORLearnerContext(const PC_BanditSOR *sor, PetscReal c);
// Creates the learner from the settings (or keeps the one restored from a state file).
PetscErrorCode BanditSORCreateLearner(PC pc, PC_BanditSOR *sor);
// Errors (naming `what`) once the learner has been charged; otherwise drops it so that it is rebuilt.
PetscErrorCode BanditSORResetLearnerIfUnused(PC pc, PC_BanditSOR *sor, const char *what);
// PETSC_ERR_ARG_OUTOFRANGE unless omega is finite and in (0, 2); `where` names the option or function.
PetscErrorCode BanditSORCheckOmega(PC pc, const char *where, PetscReal omega);
// PCSetFromOptions of the type (banditsor_options.cpp).
PetscErrorCode PCSetFromOptions_BanditSOR(PC pc, PetscOptionItems *PetscOptionsObject);
// Registers the composed PCBanditSOR*_C functions (banditsor_api.cpp), and removes them.
PetscErrorCode BanditSORComposeFunctions(PC pc);
PetscErrorCode BanditSORRemoveFunctions(PC pc);

// HDF5 state: written by rank 0 atomically, read by rank 0 and broadcast (banditsor_state.cpp).
PetscErrorCode BanditSORWriteState(PC pc, PC_BanditSOR *sor, const char *filename);
PetscErrorCode BanditSORReadState(PC pc, PC_BanditSOR *sor, const char *filename);
// After a charged solve: writes the state file if a checkpoint is due. Collective.
PetscErrorCode BanditSORCheckpoint(PC pc, PC_BanditSOR *sor);
// At PCDestroy: writes the state file unless it already holds every solve.
PetscErrorCode BanditSORFinalState(PC pc, PC_BanditSOR *sor);
} // namespace petal
