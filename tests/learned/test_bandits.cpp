// Unit tests of the bandit learners of learned/bandits (no PETSc): validity of the distributions under wild
// costs, learning on synthetic cost functions, the box-constrained least squares against brute force,
// determinism and bit-for-bit checkpoint/resume.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "learned/bandits/box_lsq.hpp"
#include "learned/bandits/chebcb.hpp"
#include "learned/bandits/fixed_arm.hpp"
#include "learned/bandits/learner.hpp"
#include "learned/bandits/tsallis_inf.hpp"

namespace pb = petal::bandits;

namespace {

/* Test-side randomness, portable like the learners' own. */
struct TestRng {
  std::mt19937_64 e;
  explicit TestRng(std::uint64_t seed) : e(seed) {}
  double U() { return static_cast<double>(e() >> 11) * 0x1.0p-53; }
  double Range(double lo, double hi) { return lo + (hi - lo) * U(); }
  double Normal()
  {
    const double u1 = 1.0 - U(), u2 = U();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
  }
  std::size_t Index(std::size_t n) { return static_cast<std::size_t>(U() * static_cast<double>(n)); }
};

pb::LearnerOptions Options(std::uint64_t seed)
{
  pb::LearnerOptions o;
  o.seed        = seed;
  o.fixed_arm   = 7;
  o.bins        = 5;
  o.features    = 6;
  o.context_min = 0.0;
  o.context_max = 1.0;
  return o;
}

bool BitEqual(const std::vector<double> &x, const std::vector<double> &y)
{
  return x.size() == y.size() && (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(double)) == 0);
}

const std::vector<double> kGrid = pb::DefaultOmegaGrid();

/* Expected cost of the non-contextual synthetic problem: best arm omega = 1.7 (arm 14). */
double StochasticMean(std::size_t arm)
{
  const double w = kGrid[arm];
  return 100.0 * (1.0 + (w - 1.7) * (w - 1.7) * 20.0);
}

/* Expected cost of the contextual problem: best omega = 1.2 + 0.7 c. */
double ContextualMean(std::size_t arm, double c)
{
  const double w = kGrid[arm], best = 1.2 + 0.7 * c;
  return 100.0 * (1.0 + (w - best) * (w - best) * 20.0);
}

} // namespace

/* ------------------------------------------------------------------------------------------ basics */

