// The training matrix (matrix-free Laplacian), Lanczos and the Ritz right-hand sides: the Laplacian against a
// plain triple loop; the extreme Ritz values against the box's known eigenvalues; the Ritz vectors orthonormal
// and true eigenvector approximations; the data normalised, free of the null space, reproducible; the loss
// against its formula, zero for an exact solve, invariant to the scale of f.
#include "dcdm_train_test_util.hpp"
#include "dataset.hpp"
#include <ATen/CPUGeneratorImpl.h>
#include <cmath>

using namespace petal::dcdm_train;

namespace
{
// y = A x for one n^3 grid, written cell by cell: diag = 6 (Dirichlet) or the in-box neighbour count (Neumann).
std::vector<double> LaplacianLoops(int n, Boundary bc, const std::vector<double> &x)
{
  std::vector<double> y(x.size());
  auto                at = [&](int k, int j, int i) { return ((size_t)k * n + j) * n + i; };
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        const int nb[6][3] = {{k - 1, j, i}, {k + 1, j, i}, {k, j - 1, i}, {k, j + 1, i}, {k, j, i - 1}, {k, j, i + 1}};
        double    v = 0, d = 0;
        for (auto &c : nb)
          if (c[0] >= 0 && c[0] < n && c[1] >= 0 && c[1] < n && c[2] >= 0 && c[2] < n) {
            v -= x[at(c[0], c[1], c[2])];
            d += 1;
          }
        y[at(k, j, i)] = (bc == Boundary::Dirichlet ? 6.0 : d) * x[at(k, j, i)] + v;
      }
  return y;
}

std::vector<double> ToVector(const torch::Tensor &t)
{
  auto c = t.to(torch::kFloat64).contiguous();
  return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
}
} // namespace

TEST(DCDMTrainData, LaplacianMatchesLoops)
{
  for (Boundary bc : {Boundary::Neumann, Boundary::Dirichlet}) {
    const int  n = 6;
    Laplacian  A(n, bc);
    const auto x = torch::randn({2, 1, n, n, n}, torch::kFloat64); // a batch: leading dimensions pass through
    const auto y = A.Apply(x);
    for (int s = 0; s < 2; ++s) {
      const std::vector<double> want = LaplacianLoops(n, bc, ToVector(x[s][0]));
      const std::vector<double> got  = ToVector(y[s][0]);
      for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-12) << MatrixName(bc) << " cell " << i;
    }
    // The Neumann box has the constants as null space; the Dirichlet box does not.
    const double c = A.Apply(torch::ones({n, n, n}, torch::kFloat64)).abs().max().item<double>();
    if (bc == Boundary::Neumann) EXPECT_LT(c, 1e-14);
    else EXPECT_GT(c, 0.5);
    // Float tensors use the float diagonal.
    EXPECT_EQ(A.Apply(x.to(torch::kFloat32)).scalar_type(), torch::kFloat32);
  }
}

TEST(DCDMTrainData, RitzValuesAndVectors)
{
  for (Boundary bc : {Boundary::Neumann, Boundary::Dirichlet}) {
    SCOPED_TRACE(MatrixName(bc));
    const int       n = 8, steps = 100; // fewer than the box's 119 distinct nonzero eigenvalues
    const Laplacian A(n, bc);
    const int64_t   nv = n * n * n;
    RitzPairs r = Lanczos([&](const torch::Tensor &x) { return A.Apply(x.view({n, n, n})).reshape({nv}); }, nv, steps, 17);
    ASSERT_EQ(r.steps, steps);
    ASSERT_EQ(r.vectors.sizes(), torch::IntArrayRef({nv, steps}));
    // Orthonormal Ritz vectors (full reorthogonalisation keeps the Lanczos basis orthonormal).
    const auto   VtV  = r.vectors.t().mm(r.vectors);
    const double orth = (VtV - torch::eye(steps, torch::kFloat64)).abs().max().item<double>();
    EXPECT_LT(orth, 1e-10);
    // The extremes of the spectrum converge first: the largest eigenvalue and the smallest nonzero one.
    const auto   vals = r.values;
    const double top  = vals[-1].item<double>();
    EXPECT_NEAR(top, A.LargestEigenvalue(), 1e-8 * A.LargestEigenvalue());
    // Neumann: the start A g has no constant component, so no Ritz value should be the null eigenvalue 0.
    int first = 0;
    while (first < steps && vals[first].item<double>() < 1e-8 * top) ++first;
    EXPECT_LE(first, 1); // at most a rounding-level copy of the null space
    EXPECT_NEAR(vals[first].item<double>(), A.SmallestNonzeroEigenvalue(), 1e-8 * A.SmallestNonzeroEigenvalue());
    // Every Ritz value lies in the spectrum's range, and the extreme Ritz pairs are eigenpairs.
    EXPECT_GE(vals[first].item<double>(), A.SmallestNonzeroEigenvalue() * (1 - 1e-10));
    EXPECT_LE(top, A.LargestEigenvalue() * (1 + 1e-10));
    for (int i : {first, steps - 1}) {
      const auto   v   = r.vectors.select(1, i);
      const double res = (A.Apply(v.view({n, n, n})).reshape({nv}) - vals[i] * v).norm().item<double>();
      EXPECT_LT(res, 1e-6) << "Ritz pair " << i;
    }
  }
}

