// Finite differences on a voxel grid (DMDA): the 5-point (2-D) or 7-point (3-D) stencil of
// -div(a grad u) with harmonic-mean face coefficients. Interior cells are unknowns; solid cells are
// insulated obstacles (no flux through their faces); Dirichlet cells and the ring just outside the grid
// hold u = 0. Non-interior rows of K are empty (diagonal stored as 0), so A = I + cK is the identity
// there and the system stays symmetric positive definite for CG.
#include "heat_discretization.hpp"
#include <petal/mesh.h>
#include <petscdmda.h>
#include <petscviewerhdf5.h>
#include <sstream>

namespace petal::heat {
namespace {

class FiniteDifference : public Discretization {
public:
  ~FiniteDifference() override
  {
    (void)VecDestroy(&cellType_);
    (void)VecDestroy(&coefficient_);
  }
  const char *Name() const override { return "finite differences (voxel grid, DMDA)"; }

  PetscErrorCode Setup(MPI_Comm comm, const char *meshFile, PetscInt nx, PetscInt d)
  {
    PetscFunctionBegin;
    if (meshFile && meshFile[0]) {
      PetscCall(PetalVoxelGridLoad(comm, meshFile, &dm, &cellType_, &coefficient_));
      PetscCall(PetalVoxelGridReadInfo(comm, meshFile, &info_));
    } else {
      // The unit square/cube with nx intervals and u = 0 on its boundary: the paper's vertex grid.
      PetscCheck(nx >= 2, comm, PETSC_ERR_ARG_OUTOFRANGE, "-heat_nx must be at least 2, got %" PetscInt_FMT, nx);
      PetscCheck(d == 2 || d == 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "-heat_dim must be 2 or 3, got %" PetscInt_FMT, d);
      info_     = PetalVoxelGridInfo{};
      info_.dim = d;
      for (PetscInt i = 0; i < 3; ++i) {
        info_.shape[i]   = i < d ? nx - 1 : 1;
        info_.spacing[i] = i < d ? 1.0 / nx : 1.0;
        info_.origin[i]  = i < d ? 0.5 / nx : 0.0;
      }
      PetscCall(PetalVoxelGridCreateDA(comm, &info_, &dm));
      PetscCall(DMCreateGlobalVector(dm, &cellType_));
      PetscCall(VecSet(cellType_, PETAL_CELL_INTERIOR));
    }
    dim = info_.dim;
    PetscCall(PetscObjectSetName((PetscObject)cellType_, "cell_type"));
    if (coefficient_) {
      PetscCall(PetscObjectSetName((PetscObject)coefficient_, "coefficient"));
      PetscCall(VecMin(coefficient_, NULL, &coefMin_));
      PetscCall(VecMax(coefficient_, NULL, &coefMax_));
    }
    PetscCall(VecGetSize(cellType_, &ndofs));
    PetscCall(AssembleStiffness());
    PetscFunctionReturn(0);
  }

  PetscErrorCode Initial(Vec u) override { return FillInterior(u, [this](const PetscReal *x) { return heat::Initial(preset, dim, x); }); }
  PetscErrorCode Load(PetscReal t, Vec F) override { return FillInterior(F, [this, t](const PetscReal *x) { return Source(preset, dim, t, x); }); }

  PetscErrorCode ErrorL2(PetscReal t, Vec u, PetscReal *err) override
  {
    Vec e;
    PetscFunctionBegin;
    PetscCall(VecDuplicate(u, &e));
    PetscCall(FillInterior(e, [this, t](const PetscReal *x) { return Exact(dim, t, x); }));
    PetscCall(VecAXPY(e, -1.0, u));
    PetscCall(VecNorm(e, NORM_2, err));
    PetscReal cellVolume = 1;
    for (PetscInt i = 0; i < dim; ++i) cellVolume *= info_.spacing[i];
    *err *= std::sqrt(cellVolume);
    PetscCall(VecDestroy(&e));
    PetscFunctionReturn(0);
  }

  std::vector<Vec> StaticFields() const override
  {
    std::vector<Vec> v{cellType_};
    if (coefficient_) v.push_back(coefficient_);
    return v;
  }

