#pragma once
// Private data of PCDCDM, shared by its files:
//   pc_dcdm.cpp          the PETSc type: apply, view, reset, destroy, create
//   pc_dcdm_setup.cpp    PCSetUp: the matrix's DMDA, the weights and the network, the cell mask, the null space
//   pc_dcdm_options.cpp  PCSetFromOptions_DCDM
//   pc_dcdm_api.cpp      the composed setters/getters and the public PCDCDM* functions
#include <petal/dcdm.h>
#include <petal/dcdm_weights.hpp>
#include <petsc/private/pcimpl.h>
#include <string>

namespace petal {

enum class DCDMMaskMode : int { AUTO = 0, NONE = 1 };
extern const char *const DCDMMaskModeNames[];

struct PC_DCDM {
  // Settings
  std::string       weightsFile;                    // empty: the bundled default (PETAL_DCDM_DEFAULT_WEIGHTS)
  PetalCNNPrecision precision      = PETAL_CNN_FLOAT32;
  int               removeConstant = -1;            // -1: when the matrix has a constant null space; 0/1: forced
  DCDMMaskMode      maskMode       = DCDMMaskMode::AUTO;
  Vec               userMask       = nullptr;       // PCDCDMSetCellMask (overrides maskMode)

  // Built by PCSetUp
  PetalCNN          cnn = nullptr;
  DM                da  = nullptr;                  // the DMDA the network was built for (referenced)
  std::string       loadedFile;                     // the file and precision cnn was built with
  PetalCNNPrecision loadedPrecision = PETAL_CNN_FLOAT32;
  cnn::NetSpec      spec;
  DCDMTrainingInfo  info;
  long long         parameters = 0;
  Vec               mask = nullptr, work = nullptr; // 1 on unknown cells, 0 elsewhere; the network's input
  PetscReal         unknowns = 0;                   // number of unknown cells (sum of mask)
  bool              removing = false;               // the constant is removed from the output
  const char       *maskSource = "";                // what the view says about the mask

  // Statistics
  PetscInt       applications = 0;
  PetscLogDouble networkSeconds = 0;
};

// The default weights file, compiled in (CMake: <source>/learned/cnn/weights/dcdm_default.h5).
const char *DCDMDefaultWeights();
PetscErrorCode PCSetUp_DCDM(PC pc);
PetscErrorCode PCSetFromOptions_DCDM(PC pc, PetscOptionItems *PetscOptionsObject);
PetscErrorCode DCDMComposeFunctions(PC pc);
PetscErrorCode DCDMRemoveFunctions(PC pc);
// Drops the network (the next PCSetUp rebuilds it), e.g. when the weights file or the precision change.
PetscErrorCode DCDMResetNetwork(PC_DCDM *dcdm);
} // namespace petal
