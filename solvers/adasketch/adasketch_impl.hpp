#pragma once
// Private data of TAOADASKETCH, shared by its files:
//   adasketch.cpp          the TAO type: create, setup, the outer loop (solve), view, destroy
//   adasketch_options.cpp  TaoSetFromOptions_AdaSketch, the composed setters/getters, package initialisation
//   adasketch_checks.cpp   the problem checks (callbacks, bounds, inequalities, sizes, NaN/Inf)
//   adasketch_merit.cpp    the exact augmented Lagrangian L_{mu,nu} and its gradient
//   adasketch_inner.cpp    the inexact KKT solve: sketch-and-project on the gathered KKT matrix, or a KSP
//   adasketch_reduced_pc.cpp   the reduced-space KKT preconditioner of the KSP inner solver (state/control split)
//   adasketch_sketch_glue.cpp  the calls into sketch/ (ada-sketch)
#include <petal/adasketch.h>
#include <petsc/private/taoimpl.h>
#include "solvers/adasketch/sketch/kkt_spectra.hpp"
#include "solvers/adasketch/sketch/sketch_solver.hpp"
#include <memory>
#include <vector>

extern PetscLogEvent PETAL_AdaSketchKKT, PETAL_AdaSketchInner, PETAL_AdaSketchMerit;

namespace petal {
namespace adasketch {

/* The reference code's constants (Parameter/Param.jl); see README.md. */
struct Constants {
  PetscReal xiB          = 0.1;  /* xi_B: the Hessian shift's margin and the floor in Psi */
  PetscReal beta         = 0.1;  /* Armijo fraction (and 0.5 - beta in delta_trial) */
  PetscReal rho          = 1.5;  /* penalty growth: mu *= rho^2, nu /= rho, delta /= rho^4 */
  PetscReal deltaMin     = 1e-6; /* floor of delta */
  PetscReal singularGGt  = 1e-2; /* lambda_min(G G^T) below this: singular constraint Jacobian */
  PetscReal reducedHessMin = 1e-6; /* lambda_min(Z^T H Z) below this x min(1, |H|): B = H + (xi_B + |H|) I */
  PetscReal muMax        = 1e8;  /* safeguards: stop increasing penalties */
  PetscReal nuMin        = 1e-8;
};

/* The state of the inner solve of one outer iteration. */
struct InnerResult {
  PetscInt64 iterations   = 0;
  PetscReal  residualNorm = 0; /* |K z + grad L| */
  bool       reachedTarget = false;
};

struct KSPInner;  /* adasketch_inner.cpp */
struct ReducedPC; /* adasketch_reduced_pc.cpp */

/* One outer iteration's spectral quantities and the accuracy test's scale (kept for -tao_adasketch_spectra_lag). */
struct Scales {
  PetscReal xiG, shift, normB, normG, normH, psi, upsilon, normK;
};

} // namespace adasketch
} // namespace petal

struct Tao_AdaSketch {
  // Settings
  TaoAdaSketchInnerType  inner       = TAO_ADASKETCH_INNER_SKETCH;
  TaoAdaSketchSketchType sketch      = TAO_ADASKETCH_SKETCH_KACZMARZ;
  PetscInt               block       = 1;
  PetscInt64             seed        = 2023;
  PetscReal              mu0 = 1.0, nu0 = 0.1, delta0 = 0.1;
  PetscReal              theta0      = 1.0;
  PetscBool              superlinear = PETSC_FALSE;
  PetscInt64             maxInner    = 100000; /* sketch steps per inner solve (the reference's 1e5) */
  PetscReal              innerFloor  = 1e-14;  /* the accuracy target never asks for |r| below this x |grad L| */
  PetscInt               maxHalvings = 60;     /* Armijo: line search failure after this many halvings */
  PetscReal              lambda0     = 1.0;    /* initial multipliers (the reference's all-ones) */
  PetscBool              sketchReference = PETSC_FALSE; /* host reference kernels instead of Kokkos */
  petal::adasketch::SpectraSettings spectra;
  petal::adasketch::Constants       c;
  PetscInt               spectraLag = 1;  /* recompute the spectral quantities every this many outer iterations */
  IS                     stateIS = nullptr; /* TaoAdaSketchSetStateIS: the state variables (the rest are controls) */
  PetscBool              reducedSpace = PETSC_TRUE; /* with a state set: the reduced-space preconditioner for the KSP inner solver */
  PetscBool              monitor = PETSC_FALSE; /* -tao_monitor or -tao_adasketch_monitor: one line per iteration */

