// petal-relax's study (relax_study.hpp): the solvers of every policy, the two passes over the sequence, the
// summary of the cost table and the replays of the learners on it.
#include "relax_study.hpp"
#include "relax_progress.hpp"
#include <petal/banditsor.h>
#include <algorithm>
#include <cmath>

namespace petal::relax {
namespace {
// Sets -<prefix><name> value in the options database unless the user gave it.
PetscErrorCode DefaultOption(const char *prefix, const char *name, const std::string &value)
{
  PetscBool   set;
  std::string full = std::string("-") + prefix + name;
  PetscFunctionBegin;
  PetscCall(PetscOptionsHasName(NULL, NULL, full.c_str(), &set));
  if (!set) PetscCall(PetscOptionsSetValue(NULL, full.c_str(), value.c_str()));
  PetscFunctionReturn(0);
}

PetscErrorCode CreateSORKsp(Study &S, const std::string &prefix, const char *learner, const std::vector<double> &grid, KSP *ksp)
{
  PC pc;
  PetscFunctionBegin;
  PetscCall(KSPCreate(S.comm, ksp));
  PetscCall(KSPSetOptionsPrefix(*ksp, prefix.c_str()));
  PetscCall(KSPSetType(*ksp, S.s.solver == Solver::SOR ? KSPRICHARDSON : KSPCG));
  PetscCall(KSPSetNormType(*ksp, KSP_NORM_UNPRECONDITIONED));
  // PETSc's divergence test (residual > 1e5 ||b||) stops hopeless solves early (block-Jacobi SOR with a large
  // omega on several ranks); they are charged the cap either way, as in the reference code.
  PetscCall(KSPSetTolerances(*ksp, S.s.rtol, PETSC_DEFAULT, PETSC_DEFAULT, S.s.maxIt));
  PetscCall(KSPSetInitialGuessNonzero(*ksp, S.zeroGuess ? PETSC_FALSE : PETSC_TRUE));
  PetscCall(KSPGetPC(*ksp, &pc));
  PetscCall(PCSetType(pc, PCBANDITSOR));
  PetscCall(DefaultOption(prefix.c_str(), "pc_banditsor_sweep", S.s.solver == Solver::SOR ? "forward" : "symmetric"));
  PetscCall(DefaultOption(prefix.c_str(), "pc_banditsor_bins", std::to_string(S.bins)));
  PetscCall(DefaultOption(prefix.c_str(), "pc_banditsor_features", std::to_string(S.s.features)));
  PetscCall(PCBanditSORSetLearner(pc, learner));
  PetscCall(PCBanditSORSetOmegaGrid(pc, (PetscInt)grid.size(), grid.data()));
  PetscCall(PCBanditSORSetSeed(pc, S.s.learnerSeed));
  PetscCall(PCBanditSORSetContextRange(pc, S.range[0], S.range[1]));
  PetscCall(PCBanditSORSetContextTransform(pc, S.s.transform == Transform::LOG ? PCBANDITSOR_CONTEXT_LOG : PCBANDITSOR_CONTEXT_LINEAR, S.s.logFloor));
  PetscCall(KSPSetFromOptions(*ksp));
  PetscFunctionReturn(0);
}

PetscErrorCode CreateBaselineKsp(Study &S, const std::string &name, KSP *ksp)
{
  PC          pc;
  PetscMPIInt size;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(S.comm, &size));
  PetscCall(KSPCreate(S.comm, ksp));
  PetscCall(KSPSetOptionsPrefix(*ksp, ("relax_" + name + "_").c_str()));
  PetscCall(KSPGetPC(*ksp, &pc));
  if (name == "gmres_ilu") { // PETSc's default KSP/PC; right preconditioning for the unpreconditioned norm
    PetscCall(KSPSetType(*ksp, KSPGMRES));
    PetscCall(PCSetType(pc, size == 1 ? PCILU : PCBJACOBI));
    PetscCall(KSPSetPCSide(*ksp, PC_RIGHT));
  } else if (name == "cg_boomeramg") {
    PetscCall(KSPSetType(*ksp, KSPCG));
#if defined(PETSC_HAVE_HYPRE)
    PetscCall(PCSetType(pc, PCHYPRE));
    PetscCall(PCHYPRESetType(pc, "boomeramg"));
#else
    SETERRQ(S.comm, PETSC_ERR_SUP, "petal-relax: the baseline cg_boomeramg needs PETSc with hypre");
#endif
  } else {
    PetscCall(KSPSetType(*ksp, KSPCG));
    PetscCall(PCSetType(pc, PCGAMG));
    // 3.18's GAMG keeps the first step's smoothed-aggregation eigenvalue estimate while A_t changes and then
    // fails (DIVERGED_INDEFINITE_PC); without it GAMG converges (see shared/reference/baselines.md).
    PetscCall(PCGAMGSetUseSAEstEig(pc, PETSC_FALSE));
  }
  PetscCall(KSPSetNormType(*ksp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetTolerances(*ksp, S.s.rtol, PETSC_DEFAULT, PETSC_DEFAULT, S.s.maxIt));
  PetscCall(KSPSetInitialGuessNonzero(*ksp, S.zeroGuess ? PETSC_FALSE : PETSC_TRUE));
  PetscCall(KSPSetFromOptions(*ksp));
  PetscFunctionReturn(0);
}

// KSPSolve with its wall-clock time and the cost PCBANDITSOR charges (the cap for a solve that failed).
PetscErrorCode TimedSolve(Study &S, KSP ksp, Mat A, PetscReal context, Vec b, Vec x, PetscInt *cost, double *secs, bool *capped)
{
  PC                 pc;
  PetscInt           its;
  KSPConvergedReason reason;
  PetscLogDouble     t0, t1;
  PetscFunctionBegin;
  PetscCall(KSPSetOperators(ksp, A, A));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCBanditSORSetContext(pc, context)); // a no-op for other PC types
  PetscCall(PetscTime(&t0));
  PetscCall(KSPSolve(ksp, b, x));
  PetscCall(PetscTime(&t1));
  PetscCall(KSPGetIterationNumber(ksp, &its));
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  *capped = reason < 0;
  *cost   = reason < 0 ? std::max(its, S.s.maxIt) : its;
  *secs   = t1 - t0;
  PetscFunctionReturn(0);
}

PetscInt ArmOf(const std::vector<double> &grid, double omega)
{
  for (size_t k = 0; k < grid.size(); ++k)
    if (grid[k] == omega) return (PetscInt)k;
  return -1;
}

PetscErrorCode ReferenceSolve(void *ctx, Mat A, Vec b, Vec x)
{
  auto              *S = static_cast<Study *>(ctx);
  KSPConvergedReason reason;
  PetscInt           its;
  PetscLogDouble     t0, t1;
  PetscFunctionBegin;
  PetscCall(KSPSetOperators(S->refKsp, A, A));
  PetscCall(PetscTime(&t0));
  PetscCall(KSPSolve(S->refKsp, b, x));
  PetscCall(PetscTime(&t1));
  PetscCall(KSPGetConvergedReason(S->refKsp, &reason));
  PetscCall(KSPGetIterationNumber(S->refKsp, &its));
  PetscCheck(reason > 0, S->comm, PETSC_ERR_NOT_CONVERGED, "petal-relax: the reference solve (KSP prefix relax_reference_) did not converge: %s after %" PetscInt_FMT " iterations", KSPConvergedReasons[reason], its);
  S->refIts += its;
  S->refSeconds += t1 - t0;
  PetscFunctionReturn(0);
}

PetscErrorCode CreateReferenceKsp(Study &S)
{
  PC pc;
  PetscFunctionBegin;
  PetscCall(KSPCreate(S.comm, &S.refKsp));
  PetscCall(KSPSetOptionsPrefix(S.refKsp, "relax_reference_"));
  PetscCall(KSPSetType(S.refKsp, KSPCG));
  PetscCall(KSPGetPC(S.refKsp, &pc));
  PetscCall(PCSetType(pc, PCSOR));
  PetscCall(PCSORSetOmega(pc, 1.75));
  PetscCall(KSPSetNormType(S.refKsp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetTolerances(S.refKsp, S.s.refRtol, PETSC_DEFAULT, PETSC_DEFAULT, 100000));
  PetscCall(KSPSetInitialGuessNonzero(S.refKsp, PETSC_TRUE));
  PetscCall(KSPSetFromOptions(S.refKsp));
  PetscFunctionReturn(0);
}

// The arm a policy used on instance t, checked for learners (their omega must be on the grid).
PetscErrorCode RecordArm(Study &S, Policy &p, PetscInt t)
{
  PC        pc;
  PetscReal omega;
  PetscFunctionBegin;
  if (p.kind == "fixed") p.arm[t] = ArmOf(S.s.grid, p.omega);
  if (p.kind != "learner") PetscFunctionReturn(0);
  PetscCall(KSPGetPC(p.ksp, &pc));
  PetscCall(PCBanditSORGetOmega(pc, &omega));
  p.arm[t] = ArmOf(S.s.grid, omega);
  PetscCheck(p.arm[t] >= 0, S.comm, PETSC_ERR_PLIB, "petal-relax: learner %s chose omega %g, which is not on the grid", p.name.c_str(), (double)omega);
  PetscFunctionReturn(0);
}

// One online solve of policy p on instance t (A, context, and for stateless sequences or the reference
// trajectory bref/x0ref already set up).
PetscErrorCode OnlineSolve(Study &S, Policy &p, PetscInt t, Mat A, PetscReal context)
{
  Vec      rhs = S.bref;
  PetscInt cost;
  double   secs;
  bool     capped;
  PetscFunctionBegin;
  if (S.seq->Stateful() && S.s.trajectory == Trajectory::OWN) {
    PetscCall(S.seq->System(p.u, S.b, p.u)); // warm start from the policy's own previous solution
    rhs = S.b;
  } else PetscCall(VecCopy(S.x0ref, p.u));
  PetscCall(TimedSolve(S, p.ksp, A, context, rhs, p.u, &cost, &secs, &capped));
  p.its[t]  = cost;
  p.secs[t] = secs;
  p.total += cost;
  p.seconds += secs;
  p.capped += capped;
  PetscCall(RecordArm(S, p, t));
  if (p.arm[t] >= 0) {
    const PetscInt pred = S.tableIts[t * S.d + p.arm[t]];
    p.predicted += pred;
    if (pred != cost) p.mismatches++, p.mismatchAbs += std::llabs((long long)cost - pred);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode InitPolicy(Study &S, Policy &p)
{
  PetscFunctionBegin;
  PetscCall(S.seq->CreateVector(&p.u));
  if (S.seq->Stateful()) PetscCall(S.seq->Initial(p.u));
  p.its.assign(S.T, 0);
  p.secs.assign(S.T, 0);
  p.arm.assign(S.T, -1);
  PetscFunctionReturn(0);
}

// Every grid omega on instance t from the reference start: row t of the cost table.
PetscErrorCode TableRow(Study &S, PetscInt t, Mat A, PetscReal c)
{
  PetscFunctionBegin;
  for (PetscInt k = 0; k < S.d; ++k) {
    PetscInt cost;
    double   secs;
    bool     capped;
    PetscCall(VecCopy(S.x0ref, S.work));
    PetscCall(TimedSolve(S, S.tableKsp[k], A, c, S.bref, S.work, &cost, &secs, &capped));
    S.tableIts[t * S.d + k]  = cost;
    S.tableSecs[t * S.d + k] = secs;
    S.tableCapped[k] += capped;
  }
  PetscFunctionReturn(0);
}

// Pass 1: the cost table, the reference trajectory, the learners and the baselines, in lockstep.
PetscErrorCode PassOne(Study &S)
{
  PetscLogDouble start, end;
  Progress       meter;
  PetscFunctionBegin;
  PetscCall(PetscTime(&start));
  PetscCall(meter.Start(S.comm, "pass 1 of 2 (table + learners)", S.T, S.s.progress));
  PetscCall(S.seq->Reset());
  if (S.seq->Stateful()) PetscCall(S.seq->Initial(S.uref));
  for (PetscInt t = 0; t < S.T; ++t) {
    Mat       A;
    PetscReal c;
    PetscCall(S.seq->Begin(t, &A, &c));
    S.context[t] = c;
    PetscCall(S.seq->System(S.uref, S.bref, S.x0ref));
    PetscCall(TableRow(S, t, A, c));
    for (auto &p : S.policies)
      if (p.kind != "fixed") PetscCall(OnlineSolve(S, p, t, A, c));
    if (S.seq->Stateful()) PetscCall(ReferenceSolve(&S, A, S.bref, S.uref)); // uref holds u_ref(t-1): warm start
    PetscCall(meter.Step(t + 1));
  }
  PetscCall(PetscTime(&end));
  S.pass1Seconds = end - start;
  PetscFunctionReturn(0);
}

// Pass 2: fixed omegas online (the best fixed one and -relax_run_omegas).
PetscErrorCode PassTwo(Study &S)
{
  PetscLogDouble start, end;
  Progress       meter;
  const bool     any = std::any_of(S.policies.begin(), S.policies.end(), [](const Policy &p) { return p.kind == "fixed"; });
  PetscFunctionBegin;
  if (!any) PetscFunctionReturn(0);
  PetscCall(PetscTime(&start));
  PetscCall(meter.Start(S.comm, "pass 2 of 2 (fixed omegas online)", S.T, S.s.progress));
  PetscCall(S.seq->Reset());
  const bool needRef = S.seq->Stateful() && S.s.trajectory == Trajectory::REFERENCE;
  if (S.seq->Stateful()) PetscCall(S.seq->Initial(S.uref));
  for (PetscInt t = 0; t < S.T; ++t) {
    Mat       A;
    PetscReal c;
    PetscCall(S.seq->Begin(t, &A, &c));
    if (!S.seq->Stateful() || needRef) PetscCall(S.seq->System(S.uref, S.bref, S.x0ref));
    for (auto &p : S.policies)
      if (p.kind == "fixed") PetscCall(OnlineSolve(S, p, t, A, c));
    if (needRef) {
      const long long its = S.refIts;
      const double    sec = S.refSeconds;
      PetscCall(ReferenceSolve(&S, A, S.bref, S.uref));
      S.refIts = its, S.refSeconds = sec; // counted once (pass 1)
    }
    PetscCall(meter.Step(t + 1));
  }
  PetscCall(PetscTime(&end));
  S.pass2Seconds = end - start;
  PetscFunctionReturn(0);
}

void Summarize(const Study &S, Summary &R)
{
  R.fixedTotal.assign(S.d, 0);
  R.fixedSecs.assign(S.d, 0);
  R.oracleArm.assign(S.T, 0);
  R.oracleIts.assign(S.T, 0);
  R.oracleTotal = 0;
  R.oracleSecs  = 0;
  for (PetscInt t = 0; t < S.T; ++t) {
    PetscInt kb = 0;
    for (PetscInt k = 0; k < S.d; ++k) {
      R.fixedTotal[k] += S.tableIts[t * S.d + k];
      R.fixedSecs[k] += S.tableSecs[t * S.d + k];
      if (S.tableIts[t * S.d + k] < S.tableIts[t * S.d + kb]) kb = k;
    }
    R.oracleArm[t] = kb;
    R.oracleIts[t] = S.tableIts[t * S.d + kb];
    R.oracleTotal += R.oracleIts[t];
    R.oracleSecs += S.tableSecs[t * S.d + kb];
  }
  R.best = (PetscInt)(std::min_element(R.fixedTotal.begin(), R.fixedTotal.end()) - R.fixedTotal.begin());
}

// Rank-consistency of the decisions, and times as the maximum over ranks.
PetscErrorCode Reduce(Study &S)
{
  PetscFunctionBegin;
  for (auto &p : S.policies) {
    std::vector<PetscInt> lo(p.arm), hi(p.arm);
    PC                    pc;
    PetscLogDouble        learner = 0;
    PetscBool             bandit;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, lo.data(), (int)S.T, MPIU_INT, MPI_MIN, S.comm));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, hi.data(), (int)S.T, MPIU_INT, MPI_MAX, S.comm));
    p.ranksAgree = lo == hi;
    PetscCall(KSPGetPC(p.ksp, &pc));
    PetscCall(PetscObjectTypeCompare((PetscObject)pc, PCBANDITSOR, &bandit));
    if (bandit) PetscCall(PCBanditSORGetLearnerTime(pc, &learner));
    p.learnerSeconds = learner;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &p.seconds, 1, MPI_DOUBLE, MPI_MAX, S.comm));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &p.learnerSeconds, 1, MPI_DOUBLE, MPI_MAX, S.comm));
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, S.tableSecs.data(), (int)S.tableSecs.size(), MPI_DOUBLE, MPI_MAX, S.comm));
  PetscFunctionReturn(0);
}

