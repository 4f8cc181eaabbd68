#pragma once
// splitmix64 (Steele, Lea & Flood, OOPSLA 2014): a tiny generator whose stream is fixed by its definition, so
// seeded problems are the same on every rank, platform and standard library (and bench/ot reproduces them in
// Python). Used by petal-ot's problem generators, petal-mesh's random fields and the OT tests.
#include <cstdint>

namespace petal {

/* splitmix64's output function: a bijective mix of z into well distributed bits. */
inline std::uint64_t SplitMix64Mix(std::uint64_t z)
{
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* The top 53 bits of `bits` as a double in [0, 1). */
inline double UnitInterval(std::uint64_t bits) { return static_cast<double>(bits >> 11) * (1.0 / 9007199254740992.0); }

struct SplitMix64 {
  std::uint64_t s;
  explicit SplitMix64(std::uint64_t seed) : s(seed) {}
  std::uint64_t Next() { return SplitMix64Mix(s += 0x9E3779B97F4A7C15ULL); }
  double        Uniform() { return UnitInterval(Next()); }
};

} // namespace petal
