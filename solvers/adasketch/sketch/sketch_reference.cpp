// The reference sketch-and-project solver: plain host loops written to be read, the oracle the Kokkos solver is
// tested against. It computes the step from its definition, independently of the Kokkos solver's K^2:
//   u = K S w (a combination of q columns of K), z -= u, r -= K u,
// with S^T K^2 S formed from dot products of columns of K (Kaczmarz) or of K S (Gaussian), and the q x q system
// solved through LAPACK's symmetric eigen-decomposition (pseudo-inverse with a relative cutoff).
#include "solvers/adasketch/sketch/sketch_common.hpp"
#include "solvers/adasketch/sketch/sketch_events.hpp"
#include <petscblaslapack.h>
#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace petal {
namespace adasketch {
namespace {
using sketch::kPinvCutoff;
using sketch::kRefreshEvery;

/* w = M^+ b for symmetric positive semidefinite M (q x q, column-major), eigenvalues below cutoff * max dropped. */
void PseudoInverseSolve(int q, std::vector<double> M, const std::vector<double> &b, std::vector<double> &w)
{
  w.assign(q, 0.0);
  if (q == 1) {
    if (M[0] > 0) w[0] = b[0] / M[0];
    return;
  }
  PetscBLASInt        n = q, lwork = 8 * q, info = 0;
  std::vector<double> lam(q), work(lwork);
  LAPACKsyev_("V", "U", &n, M.data(), &n, lam.data(), work.data(), &lwork, &info);
  if (info != 0) throw std::runtime_error("petal adasketch sketch solver: LAPACK dsyev failed on the block system");
  const double lmax = lam[q - 1]; // ascending
  if (!(lmax > 0)) return;
  for (int k = 0; k < q; ++k) {
    if (lam[k] <= kPinvCutoff * lmax) continue;
    double c = 0;
    for (int a = 0; a < q; ++a) c += M[a + k * q] * b[a];
    c /= lam[k];
    for (int a = 0; a < q; ++a) w[a] += c * M[a + k * q];
  }
}

class ReferenceSketchSolver final : public SketchSolver {
public:
  explicit ReferenceSketchSolver(const SketchSettings &s) : s_(s) { sketch::CheckSettings(s); }

  void SetOperator(const KKTCsr &K) override
  {
    sketch::CheckOperator(K);
    K_ = K;
    acc_.assign(K.n, 0.0);
    mark_.assign(K.n, 0);
  }

  SketchStats Solve(std::vector<double> &z, const std::vector<double> &g, double target, std::int64_t maxSteps, std::uint64_t stream) override
  {
    sketch::CheckSolveArguments(K_, z, g);
    SketchEventScope scope;
    const double target2 = target * target;
    const int    q       = sketch::EffectiveBlock(s_, K_.n);
    std::vector<double> r;
    double              norm2 = Residual(z, g, r);
    bool                fresh = true;
    SketchStats         st;
    if (K_.n == 0) {
      st.reachedTarget = 0 <= target;
      return st;
    }
    for (std::int64_t t = 0;; ++t) {
      if (!fresh && (norm2 <= target2 || t % kRefreshEvery == 0)) {
        norm2 = Residual(z, g, r);
        fresh = true;
      }
      if (norm2 <= target2) {
        st.reachedTarget = true;
        break;
      }
      if (t >= maxSteps) break;
      const CounterRng rng(s_.seed, stream, static_cast<std::uint64_t>(t));
      if (s_.kind == SketchKind::Kaczmarz) norm2 = KaczmarzStep(rng, q, z, r, norm2);
      else norm2 = GaussianStep(rng, q, z, r);
      fresh = false;
      st.steps = t + 1;
    }
    if (!fresh) norm2 = Residual(z, g, r);
    st.residualNorm  = std::sqrt(norm2);
    st.reachedTarget = norm2 <= target2;
    return st;
  }

private:
  /* r = K z + g; returns |r|^2. */
  double Residual(const std::vector<double> &z, const std::vector<double> &g, std::vector<double> &r) const
  {
    r.assign(K_.n, 0.0);
    double s2 = 0;
    for (std::int64_t i = 0; i < K_.n; ++i) {
      double s = g[i];
      for (std::int64_t k = K_.rowptr[i]; k < K_.rowptr[i + 1]; ++k) s += K_.val[k] * z[K_.col[k]];
      r[i] = s;
      s2 += s * s;
    }
    return s2;
  }

  /* Column i of the symmetric K is row i: the dot product of columns a and b by merging the sorted rows. */
  double ColumnDot(std::int64_t a, std::int64_t b) const
  {
    double       s = 0;
    std::int64_t p = K_.rowptr[a], pe = K_.rowptr[a + 1], r = K_.rowptr[b], re = K_.rowptr[b + 1];
    while (p < pe && r < re) {
      if (K_.col[p] < K_.col[r]) ++p;
      else if (K_.col[p] > K_.col[r]) ++r;
      else s += K_.val[p++] * K_.val[r++];
    }
    return s;
  }

