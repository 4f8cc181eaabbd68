// The libtorch network (drivers/dcdm_train/torch_net) against petal's Kokkos forward (learned/cnn Forward<float>,
// Forward<double>) and the whole-grid double reference (ref::ForwardWholeGrid) on the same random weights (biases
// too) and input: from64 and small custom nets, on grids whose three extents differ, so that a swapped axis or a
// transposed kernel shows. Also the kernel layout conversion both ways.
#include "dcdm_train_test_util.hpp"
#include "learned/cnn/forward.hpp"
#include "learned/cnn/layers_reference.hpp"
#include <cmath>
#include <random>

using namespace petal;
using namespace petal::dcdm_train;

namespace
{

cnn::NetSpec Custom(int C, int fine, int coarse, int up)
{
  cnn::NetSpec s = cnn::From64();
  s.arch         = "custom";
  s.channels     = C;
  s.fine_pairs   = fine;
  s.coarse_pairs = coarse;
  s.up_pairs     = up;
  return s;
}

// RandomWeights leaves the biases zero; give them values so that bias handling is compared too.
cnn::Weights WeightsWithBiases(const cnn::NetSpec &spec, unsigned seed)
{
  cnn::Weights                     w = cnn::RandomWeights(spec, seed);
  std::mt19937                     rng(seed);
  std::uniform_real_distribution<> u(-0.1, 0.1);
  for (auto &c : w.convs)
    for (float &b : c.bias) b = (float)u(rng);
  return w;
}

template <class S>
std::vector<double> KokkosForward(const cnn::Weights &w, int nx, int ny, int nz, const std::vector<double> &in)
{
  const cnn::Block                   b{nx, ny, nz};
  Kokkos::View<S *, petal::MemSpace> din("in", in.size()), dout("out", in.size());
  auto                               h = Kokkos::create_mirror_view(din);
  for (size_t i = 0; i < in.size(); ++i) h(i) = (S)in[i];
  Kokkos::deep_copy(din, h);
  cnn::Forward<S> f(w, b, nullptr);
  f.Apply(din, dout);
  auto ho = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), dout);
  return std::vector<double>(ho.data(), ho.data() + ho.extent(0));
}

std::vector<double> TorchForward(const cnn::Weights &w, int nx, int ny, int nz, const std::vector<double> &in, torch::ScalarType type)
{
  Net net(w.spec);
  net->SetWeights(w);
  net->to(type);
  torch::NoGradGuard no_grad;
  // (D, H, W) = (z, y, x): the flat input, x fastest, is the tensor's C order.
  auto x = torch::tensor(in, torch::kFloat64).view({1, 1, nz, ny, nx}).to(type);
  auto y = net->forward(x).to(torch::kFloat64).contiguous();
  return std::vector<double>(y.data_ptr<double>(), y.data_ptr<double>() + y.numel());
}

double MaxAbsDiff(const std::vector<double> &a, const std::vector<double> &b, double *scale)
{
  double d = 0, s = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    d = std::max(d, std::fabs(a[i] - b[i]));
    s = std::max(s, std::fabs(b[i]));
  }
  *scale = s;
  return d;
}

struct Case {
  cnn::NetSpec spec;
  int          nx, ny, nz;
};

} // namespace

