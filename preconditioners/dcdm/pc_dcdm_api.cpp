// The public C API of PCDCDM (include/petal/dcdm.h): PETSc's pattern of composed functions (PCDCDM*_C, reached
// through PetscTryMethod for setters, which are no-ops for other PC types, and PetscUseMethod for getters).
#include "preconditioners/dcdm/pc_dcdm_impl.hpp"

namespace petal {
namespace {
PC_DCDM *Data(PC pc) { return static_cast<PC_DCDM *>(pc->data); }

PetscErrorCode SetWeightsFile_DCDM(PC pc, const char file[])
{
  PetscFunctionBegin;
  PetscCheck(file && file[0], PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_NULL, "PCDCDMSetWeightsFile: no file name given");
  if (Data(pc)->weightsFile == file) PetscFunctionReturn(0);
  Data(pc)->weightsFile = file;
  pc->setupcalled       = 0; // the next PCSetUp loads it (KSPSolve calls PCSetUp again only then)
  PetscFunctionReturn(0);
}
PetscErrorCode GetWeightsFile_DCDM(PC pc, const char **file)
{
  *file = Data(pc)->weightsFile.empty() ? DCDMDefaultWeights() : Data(pc)->weightsFile.c_str();
  return 0;
}
PetscErrorCode SetPrecision_DCDM(PC pc, PetalCNNPrecision p)
{
  PetscFunctionBegin;
  PetscCheck(p == PETAL_CNN_FLOAT32 || p == PETAL_CNN_FLOAT64, PetscObjectComm((PetscObject)pc), PETSC_ERR_ARG_OUTOFRANGE, "PCDCDMSetPrecision: unknown precision %d", (int)p);
  if (Data(pc)->precision == p) PetscFunctionReturn(0);
  Data(pc)->precision = p;
  pc->setupcalled     = 0; // the next PCSetUp rebuilds the network
  PetscFunctionReturn(0);
}
PetscErrorCode GetPrecision_DCDM(PC pc, PetalCNNPrecision *p)
{
  *p = Data(pc)->precision;
  return 0;
}
PetscErrorCode SetRemoveConstant_DCDM(PC pc, PetscBool flg)
{
  Data(pc)->removeConstant = flg ? 1 : 0;
  Data(pc)->removing       = flg; // also before the next PCSetUp
  return 0;
}
PetscErrorCode SetCellMask_DCDM(PC pc, Vec mask)
{
  PetscFunctionBegin;
  if (mask) PetscCall(PetscObjectReference((PetscObject)mask));
  PetscCall(VecDestroy(&Data(pc)->userMask));
  Data(pc)->userMask = mask;
  pc->setupcalled    = 0; // the mask is rebuilt by the next PCSetUp
  PetscFunctionReturn(0);
}
PetscErrorCode GetNetworkStats_DCDM(PC pc, PetscInt *applications, PetscLogDouble *seconds)
{
  if (applications) *applications = Data(pc)->applications;
  if (seconds) *seconds = Data(pc)->networkSeconds;
  return 0;
}
} // namespace

PetscErrorCode DCDMComposeFunctions(PC pc)
{
  PetscFunctionBegin;
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDCDMSetWeightsFile_C", SetWeightsFile_DCDM));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDCDMGetWeightsFile_C", GetWeightsFile_DCDM));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDCDMSetPrecision_C", SetPrecision_DCDM));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDCDMGetPrecision_C", GetPrecision_DCDM));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDCDMSetRemoveConstant_C", SetRemoveConstant_DCDM));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDCDMSetCellMask_C", SetCellMask_DCDM));
  PetscCall(PetscObjectComposeFunction((PetscObject)pc, "PCDCDMGetNetworkStats_C", GetNetworkStats_DCDM));
  PetscFunctionReturn(0);
}

PetscErrorCode DCDMRemoveFunctions(PC pc)
{
  PetscFunctionBegin;
  for (const char *name : {"PCDCDMSetWeightsFile_C", "PCDCDMGetWeightsFile_C", "PCDCDMSetPrecision_C", "PCDCDMGetPrecision_C", "PCDCDMSetRemoveConstant_C", "PCDCDMSetCellMask_C", "PCDCDMGetNetworkStats_C"})
    PetscCall(PetscObjectComposeFunction((PetscObject)pc, name, NULL));
  PetscFunctionReturn(0);
}
} // namespace petal

PetscErrorCode PCDCDMSetWeightsFile(PC pc, const char file[])
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscTryMethod(pc, "PCDCDMSetWeightsFile_C", (PC, const char[]), (pc, file));
  PetscFunctionReturn(0);
}

PetscErrorCode PCDCDMGetWeightsFile(PC pc, const char **file)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidPointer(file, 2);
  PetscUseMethod(pc, "PCDCDMGetWeightsFile_C", (PC, const char **), (pc, file));
  PetscFunctionReturn(0);
}

PetscErrorCode PCDCDMSetPrecision(PC pc, PetalCNNPrecision precision)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidLogicalCollectiveEnum(pc, precision, 2);
  PetscTryMethod(pc, "PCDCDMSetPrecision_C", (PC, PetalCNNPrecision), (pc, precision));
  PetscFunctionReturn(0);
}

PetscErrorCode PCDCDMGetPrecision(PC pc, PetalCNNPrecision *precision)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidPointer(precision, 2);
  PetscUseMethod(pc, "PCDCDMGetPrecision_C", (PC, PetalCNNPrecision *), (pc, precision));
  PetscFunctionReturn(0);
}

PetscErrorCode PCDCDMSetRemoveConstant(PC pc, PetscBool flg)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscValidLogicalCollectiveBool(pc, flg, 2);
  PetscTryMethod(pc, "PCDCDMSetRemoveConstant_C", (PC, PetscBool), (pc, flg));
  PetscFunctionReturn(0);
}

PetscErrorCode PCDCDMSetCellMask(PC pc, Vec mask)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  if (mask) PetscValidHeaderSpecific(mask, VEC_CLASSID, 2);
  PetscTryMethod(pc, "PCDCDMSetCellMask_C", (PC, Vec), (pc, mask));
  PetscFunctionReturn(0);
}

PetscErrorCode PCDCDMGetNetworkStats(PC pc, PetscInt *applications, PetscLogDouble *seconds)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(pc, PC_CLASSID, 1);
  PetscUseMethod(pc, "PCDCDMGetNetworkStats_C", (PC, PetscInt *, PetscLogDouble *), (pc, applications, seconds));
  PetscFunctionReturn(0);
}