TEST(BanditBasics, GridAndSampling)
{
  ASSERT_EQ(kGrid.size(), 20u);
  EXPECT_EQ(kGrid.front(), 1.0);
  EXPECT_EQ(kGrid.back(), 1.95);
  EXPECT_NEAR(kGrid[14], 1.7, 1e-15);
  EXPECT_EQ(pb::SampleIndex({0.0, 0.5, 0.0, 0.5}, 0.0), 1u);
  EXPECT_EQ(pb::SampleIndex({0.0, 0.5, 0.0, 0.5}, 0.49999), 1u);
  EXPECT_EQ(pb::SampleIndex({0.0, 0.5, 0.0, 0.5}, 0.5), 3u);
  EXPECT_EQ(pb::SampleIndex({0.0, 0.5, 0.0, 0.5, 0.0}, 1.0), 3u); // rounding beyond the end: last positive arm
  EXPECT_THROW(pb::SampleIndex({0.0, 0.0}, 0.3), std::invalid_argument);

  pb::Rng r(42);
  for (int i = 0; i < 1000; ++i) {
    const double u = r.Uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
  const std::string s = r.Serialize();
  pb::Rng           r2(7);
  r2.Deserialize(s);
  EXPECT_TRUE(r == r2);
  EXPECT_EQ(r.Uniform(), r2.Uniform());
  EXPECT_THROW(r2.Deserialize("not a state"), std::invalid_argument);
}

TEST(BanditBasics, FactoryAndContracts)
{
  for (const std::string &type : pb::LearnerTypes()) {
    auto L = pb::CreateLearner(type, Options(1));
    EXPECT_EQ(L->Type(), type);
    EXPECT_EQ(L->NumArms(), 20u);
    EXPECT_TRUE(L->Probabilities().empty());
    EXPECT_THROW(L->Update(3.0), std::logic_error); // no pending decision
    const std::size_t arm = L->Choose(0.5);
    EXPECT_LT(arm, 20u);
    EXPECT_TRUE(L->HasPendingDecision());
    EXPECT_THROW(L->Update(-1.0), std::invalid_argument);
    EXPECT_THROW(L->Update(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
    L->Update(10.0);
    EXPECT_FALSE(L->HasPendingDecision());
    EXPECT_EQ(L->Rounds(), 1);
    EXPECT_EQ(L->MeanCost(), 10.0);
    if (L->Contextual()) {
      EXPECT_THROW(L->Choose(std::numeric_limits<double>::infinity()), std::invalid_argument);
    }
    const std::string summary = L->Summary(kGrid);
    EXPECT_NE(summary.find(type), std::string::npos) << summary;
    EXPECT_NE(summary.find("omega"), std::string::npos) << summary;
  }
  EXPECT_THROW(pb::CreateLearner("nope", Options(1)), std::invalid_argument);
  pb::LearnerOptions bad = Options(1);
  bad.fixed_arm          = 20;
  EXPECT_THROW(pb::CreateLearner("fixed", bad), std::invalid_argument);
  bad             = Options(1);
  bad.context_max = bad.context_min;
  EXPECT_THROW(pb::CreateLearner("chebcb", bad), std::invalid_argument);
  EXPECT_THROW(pb::CreateLearner("tsallis_cb", bad), std::invalid_argument);
  bad.num_arms = 0;
  EXPECT_THROW(pb::CreateLearner("tsallis", bad), std::invalid_argument);
}

TEST(BanditBasics, FixedAlwaysChoosesItsArm)
{
  pb::FixedArm L(20, 11);
  for (int t = 0; t < 100; ++t) {
    ASSERT_EQ(L.Choose(0.1 * t), 11u);
    ASSERT_EQ(L.Probabilities()[11], 1.0);
    L.Update(1.0 + t);
  }
}

TEST(BanditBasics, TsallisCBBins)
{
  pb::TsallisINFCB L(20, 5, 0.0, 1.0, 0);
  ASSERT_EQ(L.Centres().size(), 5u);
  EXPECT_NEAR(L.Centres()[0], 0.1, 1e-15);
  EXPECT_NEAR(L.Centres()[4], 0.9, 1e-15);
  EXPECT_EQ(L.BinOf(-5.0), 0u);
  EXPECT_EQ(L.BinOf(0.19), 0u);
  EXPECT_EQ(L.BinOf(0.21), 1u);
  EXPECT_EQ(L.BinOf(0.5), 2u);
  EXPECT_EQ(L.BinOf(1.0), 4u);
  EXPECT_EQ(L.BinOf(42.0), 4u);
}

/* ------------------------------------------------------------------------------------------ Tsallis normalisation */

/* The safeguarded normalisation against an independent bisection on the unnormalised distribution, for
 * estimates spread over many orders of magnitude (where the reference's 20 Newton steps from x = -1 fail). */
TEST(BanditTsallis, NormalisationMatchesBisection)
{
  TestRng rng(3);
  for (int trial = 0; trial < 2000; ++trial) {
    const std::size_t d = 1 + rng.Index(30);
    pb::TsallisCore   c(d);
    c.t                 = 1 + static_cast<std::int64_t>(std::pow(10.0, rng.Range(0.0, 7.0)));
    c.n                 = c.t - 1;
    c.cost_sum          = static_cast<double>(c.n) * rng.Range(0.0, 300.0);
    const double spread = std::pow(10.0, rng.Range(-3.0, 8.0));
    for (double &k : c.k) k = rng.Range(-0.2, 1.0) * spread;
    if (trial % 7 == 0) std::fill(c.k.begin(), c.k.end(), 0.0);
    std::vector<double> p;
    const int           steps = c.Distribution(p);
    EXPECT_LT(steps, 100) << "Newton should converge without the fallback";

    const double eta = c.Eta(), scale = c.Scale();
    const double kmin = *std::min_element(c.k.begin(), c.k.end());
    auto         sum  = [&](double y) {
      double s = 0.0;
      for (double k : c.k) {
        const double q = 2.0 / (eta * ((k - kmin) / scale - y));
        s += q * q;
      }
      return s;
    };
    double lo = -2.0 * std::sqrt(static_cast<double>(d)) / eta, hi = -2.0 / eta;
    for (int it = 0; it < 300; ++it) {
      const double mid = 0.5 * (lo + hi);
      (sum(mid) > 1.0 ? hi : lo) = mid;
    }
    double total = 0.0;
    for (std::size_t i = 0; i < d; ++i) {
      const double q   = 2.0 / (eta * ((c.k[i] - kmin) / scale - hi));
      const double ref = q * q;
      ASSERT_NEAR(p[i], ref, 1e-9 * std::max(ref, 1e-300) + 1e-300) << "trial " << trial << " arm " << i;
      total += p[i];
    }
    ASSERT_NEAR(total, 1.0, 1e-12);
  }
}

/* ------------------------------------------------------------------------------------------ validity */

class BanditAllLearners : public ::testing::TestWithParam<std::string> {};

/* 10^5 rounds with costs from 1 to 10000 (log-uniform), long runs of identical costs, a stretch where every
 * cost is 1 (scale guard), zeros, and contexts also outside [a, b]. */
TEST_P(BanditAllLearners, ProbabilitiesValidUnderWildCosts)
{
  auto        L = pb::CreateLearner(GetParam(), Options(11));
  TestRng     rng(5);
  double      repeat_cost = 0.0;
  int         repeat_left = 0;
  for (int t = 0; t < 100000; ++t) {
    const double      context = rng.Range(-0.3, 1.3);
    const std::size_t arm     = L->Choose(context);
    const std::vector<double> &p = L->Probabilities();
    ASSERT_EQ(p.size(), 20u);
    ASSERT_GT(p[arm], 0.0) << "round " << t;
    double s = 0.0;
    for (double pi : p) {
      ASSERT_TRUE(std::isfinite(pi)) << "round " << t;
      ASSERT_GE(pi, 0.0) << "round " << t;
      s += pi;
    }
    ASSERT_NEAR(s, 1.0, 1e-12) << "round " << t;
    double cost;
    if (t < 200) cost = 1.0;                     // every cost 1: mean - 1 = 0
    else if (t < 210) cost = 0.0;                // converged warm starts
    else if (repeat_left > 0) {
      cost = repeat_cost;
      --repeat_left;
    } else if (rng.U() < 0.01) {
      repeat_cost = std::round(std::pow(10.0, rng.Range(0.0, 4.0)));
      repeat_left = static_cast<int>(rng.Index(2000));
      cost        = repeat_cost;
    } else if (rng.U() < 0.01) cost = 0.0;
    else cost = std::round(std::pow(10.0, rng.Range(0.0, 4.0)) * (1.0 + 0.001 * static_cast<double>(arm)));
    L->Update(cost);
  }
  EXPECT_EQ(L->Rounds(), 100000);
}

/* Same seed and costs give identical decisions; another seed gives different ones. */
TEST_P(BanditAllLearners, Deterministic)
{
  auto run = [&](std::uint64_t seed) {
    auto                     L = pb::CreateLearner(GetParam(), Options(seed));
    TestRng                  rng(9);
    std::vector<std::size_t> arms;
    for (int t = 0; t < 3000; ++t) {
      const double c = rng.U();
      arms.push_back(L->Choose(c));
      L->Update(std::round(ContextualMean(arms.back(), c) + 20.0 * rng.U()));
    }
    return arms;
  };
  const auto a = run(123), b = run(123), c = run(124);
  EXPECT_EQ(a, b);
  if (GetParam() == "fixed") {
    EXPECT_EQ(a, c);
  } else {
    EXPECT_NE(a, c);
  }
}

/* Run 500 rounds, save, restore into a fresh learner (created with different options, so Load must restore
 * them), run 500 more, and compare with an uninterrupted 1000-round run: same arms, same probabilities and
 * same final state, bit for bit. Also once with the checkpoint taken between Choose and Update. */
TEST_P(BanditAllLearners, ResumeIsBitForBit)
{
  const std::string type = GetParam();
  auto              cost_of = [](std::size_t arm, int t) {
    const double c = 0.5 + 0.5 * std::sin(0.01 * t);
    return std::round(ContextualMean(arm, c) + 7.0 * std::cos(1.3 * t));
  };
  auto context_of = [](int t) { return 0.5 + 0.5 * std::sin(0.01 * t); };

  auto                             ref = pb::CreateLearner(type, Options(77));
  std::vector<std::size_t>         ref_arms;
  std::vector<std::vector<double>> ref_probs;
  for (int t = 0; t < 1000; ++t) {
    ref_arms.push_back(ref->Choose(context_of(t)));
    ref_probs.push_back(ref->Probabilities());
    ref->Update(cost_of(ref_arms.back(), t));
  }
  pb::LearnerState ref_final;
  ref->Save(ref_final);

  for (int variant = 0; variant < 3; ++variant) {
    auto first = pb::CreateLearner(type, Options(77));
    for (int t = 0; t < 500; ++t) {
      const std::size_t arm = first->Choose(context_of(t));
      ASSERT_EQ(arm, ref_arms[t]);
      if (variant == 2 && t == 499) break; // checkpoint with a pending decision
      first->Update(cost_of(arm, t));
    }
    pb::LearnerState saved;
    first->Save(saved);
    first.reset();

    std::unique_ptr<pb::Learner> resumed;
    if (variant == 0) {
      resumed = pb::RestoreLearner(saved);
    } else {
      pb::LearnerOptions other = Options(999);
      other.num_arms           = 20;
      other.bins               = 3;
      other.features           = 4;
      other.context_min        = -7.0;
      other.context_max        = 2.0;
      other.fixed_arm          = 2;
      resumed                  = pb::CreateLearner(type, other);
      resumed->Load(saved);
    }
    pb::LearnerState again;
    resumed->Save(again);
    EXPECT_EQ(again.type, saved.type);
    EXPECT_TRUE(BitEqual(again.reals, saved.reals));
    EXPECT_EQ(again.ints, saved.ints);
    EXPECT_EQ(again.rng, saved.rng);

    int start = 500;
    if (variant == 2) {
      ASSERT_TRUE(resumed->HasPendingDecision());
      ASSERT_EQ(resumed->LastArm(), ref_arms[499]);
      resumed->Update(cost_of(ref_arms[499], 499));
    }
    for (int t = start; t < 1000; ++t) {
      const std::size_t arm = resumed->Choose(context_of(t));
      ASSERT_EQ(arm, ref_arms[t]) << "variant " << variant << " round " << t;
      ASSERT_TRUE(BitEqual(resumed->Probabilities(), ref_probs[t])) << "variant " << variant << " round " << t;
      resumed->Update(cost_of(arm, t));
    }
    pb::LearnerState final_state;
    resumed->Save(final_state);
    EXPECT_TRUE(BitEqual(final_state.reals, ref_final.reals));
    EXPECT_EQ(final_state.ints, ref_final.ints);
    EXPECT_EQ(final_state.rng, ref_final.rng);
  }
}

TEST_P(BanditAllLearners, RejectsBadStates)
{
  auto L = pb::CreateLearner(GetParam(), Options(1));
  for (int t = 0; t < 20; ++t) {
    L->Choose(0.3);
    L->Update(5.0 + t);
  }
  pb::LearnerState s;
  L->Save(s);
  pb::LearnerState before = s;

  const std::string other = GetParam() == "tsallis" ? "chebcb" : "tsallis";
  auto              M     = pb::CreateLearner(other, Options(1));
  EXPECT_THROW(M->Load(s), std::invalid_argument);

  pb::LearnerState bad = s;
  bad.reals.pop_back();
  EXPECT_THROW(L->Load(bad), std::invalid_argument);
  bad = s;
  bad.ints.push_back(0);
  EXPECT_THROW(L->Load(bad), std::invalid_argument);
  bad = s;
  bad.ints[0] = 99; // version
  EXPECT_THROW(L->Load(bad), std::invalid_argument);
  bad     = s;
  bad.rng = "garbage";
  EXPECT_THROW(L->Load(bad), std::invalid_argument);
  bad      = s;
  bad.type = "unknown";
  EXPECT_THROW(pb::RestoreLearner(bad), std::invalid_argument);

  // A failed Load leaves the learner unchanged.
  pb::LearnerState after;
  L->Save(after);
  EXPECT_TRUE(BitEqual(after.reals, before.reals));
  EXPECT_EQ(after.ints, before.ints);
  EXPECT_EQ(after.rng, before.rng);
}

INSTANTIATE_TEST_SUITE_P(Types, BanditAllLearners, ::testing::Values("fixed", "tsallis", "tsallis_cb", "chebcb"),
                         [](const ::testing::TestParamInfo<std::string> &pinfo) { return pinfo.param; });

/* ------------------------------------------------------------------------------------------ learning */

namespace {
/* Pseudo-regret sum_t (mu(arm_t) - mu*) of Tsallis-INF on the stochastic problem, and the most played arm in
 * the last 20 % of the rounds. */
void RunStochastic(int T, std::uint64_t seed, double &regret, std::size_t &late_mode, pb::TsallisEstimator e = {})
{
  pb::TsallisINF           L(20, seed, e);
  TestRng                  noise(seed + 1000);
  const double             best = StochasticMean(14);
  std::vector<std::size_t> late(20, 0);
  regret                        = 0.0;
  for (int t = 0; t < T; ++t) {
    const std::size_t arm = L.Choose();
    regret += StochasticMean(arm) - best;
    if (t >= T - T / 5) ++late[arm];
    L.Update(std::max(0.0, StochasticMean(arm) + 10.0 * noise.Normal()));
  }
  late_mode = static_cast<std::size_t>(std::max_element(late.begin(), late.end()) - late.begin());
}
} // namespace

TEST(BanditLearning, TsallisRegretShrinks)
{
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    double      r_short = 0.0, r_long = 0.0;
    std::size_t mode_short, mode_long;
    // Average the short runs over several seeds: one 1000-round run is noisy.
    for (std::uint64_t s = 0; s < 5; ++s) {
      double r;
      RunStochastic(1000, 100 * seed + s, r, mode_short);
      r_short += r / 5.0;
    }
    RunStochastic(20000, seed, r_long, mode_long);
    const double avg_short = r_short / 1000.0, avg_long = r_long / 20000.0;
    EXPECT_LT(avg_long, 0.5 * avg_short) << "seed " << seed << ": regret/T " << avg_short << " -> " << avg_long;
    EXPECT_EQ(mode_long, 14u) << "seed " << seed;
    RecordProperty("regret_per_round_T1000_seed" + std::to_string(seed), std::to_string(avg_short));
    RecordProperty("regret_per_round_T20000_seed" + std::to_string(seed), std::to_string(avg_long));
  }
}

// The same with the reference's importance-weighted estimator, and the reduced-variance estimator's point: on
// the same noisy problem its regret, averaged over seeds, is lower.
TEST(BanditLearning, TsallisImportanceWeightedRegretShrinksAndReducedVarianceIsLower)
{
  pb::TsallisEstimator iw;
  iw.reduced_variance = false;
  double rv_sum = 0.0, iw_sum = 0.0;
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    double      r_rv, r_iw;
    std::size_t mode_rv, mode_iw;
    RunStochastic(5000, 300 + seed, r_rv, mode_rv);
    RunStochastic(5000, 300 + seed, r_iw, mode_iw, iw);
    rv_sum += r_rv;
    iw_sum += r_iw;
  }
  double      r_short = 0.0, r_long;
  std::size_t mode;
  for (std::uint64_t s = 0; s < 5; ++s) {
    double r;
    RunStochastic(1000, 700 + s, r, mode, iw);
    r_short += r / 5.0;
  }
  RunStochastic(20000, 7, r_long, mode, iw);
  EXPECT_LT(r_long / 20000.0, 0.5 * r_short / 1000.0);
  EXPECT_EQ(mode, 14u);
  EXPECT_LT(rv_sum, 0.95 * iw_sum) << "regret over 8 seeds, T = 5000: reduced variance " << rv_sum << ", importance weighting " << iw_sum;
  RecordProperty("regret_rv_8seeds_T5000", std::to_string(rv_sum));
  RecordProperty("regret_iw_8seeds_T5000", std::to_string(iw_sum));
}

TEST(BanditBasics, TsallisRejectsBadShift)
{
  pb::TsallisEstimator e;
  e.shift = -1.0;
  EXPECT_THROW(pb::TsallisINF(20, 0, e), std::invalid_argument);
  e.shift = std::nan("");
  EXPECT_THROW(pb::TsallisINFCB(20, 3, 0.0, 1.0, 0, e), std::invalid_argument);
  e.shift  = 1.0;
  e.window = -1;
  EXPECT_THROW(pb::TsallisINF(20, 0, e), std::invalid_argument);
  e.window = 32;
  e.gate   = 0.0;
  EXPECT_THROW(pb::TsallisINF(20, 0, e), std::invalid_argument);
  e.gate = std::nan("");
  EXPECT_THROW(pb::TsallisINFCB(20, 3, 0.0, 1.0, 0, e), std::invalid_argument);
}

namespace {
/* Summed pseudo-regret over `seeds` runs of T rounds of Tsallis-INF on the stochastic problem whose cost level
 * drifts: every arm's mean is multiplied by level(t) = 1 + drift sin(2 pi t / 1000), as a time-stepping sequence's
 * iteration counts follow a periodic coefficient. The best arm stays arm 14. */
double DriftingRegret(const pb::TsallisEstimator &e, double drift, int T, int seeds)
{
  double sum = 0.0;
  for (int s = 0; s < seeds; ++s) {
    pb::TsallisINF L(20, 500 + s, e);
    TestRng        noise(900 + s);
    for (int t = 0; t < T; ++t) {
      const double      level = 1.0 + drift * std::sin(2.0 * M_PI * t / 1000.0);
      const std::size_t arm   = L.Choose();
      sum += level * (StochasticMean(arm) - StochasticMean(14));
      L.Update(std::max(0.0, level * StochasticMean(arm) + 10.0 * noise.Normal()));
    }
  }
  return sum;
}
} // namespace

// The moving-average shift with the soft gate (window 32, gate 1/4, the defaults) against PCGBandit's estimator
// (constant shift, hard gate 1): much lower regret when the cost level drifts, and no worse when it does not.
TEST(BanditLearning, TsallisShiftWindowTracksADriftingCostLevel)
{
  pb::TsallisEstimator adaptive, constant;
  constant.window    = 0;
  constant.gate      = 1.0;
  constant.soft_gate = false;
  const double drift_adaptive = DriftingRegret(adaptive, 0.9, 5000, 8), drift_constant = DriftingRegret(constant, 0.9, 5000, 8);
  const double flat_adaptive = DriftingRegret(adaptive, 0.0, 5000, 8), flat_constant = DriftingRegret(constant, 0.0, 5000, 8);
  EXPECT_LT(drift_adaptive, 0.8 * drift_constant) << "drifting level: window 32 " << drift_adaptive << ", constant " << drift_constant;
  EXPECT_LT(flat_adaptive, 1.05 * flat_constant) << "flat level: window 32 " << flat_adaptive << ", constant " << flat_constant;
  RecordProperty("regret_drift_window32", std::to_string(drift_adaptive));
  RecordProperty("regret_drift_constant", std::to_string(drift_constant));
  RecordProperty("regret_flat_window32", std::to_string(flat_adaptive));
  RecordProperty("regret_flat_constant", std::to_string(flat_constant));
}

namespace {
struct ContextualRun {
  double learner_avg = 0.0;    // mean expected cost of the learner over the last half
  double best_fixed_avg = 0.0; // mean expected cost of the best fixed arm over the same rounds
  double tracking = 0.0;       // mean |grid[arm] - (1.2 + 0.7 c)| over the last half
};

ContextualRun RunContextual(pb::Learner &L, int T, std::uint64_t seed)
{
  TestRng             rng(seed);
  ContextualRun       out;
  std::vector<double> fixed_sum(20, 0.0);
  const int           half = T / 2;
  for (int t = 0; t < T; ++t) {
    const double      c   = rng.U();
    const std::size_t arm = L.Choose(c);
    if (t >= half) {
      out.learner_avg += ContextualMean(arm, c) / half;
      out.tracking += std::abs(kGrid[arm] - (1.2 + 0.7 * c)) / half;
      for (std::size_t i = 0; i < 20; ++i) fixed_sum[i] += ContextualMean(i, c) / half;
    }
    L.Update(std::max(0.0, ContextualMean(arm, c) + 10.0 * rng.Normal()));
  }
  out.best_fixed_avg = *std::min_element(fixed_sum.begin(), fixed_sum.end());
  return out;
}
} // namespace

TEST(BanditLearning, TsallisCBBeatsBestFixedArm)
{
  for (std::uint64_t seed : {1u, 2u}) {
    pb::TsallisINFCB    L(20, 5, 0.0, 1.0, seed);
    const ContextualRun r = RunContextual(L, 20000, seed + 50);
    EXPECT_LT(r.learner_avg, r.best_fixed_avg) << "seed " << seed;
    RecordProperty("tsallis_cb_avg_seed" + std::to_string(seed), std::to_string(r.learner_avg));
    RecordProperty("best_fixed_avg_seed" + std::to_string(seed), std::to_string(r.best_fixed_avg));
  }
}

TEST(BanditLearning, ChebCBBeatsBestFixedArmAndTracksContext)
{
  for (std::uint64_t seed : {1u, 2u}) {
    pb::ChebCB          L(20, 6, 0.0, 1.0, seed);
    const ContextualRun r = RunContextual(L, 20000, seed + 50);
    EXPECT_LT(r.learner_avg, r.best_fixed_avg) << "seed " << seed;
    // The best fixed arm is off by 0.7/4 = 0.175 on average; a learner that follows the context is much closer.
    EXPECT_LT(r.tracking, 0.1) << "seed " << seed;
    // The greedy arm increases with the context and sits within two grid steps of the best omega across the
    // range (the very ends, where the polynomial fits of rarely played arms extrapolate, are left out).
    std::size_t previous = 0;
    for (double c = 0.1; c < 0.95; c += 0.1) {
      const std::size_t arm = L.GreedyArm(c);
      EXPECT_NEAR(kGrid[arm], 1.2 + 0.7 * c, 0.11) << "seed " << seed << " context " << c;
      EXPECT_GE(arm, previous) << "seed " << seed << " context " << c;
      previous = arm;
    }
    EXPECT_GE(L.GreedyArm(0.9), L.GreedyArm(0.1) + 9); // 0.56 apart in omega, grid step 0.05
    RecordProperty("chebcb_avg_seed" + std::to_string(seed), std::to_string(r.learner_avg));
    RecordProperty("chebcb_tracking_seed" + std::to_string(seed), std::to_string(r.tracking));
  }
}

/* ------------------------------------------------------------------------------------------ least squares */

namespace {
/* Solves the SPD system G x = g by Gaussian elimination with partial pivoting (independent of the code under
 * test). Returns false if singular. */
bool SolveDense(std::vector<double> G, std::vector<double> g, std::size_t n, std::vector<double> &x)
{
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t piv = k;
    for (std::size_t i = k + 1; i < n; ++i)
      if (std::abs(G[i * n + k]) > std::abs(G[piv * n + k])) piv = i;
    if (std::abs(G[piv * n + k]) < 1e-300) return false;
    for (std::size_t j = 0; j < n; ++j) std::swap(G[k * n + j], G[piv * n + j]);
    std::swap(g[k], g[piv]);
    for (std::size_t i = k + 1; i < n; ++i) {
      const double f = G[i * n + k] / G[k * n + k];
      for (std::size_t j = k; j < n; ++j) G[i * n + j] -= f * G[k * n + j];
      g[i] -= f * g[k];
    }
  }
  x.assign(n, 0.0);
  for (std::size_t k = n; k-- > 0;) {
    double s = g[k];
    for (std::size_t j = k + 1; j < n; ++j) s -= G[k * n + j] * x[j];
    x[k] = s / G[k * n + k];
  }
  return true;
}

double Objective(const std::vector<double> &A, std::size_t rows, std::size_t cols, const std::vector<double> &b,
                 const std::vector<double> &x)
{
  double s = 0.0;
  for (std::size_t i = 0; i < rows; ++i) {
    double r = b[i];
    for (std::size_t j = 0; j < cols; ++j) r -= A[i * cols + j] * x[j];
    s += r * r;
  }
  return s;
}

/* Brute force over all 3^cols assignments (lower / upper / free): free variables from the normal equations
 * restricted to them; keep the feasible candidate of least objective. Exact when A has full column rank. */
bool BruteForce(const std::vector<double> &A, std::size_t rows, std::size_t cols, const std::vector<double> &b,
                const std::vector<double> &lb, const std::vector<double> &ub, std::vector<double> &best, double &best_obj)
{
  std::size_t total = 1;
  for (std::size_t j = 0; j < cols; ++j) total *= 3;
  best_obj = std::numeric_limits<double>::infinity();
  for (std::size_t code = 0; code < total; ++code) {
    std::vector<double>      x(cols);
    std::vector<std::size_t> F;
    std::size_t              c = code;
    for (std::size_t j = 0; j < cols; ++j, c /= 3) {
      if (c % 3 == 0) x[j] = lb[j];
      else if (c % 3 == 1) x[j] = ub[j];
      else F.push_back(j);
    }
    if (!F.empty()) {
      const std::size_t   nf = F.size();
      std::vector<double> G(nf * nf, 0.0), g(nf, 0.0), xf;
      for (std::size_t i = 0; i < rows; ++i) {
        double ri = b[i];
        for (std::size_t j = 0; j < cols; ++j)
          if (std::find(F.begin(), F.end(), j) == F.end()) ri -= A[i * cols + j] * x[j];
        for (std::size_t p = 0; p < nf; ++p) {
          g[p] += A[i * cols + F[p]] * ri;
          for (std::size_t q = 0; q < nf; ++q) G[p * nf + q] += A[i * cols + F[p]] * A[i * cols + F[q]];
        }
      }
      if (!SolveDense(G, g, nf, xf)) continue;
      bool feasible = true;
      for (std::size_t p = 0; p < nf; ++p) {
        const std::size_t j   = F[p];
        const double      tol = 1e-12 * (1.0 + std::abs(ub[j]) + std::abs(lb[j]));
        if (xf[p] < lb[j] - tol || xf[p] > ub[j] + tol) feasible = false;
        x[j] = std::min(std::max(xf[p], lb[j]), ub[j]);
      }
      if (!feasible) continue;
    }
    const double obj = Objective(A, rows, cols, b, x);
    if (obj < best_obj) {
      best_obj = obj;
      best     = x;
    }
  }
  return std::isfinite(best_obj);
}

struct RandomProblem {
  std::size_t         rows, cols;
  std::vector<double> A, b, lb, ub;
};

RandomProblem MakeProblem(TestRng &rng, std::size_t rows, std::size_t cols)
{
  RandomProblem P{rows, cols, std::vector<double>(rows * cols), std::vector<double>(rows), std::vector<double>(cols), std::vector<double>(cols)};
  for (double &a : P.A) a = rng.Normal();
  for (double &v : P.b) v = 3.0 * rng.Normal();
  for (std::size_t j = 0; j < cols; ++j) {
    const double kind = rng.U();
    if (kind < 0.1) { // fixed variable
      P.lb[j] = P.ub[j] = rng.Range(-1.0, 1.0);
    } else if (kind < 0.4) { // symmetric box as in ChebCB (sometimes tight)
      P.ub[j] = std::pow(10.0, rng.Range(-3.0, 0.5));
      P.lb[j] = -P.ub[j];
    } else {
      const double x = rng.Range(-2.0, 2.0), y = rng.Range(-2.0, 2.0);
      P.lb[j] = std::min(x, y);
      P.ub[j] = std::max(x, y);
    }
  }
  return P;
}

void CheckKKT(const RandomProblem &P, const std::vector<double> &x, const std::string &where)
{
  std::vector<double> r(P.rows);
  for (std::size_t i = 0; i < P.rows; ++i) {
    r[i] = P.b[i];
    for (std::size_t j = 0; j < P.cols; ++j) r[i] -= P.A[i * P.cols + j] * x[j];
  }
  double anorm = 0.0, bnorm = 0.0;
  for (double v : P.A) anorm += v * v;
  for (double v : P.b) bnorm += v * v;
  const double tol = 1e-9 * std::sqrt(anorm) * (std::sqrt(bnorm) + std::sqrt(anorm) * 10.0);
  for (std::size_t j = 0; j < P.cols; ++j) {
    ASSERT_GE(x[j], P.lb[j]) << where;
    ASSERT_LE(x[j], P.ub[j]) << where;
    double g = 0.0; // negative gradient A_j^T r
    for (std::size_t i = 0; i < P.rows; ++i) g += P.A[i * P.cols + j] * r[i];
    if (P.lb[j] == P.ub[j]) continue;
    if (x[j] == P.lb[j]) ASSERT_LE(g, tol) << where << " var " << j;
    else if (x[j] == P.ub[j]) ASSERT_GE(g, -tol) << where << " var " << j;
    else ASSERT_NEAR(g, 0.0, tol) << where << " var " << j;
  }
}
} // namespace

