// petal-mesh: makes and inspects the meshes petal's drivers read. See meshes/README.md for examples.
#include <petal/driver.h>
#include <petal/petal.h>
#include <petal/mesh.h>
#include "simplex_box.hpp"
#include "voxel_scenes.hpp"
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

static const char help[] = "petal-mesh: make and inspect petal meshes (meshes/README.md).\n"
                           "Usage: petal-mesh MODE [FILES] [options]   (positional arguments come before options)\n"
                           "  petal-mesh box       -dim 2 -n 99,99 [-h 0.01] [-origin 0.005,0.005] -o grid.h5\n"
                           "  petal-mesh obstacles -dim 2 -n 64,64 -sphere 0.5,0.5,0.2 [-box x0,y0,x1,y1] -o obs.h5\n"
                           "     (also on box/obstacles: -dirichlet_walls, -coefficient_random a,b -seed s, -coefficient_layers k0,k1,...)\n"
                           "  petal-mesh scene     -scene empty|sphere|obstacles|plume -n 64 [-dim 3] [-free_surface] -o plume64.h5\n"
                           "     (the unit box with n cells per direction, spacing 1/n; drivers/mesh/voxel_scenes.hpp)\n"
                           "  petal-mesh plexbox   -dim 2 -faces 8,8 [-simplex] [-lower 0,0 -upper 1,1] -o box_plex.h5\n"
                           "  petal-mesh convert   in.msh out.h5        (gmsh/XDMF/DMPlex HDF5 -> DMPlex HDF5)\n"
                           "  petal-mesh info      file.h5 [more files] (summary of any mesh petal reads)\n"
                           "-mode MODE, -i FILE and -o FILE can replace the positional arguments.\n\n";

