#pragma once
// A short calibration that puts a learned omega in perspective: on a few steps sampled evenly over the run,
// the same system (same operator, right-hand side and warm start) is also solved with every omega of the
// grid by plain CG + SSOR (PCSOR). The best fixed omega of the calibration and the learned omega are then
// compared on exactly those steps, and the best fixed omega's full-run total is estimated from its mean.
#include <petscksp.h>
#include <vector>

namespace petal::heat {

class Calibration {
public:
  ~Calibration();
  // grid: the omega values to try; samples: how many steps to calibrate on (0 disables).
  PetscErrorCode Setup(KSP reference, const std::vector<PetscReal> &grid, PetscInt samples, PetscInt steps);
  bool           IsSample(PetscInt step) const;
  // Solves A x = b from x = u with every omega (u is not modified).
  PetscErrorCode Run(Mat A, Vec b, Vec u);
  // Iterations the run's own solver needed on a sampled step.
  void           RecordLearned(PetscInt its) { learned_ += its; }
  PetscErrorCode Report(MPI_Comm comm, PetscInt steps, PetscInt totalIterations) const;

  PetscInt               samples = 0;
  std::vector<PetscReal> grid;
  std::vector<PetscInt>  iterations; // per omega, summed over sampled steps
  PetscLogDouble         seconds = 0;
  PetscInt               BestIndex() const;
  PetscInt               LearnedIterations() const { return learned_; }

private:
  KSP      ksp_  = nullptr;
  Vec      x_    = nullptr;
  PetscInt steps_ = 0, learned_ = 0;
};
} // namespace petal::heat
