#pragma once
/* What the reference and the Kokkos sketch solvers share, so that they take the same steps:
 *  - the input checks (the same error for the same bad operator),
 *  - the refresh schedule of the incrementally updated residual,
 *  - how step t draws its coordinates (distinct, uniform, from the counter-based stream of core/counter_rng.hpp),
 *  - the pseudo-inverse cutoff of the q x q system (S^T K^2 S) w = S^T r.
 * The arithmetic of the steps themselves is written twice (sketch_reference.cpp, sketch_kokkos.cpp). */
#include "solvers/adasketch/sketch/sketch_solver.hpp"
#include "core/counter_rng.hpp"
#include <cstdint>

namespace petal {
namespace adasketch {
namespace sketch {

/* The residual r is updated incrementally; every kRefreshEvery steps, and whenever the tracked norm reaches the
 * target, r = K z + g is recomputed from z (rounding in the updates would otherwise drift), and the target only
 * counts as reached when the fresh residual meets it. */
constexpr std::int64_t kRefreshEvery = 1000;
/* Eigenvalues of S^T K^2 S below kPinvCutoff * (largest eigenvalue) are treated as zero. */
constexpr double kPinvCutoff = 1e-12;
/* Block sizes above this are refused (the q x q system is solved by one thread inside the Kokkos kernel). */
constexpr int kMaxBlock = 64;

/* Throws std::invalid_argument naming the problem: sizes, unsorted or out-of-range columns, non-finite values,
 * or a matrix that is not symmetric (to 1e-12 relative to its largest entry). */
void CheckOperator(const KKTCsr &K);
/* Throws std::invalid_argument when the block size is outside [1, kMaxBlock]. */
void CheckSettings(const SketchSettings &s);
/* Throws std::invalid_argument when z or g does not have K's size, or g holds a NaN or infinity. */
void CheckSolveArguments(const KKTCsr &K, const std::vector<double> &z, const std::vector<double> &g);
/* The block size actually used on an n x n operator: Kaczmarz draws distinct coordinates, so at most n. */
inline int EffectiveBlock(const SketchSettings &s, std::int64_t n)
{
  return (s.kind == SketchKind::Kaczmarz && n < s.block) ? static_cast<int>(n) : s.block;
}

/* Step t's coordinates: q distinct indices in [0, n), each uniform; a draw equal to an earlier one is replaced by
 * the stream's next draw (sampling without replacement by rejection; q <= n). Host and device. */
template <class IndexArray>
KOKKOS_INLINE_FUNCTION void DrawDistinctIndices(const CounterRng &rng, std::int64_t n, int q, IndexArray &idx)
{
  std::uint64_t draw = 0;
  for (int a = 0; a < q; ++a) {
    for (;;) {
      const std::int64_t i   = rng.Index(draw++, n);
      bool               dup = false;
      for (int b = 0; b < a; ++b) dup = dup || (idx[b] == i);
      if (!dup) {
        idx[a] = i;
        break;
      }
    }
  }
}

/* Gaussian sketch entry S(j, a) of step t (column-major over the n x q sketch). */
KOKKOS_INLINE_FUNCTION double GaussianSketchEntry(const CounterRng &rng, std::int64_t n, std::int64_t j, int a)
{
  return rng.Normal(static_cast<std::uint64_t>(a) * static_cast<std::uint64_t>(n) + static_cast<std::uint64_t>(j));
}

} // namespace sketch
} // namespace adasketch
} // namespace petal
