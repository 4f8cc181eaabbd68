#pragma once
/* TAOADASKETCH: AdaSketch-Newton (Hong, Na, Mahoney & Kolar, ICML 2023) for equality-constrained problems
 *
 *     min f(x)  subject to  c(x) = 0
 *
 * Newton steps on the KKT system [[B, G^T], [G, 0]] (dx, dl) = -(grad_x L, c), solved inexactly until an
 * adaptive accuracy test holds, globalised by Armijo backtracking on the exact augmented Lagrangian
 *     L_{mu,nu}(x, l) = f + l^T c + (mu/2)|c|^2 + (nu/2)|grad_x L|^2
 * with penalties mu, nu that adapt until the step is a descent direction. The merit gradient is the exact one
 * (Hessian-vector products of the Lagrangian), not the reference code's shortcut.
 *
 *   -tao_type adasketch -tao_adasketch_inner sketch|ksp -tao_adasketch_sketch kaczmarz|gaussian
 *
 * The problem comes through TAO's standard callbacks, exactly as for TAOPDIPM: TaoSetObjectiveAndGradient,
 * TaoSetEqualityConstraintsRoutine, TaoSetJacobianEqualityRoutine and TaoSetHessian, where the Hessian is that of
 * the Lagrangian L = f + l^T c and reads the multipliers l with TaoGetDualVariables. Bounds and inequality
 * constraints are not supported (an error says so). See solvers/adasketch/README.md. */
#include <petsctao.h>

#define TAOADASKETCH "adasketch"

PETSC_EXTERN PetscErrorCode TaoCreate_AdaSketch(Tao);
/* Registers the log events (PetalAdaSketchKKT: assembling/updating the KKT operator, PetalAdaSketchInner: the
 * inexact KKT solve, PetalSketchStep: sketch-and-project kernels, PetalAdaSketchMerit: merit function and
 * gradient, PetalAdaSketchSpectra: lambda_min(G G^T), reduced-Hessian test and norms); called by
 * PetalInitializePackage. */
PETSC_EXTERN PetscErrorCode TaoAdaSketchInitializePackage(void);

/* How the KKT system is solved until the accuracy test holds:
 *   SKETCH: sketch-and-project steps (the paper's), Kokkos kernels on the KKT matrix held on every rank;
 *   KSP:    any PETSc KSP on the distributed KKT operator (options -tao_adasketch_ksp_*), for PDE scale. */
typedef enum { TAO_ADASKETCH_INNER_SKETCH = 0, TAO_ADASKETCH_INNER_KSP = 1 } TaoAdaSketchInnerType;
PETSC_EXTERN const char *const TaoAdaSketchInnerTypes[];
/* Sketch S of the sketch-and-project step z <- z - K S (S^T K^2 S)^+ S^T (K z + grad L):
 *   KACZMARZ: S = q distinct coordinate vectors drawn uniformly (q = 1: randomized Kaczmarz);
 *   GAUSSIAN: S with q independent N(0, I) columns. */
typedef enum { TAO_ADASKETCH_SKETCH_KACZMARZ = 0, TAO_ADASKETCH_SKETCH_GAUSSIAN = 1 } TaoAdaSketchSketchType;
PETSC_EXTERN const char *const TaoAdaSketchSketchTypes[];

/* -tao_adasketch_inner */
PETSC_EXTERN PetscErrorCode TaoAdaSketchSetInnerType(Tao, TaoAdaSketchInnerType);
PETSC_EXTERN PetscErrorCode TaoAdaSketchGetInnerType(Tao, TaoAdaSketchInnerType *);
/* -tao_adasketch_sketch, -tao_adasketch_sketch_block q (default 1) */
PETSC_EXTERN PetscErrorCode TaoAdaSketchSetSketch(Tao, TaoAdaSketchSketchType, PetscInt);
PETSC_EXTERN PetscErrorCode TaoAdaSketchGetSketch(Tao, TaoAdaSketchSketchType *, PetscInt *);
/* -tao_adasketch_seed: the random stream; the same on every rank count. */
PETSC_EXTERN PetscErrorCode TaoAdaSketchSetSeed(Tao, PetscInt64);
/* -tao_adasketch_mu, -tao_adasketch_nu, -tao_adasketch_delta: initial penalties and accuracy (1, 0.1, 0.1). */
PETSC_EXTERN PetscErrorCode TaoAdaSketchSetPenalties(Tao, PetscReal mu, PetscReal nu, PetscReal delta);
/* The current (or final) penalties and accuracy. */
PETSC_EXTERN PetscErrorCode TaoAdaSketchGetPenalties(Tao, PetscReal *mu, PetscReal *nu, PetscReal *delta);
/* -tao_adasketch_theta theta0, -tao_adasketch_superlinear: the accuracy factor of the test
 *   |K| Psi |K z + grad L| <= theta_t delta |grad L|;
 * theta_t = theta0 (the paper's linear variant), or with superlinear = PETSC_TRUE a schedule theta_t -> 0
 * (documented in the README) for the superlinear variant. */
PETSC_EXTERN PetscErrorCode TaoAdaSketchSetAccuracy(Tao, PetscReal theta0, PetscBool superlinear);
/* The inner KSP of TAO_ADASKETCH_INNER_KSP (options prefix -tao_adasketch_), created on first call. */
PETSC_EXTERN PetscErrorCode TaoAdaSketchGetKSP(Tao, KSP *);
/* The state variables of a PDE-constrained problem (indices into the solution Vec, each rank its own entries; as
 * many as there are constraints); the other variables are the controls. With the KSP inner solver this enables the
 * reduced-space preconditioner (-tao_adasketch_reduced_space, on by default once a state set is given): the KKT
 * system eliminated through the state Jacobian dc/dy (sub-solver prefix tao_adasketch_state_, one BoomerAMG
 * V-cycle by default) with the reduced Hessian approximated by H_uu (prefix tao_adasketch_control_). */
PETSC_EXTERN PetscErrorCode TaoAdaSketchSetStateIS(Tao, IS);
/* Totals of the last TaoSolve: inner iterations (sketch steps or KSP iterations), penalty increases, Armijo
 * backtracking halvings. */
PETSC_EXTERN PetscErrorCode TaoAdaSketchGetStats(Tao, PetscInt64 *inner, PetscInt *penaltyIncreases, PetscInt *halvings);
