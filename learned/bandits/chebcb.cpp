#include "learned/bandits/chebcb.hpp"

#include <algorithm>
#include <cmath>
#include <ostream>
#include <stdexcept>

#include "learned/bandits/box_lsq.hpp"

namespace petal::bandits {

namespace {
constexpr std::size_t kMaxFeatures = 32;
constexpr double      kPi          = 3.14159265358979323846;

[[noreturn]] void BadState(const char *what)
{
  throw std::invalid_argument(std::string("petal::bandits: invalid learner state: ") + what);
}

bool AllFinite(const std::vector<double> &v)
{
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
}

/* Adds the row (v, y) to the least-squares problem held as an upper-triangular R (m x m, row-major), z = Q^T y
 * and the accumulated squared residual, by Givens rotations. */
void AddRow(double *R, double *z, double &leftover, std::vector<double> v, double y, std::size_t m)
{
  for (std::size_t k = 0; k < m; ++k) {
    if (v[k] == 0.0) continue;
    const double rkk = R[k * m + k];
    const double r   = std::hypot(rkk, v[k]);
    const double c = rkk / r, s = v[k] / r;
    R[k * m + k] = r;
    for (std::size_t j = k + 1; j < m; ++j) {
      const double rkj = R[k * m + j];
      R[k * m + j]     = c * rkj + s * v[j];
      v[j]             = -s * rkj + c * v[j];
    }
    const double zk = z[k];
    z[k]            = c * zk + s * y;
    y               = -s * zk + c * y;
  }
  leftover += y * y;
}
} // namespace

ChebCB::ChebCB(std::size_t num_arms, std::size_t features, double a, double b, std::uint64_t seed)
  : Learner("chebcb", num_arms, seed), d_(num_arms), m_(features), a_(a), b_(b)
{
  if (features < 1 || features > kMaxFeatures) throw std::invalid_argument("petal::bandits::ChebCB: the number of features must be in [1, 32]");
  if (!std::isfinite(a) || !std::isfinite(b) || !(a < b))
    throw std::invalid_argument("petal::bandits::ChebCB: the context range [a, b] needs finite a < b");
  count_.assign(d_, 0);
  rfac_.assign(d_ * m_ * m_, 0.0);
  qtb_.assign(d_ * m_, 0.0);
  leftover_.assign(d_, 0.0);
  theta_.assign(d_ * m_, 0.0);
  phi_.assign(m_, 0.0);
}

std::vector<double> ChebCB::Features(double context) const
{
  double x = 2.0 / (b_ - a_) * (context - a_) - 1.0;
  x        = std::min(std::max(x, -1.0), 1.0);
  std::vector<double> phi(m_);
  phi[0] = 1.0;
  if (m_ > 1) phi[1] = x;
  for (std::size_t j = 2; j < m_; ++j) phi[j] = 2.0 * x * phi[j - 1] - phi[j - 2];
  return phi;
}

std::vector<double> ChebCB::Coefficients(std::size_t arm) const
{
  if (arm >= d_) throw std::out_of_range("petal::bandits::ChebCB::Coefficients: arm out of range");
  return std::vector<double>(theta_.begin() + static_cast<std::ptrdiff_t>(arm * m_),
                             theta_.begin() + static_cast<std::ptrdiff_t>((arm + 1) * m_));
}

std::vector<double> ChebCB::Predict(double context) const
{
  const std::vector<double> phi = Features(context);
  std::vector<double>       yhat(d_, 0.0);
  for (std::size_t i = 0; i < d_; ++i)
    for (std::size_t j = 0; j < m_; ++j) yhat[i] += theta_[i * m_ + j] * phi[j];
  return yhat;
}

std::size_t ChebCB::GreedyArm(double context) const
{
  const std::vector<double> yhat = Predict(context);
  return static_cast<std::size_t>(std::min_element(yhat.begin(), yhat.end()) - yhat.begin());
}

std::size_t ChebCB::DoChoose(double context, std::vector<double> &probs)
{
  phi_                           = Features(context);
  const std::vector<double> yhat = Predict(context);
  const std::size_t istar = static_cast<std::size_t>(std::min_element(yhat.begin(), yhat.end()) - yhat.begin());
  const double      dd    = static_cast<double>(d_);
  double            other = 0.0;
  for (std::size_t i = 0; i < d_; ++i) {
    if (i == istar) continue;
    probs[i] = 1.0 / (dd + eta_ * (yhat[i] - yhat[istar]));
    other += probs[i];
  }
  probs[istar]          = 1.0 - other;
  const std::size_t arm = SampleIndex(probs, rng_.Uniform());
  pred_                 = yhat[arm];
  return arm;
}

bool ChebCB::Refit(std::size_t i, const std::vector<double> &ub, double &resnorm)
{
  const std::vector<double> R(rfac_.begin() + static_cast<std::ptrdiff_t>(i * m_ * m_),
                              rfac_.begin() + static_cast<std::ptrdiff_t>((i + 1) * m_ * m_));
  std::vector<double> z(m_);
  for (std::size_t j = 0; j < m_; ++j) z[j] = qtb_[i * m_ + j] / scale_;
  std::vector<double> theta = MinNormLeastSquares(R, m_, m_, z);
  bool                boxed = false;
  for (std::size_t j = 0; j < m_; ++j)
    if (std::abs(theta[j]) > ub[j]) boxed = true;
  if (boxed) {
    std::vector<double> lb(m_);
    for (std::size_t j = 0; j < m_; ++j) lb[j] = -ub[j];
    BoxLsqResult res = BoxLeastSquares(R, m_, m_, z, lb, ub, theta);
    theta            = std::move(res.x);
    resnorm          = res.resnorm + leftover_[i] / (scale_ * scale_);
  }
  std::copy(theta.begin(), theta.end(), theta_.begin() + static_cast<std::ptrdiff_t>(i * m_));
  return boxed;
}

void ChebCB::DoUpdate(std::size_t arm, double cost)
{
  const double t = static_cast<double>(t_);
  AddRow(&rfac_[arm * m_ * m_], &qtb_[arm * m_], leftover_[arm], phi_, cost - 1.0, m_);
  ++count_[arm];
  if (t_ == 1) max_cost_ = min_cost_ = cost;
  max_cost_ = std::max(max_cost_, cost);
  min_cost_ = std::min(min_cost_, cost);

  const double K       = max_cost_ > 0.0 ? max_cost_ : 1.0;
  const double spread  = max_cost_ - min_cost_; // (b - a) L of the reference
  const double N       = 2.0 + 4.0 * spread / K * (1.0 + std::log(static_cast<double>(m_)));
  const double scale   = K * N;
  const bool   changed = scale != scale_;
  scale_               = scale;
  std::vector<double> ub(m_);
  ub[0] = 1.0 / N;
  for (std::size_t j = 1; j < m_; ++j) ub[j] = 2.0 * spread / scale / static_cast<double>(j);

  double resnorm = 0.0;
  for (std::size_t i = 0; i < d_; ++i) {
    if ((changed || i == arm) && count_[i] > 0) {
      double r = 0.0;
      if (Refit(i, ub, r)) resnorm = r;
    }
  }

  const double mm    = static_cast<double>(m_);
  const double alpha = (kPi + 2.0 / kPi * std::log(2.0 * mm + 1.0)) / (2.0 * scale * (mm + 1.0)) * spread;
  sum_pred2_ += pred_ * pred_;
  sum_pred_cost_ += pred_ * cost;
  sum_cost2_ += cost * cost;
  const double R   = std::max(0.0, sum_pred2_ - 2.0 * sum_pred_cost_ / scale + sum_cost2_ / (scale * scale));
  const double den = R - resnorm + 2.0 * alpha * alpha * t;
  if (den > 0.0) {
    const double eta = 2.0 * t * std::sqrt(static_cast<double>(d_) * t / den);
    if (std::isfinite(eta)) eta_ = eta;
  }
  ++t_;
}

void ChebCB::SaveImpl(StateWriter &w) const
{
  w.Size(m_);
  w.Int(t_);
  for (std::int64_t c : count_) w.Int(c);
  w.Real(a_);
  w.Real(b_);
  w.Real(eta_);
  w.Real(scale_);
  w.Real(max_cost_);
  w.Real(min_cost_);
  w.Real(sum_pred2_);
  w.Real(sum_pred_cost_);
  w.Real(sum_cost2_);
  w.Real(pred_);
  w.Reals(rfac_);
  w.Reals(qtb_);
  w.Reals(leftover_);
  w.Reals(theta_);
  w.Reals(phi_);
}

void ChebCB::LoadImpl(StateReader &r, std::size_t num_arms)
{
  const std::size_t  d = num_arms;
  const std::size_t  m = r.Size(kMaxFeatures);
  const std::int64_t t = r.Int();
  if (m < 1 || t < 1) BadState("chebcb: bad sizes or counters");
  std::vector<std::int64_t> count(d);
  for (std::int64_t &c : count) {
    c = r.Int();
    if (c < 0) BadState("chebcb: negative count");
  }
  const double a = r.Real(), b = r.Real(), eta = r.Real(), scale = r.Real();
  const double maxc = r.Real(), minc = r.Real(), sp2 = r.Real(), spc = r.Real(), sc2 = r.Real(), pred = r.Real();
  std::vector<double> rfac     = r.Reals(d * m * m);
  std::vector<double> qtb      = r.Reals(d * m);
  std::vector<double> leftover = r.Reals(d);
  std::vector<double> theta    = r.Reals(d * m);
  std::vector<double> phi      = r.Reals(m);
  r.Finish();
  const std::vector<double> scalars = {a, b, eta, scale, maxc, minc, sp2, spc, sc2, pred};
  if (!AllFinite(scalars) || !(a < b) || eta < 0.0 || scale < 0.0 || minc > maxc || !AllFinite(rfac) || !AllFinite(qtb) || !AllFinite(leftover) || !AllFinite(theta) || !AllFinite(phi))
    BadState("chebcb: non-finite or inconsistent values");
  d_             = d;
  m_             = m;
  a_             = a;
  b_             = b;
  t_             = t;
  eta_           = eta;
  scale_         = scale;
  max_cost_      = maxc;
  min_cost_      = minc;
  sum_pred2_     = sp2;
  sum_pred_cost_ = spc;
  sum_cost2_     = sc2;
  pred_          = pred;
  count_         = std::move(count);
  rfac_          = std::move(rfac);
  qtb_           = std::move(qtb);
  leftover_      = std::move(leftover);
  theta_         = std::move(theta);
  phi_           = std::move(phi);
}

void ChebCB::SummaryImpl(std::ostream &os, const std::vector<double> &arm_values) const
{
  os << "  ChebCB: " << m_ << " Chebyshev features on [" << a_ << ", " << b_ << "], eta " << eta_ << ", scale " << scale_ << "\n";
  os << "  greedy arm at context";
  for (int k = 0; k <= 4; ++k) {
    const double      c    = a_ + (b_ - a_) * 0.25 * k;
    const std::size_t best = GreedyArm(c);
    os << (k ? "; " : " ") << c << ": " << best;
    if (best < arm_values.size()) os << " (omega " << arm_values[best] << ")";
  }
  os << "\n";
}

} // namespace petal::bandits
