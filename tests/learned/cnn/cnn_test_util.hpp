#pragma once
// Helpers shared by the DCDM network tests: seeded random data, host <-> device copies, error measures.
#include <petal/cnn.hpp>
#include <petal/kokkos_spaces.hpp>
#include "core/splitmix64.hpp"
#include "learned/cnn/forward.hpp"
#include <algorithm>
#include <cmath>
#include <vector>

namespace cnntest
{

inline std::vector<double> RandomVector(size_t n, unsigned long long seed, double lo = -1, double hi = 1)
{
  petal::SplitMix64   rng(seed);
  std::vector<double> v(n);
  for (double &x : v) x = lo + (hi - lo) * rng.Uniform();
  return v;
}

/* Unit 2-norm random input, as DCDM feeds its network. */
inline std::vector<double> UnitInput(size_t n, unsigned long long seed)
{
  std::vector<double> v  = RandomVector(n, seed);
  double              s2 = 0;
  for (double x : v) s2 += x * x;
  for (double &x : v) x /= std::sqrt(s2);
  return v;
}

/* RandomWeights with random (nonzero) biases too, so that the tests see every bias. */
inline petal::cnn::Weights TestWeights(const petal::cnn::NetSpec &spec, unsigned long long seed)
{
  petal::cnn::Weights w = petal::cnn::RandomWeights(spec, seed);
  petal::SplitMix64   rng(seed ^ 0xB1A5ULL);
  for (auto &c : w.convs)
    for (float &b : c.bias) b = (float)(0.2 * (rng.Uniform() - 0.5));
  return w;
}

template <class S>
Kokkos::View<S *, petal::MemSpace> ToDevice(const std::vector<double> &v)
{
  Kokkos::View<S *, petal::MemSpace> d("test::buf", v.size());
  auto                               h = Kokkos::create_mirror_view(d);
  for (size_t i = 0; i < v.size(); ++i) h(i) = (S)v[i];
  Kokkos::deep_copy(d, h);
  return d;
}

template <class S>
std::vector<double> ToHost(const Kokkos::View<S *, petal::MemSpace> &d)
{
  auto h = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), d);
  return std::vector<double>(h.data(), h.data() + h.extent(0));
}

inline double MaxAbs(const std::vector<double> &v)
{
  double m = 0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

inline double MaxAbsDiff(const std::vector<double> &a, const std::vector<double> &b)
{
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

/* Relative tolerance of a kernel's result against the double-accumulating reference, per scalar: float's
 * rounding over a few hundred terms per output (27*16) and a dozen layers stays well below 1e-4 of the
 * output's magnitude; double's below 1e-11. */
template <class S>
double RelTol();
template <>
inline double RelTol<float>() { return 2e-5; }
template <>
inline double RelTol<double>() { return 1e-12; }

} // namespace cnntest
