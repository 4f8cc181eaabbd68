// One rank's DCDM forward pass (learned/cnn/forward.hpp): walks cnn::Program over cnn::Buffers with either the
// reference loops (host mirrors) or the Kokkos kernels.
#include "learned/cnn/forward.hpp"
#include "learned/cnn/conv_kokkos.hpp"
#include "learned/cnn/layers_kokkos.hpp"
#include "learned/cnn/layers_reference.hpp"
#include <stdexcept>
#include <string>

namespace petal
{
namespace cnn
{

/* The shifted GEMM's inner dimension is 3*cin: from 8 channels on it beats im2col (bench/dcdm/bench_conv); the
 * 1-channel input conv (K = 3 there, 27 with im2col) goes through im2col. */
constexpr int kShiftGemmMinChannels = 8;

template <class Scalar>
struct Forward<Scalar>::Impl {
  using Conv = DeviceConv<Scalar, MemSpace>;
  Weights                         w;
  Block                           fine, coarse;
  HaloFn                          halo;
  ConvAlgorithm                   algorithm;
  StepHook                        hook;
  std::vector<Step>               program;
  BufferPlan                      plan;
  std::vector<Buffer<Scalar>>     bufs;
  std::vector<Conv>               convs;
  kk::ConvShiftGemm<Scalar, ExecSpace>  shift_gemm;
  kk::ConvIm2colGemm<Scalar, ExecSpace> im2col_gemm;

  const Block &BlockOf(Level l) const { return l == Level::Fine ? fine : coarse; }

  void Hook(Op op, bool begin)
  {
    if (!hook) return;
    if (!begin) Kokkos::fence(); // the end bracket must see the kernel finished (asynchronous devices)
    hook(op, begin);
  }

  void ConvStep(const Step &s)
  {
    const Block          &b = BlockOf(s.level);
    const ConvWeights    &cw = w.convs[s.conv];
    const Epilogue        e  = s.op == Op::Conv ? Epilogue::Linear : s.op == Op::ConvRelu ? Epilogue::Relu : Epilogue::ReluAdd;
    const Buffer<Scalar> &in = bufs[s.in], &out = bufs[s.out];
    if (algorithm == ConvAlgorithm::Reference) {
      auto hin  = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), in);
      auto hout = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), out);
      ref::Conv3<Scalar>(b, hin.data(), cw, hout.data(), e);
      Kokkos::deep_copy(out, hout);
    } else if (cw.shape.cin >= kShiftGemmMinChannels) shift_gemm(ExecSpace(), b, in, convs[s.conv], out, e);
    else im2col_gemm(ExecSpace(), b, in, convs[s.conv], out, e);
  }

  void PoolStep(const Step &s)
  {
    const int C = plan.channels[s.in];
    if (algorithm == ConvAlgorithm::Reference) {
      auto hin  = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), bufs[s.in]);
      auto hout = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), bufs[s.out]);
      ref::AvgPool2<Scalar>(fine, hin.data(), C, hout.data());
      Kokkos::deep_copy(bufs[s.out], hout);
    } else kk::AvgPool2<Scalar>(ExecSpace(), fine, bufs[s.in], C, bufs[s.out]);
  }

  void UpsampleStep(const Step &s)
  {
    const int C = plan.channels[s.in];
    if (algorithm == ConvAlgorithm::Reference) {
      auto hin  = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), bufs[s.in]);
      auto hout = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), bufs[s.out]);
      ref::UpsampleAdd2<Scalar>(fine, hin.data(), C, hout.data());
      Kokkos::deep_copy(bufs[s.out], hout);
    } else kk::UpsampleAdd2<Scalar>(ExecSpace(), fine, bufs[s.in], C, bufs[s.out]);
  }

  void HeadStep(const Step &s, const Kokkos::View<Scalar *, MemSpace> &out)
  {
    if (algorithm == ConvAlgorithm::Reference) {
      auto hin  = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), bufs[s.in]);
      auto hout = Kokkos::create_mirror_view(Kokkos::HostSpace(), out);
      ref::Head<Scalar>(fine, hin.data(), w.convs[s.conv], hout.data());
      Kokkos::deep_copy(out, hout);
    } else kk::Head<Scalar>(ExecSpace(), fine, bufs[s.in], convs[s.conv], out);
  }
};

