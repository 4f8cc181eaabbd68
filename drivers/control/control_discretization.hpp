#pragma once
// The discretised control problems of petal-control (their formulas: include/petal/control_problem.hpp), as the
// blocks a TAO adapter needs. Every field (state y, control u, constraint c, multiplier lambda) is a global Vec of
// one scalar space: the DMDA of a voxel grid (finite differences) or a DMPlex with one P1/Q1 PetscFE field
// (finite elements). Variables x = (y, u), constraints c(y, u) = 0 with
//   dc/dy = JacobianState(y)  (A + 3 diag(y^2) for finite differences, K + (3 y^2 phi_i, phi_j) for elements)
//   dc/du = JacobianControl() (-I, or -M; constant)
// and the Hessian of L = f + lambda^T c in blocks HessianState(y, lambda) (yy) and HessianControl() (uu, constant),
// no yu coupling. The Mats returned are owned by the discretization and keep one sparsity pattern.
#include <petscdm.h>
#include <petscmat.h>
#include <memory>
#include <string>
#include <vector>

namespace petal::control {

enum class ProblemKind : int { SEMILINEAR = 0, PAPER = 1 };
extern const char *const ProblemKindNames[];

struct ProblemSpec {
  ProblemKind kind  = ProblemKind::SEMILINEAR;
  PetscReal   alpha = 1e-2; // semilinear: control weight
};

class Discretization {
public:
  virtual ~Discretization();
  virtual const char *Name() const = 0;
  // f(y, u) and its gradient (gy, gu).
  virtual PetscErrorCode Objective(Vec y, Vec u, PetscReal *f, Vec gy, Vec gu) = 0;
  virtual PetscErrorCode Constraints(Vec y, Vec u, Vec c) = 0;
  virtual PetscErrorCode JacobianState(Vec y, Mat *Jy) = 0;
  virtual Mat            JacobianControl() const = 0;
  virtual PetscErrorCode HessianState(Vec y, Vec lambda, Mat *Hyy) = 0;
  virtual Mat            HessianControl() const = 0;
  // The start point: value on the unknowns (0 where the state is fixed to 0).
  virtual PetscErrorCode StartPoint(PetscReal value, Vec y, Vec u) = 0;
  // Semilinear: the manufactured optimum s at the unknowns (0 elsewhere).
  virtual PetscErrorCode ExactState(Vec s) = 0;
  // The adjoint of the continuous problem from TAO's multiplier (finite differences: lambda / cell volume for the
  // semilinear problem, whose objective is scaled by it; elements: lambda itself, as the constraint is tested
  // with the basis functions).
  virtual PetscErrorCode Adjoint(Vec lambda, Vec p) = 0;
  // Fields of the mesh written to the output besides the solution (the cell types of a voxel grid).
  virtual std::vector<Vec> StaticFields() const { return {}; }
  // One line for the terminal and the JSON: grid shape or mesh size.
  virtual std::string Describe() const = 0;

  DM          dm   = nullptr;
  PetscInt    dim  = 2;
  PetscInt    size = 0; // global unknowns of one field
  ProblemSpec spec;
  std::string meshName; // file name, or "generated"
  PetscInt    gridN = 0; // generated grids: interior points per direction
};

// Finite differences on a voxel grid: a petal-voxel file (meshFile) or, meshFile empty, the unit box with N
// interior points per direction (spacing 1/(N+1)). Errors (same on every rank) for a bad file or N < 1.
PetscErrorCode CreateFiniteDifference(MPI_Comm comm, const char meshFile[], PetscInt N, PetscInt dim, const ProblemSpec &spec, std::unique_ptr<Discretization> *disc);
// P1 (simplices) or Q1 (quadrilaterals, hexahedra) finite elements on a DMPlex: a mesh file (meshFile) or the unit
// box with N+1 cells per direction (quadrilaterals/hexahedra; the same interior nodes as the difference grid).
PetscErrorCode CreateFiniteElement(MPI_Comm comm, const char meshFile[], PetscInt N, PetscInt dim, const ProblemSpec &spec, std::unique_ptr<Discretization> *disc);

} // namespace petal::control
