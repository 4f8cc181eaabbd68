// Finite differences on a voxel grid (DMDA), exactly as include/petal/control_problem.hpp states them. Unknowns
// are the cells (centres origin + (i + 1/2) h); the state is fixed to 0 in every cell that is not interior
// (solid or Dirichlet) and beyond the grid edge, so a cell row of A couples only interior neighbours.
//   semilinear: f = V [1/2 sum_int (y - y_d)^2 + alpha/2 sum u^2],  c_i = (A y)_i + y_i^3 - u_i - f_i (interior),
//               V the cell volume, A = -Delta_h (1/h_d^2 per direction);
//   paper:      f = 1/2 sum_int (w - w_t)^2 + 0.05 sum z^2,  c_i = -(A w)_i + z_i = (Delta_h w + z)_i, h = 2/(N+1),
//               on an N^D grid (the reference code's problem; its target from PaperTarget/PaperTarget3).
// Cells that are not interior carry the constraint c_i = y_i (so y_i = 0, lambda_i = 0) and the control term only
// (so u_i = 0 at the optimum): the layout stays one (y, u) pair per cell.
#include "control_discretization.hpp"
#include <petal/control_problem.hpp>
#include <petal/mesh.h>
#include <petscdmda.h>
#include <sstream>

namespace petal::control {
namespace {

PetscErrorCode CreateDiagonal(DM dm, Mat *D)
{
  Vec      v;
  PetscInt n, N;
  MPI_Comm comm;
  PetscFunctionBegin;
  PetscCall(PetscObjectGetComm((PetscObject)dm, &comm));
  PetscCall(DMCreateGlobalVector(dm, &v));
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetSize(v, &N));
  PetscCall(MatCreateAIJ(comm, n, n, N, N, 1, NULL, 0, NULL, D));
  PetscCall(MatSetOption(*D, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  PetscCall(VecSet(v, 0.0));
  PetscCall(MatDiagonalSet(*D, v, INSERT_VALUES)); // every diagonal entry stored, zeros included
  PetscCall(VecDestroy(&v));
  PetscFunctionReturn(0);
}

class FiniteDifference : public Discretization {
public:
  ~FiniteDifference() override
  {
    (void)VecDestroy(&cellType_);
    (void)VecDestroy(&work_);
    (void)MatDestroy(&A_);
    (void)MatDestroy(&Jy_);
    (void)MatDestroy(&Ju_);
    (void)MatDestroy(&Hyy_);
    (void)MatDestroy(&Huu_);
  }
  const char *Name() const override { return "finite differences (voxel grid, DMDA)"; }

  PetscErrorCode Setup(MPI_Comm comm, const char meshFile[], PetscInt N, PetscInt d)
  {
    PetscFunctionBegin;
    if (meshFile && meshFile[0]) {
      PetscCall(PetalVoxelGridLoad(comm, meshFile, &dm, &cellType_, NULL));
      PetscCall(PetalVoxelGridGetInfo(dm, &info_));
      meshName = meshFile;
    } else {
      PetscCheck(N >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-control: -control_n must be at least 1 (interior points per direction), got %" PetscInt_FMT, N);
      PetscCheck(d == 2 || d == 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-control: -control_dim must be 2 or 3, got %" PetscInt_FMT, d);
      info_     = PetalVoxelGridInfo{};
      info_.dim = d;
      for (PetscInt i = 0; i < 3; ++i) { // N interior points x = (i+1)/(N+1): the vertex grid of the unit box
        info_.shape[i]   = i < d ? N : 1;
        info_.spacing[i] = i < d ? 1.0 / (N + 1) : 1.0;
        info_.origin[i]  = i < d ? 0.5 / (N + 1) : 0.0;
      }
      PetscCall(PetalVoxelGridCreateDA(comm, &info_, &dm));
      PetscCall(DMCreateGlobalVector(dm, &cellType_));
      PetscCall(VecSet(cellType_, PETAL_CELL_INTERIOR));
      meshName = "generated";
      gridN    = N;
    }
    PetscCall(PetscObjectSetName((PetscObject)cellType_, "cell_type"));
    dim = info_.dim;
    PetscCall(VecGetSize(cellType_, &size));
    PetscCall(VecDuplicate(cellType_, &work_));
    if (spec.kind == ProblemKind::PAPER) {
      const PetscInt n = info_.shape[0];
      for (PetscInt k = 1; k < dim; ++k)
        PetscCheck(info_.shape[k] == n, comm, PETSC_ERR_USER_INPUT, "petal-control: the paper problem is defined on an N x N%s grid; %s is %" PetscInt_FMT " x %" PetscInt_FMT "%s", dim == 3 ? " x N" : "", meshName.c_str(), info_.shape[0], info_.shape[1],
                   dim == 3 ? (" x " + std::to_string(info_.shape[2])).c_str() : "");
      for (PetscInt k = 0; k < dim; ++k) invh2_[k] = (n + 1) * (n + 1) / 4.0; // h = 2/(N+1)
      sigma_ = -1.0;
      cubic_ = 0.0;
      wy_    = 1.0;
      wu_    = 2.0 * kPaperControlWeight;
    } else {
      PetscReal volume = 1.0;
      for (PetscInt k = 0; k < dim; ++k) {
        invh2_[k] = 1.0 / (info_.spacing[k] * info_.spacing[k]);
        volume *= info_.spacing[k];
      }
      sigma_ = 1.0;
      cubic_ = 1.0;
      wy_    = volume;
      wu_    = spec.alpha * volume;
    }
    PetscCall(Tabulate());
    PetscCall(AssembleOperator());
    PetscCall(CreateDiagonal(dm, &Ju_));
    PetscCall(CreateDiagonal(dm, &Hyy_));
    PetscCall(CreateDiagonal(dm, &Huu_));
    PetscCall(FillDiagonal(Ju_, [&](PetscInt l) { return interior_[l] ? -sigma_ : 0.0; }));
    PetscCall(FillDiagonal(Huu_, [&](PetscInt) { return wu_; }));
    PetscCall(MatDuplicate(A_, MAT_COPY_VALUES, &Jy_));
    PetscFunctionReturn(0);
  }

  PetscErrorCode Objective(Vec y, Vec u, PetscReal *f, Vec gy, Vec gu) override
  {
    const PetscScalar *ya, *ua;
    PetscScalar       *gya, *gua;
    PetscReal          local = 0;
    MPI_Comm           comm;
    PetscFunctionBegin;
    PetscCall(VecGetArrayRead(y, &ya));
    PetscCall(VecGetArrayRead(u, &ua));
    PetscCall(VecGetArray(gy, &gya));
    PetscCall(VecGetArray(gu, &gua));
    for (size_t l = 0; l < interior_.size(); ++l) {
      const PetscReal r = interior_[l] ? ya[l] - target_[l] : 0.0;
      local += 0.5 * wy_ * r * r + 0.5 * wu_ * ua[l] * ua[l];
      gya[l] = wy_ * r;
      gua[l] = wu_ * ua[l];
    }
    PetscCall(VecRestoreArray(gu, &gua));
    PetscCall(VecRestoreArray(gy, &gya));
    PetscCall(VecRestoreArrayRead(u, &ua));
    PetscCall(VecRestoreArrayRead(y, &ya));
    PetscCall(PetscObjectGetComm((PetscObject)dm, &comm));
    PetscCall(MPIU_Allreduce(&local, f, 1, MPIU_REAL, MPIU_SUM, comm));
    PetscFunctionReturn(0);
  }

  PetscErrorCode Constraints(Vec y, Vec u, Vec c) override
  {
    const PetscScalar *ya, *ua;
    PetscScalar       *ca;
    PetscFunctionBegin;
    PetscCall(MatMult(A_, y, c)); // sigma A y on interior rows, y on the others
    PetscCall(VecGetArrayRead(y, &ya));
    PetscCall(VecGetArrayRead(u, &ua));
    PetscCall(VecGetArray(c, &ca));
    for (size_t l = 0; l < interior_.size(); ++l)
      if (interior_[l]) ca[l] += sigma_ * (cubic_ * ya[l] * ya[l] * ya[l] - ua[l] - source_[l]);
    PetscCall(VecRestoreArray(c, &ca));
    PetscCall(VecRestoreArrayRead(u, &ua));
    PetscCall(VecRestoreArrayRead(y, &ya));
    PetscFunctionReturn(0);
  }

  PetscErrorCode JacobianState(Vec y, Mat *Jy) override
  {
    const PetscScalar *ya;
    PetscScalar       *w;
    PetscFunctionBegin;
    PetscCall(MatCopy(A_, Jy_, SAME_NONZERO_PATTERN));
    if (cubic_ != 0) {
      PetscCall(VecGetArrayRead(y, &ya));
      PetscCall(VecGetArray(work_, &w));
      for (size_t l = 0; l < interior_.size(); ++l) w[l] = interior_[l] ? sigma_ * 3.0 * cubic_ * ya[l] * ya[l] : 0.0;
      PetscCall(VecRestoreArray(work_, &w));
      PetscCall(VecRestoreArrayRead(y, &ya));
      PetscCall(MatDiagonalSet(Jy_, work_, ADD_VALUES));
    }
    *Jy = Jy_;
    PetscFunctionReturn(0);
  }
  Mat JacobianControl() const override { return Ju_; }

  PetscErrorCode HessianState(Vec y, Vec lambda, Mat *Hyy) override
  {
    const PetscScalar *ya, *la = nullptr;
    PetscFunctionBegin;
    PetscCall(VecGetArrayRead(y, &ya));
    if (lambda) PetscCall(VecGetArrayRead(lambda, &la));
    PetscCall(FillDiagonal(Hyy_, [&](PetscInt l) { return interior_[l] ? wy_ + (la ? sigma_ * 6.0 * cubic_ * ya[l] * la[l] : 0.0) : 0.0; }));
    if (lambda) PetscCall(VecRestoreArrayRead(lambda, &la));
    PetscCall(VecRestoreArrayRead(y, &ya));
    *Hyy = Hyy_;
    PetscFunctionReturn(0);
  }
  Mat HessianControl() const override { return Huu_; }

  PetscErrorCode StartPoint(PetscReal value, Vec y, Vec u) override
  {
    PetscFunctionBegin;
    PetscCall(FillInterior(y, [&](PetscInt) { return value; }));
    PetscCall(FillInterior(u, [&](PetscInt) { return value; }));
    PetscFunctionReturn(0);
  }
  PetscErrorCode ExactState(Vec s) override { return FillInterior(s, [&](PetscInt l) { return exact_[l]; }); }
  PetscErrorCode Adjoint(Vec lambda, Vec p) override
  {
    PetscFunctionBegin;
    PetscCall(VecCopy(lambda, p));
    PetscCall(VecScale(p, 1.0 / wy_));
    PetscFunctionReturn(0);
  }
  std::vector<Vec> StaticFields() const override { return {cellType_}; }
  std::string      Describe() const override
  {
    std::ostringstream o;
    o << dim << "-D voxel grid " << info_.shape[0] << " x " << info_.shape[1];
    if (dim == 3) o << " x " << info_.shape[2];
    o << " (" << meshName << "), " << interiorCount_ << " interior cells, finite differences";
    return o.str();
  }

private:
  template <class F>
  PetscErrorCode FillInterior(Vec v, F value)
  {
    PetscScalar *a;
    PetscFunctionBegin;
    PetscCall(VecGetArray(v, &a));
    for (size_t l = 0; l < interior_.size(); ++l) a[l] = interior_[l] ? value((PetscInt)l) : 0.0;
    PetscCall(VecRestoreArray(v, &a));
    PetscFunctionReturn(0);
  }
  // Sets every diagonal entry (local index l) of a diagonal Mat.
  template <class F>
  PetscErrorCode FillDiagonal(Mat D, F value)
  {
    PetscScalar *w;
    PetscFunctionBegin;
    PetscCall(VecGetArray(work_, &w));
    for (size_t l = 0; l < interior_.size(); ++l) w[l] = value((PetscInt)l);
    PetscCall(VecRestoreArray(work_, &w));
    PetscCall(MatDiagonalSet(D, work_, INSERT_VALUES));
    PetscFunctionReturn(0);
  }

  // Per owned cell: interior or not, the target, the source and the manufactured state.
  PetscErrorCode Tabulate()
  {
    PetscInt           xs, ys, zs, xm, ym, zm;
    const PetscScalar *type;
    MPI_Comm           comm;
    PetscInt           count = 0;
    PetscFunctionBegin;
    PetscCall(DMDAGetCorners(dm, &xs, &ys, &zs, &xm, &ym, &zm));
    PetscCall(VecGetArrayRead(cellType_, &type));
    const PetscInt n = info_.shape[0];
    for (PetscInt k = zs; k < zs + zm; ++k)
      for (PetscInt j = ys; j < ys + ym; ++j)
        for (PetscInt i = xs; i < xs + xm; ++i) {
          const size_t    l    = interior_.size();
          const bool      in   = (PetscInt)PetscRealPart(type[l]) == PETAL_CELL_INTERIOR;
          const PetscReal x[3] = {info_.origin[0] + (i + 0.5) * info_.spacing[0], info_.origin[1] + (j + 0.5) * info_.spacing[1], info_.origin[2] + (k + 0.5) * info_.spacing[2]};
          interior_.push_back(in);
          count += in;
          if (spec.kind == ProblemKind::PAPER) {
            target_.push_back(dim == 3 ? PaperTarget3((int)i + 1, (int)j + 1, (int)k + 1, (int)n) : PaperTarget((int)i + 1, (int)j + 1, (int)n));
            source_.push_back(0.0);
            exact_.push_back(0.0);
          } else {
            target_.push_back(SemilinearTarget(x, (int)dim, spec.alpha));
            source_.push_back(SemilinearSource(x, (int)dim));
            exact_.push_back(SemilinearOptimalState(x, (int)dim));
          }
        }
    PetscCall(VecRestoreArrayRead(cellType_, &type));
    PetscCall(PetscObjectGetComm((PetscObject)dm, &comm));
    PetscCall(MPIU_Allreduce(&count, &interiorCount_, 1, MPIU_INT, MPI_SUM, comm));
    PetscCheck(interiorCount_ > 0, comm, PETSC_ERR_USER_INPUT, "petal-control: the grid %s has no interior cell, so no unknown", meshName.c_str());
    PetscFunctionReturn(0);
  }

  // sigma A on interior rows (A = -Delta_h over interior neighbours), the identity on the others.
  PetscErrorCode AssembleOperator()
  {
    Vec                typeLocal;
    const PetscScalar *type;
    PetscInt           xs, ys, zs, xm, ym, zm, gxs, gys, gzs, gxm, gym, gzm;
    const PetscInt    *n = info_.shape;
    PetscFunctionBegin;
    PetscCall(DMCreateMatrix(dm, &A_));
    PetscCall(MatSetOption(A_, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
    PetscCall(DMGetLocalVector(dm, &typeLocal));
    PetscCall(DMGlobalToLocal(dm, cellType_, INSERT_VALUES, typeLocal));
    PetscCall(VecGetArrayRead(typeLocal, &type));
    PetscCall(DMDAGetCorners(dm, &xs, &ys, &zs, &xm, &ym, &zm));
    PetscCall(DMDAGetGhostCorners(dm, &gxs, &gys, &gzs, &gxm, &gym, &gzm));
    auto local = [&](PetscInt i, PetscInt j, PetscInt k) { return ((k - gzs) * gym + (j - gys)) * gxm + (i - gxs); };
    for (PetscInt k = zs; k < zs + zm; ++k)
      for (PetscInt j = ys; j < ys + ym; ++j)
        for (PetscInt i = xs; i < xs + xm; ++i) {
          MatStencil  row = {k, j, i, 0}, cols[7];
          PetscScalar vals[7];
          PetscInt    nc = 1;
          cols[0]        = row;
          vals[0]        = 1.0;
          if ((PetscInt)PetscRealPart(type[local(i, j, k)]) == PETAL_CELL_INTERIOR) {
            vals[0] = 0.0;
            for (PetscInt d = 0; d < dim; ++d)
              for (PetscInt s = -1; s <= 1; s += 2) {
                PetscInt q[3] = {i, j, k};
                q[d] += s;
                vals[0] += sigma_ * invh2_[d];
                if (q[d] < 0 || q[d] >= n[d] || (PetscInt)PetscRealPart(type[local(q[0], q[1], q[2])]) != PETAL_CELL_INTERIOR) continue;
                cols[nc] = {q[2], q[1], q[0], 0};
                vals[nc] = -sigma_ * invh2_[d];
                ++nc;
              }
          }
          PetscCall(MatSetValuesStencil(A_, 1, &row, nc, cols, vals, INSERT_VALUES));
        }
    PetscCall(VecRestoreArrayRead(typeLocal, &type));
    PetscCall(DMRestoreLocalVector(dm, &typeLocal));
    PetscCall(MatAssemblyBegin(A_, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(A_, MAT_FINAL_ASSEMBLY));
    PetscFunctionReturn(0);
  }

  PetalVoxelGridInfo     info_{};
  Vec                    cellType_ = nullptr, work_ = nullptr;
  Mat                    A_ = nullptr, Jy_ = nullptr, Ju_ = nullptr, Hyy_ = nullptr, Huu_ = nullptr;
  PetscReal              invh2_[3] = {1, 1, 1};
  PetscReal              sigma_ = 1, cubic_ = 1, wy_ = 1, wu_ = 1;
  PetscInt               interiorCount_ = 0;
  std::vector<bool>      interior_;
  std::vector<PetscReal> target_, source_, exact_;
};
} // namespace

PetscErrorCode CreateFiniteDifference(MPI_Comm comm, const char meshFile[], PetscInt N, PetscInt dim, const ProblemSpec &spec, std::unique_ptr<Discretization> *disc)
{
  PetscFunctionBegin;
  auto fd  = std::make_unique<FiniteDifference>();
  fd->spec = spec;
  PetscCall(fd->Setup(comm, meshFile, N, dim));
  *disc = std::move(fd);
  PetscFunctionReturn(0);
}
} // namespace petal::control