  PetscErrorCode View(PetscViewer viewer) const override
  {
    PetscFunctionBegin;
    PetscCall(Discretization::View(viewer));
    PetscCall(PetscViewerASCIIPrintf(viewer, "grid %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT " cells, spacing %g, coefficient %s\n", info_.shape[0], info_.shape[1], info_.shape[2], (double)info_.spacing[0], coefficient_ ? "per cell" : "1"));
    PetscFunctionReturn(0);
  }

private:
  PetscReal Centre(int d) const { return info_.origin[d] + 0.5 * info_.spacing[d]; }

  // v = g(x) at interior cell centres, 0 elsewhere.
  template <class G>
  PetscErrorCode FillInterior(Vec v, G g)
  {
    PetscInt           xs, ys, zs, xm, ym, zm;
    PetscScalar       *a;
    const PetscScalar *type;
    PetscFunctionBegin;
    PetscCall(DMDAGetCorners(dm, &xs, &ys, &zs, &xm, &ym, &zm));
    PetscCall(VecGetArray(v, &a));
    PetscCall(VecGetArrayRead(cellType_, &type));
    PetscInt l = 0;
    for (PetscInt k = zs; k < zs + zm; ++k)
      for (PetscInt j = ys; j < ys + ym; ++j)
        for (PetscInt i = xs; i < xs + xm; ++i, ++l) {
          const PetscReal x[3] = {info_.origin[0] + (i + 0.5) * info_.spacing[0], info_.origin[1] + (j + 0.5) * info_.spacing[1], info_.origin[2] + (k + 0.5) * info_.spacing[2]};
          a[l]                 = type[l] == PETAL_CELL_INTERIOR ? g(x) : 0.0;
        }
    PetscCall(VecRestoreArrayRead(cellType_, &type));
    PetscCall(VecRestoreArray(v, &a));
    PetscFunctionReturn(0);
  }

  PetscErrorCode AssembleStiffness()
  {
    Vec                typeLocal, coefLocal = nullptr;
    const PetscScalar *type, *coef = nullptr;
    PetscInt           xs, ys, zs, xm, ym, zm, gxs, gys, gzs, gxm, gym, gzm;
    const PetscInt     n[3] = {info_.shape[0], info_.shape[1], info_.shape[2]};

    PetscFunctionBegin;
    PetscCall(DMCreateMatrix(dm, &K));
    PetscCall(MatSetOption(K, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
    PetscCall(DMGetLocalVector(dm, &typeLocal));
    PetscCall(DMGlobalToLocal(dm, cellType_, INSERT_VALUES, typeLocal));
    PetscCall(VecGetArrayRead(typeLocal, &type));
    if (coefficient_) {
      PetscCall(DMGetLocalVector(dm, &coefLocal));
      PetscCall(DMGlobalToLocal(dm, coefficient_, INSERT_VALUES, coefLocal));
      PetscCall(VecGetArrayRead(coefLocal, &coef));
    }
    PetscCall(DMDAGetCorners(dm, &xs, &ys, &zs, &xm, &ym, &zm));
    PetscCall(DMDAGetGhostCorners(dm, &gxs, &gys, &gzs, &gxm, &gym, &gzm));
    auto local = [&](PetscInt i, PetscInt j, PetscInt k) { return ((k - gzs) * gym + (j - gys)) * gxm + (i - gxs); };
    for (PetscInt k = zs; k < zs + zm; ++k)
      for (PetscInt j = ys; j < ys + ym; ++j)
        for (PetscInt i = xs; i < xs + xm; ++i) {
          MatStencil  row = {k, j, i, 0}, cols[7];
          PetscScalar vals[7];
          PetscInt    nc = 1;
          cols[0] = row;
          vals[0] = 0.0;
          const PetscInt p = local(i, j, k);
          if ((PetscInt)type[p] == PETAL_CELL_INTERIOR) {
            const PetscReal aP = coef ? coef[p] : 1.0;
            for (PetscInt d = 0; d < dim; ++d) {
              const PetscReal invh2 = 1.0 / (info_.spacing[d] * info_.spacing[d]);
              for (PetscInt s = -1; s <= 1; s += 2) {
                PetscInt q[3] = {i, j, k};
                q[d] += s;
                if (q[d] < 0 || q[d] >= n[d]) { // ghost ring: u = 0 one cell out
                  vals[0] += aP * invh2;
                  continue;
                }
                const PetscInt  nq = local(q[0], q[1], q[2]);
                const PetscInt  tq = (PetscInt)type[nq];
                if (tq == PETAL_CELL_SOLID) continue; // insulated face
                const PetscReal aQ = coef ? coef[nq] : 1.0;
                const PetscReal w  = 2.0 * aP * aQ / (aP + aQ) * invh2;
                vals[0] += w;
                if (tq == PETAL_CELL_INTERIOR) {
                  cols[nc] = {q[2], q[1], q[0], 0};
                  vals[nc] = -w;
                  ++nc;
                }
              }
            }
          }
          PetscCall(MatSetValuesStencil(K, 1, &row, nc, cols, vals, INSERT_VALUES));
        }
    PetscCall(MatAssemblyBegin(K, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(K, MAT_FINAL_ASSEMBLY));
    PetscCall(VecRestoreArrayRead(typeLocal, &type));
    PetscCall(DMRestoreLocalVector(dm, &typeLocal));
    if (coefLocal) {
      PetscCall(VecRestoreArrayRead(coefLocal, &coef));
      PetscCall(DMRestoreLocalVector(dm, &coefLocal));
    }
    PetscFunctionReturn(0);
  }

  std::string ScaleHint() const override
  {
    std::ostringstream s;
    s << " The grid spacing is " << info_.spacing[0];
    if (coefficient_) s << " and the coefficient ranges over [" << coefMin_ << ", " << coefMax_ << "]: rescale it";
    return s.str() + ".";
  }

  PetalVoxelGridInfo info_{};
  PetscReal          coefMin_ = 1, coefMax_ = 1;
  Vec                cellType_    = nullptr;
  Vec                coefficient_ = nullptr;
};
} // namespace

PetscErrorCode CreateFiniteDifference(MPI_Comm comm, const char *meshFile, PetscInt nx, PetscInt d, Preset p, std::unique_ptr<Discretization> *disc)
{
  PetscFunctionBegin;
  auto fd    = std::make_unique<FiniteDifference>();
  fd->preset = p;
  PetscCall(fd->Setup(comm, meshFile, nx, d));
  *disc = std::move(fd);
  PetscFunctionReturn(0);
}
} // namespace petal::heat
