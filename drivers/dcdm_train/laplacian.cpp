// Matrix-free 7-point Laplacian on a box (see laplacian.hpp).
#include "laplacian.hpp"
#include <cmath>

namespace petal
{
namespace dcdm_train
{

const char *MatrixName(Boundary b) { return b == Boundary::Neumann ? "neumann-box" : "dirichlet-box"; }

Laplacian::Laplacian(int n, Boundary boundary) : n_(n), boundary_(boundary)
{
  if (boundary == Boundary::Dirichlet) diag64_ = torch::full({n, n, n}, 6.0, torch::kFloat64);
  else {
    // Neighbours inside the box: 6 minus one per wall the cell touches (the Neumann rows lose those entries).
    auto walls1 = torch::zeros({n}, torch::kFloat64);
    walls1[0] += 1;
    walls1[n - 1] += 1; // n == 1 would touch both walls
    diag64_ = 6.0 - (walls1.view({n, 1, 1}) + walls1.view({1, n, 1}) + walls1.view({1, 1, n}));
  }
  diag32_ = diag64_.to(torch::kFloat32);
}

torch::Tensor Laplacian::Apply(const torch::Tensor &x) const
{
  const int64_t n = n_;
  TORCH_CHECK(x.dim() >= 3 && x.size(-1) == n && x.size(-2) == n && x.size(-3) == n, "Laplacian of a ", n, "^3 box applied to a tensor of shape ", x.sizes());
  const auto p = torch::constant_pad_nd(x, {1, 1, 1, 1, 1, 1}, 0.0); // zero outside the box
  auto nb = [&](int64_t dz, int64_t dy, int64_t dx) { return p.narrow(-3, 1 + dz, n).narrow(-2, 1 + dy, n).narrow(-1, 1 + dx, n); };
  const auto neighbours = nb(-1, 0, 0) + nb(1, 0, 0) + nb(0, -1, 0) + nb(0, 1, 0) + nb(0, 0, -1) + nb(0, 0, 1);
  const auto &d = x.scalar_type() == torch::kFloat32 ? diag32_ : x.scalar_type() == torch::kFloat64 ? diag64_ : diag64_.to(x.scalar_type());
  return d * x - neighbours;
}

double Laplacian::Eigenvalue(int kz, int ky, int kx) const
{
  const double m = boundary_ == Boundary::Neumann ? n_ : n_ + 1.0;
  auto         e = [&](int k) { return 2.0 * (1.0 - std::cos(M_PI * k / m)); };
  return e(kz) + e(ky) + e(kx);
}

double Laplacian::LargestEigenvalue() const
{
  const int k = boundary_ == Boundary::Neumann ? n_ - 1 : n_;
  return Eigenvalue(k, k, k);
}

double Laplacian::SmallestNonzeroEigenvalue() const { return boundary_ == Boundary::Neumann ? Eigenvalue(0, 0, 1) : Eigenvalue(1, 1, 1); }

} // namespace dcdm_train
} // namespace petal
