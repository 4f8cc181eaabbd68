// Unstructured meshes: DMPlex read from PETSc's native HDF5, XDMF-flavoured HDF5 (*.xdmf.h5) or gmsh
// .msh with DMPlexCreateFromFile, and written in the native HDF5 layout.
#include <petal/mesh.h>
#include <petsc/private/petscimpl.h> // PetscValid* argument checks
#include <petal/driver.h>
#include <petal/io.h>
#include <petal/petal.h>
#include <petscsf.h>
#include <petscviewerhdf5.h>
#include "core/h5.hpp"
#include "core/file_verdict.hpp"
#include "meshes/gmsh_check.hpp"
#include "meshes/plex_check.hpp"
#include <string>
#include <vector>

namespace
{

/* Marks the faces on the boundary of the whole domain with 1, correct on distributed meshes too.
 *
 * Why not just DMPlexMarkBoundaryFaces: in PETSc 3.18 it marks every face with one supporting cell,
 * which includes faces on the boundary between two ranks' parts. Here each copy of a face counts only
 * the supporting cells its rank owns (a cell is owned by exactly one rank, also with overlap), the
 * counts are summed at the face's owner over the point SF and sent back, and faces whose global count
 * is 1 are marked. */
PetscErrorCode MarkBoundaryFaces(DM dm, DMLabel label)
{
  PetscSF         sf;
  PetscInt        pStart, pEnd, fStart, fEnd, cStart, cEnd, nroots, nleaves;
  const PetscInt *ilocal;

  PetscFunctionBegin;
  PetscCall(DMPlexGetChart(dm, &pStart, &pEnd));
  PetscCall(DMPlexGetHeightStratum(dm, 1, &fStart, &fEnd));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(DMGetPointSF(dm, &sf));
  PetscCall(PetscSFGetGraph(sf, &nroots, &nleaves, &ilocal, NULL));
  std::vector<char>     leaf(pEnd - pStart, 0);
  std::vector<PetscInt> local(pEnd - pStart, 0), global;
  if (nroots >= 0)
    for (PetscInt l = 0; l < nleaves; ++l) leaf[(ilocal ? ilocal[l] : l) - pStart] = 1;
  for (PetscInt f = fStart; f < fEnd; ++f) {
    const PetscInt *support;
    PetscInt        n;
    PetscCall(DMPlexGetSupportSize(dm, f, &n));
    PetscCall(DMPlexGetSupport(dm, f, &support));
    for (PetscInt s = 0; s < n; ++s)
      if (support[s] >= cStart && support[s] < cEnd && !leaf[support[s] - pStart]) local[f - pStart]++;
  }
  global = local;
  if (nroots >= 0) {
    PetscCall(PetscSFReduceBegin(sf, MPIU_INT, local.data(), global.data(), MPI_SUM));
    PetscCall(PetscSFReduceEnd(sf, MPIU_INT, local.data(), global.data(), MPI_SUM));
    PetscCall(PetscSFBcastBegin(sf, MPIU_INT, global.data(), local.data(), MPI_REPLACE));
    PetscCall(PetscSFBcastEnd(sf, MPIU_INT, global.data(), local.data(), MPI_REPLACE));
    for (PetscInt l = 0; l < nleaves; ++l) {
      const PetscInt p = (ilocal ? ilocal[l] : l) - pStart;
      global[p]        = local[p]; // leaves now hold their owner's total
    }
  }
  for (PetscInt f = fStart; f < fEnd; ++f)
    if (global[f - pStart] == 1) PetscCall(DMLabelSetValue(label, f, 1));
  PetscFunctionReturn(0);
}

/* The name a mesh is loaded under: HDF5 storage version 2.0.0 keeps meshes under /topologies/<name>, and a
 * file holding exactly one is read whatever its name; otherwise "plex" (the name petal writes; older layouts
 * ignore it). Called on rank 0. */
std::string PlexName(hid_t file)
{
  H5G_info_t info;
  char       name[256];
  if (petal::h5::LinkExists(file, "/topologies") && H5Gget_info_by_name(file, "/topologies", &info, H5P_DEFAULT) >= 0 && info.nlinks == 1) {
    ssize_t n = H5Lget_name_by_idx(file, "/topologies", H5_INDEX_NAME, H5_ITER_INC, 0, name, sizeof(name), H5P_DEFAULT);
    if (n > 0 && (size_t)n < sizeof(name)) return name;
  }
  return "plex";
}

enum class PlexFormat : int { NATIVE = 0, XDMF = 1, GMSH = 2 };

/* How to read the file (decided on rank 0 from its content, and broadcast) and the mesh's name in it. The
 * loader is picked here, not by DMPlexCreateFromFile: PETSc 3.18's extension test reads before the start of
 * names shorter than 8 characters. */
PetscErrorCode PlexFormatOf(MPI_Comm comm, const char filename[], PlexFormat *format, std::string *name)
{
  PetscMPIInt rank;
  int         fmt = (int)PlexFormat::GMSH;
  char        buf[256] = "plex";

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0 && petal::h5::IsHDF5(filename)) {
    petal::h5::Quiet  quiet;
    petal::h5::Handle file(H5Fopen(filename, H5F_ACC_RDONLY, H5P_DEFAULT));
    const bool        native = file.valid() && (petal::h5::LinkExists(file, "/topology/cells") || petal::h5::LinkExists(file, "/topologies"));
    fmt                      = (int)(native ? PlexFormat::NATIVE : PlexFormat::XDMF);
    if (file.valid()) PetscCall(PetscStrncpy(buf, PlexName(file).c_str(), sizeof(buf)));
  }
  PetscCallMPI(MPI_Bcast(&fmt, 1, MPI_INT, 0, comm));
  PetscCallMPI(MPI_Bcast(buf, (PetscMPIInt)sizeof(buf), MPI_CHAR, 0, comm));
  *format = (PlexFormat)fmt;
  *name   = buf;
  PetscFunctionReturn(0);
}

