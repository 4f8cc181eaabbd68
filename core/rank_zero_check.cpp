// Validating input on rank 0 and raising the verdict everywhere (see rank_zero_check.hpp).
#include "core/rank_zero_check.hpp"
#include <vector>

namespace petal {
namespace {
PetscErrorCode CaptureHandler(MPI_Comm, int, const char *, const char *, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  if (p == PETSC_ERROR_INITIAL) static_cast<ErrorCapture *>(ctx)->Record(mess);
  return n;
}
} // namespace

ErrorCapture::ErrorCapture() { (void)PetscPushErrorHandler(CaptureHandler, this); }
ErrorCapture::~ErrorCapture() { (void)PetscPopErrorHandler(); }

void ErrorCapture::Record(const char *mess)
{
  if (recorded_) return;
  recorded_ = true;
  message_  = mess && *mess ? mess : "error without a message";
}

PetscErrorCode CheckOnRankZero(MPI_Comm comm, const std::function<PetscErrorCode()> &check, PetscBool *ok, std::string *message)
{
  PetscMPIInt rank;
  int         len = 0;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  message->clear();
  if (rank == 0) {
    ErrorCapture   capture;
    PetscErrorCode ierr = check();
    if (ierr) *message = capture.Message().empty() ? "error " + std::to_string((int)ierr) : capture.Message();
    len = (int)message->size();
  }
  PetscCallMPI(MPI_Bcast(&len, 1, MPI_INT, 0, comm));
  std::vector<char> buf(message->begin(), message->end());
  buf.resize((size_t)len);
  if (len) PetscCallMPI(MPI_Bcast(buf.data(), len, MPI_CHAR, 0, comm));
  message->assign(buf.begin(), buf.end());
  *ok = len == 0 ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}
} // namespace petal
