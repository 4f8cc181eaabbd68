// Right-hand sides of petal-poisson (poisson_rhs.hpp).
#include "poisson_rhs.hpp"
#include <cmath>
#include <cstdint>

namespace petal::poisson {
namespace {

// splitmix64: a tiny, well-mixed generator whose stream depends on the seed alone (any platform, any ranks).
struct SplitMix64 {
  std::uint64_t state;
  double        Uniform() // in [0, 1)
  {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z               = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z               = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
  }
};

// The generated velocity field v*, in unit-box coordinates with z up (a 2-D grid is the section y = 1/2).
class Plume {
public:
  explicit Plume(PetscInt64 seed)
  {
    SplitMix64 rng{(std::uint64_t)seed * 0x2545f4914f6cdd1dULL + 1};
    cx_ = 0.5 + 0.04 * (rng.Uniform() - 0.5);
    cy_ = 0.5 + 0.04 * (rng.Uniform() - 0.5);
    for (int d = 0; d < 2; ++d) {
      wobbleK_[d]     = 1.0 + 2.0 * rng.Uniform();
      wobblePhase_[d] = 2 * M_PI * rng.Uniform();
    }
    for (Mode &m : modes_) {
      m.component = (int)(3 * rng.Uniform());
      for (double &k : m.k) k = 2 * M_PI * (1 + (int)(4 * rng.Uniform()));
      m.amplitude = 0.25 * (rng.Uniform() - 0.5);
      m.phase     = 2 * M_PI * rng.Uniform();
    }
  }

