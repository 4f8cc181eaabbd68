// The Kokkos kernels of the OT solver (solvers/ot/ot_kernels.hpp, launched through ot_passes.cpp)
// against their plain reference versions (ot_reference.cpp): every cost functor, small and extreme eta,
// one-pass and two-pass paths, plus the exp they are built on.
#include "ot_test_util.hpp"
#include <algorithm>
#include "solvers/ot/ot_passes.hpp"
#include "solvers/ot/ot_reference.hpp"

using namespace petal::ot;
namespace ref = petal::ot::reference;

namespace {

ref::Problem MakeProblem(int n, int m, int dim, CostKind kind, bool dense, std::uint64_t seed, double p = 2.0)
{
  ottest::Rng  g(seed);
  ref::Problem P;
  P.n = n, P.m = m, P.dim = dim, P.kind = kind, P.p = p, P.scale = 0.7;
  P.X.resize(static_cast<size_t>(n) * dim);
  P.Y.resize(static_cast<size_t>(m) * dim);
  for (double &v : P.X) v = g.Uniform();
  for (double &v : P.Y) v = g.Uniform();
  if (dense) { // the same costs, stored
    std::vector<double> C(static_cast<size_t>(n) * m);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < m; ++j) C[static_cast<size_t>(i) * m + j] = P.Cost(i, j);
    P.C     = C;
    P.dense = true;
  }
  return P;
}

Vec1 Dev(const std::vector<double> &v)
{
  Vec1 d("v", v.size());
  auto h = Kokkos::create_mirror_view(d);
  for (size_t k = 0; k < v.size(); ++k) h(k) = v[k];
  Kokkos::deep_copy(d, h);
  return d;
}

std::vector<double> Host(const Vec1 &d)
{
  auto                h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), d);
  std::vector<double> v(d.extent(0));
  for (size_t k = 0; k < v.size(); ++k) v[k] = h(k);
  return v;
}

CostSpec Spec(const ref::Problem &P)
{
  CostSpec s;
  s.dense = P.dense;
  s.kind  = P.kind;
  s.scale = P.scale;
  s.p     = P.p;
  s.dim   = P.dim;
  s.nRows = P.n;
  s.m     = P.m;
  if (P.dense) {
    s.C = Mat2("C", P.n, P.m);
    auto h = Kokkos::create_mirror_view(s.C);
    for (int i = 0; i < P.n; ++i)
      for (int j = 0; j < P.m; ++j) h(i, j) = P.C[static_cast<size_t>(i) * P.m + j];
    Kokkos::deep_copy(s.C, h);
  } else {
    s.X  = Mat2("X", P.n, P.dim);
    s.Yt = Mat2("Yt", P.dim, P.m);
    auto hx = Kokkos::create_mirror_view(s.X);
    auto hy = Kokkos::create_mirror_view(s.Yt);
    for (int i = 0; i < P.n; ++i)
      for (int k = 0; k < P.dim; ++k) hx(i, k) = P.X[static_cast<size_t>(i) * P.dim + k];
    for (int j = 0; j < P.m; ++j)
      for (int k = 0; k < P.dim; ++k) hy(k, j) = P.Y[static_cast<size_t>(j) * P.dim + k];
    Kokkos::deep_copy(s.X, hx);
    Kokkos::deep_copy(s.Yt, hy);
  }
  return s;
}

double MaxRelDiff(const std::vector<double> &a, const std::vector<double> &b, double floor = 1e-300)
{
  double d = 0;
  for (size_t k = 0; k < a.size(); ++k) d = std::max(d, std::fabs(a[k] - b[k]) / std::max(std::fabs(b[k]), floor));
  return d;
}

struct Case {
  int      dim;
  CostKind kind;
  bool     dense;
  double   p;
};
const Case kCases[] = {
  {2, CostKind::SqEuclidean, false, 2}, {1, CostKind::SqEuclidean, false, 2}, {3, CostKind::SqEuclidean, false, 2},
  {5, CostKind::SqEuclidean, false, 2}, {2, CostKind::Euclidean, false, 2},   {4, CostKind::Euclidean, false, 2},
  {2, CostKind::L1, false, 1},          {3, CostKind::PNorm, false, 1.5},     {2, CostKind::SqEuclidean, true, 2},
};
} // namespace

