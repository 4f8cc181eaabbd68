#pragma once
/* The DCDM network as a libtorch module. It is not a second description of the architecture: the module
 * executes cnn::Program(spec) step by step (include/petal/cnn.hpp), the same program petal's Kokkos forward
 * walks, so the trainer and the inference kernels cannot disagree on the order of layers.
 *
 * Tensors are (batch, channels, D, H, W) with (D, H, W) = (z, y, x): x fastest, the petal-voxel / DMDA order.
 * Convolutions are torch::nn::Conv3d with zero padding 1 (the 1x1x1 head without), named conv00, conv01, ... in
 * construction order (cnn::ConvName), so checkpoints and the HDF5 file use the same names. */
#include <petal/cnn.hpp>
#include <torch/torch.h>
#include <vector>

namespace petal
{
namespace dcdm_train
{

class NetImpl : public torch::nn::Module {
public:
  explicit NetImpl(const cnn::NetSpec &spec);
  /* b: (B, 1, D, H, W), every extent even. Returns f(b), the same shape. */
  torch::Tensor forward(const torch::Tensor &b);

  const cnn::NetSpec &spec() const { return spec_; }
  /* Parameters from / to petal's in-memory weights (Keras kernel layout [kd][kh][kw][cin][cout]). */
  void         SetWeights(const cnn::Weights &w);
  cnn::Weights GetWeights() const;

private:
  cnn::NetSpec                   spec_;
  std::vector<cnn::Step>         program_;
  cnn::BufferPlan                buffers_;
  std::vector<torch::nn::Conv3d> convs_;
};
TORCH_MODULE(Net);

/* Kernel layout conversions. Keras: [k][k][k][cin][cout] (C order) = petal's cnn::ConvWeights::kernel;
 * libtorch: (cout, cin, kd, kh, kw). Both are cross-correlations with the same (kd, kh, kw) = (z, y, x) offsets. */
torch::Tensor      KerasToTorchKernel(const std::vector<float> &kernel, const cnn::ConvShape &shape);
std::vector<float> TorchToKerasKernel(const torch::Tensor &weight);

} // namespace dcdm_train
} // namespace petal
