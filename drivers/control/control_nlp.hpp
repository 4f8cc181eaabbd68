#pragma once
// The discretised control problem as a TAO problem through TAO's standard constrained callbacks, so that any TAO
// type that takes equality constraints runs it (TAOPDIPM, TAOALMM, adasketch):
//   TaoSetObjectiveAndGradient, TaoSetEqualityConstraintsRoutine, TaoSetJacobianEqualityRoutine, TaoSetHessian
//   (the Hessian of L = f + lambda^T c, lambda read with TaoGetDualVariables: TAOPDIPM's convention) and
//   variable bounds -inf..inf (TAOPDIPM 3.18 needs bounds set).
// Layout of the variables x = (y, u): one MPI Vec whose part on each rank is [y owned, u owned], the rank's
// state unknowns (in the order of the discretization's global Vecs) followed by its controls. So the y and u
// parts of x are the discretization's Vecs without copies (VecPlaceArray), and a state index j owned by rank p
// (ownership range [R_p, R_p+1)) is x index j + R_p, its control j + R_p+1. The constraint Vec and the multiplier
// are global Vecs of the discretization (the state layout). G = [dc/dy, dc/du] (n x 2n) and the Hessian
// (2n x 2n, block diagonal) are AIJ matrices assembled from the discretization's blocks.
#include "control_discretization.hpp"
#include <petsctao.h>
#include <vector>

namespace petal::control {

class ControlNLP {
public:
  explicit ControlNLP(Discretization *disc) : disc_(disc) {}
  ControlNLP(const ControlNLP &)            = delete;
  ControlNLP &operator=(const ControlNLP &) = delete;
  ~ControlNLP();

  // Creates x, c, G, H for the discretization. Collective.
  PetscErrorCode Setup();
  // Registers the callbacks on tao, x as its solution. Collective.
  PetscErrorCode Attach(Tao tao);
  // Variable bounds -inf..inf (no bound: what TAOPDIPM 3.18 needs to run at all).
  PetscErrorCode AttachBounds(Tao tao);
  // x's parts as the discretization's Vecs (read-only views; give them back with Restore).
  PetscErrorCode Split(Vec X, Vec *y, Vec *u);
  PetscErrorCode Restore(Vec X);
  // The KKT residual at (X, lambda): |grad_x L| (L = f + lambda^T c), |c|, and f. lambda may be NULL (0).
  PetscErrorCode KKT(Vec X, Vec lambda, PetscReal *f, PetscReal *gradLNorm, PetscReal *cNorm);

  Vec x      = nullptr; // the variables (y, u)
  Vec c      = nullptr; // constraint values (TAO's work vector)
  Mat G      = nullptr; // Jacobian of c
  Mat H      = nullptr; // Hessian of the Lagrangian
  Vec lambda = nullptr; // a multiplier-shaped work Vec (state layout)

  static PetscErrorCode FormObjectiveGradient(Tao, Vec X, PetscReal *f, Vec g, void *ctx);
  static PetscErrorCode FormConstraints(Tao, Vec X, Vec c, void *ctx);
  static PetscErrorCode FormJacobian(Tao, Vec X, Mat J, Mat Jpre, void *ctx);
  static PetscErrorCode FormHessian(Tao tao, Vec X, Mat Hm, Mat Hpre, void *ctx);

private:
  // x index of state j (control: control = true).
  PetscInt       Map(PetscInt j, bool control) const;
  PetscErrorCode CopyBlock(Mat src, Mat dst, bool rowControl, bool colControl);
  PetscErrorCode FillG(Vec y);
  PetscErrorCode FillH(Vec y, Vec lam);

  Discretization       *disc_;
  Vec                   y_ = nullptr, u_ = nullptr, gy_ = nullptr, gu_ = nullptr; // views (VecPlaceArray)
  Vec                   xl_ = nullptr, xu_ = nullptr;
  Vec                   splitOf_ = nullptr;
  const PetscScalar    *splitArray_ = nullptr;
  std::vector<PetscInt> ranges_; // ownership ranges of the state layout, size ranks + 1
  PetscInt              rank_ = 0, nlocal_ = 0;
};

} // namespace petal::control