namespace
{

const char *const kModes[] = {"box", "obstacles", "scene", "plexbox", "convert", "info"};
enum Mode { MODE_BOX, MODE_OBSTACLES, MODE_SCENE, MODE_PLEXBOX, MODE_CONVERT, MODE_INFO, MODE_NONE };

struct Options {
  Mode                     mode = MODE_NONE;
  std::vector<std::string> files; // positional arguments after the mode, then -i
  std::string              output;
  PetscInt                 dim = 2, seed = 0;
  PetscInt                 n[3] = {99, 99, 99}, nn = 0, faces[3] = {8, 8, 8}, nfaces = 0;
  PetscReal                h[3] = {0, 0, 0}, origin[3] = {0, 0, 0}, lower[3] = {0, 0, 0}, upper[3] = {1, 1, 1};
  PetscInt                 nh = 0, norigin = 0, nlower = 0, nupper = 0;
  std::vector<PetscReal>   spheres, boxes, layers, random;
  PetscBool                walls = PETSC_FALSE, simplex = PETSC_FALSE, dimSet = PETSC_FALSE, freeSurface = PETSC_FALSE;
  petal::scenes::Scene     scene = petal::scenes::Scene::PLUME;
};

/* Reads a real list option of at most max entries into v (left empty if absent). */
PetscErrorCode RealList(PetscOptionItems *PetscOptionsObject, const char name[], const char text[], PetscInt max, std::vector<PetscReal> &v)
{
  PetscInt  n = max;
  PetscBool set;

  PetscFunctionBegin;
  v.assign(max, 0);
  PetscCall(PetscOptionsRealArray(name, text, "", v.data(), &n, &set));
  v.resize(set ? n : 0);
  PetscFunctionReturn(0);
}

PetscErrorCode ParseOptions(int argc, char **argv, Options &o, PetscBool *help_only)
{
  char      buf[PETSC_MAX_PATH_LEN] = "";
  PetscInt  mode                    = MODE_NONE;
  PetscBool set;

  PetscFunctionBegin;
  // positional arguments: those before the first option (PETSc would read later ones as option values)
  int a = 1;
  for (; a < argc && argv[a][0] != '-'; ++a) {
    if (o.mode == MODE_NONE) {
      for (int m = 0; m < MODE_NONE; ++m)
        if (!std::strcmp(argv[a], kModes[m])) o.mode = (Mode)m;
      PetscCheck(o.mode != MODE_NONE, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "Unknown mode \"%s\": use box, obstacles, scene, plexbox, convert or info (petal-mesh -help)", argv[a]);
    } else o.files.push_back(argv[a]);
  }
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "petal-mesh options (meshes/README.md)", NULL);
  PetscCall(PetscOptionsEList("-mode", "What to do, unless given as the first argument", "", kModes, MODE_NONE, "box", &mode, &set));
  if (set) o.mode = (Mode)mode;
  PetscCall(PetscOptionsString("-i", "Input file (convert, info), unless given as an argument", "", buf, buf, sizeof(buf), &set));
  if (set) o.files.push_back(buf);
  PetscCall(PetscOptionsString("-o", "Output file (written atomically)", "", buf, buf, sizeof(buf), &set));
  if (set) o.output = buf;
  PetscCall(PetscOptionsInt("-dim", "Dimension, 2 or 3 (default 2; 3 for scene)", "", o.dim, &o.dim, &o.dimSet));
  PetscCall(PetscOptionsEnum("-scene", "scene: empty, sphere, obstacles or plume (drivers/mesh/voxel_scenes.hpp)", "", petal::scenes::SceneNames, (PetscEnum)o.scene, (PetscEnum *)&o.scene, NULL));
  PetscCall(PetscOptionsBool("-free_surface", "scene: mark the top layer of cells (last axis) Dirichlet: an open top", "", o.freeSurface, &o.freeSurface, NULL));
  o.nn = 3;
  PetscCall(PetscOptionsIntArray("-n", "box/obstacles: cells per direction nx,ny[,nz] (one value: all directions)", "", o.n, &o.nn, &set));
  if (!set) o.nn = 0;
  o.nh = 3;
  PetscCall(PetscOptionsRealArray("-h", "box/obstacles: cell size, one value or hx,hy[,hz] (default 1/(n+1): the FD grid of the unit box)", "", o.h, &o.nh, &set));
  if (!set) o.nh = 0;
  o.norigin = 3;
  PetscCall(PetscOptionsRealArray("-origin", "box/obstacles: lower corner of cell 0 (default h/2)", "", o.origin, &o.norigin, &set));
  if (!set) o.norigin = 0;
  PetscCall(RealList(PetscOptionsObject, "-sphere", "obstacles: discs (2-D) or balls (3-D), dim+1 reals each: centre, radius; list several in a row", 4 * 256, o.spheres));
  PetscCall(RealList(PetscOptionsObject, "-box", "obstacles: boxes, 2*dim reals each: lower corner, upper corner; list several in a row", 6 * 256, o.boxes));
  PetscCall(PetscOptionsBool("-dirichlet_walls", "box/obstacles: mark the outermost layer of cells Dirichlet", "", o.walls, &o.walls, NULL));
  PetscCall(RealList(PetscOptionsObject, "-coefficient_random", "box/obstacles: a,b: coefficient uniform in [a,b) per cell", 2, o.random));
  PetscCall(PetscOptionsInt("-seed", "box/obstacles: seed of -coefficient_random (same field on any number of ranks)", "", o.seed, &o.seed, NULL));
  PetscCall(RealList(PetscOptionsObject, "-coefficient_layers", "box/obstacles: k0,k1,...: coefficient in equal layers along the last axis (y in 2-D, z in 3-D)", 256, o.layers));
  o.nfaces = 3;
  PetscCall(PetscOptionsIntArray("-faces", "plexbox: faces per direction (one value: all directions)", "", o.faces, &o.nfaces, &set));
  if (!set) o.nfaces = 0;
  PetscCall(PetscOptionsBool("-simplex", "plexbox: triangles/tetrahedra instead of quadrilaterals/hexahedra", "", o.simplex, &o.simplex, NULL));
  o.nlower = o.nupper = 3;
  PetscCall(PetscOptionsRealArray("-lower", "plexbox: lower corner (default 0,0[,0])", "", o.lower, &o.nlower, &set));
  if (!set) o.nlower = 0;
  PetscCall(PetscOptionsRealArray("-upper", "plexbox: upper corner (default 1,1[,1])", "", o.upper, &o.nupper, &set));
  if (!set) o.nupper = 0;
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, help_only));
  PetscFunctionReturn(0);
}

/* Expands a list of 0, 1 or dim entries to dim entries (0: keep defaults, 1: same for all). */
PetscErrorCode Expand(const char name[], PetscInt dim, PetscInt given, PetscReal v[])
{
  PetscFunctionBegin;
  PetscCheck(given == 0 || given == 1 || given == dim, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "%s needs 1 or %" PetscInt_FMT " values, got %" PetscInt_FMT, name, dim, given);
  if (given == 1)
    for (PetscInt d = 1; d < dim; ++d) v[d] = v[0];
  PetscFunctionReturn(0);
}

