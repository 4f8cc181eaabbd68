/* petal-nlp-solve: one problem of the NLP library (include/petal/nlp_problems.hpp) solved by any TAO type through
 * the adapter (include/petal/nlp_tao.hpp), for bench_control.py:
 *
 *   petal-nlp-solve -problem hs7 [-json out.json] -tao_type pdipm|almm|adasketch [any TAO options]
 *
 * Defaults (overridable): -tao_gatol 1e-8 -tao_catol 1e-8 -tao_grtol 0 -tao_gttol 0 -tao_crtol 0 -tao_max_it 1000.
 * Reports TAO's reason and iterations, the wall time of TaoSolve, f, the KKT residual |(grad_x L, c)| recomputed
 * by the library at the final point (with the solver's multipliers, or least-squares ones where it keeps none),
 * the known optimum, the peak resident memory (max over ranks), and the per-iteration history (f, |grad L|,
 * |c|, seconds since the start). */
#include <petal/json.hpp>
#include <petal/nlp_problems.hpp>
#include <petal/nlp_tao.hpp>
#include <petal/petal.h>

#include <sys/resource.h>

#include <array>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

static const char help[] = "Solves one NLP test problem with a TAO type through petal's adapter.\n"
                           "  -problem NAME   a name of the NLP library (hs7, bt9, poisson_paper_n3, semilinear_2d_n31, ...)\n"
                           "  -json FILE      write the result and the iteration history\n";

namespace {

struct History {
  double                             start = 0.0;
  std::vector<std::array<double, 5>> rows; /* iteration, f, |grad L|, |c|, seconds */
};

PetscErrorCode RecordIteration(Tao tao, void *ctx) {
  auto              *h = static_cast<History *>(ctx);
  PetscInt           it;
  PetscReal          f, gnorm, cnorm, xdiff;
  TaoConvergedReason reason;
  PetscFunctionBegin;
  PetscCall(TaoGetSolutionStatus(tao, &it, &f, &gnorm, &cnorm, &xdiff, &reason));
  h->rows.push_back({double(it), double(f), double(gnorm), double(cnorm), MPI_Wtime() - h->start});
  PetscFunctionReturn(0);
}

/* Peak resident set size in MiB, the maximum over the ranks of comm. */
double PeakRSSMiB(MPI_Comm comm) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  double mine = ru.ru_maxrss / 1024.0, all = mine; /* ru_maxrss is in KiB on Linux */
  MPI_Allreduce(&mine, &all, 1, MPI_DOUBLE, MPI_MAX, comm);
  return all;
}

} // namespace

int main(int argc, char **argv) {
  char      name[256] = "", json[PETSC_MAX_PATH_LEN] = "";
  PetscBool hasName = PETSC_FALSE, hasJson = PETSC_FALSE;
  PetscCall(PetscInitialize(&argc, &argv, nullptr, help));
  PetscCall(PetalInitializePackage());
  MPI_Comm comm = PETSC_COMM_WORLD;
  PetscCall(PetscOptionsGetString(nullptr, nullptr, "-problem", name, sizeof name, &hasName));
  PetscCall(PetscOptionsGetString(nullptr, nullptr, "-json", json, sizeof json, &hasJson));
  PetscCheck(hasName, comm, PETSC_ERR_ARG_WRONG, "petal-nlp-solve: give -problem NAME (e.g. hs7; see include/petal/nlp_problems.hpp)");
  std::unique_ptr<petal::NLPProblem> problem = petal::NLPProblemCreate(name);
  PetscCheck(problem, comm, PETSC_ERR_ARG_WRONG, "petal-nlp-solve: unknown problem \"%s\"", name);

  /* The defaults go into the options database, not through TaoSetTolerances: TaoSetFromOptions creates the type
   * afterwards, and TAOALMM's creation replaces tolerances set before it (measured: HS7 then stops at
   * |grad L| = 5e-7 with gatol 1e-8 "reached"). */
  const char *defaults[][2] = {{"-tao_gatol", "1e-8"}, {"-tao_catol", "1e-8"}, {"-tao_grtol", "0"}, {"-tao_gttol", "0"},
                               {"-tao_crtol", "0"},     {"-tao_max_it", "1000"}};
  for (const auto &d : defaults) {
    PetscBool set;
    PetscCall(PetscOptionsHasName(nullptr, nullptr, d[0], &set));
    if (!set) PetscCall(PetscOptionsSetValue(nullptr, d[0], d[1]));
  }
  Tao tao;
  PetscCall(TaoCreate(comm, &tao));
  PetscCall(petal::NLPTaoSetUp(comm, *problem, tao));
  History history;
  PetscCall(TaoSetFromOptions(tao));
  PetscCall(TaoSetMonitor(tao, RecordIteration, &history, nullptr));

  PetscCall(PetscBarrier((PetscObject)tao));
  history.start = MPI_Wtime();
  PetscCall(TaoSolve(tao));
  const double seconds = MPI_Wtime() - history.start;

  TaoType            type;
  TaoConvergedReason reason;
  PetscInt           iterations;
  PetscReal          kkt, f, fstar = 0.0;
  PetscCall(TaoGetType(tao, &type));
  PetscCall(TaoGetConvergedReason(tao, &reason));
  PetscCall(TaoGetIterationNumber(tao, &iterations));
  PetscCall(petal::NLPTaoKKTResidual(*problem, tao, &kkt, &f));
  const bool   known = problem->KnownOptimum(&fstar);
  const double ferr  = known ? std::fabs(f - fstar) / std::max(1.0, std::fabs(fstar)) : NAN;
  const double rss   = PeakRSSMiB(comm);
  PetscMPIInt  size;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscPrintf(comm, "%s %s: %s after %" PetscInt_FMT " iterations, %.3f s, f = %.12g, KKT residual %.3e%s, peak RSS %.1f MiB\n",
                        name, type, TaoConvergedReasons[reason], iterations, seconds, (double)f, (double)kkt,
                        known ? (" (|f - f*| = " + std::to_string(ferr) + ")").c_str() : "", rss));
  if (hasJson) {
    petal::JsonWriter w;
    w.BeginObject();
    w.Value("problem", std::string(name));
    w.Value("n", (long long)problem->NumVariables());
    w.Value("m", (long long)problem->NumConstraints());
    w.Value("ranks", int(size));
    w.Value("tao_type", std::string(type));
    w.Value("reason", std::string(TaoConvergedReasons[reason]));
    w.Value("converged", reason > 0);
    w.Value("iterations", (long long)iterations);
    w.Value("time_s", seconds);
    w.Value("f", (double)f);
    w.Value("kkt", (double)kkt);
    if (known) {
      w.Value("f_star", fstar);
      w.Value("f_rel_err", ferr);
    }
    w.Value("peak_rss_mib", rss);
    w.BeginArray("history");
    for (const auto &r : history.rows) {
      w.BeginArray();
      for (double v : r) w.Value(v);
      w.EndArray();
    }
    w.EndArray();
    w.EndObject();
    PetscCall(w.Save(comm, json));
  }
  PetscCall(TaoDestroy(&tao));
  PetscCall(PetscFinalize());
  return 0;
}
