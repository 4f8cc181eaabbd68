#pragma once
// Private definition of the PetalOT object and the functions the solver's files share.
//
// PetalOT follows PETSc's implementation pattern (KSP, TAO): the object holds the problem, the parameters
// every method uses (regularisation, tolerances, the Sinkhorn variant, epsilon scaling) and the shared
// iteration state (Workspace); a type ("sinkhorn", "sns", registered with PetalOTRegister) sets the ops
// table below and keeps its own parameters and state in ot->data.
//
// Files: ot_register.cpp (class id, type list, log events, MPI reduction op), ot_object.cpp (life cycle,
// options, view, accessors), ot_type_sinkhorn.cpp and ot_type_sns.cpp (the two types), ot_setup.cpp (input
// checks, the compressed problem in Kokkos views), ot_sinkhorn.cpp (Sinkhorn iterations and epsilon scaling,
// shared by both types), ot_newton.cpp (SNS's Newton steps), ot_topk.cpp (global top-k), ot_output.cpp
// (potentials, plan, HDF5), ot_passes.cpp (the Kokkos kernels, per cost functor).
#include <petal/ot.h>
#include <petsc/private/petscimpl.h>
#include "ot_passes.hpp"
#include <vector>

struct _PetalOTOps {
  PetscErrorCode (*setfromoptions)(PetalOT, PetscOptionItems *); /* the type's options, inside PetalOTSetFromOptions */
  PetscErrorCode (*solve)(PetalOT);                              /* from the set-up problem to ws's final state */
  PetscErrorCode (*view)(PetalOT, PetscViewer);                  /* the type's parameters (and state after a solve) */
  PetscErrorCode (*destroy)(PetalOT);                            /* frees ot->data */
};

namespace petal {
namespace ot {

// The problem as the solver sees it (points with zero weight removed) and the iteration state.
struct Workspace {
  CostSpec cost;            // kept local rows x kept columns
  CostSpec costDroppedRows; // dropped local rows x kept columns (their potentials are c-transforms)
  CostSpec costDroppedCols; // kept local rows x dropped columns

  PetscInt nFull = 0, mFull = 0, nLocFull = 0, rStartFull = 0; // user sizes and r's ownership start
  PetscInt n = 0, m = 0, nLoc = 0, rowOffset = 0;               // kept sizes; global kept index of local row 0
  std::vector<PetscInt> keptRows, droppedRows; // local indices (0..nLocFull) into r's local part
  std::vector<PetscInt> keptCols, droppedCols; // global column indices

  Vec1 r, logr, c, logc; // kept weights: r local (nLoc), c replicated (m)
  Vec1 x, y, xNew;       // potentials: x local, y replicated
  Vec1 ex, ey;           // eta x - 1 and eta y for the kernels
  Vec1 rowSum, colSum;   // plan row sums (local) and column sums (global after the allreduce)
  Vec1 colMax;           // column maxima (log-domain column pass)
  Mat2 K;                // stored variant: the plan at absorbed potentials (nLoc x m), double ...
  Mat2f Kf;              // ... or float (rows normalised to sum 1)
  bool kFloat = false;   // which of the two is current
  Vec1 u, v, uNew, shift2; // stored variant: row/column scalings, the next row scalings, build row shifts
  Scratch<Exec> scratch;
  std::vector<double> hostBuf; // MPI staging (m + a few scalars, or 2m for (max, sum) pairs)

  double eta          = 0;     // the eta of the current stage (epsilon scaling), ot->eta at the end
  bool   columnsExact = false; // the last update was an exact column update (then P^T 1 = c)
  double sumP = 0, sumCP = 0;  // from the last plan evaluation
  double rowErr = 0, colErr = 0;
};

} // namespace ot
} // namespace petal

struct _p_PetalOT {
  PETSCHEADER(struct _PetalOTOps);

  /* problem (references) */
  Vec             r, c, X, Y;
  Mat             C;
  PetscInt        dim;
  PetalOTCostType costType;
  PetscReal       costP, costScale, costScaleUsed;
  PetscBool       costNormalize;

