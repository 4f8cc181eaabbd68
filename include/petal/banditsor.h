#pragma once
/* PCBANDITSOR: SOR/SSOR whose relaxation factor omega is chosen before every KSPSolve by an online learner
 * ("Learning to Relax", Khodak et al., ICLR 2024) and charged the solve's iteration count afterwards.
 *
 *   -pc_type banditsor -pc_banditsor_learner tsallis|tsallis_cb|chebcb|fixed
 *
 * As with PCSOR, the sweeps are local to each rank: on several ranks the preconditioner is block Jacobi over
 * the ranks with SOR inside each block, so iteration counts and the best omega depend on the rank count.
 *
 * Decisions depend only on the seed, the contexts and the (global) iteration counts, so every rank makes
 * the same choice and a run is reproducible. See preconditioners/banditsor/README.md. */
#include <petscpc.h>

#define PCBANDITSOR "banditsor"

PETSC_EXTERN PetscErrorCode PCCreate_BanditSOR(PC);
/* Registers PCBANDITSOR's log events (called by PetalInitializePackage). */
PETSC_EXTERN PetscErrorCode PCBanditSORInitializePackage(void);

/* Context of the next solve for contextual learners (e.g. the diffusivity kappa(t) of a heat step).
 * Rank 0's value is used on every rank. */
PETSC_EXTERN PetscErrorCode PCBanditSORSetContext(PC, PetscReal);
/* Alternatively a callback, called before every solve, that returns the context. */
PETSC_EXTERN PetscErrorCode PCBanditSORSetContextFunction(PC, PetscErrorCode (*)(PC, PetscReal *, void *), void *);
PETSC_EXTERN PetscErrorCode PCBanditSORSetLearner(PC, const char[]);
PETSC_EXTERN PetscErrorCode PCBanditSORSetOmegaGrid(PC, PetscInt, const PetscReal[]);
PETSC_EXTERN PetscErrorCode PCBanditSORSetContextRange(PC, PetscReal, PetscReal);
PETSC_EXTERN PetscErrorCode PCBanditSORSetSeed(PC, PetscInt);
/* How contextual learners see the context c in its range [a, b]:
 *   PCBANDITSOR_CONTEXT_LINEAR: c itself;
 *   PCBANDITSOR_CONTEXT_LOG:    log10(c - a + floor (b - a)), c clamped to [a, b], floor > 0 a fraction of
 *                               the range (contexts closer to a than that look alike). Use it when the
 *                               context spans decades (a diffusivity, a time step, a shift). */
typedef enum { PCBANDITSOR_CONTEXT_LINEAR = 0, PCBANDITSOR_CONTEXT_LOG = 1 } PCBanditSORContextTransform;
PETSC_EXTERN const char *const PCBanditSORContextTransforms[];
PETSC_EXTERN PetscErrorCode PCBanditSORSetContextTransform(PC, PCBanditSORContextTransform, PetscReal);
/* Loss estimator of the Tsallis-INF learners (tsallis, tsallis_cb): PETSC_TRUE for the reduced-variance
 * estimator with shift B >= 0 (the default, B = 1), PETSC_FALSE for plain importance weighting as in the
 * reference code (B is then ignored). */
PETSC_EXTERN PetscErrorCode PCBanditSORSetTsallisEstimator(PC, PetscBool, PetscReal);
/* How the reduced-variance estimator's shift adapts: window > 0 (default 32) makes the shift follow the moving
 * average of the last ~window normalised losses, which tracks the cost level of a drifting sequence (0: the
 * constant shift B of PCBanditSORSetTsallisEstimator); arms with p >= gate eta^2 (default gate 0.25) get the
 * whole shift, the others sqrt(p / (gate eta^2)) of it with soft = PETSC_TRUE (the default) or none (PCGBandit's
 * estimator: window 0, gate 1, soft PETSC_FALSE). See learned/bandits/tsallis_inf.hpp. */
PETSC_EXTERN PetscErrorCode PCBanditSORSetTsallisShiftAdaptation(PC, PetscInt, PetscReal, PetscBool);
/* The Tsallis-INF estimator settings above: reduced variance, constant shift B, shift window, gate, soft gate
 * (any pointer may be NULL). */
