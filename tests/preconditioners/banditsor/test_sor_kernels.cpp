// SOR kernels of PCBANDITSOR, in three tiers:
//   1. the plain reference (sor_reference.hpp) in natural order against PETSc's MatSOR (validates the oracle,
//      including the block-Jacobi outer loop of MatSOR_MPIAIJ on 2 ranks);
//   2. the Kokkos multicolor kernels (petal::KokkosSOR) against the reference in the same multicolor order;
//   3. properties: valid colorings, red-black on a 5-point stencil, SSOR symmetric, errors on bad input.
// Matrices: a 2-D 5-point Laplacian and a nonsymmetric matrix with random sparsity (couplings across the
// whole index range, so on 2 ranks many ghosts). Every rank builds the same global CSR (deterministic) and
// the reference runs on all of it; each rank then compares its own rows.
#include "petal_test.hpp"
#include <petal/kokkos_bridge.hpp>
#include "preconditioners/banditsor/sor_kokkos.hpp"
#include "preconditioners/banditsor/sor_reference.hpp"
#include <petscksp.h>
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using petal::KokkosSOR;
using petal::SORColoring;
using petal::sor::CSR;
using petal::sor::Sweep;

namespace {
const Sweep       kSweeps[]     = {Sweep::FORWARD, Sweep::BACKWARD, Sweep::SYMMETRIC};
const PetscReal   kOmegas[]     = {0.5, 1.0, 1.5, 1.9};
const PetscInt    kIts[]        = {1, 3};
const char *const kSweepNames[] = {"symmetric", "forward", "backward"};
constexpr double  kTol          = 1e-13;

// 5-point Laplacian on an nx x ny grid (Dirichlet), unscaled: 4 on the diagonal, -1 off it.
CSR Laplacian2D(PetscInt nx, PetscInt ny)
{
  CSR A;
  A.n = nx * ny;
  for (PetscInt j = 0; j < ny; ++j)
    for (PetscInt i = 0; i < nx; ++i) {
      const PetscInt row = j * nx + i;
      auto           add = [&](PetscInt c, PetscScalar v) {
        A.cols.push_back(c);
        A.vals.push_back(v);
      };
      if (j > 0) add(row - nx, -1);
      if (i > 0) add(row - 1, -1);
      add(row, 4);
      if (i < nx - 1) add(row + 1, -1);
      if (j < ny - 1) add(row + nx, -1);
      A.rowptr.push_back((PetscInt)A.cols.size());
    }
  return A;
}

// Nonsymmetric values and structure: each row couples to its left neighbour and to a few random columns
// anywhere; the diagonal dominates (|a_ii| = 1.2 sum_j |a_ij| + 0.5) so that 3 sweeps stay well scaled.
// Row 5 has only its diagonal.
CSR RandomNonsymmetric(PetscInt n, unsigned seed)
{
  std::mt19937                            gen(seed);
  std::uniform_int_distribution<PetscInt> pick(0, n - 1), count(1, 5);
  std::uniform_real_distribution<double>  value(-1.0, 1.0);
  CSR                                     A;
  A.n = n;
  for (PetscInt i = 0; i < n; ++i) {
    std::map<PetscInt, PetscScalar> row;
    if (i != 5) {
      if (i > 0) row[i - 1] = value(gen);
      const PetscInt k = count(gen);
      for (PetscInt c = 0; c < k; ++c) {
        const PetscInt j = pick(gen);
        if (j != i) row[j] = value(gen);
      }
    }
    double offsum = 0;
    for (auto &e : row) offsum += std::abs(e.second);
    row[i] = (i % 2 ? -1.0 : 1.0) * (1.2 * offsum + 0.5);
    for (auto &e : row) {
      A.cols.push_back(e.first);
      A.vals.push_back(e.second);
    }
    A.rowptr.push_back((PetscInt)A.cols.size());
  }
  return A;
}

std::vector<PetscScalar> RightHandSide(PetscInt n)
{
  std::vector<PetscScalar> b(n);
  for (PetscInt i = 0; i < n; ++i) b[i] = std::sin(0.37 * i + 1.0) + 0.1 * (i % 7);
  return b;
}

// The PETSc matrix (SeqAIJ on 1 rank, MPIAIJ on more) holding the owned rows of the global CSR. Inodes
// are off so that MatSOR uses the point kernel for every omega (see bandit-sor.md, "Inodes").
PetscErrorCode CreateMat(const CSR &G, Mat *A)
{
  PetscInt rstart, rend, maxrow = 0;

  PetscFunctionBegin;
  for (PetscInt i = 0; i < G.n; ++i) maxrow = std::max(maxrow, G.rowptr[i + 1] - G.rowptr[i]);
  PetscCall(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, G.n, G.n, maxrow, NULL, maxrow, NULL, A));
  PetscCall(MatSetOption(*A, MAT_USE_INODES, PETSC_FALSE));
  PetscCall(MatGetOwnershipRange(*A, &rstart, &rend));
  for (PetscInt i = rstart; i < rend; ++i) {
    const PetscInt p = G.rowptr[i], len = G.rowptr[i + 1] - p;
    PetscCall(MatSetValues(*A, 1, &i, len, G.cols.data() + p, G.vals.data() + p, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

// Global vector with the owned entries of a global array.
PetscErrorCode CreateVec(Mat A, const std::vector<PetscScalar> &g, Vec *v)
{
  PetscInt     rstart, rend;
  PetscScalar *a;

  PetscFunctionBegin;
  PetscCall(MatCreateVecs(A, NULL, v));
  PetscCall(VecGetOwnershipRange(*v, &rstart, &rend));
  PetscCall(VecGetArray(*v, &a));
  for (PetscInt i = rstart; i < rend; ++i) a[i - rstart] = g[i];
  PetscCall(VecRestoreArray(*v, &a));
  PetscFunctionReturn(0);
}

std::vector<PetscInt> BlockStarts(Mat A)
{
  const PetscInt *ranges;
  PetscMPIInt     size;
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  PetscCallAbort(PETSC_COMM_WORLD, MatGetOwnershipRanges(A, &ranges));
  return std::vector<PetscInt>(ranges, ranges + size + 1);
}

// Global multicolor order: every rank's local color order shifted to global indices, concatenated.
std::vector<PetscInt> GlobalOrder(const KokkosSOR &sor, Mat A)
{
  std::vector<PetscInt> local, cs;
  PetscInt              rstart, rend;
  PetscCallAbort(PETSC_COMM_WORLD, sor.GetColorOrder(&local, &cs));
  PetscCallAbort(PETSC_COMM_WORLD, MatGetOwnershipRange(A, &rstart, &rend));
  for (auto &i : local) i += rstart;
  const std::vector<PetscInt> starts = BlockStarts(A);
  std::vector<PetscMPIInt>    counts(starts.size() - 1), displs(starts.size() - 1);
  for (size_t r = 0; r + 1 < starts.size(); ++r) {
    counts[r] = (PetscMPIInt)(starts[r + 1] - starts[r]);
    displs[r] = (PetscMPIInt)starts[r];
  }
  std::vector<PetscInt> global(starts.back());
  MPI_Allgatherv(local.data(), (PetscMPIInt)local.size(), MPIU_INT, global.data(), counts.data(), displs.data(), MPIU_INT, PETSC_COMM_WORLD);
  return global;
}

// max over owned rows |x - ref| / max over all rows |ref| (agreed over ranks).
double RelDiff(Vec x, const std::vector<PetscScalar> &ref)
{
  const PetscScalar *a;
  PetscInt           rstart, rend;
  double             diff = 0, scale = 0;
  PetscCallAbort(PETSC_COMM_WORLD, VecGetOwnershipRange(x, &rstart, &rend));
  PetscCallAbort(PETSC_COMM_WORLD, VecGetArrayRead(x, &a));
  for (PetscInt i = rstart; i < rend; ++i) diff = std::max(diff, (double)std::abs(a[i - rstart] - ref[i]));
  PetscCallAbort(PETSC_COMM_WORLD, VecRestoreArrayRead(x, &a));
  for (auto v : ref) scale = std::max(scale, (double)std::abs(v));
  MPI_Allreduce(MPI_IN_PLACE, &diff, 1, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD);
  return scale > 0 ? diff / scale : diff;
}

MatSORType PetscFlag(Sweep s, bool parallel)
{
  switch (s) {
  case Sweep::FORWARD: return parallel ? SOR_LOCAL_FORWARD_SWEEP : SOR_FORWARD_SWEEP;
  case Sweep::BACKWARD: return parallel ? SOR_LOCAL_BACKWARD_SWEEP : SOR_BACKWARD_SWEEP;
  default: return parallel ? SOR_LOCAL_SYMMETRIC_SWEEP : SOR_SYMMETRIC_SWEEP;
  }
}

bool Parallel()
{
  PetscMPIInt size;
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  return size > 1;
}

struct Problem {
  std::string name;
  CSR         G;
};

std::vector<Problem> Problems()
{
  return {{"laplacian 17x13", Laplacian2D(17, 13)}, {"random nonsymmetric n=300", RandomNonsymmetric(300, 20240229u)}};
}

std::string Case(const Problem &p, Sweep s, PetscReal omega, PetscInt its, PetscInt lits)
{
  return p.name + ", " + kSweepNames[(int)s] + ", omega=" + std::to_string(omega) + ", its=" + std::to_string(its) + ", lits=" + std::to_string(lits);
}

// Runs KokkosSOR against the block-Jacobi multicolor reference for every sweep/omega/its (and lits = 2).
void CompareKokkosWithReference(const Problem &p, Mat A, Vec b, Vec x, SORColoring coloring, const std::vector<PetscScalar> &bg)
{
  KokkosSOR sor;
  PETAL_ASSERT_OK(sor.Create(A, coloring));
  const std::vector<PetscInt> order = GlobalOrder(sor, A), starts = BlockStarts(A);
  std::vector<PetscScalar>    ref(p.G.n);
  int                         cases = 0;
  for (Sweep s : kSweeps)
    for (PetscReal omega : kOmegas)
      for (PetscInt its : kIts)
        for (PetscInt lits : {PetscInt(1), PetscInt(2)}) {
          if (lits == 2 && its == 1 && omega != 1.5) continue; // lits = 2: a subset suffices
          ASSERT_EQ(petal::sor::BlockJacobiSOR(p.G.ref(), starts, order.data(), bg.data(), omega, s, its, lits, ref.data()), 0);
          PETAL_ASSERT_OK(VecSet(x, 1234.5)); // must be ignored: zero initial guess
          PETAL_ASSERT_OK(sor.Apply(omega, s, its, b, x, lits));
          EXPECT_LE(RelDiff(x, ref), kTol) << Case(p, s, omega, its, lits);
          if (coloring == SORColoring::LEVEL) { // the level order is natural-order SOR: compare with PETSc
            Vec y;
            PETAL_ASSERT_OK(VecDuplicate(x, &y));
            PETAL_ASSERT_OK(MatSOR(A, b, omega, (MatSORType)(PetscFlag(s, Parallel()) | SOR_ZERO_INITIAL_GUESS), 0.0, its, lits, y));
            PETAL_ASSERT_OK(VecAXPY(y, -1.0, x));
            PetscReal d, nx;
            PETAL_ASSERT_OK(VecNorm(y, NORM_INFINITY, &d));
            PETAL_ASSERT_OK(VecNorm(x, NORM_INFINITY, &nx));
            EXPECT_LE(d, kTol * nx) << "vs MatSOR: " << Case(p, s, omega, its, lits);
            PETAL_ASSERT_OK(VecDestroy(&y));
          }
          ++cases;
        }
  EXPECT_EQ(cases, 3 * 4 * 2 + 3 * 5);
}
} // namespace

// ---- 1. The reference itself -------------------------------------------------------------------------

TEST(SORReference, GreedyColoringOfLaplacianIsRedBlack)
{
  const CSR             G = Laplacian2D(6, 5);
  std::vector<PetscInt> color;
  EXPECT_EQ(petal::sor::GreedyColoring(G.ref(), &color), 2);
  EXPECT_TRUE(petal::sor::IsValidColoring(G.ref(), color));
  for (PetscInt j = 0; j < 5; ++j)
    for (PetscInt i = 0; i < 6; ++i) EXPECT_EQ(color[j * 6 + i], (i + j) % 2);
  color[7] = color[8]; // neighbours 7 and 8 now share a color
  EXPECT_FALSE(petal::sor::IsValidColoring(G.ref(), color));
}

TEST(SORReference, GreedyColoringOfNonsymmetricStructureIsValid)
{
  // The coloring must look at a_ji as well as a_ij: rows are colored on the symmetrized graph.
  const CSR             G = RandomNonsymmetric(300, 7u);
  std::vector<PetscInt> color, order, cs;
  const PetscInt        nc = petal::sor::GreedyColoring(G.ref(), &color);
  EXPECT_GT(nc, 2);
  EXPECT_TRUE(petal::sor::IsValidColoring(G.ref(), color));
  petal::sor::ColorOrder(color, nc, &order, &cs);
  ASSERT_EQ((PetscInt)cs.size(), nc + 1);
  EXPECT_EQ(cs.back(), G.n);
  for (PetscInt c = 0; c < nc; ++c)
    for (PetscInt k = cs[c]; k < cs[c + 1]; ++k) {
      EXPECT_EQ(color[order[k]], c);
      if (k > cs[c]) EXPECT_LT(order[k - 1], order[k]);
    }
}

TEST(SORReference, LevelOrderIsNaturalOrder)
{
  // SOR in the level-set order makes exactly the updates of natural-order SOR.
  for (const Problem &p : Problems()) {
    std::vector<PetscInt> color, order, cs;
    const PetscInt        nc = petal::sor::LevelColoring(p.G.ref(), &color);
    EXPECT_TRUE(petal::sor::IsValidColoring(p.G.ref(), color));
    petal::sor::ColorOrder(color, nc, &order, &cs);
    const std::vector<PetscScalar> b = RightHandSide(p.G.n);
    std::vector<PetscScalar>       x1(p.G.n), x2(p.G.n);
    for (Sweep s : kSweeps) {
      ASSERT_EQ(petal::sor::SOR(p.G.ref(), b.data(), 1.7, s, 2, x1.data()), 0);
      ASSERT_EQ(petal::sor::SOROrdered(p.G.ref(), order.data(), b.data(), 1.7, s, 2, x2.data()), 0);
      EXPECT_EQ(x1, x2) << p.name; // same operations in the same order per row: bitwise equal
    }
  }
}

TEST(SORReference, NaturalOrderMatchesMatSOR)
{
  const bool parallel = Parallel();
  for (const Problem &p : Problems()) {
    Mat A;
    Vec b, x;
    PETAL_ASSERT_OK(CreateMat(p.G, &A));
    const std::vector<PetscScalar> bg = RightHandSide(p.G.n);
    PETAL_ASSERT_OK(CreateVec(A, bg, &b));
    PETAL_ASSERT_OK(VecDuplicate(b, &x));
    const std::vector<PetscInt> starts = BlockStarts(A);
    std::vector<PetscInt>       natural(p.G.n);
    std::iota(natural.begin(), natural.end(), PetscInt(0));
    std::vector<PetscScalar> ref(p.G.n);
    for (Sweep s : kSweeps)
      for (PetscReal omega : kOmegas)
        for (PetscInt its : kIts)
          for (PetscInt lits : {PetscInt(1), PetscInt(2)}) {
            ASSERT_EQ(petal::sor::BlockJacobiSOR(p.G.ref(), starts, natural.data(), bg.data(), omega, s, its, lits, ref.data()), 0);
            if (!parallel && lits == 1) { // the one-block entry points say the same
              std::vector<PetscScalar> ref1(p.G.n);
              ASSERT_EQ(petal::sor::SOR(p.G.ref(), bg.data(), omega, s, its, ref1.data()), 0);
              EXPECT_EQ(ref1, ref);
            }
            PETAL_ASSERT_OK(VecSet(x, -7.0));
            PETAL_ASSERT_OK(MatSOR(A, b, omega, (MatSORType)(PetscFlag(s, parallel) | SOR_ZERO_INITIAL_GUESS), 0.0, its, lits, x));
            EXPECT_LE(RelDiff(x, ref), kTol) << Case(p, s, omega, its, lits);
          }
    PETAL_ASSERT_OK(VecDestroy(&x));
    PETAL_ASSERT_OK(VecDestroy(&b));
    PETAL_ASSERT_OK(MatDestroy(&A));
  }
}

// ---- 2. Kokkos multicolor kernels against the reference ----------------------------------------------

TEST(KokkosSOR, MatchesMulticolorReference)
{
  for (const Problem &p : Problems()) {
    Mat A;
    Vec b, x;
    PETAL_ASSERT_OK(CreateMat(p.G, &A));
    const std::vector<PetscScalar> bg = RightHandSide(p.G.n);
    PETAL_ASSERT_OK(CreateVec(A, bg, &b));
    PETAL_ASSERT_OK(VecDuplicate(b, &x));
    CompareKokkosWithReference(p, A, b, x, SORColoring::GREEDY, bg);
    PETAL_ASSERT_OK(VecDestroy(&x));
    PETAL_ASSERT_OK(VecDestroy(&b));
    PETAL_ASSERT_OK(MatDestroy(&A));
  }
}

TEST(KokkosSOR, KokkosKernelsColoringMatchesReference)
{
  for (const Problem &p : Problems()) {
    Mat A;
    Vec b, x;
    PETAL_ASSERT_OK(CreateMat(p.G, &A));
    const std::vector<PetscScalar> bg = RightHandSide(p.G.n);
    PETAL_ASSERT_OK(CreateVec(A, bg, &b));
    PETAL_ASSERT_OK(VecDuplicate(b, &x));
    CompareKokkosWithReference(p, A, b, x, SORColoring::KOKKOS_KERNELS, bg);
    PETAL_ASSERT_OK(VecDestroy(&x));
    PETAL_ASSERT_OK(VecDestroy(&b));
    PETAL_ASSERT_OK(MatDestroy(&A));
  }
}

TEST(KokkosSOR, LevelColoringMatchesReferenceAndMatSOR)
{
  for (const Problem &p : Problems()) {
    Mat A;
    Vec b, x;
    PETAL_ASSERT_OK(CreateMat(p.G, &A));
    const std::vector<PetscScalar> bg = RightHandSide(p.G.n);
    PETAL_ASSERT_OK(CreateVec(A, bg, &b));
    PETAL_ASSERT_OK(VecDuplicate(b, &x));
    CompareKokkosWithReference(p, A, b, x, SORColoring::LEVEL, bg);
    PETAL_ASSERT_OK(VecDestroy(&x));
    PETAL_ASSERT_OK(VecDestroy(&b));
    PETAL_ASSERT_OK(MatDestroy(&A));
  }
}

// The global ordering is sequential multicolor SOR over all rows, in the coloring of the global graph: the same
// result on 1 and 2 ranks (compared with the sequential reference on the whole matrix); with the level coloring
// that is natural-order SOR, i.e. one-rank MatSOR, whatever the number of ranks.
TEST(KokkosSOR, GlobalOrderingIsSequentialMulticolorSOROnAnyRankCount)
{
  using petal::SOROrdering;
  for (const Problem &p : Problems())
    for (SORColoring coloring : {SORColoring::GREEDY, SORColoring::LEVEL}) {
      Mat A;
      Vec b, x;
      PETAL_ASSERT_OK(CreateMat(p.G, &A));
      const std::vector<PetscScalar> bg = RightHandSide(p.G.n);
      PETAL_ASSERT_OK(CreateVec(A, bg, &b));
      PETAL_ASSERT_OK(VecDuplicate(b, &x));
      KokkosSOR sor;
      PETAL_ASSERT_OK(sor.Create(A, coloring, SOROrdering::GLOBAL));
      EXPECT_EQ(sor.Ordering(), SOROrdering::GLOBAL);
      std::vector<PetscInt> color, order, cs;
      const PetscInt        nc = coloring == SORColoring::GREEDY ? petal::sor::GreedyColoring(p.G.ref(), &color) : petal::sor::LevelColoring(p.G.ref(), &color);
      petal::sor::ColorOrder(color, nc, &order, &cs);
      EXPECT_EQ(sor.NumColors(), nc) << p.name;
      std::vector<PetscScalar> ref(p.G.n), natural(p.G.n);
      for (Sweep s : kSweeps)
        for (PetscReal omega : kOmegas)
          for (PetscInt its : kIts) {
            ASSERT_EQ(petal::sor::SOROrdered(p.G.ref(), order.data(), bg.data(), omega, s, its, ref.data()), 0);
            PETAL_ASSERT_OK(VecSet(x, 1234.5)); // must be ignored: zero initial guess
            PETAL_ASSERT_OK(sor.Apply(omega, s, its, b, x));
            EXPECT_LE(RelDiff(x, ref), kTol) << "global " << Case(p, s, omega, its, 1);
            if (coloring != SORColoring::LEVEL) continue;
            ASSERT_EQ(petal::sor::SOR(p.G.ref(), bg.data(), omega, s, its, natural.data()), 0);
            EXPECT_LE(RelDiff(x, natural), kTol) << "global level vs natural order: " << Case(p, s, omega, its, 1);
          }
      PETAL_ASSERT_OK(VecDestroy(&x));
      PETAL_ASSERT_OK(VecDestroy(&b));
      PETAL_ASSERT_OK(MatDestroy(&A));
    }
}

TEST(KokkosSOR, GlobalOrderingNeedsADeterministicColoring)
{
  const CSR G = Laplacian2D(6, 6);
  Mat       A;
  PETAL_ASSERT_OK(CreateMat(G, &A));
  KokkosSOR sor;
  PETAL_EXPECT_PETSC_ERROR(sor.Create(A, SORColoring::KOKKOS_KERNELS, petal::SOROrdering::GLOBAL));
  PETAL_ASSERT_OK(MatDestroy(&A));
}

TEST(KokkosSOR, ColoringsAreValidAndLaplacianIsRedBlack)
{
  for (const Problem &p : Problems())
    for (SORColoring coloring : {SORColoring::GREEDY, SORColoring::KOKKOS_KERNELS, SORColoring::LEVEL}) {
      Mat A;
      PETAL_ASSERT_OK(CreateMat(p.G, &A));
      KokkosSOR sor;
      PETAL_ASSERT_OK(sor.Create(A, coloring));
      EXPECT_EQ(sor.Coloring(), coloring);
      std::vector<PetscInt> order, cs;
      PETAL_ASSERT_OK(sor.GetColorOrder(&order, &cs));
      ASSERT_EQ((PetscInt)cs.size(), sor.NumColors() + 1);
      ASSERT_EQ(cs.back(), sor.LocalSize());
      // Check the local diagonal block (rows and columns [rstart, rend)) of the global CSR.
      PetscInt rstart, rend;
      PETAL_ASSERT_OK(MatGetOwnershipRange(A, &rstart, &rend));
      std::vector<PetscInt> color(rend - rstart, -1);
      for (PetscInt c = 0; c < sor.NumColors(); ++c)
        for (PetscInt k = cs[c]; k < cs[c + 1]; ++k) color[order[k]] = c;
      for (PetscInt i = rstart; i < rend; ++i) {
        ASSERT_GE(color[i - rstart], 0) << "row " << i << " missing from the color order";
        for (PetscInt q = p.G.rowptr[i]; q < p.G.rowptr[i + 1]; ++q) {
          const PetscInt j = p.G.cols[q];
          if (j != i && j >= rstart && j < rend) EXPECT_NE(color[i - rstart], color[j - rstart]) << p.name << ": rows " << i << " and " << j;
        }
      }
      if (p.name.rfind("laplacian", 0) == 0 && coloring == SORColoring::GREEDY) EXPECT_EQ(sor.NumColors(), 2);
      if (p.name.rfind("laplacian", 0) == 0 && coloring == SORColoring::LEVEL && !Parallel()) EXPECT_EQ(sor.NumColors(), 17 + 13 - 1);
      PETAL_ASSERT_OK(MatDestroy(&A));
    }
}

TEST(KokkosSOR, UpdateValuesAndSharedKokkosAIJ)
{
  Problem p = Problems()[1];
  Mat     A;
  Vec     b, x;
  PETAL_ASSERT_OK(CreateMat(p.G, &A));
  const std::vector<PetscScalar> bg = RightHandSide(p.G.n);
  PETAL_ASSERT_OK(CreateVec(A, bg, &b));
  PETAL_ASSERT_OK(VecDuplicate(b, &x));

  petal::KokkosAIJ K;
  PETAL_ASSERT_OK(K.Create(A));
  KokkosSOR owned, shared;
  PETAL_ASSERT_OK(owned.Create(A));
  PETAL_ASSERT_OK(shared.Create(A, K));

  // Same pattern, new values (A_t in a time loop): scale and shift.
  PETAL_ASSERT_OK(MatScale(A, -0.75));
  PETAL_ASSERT_OK(MatShift(A, 0.3));
  CSR G2 = p.G;
  for (PetscInt i = 0; i < G2.n; ++i)
    for (PetscInt q = G2.rowptr[i]; q < G2.rowptr[i + 1]; ++q) G2.vals[q] = -0.75 * G2.vals[q] + (G2.cols[q] == i ? 0.3 : 0.0);
  PETAL_ASSERT_OK(owned.UpdateValues(A));
  PETAL_ASSERT_OK(K.UpdateValues(A));
  PETAL_ASSERT_OK(shared.RefreshValues());

  std::vector<PetscScalar> ref(p.G.n);
  for (KokkosSOR *sor : {&owned, &shared}) {
    const std::vector<PetscInt> order = GlobalOrder(*sor, A), starts = BlockStarts(A);
    ASSERT_EQ(petal::sor::BlockJacobiSOR(G2.ref(), starts, order.data(), bg.data(), 1.3, Sweep::SYMMETRIC, 2, 1, ref.data()), 0);
    PETAL_ASSERT_OK(sor->Apply(1.3, Sweep::SYMMETRIC, 2, b, x));
    EXPECT_LE(RelDiff(x, ref), kTol);
  }
  PETAL_ASSERT_OK(VecDestroy(&x));
  PETAL_ASSERT_OK(VecDestroy(&b));
  PETAL_ASSERT_OK(MatDestroy(&A));
}

// ---- 3. Properties and errors -------------------------------------------------------------------------

// For SPD A and 0 < omega < 2, one symmetric sweep from zero applies M^{-1} with M the (block-Jacobi) SSOR
// matrix, which is symmetric: <u, M^{-1} v> = <v, M^{-1} u>. This is what makes it usable inside CG.
TEST(KokkosSOR, SymmetricSweepIsSymmetricOperator)
{
  const CSR G = Laplacian2D(20, 15);
  Mat       A;
  Vec       u, v, Mu, Mv;
  PETAL_ASSERT_OK(CreateMat(G, &A));
  PETAL_ASSERT_OK(MatCreateVecs(A, &u, &v));
  PETAL_ASSERT_OK(VecDuplicate(u, &Mu));
  PETAL_ASSERT_OK(VecDuplicate(u, &Mv));
  PetscRandom rnd;
  PETAL_ASSERT_OK(PetscRandomCreate(PETSC_COMM_WORLD, &rnd));
  PETAL_ASSERT_OK(PetscRandomSetSeed(rnd, 11));
  PETAL_ASSERT_OK(PetscRandomSeed(rnd));
  PETAL_ASSERT_OK(VecSetRandom(u, rnd));
  PETAL_ASSERT_OK(VecSetRandom(v, rnd));
  KokkosSOR sor;
  PETAL_ASSERT_OK(sor.Create(A));
  for (PetscReal omega : kOmegas) {
    PetscScalar uMv, vMu;
    PETAL_ASSERT_OK(sor.Apply(omega, Sweep::SYMMETRIC, 1, u, Mu));
    PETAL_ASSERT_OK(sor.Apply(omega, Sweep::SYMMETRIC, 1, v, Mv));
    PETAL_ASSERT_OK(VecDot(u, Mv, &uMv));
    PETAL_ASSERT_OK(VecDot(v, Mu, &vMu));
    EXPECT_NEAR(uMv, vMu, 1e-12 * std::abs(uMv)) << "omega=" << omega;
  }
  PETAL_ASSERT_OK(PetscRandomDestroy(&rnd));
  for (Vec *w : {&u, &v, &Mu, &Mv}) PETAL_ASSERT_OK(VecDestroy(w));
  PETAL_ASSERT_OK(MatDestroy(&A));
}

// SSOR-CG with the Kokkos backend (as a PCSHELL) converges. With the level (natural-equivalent) ordering
// it takes PCSOR's iteration count; red-black ordering takes clearly more (but fewer than no PC).
namespace {
PetscErrorCode ShellApply(PC pc, Vec b, Vec x)
{
  KokkosSOR *sor;
  PetscFunctionBegin;
  PetscCall(PCShellGetContext(pc, &sor));
  PetscCall(sor->Apply(1.5, Sweep::SYMMETRIC, 1, b, x));
  PetscFunctionReturn(0);
}

PetscErrorCode SolveCG(Mat A, Vec b, KokkosSOR *sor, PetscInt *its)
{
  KSP                ksp;
  PC                 pc;
  Vec                x;
  KSPConvergedReason reason;
  PetscFunctionBegin;
  PetscCall(VecDuplicate(b, &x));
  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetOperators(ksp, A, A));
  PetscCall(KSPSetType(ksp, KSPCG));
  PetscCall(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetTolerances(ksp, 1e-8, PETSC_DEFAULT, PETSC_DEFAULT, 1000));
  PetscCall(KSPGetPC(ksp, &pc));
  if (sor) {
    PetscCall(PCSetType(pc, PCSHELL));
    PetscCall(PCShellSetContext(pc, sor));
    PetscCall(PCShellSetApply(pc, ShellApply));
  } else {
    PetscCall(PCSetType(pc, PCSOR));
    PetscCall(PCSORSetOmega(pc, 1.5));
  }
  PetscCall(KSPSolve(ksp, b, x));
  PetscCall(KSPGetConvergedReason(ksp, &reason));
  PetscCheck(reason > 0, PETSC_COMM_WORLD, PETSC_ERR_NOT_CONVERGED, "CG did not converge");
  PetscCall(KSPGetIterationNumber(ksp, its));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(VecDestroy(&x));
  PetscFunctionReturn(0);
}
} // namespace

TEST(KokkosSOR, SSORPreconditionedCGConverges)
{
  const CSR G = Laplacian2D(40, 40);
  Mat       A;
  Vec       b;
  PETAL_ASSERT_OK(CreateMat(G, &A));
  PETAL_ASSERT_OK(CreateVec(A, RightHandSide(G.n), &b));
  KokkosSOR sor, level;
  PETAL_ASSERT_OK(sor.Create(A));
  PETAL_ASSERT_OK(level.Create(A, SORColoring::LEVEL));
  PetscInt itsKokkos, itsLevel, itsPetsc, itsNone;
  PETAL_ASSERT_OK(SolveCG(A, b, &sor, &itsKokkos));
  PETAL_ASSERT_OK(SolveCG(A, b, &level, &itsLevel));
  PETAL_ASSERT_OK(SolveCG(A, b, nullptr, &itsPetsc));
  {
    KSP ksp;
    PC  pc;
    Vec x;
    PETAL_ASSERT_OK(VecDuplicate(b, &x));
    PETAL_ASSERT_OK(KSPCreate(PETSC_COMM_WORLD, &ksp));
    PETAL_ASSERT_OK(KSPSetOperators(ksp, A, A));
    PETAL_ASSERT_OK(KSPSetType(ksp, KSPCG));
    PETAL_ASSERT_OK(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED));
    PETAL_ASSERT_OK(KSPSetTolerances(ksp, 1e-8, PETSC_DEFAULT, PETSC_DEFAULT, 1000));
    PETAL_ASSERT_OK(KSPGetPC(ksp, &pc));
    PETAL_ASSERT_OK(PCSetType(pc, PCNONE));
    PETAL_ASSERT_OK(KSPSolve(ksp, b, x));
    PETAL_ASSERT_OK(KSPGetIterationNumber(ksp, &itsNone));
    PETAL_ASSERT_OK(KSPDestroy(&ksp));
    PETAL_ASSERT_OK(VecDestroy(&x));
  }
  // Red-black SSOR is a weak CG preconditioner (condition number still O(h^-2)), natural-order SSOR is not.
  EXPECT_LT(itsKokkos, itsNone);
  EXPECT_LE(std::abs(itsLevel - itsPetsc), 1);
  PETAL_ASSERT_OK(PetscPrintf(PETSC_COMM_WORLD, "      SSOR-CG (omega 1.5) on 40x40: Kokkos red-black %" PetscInt_FMT ", Kokkos level %" PetscInt_FMT ", MatSOR %" PetscInt_FMT ", no PC %" PetscInt_FMT " iterations\n", itsKokkos, itsLevel, itsPetsc, itsNone));
  PETAL_ASSERT_OK(VecDestroy(&b));
  PETAL_ASSERT_OK(MatDestroy(&A));
}

TEST(KokkosSOR, RejectsBadArguments)
{
  const CSR G = Laplacian2D(8, 8);
  Mat       A;
  Vec       b, x;
  PETAL_ASSERT_OK(CreateMat(G, &A));
  PETAL_ASSERT_OK(CreateVec(A, RightHandSide(G.n), &b));
  PETAL_ASSERT_OK(VecDuplicate(b, &x));
  KokkosSOR sor;
  PETAL_EXPECT_PETSC_ERROR(sor.Apply(1.0, Sweep::SYMMETRIC, 1, b, x)); // not created
  PETAL_ASSERT_OK(sor.Create(A));
  EXPECT_NE(PETAL_SORKokkos, 0) << "the PetalSORKokkos log event is registered";
  for (PetscReal omega : {0.0, 2.0, -0.5, 2.5, std::numeric_limits<PetscReal>::quiet_NaN()}) {
    PETAL_EXPECT_PETSC_ERROR(sor.Apply(omega, Sweep::SYMMETRIC, 1, b, x));
    PETAL_EXPECT_PETSC_ERROR(KokkosSOR::CheckOmega(PETSC_COMM_WORLD, omega));
  }
  PETAL_EXPECT_PETSC_ERROR(sor.Apply(1.0, Sweep::FORWARD, 0, b, x)); // its
  PETAL_EXPECT_PETSC_ERROR(sor.Apply(1.0, Sweep::FORWARD, 1, b, x, 0)); // lits
  PETAL_EXPECT_PETSC_ERROR(sor.Apply(1.0, Sweep::FORWARD, 1, b, b));   // b == x
  PETAL_ASSERT_OK(sor.Apply(1.999, Sweep::FORWARD, 1, b, x));
  PETAL_ASSERT_OK(sor.Apply(1e-3, Sweep::BACKWARD, 1, b, x));
  PETAL_ASSERT_OK(VecDestroy(&x));
  PETAL_ASSERT_OK(VecDestroy(&b));
  PETAL_ASSERT_OK(MatDestroy(&A));
}

TEST(KokkosSOR, OmegaErrorMessageNamesOmega)
{
  // The message is what a user of -pc_banditsor_omega sees; check its text through a custom handler.
  static std::string message;
  auto handler = [](MPI_Comm, int, const char *, const char *, PetscErrorCode n, PetscErrorType, const char *mess, void *) -> PetscErrorCode {
    if (mess && message.empty()) message = mess;
    return n;
  };
  message.clear();
  PETAL_ASSERT_OK(PetscPushErrorHandler(handler, NULL));
  PetscErrorCode ierr = KokkosSOR::CheckOmega(PETSC_COMM_WORLD, 2.0);
  PETAL_ASSERT_OK(PetscPopErrorHandler());
  EXPECT_EQ(ierr, PETSC_ERR_ARG_OUTOFRANGE);
  EXPECT_NE(message.find("omega = 2"), std::string::npos) << message;
  EXPECT_NE(message.find("(0, 2)"), std::string::npos) << message;
}

TEST(KokkosSOR, ZeroOrMissingDiagonalIsAnError)
{
  // Every rank's first row gets a zero diagonal (so all ranks fail together).
  CSR      G = Laplacian2D(10, 10);
  Mat      A0;
  PETAL_ASSERT_OK(CreateMat(G, &A0));
  for (PetscInt start : BlockStarts(A0))
    if (start < G.n)
      for (PetscInt q = G.rowptr[start]; q < G.rowptr[start + 1]; ++q)
        if (G.cols[q] == start) G.vals[q] = 0;
  PETAL_ASSERT_OK(MatDestroy(&A0));
  Mat A;
  PETAL_ASSERT_OK(CreateMat(G, &A));
  KokkosSOR sor;
  PETAL_EXPECT_PETSC_ERROR(sor.Create(A));
  PETAL_ASSERT_OK(MatDestroy(&A));

  // Missing diagonal entry: a matrix with an empty first row on every rank's block.
  Mat B;
  PETAL_ASSERT_OK(MatCreateAIJ(PETSC_COMM_WORLD, 2, 2, PETSC_DETERMINE, PETSC_DETERMINE, 2, NULL, 2, NULL, &B));
  PetscInt bs, be;
  PETAL_ASSERT_OK(MatGetOwnershipRange(B, &bs, &be));
  PETAL_ASSERT_OK(MatSetValue(B, bs + 1, bs + 1, 2.0, INSERT_VALUES));
  PETAL_ASSERT_OK(MatSetValue(B, bs + 1, bs, 1.0, INSERT_VALUES));
  PETAL_ASSERT_OK(MatAssemblyBegin(B, MAT_FINAL_ASSEMBLY));
  PETAL_ASSERT_OK(MatAssemblyEnd(B, MAT_FINAL_ASSEMBLY));
  KokkosSOR sor2;
  PETAL_EXPECT_PETSC_ERROR(sor2.Create(B));
  PETAL_ASSERT_OK(MatDestroy(&B));
}