/* Reads the mesh on comm, interpolated (what DMPlexCreateFromFile does for these formats). */
PetscErrorCode ReadPlex(MPI_Comm comm, const char filename[], PlexFormat format, const std::string &name, DM *dm)
{
  PetscViewer viewer;
  DM          idm;

  PetscFunctionBegin;
  *dm = NULL;
  if (format == PlexFormat::GMSH) {
    PetscCall(DMPlexCreateGmshFromFile(comm, filename, PETSC_TRUE, dm));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscViewerHDF5Open(comm, filename, FILE_MODE_READ, &viewer));
  if (format == PlexFormat::XDMF) PetscCall(PetscViewerPushFormat(viewer, PETSC_VIEWER_HDF5_XDMF));
  PetscCall(DMCreate(comm, dm));
  PetscCall(PetscObjectSetName((PetscObject)*dm, name.c_str()));
  PetscCall(DMSetType(*dm, DMPLEX));
  PetscCall(DMLoad(*dm, viewer));
  if (format == PlexFormat::XDMF) PetscCall(PetscViewerPopFormat(viewer));
  PetscCall(PetscViewerDestroy(&viewer));
  PetscCall(DMPlexInterpolate(*dm, &idm));
  PetscCall(DMDestroy(dm));
  *dm = idm;
  PetscFunctionReturn(0);
}

/* Every label names points of the mesh (a file can name any integer; distributing such a label reads out of
 * bounds). */
