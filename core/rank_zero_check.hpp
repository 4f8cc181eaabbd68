#pragma once
// Deciding on rank 0 whether an input is valid, and raising the verdict on every rank at once.
//
// Why: a reader that finds a problem on one rank only (rank 0 parses the file, the others wait in a
// broadcast; or PETSc's mesh loader errors on rank 0 while rank 1 sits in an allgather) splits the ranks and
// hangs the job. Readers instead run their checks (which may call PETSc, and may fail anywhere) on rank 0
// alone on PETSC_COMM_SELF, with PETSc's error output captured, broadcast the verdict with its message, and
// raise it on the communicator, where every rank reports the same error before any collective read.
#include <petscsys.h>
#include <functional>
#include <string>

namespace petal {

/* While alive, PETSc errors raised on this rank are recorded instead of printed: Message() is the first
 * error's text. Nests with other error handlers (push/pop). */
class ErrorCapture {
public:
  ErrorCapture();
  ~ErrorCapture();
  ErrorCapture(const ErrorCapture &)            = delete;
  ErrorCapture &operator=(const ErrorCapture &) = delete;
  const std::string &Message() const { return message_; }
  void               Record(const char *mess);

private:
  std::string message_;
  bool        recorded_ = false;
};

/* Runs check() on rank 0 of comm (errors captured), broadcasts the outcome, and on every rank sets *ok and
 * *message (empty when ok). Collective; never raises itself except for MPI failures. */
PetscErrorCode CheckOnRankZero(MPI_Comm comm, const std::function<PetscErrorCode()> &check, PetscBool *ok, std::string *message);

} // namespace petal
