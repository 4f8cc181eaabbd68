#pragma once
// The n^2 kernels of the OT solver, templated on the Kokkos execution space and on the cost functor
// (ot_cost.hpp). All of them walk the local rows of the transport plan
//     log P_ij = ex_i + ey_j - eta * C_ij,   ex_i = eta x_i - 1,  ey_j = eta y_j
// (evaluated in base 2, see below),
// in row blocks: block b owns a contiguous range of rows and its own m-long scratch rows (buf(b, :) for
// the current plan row, part(b, :) for column partial results), so no two blocks ever write the same
// memory and no atomics are needed. On a host backend with one thread there is one block, the loop
// over j is a plain vectorisable loop over contiguous memory, and part(0, :) is the result. On a device
// the blocks run in parallel and ReduceBlocks* folds the partials. These functions never see PETSc or
// MPI: the glue in ot_passes.cpp hands them views and combines ranks.
//
// Each kernel has a plain loop-by-loop twin in ot_reference.cpp that the tests compare against.
//
// The kernels' operator() is force-inlined: ot_passes.cpp wraps each kernel in functors whose operator()
// carries a target attribute (AVX2, AVX-512) and selects one at run time, and only an inlined body is
// compiled for the wrapper's instruction set (see KernelIsa in ot_passes.hpp).
#include "ot_cost.hpp"

namespace petal {
namespace ot {

// Row sums outside [kSumTiny, kSumHuge] are recomputed with an explicit max shift (see SinkhornRow).
// kSumTiny bounds the row weights r_i / s_i by 1e20 r_i, so entries that FastExp2 clamps near 2^-1021
// instead of flushing contribute at most 7e-288 to a column sum; column sums are accepted from 1e-20 on.
constexpr double kSumTiny = 1e-20;
constexpr double kSumHuge = 1e250;

template <class Exec>
struct Scratch {
  using Mem = typename Exec::memory_space;
  int                                                    nb = 0, m = 0;
  Matrix<Mem>                                            buf, part, part2; // nb x m
  Vector<Mem>                                            ey2, colMax2;     // m: base-2 column constants
  Matrix<Mem>                                            scalars;          // nb x 4 per-block results
  Kokkos::View<long long **, Kokkos::LayoutRight, Mem> hist;             // nb x 2048, lazily
  Kokkos::View<int **, Kokkos::LayoutRight, Mem>       cols;             // nb x m column indices, lazily (PlanCollect)
  long long collectNeed = 0; // most entries one block collected last time (PlanCollect sizes its buffers from it)
  int       isa         = 0; // the compiled kernel variant the passes launch (KernelIsa in ot_passes.hpp)