PetscErrorCode CheckLabels(DM dm)
{
  PetscInt pStart, pEnd, nlabels;

  PetscFunctionBegin;
  PetscCall(DMPlexGetChart(dm, &pStart, &pEnd));
  PetscCall(DMGetNumLabels(dm, &nlabels));
  for (PetscInt l = 0; l < nlabels; ++l) {
    const char     *lname;
    DMLabel         label;
    IS              values;
    const PetscInt *v;
    PetscInt        nv;
    PetscCall(DMGetLabelName(dm, l, &lname));
    PetscCall(DMGetLabel(dm, lname, &label));
    PetscCall(DMLabelGetValueIS(label, &values));
    PetscCall(ISGetLocalSize(values, &nv));
    PetscCall(ISGetIndices(values, &v));
    for (PetscInt k = 0; k < nv; ++k) {
      IS              points;
      const PetscInt *p;
      PetscInt        np;
      PetscCall(DMLabelGetStratumIS(label, v[k], &points));
      if (!points) continue;
      PetscCall(ISGetLocalSize(points, &np));
      PetscCall(ISGetIndices(points, &p));
      for (PetscInt i = 0; i < np; ++i)
        PetscCheck(p[i] >= pStart && p[i] < pEnd, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "label \"%s\" (value %" PetscInt_FMT ") names point %" PetscInt_FMT ", but the mesh has points %" PetscInt_FMT " to %" PetscInt_FMT, lname, v[k], p[i], pStart, pEnd - 1);
      PetscCall(ISRestoreIndices(points, &p));
      PetscCall(ISDestroy(&points));
    }
    PetscCall(ISRestoreIndices(values, &v));
    PetscCall(ISDestroy(&values));
  }
  PetscFunctionReturn(0);
}

/* What petal requires of a mesh before any rank uses it: cells, a coordinate dimension that matches the
 * topology (a file with 5 coordinate columns is not a 2-D mesh), finite coordinates, labels inside the mesh,
 * and a consistent topology and geometry (PETSc's own checks). Called on a serial mesh on rank 0. */
PetscErrorCode CheckPlex(DM dm)
{
  PetscInt           dim, cdim, cStart, cEnd, n;
  Vec                coords;
  const PetscScalar *x;

  PetscFunctionBegin;
  PetscCall(DMGetDimension(dm, &dim));
  PetscCall(DMGetCoordinateDim(dm, &cdim));
  PetscCheck(dim >= 1 && dim <= 3, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "its topology is %" PetscInt_FMT "-dimensional; petal reads 1-, 2- and 3-D meshes", dim);
  PetscCheck(cdim >= dim && cdim <= 3, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "its vertices have %" PetscInt_FMT " coordinates, but its cells are %" PetscInt_FMT "-D (expected %" PetscInt_FMT " to 3 coordinates per vertex)", cdim, dim, dim);
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCheck(cEnd > cStart, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "it has no cells");
  PetscCall(DMGetCoordinatesLocal(dm, &coords));
  PetscCheck(coords, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "it has no vertex coordinates");
  PetscCall(VecGetLocalSize(coords, &n));
  PetscCall(VecGetArrayRead(coords, &x));
  for (PetscInt i = 0; i < n; ++i)
    PetscCheck(PetscIsNormalReal(PetscRealPart(x[i])) || PetscRealPart(x[i]) == 0, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "vertex %" PetscInt_FMT " has the non-finite coordinate %g", i / cdim, (double)PetscRealPart(x[i]));
  PetscCall(VecRestoreArrayRead(coords, &x));
  PetscCall(CheckLabels(dm));
  // A face shared by more than two cells is no mesh of a domain (PETSc's checks accept it, and its partitioner
  // then fails on some ranks only).
  {
    PetscInt fStart, fEnd, support;
    PetscCall(DMPlexGetHeightStratum(dm, 1, &fStart, &fEnd));
    for (PetscInt f = fStart; f < fEnd; ++f) {
      PetscCall(DMPlexGetSupportSize(dm, f, &support));
      PetscCheck(support >= 1 && support <= 2, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "face %" PetscInt_FMT " belongs to %" PetscInt_FMT " cells; a face of a mesh belongs to one or two", f, support);
    }
  }
  PetscCall(DMPlexCheckSymmetry(dm));
  PetscCall(DMPlexCheckSkeleton(dm, 0));
  PetscCall(DMPlexCheckFaces(dm, 0));
  PetscCall(DMPlexCheckGeometry(dm));
  PetscFunctionReturn(0);
}

} // namespace

