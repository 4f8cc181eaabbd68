// The reduced-space preconditioner of the KSP inner solver, for PDE-constrained problems whose variables split into
// a state y (as many as constraints, G_y = dc/dy square and invertible: the PDE operator) and a control u. With
// K = [[H_yy, H_yu, G_y^T], [H_uy, H_uu, G_u^T], [G_y, G_u, 0]], the KKT system is eliminated exactly except that
// the reduced Hessian W = H_uu + G_u^T G_y^-T H_yy G_y^-1 G_u is replaced by H_uu (Biros & Ghattas, "Parallel
// Lagrange-Newton-Krylov-Schur methods for PDE-constrained optimization", SISC 2005, preconditioner P4):
//   y0 = G_y^-1 r_c;  l0 = G_y^-T (r_y - H_yy y0);  u = H_uu^-1 (r_u - H_uy y0 - G_u^T l0);
//   y  = G_y^-1 (r_c - G_u u);  l = G_y^-T (r_y - H_yy y - H_yu u).
// The preconditioned operator's eigenvalues are those of H_uu^-1 W and 1: bounded independently of the mesh when
// H_uu is the control's mass term (cost alpha M) and G_y the discrete PDE. Each G_y solve is one application of the
// sub-KSP with prefix tao_adasketch_state_ (default GMRES to 1e-4 on BoomerAMG; G_y^T through an explicit
// transpose unless G_y is symmetric), the H_uu
// solve one application of tao_adasketch_control_ (default Jacobi). Inexact sub-solves make P vary: FGMRES (the
// inner KSP's default) accepts that.
#include "solvers/adasketch/adasketch_impl.hpp"