TEST(DCDMTrainData, RitzValuesAreNearEigenvalues)
{
  // For a symmetric A and a unit v, some eigenvalue lies within ||A v - theta v|| of theta: every Ritz pair,
  // converged or not, must be that close to an eigenvalue of the box (all n^3 known in closed form).
  const int       n = 8;
  const Laplacian A(n, Boundary::Neumann);
  const int64_t   nv = n * n * n;
  RitzPairs r = Lanczos([&](const torch::Tensor &x) { return A.Apply(x.view({n, n, n})).reshape({nv}); }, nv, 90, 3);
  std::vector<double> exact;
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < n; ++b)
      for (int c = 0; c < n; ++c) exact.push_back(A.Eigenvalue(a, b, c));
  int converged = 0;
  for (int i = 0; i < r.steps; ++i) {
    const double v    = r.values[i].item<double>();
    const auto   x    = r.vectors.select(1, i);
    const double res  = (A.Apply(x.view({n, n, n})).reshape({nv}) - v * x).norm().item<double>();
    double       best = 1e300;
    for (double e : exact) best = std::min(best, std::fabs(e - v));
    EXPECT_LE(best, res * (1 + 1e-8) + 1e-12) << "Ritz value " << i << " = " << v;
    converged += res < 1e-8;
  }
  EXPECT_GE(converged, 4); // at least the ends of the spectrum
}

TEST(DCDMTrainData, LanczosStopsOnAnInvariantSubspace)
{
  // A diagonal operator with 5 distinct values: the Krylov space of any start is (at most) 5-dimensional, so 40
  // steps stop after 5, and the Ritz values are those 5 values.
  const int64_t nv = 200;
  const auto    d  = torch::arange(nv, torch::kFloat64).remainder(5) + 1; // 1, 2, 3, 4, 5, 1, 2, ...
  RitzPairs     r  = Lanczos([&](const torch::Tensor &x) { return d * x; }, nv, 40, 8);
  ASSERT_EQ(r.steps, 5);
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(r.values[i].item<double>(), i + 1.0, 1e-8);
}

TEST(DCDMTrainData, RightHandSides)
{
  DataSettings s;
  s.n             = 8;
  s.lanczos_steps = 80;
  s.ritz_theta    = 4;
  s.samples       = 30;
  s.validation    = 5;
  s.seed          = 9;
  const Dataset d = MakeDataset(s);
  ASSERT_EQ(d.train.sizes(), torch::IntArrayRef({30, 1, 8, 8, 8}));
  ASSERT_EQ(d.validation.sizes(), torch::IntArrayRef({5, 1, 8, 8, 8}));
  EXPECT_EQ(d.train.scalar_type(), torch::kFloat32);
  const auto norms = d.train.flatten(1).norm(2, {1});
  EXPECT_LT((norms - 1).abs().max().item<double>(), 1e-5);
  // No constant component (the Neumann null space is skipped), relative to the unit norm.
  EXPECT_LT(d.train.flatten(1).sum(1).abs().max().item<double>(), 1e-5);
  // The low end is boosted: most of each sample's energy sits in the lowest m/2+theta Ritz vectors (expected
  // share 81 * 44 / (81 * 44 + 36) = 99%).
  const auto coef = d.train.flatten(1).to(torch::kFloat64).mm(d.ritz.vectors); // (samples, m)
  const auto low  = coef.narrow(1, 0, BoostedCount(80, 4)).pow(2).sum(1);
  EXPECT_GT(low.min().item<double>(), 0.9);
  // Seeded: the same seed gives the same data, another seed other data; validation is not training data.
  const Dataset again = MakeDataset(s);
  EXPECT_TRUE(torch::equal(again.train, d.train));
  EXPECT_TRUE(torch::equal(again.validation, d.validation));
  s.seed              = 10;
  const Dataset other = MakeDataset(s);
  EXPECT_GT((other.train - d.train).abs().max().item<double>(), 0.01);
  const auto cross = d.validation.flatten(1).mm(d.train.flatten(1).t()).abs(); // |cosines|
  EXPECT_LT(cross.max().item<double>(), 0.99);
}

TEST(DCDMTrainData, Loss)
{
  const int       n = 6;
  const Laplacian A(n, Boundary::Dirichlet);
  const auto      f  = torch::randn({3, 1, n, n, n}, torch::kFloat64);
  auto            Af = A.Apply(f);
  // b = A f (normalised): one step along f solves exactly, loss 0.
  const auto b = Af / Af.flatten(1).norm(2, {1}).view({3, 1, 1, 1, 1});
  EXPECT_LT(DCDMLoss(b, f, A).item<double>(), 1e-24);
  // Against the formula for another b, and invariant to the scale (and sign) of f.
  const auto   b2 = torch::randn({3, 1, n, n, n}, torch::kFloat64);
  double       want = 0;
  for (int j = 0; j < 3; ++j) {
    const double fb = (f[j] * b2[j]).sum().item<double>(), fAf = (f[j] * Af[j]).sum().item<double>();
    want += (b2[j] - fb / fAf * Af[j]).pow(2).sum().item<double>() / 3;
  }
  EXPECT_NEAR(DCDMLoss(b2, f, A).item<double>(), want, 1e-10 * want);
  EXPECT_NEAR(DCDMLoss(b2, -7.5 * f, A).item<double>(), want, 1e-10 * want);
}
