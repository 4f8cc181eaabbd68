#pragma once
// Multicolor point SOR kernels in Kokkos (templated on the execution space and views; no PETSc objects).
//
// The rows of one rank's diagonal block are grouped by color (rows of one color are not coupled), so the
// rows of a color are relaxed by one parallel_for and colors are processed in order: colors 0..c-1 in a
// forward sweep, c-1..0 in a backward sweep. This is exactly sequential SOR in the multicolor order
// (sor::SOROrdered with sor::ColorOrder), up to rounding.
//
// Storage (ColoredMatrix): position k = 0..n-1 runs over the rows color by color; row(k) is the local row.
// The off-diagonal entries of row(k) are stored at [ptr(k), ptr(k+1)), split at mid(k) into the "lower"
// part (columns of a smaller color: already relaxed when row(k) is relaxed in a forward sweep) and the
// "upper" part (columns of a larger color). The diagonal is stored inverted, idiag(k) = 1 / a_ii. Columns
// keep the local numbering, so x and b are used in PETSc's order and no permutation copies are needed.
//
// The split lets the kernels do what MatSOR_SeqAIJ does: with a zero initial guess the forward sweep only
// needs the lower part (the upper one multiplies zeros), and a symmetric sweep saves t = rhs - L x in the
// forward half so the backward half only needs the upper part. A symmetric sweep from zero thus reads the
// matrix once, like PETSc's. No atomics: every row is written by exactly one thread.
#include <Kokkos_Core.hpp>
#include <vector>
#include "preconditioners/banditsor/sor_reference.hpp" // sor::Sweep

namespace petal {
namespace sor {

template <class MemorySpace, class Scalar, class Ordinal>
struct ColoredMatrix {
  using memory_space = MemorySpace;
  using scalar_type  = Scalar;
  using ordinal_type = Ordinal;
  using IndexView    = Kokkos::View<Ordinal *, MemorySpace>;
  using ValueView    = Kokkos::View<Scalar *, MemorySpace>;

  IndexView row;   // n: local row at position k
  IndexView ptr;   // n + 1: off-diagonal entries of position k
  IndexView mid;   // n: end of the lower part of position k
  IndexView col;   // entries: local column
  ValueView val;   // entries: value
  ValueView idiag; // n: 1 / a_ii
  IndexView src;   // entries: index of val(p) in the source CSR value array (for value refreshes)
  IndexView dsrc;  // n: index of a_ii in the source CSR value array

  std::vector<Ordinal> color_start; // host: ncolors + 1 offsets into the positions
  Ordinal              nlower = 0, nupper = 0; // entries in the lower / upper parts (for flop counts)

