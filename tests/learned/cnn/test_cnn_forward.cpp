// The per-rank DCDM forward executor (learned/cnn/forward.hpp) against the whole-grid reference network
// (ref::ForwardWholeGrid, double, written from the architecture without cnn::Program or the ghosted layout):
// from64, from128 and small custom nets, both algorithms, float and double; a grid computed as two blocks
// whose halos a hand-written callback fills from the neighbour (the distributed case without MPI); the hooks;
// parameter and flop counts; bad input.
#include <gtest/gtest.h>

#include "cnn_test_util.hpp"
#include "learned/cnn/forward.hpp"
#include "learned/cnn/layers_reference.hpp"

#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

using namespace petal::cnn;
using namespace cnntest;

namespace
{

NetSpec Custom(int C, int fine, int coarse, int up)
{
  NetSpec s;
  s.arch         = "custom";
  s.channels     = C;
  s.fine_pairs   = fine;
  s.coarse_pairs = coarse;
  s.up_pairs     = up;
  return s;
}

template <class S>
std::vector<double> RunForward(const Weights &w, Block b, const std::vector<double> &in, ConvAlgorithm alg)
{
  Forward<S>                         f(w, b, nullptr, alg);
  Kokkos::View<S *, petal::MemSpace> out("out", b.Owned());
  f.Apply(ToDevice<S>(in), out);
  return ToHost(out);
}

} // namespace

template <class S>
class CnnForward : public ::testing::Test
{
};
using Scalars = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CnnForward, Scalars);

TYPED_TEST(CnnForward, MatchesWholeGridReference)
{
  using S = TypeParam;
  struct Case {
    NetSpec spec;
    Block   b;
  };
  const std::vector<Case> cases = {{From64(), {8, 8, 8}},         {From64(), {10, 6, 4}},        {From128(), {6, 8, 10}},
                                   {Custom(4, 1, 1, 1), {6, 4, 8}}, {Custom(1, 1, 0, 0), {2, 2, 2}}, {Custom(5, 2, 2, 0), {4, 2, 6}},
                                   {Custom(8, 1, 1, 2), {4, 6, 2}}, {From64(), {2, 2, 2}}};
  unsigned long long      seed  = 7;
  for (const Case &c : cases) {
    const Weights             w        = TestWeights(c.spec, ++seed);
    const std::vector<double> in       = UnitInput(c.b.Owned(), ++seed);
    const std::vector<double> expected = ref::ForwardWholeGrid(w, c.b.nx, c.b.ny, c.b.nz, in);
    const double              scale    = MaxAbs(expected);
    ASSERT_GT(scale, 0.0);
    for (ConvAlgorithm alg : {ConvAlgorithm::Reference, ConvAlgorithm::Fast}) {
      const std::vector<double> got = RunForward<S>(w, c.b, in, alg);
      // float: rounding of the inputs and of every layer, ~20 layers deep, stays below 1e-4 of the output
      const double tol = std::is_same<S, float>::value ? 1e-4 : 1e-11;
      EXPECT_LE(MaxAbsDiff(got, expected), tol * scale)
        << c.spec.arch << " C=" << c.spec.channels << " " << c.b.nx << "x" << c.b.ny << "x" << c.b.nz << (alg == ConvAlgorithm::Fast ? " fast" : " reference");
    }
  }
}

/* Two "ranks" as two threads that take turns (one mutex, released only while waiting for the other at the halo
 * exchange), each running its own Forward on half of the grid; the halo callback copies the neighbour's
 * interface plane into this block's halo plane. The result must be the one-block result. */
