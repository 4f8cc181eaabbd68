// Voxel grids: save -> load round trips on any number of ranks, the bundled grids, atomic saves.
#include "mesh_test_util.hpp"
#include <cmath>

namespace
{

// A pattern that depends only on the global cell, so every rank count must read back the same values.
double TypeAt(PetscInt i, PetscInt j, PetscInt k) { return (double)((i + 2 * j + 3 * k) % 3); }
double CoefAt(PetscInt i, PetscInt j, PetscInt k) { return 1.0 + 0.25 * ((7 * i + 3 * j + k) % 11); }

PetalVoxelGridInfo MakeInfo(PetscInt dim, PetscInt nx, PetscInt ny, PetscInt nz)
{
  PetalVoxelGridInfo info;
  info.dim             = dim;
  info.has_coefficient = PETSC_TRUE;
  const PetscInt  n[3] = {nx, ny, dim == 3 ? nz : 1};
  const PetscReal h[3] = {0.1, 0.05, 0.2}, o[3] = {-1.0, 0.5, 2.0};
  for (int d = 0; d < 3; ++d) {
    info.shape[d]   = n[d];
    info.spacing[d] = d < dim ? h[d] : 1;
    info.origin[d]  = d < dim ? o[d] : 0;
  }
  return info;
}

// Fills (fill = true) or checks the pattern in the owned block of v.
void Pattern(DM da, Vec v, bool coefficient, bool fill)
{
  PetscInt     xs, ys, zs, xm, ym, zm;
  PetscScalar *a;
  ASSERT_EQ(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm), 0);
  ASSERT_EQ(VecGetArray(v, &a), 0);
  for (PetscInt k = zs, l = 0; k < zs + zm; ++k)
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i, ++l) {
        const double want = coefficient ? CoefAt(i, j, k) : TypeAt(i, j, k);
        if (fill) a[l] = want;
        else EXPECT_EQ(a[l], want) << "cell " << i << "," << j << "," << k;
      }
  ASSERT_EQ(VecRestoreArray(v, &a), 0);
}

// Sets cell (i,j) of a 2-D grid's global Vec on the rank that owns it.
void SetCell(DM da, Vec v, PetscInt i, PetscInt j, PetscScalar value)
{
  PetscInt      xs, ys, xm, ym;
  PetscScalar **a;
  ASSERT_EQ(DMDAGetCorners(da, &xs, &ys, NULL, &xm, &ym, NULL), 0);
  ASSERT_EQ(DMDAVecGetArray(da, v, &a), 0);
  if (i >= xs && i < xs + xm && j >= ys && j < ys + ym) a[j][i] = value;
  ASSERT_EQ(DMDAVecRestoreArray(da, v, &a), 0);
}

void RoundTrip(PetscInt dim, PetscInt nx, PetscInt ny, PetscInt nz, bool withCoefficient, const std::string &name)
{
  PetalVoxelGridInfo info = MakeInfo(dim, nx, ny, nz), back;
  DM                 da, da2;
  Vec                types, coef, types2, coef2;
  const std::string  file = TestFile(name);

  info.has_coefficient = withCoefficient ? PETSC_TRUE : PETSC_FALSE;
  PETAL_ASSERT_OK(PetalVoxelGridCreateDA(PETSC_COMM_WORLD, &info, &da));
  PETAL_ASSERT_OK(DMCreateGlobalVector(da, &types));
  PETAL_ASSERT_OK(DMCreateGlobalVector(da, &coef));
  Pattern(da, types, false, true);
  Pattern(da, coef, true, true);
  RemoveFile(file);
  PETAL_ASSERT_OK(PetalVoxelGridSave(da, types, withCoefficient ? coef : NULL, file.c_str()));
  EXPECT_TRUE(FileExists(file));
  EXPECT_FALSE(FileExists(file + ".tmp"));

  PETAL_ASSERT_OK(PetalVoxelGridReadInfo(PETSC_COMM_WORLD, file.c_str(), &back));
  EXPECT_EQ(back.dim, dim);
  EXPECT_EQ(back.has_coefficient, info.has_coefficient);
  for (int d = 0; d < 3; ++d) {
    EXPECT_EQ(back.shape[d], info.shape[d]);
    EXPECT_NEAR(back.spacing[d], info.spacing[d], 1e-14);
    EXPECT_NEAR(back.origin[d], info.origin[d], 1e-14);
  }
  PETAL_ASSERT_OK(PetalVoxelGridLoad(PETSC_COMM_WORLD, file.c_str(), &da2, &types2, &coef2));
  EXPECT_EQ(coef2 != NULL, withCoefficient);
  Pattern(da2, types2, false, false);
  if (coef2) Pattern(da2, coef2, true, false);
  // the cell-centre coordinates of the loaded DMDA
  Vec       coords;
  PetscReal lo, hi;
  PETAL_ASSERT_OK(DMGetCoordinates(da2, &coords));
  for (PetscInt d = 0; d < dim; ++d) {
    PETAL_ASSERT_OK(VecStrideMin(coords, d, NULL, &lo));
    PETAL_ASSERT_OK(VecStrideMax(coords, d, NULL, &hi));
    EXPECT_NEAR(lo, info.origin[d] + 0.5 * info.spacing[d], 1e-12);
    EXPECT_NEAR(hi, info.origin[d] + (info.shape[d] - 0.5) * info.spacing[d], 1e-12);
  }
  PETAL_ASSERT_OK(VecDestroy(&coef2));
  PETAL_ASSERT_OK(VecDestroy(&types2));
  PETAL_ASSERT_OK(DMDestroy(&da2));
  PETAL_ASSERT_OK(VecDestroy(&coef));
  PETAL_ASSERT_OK(VecDestroy(&types));
  PETAL_ASSERT_OK(DMDestroy(&da));
  RemoveFile(file);
}

} // namespace

