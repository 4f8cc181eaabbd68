// Ritz-vector right-hand sides (see dataset.hpp).
#include "dataset.hpp"
#include <ATen/CPUGeneratorImpl.h>
#include <chrono>

namespace petal
{
namespace dcdm_train
{

torch::Tensor RitzRightHandSides(const RitzPairs &ritz, int count, int theta, bool remove_constant, at::Generator &gen, int *null_skipped)
{
  torch::NoGradGuard no_grad;
  const auto    f64  = torch::TensorOptions().dtype(torch::kFloat64);
  const int64_t k    = ritz.steps;
  // Per-pair scale: 0 for the null space, 9 for the boosted low end, 1 otherwise (indices count every pair).
  const double  vmax  = ritz.values.abs().max().item<double>();
  auto          scale = torch::ones({k}, f64);
  scale.narrow(0, 0, std::min<int64_t>(k, BoostedCount(ritz.steps, theta))).fill_(9.0);
  const auto null = ritz.values < 1e-8 * vmax;
  scale.masked_fill_(null, 0.0);
  if (null_skipped) *null_skipped = (int)null.sum().item<int64_t>();

  const int64_t n     = ritz.vectors.size(0);
  auto          out   = torch::empty({count, n}, f64);
  const int64_t chunk = 128; // bounds the (n, chunk) temporary
  for (int64_t s = 0; s < count; s += chunk) {
    const int64_t m = std::min<int64_t>(chunk, count - s);
    const auto    c = at::randn({m, k}, gen, f64) * scale;
    auto          b = c.mm(ritz.vectors.t());              // (m, n)
    // The Ritz vectors carry rounding-level traces of the null space (amplified where Lanczos' beta is small);
    // the samples are meant to lie in the range of A.
    if (remove_constant) b -= b.mean(1, true);
    b /= b.norm(2, {1}, true);
    out.narrow(0, s, m).copy_(b);
  }
  return out;
}

Dataset MakeDataset(const DataSettings &s)
{
  using Clock = std::chrono::steady_clock;
  torch::NoGradGuard no_grad;
  Dataset            d;
  const Laplacian    A(s.n, s.boundary);
  const int64_t      nv   = (int64_t)s.n * s.n * s.n;
  auto               grid = [&](const torch::Tensor &x) { return A.Apply(x.view({s.n, s.n, s.n})).reshape({nv}); };
  auto               t0   = Clock::now();
  d.ritz                  = Lanczos(grid, nv, s.lanczos_steps, s.seed);
  auto t1                 = Clock::now();
  // The coefficients come from their own stream (seed + 1), so changing the sample counts leaves the Lanczos
  // start unchanged; validation follows training in the same stream.
  at::Generator gen = at::detail::createCPUGenerator(s.seed + 1);
  auto          all = RitzRightHandSides(d.ritz, s.samples + s.validation, s.ritz_theta, s.boundary == Boundary::Neumann, gen, &d.null_skipped);
  all               = all.to(torch::kFloat32).view({s.samples + s.validation, 1, s.n, s.n, s.n});
  d.train           = all.narrow(0, 0, s.samples).clone();
  d.validation      = all.narrow(0, s.samples, s.validation).clone();
  d.lanczos_seconds = std::chrono::duration<double>(t1 - t0).count();
  d.sample_seconds  = std::chrono::duration<double>(Clock::now() - t1).count();
  return d;
}

} // namespace dcdm_train
} // namespace petal
