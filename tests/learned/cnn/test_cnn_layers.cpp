// The DCDM layers' Kokkos kernels (learned/cnn/layers_kokkos.hpp, conv_kokkos.hpp) against the plain loops of
// learned/cnn/layers_reference.hpp, in float and double, on small, non-cubic and 2x2x2 blocks with 1, 4 and 16
// channels; and the reference loops themselves against hand-derivable cases (a one-hot kernel is a shift, the
// pooling of a constant is the constant, ...).
#include <gtest/gtest.h>

#include "cnn_test_util.hpp"
#include "learned/cnn/conv_kokkos.hpp"
#include "learned/cnn/layers_kokkos.hpp"
#include "learned/cnn/layers_reference.hpp"

#include <string>
#include <vector>

using namespace petal::cnn;
using namespace cnntest;

namespace
{

ConvWeights RandomConv(int cin, int cout, int ksize, unsigned long long seed)
{
  ConvWeights w;
  w.shape             = {cin, cout, ksize};
  const size_t n      = (size_t)ksize * ksize * ksize * cin * cout;
  std::vector<double> k = RandomVector(n, seed, -1, 1), b = RandomVector(cout, seed + 1, -0.5, 0.5);
  w.kernel.assign(k.begin(), k.end());
  w.bias.assign(b.begin(), b.end());
  return w;
}

bool IsOwned(const Block &b, size_t cell)
{
  const size_t gx = b.nx + 2, gy = b.ny + 2, i = cell % gx, j = (cell / gx) % gy, k = cell / (gx * gy);
  return i >= 1 && i <= (size_t)b.nx && j >= 1 && j <= (size_t)b.ny && k >= 1 && k <= (size_t)b.nz;
}

/* Owned cells must agree to tol * max|expected owned|; every halo value must be untouched (bitwise). */
void ExpectGhostedNear(const Block &b, int C, const std::vector<double> &expected, const std::vector<double> &got, double rel, const std::string &what)
{
  ASSERT_EQ(expected.size(), got.size()) << what;
  double scale = 0;
  for (size_t x = 0; x < expected.size(); ++x)
    if (IsOwned(b, x / C)) scale = std::max(scale, std::fabs(expected[x]));
  ASSERT_GT(scale, 0.0) << what << ": the reference output is all zero, the test would see nothing";
  double worst = 0;
  size_t halo_changed = 0;
  for (size_t x = 0; x < expected.size(); ++x) {
    if (IsOwned(b, x / C)) worst = std::max(worst, std::fabs(expected[x] - got[x]));
    else halo_changed += expected[x] != got[x];
  }
  EXPECT_LE(worst, rel * scale) << what << ": max |kernel - reference| " << worst << " vs reference magnitude " << scale;
  EXPECT_EQ(halo_changed, 0u) << what << ": a kernel wrote into the halo";
}

template <class S>
std::vector<double> RoundTrip(const std::vector<double> &v)
{
  std::vector<double> r(v.size());
  for (size_t i = 0; i < v.size(); ++i) r[i] = (double)(S)v[i];
  return r;
}

template <class S>
std::vector<S> AsScalar(const std::vector<double> &v)
{
  return std::vector<S>(v.begin(), v.end());
}

template <class S>
std::vector<double> AsDouble(const std::vector<S> &v)
{
  return std::vector<double>(v.begin(), v.end());
}

const char *Name(Epilogue e) { return e == Epilogue::Linear ? "linear" : e == Epilogue::Relu ? "relu" : "relu+add"; }

} // namespace

template <class S>
class CnnLayers : public ::testing::Test
{
};
using Scalars = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CnnLayers, Scalars);