  // State of the current/last solve
  PetscReal  mu = 1.0, nu = 0.1, delta = 0.1;
  PetscInt64 innerTotal = 0;
  PetscInt   penaltyIncreases = 0, halvings = 0;
  PetscReal  lastLambdaMinGGt = 0;
  petal::adasketch::Scales scales{}; /* of the last spectra computation */
  PetscInt   scalesIteration = -1;   /* outer iteration of that computation (-1: none in this solve) */

  // Work
  Vec gradL = nullptr;            /* grad_x L = grad f + G^T lambda */
  Vec dx = nullptr, dl = nullptr; /* the step z = (dx, dl) */
  Vec xTrial = nullptr, lTrial = nullptr;
  Vec Hg = nullptr, Gtc = nullptr, Gg = nullptr; /* H grad_x L, G^T c, G grad_x L (merit gradient parts) */
  Vec gmx = nullptr, gml = nullptr;              /* merit gradient (x and lambda parts) */
  Mat B = nullptr;                               /* H or H + shift I (KSP inner solver) */
  std::unique_ptr<petal::adasketch::SketchSolver> sketchSolver;
  petal::adasketch::KSPInner *kspInner = nullptr;
  KSP ksp = nullptr; /* TaoAdaSketchGetKSP; options prefix <tao prefix>tao_adasketch_ */
};

namespace petal {
namespace adasketch {

inline Tao_AdaSketch *Data(Tao tao) { return static_cast<Tao_AdaSketch *>(tao->data); }

// adasketch_options.cpp
PetscErrorCode SetFromOptions(Tao tao, PetscOptionItems *PetscOptionsObject);
PetscErrorCode ComposeFunctions(Tao tao);
PetscErrorCode RemoveFunctions(Tao tao);
PetscErrorCode EnsureKSP(Tao tao);

// adasketch_checks.cpp
/* Callbacks present, no bounds or inequality constraints, sizes consistent. Collective; the same error on every rank. */
PetscErrorCode CheckProblem(Tao tao);
/* PETSC_ERR_FP naming the callback `what` when v holds NaN or Inf. */
PetscErrorCode CheckFiniteVec(Tao tao, Vec v, const char *what);
PetscErrorCode CheckFiniteMat(Tao tao, Mat A, const char *what);

// adasketch_merit.cpp
/* L_{mu,nu} = f + l^T c + mu/2 |c|^2 + nu/2 |gradL|^2 */
PetscErrorCode MeritValue(PetscReal f, Vec l, Vec c, Vec gradL, PetscReal mu, PetscReal nu, PetscReal *value);
/* The exact merit gradient: gx = gradL + nu H gradL + mu G^T c, gl = c + nu G gradL; Hg = H gradL, Gtc = G^T c,
 * Gg = G gradL precomputed once per outer iteration. */
PetscErrorCode MeritGradient(Tao_AdaSketch *as, Vec c, PetscReal mu, PetscReal nu, Vec gx, Vec gl);
PetscErrorCode MeritGradientParts(Tao tao, Mat H, Mat G, Vec gradL, Vec c);

// adasketch_inner.cpp
/* Solves K z = -(gradL, c) from the warm start z = (dx, dl) until |K z + grad L| <= target (or the inner cap).
 * K = [[H + shift I, G^T], [G, 0]]. `stream` numbers the random stream of this call. */
PetscErrorCode InnerSolve(Tao tao, Mat H, PetscReal shift, Mat G, Vec gradL, Vec c, PetscReal target, std::uint64_t stream, InnerResult *res);
/* Drops what InnerSolve built for this outer iteration (the KKT matrix changes with x). */
PetscErrorCode InnerReset(Tao tao);
PetscErrorCode InnerDestroy(Tao tao);

// adasketch_reduced_pc.cpp
/* Makes pc the reduced-space preconditioner for KKT matrix blocks B (Hessian, shifted) and G: kkt* are the state,
 * control and multiplier rows of the KKT matrix, xState/xControl the state and control variables. Creates *ctx on
 * first call (sub-KSPs with prefixes tao_adasketch_state_ and tao_adasketch_control_), refreshes the blocks after. */
PetscErrorCode ReducedPCSetUp(Tao tao, PC pc, IS kktState, IS kktControl, IS kktMult, IS xState, IS xControl, Mat B, Mat G, ReducedPC **ctx);
PetscErrorCode ReducedPCDestroy(ReducedPC **ctx);

// Spectra and sketch solver: sketch/ (adasketch_sketch_glue.cpp).
PetscErrorCode Spectra(Mat H, Mat G, const SpectraSettings &, KKTSpectra *);
std::unique_ptr<SketchSolver> CreateSketchSolver(const SketchSettings &, bool reference);

} // namespace adasketch
} // namespace petal
