// petal-poisson's solve (poisson_solver.hpp).
#include "poisson_solver.hpp"
#include <petal/dcdm.h>

namespace petal::poisson {
namespace {

struct MonitorContext {
  History        history;
  PetscLogDouble start = 0;
  PetscReal      bnorm = 0;
  bool           print = false;
  MPI_Comm       comm  = MPI_COMM_NULL;
};

PetscErrorCode Monitor(KSP, PetscInt it, PetscReal rnorm, void *ctx)
{
  auto          *m = static_cast<MonitorContext *>(ctx);
  PetscLogDouble now;

  PetscFunctionBegin;
  PetscCall(PetscTime(&now));
  m->history.norms.push_back(rnorm);
  m->history.times.push_back(now - m->start);
  if (m->print) PetscCall(PetscPrintf(m->comm, "  %5" PetscInt_FMT "  ||r|| %.6e  ||r||/||b|| %.3e  %9.4f s\n", it, (double)rnorm, m->bnorm > 0 ? (double)(rnorm / m->bnorm) : 0.0, now - m->start));
  PetscFunctionReturn(0);
}

// PCDCDM's applications and network seconds (cumulated over the repeats: divided by them), and the flops of one
// application from PETSc's log of the PetalCNNApply event (every rank's share summed).
PetscErrorCode CollectNetworkStats(PC pc, PetscInt repeat, NetworkStats *net)
{
  MPI_Comm           comm;
  PetscInt           applications;
  PetscLogDouble     seconds, flops = 0;
  const char        *weights;
  PetscLogEvent      event;
  PetscEventPerfInfo info{};

  PetscFunctionBegin;
  PetscCall(PetscObjectGetComm((PetscObject)pc, &comm));
  PetscCall(PCDCDMGetNetworkStats(pc, &applications, &seconds));
  PetscCall(PCDCDMGetWeightsFile(pc, &weights));
  PetscCall(PetscLogEventGetId("PetalCNNApply", &event));
  PetscCall(PetscLogEventGetPerfInfo(PETSC_DETERMINE, event, &info));
  PetscCallMPI(MPI_Allreduce(&info.flops, &flops, 1, MPI_DOUBLE, MPI_SUM, comm));
  net->present             = true;
  net->applications        = (double)applications / repeat;
  net->seconds             = seconds / repeat;
  net->flopsPerApplication = info.count > 0 ? flops / info.count : 0.0;
  net->weights             = weights ? weights : "";
  PetscFunctionReturn(0);
}

bool Registered(PetscFunctionList list, const char name[])
{
  void (*f)(void) = nullptr;
  return PetscFunctionListFind(list, name, &f) == 0 && f;
}
} // namespace

PetscErrorCode CreateSolver(MPI_Comm comm, KSP *ksp)
{
  PC          pc;
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(KSPCreate(comm, ksp));
  PetscCall(KSPGetPC(*ksp, &pc));
  if (Registered(KSPList, KSPDCDM) && Registered(PCList, PCDCDM)) {
    PetscCall(KSPSetType(*ksp, KSPDCDM));
    PetscCall(PCSetType(pc, PCDCDM));
  } else {
    PetscCall(KSPSetType(*ksp, KSPCG));
    PetscCall(PCSetType(pc, size == 1 ? PCICC : PCBJACOBI));
  }
  PetscCall(KSPSetNormType(*ksp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetTolerances(*ksp, 1e-6, PETSC_DEFAULT, PETSC_DEFAULT, 10000));
  PetscCall(KSPSetFromOptions(*ksp));
  PetscFunctionReturn(0);
}

PetscErrorCode Solve(KSP ksp, const Problem &p, Vec b, Vec x, PetscInt repeat, bool monitor, SolveRecord *rec)
{
  MPI_Comm       comm;
  MonitorContext m;
  PC             pc;
  KSPType        ktype;
  PCType         ptype;
  KSPNormType    norm;
  PetscReal      dtol;
  PetscLogDouble t0, t1;
  Vec            r;

  PetscFunctionBegin;
  PetscCall(PetscObjectGetComm((PetscObject)ksp, &comm));
  PetscCall(KSPSetOperators(ksp, p.A, p.A));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscBool isDCDM;
  PetscCall(PetscObjectTypeCompare((PetscObject)pc, PCDCDM, &isDCDM));
  if (isDCDM) {
    // The network's flop count comes from PETSc's event log, so logging must be on (as -log_view turns it on).
    PetscCall(PetscLogDefaultBegin());
    // One pure-Neumann region holding every unknown: the null space is the constant on the PC's mask, which
    // PCDCDM removes from its output when told (its default looks only for MatNullSpace's constant flag, which
    // covers grids without solid or Dirichlet cells).
    const char *prefix;
    PetscBool   set;
    PetscCall(PCGetOptionsPrefix(pc, &prefix));
    PetscCall(PetscOptionsHasName(NULL, prefix, "-pc_dcdm_remove_constant", &set));
    if (!set && p.topo.neumannRegions == 1 && p.topo.neumannUnknowns == p.topo.unknowns) PetscCall(PCDCDMSetRemoveConstant(pc, PETSC_TRUE));
  }
  PetscCall(PetscTime(&t0));
  PetscCall(KSPSetUp(ksp)); // the preconditioner's setup (factorisation, hierarchy, network weights) is timed apart
  PetscCall(KSPSetUpOnBlocks(ksp));
  PetscCall(PetscTime(&t1));
  rec->setupSeconds = t1 - t0;
  PetscCall(KSPGetType(ksp, &ktype));
  PetscCall(PCGetType(pc, &ptype));
  PetscCall(KSPGetNormType(ksp, &norm));
  PetscCall(KSPGetTolerances(ksp, &rec->rtol, &rec->atol, &dtol, &rec->maxIt));
  rec->kspType  = ktype;
  rec->pcType   = ptype;
  rec->normType = KSPNormTypes[norm];
  PetscCall(VecNorm(b, NORM_2, &m.bnorm));
  m.print = monitor;
  m.comm  = comm;
  PetscCall(KSPMonitorSet(ksp, Monitor, &m, NULL));
  rec->solveSeconds = 1e300;
  for (PetscInt k = 0; k < repeat; ++k) {
    KSPConvergedReason reason;
    PetscInt           its;
    m.history = History{};
    PetscCall(VecSet(x, 0.0));
    PetscCall(PetscTime(&m.start));
    PetscCall(KSPSolve(ksp, b, x));
    PetscCall(PetscTime(&t1));
    PetscCall(KSPGetConvergedReason(ksp, &reason));
    PetscCall(KSPGetIterationNumber(ksp, &its));
    if (repeat > 1 && monitor) PetscCall(PetscPrintf(comm, "  solve %" PetscInt_FMT " of %" PetscInt_FMT ": %s, %" PetscInt_FMT " iterations, %.4f s\n", k + 1, repeat, KSPConvergedReasons[reason], its, t1 - m.start));
    if (t1 - m.start < rec->solveSeconds) {
      rec->solveSeconds = t1 - m.start;
      rec->history      = m.history;
      rec->reason       = reason;
      rec->iterations   = its;
      PetscCall(KSPGetResidualNorm(ksp, &rec->kspResidual));
    }
  }
  PetscCall(KSPMonitorCancel(ksp));
  if (isDCDM) PetscCall(CollectNetworkStats(pc, repeat, &rec->network));
  rec->reasonName = KSPConvergedReasons[rec->reason];
  // Cells that are not unknowns are identity rows with zero right-hand side: their pressure is 0 (Dirichlet) or
  // meaningless (solid), and a solver may leave round-off there (GAMG does); it is set to 0 exactly.
  {
    PetscScalar       *v;
    const PetscScalar *region;
    PetscInt           nlocal;
    PetscCall(VecGetLocalSize(x, &nlocal));
    PetscCall(VecGetArray(x, &v));
    PetscCall(VecGetArrayRead(p.region, &region));
    for (PetscInt c = 0; c < nlocal; ++c)
      if (PetscRealPart(region[c]) < 0) v[c] = 0.0;
    PetscCall(VecRestoreArrayRead(p.region, &region));
    PetscCall(VecRestoreArray(x, &v));
  }
  // pure Neumann: the pressure is defined up to a constant per region; report the one of mean zero
  if (p.nullsp) PetscCall(MatNullSpaceRemove(p.nullsp, x));
  PetscCall(VecDuplicate(b, &r));
  PetscCall(MatMult(p.A, x, r));
  PetscCall(VecAYPX(r, -1.0, b));
  PetscCall(VecNorm(r, NORM_2, &rec->trueResidual));
  PetscCall(VecDestroy(&r));
  rec->relativeResidual = m.bnorm > 0 ? rec->trueResidual / m.bnorm : 0.0;
  PetscFunctionReturn(0);
}

PetscErrorCode PrintSummary(MPI_Comm comm, const SolveRecord &rec)
{
  PetscFunctionBegin;
  PetscCall(PetscPrintf(comm, "  solver %s + %s, rtol %g on the %s residual norm\n", rec.kspType.c_str(), rec.pcType.c_str(), (double)rec.rtol, rec.normType.c_str()));
  PetscCall(PetscPrintf(comm, "  %s after %" PetscInt_FMT " iterations: ||b - Ax||/||b|| = %.3e; setup %.4f s, solve %.4f s (%.3g s per iteration)\n", rec.reasonName.c_str(), rec.iterations, (double)rec.relativeResidual, rec.setupSeconds, rec.solveSeconds,
                        rec.iterations ? rec.solveSeconds / rec.iterations : 0.0));
  if (rec.network.present)
    PetscCall(PetscPrintf(comm, "  network: %.0f applications per solve, %.4f s (%.3g s each)\n", rec.network.applications, rec.network.seconds, rec.network.applications ? rec.network.seconds / rec.network.applications : 0.0));
  PetscFunctionReturn(0);
}

} // namespace petal::poisson
