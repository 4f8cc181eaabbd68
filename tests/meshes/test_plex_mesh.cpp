// Unstructured meshes: bundled files, save -> load round trips, gmsh and XDMF input, PetalMeshView.
#include "mesh_test_util.hpp"
#include <petscsf.h>
#include <petscviewerhdf5.h>
#include <fstream>
#include <sstream>
#include <vector>

namespace
{

struct PlexStats {
  PetscInt64 cells = 0, vertices = 0, markedFaces = 0;
  PetscReal  lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  PetscBool  hasMarker = PETSC_FALSE;
};

// Global counts (each point counted on its owning rank only) and bounding box of a distributed mesh.
PetscErrorCode GetStats(DM dm, PlexStats *s)
{
  PetscSF         sf;
  PetscInt        pStart, pEnd, cStart, cEnd, vStart, vEnd, fStart, fEnd, nroots, nleaves;
  const PetscInt *ilocal;
  DMLabel         marker = NULL;
  PetscInt64      local[3] = {0, 0, 0}, global[3];

  PetscFunctionBeginUser;
  PetscCall(DMPlexGetChart(dm, &pStart, &pEnd));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(DMPlexGetHeightStratum(dm, 1, &fStart, &fEnd));
  PetscCall(DMPlexGetDepthStratum(dm, 0, &vStart, &vEnd));
  PetscCall(DMGetPointSF(dm, &sf));
  PetscCall(PetscSFGetGraph(sf, &nroots, &nleaves, &ilocal, NULL));
  std::vector<char> owned(pEnd - pStart, 1);
  if (nroots >= 0)
    for (PetscInt l = 0; l < nleaves; ++l) owned[(ilocal ? ilocal[l] : l) - pStart] = 0;
  PetscCall(DMHasLabel(dm, "marker", &s->hasMarker));
  if (s->hasMarker) PetscCall(DMGetLabel(dm, "marker", &marker));
  for (PetscInt p = pStart; p < pEnd; ++p) {
    if (!owned[p - pStart]) continue;
    if (p >= cStart && p < cEnd) local[0]++;
    if (p >= vStart && p < vEnd) local[1]++;
    if (marker && p >= fStart && p < fEnd) {
      PetscInt v;
      PetscCall(DMLabelGetValue(marker, p, &v));
      if (v == 1) local[2]++;
    }
  }
  PetscCallMPI(MPI_Allreduce(local, global, 3, MPIU_INT64, MPI_SUM, PetscObjectComm((PetscObject)dm)));
  s->cells       = global[0];
  s->vertices    = global[1];
  s->markedFaces = global[2];
  PetscCall(DMGetBoundingBox(dm, s->lo, s->hi));
  PetscFunctionReturn(0);
}

void ExpectStats(const std::string &file, PetscInt64 cells, PetscInt64 vertices, PetscInt64 markedFaces, PlexStats *out = NULL)
{
  DM        dm;
  PlexStats s;
  PETAL_ASSERT_OK(PetalPlexLoad(PETSC_COMM_WORLD, file.c_str(), &dm));
  PETAL_ASSERT_OK(GetStats(dm, &s));
  EXPECT_EQ(s.cells, cells) << file;
  EXPECT_EQ(s.vertices, vertices) << file;
  EXPECT_TRUE(s.hasMarker) << file;
  EXPECT_EQ(s.markedFaces, markedFaces) << file;
  for (int d = 0; d < 2; ++d) {
    EXPECT_NEAR(s.lo[d], 0.0, 1e-12) << file;
    EXPECT_NEAR(s.hi[d], 1.0, 1e-12) << file;
  }
  if (out) *out = s;
  PETAL_ASSERT_OK(DMDestroy(&dm));
}

} // namespace

TEST(PlexMesh, BundledSquare)
{
  PetalMeshKind kind;
  PETAL_ASSERT_OK(PetalMeshGetKind(PETSC_COMM_WORLD, DataFile("square_plex.h5").c_str(), &kind));
  EXPECT_EQ(kind, PETAL_MESH_PLEX);
  ExpectStats(DataFile("square_plex.h5"), 2 * 16 * 16, 17 * 17, 4 * 16); // 16x16 squares, 2 triangles each
}

TEST(PlexMesh, GmshAndItsConversion)
{
  PetalMeshKind kind;
  PlexStats     msh, h5;
  PETAL_ASSERT_OK(PetalMeshGetKind(PETSC_COMM_WORLD, DataFile("square_hole.msh").c_str(), &kind));
  EXPECT_EQ(kind, PETAL_MESH_PLEX);
  // square with a hole: 40 outer + 28 hole boundary edges (the .geo's mesh sizes)
  ExpectStats(DataFile("square_hole.msh"), 404, 236, 68, &msh);
  ExpectStats(DataFile("square_hole.h5"), msh.cells, msh.vertices, msh.markedFaces, &h5);
  DM        dm;
  PetscBool faceSets;
  PETAL_ASSERT_OK(PetalPlexLoad(PETSC_COMM_WORLD, DataFile("square_hole.msh").c_str(), &dm));
  PETAL_ASSERT_OK(DMHasLabel(dm, "Face Sets", &faceSets)); // gmsh's physical curves survive
  EXPECT_TRUE(faceSets);
  PETAL_ASSERT_OK(DMDestroy(&dm));
}