  /* parameters of every method */
  PetalOTSinkhornVariant variant;
  PetscReal              storedMaxMB; /* auto variant: memory budget of the stored plan per rank (MiB) */
  PetscBool              storedFloat; /* stored variant: early iterations on a float copy of the plan */
  PetscReal              eta, tol, massTol;
  PetscInt               maxIt;
  PetscBool              epsScaling;
  PetscReal              epsEta0, epsFactor, epsStageTol;
  PetscReal              planThreshold;
  PetalOTKernelISA       kernelISA;     /* which compiled variant of the n^2 kernels runs (auto: the best this CPU has) */
  PetalOTKernelISA       kernelISAUsed; /* what the last solve ran */
  PetscBool              monitor;
  PetscInt               monitorInterval;
  KSP                    ksp; /* the Newton KSP: created by PetalOTGetNewtonKSP (SNS's set-up, or a user) */

  /* results */
  PetalOTResult res;
  Vec           xOut, yOut;
  PetscBool     solved;
  PetscInt      nKept, mKept;
  PetscReal     maxCost; /* the largest |C_ij| (before the scale) the range check bounded or measured */

  petal::ot::Workspace *ws;
  void                 *data; /* the type's parameters and state */
};

/* The registered types (PetalOTRegister; the built-in ones by PetalOTInitializePackage). */
extern PetscFunctionList PetalOTList;

/* Log events (registered by PetalOTInitializePackage). */
PETSC_EXTERN PetscLogEvent PETAL_OT_SetUp, PETAL_OT_SinkhornIter, PETAL_OT_RowPass, PETAL_OT_LSE, PETAL_OT_Allreduce, PETAL_OT_PlanEval, PETAL_OT_TopK, PETAL_OT_Hessian, PETAL_OT_NewtonKSP, PETAL_OT_LineSearch, PETAL_OT_Output, PETAL_OT_KernelBuild;

namespace petal {
namespace ot {
/* MPI reduction of (max, sum) pairs for column log-sum-exp: (m1,s1)+(m2,s2) = (M, s1 e^(m1-M) + s2 e^(m2-M)). */
PetscErrorCode AllreduceMaxSumPairs(MPI_Comm comm, double *pairs, PetscInt count);

PetscErrorCode SetUpProblem(PetalOT ot);
/* All entries of a parallel Vec on every rank (collective). */
PetscErrorCode GatherAll(Vec v, std::vector<double> *out);
/* Sinkhorn to ot->tol (with epsilon scaling if set: intermediate stages end at -ot_eps_scaling_stage_tol or after
 * stageMaxIt iterations); sets the reason and the final plan evaluation. The "sinkhorn" type's solve. */
PetscErrorCode RunSinkhorn(PetalOT ot, PetscInt stageMaxIt);
/* Sinkhorn iterations at eta until the row error of a column-exact state is <= tol or maxIts; counts
 * iterations into ot->res. *converged is set accordingly. After minIts iterations it also stops once the
 * error falls by less than the factor stallRate per iteration over the last 5 (1.0: never stop early). */
PetscErrorCode SinkhornIterate(PetalOT ot, double eta, double tol, PetscInt maxIts, PetscBool *converged, PetscInt minIts, double stallRate);
/* Evaluates the plan for ex = eta x - 1, ey = eta y (any potentials, e.g. a line-search trial): sets
 * ws.rowSum (local), ws.colSum (global), ws.sumP, ws.sumCP, ws.rowErr, ws.colErr. Collective. */
PetscErrorCode EvaluateAt(PetalOT ot, const Vec1 &ex, const Vec1 &ey);
/* The same at the current potentials (ws.x, ws.y). */
PetscErrorCode EvaluatePlan(PetalOT ot);
/* Global top-k threshold of the plan entries at ws.ex/ws.ey; returns the kept local entries (value >= rho).
 * hint > 0: try collecting the entries >= hint first (e.g. the previous threshold / 8); rho >= floor. */
PetscErrorCode SelectTopK(PetalOT ot, long long k, double hint, double floor, Entries *kept, double *rho);
PetscErrorCode BuildOutputPotentials(PetalOT ot);
/* The plan entries P_ij >= threshold * r_i of the local rows (threshold < 0: ot->planThreshold), in the user's
 * numbering, and the total mass left out (on every rank). Collective. */
PetscErrorCode CollectPlan(PetalOT ot, PetscReal threshold, std::vector<PetscInt> *rows, std::vector<PetscInt> *cols, std::vector<double> *vals, double *dropped);
PetscErrorCode FillResult(PetalOT ot);
} // namespace ot
} // namespace petal
