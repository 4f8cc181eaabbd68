#pragma once
/* Output helpers shared by petal's drivers and tools: files written atomically and JSON summaries. */
#include <petscsys.h>

/* Atomic output: a file is written under a temporary name (PetalAtomicFileTempName) and moved into place by
 * PetalAtomicFileCommit once it is complete, so a failed run never leaves a half-written file under the
 * final name. PetalAtomicFileAbort removes the temporary. Collective on comm (rank 0 does the renaming). */
PETSC_EXTERN PetscErrorCode PetalAtomicFileTempName(const char filename[], char tmpname[], size_t len);
PETSC_EXTERN PetscErrorCode PetalAtomicFileCommit(MPI_Comm comm, const char tmpname[], const char filename[]);
PETSC_EXTERN PetscErrorCode PetalAtomicFileAbort(MPI_Comm comm, const char tmpname[]);

/* Errors with PETSC_ERR_FILE_OPEN, naming the file and the reason (e.g. a missing folder), if rank 0 cannot
 * create the file's temporary name for writing; leaves nothing behind. Call it before long work whose
 * result goes to filename, so that a typo in a path fails at once. Collective. */
PETSC_EXTERN PetscErrorCode PetalCheckWritable(MPI_Comm comm, const char filename[]);

/* Errors with PETSC_ERR_FILE_OPEN, naming the file, if it cannot be opened for reading. Collective. */
PETSC_EXTERN PetscErrorCode PetalCheckReadable(MPI_Comm comm, const char filename[]);
