#pragma once
// Cost functors the n^2 kernels are templated on. A kernel asks for a row context once per plan row
// (`cost.row(i)`: the source point's coordinates in registers, pointers to the target coordinates) and
// then evaluates `cost(row, j)` inside its vectorised column loop, so an on-the-fly cost adds a few
// flops per entry and no memory traffic beyond the O(m d) target coordinates.
//
// The exponent loops only need factor * C_ij + offset (factor = -eta log2 e, offset = the row's
// shift): `cost.scaledRow(i, factor, offset)` and `cost.scaled(row, j)` give exactly that. For the
// squared Euclidean cost it is expanded as
//   factor s |x_i - y_j|^2 + offset = (offset + factor s |x_i|^2) + (factor s) |y_j|^2 + sum_k (-2 factor s x_ik) y_jk,
// d FMAs per entry: the form KeOps/FlashAttention-style kernels use. The column term (factor s) |y_j|^2
// does not depend on the row, so `scaled` leaves it out and the launcher adds it to the kernels'
// per-column constants once per pass (ColumnConstants in ot_passes.cpp; ExpandedCost says when). It
// costs ~1e-16 * |factor| * max|x|^2 absolute in the exponent (relative 1e-13 in P at eta ~ 1e3), far
// below the solver's tolerances. Costs that need |x - y| itself (Euclidean: sqrt) keep the direct form.
#include "ot_exp.hpp"

namespace petal {
namespace ot {

template <class Mem>
using Matrix = Kokkos::View<double **, Kokkos::LayoutRight, Mem>;
template <class Mem>
using Vector = Kokkos::View<double *, Mem>;
// The stored plan of the "stored" Sinkhorn variant: double, or float for the early iterations.
template <class T, class Mem>
using MatrixOf = Kokkos::View<T **, Kokkos::LayoutRight, Mem>;

enum class CostKind : int { SqEuclidean = 0, Euclidean = 1, PNorm = 2, L1 = 3 };

// A stored cost matrix: local rows x m, row-major, already multiplied by the cost scale.
template <class Mem>
struct DenseCost {
  Matrix<Mem> C;

  struct Row {
    const double *c;
  };
  KOKKOS_INLINE_FUNCTION Row row(int i) const { return Row{&C(i, 0)}; }
  KOKKOS_FORCEINLINE_FUNCTION double operator()(const Row &r, int j) const { return r.c[j]; }

  struct ScaledRow {
    const double *c;
    double        factor, offset;
  };
  KOKKOS_INLINE_FUNCTION ScaledRow scaledRow(int i, double factor, double offset) const { return ScaledRow{&C(i, 0), factor, offset}; }
  KOKKOS_FORCEINLINE_FUNCTION double scaled(const ScaledRow &r, int j) const { return r.offset + r.factor * r.c[j]; }
};

template <CostKind K>
KOKKOS_FORCEINLINE_FUNCTION double PointTerm(double t, double p)
{
  if (K == CostKind::SqEuclidean || K == CostKind::Euclidean) return t * t;
  else if (K == CostKind::L1) return kmath::fabs(t);
  else return kmath::pow(kmath::fabs(t), p);
}

template <CostKind K>
KOKKOS_FORCEINLINE_FUNCTION double PointFinish(double s, double scale)
{
  if (K == CostKind::Euclidean) return scale * kmath::sqrt(s);
  else return scale * s;
}

// Points in a compile-time dimension D (1, 2, 3): X is local rows x D, Yt is D x m (one row per
// coordinate, so the column loop reads contiguous memory). C_ij = scale * dist_K(X_i, Y_j).
template <int D, CostKind K, class Mem>
struct PointCost {
  Matrix<Mem> X, Yt;
  double      scale = 1, p = 2;

  struct Row {
    double        x[D];
    const double *y[D];
    double        scale, p;
  };
  KOKKOS_INLINE_FUNCTION Row row(int i) const
  {
    Row r;
    for (int k = 0; k < D; ++k) {
      r.x[k] = X(i, k);
      r.y[k] = &Yt(k, 0);
    }
    r.scale = scale;
    r.p     = p;
    return r;
  }
  KOKKOS_FORCEINLINE_FUNCTION double operator()(const Row &r, int j) const
  {
    double s = 0;
    for (int k = 0; k < D; ++k) s += PointTerm<K>(r.x[k] - r.y[k][j], r.p);
    return PointFinish<K>(s, r.scale);
  }

  struct ScaledRow {
    Row    r;
    double a[D];
    double base, factor, offset;
  };
  KOKKOS_INLINE_FUNCTION ScaledRow scaledRow(int i, double factor, double offset) const
  {
    ScaledRow    s;
    const double fs = factor * scale;
    s.r             = row(i);
    s.factor        = factor;
    s.offset        = offset;
    s.base          = offset;
    for (int k = 0; k < D; ++k) {
      s.a[k] = -2 * fs * s.r.x[k];
      s.base += fs * s.r.x[k] * s.r.x[k];
    }
    return s;
  }
  KOKKOS_FORCEINLINE_FUNCTION double scaled(const ScaledRow &s, int j) const
  {
    if (K == CostKind::SqEuclidean) { // without the column term (factor s |y_j|^2): see the note above
      double v = s.base;
      for (int k = 0; k < D; ++k) v += s.a[k] * s.r.y[k][j];
      return v;
    }
    return s.offset + s.factor * (*this)(s.r, j);
  }
};

// Points in any dimension (run-time dim): same layout, a loop over the coordinates.
template <CostKind K, class Mem>
struct PointCost<0, K, Mem> {
  Matrix<Mem> X, Yt;
  double      scale = 1, p = 2;

  struct Row {
    const double *x, *yt;
    int           ld, dim;
    double        scale, p;
  };
  KOKKOS_INLINE_FUNCTION Row row(int i) const
  {
    return Row{&X(i, 0), Yt.data(), static_cast<int>(Yt.stride(0)), static_cast<int>(X.extent(1)), scale, p};
  }
  KOKKOS_FORCEINLINE_FUNCTION double operator()(const Row &r, int j) const
  {
    double s = 0;
    for (int k = 0; k < r.dim; ++k) s += PointTerm<K>(r.x[k] - r.yt[k * r.ld + j], r.p);
    return PointFinish<K>(s, r.scale);
  }

  struct ScaledRow {
    Row    r;
    double factor, offset;
  };
  KOKKOS_INLINE_FUNCTION ScaledRow scaledRow(int i, double factor, double offset) const { return ScaledRow{row(i), factor, offset}; }
  KOKKOS_FORCEINLINE_FUNCTION double scaled(const ScaledRow &s, int j) const { return s.offset + s.factor * (*this)(s.r, j); }
};

} // namespace ot
} // namespace petal
