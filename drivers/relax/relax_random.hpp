#pragma once
// Portable random numbers for petal-relax: std::mt19937_64 (whose raw output the C++ standard fixes) with the
// transformations written out, so that the same seed gives the same sequence with every standard library
// and on every MPI rank (std::normal_distribution and friends are implementation-defined).
#include <cmath>
#include <cstdint>
#include <random>

namespace petal::relax {
class Random {
public:
  explicit Random(std::uint64_t seed = 0) : engine_(seed) {}
  void Seed(std::uint64_t seed)
  {
    engine_.seed(seed);
    haveSpare_ = false;
  }
  // Uniform in [0, 1): the top 53 bits of one raw draw.
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // Uniform in (0, 1].
  double UniformPositive() { return 1.0 - Uniform(); }
  // Standard normal (Box-Muller; the second value of each pair is kept for the next call).
  double Normal()
  {
    if (haveSpare_) {
      haveSpare_ = false;
      return spare_;
    }
    const double r = std::sqrt(-2.0 * std::log(UniformPositive())), a = 2.0 * M_PI * Uniform();
    spare_     = r * std::sin(a);
    haveSpare_ = true;
    return r * std::cos(a);
  }
  // Gamma(shape, 1): Marsaglia and Tsang (2000); shape < 1 via Gamma(shape + 1) U^(1/shape).
  double Gamma(double shape)
  {
    if (shape < 1.0) return Gamma(shape + 1.0) * std::pow(UniformPositive(), 1.0 / shape);
    const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x, v;
      do {
        x = Normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = UniformPositive();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
    }
  }
  // Beta(a, b) = X / (X + Y), X ~ Gamma(a), Y ~ Gamma(b).
  double Beta(double a, double b)
  {
    const double x = Gamma(a), y = Gamma(b);
    return x / (x + y);
  }

private:
  std::mt19937_64 engine_;
  double          spare_     = 0.0;
  bool            haveSpare_ = false;
};
} // namespace petal::relax
