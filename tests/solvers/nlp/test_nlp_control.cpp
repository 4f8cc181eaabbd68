/* The control problems of the library: the paper's Poisson control reaches the published optima (exact QP
 * solves, two ways), and the semilinear problem's discrete optimum converges to the manufactured one as O(h^2). */
#include "nlp_test_util.hpp"
#include <petal/control_problem.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace {

using namespace nlptest;

/* The QP's KKT system solved directly (dense), from the library's own derivatives: one Newton step is exact. */
double PaperOptimumDenseKKT(int N) {
  const auto          p = petal::NLPProblemCreate("poisson_paper_n" + std::to_string(N));
  std::vector<double> x(p->NumVariables()), lambda(p->NumConstraints());
  p->StartPoint(x.data());
  p->StartMultipliers(lambda.data());
  EXPECT_LE(NewtonKKT(*p, x, lambda, 3, 1e-9), 1e-9);
  return p->Objective(x.data());
}

/* The same optimum by eliminating the control: z = -Delta_h w, so w solves (I + 0.1 Delta_h^T Delta_h) w = w_t
 * (conjugate gradients). Delta_h is applied through the library's constraints c(w, 0) = Delta_h w, so this checks
 * the library against the reference formula, not against itself. */
double PaperOptimumReduced(int N) {
  const auto          p = petal::NLPProblemCreate("poisson_paper_n" + std::to_string(N));
  const int           n = N * N;
  std::vector<double> wt(n), xz(2 * n, 0.0), c(n);
  for (int j = 1; j <= N; ++j)
    for (int i = 1; i <= N; ++i) wt[(i - 1) + (j - 1) * N] = petal::control::PaperTarget(i, j, N);
  auto lap = [&](const std::vector<double> &v, std::vector<double> &out) {
    for (int k = 0; k < n; ++k) xz[k] = v[k];
    p->Constraints(xz.data(), out.data());
  };
  auto op = [&](const std::vector<double> &v, std::vector<double> &out) { /* (I + 0.1 L^T L) v, L symmetric */
    std::vector<double> t(n);
    lap(v, t);
    lap(t, out);
    for (int k = 0; k < n; ++k) out[k] = v[k] + 0.1 * out[k];
  };
  std::vector<double> w(n, 0.0), r = wt, d = wt, q(n);
  double              rr = 0.0, r0;
  for (double v : r) rr += v * v;
  r0 = rr;
  for (int it = 0; it < 20000 && rr > 1e-30 * r0; ++it) {
    op(d, q);
    double dq = 0.0;
    for (int k = 0; k < n; ++k) dq += d[k] * q[k];
    const double a = rr / dq;
    double       rn = 0.0;
    for (int k = 0; k < n; ++k) {
      w[k] += a * d[k];
      r[k] -= a * q[k];
      rn += r[k] * r[k];
    }
    for (int k = 0; k < n; ++k) d[k] = r[k] + (rn / rr) * d[k];
    rr = rn;
  }
  std::vector<double> z(n);
  lap(w, z);
  std::vector<double> x(2 * n);
  for (int k = 0; k < n; ++k) {
    x[k]     = w[k];
    x[n + k] = -z[k];
  }
  std::vector<double> cc(n);
  p->Constraints(x.data(), cc.data());
  EXPECT_LE(Norm(cc), 1e-9);
  return p->Objective(x.data());
}

TEST(PoissonPaper, PublishedOptima) {
  struct Case {
    int    N;
    double published, halfUlp;
  };
  for (const Case &cs : {Case{3, 9.644442, 5e-7}, Case{10, 116.835, 5e-4}, Case{32, 1177.821, 5e-4}}) {
    const auto p = petal::NLPProblemCreate("poisson_paper_n" + std::to_string(cs.N));
    double     fstar;
    ASSERT_TRUE(p->KnownOptimum(&fstar));
    EXPECT_NEAR(fstar, cs.published, cs.halfUlp) << "N = " << cs.N;
    const double reduced = PaperOptimumReduced(cs.N);
    EXPECT_NEAR(reduced, fstar, 1e-9 * fstar) << "N = " << cs.N;
    if (cs.N <= 10) {
      EXPECT_NEAR(PaperOptimumDenseKKT(cs.N), fstar, 1e-9 * fstar) << "N = " << cs.N;
    }
  }
  double f64;
  ASSERT_TRUE(petal::NLPProblemCreate("poisson_paper_n64")->KnownOptimum(&f64));
  EXPECT_NEAR(f64, 4067.774, 5e-4);
  EXPECT_FALSE(petal::NLPProblemCreate("poisson_paper_n5")->KnownOptimum(&f64));
}

/* Max |y - s| over the grid at the discrete optimum, s the manufactured state. */
double SemilinearStateError(int N, double *uerr) {
  const auto          p = petal::NLPProblemCreate("semilinear_2d_n" + std::to_string(N));
  std::vector<double> x(p->NumVariables()), lambda(p->NumConstraints());
  p->StartPoint(x.data());
  p->StartMultipliers(lambda.data());
  EXPECT_LE(NewtonKKT(*p, x, lambda, 30, 1e-10), 1e-10);
  const int    n = N * N;
  const double h = 1.0 / (N + 1);
  double       err = 0.0;
  *uerr            = 0.0;
  for (int j = 0; j < N; ++j)
    for (int i = 0; i < N; ++i) {
      const double xc[2] = {(i + 1) * h, (j + 1) * h};
      const double s     = petal::control::SemilinearOptimalState(xc, 2);
      err                = std::max(err, std::fabs(x[i + j * N] - s));
      *uerr              = std::max(*uerr, std::fabs(x[n + i + j * N] - s));
    }
  return err;
}

TEST(Semilinear, DiscreteOptimumConvergesToTheManufacturedOne) {
  double       u7, u15;
  const double e7 = SemilinearStateError(7, &u7), e15 = SemilinearStateError(15, &u15);
  EXPECT_LT(e15, 0.05);
  EXPECT_LT(u15, 0.1);
  EXPECT_GT(e7 / e15, 3.0); /* O(h^2): h halves (8 -> 16 cells), the error drops about 4x */
  EXPECT_GT(u7 / u15, 3.0);
}

} // namespace
