// Lanczos with full reorthogonalisation (see lanczos.hpp).
#include "lanczos.hpp"
#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <cmath>

namespace petal
{
namespace dcdm_train
{

RitzPairs Lanczos(const std::function<torch::Tensor(const torch::Tensor &)> &apply, int64_t n, int steps, uint64_t seed)
{
  TORCH_CHECK(steps >= 1 && steps <= n, "Lanczos: steps must be in [1, ", n, "], got ", steps);
  torch::NoGradGuard no_grad;
  const auto         f64 = torch::TensorOptions().dtype(torch::kFloat64);
  at::Generator      gen = at::detail::createCPUGenerator(seed);
  torch::Tensor      W   = torch::zeros({steps, n}, f64); // rows: the Lanczos vectors q_1 .. q_m
  std::vector<double> alpha, beta;

  torch::Tensor q = apply(at::randn({n}, gen, f64));
  q /= q.norm();
  double alphaMax = 0;
  int    k        = 0;
  for (int j = 0; j < steps; ++j) {
    W[j].copy_(q);
    k             = j + 1;
    torch::Tensor w = apply(q);
    const double  a = w.dot(q).item<double>();
    alpha.push_back(a);
    alphaMax = std::max(alphaMax, std::fabs(a));
    w -= a * q;
    if (j > 0) w -= beta.back() * W[j - 1];
    // Full reorthogonalisation against q_1 .. q_{j+1}; twice is enough (Kahan's "twice is enough").
    const auto Wj = W.narrow(0, 0, j + 1);
    for (int pass = 0; pass < 2; ++pass) w -= Wj.t().mv(Wj.mv(w));
    if (j + 1 == steps) break;
    const double b = w.norm().item<double>();
    // An (almost) invariant subspace: the Ritz values are eigenvalues to about b. Going on would normalise
    // rounding noise amplified by 1/b into the next vector, i.e. restart from an arbitrary direction.
    if (!(b > 1e-8 * alphaMax)) break;
    beta.push_back(b);
    q = w / b;
  }

  const auto a = torch::tensor(alpha, f64), b = torch::tensor(std::vector<double>(beta.begin(), beta.begin() + (k - 1)), f64);
  const auto T = torch::diag(a) + torch::diag(b, 1) + torch::diag(b, -1);
  auto [theta, Q] = torch::linalg_eigh(T);
  RitzPairs r;
  r.values  = theta;
  r.vectors = W.narrow(0, 0, k).t().mm(Q); // (n, k)
  r.steps   = k;
  return r;
}

} // namespace dcdm_train
} // namespace petal
