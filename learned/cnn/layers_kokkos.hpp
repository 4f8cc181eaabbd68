#pragma once
/* The DCDM network's cheap layers as Kokkos kernels (the 3x3x3 convolution, which holds >99 % of the work,
 * lives in conv_kokkos.hpp): input scatter, 2x2x2 average pooling, nearest upsampling added into the fine
 * buffer, and the 1x1x1 head. Templated on the scalar and the execution space; each matches a plain loop of
 * layers_reference.hpp. Layout: learned/cnn/forward.hpp (ghosted blocks, channels innermost). */
#include <petal/cnn.hpp>
#include <petal/kokkos_spaces.hpp>
#include "learned/cnn/forward.hpp"

namespace petal
{
namespace cnn
{

/* A convolution's parameters in the execution space's memory: kernel as the K x cout matrix of the Keras
 * layout (K = ksize^3 * cin, row ((kd*k + kh)*k + kw)*cin + ci), which is exactly the right-hand matrix of the
 * im2col GEMM. */
template <class Scalar, class Mem>
struct DeviceConv {
  ConvShape                                        shape{0, 0, 0};
  Kokkos::View<Scalar **, Kokkos::LayoutRight, Mem> kernel;
  Kokkos::View<Scalar *, Mem>                      bias;
};

template <class Scalar, class Mem>
DeviceConv<Scalar, Mem> UploadConv(const ConvWeights &w)
{
  DeviceConv<Scalar, Mem> d;
  d.shape       = w.shape;
  const int K   = w.shape.ksize * w.shape.ksize * w.shape.ksize * w.shape.cin;
  d.kernel      = Kokkos::View<Scalar **, Kokkos::LayoutRight, Mem>("cnn::kernel", K, w.shape.cout);
  d.bias        = Kokkos::View<Scalar *, Mem>("cnn::bias", w.shape.cout);
  auto hk       = Kokkos::create_mirror_view(d.kernel);
  auto hb       = Kokkos::create_mirror_view(d.bias);
  for (int r = 0; r < K; ++r)
    for (int c = 0; c < w.shape.cout; ++c) hk(r, c) = (Scalar)w.kernel[(size_t)r * w.shape.cout + c];
  for (int c = 0; c < w.shape.cout; ++c) hb(c) = (Scalar)w.bias[c];
  Kokkos::deep_copy(d.kernel, hk);
  Kokkos::deep_copy(d.bias, hb);
  return d;
}

namespace kk
{

/* Owned cell m (x fastest) of block b -> its ghosted cell index (channels not included). */
KOKKOS_INLINE_FUNCTION size_t GhostedCell(int nx, int ny, size_t m)
{
  const size_t i = m % nx, t = m / nx, j = t % ny, k = t / ny;
  return ((k + 1) * (ny + 2) + (j + 1)) * (nx + 2) + (i + 1);
}

/* Owned-only values (one channel) into the owned cells of a ghosted one-channel block. */
template <class Scalar, class Exec>
void ScatterOwned(const Exec &exec, const Block &b, const Kokkos::View<const Scalar *, typename Exec::memory_space> &owned,
                  const Kokkos::View<Scalar *, typename Exec::memory_space> &ghosted)
{
  const int nx = b.nx, ny = b.ny;
  Kokkos::parallel_for(
    "cnn::scatter", Kokkos::RangePolicy<Exec>(exec, 0, b.Owned()), KOKKOS_LAMBDA(const size_t m) { ghosted(GhostedCell(nx, ny, m)) = owned(m); });
}

/* 2x2x2 average pooling: fine ghosted (C channels) -> owned cells of the coarse ghosted block. One work item
 * per coarse cell, channels in the inner loop (contiguous runs of C). */
template <class Scalar, class Exec>
void AvgPool2(const Exec &exec, const Block &fine, const Kokkos::View<const Scalar *, typename Exec::memory_space> &in, int C,
              const Kokkos::View<Scalar *, typename Exec::memory_space> &out)
{
  const Block coarse{fine.nx / 2, fine.ny / 2, fine.nz / 2};
  const int   cnx = coarse.nx, cny = coarse.ny, fx = fine.nx + 2, fy = fine.ny + 2;
  Kokkos::parallel_for(
    "cnn::avgpool2", Kokkos::RangePolicy<Exec>(exec, 0, coarse.Owned()), KOKKOS_LAMBDA(const size_t m) {
      const size_t i = m % cnx, t = m / cnx, j = t % cny, k = t / cny;
      // fine ghosted corner of the 2x2x2 group: owned fine cell (2k, 2j, 2i) is ghosted (2k+1, 2j+1, 2i+1)
      const size_t b0 = (((2 * k + 1) * fy + (2 * j + 1)) * fx + (2 * i + 1)) * C;
      const size_t sx = C, sy = (size_t)fx * C, sz = (size_t)fy * fx * C;
      const size_t o  = GhostedCell(cnx, cny, m) * C;
      for (int c = 0; c < C; ++c) {
        const size_t b = b0 + c;
        const Scalar s = in(b) + in(b + sx) + in(b + sy) + in(b + sy + sx) + in(b + sz) + in(b + sz + sx) + in(b + sz + sy) + in(b + sz + sy + sx);
        out(o + c)     = s / Scalar(8);
      }
    });
}

/* Nearest-neighbour upsampling of the coarse ghosted block added into the owned cells of the fine one. One
 * work item per fine cell, channels in the inner loop. */
template <class Scalar, class Exec>
void UpsampleAdd2(const Exec &exec, const Block &fine, const Kokkos::View<const Scalar *, typename Exec::memory_space> &coarse_in, int C,
                  const Kokkos::View<Scalar *, typename Exec::memory_space> &fine_out)
{
  const int nx = fine.nx, ny = fine.ny, cx = fine.nx / 2 + 2, cy = fine.ny / 2 + 2;
  Kokkos::parallel_for(
    "cnn::upsample2_add", Kokkos::RangePolicy<Exec>(exec, 0, fine.Owned()), KOKKOS_LAMBDA(const size_t m) {
      const size_t i = m % nx, t = m / nx, j = t % ny, k = t / ny;
      const size_t src = (((k / 2 + 1) * cy + (j / 2 + 1)) * cx + (i / 2 + 1)) * C, dst = GhostedCell(nx, ny, m) * C;
      for (int c = 0; c < C; ++c) fine_out(dst + c) += coarse_in(src + c);
    });
}

/* 1x1x1 head C -> 1 with bias: ghosted C-channel input -> owned-only output. */
template <class Scalar, class Exec>
void Head(const Exec &exec, const Block &b, const Kokkos::View<const Scalar *, typename Exec::memory_space> &in,
          const DeviceConv<Scalar, typename Exec::memory_space> &w, const Kokkos::View<Scalar *, typename Exec::memory_space> &out)
{
  const int nx = b.nx, ny = b.ny, C = w.shape.cin;
  auto      kernel = w.kernel;
  auto      bias   = w.bias;
  Kokkos::parallel_for(
    "cnn::head", Kokkos::RangePolicy<Exec>(exec, 0, b.Owned()), KOKKOS_LAMBDA(const size_t m) {
      const size_t g = GhostedCell(nx, ny, m) * C;
      Scalar       v = bias(0);
      for (int c = 0; c < C; ++c) v += in(g + c) * kernel(c, 0);
      out(m) = v;
    });
}

} // namespace kk
} // namespace cnn
} // namespace petal
