// Atomic output and readable-input checks shared by drivers and tools.
#include <petal/io.h>
#include <cstdio>
#include <cerrno>
#include <cstring>

PetscErrorCode PetalAtomicFileTempName(const char filename[], char tmpname[], size_t len)
{
  PetscFunctionBegin;
  // Same name on every rank (no pid): collective writers must agree on the file they open.
  PetscCall(PetscSNPrintf(tmpname, len, "%s.tmp", filename));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalAtomicFileCommit(MPI_Comm comm, const char tmpname[], const char filename[])
{
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Barrier(comm)); // every rank has closed its handle on tmpname
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0 && std::rename(tmpname, filename)) err = errno;
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_FILE_WRITE, "Cannot move %s to %s: %s", tmpname, filename, std::strerror(err));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalAtomicFileAbort(MPI_Comm comm, const char tmpname[])
{
  PetscMPIInt rank;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) (void)std::remove(tmpname);
  PetscFunctionReturn(0);
}

PetscErrorCode PetalCheckReadable(MPI_Comm comm, const char filename[])
{
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    FILE *f = std::fopen(filename, "rb");
    if (!f) err = errno;
    else std::fclose(f);
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_FILE_OPEN, "Cannot open file \"%s\": %s", filename, std::strerror(err));
  PetscFunctionReturn(0);
}
