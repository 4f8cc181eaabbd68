#pragma once
// Private data of PCBANDITSOR, shared by banditsor.cpp (the PETSc type) and banditsor_state.cpp (HDF5 state).
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
  // Tsallis-INF loss estimator, defaults from the learner's (so that petal-relax's table replays match the PC)
  PetscBool           tsallisRV     = bandits::TsallisEstimator{}.reduced_variance ? PETSC_TRUE : PETSC_FALSE; // or importance weighting
  PetscReal           tsallisShift  = bandits::TsallisEstimator{}.shift;  // constant shift B (used when tsallisWindow == 0)
  PetscInt            tsallisWindow = (PetscInt)bandits::TsallisEstimator{}.window; // > 0: the shift follows the moving average of the last ~window losses
  PetscReal           tsallisGate   = bandits::TsallisEstimator{}.gate;   // arms with p >= gate eta^2 get the whole shift
  PetscBool           tsallisSoftGate = bandits::TsallisEstimator{}.soft_gate ? PETSC_TRUE : PETSC_FALSE; // the others sqrt(p / (gate eta^2)) of it
  SORSweep            sweep      = SORSweep::SYMMETRIC;
  SORBackend          backend    = SORBackend::PETSC;
  SORColoring         coloring   = SORColoring::LEVEL; // natural-order SOR: the same operator as MatSOR
  PetscInt            its        = 1;
  std::string         stateFile;

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

// Creates the learner from the settings (or keeps the one restored from a state file).
PetscErrorCode BanditSORCreateLearner(PC pc, PC_BanditSOR *sor);
// HDF5 state: learner + totals, written by rank 0 atomically, read by rank 0 and broadcast.
PetscErrorCode BanditSORWriteState(PC pc, PC_BanditSOR *sor, const char *filename);
PetscErrorCode BanditSORReadState(PC pc, PC_BanditSOR *sor, const char *filename);
} // namespace petal