TEST(DCDMTorchNet, ForwardEqualsKokkosForwardAndReference)
{
  const std::vector<Case> cases = {{cnn::From64(), 10, 6, 8}, {cnn::From64(), 8, 8, 8}, {Custom(4, 1, 1, 1), 6, 4, 8}, {Custom(3, 2, 0, 1), 4, 6, 2}};
  for (const Case &c : cases) {
    SCOPED_TRACE(c.spec.arch + " C=" + std::to_string(c.spec.channels) + " grid " + std::to_string(c.nx) + "x" + std::to_string(c.ny) + "x" + std::to_string(c.nz));
    const cnn::Weights  w = WeightsWithBiases(c.spec, 11);
    std::mt19937        rng(3);
    std::normal_distribution<> g;
    std::vector<double> in((size_t)c.nx * c.ny * c.nz);
    for (double &v : in) v = g(rng);

    const std::vector<double> ref = cnn::ref::ForwardWholeGrid(w, c.nx, c.ny, c.nz, in);
    double                    scale = 0, d;
    // Double: the same arithmetic up to summation order.
    const std::vector<double> t64 = TorchForward(w, c.nx, c.ny, c.nz, in, torch::kFloat64);
    const std::vector<double> k64 = KokkosForward<double>(w, c.nx, c.ny, c.nz, in);
    d                             = MaxAbsDiff(t64, ref, &scale);
    EXPECT_LE(d, 1e-12 * scale) << "libtorch double vs reference";
    EXPECT_GT(scale, 0.0);
    d = MaxAbsDiff(t64, k64, &scale);
    EXPECT_LE(d, 1e-12 * scale) << "libtorch double vs Kokkos Forward<double>";
    // Float: float rounding of a deep net, relative to the output's size.
    const std::vector<double> t32 = TorchForward(w, c.nx, c.ny, c.nz, in, torch::kFloat32);
    const std::vector<double> k32 = KokkosForward<float>(w, c.nx, c.ny, c.nz, in);
    d                             = MaxAbsDiff(t32, k32, &scale);
    EXPECT_LE(d, 1e-4 * scale) << "libtorch float vs Kokkos Forward<float>";
    d = MaxAbsDiff(t32, ref, &scale);
    EXPECT_LE(d, 1e-4 * scale) << "libtorch float vs reference";
  }
}

TEST(DCDMTorchNet, KernelLayoutConversion)
{
  // Keras [kd][kh][kw][cin][cout] element (kd, kh, kw, ci, co) is libtorch's weight[co][ci][kd][kh][kw].
  const cnn::ConvShape s{2, 3, 3};
  std::vector<float>   keras(27 * 2 * 3);
  for (size_t i = 0; i < keras.size(); ++i) keras[i] = (float)i;
  const torch::Tensor t = KerasToTorchKernel(keras, s);
  ASSERT_EQ(t.sizes(), torch::IntArrayRef({3, 2, 3, 3, 3}));
  for (int kd = 0; kd < 3; ++kd)
    for (int kh = 0; kh < 3; ++kh)
      for (int kw = 0; kw < 3; ++kw)
        for (int ci = 0; ci < 2; ++ci)
          for (int co = 0; co < 3; ++co) EXPECT_EQ(t[co][ci][kd][kh][kw].item<float>(), keras[(((kd * 3 + kh) * 3 + kw) * 2 + ci) * 3 + co]);
  EXPECT_EQ(TorchToKerasKernel(t), keras);

  // Whole nets: weights in, weights out, unchanged.
  const cnn::Weights w = WeightsWithBiases(Custom(5, 1, 2, 1), 4);
  Net                net(w.spec);
  net->SetWeights(w);
  const cnn::Weights back = net->GetWeights();
  ASSERT_EQ(back.convs.size(), w.convs.size());
  for (size_t i = 0; i < w.convs.size(); ++i) {
    EXPECT_EQ(back.convs[i].kernel, w.convs[i].kernel) << cnn::ConvName((int)i);
    EXPECT_EQ(back.convs[i].bias, w.convs[i].bias) << cnn::ConvName((int)i);
  }
  EXPECT_EQ(cnn::Check(back), "");
}

TEST(DCDMTorchNet, ParameterCountAndBadInput)
{
  Net           net(cnn::From64());
  long long     count = 0;
  for (const auto &p : net->parameters()) count += p.numel();
  EXPECT_EQ(count, 97457);
  Net net128(cnn::From128());
  count = 0;
  for (const auto &p : net128->parameters()) count += p.numel();
  EXPECT_EQ(count, 152881);
  EXPECT_THROW(net->forward(torch::zeros({1, 1, 6, 5, 6})), c10::Error); // odd extent: no pooling level
  EXPECT_THROW(net->forward(torch::zeros({1, 2, 6, 6, 6})), c10::Error); // two input channels
  cnn::NetSpec bad = cnn::From64();
  bad.channels     = 0;
  EXPECT_THROW(Net{bad}, std::invalid_argument);
}
