#pragma once
/* petal: learned and randomized solvers for PETSc.
 *
 * Any PETSc program gets every petal type with `-dll_append /path/to/libpetal.so`; programs that link
 * petal call PetalInitializePackage() once after PetscInitialize() (the drivers do). */
#include <petscsys.h>
#include <petal/petalconfig.h>

/* Registers every petal type, option and log event, and initializes Kokkos unless the application
 * already has. Idempotent; finalization is hooked into PetscFinalize(). */
PETSC_EXTERN PetscErrorCode PetalInitializePackage(void);
/* The plugin entry point that PETSc's -dll_append looks up (libpetal.so -> PetscDLLibraryRegister_petal). */
PETSC_EXTERN PetscErrorCode PetscDLLibraryRegister_petal(void);

PETSC_EXTERN PetscClassId PETAL_CLASSID;

/* Log events of the foundation; each method registers its own in its folder's *_register.cpp. */
PETSC_EXTERN PetscLogEvent PETAL_BridgeSpMV;     /* Kokkos SpMV through the Vec/Mat bridge */
PETSC_EXTERN PetscLogEvent PETAL_BridgeMirror;   /* host <-> device copies at the PETSc boundary */
PETSC_EXTERN PetscLogEvent PETAL_MeshLoad;       /* reading a mesh file */
PETSC_EXTERN PetscLogEvent PETAL_MeshSave;       /* writing a mesh file */
PETSC_EXTERN PetscLogEvent PETAL_OutputWrite;    /* writing solution time series (HDF5 + XDMF) */

/* The Kokkos execution space petal's kernels run in, e.g. "Serial" or "Cuda". */
PETSC_EXTERN const char *PetalKokkosExecutionSpaceName(void);
