#pragma once
/* The production 3x3x3 convolution of the DCDM network (learned/cnn/forward.hpp layout), as Kokkos kernels.
 * Three algorithms; Forward's Fast path uses ConvShiftGemm for cin >= 8 and ConvIm2colGemm for the 1-channel
 * input conv. Measured on 2 Zen 5 cores with OpenBLAS (bench/dcdm/bench_conv, 16 -> 16, CPU time, one BLAS
 * thread): shifted GEMM ~70-75 % of the sgemm 2048^3 rate, im2col + GEMM ~55-60 %, direct ~10 % (compiled for
 * baseline x86-64, single Kokkos Serial thread).
 *
 * ConvIm2colGemm: the owned cells are cut into tiles of consecutive cells (x fastest); for each tile
 *   1. im2col: row r of the column matrix holds the 27 neighbours' cin values of cell r, in the Keras kernel's
 *      row order ((kd*3 + kh)*3 + kw)*cin + ci. With channels innermost, the three kw neighbours of a (kd, kh)
 *      pair are 3*cin consecutive values of the ghosted input, so each row is 9 contiguous copies;
 *   2. GEMM: result (rows x cout) = columns (rows x 27 cin) * kernel (27 cin x cout) through KokkosBlas::gemm,
 *      i.e. the BLAS TPL (OpenBLAS sgemm/dgemm on the host, cuBLAS on CUDA when Kokkos Kernels has it);
 *   3. epilogue: bias, then identity / ReLU / ReLU + residual add, written to the owned cells of the output.
 * The tile bounds the workspace (rows x 27 cin) and keeps it cache resident on CPUs.
 *
 * ConvDirect: one cell per work item, all cout accumulators in registers when cout is a compile-time size
 *   (16, the published nets), a plain loop otherwise. No workspace and no BLAS.
 *
 * Both are checked against ref::Conv3 (tests/learned/cnn); the bench (bench/dcdm/bench_conv) measures both. */
#include <petal/kokkos_spaces.hpp>
#include "learned/cnn/layers_kokkos.hpp"
#include "learned/cnn/layers_reference.hpp" // Epilogue
#include <KokkosBlas3_gemm.hpp>
#include <algorithm>
#include <type_traits>

namespace petal
{
namespace cnn
{
namespace kk
{

/* Result value v (bias included) of output o under epilogue e; `old` is the output's previous value. */
template <class Scalar>
KOKKOS_INLINE_FUNCTION Scalar ApplyEpilogue(int e, Scalar v, Scalar old)
{
  if (e == (int)Epilogue::Linear) return v;
  const Scalar r = v > Scalar(0) ? v : Scalar(0);
  return e == (int)Epilogue::Relu ? r : r + old;
}

template <class Scalar, class Exec>
class ConvIm2colGemm {
public:
  using Mem    = typename Exec::memory_space;
  using Matrix = Kokkos::View<Scalar **, Kokkos::LayoutRight, Mem>;
  using Vec    = Kokkos::View<Scalar *, Mem>;
  using CVec   = Kokkos::View<const Scalar *, Mem>;

  /* tile_rows: cells per tile (workspace tile_rows x 27*cin). */
  explicit ConvIm2colGemm(int tile_rows = DefaultTileRows()) : tile_(std::max(1, tile_rows)) {}

  static int DefaultTileRows()
  {
    // On the host a tile's column matrix (27*16*4 B = 1.7 kB per row in float) should stay in L2 while the
    // GEMM streams it; a GPU wants many rows in flight.
    return Kokkos::SpaceAccessibility<Kokkos::HostSpace, Mem>::accessible ? 512 : 65536;
  }
  int TileRows() const { return tile_; }