PetscErrorCode ExpandInt(const char name[], PetscInt dim, PetscInt given, PetscInt v[])
{
  PetscFunctionBegin;
  PetscCheck(given == 0 || given == 1 || given == dim, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "%s needs 1 or %" PetscInt_FMT " values, got %" PetscInt_FMT, name, dim, given);
  if (given == 1)
    for (PetscInt d = 1; d < dim; ++d) v[d] = v[0];
  PetscFunctionReturn(0);
}

/* Cell counts per direction: each >= 1, and few enough that PETSc's 32-bit PetscInt can number every mesh
 * point (a box of n cells has fewer than 2^dim * (n + 1) points of all dimensions). */
PetscErrorCode CheckCounts(const char name[], PetscInt dim, const PetscInt n[])
{
  double points = 1;

  PetscFunctionBegin;
  for (PetscInt d = 0; d < dim; ++d) {
    PetscCheck(n[d] >= 1, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "%s must be >= 1 in every direction, got %" PetscInt_FMT " in direction %" PetscInt_FMT, name, n[d], d);
    points *= 2.0 * (n[d] + 1);
  }
  PetscCheck(points < (double)PETSC_MAX_INT, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "%s asks for a mesh too large for this PETSc's 32-bit indices (about %.3g mesh points; the limit is %d)", name, points, (int)PETSC_MAX_INT);
  PetscFunctionReturn(0);
}

/* Every value finite (and, with positive, > 0): NaN or infinite sizes make no mesh. */
PetscErrorCode CheckFinite(const char name[], PetscInt n, const PetscReal v[], PetscBool positive)
{
  PetscFunctionBegin;
  for (PetscInt i = 0; i < n; ++i) {
    PetscCheck(PetscIsNormalReal(v[i]) || v[i] == 0, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "%s entry %" PetscInt_FMT " is %g; it must be finite", name, i, (double)v[i]);
    PetscCheck(!positive || v[i] > 0, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "%s entry %" PetscInt_FMT " is %g; it must be > 0", name, i, (double)v[i]);
  }
  PetscFunctionReturn(0);
}

/* -sphere radii > 0 and -box corners ordered, each obstacle named by its position in the list. */
PetscErrorCode CheckObstacles(const Options &o)
{
  const PetscInt dim = o.dim;

  PetscFunctionBegin;
  PetscCall(CheckFinite("-sphere", (PetscInt)o.spheres.size(), o.spheres.data(), PETSC_FALSE));
  PetscCall(CheckFinite("-box", (PetscInt)o.boxes.size(), o.boxes.data(), PETSC_FALSE));
  for (size_t s = 0; s < o.spheres.size(); s += dim + 1)
    PetscCheck(o.spheres[s + dim] > 0, PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "-sphere number %d has radius %g; radii must be > 0", (int)(s / (dim + 1)) + 1, (double)o.spheres[s + dim]);
  for (size_t b = 0; b < o.boxes.size(); b += 2 * dim)
    for (PetscInt d = 0; d < dim; ++d)
      PetscCheck(o.boxes[b + d] < o.boxes[b + dim + d], PETSC_COMM_WORLD, PETSC_ERR_ARG_OUTOFRANGE, "-box number %d is inverted in direction %" PetscInt_FMT ": lower %g >= upper %g (give the lower corner first)", (int)(b / (2 * dim)) + 1, d, (double)o.boxes[b + d], (double)o.boxes[b + dim + d]);
  PetscFunctionReturn(0);
}

