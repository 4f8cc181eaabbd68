#pragma once
// The Kokkos bridge: PETSc Vec/Mat data as Kokkos Views in the default execution space's memory space.
//
// PETSc (as built on Debian) keeps its arrays on the host. When petal's memory space is the host, the
// views alias PETSc's arrays (no copy); when it is a device (a Kokkos built for CUDA/HIP), they are
// explicit mirrors and the copies happen here, at the boundary, and nowhere else. Kernels only ever see
// views in MemSpace, never host pointers.
#include <petscmat.h>
#include <petal/kokkos_spaces.hpp>
#include <KokkosSparse_CrsMatrix.hpp>

namespace petal {
using VectorView      = Kokkos::View<PetscScalar *, MemSpace>;
using ConstVectorView = Kokkos::View<const PetscScalar *, MemSpace>;
using CrsMatrix       = KokkosSparse::CrsMatrix<PetscScalar, PetscInt, Device, void, PetscInt>;

// Local entries of a Vec, readable in MemSpace. Pair every Get with a Restore.
PetscErrorCode VecGetKokkosViewRead(Vec v, ConstVectorView *view);
PetscErrorCode VecRestoreKokkosViewRead(Vec v, ConstVectorView *view);
// Local entries of a Vec, writable in MemSpace; Restore copies device data back into the Vec.
// With overwrite = true the current values are not copied to the device first (write-only use).
PetscErrorCode VecGetKokkosViewWrite(Vec v, VectorView *view, bool overwrite = false);
PetscErrorCode VecRestoreKokkosViewWrite(Vec v, VectorView *view);

// The local rows of a SeqAIJ or MPIAIJ matrix as Kokkos CrsMatrix blocks, following PETSc's split:
// `diag` couples owned rows to owned columns (local numbering), `offdiag` couples them to ghost columns
// (numbered 0..nghost-1; ghost j is global column garray[j]). For SeqAIJ, offdiag is empty.
// y = A x is diag * x_owned + offdiag * x_ghost; Mult() does exactly that, ghost exchange included.
class KokkosAIJ {
public:
  KokkosAIJ() = default;
  KokkosAIJ(const KokkosAIJ &)            = delete;
  KokkosAIJ &operator=(const KokkosAIJ &) = delete;
  ~KokkosAIJ();

  // Copies A's structure and values. A must be assembled.
  PetscErrorCode Create(Mat A);
  // Re-copies values after A changed with the same nonzero pattern (e.g. A_t in a time loop).
  PetscErrorCode UpdateValues(Mat A);
  // y = A x through Kokkos Kernels' spmv.
  PetscErrorCode Mult(Vec x, Vec y);
  // y_owned = diag * x_owned + offdiag * x_ghost, all views in MemSpace (the kernel behind Mult).
  void Apply(ConstVectorView x_owned, ConstVectorView x_ghost, VectorView y) const;
  // Fills the ghost values of x (global Vec) into the ghost buffer and returns them as a view in MemSpace
  // (empty for SeqAIJ). Pair with RestoreGhosts once the view is no longer used.
  PetscErrorCode UpdateGhosts(Vec x, ConstVectorView *x_ghost);
  PetscErrorCode RestoreGhosts(ConstVectorView *x_ghost);

  CrsMatrix diag, offdiag;
  PetscInt  nghost = 0;

private:
  PetscErrorCode Destroy();
  Vec        ghost_   = nullptr; // sequential ghost values
  VecScatter scatter_ = nullptr; // global -> ghost
  Mat        diagMat_ = nullptr, offdiagMat_ = nullptr; // not owned: the blocks inside A
};
} // namespace petal
