// The Kokkos sketch-and-project solver. Everything lives in petal::MemSpace; host data crosses only in
// SetOperator (K, and K^2 built on the host) and at the start and end of Solve (z in, z out, g in).
//  - Kaczmarz: a step touches a few sparse columns of K and K^2 (r -= w K^2 e_i, z -= w K e_i), far too little
//    work for a kernel launch per step, so one kernel runs the whole Solve: a single team loops over the steps,
//    one thread draws the coordinates and solves the q x q system, the team updates r and z and reduces the
//    change of |r|^2. The host waits once per Solve.
//  - Gaussian: a step costs two sparse products with dense vectors (Y = K S, then K (Y w)), so each step is a
//    few device-wide kernels; the q x q system (S^T K^2 S = Y^T Y) is solved on the host between them.
// Both take exactly the reference solver's draws (core/counter_rng.hpp) and refresh schedule.
#include "solvers/adasketch/sketch/sketch_common.hpp"
#include "solvers/adasketch/sketch/sketch_events.hpp"
#include "solvers/adasketch/sketch/small_pinv.hpp"
#include <petal/kokkos_spaces.hpp>
#include <algorithm>
#include <cmath>
#include <string>

namespace petal {
namespace adasketch {
namespace {
using sketch::kPinvCutoff;
using sketch::kRefreshEvery;
using Policy = Kokkos::TeamPolicy<ExecSpace>;
using Member = Policy::member_type;
template <class T>
using DView = Kokkos::View<T *, MemSpace>;

template <class T>
DView<T> ToDevice(const std::string &label, const std::vector<T> &h)
{
  DView<T> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, label), h.size());
  Kokkos::deep_copy(v, HostUnmanaged<const T>(h.data(), h.size()));
  return v;
}

/* K^2 = K K (= K K^T, K symmetric) in CSR with sorted columns: column i of K^2 is what r loses per unit of
 * w in a Kaczmarz step on coordinate i. Gustavson's row-by-row product with a dense accumulator. */
KKTCsr SquareOfSymmetric(const KKTCsr &K)
{
  KKTCsr K2;
  K2.n = K.n;
  K2.rowptr.assign(K.n + 1, 0);
  std::vector<double>       acc(K.n, 0.0);
  std::vector<char>         mark(K.n, 0);
  std::vector<std::int64_t> cols;
  for (std::int64_t i = 0; i < K.n; ++i) {
    cols.clear();
    for (std::int64_t p = K.rowptr[i]; p < K.rowptr[i + 1]; ++p) {
      const std::int64_t k = K.col[p];
      for (std::int64_t s = K.rowptr[k]; s < K.rowptr[k + 1]; ++s) {
        const std::int64_t j = K.col[s];
        if (!mark[j]) {
          mark[j] = 1;
          cols.push_back(j);
        }
        acc[j] += K.val[p] * K.val[s];
      }
    }
    std::sort(cols.begin(), cols.end());
    for (std::int64_t j : cols) {
      K2.col.push_back(j);
      K2.val.push_back(acc[j]);
      acc[j]  = 0;
      mark[j] = 0;
    }
    K2.rowptr[i + 1] = (std::int64_t)K2.col.size();
  }
  return K2;
}

/* The whole Kaczmarz Solve in one single-team kernel (see the file comment). Every thread of the team holds the
 * same control state (t, norm2, fresh): team reductions hand their result to all threads. */
struct KaczmarzSolveKernel {
  DView<const std::int64_t> rp, cl, rp2, cl2, diag2;
  DView<const double>       va, va2, g;
  DView<double>             z, r;
  DView<std::int64_t>       idx;
  DView<double>             M, V, b, w, out;
  std::int64_t              n, maxSteps;
  int                       q;
  std::uint64_t             seed, stream;
  double                    target2;

  /* r = K z + g by the team; returns |r|^2 (to every thread). */
  KOKKOS_INLINE_FUNCTION double Refresh(const Member &m) const
  {
    m.team_barrier();
    Kokkos::parallel_for(Kokkos::TeamThreadRange(m, n), [&](const std::int64_t i) {
      double s = g(i);
      for (std::int64_t p = rp(i); p < rp(i + 1); ++p) s += va(p) * z(cl(p));
      r(i) = s;
    });
    m.team_barrier();
    double s2 = 0;
    Kokkos::parallel_reduce(
      Kokkos::TeamThreadRange(m, n), [&](const std::int64_t i, double &acc) { acc += r(i) * r(i); }, s2);
    m.team_barrier();
    return s2;
  }

