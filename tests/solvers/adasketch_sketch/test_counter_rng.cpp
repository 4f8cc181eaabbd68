// core/counter_rng.hpp: the same draws on the host and in a Kokkos kernel (bitwise), draws depend on every one of
// (seed, stream, step, index), and uniform / index / normal draws have the right ranges and moments.
#include "petal_test.hpp"
#include "core/counter_rng.hpp"
#include <petal/kokkos_spaces.hpp>
#include <cmath>
#include <set>

using petal::CounterRng;

namespace {
/* The draws in a kernel (a free function: nvcc rejects KOKKOS_LAMBDA in gtest's private TestBody). */
void DrawOnDevice(int n, Kokkos::View<double *, petal::MemSpace> u, Kokkos::View<double *, petal::MemSpace> z, Kokkos::View<std::int64_t *, petal::MemSpace> k)
{
  Kokkos::parallel_for(
    "counter_rng_test", Kokkos::RangePolicy<petal::ExecSpace>(0, n), KOKKOS_LAMBDA(const int i) {
      const CounterRng rng(2023, 7, static_cast<std::uint64_t>(i % 17));
      u(i) = rng.Uniform(i);
      z(i) = rng.Normal(i);
      k(i) = rng.Index(i, 1000);
    });
}
} // namespace

TEST(CounterRng, DeviceDrawsEqualHostDraws)
{
  const int                                     n = 4096;
  Kokkos::View<double *, petal::MemSpace>       u("u", n), z("z", n);
  Kokkos::View<std::int64_t *, petal::MemSpace> k("k", n);
  DrawOnDevice(n, u, z, k);
  auto uh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), u);
  auto zh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), z);
  auto kh = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), k);
  for (int i = 0; i < n; ++i) {
    const CounterRng rng(2023, 7, static_cast<std::uint64_t>(i % 17));
    ASSERT_EQ(uh(i), rng.Uniform(i));
    ASSERT_EQ(kh(i), rng.Index(i, 1000));
    ASSERT_NEAR(zh(i), rng.Normal(i), 1e-15 * (1 + std::fabs(zh(i)))); // device libm may differ in the last bit
  }
}

TEST(CounterRng, EveryArgumentChangesTheDraw)
{
  const CounterRng base(1, 2, 3);
  std::set<std::uint64_t> seen = {base.Bits(0), CounterRng(0, 2, 3).Bits(0), CounterRng(1, 3, 3).Bits(0), CounterRng(1, 2, 4).Bits(0), base.Bits(1),
                                  CounterRng(2, 1, 3).Bits(0), CounterRng(1, 3, 2).Bits(0)};
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_EQ(base.Bits(5), CounterRng(1, 2, 3).Bits(5)); // a pure function of its arguments
}

TEST(CounterRng, RangesAndMoments)
{
  const int  n = 200000;
  double     su = 0, sz = 0, sz2 = 0;
  long       counts[10] = {0};
  for (int i = 0; i < n; ++i) {
    const CounterRng rng(99, i / 1000, i % 1000);
    const double     u = rng.Uniform(3), z = rng.Normal(3);
    const auto       k = rng.Index(4, 10);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ASSERT_TRUE(std::isfinite(z));
    ASSERT_GE(k, 0);
    ASSERT_LT(k, 10);
    ++counts[k];
    su += u;
    sz += z;
    sz2 += z * z;
  }
  EXPECT_NEAR(su / n, 0.5, 0.005);
  EXPECT_NEAR(sz / n, 0.0, 0.01);
  EXPECT_NEAR(sz2 / n, 1.0, 0.015);
  for (long c : counts) EXPECT_NEAR((double)c / n, 0.1, 0.005);
}
