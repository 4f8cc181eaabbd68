// Registration of the PetalOT class: class id, the list of types (PetalOTRegister), log events (so -log_view
// shows where the time goes) and the MPI reduction of (max, sum) pairs. Idempotent; undone at PetscFinalize.
#include "ot_impl.hpp"
#include <cmath>

PetscClassId  PETAL_OT_CLASSID      = 0;
PetscLogEvent PETAL_OT_SetUp        = 0;
PetscLogEvent PETAL_OT_SinkhornIter = 0;
PetscLogEvent PETAL_OT_RowPass      = 0;
PetscLogEvent PETAL_OT_LSE          = 0;
PetscLogEvent PETAL_OT_Allreduce    = 0;
PetscLogEvent PETAL_OT_PlanEval     = 0;
PetscLogEvent PETAL_OT_TopK         = 0;
PetscLogEvent PETAL_OT_Hessian      = 0;
PetscLogEvent PETAL_OT_NewtonKSP    = 0;
PetscLogEvent PETAL_OT_LineSearch   = 0;
PetscLogEvent PETAL_OT_Output       = 0;
PetscLogEvent PETAL_OT_KernelBuild  = 0;

const char *const PetalOTMethods[]          = {"sinkhorn", "sns", "PetalOTMethod", "PETAL_OT_", NULL};
const char *const PetalOTCostTypes[]        = {"sqeuclidean", "euclidean", "pnorm", "PetalOTCostType", "PETAL_OT_COST_", NULL};
const char *const PetalOTSinkhornVariants[] = {"fused", "log", "stored", "auto", "PetalOTSinkhornVariant", "PETAL_OT_SINKHORN_", NULL};
const char *const PetalOTSinkhornPlans[]    = {"on the fly", "stored double", "stored float, then double", "stored float, then on the fly", "PetalOTSinkhornPlan", "PETAL_OT_PLAN_", NULL};
const char *const PetalOTGauges[]           = {"fix", "nullspace", "PetalOTGauge", "PETAL_OT_GAUGE_", NULL};
const char *const PetalOTKernelISAs[]       = {"auto", "generic", "avx2", "avx512", "PetalOTKernelISA", "PETAL_OT_KERNEL_ISA_", NULL};
static const char *const ReasonNames[]      = {"DIVERGED_LINESEARCH", "DIVERGED_NAN", "DIVERGED_MAX_IT", "ITERATING", "CONVERGED_TOL", NULL};
const char *const *PetalOTConvergedReasons  = ReasonNames;

PetscFunctionList PetalOTList = NULL;

PETSC_EXTERN PetscErrorCode PetalOTCreate_Sinkhorn(PetalOT);
PETSC_EXTERN PetscErrorCode PetalOTCreate_SNS(PetalOT);

static PetscBool    PetalOTPackageInitialized = PETSC_FALSE;
static MPI_Op       MaxSumOp                  = MPI_OP_NULL;
static MPI_Datatype PairType                  = MPI_DATATYPE_NULL;

/* (m1, s1) (+) (m2, s2) = (M, s1 e^(m1 - M) + s2 e^(m2 - M)), M = max(m1, m2); an empty side has m = -inf. */
static void MPIAPI MaxSumCombine(void *in, void *inout, int *len, MPI_Datatype *)
{
  const double *a = static_cast<const double *>(in);
  double       *b = static_cast<double *>(inout);
  for (int k = 0; k < *len; ++k) {
    const double m1 = a[2 * k], s1 = a[2 * k + 1], m2 = b[2 * k], s2 = b[2 * k + 1];
    if (m1 == -HUGE_VAL) continue;
    if (m2 == -HUGE_VAL) {
      b[2 * k]     = m1;
      b[2 * k + 1] = s1;
      continue;
    }
    const double M = m1 > m2 ? m1 : m2;
    b[2 * k]       = M;
    b[2 * k + 1]   = s1 * std::exp(m1 - M) + s2 * std::exp(m2 - M);
  }
}

