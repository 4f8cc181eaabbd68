// Instantiates the n^2 kernels for every cost functor and launches them in petal's execution space, in the
// compiled variant Scratch::isa selects (KernelIsa in ot_passes.hpp; the variants: ot_kernels_isa.inc). This is the one translation unit compiled
// with -fopenmp-simd (and with -march=native only if PETAL_OT_NATIVE_ARCH=ON): see solvers/ot/CMakeLists.txt.
#include "ot_passes.hpp"
#include <algorithm>
#include <type_traits>

// The AVX2 and AVX-512 variants: x86-64, a compiler with the target attribute and __builtin_cpu_supports, a
// host execution space (device code has no such attribute).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__CUDACC__) && !defined(__HIPCC__)
#define PETAL_OT_KERNEL_DISPATCH 1
#else
#define PETAL_OT_KERNEL_DISPATCH 0
#endif

#if PETAL_OT_KERNEL_DISPATCH
// The kernels again, compiled for AVX2 + FMA and for AVX-512 (why a pragma region and not an attribute on a
// wrapper: ot_kernels_isa.inc). Only the kernel structs are in the regions; the launches below are baseline
// code that calls their operator() once per block.
namespace petal {
namespace ot {
namespace isa_avx2 {
#pragma GCC push_options
#pragma GCC target("avx2,fma,bmi2")
#include "ot_kernels_isa.inc"
#pragma GCC pop_options
} // namespace isa_avx2
namespace isa_avx512 {
#pragma GCC push_options
#pragma GCC target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma,bmi2")
#include "ot_kernels_isa.inc"
#pragma GCC pop_options
} // namespace isa_avx512
} // namespace ot
} // namespace petal
#endif