template <class Scalar>
Forward<Scalar>::Forward(const Weights &w, Block fine, HaloFn halo, ConvAlgorithm algorithm) : impl_(new Impl)
{
  const std::string bad = Check(w);
  if (!bad.empty()) throw std::invalid_argument("cnn::Forward: " + bad);
  if (fine.nx < 2 || fine.ny < 2 || fine.nz < 2 || fine.nx % 2 || fine.ny % 2 || fine.nz % 2)
    throw std::invalid_argument("cnn::Forward: the block's owned extents must be even and >= 2 (one pooling level), got " + std::to_string(fine.nx) + " x " + std::to_string(fine.ny) + " x " +
                                std::to_string(fine.nz));
  Impl &I     = *impl_;
  I.w         = w;
  I.fine      = fine;
  I.coarse    = Block{fine.nx / 2, fine.ny / 2, fine.nz / 2};
  I.halo      = std::move(halo);
  I.algorithm = algorithm;
  I.program   = Program(w.spec);
  I.plan      = Buffers(w.spec);
  // Zero-initialised: halo cells outside the domain stay zero forever (no kernel writes a halo), which is the
  // network's zero "same" padding. Buffer 1 (the output) is never materialised: the head writes Apply's `out`.
  I.bufs.resize(I.plan.count);
  for (int i = 0; i < I.plan.count; ++i) {
    if (i == 1) continue;
    const size_t n = I.BlockOf(I.plan.level[i]).Ghosted() * I.plan.channels[i];
    I.bufs[i]      = Buffer<Scalar>("cnn::activation", n);
  }
  if (algorithm == ConvAlgorithm::Fast)
    for (const ConvWeights &c : w.convs) I.convs.push_back(UploadConv<Scalar, MemSpace>(c));
}

template <class Scalar>
Forward<Scalar>::~Forward() = default;

template <class Scalar>
void Forward<Scalar>::SetStepHook(StepHook hook)
{
  impl_->hook = std::move(hook);
}

template <class Scalar>
void Forward<Scalar>::Apply(const Kokkos::View<const Scalar *, MemSpace> &in, const Kokkos::View<Scalar *, MemSpace> &out)
{
  Impl        &I = *impl_;
  const size_t n = I.fine.Owned();
  if (in.extent(0) != n || out.extent(0) != n)
    throw std::invalid_argument("cnn::Forward::Apply: input and output need " + std::to_string(n) + " values (the owned block), got " + std::to_string(in.extent(0)) + " and " +
                                std::to_string(out.extent(0)));
  if (I.algorithm == ConvAlgorithm::Reference) {
    auto hin = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), in);
    auto hg  = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), I.bufs[0]);
    ref::ScatterOwned<Scalar>(I.fine, hin.data(), hg.data());
    Kokkos::deep_copy(I.bufs[0], hg);
  } else kk::ScatterOwned<Scalar>(ExecSpace(), I.fine, in, I.bufs[0]);

  for (const Step &s : I.program) {
    const bool conv3 = s.op == Op::Conv || s.op == Op::ConvRelu || s.op == Op::ConvReluAdd;
    // The halo exchange sits outside the step's hook bracket so that a caller can time it apart.
    if (conv3 && I.halo) I.halo(s.level, I.bufs[s.in], I.plan.channels[s.in]);
    I.Hook(s.op, true);
    switch (s.op) {
    case Op::Conv:
    case Op::ConvRelu:
    case Op::ConvReluAdd: I.ConvStep(s); break;
    case Op::Pool: I.PoolStep(s); break;
    case Op::UpsampleAdd: I.UpsampleStep(s); break;
    case Op::Head: I.HeadStep(s, out); break;
    }
    I.Hook(s.op, false);
  }
}

template <class Scalar>
double Forward<Scalar>::Flops() const
{
  // The coarse block is exactly the fine one halved, so FlopsPerVoxel's 1/8 weighting is exact per block.
  return FlopsPerVoxel(impl_->w.spec) * (double)impl_->fine.Owned();
}

template class Forward<float>;
template class Forward<double>;

} // namespace cnn
} // namespace petal
