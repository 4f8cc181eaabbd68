#include "learned/bandits/tsallis_inf.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <stdexcept>

namespace petal::bandits {

namespace {
constexpr int    kMaxNewton      = 100;
constexpr int    kMaxBisection   = 200;
constexpr double kStepTolerance  = 1e-10;
constexpr double kMaxAbsLoss     = 1e300;
constexpr std::size_t kMaxBins   = std::size_t(1) << 20;
constexpr std::int64_t kMaxWindow = std::int64_t(1) << 40;
constexpr std::int64_t kShiftStart = 16; // RV: shifts from round 16 on; eta^2 = 16/t for the RV eta = 4/sqrt(t)

[[noreturn]] void BadState(const char *what)
{
  throw std::invalid_argument(std::string("petal::bandits: invalid learner state: ") + what);
}

bool ValidEstimator(const TsallisEstimator &e)
{
  return std::isfinite(e.shift) && e.shift >= 0.0 && e.window >= 0 && e.window <= kMaxWindow && std::isfinite(e.gate) && e.gate > 0.0;
}

std::size_t ArgMax(const std::vector<double> &v)
{
  return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}
} // namespace

/* ---------------------------------------------------------------- TsallisCore */

double TsallisCore::Eta() const
{
  const double eta = 2.0 / std::sqrt(static_cast<double>(t));
  return estimator.reduced_variance ? 2.0 * eta : eta;
}

double TsallisCore::Scale() const
{
  if (n <= 0) return 1.0;
  const double s = cost_sum / static_cast<double>(n) - 1.0;
  return (s > 0.0 && std::isfinite(s)) ? s : 1.0;
}

int TsallisCore::Distribution(std::vector<double> &p) const
{
  const std::size_t d = k.size();
  p.assign(d, 0.0);
  if (d == 0) return 0;
  const double eta   = Eta();
  const double scale = Scale();
  // Work with delta_i = Lhat_i - min Lhat >= 0 (exactly 0 for the best arm) and y = x - min Lhat < 0.
  std::vector<double> delta(d);
  for (std::size_t i = 0; i < d; ++i) delta[i] = k[i] / scale + shift[i];
  const double lmin = *std::min_element(delta.begin(), delta.end());
  for (double &v : delta) v -= lmin; // may be +inf: then p_i = 0

  // f(y) = sum_i 4/(eta (delta_i - y))^2 - 1 = sum_i q_i^2 - 1, q_i = 2/(eta (delta_i - y));
  // f'(y) = eta sum_i q_i^3 (= eta sum p_i^1.5, as in the reference). f is convex and increasing on y < 0.
  auto eval = [&](double y, double &f, double &fp) {
    double s2 = 0.0, s3 = 0.0;
    for (std::size_t i = 0; i < d; ++i) {
      const double q = 2.0 / (eta * (delta[i] - y));
      s2 += q * q;
      s3 += q * q * q;
    }
    f  = s2 - 1.0;
    fp = eta * s3;
  };

  // Bracket: at y0 = -2/eta the best arm alone has p = 1, so f(y0) >= 0; at ylo = -2 sqrt(d)/eta every
  // p_i <= 1/d, so f(ylo) <= 0.
  const double ylo  = -2.0 * std::sqrt(static_cast<double>(d)) / eta;
  double       y    = -2.0 / eta;
  int          steps = 0;
  bool         done  = false;
  while (steps < kMaxNewton) {
    double f, fp;
    eval(y, f, fp);
    if (!std::isfinite(f) || !std::isfinite(fp) || !(fp > 0.0)) break;
    if (f <= 0.0) { // at the root (or a rounding error left of it)
      done = true;
      break;
    }
    const double ynew = y - f / fp;
    ++steps;
    if (!(ynew < y)) { // no progress in floating point: converged
      done = true;
      break;
    }
    if (ynew < ylo) break; // impossible in exact arithmetic: fall back to bisection on [ylo, y]
    const double dy = y - ynew;
    y               = ynew;
    if (dy < kStepTolerance) {
      done = true;
      break;
    }
  }
  if (!done) { // bisection keeping f(lo) <= 0 < f(hi)
    double lo = ylo, hi = y;
    for (int it = 0; it < kMaxBisection && hi - lo > kStepTolerance; ++it, ++steps) {
      const double mid = 0.5 * (lo + hi);
      if (!(mid > lo && mid < hi)) break;
      double f, fp;
      eval(mid, f, fp);
      if (f > 0.0) hi = mid;
      else lo = mid;
    }
    y = hi;
  }

  double sum = 0.0;
  for (std::size_t i = 0; i < d; ++i) {
    const double q = 2.0 / (eta * (delta[i] - y));
    p[i]           = q * q;
    sum += p[i];
  }
  for (double &pi : p) pi /= sum;
  return steps;
}

double TsallisCore::Shift() const
{
  if (estimator.window > 0 && n > 0) return (level - 1.0) / Scale();
  return estimator.shift;
}

void TsallisCore::Charge(std::size_t arm, const std::vector<double> &probs, double cost)
{
  const double prob = probs.at(arm);
  if (estimator.reduced_variance && t >= kShiftStart) {
    const double tt = static_cast<double>(t), B = Shift(), full = kShiftStart * estimator.gate; // t p >= full <=> p >= gate eta^2
    for (std::size_t j = 0; j < k.size(); ++j) {
      // Arms with p_j >= gate eta^2 get the whole shift, the others w = sqrt(p_j / (gate eta^2)) of it: the played
      // arm's estimate then moves by at least -w B/p_j = -B/(sqrt(gate) eta sqrt(p_j)), a negative loss that grows
      // like p^-1/2, which is what the 1/2-Tsallis regulariser keeps stable (-B/p_j would not be). PCGBandit's
      // cut-off (w = 0 below the gate) leaves those arms unshifted, and their estimates fall behind between plays.
      const double w = tt * probs[j] >= full ? 1.0 : estimator.soft_gate ? std::sqrt(tt * probs[j] / full) : 0.0;
      if (!(w > 0.0)) continue;
      shift[j] += w * B;
      if (j == arm) shift[j] -= w * B / prob;
    }
  }
  if (estimator.window > 0) level = n == 0 ? cost : level + (cost - level) / static_cast<double>(std::min<std::int64_t>(estimator.window, n + 1));
  cost_sum += cost;
  ++n;
  const double kk = k.at(arm) + (cost - 1.0) / prob;
  k[arm]          = std::min(std::max(kk, -kMaxAbsLoss), kMaxAbsLoss);
  ++t;
}

namespace {
void SaveCore(Learner::StateWriter &w, const TsallisCore &c)
{
  w.Reals(c.k);
  w.Int(c.t);
  w.Int(c.n);
  w.Real(c.cost_sum);
  w.Int(c.estimator.reduced_variance ? 1 : 0);
  w.Real(c.estimator.shift);
  w.Reals(c.shift);
  w.Int(c.estimator.window);
  w.Real(c.estimator.gate);
  w.Int(c.estimator.soft_gate ? 1 : 0);
  w.Real(c.level);
}

/* Reads what SaveCore wrote; throws on invalid values. */
TsallisCore LoadCore(Learner::StateReader &r, std::size_t num_arms, const char *who)
{
  TsallisCore c;
  c.k                          = r.Reals(num_arms);
  c.t                          = r.Int();
  c.n                          = r.Int();
  c.cost_sum                   = r.Real();
  const std::int64_t rv        = r.Int();
  c.estimator.reduced_variance = rv == 1;
  c.estimator.shift            = r.Real();
  c.shift                      = r.Reals(num_arms);
  c.estimator.window           = r.Int();
  c.estimator.gate             = r.Real();
  const std::int64_t soft      = r.Int();
  c.estimator.soft_gate        = soft == 1;
  c.level                      = r.Real();
  bool ok = c.t >= 1 && c.n >= 0 && std::isfinite(c.cost_sum) && (rv == 0 || rv == 1) && (soft == 0 || soft == 1) && std::isfinite(c.level) && ValidEstimator(c.estimator);
  for (std::size_t i = 0; i < num_arms; ++i) ok = ok && std::isfinite(c.k[i]) && std::isfinite(c.shift[i]);
  if (!ok) BadState((std::string(who) + ": bad counters or estimates").c_str());
  return c;
}

void CheckEstimator(const TsallisEstimator &e)
{
  if (!std::isfinite(e.shift) || e.shift < 0.0) throw std::invalid_argument("petal::bandits: the reduced-variance shift B must be finite and >= 0");
  if (e.window < 0 || e.window > kMaxWindow) throw std::invalid_argument("petal::bandits: the reduced-variance shift window must be in [0, 2^40] (0: the constant shift B)");
  if (!std::isfinite(e.gate) || !(e.gate > 0.0)) throw std::invalid_argument("petal::bandits: the reduced-variance shift gate must be finite and > 0");
}
} // namespace

/* ---------------------------------------------------------------- TsallisINF */

TsallisINF::TsallisINF(std::size_t num_arms, std::uint64_t seed, TsallisEstimator estimator)
  : Learner("tsallis", num_arms, seed), core_(num_arms, estimator)
{
  CheckEstimator(estimator);
}

std::size_t TsallisINF::DoChoose(double, std::vector<double> &probs)
{
  last_steps_ = core_.Distribution(probs);
  return SampleIndex(probs, rng_.Uniform());
}

void TsallisINF::DoUpdate(std::size_t arm, double cost) { core_.Charge(arm, Probabilities(), cost); }

void TsallisINF::SaveImpl(StateWriter &w) const
{
  SaveCore(w, core_);
  w.Int(last_steps_);
}

void TsallisINF::LoadImpl(StateReader &r, std::size_t num_arms)
{
  TsallisCore  c     = LoadCore(r, num_arms, "tsallis");
  const auto   steps = r.Int();
  r.Finish();
  if (steps < 0 || steps > kMaxNewton + kMaxBisection) BadState("tsallis: bad counters or estimates");
  core_       = std::move(c);
  last_steps_ = static_cast<int>(steps);
}

void TsallisINF::SummaryImpl(std::ostream &os, const std::vector<double> &) const
{
  os << "  Tsallis-INF (" << (core_.estimator.reduced_variance ? "reduced-variance" : "importance-weighted") << " losses): eta " << core_.Eta() << ", loss scale " << core_.Scale();
  if (core_.estimator.reduced_variance) os << ", shift " << core_.Shift();
  os << ", last normalisation " << last_steps_ << " steps\n";
}

/* ---------------------------------------------------------------- TsallisINFCB */

TsallisINFCB::TsallisINFCB(std::size_t num_arms, std::size_t bins, double a, double b, std::uint64_t seed, TsallisEstimator estimator)
  : Learner("tsallis_cb", num_arms, seed), a_(a), b_(b)
{
  if (bins < 1 || bins > kMaxBins) throw std::invalid_argument("petal::bandits::TsallisINFCB: the number of bins must be in [1, 2^20]");
  if (!std::isfinite(a) || !std::isfinite(b) || !(a < b))
    throw std::invalid_argument("petal::bandits::TsallisINFCB: the context range [a, b] needs finite a < b");
  SetBins(bins, a, b);
  CheckEstimator(estimator);
  bins_.assign(bins, TsallisCore(num_arms, estimator));
}

void TsallisINFCB::SetBins(std::size_t bins, double a, double b)
{
  const double m = static_cast<double>(bins);
  // centres = a + (b - a) * linspace(.5/m, 1 - .5/m, m)
  const std::vector<double> lin = DefaultOmegaGrid(bins, 0.5 / m, 1.0 - 0.5 / m);
  centres_.resize(bins);
  for (std::size_t i = 0; i < bins; ++i) centres_[i] = a + (b - a) * lin[i];
  a_ = a;
  b_ = b;
}

std::size_t TsallisINFCB::BinOf(double context) const
{
  std::size_t best = 0;
  double      dist = std::abs(centres_[0] - context);
  for (std::size_t i = 1; i < centres_.size(); ++i) {
    const double di = std::abs(centres_[i] - context);
    if (di < dist) {
      dist = di;
      best = i;
    }
  }
  return best;
}

std::size_t TsallisINFCB::DoChoose(double context, std::vector<double> &probs)
{
  last_bin_ = BinOf(context);
  bins_[last_bin_].Distribution(probs);
  return SampleIndex(probs, rng_.Uniform());
}

void TsallisINFCB::DoUpdate(std::size_t arm, double cost) { bins_[last_bin_].Charge(arm, Probabilities(), cost); }

void TsallisINFCB::SaveImpl(StateWriter &w) const
{
  w.Real(a_);
  w.Real(b_);
  w.Size(bins_.size());
  w.Size(last_bin_);
  for (const TsallisCore &c : bins_) SaveCore(w, c);
}

void TsallisINFCB::LoadImpl(StateReader &r, std::size_t num_arms)
{
  const double      a        = r.Real();
  const double      b        = r.Real();
  const std::size_t nbins    = r.Size(kMaxBins);
  const std::size_t last_bin = r.Size(nbins ? nbins - 1 : 0);
  if (nbins < 1 || !std::isfinite(a) || !std::isfinite(b) || !(a < b)) BadState("tsallis_cb: bad bins or context range");
  std::vector<TsallisCore> bins;
  bins.reserve(nbins);
  for (std::size_t i = 0; i < nbins; ++i) bins.push_back(LoadCore(r, num_arms, "tsallis_cb"));
  r.Finish();
  SetBins(nbins, a, b);
  bins_     = std::move(bins);
  last_bin_ = last_bin;
}

void TsallisINFCB::SummaryImpl(std::ostream &os, const std::vector<double> &arm_values) const
{
  os << "  Tsallis-INF-CB: " << bins_.size() << " bins on [" << a_ << ", " << b_ << "]; last bin " << last_bin_ << "\n";
  os << "  per bin (centre: rounds, most probable arm):";
  std::vector<double> p;
  constexpr std::size_t kShown = 12;
  for (std::size_t i = 0; i < bins_.size(); ++i) {
    if (i == kShown) {
      os << "; ... (" << bins_.size() - kShown << " more)";
      break;
    }
    bins_[i].Distribution(p);
    const std::size_t best = ArgMax(p);
    os << (i ? "; " : " ") << centres_[i] << ": " << bins_[i].n << ", " << best;
    if (best < arm_values.size()) os << " (omega " << arm_values[best] << ")";
  }
  os << "\n";
}

} // namespace petal::bandits
