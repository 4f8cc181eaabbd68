// DCDM weights in memory (include/petal/cnn.hpp): checks and a seeded initialisation.
#include <petal/cnn.hpp>
#include "core/splitmix64.hpp"
#include <cmath>
#include <cstdio>

namespace petal
{
namespace cnn
{

std::string ConvName(int i)
{
  char buf[32];
  std::snprintf(buf, sizeof buf, "conv%02d", i);
  return buf;
}

std::string Check(const Weights &w)
{
  std::string e = Validate(w.spec);
  if (!e.empty()) return e;
  const std::vector<ConvShape> shapes = ConvShapes(w.spec);
  if (w.convs.size() != shapes.size()) return "the architecture has " + std::to_string(shapes.size()) + " convolutions, the weights " + std::to_string(w.convs.size());
  for (size_t i = 0; i < shapes.size(); ++i) {
    const ConvWeights &c    = w.convs[i];
    const ConvShape   &s    = shapes[i];
    const std::string  name = ConvName((int)i);
    auto               dims = [](const ConvShape &x) {
      return std::to_string(x.ksize) + "x" + std::to_string(x.ksize) + "x" + std::to_string(x.ksize) + "x" + std::to_string(x.cin) + "x" + std::to_string(x.cout);
    };
    if (c.shape.cin != s.cin || c.shape.cout != s.cout || c.shape.ksize != s.ksize) return name + " kernel is " + dims(c.shape) + ", the architecture needs " + dims(s);
    const size_t nk = (size_t)s.ksize * s.ksize * s.ksize * s.cin * s.cout;
    if (c.kernel.size() != nk) return name + " kernel has " + std::to_string(c.kernel.size()) + " values, expected " + std::to_string(nk);
    if (c.bias.size() != (size_t)s.cout) return name + " bias has " + std::to_string(c.bias.size()) + " values, expected " + std::to_string(s.cout);
    for (size_t k = 0; k < nk; ++k)
      if (!std::isfinite(c.kernel[k])) return name + " kernel value " + std::to_string(k) + " is not finite";
    for (int k = 0; k < s.cout; ++k)
      if (!std::isfinite(c.bias[k])) return name + " bias value " + std::to_string(k) + " is not finite";
  }
  return "";
}

Weights RandomWeights(const NetSpec &spec, unsigned long long seed)
{
  Weights w;
  w.spec = spec;
  SplitMix64 rng(seed);
  auto       normal = [&rng]() {
    // Box-Muller from two uniforms in (0, 1]
    const double u1 = 1.0 - rng.Uniform(), u2 = rng.Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  };
  for (const ConvShape &s : ConvShapes(spec)) {
    ConvWeights c;
    c.shape             = s;
    const size_t n      = (size_t)s.ksize * s.ksize * s.ksize * s.cin * s.cout;
    const double fan_in = (double)s.ksize * s.ksize * s.ksize * s.cin;
    const double sd     = std::sqrt(2.0 / fan_in);
    c.kernel.resize(n);
    for (size_t k = 0; k < n; ++k) c.kernel[k] = (float)(sd * normal());
    c.bias.assign(s.cout, 0.0f);
    w.convs.push_back(std::move(c));
  }
  return w;
}

} // namespace cnn
} // namespace petal
