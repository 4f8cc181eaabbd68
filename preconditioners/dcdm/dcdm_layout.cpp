// The cell partition of the DCDM network (dcdm_cnn.hpp). The 2x2x2 pooling is local only when every rank's block
// starts and ends on an even cell, so the network runs on its own "fine" DMDA: the user's global sizes and
// process grid with every ownership range even (the user's ranges rounded, or a balanced split when rounding
// would empty a rank). The coarse DMDA has the fine ranges halved. When the user's ranges are already even the
// fine DMDA has the same layout and Vecs are used as they are; otherwise one VecScatter moves the input to the
// fine layout and the output back.
#include "preconditioners/dcdm/dcdm_cnn.hpp"
#include <algorithm>
#include <numeric>

namespace petal {

PetscInt LevelLayout::Owner(int d, PetscInt g) const
{
  const std::vector<PetscInt> &r = ranges[d];
  PetscInt                     s = 0;
  for (size_t p = 0; p < r.size(); ++p) {
    if (g < s + r[p]) return (PetscInt)p;
    s += r[p];
  }
  return (PetscInt)r.size() - 1;
}

PetscInt LevelLayout::Start(int d, PetscInt p) const { return std::accumulate(ranges[d].begin(), ranges[d].begin() + p, (PetscInt)0); }

PetscErrorCode DCDMCheckGrid(DM da, const char *who)
{
  MPI_Comm  comm = PetscObjectComm((PetscObject)da);
  PetscBool isda;
  PetscInt  dim, M, N, P, dof;
  DMType    type;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)da, DMDA, &isda));
  PetscCall(DMGetType(da, &type));
  PetscCheck(isda, comm, PETSC_ERR_ARG_WRONG, "%s: the network runs on a 3-D DMDA, the DM is of type %s", who, type ? type : "(not set)");
  PetscCall(DMDAGetInfo(da, &dim, &M, &N, &P, NULL, NULL, NULL, &dof, NULL, NULL, NULL, NULL, NULL));
  PetscCheck(dim == 3, comm, PETSC_ERR_ARG_WRONG, "%s: the network is 3-D (3x3x3 convolutions), the DMDA is %" PetscInt_FMT "-D", who, dim);
  PetscCheck(dof == 1, comm, PETSC_ERR_ARG_WRONG, "%s: the network takes one unknown per cell, the DMDA has dof %" PetscInt_FMT, who, dof);
  const PetscInt    sizes[3] = {M, N, P};
  const char *const axis[3]  = {"x", "y", "z"};
  for (int d = 0; d < 3; ++d)
    PetscCheck(sizes[d] % 2 == 0, comm, PETSC_ERR_ARG_SIZ, "%s: the grid is %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT " cells; the network's 2x2x2 average pooling cannot halve the %s size %" PetscInt_FMT " (every global size must be even)", who, M, N, P, axis[d], sizes[d]);
  PetscFunctionReturn(0);
}

std::string DCDMEvenRanges(PetscInt M, const PetscInt *user, PetscInt m, std::vector<PetscInt> *even)
{
  even->assign((size_t)m, 0);
  // Round every interior boundary up to even; keep it if no rank is left empty.
  std::vector<PetscInt> b((size_t)m + 1, 0);
  for (PetscInt p = 0; p < m; ++p) b[p + 1] = b[p] + user[p];
  bool ok = true;
  for (PetscInt p = 1; p < m; ++p) b[p] += b[p] & 1;
  for (PetscInt p = 0; p < m && ok; ++p) ok = b[p + 1] > b[p];
  if (ok) {
    for (PetscInt p = 0; p < m; ++p) (*even)[p] = b[p + 1] - b[p];
    return "";
  }
  // Balanced split of the pooled cells: every rank needs at least one.
  const PetscInt half = M / 2;
  if (half < m) return std::to_string(m) + " ranks along a direction of " + std::to_string(M) + " cells: the pooled grid has only " + std::to_string(half) + " cells there, at least one per rank is needed";
  for (PetscInt p = 0; p < m; ++p) (*even)[p] = 2 * (half / m + (p < half % m ? 1 : 0));
  return "";
}