namespace petal {
namespace ot {
namespace {

template <CostKind K, class F>
void WithDim(const CostSpec &s, F &&f)
{
  switch (s.dim) {
  case 1:
    f(PointCost<1, K, Mem>{s.X, s.Yt, s.scale, s.p});
    break;
  case 2:
    f(PointCost<2, K, Mem>{s.X, s.Yt, s.scale, s.p});
    break;
  case 3:
    f(PointCost<3, K, Mem>{s.X, s.Yt, s.scale, s.p});
    break;
  default:
    f(PointCost<0, K, Mem>{s.X, s.Yt, s.scale, s.p});
  }
}

// Calls f with the cost functor that matches the spec (one instantiation of f per functor type).
template <class F>
void WithCost(const CostSpec &s, F &&f)
{
  if (s.dense) {
    f(DenseCost<Mem>{s.C});
    return;
  }
  switch (s.kind) {
  case CostKind::SqEuclidean:
    WithDim<CostKind::SqEuclidean>(s, f);
    break;
  case CostKind::Euclidean:
    WithDim<CostKind::Euclidean>(s, f);
    break;
  case CostKind::L1:
    f(PointCost<0, CostKind::L1, Mem>{s.X, s.Yt, s.scale, s.p});
    break;
  case CostKind::PNorm:
    f(PointCost<0, CostKind::PNorm, Mem>{s.X, s.Yt, s.scale, s.p});
    break;
  }
}

Kokkos::RangePolicy<Exec> Blocks(const Scratch<Exec> &s) { return Kokkos::RangePolicy<Exec>(0, s.nb); }

// The kernels of one instruction set (a namespace holding ot_kernels_isa.inc) as a type, so that a pass can
// be written once and instantiated for each.
#define PETAL_OT_KERNEL_SET(NAME, NS)                                                 \
  struct NAME {                                                                       \
    template <class C, bool F>                                                        \
    using SinkhornRow = NS::SinkhornRowKernel<Exec, C, F>;                            \
    template <class C>                                                                \
    using ColumnSum = NS::ColumnSumKernel<Exec, C>;                                   \
    template <class C>                                                                \
    using ColumnMax = NS::ColumnMaxKernel<Exec, C>;                                   \
    template <class C>                                                                \
    using ColumnSumShifted = NS::ColumnSumShiftedKernel<Exec, C>;                     \
    template <class C>                                                                \
    using PlanSums = NS::PlanSumsKernel<Exec, C>;                                     \
    template <class C>                                                                \
    using PlanHistogram = NS::PlanHistogramKernel<Exec, C>;                           \
    template <class C>                                                                \
    using PlanCollect = NS::PlanCollectKernel<Exec, C>;                               \
    template <class C>                                                                \
    using MaxCost = NS::MaxCostKernel<Exec, C>;                                       \
    template <class C, class T>                                                       \
    using BuildKernel = NS::BuildKernelKernel<Exec, C, T>;                            \
    template <class T>                                                                \
    using ScalingRow = NS::ScalingRowKernel<Exec, T>;                                 \
    using ColumnNorms     = NS::ColumnNormsKernel<Mem>;                               \
    using ColumnConstants = NS::ColumnConstantsKernel<Mem>;                           \
    using Affine          = NS::AffineKernel<Mem>;                                    \
    using AffineAxpy      = NS::AffineAxpyKernel<Mem>;                                \
  }
PETAL_OT_KERNEL_SET(GenericKernels, ::petal::ot);
#if PETAL_OT_KERNEL_DISPATCH
PETAL_OT_KERNEL_SET(Avx2Kernels, ::petal::ot::isa_avx2);
PETAL_OT_KERNEL_SET(Avx512Kernels, ::petal::ot::isa_avx512);
#endif

// Calls f with the kernel set isa names (the variants exist for host execution spaces only).
template <class F>
void OnIsa(int isa, F &&f)
{
#if PETAL_OT_KERNEL_DISPATCH
  if (std::is_same<Exec::memory_space, Kokkos::HostSpace>::value) {
    if (isa == static_cast<int>(KernelIsa::Avx512)) return f(Avx512Kernels());
    if (isa == static_cast<int>(KernelIsa::Avx2)) return f(Avx2Kernels());
  }
#endif
  f(GenericKernels());
}

// make(kernel set)(0), ..., (n - 1) in the variant s.isa selects: the n^2 passes (n = s.nb blocks) and the
// O(n) helpers.
template <class Make>
void Launch(const Scratch<Exec> &s, const char *name, int n, Make &&make)
{
  OnIsa(s.isa, [&](auto ks) { Kokkos::parallel_for(name, Kokkos::RangePolicy<Exec>(0, n), make(ks)); });
}

Vec1 ColumnNorms(const Scratch<Exec> &s, const Mat2 &Yt)
{
  const int m = static_cast<int>(Yt.extent(1));
  Vec1      n2("petal::ot::Yn2", m);
  Launch(s, "petal::ot::ColumnNorms", m, [&](auto ks) { return typename decltype(ks)::ColumnNorms{Yt, n2, static_cast<int>(Yt.extent(0))}; });
  return n2;
}

bool CpuHas(KernelIsa isa)
{
#if PETAL_OT_KERNEL_DISPATCH
  static const bool avx2   = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2");
  static const bool avx512 = avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw");
  if (isa == KernelIsa::Avx512) return avx512 && std::is_same<Exec::memory_space, Kokkos::HostSpace>::value;
  if (isa == KernelIsa::Avx2) return avx2 && std::is_same<Exec::memory_space, Kokkos::HostSpace>::value;
#endif
  return isa == KernelIsa::Generic;
}

// Whether the cost's scaled form leaves its column term to the launcher (expanded squared Euclidean).
bool ExpandedCost(const CostSpec &c) { return !c.dense && c.kind == CostKind::SqEuclidean && c.dim <= 3; }

// The kernels' base-2 column constants: ey2_j = log2(e) ey_j, plus, for the expanded squared Euclidean
// cost and the kernels that use cost.scaled, its column term -eta log2(e) s |y_j|^2 (one FMA per entry
// less in the n^2 loop).
void ColumnConstants(Scratch<Exec> &s, const Vec1 &ey, const CostSpec &cost, double eta, bool scaledForm)
{
  if (scaledForm && ExpandedCost(cost)) {
    const Vec1 yn2 = cost.Yn2.extent(0) == static_cast<size_t>(cost.m) ? cost.Yn2 : ColumnNorms(s, cost.Yt);
    Launch(s, "petal::ot::ColumnConstants", static_cast<int>(ey.extent(0)), [&](auto ks) { return typename decltype(ks)::ColumnConstants{s.ey2, ey, yn2, -eta * kLog2e * cost.scale}; });
  } else {
    Launch(s, "petal::ot::ColumnConstants", static_cast<int>(ey.extent(0)), [&](auto ks) { return typename decltype(ks)::ColumnConstants{s.ey2, ey, Vec1(), 0.0}; });
  }
}

// The block partials as one m-vector: block 0's row itself when there is one block.
void FoldSum(Scratch<Exec> &s, const Mat2 &part, const Vec1 &out)
{
  if (s.nb == 1) Kokkos::deep_copy(out, Kokkos::subview(part, 0, Kokkos::ALL()));
  else ReduceBlocksSum<Exec>(part, s.nb, out);
}
} // namespace

bool ResolveKernelIsa(PetalOTKernelISA request, KernelIsa *isa)
{
  switch (request) {
  case PETAL_OT_KERNEL_ISA_AUTO: *isa = CpuHas(KernelIsa::Avx512) ? KernelIsa::Avx512 : CpuHas(KernelIsa::Avx2) ? KernelIsa::Avx2 : KernelIsa::Generic; return true;
  case PETAL_OT_KERNEL_ISA_AVX2: *isa = KernelIsa::Avx2; break;
  case PETAL_OT_KERNEL_ISA_AVX512: *isa = KernelIsa::Avx512; break;
  default: *isa = KernelIsa::Generic; break;
  }
  if (CpuHas(*isa)) return true;
  *isa = KernelIsa::Generic;
  return false;
}

std::string KernelISADescription(PetalOTKernelISA request)
{
  const char *names[] = {"generic", "avx2", "avx512"};
  KernelIsa   isa;
  std::string d = ResolveKernelIsa(request, &isa) ? names[static_cast<int>(isa)] : std::string("not available: ") + PetalOTKernelISAs[request];
  d += request == PETAL_OT_KERNEL_ISA_AUTO ? " (auto; this CPU and build:" : " (requested; this CPU and build:";
  for (KernelIsa k : {KernelIsa::Generic, KernelIsa::Avx2, KernelIsa::Avx512})
    if (CpuHas(k)) d += std::string(" ") + names[static_cast<int>(k)];
#if defined(PETAL_OT_NATIVE_ARCH)
  d += "; generic built with -march=native";
#endif
  return d + ")";
}

void PrepareCost(CostSpec &cost, const Scratch<Exec> &s)
{
  if (!cost.dense && cost.kind == CostKind::SqEuclidean && cost.dim <= 3) cost.Yn2 = ColumnNorms(s, cost.Yt);
}

void SinkhornRow(const CostSpec &cost, double eta, const Vec1 &x, const Vec1 &ey, const Vec1 &r, const Vec1 &logr, const Vec1 &xNew, bool fused, Scratch<Exec> &s, const Vec1 &colSum, double *rowErr, long long *fallbacks)
{
  s.Resize(cost.nRows, cost.m);
  ColumnConstants(s, ey, cost, eta, true);
  const int rpb = s.RowsPerBlock(cost.nRows);
  WithCost(cost, [&](auto c) {
    using C = decltype(c);
    if (fused) Launch(s, "petal::ot::SinkhornRowFused", s.nb, [&](auto ks) { return typename decltype(ks)::template SinkhornRow<C, true>{c, eta, x, s.ey2, r, logr, xNew, s.buf, s.part2, s.part, s.scalars, cost.nRows, cost.m, rpb}; });
    else Launch(s, "petal::ot::SinkhornRow", s.nb, [&](auto ks) { return typename decltype(ks)::template SinkhornRow<C, false>{c, eta, x, s.ey2, r, logr, xNew, s.buf, s.part2, s.part, s.scalars, cost.nRows, cost.m, rpb}; });
  });
  if (fused) FoldSum(s, s.part, colSum);
  double sc[4];
  SumBlockScalars<Exec>(s.scalars, s.nb, sc);
  *rowErr    = sc[0];
  *fallbacks = static_cast<long long>(sc[1]);
}

template <class T>
void BuildStoredKernelT(const CostSpec &cost, double eta, const Vec1 &x, const Vec1 &ey, Scratch<Exec> &s, const MatrixOf<T, Mem> &K, const Vec1 &u, const Vec1 &shift2, long long *shifted)
{
  s.Resize(cost.nRows, cost.m);
  ColumnConstants(s, ey, cost, eta, true);
  const int rpb = s.RowsPerBlock(cost.nRows);
  WithCost(cost, [&](auto c) { Launch(s, "petal::ot::BuildKernel", s.nb, [&](auto ks) { return typename decltype(ks)::template BuildKernel<decltype(c), T>{c, eta, x, s.ey2, shift2, u, K, s.buf, s.scalars, cost.nRows, cost.m, rpb}; }); });
  double sc[4];
  SumBlockScalars<Exec>(s.scalars, s.nb, sc);
  *shifted = static_cast<long long>(sc[0]);
}

template <class T>
void ScalingRowT(const MatrixOf<T, Mem> &K, const Vec1 &u, const Vec1 &v, const Vec1 &r, const Vec1 &uNew, Scratch<Exec> &s, const Vec1 &colSum, double *rowErr, long long *bad)
{
  const int nRows = static_cast<int>(K.extent(0)), m = static_cast<int>(K.extent(1));
  s.Resize(nRows, m);
  const int rpb = s.RowsPerBlock(nRows);
  Launch(s, "petal::ot::ScalingRow", s.nb, [&](auto ks) { return typename decltype(ks)::template ScalingRow<T>{K, u, v, r, uNew, s.part, s.scalars, nRows, m, rpb}; });
  FoldSum(s, s.part, colSum);
  double sc[4];
  SumBlockScalars<Exec>(s.scalars, s.nb, sc);
  *rowErr = sc[0];
  *bad    = static_cast<long long>(sc[1]);
}

void BuildStoredKernel(const CostSpec &cost, double eta, const Vec1 &x, const Vec1 &ey, Scratch<Exec> &s, const Mat2 &K, const Vec1 &u, const Vec1 &shift2, long long *shifted) { BuildStoredKernelT<double>(cost, eta, x, ey, s, K, u, shift2, shifted); }
void BuildStoredKernel(const CostSpec &cost, double eta, const Vec1 &x, const Vec1 &ey, Scratch<Exec> &s, const Mat2f &K, const Vec1 &u, const Vec1 &shift2, long long *shifted) { BuildStoredKernelT<float>(cost, eta, x, ey, s, K, u, shift2, shifted); }
void ScalingRow(const Mat2 &K, const Vec1 &u, const Vec1 &v, const Vec1 &r, const Vec1 &uNew, Scratch<Exec> &s, const Vec1 &colSum, double *rowErr, long long *bad) { ScalingRowT<double>(K, u, v, r, uNew, s, colSum, rowErr, bad); }
void ScalingRow(const Mat2f &K, const Vec1 &u, const Vec1 &v, const Vec1 &r, const Vec1 &uNew, Scratch<Exec> &s, const Vec1 &colSum, double *rowErr, long long *bad) { ScalingRowT<float>(K, u, v, r, uNew, s, colSum, rowErr, bad); }

void ColumnLogSumExp(const CostSpec &cost, double eta, const Vec1 &ex, const Vec1 &ey, bool onePass, Scratch<Exec> &s, const Vec1 &colMax, const Vec1 &colSum, bool *twoPass)
{
  s.Resize(cost.nRows, cost.m);
  ColumnConstants(s, ey, cost, eta, true);
  const int rpb = s.RowsPerBlock(cost.nRows);
  *twoPass      = true;
  if (onePass) {
    WithCost(cost, [&](auto c) { Launch(s, "petal::ot::ColumnSum", s.nb, [&](auto ks) { return typename decltype(ks)::template ColumnSum<decltype(c)>{c, eta, ex, s.ey2, s.part, cost.nRows, cost.m, rpb}; }); });
    FoldSum(s, s.part, colSum);
    int bad = 0;
    Kokkos::parallel_reduce(
      "petal::ot::ColumnSumCheck", Kokkos::RangePolicy<Exec>(0, cost.m), KOKKOS_LAMBDA(const int j, int &b) { b += (colSum(j) >= kSumTiny && colSum(j) <= kSumHuge) ? 0 : 1; }, bad);
    if (!bad || cost.nRows == 0) {
      Kokkos::deep_copy(colMax, cost.nRows == 0 ? -HUGE_VAL : 0.0);
      *twoPass = false;
      return;
    }
  }
  WithCost(cost, [&](auto c) { Launch(s, "petal::ot::ColumnMax", s.nb, [&](auto ks) { return typename decltype(ks)::template ColumnMax<decltype(c)>{c, eta, ex, s.ey2, s.part2, cost.nRows, cost.m, rpb}; }); });
  if (s.nb == 1) Kokkos::deep_copy(s.colMax2, Kokkos::subview(s.part2, 0, Kokkos::ALL()));
  else ReduceBlocksMax<Exec>(s.part2, s.nb, s.colMax2);
  WithCost(cost, [&](auto c) { Launch(s, "petal::ot::ColumnSumShifted", s.nb, [&](auto ks) { return typename decltype(ks)::template ColumnSumShifted<decltype(c)>{c, eta, ex, s.ey2, s.colMax2, s.part, cost.nRows, cost.m, rpb}; }); });
  FoldSum(s, s.part, colSum);
  const Vec1 cm2 = s.colMax2;
  Kokkos::parallel_for(
    "petal::ot::ColumnMaxToNatural", Kokkos::RangePolicy<Exec>(0, cost.m), KOKKOS_LAMBDA(const int j) { colMax(j) = cm2(j) * kLn2; });
}

void PlanSums(const CostSpec &cost, double eta, const Vec1 &ex, const Vec1 &ey, Scratch<Exec> &s, const Vec1 &rowSum, const Vec1 &colSum, double *sumP, double *sumCP)
{
  s.Resize(cost.nRows, cost.m);
  ColumnConstants(s, ey, cost, eta, false);
  const int rpb = s.RowsPerBlock(cost.nRows);
  WithCost(cost, [&](auto c) { Launch(s, "petal::ot::PlanSums", s.nb, [&](auto ks) { return typename decltype(ks)::template PlanSums<decltype(c)>{c, eta, ex, s.ey2, rowSum, s.part, s.scalars, cost.nRows, cost.m, rpb}; }); });
  FoldSum(s, s.part, colSum);
  double sc[4];
  SumBlockScalars<Exec>(s.scalars, s.nb, sc);
  *sumP  = sc[0];
  *sumCP = sc[1];
}

void PlanHistogram(const CostSpec &cost, double eta, const Vec1 &ex, const Vec1 &ey, Scratch<Exec> &s, std::vector<long long> *hist)
{
  s.Resize(cost.nRows, cost.m);
  if (s.hist.extent(0) != static_cast<size_t>(s.nb)) s.hist = decltype(s.hist)("petal::ot::hist", s.nb, 2048);
  ColumnConstants(s, ey, cost, eta, true);
  const int rpb = s.RowsPerBlock(cost.nRows);
  WithCost(cost, [&](auto c) { Launch(s, "petal::ot::PlanHistogram", s.nb, [&](auto ks) { return typename decltype(ks)::template PlanHistogram<decltype(c)>{c, eta, ex, s.ey2, s.buf, s.hist, cost.nRows, cost.m, rpb}; }); });
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), s.hist);
  hist->assign(2048, 0);
  for (int b = 0; b < s.nb; ++b)
    for (int k = 0; k < 2048; ++k) (*hist)[k] += h(b, k);
}