  // Blocks: one per unit of concurrency, at most one per row, and at most ~256 MB of scratch rows.
  void Resize(int nRows, int ncols)
  {
    long long byMemory = (1LL << 25) / (ncols > 0 ? ncols : 1);
    long long want     = Exec().concurrency();
    if (want > byMemory) want = byMemory;
    if (want > nRows) want = nRows;
    if (want < 1) want = 1;
    if (want == nb && ncols == m) return;
    nb      = static_cast<int>(want);
    m       = ncols;
    buf     = Matrix<Mem>("petal::ot::buf", nb, m);
    part    = Matrix<Mem>("petal::ot::part", nb, m);
    part2   = Matrix<Mem>("petal::ot::part2", nb, m);
    scalars = Matrix<Mem>("petal::ot::scalars", nb, 4);
    ey2     = Vector<Mem>("petal::ot::ey2", m);
    colMax2 = Vector<Mem>("petal::ot::colMax2", m);
    hist    = decltype(hist)();
    cols    = decltype(cols)();
  }
  int RowsPerBlock(int nRows) const { return (nRows + nb - 1) / (nb > 0 ? nb : 1); }
};

// ---------------------------------------------------------------------------------------------------
// A plan row whose sum left [kSumTiny, kSumHuge] recomputed with its exact max shift: sigma = max_j (eyp_j +
// cost.scaled(row, j)) (base 2), out_j = 2^(... - sigma); returns sum_j out_j (in [1, m]) and sets *sigma.
// Shared by the Sinkhorn row pass and the stored-plan build (the rare path: first iterations, jumps in eta).
template <class Cost, class Row>
KOKKOS_INLINE_FUNCTION double MaxShiftedRow(const Cost &cost, const Row &row, const double *eyp, int m, double *out, double *sigmaOut)
{
  double sigma = -HUGE_VAL;
  PETAL_OT_SIMD_MAX(sigma)
  for (int j = 0; j < m; ++j) {
    const double t = eyp[j] + cost.scaled(row, j);
    sigma          = t > sigma ? t : sigma;
  }
  double s = 0;
  PETAL_OT_SIMD_SUM(s)
  for (int j = 0; j < m; ++j) {
    const double v = FastExp2(eyp[j] + cost.scaled(row, j) - sigma);
    out[j]         = v;
    s += v;
  }
  *sigmaOut = sigma;
  return s;
}

// ---------------------------------------------------------------------------------------------------
// All exponent arithmetic below is in base 2: with ey2_j = log2(e) ey_j (an m-vector the caller
// prepares), factor = -eta log2(e) and a row offset log2(e) (row shift), log2 P_ij = ey2_j +
// cost.scaled(row, j), and P_ij = FastExp2(...) (see ot_exp.hpp).

// Sinkhorn row half-step (log domain). For the current potentials, row i's plan entries are
// P_ij = exp(eta x_i - 1 + ey_j - eta C_ij). After an exact column update every P_ij <= c_j <= 1, so
// the entries can be exponentiated directly, with no max pass: one exp per entry. Only if the row sum
// a_i lands outside [kSumTiny, kSumHuge] (the first iterations, a jump in eta) is the row redone with
// the exact max shift sigma_i = max_j log P_ij. Then
//   x_i_new = x_i + (log r_i - log a_i) / eta,   P_new_ij = E_ij * r_i / s_i   (E = exp(log P - sigma)),
// and, if Fused, the new plan's column sums are accumulated from the same E (the y half-step needs
// exactly these), so a full Sinkhorn iteration costs one exp per entry and one sweep over each row.
// Per block: scalars(b,0) = sum_i |a_i - r_i| (row error of the incoming potentials),
//            scalars(b,1) = number of rows that needed the max shift.
template <class Exec, class Cost, bool Fused>
struct SinkhornRowKernel {
  using Mem = typename Exec::memory_space;
  Cost        cost;
  double      eta;
  Vector<Mem> x, ey2, r, logr, xNew;
  Matrix<Mem> buf, buf2, part, scalars;
  int         nRows, m, rowsPerBlock;

  KOKKOS_FORCEINLINE_FUNCTION void operator()(const int b) const
  {
    // Two row buffers: while row i is exponentiated into `cur`, the previous row's entries (in `prev`,
    // weight wPrev) are added to the column sums in the same loop, so the column update costs no
    // extra pass over the row (software pipelining across rows).
    double             *cur = &buf(b, 0), *prev = &buf2(b, 0);
    double *const       cp     = &part(b, 0);
    const double *const eyp    = ey2.data();
    const double        factor = -eta * kLog2e;
    const int           i0 = b * rowsPerBlock, i1 = i0 + rowsPerBlock < nRows ? i0 + rowsPerBlock : nRows;
    double              err = 0, fallbacks = 0, wPrev = 0;
    if (Fused) {
      PETAL_OT_SIMD
      for (int j = 0; j < m; ++j) {
        cp[j]   = 0;
        prev[j] = 0;
      }
    }
    for (int i = i0; i < i1; ++i) {
      const auto row = cost.scaledRow(i, factor, (eta * x(i) - 1.0) * kLog2e);
      double     s   = 0;
      if (Fused) {
        PETAL_OT_SIMD_SUM(s)
        for (int j = 0; j < m; ++j) {
          const double v = FastExp2(eyp[j] + cost.scaled(row, j));
          cp[j] += wPrev * prev[j];
          cur[j] = v;
          s += v;
        }
      } else {
        PETAL_OT_SIMD_SUM(s)
        for (int j = 0; j < m; ++j) {
          const double v = FastExp2(eyp[j] + cost.scaled(row, j));
          cur[j]         = v;
          s += v;
        }
      }
      double loga;
      if (s >= kSumTiny && s <= kSumHuge) {
        loga = kmath::log(s);
      } else { // underflow or overflow: shift by the row max (always finite: all inputs are finite)
        double sigma;
        s    = MaxShiftedRow(cost, row, eyp, m, cur, &sigma);
        loga = sigma * kLn2 + kmath::log(s);
        fallbacks += 1;
      }
      err += kmath::fabs(kmath::exp(loga) - r(i));
      xNew(i) = x(i) + (logr(i) - loga) / eta;
      wPrev   = r(i) / s;
      double *t = prev;
      prev      = cur;
      cur       = t;
    }
    if (Fused) { // the last row's contribution
      PETAL_OT_SIMD
      for (int j = 0; j < m; ++j) cp[j] += wPrev * prev[j];
    }
    scalars(b, 0) = err;
    scalars(b, 1) = fallbacks;
  }
};

// Column sums of the plan, no shift: part(b, j) = sum_{i in b} exp(ex_i + ey_j - eta C_ij).
// Valid when the entries neither overflow nor all underflow; the caller checks the sums.
template <class Exec, class Cost>
struct ColumnSumKernel {
  using Mem = typename Exec::memory_space;
  Cost        cost;
  double      eta;
  Vector<Mem> ex, ey2;
  Matrix<Mem> part;
  int         nRows, m, rowsPerBlock;

