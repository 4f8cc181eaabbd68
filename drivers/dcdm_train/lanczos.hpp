#pragma once
/* Ritz pairs of a symmetric operator by Lanczos with full reorthogonalisation, in double precision
 * (ayano721/2023_DCDM src/datasetcreate.py, lib/conjugate_gradient.py::lanczos_iteration_with_normalization_correction):
 * start q1 = A g / ||A g|| with g ~ N(0, 1) (for a singular A this start has no null-space component), m steps
 * q_{j+1} beta_j = A q_j - alpha_j q_j - beta_{j-1} q_{j-1}, each new vector orthogonalised again against all
 * previous ones (classical Gram-Schmidt, twice), then T = tridiag(beta, alpha, beta) = Q diag(theta) Q^T
 * (torch::linalg_eigh) and the Ritz vectors V = W Q, W = [q_1 .. q_m].
 * Stops early when the Krylov space is (nearly) exhausted: beta_j below 1e-8 of the largest |alpha|. */
#include <torch/torch.h>
#include <cstdint>
#include <functional>

namespace petal
{
namespace dcdm_train
{

struct RitzPairs {
  torch::Tensor values;  // (k) double, ascending
  torch::Tensor vectors; // (n, k) double, orthonormal columns, column i belongs to values[i]
  int           steps = 0; // k: Lanczos steps taken (<= the steps asked for)
};

/* apply: y = A x for x of shape (n) double. */
RitzPairs Lanczos(const std::function<torch::Tensor(const torch::Tensor &)> &apply, int64_t n, int steps, uint64_t seed);

} // namespace dcdm_train
} // namespace petal