// Every learner of the study replayed on the cost table with -relax_replay_seeds seeds by its own PC
// (PCBanditSORReplay: the PC's configuration, per-policy options such as
// -relax_tsallis_pc_banditsor_tsallis_shift_window included).
PetscErrorCode ReplayLearners(Study &S)
{
  PetscFunctionBegin;
  for (const auto &p : S.policies) {
    PC     pc;
    Replay r{p.name, p.label, {}};
    if (p.kind != "learner" || S.s.replaySeeds <= 0) continue;
    PetscCall(KSPGetPC(p.ksp, &pc));
    for (PetscInt k = 0; k < S.s.replaySeeds; ++k) {
      PetscInt64 total;
      PetscCall(PCBanditSORReplay(pc, S.T, S.d, S.tableIts.data(), S.context.data(), S.s.learnerSeed + k, &total));
      r.totals.push_back((long long)total);
    }
    S.replays.push_back(std::move(r));
  }
  PetscFunctionReturn(0);
}

// The table's KSPs and the online learners and baselines of pass 1.
PetscErrorCode CreatePassOnePolicies(Study &S)
{
  std::vector<LearnerName> names;
  PetscFunctionBegin;
  for (PetscInt k = 0; k < S.d; ++k) {
    KSP ksp;
    PetscCall(CreateSORKsp(S, "relax_table_", "tsallis", {S.s.grid[k]}, &ksp)); // one arm: a fixed omega
    S.tableKsp.push_back(ksp);
  }
  PetscCall(LearnerNames(&names));
  for (const auto &l : S.s.learners) {
    const LearnerName &name = *std::find_if(names.begin(), names.end(), [&](const LearnerName &x) { return x.name == l; });
    Policy             p;
    p.name  = l;
    p.label = name.label;
    p.kind  = "learner";
    if (name.iw) PetscCall(DefaultOption(("relax_" + l + "_").c_str(), "pc_banditsor_tsallis_estimator", "iw"));
    PetscCall(CreateSORKsp(S, "relax_" + l + "_", name.type.c_str(), S.s.grid, &p.ksp));
    PetscCall(InitPolicy(S, p));
    S.policies.push_back(std::move(p));
  }
  for (const auto &bname : S.s.baselines) {
    Policy p;
    p.name  = bname;
    p.label = std::find_if(Baselines.begin(), Baselines.end(), [&](const BaselineName &x) { return bname == x.name; })->label;
    p.kind  = "baseline";
    PetscCall(CreateBaselineKsp(S, bname, &p.ksp));
    PetscCall(InitPolicy(S, p));
    S.policies.push_back(std::move(p));
  }
  PetscFunctionReturn(0);
}