  KOKKOS_FORCEINLINE_FUNCTION void operator()(const int b) const
  {
    double *const       cp  = &part(b, 0);
    const double *const eyp = ey2.data();
    const int           i0 = b * rowsPerBlock, i1 = i0 + rowsPerBlock < nRows ? i0 + rowsPerBlock : nRows;
    PETAL_OT_SIMD
    for (int j = 0; j < m; ++j) cp[j] = 0;
    for (int i = i0; i < i1; ++i) {
      const auto row = cost.scaledRow(i, -eta * kLog2e, ex(i) * kLog2e);
      PETAL_OT_SIMD
      for (int j = 0; j < m; ++j) cp[j] += FastExp2(eyp[j] + cost.scaled(row, j));
    }
  }
};

// Column maxima of log2 P: part(b, j) = max_{i in b} log2 P_ij (-inf for an empty block).
template <class Exec, class Cost>
struct ColumnMaxKernel {
  using Mem = typename Exec::memory_space;
  Cost        cost;
  double      eta;
  Vector<Mem> ex, ey2;
  Matrix<Mem> part;
  int         nRows, m, rowsPerBlock;

  KOKKOS_FORCEINLINE_FUNCTION void operator()(const int b) const
  {
    double *const       cm  = &part(b, 0);
    const double *const eyp = ey2.data();
    const int           i0 = b * rowsPerBlock, i1 = i0 + rowsPerBlock < nRows ? i0 + rowsPerBlock : nRows;
    PETAL_OT_SIMD
    for (int j = 0; j < m; ++j) cm[j] = -HUGE_VAL;
    for (int i = i0; i < i1; ++i) {
      const auto row = cost.scaledRow(i, -eta * kLog2e, ex(i) * kLog2e);
      PETAL_OT_SIMD
      for (int j = 0; j < m; ++j) {
        const double t = eyp[j] + cost.scaled(row, j);
        cm[j]          = t > cm[j] ? t : cm[j];
      }
    }
  }
};

// Column sums shifted by a given per-column max (base 2): part(b, j) = sum_{i in b} 2^(log2 P_ij - colMax2_j).
template <class Exec, class Cost>
struct ColumnSumShiftedKernel {
  using Mem = typename Exec::memory_space;
  Cost        cost;
  double      eta;
  Vector<Mem> ex, ey2, colMax2;
  Matrix<Mem> part;
  int         nRows, m, rowsPerBlock;

  KOKKOS_FORCEINLINE_FUNCTION void operator()(const int b) const
  {
    double *const       cp  = &part(b, 0);
    const double *const eyp = ey2.data();
    const double *const cmx = colMax2.data();
    const int           i0 = b * rowsPerBlock, i1 = i0 + rowsPerBlock < nRows ? i0 + rowsPerBlock : nRows;
    PETAL_OT_SIMD
    for (int j = 0; j < m; ++j) cp[j] = 0;
    for (int i = i0; i < i1; ++i) {
      const auto row = cost.scaledRow(i, -eta * kLog2e, ex(i) * kLog2e);
      PETAL_OT_SIMD
      for (int j = 0; j < m; ++j) cp[j] += FastExp2(eyp[j] + cost.scaled(row, j) - cmx[j]);
    }
  }
};

// The plan itself (no shift; overflow saturates near 1e308, which the line search rejects): row sums
// a_i, column partial sums, and per block scalars(b,0) = sum P, scalars(b,1) = sum C .* P.
// <C, P> needs C_ij itself, so this pass evaluates the cost directly and then the exponent.
template <class Exec, class Cost>
struct PlanSumsKernel {
  using Mem = typename Exec::memory_space;
  Cost        cost;
  double      eta;
  Vector<Mem> ex, ey2, rowSum;
  Matrix<Mem> part, scalars;
  int         nRows, m, rowsPerBlock;

