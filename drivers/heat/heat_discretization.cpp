#include "heat_discretization.hpp"

namespace petal::heat {

Discretization::~Discretization()
{
  (void)MatDestroy(&A);
  (void)MatDestroy(&K);
  (void)MatDestroy(&M);
  (void)VecDestroy(&work);
  (void)DMDestroy(&dm);
}

PetscErrorCode Discretization::View(PetscViewer viewer) const
{
  PetscFunctionBegin;
  PetscCall(PetscViewerASCIIPrintf(viewer, "discretization: %s, dim %" PetscInt_FMT ", %" PetscInt_FMT " unknowns, preset %s\n", Name(), dim, ndofs, PresetNames[(int)preset]));
  PetscFunctionReturn(0);
}

PetscErrorCode Discretization::CheckOperatorScale(PetscReal cmax) const
{
  PetscReal norm;
  MPI_Comm  comm;

  PetscFunctionBegin;
  PetscCall(PetscObjectGetComm((PetscObject)K, &comm));
  PetscCall(MatNorm(K, NORM_INFINITY, &norm));
  // The residuals of a solve are of the size of A's entries; past ~1e150 their squares, and so every Krylov
  // inner product, overflow, and the solve would end as DIVERGED_NANORINF with no hint of the cause.
  const PetscReal scale = cmax * norm;
  PetscCheck(PetscIsNormalReal(norm) && scale < 1e150, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "The operator's entries reach %g (stiffness row sums up to %g times dt kappa/2 up to %g); beyond 1e150 the solver's inner products overflow.%s", (double)scale, (double)norm, (double)cmax, ScaleHint().c_str());
  PetscFunctionReturn(0);
}

PetscErrorCode Discretization::Operator(PetscReal c, Mat *Aout)
{
  PetscFunctionBegin;
  if (!A) PetscCall(MatDuplicate(K, MAT_DO_NOT_COPY_VALUES, &A));
  PetscCall(MatCopy(K, A, SAME_NONZERO_PATTERN));
  PetscCall(MatScale(A, c));
  if (M) PetscCall(MatAXPY(A, 1.0, M, SUBSET_NONZERO_PATTERN));
  else PetscCall(MatShift(A, 1.0));
  *Aout = A;
  PetscFunctionReturn(0);
}

PetscErrorCode Discretization::RightHandSide(PetscReal c, PetscReal dt, Vec F, Vec u, Vec b)
{
  PetscFunctionBegin;
  if (!work) PetscCall(VecDuplicate(u, &work));
  PetscCall(MatMult(K, u, work));
  if (M) PetscCall(MatMult(M, u, b));
  else PetscCall(VecCopy(u, b));
  PetscCall(VecAXPBYPCZ(b, -c, dt, 1.0, work, F)); // b = b - c K u + dt F
  PetscFunctionReturn(0);
}
} // namespace petal::heat
