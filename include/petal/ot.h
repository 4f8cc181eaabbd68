#pragma once
/* petal's entropic optimal transport solver (PetalOT): log-domain Sinkhorn and Sinkhorn-Newton-Sparse
 * (SNS, Tang et al., ICLR 2024), distributed over MPI by row blocks of the transport plan.
 *
 * Problem and conventions
 *   min_P <C, P> + (1/eta) sum_ij P_ij log P_ij   subject to  P 1 = r,  P^T 1 = c,  P >= 0,
 * with eta > 0 the regularisation strength (larger eta = less entropy; epsilon = 1/eta is POT's `reg`).
 * The dual (Lyapunov) potential is the concave
 *   f(x, y) = -(1/eta) sum_ij P_ij(x, y) + r^T x + c^T y,   P_ij(x, y) = exp(eta (x_i + y_j - C_ij) - 1),
 * and the solver returns the potentials x (size n, laid out like r) and y (size m, laid out like c).
 * At the optimum the regularised objective equals the dual one: <C,P> + (1/eta) sum P log P = f(x, y)
 * = r^T x + c^T y - (1/eta) (strong duality, sum P = 1); <C,P> alone is the transport cost.
 * The cost the solver works with is scale * C (see PetalOTSetCostScale and -ot_cost_normalize); every
 * reported cost, objective and potential is in those scaled units, and eta applies to the scaled cost.
 *
 * Points with zero weight are removed from the solve (their plan rows/columns are zero); their
 * reported potentials are the smoothed c-transforms x_i = -(1/eta) log sum_j exp(eta (y_j - C_ij)),
 * y_j = -(1/eta) log sum_i exp(eta (x_i - C_ij)), which tend to the usual c-transforms as eta grows.
 *
 * Life cycle (PETSc style; options under -ot_, listed by -help):
 *   PetalOTCreate(comm, &ot);
 *   PetalOTSetProblemPoints(ot, r, c, dim, X, Y);   or   PetalOTSetProblemCost(ot, r, c, C);
 *   PetalOTSetEta(ot, 1200.0);
 *   PetalOTSetType(ot, PETALOTSNS);                  (-ot_type; the default is PETALOTSINKHORN)
 *   PetalOTSetFromOptions(ot);
 *   PetalOTSolve(ot);
 *   PetalOTGetResult(ot, &res); PetalOTGetPotentials(ot, &x, &y);
 *   PetalOTView(ot, PETSC_VIEWER_STDOUT_WORLD);
 *   PetalOTDestroy(&ot);
 */
#include <petscksp.h>

typedef struct _p_PetalOT *PetalOT;

PETSC_EXTERN PetscClassId PETAL_OT_CLASSID;

/* Registers the PetalOT class and its log events; idempotent (PetalOTCreate calls it). */
PETSC_EXTERN PetscErrorCode PetalOTInitializePackage(void);

/* Types (methods), as KSPType for KSP: each sets PetalOT's ops table and keeps its own parameters. */
typedef const char *PetalOTType;
#define PETALOTSINKHORN "sinkhorn" /* log-domain Sinkhorn */
#define PETALOTSNS      "sns"      /* Sinkhorn warm-up, then Newton steps with a sparsified Hessian */

/* Adds a type: create(ot) sets ot's ops table and data (see solvers/ot/ot_impl.hpp). Not collective. */
PETSC_EXTERN PetscErrorCode PetalOTRegister(const char name[], PetscErrorCode (*create)(PetalOT));

/* The built-in types as an enum: PetalOTSetMethod(ot, m) is PetalOTSetType(ot, PetalOTMethods[m]) and
 * -ot_method an alias of -ot_type, kept for existing programs and scripts. */
typedef enum {
  PETAL_OT_SINKHORN = 0, /* PETALOTSINKHORN */
  PETAL_OT_SNS      = 1  /* PETALOTSNS */
} PetalOTMethod;
PETSC_EXTERN const char *const PetalOTMethods[];

typedef enum {
  PETAL_OT_COST_SQEUCLIDEAN = 0, /* |a - b|_2^2 */
  PETAL_OT_COST_EUCLIDEAN   = 1, /* |a - b|_2 */
  PETAL_OT_COST_PNORM       = 2  /* |a - b|_p^p = sum_k |a_k - b_k|^p  (p >= 1; p = 1 is the L1 cost) */
} PetalOTCostType;
PETSC_EXTERN const char *const PetalOTCostTypes[];