TEST(PlexMesh, SaveLoadRoundTrip)
{
  DM                dm;
  PlexStats         before;
  const std::string file = TestFile("plex_rt");
  PETAL_ASSERT_OK(PetalPlexLoad(PETSC_COMM_WORLD, DataFile("square_plex.h5").c_str(), &dm)); // distributed
  PETAL_ASSERT_OK(GetStats(dm, &before));
  RemoveFile(file);
  PETAL_ASSERT_OK(PetalPlexSave(dm, file.c_str()));
  EXPECT_FALSE(FileExists(file + ".tmp"));
  PETAL_ASSERT_OK(DMDestroy(&dm));
  ExpectStats(file, before.cells, before.vertices, before.markedFaces);
  RemoveFile(file);
}

TEST(PlexMesh, DistributedQuadBoxRoundTrip)
{
  DM                dm, dist = NULL;
  const PetscInt    faces[2] = {5, 4};
  const std::string file     = TestFile("plex_quads");
  PETAL_ASSERT_OK(DMPlexCreateBoxMesh(PETSC_COMM_WORLD, 2, PETSC_FALSE, faces, NULL, NULL, NULL, PETSC_TRUE, &dm));
  PETAL_ASSERT_OK(DMPlexDistribute(dm, 0, NULL, &dist));
  if (dist) {
    PETAL_ASSERT_OK(DMDestroy(&dm));
    dm = dist;
  }
  RemoveFile(file);
  PETAL_ASSERT_OK(PetalPlexSave(dm, file.c_str()));
  PETAL_ASSERT_OK(DMDestroy(&dm));
  ExpectStats(file, 20, 30, 18);
  RemoveFile(file);
}

TEST(PlexMesh, XdmfWithoutMarkerGetsOne)
{
  // XDMF files carry no labels: the loader marks the boundary, also when the file is read in parallel
  DM                dm;
  PetscViewer       viewer;
  const PetscInt    faces[2] = {6, 5};
  const std::string file     = TestFile("plex_box") + ".xdmf.h5";
  PETAL_ASSERT_OK(DMPlexCreateBoxMesh(PETSC_COMM_WORLD, 2, PETSC_FALSE, faces, NULL, NULL, NULL, PETSC_TRUE, &dm));
  PETAL_ASSERT_OK(PetscViewerHDF5Open(PETSC_COMM_WORLD, file.c_str(), FILE_MODE_WRITE, &viewer));
  PETAL_ASSERT_OK(PetscViewerPushFormat(viewer, PETSC_VIEWER_HDF5_XDMF));
  PETAL_ASSERT_OK(DMView(dm, viewer));
  PETAL_ASSERT_OK(PetscViewerPopFormat(viewer));
  PETAL_ASSERT_OK(PetscViewerDestroy(&viewer));
  PETAL_ASSERT_OK(DMDestroy(&dm));
  ExpectStats(file, 30, 42, 22);
  RemoveFile(file);
}

TEST(PlexMesh, SaveToMissingDirectoryFails)
{
  DM                dm;
  const PetscInt    faces[2] = {2, 2};
  const std::string file     = "no_such_directory/" + TestFile("plex");
  PETAL_ASSERT_OK(DMPlexCreateBoxMesh(PETSC_COMM_WORLD, 2, PETSC_FALSE, faces, NULL, NULL, NULL, PETSC_TRUE, &dm));
  PETAL_EXPECT_ERROR_WITH(PetalPlexSave(dm, file.c_str()), file.c_str());
  EXPECT_FALSE(FileExists(file));
  PETAL_ASSERT_OK(DMDestroy(&dm));
}

TEST(MeshView, SummarizesEveryKind)
{
  const std::string out = TestFile("mesh_view") + ".txt";
  PetscViewer       viewer;
  PETAL_ASSERT_OK(PetscViewerASCIIOpen(PETSC_COMM_WORLD, out.c_str(), &viewer));
  PETAL_ASSERT_OK(PetalMeshView(PETSC_COMM_WORLD, DataFile("obstacle2d_64.h5").c_str(), viewer));
  PETAL_ASSERT_OK(PetalMeshView(PETSC_COMM_WORLD, DataFile("square_plex.h5").c_str(), viewer));
  PETAL_ASSERT_OK(PetalMeshView(PETSC_COMM_WORLD, DataFile("square_hole.msh").c_str(), viewer));
  PETAL_ASSERT_OK(PetscViewerDestroy(&viewer));
  if (Rank() == 0) {
    std::stringstream text;
    text << std::ifstream(out).rdbuf();
    const std::string s = text.str();
    for (const char *want : {"voxel grid", "64 x 64 = 4096", "solid", "Coefficient:  min", "512 triangle", "289", "marker: 1", "Face Sets: 1 (40) 2 (28)"})
      EXPECT_NE(s.find(want), std::string::npos) << "summary lacks \"" << want << "\":\n" << s;
  }
  RemoveFile(out);
}
