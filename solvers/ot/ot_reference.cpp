// Reference versions of the OT kernels (see ot_reference.hpp): the simplest loops that compute the
// same quantities, with libm and the two-pass log-sum-exp.
#include "ot_reference.hpp"
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace petal {
namespace ot {
namespace reference {

double Problem::Cost(int i, int j) const
{
  if (dense) return C[static_cast<size_t>(i) * m + j];
  double s = 0;
  for (int k = 0; k < dim; ++k) {
    const double t = X[static_cast<size_t>(i) * dim + k] - Y[static_cast<size_t>(j) * dim + k];
    switch (kind) {
    case CostKind::SqEuclidean:
    case CostKind::Euclidean:
      s += t * t;
      break;
    case CostKind::L1:
      s += std::fabs(t);
      break;
    case CostKind::PNorm:
      s += std::pow(std::fabs(t), p);
      break;
    }
  }
  return scale * (kind == CostKind::Euclidean ? std::sqrt(s) : s);
}

double LogSumExp(const std::vector<double> &v)
{
  double mx = -std::numeric_limits<double>::infinity();
  for (double t : v) mx = std::max(mx, t);
  if (!std::isfinite(mx)) return mx;
  double s = 0;
  for (double t : v) s += std::exp(t - mx);
  return mx + std::log(s);
}

double SinkhornRow(const Problem &P, double eta, const std::vector<double> &x, const std::vector<double> &y, const std::vector<double> &r, std::vector<double> *xNew, std::vector<double> *colSumNew)
{
  double              err = 0;
  std::vector<double> logP(P.m);
  xNew->assign(P.n, 0.0);
  colSumNew->assign(P.m, 0.0);
  for (int i = 0; i < P.n; ++i) {
    for (int j = 0; j < P.m; ++j) logP[j] = eta * (x[i] + y[j] - P.Cost(i, j)) - 1.0;
    const double loga = LogSumExp(logP);
    err += std::fabs(std::exp(loga) - r[i]);
    (*xNew)[i] = x[i] + (std::log(r[i]) - loga) / eta;
  }
  for (int i = 0; i < P.n; ++i)
    for (int j = 0; j < P.m; ++j) (*colSumNew)[j] += std::exp(eta * ((*xNew)[i] + y[j] - P.Cost(i, j)) - 1.0);
  return err;
}

void ColumnLogSumExp(const Problem &P, double eta, const std::vector<double> &ex, const std::vector<double> &ey, std::vector<double> *logColSum)
{
  std::vector<double> col(P.n);
  logColSum->assign(P.m, 0.0);
  for (int j = 0; j < P.m; ++j) {
    for (int i = 0; i < P.n; ++i) col[i] = ex[i] + ey[j] - eta * P.Cost(i, j);
    (*logColSum)[j] = LogSumExp(col);
  }
}

void PlanSums(const Problem &P, double eta, const std::vector<double> &ex, const std::vector<double> &ey, std::vector<double> *rowSum, std::vector<double> *colSum, double *sumP, double *sumCP)
{
  rowSum->assign(P.n, 0.0);
  colSum->assign(P.m, 0.0);
  *sumP = *sumCP = 0;
  for (int i = 0; i < P.n; ++i)
    for (int j = 0; j < P.m; ++j) {
      const double c = P.Cost(i, j), v = std::exp(ex[i] + ey[j] - eta * c);
      (*rowSum)[i] += v;
      (*colSum)[j] += v;
      *sumP += v;
      *sumCP += c * v;
    }
}

void PlanCollect(const Problem &P, double eta, const std::vector<double> &ex, const std::vector<double> &ey, const std::vector<double> &tau, std::vector<int> *I, std::vector<int> *J, std::vector<double> *V)
{
  I->clear();
  J->clear();
  V->clear();
  for (int i = 0; i < P.n; ++i)
    for (int j = 0; j < P.m; ++j) {
      const double v = std::exp(ex[i] + ey[j] - eta * P.Cost(i, j));
      if (v >= tau[i]) {
        I->push_back(i);
        J->push_back(j);
        V->push_back(v);
      }
    }
}

double ScalingRow(const std::vector<double> &K, int n, int m, const std::vector<double> &u, const std::vector<double> &v, const std::vector<double> &r, std::vector<double> *uNew, std::vector<double> *colSum)
{
  double err = 0;
  uNew->assign(n, 0.0);
  colSum->assign(m, 0.0);
  for (int i = 0; i < n; ++i) {
    double t = 0;
    for (int j = 0; j < m; ++j) t += K[static_cast<size_t>(i) * m + j] * v[j];
    err += std::fabs(u[i] * t - r[i]);
    (*uNew)[i] = r[i] / t;
  }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < m; ++j) (*colSum)[j] += (*uNew)[i] * K[static_cast<size_t>(i) * m + j];
  return err;
}

double KthLargest(std::vector<double> values, long long k)
{
  std::sort(values.begin(), values.end(), std::greater<double>());
  return values.at(static_cast<size_t>(k - 1));
}

double MaxCost(const Problem &P)
{
  double mx = -std::numeric_limits<double>::infinity();
  for (int i = 0; i < P.n; ++i)
    for (int j = 0; j < P.m; ++j) mx = std::max(mx, P.Cost(i, j));
  return mx;
}

} // namespace reference
} // namespace ot
} // namespace petal