PetscErrorCode MakeVoxel(const Options &o)
{
  MPI_Comm           comm = PETSC_COMM_WORLD;
  PetalVoxelGridInfo info;
  DM                 da;
  Vec                types, coef = NULL;
  PetscScalar       *t, *c = NULL;
  PetscInt           xs, ys, zs, xm, ym, zm;
  const PetscInt     dim = o.dim;
  PetscInt           n[3];
  PetscReal          h[3], origin[3];

  PetscFunctionBegin;
  PetscCheck(dim == 2 || dim == 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "-dim must be 2 or 3, not %" PetscInt_FMT, dim);
  PetscCheck(!o.output.empty(), comm, PETSC_ERR_ARG_WRONG, "Give the output file with -o FILE");
  PetscCheck(o.mode != MODE_OBSTACLES || !o.spheres.empty() || !o.boxes.empty(), comm, PETSC_ERR_ARG_WRONG, "obstacles needs -sphere and/or -box");
  PetscCheck(o.spheres.size() % (dim + 1) == 0, comm, PETSC_ERR_ARG_WRONG, "-sphere takes %" PetscInt_FMT " reals per obstacle (centre, radius), got %d", dim + 1, (int)o.spheres.size());
  PetscCheck(o.boxes.size() % (2 * dim) == 0, comm, PETSC_ERR_ARG_WRONG, "-box takes %" PetscInt_FMT " reals per obstacle (lower, upper corner), got %d", 2 * dim, (int)o.boxes.size());
  PetscCheck(o.random.empty() || o.layers.empty(), comm, PETSC_ERR_ARG_WRONG, "Use either -coefficient_random or -coefficient_layers");
  PetscCheck(o.random.empty() || (o.random.size() == 2 && o.random[0] > 0 && o.random[1] >= o.random[0]), comm, PETSC_ERR_ARG_WRONG, "-coefficient_random needs a,b with 0 < a <= b");
  for (PetscReal k : o.layers) PetscCheck(k > 0, comm, PETSC_ERR_ARG_WRONG, "-coefficient_layers values must be > 0");
  std::memcpy(n, o.n, sizeof(n));
  std::memcpy(h, o.h, sizeof(h));
  std::memcpy(origin, o.origin, sizeof(origin));
  PetscCall(ExpandInt("-n", dim, o.nn, n));
  PetscCall(Expand("-h", dim, o.nh, h));
  PetscCall(Expand("-origin", dim, o.norigin, origin));
  PetscCall(CheckCounts("-n", dim, n));
  if (o.nh) PetscCall(CheckFinite("-h", dim, h, PETSC_TRUE));
  if (o.norigin) PetscCall(CheckFinite("-origin", dim, origin, PETSC_FALSE));
  PetscCall(CheckObstacles(o));
  PetscCall(CheckFinite("-coefficient_random", (PetscInt)o.random.size(), o.random.data(), PETSC_TRUE));
  PetscCall(CheckFinite("-coefficient_layers", (PetscInt)o.layers.size(), o.layers.data(), PETSC_TRUE));
  info.dim             = dim;
  info.has_coefficient = (PetscBool)(!o.random.empty() || !o.layers.empty());
  for (PetscInt d = 0; d < 3; ++d) {
    info.shape[d]   = d < dim ? n[d] : 1;
    info.spacing[d] = d < dim ? (o.nh ? h[d] : 1.0 / (n[d] + 1)) : 1;
    info.origin[d]  = d < dim ? (o.norigin ? origin[d] : info.spacing[d] / 2) : 0;
  }
  PetscCall(PetalVoxelGridCreateDA(comm, &info, &da));
  PetscCall(DMCreateGlobalVector(da, &types));
  if (info.has_coefficient) PetscCall(DMCreateGlobalVector(da, &coef));
  PetscCall(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(VecGetArray(types, &t));
  if (coef) PetscCall(VecGetArray(coef, &c));
  for (PetscInt k = zs, l = 0; k < zs + zm; ++k)
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i, ++l) {
        const PetscInt idx[3] = {i, j, k};
        PetscReal      x[3];
        PetalCellType  type = PETAL_CELL_INTERIOR;
        for (PetscInt d = 0; d < dim; ++d) x[d] = info.origin[d] + (idx[d] + 0.5) * info.spacing[d];
        for (size_t s = 0; s < o.spheres.size(); s += dim + 1) { // centre inside the disc/ball
          PetscReal r2 = 0;
          for (PetscInt d = 0; d < dim; ++d) r2 += (x[d] - o.spheres[s + d]) * (x[d] - o.spheres[s + d]);
          if (r2 <= o.spheres[s + dim] * o.spheres[s + dim]) type = PETAL_CELL_SOLID;
        }
        for (size_t b = 0; b < o.boxes.size(); b += 2 * dim) {
          PetscBool in = PETSC_TRUE;
          for (PetscInt d = 0; d < dim; ++d) in = (PetscBool)(in && x[d] >= o.boxes[b + d] && x[d] <= o.boxes[b + dim + d]);
          if (in) type = PETAL_CELL_SOLID;
        }
        if (o.walls)
          for (PetscInt d = 0; d < dim; ++d)
            if (idx[d] == 0 || idx[d] == info.shape[d] - 1) type = PETAL_CELL_DIRICHLET;
        t[l] = type;
        if (!o.layers.empty()) c[l] = o.layers[(size_t)(idx[dim - 1] * (PetscInt64)o.layers.size() / info.shape[dim - 1])];
      }
  PetscCall(VecRestoreArray(types, &t));
  if (coef) PetscCall(VecRestoreArray(coef, &c));
  if (!o.random.empty()) PetscCall(PetalVoxelGridRandomCoefficient(da, o.random[0], o.random[1], o.seed, coef));
  PetscCall(PetalVoxelGridSave(da, types, coef, o.output.c_str()));
  PetscCall(VecDestroy(&coef));
  PetscCall(VecDestroy(&types));
  PetscCall(DMDestroy(&da));
  PetscFunctionReturn(0);
}