typedef enum {
  PETAL_OT_SINKHORN_FUSED = 0, /* one exp per plan entry per iteration: row update and column sums in one pass */
  PETAL_OT_SINKHORN_LOG   = 1, /* textbook log-domain half-steps: row LSE pass, then column LSE pass */
  PETAL_OT_SINKHORN_STORED = 2, /* the plan at absorbed potentials stored (n^2/P doubles per rank); iterations on
                                   row/column scalings (two FMAs per entry, no exp), absorbed back into the
                                   log-domain potentials when a scaling leaves [1e-30, 1e30] */
  PETAL_OT_SINKHORN_AUTO   = 3  /* stored if this rank's share of the plan fits -ot_sinkhorn_stored_max_mb
                                   (PetalOTSetSinkhornStoredMemory), else fused (O(n d) memory) */
} PetalOTSinkhornVariant;
PETSC_EXTERN const char *const PetalOTSinkhornVariants[];

typedef enum {
  PETAL_OT_PLAN_ON_THE_FLY    = 0, /* an exp per entry per iteration (fused or log variant, or no Sinkhorn iteration) */
  PETAL_OT_PLAN_DOUBLE        = 1, /* stored plan in double */
  PETAL_OT_PLAN_FLOAT_DOUBLE  = 2, /* stored plan in float, then in double */
  PETAL_OT_PLAN_FLOAT_LOG     = 3  /* stored plan in float, then on the fly (double did not fit the memory budget) */
} PetalOTSinkhornPlan;
PETSC_EXTERN const char *const PetalOTSinkhornPlans[];

typedef enum {
  PETAL_OT_GAUGE_FIX       = 0, /* drop the last column potential from the Newton system (y_m fixed) */
  PETAL_OT_GAUGE_NULLSPACE = 1  /* keep all n+m unknowns, remove (1,-1) with a MatNullSpace */
} PetalOTGauge;
PETSC_EXTERN const char *const PetalOTGauges[];

typedef enum {
  PETAL_OT_KERNEL_ISA_AUTO    = 0, /* the best variant this CPU supports (the default) */
  PETAL_OT_KERNEL_ISA_GENERIC = 1, /* the build's baseline code (portable: SSE2 on x86-64 unless PETAL_OT_NATIVE_ARCH) */
  PETAL_OT_KERNEL_ISA_AVX2    = 2, /* x86-64 AVX2 + FMA */
  PETAL_OT_KERNEL_ISA_AVX512  = 3  /* x86-64 AVX-512 (F, VL, DQ, BW) + FMA */
} PetalOTKernelISA;
PETSC_EXTERN const char *const PetalOTKernelISAs[];

typedef enum {
  PETAL_OT_ITERATING           = 0,
  PETAL_OT_CONVERGED_TOL       = 1,  /* both L1 marginal errors <= tol */
  PETAL_OT_DIVERGED_MAX_IT     = -1, /* iteration limits reached first */
  PETAL_OT_DIVERGED_NAN        = -2, /* a non-finite value appeared */
  PETAL_OT_DIVERGED_LINESEARCH = -3  /* SNS: no ascent step and the Sinkhorn fallback made no progress */
} PetalOTConvergedReason;
PETSC_EXTERN const char *const *PetalOTConvergedReasons; /* indexed by reason + 3 */

typedef struct {
  PetscReal              transport_cost;        /* <C, P> */
  PetscReal              regularized_objective; /* <C, P> + (1/eta) sum P log P (the primal objective) */
  PetscReal              dual_objective;        /* f(x, y) = r.x + c.y - (1/eta) sum P */
  PetscReal              mass;           /* sum_ij P_ij */
  PetscReal              row_error;      /* |P 1 - r|_1 */
  PetscReal              col_error;      /* |P^T 1 - c|_1 */
  PetscInt               sinkhorn_iterations;
  PetscInt               newton_iterations;
  PetscInt               line_search_evaluations; /* plan passes spent in the SNS line search */
  PetscInt               ksp_iterations;          /* total over all Newton steps */
  PetscInt               fallback_rows;           /* Sinkhorn rows that needed the max-shifted (two-pass) LSE */
  PetalOTSinkhornPlan    sinkhorn_plan;           /* what the Sinkhorn iterations ran on (the auto variant's choice) */
  PetscLogDouble         time_total, time_setup, time_sinkhorn, time_newton; /* seconds (max over ranks) */
  PetalOTConvergedReason reason;
} PetalOTResult;

