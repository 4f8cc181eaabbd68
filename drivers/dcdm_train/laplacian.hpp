#pragma once
/* The training matrix, matrix-free: the 7-point Laplacian of an n^3 box of unit cells, applied to tensors whose
 * last three dimensions are (z, y, x). A x = d * x - (sum of the 6 neighbours, zero outside the box), with
 *   neumann:   d = number of neighbours inside the box (zero-flux walls; the reference's "empty box" matrix,
 *              singular with the constants as null space), eigenvalues 2 sum_a (1 - cos(pi k_a / n)), k_a in [0, n);
 *   dirichlet: d = 6 (walls at zero one cell outside the box), eigenvalues 2 sum_a (1 - cos(pi k_a / (n + 1))),
 *              k_a in [1, n].
 * Built from shifts and elementwise products only, so it is differentiable (the loss applies it to the network's
 * output) and works for float and double, with any leading (batch, channel) dimensions. */
#include <torch/torch.h>
#include <string>

namespace petal
{
namespace dcdm_train
{

enum class Boundary { Neumann, Dirichlet };
/* "neumann-box", "dirichlet-box": the train_matrix recorded in the weights file. */
const char *MatrixName(Boundary b);

class Laplacian {
public:
  Laplacian(int n, Boundary boundary);
  torch::Tensor Apply(const torch::Tensor &x) const;
  int           n() const { return n_; }
  Boundary      boundary() const { return boundary_; }
  /* The exact eigenvalue for the mode numbers (kz, ky, kx) (see above), for tests. */
  double Eigenvalue(int kz, int ky, int kx) const;
  double LargestEigenvalue() const;
  double SmallestNonzeroEigenvalue() const;

private:
  int           n_;
  Boundary      boundary_;
  torch::Tensor diag64_, diag32_; // the diagonal d, (n, n, n), in double and float
};

} // namespace dcdm_train
} // namespace petal
