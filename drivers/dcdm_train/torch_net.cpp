// The DCDM network in libtorch: walks cnn::Program (see torch_net.hpp).
#include "torch_net.hpp"
#include <stdexcept>

namespace petal
{
namespace dcdm_train
{

NetImpl::NetImpl(const cnn::NetSpec &spec) : spec_(spec)
{
  const std::string why = cnn::Validate(spec);
  if (!why.empty()) throw std::invalid_argument("DCDM network: " + why);
  program_ = cnn::Program(spec);
  buffers_ = cnn::Buffers(spec);
  const std::vector<cnn::ConvShape> shapes = cnn::ConvShapes(spec);
  for (size_t i = 0; i < shapes.size(); ++i) {
    const cnn::ConvShape &s = shapes[i];
    auto opts = torch::nn::Conv3dOptions(s.cin, s.cout, s.ksize).padding(s.ksize / 2).bias(true); // zero padding
    convs_.push_back(register_module(cnn::ConvName((int)i), torch::nn::Conv3d(opts)));
  }
}

torch::Tensor NetImpl::forward(const torch::Tensor &b)
{
  TORCH_CHECK(b.dim() == 5 && b.size(1) == 1, "DCDM network input must be (B, 1, D, H, W), got ", b.sizes());
  TORCH_CHECK(b.size(2) % 2 == 0 && b.size(3) % 2 == 0 && b.size(4) % 2 == 0, "DCDM network: grid extents must be even (one pooling level), got ", b.sizes());
  std::vector<torch::Tensor> buf(buffers_.count);
  buf[0] = b;
  for (const cnn::Step &st : program_) {
    const torch::Tensor &in = buf[st.in];
    switch (st.op) {
    case cnn::Op::Conv:
    case cnn::Op::Head:
      buf[st.out] = convs_[st.conv]->forward(in);
      break;
    case cnn::Op::ConvRelu:
      buf[st.out] = torch::relu(convs_[st.conv]->forward(in));
      break;
    case cnn::Op::ConvReluAdd: // the reference's order: relu(conv(x)) + skip, not relu(conv(x) + skip)
      buf[st.out] = torch::relu(convs_[st.conv]->forward(in)) + buf[st.out];
      break;
    case cnn::Op::Pool:
      buf[st.out] = torch::avg_pool3d(in, 2);
      break;
    case cnn::Op::UpsampleAdd: { // nearest neighbour: every coarse cell fills its 2x2x2 fine cells
      namespace F   = torch::nn::functional;
      const auto up = F::interpolate(in, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2, 2}).mode(torch::kNearest));
      buf[st.out]   = up + buf[st.out];
    } break;
    }
  }
  return buf[1];
}

torch::Tensor KerasToTorchKernel(const std::vector<float> &kernel, const cnn::ConvShape &s)
{
  const int64_t k = s.ksize;
  TORCH_CHECK((int64_t)kernel.size() == k * k * k * s.cin * s.cout, "kernel has ", kernel.size(), " values, expected ", k * k * k * s.cin * s.cout);
  auto keras = torch::from_blob(const_cast<float *>(kernel.data()), {k, k, k, s.cin, s.cout}, torch::kFloat32);
  return keras.permute({4, 3, 0, 1, 2}).contiguous().clone(); // (cout, cin, kd, kh, kw)
}

std::vector<float> TorchToKerasKernel(const torch::Tensor &weight)
{
  TORCH_CHECK(weight.dim() == 5, "conv weight must be (cout, cin, kd, kh, kw)");
  auto keras = weight.detach().to(torch::kCPU, torch::kFloat32).permute({2, 3, 4, 1, 0}).contiguous(); // (kd, kh, kw, cin, cout)
  return std::vector<float>(keras.data_ptr<float>(), keras.data_ptr<float>() + keras.numel());
}

void NetImpl::SetWeights(const cnn::Weights &w)
{
  const std::string why = cnn::Check(w);
  if (!why.empty()) throw std::invalid_argument("DCDM weights: " + why);
  const std::vector<cnn::ConvShape> shapes = cnn::ConvShapes(spec_);
  if (w.convs.size() != shapes.size()) throw std::invalid_argument("DCDM weights: architecture differs from the network's");
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < shapes.size(); ++i) {
    const cnn::ConvShape &s = shapes[i], &ws = w.convs[i].shape;
    if (s.cin != ws.cin || s.cout != ws.cout || s.ksize != ws.ksize) throw std::invalid_argument("DCDM weights: " + cnn::ConvName((int)i) + " has another shape than the network's");
    convs_[i]->weight.copy_(KerasToTorchKernel(w.convs[i].kernel, s));
    convs_[i]->bias.copy_(torch::from_blob(const_cast<float *>(w.convs[i].bias.data()), {s.cout}, torch::kFloat32));
  }
}

cnn::Weights NetImpl::GetWeights() const
{
  cnn::Weights w;
  w.spec = spec_;
  const std::vector<cnn::ConvShape> shapes = cnn::ConvShapes(spec_);
  for (size_t i = 0; i < shapes.size(); ++i) {
    cnn::ConvWeights c;
    c.shape   = shapes[i];
    c.kernel  = TorchToKerasKernel(convs_[i]->weight);
    auto bias = convs_[i]->bias.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    c.bias.assign(bias.data_ptr<float>(), bias.data_ptr<float>() + bias.numel());
    w.convs.push_back(std::move(c));
  }
  return w;
}

} // namespace dcdm_train
} // namespace petal
