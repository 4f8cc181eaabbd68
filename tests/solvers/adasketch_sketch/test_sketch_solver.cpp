// Sketch-and-project solvers of TAOADASKETCH (solvers/adasketch/sketch/sketch_solver.hpp):
//   1. the Kokkos solver takes the reference solver's steps (Kaczmarz and Gaussian, q = 1 and 3): iterates equal
//      to 1e-12 relative after hundreds of steps, same step counts;
//   2. both converge to the dense solution of random nonsingular KKT systems and of the paper's Poisson control KKT;
//   3. the error |z - z*| never grows (each step is an orthogonal projection) and the residual falls on average;
//   4. the counter-based stream: same (seed, stream) -> same iterates, on every rank (checked across 2 ranks);
//   5. the tracked residual norm is the true one after more steps than the refresh period;
//   6. bad input throws std::invalid_argument.
#include "petal_test.hpp"
#include "kkt_test_systems.hpp"
#include <algorithm>
#include <stdexcept>
#include <tuple>

using petal::adasketch::KKTCsr;
using petal::adasketch::MakeKokkosSketchSolver;
using petal::adasketch::MakeReferenceSketchSolver;
using petal::adasketch::SketchKind;
using petal::adasketch::SketchSettings;
using petal::adasketch::SketchStats;

namespace {
SketchSettings Settings(SketchKind kind, int q, std::uint64_t seed = 2023)
{
  SketchSettings s;
  s.kind  = kind;
  s.block = q;
  s.seed  = seed;
  return s;
}

double MaxRelDiff(const std::vector<double> &a, const std::vector<double> &b)
{
  double d = 0, s = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    d = std::max(d, std::fabs(a[i] - b[i]));
    s = std::max(s, std::fabs(b[i]));
  }
  return d / std::max(s, 1e-300);
}

const char *KindName(SketchKind k) { return k == SketchKind::Kaczmarz ? "kaczmarz" : "gaussian"; }

class SketchParam : public ::testing::TestWithParam<std::tuple<SketchKind, int>> {};
} // namespace

TEST_P(SketchParam, KokkosTakesTheReferenceSteps)
{
  const auto [kind, q] = GetParam();
  const KKTCsr K       = kkt_test::RandomKKT(30, 12, 7);
  const auto   g       = kkt_test::RandomVector(K.n, 11);
  auto         ref = MakeReferenceSketchSolver(Settings(kind, q)), kok = MakeKokkosSketchSolver(Settings(kind, q));
  ref->SetOperator(K);
  kok->SetOperator(K);
  std::vector<double> zr(K.n, 0.0), zk(K.n, 0.0);
  // three calls, warm-started, each on its own stream; the last one stops on a target instead of maxSteps
  for (int call = 0; call < 3; ++call) {
    const double       target = call < 2 ? 0.0 : 1e-3 * kkt_test::Norm(g);
    const std::int64_t steps  = call < 2 ? 400 : 100000;
    const SketchStats  sr     = ref->Solve(zr, g, target, steps, 1000 + call);
    const SketchStats  sk     = kok->Solve(zk, g, target, steps, 1000 + call);
    EXPECT_EQ(sr.steps, sk.steps) << KindName(kind) << " q=" << q << " call " << call;
    EXPECT_EQ(sr.reachedTarget, sk.reachedTarget);
    EXPECT_LE(MaxRelDiff(zk, zr), 1e-12) << KindName(kind) << " q=" << q << " call " << call;
    EXPECT_NEAR(sk.residualNorm, sr.residualNorm, 1e-12 * kkt_test::Norm(g));
    if (call == 2) EXPECT_TRUE(sr.reachedTarget);
  }
}

