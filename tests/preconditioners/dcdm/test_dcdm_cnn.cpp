// PetalCNN (the DCDM network distributed over a DMDA) on 1, 2 and 4 ranks against the single-process reference
// forward of learned/cnn (ref::ForwardWholeGrid: plain loops in double over the whole grid):
//  - float64 to 1e-12 and float32 to 1e-5, relative to the largest output value;
//  - on grids whose user DMDA has odd ownership ranges (explicit ranges, and 10^3 split by PETSc), which the
//    network must redistribute to even ones, and on ranges whose rounding would leave a rank empty;
//  - clear errors, the same on every rank, for a DM that is not a 3-D dof-1 DMDA with even sizes, a grid too
//    small for the process grid, and a bad weights file.
#include "dcdm_test_util.hpp"
#include "learned/cnn/layers_reference.hpp"
#include <petal/dcdm.h>
#include <petal/dcdm_weights.hpp>
#include <petscdmda.h>
#include <petscdmshell.h>
#include <algorithm>
#include <cmath>

namespace {
using namespace dcdm_test;

// The weights of every test here: from64 with random kernels and nonzero biases.
petal::cnn::Weights TestWeights()
{
  petal::cnn::Weights w = petal::cnn::RandomWeights(petal::cnn::From64(), 17);
  for (size_t i = 0; i < w.convs.size(); ++i)
    for (size_t c = 0; c < w.convs[i].bias.size(); ++c) w.convs[i].bias[c] = 0.02f * (float)((i * 5 + c * 3) % 7) - 0.06f;
  return w;
}

// Saved once per program (every rank count writes its own file).
const std::string &WeightsFile()
{
  static std::string file;
  if (file.empty()) {
    file = TestFile("cnn_weights");
    EXPECT_EQ(PetalDCDMWeightsSave(Comm(), file.c_str(), TestWeights(), petal::DCDMTrainingInfo()), 0);
  }
  return file;
}

double Input(PetscInt x, PetscInt y, PetscInt z) { return std::sin(0.37 * x + 0.71 * y + 1.13 * z) + 0.5 * std::cos(0.23 * x * y - 0.41 * z) + 0.01 * ((x * 7 + y * 13 + z * 29) % 17); }

// A DMDA decomposition: process grid m x n x p, and explicit ranges (empty: PETSc decides).
struct Case {
  PetscInt              M, N, P, m, n, p;
  std::vector<PetscInt> lx, ly, lz;
  const char           *what;
};

DM MakeDA(const Case &c)
{
  DM da;
  EXPECT_EQ(DMDACreate3d(Comm(), DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, c.M, c.N, c.P, c.m, c.n, c.p, 1, 1, c.lx.empty() ? NULL : c.lx.data(),
                         c.ly.empty() ? NULL : c.ly.data(), c.lz.empty() ? NULL : c.lz.data(), &da),
            0);
  EXPECT_EQ(DMSetUp(da), 0);
  return da;
}

// max |distributed - reference| / max |reference| over the whole grid, on every rank.
void CompareWithReference(const Case &c, PetalCNNPrecision precision, double tol)
{
  SCOPED_TRACE(std::string(c.what) + (precision == PETAL_CNN_FLOAT64 ? " float64" : " float32"));
  DM       da = MakeDA(c);
  Vec      in, out;
  PetalCNN cnn;
  PetscInt xs, ys, zs, xm, ym, zm;
  ASSERT_EQ(PetalCNNCreate(da, WeightsFile().c_str(), precision, &cnn), 0);
  ASSERT_EQ(DMCreateGlobalVector(da, &in), 0);
  ASSERT_EQ(VecDuplicate(in, &out), 0);
  ASSERT_EQ(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm), 0);
  {
    PetscScalar ***a;
    ASSERT_EQ(DMDAVecGetArray(da, in, &a), 0);
    for (PetscInt z = zs; z < zs + zm; ++z)
      for (PetscInt y = ys; y < ys + ym; ++y)
        for (PetscInt x = xs; x < xs + xm; ++x) a[z][y][x] = Input(x, y, z);
    ASSERT_EQ(DMDAVecRestoreArray(da, in, &a), 0);
  }
  // -log_view's flop count of PetalCNNApply (the per-layer counts logged inside it) is the network's.
  PetscLogEvent      event;
  PetscEventPerfInfo before, after;
  ASSERT_EQ(PetscLogDefaultBegin(), 0); // event counts and flops, as -log_view would show them
  ASSERT_EQ(PetscLogEventGetId("PetalCNNApply", &event), 0);
  ASSERT_EQ(PetscLogEventGetPerfInfo(0, event, &before), 0);
  ASSERT_EQ(PetalCNNApply(cnn, in, out), 0);
  ASSERT_EQ(PetscLogEventGetPerfInfo(0, event, &after), 0);
  double logged = after.flops - before.flops, total;
  MPI_Allreduce(&logged, &total, 1, MPI_DOUBLE, MPI_SUM, Comm());
  EXPECT_EQ(after.count - before.count, 1);
  EXPECT_NEAR(total, petal::cnn::FlopsPerVoxel(petal::cnn::From64()) * (double)(c.M * c.N * c.P), 1e-9 * total);
  // Every rank runs the whole-grid reference (small grids) and checks its own cells.
  std::vector<double> whole((size_t)(c.M * c.N * c.P));
  for (PetscInt z = 0; z < c.P; ++z)
    for (PetscInt y = 0; y < c.N; ++y)
      for (PetscInt x = 0; x < c.M; ++x) whole[(size_t)((z * c.N + y) * c.M + x)] = Input(x, y, z);
  const std::vector<double> ref = petal::cnn::ref::ForwardWholeGrid(TestWeights(), (int)c.M, (int)c.N, (int)c.P, whole);
  double                    scale = 0, err = 0;
  for (double v : ref) scale = std::max(scale, std::fabs(v));
  {
    PetscScalar ***a;
    ASSERT_EQ(DMDAVecGetArrayRead(da, out, &a), 0);
    for (PetscInt z = zs; z < zs + zm; ++z)
      for (PetscInt y = ys; y < ys + ym; ++y)
        for (PetscInt x = xs; x < xs + xm; ++x) err = std::max(err, std::fabs(a[z][y][x] - ref[(size_t)((z * c.N + y) * c.M + x)]));
    ASSERT_EQ(DMDAVecRestoreArrayRead(da, out, &a), 0);
  }
  double gerr;
  MPI_Allreduce(&err, &gerr, 1, MPI_DOUBLE, MPI_MAX, Comm());
  EXPECT_GT(scale, 0.1) << "a network whose output is ~0 checks nothing";
  EXPECT_LE(gerr / scale, tol) << "max |distributed - reference| = " << gerr << ", max |reference| = " << scale;
  // The flop count is the architecture's per voxel times the cells.
  PetscLogDouble flops;
  ASSERT_EQ(PetalCNNGetFlops(cnn, &flops), 0);
  EXPECT_NEAR(flops, petal::cnn::FlopsPerVoxel(petal::cnn::From64()) * (double)(c.M * c.N * c.P), 1e-6 * flops);
  // A second application gives the same output (no state left behind in the buffers).
  Vec again;
  ASSERT_EQ(VecDuplicate(out, &again), 0);
  ASSERT_EQ(PetalCNNApply(cnn, in, again), 0);
  ASSERT_EQ(VecAXPY(again, -1.0, out), 0);
  PetscReal diff;
  ASSERT_EQ(VecNorm(again, NORM_INFINITY, &diff), 0);
  EXPECT_EQ(diff, 0.0);
  VecDestroy(&again);
  VecDestroy(&in);
  VecDestroy(&out);
  EXPECT_EQ(PetalCNNDestroy(&cnn), 0);
  EXPECT_EQ(cnn, nullptr);
  DMDestroy(&da);
}

