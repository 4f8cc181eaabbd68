#include "learned/bandits/omega_grid.hpp"

#include <cmath>
#include <cstdio>

namespace petal::bandits {

namespace {
std::string Format(const char *fmt, double a, double b = 0.0)
{
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

std::string SizeProblem(long long n)
{
  if (n < 1) return "the omega grid needs at least one value, got " + std::to_string(n);
  if (n > kMaxOmegaGrid) return "the omega grid has " + std::to_string(n) + " values, at most " + std::to_string(kMaxOmegaGrid) + " are allowed (every arm must be tried and charged)";
  return "";
}
} // namespace

std::string OmegaProblem(double omega)
{
  if (std::isfinite(omega) && omega > 0.0 && omega < 2.0) return "";
  return Format("relaxation factor omega = %g is outside (0, 2), where SOR converges for SPD matrices", omega);
}

std::string OmegaGridProblem(const double *omega, long long n)
{
  std::string why = SizeProblem(n);
  for (long long i = 0; why.empty() && i < n; ++i) why = OmegaProblem(omega[i]);
  return why;
}

std::string UniformOmegaGridProblem(long long n, double lo, double hi)
{
  std::string why = SizeProblem(n);
  if (why.empty()) why = OmegaProblem(lo);
  if (why.empty() && n > 1) why = OmegaProblem(hi);
  if (why.empty() && n > 1 && !(lo < hi)) why = Format("omega_min = %g must be below omega_max = %g", lo, hi);
  return why;
}

} // namespace petal::bandits