  KOKKOS_FORCEINLINE_FUNCTION void operator()(const int b) const
  {
    double *const       cp     = &part(b, 0);
    const double *const eyp    = ey2.data();
    const double        factor = -eta * kLog2e;
    const int           i0 = b * rowsPerBlock, i1 = i0 + rowsPerBlock < nRows ? i0 + rowsPerBlock : nRows;
    double              total = 0, transport = 0;
    PETAL_OT_SIMD
    for (int j = 0; j < m; ++j) cp[j] = 0;
    for (int i = i0; i < i1; ++i) {
      const auto   row   = cost.row(i);
      const double shift = ex(i) * kLog2e;
      double       s = 0, sc = 0;
      PETAL_OT_SIMD_SUM2(s, sc)
      for (int j = 0; j < m; ++j) {
        const double c = cost(row, j);
        const double v = FastExp2(eyp[j] + shift + factor * c);
        cp[j] += v;
        s += v;
        sc += c * v;
      }
      rowSum(i) = s;
      total += s;
      transport += sc;
    }
    scalars(b, 0) = total;
    scalars(b, 1) = transport;
  }
};

// Histogram of the binary exponents of the plan entries: hist(b, e) counts P_ij in [2^(e-1023), 2^(e-1022)).
// Entries at the ~2^-1021 floor (bins 1 to 3) are not counted. For the global top-k threshold.
template <class Exec, class Cost>
struct PlanHistogramKernel {
  using Mem = typename Exec::memory_space;
  Cost                                                   cost;
  double                                                 eta;
  Vector<Mem>                                            ex, ey2;
  Matrix<Mem>                                            buf;
  Kokkos::View<long long **, Kokkos::LayoutRight, Mem> hist;
  int                                                    nRows, m, rowsPerBlock;

  KOKKOS_FORCEINLINE_FUNCTION void operator()(const int b) const
  {
    double *const       e   = &buf(b, 0);
    const double *const eyp = ey2.data();
    const int           i0 = b * rowsPerBlock, i1 = i0 + rowsPerBlock < nRows ? i0 + rowsPerBlock : nRows;
    for (int k = 0; k < 2048; ++k) hist(b, k) = 0;
    for (int i = i0; i < i1; ++i) {
      const auto row = cost.scaledRow(i, -eta * kLog2e, ex(i) * kLog2e);
      PETAL_OT_SIMD
      for (int j = 0; j < m; ++j) e[j] = FastExp2(eyp[j] + cost.scaled(row, j));
      for (int j = 0; j < m; ++j) {
        const int bin = static_cast<int>((BitCast<std::uint64_t>(e[j]) >> 52) & 0x7ff);
        if (bin > 3) hist(b, bin)++;
      }
    }
  }
};

// Collects the entries P_ij >= tau_i: block b writes at most `capacity` of them to slots
// [b * capacity, (b+1) * capacity) of (I, J, V) (local row, column, value) and reports in
// counts(b) how many it found (more than capacity means the caller must retry with more room).
// Per row: the plan row is exponentiated into buf (vectorised), the kept columns are compacted into the
// block's int row `cols` without branches (write always, advance by the comparison: a mispredicted
// branch per entry cost more than the exp when a large fraction is kept), then only the kept entries are
// written out.
template <class Exec, class Cost>
struct PlanCollectKernel {
  using Mem = typename Exec::memory_space;
  Cost                                           cost;
  double                                         eta;
  Vector<Mem>                                    ex, ey2, tau, V;
  Kokkos::View<int *, Mem>                       I, J;
  Kokkos::View<long long *, Mem>                 counts;
  Matrix<Mem>                                    buf;
  Kokkos::View<int **, Kokkos::LayoutRight, Mem> cols;
  long long                                      capacity;
  int                                            nRows, m, rowsPerBlock;