// Decompositions for this rank count: PETSc's own, and explicit ones with odd ranges.
std::vector<Case> Cases()
{
  const PetscInt    D = PETSC_DECIDE;
  std::vector<Case> v;
  v.push_back({8, 8, 8, D, D, D, {}, {}, {}, "8^3, PETSc's split"});
  v.push_back({10, 10, 10, D, D, D, {}, {}, {}, "10^3, PETSc's split (odd ranges on several ranks)"});
  if (Size() == 1) v.push_back({12, 10, 8, 1, 1, 1, {}, {}, {}, "12x10x8"});
  if (Size() == 2) {
    v.push_back({12, 10, 8, 2, 1, 1, {5, 7}, {}, {}, "12x10x8, x ranges 5,7"});
    v.push_back({12, 10, 8, 1, 1, 2, {}, {}, {3, 5}, "12x10x8, z ranges 3,5"});
  }
  if (Size() == 4) {
    v.push_back({12, 10, 8, 2, 2, 1, {5, 7}, {3, 7}, {}, "12x10x8, x ranges 5,7, y ranges 3,7"});
    v.push_back({12, 10, 8, 4, 1, 1, {3, 3, 3, 3}, {}, {}, "12x10x8, x ranges 3,3,3,3"});
    v.push_back({12, 10, 8, 1, 1, 4, {}, {}, {1, 1, 1, 5}, "12x10x8, z ranges 1,1,1,5 (rounding would empty a rank)"});
  }
  return v;
}

