#pragma once
// Portable randomness for the bandit learners: std::mt19937_64 (whose raw output sequence the C++ standard
// fixes) and sampling written out by hand, because std::uniform_real_distribution and
// std::discrete_distribution may give different values on different standard libraries. Same seed and same
// calls therefore give the same draws on every platform and every MPI rank.
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace petal::bandits {

class Rng {
public:
  explicit Rng(std::uint64_t seed = 0) : engine_(seed) {}

  /* Uniform double in [0, 1): the top 53 bits of one raw 64-bit draw times 2^-53. */
  double Uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  /* The complete engine state as text (the standard's textual representation, "C" locale), and back.
   * Deserialize throws std::invalid_argument on malformed text. */
  std::string Serialize() const;
  void Deserialize(const std::string &text);

  bool operator==(const Rng &other) const { return engine_ == other.engine_; }
  bool operator!=(const Rng &other) const { return engine_ != other.engine_; }

private:
  std::mt19937_64 engine_;
};

/* Index i of the first arm whose cumulative probability exceeds u * sum(p), for u in [0, 1). Arms with
 * p_i <= 0 are never returned; if rounding leaves u beyond the last cumulative sum, the last arm with
 * p_i > 0 is returned. Throws std::invalid_argument if no p_i is positive. */
std::size_t SampleIndex(const std::vector<double> &probs, double u);

} // namespace petal::bandits
