#include "learned/bandits/fixed_arm.hpp"

#include <stdexcept>

namespace petal::bandits {

FixedArm::FixedArm(std::size_t num_arms, std::size_t arm, std::uint64_t seed)
  : Learner("fixed", num_arms, seed), arm_(arm)
{
  if (arm >= num_arms) throw std::invalid_argument("petal::bandits::FixedArm: the arm must be < the number of arms");
}

std::size_t FixedArm::DoChoose(double, std::vector<double> &probs)
{
  probs[arm_] = 1.0;
  return arm_;
}

void FixedArm::DoUpdate(std::size_t, double) {}

void FixedArm::SaveImpl(StateWriter &w) const { w.Size(arm_); }

void FixedArm::LoadImpl(StateReader &r, std::size_t num_arms)
{
  const std::size_t arm = r.Size(num_arms - 1);
  r.Finish();
  arm_ = arm;
}

} // namespace petal::bandits
