// KSPDCDM: the conjugate-direction loop of DCDM (Kaneda et al., ICML 2023; ayano721/2023_DCDM
// lib/conjugate_gradient.py::dcdm), with any PC as the direction generator (PCDCDM for the paper's method):
//
//   r = b - A x
//   loop:  z = PC(r)                                   (PCDCDM normalises r itself)
//          p = z - sum_j (z.Ap_j / p_j.Ap_j) p_j       classical Gram-Schmidt in the A inner product against the
//                                                      last k directions (-ksp_dcdm_directions, default 2)
//          alpha = p.r / p.Ap                           exact line search
//          x += alpha p;  r = b - A x                   the true residual, recomputed (one more MatMult)
//          converged on ||r||_2                         (unpreconditioned norm)
//
// The same iterates as KSPFCG -ksp_fcg_mmax k -ksp_fcg_truncation_type standard, which updates r recursively
// instead. A direction with p.Ap <= 0 (or not finite) stops the solve with KSP_DIVERGED_INDEFINITE_MAT rather than
// a division that would put NaN or a step uphill into x. With PCNONE and an SPD matrix it is CG (k >= 1).
#include <petal/dcdm.h>
#include <petsc/private/kspimpl.h>
#include <cmath>
#include <vector>

namespace petal {
namespace {
struct KSP_DCDM {
  PetscInt  directions = 2;
  // Directions p_j and A p_j, a ring of directions + 1 (the current one and the last k), and p_j.Ap_j.
  Vec      *P = nullptr, *AP = nullptr;
  PetscInt  allocated = 0;
  std::vector<PetscScalar> pAp;
  // Why the last solve stopped early, for the view.
  PetscInt  breakdownIt = -1;
  PetscReal breakdownPAP = 0;
  bool      zeroDirection = false;
};

KSP_DCDM *Data(KSP ksp) { return static_cast<KSP_DCDM *>(ksp->data); }

PetscErrorCode FreeDirections(KSP_DCDM *d)
{
  PetscFunctionBegin;
  if (d->allocated) {
    PetscCall(VecDestroyVecs(d->allocated, &d->P));
    PetscCall(VecDestroyVecs(d->allocated, &d->AP));
  }
  d->allocated = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode KSPSetUp_DCDM(KSP ksp)
{
  KSP_DCDM *d = Data(ksp);
  PetscFunctionBegin;
  PetscCall(KSPSetWorkVecs(ksp, 2)); // r, z
  if (d->allocated != d->directions + 1) {
    PetscCall(FreeDirections(d));
    PetscCall(KSPCreateVecs(ksp, d->directions + 1, &d->P, 0, NULL));
    PetscCall(KSPCreateVecs(ksp, d->directions + 1, &d->AP, 0, NULL));
    d->allocated = d->directions + 1;
  }
  d->pAp.assign((size_t)d->allocated, 0.0);
  PetscFunctionReturn(0);
}

// r = b - A x, its 2-norm to the convergence test and the monitors at iteration `its`.
PetscErrorCode TrueResidual(KSP ksp, Mat A, Vec R, PetscInt its)
{
  PetscReal rnorm;
  PetscFunctionBegin;
  PetscCall(KSP_MatMult(ksp, A, ksp->vec_sol, R));
  PetscCall(VecAYPX(R, -1.0, ksp->vec_rhs));
  PetscCall(VecNorm(R, NORM_2, &rnorm));
  KSPCheckNorm(ksp, rnorm);
  PetscCall(PetscObjectSAWsTakeAccess((PetscObject)ksp));
  ksp->its   = its;
  ksp->rnorm = rnorm;
  PetscCall(PetscObjectSAWsGrantAccess((PetscObject)ksp));
  PetscCall(KSPLogResidualHistory(ksp, rnorm));
  PetscCall(KSPMonitor(ksp, its, rnorm));
  PetscCall((*ksp->converged)(ksp, its, rnorm, &ksp->reason, ksp->cnvP));
  PetscFunctionReturn(0);
}

PetscErrorCode KSPSolve_DCDM(KSP ksp)
{
  KSP_DCDM *d = Data(ksp);
  Mat       A;
  Vec       R = ksp->work[0], Z = ksp->work[1];
  const int ring = (int)d->allocated;

  PetscFunctionBegin;
  PetscCall(PCGetOperators(ksp->pc, &A, NULL));
  d->breakdownIt   = -1;
  d->zeroDirection = false;
  ksp->reason      = KSP_CONVERGED_ITERATING;
  if (ksp->guess_zero) PetscCall(VecSet(ksp->vec_sol, 0.0));
  PetscCall(TrueResidual(ksp, A, R, 0));
  for (PetscInt i = 0; !ksp->reason && i < ksp->max_it; ++i) {
    PetscCall(KSP_PCApply(ksp, R, Z)); // z = PC(r)
    // p = z - sum_j (z.Ap_j / p_j.Ap_j) p_j over the last min(i, k) directions (classical Gram-Schmidt: every
    // coefficient from z itself, as the reference code does).
    const int cur = (int)(i % ring), nold = (int)PetscMin(i, d->directions);
    Vec       P = d->P[cur], AP = d->AP[cur];
    PetscCall(VecCopy(Z, P));
    if (nold > 0) {
      std::vector<Vec>         oldP(nold), oldAP(nold);
      std::vector<PetscScalar> c(nold);
      for (int j = 0; j < nold; ++j) {
        const int slot = (int)((i - 1 - j) % ring);
        oldP[j] = d->P[slot], oldAP[j] = d->AP[slot];
      }
      PetscCall(VecMDot(Z, nold, oldAP.data(), c.data()));
      for (int j = 0; j < nold; ++j) c[j] = -c[j] / d->pAp[(i - 1 - j) % ring];
      PetscCall(VecMAXPY(P, nold, c.data(), oldP.data()));
    }
    PetscCall(KSP_MatMult(ksp, A, P, AP));
    PetscScalar pAp, pr;
    PetscCall(VecDotBegin(P, AP, &pAp));
    PetscCall(VecDotBegin(P, R, &pr));
    PetscCall(VecDotEnd(P, AP, &pAp));
    PetscCall(VecDotEnd(P, R, &pr));
    if (!(PetscRealPart(pAp) > 0) || !std::isfinite(PetscRealPart(pAp))) {
      // p.Ap <= 0: A is not positive definite on p (or p vanished: the PC returned what the old directions span).
      PetscReal pnorm;
      PetscCall(VecNorm(P, NORM_2, &pnorm));
      d->breakdownIt   = i + 1;
      d->breakdownPAP  = PetscRealPart(pAp);
      d->zeroDirection = pnorm == 0.0;
      ksp->reason      = pnorm == 0.0 ? KSP_DIVERGED_BREAKDOWN : KSP_DIVERGED_INDEFINITE_MAT;
      PetscCall(PetscInfo(ksp, "iteration %" PetscInt_FMT ": p^T A p = %g with ||p|| = %g\n", i + 1, (double)PetscRealPart(pAp), (double)pnorm));
      break;
    }
    d->pAp[cur] = pAp;
    PetscCall(VecAXPY(ksp->vec_sol, pr / pAp, P)); // x += alpha p, alpha = p.r / p.Ap
    PetscCall(TrueResidual(ksp, A, R, i + 1));
  }
  if (!ksp->reason) ksp->reason = KSP_DIVERGED_ITS;
  PetscFunctionReturn(0);
}

PetscErrorCode KSPReset_DCDM(KSP ksp)
{
  PetscFunctionBegin;
  PetscCall(FreeDirections(Data(ksp)));
  PetscFunctionReturn(0);
}

PetscErrorCode KSPDestroy_DCDM(KSP ksp)
{
  PetscFunctionBegin;
  PetscCall(KSPReset_DCDM(ksp));
  delete Data(ksp);
  ksp->data = nullptr;
  PetscCall(KSPDestroyDefault(ksp));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDCDMSetDirections_C", NULL));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDCDMGetDirections_C", NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode KSPView_DCDM(KSP ksp, PetscViewer viewer)
{
  KSP_DCDM *d = Data(ksp);
  PetscBool iascii;
  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &iascii));
  if (!iascii) PetscFunctionReturn(0);
  PetscCall(PetscViewerASCIIPrintf(viewer, "  DCDM: directions A-orthogonalised (classical Gram-Schmidt) against the last %" PetscInt_FMT ", exact line search, true residual b - Ax every iteration\n", d->directions));
  if (d->breakdownIt > 0 && d->zeroDirection) PetscCall(PetscViewerASCIIPrintf(viewer, "  DCDM: the last solve stopped at iteration %" PetscInt_FMT ": the new direction vanished (the PC's output lies in the span of the previous directions)\n", d->breakdownIt));
  else if (d->breakdownIt > 0)
    PetscCall(PetscViewerASCIIPrintf(viewer, "  DCDM: the last solve stopped at iteration %" PetscInt_FMT ": p^T A p = %g is not positive (the matrix is not positive definite on that direction): DIVERGED_INDEFINITE_MAT\n", d->breakdownIt, (double)d->breakdownPAP));
  PetscFunctionReturn(0);
}

PetscErrorCode KSPSetFromOptions_DCDM(KSP ksp, PetscOptionItems *PetscOptionsObject)
{
  PetscInt  k = Data(ksp)->directions;
  PetscBool set;
  PetscFunctionBegin;
  PetscOptionsHeadBegin(PetscOptionsObject, "KSP DCDM options");
  PetscCall(PetscOptionsInt("-ksp_dcdm_directions", "A-orthogonalise each new direction against the last k (the paper: 2)", "KSPDCDMSetDirections", k, &k, &set));
  if (set) PetscCall(KSPDCDMSetDirections(ksp, k));
  PetscOptionsHeadEnd();
  PetscFunctionReturn(0);
}

PetscErrorCode SetDirections_DCDM(KSP ksp, PetscInt k)
{
  PetscFunctionBegin;
  PetscCheck(k >= 0 && k <= 1000, PetscObjectComm((PetscObject)ksp), PETSC_ERR_ARG_OUTOFRANGE, "KSPDCDM: the number of directions to orthogonalise against must be in [0, 1000], got %" PetscInt_FMT, k);
  if (k != Data(ksp)->directions) ksp->setupstage = KSP_SETUP_NEW; // reallocate the ring
  Data(ksp)->directions = k;
  PetscFunctionReturn(0);
}

PetscErrorCode GetDirections_DCDM(KSP ksp, PetscInt *k)
{
  *k = Data(ksp)->directions;
  return 0;
}
} // namespace
} // namespace petal