TEST_P(SketchParam, ConvergesToTheDenseSolution)
{
  const auto [kind, q] = GetParam();
  for (std::uint64_t seed : {3u, 5u}) {
    const KKTCsr K     = kkt_test::RandomKKT(20, 8, seed);
    const auto   g     = kkt_test::RandomVector(K.n, seed + 100);
    const auto   zstar = kkt_test::DenseSolve(K, g);
    for (int backend = 0; backend < 2; ++backend) {
      auto s = backend == 0 ? MakeReferenceSketchSolver(Settings(kind, q)) : MakeKokkosSketchSolver(Settings(kind, q));
      s->SetOperator(K);
      std::vector<double> z(K.n, 0.0);
      const double        target = 1e-11 * kkt_test::Norm(g);
      const SketchStats   st     = s->Solve(z, g, target, 2000000, 1);
      ASSERT_TRUE(st.reachedTarget) << KindName(kind) << " q=" << q << " backend " << backend << " residual " << st.residualNorm;
      EXPECT_LE(st.residualNorm, target);
      EXPECT_GT(st.steps, 0);
      const auto r = kkt_test::Multiply(K, z);
      double     t = 0;
      for (std::int64_t i = 0; i < K.n; ++i) t += (r[i] + g[i]) * (r[i] + g[i]);
      EXPECT_LE(std::sqrt(t), target * (1 + 1e-6)); // the reported norm is the true one
      EXPECT_LE(MaxRelDiff(z, zstar), 1e-8) << KindName(kind) << " q=" << q;
    }
  }
}

TEST_P(SketchParam, ErrorNeverGrowsAndResidualFallsOnAverage)
{
  const auto [kind, q] = GetParam();
  const KKTCsr K       = kkt_test::RandomKKT(16, 6, 21);
  const auto   g       = kkt_test::RandomVector(K.n, 22);
  const auto   zstar   = kkt_test::DenseSolve(K, g);
  auto         s       = MakeKokkosSketchSolver(Settings(kind, q));
  s->SetOperator(K);
  const double r0 = kkt_test::Norm(g); // residual at z = 0
  double       meanRatio = 0;
  const int    runs      = 40;
  for (int run = 0; run < runs; ++run) {
    std::vector<double> z(K.n, 0.0);
    double              err = kkt_test::Norm(zstar);
    for (int step = 0; step < K.n; ++step) {
      s->Solve(z, g, 0.0, 1, 1000 * run + step); // one step per call, each from its own stream
      std::vector<double> e(K.n);
      for (std::int64_t i = 0; i < K.n; ++i) e[i] = z[i] - zstar[i];
      const double errNext = kkt_test::Norm(e);
      EXPECT_LE(errNext, err * (1 + 1e-12)) << KindName(kind) << " q=" << q << " run " << run << " step " << step;
      err = errNext;
    }
    const auto r = kkt_test::Multiply(K, z);
    double     t = 0;
    for (std::int64_t i = 0; i < K.n; ++i) t += (r[i] + g[i]) * (r[i] + g[i]);
    meanRatio += std::sqrt(t) / r0 / runs;
  }
  EXPECT_LT(meanRatio, 0.9) << KindName(kind) << " q=" << q << ": mean |r_n|/|r_0| over " << runs << " runs of n steps";
}

TEST_P(SketchParam, SameOnEveryRank)
{
  const auto [kind, q] = GetParam();
  const KKTCsr K       = kkt_test::PaperControlKKT(6);
  std::vector<double> g;
  kkt_test::PaperControlKKT(6, &g);
  auto s = MakeKokkosSketchSolver(Settings(kind, q, 99));
  s->SetOperator(K);
  std::vector<double> z(K.n, 0.0);
  const SketchStats   st = s->Solve(z, g, 0.0, 1500, 42);
  std::vector<double> zmin(K.n), zmax(K.n);
  ASSERT_EQ(MPI_Allreduce(z.data(), zmin.data(), (int)K.n, MPI_DOUBLE, MPI_MIN, PETSC_COMM_WORLD), MPI_SUCCESS);
  ASSERT_EQ(MPI_Allreduce(z.data(), zmax.data(), (int)K.n, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD), MPI_SUCCESS);
  EXPECT_EQ(zmin, zmax) << "iterates differ between ranks";
  EXPECT_EQ(st.steps, 1500);
  // and they are a function of (seed, stream) only: again the same, another stream different
  std::vector<double> z2(K.n, 0.0), z3(K.n, 0.0);
  s->Solve(z2, g, 0.0, 1500, 42);
  s->Solve(z3, g, 0.0, 1500, 43);
  EXPECT_EQ(z, z2);
  EXPECT_NE(z, z3);
}

INSTANTIATE_TEST_SUITE_P(Sketches, SketchParam,
                         ::testing::Combine(::testing::Values(SketchKind::Kaczmarz, SketchKind::Gaussian), ::testing::Values(1, 3)),
                         [](const auto &info) { return std::string(KindName(std::get<0>(info.param))) + "_q" + std::to_string(std::get<1>(info.param)); });

