// PCDCDM: the DCDM network (Kaneda et al., ICML 2023) as a PETSc preconditioner, for flexible Krylov methods
// (KSPDCDM, KSPFCG, KSPGCR, KSPFGMRES). Structure follows PCJACOBI/PCSOR and petal's PCBANDITSOR: setup in
// pc_dcdm_setup.cpp, options in pc_dcdm_options.cpp, setters in pc_dcdm_api.cpp.
//
// Apply(r): z = ||m r|| * mask .* f(m r / ||m r||), with m the cell mask and f the network; minus the mean over the
// unknown cells when the constant is removed. The network sees the unit-norm residual (what it was trained on);
// scaling its output back by ||m r|| makes the PC positively homogeneous (PC(a r) = a PC(r), a > 0) without
// changing any iterate of the methods above, whose step lengths absorb the scale of each direction.
#include "preconditioners/dcdm/pc_dcdm_impl.hpp"
#include "preconditioners/dcdm/dcdm_cnn.hpp"
#include <petal/petal.h>
#include <cmath>

namespace petal {
const char *const DCDMMaskModeNames[] = {"auto", "none", "DCDMMaskMode", "", nullptr};

namespace {
PetscErrorCode PCApply_DCDM(PC pc, Vec r, Vec z)
{
  auto          *dcdm = static_cast<PC_DCDM *>(pc->data);
  PetscReal      norm;
  PetscLogDouble t0, t1;

  PetscFunctionBegin;
  PetscCall(VecPointwiseMult(dcdm->work, r, dcdm->mask));
  PetscCall(VecNorm(dcdm->work, NORM_2, &norm));
  if (norm == 0.0 || !std::isfinite(norm)) { // nothing to precondition; a NaN/Inf goes on to the KSP's checks
    PetscCall(VecSet(z, norm == 0.0 ? 0.0 : norm));
    PetscFunctionReturn(0);
  }
  PetscCall(VecScale(dcdm->work, 1.0 / norm));
  PetscCall(PetscTime(&t0));
  PetscCall(PetalCNNApply(dcdm->cnn, dcdm->work, z));
  PetscCall(PetscTime(&t1));
  PetscCall(VecPointwiseMult(z, z, dcdm->mask));
  if (dcdm->removing && dcdm->unknowns > 0) {
    PetscScalar sum;
    PetscCall(VecSum(z, &sum));
    PetscCall(VecAXPY(z, -sum / dcdm->unknowns, dcdm->mask));
  }
  PetscCall(VecScale(z, norm));
  dcdm->applications++;
  dcdm->networkSeconds += t1 - t0;
  PetscFunctionReturn(0);
}

PetscErrorCode PCReset_DCDM(PC pc)
{
  PetscFunctionBegin;
  PetscCall(DCDMResetNetwork(static_cast<PC_DCDM *>(pc->data)));
  PetscFunctionReturn(0);
}

PetscErrorCode PCDestroy_DCDM(PC pc)
{
  auto *dcdm = static_cast<PC_DCDM *>(pc->data);
  PetscFunctionBegin;
  PetscCall(PCReset_DCDM(pc));
  PetscCall(VecDestroy(&dcdm->userMask));
  delete dcdm;
  pc->data = nullptr;
  PetscCall(DCDMRemoveFunctions(pc));
  PetscFunctionReturn(0);
}

PetscErrorCode ViewNetwork(PC_DCDM *dcdm, PetscViewer viewer)
{
  const cnn::NetSpec &s = dcdm->spec;
  PetscLogDouble      flops;
  PetscInt            M, N, P;
  PetscFunctionBegin;
  PetscCall(PetalCNNGetFlops(dcdm->cnn, &flops));
  PetscCall(DMDAGetInfo(dcdm->da, NULL, &M, &N, &P, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCall(PetscViewerASCIIPrintf(viewer, "  network: arch %s, %d channels, residual pairs %d/%d/%d (fine/coarse/up), %lld parameters, precision %s\n", s.arch.c_str(), s.channels, s.fine_pairs, s.coarse_pairs, s.up_pairs, dcdm->parameters, PetalCNNPrecisions[dcdm->loadedPrecision]));
  PetscCall(PetscViewerASCIIPrintf(viewer, "  grid %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT ", %.4g Gflop per application, Kokkos execution space %s; %s\n", M, N, P, flops * 1e-9, PetalKokkosExecutionSpaceName(),
                                   dcdm->cnn->sameLayout ? "the network runs on the DMDA's own ownership ranges" : "the DMDA's odd ownership ranges are redistributed to even ones for the network (one VecScatter each way)"));
  const DCDMTrainingInfo &t = dcdm->info;
  if (t.trained_N > 0) PetscCall(PetscViewerASCIIPrintf(viewer, "  trained on %lld^3 (%s), %lld samples, %lld epochs, final loss %g\n", t.trained_N, t.train_matrix.empty() ? "matrix not recorded" : t.train_matrix.c_str(), t.samples, t.epochs, t.final_loss));
  PetscFunctionReturn(0);
}

PetscErrorCode PCView_DCDM(PC pc, PetscViewer viewer)
{
  auto     *dcdm = static_cast<PC_DCDM *>(pc->data);
  PetscBool iascii;
  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &iascii));
  if (!iascii) PetscFunctionReturn(0);
  const std::string file = dcdm->weightsFile.empty() ? std::string(DCDMDefaultWeights()) + " (the bundled default)" : dcdm->weightsFile;
  PetscCall(PetscViewerASCIIPrintf(viewer, "  weights file %s\n", file.c_str()));
  if (!dcdm->cnn) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "  not set up yet (precision %s)\n", PetalCNNPrecisions[dcdm->precision]));
    PetscFunctionReturn(0);
  }
  PetscCall(ViewNetwork(dcdm, viewer));
  PetscInt size;
  PetscCall(VecGetSize(dcdm->mask, &size));
  PetscCall(PetscViewerASCIIPrintf(viewer, "  input: the residual on the unknown cells, scaled to unit 2-norm; output masked to the unknown cells%s, scaled back by the residual's norm\n", dcdm->removing ? ", its mean over them removed" : ""));
  PetscCall(PetscViewerASCIIPrintf(viewer, "  mask %s: %.0f unknowns of %" PetscInt_FMT " cells\n", dcdm->maskSource, (double)dcdm->unknowns, size));
  const char *constant = dcdm->removeConstant == 1 ? "removed (-pc_dcdm_remove_constant)" : dcdm->removeConstant == 0 ? "kept (-pc_dcdm_remove_constant false)" : dcdm->removing ? "removed (the matrix has a constant null space)" : "kept (the matrix has no constant null space)";
  PetscCall(PetscViewerASCIIPrintf(viewer, "  constant component of the output: %s\n", constant));
  PetscCall(PetscViewerASCIIPrintf(viewer, "  network applications %" PetscInt_FMT ", network time %.4g s (%.4g ms per application)\n", dcdm->applications, dcdm->networkSeconds, dcdm->applications ? 1e3 * dcdm->networkSeconds / dcdm->applications : 0.0));
  PetscFunctionReturn(0);
}
} // namespace
} // namespace petal

PetscErrorCode PCCreate_DCDM(PC pc)
{
  PetscFunctionBegin;
  PetscCall(PetalCNNInitializePackage());
  pc->data                = new petal::PC_DCDM();
  pc->ops->apply          = petal::PCApply_DCDM;
  pc->ops->setup          = petal::PCSetUp_DCDM;
  pc->ops->setfromoptions = petal::PCSetFromOptions_DCDM;
  pc->ops->view           = petal::PCView_DCDM;
  pc->ops->reset          = petal::PCReset_DCDM;
  pc->ops->destroy        = petal::PCDestroy_DCDM;
  PetscCall(petal::DCDMComposeFunctions(pc));
  PetscFunctionReturn(0);
}