template <class S>
std::vector<double> SplitForward(const Weights &w, int nx, int ny, int nz, int axis, const std::vector<double> &in, int *halo_calls)
{
  using View = Kokkos::View<S *, petal::MemSpace>;
  const int n[3] = {nx, ny, nz};
  int       h[3] = {nx, ny, nz};
  h[axis] /= 2;
  const Block half{h[0], h[1], h[2]};
  // owned inputs of the two halves
  std::vector<double> part[2];
  for (int r = 0; r < 2; ++r) part[r].resize(half.Owned());
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        int c[3] = {i, j, k};
        const int r = c[axis] / h[axis];
        c[axis] -= r * h[axis];
        part[r][((size_t)c[2] * h[1] + c[1]) * h[0] + c[0]] = in[((size_t)k * ny + j) * nx + i];
      }
  (void)n;

  std::mutex              mtx;
  std::condition_variable cv;
  int                     arrived = 0;
  long                    generation = 0;
  View                    published[2];
  auto barrier = [&](std::unique_lock<std::mutex> &lk) {
    const long g = generation;
    if (++arrived == 2) {
      arrived = 0;
      ++generation;
      cv.notify_all();
    } else cv.wait(lk, [&] { return generation != g; });
  };
  std::unique_lock<std::mutex> *locks[2] = {nullptr, nullptr};
  std::vector<double>           outs[2];
  int                           calls[2] = {0, 0};

  auto rank = [&](int r) {
    std::unique_lock<std::mutex> lk(mtx);
    locks[r] = &lk;
    auto halo = [&, r](Level level, const View &buf, int C) {
      ++calls[r];
      const int  f = level == Level::Fine ? 1 : 2;
      const int  e[3] = {half.nx / f, half.ny / f, half.nz / f};
      const int  g[3] = {e[0] + 2, e[1] + 2, e[2] + 2};
      published[r]    = buf;
      barrier(*locks[r]);
      // rank 0 is below the interface: its halo plane e+1 takes rank 1's first owned plane (1), and rank 1's
      // halo plane 0 takes rank 0's last owned plane (e). Whole planes, so edges and corners come along.
      const int mine = r == 0 ? e[axis] + 1 : 0, theirs = r == 0 ? 1 : e[axis];
      auto      src  = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), published[1 - r]);
      auto      dst  = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), buf);
      for (int k = 0; k < g[2]; ++k)
        for (int j = 0; j < g[1]; ++j)
          for (int i = 0; i < g[0]; ++i) {
            int c[3] = {i, j, k};
            if (c[axis] != mine) continue;
            int s[3] = {i, j, k};
            s[axis]  = theirs;
            const size_t d = (((size_t)c[2] * g[1] + c[1]) * g[0] + c[0]) * C, o = (((size_t)s[2] * g[1] + s[1]) * g[0] + s[0]) * C;
            for (int ch = 0; ch < C; ++ch) dst(d + ch) = src(o + ch);
          }
      barrier(*locks[r]); // the neighbour has read my buffer before either of us overwrites it
      Kokkos::deep_copy(buf, dst);
    };
    Forward<S> f(w, half, halo, ConvAlgorithm::Fast);
    View       out("out", half.Owned());
    f.Apply(ToDevice<S>(part[r]), out);
    outs[r] = ToHost(out);
  };
  std::thread t0(rank, 0), t1(rank, 1);
  t0.join();
  t1.join();
  EXPECT_EQ(calls[0], calls[1]);
  *halo_calls = calls[0];

  std::vector<double> whole(in.size());
  for (int k = 0; k < nz; ++k)
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        int c[3] = {i, j, k};
        const int r = c[axis] / h[axis];
        c[axis] -= r * h[axis];
        whole[((size_t)k * ny + j) * nx + i] = outs[r][((size_t)c[2] * h[1] + c[1]) * h[0] + c[0]];
      }
  return whole;
}

TYPED_TEST(CnnForward, TwoBlocksWithHaloCallbackEqualOneBlock)
{
  using S                        = TypeParam;
  const Weights             w    = TestWeights(From64(), 42);
  const int                 nx = 8, ny = 4, nz = 12;
  const std::vector<double> in   = UnitInput((size_t)nx * ny * nz, 43);
  const std::vector<double> one  = RunForward<S>(w, Block{nx, ny, nz}, in, ConvAlgorithm::Fast);
  const std::vector<double> grid = ref::ForwardWholeGrid(w, nx, ny, nz, in);
  const double              tol  = std::is_same<S, float>::value ? 1e-4 : 1e-11;
  for (int axis = 0; axis < 3; ++axis) {
    int                       calls = 0;
    const std::vector<double> two   = SplitForward<S>(w, nx, ny, nz, axis, in, &calls);
    EXPECT_EQ(calls, 2 * (From64().fine_pairs + From64().coarse_pairs + From64().up_pairs) + 1) << "one halo exchange per 3x3x3 conv";
    EXPECT_LE(MaxAbsDiff(two, one), tol * MaxAbs(one)) << "split along axis " << axis;
    EXPECT_LE(MaxAbsDiff(two, grid), tol * MaxAbs(grid)) << "split along axis " << axis << " vs the whole-grid reference";
  }
  // Without the halo exchange the two halves must differ from the one-block result (the test can see a
  // missing exchange): a Forward on half the grid with zero halos is a different problem.
  const std::vector<double> lower(in.begin(), in.begin() + in.size() / 2);
  const std::vector<double> alone = RunForward<S>(w, Block{nx, ny, nz / 2}, lower, ConvAlgorithm::Fast);
  const std::vector<double> one_lower(one.begin(), one.begin() + one.size() / 2);
  EXPECT_GT(MaxAbsDiff(alone, one_lower), 100 * tol * MaxAbs(one));
}

