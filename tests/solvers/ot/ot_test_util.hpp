#pragma once
// Helpers for the OT tests: the library's seeded problems as PETSc Vecs (distributed like PETSc's default
// layout), exact solvers to compare against (Hungarian algorithm for assignment, the monotone coupling in 1-D)
// and small utilities.
#include "petal_test.hpp"
#include <petal/ot.h>
#include <petal/ot_problems.hpp>
#include "solvers/ot/ot_impl.hpp" // GatherAll
#include "core/splitmix64.hpp"
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

namespace ottest {

using Rng = petal::SplitMix64; // the same stream on every rank and every platform

// Problems come from the library's seeded generator (include/petal/ot_problems.hpp), the one petal-ot uses.
using HostProblem = petal::OTProblem;

// n source and m target points in [0,1]^dim with uniform (or random, normalised) weights, as a value.
inline HostProblem RandomPoints(int n, int m, int dim, std::uint64_t seed, bool uniformWeights = true)
{
  HostProblem p;
  PetscCallAbort(PETSC_COMM_SELF, petal::OTGenerateRandomPoints(PETSC_COMM_SELF, n, m, dim, seed, uniformWeights ? PETSC_TRUE : PETSC_FALSE, &p));
  return p;
}

inline double Cost(const HostProblem &p, int i, int j, PetalOTCostType type, double pexp = 2)
{
  double s = 0;
  for (int k = 0; k < p.dim; ++k) {
    const double t = p.X[static_cast<size_t>(i) * p.dim + k] - p.Y[static_cast<size_t>(j) * p.dim + k];
    s += type == PETAL_OT_COST_PNORM ? std::pow(std::fabs(t), pexp) : t * t;
  }
  return type == PETAL_OT_COST_EUCLIDEAN ? std::sqrt(s) : s;
}

// Vecs r, c, X, Y for a host problem on comm (X's rows follow r's layout: both use the default split
// of n, X with block size dim).
struct PetscProblem {
  Vec r = nullptr, c = nullptr, X = nullptr, Y = nullptr;
  Mat C = nullptr;
  ~PetscProblem()
  {
    VecDestroy(&r);
    VecDestroy(&c);
    VecDestroy(&X);
    VecDestroy(&Y);
    MatDestroy(&C);
  }
};

inline PetscErrorCode ToPetsc(MPI_Comm comm, const HostProblem &p, PetscProblem *q)
{
  PetscFunctionBegin;
  PetscCall(petal::OTProblemCreateVecs(comm, p, &q->r, &q->c, &q->X, &q->Y));
  PetscFunctionReturn(0);
}

// The dense cost matrix (MPIDENSE, rows laid out like r).
inline PetscErrorCode DenseCost(MPI_Comm comm, const HostProblem &p, PetalOTCostType type, PetscProblem *q)
{
  PetscInt rstart, rend, nloc;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(q->r, &nloc));
  PetscCall(MatCreateDense(comm, nloc, PETSC_DECIDE, p.n, p.m, NULL, &q->C));
  PetscCall(MatGetOwnershipRange(q->C, &rstart, &rend));
  for (PetscInt i = rstart; i < rend; ++i)
    for (PetscInt j = 0; j < p.m; ++j) PetscCall(MatSetValue(q->C, i, j, Cost(p, i, j, type), INSERT_VALUES));
  PetscCall(MatAssemblyBegin(q->C, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(q->C, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

// Hungarian algorithm (shortest augmenting paths, O(n^3)) for the n x n assignment problem:
// min sum_i C[i][perm[i]]. Returns the optimal value.
inline double Hungarian(const std::vector<std::vector<double>> &C, std::vector<int> *perm = nullptr)
{
  const int           n   = static_cast<int>(C.size());
  const double        INF = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0), v(n + 1, 0);
  std::vector<int>    p(n + 1, 0), way(n + 1, 0);
  for (int i = 1; i <= n; ++i) {
    p[0]   = i;
    int j0 = 0;
    std::vector<double> minv(n + 1, INF);
    std::vector<char>   used(n + 1, 0);
    do {
      used[j0]     = 1;
      int    i0    = p[j0], j1 = 0;
      double delta = INF;
      for (int j = 1; j <= n; ++j)
        if (!used[j]) {
          const double cur = C[i0 - 1][j - 1] - u[i0] - v[j];
          if (cur < minv[j]) {
            minv[j] = cur;
            way[j]  = j0;
          }
          if (minv[j] < delta) {
            delta = minv[j];
            j1    = j;
          }
        }
      for (int j = 0; j <= n; ++j) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] != 0);
    do {
      const int j1 = way[j0];
      p[j0]        = p[j1];
      j0           = j1;
    } while (j0);
  }
  std::vector<int> assign(n);
  double           total = 0;
  for (int j = 1; j <= n; ++j) assign[p[j] - 1] = j - 1;
  for (int i = 0; i < n; ++i) total += C[i][assign[i]];
  if (perm) *perm = assign;
  return total;
}

// Exact OT in 1-D for a cost h(x - y) with h convex: the monotone (north-west corner) coupling of the
// sorted points. Returns the optimal value.
inline double MonotoneOT1D(const std::vector<double> &x, const std::vector<double> &r, const std::vector<double> &y, const std::vector<double> &c, double (*h)(double))
{
  std::vector<int> ix(x.size()), iy(y.size());
  std::iota(ix.begin(), ix.end(), 0);
  std::iota(iy.begin(), iy.end(), 0);
  std::sort(ix.begin(), ix.end(), [&](int a, int b) { return x[a] < x[b]; });
  std::sort(iy.begin(), iy.end(), [&](int a, int b) { return y[a] < y[b]; });
  std::vector<double> rr(r), cc(c);
  size_t              a = 0, b = 0;
  double              total = 0;
  while (a < ix.size() && b < iy.size()) {
    const double t = std::min(rr[ix[a]], cc[iy[b]]);
    total += t * h(x[ix[a]] - y[iy[b]]);
    rr[ix[a]] -= t;
    cc[iy[b]] -= t;
    if (rr[ix[a]] <= 1e-18) ++a;
    if (cc[iy[b]] <= 1e-18) ++b;
  }
  return total;
}

// All entries of a parallel Vec on every rank: the solver's own helper.
using petal::ot::GatherAll;

// Solves a host problem with the given options on comm; returns the result and the gathered potentials.
struct Solution {
  PetalOTResult       res{};
  std::vector<double> x, y;
};

inline PetscErrorCode Solve(MPI_Comm comm, const HostProblem &p, PetalOTMethod method, double eta, double tol, Solution *s, PetalOTCostType type = PETAL_OT_COST_SQEUCLIDEAN, bool dense = false, void (*configure)(PetalOT) = nullptr)
{
  PetalOT      ot;
  PetscProblem q;
  Vec          x, y;

  PetscFunctionBegin;
  PetscCall(ToPetsc(comm, p, &q));
  PetscCall(PetalOTCreate(comm, &ot));
  if (dense) {
    PetscCall(DenseCost(comm, p, type, &q));
    PetscCall(PetalOTSetProblemCost(ot, q.r, q.c, q.C));
  } else {
    PetscCall(PetalOTSetProblemPoints(ot, q.r, q.c, p.dim, q.X, q.Y));
    PetscCall(PetalOTSetCost(ot, type, 2));
  }
  PetscCall(PetalOTSetEta(ot, eta));
  PetscCall(PetalOTSetMethod(ot, method));
  PetscCall(PetalOTSetTolerances(ot, tol, 200000));
  PetscCall(PetalOTSetFromOptions(ot)); // PETSC_OPTIONS=-ot_monitor etc. for debugging
  if (configure) configure(ot);
  PetscCall(PetalOTSolve(ot));
  PetscCall(PetalOTGetResult(ot, &s->res));
  PetscCall(PetalOTGetPotentials(ot, &x, &y));
  PetscCall(GatherAll(x, &s->x));
  PetscCall(GatherAll(y, &s->y));
  PetscCall(PetalOTDestroy(&ot));
  PetscFunctionReturn(0);
}

// Largest difference of two potential pairs up to the gauge (x + t, y - t): t aligns y[0].
inline double PotentialDiff(const Solution &a, const Solution &b)
{
  const double t = a.y[0] - b.y[0];
  double       d = 0;
  for (size_t i = 0; i < a.x.size(); ++i) d = std::max(d, std::fabs(a.x[i] - (b.x[i] - t)));
  for (size_t j = 0; j < a.y.size(); ++j) d = std::max(d, std::fabs(a.y[j] - (b.y[j] + t)));
  return d;
}

} // namespace ottest