  void operator()(const Exec &exec, const Block &b, const CVec &in, const DeviceConv<Scalar, Mem> &w, const Vec &out, Epilogue e)
  {
    const int    cin = w.shape.cin, cout = w.shape.cout, K = 27 * cin;
    const size_t n = b.Owned();
    const int    rows_max = (int)std::min<size_t>(tile_, n);
    if (col_.extent(0) < (size_t)rows_max || col_.extent(1) != (size_t)K) col_ = Matrix(Kokkos::view_alloc(Kokkos::WithoutInitializing, "cnn::im2col"), rows_max, K);
    if (res_.extent(0) < (size_t)rows_max || res_.extent(1) != (size_t)cout) res_ = Matrix(Kokkos::view_alloc(Kokkos::WithoutInitializing, "cnn::gemm_out"), rows_max, cout);
    const int nx = b.nx, ny = b.ny, gx = b.nx + 2, gy = b.ny + 2, ep = (int)e;
    auto      col = col_, res = res_;
    auto      bias = w.bias;
    for (size_t m0 = 0; m0 < n; m0 += tile_) {
      const int rows = (int)std::min<size_t>(tile_, n - m0);
      Kokkos::parallel_for(
        "cnn::im2col", Kokkos::RangePolicy<Exec>(exec, 0, rows), KOKKOS_LAMBDA(const int r) {
          const size_t m = m0 + r;
          const size_t i = m % nx, t = m / nx, j = t % ny, k = t / ny;
          // owned (k, j, i) is ghosted (k+1, j+1, i+1); its (kd, kh, 0) neighbour is ghosted (k+kd, j+kh, i)
          for (int kd = 0; kd < 3; ++kd)
            for (int kh = 0; kh < 3; ++kh) {
              const size_t src = (((k + kd) * gy + (j + kh)) * gx + i) * cin;
              const int    dst = (kd * 3 + kh) * 3 * cin;
              for (int q = 0; q < 3 * cin; ++q) col(r, dst + q) = in(src + q);
            }
        });
      auto A = Kokkos::subview(col, Kokkos::make_pair(0, rows), Kokkos::ALL());
      auto C = Kokkos::subview(res, Kokkos::make_pair(0, rows), Kokkos::ALL());
      static_assert(std::is_same<typename decltype(C)::array_layout, Kokkos::LayoutRight>::value, "the GEMM operands must stay LayoutRight");
      KokkosBlas::gemm("N", "N", Scalar(1), A, w.kernel, Scalar(0), C);
      Kokkos::parallel_for(
        "cnn::conv_epilogue", Kokkos::RangePolicy<Exec>(exec, 0, rows), KOKKOS_LAMBDA(const int r) {
          const size_t g = GhostedCell(nx, ny, m0 + r) * cout;
          for (int co = 0; co < cout; ++co) out(g + co) = ApplyEpilogue<Scalar>(ep, res(r, co) + bias(co), out(g + co));
        });
    }
  }

private:
  int    tile_;
  Matrix col_, res_;
};

/* Shifted-GEMM convolution: no im2col. In the ghosted block's linear cell order g, the three kw neighbours of
 * cell g under the (kd, kh) offset are the 3*cin consecutive values starting at cell s = g + (kd-1)*gx*gy +
 * (kh-1)*gx - 1. Taking every third cell (g = a + r + 3t, r = 0, 1, 2), these windows tile memory exactly:
 * window t+1 starts where window t ends. So for each residue r and each of the 9 (kd, kh) pairs, the input
 * block itself is a row-major (T x 3 cin) matrix with leading dimension 3 cin, and
 *   R_r (T x cout) += In[s .. s + 3T cells) (T x 3cin) * kernel rows [(kd*3 + kh)*3cin, +3cin) (3cin x cout)
 * is a plain GEMM on memory the BLAS reads in place (it still packs its panels, but nobody copies twice).
 * A tile is a range of 3T consecutive ghosted cells; halo cells inside it are computed and thrown away
 * (a (gx*gy)/(nx*ny) overhead, 6 % at 64^3). The epilogue writes the owned cells only. */
template <class Scalar, class Exec>
class ConvShiftGemm {
public:
  using Mem    = typename Exec::memory_space;
  using Matrix = Kokkos::View<Scalar **, Kokkos::LayoutRight, Mem>;
  using Vec    = Kokkos::View<Scalar *, Mem>;
  using CVec   = Kokkos::View<const Scalar *, Mem>;
  using Res    = Kokkos::View<Scalar ***, Kokkos::LayoutRight, Mem>; // [residue][t][cout]

