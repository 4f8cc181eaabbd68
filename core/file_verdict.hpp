#pragma once
/* Decisions about a file that rank 0 makes and every rank must share: rank 0 reads and checks the file, then
 * every rank learns the verdict (and its text) before any collective call that could split them, so that all
 * ranks raise the same error with the same message (and PetalRankSafeErrorHandler prints it once). */
#include <petscsys.h>
#include <algorithm>
#include <functional>
#include <string>

namespace petal
{
/* Broadcasts rank 0's *why (empty: no problem) to every rank. Collective. */
PetscErrorCode BcastVerdict(MPI_Comm comm, std::string *why);

/* Broadcasts rank 0's error code and text, and raises them on every rank when the code is not 0 (a collective
 * error, printed once). Collective. */
PetscErrorCode RaiseVerdict(MPI_Comm comm, PetscErrorCode code, const std::string &why);

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

/* Runs check() on rank 0 of comm (PETSc errors captured: check may call PETSc, and fail anywhere), broadcasts
 * the outcome, and on every rank sets *ok and *message (empty when ok). Collective; raises nothing itself but
 * MPI failures. For checks that PETSc's own readers would fail on some ranks only (a mesh loader that errors on
 * rank 0 while the others wait in a broadcast). */
PetscErrorCode CheckOnRankZero(MPI_Comm comm, const std::function<PetscErrorCode()> &check, PetscBool *ok, std::string *message);
} // namespace petal
