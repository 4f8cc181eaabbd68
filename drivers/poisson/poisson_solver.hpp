#pragma once
// petal-poisson's solve: the KSP from the options database (default DCDM), timed setup and solve, the residual
// history with a time stamp per iteration, and PCDCDM's network statistics.
#include "poisson_problem.hpp"
#include <string>
#include <vector>

namespace petal::poisson {

struct History {
  std::vector<PetscReal>      norms; // the KSP monitor's residual norms, iteration 0 first
  std::vector<PetscLogDouble> times; // seconds since the solve began, at each of them
};

struct NetworkStats { // PCDCDM only: per solve
  bool           present             = false;
  double         applications        = 0;
  PetscLogDouble seconds             = 0;
  double         flopsPerApplication = 0; // 0 when unknown (PETSc logging off)
  std::string    weights;
};

struct SolveRecord {
  std::string        kspType, pcType, normType, reasonName;
  PetscReal          rtol = 0, atol = 0;
  PetscInt           maxIt = 0, iterations = 0;
  KSPConvergedReason reason = KSP_CONVERGED_ITERATING;
  PetscReal          kspResidual = 0, trueResidual = 0, relativeResidual = 0;
  PetscLogDouble     setupSeconds = 0, solveSeconds = 0; // solve: the fastest of the repeats
  History            history;                            // of the fastest solve
  NetworkStats       network;
};

// KSP with petal-poisson's defaults, then KSPSetFromOptions: DCDM (-ksp_type dcdm -pc_type dcdm) where petal
// registers it, else CG + ICC(0) (one rank) / CG + block Jacobi (several); relative tolerance 1e-6 on the
// unpreconditioned residual norm (-ksp_norm_type unpreconditioned: every solver stops on the same quantity),
// at most 10000 iterations. Collective.
PetscErrorCode CreateSolver(MPI_Comm comm, KSP *ksp);

// Sets the operators, times KSPSetUp (setup) and `repeat` solves from x = 0 (the fastest kept), removes the
// null space from x and records ||b - Ax||. monitor prints a line per iteration. Collective.
PetscErrorCode Solve(KSP ksp, const Problem &p, Vec b, Vec x, PetscInt repeat, bool monitor, SolveRecord *rec);

PetscErrorCode PrintSummary(MPI_Comm comm, const SolveRecord &rec);

} // namespace petal::poisson