PETSC_EXTERN PetscErrorCode PCBanditSORGetTsallisEstimator(PC, PetscBool *, PetscReal *, PetscInt *, PetscReal *, PetscBool *);
/* The arms: n omega values (an internal array, valid while the PC lives and its grid is unchanged). */
PETSC_EXTERN PetscErrorCode PCBanditSORGetOmegaGrid(PC, PetscInt *, const PetscReal **);
/* The omega of the current (or last) solve. */
PETSC_EXTERN PetscErrorCode PCBanditSORGetOmega(PC, PetscReal *);
/* Solves charged so far and their total iteration count (including those of a loaded state). */
PETSC_EXTERN PetscErrorCode PCBanditSORGetTotals(PC, PetscInt *, PetscInt *);
/* Seconds spent in the learner (choosing omega and charging costs) so far: what -ksp_view prints as "learner
 * time" and the log event PetalBanditLearn covers. */
PETSC_EXTERN PetscErrorCode PCBanditSORGetLearnerTime(PC, PetscLogDouble *);

/* Learner state to/from HDF5 (the file is written atomically). Loading is collective: rank 0 reads and checks
 * the file and every rank raises the same error for a malformed one. A state of another learner type or
 * omega grid than the one set (by a setter or option) is refused unless PCBanditSORSetStateAdopt. */
PETSC_EXTERN PetscErrorCode PCBanditSORSaveState(PC, const char[]);
PETSC_EXTERN PetscErrorCode PCBanditSORLoadState(PC, const char[]);
/* -pc_banditsor_state FILE: loads FILE if it exists; the state is written back at checkpoints and when the PC
 * is destroyed. */
PETSC_EXTERN PetscErrorCode PCBanditSORSetStateFile(PC, const char[]);
/* -pc_banditsor_state_checkpoint_interval/_seconds: also write the state file after every `interval` solves
 * and/or once `seconds` have passed since the last write (0: never), so that a job killed after hours keeps
 * what it learned up to its last checkpoint. */
PETSC_EXTERN PetscErrorCode PCBanditSORSetStateCheckpoint(PC, PetscInt, PetscReal);
/* -pc_banditsor_state_adopt: load a state of another learner type or grid (printing what it overrides). */
PETSC_EXTERN PetscErrorCode PCBanditSORSetStateAdopt(PC, PetscBool);

/* Replays the PC's configured learner (type, grid size, context range and transform, bins, features,
 * estimator), seeded with `seed` instead of the PC's seed, on a table of costs: costs[t * arms + k] is the
 * cost (iterations) of instance t with arm k, contexts[t] the context of instance t (as given to
 * PCBanditSORSetContext). No solves; the PC's own learner is untouched. total: the sum of the costs of the
 * arms the learner chose. With the PC's seed this is what the PC would do on a sequence whose costs do not
 * depend on the earlier choices. Not collective. */
PETSC_EXTERN PetscErrorCode PCBanditSORReplay(PC, PetscInt instances, PetscInt arms, const PetscInt costs[], const PetscReal contexts[], PetscInt seed, PetscInt64 *total);

/* The learner types (values of -pc_banditsor_learner): n names, NULL-terminated, static. */
PETSC_EXTERN PetscErrorCode PCBanditSORGetLearnerTypes(PetscInt *, const char *const *[]);
/* A type's label for tables ("Tsallis-INF"), whether it uses the context, and whether it uses the Tsallis-INF
 * loss estimator (PCBanditSORSetTsallisEstimator); any pointer may be NULL. */
PETSC_EXTERN PetscErrorCode PCBanditSORGetLearnerTypeInfo(const char[], const char **, PetscBool *, PetscBool *);

/* Omega grids: every value finite and in (0, 2), at most PCBANDITSOR_MAX_OMEGA_GRID values; the uniform grid
 * linspace(omin, omax, n) (end points exact) needs omin < omax when n > 1. The checks raise
 * PETSC_ERR_ARG_OUTOFRANGE on comm, the message starting with `source` (the option or function to blame).
 * PCBanditSORUniformOmegaGrid fills grid[n] (check n first: the caller allocates it). */
#define PCBANDITSOR_MAX_OMEGA_GRID 1000
PETSC_EXTERN PetscErrorCode PCBanditSORCheckOmegaGrid(MPI_Comm, const char source[], PetscInt n, const PetscReal omega[]);
PETSC_EXTERN PetscErrorCode PCBanditSORCheckUniformOmegaGrid(MPI_Comm, const char source[], PetscInt n, PetscReal omin, PetscReal omax);
PETSC_EXTERN PetscErrorCode PCBanditSORUniformOmegaGrid(MPI_Comm, const char source[], PetscInt n, PetscReal omin, PetscReal omax, PetscReal grid[]);
