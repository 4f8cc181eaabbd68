#pragma once
// Plain, obviously-correct versions of the OT kernels: host loops, libm's exp/log, textbook two-pass
// log-sum-exp (max first, then sum). The tests compare the Kokkos kernels (ot_kernels.hpp) against
// these on random and extreme inputs. Not used by the solver.
#include "ot_cost.hpp"
#include <vector>

namespace petal {
namespace ot {
namespace reference {

struct Problem {
  bool                dense = false;
  CostKind            kind  = CostKind::SqEuclidean;
  double              scale = 1.0, p = 2.0;
  int                 n = 0, m = 0, dim = 0;
  std::vector<double> C;    // dense: n x m row-major, already scaled
  std::vector<double> X, Y; // points: n x dim and m x dim, point-major

  double Cost(int i, int j) const;
};

// log sum_j exp(v_j), two passes.
double LogSumExp(const std::vector<double> &v);

// One Sinkhorn row half-step: xNew_i = x_i + (log r_i - log a_i)/eta with a_i the row sums of
// P = exp(eta (x + y - C) - 1); colSumNew = column sums of the plan for (xNew, y); returns sum |a - r|.
double SinkhornRow(const Problem &P, double eta, const std::vector<double> &x, const std::vector<double> &y, const std::vector<double> &r, std::vector<double> *xNew, std::vector<double> *colSumNew);

// logColSum_j = log sum_i exp(ex_i + ey_j - eta C_ij).
void ColumnLogSumExp(const Problem &P, double eta, const std::vector<double> &ex, const std::vector<double> &ey, std::vector<double> *logColSum);

// Row and column sums of exp(ex_i + ey_j - eta C_ij), their total and sum C .* P.
void PlanSums(const Problem &P, double eta, const std::vector<double> &ex, const std::vector<double> &ey, std::vector<double> *rowSum, std::vector<double> *colSum, double *sumP, double *sumCP);

// All entries with P_ij >= tau_i, row by row.
void PlanCollect(const Problem &P, double eta, const std::vector<double> &ex, const std::vector<double> &ey, const std::vector<double> &tau, std::vector<int> *I, std::vector<int> *J, std::vector<double> *V);

// Stored-plan Sinkhorn (ScalingRowKernel): with K (n x m, row-major) the stored plan, t_i = sum_j K_ij v_j,
// uNew_i = r_i / t_i, colSum_j = sum_i uNew_i K_ij; returns sum_i |u_i t_i - r_i|.
double ScalingRow(const std::vector<double> &K, int n, int m, const std::vector<double> &u, const std::vector<double> &v, const std::vector<double> &r, std::vector<double> *uNew, std::vector<double> *colSum);

// The k-th largest of values (1-based), by sorting.
double KthLargest(std::vector<double> values, long long k);

double MaxCost(const Problem &P);

} // namespace reference
} // namespace ot
} // namespace petal
