#include <petal/kokkos_bridge.hpp>
#include <petal/petal.h>
#include <KokkosSparse_spmv.hpp>

namespace petal {

PetscErrorCode VecGetKokkosViewRead(Vec v, ConstVectorView *view)
{
  const PetscScalar *a;
  PetscInt           n;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetArrayRead(v, &a));
  HostUnmanaged<const PetscScalar> host(a, n);
  if constexpr (kMemSpaceIsHost) {
    *view = host; // alias; the array stays checked out until Restore
  } else {
    PetscCall(PetscLogEventBegin(PETAL_BridgeMirror, v, 0, 0, 0));
    *view = Kokkos::create_mirror_view_and_copy(MemSpace(), host);
    PetscCall(PetscLogEventEnd(PETAL_BridgeMirror, v, 0, 0, 0));
  }
  if constexpr (!kMemSpaceIsHost) PetscCall(VecRestoreArrayRead(v, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode VecRestoreKokkosViewRead(Vec v, ConstVectorView *view)
{
  PetscFunctionBegin;
  if constexpr (kMemSpaceIsHost) {
    const PetscScalar *a = view->data();
    PetscCall(VecRestoreArrayRead(v, &a));
  }
  *view = ConstVectorView();
  PetscFunctionReturn(0);
}

PetscErrorCode VecGetKokkosViewWrite(Vec v, VectorView *view, bool overwrite)
{
  PetscScalar *a;
  PetscInt     n;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetArray(v, &a));
  HostUnmanaged<PetscScalar> host(a, n);
  if constexpr (kMemSpaceIsHost) {
    *view = host;
  } else {
    PetscCall(PetscLogEventBegin(PETAL_BridgeMirror, v, 0, 0, 0));
    VectorView dev(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::VecView"), n);
    if (!overwrite) Kokkos::deep_copy(dev, host);
    *view = dev;
    PetscCall(PetscLogEventEnd(PETAL_BridgeMirror, v, 0, 0, 0));
    PetscCall(VecRestoreArray(v, &a));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode VecRestoreKokkosViewWrite(Vec v, VectorView *view)
{
  PetscScalar *a;

  PetscFunctionBegin;
  if constexpr (kMemSpaceIsHost) {
    a = view->data();
    PetscCall(VecRestoreArray(v, &a));
  } else {
    PetscInt n;
    PetscCall(PetscLogEventBegin(PETAL_BridgeMirror, v, 0, 0, 0));
    PetscCall(VecGetLocalSize(v, &n));
    PetscCall(VecGetArray(v, &a));
    Kokkos::deep_copy(HostUnmanaged<PetscScalar>(a, n), *view);
    PetscCall(VecRestoreArray(v, &a));
    PetscCall(PetscLogEventEnd(PETAL_BridgeMirror, v, 0, 0, 0));
  }
  *view = VectorView();
  PetscFunctionReturn(0);
}

namespace {
// Copies one SeqAIJ block into a CrsMatrix with ncols columns (structure and values).
PetscErrorCode SeqAIJToCrs(Mat B, PetscInt ncols, CrsMatrix *K)
{
  const PetscInt    *ia, *ja;
  const PetscScalar *aa;
  PetscInt           m;
  PetscBool          done;

  PetscFunctionBegin;
  PetscCall(MatGetRowIJ(B, 0, PETSC_FALSE, PETSC_FALSE, &m, &ia, &ja, &done));
  PetscCheck(done, PetscObjectComm((PetscObject)B), PETSC_ERR_SUP, "petal bridge: cannot get the CSR structure of this matrix block");
  const PetscInt nrows = m, nnz = ia[m]; // MatRestoreRowIJ resets m
  Kokkos::View<PetscInt *, MemSpace>    rowmap("petal::rowmap", nrows + 1);
  Kokkos::View<PetscInt *, MemSpace>    cols("petal::cols", nnz);
  Kokkos::View<PetscScalar *, MemSpace> vals("petal::vals", nnz);
  Kokkos::deep_copy(rowmap, HostUnmanaged<const PetscInt>(ia, nrows + 1));
  Kokkos::deep_copy(cols, HostUnmanaged<const PetscInt>(ja, nnz));
  PetscCall(MatRestoreRowIJ(B, 0, PETSC_FALSE, PETSC_FALSE, &m, &ia, &ja, &done));
  PetscCall(MatSeqAIJGetArrayRead(B, &aa));
  Kokkos::deep_copy(vals, HostUnmanaged<const PetscScalar>(aa, nnz));
  PetscCall(MatSeqAIJRestoreArrayRead(B, &aa));
  *K = CrsMatrix("petal::CrsMatrix", nrows, ncols, nnz, vals, rowmap, cols);
  PetscFunctionReturn(0);
}

PetscErrorCode SplitBlocks(Mat A, Mat *Ad, Mat *Ao, const PetscInt **garray)
{
  PetscBool isMPI, isSeq;

  PetscFunctionBegin;
  PetscCall(PetscObjectBaseTypeCompare((PetscObject)A, MATMPIAIJ, &isMPI));
  PetscCall(PetscObjectBaseTypeCompare((PetscObject)A, MATSEQAIJ, &isSeq));
  if (!isMPI && !isSeq) {
    MatType type;
    PetscCall(MatGetType(A, &type));
    SETERRQ(PetscObjectComm((PetscObject)A), PETSC_ERR_SUP, "petal bridge supports SeqAIJ and MPIAIJ matrices, not %s", type);
  }
  *Ao     = nullptr;
  *garray = nullptr;
  if (isMPI) PetscCall(MatMPIAIJGetSeqAIJ(A, Ad, Ao, garray));
  else *Ad = A;
  PetscFunctionReturn(0);
}
} // namespace

KokkosAIJ::~KokkosAIJ() { (void)Destroy(); }

PetscErrorCode KokkosAIJ::Destroy()
{
  PetscFunctionBegin;
  PetscCall(VecDestroy(&ghost_));
  PetscCall(VecScatterDestroy(&scatter_));
  diagMat_ = offdiagMat_ = nullptr;
  nghost                 = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosAIJ::Create(Mat A)
{
  const PetscInt *garray;
  PetscInt        nlocal;

  PetscFunctionBegin;
  PetscCall(Destroy());
  PetscCall(SplitBlocks(A, &diagMat_, &offdiagMat_, &garray));
  PetscCall(MatGetLocalSize(A, NULL, &nlocal));
  PetscCall(SeqAIJToCrs(diagMat_, nlocal, &diag));
  if (offdiagMat_) {
    PetscCall(MatGetSize(offdiagMat_, NULL, &nghost)); // MPIAIJ compacts B's columns to the ghosts
    PetscCall(SeqAIJToCrs(offdiagMat_, nghost, &offdiag));
    Vec x;
    IS  from;
    PetscCall(MatCreateVecs(A, &x, NULL));
    PetscCall(VecCreateSeq(PETSC_COMM_SELF, nghost, &ghost_));
    PetscCall(ISCreateGeneral(PETSC_COMM_SELF, nghost, garray, PETSC_COPY_VALUES, &from));
    PetscCall(VecScatterCreate(x, from, ghost_, NULL, &scatter_));
    PetscCall(ISDestroy(&from));
    PetscCall(VecDestroy(&x));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosAIJ::UpdateValues(Mat A)
{
  PetscFunctionBegin;
  // Structure is unchanged, so only the value arrays are refreshed.
  Mat                blocks[2] = {diagMat_, offdiagMat_};
  CrsMatrix         *mats[2]   = {&diag, &offdiag};
  const PetscInt    *garray;
  const PetscScalar *aa;
  PetscCall(SplitBlocks(A, &blocks[0], &blocks[1], &garray));
  for (int b = 0; b < 2; ++b) {
    if (!blocks[b]) continue;
    PetscInt nnz = mats[b]->nnz();
    PetscCall(MatSeqAIJGetArrayRead(blocks[b], &aa));
    Kokkos::deep_copy(mats[b]->values, HostUnmanaged<const PetscScalar>(aa, nnz));
    PetscCall(MatSeqAIJRestoreArrayRead(blocks[b], &aa));
  }
  diagMat_    = blocks[0];
  offdiagMat_ = blocks[1];
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosAIJ::UpdateGhosts(Vec x, ConstVectorView *x_ghost)
{
  PetscFunctionBegin;
  *x_ghost = ConstVectorView();
  if (!scatter_) PetscFunctionReturn(0);
  PetscCall(VecScatterBegin(scatter_, x, ghost_, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(scatter_, x, ghost_, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecGetKokkosViewRead(ghost_, x_ghost));
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosAIJ::RestoreGhosts(ConstVectorView *x_ghost)
{
  PetscFunctionBegin;
  if (scatter_) PetscCall(VecRestoreKokkosViewRead(ghost_, x_ghost));
  *x_ghost = ConstVectorView();
  PetscFunctionReturn(0);
}

void KokkosAIJ::Apply(ConstVectorView x_owned, ConstVectorView x_ghost, VectorView y) const
{
  KokkosSparse::spmv("N", PetscScalar(1), diag, x_owned, PetscScalar(0), y);
  if (nghost > 0) KokkosSparse::spmv("N", PetscScalar(1), offdiag, x_ghost, PetscScalar(1), y);
}

PetscErrorCode KokkosAIJ::Mult(Vec x, Vec y)
{
  ConstVectorView xv, gv;
  VectorView      yv;

  PetscFunctionBegin;
  PetscCall(UpdateGhosts(x, &gv));
  PetscCall(VecGetKokkosViewRead(x, &xv));
  PetscCall(VecGetKokkosViewWrite(y, &yv, true));
  PetscCall(PetscLogEventBegin(PETAL_BridgeSpMV, 0, 0, 0, 0));
  Apply(xv, gv, yv);
  Kokkos::fence();
  PetscCall(PetscLogFlops(2.0 * (diag.nnz() + (nghost > 0 ? offdiag.nnz() : 0))));
  PetscCall(PetscLogEventEnd(PETAL_BridgeSpMV, 0, 0, 0, 0));
  PetscCall(VecRestoreKokkosViewWrite(y, &yv));
  PetscCall(VecRestoreKokkosViewRead(x, &xv));
  PetscCall(RestoreGhosts(&gv));
  PetscFunctionReturn(0);
}
} // namespace petal