TEST(OTKernels, FastExpMatchesLibm)
{
  double worst = 0;
  for (double t = -1020.4; t < 1022.4; t += 0.0123457) worst = std::max(worst, std::fabs(FastExp2(t) / std::exp2(t) - 1));
  EXPECT_LT(worst, 2e-14); // 2^t itself: the degree-9 fit's 1.9e-14
  // exp(x) = 2^(x log2 e): rounding the product costs up to half an ulp of x log2 e (~|x| 1.6e-16) on top
  for (double x = -707.0; x < 708.5; x += 0.01234567) EXPECT_LT(std::fabs(FastExp(x) / std::exp(x) - 1), 2e-14 + 2.5e-16 * std::fabs(x)) << x;
  for (double x = -1e-3; x < 1e-3; x += 1.37e-6) EXPECT_LT(std::fabs(FastExp(x) / std::exp(x) - 1), 2e-14) << x;
  EXPECT_NEAR(FastExp(0.0), 1.0, 2e-14);
  EXPECT_NEAR(FastExp2(-3.0), 0.125, 0.125 * 2e-14);
  for (double x : {-1e300, -720.0, -5000.0, -745.3}) { // no subnormals: clamped near the smallest normal
    EXPECT_GE(FastExp(x), 2e-308) << x;
    EXPECT_LE(FastExp(x), 1e-307) << x;
  }
  EXPECT_GT(FastExp(1e300), 1e307); // saturates near 2^1022 instead of overflowing
  EXPECT_TRUE(std::isfinite(FastExp(1e300)));
  EXPECT_TRUE(std::isnan(FastExp(std::nan(""))));
}

TEST(OTKernels, SinkhornRowMatchesReference)
{
  for (const Case &cs : kCases)
    for (double eta : {3.0, 300.0, 1e4}) {
      SCOPED_TRACE("dim " + std::to_string(cs.dim) + " kind " + std::to_string(int(cs.kind)) + " dense " + std::to_string(cs.dense) + " eta " + std::to_string(eta));
      const int           n = 37, m = 53;
      ref::Problem        P = MakeProblem(n, m, cs.dim, cs.kind, cs.dense, 11, cs.p);
      ottest::Rng         g(5);
      std::vector<double> x(n), y(m), r(n), logr(n);
      for (double &v : x) v = 0.3 * g.Uniform();
      for (double &v : y) v = 0.3 * g.Uniform();
      for (int i = 0; i < n; ++i) {
        r[i]    = (0.5 + g.Uniform()) / n;
        logr[i] = std::log(r[i]);
      }
      std::vector<double> xRef, colRef;
      const double        errRef = ref::SinkhornRow(P, eta, x, y, r, &xRef, &colRef);
      std::vector<double> ey(m);
      for (int j = 0; j < m; ++j) ey[j] = eta * y[j];
      for (bool fused : {true, false}) {
        Scratch<Exec> s;
        Vec1          xNew("xNew", n), col("col", m);
        double        err;
        long long     fb;
        SinkhornRow(Spec(P), eta, Dev(x), Dev(ey), Dev(r), Dev(logr), xNew, fused, s, col, &err, &fb);
        EXPECT_LT(MaxRelDiff(Host(xNew), xRef, 1.0), 1e-12);
        if (std::isinf(errRef)) EXPECT_TRUE(std::isinf(err)); // the incoming plan overflows (eta = 1e4 here)
        else EXPECT_NEAR(err, errRef, 1e-12 * std::max(1.0, errRef));
        if (fused) EXPECT_LT(MaxRelDiff(Host(col), colRef, 1e-290), 1e-11);
        EXPECT_GE(fb, 0);
      }
    }
}

