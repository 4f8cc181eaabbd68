// The TAO adapter of petal-control (control_nlp.hpp).
#include "control_nlp.hpp"
#include <petal/adasketch.h>
#include <algorithm>

namespace petal::control {
namespace {
enum class Rows { SAME, STATE, CONTROL };
}

ControlNLP::~ControlNLP()
{
  for (Vec *v : {&x, &c, &lambda, &y_, &u_, &gy_, &gu_, &xl_, &xu_}) (void)VecDestroy(v);
  (void)MatDestroy(&G);
  (void)MatDestroy(&H);
}

PetscInt ControlNLP::Map(PetscInt j, bool control) const
{
  const PetscInt p = (PetscInt)(std::upper_bound(ranges_.begin(), ranges_.end(), j) - ranges_.begin()) - 1;
  return j + (control ? ranges_[p + 1] : ranges_[p]);
}

PetscErrorCode ControlNLP::Setup()
{
  MPI_Comm        comm;
  PetscMPIInt     rank;
  const PetscInt *r;
  PetscInt        N;
  Mat             Jy, Hyy;

  PetscFunctionBegin;
  PetscCall(PetscObjectGetComm((PetscObject)disc_->dm, &comm));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  rank_ = rank;
  PetscCall(DMCreateGlobalVector(disc_->dm, &c));
  PetscCall(PetscObjectSetName((PetscObject)c, "constraint"));
  PetscCall(VecDuplicate(c, &lambda));
  PetscCall(VecGetLocalSize(c, &nlocal_));
  PetscCall(VecGetSize(c, &N));
  PetscCall(VecGetOwnershipRanges(c, &r));
  PetscMPIInt size;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  ranges_.assign(r, r + size + 1);
  for (Vec *v : {&y_, &u_, &gy_, &gu_}) PetscCall(VecCreateMPIWithArray(comm, 1, nlocal_, N, NULL, v));
  PetscCall(VecCreateMPI(comm, 2 * nlocal_, 2 * N, &x));
  PetscCall(PetscObjectSetName((PetscObject)x, "x"));
  PetscCall(VecDuplicate(x, &xl_));
  PetscCall(VecDuplicate(x, &xu_));
  PetscCall(VecSet(xl_, PETSC_NINFINITY));
  PetscCall(VecSet(xu_, PETSC_INFINITY));

  // Sparsity: the blocks at y = 0 (their patterns do not depend on y).
  PetscCall(VecSet(lambda, 0.0));
  PetscCall(disc_->JacobianState(lambda, &Jy));
  PetscCall(disc_->HessianState(lambda, NULL, &Hyy));
  std::vector<PetscInt> gd(nlocal_, 0), go(nlocal_, 0), hd(2 * nlocal_, 0), ho(2 * nlocal_, 0);
  auto count = [&](Mat src, PetscInt rowOffset, std::vector<PetscInt> &d, std::vector<PetscInt> &o) -> PetscErrorCode {
    PetscInt        rs, re, nc;
    const PetscInt *cols;
    PetscFunctionBegin;
    PetscCall(MatGetOwnershipRange(src, &rs, &re));
    for (PetscInt i = rs; i < re; ++i) {
      PetscCall(MatGetRow(src, i, &nc, &cols, NULL));
      for (PetscInt k = 0; k < nc; ++k) (cols[k] >= rs && cols[k] < re ? d : o)[rowOffset + i - rs]++;
      PetscCall(MatRestoreRow(src, i, &nc, &cols, NULL));
    }
    PetscFunctionReturn(0);
  };
  PetscCall(count(Jy, 0, gd, go));
  PetscCall(count(disc_->JacobianControl(), 0, gd, go));
  PetscCall(count(Hyy, 0, hd, ho));
  PetscCall(count(disc_->HessianControl(), nlocal_, hd, ho));
  PetscCall(MatCreate(comm, &G));
  PetscCall(MatSetSizes(G, nlocal_, 2 * nlocal_, N, 2 * N));
  PetscCall(MatSetType(G, MATAIJ));
  PetscCall(MatXAIJSetPreallocation(G, 1, gd.data(), go.data(), NULL, NULL));
  PetscCall(MatSetOption(G, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  PetscCall(MatCreate(comm, &H));
  PetscCall(MatSetSizes(H, 2 * nlocal_, 2 * nlocal_, 2 * N, 2 * N));
  PetscCall(MatSetType(H, MATAIJ));
  PetscCall(MatXAIJSetPreallocation(H, 1, hd.data(), ho.data(), NULL, NULL));
  PetscCall(MatSetOption(H, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  PetscCall(MatSetOption(H, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(MatSetOption(H, MAT_SYMMETRY_ETERNAL, PETSC_TRUE));
  PetscCall(FillG(lambda));
  PetscCall(FillH(lambda, NULL));
  PetscFunctionReturn(0);
}

// dst rows/cols from src's local rows; rows: SAME (dst row = src row), STATE or CONTROL (x layout).
PetscErrorCode ControlNLP::CopyBlock(Mat src, Mat dst, bool rowControl, bool colControl)
{
  PetscInt           rs, re, nc;
  const PetscInt    *cols;
  const PetscScalar *vals;
  std::vector<PetscInt> mapped;
  const bool         sameRows = dst == G;
  PetscFunctionBegin;
  PetscCall(MatGetOwnershipRange(src, &rs, &re));
  for (PetscInt i = rs; i < re; ++i) {
    PetscCall(MatGetRow(src, i, &nc, &cols, &vals));
    mapped.resize(nc);
    for (PetscInt k = 0; k < nc; ++k) mapped[k] = Map(cols[k], colControl);
    const PetscInt row = sameRows ? i : Map(i, rowControl);
    PetscCall(MatSetValues(dst, 1, &row, nc, mapped.data(), vals, INSERT_VALUES));
    PetscCall(MatRestoreRow(src, i, &nc, &cols, &vals));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ControlNLP::FillG(Vec y)
{
  Mat Jy;
  PetscFunctionBegin;
  PetscCall(disc_->JacobianState(y, &Jy));
  PetscCall(CopyBlock(Jy, G, false, false));
  PetscCall(CopyBlock(disc_->JacobianControl(), G, false, true));
  PetscCall(MatAssemblyBegin(G, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(G, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

PetscErrorCode ControlNLP::FillH(Vec y, Vec lam)
{
  Mat Hyy;
  PetscFunctionBegin;
  PetscCall(disc_->HessianState(y, lam, &Hyy));
  PetscCall(CopyBlock(Hyy, H, false, false));
  PetscCall(CopyBlock(disc_->HessianControl(), H, true, true));
  PetscCall(MatAssemblyBegin(H, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(H, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

PetscErrorCode ControlNLP::Split(Vec X, Vec *y, Vec *u)
{
  PetscFunctionBegin;
  PetscCheck(!splitOf_, PETSC_COMM_SELF, PETSC_ERR_ORDER, "petal-control: nested Split of the variables");
  PetscCall(VecGetArrayRead(X, &splitArray_));
  PetscCall(VecPlaceArray(y_, splitArray_));
  PetscCall(VecPlaceArray(u_, splitArray_ + nlocal_));
  splitOf_ = X;
  *y       = y_;
  *u       = u_;
  PetscFunctionReturn(0);
}

PetscErrorCode ControlNLP::Restore(Vec X)
{
  PetscFunctionBegin;
  PetscCheck(splitOf_ == X, PETSC_COMM_SELF, PETSC_ERR_ORDER, "petal-control: Restore of a Vec that was not split");
  PetscCall(VecResetArray(y_));
  PetscCall(VecResetArray(u_));
  PetscCall(VecRestoreArrayRead(X, &splitArray_));
  splitOf_ = nullptr;
  PetscFunctionReturn(0);
}

PetscErrorCode ControlNLP::FormObjectiveGradient(Tao, Vec X, PetscReal *f, Vec g, void *ctx)
{
  auto        *self = static_cast<ControlNLP *>(ctx);
  Vec          y, u;
  PetscScalar *ga;
  PetscFunctionBegin;
  PetscCall(self->Split(X, &y, &u));
  PetscCall(VecGetArray(g, &ga));
  PetscCall(VecPlaceArray(self->gy_, ga));
  PetscCall(VecPlaceArray(self->gu_, ga + self->nlocal_));
  PetscCall(self->disc_->Objective(y, u, f, self->gy_, self->gu_));
  PetscCall(VecResetArray(self->gy_));
  PetscCall(VecResetArray(self->gu_));
  PetscCall(VecRestoreArray(g, &ga));
  PetscCall(self->Restore(X));
  PetscFunctionReturn(0);
}

PetscErrorCode ControlNLP::FormConstraints(Tao, Vec X, Vec c, void *ctx)
{
  auto *self = static_cast<ControlNLP *>(ctx);
  Vec   y, u;
  PetscFunctionBegin;
  PetscCall(self->Split(X, &y, &u));
  PetscCall(self->disc_->Constraints(y, u, c));
  PetscCall(self->Restore(X));
  PetscFunctionReturn(0);
}

PetscErrorCode ControlNLP::FormJacobian(Tao, Vec X, Mat, Mat, void *ctx)
{
  auto *self = static_cast<ControlNLP *>(ctx);
  Vec   y, u;
  PetscFunctionBegin;
  PetscCall(self->Split(X, &y, &u));
  PetscCall(self->FillG(y));
  PetscCall(self->Restore(X));
  PetscFunctionReturn(0);
}

PetscErrorCode ControlNLP::FormHessian(Tao tao, Vec X, Mat, Mat, void *ctx)
{
  auto *self = static_cast<ControlNLP *>(ctx);
  Vec   y, u, DE = nullptr, DI = nullptr;
  PetscFunctionBegin;
  PetscCall(TaoGetDualVariables(tao, &DE, &DI));
  PetscCall(self->Split(X, &y, &u));
  PetscCall(self->FillH(y, DE));
  PetscCall(self->Restore(X));
  PetscFunctionReturn(0);
}

PetscErrorCode ControlNLP::Attach(Tao tao)
{
  PetscFunctionBegin;
  PetscCall(TaoSetSolution(tao, x));
  PetscCall(TaoSetObjectiveAndGradient(tao, NULL, FormObjectiveGradient, this));
  PetscCall(TaoSetEqualityConstraintsRoutine(tao, c, FormConstraints, this));
  PetscCall(TaoSetJacobianEqualityRoutine(tao, G, G, FormJacobian, this));
  PetscCall(TaoSetHessian(tao, H, H, FormHessian, this));
  // The state block of x (each rank's first nlocal_ entries): adasketch's reduced-space KKT preconditioner
  // eliminates through dc/dy; a no-op for other TAO types.
  IS       state;
  PetscInt xstart;
  PetscCall(VecGetOwnershipRange(x, &xstart, NULL));
  PetscCall(ISCreateStride(PetscObjectComm((PetscObject)x), nlocal_, xstart, 1, &state));
  PetscCall(TaoAdaSketchSetStateIS(tao, state));
  PetscCall(ISDestroy(&state));
  PetscFunctionReturn(0);
}

PetscErrorCode ControlNLP::KKT(Vec X, Vec lam, PetscReal *f, PetscReal *gradLNorm, PetscReal *cNorm)
{
  Vec g, cw, y, u;
  Mat Jy;
  PetscFunctionBegin;
  PetscCall(VecDuplicate(X, &g));
  PetscCall(VecDuplicate(c, &cw));
  PetscCall(FormObjectiveGradient(NULL, X, f, g, this));
  PetscCall(FormConstraints(NULL, X, cw, this));
  PetscCall(VecNorm(cw, NORM_2, cNorm));
  if (lam) { // grad_x L = grad f + G^T lambda, by blocks
    PetscScalar *ga;
    PetscCall(Split(X, &y, &u));
    PetscCall(disc_->JacobianState(y, &Jy));
    PetscCall(Restore(X));
    PetscCall(VecGetArray(g, &ga));
    PetscCall(VecPlaceArray(gy_, ga));
    PetscCall(VecPlaceArray(gu_, ga + nlocal_));
    PetscCall(MatMultTransposeAdd(Jy, lam, gy_, gy_));
    PetscCall(MatMultTransposeAdd(disc_->JacobianControl(), lam, gu_, gu_));
    PetscCall(VecResetArray(gy_));
    PetscCall(VecResetArray(gu_));
    PetscCall(VecRestoreArray(g, &ga));
  }
  PetscCall(VecNorm(g, NORM_2, gradLNorm));
  PetscCall(VecDestroy(&g));
  PetscCall(VecDestroy(&cw));
  PetscFunctionReturn(0);
}

PetscErrorCode ControlNLP::AttachBounds(Tao tao)
{
  PetscFunctionBegin;
  PetscCall(TaoSetVariableBounds(tao, xl_, xu_));
  PetscFunctionReturn(0);
}

} // namespace petal::control
