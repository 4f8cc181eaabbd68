#pragma once
// Scene presets on a voxel grid of the unit square/cube: the geometries of the pressure-Poisson benchmarks
// (petal-mesh scene, petal-poisson's default mesh). Geometry is given in unit coordinates, so a scene means the
// same shapes at any resolution: the grid has n cells per direction, spacing 1/n, cell centres (i + 1/2)/n.
// The last axis (y in 2-D, z in 3-D) points up. 2-D scenes are the x-z section (y = 1/2) of the 3-D ones.
//
//   empty      nothing inside: with closed walls, the pure-Neumann box DCDM's networks are trained on
//   sphere     one ball (disc) of radius 0.25 in the middle
//   obstacles  two balls and three boxes (one a thin plate under the lid) placed off-centre: a geometry no
//              training matrix contains
//   plume      the smoke-plume domain of petal-poisson: a ball of radius 0.15 above the plume's source
//
// free_surface marks the top layer of cells Dirichlet (an open top, pressure 0), so the system is not singular.
#include <petal/mesh.h>

namespace petal::scenes {

enum class Scene : int { EMPTY = 0, SPHERE = 1, OBSTACLES = 2, PLUME = 3 };
// For PetscOptionsEnum: "empty", "sphere", "obstacles", "plume".
extern const char *const SceneNames[];

struct SceneSpec {
  Scene    scene        = Scene::PLUME;
  PetscInt dim          = 3;
  PetscInt n[3]         = {64, 64, 64}; // cells per direction (unused entries ignored)
  bool     freeSurface  = false;
};

// The cell type at unit-coordinate cell centre x (x[dim-1] vertical) of a scene; free surface not included.
PetalCellType SceneCellType(Scene scene, PetscInt dim, const PetscReal x[]);

// A DMDA of the scene's grid (PetalVoxelGridCreateDA: spacing 1/n, origin 0, the lower corner of the box) and its
// cell types.
// Checks dim (2 or 3) and n (>= 2; small enough for 32-bit indices). Collective.
PetscErrorCode SceneCreate(MPI_Comm comm, const SceneSpec &spec, DM *da, Vec *cellType);

} // namespace petal::scenes