  /* K^2(i, c) by binary search in row i of K^2 (0 when not stored). */
  KOKKOS_INLINE_FUNCTION double K2Entry(std::int64_t i, std::int64_t c) const
  {
    std::int64_t lo = rp2(i), hi = rp2(i + 1);
    while (lo < hi) {
      const std::int64_t mid = lo + (hi - lo) / 2;
      if (cl2(mid) < c) lo = mid + 1;
      else hi = mid;
    }
    return (lo < rp2(i + 1) && cl2(lo) == c) ? va2(lo) : 0.0;
  }

  /* One thread: step t's coordinates and the block weights w = (S^T K^2 S)^+ S^T r. */
  KOKKOS_INLINE_FUNCTION void Weights(std::int64_t t) const
  {
    const CounterRng rng(seed, stream, static_cast<std::uint64_t>(t));
    std::int64_t    *ip = idx.data();
    sketch::DrawDistinctIndices(rng, n, q, ip);
    if (q == 1) {
      const double d = diag2(ip[0]) >= 0 ? va2(diag2(ip[0])) : 0.0;
      w(0)           = d > 0 ? r(ip[0]) / d : 0.0;
      return;
    }
    for (int a = 0; a < q; ++a) {
      b(a) = r(ip[a]);
      for (int c = 0; c < q; ++c) M(a + c * q) = K2Entry(ip[a], ip[c]);
    }
    sketch::JacobiPseudoInverseSolve(q, M.data(), V.data(), b.data(), w.data(), kPinvCutoff);
  }

  KOKKOS_INLINE_FUNCTION void operator()(const Member &m) const
  {
    double       norm2 = Refresh(m);
    bool         fresh = true;
    std::int64_t t     = 0;
    for (;; ++t) {
      if (!fresh && (norm2 <= target2 || t % kRefreshEvery == 0)) {
        norm2 = Refresh(m);
        fresh = true;
      }
      if (norm2 <= target2 || t >= maxSteps) break;
      Kokkos::single(Kokkos::PerTeam(m), [&]() { Weights(t); });
      m.team_barrier();
      for (int a = 0; a < q; ++a) { // columns one after the other: two columns may share entries
        const std::int64_t ia = idx(a);
        const double       wa = w(a);
        if (wa != 0) {
          double delta = 0;
          Kokkos::parallel_reduce(
            Kokkos::TeamThreadRange(m, rp2(ia), rp2(ia + 1)),
            [&](const std::int64_t p, double &acc) {
              const std::int64_t j = cl2(p);
              const double before = r(j), after = before - wa * va2(p);
              r(j) = after;
              acc += after * after - before * before;
            },
            delta);
          Kokkos::parallel_for(Kokkos::TeamThreadRange(m, rp(ia), rp(ia + 1)), [&](const std::int64_t p) { z(cl(p)) -= wa * va(p); });
          norm2 += delta;
        }
        m.team_barrier();
      }
      fresh = false;
    }
    if (!fresh) norm2 = Refresh(m);
    Kokkos::single(Kokkos::PerTeam(m), [&]() {
      out(0) = static_cast<double>(t);
      out(1) = norm2;
    });
  }
};

class KokkosSketchSolver final : public SketchSolver {
public:
  explicit KokkosSketchSolver(const SketchSettings &s) : s_(s) { sketch::CheckSettings(s); }

  void SetOperator(const KKTCsr &K) override
  {
    sketch::CheckOperator(K);
    n_  = K.n;
    rp_ = ToDevice("petal::sketch::K.rowptr", K.rowptr);
    cl_ = ToDevice("petal::sketch::K.col", K.col);
    va_ = ToDevice("petal::sketch::K.val", K.val);
    if (s_.kind == SketchKind::Kaczmarz) {
      const KKTCsr              K2 = SquareOfSymmetric(K);
      std::vector<std::int64_t> diag(K.n, -1); // -1: row i of K is empty, so is row i of K^2
      for (std::int64_t i = 0; i < K.n; ++i)
        for (std::int64_t p = K2.rowptr[i]; p < K2.rowptr[i + 1]; ++p)
          if (K2.col[p] == i) diag[i] = p;
      rp2_   = ToDevice("petal::sketch::K2.rowptr", K2.rowptr);
      cl2_   = ToDevice("petal::sketch::K2.col", K2.col);
      va2_   = ToDevice("petal::sketch::K2.val", K2.val);
      diag2_ = ToDevice("petal::sketch::K2.diag", diag);
    }
  }