/* A scene preset (voxel_scenes.hpp) on the unit box with -n cells per direction; -dirichlet_walls also applies. */
PetscErrorCode MakeScene(const Options &o)
{
  MPI_Comm                  comm = PETSC_COMM_WORLD;
  petal::scenes::SceneSpec spec;
  DM                        da;
  Vec                       types;

  PetscFunctionBegin;
  PetscCheck(!o.output.empty(), comm, PETSC_ERR_ARG_WRONG, "Give the output file with -o FILE");
  PetscCheck(o.spheres.empty() && o.boxes.empty() && o.random.empty() && o.layers.empty() && !o.nh && !o.norigin, comm, PETSC_ERR_ARG_WRONG,
             "scene takes -scene, -n, -dim, -free_surface and -dirichlet_walls only (-sphere, -box, -h, -origin and coefficients belong to box/obstacles)");
  spec.scene       = o.scene;
  spec.dim         = o.dimSet ? o.dim : 3;
  spec.freeSurface = o.freeSurface;
  PetscCheck(spec.dim == 2 || spec.dim == 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "-dim must be 2 or 3, not %" PetscInt_FMT, spec.dim);
  PetscInt n[3] = {64, 64, 64};
  if (o.nn) std::memcpy(n, o.n, sizeof(n));
  PetscCall(ExpandInt("-n", spec.dim, o.nn == 0 ? 1 : o.nn, n));
  PetscCall(CheckCounts("-n", spec.dim, n));
  std::memcpy(spec.n, n, sizeof(n));
  PetscCall(petal::scenes::SceneCreate(comm, spec, &da, &types));
  if (o.walls) { // the outermost layer Dirichlet, over the scene's obstacles (as box/obstacles do)
    PetscScalar *t;
    PetscInt     xs, ys, zs, xm, ym, zm;
    PetscCall(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm));
    PetscCall(VecGetArray(types, &t));
    for (PetscInt k = zs, l = 0; k < zs + zm; ++k)
      for (PetscInt j = ys; j < ys + ym; ++j)
        for (PetscInt i = xs; i < xs + xm; ++i, ++l) {
          const PetscInt idx[3] = {i, j, k};
          for (PetscInt d = 0; d < spec.dim; ++d)
            if (idx[d] == 0 || idx[d] == n[d] - 1) t[l] = PETAL_CELL_DIRICHLET;
        }
    PetscCall(VecRestoreArray(types, &t));
  }
  PetscCall(PetalVoxelGridSave(da, types, NULL, o.output.c_str()));
  PetscCall(VecDestroy(&types));
  PetscCall(DMDestroy(&da));
  PetscFunctionReturn(0);
}

