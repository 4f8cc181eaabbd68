#pragma once
/* PCBANDITSOR: SOR/SSOR whose relaxation factor omega is chosen before every KSPSolve by an online learner
 * ("Learning to Relax", Khodak et al., ICLR 2024) and charged the solve's iteration count afterwards.
 *
 *   -pc_type banditsor -pc_banditsor_learner tsallis|tsallis_cb|chebcb|fixed
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
/* Learner state to/from HDF5 (the file is written atomically); -pc_banditsor_state FILE does both. */
PETSC_EXTERN PetscErrorCode PCBanditSORSaveState(PC, const char[]);
PETSC_EXTERN PetscErrorCode PCBanditSORLoadState(PC, const char[]);
