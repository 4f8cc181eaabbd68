// ComputeKKTSpectra: input checks (the same verdict on every rank), the log event, and the choice between the
// dense path (d + m <= denseLimit) and the iterative one.
#include "solvers/adasketch/sketch/kkt_spectra_impl.hpp"
#include "solvers/adasketch/sketch/sketch_events.hpp"
#include <petsc/private/petscimpl.h> // PetscValidHeaderSpecific, PetscCheckSameComm

namespace petal {
namespace adasketch {

PetscErrorCode ComputeKKTSpectra(Mat H, Mat G, const SpectraSettings &settings, KKTSpectra *out)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(H, MAT_CLASSID, 1);
  PetscValidHeaderSpecific(G, MAT_CLASSID, 2);
  PetscValidPointer(out, 4);
  PetscCheckSameComm(H, 1, G, 2);
  MPI_Comm comm = PetscObjectComm((PetscObject)H);
  PetscInt hM, hN, gM, gN, hn, gn;
  PetscCall(MatGetSize(H, &hM, &hN));
  PetscCall(MatGetSize(G, &gM, &gN));
  PetscCheck(hM == hN, comm, PETSC_ERR_ARG_WRONG, "ComputeKKTSpectra: the Hessian H must be square, it is %" PetscInt_FMT " x %" PetscInt_FMT, hM, hN);
  PetscCheck(gN == hN, comm, PETSC_ERR_ARG_WRONG,
             "ComputeKKTSpectra: H (%" PetscInt_FMT " x %" PetscInt_FMT ") and the constraint Jacobian G (%" PetscInt_FMT " x %" PetscInt_FMT ") do not conform: G needs %" PetscInt_FMT " columns",
             hM, hN, gM, gN, hN);
  /* H x and G x must take the same distributed x: equal local column sizes on every rank (agreed collectively) */
  PetscCall(MatGetLocalSize(H, NULL, &hn));
  PetscCall(MatGetLocalSize(G, NULL, &gn));
  PetscMPIInt localBad = hn != gn, anyBad = 0;
  PetscCallMPI(MPI_Allreduce(&localBad, &anyBad, 1, MPI_INT, MPI_MAX, comm));
  PetscCheck(!anyBad, comm, PETSC_ERR_ARG_WRONG, "ComputeKKTSpectra: H and G have different column layouts (local column sizes differ on some rank)");
  PetscCheck(settings.tol > 0 && settings.tol < 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "ComputeKKTSpectra: tolerance %g outside (0, 1)", (double)settings.tol);
  PetscCall(RegisterSketchEvents());
  PetscCall(PetscLogEventBegin(PETAL_AdaSketchSpectra, H, G, 0, 0));
  *out = KKTSpectra{};
  if (hN + gM <= settings.denseLimit) PetscCall(spectra::ComputeDense(H, G, settings, out));
  else if (settings.xState) PetscCall(spectra::ComputeWithStateSplit(H, G, settings, out));
  else PetscCall(spectra::ComputeIterative(H, G, settings, out));
  PetscCall(PetscLogEventEnd(PETAL_AdaSketchSpectra, H, G, 0, 0));
  PetscFunctionReturn(0);
}

} // namespace adasketch
} // namespace petal
