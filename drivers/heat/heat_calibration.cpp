#include "heat_calibration.hpp"
#include <algorithm>

namespace petal::heat {

Calibration::~Calibration()
{
  (void)KSPDestroy(&ksp_);
  (void)VecDestroy(&x_);
}

PetscErrorCode Calibration::Setup(KSP reference, const std::vector<PetscReal> &g, PetscInt n, PetscInt steps)
{
  PC        pc;
  PetscReal rtol, atol, dtol;
  PetscInt  maxit;
  PetscFunctionBegin;
  samples = std::min(n, steps);
  steps_  = steps;
  grid    = g;
  iterations.assign(grid.size(), 0);
  if (samples <= 0) PetscFunctionReturn(0);
  // The same Krylov method and tolerances as the run, with PETSc's own SOR at a fixed omega.
  PetscCall(KSPCreate(PetscObjectComm((PetscObject)reference), &ksp_));
  PetscCall(KSPSetType(ksp_, KSPCG));
  PetscCall(KSPGetTolerances(reference, &rtol, &atol, &dtol, &maxit));
  PetscCall(KSPSetTolerances(ksp_, rtol, atol, dtol, maxit));
  PetscCall(KSPSetNormType(ksp_, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetInitialGuessNonzero(ksp_, PETSC_TRUE));
  PetscCall(KSPGetPC(ksp_, &pc));
  PetscCall(PCSetType(pc, PCSOR));
  PetscFunctionReturn(0);
}

bool Calibration::IsSample(PetscInt step) const
{
  if (samples <= 0) return false;
  // Steps floor((k + 1/2) steps / samples), k = 0..samples-1: evenly spread over the run.
  const PetscInt k = (PetscInt)((2 * step + 1) * samples / (2 * steps_));
  return k < samples && step == (PetscInt)((2 * k + 1) * steps_ / (2 * samples));
}

PetscErrorCode Calibration::Run(Mat A, Vec b, Vec u)
{
  PC             pc;
  PetscLogDouble t0, t1;
  PetscFunctionBegin;
  PetscCall(PetscTime(&t0));
  if (!x_) PetscCall(VecDuplicate(u, &x_));
  PetscCall(KSPSetOperators(ksp_, A, A));
  PetscCall(KSPGetPC(ksp_, &pc));
  for (size_t i = 0; i < grid.size(); ++i) {
    PetscInt           its, maxit;
    KSPConvergedReason reason;
    PetscCall(PCSORSetOmega(pc, grid[i]));
    PetscCall(VecCopy(u, x_));
    PetscCall(KSPSolve(ksp_, b, x_));
    PetscCall(KSPGetIterationNumber(ksp_, &its));
    PetscCall(KSPGetConvergedReason(ksp_, &reason));
    PetscCall(KSPGetTolerances(ksp_, NULL, NULL, NULL, &maxit));
    iterations[i] += reason < 0 ? std::max(its, maxit) : its; // charged like the learner: the cap
  }
  PetscCall(PetscTime(&t1));
  seconds += t1 - t0;
  PetscFunctionReturn(0);
}

PetscInt Calibration::BestIndex() const { return (PetscInt)(std::min_element(iterations.begin(), iterations.end()) - iterations.begin()); }

PetscErrorCode Calibration::Report(MPI_Comm comm, PetscInt steps, PetscInt totalIterations) const
{
  PetscFunctionBegin;
  if (samples <= 0) PetscFunctionReturn(0);
  const PetscInt  best      = BestIndex();
  const PetscReal estimated = (PetscReal)iterations[best] * steps / samples;
  PetscCall(PetscPrintf(comm, "  calibration on %" PetscInt_FMT " sampled steps (%.2f s): best fixed omega %.4g needs %" PetscInt_FMT " iterations there, this run's solver %" PetscInt_FMT " (ratio %.3f)\n", samples, seconds, (double)grid[best], iterations[best], learned_, iterations[best] ? (double)learned_ / iterations[best] : 0.0));
  PetscCall(PetscPrintf(comm, "  estimated total for the best fixed omega: %.0f iterations; this run: %" PetscInt_FMT " (ratio %.3f)\n", (double)estimated, totalIterations, estimated > 0 ? totalIterations / estimated : 0.0));
  PetscFunctionReturn(0);
}
} // namespace petal::heat
