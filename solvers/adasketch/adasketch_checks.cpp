// What TAOADASKETCH refuses, with an error that names the problem. Every decision here depends on collective
// data only (global sizes, reductions), so every rank raises the same error and none waits in a collective.
#include "solvers/adasketch/adasketch_impl.hpp"
#include <cmath>

namespace petal {
namespace adasketch {
namespace {

/* True on every rank when any entry of v (on any rank) is finite, i.e. a real bound. */
PetscErrorCode HasFiniteEntry(Vec v, PetscBool *has)
{
  const PetscScalar *a;
  PetscInt           n;
  int                local = 0, global = 0;
  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetArrayRead(v, &a));
  for (PetscInt i = 0; i < n && !local; ++i) {
    const PetscReal b = PetscRealPart(a[i]);
    // PETSC_NINFINITY/PETSC_INFINITY (and TAO's +-1e20 convention) mean "no bound".
    if (std::isfinite((double)b) && std::abs(b) < 1e20) local = 1;
  }
  PetscCall(VecRestoreArrayRead(v, &a));
  PetscCallMPI(MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, PetscObjectComm((PetscObject)v)));
  *has = global ? PETSC_TRUE : PETSC_FALSE;
  PetscFunctionReturn(0);
}

} // namespace

PetscErrorCode CheckProblem(Tao tao)
{
  MPI_Comm comm = PetscObjectComm((PetscObject)tao);
  PetscFunctionBegin;
  PetscCheck(tao->solution, comm, PETSC_ERR_ARG_WRONGSTATE, "TAOADASKETCH: no start point: call TaoSetSolution()");
  PetscCheck(tao->ops->computeobjectiveandgradient || (tao->ops->computeobjective && tao->ops->computegradient), comm, PETSC_ERR_ARG_WRONGSTATE,
             "TAOADASKETCH needs the objective and its gradient: call TaoSetObjectiveAndGradient() (or TaoSetObjective() and TaoSetGradient())");
  PetscCheck(!tao->ineq_constrained && !tao->ops->computeinequalityconstraints, comm, PETSC_ERR_SUP,
             "TAOADASKETCH solves equality-constrained problems only: inequality constraints (TaoSetInequalityConstraintsRoutine) are not supported; use TAOPDIPM or TAOALMM");
  PetscCheck(tao->ops->computeequalityconstraints && tao->constraints_equality, comm, PETSC_ERR_ARG_WRONGSTATE,
             "TAOADASKETCH needs equality constraints c(x) = 0: call TaoSetEqualityConstraintsRoutine() (for an unconstrained problem use TAONLS or TAOLMVM)");
  PetscCheck(tao->ops->computejacobianequality && tao->jacobian_equality, comm, PETSC_ERR_ARG_WRONGSTATE,
             "TAOADASKETCH needs the Jacobian of the equality constraints: call TaoSetJacobianEqualityRoutine()");
  PetscCheck(tao->ops->computehessian && tao->hessian, comm, PETSC_ERR_ARG_WRONGSTATE,
             "TAOADASKETCH needs the Hessian of the Lagrangian L = f + lambda^T c (multipliers from TaoGetDualVariables): call TaoSetHessian()");
  // Bounds: infinite ones (what TAOPDIPM needs on PETSc 3.18) are accepted, finite ones are not supported.
  if (tao->ops->computebounds) PetscCall(TaoComputeVariableBounds(tao));
  for (Vec b : {tao->XL, tao->XU}) {
    if (!b) continue;
    PetscBool finite;
    PetscCall(HasFiniteEntry(b, &finite));
    PetscCheck(!finite, comm, PETSC_ERR_SUP, "TAOADASKETCH does not support variable bounds (TaoSetVariableBounds with finite entries); use TAOPDIPM or TAOALMM, or infinite bounds");
  }
  // Sizes: x (d), c (m), G (m x d), H (d x d), multipliers (m); global and local (per-rank layouts must conform).
  PetscInt d, m, gm, gd, hm, hd, dl, ml, gml, gdl, hml, hdl;
  PetscCall(VecGetSize(tao->solution, &d));
  PetscCall(VecGetLocalSize(tao->solution, &dl));
  PetscCall(VecGetSize(tao->constraints_equality, &m));
  PetscCall(VecGetLocalSize(tao->constraints_equality, &ml));
  PetscCall(MatGetSize(tao->jacobian_equality, &gm, &gd));
  PetscCall(MatGetLocalSize(tao->jacobian_equality, &gml, &gdl));
  PetscCall(MatGetSize(tao->hessian, &hm, &hd));
  PetscCall(MatGetLocalSize(tao->hessian, &hml, &hdl));
  PetscCheck(gd == d && hm == d && hd == d, comm, PETSC_ERR_ARG_SIZ,
             "TAOADASKETCH: the start point has %" PetscInt_FMT " entries but the equality Jacobian has %" PetscInt_FMT " columns and the Hessian is %" PetscInt_FMT " x %" PetscInt_FMT
             " (wrong size of the start point, TaoSetSolution, or of a matrix)",
             d, gd, hm, hd);
  PetscCheck(gm == m, comm, PETSC_ERR_ARG_SIZ, "TAOADASKETCH: the equality constraints Vec has %" PetscInt_FMT " entries but the equality Jacobian has %" PetscInt_FMT " rows", m, gm);
  PetscCheck(m > 0, comm, PETSC_ERR_ARG_SIZ, "TAOADASKETCH: no equality constraints (m = 0); use an unconstrained TAO type");
  int localBad = (gdl != dl || hml != dl || hdl != dl || gml != ml) ? 1 : 0, bad = 0;
  PetscCallMPI(MPI_Allreduce(&localBad, &bad, 1, MPI_INT, MPI_MAX, comm));
  PetscCheck(!bad, comm, PETSC_ERR_ARG_SIZ,
             "TAOADASKETCH: the parallel layouts do not conform: the start point's local size must equal the Hessian's local rows/columns and the Jacobian's local columns, and the constraints Vec's local size the Jacobian's local rows");
  if (tao->DE) {
    PetscInt lm;
    PetscCall(VecGetSize(tao->DE, &lm));
    PetscCheck(lm == m, comm, PETSC_ERR_ARG_SIZ, "TAOADASKETCH: the multipliers (dual variables) have %" PetscInt_FMT " entries, the constraints %" PetscInt_FMT, lm, m);
  }
  // The state set (TaoAdaSketchSetStateIS): as many states as constraints, each rank listing only its own variables
  // (agreed on every rank: the spectra and the preconditioner index with it in collective calls).
  Tao_AdaSketch *as = Data(tao);
  if (as->stateIS) {
    PetscInt        ny, nloc, xs, xe, badIndex = -1, anyBad;
    const PetscInt *idx;
    PetscCall(ISGetSize(as->stateIS, &ny));
    PetscCheck(ny == m, comm, PETSC_ERR_ARG_SIZ,
               "TAOADASKETCH: the state set (TaoAdaSketchSetStateIS) has %" PetscInt_FMT " variables but there are %" PetscInt_FMT " constraints: the reduced-space preconditioner and spectra need the square state Jacobian dc/dy",
               ny, m);
    PetscCall(VecGetOwnershipRange(tao->solution, &xs, &xe));
    PetscCall(ISGetLocalSize(as->stateIS, &nloc));
    PetscCall(ISGetIndices(as->stateIS, &idx));
    for (PetscInt i = 0; i < nloc && badIndex < 0; ++i)
      if (idx[i] < xs || idx[i] >= xe) badIndex = idx[i];
    PetscCall(ISRestoreIndices(as->stateIS, &idx));
    PetscCall(MPIU_Allreduce(&badIndex, &anyBad, 1, MPIU_INT, MPI_MAX, comm));
    PetscCheck(anyBad < 0, comm, PETSC_ERR_ARG_OUTOFRANGE,
               "TAOADASKETCH: the state set (TaoAdaSketchSetStateIS) holds variable %" PetscInt_FMT " on a rank that does not own it: each rank must list only its own variables", anyBad);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode CheckFiniteVec(Tao tao, Vec v, const char *what)
{
  PetscReal n;
  PetscFunctionBegin;
  PetscCall(VecNorm(v, NORM_2, &n)); /* NaN or Inf anywhere makes the (reduced) norm NaN or Inf on every rank */
  PetscCheck(std::isfinite((double)n), PetscObjectComm((PetscObject)tao), PETSC_ERR_FP, "TAOADASKETCH: %s returned NaN or Inf", what);
  PetscFunctionReturn(0);
}

PetscErrorCode CheckFiniteMat(Tao tao, Mat A, const char *what)
{
  PetscBool has;
  PetscReal n;
  PetscFunctionBegin;
  PetscCall(MatHasOperation(A, MATOP_NORM, &has));
  if (!has) PetscFunctionReturn(0);
  PetscCall(MatNorm(A, NORM_FROBENIUS, &n));
  PetscCheck(std::isfinite((double)n), PetscObjectComm((PetscObject)tao), PETSC_ERR_FP, "TAOADASKETCH: %s returned NaN or Inf", what);
  PetscFunctionReturn(0);
}

} // namespace adasketch
} // namespace petal
