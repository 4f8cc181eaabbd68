// PCSetFromOptions of PCDCDM: every option under the PC's prefix, in -help and -ksp_view. Options that change
// what the network is go through the public setters, so options and the C API share one set of checks.
#include "preconditioners/dcdm/pc_dcdm_impl.hpp"

namespace petal {

PetscErrorCode PCSetFromOptions_DCDM(PC pc, PetscOptionItems *PetscOptionsObject)
{
  auto             *dcdm = static_cast<PC_DCDM *>(pc->data);
  char              file[PETSC_MAX_PATH_LEN];
  PetalCNNPrecision precision = dcdm->precision;
  PetscBool         remove    = dcdm->removeConstant == 1 ? PETSC_TRUE : PETSC_FALSE, set;
  const std::string current   = dcdm->weightsFile.empty() ? DCDMDefaultWeights() : dcdm->weightsFile;

  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "DCDM options (the network as a preconditioner for flexible Krylov methods)");
  PetscCall(PetscStrncpy(file, current.c_str(), sizeof file));
  PetscCall(PetscOptionsString("-pc_dcdm_weights", "HDF5 weights file of the network (petal-dcdm-weights; default: the bundled weights)", "PCDCDMSetWeightsFile", file, file, sizeof file, &set));
  if (set) PetscCall(PCDCDMSetWeightsFile(pc, file));
  PetscCall(PetscOptionsEnum("-pc_dcdm_precision", "Arithmetic of the network's activations", "PCDCDMSetPrecision", PetalCNNPrecisions, (PetscEnum)precision, (PetscEnum *)&precision, &set));
  if (set) PetscCall(PCDCDMSetPrecision(pc, precision));
  PetscCall(PetscOptionsBool("-pc_dcdm_remove_constant", "Remove the output's mean over the unknown cells (default: when the matrix has a constant null space)", "PCDCDMSetRemoveConstant", remove, &remove, &set));
  if (set) PetscCall(PCDCDMSetRemoveConstant(pc, remove));
  PetscCall(PetscOptionsEnum("-pc_dcdm_mask", "Unknown cells: auto (a row whose only nonzero is its diagonal is not one) or none (every cell); PCDCDMSetCellMask overrides", "PCDCDMSetCellMask", DCDMMaskModeNames, (PetscEnum)dcdm->maskMode, (PetscEnum *)&dcdm->maskMode, NULL));
  PetscOptionsHeadEnd();
  PetscFunctionReturn(0);
}

} // namespace petal
