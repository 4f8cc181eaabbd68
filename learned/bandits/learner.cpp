#include "learned/bandits/learner.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <locale>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "learned/bandits/chebcb.hpp"
#include "learned/bandits/fixed_arm.hpp"
#include "learned/bandits/tsallis_inf.hpp"

namespace petal::bandits {

namespace {
constexpr std::int64_t kStateVersion = 3; // 2: Tsallis-INF loss estimator and shifts; 3: its shift window, gate and soft gate
// Guards against absurd sizes in a corrupted state before anything is allocated.
constexpr std::size_t kMaxArms = std::size_t(1) << 20;

[[noreturn]] void BadState(const std::string &what)
{
  throw std::invalid_argument("petal::bandits: invalid learner state: " + what);
}
} // namespace

/* ---------------------------------------------------------------- state arrays */

void Learner::StateWriter::Reals(const std::vector<double> &v)
{
  Size(v.size());
  state_.reals.insert(state_.reals.end(), v.begin(), v.end());
}

std::int64_t Learner::StateReader::Int()
{
  if (ipos_ >= state_.ints.size()) BadState("integer array too short");
  return state_.ints[ipos_++];
}

std::size_t Learner::StateReader::Size(std::size_t max)
{
  const std::int64_t v = Int();
  if (v < 0 || static_cast<std::uint64_t>(v) > static_cast<std::uint64_t>(max)) BadState("size out of range");
  return static_cast<std::size_t>(v);
}

double Learner::StateReader::Real()
{
  if (rpos_ >= state_.reals.size()) BadState("real array too short");
  return state_.reals[rpos_++];
}

std::vector<double> Learner::StateReader::Reals(std::size_t expected)
{
  const std::size_t n = Size(std::numeric_limits<std::size_t>::max() / 2);
  if (n != expected) BadState("array of unexpected length");
  if (state_.reals.size() - rpos_ < n) BadState("real array too short");
  std::vector<double> v(state_.reals.begin() + static_cast<std::ptrdiff_t>(rpos_),
                        state_.reals.begin() + static_cast<std::ptrdiff_t>(rpos_ + n));
  rpos_ += n;
  return v;
}

void Learner::StateReader::Finish() const
{
  if (ipos_ != state_.ints.size() || rpos_ != state_.reals.size()) BadState("trailing entries");
}

/* ---------------------------------------------------------------- Learner */

Learner::Learner(std::string type, std::size_t num_arms, std::uint64_t seed)
  : rng_(seed), type_(std::move(type)), num_arms_(num_arms), last_arm_(num_arms)
{
  if (num_arms < 1 || num_arms > kMaxArms) throw std::invalid_argument("petal::bandits: the number of arms must be in [1, 2^20]");
}

Learner::~Learner() = default;

std::size_t Learner::Choose(double context)
{
  if (Contextual() && !std::isfinite(context))
    throw std::invalid_argument("petal::bandits::" + type_ + ": the context must be finite");
  std::vector<double> probs(num_arms_, 0.0);
  const std::size_t   arm = DoChoose(context, probs);
  if (arm >= num_arms_) throw std::logic_error("petal::bandits::" + type_ + ": internal error, arm out of range");
  probs_    = std::move(probs);
  last_arm_ = arm;
  pending_  = true;
  return arm;
}

void Learner::Update(double cost)
{
  if (!pending_) throw std::logic_error("petal::bandits::" + type_ + ": Update() without a pending Choose()");
  if (!std::isfinite(cost) || cost < 0.0)
    throw std::invalid_argument("petal::bandits::" + type_ + ": the cost must be finite and >= 0");
  DoUpdate(last_arm_, cost);
  pending_ = false;
  ++rounds_;
  cost_sum_ += cost;
}

void Learner::Save(LearnerState &state) const
{
  state.type = type_;
  state.reals.clear();
  state.ints.clear();
  state.rng = rng_.Serialize();
  StateWriter w(state);
  w.Int(kStateVersion);
  w.Size(num_arms_);
  w.Int(rounds_);
  w.Int(pending_ ? 1 : 0);
  w.Size(last_arm_);
  w.Real(cost_sum_);
  w.Reals(probs_);
  SaveImpl(w);
}

void Learner::Load(const LearnerState &state)
{
  if (state.type != type_) BadState("type '" + state.type + "' cannot be loaded into a '" + type_ + "' learner");
  StateReader r(state);
  const std::int64_t version = r.Int();
  if (version != kStateVersion)
    BadState("format version " + std::to_string(version) + ", this petal reads version " + std::to_string(kStateVersion) + (version >= 1 && version < kStateVersion ? " (the state was written by an older petal)" : ""));
  const std::size_t  num_arms = r.Size(kMaxArms);
  if (num_arms < 1) BadState("no arms");
  const std::int64_t rounds   = r.Int();
  const std::int64_t pending  = r.Int();
  const std::size_t  last_arm = r.Size(num_arms);
  const double       cost_sum = r.Real();
  const std::size_t  nprobs   = (pending != 0 || last_arm < num_arms) ? num_arms : 0;
  std::vector<double> probs   = r.Reals(nprobs);
  if (rounds < 0 || (pending != 0 && pending != 1) || (pending == 1 && last_arm >= num_arms) || !std::isfinite(cost_sum))
    BadState("inconsistent counters");
  for (double p : probs)
    if (!(p >= 0.0 && p <= 1.0)) BadState("a probability outside [0, 1]");
  Rng rng;
  rng.Deserialize(state.rng);
  LoadImpl(r, num_arms); // reads the rest, calls Finish(), and only then modifies the derived learner
  rng_      = rng;
  num_arms_ = num_arms;
  rounds_   = rounds;
  pending_  = pending == 1;
  last_arm_ = last_arm;
  cost_sum_ = cost_sum;
  probs_    = std::move(probs);
}

void Learner::SummaryImpl(std::ostream &, const std::vector<double> &) const {}

namespace {
std::string ArmName(std::size_t i, const std::vector<double> &arm_values)
{
  std::ostringstream os;
  os.imbue(std::locale::classic());
  os << i;
  if (i < arm_values.size()) os << " (omega " << arm_values[i] << ")";
  return os.str();
}
} // namespace

std::string Learner::Summary(const std::vector<double> &arm_values_in) const
{
  const std::vector<double> none;
  const std::vector<double> &arm_values = arm_values_in.size() == num_arms_ ? arm_values_in : none;
  std::ostringstream os;
  os.imbue(std::locale::classic());
  os.precision(4);
  os << "Bandit learner " << type_ << ": " << num_arms_ << " arms, " << rounds_ << " rounds, mean cost "
     << MeanCost() << "\n";
  if (last_arm_ < num_arms_) {
    os << "  last decision: arm " << ArmName(last_arm_, arm_values) << (pending_ ? " (pending)" : "") << "\n";
    if (probs_.size() == num_arms_) {
      std::vector<std::size_t> order(num_arms_);
      std::iota(order.begin(), order.end(), std::size_t(0));
      std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return probs_[x] > probs_[y]; });
      os << "  most probable arms:";
      for (std::size_t j = 0; j < std::min<std::size_t>(3, num_arms_); ++j) {
        if (j > 0 && !(probs_[order[j]] > 0.0)) break;
        os << (j ? ", " : " ") << ArmName(order[j], arm_values) << " p=" << probs_[order[j]];
      }
      os << "\n";
    }
  }
  SummaryImpl(os, arm_values);
  return os.str();
}

