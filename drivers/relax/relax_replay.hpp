#pragma once
// Replaying a learner on the cost table of a study (no solves): the table holds every instance's iteration
// count at every omega of the grid, so a learner seeded differently can be run over the whole sequence in
// microseconds per instance. For a stateless sequence (synthetic, file) this is exactly what the online run
// through PCBANDITSOR would do; for the heat sequence the table follows a reference trajectory, which the
// online runs match (petal-relax reports their mismatches). Used for the spread over learner seeds.
#include <petscsys.h>
#include "learned/bandits/learner.hpp"
#include <cstdint>
#include <string>
#include <vector>

namespace petal::relax {

struct ReplaySpec {
  std::string type;                  // "tsallis", "tsallis_cb" or "chebcb"
  bandits::TsallisEstimator estimator; // of Tsallis-INF(-CB): the policy's PC settings
  std::size_t arms = 20, bins = 5, features = 6;
  double      contextMin = 0, contextMax = 1;
  bool        logContext = false;
  double      logFloor   = 1e-3;
};

/* Total iterations over the T instances of the table (T x arms, row-major) for the learner seeds
 * firstSeed, firstSeed + 1, ..., one total per seed. Throws std::invalid_argument on a bad spec. */
std::vector<long long> ReplayTotals(const ReplaySpec &spec, const std::vector<PetscInt> &table, const std::vector<double> &context, std::uint64_t firstSeed, int seeds);

} // namespace petal::relax
