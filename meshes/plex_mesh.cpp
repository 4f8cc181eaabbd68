// Unstructured meshes: DMPlex read from PETSc's native HDF5, XDMF-flavoured HDF5 (*.xdmf.h5) or gmsh
// .msh with DMPlexCreateFromFile, and written in the native HDF5 layout.
#include <petal/mesh.h>
#include <petsc/private/petscimpl.h> // PetscValid* argument checks
#include <petal/io.h>
#include <petal/petal.h>
#include <petscsf.h>
#include <petscviewerhdf5.h>
#include "core/h5.hpp"
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

/* The name DMPlexCreateFromFile must be given: HDF5 storage version 2.0.0 keeps meshes under
 * /topologies/<name>, and a file holding exactly one is read whatever its name; otherwise "plex" (the
 * name petal writes; older layouts ignore it). Rank 0 looks, everyone gets the answer. */
PetscErrorCode PlexName(MPI_Comm comm, const char filename[], char name[], size_t len)
{
  PetscMPIInt rank;

  PetscFunctionBegin;
  PetscCall(PetscStrncpy(name, "plex", len));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0 && petal::h5::IsHDF5(filename)) {
    petal::h5::Quiet  quiet;
    petal::h5::Handle file(H5Fopen(filename, H5F_ACC_RDONLY, H5P_DEFAULT));
    H5G_info_t        info;
    if (file.valid() && petal::h5::LinkExists(file, "/topologies") && H5Gget_info_by_name(file, "/topologies", &info, H5P_DEFAULT) >= 0 && info.nlinks == 1) {
      ssize_t n = H5Lget_name_by_idx(file, "/topologies", H5_INDEX_NAME, H5_ITER_INC, 0, name, len, H5P_DEFAULT);
      if (n <= 0 || (size_t)n >= len) PetscCall(PetscStrncpy(name, "plex", len));
    }
  }
  PetscCallMPI(MPI_Bcast(name, (PetscMPIInt)len, MPI_CHAR, 0, comm));
  PetscFunctionReturn(0);
}

} // namespace

PetscErrorCode PetalPlexLoad(MPI_Comm comm, const char filename[], DM *dm)
{
  PetalMeshKind  kind;
  DM             mesh = NULL, dist = NULL;
  PetscBool      has;
  char           name[256];
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscValidCharPointer(filename, 2);
  PetscValidPointer(dm, 3);
  PetscCall(PetscLogEventBegin(PETAL_MeshLoad, 0, 0, 0, 0));
  PetscCall(PetalMeshGetKind(comm, filename, &kind)); // errors, naming the file, if missing or unknown
  PetscCheck(kind == PETAL_MESH_PLEX, comm, PETSC_ERR_FILE_UNEXPECTED, "File \"%s\" is a petal-voxel grid, not an unstructured mesh: read it with PetalVoxelGridLoad", filename);
  PetscCall(PlexName(comm, filename, name, sizeof(name)));
  {
    petal::h5::Quiet quiet;
    ierr = DMPlexCreateFromFile(comm, filename, name, PETSC_TRUE, &mesh);
  }
  PetscCheck(!ierr, comm, PETSC_ERR_FILE_UNEXPECTED, "Cannot read the unstructured mesh in \"%s\" (see the errors above)", filename);
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
  PetscErrorCode ierr;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(dm, DM_CLASSID, 1);
  PetscValidCharPointer(filename, 2);
  PetscCall(PetscObjectGetComm((PetscObject)dm, &comm));
  PetscCall(PetscLogEventBegin(PETAL_MeshSave, 0, 0, 0, 0));
  PetscCall(PetalAtomicFileTempName(filename, tmpname, sizeof(tmpname)));
  {
    petal::h5::Quiet quiet;
    ierr = PetscViewerHDF5Open(comm, tmpname, FILE_MODE_WRITE, &viewer);
    if (!ierr) ierr = DMView(dm, viewer);
    PetscErrorCode close = viewer ? PetscViewerDestroy(&viewer) : 0; // closes the file, also after a failure
    if (!ierr) ierr = close;
  }
  if (ierr) PetscCall(PetalAtomicFileAbort(comm, tmpname));
  PetscCheck(!ierr, comm, PETSC_ERR_FILE_WRITE, "Cannot write the mesh to \"%s\" (temporary file \"%s\"): does the directory exist and is it writable?", filename, tmpname);
  PetscCall(PetalAtomicFileCommit(comm, tmpname, filename));
  PetscCall(PetscLogEventEnd(PETAL_MeshSave, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