void PlanCollect(const CostSpec &cost, double eta, const Vec1 &ex, const Vec1 &ey, const Vec1 &tau, Scratch<Exec> &s, long long capacityHint, Entries *out)
{
  s.Resize(cost.nRows, cost.m);
  ColumnConstants(s, ey, cost, eta, true);
  const int rpb      = s.RowsPerBlock(cost.nRows);
  // Room per block: the hint, or what a block needed last time plus a quarter (SNS's successive calls keep
  // similar numbers of entries), so that the pass rarely has to run twice.
  long long capacity = std::max<long long>(std::max<long long>(capacityHint / s.nb + 1, 1024), s.collectNeed + s.collectNeed / 4);
  if (s.cols.extent(0) != static_cast<size_t>(s.nb) || s.cols.extent(1) != static_cast<size_t>(cost.m) + 1) s.cols = decltype(s.cols)(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::ot::cols"), s.nb, cost.m + 1);
  for (;;) { // at most twice: the first pass tells each block how much room it needs
    // uninitialised: only the slots a block reports are read
    Kokkos::View<int *, Mem>       I(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::ot::I"), s.nb * capacity);
    Kokkos::View<int *, Mem>       J(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::ot::J"), s.nb * capacity);
    Vec1                           V(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::ot::V"), s.nb * capacity);
    Kokkos::View<long long *, Mem> counts("petal::ot::counts", s.nb);
    WithCost(cost, [&](auto c) { Launch(s, "petal::ot::PlanCollect", s.nb, [&](auto ks) { return typename decltype(ks)::template PlanCollect<decltype(c)>{c, eta, ex, s.ey2, tau, V, I, J, counts, s.buf, s.cols, capacity, cost.nRows, cost.m, rpb}; }); });
    auto      hc   = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), counts);
    long long need = 0, total = 0;
    for (int b = 0; b < s.nb; ++b) {
      need = std::max(need, hc(b));
      total += hc(b);
    }
    s.collectNeed = need;
    if (need > capacity) {
      capacity = need;
      continue;
    }
    auto hI = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), I);
    auto hJ = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), J);
    auto hV = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), V);
    out->i.resize(total);
    out->j.resize(total);
    out->v.resize(total);
    long long t = 0;
    for (int b = 0; b < s.nb; ++b)
      for (long long u = 0; u < hc(b); ++u, ++t) {
        out->i[t] = hI(b * capacity + u);
        out->j[t] = hJ(b * capacity + u);
        out->v[t] = hV(b * capacity + u);
      }
    return;
  }
}