// The stored plan: diag(u) K 2^shift2 is the plan of the reference (libm exp), in double to the exp's accuracy and in
// float to float rounding (rows normalised); a scaling-domain row step on it matches the plain loops.
TEST(OTKernels, StoredPlanAndScalingRowMatchReference)
{
  for (const Case &cs : kCases)
    for (double eta : {3.0, 300.0, 1e4}) {
      SCOPED_TRACE("dim " + std::to_string(cs.dim) + " kind " + std::to_string(int(cs.kind)) + " dense " + std::to_string(cs.dense) + " eta " + std::to_string(eta));
      const int           n = 29, m = 41;
      ref::Problem        P = MakeProblem(n, m, cs.dim, cs.kind, cs.dense, 17, cs.p);
      ottest::Rng         g(9);
      std::vector<double> x(n), y(m), ex(n), ey(m), r(n), u(n), v(m);
      for (double &t : x) t = 0.3 * g.Uniform();
      for (double &t : y) t = 0.3 * g.Uniform();
      for (int i = 0; i < n; ++i) ex[i] = eta * x[i] - 1.0, r[i] = (0.5 + g.Uniform()) / n, u[i] = 0.5 + g.Uniform();
      for (int j = 0; j < m; ++j) ey[j] = eta * y[j], v[j] = 0.5 + g.Uniform();
      std::vector<double> rowP, colP;
      double              sumP, sumCP;
      ref::PlanSums(P, eta, ex, ey, &rowP, &colP, &sumP, &sumCP);
      const bool inRange = std::all_of(rowP.begin(), rowP.end(), [](double a) { return a >= kSumTiny && a <= kSumHuge; });
      for (bool useFloat : {false, true}) {
        SCOPED_TRACE(useFloat ? "float" : "double");
        Scratch<Exec> s;
        Vec1          shift2("shift2", n), uScale("u", n);
        long long     shifted;
        std::vector<double> K(static_cast<size_t>(n) * m);
        if (useFloat) {
          Mat2f Kd("Kf", n, m);
          BuildStoredKernel(Spec(P), eta, Dev(x), Dev(ey), s, Kd, uScale, shift2, &shifted);
          auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), Kd);
          for (int i = 0; i < n; ++i)
            for (int j = 0; j < m; ++j) K[static_cast<size_t>(i) * m + j] = h(i, j);
        } else {
          Mat2 Kd("K", n, m);
          BuildStoredKernel(Spec(P), eta, Dev(x), Dev(ey), s, Kd, uScale, shift2, &shifted);
          auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), Kd);
          for (int i = 0; i < n; ++i)
            for (int j = 0; j < m; ++j) K[static_cast<size_t>(i) * m + j] = h(i, j);
        }
        const std::vector<double> sh = Host(shift2), us = Host(uScale);
        std::vector<double>       rowK(n, 0.0);
        for (int i = 0; i < n; ++i) {
          for (int j = 0; j < m; ++j) rowK[i] += K[static_cast<size_t>(i) * m + j];
          EXPECT_TRUE(rowK[i] >= kSumTiny && rowK[i] <= kSumHuge) << "row " << i << " of K sums to " << rowK[i];
          if (useFloat) EXPECT_NEAR(rowK[i], 1.0, 1e-5) << "row " << i;
          // K 2^shift2 is the plan; compare the rows whose reference sums are representable
          if (!std::isfinite(rowP[i]) || rowP[i] < 1e-290 || rowP[i] > 1e290) continue;
          if (!useFloat) EXPECT_EQ(us[i], 1.0);
          EXPECT_NEAR(us[i] * rowK[i] * std::exp2(sh[i]) / rowP[i], 1.0, useFloat ? 1e-6 : 1e-12) << "row " << i;
        }
        if (inRange && !useFloat) EXPECT_EQ(shifted, 0);
        std::vector<double> uRef, colRef;
        const double        errRef = ref::ScalingRow(K, n, m, u, v, r, &uRef, &colRef);
        Vec1                uNew("uNew", n), col("col", m);
        double              err;
        long long           bad;
        if (useFloat) {
          Mat2f Kd("Kf", n, m);
          auto  h = Kokkos::create_mirror_view(Kd);
          for (int i = 0; i < n; ++i)
            for (int j = 0; j < m; ++j) h(i, j) = static_cast<float>(K[static_cast<size_t>(i) * m + j]);
          Kokkos::deep_copy(Kd, h);
          ScalingRow(Kd, Dev(u), Dev(v), Dev(r), uNew, s, col, &err, &bad);
        } else {
          Mat2 Kd("K", n, m);
          auto h = Kokkos::create_mirror_view(Kd);
          for (int i = 0; i < n; ++i)
            for (int j = 0; j < m; ++j) h(i, j) = K[static_cast<size_t>(i) * m + j];
          Kokkos::deep_copy(Kd, h);
          ScalingRow(Kd, Dev(u), Dev(v), Dev(r), uNew, s, col, &err, &bad);
        }
        EXPECT_EQ(bad, 0);
        EXPECT_LT(MaxRelDiff(Host(uNew), uRef), 1e-13);
        EXPECT_LT(MaxRelDiff(Host(col), colRef, 1e-300), 1e-13);
        EXPECT_NEAR(err, errRef, 1e-13 * std::max(1.0, errRef));
      }
    }
}

