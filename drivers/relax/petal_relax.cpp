static const char help[] = "petal-relax: parameter study of PCBANDITSOR (SOR with a learned relaxation factor).\n"
                           "Runs one sequence of linear systems under every policy in one run: each fixed omega of\n"
                           "the grid, the best fixed omega in hindsight, the instance-optimal omega on the grid, and\n"
                           "the online learners (Tsallis-INF, Tsallis-INF-CB, ChebCB) through the real PC, plus\n"
                           "optional PETSc baselines; prints total/mean iterations and solve time per policy.\n"
                           "Sequences: -relax_sequence synthetic (shifted Laplacians), heat (Crank-Nicolson), file (HDF5).\n\n";

// Design (see drivers/relax/README.md):
//  1. The cost table its[t][k]: every instance t is solved once with every grid omega_k from the same start
//     (KSPs whose PCBANDITSOR has the one-value grid {omega_k}). It gives every fixed omega, the best fixed
//     omega in hindsight (min over k of sum_t its[t][k]) and the instance-optimal omega (min over k per t).
//  2. In the same pass the learners run online, each through its own KSP + PCBANDITSOR, so their iterations
//     and solve times are real; the iteration count of instance t is compared with its[t][chosen omega].
//  3. A second pass runs the best fixed omega (and -relax_run_omegas) online, for real solve times.
// Stateful sequences (heat: b_t depends on u_{t-1}): the table follows a reference trajectory u_ref (a tight
// solve, -relax_reference_rtol, like the paper's A\b); the online policies follow their own trajectories
// (-relax_heat_trajectory own, default: what a user would see; the cross-check may then differ by an
// iteration now and then) or replay the reference one (reference: the cross-check must match exactly).
#include "preconditioners/banditsor/banditsor_impl.hpp" // learnerSeconds of a PCBANDITSOR
#include "relax_replay.hpp"
#include "relax_sequence.hpp"
#include <petal/banditsor.h>
#include <petal/json.hpp>
#include <petal/petal.h>
#include <petscksp.h>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

