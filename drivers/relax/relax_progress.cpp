#include "relax_progress.hpp"

namespace petal::relax {

PetscErrorCode Progress::Start(MPI_Comm comm, const std::string &what, PetscInt total, PetscInt every)
{
  PetscFunctionBegin;
  comm_      = comm;
  what_      = what;
  total_     = total;
  automatic_ = every < 0;
  every_     = automatic_ ? PetscMax(1, (total + 19) / 20) : every;
  PetscCall(PetscTime(&start_));
  PetscFunctionReturn(0);
}

PetscErrorCode Progress::Step(PetscInt done)
{
  PetscLogDouble now;
  PetscFunctionBegin;
  if (every_ <= 0 || (done % every_ != 0 && done != total_)) PetscFunctionReturn(0);
  // Rank 0's clock decides whether an automatic line is due (PetscPrintf prints rank 0's line anyway).
  PetscCall(PetscTime(&now));
  const double elapsed = now - start_;
  if (automatic_ && elapsed < 2.0) PetscFunctionReturn(0);
  const double rate = elapsed > 0 ? done / elapsed : 0.0, left = rate > 0 ? (total_ - done) / rate : 0.0;
  PetscCall(PetscPrintf(comm_, "  %s: %" PetscInt_FMT " / %" PetscInt_FMT " instances (%.0f%%), %.1f s, %.3g instances/s, about %.0f s left\n", what_.c_str(), done, total_, 100.0 * done / total_, elapsed, rate, left));
  PetscFunctionReturn(0);
}

} // namespace petal::relax