/* ---------------------------------------------------------------- factory */

namespace {
struct TypeEntry {
  const char       *name;
  LearnerTypeTraits traits;
};
// The learner types, in the order option lists show them.
const TypeEntry kTypes[] = {
  {"fixed", {"fixed omega, as PCSOR", false, false}},
  {"tsallis", {"Tsallis-INF", false, true}},
  {"tsallis_cb", {"Tsallis-INF-CB", true, true}},
  {"chebcb", {"ChebCB", true, false}},
};
} // namespace

const std::vector<std::string> &LearnerTypes()
{
  static const std::vector<std::string> types = [] {
    std::vector<std::string> v;
    for (const TypeEntry &e : kTypes) v.push_back(e.name);
    return v;
  }();
  return types;
}

const LearnerTypeTraits &TraitsOf(const std::string &type)
{
  for (const TypeEntry &e : kTypes)
    if (type == e.name) return e.traits;
  throw std::invalid_argument("petal::bandits: unknown learner type '" + type + "'");
}

std::unique_ptr<Learner> CreateLearner(const std::string &type, const LearnerOptions &o)
{
  if (type == "fixed") return std::make_unique<FixedArm>(o.num_arms, o.fixed_arm, o.seed);
  if (type == "tsallis") return std::make_unique<TsallisINF>(o.num_arms, o.seed, o.tsallis_estimator);
  if (type == "tsallis_cb") return std::make_unique<TsallisINFCB>(o.num_arms, o.bins, o.context_min, o.context_max, o.seed, o.tsallis_estimator);
  if (type == "chebcb") return std::make_unique<ChebCB>(o.num_arms, o.features, o.context_min, o.context_max, o.seed);
  std::string known;
  for (const std::string &t : LearnerTypes()) known += (known.empty() ? "" : ", ") + t;
  throw std::invalid_argument("petal::bandits: unknown learner type '" + type + "' (" + known + ")");
}

std::unique_ptr<Learner> RestoreLearner(const LearnerState &state)
{
  if (std::find(LearnerTypes().begin(), LearnerTypes().end(), state.type) == LearnerTypes().end())
    BadState("unknown type '" + state.type + "'");
  std::unique_ptr<Learner> learner = CreateLearner(state.type, LearnerOptions{});
  learner->Load(state);
  return learner;
}

std::vector<double> DefaultOmegaGrid(std::size_t n, double lo, double hi)
{
  std::vector<double> grid(n);
  if (n == 1) grid[0] = lo;
  // MATLAB's linspace: lo + (0:n-1)*(hi-lo)/(n-1), with the end point exact.
  for (std::size_t i = 0; n > 1 && i < n; ++i)
    grid[i] = (i + 1 == n) ? hi : lo + static_cast<double>(i) * (hi - lo) / static_cast<double>(n - 1);
  return grid;
}

} // namespace petal::bandits