TEST(BanditLeastSquares, MinNormLeastSquares)
{
  TestRng rng(17);
  for (int trial = 0; trial < 300; ++trial) {
    const std::size_t cols = 1 + rng.Index(6);
    const std::size_t rows = trial % 2 ? cols + rng.Index(5) : 1 + rng.Index(cols); // tall or wide
    RandomProblem     P    = MakeProblem(rng, rows, cols);
    const std::vector<double> x = pb::MinNormLeastSquares(P.A, rows, cols, P.b);
    std::vector<double>       ref;
    if (rows >= cols) { // full column rank (almost surely): normal equations
      std::vector<double> G(cols * cols, 0.0), g(cols, 0.0);
      for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t p = 0; p < cols; ++p) {
          g[p] += P.A[i * cols + p] * P.b[i];
          for (std::size_t q = 0; q < cols; ++q) G[p * cols + q] += P.A[i * cols + p] * P.A[i * cols + q];
        }
      ASSERT_TRUE(SolveDense(G, g, cols, ref));
    } else { // full row rank: x = A^T (A A^T)^{-1} b
      std::vector<double> G(rows * rows, 0.0), w;
      for (std::size_t p = 0; p < rows; ++p)
        for (std::size_t q = 0; q < rows; ++q)
          for (std::size_t j = 0; j < cols; ++j) G[p * rows + q] += P.A[p * cols + j] * P.A[q * cols + j];
      ASSERT_TRUE(SolveDense(G, P.b, rows, w));
      ref.assign(cols, 0.0);
      for (std::size_t j = 0; j < cols; ++j)
        for (std::size_t p = 0; p < rows; ++p) ref[j] += P.A[p * cols + j] * w[p];
    }
    for (std::size_t j = 0; j < cols; ++j) ASSERT_NEAR(x[j], ref[j], 1e-8 * (1.0 + std::abs(ref[j]))) << "trial " << trial;
  }
  // Exactly rank-deficient: duplicated column; the min-norm solution splits the weight evenly.
  const std::vector<double> A = {1, 1, 2, 2, 3, 3}; // 3 x 2
  const std::vector<double> x = pb::MinNormLeastSquares(A, 3, 2, {2, 4, 6});
  EXPECT_NEAR(x[0], 1.0, 1e-12);
  EXPECT_NEAR(x[1], 1.0, 1e-12);
  const std::vector<double> zero = pb::MinNormLeastSquares(std::vector<double>(6, 0.0), 3, 2, {1, 2, 3});
  EXPECT_EQ(zero[0], 0.0);
  EXPECT_EQ(zero[1], 0.0);
}

