#pragma once
// Weights for tests and the plugin run (no gtest: the weights writer program includes this too).
#include <petal/cnn.hpp>

namespace dcdm_test {

// Weights under which the network is a two-level smoother plus a small nonlinear perturbation, so that the Krylov
// methods make real progress (random weights give directions that stall them) while ReLU still matters:
// conv00 puts the input into channel 0 and its negative into channel 1 (the first ReLU splits them into the
// positive and negative parts), every C -> C conv smooths channels 0 and 1 separately with a positive 3x3x3
// stencil (the ReLUs then see nonnegative values: a linear map), the head returns channel 0 minus channel 1; then every weight gets `noise` times a random He-like value
// and every bias `noise` times a small random value.
inline petal::cnn::Weights SmootherWeights(double noise, unsigned long long seed = 11)
{
  const petal::cnn::NetSpec spec = petal::cnn::From64();
  petal::cnn::Weights       w    = petal::cnn::RandomWeights(spec, seed);
  for (size_t n = 0; n < w.convs.size(); ++n) {
    petal::cnn::ConvWeights &c = w.convs[n];
    const int                k = c.shape.ksize, ci = c.shape.cin, co = c.shape.cout;
    for (float &v : c.kernel) v = (float)(noise * v);
    for (size_t o = 0; o < c.bias.size(); ++o) c.bias[o] = (float)(noise * 0.1 * (((n * 7 + o * 5) % 9) - 4.0) / 4.0);
    auto at = [&](int kd, int kh, int kw, int i, int o) -> float & { return c.kernel[((((size_t)kd * k + kh) * k + kw) * ci + i) * co + o]; };
    if (n == 0) {
      at(1, 1, 1, 0, 0) += 1.0f;
      at(1, 1, 1, 0, 1) += -1.0f;
    } else if (k == 1) {
      at(0, 0, 0, 0, 0) += 1.0f;
      at(0, 0, 0, 1, 0) += -1.0f;
    } else
      for (int kd = 0; kd < 3; ++kd)
        for (int kh = 0; kh < 3; ++kh)
          for (int kw = 0; kw < 3; ++kw) {
            const int   off = (kd != 1) + (kh != 1) + (kw != 1); // 0 centre, 1 face, 2 edge, 3 corner
            const float s   = off == 0 ? 0.5f : off == 1 ? 0.02f : off == 2 ? 0.002f : 0.0f;
            at(kd, kh, kw, 0, 0) += s;
            at(kd, kh, kw, 1, 1) += s;
          }
  }
  return w;
}

} // namespace dcdm_test