TEST(VoxelGrid, RoundTrip2D) { RoundTrip(2, 13, 7, 1, true, "voxel_rt2d"); }
TEST(VoxelGrid, RoundTrip2DWithoutCoefficient) { RoundTrip(2, 5, 9, 1, false, "voxel_rt2d_nocoef"); }
TEST(VoxelGrid, RoundTrip3D) { RoundTrip(3, 6, 5, 4, true, "voxel_rt3d"); }
TEST(VoxelGrid, RoundTripSingleCellRow) { RoundTrip(2, 8, 1, 1, true, "voxel_rt_row"); } // spacing not in the coordinates

TEST(VoxelGrid, ModifiedCoordinatesGiveSpacing)
{
  // a DMDA made without PetalVoxelGridCreateDA: spacing and origin come from its coordinates
  DM                 da;
  Vec                types;
  PetalVoxelGridInfo back;
  const std::string  file = TestFile("voxel_plain_da");
  PETAL_ASSERT_OK(DMDACreate2d(PETSC_COMM_WORLD, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, 11, 6, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, &da));
  PETAL_ASSERT_OK(DMSetUp(da));
  PETAL_ASSERT_OK(DMDASetUniformCoordinates(da, 0.05, 1.05, 0.1, 1.1, 0, 0)); // h = 0.1 and 0.2
  PETAL_ASSERT_OK(DMCreateGlobalVector(da, &types));
  PETAL_ASSERT_OK(VecSet(types, PETAL_CELL_SOLID));
  PETAL_ASSERT_OK(PetalVoxelGridSave(da, types, NULL, file.c_str()));
  PETAL_ASSERT_OK(PetalVoxelGridReadInfo(PETSC_COMM_WORLD, file.c_str(), &back));
  EXPECT_NEAR(back.spacing[0], 0.1, 1e-14);
  EXPECT_NEAR(back.spacing[1], 0.2, 1e-14);
  EXPECT_NEAR(back.origin[0], 0.0, 1e-14);
  EXPECT_NEAR(back.origin[1], 0.0, 1e-14);
  PETAL_ASSERT_OK(VecDestroy(&types));
  PETAL_ASSERT_OK(DMDestroy(&da));
  RemoveFile(file);
}