TEST(SketchSolver, PoissonControlKKTSolvedWithTrackedNormExact)
{
  // N = 5 (n = 75): many more steps than the refresh period; the returned norm must be the true residual, and
  // the solution the dense one. Kaczmarz only: the Gaussian sketch's rate, lambda_min(K^2) / |K|_F^2, is ~1e-8
  // per step on this ill-conditioned K (it converges, just not within a test's time).
  std::vector<double> g;
  const KKTCsr        K     = kkt_test::PaperControlKKT(5, &g);
  const auto          zstar = kkt_test::DenseSolve(K, g);
  for (int q : {1, 3}) {
    const SketchKind kind = SketchKind::Kaczmarz;
    auto             s    = MakeKokkosSketchSolver(Settings(kind, q));
    s->SetOperator(K);
    std::vector<double> z(K.n, 0.0);
    const double        target = 1e-7 * kkt_test::Norm(g);
    const SketchStats   st     = s->Solve(z, g, target, 5000000, 7);
    ASSERT_TRUE(st.reachedTarget) << KindName(kind) << ": " << st.residualNorm << " after " << st.steps;
    EXPECT_GT(st.steps, 2 * 1000);
    const auto r = kkt_test::Multiply(K, z);
    double     t = 0;
    for (std::int64_t i = 0; i < K.n; ++i) t += (r[i] + g[i]) * (r[i] + g[i]);
    EXPECT_NEAR(std::sqrt(t), st.residualNorm, 1e-6 * target);
    EXPECT_LE(MaxRelDiff(z, zstar), 1e-4) << KindName(kind);
  }
}

TEST(SketchSolver, MaxStepsStopsWithoutReachingTarget)
{
  const KKTCsr K = kkt_test::RandomKKT(20, 8, 3);
  const auto   g = kkt_test::RandomVector(K.n, 4);
  for (int backend = 0; backend < 2; ++backend) {
    auto s = backend == 0 ? MakeReferenceSketchSolver(Settings(SketchKind::Kaczmarz, 1)) : MakeKokkosSketchSolver(Settings(SketchKind::Kaczmarz, 1));
    s->SetOperator(K);
    std::vector<double> z(K.n, 0.0);
    const SketchStats   st = s->Solve(z, g, 1e-14, 10, 1);
    EXPECT_EQ(st.steps, 10);
    EXPECT_FALSE(st.reachedTarget);
    // an already converged start takes no step
    std::vector<double> zstar = kkt_test::DenseSolve(K, g);
    const SketchStats   s0    = s->Solve(zstar, g, 1e-8, 10, 2);
    EXPECT_EQ(s0.steps, 0);
    EXPECT_TRUE(s0.reachedTarget);
  }
}

TEST(SketchSolver, BadInputThrows)
{
  for (int backend = 0; backend < 2; ++backend) {
    auto make = [backend](const SketchSettings &s) { return backend == 0 ? MakeReferenceSketchSolver(s) : MakeKokkosSketchSolver(s); };
    EXPECT_THROW(make(Settings(SketchKind::Kaczmarz, 0)), std::invalid_argument);
    EXPECT_THROW(make(Settings(SketchKind::Gaussian, 1000)), std::invalid_argument);
    auto   s = make(Settings(SketchKind::Kaczmarz, 1));
    KKTCsr K = kkt_test::RandomKKT(6, 2, 1);
    KKTCsr nonsym = K;
    nonsym.val[1] += 1.0; // row 0's first off-diagonal entry, its mirror unchanged
    EXPECT_THROW(s->SetOperator(nonsym), std::invalid_argument);
    KKTCsr unsorted = K;
    std::swap(unsorted.col[0], unsorted.col[1]);
    EXPECT_THROW(s->SetOperator(unsorted), std::invalid_argument);
    KKTCsr outOfRange = K;
    outOfRange.col.back() = K.n;
    EXPECT_THROW(s->SetOperator(outOfRange), std::invalid_argument);
    KKTCsr shortRowptr = K;
    shortRowptr.rowptr.pop_back();
    EXPECT_THROW(s->SetOperator(shortRowptr), std::invalid_argument);
    s->SetOperator(K);
    std::vector<double> z(K.n - 1, 0.0), g(K.n, 1.0);
    EXPECT_THROW(s->Solve(z, g, 1e-8, 10, 0), std::invalid_argument);
    z.assign(K.n, 0.0);
    g[2] = std::nan("");
    EXPECT_THROW(s->Solve(z, g, 1e-8, 10, 0), std::invalid_argument);
  }
}
