/* petal-ipopt-nlp: problems of the NLP library (include/petal/nlp_problems.hpp) solved by IPOPT with the same
 * exact derivatives, for bench_control.py:
 *
 *   petal-ipopt-nlp [-tol 1e-8] [-max_iter 3000] [-print_level 0] [-json FILE] PROBLEM [PROBLEM ...]
 *   petal-ipopt-nlp -list        (the library's HS/BT test set, one name a line)
 *   petal-ipopt-nlp -size NAME   (n and m of a problem)
 *
 * Links only the PETSc-free problem library and libipopt (Debian's carries a sequential MUMPS, which must not
 * share a process with PETSc's parallel MUMPS). IPOPT's tol, dual_inf_tol and constr_viol_tol are all set to
 * -tol. Per problem: IPOPT's status, iterations, wall time of OptimizeTNLP, f, the KKT residual
 * |(grad f + G^T lambda, c)| recomputed by the library with IPOPT's multipliers (IPOPT's Lagrangian is
 * f + lambda^T c too), the known optimum, peak resident memory, and the history (iteration, f, IPOPT's primal
 * and dual infeasibility, seconds). */
#include <petal/nlp_problems.hpp>

#include <IpIpoptApplication.hpp>
#include <IpSolveStatistics.hpp>
#include <IpTNLP.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace {

using Ipopt::Index;
using Ipopt::Number;
using Clock = std::chrono::steady_clock;

class LibraryTNLP : public Ipopt::TNLP {
public:
  explicit LibraryTNLP(const petal::NLPProblem &p) : p_(p) {
    p_.JacobianPattern(jrows_, jcols_);
    p_.HessianPattern(hrows_, hcols_);
  }
  bool get_nlp_info(Index &n, Index &m, Index &nnz_jac, Index &nnz_h, IndexStyleEnum &style) override {
    n       = Index(p_.NumVariables());
    m       = Index(p_.NumConstraints());
    nnz_jac = Index(jrows_.size());
    nnz_h   = Index(hrows_.size());
    style   = C_STYLE;
    return true;
  }
  bool get_bounds_info(Index n, Number *xl, Number *xu, Index m, Number *gl, Number *gu) override {
    for (Index i = 0; i < n; ++i) {
      xl[i] = -2e19; /* below IPOPT's nlp_lower_bound_inf: free */
      xu[i] = 2e19;
    }
    for (Index i = 0; i < m; ++i) gl[i] = gu[i] = 0.0;
    return true;
  }
  bool get_starting_point(Index, bool init_x, Number *x, bool init_z, Number *, Number *, Index, bool init_lambda,
                          Number *lambda) override {
    if (init_x) p_.StartPoint(x);
    if (init_lambda) p_.StartMultipliers(lambda);
    return !init_z; /* no bounds, no bound multipliers */
  }
  bool eval_f(Index, const Number *x, bool, Number &f) override {
    f = p_.Objective(x);
    return std::isfinite(f);
  }
  bool eval_grad_f(Index n, const Number *x, bool, Number *g) override {
    p_.Gradient(x, g);
    return AllFinite(g, n);
  }
  bool eval_g(Index, const Number *x, bool, Index m, Number *g) override {
    p_.Constraints(x, g);
    return AllFinite(g, m);
  }
  bool eval_jac_g(Index, const Number *x, bool, Index, Index nele, Index *irow, Index *jcol, Number *values) override {
    if (!values) {
      for (Index k = 0; k < nele; ++k) {
        irow[k] = Index(jrows_[k]);
        jcol[k] = Index(jcols_[k]);
      }
      return true;
    }
    p_.JacobianValues(x, values);
    return AllFinite(values, nele);
  }
  bool eval_h(Index, const Number *x, bool, Number sigma, Index, const Number *lambda, bool, Index nele, Index *irow,
              Index *jcol, Number *values) override {
    if (!values) {
      for (Index k = 0; k < nele; ++k) {
        irow[k] = Index(hrows_[k]);
        jcol[k] = Index(hcols_[k]);
      }
      return true;
    }
    p_.HessianValues(x, sigma, lambda, values);
    return AllFinite(values, nele);
  }
  bool intermediate_callback(Ipopt::AlgorithmMode, Index iter, Number obj, Number inf_pr, Number inf_du, Number, Number,
                             Number, Number, Number, Index, const Ipopt::IpoptData *, Ipopt::IpoptCalculatedQuantities *) override {
    history.push_back({double(iter), obj, inf_pr, inf_du, std::chrono::duration<double>(Clock::now() - start).count()});
    return true;
  }
  void finalize_solution(Ipopt::SolverReturn, Index n, const Number *x, const Number *, const Number *, Index m, const Number *,
                         const Number *lambda, Number, const Ipopt::IpoptData *, Ipopt::IpoptCalculatedQuantities *) override {
    xfinal.assign(x, x + n);
    lfinal.assign(lambda, lambda + m);
  }

