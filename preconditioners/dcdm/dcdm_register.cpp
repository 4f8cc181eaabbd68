// The log events of the DCDM network (PetalCNN* in -log_view), registered by PetalInitializePackage.
#include "preconditioners/dcdm/dcdm_cnn.hpp"
#include <petal/petal.h>

PetscLogEvent PETAL_CNNConv = 0, PETAL_CNNPool = 0, PETAL_CNNUpsample = 0, PETAL_CNNHead = 0, PETAL_CNNHalo = 0, PETAL_CNNApply = 0;

PetscErrorCode PetalCNNInitializePackage(void)
{
  PetscFunctionBegin;
  if (PETAL_CNNApply) PetscFunctionReturn(0);
  if (!PETAL_CLASSID) PetscCall(PetscClassIdRegister("Petal", &PETAL_CLASSID));
  PetscCall(PetscLogEventRegister("PetalCNNApply", PETAL_CLASSID, &PETAL_CNNApply));     // one network application
  PetscCall(PetscLogEventRegister("PetalCNNConv", PETAL_CLASSID, &PETAL_CNNConv));       // 3x3x3 convolutions (+ ReLU, + add)
  PetscCall(PetscLogEventRegister("PetalCNNPool", PETAL_CLASSID, &PETAL_CNNPool));       // 2x2x2 average pooling
  PetscCall(PetscLogEventRegister("PetalCNNUpsample", PETAL_CLASSID, &PETAL_CNNUpsample)); // nearest upsampling + skip add
  PetscCall(PetscLogEventRegister("PetalCNNHead", PETAL_CLASSID, &PETAL_CNNHead));       // the 1x1x1 head
  PetscCall(PetscLogEventRegister("PetalCNNHalo", PETAL_CLASSID, &PETAL_CNNHalo));       // halo exchanges (PetscSF)
  PetscFunctionReturn(0);
}
