#pragma once
/* The life cycle of petal's executables, for any multi-rank PETSc program that must end, not hang, when
 * one of its ranks fails:
 *
 *   int main(int argc, char **argv)
 *   {
 *     PetscCall(PetalDriverInitialize(&argc, &argv, help));
 *     return PetalDriverFinalize(Run(PETSC_COMM_WORLD));
 *   }
 *
 * Why: an error raised on one rank while the others wait in a collective call (an HDF5 close, an
 * allgather inside a mesh load) never returns on those ranks, and PETSc's default error handler parks
 * every rank but rank 0 for 10 s before it exits, so a collective error takes 11-12 s to end the job and
 * a rank-local one can hang it for good.
 *
 * PetalDriverInitialize: PetscInitialize, PetalInitializePackage, then an error handler that prints like
 * PETSc's (the traceback on rank 0 of the error's communicator, or on the rank that raised a
 * PETSC_COMM_SELF error) but never sleeps: ranks > 0 keep the traceback of a collective error and return.
 *
 * PetalDriverFinalize(ierr): with ierr == 0, PetscFinalize. Otherwise it removes the temporary files of
 * every unfinished atomic output of this process (include/petal/io.h), then
 *   - on one rank: PetscFinalize, and returns 1;
 *   - on several ranks: it makes no collective call. A rank holding a kept traceback waits up to 2 s for
 *     rank 0 to end the job (rank 0 has printed the same error), then prints it itself; MPI_Abort then
 *     ends every rank, those blocked in a collective call included.
 * Library code never relies on this: it raises errors identically on every rank wherever it can (files
 * are validated on rank 0 and the verdict broadcast before any collective read). Objects must not do
 * collective work in their destructors, so that an error can unwind to PetalDriverFinalize on one rank. */
#include <petscsys.h>

PETSC_EXTERN PetscErrorCode PetalDriverInitialize(int *argc, char ***argv, const char help[]);
PETSC_EXTERN int            PetalDriverFinalize(PetscErrorCode ierr);

/* The error handler PetalDriverInitialize pushes (PetscPushErrorHandler(PetalRankSafeErrorHandler, NULL)). */
PETSC_EXTERN PetscErrorCode PetalRankSafeErrorHandler(MPI_Comm, int, const char *, const char *, PetscErrorCode, PetscErrorType, const char *, void *);

/* Fault injection, for tests of the paths above. PETAL_FAULT in the environment holds a comma-separated
 * list of  site[@rank][#pass][:stall]; PetalFaultPoint(site) then raises an error on PETSC_COMM_SELF
 * (naming the site) on that rank (default: every rank) at that pass through the site (default: every
 * pass, counting from 1), or with ":stall" prints a line to stderr and sleeps until it is killed (for
 * tests that kill a run while it writes). Without PETAL_FAULT it costs a pointer test. */
PETSC_EXTERN PetscErrorCode PetalFaultPoint(const char site[]);
