#pragma once
// "fixed": always the same arm. A baseline, and the learner with which the banditsor PC must reproduce
// PCSOR with that omega exactly. Draws no random numbers.
#include "learned/bandits/learner.hpp"

namespace petal::bandits {

class FixedArm final : public Learner {
public:
  /* Throws std::invalid_argument unless arm < num_arms. */
  FixedArm(std::size_t num_arms, std::size_t arm, std::uint64_t seed = 0);

  std::size_t Arm() const { return arm_; }

protected:
  std::size_t DoChoose(double context, std::vector<double> &probs) override;
  void DoUpdate(std::size_t arm, double cost) override;
  void SaveImpl(StateWriter &writer) const override;
  void LoadImpl(StateReader &reader, std::size_t num_arms) override;

private:
  std::size_t arm_;
};

} // namespace petal::bandits