  Ordinal NumRows() const { return (Ordinal)row.extent(0); }
  Ordinal NumColors() const { return color_start.empty() ? 0 : (Ordinal)color_start.size() - 1; }
};

// val(p) = values(src(p)), idiag(k) = 1 / values(dsrc(k)). Returns the first position whose diagonal is zero,
// or n if there is none (the caller turns that into an error).
template <class ExecSpace, class Matrix, class SrcValues>
typename Matrix::ordinal_type RefreshValues(Matrix &M, const SrcValues &values)
{
  using Ordinal = typename Matrix::ordinal_type;
  using Scalar  = typename Matrix::scalar_type;
  auto val = M.val, idiag = M.idiag;
  auto src = M.src, dsrc = M.dsrc;
  const Ordinal n = M.NumRows(), nnz = (Ordinal)val.extent(0);
  Kokkos::parallel_for("petal::sor::RefreshEntries", Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Ordinal>>(0, nnz), KOKKOS_LAMBDA(const Ordinal p) { val(p) = values(src(p)); });
  Ordinal firstZero = n;
  Kokkos::parallel_reduce(
    "petal::sor::RefreshDiagonal", Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Ordinal>>(0, n),
    KOKKOS_LAMBDA(const Ordinal k, Ordinal &first) {
      const Scalar d = values(dsrc(k));
      if (d == Scalar(0)) {
        idiag(k) = Scalar(0);
        if (k < first) first = k;
      } else idiag(k) = Scalar(1) / d;
    },
    Kokkos::Min<Ordinal>(firstZero)); // the reducer's identity is the largest Ordinal, not n
  return firstZero < n ? firstZero : n;
}

// rhs(i) = b(i) - sum_j B(i, j) g(j): the block-Jacobi right-hand side, B = off-diagonal block, g = ghosts.
template <class ExecSpace, class RowMap, class Entries, class Values, class GhostView, class BView, class RhsView>
void GhostRHS(const RowMap &rowmap, const Entries &entries, const Values &values, const GhostView &g, const BView &b, const RhsView &rhs)
{
  using Ordinal = typename Entries::non_const_value_type;
  using Scalar  = typename RhsView::non_const_value_type;
  const Ordinal n = (Ordinal)rhs.extent(0);
  Kokkos::parallel_for("petal::sor::GhostRHS", Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Ordinal>>(0, n), KOKKOS_LAMBDA(const Ordinal i) {
    Scalar sum = b(i);
    for (Ordinal p = rowmap(i); p < rowmap(i + 1); ++p) sum -= values(p) * g(entries(p));
    rhs(i) = sum;
  });
}

// Forward relaxation of positions [begin, end) (one color).
//   ZeroGuess: x is zero at every row not relaxed yet in this sweep, so only the lower part is needed and
//              the old x(i) is not read (x may hold garbage, as with MatSOR's SOR_ZERO_INITIAL_GUESS).
//   SaveLower: store t(k) = rhs(i) - sum_lower a_ij x_j for a backward half that follows.
template <class ExecSpace, bool ZeroGuess, bool SaveLower, class Matrix, class RhsView, class XView, class TView>
void ForwardColor(const Matrix &M, typename Matrix::ordinal_type begin, typename Matrix::ordinal_type end, double omega, const RhsView &rhs, const XView &x, const TView &t)
{
  using Ordinal = typename Matrix::ordinal_type;
  using Scalar  = typename Matrix::scalar_type;
  auto row = M.row, ptr = M.ptr, mid = M.mid, col = M.col;
  auto val = M.val, idiag = M.idiag;
  const Scalar w = omega, w1 = 1 - omega;
  Kokkos::parallel_for("petal::sor::Forward", Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Ordinal>>(begin, end), KOKKOS_LAMBDA(const Ordinal k) {
    const Ordinal i   = row(k);
    Scalar        sum = rhs(i);
    const Ordinal m   = mid(k);
    for (Ordinal p = ptr(k); p < m; ++p) sum -= val(p) * x(col(p));
    if (SaveLower) t(k) = sum;
    if (ZeroGuess) {
      x(i) = w * idiag(k) * sum;
    } else {
      const Ordinal e = ptr(k + 1);
      for (Ordinal p = m; p < e; ++p) sum -= val(p) * x(col(p));
      x(i) = w1 * x(i) + w * idiag(k) * sum;
    }
  });
}

// How a backward relaxation gets the lower part of its rows.
enum class BackwardMode {
  ZERO_GUESS, // backward sweep from x = 0: lower part multiplies zeros; x(i) is not read
  SAVED,      // after a forward half that stored t = rhs - L x (and x(i) holds the forward value)
  FULL        // general: whole row
};

// Backward relaxation of positions [begin, end) (one color).
template <class ExecSpace, BackwardMode Mode, class Matrix, class RhsView, class XView, class TView>
void BackwardColor(const Matrix &M, typename Matrix::ordinal_type begin, typename Matrix::ordinal_type end, double omega, const RhsView &rhs, const XView &x, const TView &t)
{
  using Ordinal = typename Matrix::ordinal_type;
  using Scalar  = typename Matrix::scalar_type;
  auto row = M.row, ptr = M.ptr, mid = M.mid, col = M.col;
  auto val = M.val, idiag = M.idiag;
  const Scalar w = omega, w1 = 1 - omega;
  const Ordinal mirror = begin + end - 1; // kk = begin..end-1  ->  k = end-1..begin
  Kokkos::parallel_for("petal::sor::Backward", Kokkos::RangePolicy<ExecSpace, Kokkos::IndexType<Ordinal>>(begin, end), KOKKOS_LAMBDA(const Ordinal kk) {
    // Rows of one color are independent; visiting them in reverse makes the whole backward sweep one
    // descending stream through the arrays (a Serial/OpenMP backend's prefetchers like that).
    const Ordinal k = mirror - kk;
    const Ordinal i = row(k);
    const Ordinal m = mid(k), e = ptr(k + 1);
    Scalar        sum;
    if (Mode == BackwardMode::SAVED) sum = t(k);
    else sum = rhs(i);
    if (Mode == BackwardMode::FULL)
      for (Ordinal p = ptr(k); p < m; ++p) sum -= val(p) * x(col(p));
    for (Ordinal p = m; p < e; ++p) sum -= val(p) * x(col(p));
    if (Mode == BackwardMode::ZERO_GUESS) x(i) = w * idiag(k) * sum;
    else x(i) = w1 * x(i) + w * idiag(k) * sum;
  });
}

// `nsweeps` sweeps of the given type on the colored block with right-hand side rhs, all in ExecSpace.
// With zero_guess the first sweep starts from x = 0 (x's values are not read). t: workspace of n scalars.
// Returns the number of matrix entries read (lower + upper parts, for flop counts).
template <class ExecSpace, class Matrix, class RhsView, class XView, class TView>
double Sweeps(const Matrix &M, double omega, Sweep sweep, int nsweeps, bool zero_guess, const RhsView &rhs, const XView &x, const TView &t)
{
  using Ordinal         = typename Matrix::ordinal_type;
  const Ordinal nc      = M.NumColors();
  const auto   &cs      = M.color_start;
  double        entries = 0;
  for (int s = 0; s < nsweeps; ++s) {
    const bool zero = zero_guess && s == 0;
    if (sweep != Sweep::BACKWARD) {
      const bool save = sweep == Sweep::SYMMETRIC;
      for (Ordinal c = 0; c < nc; ++c) {
        if (cs[c] == cs[c + 1]) continue;
        if (zero && save) ForwardColor<ExecSpace, true, true>(M, cs[c], cs[c + 1], omega, rhs, x, t);
        else if (zero) ForwardColor<ExecSpace, true, false>(M, cs[c], cs[c + 1], omega, rhs, x, t);
        else if (save) ForwardColor<ExecSpace, false, true>(M, cs[c], cs[c + 1], omega, rhs, x, t);
        else ForwardColor<ExecSpace, false, false>(M, cs[c], cs[c + 1], omega, rhs, x, t);
      }
      entries += zero ? M.nlower : M.nlower + M.nupper;
    }
    if (sweep != Sweep::FORWARD) {
      for (Ordinal c = nc - 1; c >= 0; --c) {
        if (cs[c] == cs[c + 1]) continue;
        if (sweep == Sweep::SYMMETRIC) BackwardColor<ExecSpace, BackwardMode::SAVED>(M, cs[c], cs[c + 1], omega, rhs, x, t);
        else if (zero) BackwardColor<ExecSpace, BackwardMode::ZERO_GUESS>(M, cs[c], cs[c + 1], omega, rhs, x, t);
        else BackwardColor<ExecSpace, BackwardMode::FULL>(M, cs[c], cs[c + 1], omega, rhs, x, t);
      }
      entries += (sweep == Sweep::SYMMETRIC || zero) ? M.nupper : M.nlower + M.nupper;
    }
  }
  return entries;
}

} // namespace sor
} // namespace petal
