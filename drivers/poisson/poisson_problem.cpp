// The matrix and null space of petal-poisson's problem (poisson_problem.hpp).
#include "poisson_problem.hpp"
#include <vector>

namespace petal::poisson {

const char *const EdgeNames[] = {"wall", "dirichlet", "Edge", "POISSON_EDGE_", nullptr};

Problem::~Problem()
{
  (void)MatNullSpaceDestroy(&nullsp);
  (void)MatDestroy(&A);
  (void)VecDestroy(&region);
  (void)VecDestroy(&cellType);
  (void)DMDestroy(&da);
}

namespace {

// Rows of the stencil; a row whose cell is not an unknown is the identity.
PetscErrorCode Assemble(Problem *p)
{
  Vec                typeLocal, regionLocal;
  const PetscScalar *type, *region;
  PetscInt           xs, ys, zs, xm, ym, zm, gxs, gys, gzs, gxm, gym, gzm;
  const PetscInt    *n   = p->info.shape;
  const PetscInt     dim = p->info.dim;

  PetscFunctionBegin;
  PetscCall(DMCreateMatrix(p->da, &p->A));
  PetscCall(MatSetOption(p->A, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  PetscCall(MatSetOption(p->A, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(MatSetOption(p->A, MAT_SYMMETRY_ETERNAL, PETSC_TRUE));
  PetscCall(DMGetLocalVector(p->da, &typeLocal));
  PetscCall(DMGetLocalVector(p->da, &regionLocal));
  PetscCall(DMGlobalToLocal(p->da, p->cellType, INSERT_VALUES, typeLocal));
  PetscCall(DMGlobalToLocal(p->da, p->region, INSERT_VALUES, regionLocal));
  PetscCall(VecGetArrayRead(typeLocal, &type));
  PetscCall(VecGetArrayRead(regionLocal, &region));
  PetscCall(DMDAGetCorners(p->da, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(DMDAGetGhostCorners(p->da, &gxs, &gys, &gzs, &gxm, &gym, &gzm));
  auto local = [&](PetscInt i, PetscInt j, PetscInt k) { return ((k - gzs) * gym + (j - gys)) * gxm + (i - gxs); };
  for (PetscInt k = zs; k < zs + zm; ++k)
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i) {
        MatStencil     row = {k, j, i, 0}, cols[7];
        PetscScalar    vals[7];
        PetscInt       nc = 1;
        const PetscInt c  = local(i, j, k);
        cols[0]           = row;
        vals[0]           = 1.0;
        if (PetscRealPart(region[c]) >= 0) {
          vals[0] = 0.0;
          for (PetscInt d = 0; d < dim; ++d) {
            const PetscReal w = p->FaceWeight(d);
            for (PetscInt s = -1; s <= 1; s += 2) {
              PetscInt q[3] = {i, j, k};
              q[d] += s;
              if (q[d] < 0 || q[d] >= n[d]) {
                if (p->edge == Edge::DIRICHLET) vals[0] += w;
                continue;
              }
              const PetscInt tq = (PetscInt)PetscRealPart(type[local(q[0], q[1], q[2])]);
              if (tq == PETAL_CELL_SOLID) continue;
              vals[0] += w;
              if (tq == PETAL_CELL_INTERIOR) { // a fluid neighbour of an unknown is an unknown
                cols[nc] = {q[2], q[1], q[0], 0};
                vals[nc] = -w;
                ++nc;
              }
            }
          }
        }
        PetscCall(MatSetValuesStencil(p->A, 1, &row, nc, cols, vals, INSERT_VALUES));
      }
  PetscCall(MatAssemblyBegin(p->A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(p->A, MAT_FINAL_ASSEMBLY));
  PetscCall(VecRestoreArrayRead(regionLocal, &region));
  PetscCall(VecRestoreArrayRead(typeLocal, &type));
  PetscCall(DMRestoreLocalVector(p->da, &regionLocal));
  PetscCall(DMRestoreLocalVector(p->da, &typeLocal));
  PetscFunctionReturn(0);
}

// One normalised indicator per pure-Neumann region; the constant vector when the only region is every cell.
PetscErrorCode AttachNullSpace(Problem *p)
{
  MPI_Comm         comm;
  const PetscInt   K = p->topo.neumannRegions;
  std::vector<Vec> basis(K, nullptr);

  PetscFunctionBegin;
  if (K == 0) PetscFunctionReturn(0);
  PetscCall(PetscObjectGetComm((PetscObject)p->da, &comm));
  p->constantNullSpace = K == 1 && p->topo.neumannUnknowns == p->topo.cells;
  if (p->constantNullSpace) PetscCall(MatNullSpaceCreate(comm, PETSC_TRUE, 0, NULL, &p->nullsp));
  else {
    const PetscScalar *region;
    PetscInt           nlocal;
    PetscCall(VecGetLocalSize(p->region, &nlocal));
    PetscCall(VecGetArrayRead(p->region, &region));
    for (PetscInt r = 0; r < K; ++r) {
      PetscScalar *v;
      PetscCall(VecDuplicate(p->region, &basis[r]));
      PetscCall(VecGetArray(basis[r], &v));
      for (PetscInt c = 0; c < nlocal; ++c) v[c] = PetscRealPart(region[c]) == r + 1 ? 1.0 : 0.0;
      PetscCall(VecRestoreArray(basis[r], &v));
      PetscCall(VecNormalize(basis[r], NULL));
    }
    PetscCall(VecRestoreArrayRead(p->region, &region));
    PetscCall(MatNullSpaceCreate(comm, PETSC_FALSE, K, basis.data(), &p->nullsp));
    for (Vec &v : basis) PetscCall(VecDestroy(&v));
  }
  PetscCall(MatSetNullSpace(p->A, p->nullsp));
  PetscCall(MatSetTransposeNullSpace(p->A, p->nullsp)); // A is symmetric: KSPSolve projects b with it too
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode ProblemSetup(DM da, Vec cellType, Edge edge, Problem *p)
{
  MPI_Comm comm;

  PetscFunctionBegin;
  p->da       = da;
  p->cellType = cellType;
  p->edge     = edge;
  PetscCall(PetscObjectGetComm((PetscObject)da, &comm));
  PetscCall(PetalVoxelGridGetInfo(da, &p->info));
  PetscCall(FindRegions(p));
  PetscCheck(p->topo.unknowns > 0, comm, PETSC_ERR_USER_INPUT,
             "petal-poisson: the grid has no unknown: none of its %" PetscInt_FMT " cells is a fluid (interior) cell with an open face (%" PetscInt_FMT " solid, %" PetscInt_FMT " Dirichlet, %" PetscInt_FMT " sealed fluid cells)",
             p->topo.cells, p->topo.solid, p->topo.dirichlet, p->topo.sealed);
  PetscCheck(p->topo.neumannRegions <= kMaxNeumannRegions, comm, PETSC_ERR_USER_INPUT,
             "petal-poisson: the grid has %" PetscInt_FMT " separate fluid regions without a Dirichlet face (pure Neumann: one null vector each); at most %" PetscInt_FMT " are supported. Fill the enclosed pockets with solid, or open them",
             p->topo.neumannRegions, kMaxNeumannRegions);
  PetscCall(Assemble(p));
  PetscCall(AttachNullSpace(p));
  PetscFunctionReturn(0);
}

PetscErrorCode ProblemProjectRhs(const Problem &p, Vec b, PetscReal *removed)
{
  PetscScalar       *v;
  const PetscScalar *region;
  PetscInt           nlocal;
  PetscReal          before, after;
  Vec                original;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(b, &nlocal));
  PetscCall(VecGetArray(b, &v));
  PetscCall(VecGetArrayRead(p.region, &region));
  for (PetscInt c = 0; c < nlocal; ++c)
    if (PetscRealPart(region[c]) < 0) v[c] = 0.0;
  PetscCall(VecRestoreArrayRead(p.region, &region));
  PetscCall(VecRestoreArray(b, &v));
  *removed = 0;
  if (!p.nullsp) PetscFunctionReturn(0);
  PetscCall(VecDuplicate(b, &original));
  PetscCall(VecCopy(b, original));
  PetscCall(MatNullSpaceRemove(p.nullsp, b));
  PetscCall(VecNorm(original, NORM_2, &before));
  PetscCall(VecAXPY(original, -1.0, b));
  PetscCall(VecNorm(original, NORM_2, &after));
  *removed = before > 0 ? after / before : 0.0;
  PetscCall(VecDestroy(&original));
  PetscFunctionReturn(0);
}

} // namespace petal::poisson
