#pragma once
/* DCDM, the Deep Conjugate Direction Method (Kaneda et al., ICML 2023), for Poisson-type systems on 3-D voxel
 * grids (a DMDA): a CNN approximating A^-1 supplies the search directions of a conjugate-direction loop.
 *
 *   -ksp_type dcdm -pc_type dcdm                    the paper's loop (KSPDCDM) with the network (PCDCDM)
 *   -ksp_type fcg -ksp_fcg_mmax 2 -ksp_fcg_truncation_type standard -pc_type dcdm   the same iterates in KSPFCG
 *   -ksp_type gcr / fgmres -pc_type dcdm             more robust flexible methods
 *
 * PCDCDM normalises the residual to unit 2-norm, runs the network (weights from an HDF5 file, see
 * include/petal/dcdm_weights.hpp), masks the output to the unknown cells and, on pure-Neumann problems, removes
 * its constant component. The network is nonlinear (biases, ReLU): it is not a fixed preconditioner, so only
 * flexible Krylov methods may use it. See preconditioners/dcdm/README.md. */
#include <petscksp.h>

#define PCDCDM  "dcdm"
#define KSPDCDM "dcdm"

PETSC_EXTERN PetscErrorCode PCCreate_DCDM(PC);
PETSC_EXTERN PetscErrorCode KSPCreate_DCDM(KSP);
/* Registers the network's log events (PetalCNNConv, PetalCNNPool, PetalCNNUpsample, PetalCNNHead,
 * PetalCNNHalo, PetalCNNApply); called by PetalInitializePackage. */
PETSC_EXTERN PetscErrorCode PetalCNNInitializePackage(void);

/* Arithmetic of the network's activations and kernels. */
typedef enum { PETAL_CNN_FLOAT32 = 0, PETAL_CNN_FLOAT64 = 1 } PetalCNNPrecision;
PETSC_EXTERN const char *const PetalCNNPrecisions[];

/* ---- PCDCDM (options -pc_dcdm_weights FILE, -pc_dcdm_precision float32|float64,
 *      -pc_dcdm_remove_constant true|false (default: true when the matrix has a constant null space),
 *      -pc_dcdm_mask auto|none) ---- */
PETSC_EXTERN PetscErrorCode PCDCDMSetWeightsFile(PC, const char[]);
PETSC_EXTERN PetscErrorCode PCDCDMGetWeightsFile(PC, const char **);
PETSC_EXTERN PetscErrorCode PCDCDMSetPrecision(PC, PetalCNNPrecision);
PETSC_EXTERN PetscErrorCode PCDCDMGetPrecision(PC, PetalCNNPrecision *);
PETSC_EXTERN PetscErrorCode PCDCDMSetRemoveConstant(PC, PetscBool);
/* Cells whose output is kept: a global Vec of the matrix's DMDA, nonzero for unknowns, zero for cells that are
 * not (solid, Dirichlet). Default (mask auto): a row whose only nonzero is its diagonal is not an unknown. */
PETSC_EXTERN PetscErrorCode PCDCDMSetCellMask(PC, Vec);
/* Network applications so far and the seconds they took (what -ksp_view prints). */
PETSC_EXTERN PetscErrorCode PCDCDMGetNetworkStats(PC, PetscInt *, PetscLogDouble *);

/* ---- KSPDCDM (options -ksp_dcdm_directions k, default 2: A-orthogonalise against the last k directions) ----
 * Exact line search, the true residual b - Ax recomputed every iteration (the 2-norm is what the convergence
 * test sees), and KSP_DIVERGED_INDEFINITE_MAT when p^T A p <= 0 (instead of a NaN). */
PETSC_EXTERN PetscErrorCode KSPDCDMSetDirections(KSP, PetscInt);
PETSC_EXTERN PetscErrorCode KSPDCDMGetDirections(KSP, PetscInt *);

/* ---- The network on a DMDA, outside any PC (benchmarks, checks) ----
 * da: a 3-D DMDA with dof 1 and every global size even. Apply runs the network on in (a global Vec of da)
 * exactly as given (no normalisation, no mask) and writes out. Collective. */
typedef struct _n_PetalCNN *PetalCNN;
PETSC_EXTERN PetscErrorCode PetalCNNCreate(DM da, const char weightsfile[], PetalCNNPrecision, PetalCNN *);
PETSC_EXTERN PetscErrorCode PetalCNNApply(PetalCNN, Vec in, Vec out);
/* Floating-point operations of one Apply on the whole grid (all ranks). */
PETSC_EXTERN PetscErrorCode PetalCNNGetFlops(PetalCNN, PetscLogDouble *);
PETSC_EXTERN PetscErrorCode PetalCNNDestroy(PetalCNN *);
