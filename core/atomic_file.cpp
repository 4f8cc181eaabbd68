// Atomic output and readable-input checks shared by drivers and tools.
#include <petal/io.h>
#include "core/pending_outputs.hpp"
#include <cstdio>
#include <cerrno>
#include <cstring>
#include <set>
#include <string>

namespace {
// Temporary names handed out and not yet committed or aborted: the outputs a failing process must not
// leave behind (PetalDriverFinalize removes them without any collective call).
std::set<std::string> &Pending()
{
  static std::set<std::string> pending;
  return pending;
}
} // namespace

namespace petal {
void RemovePendingTempFiles()
{
  for (const std::string &f : Pending()) (void)std::remove(f.c_str());
  Pending().clear();
}
} // namespace petal

PetscErrorCode PetalAtomicFileTempName(const char filename[], char tmpname[], size_t len)
{
  PetscFunctionBegin;
  // Same name on every rank (no pid): collective writers must agree on the file they open. A stale
  // temporary of a killed run has the same name, so the next run's write truncates it.
  PetscCall(PetscSNPrintf(tmpname, len, "%s.tmp", filename));
  Pending().insert(tmpname);
  PetscFunctionReturn(0);
}

PetscErrorCode PetalAtomicFileCommit(MPI_Comm comm, const char tmpname[], const char filename[])
{
  PetscMPIInt rank;
  int         err = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Barrier(comm)); // every rank has closed its handle on tmpname
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  Pending().erase(tmpname);
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
  Pending().erase(tmpname);
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

PetscErrorCode PetalCheckWritable(MPI_Comm comm, const char filename[])
{
  PetscMPIInt rank;
  int         err = 0;
  char        tmp[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetscSNPrintf(tmp, sizeof tmp, "%s.tmp", filename));
  if (rank == 0) {
    FILE *f = std::fopen(tmp, "w");
    if (!f) err = errno;
    else {
      std::fclose(f);
      (void)std::remove(tmp);
    }
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCheck(!err, comm, PETSC_ERR_FILE_OPEN, "Cannot write \"%s\": %s (does its folder exist, and may this user write there?)", filename, std::strerror(err));
  PetscFunctionReturn(0);
}
