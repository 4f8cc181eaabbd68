#pragma once
// The pressure-Poisson problem of petal-poisson on a voxel grid (a DMDA):
//
//   - div grad p = - div v*   on the fluid ("interior") cells,
//   grad p . n = 0            on the faces of solid cells and on the grid edge (closed walls; -poisson_edge),
//   p = 0                     in Dirichlet cells (free surface, air) and beyond the edge with -poisson_edge dirichlet.
//
// Finite volumes, cell-centred, the 5-point (2-D) / 7-point (3-D) stencil, scaled by h0^2 (h0 the spacing along x)
// so that on an isotropic grid the matrix is the graph Laplacian of the fluid cells: diagonal = number of open
// faces, -1 per fluid neighbour (DCDM's training matrices have this scale). A face is open if the cell beyond
// it is fluid or Dirichlet (or the edge, with -poisson_edge dirichlet). Direction d's faces weigh (h0/h_d)^2.
//
// Cells that are not unknowns (solid, Dirichlet, and "sealed" fluid cells with no open face) are identity rows
// with zero right-hand side, so the matrix is symmetric and, on the unknowns, positive (semi)definite; PCDCDM's
// default mask recognises such rows. Every connected fluid region that touches no Dirichlet face is a
// pure-Neumann region: its indicator (normalised) is a null vector of the matrix, attached with MatSetNullSpace
// (and MatSetTransposeNullSpace) and projected out of the right-hand side. A region of one cell whose faces
// are all closed is "sealed": its row would be zero, so it becomes an identity row instead.
#include <petal/mesh.h>
#include <petscksp.h>

namespace petal::poisson {

enum class Edge : int { WALL = 0, DIRICHLET = 1 };
extern const char *const EdgeNames[];

// Most pure-Neumann regions the null space may hold (each is one Vec).
constexpr PetscInt kMaxNeumannRegions = 32;

struct Topology {
  PetscInt cells = 0, unknowns = 0, solid = 0, dirichlet = 0, sealed = 0;
  PetscInt neumannRegions = 0;       // fluid regions without a Dirichlet face
  PetscInt neumannUnknowns = 0;      // unknowns in those regions
  PetscInt largestNeumannRegion = 0; // cells in the largest of them
};

struct Problem {
  DM                 da       = nullptr;
  Vec                cellType = nullptr; // PetalCellType per cell
  Vec                region   = nullptr; // -1: not an unknown, 0: unknown anchored by a Dirichlet face, k >= 1: Neumann region k
  PetalVoxelGridInfo info{};
  Edge               edge = Edge::WALL;
  Topology           topo;
  Mat                A      = nullptr;
  MatNullSpace       nullsp = nullptr;
  bool               constantNullSpace = false; // the null space is the constant vector on every cell

  Problem() = default;
  Problem(const Problem &)            = delete;
  Problem &operator=(const Problem &) = delete;
  ~Problem();

  // The face weight of direction d: (h0/h_d)^2.
  PetscReal FaceWeight(PetscInt d) const { return (info.spacing[0] * info.spacing[0]) / (info.spacing[d] * info.spacing[d]); }
};

// Takes the grid (da, cellType; the problem owns them from now on), finds the regions, assembles the matrix
// (DMCreateMatrix: it carries the DMDA) and the null space. Errors, the same on every rank, if the grid has no
// unknown or more than kMaxNeumannRegions pure-Neumann regions. Collective.
PetscErrorCode ProblemSetup(DM da, Vec cellType, Edge edge, Problem *p);

// Zero on cells that are not unknowns, then (pure-Neumann regions) the null-space components removed. Returns
// ||removed|| / ||b before|| (0 when b is 0), the incompatibility of the right-hand side. Collective.
PetscErrorCode ProblemProjectRhs(const Problem &p, Vec b, PetscReal *removed);

// Region labels (see Problem::region) found on rank 0 and scattered back; fills p->topo. Collective.
PetscErrorCode FindRegions(Problem *p);

} // namespace petal::poisson
