#pragma once
// A counter-based random stream: draw i of (seed, stream, step) is a pure function of those four numbers, so a
// host loop and a Kokkos kernel (on any device, any rank count) that ask for the same draw get the same bits.
// Built on splitmix64's mix (core/splitmix64.hpp is its sequential host twin): the key of (seed, stream, step)
// chains the mix over the three numbers, and draw i is splitmix64's i-th output from that key. Used by the
// sketch-and-project kernels of solvers/adasketch/sketch/ (the one home of this generator).
#include <Kokkos_Core.hpp>
#include <cstdint>

namespace petal {

// Kokkos' math functions moved from Kokkos::Experimental to Kokkos in 3.7.
namespace counter_rng_math {
#if KOKKOS_VERSION >= 30700
using ::Kokkos::cos;
using ::Kokkos::log;
using ::Kokkos::sqrt;
#else
using ::Kokkos::Experimental::cos;
using ::Kokkos::Experimental::log;
using ::Kokkos::Experimental::sqrt;
#endif
} // namespace counter_rng_math

struct CounterRng {
  static constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL; // splitmix64's increment

  KOKKOS_INLINE_FUNCTION static std::uint64_t Mix(std::uint64_t z)
  {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

  std::uint64_t key;

  /* The stream of draws of step `step` of stream `stream` under `seed`. Distinct (seed, stream, step) give
   * unrelated keys (each stage is a bijective mix of the previous key xor'ed with an odd multiple). */
  KOKKOS_INLINE_FUNCTION CounterRng(std::uint64_t seed, std::uint64_t stream, std::uint64_t step)
  {
    std::uint64_t k = Mix(seed + kGolden);
    k               = Mix(k ^ (stream * 0xD1B54A32D192ED03ULL + kGolden));
    k               = Mix(k ^ (step * 0xAEF17502108EF2D9ULL + kGolden));
    key             = k;
  }

  /* Draw i: splitmix64's (i+1)-th output from state `key`. */
  KOKKOS_INLINE_FUNCTION std::uint64_t Bits(std::uint64_t i) const { return Mix(key + (i + 1) * kGolden); }

  /* Uniform in [0, 1) from the top 53 bits of draw i. */
  KOKKOS_INLINE_FUNCTION double Uniform(std::uint64_t i) const
  {
    return static_cast<double>(Bits(i) >> 11) * (1.0 / 9007199254740992.0);
  }

  /* Uniform integer in [0, n), n >= 1 (floor of Uniform * n; the bias is below 2^-53 n). */
  KOKKOS_INLINE_FUNCTION std::int64_t Index(std::uint64_t i, std::int64_t n) const
  {
    std::int64_t k = static_cast<std::int64_t>(Uniform(i) * static_cast<double>(n));
    return k < n ? k : n - 1;
  }

  /* Standard normal number i (Box-Muller, cosine branch) from draws 2i and 2i+1; u1 in (0, 1] so log is finite. */
  KOKKOS_INLINE_FUNCTION double Normal(std::uint64_t i) const
  {
    const double u1 = (static_cast<double>(Bits(2 * i) >> 11) + 1.0) * (1.0 / 9007199254740992.0);
    const double u2 = Uniform(2 * i + 1);
    return counter_rng_math::sqrt(-2.0 * counter_rng_math::log(u1)) * counter_rng_math::cos(6.283185307179586 * u2);
  }
};

} // namespace petal
