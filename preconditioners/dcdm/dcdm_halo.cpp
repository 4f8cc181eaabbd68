// The halo exchange of the DCDM network (dcdm_cnn.hpp): one PetscSF per level over the ghosted block layout of
// learned/cnn/forward.hpp (owned cells plus one cell on every side, channels innermost).
//
// Roots and leaves both index this rank's ghosted block, in cells: the roots that are referenced are owned cells,
// the leaves are the halo cells that lie inside the domain (faces, edges and corners: a 3x3x3 convolution reads
// all of them). Halo cells outside the domain are no leaf and keep the zeros Forward gave them, which is the
// network's zero "same" padding. One broadcast with a contiguous MPI datatype of C scalars moves every channel of
// a cell at once, in place on the activation buffer (roots and leaves are disjoint cells of it).
#include "preconditioners/dcdm/dcdm_cnn.hpp"
#include <petal/kokkos_spaces.hpp>

namespace petal {

HaloExchange::~HaloExchange()
{
  for (auto &u : units_) (void)MPI_Type_free(&u.second);
  (void)PetscSFDestroy(&sf_);
}

PetscErrorCode HaloExchange::Create(MPI_Comm comm, const LevelLayout &L)
{
  const PetscInt nx = L.size[0], ny = L.size[1], nz = L.size[2];
  const PetscInt nroots = (nx + 2) * (ny + 2) * (nz + 2);

  PetscFunctionBegin;
  std::vector<PetscInt>    ilocal;
  std::vector<PetscSFNode> iremote;
  for (PetscInt k = 0; k < nz + 2; ++k)
    for (PetscInt j = 0; j < ny + 2; ++j)
      for (PetscInt i = 0; i < nx + 2; ++i) {
        const bool owned = k >= 1 && k <= nz && j >= 1 && j <= ny && i >= 1 && i <= nx;
        if (owned) continue;
        const PetscInt g[3] = {L.start[0] + i - 1, L.start[1] + j - 1, L.start[2] + k - 1};
        bool           in   = true;
        for (int d = 0; d < 3; ++d) in = in && g[d] >= 0 && g[d] < L.global[d];
        if (!in) continue;
        PetscInt p[3], o[3], r[3];
        for (int d = 0; d < 3; ++d) {
          p[d] = L.Owner(d, g[d]);
          o[d] = g[d] - L.Start(d, p[d]) + 1; // position in the owner's ghosted block
          r[d] = L.ranges[d][p[d]];
        }
        PetscSFNode node;
        node.rank  = L.Rank(p[0], p[1], p[2]);
        node.index = (o[2] * (r[1] + 2) + o[1]) * (r[0] + 2) + o[0];
        ilocal.push_back((k * (ny + 2) + j) * (nx + 2) + i);
        iremote.push_back(node);
      }
  nleaves_ = (PetscInt)ilocal.size();
  PetscCall(PetscSFCreate(comm, &sf_));
  PetscCall(PetscSFSetGraph(sf_, nroots, nleaves_, ilocal.data(), PETSC_COPY_VALUES, iremote.data(), PETSC_COPY_VALUES));
  PetscCall(PetscSFSetUp(sf_));
  PetscFunctionReturn(0);
}

PetscErrorCode HaloExchange::Exchange(void *data, MPI_Datatype scalar, int channels)
{
  PetscFunctionBegin;
  MPI_Datatype unit;
  auto         it = units_.find({scalar, channels});
  if (it != units_.end()) unit = it->second;
  else {
    PetscCallMPI(MPI_Type_contiguous(channels, scalar, &unit));
    PetscCallMPI(MPI_Type_commit(&unit));
    units_[{scalar, channels}] = unit;
  }
  PetscCall(PetscSFBcastBegin(sf_, unit, data, data, MPI_REPLACE));
  PetscCall(PetscSFBcastEnd(sf_, unit, data, data, MPI_REPLACE));
  PetscFunctionReturn(0);
}

} // namespace petal