// The best fixed omega (unless -relax_run_best_fixed false) and -relax_run_omegas, each once, for pass 2.
PetscErrorCode CreatePassTwoPolicies(Study &S)
{
  std::vector<double> runs = S.s.runOmegas;
  PetscFunctionBegin;
  if (S.s.runBestFixed) runs.insert(runs.begin(), S.s.grid[S.summary.best]);
  for (size_t i = 0; i < runs.size(); ++i) {
    if (std::find(runs.begin(), runs.begin() + i, runs[i]) != runs.begin() + i) continue; // once each
    Policy p;
    char   name[64];
    PetscCall(PetscSNPrintf(name, sizeof name, "fixed_%.6g", runs[i]));
    p.omega = runs[i];
    p.kind  = "fixed";
    p.name  = name;
    p.label = (i == 0 && S.s.runBestFixed ? "best fixed, run online" : "fixed, run online");
    PetscCall(CreateSORKsp(S, "relax_fixed_", "tsallis", {runs[i]}, &p.ksp));
    PetscCall(InitPolicy(S, p));
    S.policies.push_back(std::move(p));
  }
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode SetupStudy(MPI_Comm comm, Study &S)
{
  Settings &s = S.s;
  PetscFunctionBegin;
  S.comm = comm;
  switch (s.kind) {
  case SequenceKind::SYNTHETIC:
    s.syn.seed      = s.seed;
    s.syn.instances = s.instances;
    PetscCall(CreateSyntheticSequence(comm, s.syn, &S.seq));
    break;
  case SequenceKind::HEAT:
    s.heat.steps = s.instances;
    PetscCall(CreateHeatSequence(comm, s.heat, &S.seq));
    break;
  default: PetscCall(CreateFileSequence(comm, s.file, s.instances, &S.seq)); break;
  }
  PetscCall(S.seq->View(PETSC_VIEWER_STDOUT_(comm)));
  if (!s.solverSet) s.solver = S.seq->DefaultSolver();
  S.zeroGuess = !S.seq->Stateful() && s.kind == SequenceKind::SYNTHETIC;
  if (s.rangeSet) S.range[0] = s.range[0], S.range[1] = s.range[1];
  else S.seq->ContextRange(&S.range[0], &S.range[1]);
  S.bins = s.bins > 0 ? s.bins : S.seq->DefaultBins();
  S.T    = S.seq->Length();
  S.d    = (PetscInt)s.grid.size();
  if (S.seq->Stateful()) PetscCall(CreateReferenceKsp(S));
  PetscFunctionReturn(0);
}

PetscErrorCode WriteStudySequence(Study &S)
{
  PetscFunctionBegin;
  PetscCall(WriteSequenceFile(S.comm, *S.seq, S.s.writeFile, ReferenceSolve, &S, S.s.progress));
  PetscCall(PetscPrintf(S.comm, "wrote %" PetscInt_FMT " instances to %s\n", S.seq->Length(), S.s.writeFile));
  PetscFunctionReturn(0);
}

PetscErrorCode RunStudy(Study &S)
{
  const Settings &s = S.s;
  PetscFunctionBegin;
  PetscCall(PetscPrintf(S.comm, "solver: %s, rtol %g on the unpreconditioned residual, cap %" PetscInt_FMT "; omega grid: %" PetscInt_FMT " values on [%g, %g]; context range [%g, %g]%s\n", s.solver == Solver::SOR ? "Richardson + forward SOR (PCBANDITSOR)" : "CG + SSOR (PCBANDITSOR)", (double)s.rtol, s.maxIt, S.d, s.grid.front(), s.grid.back(), (double)S.range[0], (double)S.range[1], s.transform == Transform::LOG ? " (learners see log10(c - a + floor (b - a)))" : ""));
  S.tableIts.assign(S.T * S.d, 0);
  S.tableSecs.assign(S.T * S.d, 0);
  S.tableCapped.assign(S.d, 0);
  S.context.assign(S.T, 0);
  PetscCall(CreatePassOnePolicies(S));
  PetscCall(S.seq->CreateVector(&S.b));
  for (Vec *v : {&S.bref, &S.x0ref, &S.uref, &S.work}) PetscCall(VecDuplicate(S.b, v));
  PetscCall(PassOne(S));
  Summarize(S, S.summary);
  PetscCall(CreatePassTwoPolicies(S));
  PetscCall(PassTwo(S));
  PetscCall(Reduce(S));
  Summarize(S, S.summary); // again, with the reduced times
  PetscCall(ReplayLearners(S));
  PetscFunctionReturn(0);
}

PetscErrorCode DestroyStudy(Study &S)
{
  PetscFunctionBegin;
  for (auto &k : S.tableKsp) PetscCall(KSPDestroy(&k));
  for (auto &p : S.policies) {
    PetscCall(KSPDestroy(&p.ksp));
    PetscCall(VecDestroy(&p.u));
  }
  PetscCall(KSPDestroy(&S.refKsp));
  for (Vec *v : {&S.b, &S.bref, &S.x0ref, &S.uref, &S.work}) PetscCall(VecDestroy(v));
  PetscFunctionReturn(0);
}
} // namespace petal::relax
