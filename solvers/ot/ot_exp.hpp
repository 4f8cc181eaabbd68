#pragma once
// A branch-free exp for the n^2 passes: every entry of the transport plan costs one exp, so this is the
// hot instruction sequence of the whole solver. libm's exp is a function call the compiler cannot
// vectorise (and it slows down 50x on subnormal results); this one is straight-line arithmetic that
// GCC/Clang vectorise under `omp simd` and that compiles unchanged for CUDA/HIP device code.
//
// The kernels work in base 2 (log2 of the plan entries, with the factor log2(e) folded into their
// per-row and per-column constants), which removes the argument reduction's multiplications:
//   2^t = 2^k * 2^f,  k = round(t) (by adding 1.5 * 2^52),  f = t - k in [-1/2, 1/2] (exact),
//   2^f by a degree-9 polynomial (Chebyshev interpolation on [-1/2, 1/2]), 2^k added to its exponent.
// Max relative error 1.9e-14: far below the solver's tolerances, and one FMA per plan entry cheaper
// than the degree-10 fit (4.4e-16) in a loop bound by its vector arithmetic. Exact to that accuracy for t in
// [-1020.5, 1022.5]; k is clamped to [-1021, 1022]: results below ~1e-307 come out between 3e-308 and 7e-308 (no subnormals: in a sum they are below rounding
// of the leading term), results above 2^1022 saturate below 1e308 (the kernels treat sums above 1e250
// as overflow). NaN propagates; arguments must not be infinite. FastExp(x) = FastExp2(x log2 e).
#include <Kokkos_Core.hpp>
#include <cstdint>
#include <cmath>
#include <cstring>
#if KOKKOS_VERSION >= 40100
#include <Kokkos_BitManipulation.hpp>
#endif

namespace petal {
namespace ot {

// Kokkos' math functions moved from Kokkos::Experimental to Kokkos in 3.7.
#if KOKKOS_VERSION >= 30700
namespace kmath = ::Kokkos;
#else
namespace kmath = ::Kokkos::Experimental;
#endif

template <class To, class From>
KOKKOS_INLINE_FUNCTION To BitCast(const From &from)
{
  static_assert(sizeof(To) == sizeof(From), "BitCast needs equal sizes");
#if KOKKOS_VERSION >= 40100
  return Kokkos::bit_cast<To>(from);
#else
  To to;
  memcpy(&to, &from, sizeof(To)); // compiles to a register move; valid in CUDA device code too
  return to;
#endif
}

constexpr double kLog2e = 1.4426950408889634; // log2(e)
constexpr double kLn2   = 0.6931471805599453; // ln(2)
constexpr double kFastExp2RelErr = 1.9e-14;   // FastExp2's largest relative error (below)

KOKKOS_FORCEINLINE_FUNCTION double FastExp2(double t)
{
  constexpr double magic = 6755399441055744.0; // 1.5 * 2^52: adding it rounds to an integer in the low bits
  const double     kbig  = t + magic;
  const double     f     = t - (kbig - magic);
  double           p     = 1.0205905413765595e-07;
  p                      = p * f + 1.325964524488711e-06;
  p                      = p * f + 1.5252672924850737e-05;
  p                      = p * f + 0.0001540343375125101;
  p                      = p * f + 0.0013333558200794592;
  p                      = p * f + 0.009618129193934313;
  p                      = p * f + 0.05550410866465167;
  p                      = p * f + 0.2402265069564034;
  p                      = p * f + 0.6931471805599462;
  p                      = p * f + 1.0000000000000135;
  // The low bits of kbig hold k (two's complement). k is clamped on the integer side (vector integer
  // min/max, no floating-point NaN semantics in the way; for |t| >= 2^51 the difference is far outside
  // the range with the right sign and f = 0) and added to the exponent field of p in [0.7, 1.42]: an
  // integer add instead of a multiply, which keeps the FMA pipes for the polynomial.
  long long k = static_cast<long long>(BitCast<std::uint64_t>(kbig) - static_cast<std::uint64_t>(0x4338000000000000ULL));
  k           = k < -1021 ? -1021 : k;
  k           = k > 1022 ? 1022 : k;
  const double e = BitCast<double>(BitCast<std::uint64_t>(p) + (static_cast<std::uint64_t>(k) << 52));
  // The exponent add would turn a NaN into a number: pass NaN through, branch-free (t - t is 0 for finite t
  // and NaN for NaN; e + 0 is e exactly). A select on t == t kept GCC's AVX2 code scalar.
  return e + (t - t);
}

KOKKOS_FORCEINLINE_FUNCTION double FastExp(double x) { return FastExp2(x * kLog2e); }

} // namespace ot
} // namespace petal

// `omp simd` on the inner (column) loops: with -fopenmp-simd (set for the kernel translation unit by
// solvers/ot/CMakeLists.txt) GCC vectorises reductions and the FastExp sequence without -ffast-math.
// Device compilers and translation units without the flag see nothing.
#if defined(PETAL_OT_OPENMP_SIMD) && !defined(__CUDA_ARCH__) && !defined(__HIP_DEVICE_COMPILE__)
#define PETAL_OT_PRAGMA(x) _Pragma(#x)
#define PETAL_OT_SIMD PETAL_OT_PRAGMA(omp simd)
#define PETAL_OT_SIMD_SUM(v) PETAL_OT_PRAGMA(omp simd reduction(+ : v))
#define PETAL_OT_SIMD_SUM2(a, b) PETAL_OT_PRAGMA(omp simd reduction(+ : a, b))
#define PETAL_OT_SIMD_MAX(v) PETAL_OT_PRAGMA(omp simd reduction(max : v))
#else
#define PETAL_OT_SIMD
#define PETAL_OT_SIMD_SUM(v)
#define PETAL_OT_SIMD_SUM2(a, b)
#define PETAL_OT_SIMD_MAX(v)
#endif
