// petal-relax's table and JSON summary (relax_report.hpp).
#include "relax_report.hpp"
#include <petal/json.hpp>
#include <petal/petal.h>
#include <algorithm>
#include <cmath>

namespace petal::relax {
namespace {
std::string Fmt(const char *fmt, double v)
{
  char buf[64];
  snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string PolicyNotes(const Policy &p)
{
  if (p.kind == "baseline") return "";
  std::string notes = Fmt("table predicts %.0f", (double)p.predicted) + Fmt(", %.0f mismatched instances", (double)p.mismatches);
  if (p.mismatches) notes += Fmt(" (sum |diff| %.0f)", (double)p.mismatchAbs);
  if (p.kind == "learner") notes += Fmt(", learner %.3g s", p.learnerSeconds) + Fmt(" (%.2f%% of solve)", p.seconds > 0 ? 100 * p.learnerSeconds / p.seconds : 0.0);
  if (!p.ranksAgree) notes += ", RANKS DISAGREE";
  return notes;
}

// The ratios the paper's claims are about, and the spread of the replays over learner seeds.
PetscErrorCode PrintRatios(const Study &S)
{
  const Summary &R    = S.summary;
  const double   best = (double)R.fixedTotal[R.best];
  PetscFunctionBegin;
  PetscCall(PetscPrintf(S.comm, "ratios: instance-optimal / best fixed = %.3f\n", R.oracleTotal / best));
  for (auto &p : S.policies)
    if (p.kind == "learner") PetscCall(PetscPrintf(S.comm, "ratios: %-16s / best fixed = %.3f, / instance-optimal = %.3f\n", p.label.c_str(), p.total / best, p.total / (double)R.oracleTotal));
  for (auto &r : S.replays) {
    double sum = 0, lo = HUGE_VAL, hi = 0;
    for (long long t : r.totals) {
      const double q = t / best;
      sum += q;
      lo = std::min(lo, q);
      hi = std::max(hi, q);
    }
    PetscCall(PetscPrintf(S.comm, "replayed on the table, learner seeds %" PetscInt_FMT "..%" PetscInt_FMT ": %-20s / best fixed = %.3f mean, [%.3f, %.3f]\n", S.s.learnerSeed, S.s.learnerSeed + S.s.replaySeeds - 1, r.label.c_str(), sum / r.totals.size(), lo, hi));
  }
  PetscFunctionReturn(0);
}

void JsonSettings(const Study &S, JsonWriter &j)
{
  PetscMPIInt size;
  MPI_Comm_size(S.comm, &size);
  j.Value("driver", "petal-relax").Value("petal_version", PETAL_VERSION_STRING);
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
}

void JsonTable(const Study &S, JsonWriter &j)
{
  const Summary &R = S.summary;
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
}

void JsonPolicy(const Study &S, const Policy &p, JsonWriter &j)
{
  const double best = (double)S.summary.fixedTotal[S.summary.best];
  j.BeginObject().Value("name", p.name).Value("label", p.label).Value("kind", p.kind);
  if (p.kind == "fixed") j.Value("fixed_omega", p.omega);
  j.Value("total_iterations", p.total).Value("mean_iterations", p.total / (double)S.T).Value("solve_time_s", p.seconds).Value("capped", (long long)p.capped);
  if (p.kind != "baseline") {
    j.Value("table_predicted_iterations", p.predicted).Value("mismatched_instances", (long long)p.mismatches).Value("mismatch_abs_sum", p.mismatchAbs);
    j.Value("decisions_identical_on_all_ranks", p.ranksAgree);
  }
  if (p.kind == "learner") j.Value("learner_time_s", p.learnerSeconds).Value("learner_fraction_of_solve", p.seconds > 0 ? p.learnerSeconds / p.seconds : 0.0);
  j.Value("ratio_to_best_fixed", p.total / best).Value("ratio_to_instance_optimal", p.total / (double)S.summary.oracleTotal);
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

void JsonReplays(const Study &S, JsonWriter &j)
{
  const double best = (double)S.summary.fixedTotal[S.summary.best];
  j.BeginObject("replay").Value("first_seed", (long long)S.s.learnerSeed).Value("seeds", (long long)S.s.replaySeeds).BeginArray("policies");
  for (auto &r : S.replays) {
    double sum = 0;
    j.BeginObject().Value("name", r.name).Value("label", r.label).BeginArray("total_iterations");
    for (long long t : r.totals) j.Value((double)t);
    j.EndArray().BeginArray("ratio_to_best_fixed");
    for (long long t : r.totals) {
      j.Value(t / best);
      sum += t / best;
    }
    j.EndArray().Value("mean_ratio_to_best_fixed", r.totals.empty() ? 0.0 : sum / r.totals.size()).EndObject();
  }
  j.EndArray().EndObject();
}
} // namespace

PetscErrorCode PrintTable(const Study &S)
{
  const Summary &R       = S.summary;
  const double   T       = (double)S.T;
  const double   bestAvg = R.fixedTotal[R.best] / T;
  const bool     ref     = S.seq->Stateful();
  PetscFunctionBegin;
  PetscCall(PetscPrintf(S.comm, "\n%-34s %7s %12s %10s %9s %12s %8s  %s\n", "policy", "omega", "total its", "mean its", "/ best", "solve [s]", "capped", "notes"));
  auto row = [&](const std::string &name, const std::string &omega, long long total, double secs, PetscInt capped, const std::string &notes) -> PetscErrorCode {
    return PetscPrintf(S.comm, "%-34s %7s %12lld %10.2f %9.3f %12s %8" PetscInt_FMT "  %s\n", name.c_str(), omega.c_str(), total, total / T, total / T / bestAvg, secs < 0 ? "-" : Fmt("%.3f", secs).c_str(), capped, notes.c_str());
  };
  for (PetscInt k = 0; k < S.d; ++k) PetscCall(row("fixed", Fmt("%.4f", S.s.grid[k]), R.fixedTotal[k], R.fixedSecs[k], S.tableCapped[k], std::string(k == R.best ? "<- best fixed" : "") + (ref ? " (table, reference starts)" : " (table)")));
  PetscCall(row("best fixed omega in hindsight", Fmt("%.4f", S.s.grid[R.best]), R.fixedTotal[R.best], R.fixedSecs[R.best], S.tableCapped[R.best], "min over the fixed rows"));
  PetscCall(row("instance-optimal omega on the grid", "-", R.oracleTotal, R.oracleSecs, 0, "per instance min over the grid; time = sum of the chosen table solves"));
  for (auto &p : S.policies) PetscCall(row(p.label, p.kind == "fixed" ? Fmt("%.4f", p.omega) : "-", p.total, p.seconds, p.capped, PolicyNotes(p)));
  if (ref) PetscCall(PetscPrintf(S.comm, "reference trajectory: %lld iterations, %.3f s (KSP relax_reference_, rtol %g); online policies: %s trajectories\n", S.refIts, S.refSeconds, (double)S.s.refRtol, TrajectoryNames[(int)S.s.trajectory]));
  PetscCall(PetscPrintf(S.comm, "pass 1 (table of %" PetscInt_FMT " x %" PetscInt_FMT " solves + online policies) %.1f s, pass 2 (fixed omegas online) %.1f s\n", S.T, S.d, S.pass1Seconds, S.pass2Seconds));
  PetscCall(PrintRatios(S));
  PetscFunctionReturn(0);
}

PetscErrorCode WriteJson(const Study &S)
{
  JsonWriter j;
  PetscFunctionBegin;
  j.BeginObject();
  JsonSettings(S, j);
  JsonTable(S, j);
  j.BeginArray("policies");
  for (auto &p : S.policies) JsonPolicy(S, p, j);
  j.EndArray();
  JsonReplays(S, j);
  if (S.seq->Stateful()) j.BeginObject("reference").Value("rtol", (double)S.s.refRtol).Value("total_iterations", S.refIts).Value("solve_time_s", S.refSeconds).EndObject();
  j.Value("pass1_time_s", S.pass1Seconds).Value("pass2_time_s", S.pass2Seconds);
  j.EndObject();
  PetscCall(j.Save(S.comm, S.s.json));
  PetscFunctionReturn(0);
}
} // namespace petal::relax
