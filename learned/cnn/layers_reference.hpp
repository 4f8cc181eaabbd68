#pragma once
/* The DCDM layers as plain host loops: the oracle every Kokkos kernel and the Forward executor are tested
 * against. Written for obviousness, not speed: one output value at a time, accumulated in double.
 *
 * Layout (learned/cnn/forward.hpp): a C-channel activation is a ghosted block, owned cells nz x ny x nx at
 * 1..n of a (nz+2) x (ny+2) x (nx+2) array, channels innermost. Kernels read halos, write owned cells only. */
#include <petal/cnn.hpp>
#include "learned/cnn/forward.hpp"
#include <cstddef>
#include <vector>

namespace petal
{
namespace cnn
{

/* What a convolution does with its result v (bias included) at an owned cell: out = v, out = relu(v), or
 * out = relu(v) + out (the residual add comes after the ReLU, as in the reference network). */
enum class Epilogue { Linear, Relu, ReluAdd };

namespace ref
{

/* Index of value c of ghosted cell (k, j, i) (0 <= k < nz+2 ...) of a C-channel block. */
inline size_t GhostedIndex(const Block &b, int k, int j, int i, int c, int C)
{
  return (((size_t)k * (b.ny + 2) + j) * (b.nx + 2) + i) * C + c;
}

/* 3x3x3 cross-correlation with zero padding supplied by the halo: in is ghosted with w.shape.cin channels,
 * out ghosted with w.shape.cout; Keras kernel layout [kd][kh][kw][cin][cout]. */
template <class S>
void Conv3(const Block &b, const S *in, const ConvWeights &w, S *out, Epilogue e);

/* 2x2x2 average pooling: fine ghosted block (C channels) -> owned cells of the coarse ghosted block, whose
 * owned extents are the fine ones halved. */
template <class S>
void AvgPool2(const Block &fine, const S *in, int C, S *coarse_out);

/* Nearest-neighbour 2x upsampling of the coarse ghosted block, added into the owned cells of fine_out. */
template <class S>
void UpsampleAdd2(const Block &fine, const S *coarse_in, int C, S *fine_out);

/* The 1x1x1 head C -> 1 with bias: ghosted C-channel input -> owned-only output (x fastest). */
template <class S>
void Head(const Block &b, const S *in, const ConvWeights &w, S *out_owned);

/* Owned-only values (one channel) into the owned cells of a ghosted one-channel block (halo untouched). */
template <class S>
void ScatterOwned(const Block &b, const S *owned, S *ghosted);

/* The whole network on a single process, whole grid nz x ny x nx (x fastest, C order), in double, written
 * straight from the architecture (la, lb, apa, apb, upa, upb of include/petal/cnn.hpp) with explicit bounds
 * checks for the zero padding: it shares no code with cnn::Program or the ghosted layout, so it checks both.
 * The extents must be even. */
std::vector<double> ForwardWholeGrid(const Weights &w, int nx, int ny, int nz, const std::vector<double> &input);

} // namespace ref
} // namespace cnn
} // namespace petal