namespace {
// The layout of a DMDA as LevelLayout.
PetscErrorCode LayoutOf(DM da, LevelLayout *L)
{
  PetscInt        M, N, P, m, n, p, xs, ys, zs, xm, ym, zm;
  const PetscInt *lx, *ly, *lz;
  PetscMPIInt     rank;

  PetscFunctionBegin;
  PetscCall(DMDAGetInfo(da, NULL, &M, &N, &P, &m, &n, &p, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCall(DMDAGetOwnershipRanges(da, &lx, &ly, &lz));
  PetscCall(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCallMPI(MPI_Comm_rank(PetscObjectComm((PetscObject)da), &rank));
  L->global    = {M, N, P};
  L->ranges[0] = std::vector<PetscInt>(lx, lx + m);
  L->ranges[1] = std::vector<PetscInt>(ly, ly + n);
  L->ranges[2] = std::vector<PetscInt>(lz, lz + p);
  L->start     = {xs, ys, zs};
  L->size      = {xm, ym, zm};
  L->coords    = {rank % m, (rank / m) % n, rank / (m * n)};
  PetscFunctionReturn(0);
}

PetscErrorCode CreateCellDMDA(MPI_Comm comm, const std::array<PetscInt, 3> &global, const std::array<std::vector<PetscInt>, 3> &ranges, DM *da)
{
  PetscFunctionBegin;
  // Stencil width 1: the network's halo (the halo exchange itself is petal's own PetscSF, channels innermost).
  PetscCall(DMDACreate3d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_BOX, global[0], global[1], global[2], (PetscInt)ranges[0].size(), (PetscInt)ranges[1].size(), (PetscInt)ranges[2].size(), 1, 1, ranges[0].data(), ranges[1].data(), ranges[2].data(), da));
  PetscCall(DMSetUp(*da));
  PetscFunctionReturn(0);
}

// user global -> fine global: for every fine-owned cell, its index in the user's PETSc ordering.
PetscErrorCode CreateScatter(PetalCNN cnn, const LevelLayout &user)
{
  const LevelLayout    &F = cnn->fineLayout;
  const PetscInt        m = (PetscInt)user.ranges[0].size(), n = (PetscInt)user.ranges[1].size(), p = (PetscInt)user.ranges[2].size();
  std::vector<PetscInt> rankStart((size_t)(m * n * p) + 1, 0);
  PetscInt              fstart;
  IS                    from, to;
  Vec                   uvec;

  PetscFunctionBegin;
  for (PetscInt pz = 0; pz < p; ++pz)
    for (PetscInt py = 0; py < n; ++py)
      for (PetscInt px = 0; px < m; ++px) {
        const PetscMPIInt r = user.Rank(px, py, pz);
        rankStart[r + 1]    = user.ranges[0][px] * user.ranges[1][py] * user.ranges[2][pz];
      }
  for (size_t r = 1; r < rankStart.size(); ++r) rankStart[r] += rankStart[r - 1];
  std::vector<PetscInt> idx((size_t)(F.size[0] * F.size[1] * F.size[2]));
  size_t                c = 0;
  for (PetscInt z = F.start[2]; z < F.start[2] + F.size[2]; ++z) {
    const PetscInt pz = user.Owner(2, z), oz = z - user.Start(2, pz);
    for (PetscInt y = F.start[1]; y < F.start[1] + F.size[1]; ++y) {
      const PetscInt py = user.Owner(1, y), oy = y - user.Start(1, py);
      for (PetscInt x = F.start[0]; x < F.start[0] + F.size[0]; ++x) {
        const PetscInt px = user.Owner(0, x), ox = x - user.Start(0, px);
        idx[c++]          = rankStart[user.Rank(px, py, pz)] + (oz * user.ranges[1][py] + oy) * user.ranges[0][px] + ox;
      }
    }
  }
  PetscCall(DMCreateGlobalVector(cnn->fine, &cnn->fineIn));
  PetscCall(VecDuplicate(cnn->fineIn, &cnn->fineOut));
  PetscCall(VecGetOwnershipRange(cnn->fineIn, &fstart, NULL));
  PetscCall(ISCreateGeneral(cnn->comm, (PetscInt)idx.size(), idx.data(), PETSC_COPY_VALUES, &from));
  PetscCall(ISCreateStride(cnn->comm, (PetscInt)idx.size(), fstart, 1, &to));
  PetscCall(DMCreateGlobalVector(cnn->user, &uvec));
  PetscCall(VecScatterCreate(uvec, from, cnn->fineIn, to, &cnn->toFine));
  PetscCall(VecDestroy(&uvec));
  PetscCall(ISDestroy(&from));
  PetscCall(ISDestroy(&to));
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode DCDMCNNCreateLayout(PetalCNN cnn)
{
  LevelLayout user;

  PetscFunctionBegin;
  PetscCall(LayoutOf(cnn->user, &user));
  std::array<std::vector<PetscInt>, 3> even, half;
  const char *const                    axis[3] = {"x", "y", "z"};
  for (int d = 0; d < 3; ++d) {
    const std::string why = DCDMEvenRanges(user.global[d], user.ranges[d].data(), (PetscInt)user.ranges[d].size(), &even[d]);
    PetscCheck(why.empty(), cnn->comm, PETSC_ERR_ARG_SIZ, "PetalCNN: cannot partition the %s direction for the network: %s", axis[d], why.c_str());
    for (PetscInt r : even[d]) half[d].push_back(r / 2);
  }
  cnn->sameLayout = even == user.ranges;
  PetscCall(CreateCellDMDA(cnn->comm, user.global, even, &cnn->fine));
  PetscCall(CreateCellDMDA(cnn->comm, {user.global[0] / 2, user.global[1] / 2, user.global[2] / 2}, half, &cnn->coarse));
  PetscCall(LayoutOf(cnn->fine, &cnn->fineLayout));
  PetscCall(LayoutOf(cnn->coarse, &cnn->coarseLayout));
  if (!cnn->sameLayout) PetscCall(CreateScatter(cnn, user));
  PetscFunctionReturn(0);
}

} // namespace petal