  /* tile_rows: GEMM rows per residue (a tile spans 3 * tile_rows ghosted cells). */
  explicit ConvShiftGemm(int tile_rows = DefaultTileRows()) : tile_(std::max(1, tile_rows)) {}
  // Host: 2048 rows (a 3-cin-wide operand of ~400 kB in float, L2-resident), few enough BLAS calls that the BLAS
  // threads' start-up per call stays small; a GPU wants many rows in flight.
  static int DefaultTileRows() { return Kokkos::SpaceAccessibility<Kokkos::HostSpace, Mem>::accessible ? 2048 : 65536; }
  int        TileRows() const { return tile_; }

  void operator()(const Exec &exec, const Block &b, const CVec &in, const DeviceConv<Scalar, Mem> &w, const Vec &out, Epilogue e)
  {
    const int    cin = w.shape.cin, cout = w.shape.cout, K3 = 3 * cin;
    const int    nx = b.nx, ny = b.ny, nz = b.nz, gx = b.nx + 2, gy = b.ny + 2, ep = (int)e;
    const size_t plane = (size_t)gx * gy;
    // ghosted cells from the first owned (1,1,1) to the last owned (nz,ny,nx), inclusive
    const size_t first = plane + gx + 1, last = (size_t)nz * plane + (size_t)ny * gx + nx, span = last - first + 1;
    const size_t T = std::min<size_t>(tile_, (span + 2) / 3);
    if (res_.extent(1) < T || res_.extent(2) != (size_t)cout) res_ = Res(Kokkos::view_alloc(Kokkos::WithoutInitializing, "cnn::shift_gemm_out"), 3, T, cout);
    auto res  = res_;
    auto bias = w.bias;
    for (size_t a = first; a <= last; a += 3 * T) {
      const size_t cells = std::min<size_t>(3 * T, last + 1 - a);
      for (int r = 0; r < 3; ++r) {
        const size_t rows = cells > (size_t)r ? (cells - r + 2) / 3 : 0;
        if (!rows) continue;
        auto C = Kokkos::subview(res, r, Kokkos::make_pair((size_t)0, rows), Kokkos::ALL());
        // a LayoutStride result would silently leave the BLAS TPL for Kokkos Kernels' own GEMM
        static_assert(std::is_same<typename decltype(C)::array_layout, Kokkos::LayoutRight>::value, "the GEMM operands must stay LayoutRight");
        for (int o = 0; o < 9; ++o) {
          const int    kd = o / 3, kh = o % 3;
          const size_t s  = a + r + (size_t)kd * plane + (size_t)kh * gx - plane - gx - 1;
          Kokkos::View<const Scalar **, Kokkos::LayoutRight, Mem, Kokkos::MemoryTraits<Kokkos::Unmanaged>> A(in.data() + s * cin, rows, K3);
          auto W = Kokkos::subview(w.kernel, Kokkos::make_pair(o * K3, (o + 1) * K3), Kokkos::ALL());
          KokkosBlas::gemm("N", "N", Scalar(1), A, W, Scalar(o == 0 ? 0 : 1), C);
        }
      }
      Kokkos::parallel_for(
        "cnn::shift_gemm_epilogue", Kokkos::RangePolicy<Exec>(exec, 0, cells), KOKKOS_LAMBDA(const size_t q) {
          const size_t g = a + q, i = g % gx, t = g / gx, j = t % gy;
          if (i < 1 || i > (size_t)nx || j < 1 || j > (size_t)ny) return; // x or y halo inside the range
          const int    rr = (int)(q % 3);
          const size_t tt = q / 3;
          for (int co = 0; co < cout; ++co) out(g * cout + co) = ApplyEpilogue<Scalar>(ep, res(rr, tt, co) + bias(co), out(g * cout + co));
        });
    }
  }

private:
  int tile_;
  Res res_;
};

/* Direct convolution, cout accumulators per cell in registers (COUT > 0) or one output at a time (COUT = 0). */
template <int COUT, class Scalar, class Exec>
void ConvDirectImpl(const Exec &exec, const Block &b, const Kokkos::View<const Scalar *, typename Exec::memory_space> &in,
                    const DeviceConv<Scalar, typename Exec::memory_space> &w, const Kokkos::View<Scalar *, typename Exec::memory_space> &out, Epilogue e)
{
  const int nx = b.nx, ny = b.ny, gx = b.nx + 2, gy = b.ny + 2, cin = w.shape.cin, ep = (int)e;
  auto      kernel = w.kernel;
  auto      bias   = w.bias;
  if (COUT > 0) {
    Kokkos::parallel_for(
      "cnn::conv_direct", Kokkos::RangePolicy<Exec>(exec, 0, b.Owned()), KOKKOS_LAMBDA(const size_t m) {
        const int CO = COUT > 0 ? COUT : 1;
        Scalar    acc[CO];
        for (int co = 0; co < CO; ++co) acc[co] = bias(co);
        const size_t i = m % nx, t = m / nx, j = t % ny, k = t / ny;
        for (int kd = 0; kd < 3; ++kd)
          for (int kh = 0; kh < 3; ++kh) {
            const size_t src = (((k + kd) * gy + (j + kh)) * gx + i) * cin;
            const int    row = (kd * 3 + kh) * 3 * cin;
            for (int q = 0; q < 3 * cin; ++q) {
              const Scalar x = in(src + q);
              for (int co = 0; co < CO; ++co) acc[co] += x * kernel(row + q, co);
            }
          }
        const size_t g = GhostedCell(nx, ny, m) * CO;
        for (int co = 0; co < CO; ++co) out(g + co) = ApplyEpilogue<Scalar>(ep, acc[co], out(g + co));
      });
  } else {
    const int cout = w.shape.cout;
    Kokkos::parallel_for(
      "cnn::conv_direct", Kokkos::RangePolicy<Exec>(exec, 0, b.Owned() * cout), KOKKOS_LAMBDA(const size_t idx) {
        const int    co = (int)(idx % cout);
        const size_t m  = idx / cout;
        Scalar       v  = bias(co);
        const size_t i = m % nx, t = m / nx, j = t % ny, k = t / ny;
        for (int kd = 0; kd < 3; ++kd)
          for (int kh = 0; kh < 3; ++kh) {
            const size_t src = (((k + kd) * gy + (j + kh)) * gx + i) * cin;
            const int    row = (kd * 3 + kh) * 3 * cin;
            for (int q = 0; q < 3 * cin; ++q) v += in(src + q) * kernel(row + q, co);
          }
        const size_t g = GhostedCell(nx, ny, m) * cout + co;
        out(g)         = ApplyEpilogue<Scalar>(ep, v, out(g));
      });
  }
}

template <class Scalar, class Exec>
void ConvDirect(const Exec &exec, const Block &b, const Kokkos::View<const Scalar *, typename Exec::memory_space> &in,
                const DeviceConv<Scalar, typename Exec::memory_space> &w, const Kokkos::View<Scalar *, typename Exec::memory_space> &out, Epilogue e)
{
  if (w.shape.cout == 16) ConvDirectImpl<16>(exec, b, in, w, out, e);
  else ConvDirectImpl<0>(exec, b, in, w, out, e);
}

} // namespace kk
} // namespace cnn
} // namespace petal
