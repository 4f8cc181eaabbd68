#pragma once
/* One rank's forward pass of the DCDM network (include/petal/cnn.hpp) with Kokkos kernels, templated on the
 * scalar (float, double) and the execution space. PETSc-free: the caller supplies the halo exchange, so the same
 * executor runs on one process (halos stay zero: the zero "same" padding) and distributed over a DMDA
 * (preconditioners/dcdm/ fills halos from the neighbours with a PetscSF).
 *
 * Storage. Every C-channel activation is one rank's block of a level, owned cells nz x ny x nx with a halo of
 * one cell on every side, channels innermost: cell (k, j, i) of the ghosted block (0 <= k < nz+2, ...; owned
 * cells at 1..n) holds its C values at ((k*(ny+2) + j)*(nx+2) + i)*C + c. Halo cells outside the domain are
 * zero and no kernel writes them. Input and output are the owned cells only, one value each, x fastest
 * (a DMDA global Vec's local part). The coarse level's owned block is exactly the fine one halved, so the fine
 * block's extents and its offset in the global grid must be even (pooling and upsampling are then local). */
#include <petal/cnn.hpp>
#include <petal/kokkos_spaces.hpp>
#include <functional>
#include <memory>

namespace petal
{
namespace cnn
{

struct Block {
  int nx = 0, ny = 0, nz = 0; // owned cells
  size_t Owned() const { return (size_t)nx * ny * nz; }
  size_t Ghosted() const { return (size_t)(nx + 2) * (ny + 2) * (nz + 2); }
};

/* How a convolution is computed: the plain loops of layers_reference (the oracle, host only; on a device the
 * buffers are mirrored to the host around each step) or the production kernels written for throughput
 * (conv_kokkos.hpp: the shifted GEMM for cin >= 8, im2col + GEMM for the 1-channel input conv; the GEMM is
 * KokkosBlas::gemm, i.e. the BLAS TPL, whose threads are the only parallelism on Kokkos's Serial space). */
enum class ConvAlgorithm { Reference, Fast };

template <class Scalar>
using Buffer = Kokkos::View<Scalar *, MemSpace>;

template <class Scalar>
class Forward {
public:
  /* Fills the halo (not the zero cells outside the domain) of buf, a ghosted block of `level` with `channels`
   * values per cell, from the ranks that own those cells. Called once before every 3x3x3 convolution. */
  using HaloFn = std::function<void(Level level, const Buffer<Scalar> &buf, int channels)>;
  /* Called around each step (begin = true, then false), e.g. to time it or to bracket a PetscLogEvent. */
  using StepHook = std::function<void(Op op, bool begin)>;

  /* w must pass Check(w); fine must have even extents (>= 2). halo may be empty on one process. Throws
   * std::invalid_argument naming the problem otherwise (this layer is PETSc-free; callers turn it into an error).
   * Apply calls, per step of Program(spec): halo (3x3x3 convs only), then hook(op, true), the kernel, a fence,
   * hook(op, false); so a step's bracket times its kernel and not the exchange. */
  Forward(const Weights &w, Block fine, HaloFn halo, ConvAlgorithm algorithm = ConvAlgorithm::Fast);
  ~Forward();
  void SetStepHook(StepHook hook);
  /* in, out: fine.Owned() values each (they may not alias); other sizes throw std::invalid_argument. */
  void Apply(const Kokkos::View<const Scalar *, MemSpace> &in, const Kokkos::View<Scalar *, MemSpace> &out);
  /* Floating-point operations of one Apply on this rank's block. */
  double Flops() const;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

extern template class Forward<float>;
extern template class Forward<double>;

} // namespace cnn
} // namespace petal
