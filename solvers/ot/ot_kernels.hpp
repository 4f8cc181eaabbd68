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
// The kernel structs live in ot_kernels_isa.inc, which ot_passes.cpp compiles once more for AVX2 and once
// for AVX-512 (KernelIsa in ot_passes.hpp selects one at run time).
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

// The kernels themselves: the baseline instantiation (ot_passes.cpp includes the same file again for AVX2 and
// AVX-512, see there).
#include "ot_kernels_isa.inc"

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
