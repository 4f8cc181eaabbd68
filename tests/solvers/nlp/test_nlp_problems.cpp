/* The problem library (solvers/nlp, PETSc-free): exact derivatives against central differences for every problem,
 * and every known optimum verified: a Newton-KKT iteration from the published solution (rounded as printed)
 * converges to a KKT point where f is the library's optimum to 1e-8, least-squares multipliers giving a KKT
 * residual below 1e-6 there. */
#include "nlp_test_util.hpp"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <random>
#include <string>

namespace {

using namespace nlptest;

std::vector<std::string> ProblemsWithDerivativeChecks() {
  std::vector<std::string> names = petal::NLPTestSetNames();
  for (const char *c : {"poisson_paper_n3", "poisson_paper_n4", "semilinear_2d_n4", "semilinear_3d_n3", "semilinear_2d_n3_a0.5"})
    names.push_back(c);
  return names;
}

/* The points of the derivative checks: the start point, and a random point near it. */
std::vector<std::vector<double>> CheckPoints(const NLPProblem &p) {
  const NLPIndex      n = p.NumVariables();
  std::vector<double> x0(n);
  p.StartPoint(x0.data());
  std::mt19937                           rng(2023);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  std::vector<double>                    xr = x0;
  for (double &v : xr) v += u(rng) * std::max(1.0, std::fabs(v));
  return {x0, xr};
}

/* Central-difference step and tolerance for derivatives of magnitude `scale` (second-order error + rounding). */
double Step(double x) { return 1e-5 * std::max(1.0, std::fabs(x)); }

class Derivatives : public ::testing::TestWithParam<std::string> {};

TEST_P(Derivatives, GradientJacobianHessianMatchCentralDifferences) {
  const auto p = petal::NLPProblemCreate(GetParam());
  ASSERT_TRUE(p) << GetParam();
  const NLPIndex n = p->NumVariables(), m = p->NumConstraints();
  ASSERT_GT(n, 0);
  ASSERT_GT(m, 0);
  ASSERT_LE(m, n);
  std::vector<double> lambda(m);
  std::mt19937        rng(7);
  std::normal_distribution<double> nd;
  for (double &l : lambda) l = nd(rng);
  for (const auto &x : CheckPoints(*p)) {
    std::vector<double> g(n);
    p->Gradient(x.data(), g.data());
    const std::vector<double> G = petal::nlp::DenseJacobian(*p, x.data());
    const std::vector<double> H = petal::nlp::DenseHessian(*p, x.data(), 0.7, lambda.data());
    for (NLPIndex j = 0; j < n; ++j) {
      std::vector<double> xp = x, xm = x;
      const double        h = Step(x[j]);
      xp[j] += h;
      xm[j] -= h;
      const double fd = (p->Objective(xp.data()) - p->Objective(xm.data())) / (2 * h);
      EXPECT_NEAR(g[j], fd, 1e-6 * std::max(1.0, std::fabs(fd))) << GetParam() << " df/dx" << j;
      std::vector<double> cp(m), cm(m);
      p->Constraints(xp.data(), cp.data());
      p->Constraints(xm.data(), cm.data());
      for (NLPIndex r = 0; r < m; ++r) {
        const double fdj = (cp[r] - cm[r]) / (2 * h);
        EXPECT_NEAR(G[r * n + j], fdj, 1e-6 * std::max(1.0, std::fabs(fdj))) << GetParam() << " dc" << r << "/dx" << j;
      }
      /* Column j of the Hessian of 0.7 f + lambda^T c from differences of its gradient. */
      std::vector<double> gp(n), gm(n);
      p->Gradient(xp.data(), gp.data());
      p->Gradient(xm.data(), gm.data());
      const std::vector<double> Gp = petal::nlp::DenseJacobian(*p, xp.data()), Gm = petal::nlp::DenseJacobian(*p, xm.data());
      for (NLPIndex i = 0; i < n; ++i) {
        double dp = 0.7 * gp[i], dm = 0.7 * gm[i];
        for (NLPIndex r = 0; r < m; ++r) {
          dp += lambda[r] * Gp[r * n + i];
          dm += lambda[r] * Gm[r * n + i];
        }
        const double fdh = (dp - dm) / (2 * h);
        EXPECT_NEAR(H[i * n + j], fdh, 1e-5 * std::max(1.0, std::fabs(fdh))) << GetParam() << " H(" << i << "," << j << ")";
      }
    }
  }
}

/* gtest names allow only letters, digits and '_'. */
std::string TestName(std::string name) {
  for (char &ch : name)
    if (!std::isalnum((unsigned char)ch)) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Library, Derivatives, ::testing::ValuesIn(ProblemsWithDerivativeChecks()),
                         [](const auto &info) { return TestName(info.param); });

/* Published solutions (as printed in the sources named in the library's files) and optimal values with the
 * number of significant digits printed. */
struct Published {
  const char         *name;
  std::vector<double> xstar;
  double              fstar;
  double              ftol; /* half a unit of the last printed digit */
};

const std::vector<Published> &PublishedSolutions() {
  const double                        s2 = std::sqrt(2.0);
  static const std::vector<Published> table = {
    {"hs6", {1.0, 1.0}, 0.0, 0.0},
    {"hs7", {0.0, std::sqrt(3.0)}, -1.7320508, 5e-8},
    {"hs28", {0.5, -0.5, 0.5}, 0.0, 0.0},
    {"hs40", {0.793701, 0.707107, 0.529732, 0.840896}, -0.25, 0.0},
    {"hs42", {2.0, 2.0, 0.6 * s2, 0.8 * s2}, 13.8578644, 5e-8},
    /* HS47: (1,...,1) is a KKT point with f = 0, but lower KKT points exist (f = -0.0267): no optimum claimed. */
    {"hs47", {1.0, 1.0, 1.0, 1.0, 1.0}, NAN, 0.0},
    {"hs48", {1.0, 1.0, 1.0, 1.0, 1.0}, 0.0, 0.0},
    {"hs50", {1.0, 1.0, 1.0, 1.0, 1.0}, 0.0, 0.0},
    {"hs51", {1.0, 1.0, 1.0, 1.0, 1.0}, 0.0, 0.0},
    {"hs52", {-33.0 / 349, 11.0 / 349, 180.0 / 349, -158.0 / 349, 11.0 / 349}, 5.326647564, 5e-10},
    {"hs56", {2.4, 1.2, 1.2, 0.857072, 0.563943, 0.563943, 1.570796}, -3.456, 0.0},
    {"hs77", {1.166172, 1.182111, 1.380257, 1.506036, 0.6109203}, 0.24150513, 5e-9},
    {"hs78", {-1.717143, 1.595709, 1.827247, -0.7636413, -0.7636450}, -2.91970041, 5e-9},
    {"hs79", {1.191127, 1.362603, 1.472818, 1.635017, 1.679081}, 0.0787768209, 5e-11},
    /* HS100LNP, GENHS28: x* rounded from a Newton-KKT solve (none printed in the SIF files). */
    {"hs100lnp", {2.33050, 1.95137, -0.47754, 4.36573, -0.62449, 1.03813, 1.59423}, 680.6300573, 1e-7}, /* printed truncated */
    {"genhs28", {0.164212, -0.052048, 0.313294, 0.141820, 0.134355, 0.196490, 0.157555, 0.162800, 0.172282, 0.164212}, 0.9271737, 5e-8},
    /* MWRIGHT: several KKT points (f = 1.2884 here; 24.979, 42.046 elsewhere): no optimum claimed. */
    {"mwright", {0.863082, 1.561117, 1.715363, 2.209782, 2.317278}, NAN, 0.0},
    {"bt2", {1.1049, 1.1967, 1.5353}, 0.032568200, 5e-10},
    /* BT3: the SIF file's 4.09301056 is 1.3e-5 below the exact QP optimum 176/43 at its own printed x*. */
    {"bt3", {-0.76744, 0.25581, 0.62791, -0.11628, 0.25581}, 4.09301056, 1.3e-5},
    {"bt5", {3.5121, 0.21699, 3.5522}, 961.71517219, 1e-7},
    /* BT6, BT11, BT12: no x* printed in the SIF files; x* here rounded from a Newton-KKT solve, f* the SIF's
     * (BT6 and BT11 printed to about 2e-7 relative). */
    {"bt6", {1.28693, 1.48024, 1.37945, 1.32195, 0.62872}, 0.277044924, 2e-7},
    {"bt9", {1.0, 1.0, 0.0, 0.0}, -1.0, 0.0},
    {"bt10", {1.0, 1.0}, -1.0, 0.0},
    {"bt11", {1.26758, 0.96530, 0.35104, -0.01364, -0.73242}, 0.824891647, 2e-7},
    {"bt12", {24.7525, 0.24752, 0.0, 24.2435, 4.76996}, 6.18811881, 5e-9},
  };
  return table;
}

TEST(Optima, EveryTestSetProblemHasAPublishedSolution) {
  for (const auto &name : petal::NLPTestSetNames()) {
    bool found = false;
    for (const auto &pub : PublishedSolutions()) found = found || name == pub.name;
    EXPECT_TRUE(found) << name << " has no published solution in this test";
  }
}

void PrintTo(const Published &p, std::ostream *os) { *os << p.name; }

class Optimum : public ::testing::TestWithParam<Published> {};

TEST_P(Optimum, NewtonFromThePublishedSolutionReachesTheKnownOptimum) {
  const Published &pub = GetParam();
  const auto       p   = petal::NLPProblemCreate(pub.name);
  ASSERT_TRUE(p);
  ASSERT_EQ(size_t(p->NumVariables()), pub.xstar.size());
  std::vector<double> x = pub.xstar, lambda(p->NumConstraints());
  ASSERT_TRUE(petal::nlp::LeastSquaresMultipliers(*p, x.data(), lambda.data()));
  const double res = NewtonKKT(*p, x, lambda);
  EXPECT_LE(res, 1e-10) << pub.name;
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(x[i], pub.xstar[i], 1e-3) << pub.name << " x" << i;
  /* Least-squares multipliers at the converged point: the KKT residual of x alone. */
  std::vector<double> lls(p->NumConstraints());
  ASSERT_TRUE(petal::nlp::LeastSquaresMultipliers(*p, x.data(), lls.data()));
  double gl, cn;
  petal::NLPKKTResidual(*p, x.data(), lls.data(), &gl, &cn);
  EXPECT_LE(std::hypot(gl, cn), 1e-6) << pub.name;
  double fstar = 0.0;
  EXPECT_EQ(p->KnownOptimum(&fstar), !std::isnan(pub.fstar)) << pub.name;
  if (p->KnownOptimum(&fstar)) {
    const double f = p->Objective(x.data());
    EXPECT_NEAR(f, fstar, 1e-8 * std::fabs(fstar) + 1e-12) << pub.name;
    EXPECT_NEAR(fstar, pub.fstar, pub.ftol + 1e-12 * std::fabs(pub.fstar)) << pub.name << ": the library's optimum is not the published one";
  }
}

INSTANTIATE_TEST_SUITE_P(Library, Optimum, ::testing::ValuesIn(PublishedSolutions()),
                         [](const auto &info) { return std::string(info.param.name); });

TEST(Names, UnknownAndMalformedNamesGiveNull) {
  for (const char *bad : {"", "hs", "hs999", "poisson_paper_n", "poisson_paper_n0", "poisson_paper_n3x", "semilinear_4d_n8",
                          "semilinear_2d_n", "semilinear_2d_n8_a", "semilinear_2d_n8_a-1", "semilinear_2d_n8_ax", "semilinear_2d_n8_b1"})
    EXPECT_FALSE(petal::NLPProblemCreate(bad)) << bad;
  for (const auto &name : petal::NLPTestSetNames()) {
    const auto p = petal::NLPProblemCreate(name);
    ASSERT_TRUE(p);
    EXPECT_EQ(p->Name(), name);
  }
  EXPECT_EQ(petal::NLPProblemCreate("semilinear_3d_n5")->Name(), "semilinear_3d_n5");
  EXPECT_EQ(petal::NLPProblemCreate("semilinear_2d_n7_a0.5")->NumVariables(), 2 * 49);
  EXPECT_EQ(petal::NLPProblemCreate("poisson_paper_n3")->NumConstraints(), 9);
}

} // namespace