  SketchStats Solve(std::vector<double> &z, const std::vector<double> &g, double target, std::int64_t maxSteps, std::uint64_t stream) override
  {
    CheckArgs(z, g);
    SketchEventScope scope;
    SketchStats      st;
    if (n_ == 0) {
      st.reachedTarget = 0 <= target;
      return st;
    }
    DView<double> zd = ToDevice("petal::sketch::z", z), gd = ToDevice("petal::sketch::g", g);
    DView<double> rd(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::sketch::r"), n_);
    const double  target2 = target * target;
    const int     q       = sketch::EffectiveBlock(s_, n_);
    double        norm2   = 0;
    if (s_.kind == SketchKind::Kaczmarz) KaczmarzSolve(zd, gd, rd, q, target2, maxSteps, stream, st, norm2);
    else GaussianSolve(zd, gd, rd, q, target2, maxSteps, stream, st, norm2);
    Kokkos::deep_copy(HostUnmanaged<double>(z.data(), z.size()), zd);
    st.residualNorm  = std::sqrt(norm2);
    st.reachedTarget = norm2 <= target2;
    return st;
  }

  /* Public only because nvcc refuses extended (KOKKOS_LAMBDA) lambdas in private member functions. */
  void CheckArgs(const std::vector<double> &z, const std::vector<double> &g) const
  {
    KKTCsr shape; // CheckSolveArguments only reads n
    shape.n = n_;
    sketch::CheckSolveArguments(shape, z, g);
  }

  void KaczmarzSolve(DView<double> zd, DView<const double> gd, DView<double> rd, int q, double target2, std::int64_t maxSteps,
                     std::uint64_t stream, SketchStats &st, double &norm2)
  {
    KaczmarzSolveKernel k;
    k.rp = rp_, k.cl = cl_, k.va = va_, k.rp2 = rp2_, k.cl2 = cl2_, k.va2 = va2_, k.diag2 = diag2_;
    k.g = gd, k.z = zd, k.r = rd;
    k.idx   = DView<std::int64_t>("petal::sketch::idx", q);
    k.M     = DView<double>("petal::sketch::M", q * q);
    k.V     = DView<double>("petal::sketch::V", q * q);
    k.b     = DView<double>("petal::sketch::b", q);
    k.w     = DView<double>("petal::sketch::w", q);
    k.out   = DView<double>("petal::sketch::out", 2);
    k.n     = n_;
    k.maxSteps = maxSteps;
    k.q        = q;
    k.seed     = s_.seed;
    k.stream   = stream;
    k.target2  = target2;
    Kokkos::parallel_for("petal::sketch::kaczmarz", Policy(1, Kokkos::AUTO), k);
    auto out = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), k.out);
    st.steps = static_cast<std::int64_t>(out(0));
    norm2    = out(1);
  }

  /* r = K z + g over the whole device; returns |r|^2. */
  double Refresh(DView<const double> zd, DView<const double> gd, DView<double> rd) const
  {
    auto   rp = rp_;
    auto   cl = cl_;
    auto   va = va_;
    double s2 = 0;
    Kokkos::parallel_reduce(
      "petal::sketch::residual", Kokkos::RangePolicy<ExecSpace>(0, n_),
      KOKKOS_LAMBDA(const std::int64_t i, double &acc) {
        double s = gd(i);
        for (std::int64_t p = rp(i); p < rp(i + 1); ++p) s += va(p) * zd(cl(p));
        rd(i) = s;
        acc += s * s;
      },
      s2);
    return s2;
  }

