/* The problem library's entry points: the test set's table, creation by name, the KKT residual. */
#include "solvers/nlp/nlp_registry.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace petal {

void NLPProblem::StartMultipliers(double *lambda) const {
  for (NLPIndex i = 0; i < NumConstraints(); ++i) lambda[i] = 1.0;
}

namespace {

const std::vector<nlp::NLPEntry> &TestSet() {
  static const std::vector<nlp::NLPEntry> table = [] {
    std::vector<nlp::NLPEntry> t;
    nlp::AppendHockSchittkowski(t);
    nlp::AppendBoggsTolle(t);
    nlp::AppendOtherCUTEst(t);
    return t;
  }();
  return table;
}

/* Parses a decimal integer at s, advancing s; false unless at least one digit was read and it fits. */
bool ParseInt(const char *&s, int *value) {
  char *end = nullptr;
  if (*s < '0' || *s > '9') return false;
  errno       = 0;
  const long v = std::strtol(s, &end, 10);
  if (errno || v <= 0 || v > 1000000) return false;
  *value = int(v);
  s      = end;
  return true;
}

bool StartsWith(const char *&s, const char *prefix) {
  const char *p = s;
  for (; *prefix; ++p, ++prefix)
    if (*p != *prefix) return false;
  s = p;
  return true;
}

} // namespace

std::vector<std::string> NLPTestSetNames() {
  std::vector<std::string> names;
  for (const auto &e : TestSet()) names.push_back(e.name);
  return names;
}

std::unique_ptr<NLPProblem> NLPProblemCreate(const std::string &name) {
  for (const auto &e : TestSet())
    if (name == e.name) return e.create();
  const char *s = name.c_str();
  int         N = 0, D = 0;
  if (StartsWith(s, "poisson_paper_n")) {
    if (!ParseInt(s, &N) || *s) return nullptr;
    return nlp::CreatePoissonPaper(N);
  }
  if (StartsWith(s, "semilinear_")) {
    if (!ParseInt(s, &D) || (D != 2 && D != 3) || !StartsWith(s, "d_n") || !ParseInt(s, &N)) return nullptr;
    double alpha = 1e-2;
    if (*s) {
      if (!StartsWith(s, "_a")) return nullptr;
      char *end = nullptr;
      errno     = 0;
      alpha     = std::strtod(s, &end);
      if (errno || end == s || *end || !(alpha > 0.0) || !std::isfinite(alpha)) return nullptr;
    }
    /* The grid sizes a serial evaluation can hold (N^D points, 2 N^D variables, 32-bit PETSc indices). */
    if ((D == 2 && N > 20000) || (D == 3 && N > 1000)) return nullptr;
    return nlp::CreateSemilinear(D, N, alpha);
  }
  return nullptr;
}

void NLPKKTResidual(const NLPProblem &p, const double *x, const double *lambda, double *gradLNorm, double *cNorm) {
  const NLPIndex        n = p.NumVariables(), m = p.NumConstraints();
  std::vector<double>   g(n), c(m);
  std::vector<NLPIndex> rows, cols;
  p.Gradient(x, g.data());
  p.Constraints(x, c.data());
  p.JacobianPattern(rows, cols);
  std::vector<double> values(rows.size());
  p.JacobianValues(x, values.data());
  for (size_t k = 0; k < rows.size(); ++k) g[cols[k]] += lambda[rows[k]] * values[k]; /* grad f + G^T lambda */
  double gs = 0.0, cs = 0.0;
  for (double v : g) gs += v * v;
  for (double v : c) cs += v * v;
  *gradLNorm = std::sqrt(gs);
  *cNorm     = std::sqrt(cs);
}

} // namespace petal