  KOKKOS_FORCEINLINE_FUNCTION void operator()(const int b) const
  {
    double *const       e   = &buf(b, 0);
    int *const          jc  = &cols(b, 0);
    const double *const eyp = ey2.data();
    const int           i0 = b * rowsPerBlock, i1 = i0 + rowsPerBlock < nRows ? i0 + rowsPerBlock : nRows;
    long long           found = 0;
    const long long     base  = b * capacity;
    for (int i = i0; i < i1; ++i) {
      const auto   row = cost.scaledRow(i, -eta * kLog2e, ex(i) * kLog2e);
      const double t   = tau(i);
      PETAL_OT_SIMD
      for (int j = 0; j < m; ++j) e[j] = FastExp2(eyp[j] + cost.scaled(row, j));
      int c = 0;
      for (int j = 0; j < m; ++j) {
        jc[c] = j;
        c += e[j] >= t ? 1 : 0;
      }
      for (int q = 0; q < c && found + q < capacity; ++q) {
        I(base + found + q) = i;
        J(base + found + q) = jc[q];
        V(base + found + q) = e[jc[q]];
      }
      found += c;
    }
    counts(b) = found;
  }
};

// Largest cost entry: scalars(b, 0) = max_{i in b, j} C_ij (for -ot_cost_normalize).
template <class Exec, class Cost>
struct MaxCostKernel {
  using Mem = typename Exec::memory_space;
  Cost        cost;
  Matrix<Mem> scalars;
  int         nRows, m, rowsPerBlock;

  KOKKOS_FORCEINLINE_FUNCTION void operator()(const int b) const
  {
    const int i0 = b * rowsPerBlock, i1 = i0 + rowsPerBlock < nRows ? i0 + rowsPerBlock : nRows;
    double    mx = -HUGE_VAL;
    for (int i = i0; i < i1; ++i) {
      const auto row = cost.row(i);
      PETAL_OT_SIMD_MAX(mx)
      for (int j = 0; j < m; ++j) {
        const double c = cost(row, j);
        mx             = c > mx ? c : mx;
      }
    }
    scalars(b, 0) = mx;
  }
};

// ---------------------------------------------------------------------------------------------------
// The stored-kernel Sinkhorn (variant "stored", ot_sinkhorn.cpp): K = the plan at absorbed potentials
// (x0, y0), kept as an nRows x m matrix; iterations act on scalings u (rows) and v (columns) with
// P = diag(u) K diag(v): two FMAs per entry and a streaming read of K instead of an exp per entry.

// K_ij = P_ij at (x, y) (the base-2 exponent of SinkhornRowKernel), u_i = 1. A row whose sum leaves
// [kSumTiny, kSumHuge] is shifted by its max: shift2(i) = sigma_i (base 2; 0 for the others) and
// K_ij = P_ij 2^-sigma_i, so every stored row has a sum in range (the caller moves x_i: that row of the
// plan changes). scalars(b, 0) = rows max-shifted.
// The row is computed into the double scratch row buf(b, :) and then stored (converted for a float K).
template <class Exec, class Cost, class T>
struct BuildKernelKernel {
  using Mem = typename Exec::memory_space;
  Cost             cost;
  double           eta;
  Vector<Mem>      x, ey2, shift2;
  Vector<Mem>      u;
  MatrixOf<T, Mem> K;
  Matrix<Mem>      buf, scalars;
  int              nRows, m, rowsPerBlock;

  KOKKOS_FORCEINLINE_FUNCTION void operator()(const int b) const
  {
    // A float K additionally has every row normalised to sum 1 and the row sum moved into the row scaling
    // u_i (the plan diag(u) K is unchanged): float's range ends at 1e-38, and a normalised row keeps
    // everything that matters to its sum far above that. A double K has u_i = 1.
    constexpr bool      normalise = sizeof(T) < sizeof(double);
    double *const       e         = &buf(b, 0);
    const double *const eyp       = ey2.data();
    const double        factor    = -eta * kLog2e;
    const int           i0 = b * rowsPerBlock, i1 = i0 + rowsPerBlock < nRows ? i0 + rowsPerBlock : nRows;
    double              shifted = 0;
    for (int i = i0; i < i1; ++i) {
      const auto row = cost.scaledRow(i, factor, (eta * x(i) - 1.0) * kLog2e);
      T         *k   = &K(i, 0);
      double     s = 0, sigma = 0;
      PETAL_OT_SIMD_SUM(s)
      for (int j = 0; j < m; ++j) {
        const double v = FastExp2(eyp[j] + cost.scaled(row, j));
        e[j]           = v;
        s += v;
      }
      if (!(s >= kSumTiny && s <= kSumHuge)) {
        s = MaxShiftedRow(cost, row, eyp, m, e, &sigma);
        shifted += 1;
      }
      const double scale = normalise ? 1.0 / s : 1.0;
      PETAL_OT_SIMD
      for (int j = 0; j < m; ++j) k[j] = static_cast<T>(e[j] * scale);
      shift2(i) = sigma;
      u(i)      = normalise ? s : 1.0;
    }
    scalars(b, 0) = shifted;
  }
};

// One scaling-domain row half-step on the stored kernel, fused with the column sums of its result:
//   t_i = sum_j K_ij v_j,  rowErr += |u_i t_i - r_i| (the incoming plan's row error),  uNew_i = r_i / t_i,
//   part(b, j) = sum_{i in b} uNew_i K_ij   (the new plan's column sums are v_j part_j).
// A row whose t_i leaves [kSumTiny, kSumHuge] keeps u_i and is counted in scalars(b, 1); the caller then
// absorbs the scalings into the potentials and rebuilds K. Software-pipelined like SinkhornRowKernel:
// row i's dot product and row i-1's column accumulation share one loop over j, so K is read once.
template <class Exec, class T>
struct ScalingRowKernel {
  using Mem = typename Exec::memory_space;
  MatrixOf<T, Mem> K;
  Vector<Mem>      u, v, r, uNew;
  Matrix<Mem> part, scalars;
  int         nRows, m, rowsPerBlock;

