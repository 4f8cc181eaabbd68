#include "core/file_verdict.hpp"

namespace petal
{
PetscErrorCode BcastVerdict(MPI_Comm comm, std::string *why)
{
  PetscMPIInt rank;
  int         len;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  len = rank == 0 ? (int)std::min<size_t>(why->size(), 4096) : 0; // a message, not a payload
  PetscCallMPI(MPI_Bcast(&len, 1, MPI_INT, 0, comm));
  why->resize((size_t)len);
  if (len > 0) PetscCallMPI(MPI_Bcast(&(*why)[0], len, MPI_CHAR, 0, comm));
  PetscFunctionReturn(0);
}
} // namespace petal
