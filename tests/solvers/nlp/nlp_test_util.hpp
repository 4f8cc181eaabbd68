#pragma once
/* Reference tools for the problem-library tests: central finite differences and a plain dense Newton-KKT
 * iteration (obviously correct, slow, small problems only). */
#include "solvers/nlp/nlp_dense.hpp"
#include <petal/nlp_problems.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace nlptest {

using petal::NLPIndex;
using petal::NLPProblem;

/* grad_x L = grad f + G^T lambda. */
inline std::vector<double> LagrangianGradient(const NLPProblem &p, const double *x, const double *lambda) {
  const NLPIndex      n = p.NumVariables(), m = p.NumConstraints();
  std::vector<double> g(n);
  p.Gradient(x, g.data());
  const std::vector<double> G = petal::nlp::DenseJacobian(p, x);
  for (NLPIndex r = 0; r < m; ++r)
    for (NLPIndex j = 0; j < n; ++j) g[j] += lambda[r] * G[r * n + j];
  return g;
}

inline double Norm(const std::vector<double> &v) {
  double s = 0.0;
  for (double d : v) s += d * d;
  return std::sqrt(s);
}

/* Newton's method on the KKT conditions, x and lambda updated in place; returns the final |(grad_x L, c)|. */
inline double NewtonKKT(const NLPProblem &p, std::vector<double> &x, std::vector<double> &lambda, int maxit = 60,
                        double tol = 1e-13) {
  const int n = int(p.NumVariables()), m = int(p.NumConstraints()), N = n + m;
  double    res = 0.0;
  for (int it = 0; it <= maxit; ++it) {
    std::vector<double> gl = LagrangianGradient(p, x.data(), lambda.data()), c(m);
    p.Constraints(x.data(), c.data());
    res = std::sqrt(Norm(gl) * Norm(gl) + Norm(c) * Norm(c));
    if (res <= tol || it == maxit) break;
    const std::vector<double> G = petal::nlp::DenseJacobian(p, x.data());
    const std::vector<double> H = petal::nlp::DenseHessian(p, x.data(), 1.0, lambda.data());
    std::vector<double>       K(size_t(N) * N, 0.0), rhs(N);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) K[i * N + j] = H[i * n + j];
    for (int r = 0; r < m; ++r)
      for (int j = 0; j < n; ++j) K[(n + r) * N + j] = K[j * N + n + r] = G[r * n + j];
    for (int i = 0; i < n; ++i) rhs[i] = -gl[i];
    for (int r = 0; r < m; ++r) rhs[n + r] = -c[r];
    if (!petal::nlp::DenseSolve(N, K.data(), rhs.data())) return INFINITY;
    for (int i = 0; i < n; ++i) x[i] += rhs[i];
    for (int r = 0; r < m; ++r) lambda[r] += rhs[n + r];
  }
  return res;
}

} // namespace nlptest