  KOKKOS_FORCEINLINE_FUNCTION void operator()(const int b) const
  {
    double *const       cp = &part(b, 0);
    const double *const vp = v.data();
    const int           i0 = b * rowsPerBlock, i1 = i0 + rowsPerBlock < nRows ? i0 + rowsPerBlock : nRows;
    const T            *prev  = nullptr;
    double              wPrev = 0, err = 0, bad = 0;
    PETAL_OT_SIMD
    for (int j = 0; j < m; ++j) cp[j] = 0;
    for (int i = i0; i < i1; ++i) {
      const T *k = &K(i, 0);
      double   t = 0;
      if (prev) {
        PETAL_OT_SIMD_SUM(t)
        for (int j = 0; j < m; ++j) {
          t += static_cast<double>(k[j]) * vp[j];
          cp[j] += wPrev * static_cast<double>(prev[j]);
        }
      } else {
        PETAL_OT_SIMD_SUM(t)
        for (int j = 0; j < m; ++j) t += static_cast<double>(k[j]) * vp[j];
      }
      err += kmath::fabs(u(i) * t - r(i));
      double w = u(i);
      if (t >= kSumTiny && t <= kSumHuge) w = r(i) / t;
      else bad += 1;
      uNew(i) = w;
      wPrev   = w;
      prev    = k;
    }
    if (prev) {
      PETAL_OT_SIMD
      for (int j = 0; j < m; ++j) cp[j] += wPrev * static_cast<double>(prev[j]);
    }
    scalars(b, 0) = err;
    scalars(b, 1) = bad;
  }
};

// ---------------------------------------------------------------------------------------------------
// Folding block partials into one m-vector (nothing to do with a single block).
template <class Exec>
void ReduceBlocksSum(const Matrix<typename Exec::memory_space> &part, int nb, const Vector<typename Exec::memory_space> &out)
{
  const int m = static_cast<int>(out.extent(0));
  Kokkos::parallel_for(
    "petal::ot::ReduceBlocksSum", Kokkos::RangePolicy<Exec>(0, m), KOKKOS_LAMBDA(const int j) {
      double s = 0;
      for (int b = 0; b < nb; ++b) s += part(b, j);
      out(j) = s;
    });
}

template <class Exec>
void ReduceBlocksMax(const Matrix<typename Exec::memory_space> &part, int nb, const Vector<typename Exec::memory_space> &out)
{
  const int m = static_cast<int>(out.extent(0));
  Kokkos::parallel_for(
    "petal::ot::ReduceBlocksMax", Kokkos::RangePolicy<Exec>(0, m), KOKKOS_LAMBDA(const int j) {
      double s = -HUGE_VAL;
      for (int b = 0; b < nb; ++b) s = part(b, j) > s ? part(b, j) : s;
      out(j) = s;
    });
}

// Sums of the per-block scalars, on the host.
template <class Exec>
void SumBlockScalars(const Matrix<typename Exec::memory_space> &scalars, int nb, double out[4], bool maxInstead = false)
{
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), scalars);
  for (int k = 0; k < 4; ++k) {
    double s = maxInstead ? -HUGE_VAL : 0.0;
    for (int b = 0; b < nb; ++b) s = maxInstead ? (h(b, k) > s ? h(b, k) : s) : s + h(b, k);
    out[k] = s;
  }
}

} // namespace ot
} // namespace petal