double MaxCost(const CostSpec &cost, Scratch<Exec> &s)
{
  s.Resize(cost.nRows, cost.m);
  const int rpb = s.RowsPerBlock(cost.nRows);
  WithCost(cost, [&](auto c) { Launch(s, "petal::ot::MaxCost", s.nb, [&](auto ks) { return typename decltype(ks)::template MaxCost<decltype(c)>{c, s.scalars, cost.nRows, cost.m, rpb}; }); });
  double sc[4];
  SumBlockScalars<Exec>(s.scalars, s.nb, sc, true);
  return sc[0];
}

void Affine(const Scratch<Exec> &s, const Vec1 &out, double a, const Vec1 &x, double b)
{
  Launch(s, "petal::ot::Affine", static_cast<int>(out.extent(0)), [&](auto ks) { return typename decltype(ks)::Affine{out, x, a, b}; });
}

void AffineAxpy(const Scratch<Exec> &s, const Vec1 &out, double a, const Vec1 &x, double alpha, const Vec1 &d, double b)
{
  Launch(s, "petal::ot::AffineAxpy", static_cast<int>(out.extent(0)), [&](auto ks) { return typename decltype(ks)::AffineAxpy{out, x, d, a, alpha, b}; });
}

} // namespace ot
} // namespace petal