  // Component c (0: x, 1: y, 2: z = up) of v* at unit-box point x.
  double Velocity(int c, const double x[3]) const
  {
    const double dz    = x[2] - kSourceHeight;
    const double ax    = cx_ + kWobble * std::sin(wobbleK_[0] * 2 * M_PI * x[2] + wobblePhase_[0]);
    const double ay    = cy_ + kWobble * std::sin(wobbleK_[1] * 2 * M_PI * x[2] + wobblePhase_[1]);
    const double sigma = kWidth * (1 + 2 * PetscMax(dz, 0.0)); // the plume spreads as it rises
    const double r2    = (x[0] - ax) * (x[0] - ax) + (x[1] - ay) * (x[1] - ay);
    const double along = dz < 0 ? std::exp(-(dz / 0.03) * (dz / 0.03)) : std::exp(-dz / 0.7); // starts at the source, decays upwards
    const double core  = std::exp(-r2 / (2 * sigma * sigma)) * along;
    const double wide  = std::exp(-r2 / (2 * 6.25 * sigma * sigma)) * along;
    double       v     = 0;
    if (c == 2) v = kSpeed * core;               // the buoyant jet
    if (c == 0) v = -kSwirl * (x[1] - ay) * core; // swirl about the axis
    if (c == 1) v = kSwirl * (x[0] - ax) * core;
    for (const Mode &m : modes_) // turbulence-like detail inside the plume
      if (m.component == c) v += kSpeed * m.amplitude * wide * std::sin(m.k[0] * x[0] + m.k[1] * x[1] + m.k[2] * x[2] + m.phase);
    return v;
  }

private:
  static constexpr double kSourceHeight = 0.1, kWidth = 0.07, kSpeed = 1.0, kSwirl = 4.0, kWobble = 0.03;
  struct Mode {
    int    component;
    double k[3], amplitude, phase;
  };
  double cx_, cy_, wobbleK_[2], wobblePhase_[2];
  Mode   modes_[8];
};

// The cells' local (ghosted) types, for the open/closed test of each face.
class FaceTest {
public:
  FaceTest(const Problem &p) : p_(p) { }
  PetscErrorCode Begin()
  {
    PetscFunctionBegin;
    PetscCall(DMGetLocalVector(p_.da, &local_));
    PetscCall(DMGlobalToLocal(p_.da, p_.cellType, INSERT_VALUES, local_));
    PetscCall(VecGetArrayRead(local_, &type_));
    PetscCall(DMDAGetGhostCorners(p_.da, &g_[0], &g_[1], &g_[2], &gm_[0], &gm_[1], &gm_[2]));
    PetscFunctionReturn(0);
  }
  PetscErrorCode End()
  {
    PetscFunctionBegin;
    PetscCall(VecRestoreArrayRead(local_, &type_));
    PetscCall(DMRestoreLocalVector(p_.da, &local_));
    PetscFunctionReturn(0);
  }
  // Whether the face of cell idx towards side s (+1/-1) of direction d lets flux through.
  bool Open(const PetscInt idx[3], PetscInt d, PetscInt s) const
  {
    PetscInt q[3] = {idx[0], idx[1], idx[2]};
    q[d] += s;
    if (q[d] < 0 || q[d] >= p_.info.shape[d]) return p_.edge == Edge::DIRICHLET;
    const PetscInt l = ((q[2] - g_[2]) * gm_[1] + (q[1] - g_[1])) * gm_[0] + (q[0] - g_[0]);
    return (PetscInt)PetscRealPart(type_[l]) != PETAL_CELL_SOLID;
  }

private:
  const Problem     &p_;
  Vec                local_ = nullptr;
  const PetscScalar *type_  = nullptr;
  PetscInt           g_[3], gm_[3];
};
} // namespace

PetscErrorCode PlumeDivergence(const Problem &p, PetscInt64 seed, Vec div)
{
  const Plume        plume(seed);
  FaceTest           faces(p);
  const PetscScalar *region;
  PetscScalar       *v;
  PetscInt           xs, ys, zs, xm, ym, zm;
  const PetscInt     dim = p.info.dim;
  const PetscInt    *n   = p.info.shape;
  const int          axis3[3] = {0, dim == 3 ? 1 : 2, 2}; // grid direction -> velocity component (2-D: x, up)

  PetscFunctionBegin;
  PetscCall(faces.Begin());
  PetscCall(DMDAGetCorners(p.da, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(VecGetArray(div, &v));
  PetscCall(VecGetArrayRead(p.region, &region));
  for (PetscInt k = zs, l = 0; k < zs + zm; ++k)
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i, ++l) {
        v[l] = 0.0;
        if (PetscRealPart(region[l]) < 0) continue;
        const PetscInt idx[3]    = {i, j, k};
        double         centre[3] = {0.5, 0.5, 0.5}; // unit-box coordinates; a 2-D grid sits at y = 1/2
        for (PetscInt d = 0; d < dim; ++d) centre[axis3[d]] = (idx[d] + 0.5) / n[d];
        double sum = 0;
        for (PetscInt d = 0; d < dim; ++d)
          for (PetscInt s = -1; s <= 1; s += 2) {
            if (!faces.Open(idx, d, s)) continue; // no flux through walls and obstacles
            double x[3] = {centre[0], centre[1], centre[2]};
            x[axis3[d]] += 0.5 * s / n[d];
            sum += s * plume.Velocity(axis3[d], x) / p.info.spacing[d];
          }
        v[l] = sum;
      }
  PetscCall(VecRestoreArrayRead(p.region, &region));
  PetscCall(VecRestoreArray(div, &v));
  PetscCall(faces.End());
  PetscFunctionReturn(0);
}

PetscErrorCode LoadDivergence(const Problem &p, const char file[], const char path[], Vec div)
{
  PetscFunctionBegin;
  // the voxel-grid reader checks presence, shape and finiteness on every rank alike (include/petal/mesh.h)
  PetscCall(PetalVoxelGridLoadField(p.da, file, path, div));
  PetscCall(PetscObjectSetName((PetscObject)div, "divergence"));
  PetscFunctionReturn(0);
}

PetscErrorCode RhsFromDivergence(const Problem &p, Vec div, Vec b)
{
  const PetscReal h0 = p.info.spacing[0];

  PetscFunctionBegin;
  PetscCall(VecCopy(div, b));
  PetscCall(VecScale(b, -h0 * h0));
  PetscCall(PetscObjectSetName((PetscObject)b, "rhs"));
  PetscFunctionReturn(0);
}

} // namespace petal::poisson
