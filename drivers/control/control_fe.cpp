// Finite elements on a DMPlex (one PetscFE field, P1 on simplices, Q1 on quadrilaterals/hexahedra; y = u = 0 on
// the "marker" boundary as an essential condition, which removes the boundary nodes from the unknowns), assembled
// by PETSc's pointwise machinery (PetscDS): the semilinear problem of include/petal/control_problem.hpp,
//   f = 1/2 |y_h - y_d|^2_{L2} + alpha/2 |u_h|^2_{L2} = 1/2 y^T M y - b_d^T y + 1/2 |y_d|^2 + alpha/2 u^T M u,
//   c = K y + N(y) - M u - b_f,   N(y)_i = (y_h^3, phi_i),  b_f = (f, phi_i),  b_d = (y_d, phi_i),
//   dc/dy = K + (3 y_h^2 phi_j, phi_i),  dc/du = -M,
//   Hessian of L = f + lambda^T c:  yy = M + (6 y_h lambda_h phi_j, phi_i),  uu = alpha M,
// every integral by a quadrature of degree 4 (exact for the cubic term on simplices). lambda_h reaches the
// pointwise Hessian as an auxiliary field (DMSetAuxiliaryVec). With this scaling TAO's multiplier is the nodal
// adjoint itself (lambda* = alpha u* = alpha s).
#include "control_discretization.hpp"
#include <petal/control_problem.hpp>
#include <petal/mesh.h>
#include <petscdmplex.h>
#include <petscds.h>
#include <petscfe.h>
#include <petscsnes.h>
#include <sstream>