TEST(OTKernels, SinkhornRowAtExtremeEtaHasNoNaN)
{
  // eta = 1e6 with costs up to ~1: every entry of the starting plan underflows; the rows must take
  // the max-shifted path and still give finite, correct potentials.
  const int      n = 20, m = 30;
  ref::Problem   P = MakeProblem(n, m, 2, CostKind::SqEuclidean, false, 3);
  const double   eta = 1e6;
  std::vector<double> x(n, 0.0), y(m, 0.0), r(n, 1.0 / n), logr(n, std::log(1.0 / n)), ey(m, 0.0), xRef, colRef;
  ref::SinkhornRow(P, eta, x, y, r, &xRef, &colRef);
  Scratch<Exec> s;
  Vec1          xNew("xNew", n), col("col", m);
  double        err;
  long long     fb;
  SinkhornRow(Spec(P), eta, Dev(x), Dev(ey), Dev(r), Dev(logr), xNew, true, s, col, &err, &fb);
  EXPECT_GT(fb, n / 2); // rows with a target within ~0.02 still have a representable sum
  auto xs = Host(xNew);
  for (double v : xs) EXPECT_TRUE(std::isfinite(v));
  EXPECT_LT(MaxRelDiff(xs, xRef, 1.0), 1e-12);
}

TEST(OTKernels, ColumnLogSumExpMatchesReference)
{
  for (const Case &cs : kCases)
    for (double eta : {2.0, 500.0, 2e4, 1e6}) {
      SCOPED_TRACE("dim " + std::to_string(cs.dim) + " eta " + std::to_string(eta));
      const int           n = 41, m = 29;
      ref::Problem        P = MakeProblem(n, m, cs.dim, cs.kind, cs.dense, 17, cs.p);
      ottest::Rng         g(9);
      std::vector<double> ex(n), ey(m), logRef;
      for (double &v : ex) v = -1.0 - std::log(double(n)) + g.Uniform();
      for (double &v : ey) v = g.Uniform();
      ref::ColumnLogSumExp(P, eta, ex, ey, &logRef);
      for (bool onePass : {true, false}) {
        Scratch<Exec> s;
        Vec1          mx("mx", m), sm("sm", m);
        bool          twoPass;
        ColumnLogSumExp(Spec(P), eta, Dev(ex), Dev(ey), onePass, s, mx, sm, &twoPass);
        auto                hm = Host(mx), hs = Host(sm);
        std::vector<double> lse(m);
        for (int j = 0; j < m; ++j) lse[j] = hm[j] + std::log(hs[j]);
        // base-2 arithmetic and the expanded |x - y|^2: an absolute error ~1e-16 eta * C in the exponent
        EXPECT_LT(MaxRelDiff(lse, logRef, 1.0), 1e-11 + 2e-16 * eta);
        if (!onePass) EXPECT_TRUE(twoPass);
        if (eta == 1e6 && onePass) EXPECT_TRUE(twoPass); // the unshifted sums underflow: the kernel noticed
      }
    }
}

