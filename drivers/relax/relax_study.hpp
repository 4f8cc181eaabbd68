#pragma once
// petal-relax's study of one sequence (see drivers/relax/README.md):
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
#include "relax_settings.hpp"
#include <petscksp.h>
#include <memory>
#include <string>
#include <vector>

namespace petal::relax {

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

// A learner replayed on the cost table (PCBanditSORReplay): one total per learner seed.
struct Replay {
  std::string            name, label;
  std::vector<long long> totals;
};

// What the table says: totals per fixed omega, the best one, the instance-optimal policy.
struct Summary {
  std::vector<long long> fixedTotal; // per arm
  std::vector<double>    fixedSecs;  // per arm
  PetscInt               best = 0;   // best fixed arm
  long long              oracleTotal = 0;
  double                 oracleSecs  = 0;
  std::vector<PetscInt>  oracleArm, oracleIts;
};

struct Study {
  MPI_Comm                  comm = MPI_COMM_NULL;
  Settings                  s;
  std::unique_ptr<Sequence> seq;
  PetscInt                  T = 0, d = 0, bins = 5;
  PetscReal                 range[2] = {0, 1}; // of the context
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
  std::vector<Replay>   replays;
  Summary               summary;
};

// Creates the sequence of the settings and derives the study's solver, context range and bins from it.
PetscErrorCode SetupStudy(MPI_Comm comm, Study &S);
// -relax_write_file: writes the sequence (heat: along the reference trajectory) and nothing else.
PetscErrorCode WriteStudySequence(Study &S);
// The two passes, the summary and the replays; S.summary holds the result.
PetscErrorCode RunStudy(Study &S);
// Destroys the study's PETSc objects (not in a destructor: KSPDestroy is collective).
PetscErrorCode DestroyStudy(Study &S);

} // namespace petal::relax
