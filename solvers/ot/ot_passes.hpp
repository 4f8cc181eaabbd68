#pragma once
// The local n^2 passes of the OT solver in petal's execution space: the cost is chosen at run time
// (CostSpec), the kernels of ot_kernels.hpp are instantiated for every cost functor in ot_passes.cpp
// (the only translation unit built with the vectorisation flags). Everything here is rank-local: the
// callers (ot_sinkhorn.cpp, ot_newton.cpp) combine ranks with MPI.
#include "ot_kernels.hpp"
#include <petal/kokkos_bridge.hpp>
#include <petal/ot.h>
#include <string>
#include <vector>

namespace petal {
namespace ot {

using Exec = petal::ExecSpace;
using Mem  = petal::MemSpace;
using Vec1 = Vector<Mem>;
using Mat2 = Matrix<Mem>;

// The cost the kernels see for this rank's rows: a stored matrix, or two point sets.
struct CostSpec {
  bool     dense = false;
  CostKind kind  = CostKind::SqEuclidean;
  double   scale = 1.0, p = 2.0; // points: C_ij = scale * dist; dense: C already scaled
  int      nRows = 0, m = 0, dim = 0;
  Mat2     C;     // dense: nRows x m
  Mat2     X, Yt; // points: nRows x dim and dim x m
  Vec1     Yn2;   // points: |y_j|^2 (m), the expanded squared Euclidean cost's column term; see PrepareCost
};

// The compiled variants of the n^2 kernels (Scratch::isa picks one for every pass). The library is portable
// by default (no -march=native), so on x86-64 with GCC or Clang ot_passes.cpp also compiles every kernel for
// AVX2 + FMA and for AVX-512 (ot_kernels_isa.inc in #pragma GCC target regions), and the passes launch the
// variant the CPU supports: the speed of a native build without its SIGILL on older CPUs. Elsewhere (other
// architectures and compilers, device backends) only Generic exists.
enum class KernelIsa : int { Generic = 0, Avx2 = 1, Avx512 = 2 };
// The variant that runs for a PetalOTKernelISA request on this CPU (auto: the best it supports); false (and
// *isa = Generic) if this CPU or build lacks the requested one.
bool ResolveKernelIsa(PetalOTKernelISA request, KernelIsa *isa);
// For views: what a request runs, e.g. "avx512 (auto; this CPU: avx2 avx512)".
std::string KernelISADescription(PetalOTKernelISA request);

// Precomputes what the kernels use besides the raw data (|y_j|^2); passes compute it themselves if missing.
void PrepareCost(CostSpec &cost, const Scratch<Exec> &s);

// One Sinkhorn row half-step (see SinkhornRowKernel). x, r, logr, xNew: nRows; ey = eta*y: m.
// With fused, colSum (m) receives this rank's column sums of the updated plan.
// rowErr: sum_i |a_i - r_i| for the incoming potentials; fallbacks: rows that needed the max shift.
void SinkhornRow(const CostSpec &cost, double eta, const Vec1 &x, const Vec1 &ey, const Vec1 &r, const Vec1 &logr, const Vec1 &xNew, bool fused, Scratch<Exec> &s, const Vec1 &colSum, double *rowErr, long long *fallbacks);

// Stored-kernel Sinkhorn (see BuildKernelKernel, ScalingRowKernel). BuildStoredKernel fills K (nRows x m)
// and the row scalings u with the plan at (x, ey = eta y) = diag(u) K, shift2 with the base-2 row shifts (0
// unless a row sum was out of range) and returns the number of shifted rows. ScalingRow runs one row half-step on the scalings: uNew, this
// rank's column sums of the new plan without the factor v (colSum), sum |u_i t_i - r_i| and the rows whose
// sum was out of range (those keep u_i).
// The plan is stored in double or (for the early iterations, see ot_sinkhorn.cpp) in float.
using Mat2f = MatrixOf<float, Mem>;
void BuildStoredKernel(const CostSpec &cost, double eta, const Vec1 &x, const Vec1 &ey, Scratch<Exec> &s, const Mat2 &K, const Vec1 &u, const Vec1 &shift2, long long *shifted);
void BuildStoredKernel(const CostSpec &cost, double eta, const Vec1 &x, const Vec1 &ey, Scratch<Exec> &s, const Mat2f &K, const Vec1 &u, const Vec1 &shift2, long long *shifted);
void ScalingRow(const Mat2 &K, const Vec1 &u, const Vec1 &v, const Vec1 &r, const Vec1 &uNew, Scratch<Exec> &s, const Vec1 &colSum, double *rowErr, long long *bad);
void ScalingRow(const Mat2f &K, const Vec1 &u, const Vec1 &v, const Vec1 &r, const Vec1 &uNew, Scratch<Exec> &s, const Vec1 &colSum, double *rowErr, long long *bad);

// Column log-sum-exp of log P_ij = ex_i + ey_j - eta C_ij over this rank's rows, as (max, sum) pairs:
// log sum_i P_ij = colMax_j + log colSum_j. With onePass, first tries colMax = 0 (no max pass; valid
// when the plan neither overflows nor underflows, e.g. right after a row update) and falls back to
// the two-pass form if any local sum is out of range. *twoPass says which form was used.
void ColumnLogSumExp(const CostSpec &cost, double eta, const Vec1 &ex, const Vec1 &ey, bool onePass, Scratch<Exec> &s, const Vec1 &colMax, const Vec1 &colSum, bool *twoPass);

// The plan for ex, ey: row sums (nRows), this rank's column sums (m), sum P and sum C.*P.
void PlanSums(const CostSpec &cost, double eta, const Vec1 &ex, const Vec1 &ey, Scratch<Exec> &s, const Vec1 &rowSum, const Vec1 &colSum, double *sumP, double *sumCP);

// Histogram (2048 bins, by binary exponent) of this rank's nonzero plan entries.
void PlanHistogram(const CostSpec &cost, double eta, const Vec1 &ex, const Vec1 &ey, Scratch<Exec> &s, std::vector<long long> *hist);

// The entries P_ij >= tau_i of this rank's rows (local row, column, value), in row order.
struct Entries {
  std::vector<int>    i, j;
  std::vector<double> v;
};
void PlanCollect(const CostSpec &cost, double eta, const Vec1 &ex, const Vec1 &ey, const Vec1 &tau, Scratch<Exec> &s, long long capacityHint, Entries *out);

// max_ij C_ij over this rank's rows (-inf without rows).
double MaxCost(const CostSpec &cost, Scratch<Exec> &s);

// Small helpers on views (O(n) kernels). They run in s.isa's variant too: the compiler contracts a*x + b into
// an FMA where the instruction set has one, so they should use the same instructions as the n^2 kernels.
void Affine(const Scratch<Exec> &s, const Vec1 &out, double a, const Vec1 &x, double b); // out = a*x + b
void AffineAxpy(const Scratch<Exec> &s, const Vec1 &out, double a, const Vec1 &x, double alpha, const Vec1 &d, double b); // out = a*(x + alpha d) + b

} // namespace ot
} // namespace petal
