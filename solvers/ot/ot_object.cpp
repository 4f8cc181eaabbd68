// PetalOT life cycle: create, type (the ops table), problem, solve, view, accessors, destroy. Parameter
// setters and the options database are in ot_parameters.cpp.
#include "ot_impl.hpp"

using petal::ot::Workspace;

PetscErrorCode PetalOTCreate(MPI_Comm comm, PetalOT *out)
{
  PetalOT ot;

  PetscFunctionBegin;
  PetscValidPointer(out, 2);
  *out = NULL;
  PetscCall(PetalOTInitializePackage());
  PetscCall(PetscHeaderCreate(ot, PETAL_OT_CLASSID, "PetalOT", "Entropic optimal transport", "PetalOT", comm, PetalOTDestroy, PetalOTView));
  ot->costType        = PETAL_OT_COST_SQEUCLIDEAN;
  ot->costP           = 2.0;
  ot->costScale       = 1.0;
  ot->costScaleUsed   = 1.0;
  ot->costNormalize   = PETSC_FALSE;
  ot->variant         = PETAL_OT_SINKHORN_AUTO;
  ot->storedMaxMB     = 256;
  ot->storedFloat     = PETSC_TRUE;
  ot->eta             = 100.0;
  ot->tol             = 1e-9;
  ot->massTol         = 1e-8;
  ot->maxIt           = 100000;
  ot->epsScaling      = PETSC_FALSE;
  ot->epsEta0         = 10.0;
  ot->epsFactor       = 4.0;
  ot->epsStageTol     = 1e-3;
  ot->planThreshold   = 1e-12;
  ot->kernelISA       = PETAL_OT_KERNEL_ISA_AUTO;
  ot->monitor         = PETSC_FALSE;
  ot->monitorInterval = 100;
  ot->res.reason      = PETAL_OT_ITERATING;
  ot->ws              = new Workspace();
  *out                = ot;
  /* the default type; PetalOTSetType or -ot_type replaces it (its data is freed then) */
  PetscCall(PetalOTSetType(ot, PETALOTSINKHORN));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetType(PetalOT ot, PetalOTType type)
{
  PetscErrorCode (*create)(PetalOT) = NULL;
  PetscBool match;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidCharPointer(type, 2);
  PetscCall(PetscObjectTypeCompare((PetscObject)ot, type, &match));
  if (match) PetscFunctionReturn(0);
  PetscCall(PetscFunctionListFind(PetalOTList, type, &create));
  PetscCheck(create, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_UNKNOWN_TYPE, "PetalOT: unknown type \"%s\" (-ot_type; built in: " PETALOTSINKHORN ", " PETALOTSNS ")", type);
  /* the previous type's data and methods go; the results of its last solve with them */
  PetscTryTypeMethod(ot, destroy);
  PetscCall(PetscMemzero(ot->ops, sizeof(struct _PetalOTOps)));
  ot->data   = NULL;
  ot->solved = PETSC_FALSE;
  PetscCall((*create)(ot));
  PetscCall(PetscObjectChangeTypeName((PetscObject)ot, type));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetType(PetalOT ot, PetalOTType *type)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidPointer(type, 2);
  *type = ((PetscObject)ot)->type_name;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetMethod(PetalOT ot, PetalOTMethod method)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(method == PETAL_OT_SINKHORN || method == PETAL_OT_SNS, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: unknown method %d", (int)method);
  PetscCall(PetalOTSetType(ot, PetalOTMethods[method]));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetMethod(PetalOT ot, PetalOTMethod *method)
{
  PetscBool sinkhorn, sns;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidPointer(method, 2);
  PetscCall(PetscObjectTypeCompare((PetscObject)ot, PETALOTSINKHORN, &sinkhorn));
  PetscCall(PetscObjectTypeCompare((PetscObject)ot, PETALOTSNS, &sns));
  PetscCheck(sinkhorn || sns, PetscObjectComm((PetscObject)ot), PETSC_ERR_SUP, "PetalOT: type \"%s\" is not one of the built-in methods; use PetalOTGetType()", ((PetscObject)ot)->type_name);
  *method = sns ? PETAL_OT_SNS : PETAL_OT_SINKHORN;
  PetscFunctionReturn(0);
}

static PetscErrorCode ClearProblem(PetalOT ot)
{
  PetscFunctionBegin;
  PetscCall(VecDestroy(&ot->r));
  PetscCall(VecDestroy(&ot->c));
  PetscCall(VecDestroy(&ot->X));
  PetscCall(VecDestroy(&ot->Y));
  PetscCall(MatDestroy(&ot->C));
  PetscCall(VecDestroy(&ot->xOut));
  PetscCall(VecDestroy(&ot->yOut));
  ot->solved = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTDestroy(PetalOT *ot)
{
  PetscFunctionBegin;
  if (!ot || !*ot) PetscFunctionReturn(0);
  PetscValidHeaderSpecific(*ot, PETAL_OT_CLASSID, 1);
  if (--((PetscObject)(*ot))->refct > 0) {
    *ot = NULL;
    PetscFunctionReturn(0);
  }
  PetscTryTypeMethod(*ot, destroy);
  PetscCall(ClearProblem(*ot));
  PetscCall(KSPDestroy(&(*ot)->ksp));
  delete (*ot)->ws;
  PetscCall(PetscHeaderDestroy(ot));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetProblemCost(PetalOT ot, Vec r, Vec c, Mat C)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidHeaderSpecific(r, VEC_CLASSID, 2);
  PetscValidHeaderSpecific(c, VEC_CLASSID, 3);
  PetscValidHeaderSpecific(C, MAT_CLASSID, 4);
  PetscCall(PetscObjectReference((PetscObject)r));
  PetscCall(PetscObjectReference((PetscObject)c));
  PetscCall(PetscObjectReference((PetscObject)C));
  PetscCall(ClearProblem(ot));
  ot->r   = r;
  ot->c   = c;
  ot->C   = C;
  ot->dim = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSetProblemPoints(PetalOT ot, Vec r, Vec c, PetscInt dim, Vec X, Vec Y)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidHeaderSpecific(r, VEC_CLASSID, 2);
  PetscValidHeaderSpecific(c, VEC_CLASSID, 3);
  PetscValidHeaderSpecific(X, VEC_CLASSID, 5);
  PetscValidHeaderSpecific(Y, VEC_CLASSID, 6);
  PetscCheck(dim >= 1, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the point dimension must be >= 1, got %" PetscInt_FMT, dim);
  PetscCall(PetscObjectReference((PetscObject)r));
  PetscCall(PetscObjectReference((PetscObject)c));
  PetscCall(PetscObjectReference((PetscObject)X));
  PetscCall(PetscObjectReference((PetscObject)Y));
  PetscCall(ClearProblem(ot));
  ot->r   = r;
  ot->c   = c;
  ot->X   = X;
  ot->Y   = Y;
  ot->dim = dim;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSolve(PetalOT ot)
{
  PetscLogDouble t0, t1;
  PetscBool      view = PETSC_FALSE;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(ot->r && ot->c, PetscObjectComm((PetscObject)ot), PETSC_ERR_ORDER, "PetalOT: call PetalOTSetProblemCost() or PetalOTSetProblemPoints() before PetalOTSolve()");
  ot->solved = PETSC_FALSE;
  PetscCall(PetscMemzero(&ot->res, sizeof(ot->res)));
  PetscCall(PetscTime(&t0));
  PetscCall(petal::ot::SetUpProblem(ot));
  PetscCall(PetscTime(&t1));
  ot->res.time_setup = t1 - t0;
  PetscUseTypeMethod(ot, solve);
  PetscCall(petal::ot::FillResult(ot));
  PetscCall(petal::ot::BuildOutputPotentials(ot));
  PetscCall(PetscTime(&t1));
  ot->res.time_total = t1 - t0;
  {
    PetscLogDouble times[4] = {ot->res.time_total, ot->res.time_setup, ot->res.time_sinkhorn, ot->res.time_newton};
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, times, 4, MPI_DOUBLE, MPI_MAX, PetscObjectComm((PetscObject)ot)));
    ot->res.time_total    = times[0];
    ot->res.time_setup    = times[1];
    ot->res.time_sinkhorn = times[2];
    ot->res.time_newton   = times[3];
  }
  ot->solved = PETSC_TRUE;
  PetscCall(PetscOptionsGetBool(((PetscObject)ot)->options, ((PetscObject)ot)->prefix, "-ot_view", &view, NULL));
  if (view) PetscCall(PetalOTView(ot, PETSC_VIEWER_STDOUT_(PetscObjectComm((PetscObject)ot))));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTView(PetalOT ot, PetscViewer viewer)
{
  PetscBool   isascii;
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  if (!viewer) PetscCall(PetscViewerASCIIGetStdout(PetscObjectComm((PetscObject)ot), &viewer));
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &isascii));
  if (!isascii) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Comm_size(PetscObjectComm((PetscObject)ot), &size));
  PetscCall(PetscObjectPrintClassNamePrefixType((PetscObject)ot, viewer));
  PetscCall(PetscViewerASCIIPushTab(viewer));
  PetscCall(PetscViewerASCIIPrintf(viewer, "%d rank(s), Kokkos execution space %s, n^2 kernels: %s\n", (int)size, petal::ExecSpace::name(), petal::ot::KernelISADescription(ot->kernelISA).c_str()));
  PetscCall(PetscViewerASCIIPrintf(viewer, "regularisation: eta = %g (epsilon = 1/eta = %g); objective <C,P> + (1/eta) sum P log P\n", (double)ot->eta, (double)(1.0 / ot->eta)));
  if (ot->r) {
    PetscInt n, m;
    PetscCall(VecGetSize(ot->r, &n));
    PetscCall(VecGetSize(ot->c, &m));
    char kept[128] = "";
    if (ot->solved) PetscCall(PetscSNPrintf(kept, sizeof kept, " (%" PetscInt_FMT " x %" PetscInt_FMT " with positive weight)", ot->nKept, ot->mKept));
    PetscCall(PetscViewerASCIIPrintf(viewer, "problem: n = %" PetscInt_FMT " sources, m = %" PetscInt_FMT " targets%s\n", n, m, kept));
    if (ot->C) PetscCall(PetscViewerASCIIPrintf(viewer, "cost: dense matrix (stored, row-major copy)\n"));
    else if (ot->costType == PETAL_OT_COST_PNORM) PetscCall(PetscViewerASCIIPrintf(viewer, "cost: pnorm |a-b|_p^p, p = %g, of %" PetscInt_FMT "-D points, computed on the fly\n", (double)ot->costP, ot->dim));
    else PetscCall(PetscViewerASCIIPrintf(viewer, "cost: %s of %" PetscInt_FMT "-D points, computed on the fly\n", PetalOTCostTypes[ot->costType], ot->dim));
  }
  if (ot->costNormalize) PetscCall(PetscViewerASCIIPrintf(viewer, "cost scale: normalised to max 1 (scale = %g)\n", (double)ot->costScaleUsed));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "cost scale: %g\n", (double)ot->costScale));
  if (ot->solved) PetscCall(PetscViewerASCIIPrintf(viewer, "cost range: max |C| <= %g before scaling, eta * scale * max |C| <= %g (limit 1e300)\n", (double)ot->maxCost, (double)(ot->eta * ot->costScaleUsed * ot->maxCost)));
  PetscCall(PetscViewerASCIIPrintf(viewer, "stopping: L1 error of both marginals <= %g, at most %" PetscInt_FMT " Sinkhorn iterations; mass tolerance %g\n", (double)ot->tol, ot->maxIt, (double)ot->massTol));
  if (ot->variant == PETAL_OT_SINKHORN_AUTO) PetscCall(PetscViewerASCIIPrintf(viewer, "Sinkhorn variant: auto (stored plan if it fits %g MiB per rank, else fused)%s\n", (double)ot->storedMaxMB, ot->storedFloat ? "; float copy until the error is below 1e-7" : ""));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "Sinkhorn variant: %s\n", PetalOTSinkhornVariants[ot->variant]));
  if (ot->epsScaling) PetscCall(PetscViewerASCIIPrintf(viewer, "epsilon scaling: eta0 = %g, factor %g, intermediate stages end at error %g\n", (double)ot->epsEta0, (double)ot->epsFactor, (double)ot->epsStageTol));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "epsilon scaling: off\n"));
  PetscTryTypeMethod(ot, view, viewer);
  PetscCall(PetscViewerASCIIPrintf(viewer, "plan output threshold: P_ij >= %g r_i\n", (double)ot->planThreshold));
  if (ot->monitor) PetscCall(PetscViewerASCIIPrintf(viewer, "monitor: every %" PetscInt_FMT " Sinkhorn iterations\n", ot->monitorInterval));
  if (ot->solved) {
    const PetalOTResult &r = ot->res;
    PetscCall(PetscViewerASCIIPrintf(viewer, "result: %s after %" PetscInt_FMT " Sinkhorn iterations, %" PetscInt_FMT " Newton steps (%" PetscInt_FMT " KSP iterations, %" PetscInt_FMT " line-search evaluations), %" PetscInt_FMT " max-shifted rows\n", PetalOTConvergedReasons[r.reason + 3], r.sinkhorn_iterations, r.newton_iterations, r.ksp_iterations, r.line_search_evaluations, r.fallback_rows));
    PetscCall(PetscViewerASCIIPrintf(viewer, "Sinkhorn iterations ran on: %s\n", PetalOTSinkhornPlans[r.sinkhorn_plan]));
    PetscCall(PetscViewerASCIIPrintf(viewer, "  transport cost <C,P> = %.12g, regularized objective <C,P> + (1/eta) sum P log P = %.12g, dual objective f(x,y) = %.12g, mass = %.15g\n", (double)r.transport_cost, (double)r.regularized_objective, (double)r.dual_objective, (double)r.mass));
    PetscCall(PetscViewerASCIIPrintf(viewer, "  L1 marginal errors: rows %.3e, columns %.3e\n", (double)r.row_error, (double)r.col_error));
    PetscCall(PetscViewerASCIIPrintf(viewer, "  time: %.4f s total (set-up %.4f, Sinkhorn %.4f, Newton %.4f)\n", r.time_total, r.time_setup, r.time_sinkhorn, r.time_newton));
  }
  PetscCall(PetscViewerASCIIPopTab(viewer));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetResult(PetalOT ot, PetalOTResult *result)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidPointer(result, 2);
  PetscCheck(ot->solved, PetscObjectComm((PetscObject)ot), PETSC_ERR_ORDER, "PetalOT: no result before PetalOTSolve()");
  *result = ot->res;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetConvergedReason(PetalOT ot, PetalOTConvergedReason *reason)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  *reason = ot->res.reason;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetPotentials(PetalOT ot, Vec *x, Vec *y)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCheck(ot->solved, PetscObjectComm((PetscObject)ot), PETSC_ERR_ORDER, "PetalOT: no potentials before PetalOTSolve()");
  if (x) *x = ot->xOut;
  if (y) *y = ot->yOut;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTGetNewtonKSP(PetalOT ot, KSP *ksp)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidPointer(ksp, 2);
  if (!ot->ksp) { /* the Newton systems: CG + Jacobi on the sparsified Hessian, options under -ot_newton_ksp_ */
    const char *prefix;
    PC          pc;
    PetscCall(KSPCreate(PetscObjectComm((PetscObject)ot), &ot->ksp));
    PetscCall(PetscObjectIncrementTabLevel((PetscObject)ot->ksp, (PetscObject)ot, 1));
    PetscCall(KSPSetType(ot->ksp, KSPCG));
    PetscCall(KSPGetPC(ot->ksp, &pc));
    PetscCall(PCSetType(pc, PCJACOBI));
    PetscCall(KSPSetNormType(ot->ksp, KSP_NORM_UNPRECONDITIONED));
    PetscCall(KSPSetTolerances(ot->ksp, 1e-2, 1e-50, PETSC_DEFAULT, 10000));
    PetscCall(PetscObjectGetOptionsPrefix((PetscObject)ot, &prefix));
    PetscCall(KSPSetOptionsPrefix(ot->ksp, prefix));
    PetscCall(KSPAppendOptionsPrefix(ot->ksp, "ot_newton_"));
  }
  *ksp = ot->ksp;
  PetscFunctionReturn(0);
}
