// Connected fluid regions of a voxel grid (poisson_problem.hpp): which fluid cells are unknowns, and which
// regions have no Dirichlet face (pure Neumann: one null vector each).
//
// Why on rank 0: the regions are a global property (a region may wind through every rank's block), and a
// breadth-first search over the whole grid is simple and exact; it costs one gather of the cell types (8 bytes
// a cell on rank 0) and one scatter of the labels, small next to one solve. The counts are broadcast, so every
// rank raises the same error on a bad grid.
#include "poisson_problem.hpp"
#include <vector>

namespace petal::poisson {
namespace {

// Labels every cell on rank 0: -1 not an unknown, 0 anchored unknown, k >= 1 pure-Neumann region k.
void LabelRegions(const PetscScalar *type, const PetscInt n[3], PetscInt dim, Edge edge, std::vector<PetscInt> &label, Topology &t)
{
  const PetscInt  cells     = n[0] * n[1] * n[2];
  const PetscInt  stride[3] = {1, n[0], n[0] * n[1]};
  auto            kind      = [&](PetscInt c) { return (PetscInt)PetscRealPart(type[c]); };
  std::vector<PetscInt> queue;

  label.assign(cells, -1);
  t           = Topology{};
  t.cells     = cells;
  // open(c, d, s): the face of cell c towards side s of direction d lets flux through; anchor: that flux comes
  // from a fixed pressure (a Dirichlet cell, or the edge with -poisson_edge dirichlet)
  auto face = [&](PetscInt c, PetscInt d, PetscInt s, bool *open, bool *anchor, PetscInt *q) {
    const PetscInt i = (c / stride[d]) % n[d];
    *q               = -1;
    if (i + s < 0 || i + s >= n[d]) {
      *open = *anchor = edge == Edge::DIRICHLET;
      return;
    }
    *q              = c + s * stride[d];
    const PetscInt k = kind(*q);
    *open            = k != PETAL_CELL_SOLID;
    *anchor          = k == PETAL_CELL_DIRICHLET;
  };
  const PetscInt kUnvisited = -2;
  for (PetscInt c = 0; c < cells; ++c) {
    if (kind(c) == PETAL_CELL_SOLID) ++t.solid;
    else if (kind(c) == PETAL_CELL_DIRICHLET) ++t.dirichlet;
    else label[c] = kUnvisited;
  }
  for (PetscInt c0 = 0; c0 < cells; ++c0) {
    if (label[c0] != kUnvisited) continue;
    // breadth-first over fluid neighbours; the region's cells keep a provisional label until we know its kind
    const PetscInt provisional = -3 - c0;
    bool           anchored    = false;
    PetscInt       openFaces   = 0;
    queue.assign(1, c0);
    label[c0] = provisional;
    for (size_t head = 0; head < queue.size(); ++head) {
      const PetscInt c = queue[head];
      for (PetscInt d = 0; d < dim; ++d)
        for (PetscInt s = -1; s <= 1; s += 2) {
          bool     open, anchor;
          PetscInt q;
          face(c, d, s, &open, &anchor, &q);
          openFaces += open;
          anchored = anchored || anchor;
          if (q >= 0 && label[q] == kUnvisited) {
            label[q] = provisional;
            queue.push_back(q);
          }
        }
    }
    PetscInt value;
    if (openFaces == 0) { // one fluid cell walled in on every side: no equation to solve
      value = -1;
      ++t.sealed;
    } else if (anchored) {
      value = 0;
      t.unknowns += (PetscInt)queue.size();
    } else {
      value = ++t.neumannRegions;
      t.unknowns += (PetscInt)queue.size();
      t.neumannUnknowns += (PetscInt)queue.size();
      t.largestNeumannRegion = PetscMax(t.largestNeumannRegion, (PetscInt)queue.size());
    }
    for (PetscInt c : queue) label[c] = value;
  }
}
} // namespace

PetscErrorCode FindRegions(Problem *p)
{
  MPI_Comm    comm;
  PetscMPIInt rank;
  Vec         natural, gathered;
  VecScatter  toZero;

  PetscFunctionBegin;
  PetscCall(PetscObjectGetComm((PetscObject)p->da, &comm));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(DMDACreateNaturalVector(p->da, &natural));
  PetscCall(DMDAGlobalToNaturalBegin(p->da, p->cellType, INSERT_VALUES, natural));
  PetscCall(DMDAGlobalToNaturalEnd(p->da, p->cellType, INSERT_VALUES, natural));
  PetscCall(VecScatterCreateToZero(natural, &toZero, &gathered));
  PetscCall(VecScatterBegin(toZero, natural, gathered, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(toZero, natural, gathered, INSERT_VALUES, SCATTER_FORWARD));
  PetscInt counts[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  if (rank == 0) {
    std::vector<PetscInt> label;
    PetscScalar          *a;
    PetscCall(VecGetArray(gathered, &a));
    LabelRegions(a, p->info.shape, p->info.dim, p->edge, label, p->topo);
    for (size_t c = 0; c < label.size(); ++c) a[c] = label[c];
    PetscCall(VecRestoreArray(gathered, &a));
    const Topology &t = p->topo;
    const PetscInt  v[8] = {t.cells, t.unknowns, t.solid, t.dirichlet, t.sealed, t.neumannRegions, t.neumannUnknowns, t.largestNeumannRegion};
    for (int k = 0; k < 8; ++k) counts[k] = v[k];
  }
  PetscCallMPI(MPI_Bcast(counts, 8, MPIU_INT, 0, comm));
  p->topo = Topology{counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6], counts[7]};
  PetscCall(VecScatterBegin(toZero, gathered, natural, INSERT_VALUES, SCATTER_REVERSE));
  PetscCall(VecScatterEnd(toZero, gathered, natural, INSERT_VALUES, SCATTER_REVERSE));
  PetscCall(DMCreateGlobalVector(p->da, &p->region));
  PetscCall(PetscObjectSetName((PetscObject)p->region, "region"));
  PetscCall(DMDANaturalToGlobalBegin(p->da, natural, INSERT_VALUES, p->region));
  PetscCall(DMDANaturalToGlobalEnd(p->da, natural, INSERT_VALUES, p->region));
  PetscCall(VecScatterDestroy(&toZero));
  PetscCall(VecDestroy(&gathered));
  PetscCall(VecDestroy(&natural));
  PetscFunctionReturn(0);
}

} // namespace petal::poisson
