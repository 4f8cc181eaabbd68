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
