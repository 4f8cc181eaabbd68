// Lagrange finite elements on a DMPlex mesh, assembled by PETSc's own machinery: PetscFE for the basis,
// PetscDS pointwise functions for the mass matrix, the stiffness matrix and the load vector, and an
// essential boundary condition (u = 0 on the "marker" label) that removes boundary dofs from the system.
#include "heat_discretization.hpp"
#include <petal/mesh.h>
#include <petscdmplex.h>
#include <petscds.h>
#include <petscfe.h>
#include <petscsnes.h>
#include <petscviewerhdf5.h>
#include <sstream>

namespace petal::heat {
namespace {
// constants[0] = t, constants[1] = preset (PetscDS passes these to every pointwise function).
void SourceF0(PetscInt dim, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, const PetscReal x[], PetscInt, const PetscScalar constants[], PetscScalar f0[])
{
  f0[0] = Source((Preset)(int)constants[1], dim, constants[0], x);
}
void MassG0(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar g0[])
{
  g0[0] = 1.0;
}
void ZeroG0(PetscInt, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar g0[])
{
  g0[0] = 0.0;
}
void StiffnessG3(PetscInt dim, PetscInt, PetscInt, const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], const PetscInt[], const PetscInt[], const PetscScalar[], const PetscScalar[], const PetscScalar[], PetscReal, PetscReal, const PetscReal[], PetscInt, const PetscScalar[], PetscScalar g3[])
{
  for (PetscInt d = 0; d < dim; ++d) g3[d * dim + d] = 1.0;
}
PetscErrorCode Zero(PetscInt, PetscReal, const PetscReal[], PetscInt Nc, PetscScalar *u, void *)
{
  for (PetscInt c = 0; c < Nc; ++c) u[c] = 0.0;
  return 0;
}
PetscErrorCode InitialFn(PetscInt dim, PetscReal, const PetscReal x[], PetscInt, PetscScalar *u, void *ctx)
{
  u[0] = Initial(*(Preset *)ctx, dim, x);
  return 0;
}
PetscErrorCode ExactFn(PetscInt dim, PetscReal t, const PetscReal x[], PetscInt, PetscScalar *u, void *)
{
  u[0] = Exact(dim, t, x);
  return 0;
}

class FiniteElement : public Discretization {
public:
  const char *Name() const override { return "finite elements (DMPlex + PetscFE)"; }

  PetscErrorCode Setup(MPI_Comm comm, const char *meshFile)
  {
    PetscFE   fe;
    PetscDS   ds;
    DMLabel   marker;
    PetscBool simplex;
    PetscInt  degree = 1, id = 1;

    PetscFunctionBegin;
    if (meshFile && meshFile[0]) {
      PetscCall(PetalPlexLoad(comm, meshFile, &dm));
    } else { // PETSc's box mesh, shaped by -heat_dm_plex_box_faces, -heat_dm_plex_simplex, -heat_dm_plex_dim, ...
      PetscBool set;
      // Quadrilaterals unless asked otherwise: simplex boxes need a mesh generator (Triangle, TetGen)
      // that Debian's PETSc lacks; `petal-mesh plexbox -simplex` writes simplex boxes without one.
      PetscCall(PetscOptionsHasName(NULL, "heat_", "-dm_plex_simplex", &set));
      if (!set) PetscCall(PetscOptionsSetValue(NULL, "-heat_dm_plex_simplex", "0"));
      PetscCall(DMCreate(comm, &dm));
      PetscCall(DMSetType(dm, DMPLEX));
      PetscCall(PetscObjectSetOptionsPrefix((PetscObject)dm, "heat_"));
      PetscCall(DMSetFromOptions(dm));
    }
    PetscCall(PetscObjectSetName((PetscObject)dm, "mesh"));
    PetscCall(DMGetDimension(dm, &dim));
    PetscCall(DMPlexIsSimplex(dm, &simplex));
    PetscOptionsBegin(comm, "heat_", "petal-heat finite-element options", "");
    PetscCall(PetscOptionsInt("-fe_degree", "Lagrange degree of the finite elements (1 to 6)", "", degree, &degree, NULL));
    PetscOptionsEnd();
    // Beyond 6 the element matrices (and the 2k-exact quadrature) grow so large that a run takes hours and
    // gigabytes for no accuracy a smooth heat problem can use; 0 or less is no element at all.
    PetscCheck(degree >= 1 && degree <= kMaxDegree, comm, PETSC_ERR_ARG_OUTOFRANGE, "-heat_fe_degree must be between 1 and %d, got %" PetscInt_FMT, (int)kMaxDegree, degree);
    {
      PetscInt cdim;
      PetscCall(DMGetCoordinateDim(dm, &cdim));
      PetscCheck(cdim == dim, comm, PETSC_ERR_ARG_WRONG, "Mesh %s is a %" PetscInt_FMT "-D mesh in %" PetscInt_FMT "-D space; petal-heat solves on meshes whose cells and space have the same dimension", meshFile && meshFile[0] ? meshFile : "(box)", dim, cdim);
    }
    degree_ = degree;
    // Quadrature exact for the mass matrix (degree 2k); PETSc's default (order k) under-integrates it.
    PetscCall(PetscFECreateLagrange(comm, dim, 1, simplex, degree, 2 * degree, &fe));
    PetscCall(PetscObjectSetName((PetscObject)fe, "u"));
    PetscCall(DMSetField(dm, 0, NULL, (PetscObject)fe));
    PetscCall(PetscFEDestroy(&fe));
    PetscCall(DMCreateDS(dm));
    PetscCall(DMGetLabel(dm, "marker", &marker));
    PetscCheck(marker, comm, PETSC_ERR_ARG_WRONG, "Mesh %s has no boundary label \"marker\"", meshFile ? meshFile : "(box)");
    PetscCall(DMAddBoundary(dm, DM_BC_ESSENTIAL, "wall", marker, 1, &id, 0, 0, NULL, (void (*)(void))Zero, NULL, NULL, NULL));
    PetscCall(DMGetDS(dm, &ds));
    PetscCall(SetTime(0.0));
    PetscCall(DMCreateMatrix(dm, &M));
    PetscCall(DMCreateMatrix(dm, &K));
    PetscCall(DMCreateLocalVector(dm, &zero_)); // the DMPlexSNESCompute*FEM routines take local vectors
    PetscCall(DMCreateLocalVector(dm, &loadLocal_));
    {
      Vec g;
      PetscCall(DMCreateGlobalVector(dm, &g));
      PetscCall(VecGetSize(g, &ndofs));
      PetscCall(VecDestroy(&g));
    }
    PetscCall(PetscDSSetJacobian(ds, 0, 0, MassG0, NULL, NULL, NULL));
    PetscCall(DMPlexSNESComputeJacobianFEM(dm, zero_, M, M, NULL));
    // A NULL pointwise function leaves the previous one in place (PETSc 3.18), so g0 is replaced by zero.
    PetscCall(PetscDSSetJacobian(ds, 0, 0, ZeroG0, NULL, NULL, StiffnessG3));
    PetscCall(DMPlexSNESComputeJacobianFEM(dm, zero_, K, K, NULL));
    PetscCall(PetscDSSetResidual(ds, 0, SourceF0, NULL));
    PetscCall(DMGetCoordinatesLocalSetUp(dm));
    PetscFunctionReturn(0);
  }