PetscErrorCode KSPCreate_DCDM(KSP ksp)
{
  PetscFunctionBegin;
  ksp->data = new petal::KSP_DCDM();
  // The convergence test sees ||b - Ax||_2; the PC generates directions from r (left, as in KSPFCG).
  PetscCall(KSPSetSupportedNorm(ksp, KSP_NORM_UNPRECONDITIONED, PC_LEFT, 3));
  PetscCall(KSPSetSupportedNorm(ksp, KSP_NORM_NONE, PC_LEFT, 1));
  ksp->ops->setup          = petal::KSPSetUp_DCDM;
  ksp->ops->solve          = petal::KSPSolve_DCDM;
  ksp->ops->reset          = petal::KSPReset_DCDM;
  ksp->ops->destroy        = petal::KSPDestroy_DCDM;
  ksp->ops->view           = petal::KSPView_DCDM;
  ksp->ops->setfromoptions = petal::KSPSetFromOptions_DCDM;
  ksp->ops->buildsolution  = KSPBuildSolutionDefault;
  ksp->ops->buildresidual  = KSPBuildResidualDefault;
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDCDMSetDirections_C", petal::SetDirections_DCDM));
  PetscCall(PetscObjectComposeFunction((PetscObject)ksp, "KSPDCDMGetDirections_C", petal::GetDirections_DCDM));
  PetscFunctionReturn(0);
}

PetscErrorCode KSPDCDMSetDirections(KSP ksp, PetscInt k)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidLogicalCollectiveInt(ksp, k, 2);
  PetscTryMethod(ksp, "KSPDCDMSetDirections_C", (KSP, PetscInt), (ksp, k));
  PetscFunctionReturn(0);
}

PetscErrorCode KSPDCDMGetDirections(KSP ksp, PetscInt *k)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ksp, KSP_CLASSID, 1);
  PetscValidIntPointer(k, 2);
  PetscUseMethod(ksp, "KSPDCDMGetDirections_C", (KSP, PetscInt *), (ksp, k));
  PetscFunctionReturn(0);
}