TYPED_TEST(CnnLayers, Conv3MatchesReference)
{
  using S                       = TypeParam;
  const std::vector<Block> blocks = {{2, 2, 2}, {3, 5, 4}, {7, 4, 6}, {12, 10, 9}};
  const int                chans[][2] = {{1, 1}, {1, 4}, {1, 16}, {4, 4}, {4, 16}, {16, 4}, {16, 16}};
  unsigned long long       seed       = 100;
  for (const Block &b : blocks)
    for (const auto &cc : chans)
      for (Epilogue e : {Epilogue::Linear, Epilogue::Relu, Epilogue::ReluAdd}) {
        const int   cin = cc[0], cout = cc[1];
        ConvWeights w  = RandomConv(cin, cout, 3, ++seed);
        // halo and output start random: the kernels must read the halo, keep the output's halo, add to old
        const std::vector<double> in  = RoundTrip<S>(RandomVector(b.Ghosted() * cin, ++seed));
        const std::vector<double> out0 = RoundTrip<S>(RandomVector(b.Ghosted() * cout, ++seed));
        std::vector<S>            ref = AsScalar<S>(out0);
        const std::vector<S>      hin = AsScalar<S>(in);
        ref::Conv3<S>(b, hin.data(), w, ref.data(), e);
        const std::vector<double> expected = AsDouble(ref);

        const auto                   dw  = UploadConv<S, petal::MemSpace>(w);
        const auto                   din = ToDevice<S>(in);
        const std::string            what = std::to_string(b.nx) + "x" + std::to_string(b.ny) + "x" + std::to_string(b.nz) + " " + std::to_string(cin) + "->" + std::to_string(cout) + " " + Name(e);
        for (int tile : {0, 7}) { // default tile, and a tile that leaves a ragged last one
          kk::ConvIm2colGemm<S, petal::ExecSpace> conv = tile ? kk::ConvIm2colGemm<S, petal::ExecSpace>(tile) : kk::ConvIm2colGemm<S, petal::ExecSpace>();
          auto                                    dout = ToDevice<S>(out0);
          conv(petal::ExecSpace(), b, din, dw, dout, e);
          ExpectGhostedNear(b, cout, expected, ToHost(dout), RelTol<S>(), "im2col+gemm tile " + std::to_string(conv.TileRows()) + " " + what);
        }
        for (int tile : {0, 5}) {
          kk::ConvShiftGemm<S, petal::ExecSpace> conv = tile ? kk::ConvShiftGemm<S, petal::ExecSpace>(tile) : kk::ConvShiftGemm<S, petal::ExecSpace>();
          auto                                   dout = ToDevice<S>(out0);
          conv(petal::ExecSpace(), b, din, dw, dout, e);
          ExpectGhostedNear(b, cout, expected, ToHost(dout), RelTol<S>(), "shifted gemm tile " + std::to_string(conv.TileRows()) + " " + what);
        }
        auto dout = ToDevice<S>(out0);
        kk::ConvDirect<S>(petal::ExecSpace(), b, din, dw, dout, e);
        ExpectGhostedNear(b, cout, expected, ToHost(dout), RelTol<S>(), "direct " + what);
      }
}