namespace {
using namespace petal::relax;

enum class SequenceKind : int { SYNTHETIC = 0, HEAT = 1, FILE = 2 };
const char *const SequenceNames[] = {"synthetic", "heat", "file", "SequenceKind", "RELAX_SEQUENCE_", nullptr};
enum class Trajectory : int { OWN = 0, REFERENCE = 1 };
const char *const TrajectoryNames[] = {"own", "reference", "Trajectory", "RELAX_TRAJECTORY_", nullptr};
enum class Transform : int { NONE = 0, LOG = 1 };
const char *const TransformNames[] = {"none", "log", "Transform", "RELAX_TRANSFORM_", nullptr};
// *_iw: the same learner with the reference's importance-weighted loss estimator instead of reduced variance.
const char *const LearnerNames[]    = {"tsallis", "tsallis_iw", "tsallis_cb", "tsallis_cb_iw", "chebcb"};
const char *const LearnerLabels[]   = {"Tsallis-INF", "Tsallis-INF (IW)", "Tsallis-INF-CB", "Tsallis-INF-CB (IW)", "ChebCB"};

// A -relax_learners name as the PC sees it: the learner type, whether it uses the IW estimator, its label.
struct LearnerName {
  std::string type, label;
  bool        iw = false;
};
LearnerName ParseLearnerName(const std::string &l)
{
  LearnerName n;
  n.iw    = l.size() > 3 && l.compare(l.size() - 3, 3, "_iw") == 0;
  n.type  = n.iw ? l.substr(0, l.size() - 3) : l;
  n.label = LearnerLabels[std::find_if(std::begin(LearnerNames), std::end(LearnerNames), [&](const char *x) { return l == x; }) - std::begin(LearnerNames)];
  return n;
}
const char *const BaselineNames[]   = {"gmres_ilu", "cg_boomeramg", "cg_gamg"};
const char *const BaselineLabels[]  = {"GMRES+ILU(0)", "CG+BoomerAMG", "CG+GAMG (no SA eig est.)"};

struct Settings {
  SequenceKind             kind = SequenceKind::SYNTHETIC;
  SyntheticParams          syn;
  HeatParams               heat;
  char                     file[PETSC_MAX_PATH_LEN]      = "";
  char                     json[PETSC_MAX_PATH_LEN]      = "";
  char                     writeFile[PETSC_MAX_PATH_LEN] = "";
  PetscInt                 instances = -1; // -1: the sequence's default (synthetic/heat 5000, file: all)
  PetscInt                 seed = 0, learnerSeed = 0;
  std::vector<std::string> learners = {"tsallis", "tsallis_iw", "tsallis_cb", "chebcb"};
  std::vector<std::string> baselines;
  bool                     baselinesSet = false;
  std::vector<double>      grid;
  Solver                   solver    = Solver::SOR;
  bool                     solverSet = false;
  PetscReal                rtol = 1e-8, refRtol = 1e-12;
  PetscInt                 maxIt = 10000;
  PetscReal                range[2] = {0, 0};
  bool                     rangeSet = false;
  PetscInt                 bins = -1, features = 6;
  Trajectory               trajectory = Trajectory::OWN;
  Transform                transform  = Transform::NONE;
  PetscReal                logFloor   = 1e-3;
  std::vector<double>      runOmegas;
  PetscBool                runBestFixed = PETSC_TRUE;
  PetscInt                 replaySeeds  = 0; // learners replayed on the table with this many seeds
  PetscInt                 progress     = 0;
};

template <std::size_t N, class T>
bool Contains(const char *const (&list)[N], const T &name)
{
  return std::find_if(std::begin(list), std::end(list), [&](const char *s) { return name == s; }) != std::end(list);
}

PetscErrorCode ReadSettings(MPI_Comm comm, Settings *s)
{
  PetscInt  n;
  PetscReal buf[256];
  char     *strs[16];
  PetscBool set;
  PetscFunctionBegin;
  PetscOptionsBegin(comm, NULL, "petal-relax options", "petal-relax");
  PetscCall(PetscOptionsEnum("-relax_sequence", "Sequence of linear systems: synthetic (shifted Laplacians), heat (Crank-Nicolson steps), file (HDF5)", "", SequenceNames, (PetscEnum)s->kind, (PetscEnum *)&s->kind, NULL));
  PetscCall(PetscOptionsInt("-relax_instances", "Number of instances T (synthetic, heat: 5000; file: all of the file)", "", s->instances, &s->instances, NULL));
  PetscCall(PetscOptionsInt("-relax_seed", "Seed of the sequence's random draws and (unless -relax_learner_seed) of the learners", "", s->seed, &s->seed, NULL));
  s->learnerSeed = s->seed;
  PetscCall(PetscOptionsInt("-relax_learner_seed", "Seed of the learners' generators", "PCBanditSORSetSeed", s->learnerSeed, &s->learnerSeed, NULL));
  // Synthetic sequence
  PetscCall(PetscOptionsInt("-relax_synthetic_m", "Synthetic: grid points per direction (n = m^2; the paper: 10)", "", s->syn.m, &s->syn.m, NULL));
  PetscBool low = PETSC_FALSE;
  PetscCall(PetscOptionsBool("-relax_synthetic_low_variance", "Synthetic: the paper's low-variance offsets c = -0.15 + 0.6 Beta(2, 6) instead of Beta(0.5, 1.5)", "", low, &low, NULL));
  if (low) s->syn.alpha = 2.0, s->syn.beta = 6.0;
  PetscReal ab[2] = {s->syn.alpha, s->syn.beta};
  n               = 2;
  PetscCall(PetscOptionsRealArray("-relax_synthetic_beta", "Synthetic: Beta(alpha, beta) of the offsets (two values)", "", ab, &n, &set));
  if (set) {
    PetscCheck(n == 2, comm, PETSC_ERR_ARG_SIZ, "-relax_synthetic_beta takes two values alpha,beta");
    s->syn.alpha = ab[0], s->syn.beta = ab[1];
  }
  PetscCall(PetscOptionsReal("-relax_synthetic_shift", "Synthetic: c = shift + scale Beta(alpha, beta)", "", s->syn.shift, &s->syn.shift, NULL));
  PetscCall(PetscOptionsReal("-relax_synthetic_scale", "Synthetic: c = shift + scale Beta(alpha, beta)", "", s->syn.scale, &s->syn.scale, NULL));
  // Heat sequence
  PetscCall(PetscOptionsInt("-relax_heat_nx", "Heat: intervals per direction of the unit grid (n = (nx - 1)^dim)", "", s->heat.nx, &s->heat.nx, NULL));
  PetscCall(PetscOptionsInt("-relax_heat_dim", "Heat: dimension of the unit grid", "", s->heat.dim, &s->heat.dim, NULL));
  PetscCall(PetscOptionsReal("-relax_heat_dt", "Heat: time step", "", s->heat.dt, &s->heat.dt, NULL));
  PetscCall(PetscOptionsString("-relax_heat_mesh", "Heat: petal voxel grid file instead of the unit grid", "", s->heat.mesh, s->heat.mesh, sizeof s->heat.mesh, NULL));
  PetscCall(PetscOptionsEnum("-relax_heat_trajectory", "Heat: online policies follow their own trajectory (own) or replay the reference one (reference)", "", TrajectoryNames, (PetscEnum)s->trajectory, (PetscEnum *)&s->trajectory, NULL));
  PetscCall(PetscOptionsReal("-relax_reference_rtol", "Heat: relative tolerance of the reference trajectory's solves (KSP prefix relax_reference_)", "", s->refRtol, &s->refRtol, NULL));
  // File sequence
  PetscCall(PetscOptionsString("-relax_file", "File: HDF5 sequence (layout in drivers/relax/README.md)", "", s->file, s->file, sizeof s->file, NULL));
  PetscCall(PetscOptionsString("-relax_write_file", "Write the sequence (instances, along the reference trajectory for heat) to this HDF5 file and exit", "", s->writeFile, s->writeFile, sizeof s->writeFile, NULL));
  // Solvers and policies
  PetscInt solver = (PetscInt)s->solver;
  PetscCall(PetscOptionsEnum("-relax_solver", "sor (Richardson + forward SOR sweeps) or ssor_pcg (CG + symmetric SOR); default: the sequence's (synthetic: sor, heat: ssor_pcg)", "", SolverNames, (PetscEnum)solver, (PetscEnum *)&s->solver, &set));
  s->solverSet = set;
  PetscCall(PetscOptionsReal("-relax_rtol", "Relative tolerance on the unpreconditioned residual", "KSPSetTolerances", s->rtol, &s->rtol, NULL));
  PetscCall(PetscOptionsInt("-relax_max_it", "Iteration cap (a solve that does not converge costs the cap)", "KSPSetTolerances", s->maxIt, &s->maxIt, NULL));
  PetscReal lo = 1.0, hi = 1.95;
  PetscInt  npts = 20;
  n              = 256;
  PetscCall(PetscOptionsRealArray("-relax_omega_grid", "Explicit omega grid (the arms)", "PCBanditSORSetOmegaGrid", buf, &n, &set));
  if (set) s->grid.assign(buf, buf + n);
  PetscCall(PetscOptionsReal("-relax_omega_min", "Smallest omega of the uniform grid", "", lo, &lo, NULL));
  PetscCall(PetscOptionsReal("-relax_omega_max", "Largest omega of the uniform grid", "", hi, &hi, NULL));
  PetscCall(PetscOptionsInt("-relax_omega_n", "Number of omegas of the uniform grid", "", npts, &npts, NULL));
  if (!set) {
    PetscCheck(npts >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_omega_n must be at least 1, got %" PetscInt_FMT, npts);
    for (PetscInt i = 0; i < npts; ++i) s->grid.push_back(npts == 1 ? lo : lo + (hi - lo) * i / (npts - 1));
  } else PetscCheck(n >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_omega_grid is empty");
  for (double w : s->grid) PetscCheck(w > 0 && w < 2 && std::isfinite(w), comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: omega = %g of the grid is outside (0, 2)", w);
  n = 16;
  PetscCall(PetscOptionsStringArray("-relax_learners", "Online learners to run: tsallis, tsallis_iw, tsallis_cb, tsallis_cb_iw, chebcb (or none; *_iw: importance-weighted losses as the reference code)", "", strs, &n, &set));
  if (set) {
    s->learners.clear();
    for (PetscInt i = 0; i < n; ++i) {
      std::string l = strs[i];
      PetscCall(PetscFree(strs[i]));
      if (l == "none") continue;
      PetscCheck(Contains(LearnerNames, l), comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "petal-relax: unknown learner %s in -relax_learners (tsallis, tsallis_iw, tsallis_cb, tsallis_cb_iw, chebcb, none)", l.c_str());
      s->learners.push_back(l);
    }
  }
  n = 16;
  PetscCall(PetscOptionsStringArray("-relax_baselines", "PETSc baselines to run on the same sequence: gmres_ilu, cg_boomeramg, cg_gamg (or none; default: all for heat, none otherwise)", "", strs, &n, &set));
  if (set) {
    s->baselinesSet = true;
    for (PetscInt i = 0; i < n; ++i) {
      std::string b = strs[i];
      PetscCall(PetscFree(strs[i]));
      if (b == "none") continue;
      PetscCheck(Contains(BaselineNames, b), comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "petal-relax: unknown baseline %s in -relax_baselines (gmres_ilu, cg_boomeramg, cg_gamg, none)", b.c_str());
      s->baselines.push_back(b);
    }
  }
  n = 2;
  PetscCall(PetscOptionsRealArray("-relax_context_range", "Context range [a,b] of the contextual learners (default: the sequence's)", "PCBanditSORSetContextRange", s->range, &n, &set));
  if (set) {
    PetscCheck(n == 2 && s->range[0] < s->range[1], comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_context_range takes two values a < b");
    s->rangeSet = true;
  }
  PetscCall(PetscOptionsInt("-relax_bins", "Context bins of Tsallis-INF-CB (default: the paper's, synthetic 5, heat 6)", "", s->bins, &s->bins, NULL));
  PetscCall(PetscOptionsInt("-relax_features", "Chebyshev features of ChebCB", "", s->features, &s->features, NULL));
  PetscCall(PetscOptionsEnum("-relax_context_transform", "Context the learners see: none (the raw context c) or log: log10(c - a + floor (b - a)) for the range [a, b] (PCBanditSORSetContextTransform)", "", TransformNames, (PetscEnum)s->transform, (PetscEnum *)&s->transform, NULL));
  PetscCall(PetscOptionsReal("-relax_context_log_floor", "log transform: floor as a fraction of the context range (contexts closer than this to a count as equal)", "", s->logFloor, &s->logFloor, NULL));
  n = 256;
  PetscCall(PetscOptionsRealArray("-relax_run_omegas", "Further fixed omegas to run online (besides the best fixed one)", "", buf, &n, &set));
  if (set) s->runOmegas.assign(buf, buf + n);
  for (double w : s->runOmegas) PetscCheck(w > 0 && w < 2, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_run_omegas value %g is outside (0, 2)", w);
  PetscCall(PetscOptionsInt("-relax_replay_seeds", "Also replay every learner on the cost table (no solves) with this many learner seeds, from -relax_learner_seed on: the spread over seeds", "", s->replaySeeds, &s->replaySeeds, NULL));
  PetscCall(PetscOptionsBool("-relax_run_best_fixed", "Run the best fixed omega online in a second pass (real solve times)", "", s->runBestFixed, &s->runBestFixed, NULL));
  PetscCall(PetscOptionsInt("-relax_progress", "Print a progress line every this many instances (0: never)", "", s->progress, &s->progress, NULL));
  PetscCall(PetscOptionsString("-json", "Write all numbers (per-instance iterations of every policy too) as JSON to this file", "", s->json, s->json, sizeof s->json, NULL));
  PetscOptionsEnd();
  PetscCheck(s->rtol > 0 && s->rtol < 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_rtol must be in (0, 1), got %g", (double)s->rtol);
  PetscCheck(s->maxIt >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_max_it must be positive");
  PetscCheck(s->bins == -1 || s->bins >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_bins must be positive");
  PetscCheck(s->logFloor > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_context_log_floor must be positive");
  PetscCheck(s->features >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_features must be positive");
  PetscCheck(s->replaySeeds >= 0 && s->replaySeeds <= 100000, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_replay_seeds must be in [0, 100000]");
  PetscCheck(s->instances == -1 || s->instances >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_instances must be positive");
  PetscCheck(s->seed >= 0 && s->learnerSeed >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: seeds must be non-negative");
  PetscFunctionReturn(0);
}

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

struct Study; // forward

// One policy run online: its KSP, its solution/state and its per-instance record.
struct Policy {
  std::string           name, label, kind; // kind: learner, fixed, baseline
  double                omega = 0;         // fixed runs
  KSP                   ksp   = nullptr;
  Vec                   u     = nullptr;
  std::vector<PetscInt> its, arm;
  std::vector<double>   secs;
  long long             total = 0, predicted = 0, mismatchAbs = 0;
  double                seconds = 0, learnerSeconds = 0;
  PetscInt              capped = 0, mismatches = 0;
  bool                  ranksAgree = true;
};

struct Study {
  MPI_Comm                  comm;
  Settings                  s;
  std::unique_ptr<Sequence> seq;
  PetscInt                  T = 0, d = 0, bins = 5;
  PetscReal                 range[2] = {0, 1};         // of the context
  bool                      zeroGuess = false;
  // the table
  std::vector<KSP>      tableKsp;
  std::vector<PetscInt> tableIts; // T x d
  std::vector<double>   tableSecs;
  std::vector<PetscInt> tableCapped;
  std::vector<double>   context;
  KSP                   refKsp = nullptr;
  long long             refIts = 0;
  double                refSeconds = 0;
  std::vector<Policy>   policies;
  Vec                   b = nullptr, bref = nullptr, x0ref = nullptr, uref = nullptr, work = nullptr;
  double                pass1Seconds = 0, pass2Seconds = 0;
  // learners replayed on the table: name, label, one total per seed
  struct Replay {
    std::string            name, label;
    std::vector<long long> totals;
  };
  std::vector<Replay> replays;
};

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

double LearnerSeconds(KSP ksp)
{
  PC        pc;
  PetscBool is = PETSC_FALSE;
  if (KSPGetPC(ksp, &pc) || PetscObjectTypeCompare((PetscObject)pc, PCBANDITSOR, &is) || !is) return 0;
  return static_cast<petal::PC_BanditSOR *>(pc->data)->learnerSeconds;
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

PetscErrorCode Progress(Study &S, const char *pass, PetscInt t, PetscLogDouble start)
{
  PetscLogDouble now;
  PetscFunctionBegin;
  if (S.s.progress > 0 && ((t + 1) % S.s.progress == 0 || t + 1 == S.T)) {
    PetscCall(PetscTime(&now));
    PetscCall(PetscPrintf(S.comm, "  %s: instance %" PetscInt_FMT " / %" PetscInt_FMT ", %.1f s\n", pass, t + 1, S.T, now - start));
  }
  PetscFunctionReturn(0);
}

// One online solve of policy p on instance t (A, context, and for stateless sequences or the reference
// trajectory bref/x0ref already set up).
PetscErrorCode OnlineSolve(Study &S, Policy &p, PetscInt t, Mat A, PetscReal context, bool useTable)
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
  if (p.kind == "learner") {
    PC        pc;
    PetscReal omega;
    PetscCall(KSPGetPC(p.ksp, &pc));
    PetscCall(PCBanditSORGetOmega(pc, &omega));
    const PetscInt k = ArmOf(S.s.grid, omega);
    PetscCheck(k >= 0, S.comm, PETSC_ERR_PLIB, "petal-relax: learner %s chose omega %g, which is not on the grid", p.name.c_str(), (double)omega);
    p.arm[t] = k;
  } else if (p.kind == "fixed") p.arm[t] = ArmOf(S.s.grid, p.omega);
  if (useTable && p.arm[t] >= 0) {
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

// Pass 1: the cost table, the reference trajectory, the learners and the baselines, in lockstep.
PetscErrorCode PassOne(Study &S)
{
  PetscLogDouble start, end;
  PetscFunctionBegin;
  PetscCall(PetscTime(&start));
  PetscCall(S.seq->Reset());
  if (S.seq->Stateful()) PetscCall(S.seq->Initial(S.uref));
  for (PetscInt t = 0; t < S.T; ++t) {
    Mat       A;
    PetscReal c;
    PetscCall(S.seq->Begin(t, &A, &c));
    S.context[t] = c;
    PetscCall(S.seq->System(S.uref, S.bref, S.x0ref));
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
    for (auto &p : S.policies)
      if (p.kind != "fixed") PetscCall(OnlineSolve(S, p, t, A, c, true));
    if (S.seq->Stateful()) PetscCall(ReferenceSolve(&S, A, S.bref, S.uref)); // uref holds u_ref(t-1): warm start
    PetscCall(Progress(S, "table + learners", t, start));
  }
  PetscCall(PetscTime(&end));
  S.pass1Seconds = end - start;
  PetscFunctionReturn(0);
}

// Pass 2: fixed omegas online (the best fixed one and -relax_run_omegas).
PetscErrorCode PassTwo(Study &S)
{
  PetscLogDouble start, end;
  bool           any = false;
  PetscFunctionBegin;
  for (auto &p : S.policies) any = any || p.kind == "fixed";
  if (!any) PetscFunctionReturn(0);
  PetscCall(PetscTime(&start));
  PetscCall(S.seq->Reset());
  const bool needRef = S.seq->Stateful() && S.s.trajectory == Trajectory::REFERENCE;
  if (S.seq->Stateful()) PetscCall(S.seq->Initial(S.uref));
  for (PetscInt t = 0; t < S.T; ++t) {
    Mat       A;
    PetscReal c;
    PetscCall(S.seq->Begin(t, &A, &c));
    if (!S.seq->Stateful() || needRef) PetscCall(S.seq->System(S.uref, S.bref, S.x0ref));
    for (auto &p : S.policies)
      if (p.kind == "fixed") PetscCall(OnlineSolve(S, p, t, A, c, true));
    if (needRef) {
      long long its = S.refIts;
      double    sec = S.refSeconds;
      PetscCall(ReferenceSolve(&S, A, S.bref, S.uref));
      S.refIts = its, S.refSeconds = sec; // counted once (pass 1)
    }
    PetscCall(Progress(S, "fixed omegas online", t, start));
  }
  PetscCall(PetscTime(&end));
  S.pass2Seconds = end - start;
  PetscFunctionReturn(0);
}

struct Summary {
  std::vector<long long> fixedTotal;  // per arm
  std::vector<double>    fixedSecs;   // per arm
  PetscInt               best = 0;    // best fixed arm
  long long              oracleTotal = 0;
  double                 oracleSecs  = 0;
  std::vector<PetscInt>  oracleArm, oracleIts;
};

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
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, lo.data(), (int)S.T, MPIU_INT, MPI_MIN, S.comm));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, hi.data(), (int)S.T, MPIU_INT, MPI_MAX, S.comm));
    p.ranksAgree = lo == hi;
    p.learnerSeconds = LearnerSeconds(p.ksp);
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &p.seconds, 1, MPI_DOUBLE, MPI_MAX, S.comm));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &p.learnerSeconds, 1, MPI_DOUBLE, MPI_MAX, S.comm));
  }
  PetscFunctionReturn(0);
}

std::string Fmt(const char *fmt, double v)
{
  char buf[64];
  snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// The Tsallis-INF estimator of learner policy `name`'s PC.
PetscErrorCode PolicyEstimator(Study &S, const std::string &name, petal::bandits::TsallisEstimator &e)
{
  PetscFunctionBegin;
  const auto it = std::find_if(S.policies.begin(), S.policies.end(), [&](const Policy &p) { return p.name == name; });
  PetscCheck(it != S.policies.end(), S.comm, PETSC_ERR_PLIB, "petal-relax: no policy %s", name.c_str());
  PC        pc;
  PetscBool rv, soft;
  PetscReal shift, gate;
  PetscInt  window;
  PetscCall(KSPGetPC(it->ksp, &pc));
  PetscCall(PCBanditSORGetTsallisEstimator(pc, &rv, &shift, &window, &gate, &soft));
  e.reduced_variance = rv == PETSC_TRUE;
  e.shift            = shift;
  e.window           = window;
  e.gate             = gate;
  e.soft_gate        = soft == PETSC_TRUE;
  PetscFunctionReturn(0);
}

// Every learner of the study replayed on the cost table with s.replaySeeds seeds (same settings as the PCs
// petal-relax creates: grid size, bins, features, context range and transform; the Tsallis-INF estimator is read
// back from the learner's PC, so per-policy options such as -relax_tsallis_pc_banditsor_tsallis_shift_window
// apply to the replay too).
PetscErrorCode ReplayLearners(Study &S)
{
  PetscFunctionBegin;
  if (S.s.replaySeeds <= 0) PetscFunctionReturn(0);
  for (const auto &l : S.s.learners) {
    const LearnerName name = ParseLearnerName(l);
    ReplaySpec        spec;
    spec.type               = name.type;
    PetscCall(PolicyEstimator(S, l, spec.estimator));
    spec.arms               = (std::size_t)S.d;
    spec.bins               = (std::size_t)S.bins;
    spec.features           = (std::size_t)S.s.features;
    spec.contextMin         = S.range[0];
    spec.contextMax         = S.range[1];
    spec.logContext         = S.s.transform == Transform::LOG;
    spec.logFloor           = S.s.logFloor;
    Study::Replay r;
    r.name  = l;
    r.label = name.label;
    try {
      r.totals = ReplayTotals(spec, S.tableIts, S.context, (std::uint64_t)S.s.learnerSeed, (int)S.s.replaySeeds);
    } catch (const std::exception &e) {
      SETERRQ(S.comm, PETSC_ERR_ARG_WRONG, "petal-relax: cannot replay learner %s: %s", l.c_str(), e.what());
    }
    S.replays.push_back(std::move(r));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode PrintTable(Study &S, const Summary &R)
{
  const double T       = (double)S.T;
  const double bestAvg = R.fixedTotal[R.best] / T;
  const bool   ref     = S.seq->Stateful();
  PetscFunctionBegin;
  PetscCall(PetscPrintf(S.comm, "\n%-34s %7s %12s %10s %9s %12s %8s  %s\n", "policy", "omega", "total its", "mean its", "/ best", "solve [s]", "capped", "notes"));
  auto row = [&](const std::string &name, const std::string &omega, long long total, double secs, PetscInt capped, const std::string &notes) -> PetscErrorCode {
    return PetscPrintf(S.comm, "%-34s %7s %12lld %10.2f %9.3f %12s %8" PetscInt_FMT "  %s\n", name.c_str(), omega.c_str(), total, total / T, total / T / bestAvg, secs < 0 ? "-" : Fmt("%.3f", secs).c_str(), capped, notes.c_str());
  };
  for (PetscInt k = 0; k < S.d; ++k) PetscCall(row("fixed", Fmt("%.4f", S.s.grid[k]), R.fixedTotal[k], R.fixedSecs[k], S.tableCapped[k], std::string(k == R.best ? "<- best fixed" : "") + (ref ? " (table, reference starts)" : " (table)")));
  PetscCall(row("best fixed omega in hindsight", Fmt("%.4f", S.s.grid[R.best]), R.fixedTotal[R.best], R.fixedSecs[R.best], S.tableCapped[R.best], "min over the fixed rows"));
  PetscCall(row("instance-optimal omega on the grid", "-", R.oracleTotal, R.oracleSecs, 0, "per instance min over the grid; time = sum of the chosen table solves"));
  for (auto &p : S.policies) {
    std::string notes;
    if (p.kind != "baseline") {
      notes = Fmt("table predicts %.0f", (double)p.predicted) + Fmt(", %.0f mismatched instances", (double)p.mismatches);
      if (p.mismatches) notes += Fmt(" (sum |diff| %.0f)", (double)p.mismatchAbs);
      if (p.kind == "learner") notes += Fmt(", learner %.3g s", p.learnerSeconds) + Fmt(" (%.2f%% of solve)", p.seconds > 0 ? 100 * p.learnerSeconds / p.seconds : 0.0);
      if (!p.ranksAgree) notes += ", RANKS DISAGREE";
    }
    PetscCall(row(p.label, p.kind == "fixed" ? Fmt("%.4f", p.omega) : "-", p.total, p.seconds, p.capped, notes));
  }
  if (ref) PetscCall(PetscPrintf(S.comm, "reference trajectory: %lld iterations, %.3f s (KSP relax_reference_, rtol %g); online policies: %s trajectories\n", S.refIts, S.refSeconds, (double)S.s.refRtol, TrajectoryNames[(int)S.s.trajectory]));
  PetscCall(PetscPrintf(S.comm, "pass 1 (table of %" PetscInt_FMT " x %" PetscInt_FMT " solves + online policies) %.1f s, pass 2 (fixed omegas online) %.1f s\n", S.T, S.d, S.pass1Seconds, S.pass2Seconds));
  // The ratios the paper's claims are about.
  PetscCall(PetscPrintf(S.comm, "ratios: instance-optimal / best fixed = %.3f\n", R.oracleTotal / (double)R.fixedTotal[R.best]));
  for (auto &p : S.policies)
    if (p.kind == "learner") PetscCall(PetscPrintf(S.comm, "ratios: %-16s / best fixed = %.3f, / instance-optimal = %.3f\n", p.label.c_str(), p.total / (double)R.fixedTotal[R.best], p.total / (double)R.oracleTotal));
  for (auto &r : S.replays) {
    double sum = 0, lo = HUGE_VAL, hi = 0;
    for (long long t : r.totals) {
      const double q = t / (double)R.fixedTotal[R.best];
      sum += q;
      lo = std::min(lo, q);
      hi = std::max(hi, q);
    }
    PetscCall(PetscPrintf(S.comm, "replayed on the table, learner seeds %" PetscInt_FMT "..%" PetscInt_FMT ": %-20s / best fixed = %.3f mean, [%.3f, %.3f]\n", S.s.learnerSeed, S.s.learnerSeed + S.s.replaySeeds - 1, r.label.c_str(), sum / r.totals.size(), lo, hi));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode WriteJson(Study &S, const Summary &R)
{
  PetscMPIInt size;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(S.comm, &size));
  petal::JsonWriter j;
  j.BeginObject().Value("driver", "petal-relax").Value("petal_version", PETAL_VERSION_STRING);
  j.Value("sequence", S.seq->Name()).BeginObject("sequence_parameters");
  S.seq->Describe(j);
  j.EndObject();
  j.Value("ranks", (int)size).Value("unknowns", (long long)S.seq->Size()).Value("instances", (long long)S.T);
  j.Value("solver", SolverNames[(int)S.s.solver]).Value("rtol", (double)S.s.rtol).Value("max_it", (long long)S.s.maxIt);
  j.Value("seed", (long long)S.s.seed).Value("learner_seed", (long long)S.s.learnerSeed);
  j.Value("stateful", S.seq->Stateful()).Value("trajectory", S.seq->Stateful() ? TrajectoryNames[(int)S.s.trajectory] : "none");
  j.Value("context_transform", TransformNames[(int)S.s.transform]).Value("context_log_floor", (double)S.s.logFloor);
  j.Value("context_min", (double)S.range[0]).Value("context_max", (double)S.range[1]).Value("bins", (long long)S.bins).Value("features", (long long)S.s.features);
  j.BeginArray("omega_grid");
  for (double w : S.s.grid) j.Value(w);
  j.EndArray().BeginArray("context");
  for (double c : S.context) j.Value(c);
  j.EndArray();
  j.BeginObject("table").Value("description", "iterations[t][k]: instance t solved with omega_grid[k] from the same start (the reference trajectory for stateful sequences)");
  j.BeginArray("iterations");
  for (PetscInt t = 0; t < S.T; ++t) {
    j.BeginArray();
    for (PetscInt k = 0; k < S.d; ++k) j.Value((double)S.tableIts[t * S.d + k]);
    j.EndArray();
  }
  j.EndArray().BeginArray("seconds");
  for (PetscInt t = 0; t < S.T; ++t) {
    j.BeginArray();
    for (PetscInt k = 0; k < S.d; ++k) j.Value(S.tableSecs[t * S.d + k]);
    j.EndArray();
  }
  j.EndArray().EndObject();
  j.BeginArray("fixed");
  for (PetscInt k = 0; k < S.d; ++k) j.BeginObject().Value("omega", S.s.grid[k]).Value("total_iterations", R.fixedTotal[k]).Value("mean_iterations", R.fixedTotal[k] / (double)S.T).Value("solve_time_s", R.fixedSecs[k]).Value("capped", (long long)S.tableCapped[k]).EndObject();
  j.EndArray();
  j.BeginObject("best_fixed").Value("omega", S.s.grid[R.best]).Value("index", (long long)R.best).Value("total_iterations", R.fixedTotal[R.best]).Value("mean_iterations", R.fixedTotal[R.best] / (double)S.T).Value("solve_time_s", R.fixedSecs[R.best]);
  j.BeginArray("iterations");
  for (PetscInt t = 0; t < S.T; ++t) j.Value((double)S.tableIts[t * S.d + R.best]);
  j.EndArray().EndObject();
  j.BeginObject("instance_optimal").Value("total_iterations", R.oracleTotal).Value("mean_iterations", R.oracleTotal / (double)S.T).Value("solve_time_s", R.oracleSecs);
  j.Value("time_note", "sum of the table solves of the chosen omega (not a separate run)");
  j.BeginArray("iterations");
  for (PetscInt v : R.oracleIts) j.Value((double)v);
  j.EndArray().BeginArray("omega");
  for (PetscInt k : R.oracleArm) j.Value(S.s.grid[k]);
  j.EndArray().EndObject();
  j.BeginArray("policies");
  for (auto &p : S.policies) {
    j.BeginObject().Value("name", p.name).Value("label", p.label).Value("kind", p.kind);
    if (p.kind == "fixed") j.Value("fixed_omega", p.omega);
    j.Value("total_iterations", p.total).Value("mean_iterations", p.total / (double)S.T).Value("solve_time_s", p.seconds).Value("capped", (long long)p.capped);
    if (p.kind != "baseline") {
      j.Value("table_predicted_iterations", p.predicted).Value("mismatched_instances", (long long)p.mismatches).Value("mismatch_abs_sum", p.mismatchAbs);
      j.Value("decisions_identical_on_all_ranks", p.ranksAgree);
    }
    if (p.kind == "learner") j.Value("learner_time_s", p.learnerSeconds).Value("learner_fraction_of_solve", p.seconds > 0 ? p.learnerSeconds / p.seconds : 0.0);
    j.Value("ratio_to_best_fixed", p.total / (double)R.fixedTotal[R.best]).Value("ratio_to_instance_optimal", p.total / (double)R.oracleTotal);
    j.BeginArray("iterations");
    for (PetscInt v : p.its) j.Value((double)v);
    j.EndArray();
    if (p.kind != "baseline") {
      j.BeginArray("omega");
      for (PetscInt k : p.arm) j.Value(k >= 0 ? S.s.grid[k] : p.omega);
      j.EndArray();
    }
    j.BeginArray("seconds");
    for (double v : p.secs) j.Value(v);
    j.EndArray().EndObject();
  }
  j.EndArray();
  j.BeginObject("replay").Value("first_seed", (long long)S.s.learnerSeed).Value("seeds", (long long)S.s.replaySeeds).BeginArray("policies");
  for (auto &r : S.replays) {
    j.BeginObject().Value("name", r.name).Value("label", r.label).BeginArray("total_iterations");
    for (long long t : r.totals) j.Value((double)t);
    j.EndArray().BeginArray("ratio_to_best_fixed");
    double sum = 0;
    for (long long t : r.totals) {
      j.Value(t / (double)R.fixedTotal[R.best]);
      sum += t / (double)R.fixedTotal[R.best];
    }
    j.EndArray().Value("mean_ratio_to_best_fixed", r.totals.empty() ? 0.0 : sum / r.totals.size()).EndObject();
  }
  j.EndArray().EndObject();
  if (S.seq->Stateful()) j.BeginObject("reference").Value("rtol", (double)S.s.refRtol).Value("total_iterations", S.refIts).Value("solve_time_s", S.refSeconds).EndObject();
  j.Value("pass1_time_s", S.pass1Seconds).Value("pass2_time_s", S.pass2Seconds);
  j.EndObject();
  PetscCall(j.Save(S.comm, S.s.json));
  PetscFunctionReturn(0);
}

PetscErrorCode Run(MPI_Comm comm)
{
  Study S;
  PetscFunctionBegin;
  S.comm = comm;
  PetscCall(ReadSettings(comm, &S.s));
  Settings &s = S.s;
  switch (s.kind) {
  case SequenceKind::SYNTHETIC:
    s.syn.seed = s.seed;
    if (s.instances > 0) s.syn.instances = s.instances;
    PetscCall(CreateSyntheticSequence(comm, s.syn, &S.seq));
    break;
  case SequenceKind::HEAT:
    if (s.instances > 0) s.heat.steps = s.instances;
    PetscCall(CreateHeatSequence(comm, s.heat, &S.seq));
    break;
  default: PetscCall(CreateFileSequence(comm, s.file, s.instances, &S.seq)); break;
  }
  PetscCall(S.seq->View(PETSC_VIEWER_STDOUT_(comm)));
  if (!s.solverSet) s.solver = S.seq->DefaultSolver();
  S.zeroGuess = !S.seq->Stateful() && s.kind == SequenceKind::SYNTHETIC;
  if (s.rangeSet) S.range[0] = s.range[0], S.range[1] = s.range[1];
  else S.seq->ContextRange(&S.range[0], &S.range[1]);
  S.bins            = s.bins > 0 ? s.bins : S.seq->DefaultBins();
  if (!s.baselinesSet && s.kind == SequenceKind::HEAT) s.baselines = {"gmres_ilu", "cg_boomeramg", "cg_gamg"};
  if (S.seq->Stateful()) PetscCall(CreateReferenceKsp(S));

  if (s.writeFile[0]) {
    PetscCall(WriteSequenceFile(comm, *S.seq, s.writeFile, ReferenceSolve, &S));
    PetscCall(PetscPrintf(comm, "wrote %" PetscInt_FMT " instances to %s\n", S.seq->Length(), s.writeFile));
    PetscCall(KSPDestroy(&S.refKsp));
    PetscFunctionReturn(0);
  }

  S.T = S.seq->Length();
  S.d = (PetscInt)s.grid.size();
  PetscCall(PetscPrintf(comm, "solver: %s, rtol %g on the unpreconditioned residual, cap %" PetscInt_FMT "; omega grid: %" PetscInt_FMT " values on [%g, %g]; context range [%g, %g]%s\n", s.solver == Solver::SOR ? "Richardson + forward SOR (PCBANDITSOR)" : "CG + SSOR (PCBANDITSOR)", (double)s.rtol, s.maxIt, S.d, s.grid.front(), s.grid.back(), (double)S.range[0], (double)S.range[1], s.transform == Transform::LOG ? " (learners see log10(c - a + floor (b - a)))" : ""));
  S.tableIts.assign(S.T * S.d, 0);
  S.tableSecs.assign(S.T * S.d, 0);
  S.tableCapped.assign(S.d, 0);
  S.context.assign(S.T, 0);
  for (PetscInt k = 0; k < S.d; ++k) {
    KSP ksp;
    PetscCall(CreateSORKsp(S, "relax_table_", "tsallis", {s.grid[k]}, &ksp)); // one arm: a fixed omega
    S.tableKsp.push_back(ksp);
  }
  for (const auto &l : s.learners) {
    const LearnerName name = ParseLearnerName(l);
    Policy            p;
    p.name  = l;
    p.label = name.label;
    p.kind  = "learner";
    if (name.iw) PetscCall(DefaultOption(("relax_" + l + "_").c_str(), "pc_banditsor_tsallis_estimator", "iw"));
    PetscCall(CreateSORKsp(S, "relax_" + l + "_", name.type.c_str(), s.grid, &p.ksp));
    PetscCall(InitPolicy(S, p));
    S.policies.push_back(std::move(p));
  }
  for (const auto &bname : s.baselines) {
    Policy p;
    p.name  = bname;
    p.label = BaselineLabels[std::find_if(std::begin(BaselineNames), std::end(BaselineNames), [&](const char *x) { return bname == x; }) - std::begin(BaselineNames)];
    p.kind  = "baseline";
    PetscCall(CreateBaselineKsp(S, bname, &p.ksp));
    PetscCall(InitPolicy(S, p));
    S.policies.push_back(std::move(p));
  }
  PetscCall(S.seq->CreateVector(&S.b));
  PetscCall(VecDuplicate(S.b, &S.bref));
  PetscCall(VecDuplicate(S.b, &S.x0ref));
  PetscCall(VecDuplicate(S.b, &S.uref));
  PetscCall(VecDuplicate(S.b, &S.work));

  PetscCall(PassOne(S));
  Summary R;
  Summarize(S, R);
  std::vector<double> runs = s.runOmegas;
  if (s.runBestFixed) runs.insert(runs.begin(), s.grid[R.best]);
  for (size_t i = 0; i < runs.size(); ++i) {
    if (std::find(runs.begin(), runs.begin() + i, runs[i]) != runs.begin() + i) continue; // once each
    Policy p;
    p.omega = runs[i];
    p.kind  = "fixed";
    p.name  = Fmt("fixed_%.6g", runs[i]);
    p.label = (i == 0 && s.runBestFixed ? "best fixed, run online" : "fixed, run online");
    PetscCall(CreateSORKsp(S, "relax_fixed_", "tsallis", {runs[i]}, &p.ksp));
    PetscCall(InitPolicy(S, p));
    S.policies.push_back(std::move(p));
  }
  PetscCall(PassTwo(S));
  PetscCall(Reduce(S));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, S.tableSecs.data(), (int)S.tableSecs.size(), MPI_DOUBLE, MPI_MAX, comm));
  Summarize(S, R); // again, with the reduced times
  PetscCall(ReplayLearners(S));
  PetscCall(PrintTable(S, R));
  if (s.json[0]) PetscCall(WriteJson(S, R));

  for (auto &k : S.tableKsp) PetscCall(KSPDestroy(&k));
  for (auto &p : S.policies) {
    PetscCall(KSPDestroy(&p.ksp));
    PetscCall(VecDestroy(&p.u));
  }
  PetscCall(KSPDestroy(&S.refKsp));
  for (Vec *v : {&S.b, &S.bref, &S.x0ref, &S.uref, &S.work}) PetscCall(VecDestroy(v));
  PetscFunctionReturn(0);
}
} // namespace

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, help));
  PetscCall(PetalInitializePackage());
  PetscErrorCode ierr = Run(PETSC_COMM_WORLD);
  PetscCall(PetscFinalize());
  return ierr ? 1 : 0;
}