namespace petal::control {
namespace {
using PointF = void (*)(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);
using PointG = void (*)(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar[]);

// constants[0] = alpha, constants[1] = which load: 0 the source f, 1 the target y_d.
void LoadF0(PetscInt dim, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal x[], PetscInt, const PetscScalar constants[], PetscScalar f0[])
{
  f0[0] = PetscRealPart(constants[1]) == 0 ? SemilinearSource(x, (int)dim) : SemilinearTarget(x, (int)dim, PetscRealPart(constants[0]));
}
void CubeF0(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar u[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar f0[])
{
  f0[0] = u[0] * u[0] * u[0];
}
void OneG0(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar g0[])
{
  g0[0] = 1.0;
}
void ZeroG0(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar g0[])
{
  g0[0] = 0.0;
}
void CubeG0(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar u[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar g0[])
{
  g0[0] = 3.0 * u[0] * u[0];
}
// M + 6 y lambda: lambda is the auxiliary field a[0].
void HessianG0(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar u[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar a[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar g0[])
{
  g0[0] = 1.0 + 6.0 * u[0] * a[0];
}
void IdentityG3(PetscInt dim, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar g3[])
{
  for (PetscInt d = 0; d < dim; ++d) g3[d * dim + d] = 1.0;
}
void ZeroG3(PetscInt dim, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar g3[])
{
  for (PetscInt d = 0; d < dim * dim; ++d) g3[d] = 0.0;
}
PetscErrorCode ZeroFn(PetscInt, PetscReal, const PetscReal[], PetscInt Nc, PetscScalar *u, void *)
{
  for (PetscInt c = 0; c < Nc; ++c) u[c] = 0.0;
  return 0;
}
PetscErrorCode BumpFn(PetscInt dim, PetscReal, const PetscReal x[], PetscInt, PetscScalar *u, void *)
{
  u[0] = SemilinearOptimalState(x, (int)dim);
  return 0;
}
PetscErrorCode TargetFn(PetscInt dim, PetscReal, const PetscReal x[], PetscInt, PetscScalar *u, void *ctx)
{
  u[0] = SemilinearTarget(x, (int)dim, *(const PetscReal *)ctx);
  return 0;
}

class FiniteElement : public Discretization {
public:
  ~FiniteElement() override
  {
    for (Mat *m : {&M_, &K_, &Jy_, &Ju_, &Hyy_, &Huu_}) (void)MatDestroy(m);
    for (Vec *v : {&bf_, &bd_, &yLocal_, &fLocal_, &aux_, &work_}) (void)VecDestroy(v);
    (void)DMDestroy(&dmAux_);
  }
  const char *Name() const override { return simplex_ ? "finite elements P1 (DMPlex + PetscFE)" : "finite elements Q1 (DMPlex + PetscFE)"; }

  PetscErrorCode Setup(MPI_Comm comm, const char meshFile[], PetscInt N, PetscInt d)
  {
    PetscFE   fe;
    DMLabel   marker;
    PetscInt  id = 1, cdim;
    PetscBool simplex;
    PetscFunctionBegin;
    PetscCheck(spec.kind == ProblemKind::SEMILINEAR, comm, PETSC_ERR_USER_INPUT, "petal-control: the paper problem is defined by finite differences on an N x N grid: use a petal-voxel grid or -control_n without -control_discretization fe");
    if (meshFile && meshFile[0]) {
      PetscCall(PetalPlexLoad(comm, meshFile, &dm));
      meshName = meshFile;
    } else {
      PetscCheck(N >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-control: -control_n must be at least 1 (interior points per direction), got %" PetscInt_FMT, N);
      PetscCheck(d == 2 || d == 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-control: -control_dim must be 2 or 3, got %" PetscInt_FMT, d);
      PetscInt  faces[3] = {N + 1, N + 1, N + 1};
      PetscReal lower[3] = {0, 0, 0}, upper[3] = {1, 1, 1};
      DM        dist     = nullptr;
      PetscCall(DMPlexCreateBoxMesh(comm, d, PETSC_FALSE, faces, lower, upper, NULL, PETSC_TRUE, &dm));
      PetscCall(DMPlexDistribute(dm, 0, NULL, &dist));
      if (dist) {
        PetscCall(DMDestroy(&dm));
        dm = dist;
      }
      meshName = "generated";
      gridN    = N;
    }
    PetscCall(PetscObjectSetName((PetscObject)dm, "mesh"));
    PetscCall(DMGetDimension(dm, &dim));
    PetscCall(DMGetCoordinateDim(dm, &cdim));
    PetscCheck(cdim == dim && (dim == 2 || dim == 3), comm, PETSC_ERR_USER_INPUT, "petal-control: %s is a %" PetscInt_FMT "-D mesh in %" PetscInt_FMT "-D space; petal-control needs 2-D or 3-D meshes whose cells and space have the same dimension", meshName.c_str(), dim, cdim);
    PetscCall(DMPlexIsSimplex(dm, &simplex));
    simplex_ = simplex;
    {
      PetscInt cStart, cEnd, local; // the mesh is distributed without overlap: every cell counted once
      PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
      local = cEnd - cStart;
      PetscCall(MPIU_Allreduce(&local, &cells_, 1, MPIU_INT, MPI_SUM, comm));
    }
    PetscCall(PetscFECreateLagrange(comm, dim, 1, simplex, 1, 4, &fe));
    PetscCall(PetscObjectSetName((PetscObject)fe, "y"));
    PetscCall(DMSetField(dm, 0, NULL, (PetscObject)fe));
    PetscCall(DMCreateDS(dm));
    PetscCall(DMGetLabel(dm, "marker", &marker));
    PetscCheck(marker, comm, PETSC_ERR_USER_INPUT, "petal-control: mesh %s has no boundary label \"marker\"", meshName.c_str());
    PetscCall(DMAddBoundary(dm, DM_BC_ESSENTIAL, "wall", marker, 1, &id, 0, 0, NULL, (void (*)(void))ZeroFn, NULL, NULL, NULL));
    // The multiplier as an auxiliary field, for the pointwise Hessian.
    PetscCall(DMClone(dm, &dmAux_));
    PetscCall(DMSetField(dmAux_, 0, NULL, (PetscObject)fe));
    PetscCall(DMCreateDS(dmAux_));
    PetscCall(PetscFEDestroy(&fe));
    PetscCall(DMCreateLocalVector(dmAux_, &aux_));
    PetscCall(VecSet(aux_, 0.0));
    PetscCall(DMSetAuxiliaryVec(dm, NULL, 0, 0, aux_));

    PetscCall(DMCreateLocalVector(dm, &yLocal_));
    PetscCall(DMCreateLocalVector(dm, &fLocal_));
    PetscCall(DMCreateGlobalVector(dm, &work_));
    PetscCall(VecGetSize(work_, &size));
    PetscCheck(size > 0, comm, PETSC_ERR_USER_INPUT, "petal-control: mesh %s has no interior node, so no unknown", meshName.c_str());
    PetscCall(VecDuplicate(work_, &bf_));
    PetscCall(VecDuplicate(work_, &bd_));
    PetscCall(SetConstants(0));
    for (Mat *m : {&M_, &K_, &Jy_, &Hyy_}) PetscCall(DMCreateMatrix(dm, m));
    PetscCall(VecSet(yLocal_, 0.0));
    PetscCall(AssembleMatrix(OneG0, ZeroG3, M_));
    PetscCall(AssembleMatrix(ZeroG0, IdentityG3, K_));
    PetscCall(MatDuplicate(M_, MAT_COPY_VALUES, &Ju_));
    PetscCall(MatScale(Ju_, -1.0));
    PetscCall(MatDuplicate(M_, MAT_COPY_VALUES, &Huu_));
    PetscCall(MatScale(Huu_, spec.alpha));
    PetscCall(AssembleLoad(LoadF0, bf_));
    PetscCall(SetConstants(1));
    PetscCall(AssembleLoad(LoadF0, bd_));
    { // 1/2 |y_d|^2 (the objective's constant: f is then the L2 distance itself)
      PetscErrorCode (*funcs[1])(PetscInt, PetscReal, const PetscReal[], PetscInt, PetscScalar *, void *) = {TargetFn};
      void     *ctxs[1] = {&spec.alpha};
      PetscReal norm;
      PetscCall(VecSet(work_, 0.0));
      PetscCall(DMComputeL2Diff(dm, 0.0, funcs, ctxs, work_, &norm));
      targetHalfSquare_ = 0.5 * norm * norm;
    }
    PetscCall(DMGetCoordinatesLocalSetUp(dm));
    PetscFunctionReturn(0);
  }

  PetscErrorCode Objective(Vec y, Vec u, PetscReal *f, Vec gy, Vec gu) override
  {
    PetscScalar yMy, bdy, uMu;
    PetscFunctionBegin;
    PetscCall(MatMult(M_, y, gy));
    PetscCall(VecDot(gy, y, &yMy));
    PetscCall(VecDot(bd_, y, &bdy));
    PetscCall(VecAXPY(gy, -1.0, bd_));
    PetscCall(MatMult(Huu_, u, gu)); // alpha M u
    PetscCall(VecDot(gu, u, &uMu));
    *f = PetscRealPart(0.5 * yMy - bdy + 0.5 * uMu) + targetHalfSquare_;
    PetscFunctionReturn(0);
  }

  PetscErrorCode Constraints(Vec y, Vec u, Vec c) override
  {
    PetscFunctionBegin;
    PetscCall(ToLocal(y));
    PetscCall(AssembleResidual(CubeF0, c)); // N(y)
    PetscCall(MatMultAdd(K_, y, c, c));
    PetscCall(MatMultAdd(Ju_, u, c, c)); // - M u
    PetscCall(VecAXPY(c, -1.0, bf_));
    PetscFunctionReturn(0);
  }

  PetscErrorCode JacobianState(Vec y, Mat *Jy) override
  {
    PetscFunctionBegin;
    PetscCall(ToLocal(y));
    PetscCall(AssembleMatrix(CubeG0, IdentityG3, Jy_));
    *Jy = Jy_;
    PetscFunctionReturn(0);
  }
  Mat JacobianControl() const override { return Ju_; }

  PetscErrorCode HessianState(Vec y, Vec lambda, Mat *Hyy) override
  {
    PetscFunctionBegin;
    PetscCall(ToLocal(y));
    PetscCall(VecSet(aux_, 0.0));
    if (lambda) PetscCall(DMGlobalToLocal(dm, lambda, INSERT_VALUES, aux_)); // same local layout as dm's
    PetscCall(AssembleMatrix(HessianG0, ZeroG3, Hyy_));
    PetscCall(VecSet(aux_, 0.0));
    *Hyy = Hyy_;
    PetscFunctionReturn(0);
  }
  Mat HessianControl() const override { return Huu_; }

  PetscErrorCode StartPoint(PetscReal value, Vec y, Vec u) override
  {
    PetscFunctionBegin;
    PetscCall(VecSet(y, value));
    PetscCall(VecSet(u, value));
    PetscFunctionReturn(0);
  }
  PetscErrorCode ExactState(Vec s) override
  {
    PetscErrorCode (*funcs[1])(PetscInt, PetscReal, const PetscReal[], PetscInt, PetscScalar *, void *) = {BumpFn};
    return DMProjectFunction(dm, 0.0, funcs, NULL, INSERT_ALL_VALUES, s);
  }
  PetscErrorCode Adjoint(Vec lambda, Vec p) override { return VecCopy(lambda, p); }
  std::string    Describe() const override
  {
    std::ostringstream o;
    o << dim << "-D DMPlex mesh (" << meshName << "), " << cells_ << (simplex_ ? " simplices, P1" : " quadrilaterals/hexahedra, Q1") << " finite elements, " << size << " interior nodes";
    return o.str();
  }

private:
  PetscErrorCode SetConstants(PetscInt which)
  {
    PetscDS     ds;
    PetscScalar constants[2] = {spec.alpha, (PetscScalar)which};
    PetscFunctionBegin;
    PetscCall(DMGetDS(dm, &ds));
    PetscCall(PetscDSSetConstants(ds, 2, constants));
    PetscFunctionReturn(0);
  }
  // y into the local vector the assembly reads (boundary values stay 0).
  PetscErrorCode ToLocal(Vec y)
  {
    PetscFunctionBegin;
    PetscCall(VecSet(yLocal_, 0.0));
    PetscCall(DMGlobalToLocal(dm, y, INSERT_VALUES, yLocal_));
    PetscFunctionReturn(0);
  }
  // (f0(y_h), phi_i) into the global Vec F.
  PetscErrorCode AssembleResidual(PointF f0, Vec F)
  {
    PetscDS ds;
    PetscFunctionBegin;
    PetscCall(DMGetDS(dm, &ds));
    PetscCall(PetscDSSetResidual(ds, 0, f0, NULL));
    PetscCall(VecSet(fLocal_, 0.0));
    PetscCall(DMPlexSNESComputeResidualFEM(dm, yLocal_, fLocal_, NULL));
    PetscCall(VecSet(F, 0.0));
    PetscCall(DMLocalToGlobal(dm, fLocal_, ADD_VALUES, F));
    PetscFunctionReturn(0);
  }
  PetscErrorCode AssembleLoad(PointF f0, Vec F)
  {
    PetscFunctionBegin;
    PetscCall(VecSet(yLocal_, 0.0));
    PetscCall(AssembleResidual(f0, F));
    PetscFunctionReturn(0);
  }
  // (g0 phi_j, phi_i) + (g3 grad phi_j, grad phi_i) at y_h into J (its pattern from DMCreateMatrix).
  PetscErrorCode AssembleMatrix(PointG g0, PointG g3, Mat J)
  {
    PetscDS ds;
    PetscFunctionBegin;
    PetscCall(DMGetDS(dm, &ds));
    // A NULL pointwise function would leave the previous one in place (PETSc 3.18): both are always given.
    PetscCall(PetscDSSetJacobian(ds, 0, 0, g0, NULL, NULL, g3));
    PetscCall(MatZeroEntries(J));
    PetscCall(DMPlexSNESComputeJacobianFEM(dm, yLocal_, J, J, NULL));
    PetscFunctionReturn(0);
  }

  DM        dmAux_ = nullptr;
  Mat       M_ = nullptr, K_ = nullptr, Jy_ = nullptr, Ju_ = nullptr, Hyy_ = nullptr, Huu_ = nullptr;
  Vec       bf_ = nullptr, bd_ = nullptr, yLocal_ = nullptr, fLocal_ = nullptr, aux_ = nullptr, work_ = nullptr;
  PetscReal targetHalfSquare_ = 0;
  bool      simplex_          = true;
  PetscInt  cells_            = 0;
};
} // namespace

PetscErrorCode CreateFiniteElement(MPI_Comm comm, const char meshFile[], PetscInt N, PetscInt dim, const ProblemSpec &spec, std::unique_ptr<Discretization> *disc)
{
  PetscFunctionBegin;
  auto fe  = std::make_unique<FiniteElement>();
  fe->spec = spec;
  PetscCall(fe->Setup(comm, meshFile, N, dim));
  *disc = std::move(fe);
  PetscFunctionReturn(0);
}
} // namespace petal::control
