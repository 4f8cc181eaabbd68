#pragma once
// The "sns" type's data (ot->data): Sinkhorn-Newton-Sparse's parameters and the state of its last solve.
// Life cycle and options in ot_type_sns.cpp, the algorithm in ot_newton.cpp.
#include "ot_impl.hpp"

struct PetalOT_SNS {
  /* parameters (options -ot_sns_*, -ot_newton_*) */
  PetscInt     warmup         = 20; /* N1: the paper's value for random assignment and MNIST-L2 */
  PetscInt     maxNewton      = 200;
  PetscInt     switchInterval = 10; /* adaptive switch: Sinkhorn iterations between Newton tries */
  PetscInt     fallbackIts    = 20; /* Sinkhorn iterations after a failed line search */
  PetscInt     interleave     = 0;  /* Sinkhorn iterations after a slow Newton step */
  PetscInt     stageWarmup    = 2;  /* epsilon scaling: Sinkhorn iterations at the start of each later stage */
  PetscReal    density        = -1; /* <= 0: 2 / max(n, m), the paper's lambda */
  PetscReal    densityMax     = -1; /* <= 0: max(0.1, 64/n), at least lambda */
  PetscReal    stallRate      = 1.0;
  PetscBool    adaptive       = PETSC_FALSE;
  PetscBool    densityAdapt   = PETSC_TRUE;
  PetalOTGauge gauge          = PETAL_OT_GAUGE_FIX;
  PetscBool    forcing        = PETSC_TRUE;
  PetscReal    forcingMax = 0.01, forcingPower = 1.0, lsC1 = 1e-4;
  PetscInt     lsMax = 40;

  /* state of the current (or last) solve */
  double    curDensity = 0, curDensityMax = 0, rhoPrev = 0; /* Hessian density now, its cap, last top-k threshold */
  long long kPrev       = 0;                                /* entries kept at the last step */
  PetscReal densityUsed = 0;                                /* largest density of the solve (for the view) */
  PetscInt  kUsed       = 0;                                /* largest number of kept entries */
};

namespace petal {
namespace ot {
/* SNS from the set-up problem to the final state (reason, plan sums, times): the "sns" type's solve. */
PetscErrorCode RunSNS(PetalOT ot, PetalOT_SNS &sns);
} // namespace ot
} // namespace petal