  Clock::time_point                  start;
  std::vector<std::vector<double>>   history;
  std::vector<double>                xfinal, lfinal;

private:
  static bool AllFinite(const Number *v, Index n) {
    for (Index i = 0; i < n; ++i)
      if (!std::isfinite(v[i])) return false;
    return true;
  }
  const petal::NLPProblem &p_;
  std::vector<petal::NLPIndex> jrows_, jcols_, hrows_, hcols_;
};

double PeakRSSMiB() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024.0;
}

std::string Num(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string Quote(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

int Usage(const char *why) {
  std::fprintf(stderr, "petal-ipopt-nlp: %s\nusage: petal-ipopt-nlp [-tol T] [-max_iter K] [-print_level L] [-json FILE] PROBLEM [PROBLEM ...]\n", why);
  return 2;
}

} // namespace

int main(int argc, char **argv) {
  double                   tol = 1e-8;
  int                      maxIter = 3000, printLevel = 0;
  std::string              json;
  std::vector<std::string> names;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto              next = [&](const char *what) -> const char * {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "petal-ipopt-nlp: %s needs a value\n", what);
        std::exit(2);
      }
      return argv[++i];
    };
    char *end = nullptr;
    if (a == "-tol") {
      tol = std::strtod(next("-tol"), &end);
      if (*end || !(tol > 0)) return Usage("-tol must be a positive number");
    } else if (a == "-max_iter") {
      maxIter = int(std::strtol(next("-max_iter"), &end, 10));
      if (*end || maxIter < 0) return Usage("-max_iter must be a non-negative integer");
    } else if (a == "-print_level") {
      printLevel = int(std::strtol(next("-print_level"), &end, 10));
      if (*end || printLevel < 0 || printLevel > 12) return Usage("-print_level must be 0..12");
    } else if (a == "-size") { /* n and m of one problem */
      auto p = petal::NLPProblemCreate(next("-size"));
      if (!p) return Usage("unknown problem");
      std::printf("%lld %lld\n", (long long)p->NumVariables(), (long long)p->NumConstraints());
      return 0;
    } else if (a == "-list") {
      for (const auto &n : petal::NLPTestSetNames()) std::printf("%s\n", n.c_str());
      return 0;
    } else if (a == "-json") {
      json = next("-json");
    } else if (!a.empty() && a[0] == '-') {
      return Usage(("unknown option " + a).c_str());
    } else {
      names.push_back(a);
    }
  }
  if (names.empty()) return Usage("give at least one problem name");
  for (const auto &n : names)
    if (!petal::NLPProblemCreate(n)) return Usage(("unknown problem " + n).c_str());

  std::string out = "{\n  \"solver\": \"ipopt\",\n  \"tol\": " + Num(tol) + ",\n  \"results\": [";
  int         failures = 0;
  for (size_t q = 0; q < names.size(); ++q) {
    auto                                  problem = petal::NLPProblemCreate(names[q]);
    Ipopt::SmartPtr<LibraryTNLP>          nlp     = new LibraryTNLP(*problem);
    Ipopt::SmartPtr<Ipopt::IpoptApplication> app  = IpoptApplicationFactory();
    app->Options()->SetNumericValue("tol", tol);
    app->Options()->SetNumericValue("dual_inf_tol", tol);
    app->Options()->SetNumericValue("constr_viol_tol", tol);
    app->Options()->SetIntegerValue("max_iter", maxIter);
    app->Options()->SetIntegerValue("print_level", printLevel);
    app->Options()->SetStringValue("sb", "yes"); /* no banner */
    if (app->Initialize() != Ipopt::Solve_Succeeded) {
      std::fprintf(stderr, "petal-ipopt-nlp: IPOPT failed to initialize\n");
      return 1;
    }
    nlp->start                          = Clock::now();
    const Ipopt::ApplicationReturnStatus status = app->OptimizeTNLP(Ipopt::GetRawPtr(nlp));
    const double                         seconds = std::chrono::duration<double>(Clock::now() - nlp->start).count();
    const int    iterations = Ipopt::IsValid(app->Statistics()) ? int(app->Statistics()->IterationCount()) : -1;
    const bool   solved     = status == Ipopt::Solve_Succeeded || status == Ipopt::Solved_To_Acceptable_Level;
    double       f = NAN, kkt = NAN, fstar = NAN, ferr = NAN;
    if (!nlp->xfinal.empty()) {
      double gl, cn;
      petal::NLPKKTResidual(*problem, nlp->xfinal.data(), nlp->lfinal.data(), &gl, &cn);
      kkt = std::hypot(gl, cn);
      f   = problem->Objective(nlp->xfinal.data());
    }
    const bool known = problem->KnownOptimum(&fstar);
    if (known) ferr = std::fabs(f - fstar) / std::max(1.0, std::fabs(fstar));
    if (!solved) ++failures;
    std::printf("%s ipopt: status %d after %d iterations, %.3f s, f = %.12g, KKT residual %.3e, peak RSS %.1f MiB\n",
                names[q].c_str(), int(status), iterations, seconds, f, kkt, PeakRSSMiB());
    out += std::string(q ? "," : "") + "\n    {\"problem\": " + Quote(names[q]) + ", \"n\": " + std::to_string(problem->NumVariables()) +
           ", \"m\": " + std::to_string(problem->NumConstraints()) + ", \"solver\": \"ipopt\", \"status\": " + std::to_string(int(status)) +
           ", \"converged\": " + (solved ? "true" : "false") + ", \"iterations\": " + std::to_string(iterations) +
           ", \"time_s\": " + Num(seconds) + ", \"f\": " + Num(f) + ", \"kkt\": " + Num(kkt) +
           (known ? ", \"f_star\": " + Num(fstar) + ", \"f_rel_err\": " + Num(ferr) : std::string()) +
           ", \"peak_rss_mib\": " + Num(PeakRSSMiB()) + ", \"history\": [";
    for (size_t k = 0; k < nlp->history.size(); ++k) {
      out += k ? ", [" : "[";
      for (size_t j = 0; j < nlp->history[k].size(); ++j) out += (j ? ", " : "") + Num(nlp->history[k][j]);
      out += "]";
    }
    out += "]}";
  }
  out += "\n  ]\n}\n";
  if (!json.empty()) {
    /* Written to a temporary name and renamed, so that a reader never sees half a file. */
    const std::string tmp = json + ".tmp";
    {
      std::ofstream f(tmp);
      f << out;
      if (!f) {
        std::fprintf(stderr, "petal-ipopt-nlp: cannot write %s\n", tmp.c_str());
        return 1;
      }
    }
    if (std::rename(tmp.c_str(), json.c_str()) != 0) {
      std::fprintf(stderr, "petal-ipopt-nlp: cannot rename %s to %s\n", tmp.c_str(), json.c_str());
      return 1;
    }
  }
  return failures ? 3 : 0;
}
