// The "sinkhorn" type (PETALOTSINKHORN, the default): log-domain Sinkhorn to the tolerance, with epsilon
// scaling if asked. The iterations themselves (every variant, shared with SNS's warm-up) are in
// ot_sinkhorn.cpp; this file is the type's life cycle.
#include "ot_impl.hpp"

namespace {
struct PetalOT_Sinkhorn {
  PetscInt stageMaxIt = 200; /* epsilon scaling: iteration limit of an intermediate stage */
};

PetscErrorCode PetalOTSetFromOptions_Sinkhorn(PetalOT ot, PetscOptionItems *PetscOptionsObject)
{
  PetalOT_Sinkhorn *sk = static_cast<PetalOT_Sinkhorn *>(ot->data);

  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "PetalOT Sinkhorn options");
  PetscCall(PetscOptionsInt("-ot_eps_scaling_stage_max_it", "Sinkhorn: iteration limit of an intermediate epsilon-scaling stage (>= 1)", "", sk->stageMaxIt, &sk->stageMaxIt, NULL));
  PetscCheck(sk->stageMaxIt >= 1, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: -ot_eps_scaling_stage_max_it must be >= 1, got %" PetscInt_FMT, sk->stageMaxIt);
  PetscOptionsHeadEnd();
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSolve_Sinkhorn(PetalOT ot)
{
  PetscFunctionBegin;
  PetscCall(petal::ot::RunSinkhorn(ot, static_cast<PetalOT_Sinkhorn *>(ot->data)->stageMaxIt));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTView_Sinkhorn(PetalOT ot, PetscViewer viewer)
{
  PetscFunctionBegin;
  if (ot->epsScaling) PetscCall(PetscViewerASCIIPrintf(viewer, "Sinkhorn: intermediate epsilon-scaling stages end after at most %" PetscInt_FMT " iterations\n", static_cast<PetalOT_Sinkhorn *>(ot->data)->stageMaxIt));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTDestroy_Sinkhorn(PetalOT ot)
{
  PetscFunctionBegin;
  delete static_cast<PetalOT_Sinkhorn *>(ot->data);
  ot->data = nullptr;
  PetscFunctionReturn(0);
}
} // namespace

PETSC_EXTERN PetscErrorCode PetalOTCreate_Sinkhorn(PetalOT ot)
{
  PetscFunctionBegin;
  ot->data                = new PetalOT_Sinkhorn();
  ot->ops->setfromoptions = PetalOTSetFromOptions_Sinkhorn;
  ot->ops->solve          = PetalOTSolve_Sinkhorn;
  ot->ops->view           = PetalOTView_Sinkhorn;
  ot->ops->destroy        = PetalOTDestroy_Sinkhorn;
  PetscFunctionReturn(0);
}
