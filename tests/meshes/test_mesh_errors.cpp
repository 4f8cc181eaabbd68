// Bad mesh input must give PETSc errors that name the file and the problem, never a crash.
// The bad files are written here with the plain HDF5 C API, as a careless tool might write them.
#include "mesh_test_util.hpp"
#include <hdf5.h>
#include <cmath>
#include <fstream>
#include <vector>

namespace
{

// What to put in a voxel file; the defaults make a valid 4x3 grid.
struct VoxelSpec {
  bool                   formatAttr = true, shapeSet = true, cellTypeSet = true;
  bool                   vlenUtf8   = false; // petal_format as h5py writes str: variable-length UTF-8
  bool                   nullPad    = false; // as h5py writes numpy.bytes_: 11 bytes, null-padded, no NUL
  long long              version    = 1;
  std::vector<long long> shape      = {4, 3};
  std::vector<double>    spacing    = {0.1, 0.2}, origin = {0, 0};
  std::vector<hsize_t>   cellDims; // default: shape reversed
  std::vector<unsigned char> cellTypes;
  std::vector<double>        coefficient; // written if non-empty
  std::vector<hsize_t>       coefDims;    // default: cellDims
};

void WriteDataset(hid_t file, const char *path, hid_t filetype, hid_t memtype, const std::vector<hsize_t> &dims, const void *data)
{
  hid_t space = H5Screate_simple((int)dims.size(), dims.data(), NULL);
  hid_t dset  = H5Dcreate2(file, path, filetype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(dset);
  H5Sclose(space);
}

// Rank 0 writes the file; everybody waits for it.
std::string WriteVoxel(const std::string &stem, VoxelSpec s)
{
  const std::string name = TestFile(stem);
  if (Rank() == 0) {
    hid_t file = H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t scalar = H5Screate(H5S_SCALAR);
    if (s.formatAttr) {
      hid_t       str   = H5Tcopy(H5T_C_S1);
      const char *value = "petal-voxel";
      H5Tset_size(str, s.vlenUtf8 ? H5T_VARIABLE : 11);
      if (s.vlenUtf8) H5Tset_cset(str, H5T_CSET_UTF8);
      if (s.nullPad) H5Tset_strpad(str, H5T_STR_NULLPAD);
      hid_t a = H5Acreate2(file, "petal_format", str, scalar, H5P_DEFAULT, H5P_DEFAULT);
      H5Awrite(a, str, s.vlenUtf8 ? (const void *)&value : (const void *)value);
      H5Aclose(a);
      H5Tclose(str);
      a = H5Acreate2(file, "petal_format_version", H5T_STD_I64LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
      H5Awrite(a, H5T_NATIVE_LLONG, &s.version);
      H5Aclose(a);
    }
    H5Sclose(scalar);
    hid_t grid = H5Gcreate2(file, "/grid", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Gclose(grid);
    const hsize_t n = s.shape.size();
    if (s.shapeSet) {
      WriteDataset(file, "/grid/shape", H5T_STD_I64LE, H5T_NATIVE_LLONG, {n}, s.shape.data());
      WriteDataset(file, "/grid/spacing", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {s.spacing.size()}, s.spacing.data());
      WriteDataset(file, "/grid/origin", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {s.origin.size()}, s.origin.data());
    }
    if (s.cellDims.empty())
      for (hsize_t d = n; d-- > 0;) s.cellDims.push_back((hsize_t)s.shape[d]);
    hsize_t cells = 1;
    for (hsize_t d : s.cellDims) cells *= d;
    s.cellTypes.resize(cells, 0);
    if (s.cellTypeSet) WriteDataset(file, "/grid/cell_type", H5T_STD_U8LE, H5T_NATIVE_UCHAR, s.cellDims, s.cellTypes.data());
    if (!s.coefficient.empty()) {
      if (s.coefDims.empty()) s.coefDims = s.cellDims;
      hsize_t ncoef = 1;
      for (hsize_t d : s.coefDims) ncoef *= d;
      s.coefficient.resize(ncoef, 1.0);
      WriteDataset(file, "/grid/coefficient", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, s.coefDims, s.coefficient.data());
    }
    H5Fclose(file);
  }
  MPI_Barrier(PETSC_COMM_WORLD);
  return name;
}

// Loads a voxel file that must be rejected with a message holding the file name and every fragment.
template <typename... Fragments>
void ExpectLoadError(const std::string &file, Fragments... fragments)
{
  DM  da  = NULL;
  Vec t   = NULL, c = NULL;
  PETAL_EXPECT_ERROR_WITH(PetalVoxelGridLoad(PETSC_COMM_WORLD, file.c_str(), &da, &t, &c), file.c_str(), fragments...);
  if (file.find("/meshes/data/") == std::string::npos) RemoveFile(file); // never the bundled files
}

} // namespace

TEST(MeshErrors, ValidFilesFromOtherWritersLoad)
{
  // the writer below makes valid files unless told otherwise, so the failures are for the stated reasons
  for (int variant = 0; variant < 3; ++variant) {
    VoxelSpec s;
    s.vlenUtf8    = variant == 1;
    s.nullPad     = variant == 2;
    s.coefficient = {2.0};
    const std::string file = WriteVoxel("valid_writer" + std::to_string(variant), s);
    DM                da;
    Vec               t, c;
    PetscReal         lo;
    PETAL_ASSERT_OK(PetalVoxelGridLoad(PETSC_COMM_WORLD, file.c_str(), &da, &t, &c));
    PETAL_ASSERT_OK(VecMin(c, NULL, &lo));
    EXPECT_EQ(lo, 1.0); // the writer pads the coefficient with 1
    PETAL_ASSERT_OK(VecDestroy(&c));
    PETAL_ASSERT_OK(VecDestroy(&t));
    PETAL_ASSERT_OK(DMDestroy(&da));
    RemoveFile(file);
  }
}

TEST(MeshErrors, MissingFile)
{
  DM                 da;
  Vec                t, c;
  PetalVoxelGridInfo info;
  PetalMeshKind      kind;
  const char        *file = "no_such_mesh.h5";
  PetscErrorCode     ierr;
  PETAL_EXPECT_ERROR_WITH(PetalVoxelGridLoad(PETSC_COMM_WORLD, file, &da, &t, &c), file);
  PETAL_EXPECT_ERROR_WITH(PetalVoxelGridReadInfo(PETSC_COMM_WORLD, file, &info), file);
  PETAL_EXPECT_ERROR_WITH(PetalPlexLoad(PETSC_COMM_WORLD, file, &da), file);
  PETAL_EXPECT_ERROR_WITH(PetalMeshGetKind(PETSC_COMM_WORLD, file, &kind), file);
  PETAL_EXPECT_ERROR_WITH(PetalMeshView(PETSC_COMM_WORLD, file, NULL), file);
  {
    PETAL_EXPECTED_FAILURE_SCOPE;
    PetscCallAbort(PETSC_COMM_WORLD, PetscPushErrorHandler(PetscReturnErrorHandler, NULL));
    ierr = PetalVoxelGridLoad(PETSC_COMM_WORLD, file, &da, &t, &c);
    PetscCallAbort(PETSC_COMM_WORLD, PetscPopErrorHandler());
  }
  EXPECT_EQ(ierr, PETSC_ERR_FILE_OPEN);
}

TEST(MeshErrors, NotHDF5)
{
  const std::string file = TestFile("not_hdf5");
  DM                dm;
  if (Rank() == 0) std::ofstream(file) << "just some text\n";
  MPI_Barrier(PETSC_COMM_WORLD);
  PETAL_EXPECT_ERROR_WITH(PetalPlexLoad(PETSC_COMM_WORLD, file.c_str(), &dm), file.c_str(), "neither HDF5 nor a gmsh");
  ExpectLoadError(file, "is not an HDF5 file");
}

TEST(MeshErrors, HDF5WithoutAnything)
{
  const std::string file = TestFile("empty_hdf5");
  PetalMeshKind     kind;
  if (Rank() == 0) H5Fclose(H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  MPI_Barrier(PETSC_COMM_WORLD);
  PETAL_EXPECT_ERROR_WITH(PetalMeshGetKind(PETSC_COMM_WORLD, file.c_str(), &kind), file.c_str(), "neither a petal-voxel grid");
  ExpectLoadError(file, "no root attribute petal_format");
}

TEST(MeshErrors, TruncatedHDF5)
{
  const std::string file = TestFile("truncated");
  PetalMeshKind     kind;
  if (Rank() == 0) { // the first 3000 bytes of a good file: a valid superblock, the rest cut off
    std::ifstream     in(DataFile("heat2d_100.h5"), std::ios::binary);
    std::vector<char> head(3000);
    in.read(head.data(), (std::streamsize)head.size());
    std::ofstream(file, std::ios::binary).write(head.data(), in.gcount());
  }
  MPI_Barrier(PETSC_COMM_WORLD);
  PETAL_EXPECT_ERROR_WITH(PetalMeshGetKind(PETSC_COMM_WORLD, file.c_str(), &kind), file.c_str(), "truncated or damaged");
  ExpectLoadError(file, "truncated or damaged");
}

TEST(MeshErrors, MissingDatasets)
{
  VoxelSpec s;
  s.shapeSet = false;
  s.cellTypeSet = false;
  ExpectLoadError(WriteVoxel("no_shape", s), "has no dataset /grid/shape");
  s.shapeSet = true;
  ExpectLoadError(WriteVoxel("no_cell_type", s), "has no dataset /grid/cell_type");
}

TEST(MeshErrors, ShapeMismatch)
{
  VoxelSpec s;
  s.shape    = {10, 12};
  s.cellDims = {10, 12}; // should be [ny][nx] = 12x10
  ExpectLoadError(WriteVoxel("shape_mismatch", s), "/grid/cell_type", "has shape 10x12", "says 12x10");
  VoxelSpec c;
  c.shape       = {10, 12};
  c.coefficient = {1.0};
  c.coefDims    = {120}; // flattened by mistake
  const std::string name = WriteVoxel("coef_mismatch", c);
  ExpectLoadError(name, "/grid/coefficient", "has shape 120");
}

TEST(MeshErrors, BadCellType)
{
  VoxelSpec s;
  s.cellTypes    = std::vector<unsigned char>(12, 0);
  s.cellTypes[6] = 7; // row j = 1, column i = 2 of the 4x3 grid
  ExpectLoadError(WriteVoxel("cell_type_7", s), "value 7", "(i,j) = (2,1)");
}

TEST(MeshErrors, BadCoefficients)
{
  VoxelSpec s;
  s.coefficient     = std::vector<double>(12, 1.0);
  s.coefficient[5]  = NAN;
  ExpectLoadError(WriteVoxel("coef_nan", s), "nan", "(i,j) = (1,1)");
  s.coefficient[5]  = 1.0;
  s.coefficient[11] = -2.0;
  ExpectLoadError(WriteVoxel("coef_negative", s), "is -2", "(i,j) = (3,2)", "> 0");
  s.coefficient[11] = 0.0;
  ExpectLoadError(WriteVoxel("coef_zero", s), "is 0", "(i,j) = (3,2)");
  s.coefficient[11] = INFINITY;
  ExpectLoadError(WriteVoxel("coef_inf", s), "inf");
}

TEST(MeshErrors, BadHeader)
{
  VoxelSpec s;
  s.shape   = {2, 2, 2, 2};
  s.spacing = {1, 1, 1, 1};
  s.origin  = {0, 0, 0, 0};
  ExpectLoadError(WriteVoxel("dim4", s), "dim = 4", "dim 2 or 3");
  s         = VoxelSpec();
  s.spacing = {0.1, -0.5};
  ExpectLoadError(WriteVoxel("neg_spacing", s), "/grid/spacing", "-0.5", "> 0");
  s         = VoxelSpec();
  s.spacing = {0.1};
  ExpectLoadError(WriteVoxel("short_spacing", s), "/grid/spacing", "expected 2 entries");
  s         = VoxelSpec();
  s.version = 2;
  ExpectLoadError(WriteVoxel("version2", s), "petal_format_version 2");
}

TEST(MeshErrors, WrongKindForReader)
{
  DM dm;
  PETAL_EXPECT_ERROR_WITH(PetalPlexLoad(PETSC_COMM_WORLD, DataFile("heat2d_100.h5").c_str(), &dm), "heat2d_100.h5", "petal-voxel grid");
  ExpectLoadError(DataFile("square_plex.h5"), "no root attribute petal_format");
}

TEST(MeshErrors, TruncatedGmsh)
{
  // DMPlexCreateGmsh parses on rank 0 only: a parse error there would leave other ranks waiting
  PetscMPIInt size;
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  if (size > 1) GTEST_SKIP() << "serial only";
  const std::string file = TestFile("truncated") + ".msh";
  DM                dm;
  std::ofstream(file) << "$MeshFormat\n2.2 0 8\n$EndMeshFormat\n$Nodes\n3\n1 0 0 0\n";
  PETAL_EXPECT_ERROR_WITH(PetalPlexLoad(PETSC_COMM_WORLD, file.c_str(), &dm), file.c_str());
  RemoveFile(file);
}
