#pragma once
// Crank-Nicolson for u_t = kappa(t) div(a grad u) + f: each step solves
//   A_t u^{n+1} = b_t,   A_t = M + (dt/2) kappa K,   b_t = (M - (dt/2) kappa K) u^n + dt F(t_{n+1/2})
// with kappa and f at t_{n+1/2}. M, K and F are the mass matrix, stiffness matrix and load vector of the
// discretization (M = I for finite differences). M and K are assembled once; A_t is M + c K on the fixed
// sparsity pattern, so every step costs one MatCopy + MatAXPY, not a reassembly.
#include "heat_model.hpp"
#include <petscdm.h>
#include <petscmat.h>
#include <memory>
#include <string>
#include <vector>

namespace petal::heat {

class Discretization {
public:
  virtual ~Discretization();
  // Fills u with the initial state.
  virtual PetscErrorCode Initial(Vec u) = 0;
  // F = load vector of the source at time t (so that b = ... + dt F).
  virtual PetscErrorCode Load(PetscReal t, Vec F) = 0;
  // Discrete L2 norm of u - exact(t) (only meaningful for the MMS preset).
  virtual PetscErrorCode ErrorL2(PetscReal t, Vec u, PetscReal *err) = 0;
  // Fields of the mesh that do not change (e.g. cell types, a coefficient), written once to the output.
  virtual std::vector<Vec> StaticFields() const { return {}; }
  virtual const char *Name() const = 0;
  virtual PetscErrorCode View(PetscViewer viewer) const;

  // Errors, naming the likely cause, if c K for c up to cmax has entries a solver cannot work with
  // (non-finite, or so large that inner products overflow).
  PetscErrorCode CheckOperatorScale(PetscReal cmax) const;
  // What the operator's size comes from, for that error (e.g. the mesh's coefficient range).
  virtual std::string ScaleHint() const { return ""; }
  // A_t = M + c K (c = dt kappa / 2); the matrix is owned by the discretization.
  PetscErrorCode Operator(PetscReal c, Mat *A);
  // b = (M - c K) u + dt F
  PetscErrorCode RightHandSide(PetscReal c, PetscReal dt, Vec F, Vec u, Vec b);
  PetscErrorCode CreateVector(Vec *v) const { return DMCreateGlobalVector(dm, v); }

  DM       dm  = nullptr;
  Mat      M   = nullptr; // nullptr means the identity (finite differences)
  Mat      K   = nullptr;
  Mat      A   = nullptr;
  Vec      work = nullptr;
  Preset   preset = Preset::LTR;
  PetscInt dim    = 2;
  PetscInt ndofs  = 0; // global unknowns
};

// Finite differences on a voxel grid (5/7-point stencil, harmonic-mean face coefficients).
PetscErrorCode CreateFiniteDifference(MPI_Comm comm, const char *meshFile, PetscInt nx, PetscInt dim, Preset preset, std::unique_ptr<Discretization> *disc);
// P1/Q1 finite elements (or higher, -heat_petscspace_degree) on DMPlex, assembled by PetscFE.
PetscErrorCode CreateFiniteElement(MPI_Comm comm, const char *meshFile, Preset preset, std::unique_ptr<Discretization> *disc);
} // namespace petal::heat