TEST(CnnForward, HooksAndHaloAreCalledPerStep)
{
  const NetSpec spec = From128();
  const Weights w    = TestWeights(spec, 3);
  const Block   b{4, 4, 4};
  std::vector<std::pair<Level, int>> halos;
  Forward<float> f(w, b, [&](Level l, const Buffer<float> &buf, int C) {
    EXPECT_EQ(buf.extent(0), (l == Level::Fine ? b.Ghosted() : Block{2, 2, 2}.Ghosted()) * C);
    halos.push_back({l, C});
  });
  std::vector<std::pair<Op, bool>> events;
  f.SetStepHook([&](Op op, bool begin) { events.push_back({op, begin}); });
  Kokkos::View<float *, petal::MemSpace> out("out", b.Owned());
  f.Apply(ToDevice<float>(UnitInput(b.Owned(), 1)), out);
  const std::vector<Step> prog = Program(spec);
  ASSERT_EQ(events.size(), 2 * prog.size());
  size_t convs = 0;
  for (size_t i = 0; i < prog.size(); ++i) {
    EXPECT_EQ(events[2 * i].first, prog[i].op);
    EXPECT_TRUE(events[2 * i].second);
    EXPECT_EQ(events[2 * i + 1].first, prog[i].op);
    EXPECT_FALSE(events[2 * i + 1].second);
    if (prog[i].op == Op::Conv || prog[i].op == Op::ConvRelu || prog[i].op == Op::ConvReluAdd) {
      ASSERT_LT(convs, halos.size());
      EXPECT_EQ(halos[convs].first, prog[i].level);
      EXPECT_EQ(halos[convs].second, convs == 0 ? 1 : spec.channels);
      ++convs;
    }
  }
  EXPECT_EQ(convs, halos.size());
  EXPECT_EQ(convs, (size_t)(1 + 2 * (3 + 5 + 3)));
}

TEST(CnnForward, ParameterAndFlopCounts)
{
  EXPECT_EQ(ParameterCount(From64()), 97457);
  EXPECT_EQ(ParameterCount(From128()), 152881);
  for (const NetSpec &s : {From64(), From128()}) {
    const Weights w = RandomWeights(s, 1);
    long long     n = 0;
    for (const ConvWeights &c : w.convs) n += (long long)c.kernel.size() + (long long)c.bias.size();
    EXPECT_EQ(n, ParameterCount(s)) << s.arch;
  }
  // from64 by hand: conv_in 27*16, 8 fine 16->16 convs (4 fine, 4 up), 6 coarse ones at 1/8 of the voxels, the
  // head 16: 60,928 multiply-adds per voxel (the "about 61k" of the reference); 2 flops each, plus biases,
  // ReLUs, adds, pooling and upsampling (a few hundred).
  const double macs = 27 * 16 + 8 * 27 * 16 * 16 + 6 * 27 * 16 * 16 / 8.0 + 16;
  EXPECT_EQ(macs, 60928.0);
  const Block          b{8, 6, 4};
  const Weights        w = RandomWeights(From64(), 1);
  const Forward<float> f(w, b, nullptr);
  EXPECT_GE(f.Flops(), 2 * macs * b.Owned());
  EXPECT_LE(f.Flops(), (2 * macs + 800) * b.Owned());
}

TEST(CnnForward, BadInputThrowsWithAReason)
{
  Weights w = TestWeights(From64(), 5);
  auto    message = [](auto &&fn) {
    try {
      fn();
    } catch (const std::invalid_argument &e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  EXPECT_NE(message([&] { Forward<float> f(w, Block{6, 5, 4}, nullptr); }).find("even"), std::string::npos);
  EXPECT_NE(message([&] { Forward<float> f(w, Block{0, 2, 2}, nullptr); }).find("even"), std::string::npos);
  Weights bad = w;
  bad.convs[3].bias.pop_back();
  EXPECT_NE(message([&] { Forward<float> f(bad, Block{4, 4, 4}, nullptr); }).find("conv03 bias"), std::string::npos);
  Forward<float>                         f(w, Block{4, 4, 4}, nullptr);
  Kokkos::View<float *, petal::MemSpace> in("in", 63), out("out", 64);
  EXPECT_NE(message([&] { f.Apply(in, out); }).find("64 values"), std::string::npos);
}
