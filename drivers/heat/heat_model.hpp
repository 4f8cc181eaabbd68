#pragma once
// The physics of petal-heat: u_t = kappa(t) div(a(x) grad u) + f(x, t), u = 0 on the boundary.
// Presets pick kappa(t), the source f and the initial state u0; the same pointwise functions serve the
// finite-difference (voxel grid) and the finite-element (DMPlex + PetscFE) discretizations.
#include <petscsys.h>
#include <cmath>

namespace petal::heat {

enum class Preset : int {
  LTR = 0, // "Learning to Relax" heat setting: kappa in [0, 10], orbiting disc source, disc initial state
  MMS = 1, // manufactured solution u = exp(-t) prod sin(pi x_i), kappa(t) = 1 + sin(2 pi t)/2
  CONSTANT = 2 // kappa = 1, orbiting disc source, disc initial state (a plain diffusion run)
};
static const char *const PresetNames[] = {"ltr", "mms", "constant", "Preset", "HEAT_PRESET_", nullptr};

inline PetscReal Kappa(Preset p, PetscReal t)
{
  switch (p) {
  case Preset::LTR: return std::max(0.1 * std::sin(2 * M_PI * t), -10.0 * std::sin(2 * M_PI * t));
  case Preset::MMS: return 1.0 + 0.5 * std::sin(2 * M_PI * t);
  default: return 1.0;
  }
}

// Range of kappa(t) over time: the context range of the bandit learners.
inline PetscReal KappaMin(Preset p) { return p == Preset::LTR ? 0.0 : p == Preset::MMS ? 0.5 : 0.0; }
inline PetscReal KappaMax(Preset p) { return p == Preset::LTR ? 10.0 : p == Preset::MMS ? 1.5 : 2.0; }

// Disc (2-D) or ball (3-D) indicator of radius r around c.
inline PetscReal Indicator(PetscInt dim, const PetscReal x[], const PetscReal c[], PetscReal r)
{
  PetscReal d2 = 0;
  for (PetscInt i = 0; i < dim; ++i) d2 += (x[i] - c[i]) * (x[i] - c[i]);
  return d2 <= r * r ? 1.0 : 0.0;
}

inline PetscReal Exact(PetscInt dim, PetscReal t, const PetscReal x[])
{
  PetscReal v = std::exp(-t);
  for (PetscInt i = 0; i < dim; ++i) v *= std::sin(M_PI * x[i]);
  return v;
}

inline PetscReal Source(Preset p, PetscInt dim, PetscReal t, const PetscReal x[])
{
  if (p == Preset::MMS) return (-1.0 + Kappa(p, t) * dim * M_PI * M_PI) * Exact(dim, t, x);
  // 32 x a disc of radius 0.125 orbiting (0.5, 0.5[, 0.5]) at radius 0.25 with angle 16 pi t.
  const PetscReal c[3] = {0.5 + 0.25 * std::cos(16 * M_PI * t), 0.5 + 0.25 * std::sin(16 * M_PI * t), 0.5};
  return 32.0 * Indicator(dim, x, c, 0.125);
}

inline PetscReal Initial(Preset p, PetscInt dim, const PetscReal x[])
{
  if (p == Preset::MMS) return Exact(dim, 0.0, x);
  const PetscReal c[3] = {0.5, 0.5, 0.5};
  return Indicator(dim, x, c, 0.25);
}
} // namespace petal::heat
