// Scene presets (voxel_scenes.hpp): solid obstacles given as balls and boxes in unit coordinates.
#include "voxel_scenes.hpp"

namespace petal::scenes {

const char *const SceneNames[] = {"empty", "sphere", "obstacles", "plume", "Scene", "SCENE_", nullptr};

namespace {

struct Ball {
  PetscReal c[3], r;
};
struct Box {
  PetscReal lo[3], hi[3];
};

struct Obstacles {
  const Ball *balls;
  int         nballs;
  const Box  *boxes;
  int         nboxes;
};

// The obstacles of each scene in 3-D coordinates (z up). A 2-D scene uses the x-z section through y = 1/2.
Obstacles SceneObstacles(Scene scene)
{
  static const Ball middle[] = {{{0.5, 0.5, 0.5}, 0.25}}, plume[] = {{{0.5, 0.5, 0.62}, 0.15}};
  static const Ball several[] = {{{0.3, 0.5, 0.62}, 0.13}, {{0.72, 0.45, 0.3}, 0.16}};
  // The boxes reach through y = 1/2 so that the 2-D section keeps them; the plate under the lid is 0.04 thick
  // (2-3 cells at 64^3).
  static const Box severalBoxes[] = {{{0.55, 0.2, 0.58}, {0.9, 0.6, 0.78}}, {{0.08, 0.35, 0.12}, {0.38, 0.75, 0.3}}, {{0.2, 0.15, 0.86}, {0.75, 0.85, 0.9}}};
  switch (scene) {
  case Scene::SPHERE: return {middle, 1, nullptr, 0};
  case Scene::OBSTACLES: return {several, 2, severalBoxes, 3};
  case Scene::PLUME: return {plume, 1, nullptr, 0};
  default: return {nullptr, 0, nullptr, 0};
  }
}
} // namespace

PetalCellType SceneCellType(Scene scene, PetscInt dim, const PetscReal x[])
{
  const Obstacles o = SceneObstacles(scene);
  // the point in 3-D coordinates: 2-D (x, y) is (x, 1/2, y)
  const PetscReal p[3] = {x[0], dim == 3 ? x[1] : 0.5, dim == 3 ? x[2] : x[1]};
  for (int s = 0; s < o.nballs; ++s) {
    const Ball &b  = o.balls[s];
    PetscReal r2 = 0;
    for (int d = 0; d < 3; ++d) r2 += (p[d] - b.c[d]) * (p[d] - b.c[d]);
    if (r2 <= b.r * b.r) return PETAL_CELL_SOLID;
  }
  for (int s = 0; s < o.nboxes; ++s) {
    const Box &b = o.boxes[s];
    bool in = true;
    for (int d = 0; d < 3; ++d) in = in && p[d] >= b.lo[d] && p[d] <= b.hi[d];
    if (in) return PETAL_CELL_SOLID;
  }
  return PETAL_CELL_INTERIOR;
}

PetscErrorCode SceneCreate(MPI_Comm comm, const SceneSpec &spec, DM *da, Vec *cellType)
{
  PetalVoxelGridInfo info{};
  PetscScalar       *t;
  PetscInt           xs, ys, zs, xm, ym, zm;
  const PetscInt     dim = spec.dim;

  PetscFunctionBegin;
  PetscCheck(dim == 2 || dim == 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "A scene is 2-D or 3-D, not %" PetscInt_FMT "-D", dim);
  PetscCheck((int)spec.scene >= 0 && (int)spec.scene <= 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "Unknown scene %d", (int)spec.scene);
  double cells = 1;
  for (PetscInt d = 0; d < dim; ++d) {
    PetscCheck(spec.n[d] >= 2, comm, PETSC_ERR_ARG_OUTOFRANGE, "A scene needs at least 2 cells per direction, got %" PetscInt_FMT " in direction %" PetscInt_FMT, spec.n[d], d);
    cells *= (double)spec.n[d];
  }
  // a 7-point matrix on the grid has about 7 entries per cell, each numbered by a 32-bit PetscInt
  PetscCheck(7.0 * cells < (double)PETSC_MAX_INT, comm, PETSC_ERR_ARG_OUTOFRANGE, "A %.3g-cell scene is too large for this PETSc's 32-bit indices", cells);
  info.dim = dim;
  for (PetscInt d = 0; d < 3; ++d) {
    info.shape[d]   = d < dim ? spec.n[d] : 1;
    info.spacing[d] = d < dim ? 1.0 / spec.n[d] : 1.0;
    info.origin[d]  = 0.0; // the lower corner of the box: cell centres at (i + 1/2)/n
  }
  PetscCall(PetalVoxelGridCreateDA(comm, &info, da));
  PetscCall(DMCreateGlobalVector(*da, cellType));
  PetscCall(PetscObjectSetName((PetscObject)*cellType, "cell_type"));
  PetscCall(DMDAGetCorners(*da, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(VecGetArray(*cellType, &t));
  for (PetscInt k = zs, l = 0; k < zs + zm; ++k)
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i, ++l) {
        const PetscInt  idx[3] = {i, j, k};
        PetscReal       x[3]   = {0, 0, 0};
        for (PetscInt d = 0; d < dim; ++d) x[d] = (idx[d] + 0.5) / info.shape[d];
        PetalCellType type = SceneCellType(spec.scene, dim, x);
        if (spec.freeSurface && idx[dim - 1] == info.shape[dim - 1] - 1) type = PETAL_CELL_DIRICHLET;
        t[l] = type;
      }
  PetscCall(VecRestoreArray(*cellType, &t));
  PetscFunctionReturn(0);
}

} // namespace petal::scenes