  /* z -= u and r -= K u for u held sparsely in acc_ on the indices `support`; returns the change of |r|^2.
   * Leaves acc_ and mark_ zeroed. */
  double ApplyUpdate(std::vector<std::int64_t> &support, std::vector<double> &z, std::vector<double> &r)
  {
    std::vector<std::pair<std::int64_t, double>> u;
    u.reserve(support.size());
    for (std::int64_t k : support) {
      u.emplace_back(k, acc_[k]);
      z[k] -= acc_[k];
      acc_[k]  = 0;
      mark_[k] = 0;
    }
    support.clear();
    for (const auto &[k, uk] : u) // (K u)_j = sum_k K(j,k) u_k, and K(j,k) = K(k,j): walk row k
      for (std::int64_t p = K_.rowptr[k]; p < K_.rowptr[k + 1]; ++p) {
        const std::int64_t j = K_.col[p];
        if (!mark_[j]) {
          mark_[j] = 1;
          support.push_back(j);
        }
        acc_[j] += K_.val[p] * uk;
      }
    double delta = 0;
    for (std::int64_t j : support) {
      const double before = r[j], after = r[j] - acc_[j];
      r[j] = after;
      delta += after * after - before * before;
      acc_[j]  = 0;
      mark_[j] = 0;
    }
    support.clear();
    return delta;
  }

  double KaczmarzStep(const CounterRng &rng, int q, std::vector<double> &z, std::vector<double> &r, double norm2)
  {
    std::vector<std::int64_t> idx(q);
    sketch::DrawDistinctIndices(rng, K_.n, q, idx);
    std::vector<double> M(q * q), b(q), w;
    for (int a = 0; a < q; ++a) {
      b[a] = r[idx[a]];
      for (int c = 0; c < q; ++c) M[a + c * q] = ColumnDot(idx[a], idx[c]);
    }
    PseudoInverseSolve(q, M, b, w);
    std::vector<std::int64_t> support;
    for (int a = 0; a < q; ++a) // u = sum_a w_a K(:, i_a)
      for (std::int64_t p = K_.rowptr[idx[a]]; p < K_.rowptr[idx[a] + 1]; ++p) {
        const std::int64_t j = K_.col[p];
        if (!mark_[j]) {
          mark_[j] = 1;
          support.push_back(j);
        }
        acc_[j] += w[a] * K_.val[p];
      }
    return norm2 + ApplyUpdate(support, z, r);
  }

  double GaussianStep(const CounterRng &rng, int q, std::vector<double> &z, std::vector<double> &r)
  {
    const std::int64_t  n = K_.n;
    std::vector<double> S(n * q), Y(n * q, 0.0), M(q * q, 0.0), b(q, 0.0), w;
    for (int a = 0; a < q; ++a)
      for (std::int64_t j = 0; j < n; ++j) S[j + a * n] = sketch::GaussianSketchEntry(rng, n, j, a);
    for (int a = 0; a < q; ++a)
      for (std::int64_t i = 0; i < n; ++i) {
        double s = 0;
        for (std::int64_t p = K_.rowptr[i]; p < K_.rowptr[i + 1]; ++p) s += K_.val[p] * S[K_.col[p] + a * n];
        Y[i + a * n] = s;
      }
    for (int a = 0; a < q; ++a) {
      for (std::int64_t i = 0; i < n; ++i) b[a] += S[i + a * n] * r[i];
      for (int c = 0; c < q; ++c)
        for (std::int64_t i = 0; i < n; ++i) M[a + c * q] += Y[i + a * n] * Y[i + c * n];
    }
    PseudoInverseSolve(q, M, b, w);
    std::vector<double> u(n, 0.0);
    for (int a = 0; a < q; ++a)
      for (std::int64_t i = 0; i < n; ++i) u[i] += w[a] * Y[i + a * n];
    double norm2 = 0;
    for (std::int64_t i = 0; i < n; ++i) z[i] -= u[i];
    for (std::int64_t i = 0; i < n; ++i) {
      double s = 0;
      for (std::int64_t p = K_.rowptr[i]; p < K_.rowptr[i + 1]; ++p) s += K_.val[p] * u[K_.col[p]];
      r[i] -= s;
      norm2 += r[i] * r[i];
    }
    return norm2;
  }

  SketchSettings            s_;
  KKTCsr                    K_;
  std::vector<double>       acc_; /* zero between steps */
  std::vector<char>         mark_;
};
} // namespace

std::unique_ptr<SketchSolver> MakeReferenceSketchSolver(const SketchSettings &s) { return std::make_unique<ReferenceSketchSolver>(s); }

} // namespace adasketch
} // namespace petal
