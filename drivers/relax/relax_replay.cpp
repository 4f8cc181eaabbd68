#include "drivers/relax/relax_replay.hpp"

#include "learned/bandits/context.hpp"
#include "learned/bandits/learner.hpp"

namespace petal::relax {

std::vector<long long> ReplayTotals(const ReplaySpec &spec, const std::vector<PetscInt> &table, const std::vector<double> &context, std::uint64_t firstSeed, int seeds)
{
  const std::size_t T = context.size(), d = spec.arms;
  auto              see = [&](double c) { return spec.logContext ? bandits::LogContext(c, spec.contextMin, spec.contextMax, spec.logFloor) : c; };
  std::vector<long long> totals;
  for (int r = 0; r < seeds; ++r) {
    bandits::LearnerOptions o; // as petal-relax configures PCBANDITSOR
    o.num_arms                           = d;
    o.seed                               = firstSeed + static_cast<std::uint64_t>(r);
    o.bins                               = spec.bins;
    o.features                           = spec.features;
    o.context_min                        = see(spec.contextMin);
    o.context_max                        = see(spec.contextMax);
    o.tsallis_estimator                  = spec.estimator;
    auto      learner                    = bandits::CreateLearner(spec.type, o);
    long long total                      = 0;
    for (std::size_t t = 0; t < T; ++t) {
      const std::size_t arm  = learner->Choose(see(context[t]));
      const PetscInt    cost = table[t * d + arm];
      total += cost;
      learner->Update(static_cast<double>(cost));
    }
    totals.push_back(total);
  }
  return totals;
}

} // namespace petal::relax