PETSC_EXTERN PetscErrorCode PetalOTCreate(MPI_Comm comm, PetalOT *ot);
PETSC_EXTERN PetscErrorCode PetalOTDestroy(PetalOT *ot);

/* Problem input. r (length n) and c (length m) are the source and target weights: finite, >= 0, with
 * equal totals (relative tolerance -ot_mass_tol). The plan's rows are distributed like r. Points and costs
 * must be finite, and so must eta * scale * max |C| (below 1e300): PetalOTSolve refuses anything else with an
 * error that names the quantity, before any iteration.
 * PetalOTSetProblemCost: C is a dense n x m matrix (MATSEQDENSE or MATMPIDENSE) whose rows are laid out
 *   like r; it is copied (row-major) at set-up.
 * PetalOTSetProblemPoints: X holds the n source points (n*dim entries, point-major, local rows laid out
 *   like r), Y the m target points (any layout; gathered on every rank). The cost (PetalOTSetCost) is
 *   evaluated on the fly inside the kernels, so no n x m array is ever stored for Sinkhorn.
 * Both keep references to the objects; they are read at PetalOTSolve. */
PETSC_EXTERN PetscErrorCode PetalOTSetProblemCost(PetalOT ot, Vec r, Vec c, Mat C);
PETSC_EXTERN PetscErrorCode PetalOTSetProblemPoints(PetalOT ot, Vec r, Vec c, PetscInt dim, Vec X, Vec Y);

PETSC_EXTERN PetscErrorCode PetalOTSetCost(PetalOT ot, PetalOTCostType type, PetscReal p);
/* The solver uses scale * C. PetalOTSetCostNormalize(ot, PETSC_TRUE) instead picks scale = 1 / max C. */
PETSC_EXTERN PetscErrorCode PetalOTSetCostScale(PetalOT ot, PetscReal scale);
PETSC_EXTERN PetscErrorCode PetalOTSetCostNormalize(PetalOT ot, PetscBool normalize);
PETSC_EXTERN PetscErrorCode PetalOTGetCostScale(PetalOT ot, PetscReal *scale); /* after PetalOTSolve */

/* Regularisation: eta > 0 (PetalOTSetEpsilon(ot, eps) is PetalOTSetEta(ot, 1/eps)). */
PETSC_EXTERN PetscErrorCode PetalOTSetEta(PetalOT ot, PetscReal eta);
PETSC_EXTERN PetscErrorCode PetalOTSetEpsilon(PetalOT ot, PetscReal epsilon);
PETSC_EXTERN PetscErrorCode PetalOTGetEta(PetalOT ot, PetscReal *eta);

PETSC_EXTERN PetscErrorCode PetalOTSetType(PetalOT ot, PetalOTType type);
PETSC_EXTERN PetscErrorCode PetalOTGetType(PetalOT ot, PetalOTType *type);
PETSC_EXTERN PetscErrorCode PetalOTSetMethod(PetalOT ot, PetalOTMethod method);
/* Errors for a type that is not built in (use PetalOTGetType). */
PETSC_EXTERN PetscErrorCode PetalOTGetMethod(PetalOT ot, PetalOTMethod *method);
PETSC_EXTERN PetscErrorCode PetalOTGetSinkhornVariant(PetalOT ot, PetalOTSinkhornVariant *variant);
PETSC_EXTERN PetscErrorCode PetalOTGetCost(PetalOT ot, PetalOTCostType *type, PetscReal *p);
PETSC_EXTERN PetscErrorCode PetalOTSetSinkhornVariant(PetalOT ot, PetalOTSinkhornVariant variant);
/* The memory (MiB per rank) the auto variant may use for the stored plan; default 256. */
PETSC_EXTERN PetscErrorCode PetalOTSetSinkhornStoredMemory(PetalOT ot, PetscReal mib);
/* Stored/auto variants: iterate on a float copy of the plan (half the memory traffic) until the L1 error is
 * below 1e-7, then on a double copy (default PETSC_TRUE); PETSC_FALSE: double throughout. */