TEST(PetalCNN, Float64EqualsTheReferenceForward)
{
  for (const Case &c : Cases()) CompareWithReference(c, PETAL_CNN_FLOAT64, 1e-12);
}

TEST(PetalCNN, Float32EqualsTheReferenceForward)
{
  for (const Case &c : Cases()) CompareWithReference(c, PETAL_CNN_FLOAT32, 1e-5);
}

std::string CreateFailure(DM dm, const char *file, const char *what)
{
  PetalCNN cnn = nullptr;
  return FailureMessage([&] { return PetalCNNCreate(dm, file, PETAL_CNN_FLOAT32, &cnn); }, what);
}

TEST(PetalCNN, UnsuitableGridsAreRefused)
{
  const char *w = WeightsFile().c_str();
  DM          dm;
  ASSERT_EQ(DMShellCreate(Comm(), &dm), 0);
  DCDM_EXPECT_CONTAINS(CreateFailure(dm, w, "shell"), "PetalCNNCreate: the network runs on a 3-D DMDA, the DM is of type shell");
  DMDestroy(&dm);
  ASSERT_EQ(DMDACreate2d(Comm(), DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, 8, 8, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, &dm), 0);
  ASSERT_EQ(DMSetUp(dm), 0);
  DCDM_EXPECT_CONTAINS(CreateFailure(dm, w, "2-D"), "the network is 3-D (3x3x3 convolutions), the DMDA is 2-D");
  DMDestroy(&dm);
  ASSERT_EQ(DMDACreate3d(Comm(), DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, 8, 8, 8, PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 2, 1, NULL, NULL, NULL, &dm), 0);
  ASSERT_EQ(DMSetUp(dm), 0);
  DCDM_EXPECT_CONTAINS(CreateFailure(dm, w, "dof 2"), "the network takes one unknown per cell, the DMDA has dof 2");
  DMDestroy(&dm);
  dm = MakeDA({12, 11, 8, PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, {}, {}, {}, ""});
  DCDM_EXPECT_CONTAINS(CreateFailure(dm, w, "odd"), "the grid is 12 x 11 x 8 cells; the network's 2x2x2 average pooling cannot halve the y size 11 (every global size must be even)");
  DMDestroy(&dm);
  if (Size() > 1) { // two ranks along x, but the pooled grid has one cell there
    dm = MakeDA({2, 8, 8, 2, Size() / 2, 1, {}, {}, {}, ""});
    DCDM_EXPECT_CONTAINS(CreateFailure(dm, w, "too small"), "PetalCNN: cannot partition the x direction for the network: 2 ranks along a direction of 2 cells: the pooled grid has only 1 cells there");
    DMDestroy(&dm);
  }
  dm = MakeDA({8, 8, 8, PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, {}, {}, {}, ""});
  DCDM_EXPECT_CONTAINS(CreateFailure(dm, "no_such_weights.h5", "missing weights"), "cannot load DCDM weights from \"no_such_weights.h5\": cannot open it");
  DMDestroy(&dm);
}

} // namespace