  void GaussianSolve(DView<double> zd, DView<const double> gd, DView<double> rd, int q, double target2, std::int64_t maxSteps,
                     std::uint64_t stream, SketchStats &st, double &norm2)
  {
    const std::int64_t n  = n_;
    auto               rp = rp_;
    auto               cl = cl_;
    auto               va = va_;
    DView<double>      S(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::sketch::S"), n * q);
    DView<double>      Y(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::sketch::Y"), n * q);
    DView<double>      u(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::sketch::u"), n);
    DView<double>      Mb("petal::sketch::Mb", q * q + q); /* S^T K^2 S = Y^T Y (column-major), then S^T r */
    DView<double>      wd("petal::sketch::w", q);
    auto               MbHost = Kokkos::create_mirror_view(Mb);
    auto               wHost  = Kokkos::create_mirror_view(wd);
    std::vector<double> A(q * q), V(q * q), b(q), w(q);
    norm2      = Refresh(zd, gd, rd);
    bool fresh = true;
    std::int64_t t = 0;
    for (;; ++t) {
      if (!fresh && (norm2 <= target2 || t % kRefreshEvery == 0)) {
        norm2 = Refresh(zd, gd, rd);
        fresh = true;
      }
      if (norm2 <= target2 || t >= maxSteps) break;
      const CounterRng rng(s_.seed, stream, static_cast<std::uint64_t>(t));
      Kokkos::parallel_for(
        "petal::sketch::gaussian_draw", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::int64_t j) {
          for (int a = 0; a < q; ++a) S(j + a * n) = sketch::GaussianSketchEntry(rng, n, j, a);
        });
      Kokkos::parallel_for(
        "petal::sketch::gaussian_KS", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::int64_t i) {
          for (int a = 0; a < q; ++a) {
            double s = 0;
            for (std::int64_t p = rp(i); p < rp(i + 1); ++p) s += va(p) * S(cl(p) + a * n);
            Y(i + a * n) = s;
          }
        });
      /* one team per entry of Y^T Y and of S^T r */
      Kokkos::parallel_for(
        "petal::sketch::gaussian_gram", Policy(q * q + q, Kokkos::AUTO), KOKKOS_LAMBDA(const Member &m) {
          const int l = m.league_rank();
          double    s = 0;
          if (l < q * q) {
            const int a = l % q, c = l / q;
            Kokkos::parallel_reduce(
              Kokkos::TeamThreadRange(m, n), [&](const std::int64_t i, double &acc) { acc += Y(i + a * n) * Y(i + c * n); }, s);
          } else {
            const int a = l - q * q;
            Kokkos::parallel_reduce(
              Kokkos::TeamThreadRange(m, n), [&](const std::int64_t i, double &acc) { acc += S(i + a * n) * rd(i); }, s);
          }
          Kokkos::single(Kokkos::PerTeam(m), [&]() { Mb(l) = s; });
        });
      Kokkos::deep_copy(MbHost, Mb);
      for (int l = 0; l < q * q; ++l) A[l] = MbHost(l);
      for (int a = 0; a < q; ++a) b[a] = MbHost(q * q + a);
      sketch::JacobiPseudoInverseSolve(q, A.data(), V.data(), b.data(), w.data(), kPinvCutoff);
      for (int a = 0; a < q; ++a) wHost(a) = w[a];
      Kokkos::deep_copy(wd, wHost);
      Kokkos::parallel_for(
        "petal::sketch::gaussian_update_z", Kokkos::RangePolicy<ExecSpace>(0, n), KOKKOS_LAMBDA(const std::int64_t i) {
          double s = 0;
          for (int a = 0; a < q; ++a) s += wd(a) * Y(i + a * n);
          u(i) = s;
          zd(i) -= s;
        });
      double s2 = 0;
      Kokkos::parallel_reduce(
        "petal::sketch::gaussian_update_r", Kokkos::RangePolicy<ExecSpace>(0, n),
        KOKKOS_LAMBDA(const std::int64_t i, double &acc) {
          double s = 0;
          for (std::int64_t p = rp(i); p < rp(i + 1); ++p) s += va(p) * u(cl(p));
          const double ri = rd(i) - s;
          rd(i)           = ri;
          acc += ri * ri;
        },
        s2);
      norm2 = s2;
      fresh = false;
    }
    if (!fresh) norm2 = Refresh(zd, gd, rd);
    st.steps = t;
  }

private:
  SketchSettings            s_;
  std::int64_t              n_ = 0;
  DView<std::int64_t>       rp_, cl_, rp2_, cl2_, diag2_;
  DView<double>             va_, va2_;
};
} // namespace

std::unique_ptr<SketchSolver> MakeKokkosSketchSolver(const SketchSettings &s) { return std::make_unique<KokkosSketchSolver>(s); }

} // namespace adasketch
} // namespace petal