namespace petal {
namespace adasketch {

struct ReducedPC {
  IS  ky = nullptr, ku = nullptr, kl = nullptr; /* state, control and multiplier rows of the KKT matrix */
  Mat Gy = nullptr, Gu = nullptr, Hyy = nullptr, Hyu = nullptr, Huy = nullptr, Huu = nullptr;
  Mat GyT = nullptr;       /* G_y^T explicitly when G_y is not symmetric */
  KSP state = nullptr, control = nullptr;
  KSP stateT = nullptr;    /* solves with G_y^T: `state` itself when G_y is symmetric */
  Vec y0 = nullptr, y = nullptr, ty = nullptr; /* state layout (G_y's columns) */
  Vec l = nullptr, tc = nullptr;               /* constraint layout (G_y's rows) */
  Vec u = nullptr, tu = nullptr;               /* control layout */
};

namespace {

PetscErrorCode DestroyBlocks(ReducedPC *r)
{
  PetscFunctionBegin;
  for (Mat *m : {&r->Gy, &r->GyT, &r->Gu, &r->Hyy, &r->Hyu, &r->Huy, &r->Huu}) PetscCall(MatDestroy(m));
  PetscFunctionReturn(0);
}

PetscErrorCode ApplyReduced(PC pc, Vec rhs, Vec out)
{
  ReducedPC *r;
  Vec        ry, ru, rl;
  PetscFunctionBegin;
  PetscCall(PCShellGetContext(pc, &r));
  PetscCall(VecGetSubVector(rhs, r->ky, &ry));
  PetscCall(VecGetSubVector(rhs, r->ku, &ru));
  PetscCall(VecGetSubVector(rhs, r->kl, &rl));
  // y0 = G_y^-1 r_c; l0 = G_y^-T (r_y - H_yy y0)
  PetscCall(KSPSolve(r->state, rl, r->y0));
  PetscCall(MatMult(r->Hyy, r->y0, r->ty));
  PetscCall(VecAYPX(r->ty, -1.0, ry));
  PetscCall(KSPSolve(r->stateT, r->ty, r->l));
  // u = H_uu^-1 (r_u - H_uy y0 - G_u^T l0)
  PetscCall(MatMultTranspose(r->Gu, r->l, r->tu));
  if (r->Huy) PetscCall(MatMultAdd(r->Huy, r->y0, r->tu, r->tu));
  PetscCall(VecAYPX(r->tu, -1.0, ru));
  PetscCall(KSPSolve(r->control, r->tu, r->u));
  // y = G_y^-1 (r_c - G_u u); l = G_y^-T (r_y - H_yy y - H_yu u)
  PetscCall(MatMult(r->Gu, r->u, r->tc));
  PetscCall(VecAYPX(r->tc, -1.0, rl));
  PetscCall(KSPSolve(r->state, r->tc, r->y));
  PetscCall(MatMult(r->Hyy, r->y, r->ty));
  if (r->Hyu) PetscCall(MatMultAdd(r->Hyu, r->u, r->ty, r->ty));
  PetscCall(VecAYPX(r->ty, -1.0, ry));
  PetscCall(KSPSolve(r->stateT, r->ty, r->l));
  PetscCall(VecRestoreSubVector(rhs, r->ky, &ry));
  PetscCall(VecRestoreSubVector(rhs, r->ku, &ru));
  PetscCall(VecRestoreSubVector(rhs, r->kl, &rl));
  PetscCall(VecISCopy(out, r->ky, SCATTER_FORWARD, r->y));
  PetscCall(VecISCopy(out, r->ku, SCATTER_FORWARD, r->u));
  PetscCall(VecISCopy(out, r->kl, SCATTER_FORWARD, r->l));
  PetscFunctionReturn(0);
}

PetscErrorCode ViewReduced(PC pc, PetscViewer viewer)
{
  ReducedPC *r;
  PetscInt   ny, nu;
  PetscFunctionBegin;
  PetscCall(PCShellGetContext(pc, &r));
  PetscCall(ISGetSize(r->ky, &ny));
  PetscCall(ISGetSize(r->ku, &nu));
  PetscCall(PetscViewerASCIIPrintf(viewer, "AdaSketch reduced-space KKT preconditioner (Biros-Ghattas P4): %" PetscInt_FMT " states, %" PetscInt_FMT " controls; reduced Hessian approximated by H_uu\n", ny, nu));
  PetscCall(PetscViewerASCIIPrintf(viewer, "state solves (G_y and its transpose), prefix tao_adasketch_state_:\n"));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(KSPView(r->state, viewer));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "control solves (H_uu), prefix tao_adasketch_control_:\n"));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(KSPView(r->control, viewer));
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

/* A sub-KSP with prefix <tao prefix>tao_adasketch_<name>_ and the given defaults (the options database can change
 * them). */
PetscErrorCode CreateSubKSPWith(Tao tao, const char *name, KSPType kspType, PetscReal rtol, PCType pcType, KSP *ksp)
{
  const char *prefix;
  char        full[256];
  PC          pc;
  PetscFunctionBegin;
  PetscCall(KSPCreate(PetscObjectComm((PetscObject)tao), ksp));
  PetscCall(PetscObjectIncrementTabLevel((PetscObject)*ksp, (PetscObject)tao, 2));
  PetscCall(TaoGetOptionsPrefix(tao, &prefix));
  PetscCall(PetscSNPrintf(full, sizeof(full), "%stao_adasketch_%s_", prefix ? prefix : "", name));
  PetscCall(KSPSetOptionsPrefix(*ksp, full));
  PetscCall(KSPSetType(*ksp, kspType));
  PetscCall(KSPSetTolerances(*ksp, rtol, PETSC_DEFAULT, PETSC_DEFAULT, PETSC_DEFAULT));
  PetscCall(KSPGetPC(*ksp, &pc));
  PetscCall(PCSetType(pc, pcType));
  PetscCall(KSPSetFromOptions(*ksp));
  PetscFunctionReturn(0);
}

/* The state solver: GMRES to 1e-4 on BoomerAMG (GAMG without hypre). The elimination amplifies state-solve errors
 * by about 1/H_uu ~ 1/(alpha h^D), so how exact they must be grows with the grid. Measured (semilinear control, FGMRES
 * iterations per Newton step): one V-cycle per solve 8 at 3-D 32^3 but 103 at 2-D N = 511; GMRES to 1e-4 5 and 7;
 * to 1e-8 4 and 5, at 10-30 % more time. */
PetscErrorCode CreateStateKSP(Tao tao, KSP *ksp)
{
  PetscFunctionBegin;
#if defined(PETSC_HAVE_HYPRE)
  PetscCall(CreateSubKSPWith(tao, "state", KSPGMRES, 1e-4, PCHYPRE, ksp));
#else
  PetscCall(CreateSubKSPWith(tao, "state", KSPGMRES, 1e-4, PCGAMG, ksp));
#endif
  PetscFunctionReturn(0);
}

} // namespace

PetscErrorCode ReducedPCSetUp(Tao tao, PC pc, IS kktState, IS kktControl, IS kktMult, IS xState, IS xControl, Mat B, Mat G, ReducedPC **ctx)
{
  ReducedPC *r = *ctx;
  PetscFunctionBegin;
  if (!r) {
    r = *ctx = new ReducedPC();
    PetscCall(PetscObjectReference((PetscObject)kktState));
    PetscCall(PetscObjectReference((PetscObject)kktControl));
    PetscCall(PetscObjectReference((PetscObject)kktMult));
    r->ky = kktState;
    r->ku = kktControl;
    r->kl = kktMult;
    PetscCall(CreateStateKSP(tao, &r->state));
    PetscCall(CreateSubKSPWith(tao, "control", KSPPREONLY, PETSC_DEFAULT, PCJACOBI, &r->control));
  }
  PetscCall(DestroyBlocks(r));
  IS rows;
  PetscCall(MatGetOwnershipIS(G, &rows, nullptr));
  PetscCall(MatCreateSubMatrix(G, rows, xState, MAT_INITIAL_MATRIX, &r->Gy));
  PetscCall(MatCreateSubMatrix(G, rows, xControl, MAT_INITIAL_MATRIX, &r->Gu));
  PetscCall(ISDestroy(&rows));
  PetscCall(MatCreateSubMatrix(B, xState, xState, MAT_INITIAL_MATRIX, &r->Hyy));
  PetscCall(MatCreateSubMatrix(B, xControl, xControl, MAT_INITIAL_MATRIX, &r->Huu));
  // The state-control coupling of H only where it has entries (none for the usual separable cost).
  Mat       Hyu;
  PetscReal nrm;
  PetscCall(MatCreateSubMatrix(B, xState, xControl, MAT_INITIAL_MATRIX, &Hyu));
  PetscCall(MatNorm(Hyu, NORM_FROBENIUS, &nrm));
  if (nrm > 0) {
    r->Hyu = Hyu;
    PetscCall(MatCreateSubMatrix(B, xControl, xState, MAT_INITIAL_MATRIX, &r->Huy));
  } else PetscCall(MatDestroy(&Hyu));
  PetscCall(KSPSetOperators(r->state, r->Gy, r->Gy));
  // Solves with G_y^T through an explicit transpose and its own sub-KSP (same options) unless G_y is symmetric:
  // not every preconditioner applies its transpose (BoomerAMG's returns zero in PETSc 3.18).
  PetscBool sym;
  PetscCall(MatIsSymmetric(r->Gy, 0.0, &sym));
  if (!sym) {
    PetscCall(MatTranspose(r->Gy, MAT_INITIAL_MATRIX, &r->GyT));
    if (!r->stateT || r->stateT == r->state) {
      r->stateT = nullptr;
      PetscCall(CreateStateKSP(tao, &r->stateT));
    }
    PetscCall(KSPSetOperators(r->stateT, r->GyT, r->GyT));
    PetscCall(KSPSetUp(r->stateT));
  } else {
    if (r->stateT != r->state) PetscCall(KSPDestroy(&r->stateT));
    r->stateT = r->state;
  }
  PetscCall(KSPSetOperators(r->control, r->Huu, r->Huu));
  PetscCall(KSPSetUp(r->state));
  PetscCall(KSPSetUp(r->control));
  if (!r->y0) {
    PetscCall(MatCreateVecs(r->Gy, &r->y0, &r->l));
    PetscCall(VecDuplicate(r->y0, &r->y));
    PetscCall(VecDuplicate(r->y0, &r->ty));
    PetscCall(VecDuplicate(r->l, &r->tc));
    PetscCall(MatCreateVecs(r->Gu, &r->u, nullptr));
    PetscCall(VecDuplicate(r->u, &r->tu));
  }
  PetscCall(PCSetType(pc, PCSHELL));
  PetscCall(PCShellSetName(pc, "adasketch_reduced_space"));
  PetscCall(PCShellSetContext(pc, r));
  PetscCall(PCShellSetApply(pc, ApplyReduced));
  PetscCall(PCShellSetView(pc, ViewReduced));
  PetscFunctionReturn(0);
}

PetscErrorCode ReducedPCDestroy(ReducedPC **ctx)
{
  ReducedPC *r = *ctx;
  PetscFunctionBegin;
  if (!r) PetscFunctionReturn(0);
  PetscCall(DestroyBlocks(r));
  if (r->stateT != r->state) PetscCall(KSPDestroy(&r->stateT));
  PetscCall(KSPDestroy(&r->state));
  PetscCall(KSPDestroy(&r->control));
  for (IS *is : {&r->ky, &r->ku, &r->kl}) PetscCall(ISDestroy(is));
  for (Vec *v : {&r->y0, &r->y, &r->ty, &r->l, &r->tc, &r->u, &r->tu}) PetscCall(VecDestroy(v));
  delete r;
  *ctx = nullptr;
  PetscFunctionReturn(0);
}

} // namespace adasketch
} // namespace petal