TYPED_TEST(CnnLayers, PoolUpsampleHeadScatterMatchReference)
{
  using S                         = TypeParam;
  const std::vector<Block> blocks = {{2, 2, 2}, {4, 6, 2}, {8, 4, 10}};
  unsigned long long       seed   = 900;
  for (const Block &b : blocks) {
    const Block coarse{b.nx / 2, b.ny / 2, b.nz / 2};
    for (int C : {1, 4, 16}) {
      const std::string what = std::to_string(b.nx) + "x" + std::to_string(b.ny) + "x" + std::to_string(b.nz) + " C=" + std::to_string(C);
      { // pooling: fine ghosted -> coarse owned
        const std::vector<double> in = RoundTrip<S>(RandomVector(b.Ghosted() * C, ++seed)), out0 = RoundTrip<S>(RandomVector(coarse.Ghosted() * C, ++seed));
        std::vector<S>            ref = AsScalar<S>(out0), hin = AsScalar<S>(in);
        ref::AvgPool2<S>(b, hin.data(), C, ref.data());
        auto dout = ToDevice<S>(out0);
        kk::AvgPool2<S>(petal::ExecSpace(), b, ToDevice<S>(in), C, dout);
        ExpectGhostedNear(coarse, C, AsDouble(ref), ToHost(dout), RelTol<S>(), "avgpool2 " + what);
      }
      { // upsampling added into the fine owned cells
        const std::vector<double> in = RoundTrip<S>(RandomVector(coarse.Ghosted() * C, ++seed)), out0 = RoundTrip<S>(RandomVector(b.Ghosted() * C, ++seed));
        std::vector<S>            ref = AsScalar<S>(out0), hin = AsScalar<S>(in);
        ref::UpsampleAdd2<S>(b, hin.data(), C, ref.data());
        auto dout = ToDevice<S>(out0);
        kk::UpsampleAdd2<S>(petal::ExecSpace(), b, ToDevice<S>(in), C, dout);
        ExpectGhostedNear(b, C, AsDouble(ref), ToHost(dout), RelTol<S>(), "upsample2+add " + what);
      }
      { // head C -> 1, owned-only output
        ConvWeights               w  = RandomConv(C, 1, 1, ++seed);
        const std::vector<double> in = RoundTrip<S>(RandomVector(b.Ghosted() * C, ++seed));
        std::vector<S>            ref(b.Owned()), hin = AsScalar<S>(in);
        ref::Head<S>(b, hin.data(), w, ref.data());
        Kokkos::View<S *, petal::MemSpace> dout("out", b.Owned());
        kk::Head<S>(petal::ExecSpace(), b, ToDevice<S>(in), UploadConv<S, petal::MemSpace>(w), dout);
        const std::vector<double> got = ToHost(dout), expected = AsDouble(ref);
        EXPECT_LE(MaxAbsDiff(got, expected), RelTol<S>() * MaxAbs(expected)) << "head " << what;
      }
    }
    { // scatter of the owned input into a ghosted one-channel block
      const std::vector<double> owned = RoundTrip<S>(RandomVector(b.Owned(), ++seed)), g0 = RoundTrip<S>(RandomVector(b.Ghosted(), ++seed));
      std::vector<S>            ref = AsScalar<S>(g0), ho = AsScalar<S>(owned);
      ref::ScatterOwned<S>(b, ho.data(), ref.data());
      auto dg = ToDevice<S>(g0);
      kk::ScatterOwned<S>(petal::ExecSpace(), b, ToDevice<S>(owned), dg);
      EXPECT_EQ(ToHost(dg), AsDouble(ref)) << "scatter";
    }
  }
}

/* The reference conv's conventions, derivable by hand: a kernel whose only nonzero is 1 at (kd, kh, kw, ci, co)
 * makes out(z, y, x, co) = in(z+kd-1, y+kh-1, x+kw-1, ci) (cross-correlation, Keras layout, zero padding). */
TEST(CnnReference, OneHotKernelIsAShiftWithZeroPadding)
{
  const Block b{5, 4, 3};
  const int   cin = 3, cout = 2;
  for (int kd : {0, 2})
    for (int kh : {0, 1})
      for (int kw : {1, 2}) {
        const int   ci = 2, co = 1;
        ConvWeights w;
        w.shape = {cin, cout, 3};
        w.kernel.assign(27 * cin * cout, 0.0f);
        w.bias.assign(cout, 0.0f);
        w.kernel[(((kd * 3 + kh) * 3 + kw) * cin + ci) * cout + co] = 1.0f;
        // input: owned values only (halo zero = the domain boundary), value = 1 + cell index
        std::vector<double> in(b.Ghosted() * cin, 0.0), out(b.Ghosted() * cout, 0.0);
        for (int k = 1; k <= b.nz; ++k)
          for (int j = 1; j <= b.ny; ++j)
            for (int i = 1; i <= b.nx; ++i) in[ref::GhostedIndex(b, k, j, i, ci, cin)] = 1 + (k * 100 + j * 10 + i);
        ref::Conv3<double>(b, in.data(), w, out.data(), Epilogue::Linear);
        for (int k = 1; k <= b.nz; ++k)
          for (int j = 1; j <= b.ny; ++j)
            for (int i = 1; i <= b.nx; ++i) {
              const int    z = k + kd - 1, y = j + kh - 1, x = i + kw - 1;
              const bool   inside = z >= 1 && z <= b.nz && y >= 1 && y <= b.ny && x >= 1 && x <= b.nx;
              const double want   = inside ? 1 + (z * 100 + y * 10 + x) : 0.0;
              EXPECT_EQ(out[ref::GhostedIndex(b, k, j, i, co, cout)], want) << "kd " << kd << " kh " << kh << " kw " << kw << " at " << k << "," << j << "," << i;
              EXPECT_EQ(out[ref::GhostedIndex(b, k, j, i, 0, cout)], 0.0);
            }
      }
}