  ~FiniteElement() override
  {
    (void)VecDestroy(&zero_);
    (void)VecDestroy(&loadLocal_);
  }

  PetscErrorCode Initial(Vec u) override
  {
    PetscErrorCode (*funcs[1])(PetscInt, PetscReal, const PetscReal[], PetscInt, PetscScalar *, void *) = {InitialFn};
    void *ctxs[1] = {&preset};
    return DMProjectFunction(dm, 0.0, funcs, ctxs, INSERT_ALL_VALUES, u);
  }

  PetscErrorCode Load(PetscReal t, Vec F) override
  {
    PetscFunctionBegin;
    PetscCall(SetTime(t));
    PetscCall(VecSet(loadLocal_, 0.0));
    PetscCall(DMPlexSNESComputeResidualFEM(dm, zero_, loadLocal_, NULL));
    PetscCall(VecSet(F, 0.0));
    PetscCall(DMLocalToGlobal(dm, loadLocal_, ADD_VALUES, F));
    PetscFunctionReturn(0);
  }

  PetscErrorCode ErrorL2(PetscReal t, Vec u, PetscReal *err) override
  {
    PetscErrorCode (*funcs[1])(PetscInt, PetscReal, const PetscReal[], PetscInt, PetscScalar *, void *) = {ExactFn};
    return DMComputeL2Diff(dm, t, funcs, NULL, u, err);
  }

  PetscErrorCode View(PetscViewer viewer) const override
  {
    PetscFunctionBegin;
    PetscCall(Discretization::View(viewer));
    PetscCall(PetscViewerASCIIPrintf(viewer, "Lagrange degree %" PetscInt_FMT ", u = 0 on the \"marker\" boundary\n", degree_));
    PetscFunctionReturn(0);
  }

private:
  PetscErrorCode SetTime(PetscReal t)
  {
    PetscDS     ds;
    PetscScalar constants[2] = {t, (PetscScalar)(int)preset};
    PetscFunctionBegin;
    PetscCall(DMGetDS(dm, &ds));
    PetscCall(PetscDSSetConstants(ds, 2, constants));
    PetscFunctionReturn(0);
  }

  Vec      zero_ = nullptr, loadLocal_ = nullptr; // local vectors
  static constexpr PetscInt kMaxDegree = 6;
  PetscInt                  degree_    = 1;
};
} // namespace

PetscErrorCode CreateFiniteElement(MPI_Comm comm, const char *meshFile, Preset p, std::unique_ptr<Discretization> *disc)
{
  PetscFunctionBegin;
  auto fe    = std::make_unique<FiniteElement>();
  fe->preset = p;
  PetscCall(fe->Setup(comm, meshFile));
  *disc = std::move(fe);
  PetscFunctionReturn(0);
}
} // namespace petal::heat