PETSC_EXTERN PetscErrorCode PetalOTSetSinkhornStoredFloat(PetalOT ot, PetscBool flg);
/* tol: the L1 marginal error both marginals must reach (finite, >= 0); max_it: Sinkhorn iterations (all stages). */
PETSC_EXTERN PetscErrorCode PetalOTSetTolerances(PetalOT ot, PetscReal tol, PetscInt max_it);
/* The relative tolerance on |sum r - sum c| / max(sum r, sum c) (finite, >= 0; default 1e-8, -ot_mass_tol). */
PETSC_EXTERN PetscErrorCode PetalOTSetMassTolerance(PetalOT ot, PetscReal tol);
PETSC_EXTERN PetscErrorCode PetalOTGetMassTolerance(PetalOT ot, PetscReal *tol);
/* Which compiled variant of the n^2 kernels runs (-ot_kernel_isa; default auto). Asking for one the CPU lacks
 * is an error at PetalOTSolve. */
PETSC_EXTERN PetscErrorCode PetalOTSetKernelISA(PetalOT ot, PetalOTKernelISA isa);
/* The variant the last PetalOTSolve ran (generic, avx2 or avx512; before a solve: the request). */
PETSC_EXTERN PetscErrorCode PetalOTGetKernelISA(PetalOT ot, PetalOTKernelISA *isa);
/* SNS: Sinkhorn warm-up iterations N1, Hessian density lambda (PETSC_DEFAULT: 2/max(n,m)), Newton steps.
 * Arguments are checked for any type; they take effect on an object of type PETALOTSNS (set the type first). */
PETSC_EXTERN PetscErrorCode PetalOTSNSSetWarmup(PetalOT ot, PetscInt n1);
PETSC_EXTERN PetscErrorCode PetalOTSNSSetDensity(PetalOT ot, PetscReal lambda);
PETSC_EXTERN PetscErrorCode PetalOTSNSSetMaxNewton(PetalOT ot, PetscInt max_newton);
PETSC_EXTERN PetscErrorCode PetalOTSetEpsilonScaling(PetalOT ot, PetscBool flg, PetscReal eta0, PetscReal factor);

PETSC_EXTERN PetscErrorCode PetalOTSetOptionsPrefix(PetalOT ot, const char prefix[]);
PETSC_EXTERN PetscErrorCode PetalOTAppendOptionsPrefix(PetalOT ot, const char prefix[]);
PETSC_EXTERN PetscErrorCode PetalOTSetFromOptions(PetalOT ot);
PETSC_EXTERN PetscErrorCode PetalOTSolve(PetalOT ot);
/* Prints every parameter the solve used (and, after a solve, the results); ASCII viewers. */
PETSC_EXTERN PetscErrorCode PetalOTView(PetalOT ot, PetscViewer viewer);

PETSC_EXTERN PetscErrorCode PetalOTGetResult(PetalOT ot, PetalOTResult *result);
PETSC_EXTERN PetscErrorCode PetalOTGetConvergedReason(PetalOT ot, PetalOTConvergedReason *reason);
/* Borrowed references (do not destroy), valid until the next solve or PetalOTDestroy. */
PETSC_EXTERN PetscErrorCode PetalOTGetPotentials(PetalOT ot, Vec *x, Vec *y);
/* The Newton KSP (options prefix -ot_newton_; CG + Jacobi by default), created on the first call (the SNS type
 * calls it in PetalOTSetFromOptions and PetalOTSolve). */
PETSC_EXTERN PetscErrorCode PetalOTGetNewtonKSP(PetalOT ot, KSP *ksp);

/* The plan's significant entries P_ij >= threshold * r_i as an n x m MPIAIJ matrix (rows laid out like
 * r); threshold < 0 uses -ot_plan_threshold. *dropped (may be NULL) gets the total mass left out. */
PETSC_EXTERN PetscErrorCode PetalOTGetPlan(PetalOT ot, PetscReal threshold, Mat *P, PetscReal *dropped);
/* Writes the results to an HDF5 file (atomically), collective:
 *   /plan/row, /plan/col   int64[nnz]   coordinates of the entries P_ij >= threshold * r_i
 *   /plan/value            float64[nnz]
 *   /plan attributes       n, m, threshold, dropped_mass
 *   /potentials/x float64[n], /potentials/y float64[m]
 *   /marginals/row_sums float64[n], /marginals/col_sums float64[m]
 *   / attributes           eta, cost_scale, transport_cost, regularized_objective, dual_objective, mass,
 *                          row_error, col_error, sinkhorn_iterations, newton_iterations, method (the type),
 *                          converged_reason
 * Written under a temporary name and renamed when complete; any failure (on any rank; fault point "ot_output"
 * in the middle of the write) removes the temporary and raises the same error on every rank. */
PETSC_EXTERN PetscErrorCode PetalOTSaveHDF5(PetalOT ot, const char filename[], PetscReal threshold);
