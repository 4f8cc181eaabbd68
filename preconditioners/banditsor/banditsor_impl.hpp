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
  bandits::TsallisEstimator tsallis;          // loss estimator of tsallis/tsallis_cb, passed to the learner as is
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