PetscErrorCode MakePlexBox(const Options &o)
{
  MPI_Comm  comm = PETSC_COMM_WORLD;
  DM        dm;
  PetscInt  faces[3];
  PetscReal lower[3], upper[3];

  PetscFunctionBegin;
  PetscCheck(o.dim == 2 || o.dim == 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "-dim must be 2 or 3, not %" PetscInt_FMT, o.dim);
  PetscCheck(!o.output.empty(), comm, PETSC_ERR_ARG_WRONG, "Give the output file with -o FILE");
  std::memcpy(faces, o.faces, sizeof(faces));
  std::memcpy(lower, o.lower, sizeof(lower));
  std::memcpy(upper, o.upper, sizeof(upper));
  PetscCall(ExpandInt("-faces", o.dim, o.nfaces, faces));
  PetscCall(Expand("-lower", o.dim, o.nlower, lower));
  PetscCall(Expand("-upper", o.dim, o.nupper, upper));
  PetscCall(CheckCounts("-faces", o.dim, faces));
  PetscCall(CheckFinite("-lower", o.dim, lower, PETSC_FALSE));
  PetscCall(CheckFinite("-upper", o.dim, upper, PETSC_FALSE));
  for (PetscInt d = 0; d < o.dim; ++d)
    PetscCheck(lower[d] < upper[d], comm, PETSC_ERR_ARG_OUTOFRANGE, "The box is inverted in direction %" PetscInt_FMT ": -lower %g >= -upper %g", d, (double)lower[d], (double)upper[d]);
  if (o.simplex) PetscCall(PetalMeshCreateSimplexBox(comm, o.dim, faces, lower, upper, &dm));
  else PetscCall(DMPlexCreateBoxMesh(comm, o.dim, PETSC_FALSE, faces, lower, upper, NULL, PETSC_TRUE, &dm));
  PetscCall(PetscObjectSetName((PetscObject)dm, "plex"));
  PetscCall(PetalPlexSave(dm, o.output.c_str()));
  PetscCall(DMDestroy(&dm));
  PetscFunctionReturn(0);
}

PetscErrorCode Convert(const Options &o)
{
  MPI_Comm      comm = PETSC_COMM_WORLD;
  PetalMeshKind kind;

  PetscFunctionBegin;
  std::string out = o.output;
  if (out.empty() && o.files.size() == 2) out = o.files[1];
  PetscCheck(!o.files.empty() && !out.empty() && o.files.size() <= 2, comm, PETSC_ERR_ARG_WRONG, "Usage: petal-mesh convert IN OUT");
  const char *in = o.files[0].c_str();
  PetscCall(PetalMeshGetKind(comm, in, &kind));
  if (kind == PETAL_MESH_PLEX) {
    DM dm;
    PetscCall(PetalPlexLoad(comm, in, &dm));
    PetscCall(PetalPlexSave(dm, out.c_str()));
    PetscCall(DMDestroy(&dm));
  } else { // rewriting a voxel grid validates it and normalizes types and compression
    DM  da;
    Vec types, coef;
    PetscCall(PetalVoxelGridLoad(comm, in, &da, &types, &coef));
    PetscCall(PetalVoxelGridSave(da, types, coef, out.c_str()));
    PetscCall(VecDestroy(&coef));
    PetscCall(VecDestroy(&types));
    PetscCall(DMDestroy(&da));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode Run(int argc, char **argv)
{
  Options   o;
  PetscBool help_only;

  PetscFunctionBegin;
  PetscCall(ParseOptions(argc, argv, o, &help_only));
  if (help_only) PetscFunctionReturn(0); // PETSc printed the usage and the options
  PetscCheck(o.mode != MODE_NONE, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "No mode given: petal-mesh box|obstacles|scene|plexbox|convert|info ... (petal-mesh -help)");
  switch (o.mode) {
  case MODE_BOX:
  case MODE_OBSTACLES: PetscCall(MakeVoxel(o)); break;
  case MODE_SCENE: PetscCall(MakeScene(o)); break;
  case MODE_PLEXBOX: PetscCall(MakePlexBox(o)); break;
  case MODE_CONVERT: PetscCall(Convert(o)); break;
  case MODE_INFO:
    PetscCheck(!o.files.empty(), PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "Usage: petal-mesh info FILE [FILE ...]");
    for (size_t f = 0; f < o.files.size(); ++f) {
      if (f) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n"));
      PetscCall(PetalMeshView(PETSC_COMM_WORLD, o.files[f].c_str(), NULL));
    }
    PetscFunctionReturn(0);
  default: break;
  }
  // show what was written, read back through the same readers the drivers use
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "petal-mesh: wrote %s\n", o.output.empty() ? o.files.back().c_str() : o.output.c_str()));
  PetscCall(PetalMeshView(PETSC_COMM_WORLD, o.output.empty() ? o.files.back().c_str() : o.output.c_str(), NULL));
  PetscFunctionReturn(0);
}

} // namespace

int main(int argc, char **argv)
{
  PetscCall(PetalDriverInitialize(&argc, &argv, help));
  return PetalDriverFinalize(Run(argc, argv)); // errors were printed where they happened
}