static PetscErrorCode PetalOTFinalizePackage(void)
{
  PetscFunctionBegin;
  if (MaxSumOp != MPI_OP_NULL) PetscCallMPI(MPI_Op_free(&MaxSumOp));
  if (PairType != MPI_DATATYPE_NULL) PetscCallMPI(MPI_Type_free(&PairType));
  PetscCall(PetscFunctionListDestroy(&PetalOTList));
  PetalOTPackageInitialized = PETSC_FALSE;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTInitializePackage(void)
{
  PetscFunctionBegin;
  if (PetalOTPackageInitialized) PetscFunctionReturn(0);
  PetalOTPackageInitialized = PETSC_TRUE;
  if (!PETAL_OT_CLASSID) PetscCall(PetscClassIdRegister("PetalOT", &PETAL_OT_CLASSID));
  PetscCall(PetalOTRegister(PETALOTSINKHORN, PetalOTCreate_Sinkhorn));
  PetscCall(PetalOTRegister(PETALOTSNS, PetalOTCreate_SNS));
  PetscCall(PetscLogEventRegister("PetalOTSetUp", PETAL_OT_CLASSID, &PETAL_OT_SetUp));
  PetscCall(PetscLogEventRegister("PetalOTSinkhornIter", PETAL_OT_CLASSID, &PETAL_OT_SinkhornIter));
  PetscCall(PetscLogEventRegister("PetalOTRowPass", PETAL_OT_CLASSID, &PETAL_OT_RowPass));
  PetscCall(PetscLogEventRegister("PetalOTLSE", PETAL_OT_CLASSID, &PETAL_OT_LSE));
  PetscCall(PetscLogEventRegister("PetalOTAllreduce", PETAL_OT_CLASSID, &PETAL_OT_Allreduce));
  PetscCall(PetscLogEventRegister("PetalOTPlanEval", PETAL_OT_CLASSID, &PETAL_OT_PlanEval));
  PetscCall(PetscLogEventRegister("PetalOTTopK", PETAL_OT_CLASSID, &PETAL_OT_TopK));
  PetscCall(PetscLogEventRegister("PetalOTHessian", PETAL_OT_CLASSID, &PETAL_OT_Hessian));
  PetscCall(PetscLogEventRegister("PetalOTNewtonKSP", PETAL_OT_CLASSID, &PETAL_OT_NewtonKSP));
  PetscCall(PetscLogEventRegister("PetalOTLineSearch", PETAL_OT_CLASSID, &PETAL_OT_LineSearch));
  PetscCall(PetscLogEventRegister("PetalOTOutput", PETAL_OT_CLASSID, &PETAL_OT_Output));
  PetscCall(PetscLogEventRegister("PetalOTKernelBuild", PETAL_OT_CLASSID, &PETAL_OT_KernelBuild));
  PetscCallMPI(MPI_Type_contiguous(2, MPI_DOUBLE, &PairType));
  PetscCallMPI(MPI_Type_commit(&PairType));
  PetscCallMPI(MPI_Op_create(MaxSumCombine, 1, &MaxSumOp));
  PetscCall(PetscRegisterFinalize(PetalOTFinalizePackage));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTRegister(const char name[], PetscErrorCode (*create)(PetalOT))
{
  PetscFunctionBegin;
  PetscCall(PetalOTInitializePackage());
  PetscCall(PetscFunctionListAdd(&PetalOTList, name, create));
  PetscFunctionReturn(0);
}

namespace petal {
namespace ot {
PetscErrorCode AllreduceMaxSumPairs(MPI_Comm comm, double *pairs, PetscInt count)
{
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (size == 1 || count == 0) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(PETAL_OT_Allreduce, 0, 0, 0, 0));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, pairs, (PetscMPIInt)count, PairType, MaxSumOp, comm));
  PetscCall(PetscLogEventEnd(PETAL_OT_Allreduce, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
} // namespace ot
} // namespace petal