/* Full column rank: the optimum is unique, so the active-set solver must match brute-force enumeration of all
 * active sets. */
TEST(BanditLeastSquares, BoxMatchesBruteForce)
{
  TestRng rng(23);
  int     binding = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    const std::size_t cols = 1 + rng.Index(5);
    const std::size_t rows = cols + rng.Index(6);
    RandomProblem     P    = MakeProblem(rng, rows, cols);
    std::vector<double> x0;
    if (trial % 3 == 0) {
      x0.resize(cols);
      for (double &v : x0) v = 5.0 * rng.Normal();
    }
    const pb::BoxLsqResult res = pb::BoxLeastSquares(P.A, rows, cols, P.b, P.lb, P.ub, x0);
    std::vector<double>    best;
    double                 best_obj;
    ASSERT_TRUE(BruteForce(P.A, rows, cols, P.b, P.lb, P.ub, best, best_obj));
    EXPECT_TRUE(res.converged) << "trial " << trial;
    ASSERT_NEAR(res.resnorm, best_obj, 1e-10 * (1.0 + best_obj)) << "trial " << trial;
    ASSERT_NEAR(res.resnorm, Objective(P.A, rows, cols, P.b, res.x), 1e-12 * (1.0 + best_obj));
    for (std::size_t j = 0; j < cols; ++j) {
      ASSERT_NEAR(res.x[j], best[j], 1e-7 * (1.0 + std::abs(best[j]))) << "trial " << trial << " var " << j;
      if (res.x[j] == P.lb[j] || res.x[j] == P.ub[j]) ++binding;
    }
    CheckKKT(P, res.x, "trial " + std::to_string(trial));
  }
  EXPECT_GT(binding, 1000); // the problems do exercise the bounds
}

