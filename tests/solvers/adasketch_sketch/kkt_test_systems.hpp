#pragma once
// KKT systems for the sketch tests: a random sparse nonsingular one (SPD B, full-row-rank G) and the AdaSketch
// paper's Poisson control KKT (include/petal/control_problem.hpp, problem 1), plus a dense LU solve as the
// independent answer. Deterministic (splitmix64), so every rank builds the same system.
#include "solvers/adasketch/sketch/sketch_solver.hpp"
#include "core/splitmix64.hpp"
#include <petscblaslapack.h>
#include <cmath>
#include <map>
#include <stdexcept>
#include <vector>

namespace kkt_test {
using petal::adasketch::KKTCsr;

/* The reference code's target w_t(i, j), 1-based: a copy of include/petal/control_problem.hpp's PaperTarget (that
 * header does not compile at 6ad72c0, this branch's base: a comment ends early; fixed on main by 8eafe45). */
inline double PaperTarget(int i, int j, int N)
{
  const double a = 0.1 / std::sqrt(15.0), c = 0.5 * (N + 1);
  return std::sin(4.0 + a * (i - c)) + std::cos(3.0 + a * (j - c));
}
constexpr double kPaperControlWeight = 0.05;

/* Symmetric sparse matrix from (i, j) -> v entries of the upper triangle and diagonal (mirrored). */
inline KKTCsr FromUpper(std::int64_t n, const std::map<std::pair<std::int64_t, std::int64_t>, double> &upper)
{
  std::vector<std::map<std::int64_t, double>> rows(n);
  for (const auto &[ij, v] : upper) {
    rows[ij.first][ij.second] += v;
    if (ij.first != ij.second) rows[ij.second][ij.first] += v;
  }
  KKTCsr K;
  K.n = n;
  K.rowptr.push_back(0);
  for (const auto &row : rows) {
    for (const auto &[j, v] : row) {
      K.col.push_back(j);
      K.val.push_back(v);
    }
    K.rowptr.push_back((std::int64_t)K.col.size());
  }
  return K;
}

/* K = [[B, G^T], [G, 0]]: B = d x d sparse SPD (diagonally dominant), G = m x d with a dominant entry in a distinct
 * column per row (full row rank) plus random couplings. */
inline KKTCsr RandomKKT(int d, int m, std::uint64_t seed)
{
  petal::SplitMix64                                       rng(seed);
  std::map<std::pair<std::int64_t, std::int64_t>, double> up;
  std::vector<double>                                     rowsum(d, 0.0);
  for (int i = 0; i < d; ++i)
    for (int c = 0; c < 2; ++c) {
      const int j = (int)(rng.Uniform() * d);
      if (j == i) continue;
      const double v = rng.Uniform() - 0.5;
      up[{std::min(i, j), std::max(i, j)}] += v;
      rowsum[i] += std::fabs(v);
      rowsum[j] += std::fabs(v);
    }
  for (int i = 0; i < d; ++i) up[{i, i}] += rowsum[i] + 0.5 + rng.Uniform();
  for (int r = 0; r < m; ++r) {
    up[{(std::int64_t)r * d / m, d + r}] += 2.0 + rng.Uniform(); // G(r, r d / m): distinct columns
    for (int c = 0; c < 3; ++c) {
      const int j = (int)(rng.Uniform() * d);
      up[{j, d + r}] += rng.Uniform() - 0.5;
    }
  }
  return FromUpper(d + m, up);
}

/* The paper's Poisson control KKT at N (d = 2N^2, m = N^2): H = diag(1 on w, 0.1 on z), G = [Delta_h, I],
 * h = 2 / (N + 1); and g = grad L at the reference's start x = 1, lambda = 1. */
inline KKTCsr PaperControlKKT(int N, std::vector<double> *g = nullptr)
{
  const std::int64_t                                      nn = (std::int64_t)N * N, d = 2 * nn;
  const double                                            h = 2.0 / (N + 1), ih2 = 1.0 / (h * h);
  std::map<std::pair<std::int64_t, std::int64_t>, double> up;
  for (std::int64_t k = 0; k < nn; ++k) {
    up[{k, k}]           = 1.0;
    up[{nn + k, nn + k}] = 2 * kPaperControlWeight;
  }
  auto at = [N](int i, int j) { return (std::int64_t)j * N + i; };
  for (int j = 0; j < N; ++j)
    for (int i = 0; i < N; ++i) {
      const std::int64_t r = d + at(i, j);
      up[{at(i, j), r}]    = -4 * ih2;
      if (i > 0) up[{at(i - 1, j), r}] = ih2;
      if (i < N - 1) up[{at(i + 1, j), r}] = ih2;
      if (j > 0) up[{at(i, j - 1), r}] = ih2;
      if (j < N - 1) up[{at(i, j + 1), r}] = ih2;
      up[{nn + at(i, j), r}] = 1.0;
    }
  KKTCsr K = FromUpper(d + nn, up);
  if (g) {
    /* grad_x L = grad f + G^T 1 = (w - w_t + G_w^T 1, 0.1 z + 1), c = Delta_h 1 + 1 */
    std::vector<double> x(d + nn, 1.0), Kx(d + nn, 0.0);
    for (std::int64_t i = 0; i < K.n; ++i)
      for (std::int64_t p = K.rowptr[i]; p < K.rowptr[i + 1]; ++p) Kx[i] += K.val[p] * x[K.col[p]];
    g->assign(d + nn, 0.0);
    for (int j = 0; j < N; ++j)
      for (int i = 0; i < N; ++i) (*g)[at(i, j)] = Kx[at(i, j)] - PaperTarget(i + 1, j + 1, N);
    for (std::int64_t k = 0; k < nn; ++k) (*g)[nn + k] = Kx[nn + k];
    for (std::int64_t k = 0; k < nn; ++k) (*g)[d + k] = Kx[d + k];
  }
  return K;
}

inline std::vector<double> Multiply(const KKTCsr &K, const std::vector<double> &x)
{
  std::vector<double> y(K.n, 0.0);
  for (std::int64_t i = 0; i < K.n; ++i)
    for (std::int64_t p = K.rowptr[i]; p < K.rowptr[i + 1]; ++p) y[i] += K.val[p] * x[K.col[p]];
  return y;
}

/* z = -K^{-1} g by LAPACK's dense LU. */
inline std::vector<double> DenseSolve(const KKTCsr &K, const std::vector<double> &g)
{
  const PetscBLASInt        n = (PetscBLASInt)K.n, one = 1;
  std::vector<double>       A(K.n * K.n, 0.0), z(K.n);
  std::vector<PetscBLASInt> piv(K.n);
  for (std::int64_t i = 0; i < K.n; ++i)
    for (std::int64_t p = K.rowptr[i]; p < K.rowptr[i + 1]; ++p) A[i + K.col[p] * K.n] = K.val[p];
  for (std::int64_t i = 0; i < K.n; ++i) z[i] = -g[i];
  PetscBLASInt info = 0;
  LAPACKgesv_(&n, &one, A.data(), &n, piv.data(), z.data(), &n, &info);
  if (info != 0) throw std::runtime_error("DenseSolve: singular KKT matrix");
  return z;
}

inline std::vector<double> RandomVector(std::int64_t n, std::uint64_t seed)
{
  petal::SplitMix64   rng(seed);
  std::vector<double> v(n);
  for (auto &x : v) x = 2 * rng.Uniform() - 1;
  return v;
}

inline double Norm(const std::vector<double> &v)
{
  double s = 0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

} // namespace kkt_test
