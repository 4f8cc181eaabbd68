#pragma once
// ChebCB (learners/ChebCB.m of mkhodak/learning-to-relax, commit 973a880): SquareCB-style inverse-gap
// weighting with a per-arm regression of the normalised cost on Chebyshev features of the context.
//
// predict(c): phi_j = T_j(2(c - a)/(b - a) - 1), j = 0..m-1;  yhat = Theta phi;  i* = argmin yhat;
//             p_i = 1/(d + eta (yhat_i - yhat_i*)) for i != i*,  p_i* = 1 - sum_{i != i*} p_i;  sample.
// update(cost): K = max cost;  spread = max cost - min cost  (the reference's (b - a) L);
//   N = 2 + 4 spread/K (1 + ln m);  scale = K N;
//   for the played arm (every arm with data if scale changed): Theta_i = min-norm least squares of the arm's
//   rows phi -> (cost - 1)/scale; if some |Theta_ij| > ub_j, refit by least squares in the box [-ub, ub],
//   ub = [1/N, 2 spread/(scale j) for j = 1..m-1];
//   alpha = (pi + (2/pi) ln(2m + 1)) spread / (2 scale (m + 1));
//   R = sum_s (pred_s - cost_s/scale)^2 over all rounds, pred_s = Theta_{i_s} phi_s at decision time;
//   eta = 2 t sqrt(d t / (R - resnorm + 2 alpha^2 t)), resnorm = residual of the last box refit of this
//   update (0 if none; as in the reference, the last arm in index order when several were refitted).
//
// Implementation and deviations from the reference:
//  - Sufficient statistics instead of the full history: per arm the triangular factor R_i (m x m) of the
//    QR factorisation of its feature rows, z_i = Q_i^T (cost - 1) and the squared residual left over by the
//    Givens updates. Since the targets are (cost - 1)/scale, a new scale only divides z_i. Min-norm least
//    squares of (R_i, z_i/scale) equals that of the full rows; the box refit minimises
//    ||R_i theta - z_i/scale||^2 + leftover/scale^2, which equals the full residual. R is kept as three
//    running sums (sum pred^2, sum pred cost, sum cost^2). Memory is O(d m^2), independent of the rounds.
//  - lsqminnorm's rank decision is replaced by singular values below 1e-12 sigma_max counting as zero, and
//    lsqlin by BoxLeastSquares() (an exact active-set method; when the box problem has several minimisers
//    it may return a different one than lsqlin, with the same residual).
//  - The context is clamped to [a, b] (the reference extrapolates the Chebyshev polynomials, which grow like
//    (2|x|)^(m-1) outside [-1, 1]). T_j is evaluated by the three-term recurrence, not by polyval of the
//    monomial coefficients (equal up to rounding).
//  - K = max cost is replaced by 1 if it is 0 (all costs 0 would give 0/0 in N). eta keeps its previous value
//    if the denominator R - resnorm + 2 alpha^2 t is not positive or the result is not finite (the reference
//    would produce Inf/NaN or a complex eta); R is clamped at 0 against rounding in the running sums.
#include "learned/bandits/learner.hpp"

namespace petal::bandits {

class ChebCB final : public Learner {
public:
  /* d = num_arms arms, m = features >= 1 Chebyshev features T_0..T_{m-1}, contexts in [a, b] with a < b.
   * Throws std::invalid_argument otherwise. */
  ChebCB(std::size_t num_arms, std::size_t features, double a, double b, std::uint64_t seed);

  bool Contextual() const override { return true; }
  std::size_t NumFeatures() const { return m_; }
  double Eta() const { return eta_; }
  double Scale() const { return scale_; }
  /* Chebyshev features of a context (clamped to [a, b]). */
  std::vector<double> Features(double context) const;
  /* Current regression coefficients of an arm (normalised-cost units), size m. */
  std::vector<double> Coefficients(std::size_t arm) const;
  /* Predicted normalised costs yhat_i of every arm at a context. */
  std::vector<double> Predict(double context) const;
  /* argmin_i yhat_i at a context (the arm the learner would exploit). */
  std::size_t GreedyArm(double context) const;

protected:
  std::size_t DoChoose(double context, std::vector<double> &probs) override;
  void DoUpdate(std::size_t arm, double cost) override;
  void SaveImpl(StateWriter &writer) const override;
  void LoadImpl(StateReader &reader, std::size_t num_arms) override;
  void SummaryImpl(std::ostream &os, const std::vector<double> &arm_values) const override;

private:
  /* Refits arm i; returns true and sets resnorm if the box-constrained refit was needed. */
  bool Refit(std::size_t i, const std::vector<double> &ub, double &resnorm);

  std::size_t d_, m_;
  double a_, b_;
  std::int64_t t_ = 1;          // reference t: 1 + number of updates
  double eta_ = 0.0;
  double scale_ = 0.0;          // K N of the last update (0 before the first)
  double max_cost_ = 0.0, min_cost_ = 0.0;
  double sum_pred2_ = 0.0, sum_pred_cost_ = 0.0, sum_cost2_ = 0.0;
  std::vector<std::int64_t> count_; // rows per arm
  std::vector<double> rfac_;        // d blocks of m x m upper-triangular factors (row-major)
  std::vector<double> qtb_;         // d blocks of m: Q^T (cost - 1)
  std::vector<double> leftover_;    // d: squared residual of (cost - 1) not representable in span(rows)
  std::vector<double> theta_;       // d x m coefficients
  std::vector<double> phi_;         // features of the pending decision
  double pred_ = 0.0;               // Theta_{arm} phi of the pending decision
};

} // namespace petal::bandits
