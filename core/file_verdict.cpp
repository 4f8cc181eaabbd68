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

PetscErrorCode RaiseVerdict(MPI_Comm comm, PetscErrorCode code, const std::string &why)
{
  std::string text = why;
  int         c    = (int)code;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Bcast(&c, 1, MPI_INT, 0, comm));
  PetscCall(BcastVerdict(comm, &text));
  PetscCheck(!c, comm, (PetscErrorCode)c, "%s", text.c_str());
  PetscFunctionReturn(0);
}

namespace
{
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

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  message->clear();
  if (rank == 0) {
    ErrorCapture         capture;
    const PetscErrorCode ierr = check();
    if (ierr) *message = capture.Message().empty() ? "error " + std::to_string((int)ierr) : capture.Message();
  }
  PetscCall(BcastVerdict(comm, message));
  *ok = message->empty() ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}
} // namespace petal