PetscErrorCode PetalPlexLoad(MPI_Comm comm, const char filename[], DM *dm)
{
  PetalMeshKind kind;
  PlexFormat    format;
  std::string   name, why;
  DM            mesh = NULL, dist = NULL;
  PetscBool     has, ok;
  PetscMPIInt   size;

  PetscFunctionBegin;
  PetscValidCharPointer(filename, 2);
  PetscValidPointer(dm, 3);
  PetscCall(PetscLogEventBegin(PETAL_MeshLoad, 0, 0, 0, 0));
  PetscCall(PetalMeshGetKind(comm, filename, &kind)); // errors, naming the file, if missing or unknown
  PetscCheck(kind == PETAL_MESH_PLEX, comm, PETSC_ERR_FILE_UNEXPECTED, "File \"%s\" is a petal-voxel grid, not an unstructured mesh: read it with PetalVoxelGridLoad", filename);
  PetscCall(PlexFormatOf(comm, filename, &format, &name));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  // Rank 0 reads and checks the whole mesh alone first: PETSc's loaders raise errors on some ranks only
  // (rank 0 parses a gmsh file while the others wait in a broadcast), which would split the job. On one rank
  // that read is the load itself.
  PetscCall(petal::CheckOnRankZero(
    comm,
    [&]() -> PetscErrorCode {
      petal::h5::Quiet quiet;
      DM               serial = NULL;
      PetscFunctionBegin;
      if (format == PlexFormat::GMSH) PetscCall(petal::mesh::CheckGmshFile(filename));
      else PetscCall(petal::mesh::CheckPlexFile(filename, format == PlexFormat::XDMF, name.c_str()));
      PetscCall(ReadPlex(size == 1 ? comm : PETSC_COMM_SELF, filename, format, name, &serial));
      PetscCall(CheckPlex(serial));
      if (size == 1) mesh = serial;
      else PetscCall(DMDestroy(&serial));
      PetscFunctionReturn(0);
    },
    &ok, &why));
  PetscCheck(ok, comm, PETSC_ERR_FILE_UNEXPECTED, "Cannot read the unstructured mesh in \"%s\": %s", filename, why.c_str());
  if (size > 1) {
    petal::h5::Quiet quiet;
    PetscCall(ReadPlex(comm, filename, format, name, &mesh));
  }
  // A "marker" label on the boundary, as DMPlexCreateBoxMesh makes: faces and their closure, value 1
  PetscCall(DMHasLabel(mesh, "marker", &has));
  if (!has) {
    DMLabel label;
    PetscCall(DMCreateLabel(mesh, "marker"));
    PetscCall(DMGetLabel(mesh, "marker", &label));
    PetscCall(MarkBoundaryFaces(mesh, label));
    PetscCall(DMPlexLabelComplete(mesh, label));
  }
  PetscCall(DMPlexDistribute(mesh, 0, NULL, &dist));
  if (dist) {
    PetscCall(DMDestroy(&mesh));
    mesh = dist;
  }
  *dm = mesh;
  PetscCall(PetscLogEventEnd(PETAL_MeshLoad, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalPlexSave(DM dm, const char filename[])
{
  MPI_Comm       comm;
  PetscViewer    viewer = NULL;
  char           tmpname[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscValidHeaderSpecific(dm, DM_CLASSID, 1);
  PetscValidCharPointer(filename, 2);
  PetscCall(PetscObjectGetComm((PetscObject)dm, &comm));
  PetscCall(PetscLogEventBegin(PETAL_MeshSave, 0, 0, 0, 0));
  PetscCall(PetalCheckWritable(comm, filename)); // names the file and the reason (e.g. a missing folder)
  PetscCall(PetalAtomicFileTempName(filename, tmpname, sizeof(tmpname)));
  {
    // Any failure returns at once, without closing the file: closing is collective, and a failure on one rank
    // must not wait for ranks that are still writing (the caller's PetalDriverFinalize removes the temporary).
    petal::h5::Quiet quiet;
    PetscCall(PetscViewerHDF5Open(comm, tmpname, FILE_MODE_WRITE, &viewer));
    PetscCall(PetalFaultPoint("mesh_save"));
    PetscCall(DMView(dm, viewer));
    PetscCall(PetscViewerDestroy(&viewer));
  }
  PetscCall(PetalAtomicFileCommit(comm, tmpname, filename));
  PetscCall(PetscLogEventEnd(PETAL_MeshSave, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