/* Rank deficient (fewer rows than columns, or repeated columns as with clustered contexts): the minimiser
 * need not be unique; the solution must satisfy the KKT conditions (sufficient for optimality) and be no worse
 * than any feasible brute-force candidate. */
TEST(BanditLeastSquares, BoxRankDeficient)
{
  TestRng rng(29);
  for (int trial = 0; trial < 1500; ++trial) {
    const std::size_t cols = 2 + rng.Index(4);
    const std::size_t rows = 1 + rng.Index(cols);
    RandomProblem     P    = MakeProblem(rng, rows, cols);
    if (trial % 2) { // make column 1 a multiple of column 0
      const double f = rng.Range(-2.0, 2.0);
      for (std::size_t i = 0; i < rows; ++i) P.A[i * cols + 1] = f * P.A[i * cols + 0];
    }
    const pb::BoxLsqResult res = pb::BoxLeastSquares(P.A, rows, cols, P.b, P.lb, P.ub);
    EXPECT_TRUE(res.converged) << "trial " << trial;
    CheckKKT(P, res.x, "trial " + std::to_string(trial));
    std::vector<double> best;
    double              best_obj;
    if (BruteForce(P.A, rows, cols, P.b, P.lb, P.ub, best, best_obj)) {
      ASSERT_LE(res.resnorm, best_obj + 1e-9 * (1.0 + best_obj)) << "trial " << trial;
    }
  }
  // No data at all: every feasible point is optimal; the solver returns the point of the box nearest 0.
  const pb::BoxLsqResult res = pb::BoxLeastSquares(std::vector<double>(4, 0.0), 2, 2, {0, 0}, {0.5, -1.0}, {1.0, 1.0});
  EXPECT_EQ(res.x[0], 0.5);
  EXPECT_EQ(res.x[1], 0.0);
  EXPECT_THROW(pb::BoxLeastSquares({1.0}, 1, 1, {1.0}, {1.0}, {0.0}), std::invalid_argument);
}