TEST(CnnReference, EpiloguesApplyReluBeforeTheAdd)
{
  const Block b{2, 2, 2};
  ConvWeights w;
  w.shape = {1, 1, 3};
  w.kernel.assign(27, 0.0f);
  w.kernel[13] = 1.0f; // centre tap: out = in + bias
  w.bias       = {-0.5f};
  std::vector<double> in(b.Ghosted(), 0.0);
  const double        vals[8] = {-2, -0.5, 0, 0.25, 0.5, 1, 3, -1};
  int                 n       = 0;
  for (int k = 1; k <= 2; ++k)
    for (int j = 1; j <= 2; ++j)
      for (int i = 1; i <= 2; ++i) in[ref::GhostedIndex(b, k, j, i, 0, 1)] = vals[n++];
  std::vector<double> lin(b.Ghosted(), 0.0), relu(b.Ghosted(), 0.0), add(b.Ghosted(), 10.0);
  ref::Conv3<double>(b, in.data(), w, lin.data(), Epilogue::Linear);
  ref::Conv3<double>(b, in.data(), w, relu.data(), Epilogue::Relu);
  ref::Conv3<double>(b, in.data(), w, add.data(), Epilogue::ReluAdd);
  n = 0;
  for (int k = 1; k <= 2; ++k)
    for (int j = 1; j <= 2; ++j)
      for (int i = 1; i <= 2; ++i, ++n) {
        const size_t g = ref::GhostedIndex(b, k, j, i, 0, 1);
        EXPECT_EQ(lin[g], vals[n] - 0.5);
        EXPECT_EQ(relu[g], std::max(vals[n] - 0.5, 0.0));
        EXPECT_EQ(add[g], std::max(vals[n] - 0.5, 0.0) + 10.0); // relu(v) + old, never relu(v + old)
      }
}

TEST(CnnReference, PoolAveragesAndUpsampleRepeats)
{
  const Block fine{4, 2, 6}, coarse{2, 1, 3};
  const int   C = 2;
  std::vector<double> f(fine.Ghosted() * C, 99.0), c(coarse.Ghosted() * C, 0.0); // halo 99: must not leak in
  for (int k = 1; k <= fine.nz; ++k)
    for (int j = 1; j <= fine.ny; ++j)
      for (int i = 1; i <= fine.nx; ++i)
        for (int ch = 0; ch < C; ++ch) f[ref::GhostedIndex(fine, k, j, i, ch, C)] = (ch + 1) * (i + 2 * j + 4 * k);
  ref::AvgPool2<double>(fine, f.data(), C, c.data());
  for (int k = 1; k <= coarse.nz; ++k)
    for (int j = 1; j <= coarse.ny; ++j)
      for (int i = 1; i <= coarse.nx; ++i)
        for (int ch = 0; ch < C; ++ch) {
          // the mean of a linear function over the cell pair {2i-1, 2i} is its value at 2i - 1/2
          const double want = (ch + 1) * ((2 * i - 0.5) + 2 * (2 * j - 0.5) + 4 * (2 * k - 0.5));
          EXPECT_DOUBLE_EQ(c[ref::GhostedIndex(coarse, k, j, i, ch, C)], want);
        }
  std::vector<double> up(fine.Ghosted() * C, 1.0);
  ref::UpsampleAdd2<double>(fine, c.data(), C, up.data());
  for (int k = 1; k <= fine.nz; ++k)
    for (int j = 1; j <= fine.ny; ++j)
      for (int i = 1; i <= fine.nx; ++i)
        for (int ch = 0; ch < C; ++ch) EXPECT_EQ(up[ref::GhostedIndex(fine, k, j, i, ch, C)], 1.0 + c[ref::GhostedIndex(coarse, (k + 1) / 2, (j + 1) / 2, (i + 1) / 2, ch, C)]);
}