TEST(VoxelGrid, BundledHeat2D)
{
  const std::string  file = DataFile("heat2d_100.h5");
  PetalVoxelGridInfo info;
  PetalMeshKind      kind;
  DM                 da;
  Vec                types, coef;
  PetscInt           M, N;
  PetscReal          lo, hi;

  PETAL_ASSERT_OK(PetalMeshGetKind(PETSC_COMM_WORLD, file.c_str(), &kind));
  EXPECT_EQ(kind, PETAL_MESH_VOXEL);
  PETAL_ASSERT_OK(PetalVoxelGridReadInfo(PETSC_COMM_WORLD, file.c_str(), &info));
  EXPECT_EQ(info.dim, 2);
  EXPECT_EQ(info.shape[0], 99);
  EXPECT_EQ(info.shape[1], 99);
  EXPECT_EQ(info.shape[2], 1);
  EXPECT_DOUBLE_EQ(info.spacing[0], 0.01);
  EXPECT_DOUBLE_EQ(info.spacing[1], 0.01);
  EXPECT_DOUBLE_EQ(info.origin[0], 0.005);
  EXPECT_DOUBLE_EQ(info.origin[1], 0.005);
  EXPECT_FALSE(info.has_coefficient);
  PETAL_ASSERT_OK(PetalVoxelGridLoad(PETSC_COMM_WORLD, file.c_str(), &da, &types, &coef));
  EXPECT_EQ(coef, (Vec)NULL);
  PETAL_ASSERT_OK(DMDAGetInfo(da, NULL, &M, &N, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  EXPECT_EQ(M, 99);
  EXPECT_EQ(N, 99);
  PETAL_ASSERT_OK(VecMin(types, NULL, &lo));
  PETAL_ASSERT_OK(VecMax(types, NULL, &hi));
  EXPECT_EQ(lo, PETAL_CELL_INTERIOR);
  EXPECT_EQ(hi, PETAL_CELL_INTERIOR);
  Vec coords;
  PETAL_ASSERT_OK(DMGetCoordinates(da, &coords)); // the interior nodes of the unit square's FD grid
  PETAL_ASSERT_OK(VecStrideMin(coords, 0, NULL, &lo));
  PETAL_ASSERT_OK(VecStrideMax(coords, 1, NULL, &hi));
  EXPECT_NEAR(lo, 0.01, 1e-14);
  EXPECT_NEAR(hi, 0.99, 1e-14);
  PETAL_ASSERT_OK(VecDestroy(&types));
  PETAL_ASSERT_OK(DMDestroy(&da));
}

TEST(VoxelGrid, BundledObstacle)
{
  DM        da;
  Vec       types, coef;
  PetscReal lo, hi, solid;
  PETAL_ASSERT_OK(PetalVoxelGridLoad(PETSC_COMM_WORLD, DataFile("obstacle2d_64.h5").c_str(), &da, &types, &coef));
  ASSERT_NE(coef, (Vec)NULL);
  PETAL_ASSERT_OK(VecMin(coef, NULL, &lo));
  PETAL_ASSERT_OK(VecMax(coef, NULL, &hi));
  EXPECT_GE(lo, 1.0);
  EXPECT_LT(hi, 10.0);
  PETAL_ASSERT_OK(VecSum(types, &solid)); // only 0 and 1 occur, so the sum counts the solid cells
  EXPECT_GT(solid, 400);                  // a disc of radius 0.2 covers ~0.126 of 4096 cells
  EXPECT_LT(solid, 640);
  PETAL_ASSERT_OK(VecDestroy(&coef));
  PETAL_ASSERT_OK(VecDestroy(&types));
  PETAL_ASSERT_OK(DMDestroy(&da));
}

// Saves that fail must leave nothing under the final name (and not touch an existing file there).
class VoxelSave : public ::testing::Test {
protected:
  void SetUp() override
  {
    PetalVoxelGridInfo info = MakeInfo(2, 6, 4, 1);
    ASSERT_EQ(PetalVoxelGridCreateDA(PETSC_COMM_WORLD, &info, &da), 0);
    ASSERT_EQ(DMCreateGlobalVector(da, &types), 0);
    ASSERT_EQ(DMCreateGlobalVector(da, &coef), 0);
    Pattern(da, types, false, true);
    Pattern(da, coef, true, true);
  }
  void TearDown() override
  {
    VecDestroy(&coef);
    VecDestroy(&types);
    DMDestroy(&da);
  }
  DM  da;
  Vec types, coef;
};

TEST_F(VoxelSave, MissingDirectoryFailsAndLeavesNoFile)
{
  const std::string file = "no_such_directory/" + TestFile("grid");
  PETAL_EXPECT_ERROR_WITH(PetalVoxelGridSave(da, types, coef, file.c_str()), file.c_str());
  EXPECT_FALSE(FileExists(file));
  EXPECT_FALSE(FileExists(file + ".tmp"));
}

TEST_F(VoxelSave, BlockedTemporaryFailsAndLeavesNoFile)
{
  // a directory where the temporary file should go makes the HDF5 create fail
  const std::string file = TestFile("voxel_blocked");
  RemoveFile(file);
  if (Rank() == 0) mkdir((file + ".tmp").c_str(), 0755);
  MPI_Barrier(PETSC_COMM_WORLD);
  PETAL_EXPECT_PETSC_ERROR(PetalVoxelGridSave(da, types, coef, file.c_str()));
  EXPECT_FALSE(FileExists(file));
  if (Rank() == 0) rmdir((file + ".tmp").c_str());
  MPI_Barrier(PETSC_COMM_WORLD);
}

TEST_F(VoxelSave, RejectedDataKeepsExistingFile)
{
  const std::string file = TestFile("voxel_keep");
  PETAL_ASSERT_OK(PetalVoxelGridSave(da, types, coef, file.c_str()));
  SetCell(da, coef, 5, 0, NAN);
  PETAL_EXPECT_ERROR_WITH(PetalVoxelGridSave(da, types, coef, file.c_str()), "nan", "(5,0)");
  SetCell(da, types, 3, 2, 7);
  PETAL_EXPECT_ERROR_WITH(PetalVoxelGridSave(da, types, NULL, file.c_str()), "value 7", "(3,2)");
  EXPECT_FALSE(FileExists(file + ".tmp"));
  // the earlier, good file is still there and intact
  DM  da2;
  Vec types2, coef2;
  PETAL_ASSERT_OK(PetalVoxelGridLoad(PETSC_COMM_WORLD, file.c_str(), &da2, &types2, &coef2));
  Pattern(da2, types2, false, false);
  Pattern(da2, coef2, true, false);
  PETAL_ASSERT_OK(VecDestroy(&coef2));
  PETAL_ASSERT_OK(VecDestroy(&types2));
  PETAL_ASSERT_OK(DMDestroy(&da2));
  RemoveFile(file);
}