TEST(OTKernels, PlanSumsAndCollectMatchReference)
{
  for (const Case &cs : kCases) {
    SCOPED_TRACE("dim " + std::to_string(cs.dim));
    const int           n = 33, m = 47;
    const double        eta = 40.0;
    ref::Problem        P = MakeProblem(n, m, cs.dim, cs.kind, cs.dense, 23, cs.p);
    ottest::Rng         g(2);
    std::vector<double> ex(n), ey(m), tau(n);
    for (double &v : ex) v = -std::log(double(n)) + 0.5 * g.Uniform();
    for (double &v : ey) v = -std::log(double(m)) + 0.5 * g.Uniform();
    for (double &v : tau) v = 1e-4 * g.Uniform();
    std::vector<double> rowRef, colRef;
    double              sumPRef, sumCPRef;
    ref::PlanSums(P, eta, ex, ey, &rowRef, &colRef, &sumPRef, &sumCPRef);
    Scratch<Exec> s;
    Vec1          rowSum("row", n), colSum("col", m);
    double        sumP, sumCP;
    PlanSums(Spec(P), eta, Dev(ex), Dev(ey), s, rowSum, colSum, &sumP, &sumCP);
    EXPECT_LT(MaxRelDiff(Host(rowSum), rowRef), 1e-12); // FastExp: 2e-14, plus eta * C in base 2
    EXPECT_LT(MaxRelDiff(Host(colSum), colRef), 1e-12);
    EXPECT_NEAR(sumP, sumPRef, 1e-12 * sumPRef);
    EXPECT_NEAR(sumCP, sumCPRef, 1e-12 * sumCPRef);

    std::vector<int>    I, J;
    std::vector<double> V;
    ref::PlanCollect(P, eta, ex, ey, tau, &I, &J, &V);
    Entries e;
    PlanCollect(Spec(P), eta, Dev(ex), Dev(ey), Dev(tau), s, 1, &e); // tiny capacity hint: exercises the retry
    ASSERT_EQ(e.v.size(), V.size());
    for (size_t t = 0; t < V.size(); ++t) {
      EXPECT_EQ(e.i[t], I[t]);
      EXPECT_EQ(e.j[t], J[t]);
      EXPECT_NEAR(e.v[t], V[t], 1e-12 * V[t]);
    }
    EXPECT_NEAR(MaxCost(Spec(P), s), ref::MaxCost(P), 1e-14);
  }
}

TEST(OTKernels, HistogramCountsEveryNonzeroEntry)
{
  const int           n = 25, m = 31;
  ref::Problem        P = MakeProblem(n, m, 2, CostKind::SqEuclidean, false, 8);
  std::vector<double> ex(n, -3.0), ey(m, 0.0), tau(n, 0.0);
  for (double eta : {5.0, 3000.0}) {
    Scratch<Exec>          s;
    std::vector<long long> hist;
    PlanHistogram(Spec(P), eta, Dev(ex), Dev(ey), s, &hist);
    std::vector<int>    I, J;
    std::vector<double> V;
    ref::PlanCollect(P, eta, ex, ey, tau, &I, &J, &V);
    std::vector<long long> expect(2048, 0);
    for (double v : V)
      if (v >= 8 * 2.2250738585072014e-308) expect[static_cast<int>(std::floor(std::log2(v))) + 1023]++;
    long long total = 0;
    for (int k = 4; k < 2048; ++k) { // bins 0 to 3: subnormals and the ~2^-1021 floor FastExp clamps to
      EXPECT_NEAR(hist[k], expect[k], 2) << "bin " << k; // log2 rounding at bin edges may move an entry
      total += hist[k];
    }
    long long expectTotal = 0;
    for (long long v : expect) expectTotal += v;
    EXPECT_NEAR(total, expectTotal, 1);
  }
}
