// Telling mesh files apart (PetalMeshGetKind) and summarizing them for people (PetalMeshView).
#include <petal/mesh.h>
#include <petsc/private/petscimpl.h> // PetscValid* argument checks
#include <petal/io.h>
#include <petscsf.h>
#include "core/h5.hpp"
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace
{

/* Rank 0's look at the file: a PetalMeshKind, PETAL_MESH_UNKNOWN with why = 1 (not HDF5, not gmsh),
 * 2 (HDF5 but unreadable) or 0 (HDF5 of some other kind). */
int SniffKind(const char filename[], int *why)
{
  *why = 0;
  if (petal::h5::IsHDF5(filename)) {
    petal::h5::Handle file(H5Fopen(filename, H5F_ACC_RDONLY, H5P_DEFAULT));
    const htri_t      voxel = file.valid() ? H5Aexists_by_name(file, "/", "petal_format", H5P_DEFAULT) : -1;
    if (voxel < 0) { // the superblock is there but the root group is not: truncated or damaged
      *why = 2;
      return PETAL_MESH_UNKNOWN;
    }
    // petal-voxel files carry this attribute; its value and version are checked by the voxel reader
    if (voxel > 0) return PETAL_MESH_VOXEL;
    const char *plexPaths[] = {"/topology/cells", "/topologies", "/viz/topology/cells", "/geometry/vertices"};
    for (const char *p : plexPaths)
      if (petal::h5::LinkExists(file, p)) return PETAL_MESH_PLEX;
    return PETAL_MESH_UNKNOWN;
  }
  *why          = 1;
  char  head[16] = {0};
  FILE *f        = std::fopen(filename, "rb");
  if (!f) return PETAL_MESH_UNKNOWN;
  size_t n = std::fread(head, 1, sizeof(head) - 1, f);
  std::fclose(f);
  head[n] = '\0';
  return std::strncmp(head, "$MeshFormat", 11) == 0 ? PETAL_MESH_PLEX : PETAL_MESH_UNKNOWN; // gmsh 2.x and 4.x
}

/* owned[p - pStart] = 1 for the chart points this rank owns (those that are not leaves of the point SF). */
PetscErrorCode OwnedMask(DM dm, std::vector<char> *owned)
{
  PetscSF         sf;
  PetscInt        pStart, pEnd, nroots, nleaves;
  const PetscInt *ilocal;

  PetscFunctionBegin;
  PetscCall(DMPlexGetChart(dm, &pStart, &pEnd));
  owned->assign(pEnd - pStart, 1);
  PetscCall(DMGetPointSF(dm, &sf));
  PetscCall(PetscSFGetGraph(sf, &nroots, &nleaves, &ilocal, NULL));
  if (nroots >= 0)
    for (PetscInt l = 0; l < nleaves; ++l) (*owned)[(ilocal ? ilocal[l] : l) - pStart] = 0;
  PetscFunctionReturn(0);
}

/* Number of points of [first, last) owned by some rank, i.e. counted once over comm. */
PetscErrorCode CountOwned(DM dm, const std::vector<char> &owned, PetscInt first, PetscInt last, PetscInt64 *count)
{
  PetscInt   pStart;
  PetscInt64 n = 0;

  PetscFunctionBegin;
  PetscCall(DMPlexGetChart(dm, &pStart, NULL));
  for (PetscInt p = first; p < last; ++p) n += owned[p - pStart];
  PetscCallMPI(MPI_Allreduce(&n, count, 1, MPIU_INT64, MPI_SUM, PetscObjectComm((PetscObject)dm)));
  PetscFunctionReturn(0);
}

PetscErrorCode ViewVoxel(MPI_Comm comm, const char filename[], PetscViewer viewer)
{
  DM                 da;
  Vec                types, coef;
  PetalVoxelGridInfo info;
  const PetscScalar *a;
  PetscInt           n;
  PetscInt64         local[3] = {0, 0, 0}, counts[3];
  const char        *xyz = "xyz";

  PetscFunctionBegin;
  PetscCall(PetalVoxelGridReadInfo(comm, filename, &info));
  PetscCall(PetalVoxelGridLoad(comm, filename, &da, &types, &coef));
  PetscCall(VecGetLocalSize(types, &n));
  PetscCall(VecGetArrayRead(types, &a));
  for (PetscInt l = 0; l < n; ++l) local[(int)PetscRealPart(a[l])]++; // values were validated by the load
  PetscCall(VecRestoreArrayRead(types, &a));
  PetscCallMPI(MPI_Allreduce(local, counts, 3, MPIU_INT64, MPI_SUM, comm));

  PetscCall(PetscViewerASCIIPrintf(viewer, "Kind:         voxel grid (petal-voxel v1), %" PetscInt_FMT "-D\n", info.dim));
  PetscCall(PetscViewerASCIIPrintf(viewer, "Cells:        "));
  PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_FALSE));
  for (PetscInt d = 0; d < info.dim; ++d) PetscCall(PetscViewerASCIIPrintf(viewer, "%s%" PetscInt_FMT, d ? " x " : "", info.shape[d]));
  PetscCall(PetscViewerASCIIPrintf(viewer, " = %" PetscInt64_FMT " (nx x ny%s)\n", counts[0] + counts[1] + counts[2], info.dim == 3 ? " x nz" : ""));
  PetscCall(PetscViewerASCIIPrintf(viewer, "Spacing:     "));
  for (PetscInt d = 0; d < info.dim; ++d) PetscCall(PetscViewerASCIIPrintf(viewer, " h%c = %g", xyz[d], (double)info.spacing[d]));
  PetscCall(PetscViewerASCIIPrintf(viewer, "\nOrigin:       ("));
  for (PetscInt d = 0; d < info.dim; ++d) PetscCall(PetscViewerASCIIPrintf(viewer, "%s%g", d ? ", " : "", (double)info.origin[d]));
  PetscCall(PetscViewerASCIIPrintf(viewer, ")  (lower corner of cell 0)\n"));
  // three boxes: the cells' outer faces, the unknowns (cell centres), and the implicit Dirichlet layer
  const char *boxes[] = {"Bounding box: ", "Cell centres: ", "Zero layer:   "};
  const char *notes[] = {"  (outer cell faces)\n", "  (the unknowns)\n", "  (u = 0 is implied at the centres one cell beyond the edge)\n"};
  const PetscReal shift[] = {0, 0.5, -0.5}, width[] = {0, -1, 1};
  for (int b = 0; b < 3; ++b) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "%s", boxes[b]));
    for (PetscInt d = 0; d < info.dim; ++d) {
      const PetscReal lo = info.origin[d] + shift[b] * info.spacing[d], hi = lo + (info.shape[d] + width[b]) * info.spacing[d];
      PetscCall(PetscViewerASCIIPrintf(viewer, "%s[%g, %g]", d ? " x " : "", (double)lo, (double)hi));
    }
    PetscCall(PetscViewerASCIIPrintf(viewer, "%s", notes[b]));
  }
  PetscCall(PetscViewerASCIIPrintf(viewer, "Cell types:   interior %" PetscInt64_FMT ", solid %" PetscInt64_FMT ", dirichlet %" PetscInt64_FMT "\n", counts[0], counts[1], counts[2]));
  if (coef) {
    PetscReal lo, hi;
    PetscCall(VecMin(coef, NULL, &lo));
    PetscCall(VecMax(coef, NULL, &hi));
    PetscCall(PetscViewerASCIIPrintf(viewer, "Coefficient:  min %g, max %g\n", (double)lo, (double)hi));
  } else PetscCall(PetscViewerASCIIPrintf(viewer, "Coefficient:  none\n"));
  PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_TRUE));
  PetscCall(VecDestroy(&coef));
  PetscCall(VecDestroy(&types));
  PetscCall(DMDestroy(&da));
  PetscFunctionReturn(0);
}

PetscErrorCode ViewPlex(MPI_Comm comm, const char filename[], PetscViewer viewer)
{
  DM                dm;
  PetscInt          dim, cdim, pStart, cStart, cEnd, vStart, vEnd, fStart, fEnd, nlabels;
  PetscInt64        ncells, nverts, nfaces;
  PetscReal         lo[3], hi[3];
  std::vector<char> owned;
  const char       *xyz = "xyz";

  PetscFunctionBegin;
  PetscCall(PetalPlexLoad(comm, filename, &dm));
  PetscCall(DMGetDimension(dm, &dim));
  PetscCall(DMGetCoordinateDim(dm, &cdim));
  PetscCall(DMPlexGetChart(dm, &pStart, NULL));
  PetscCall(DMPlexGetHeightStratum(dm, 0, &cStart, &cEnd));
  PetscCall(DMPlexGetHeightStratum(dm, 1, &fStart, &fEnd));
  PetscCall(DMPlexGetDepthStratum(dm, 0, &vStart, &vEnd));
  PetscCall(OwnedMask(dm, &owned));
  PetscCall(CountOwned(dm, owned, cStart, cEnd, &ncells));
  PetscCall(CountOwned(dm, owned, fStart, fEnd, &nfaces));
  PetscCall(CountOwned(dm, owned, vStart, vEnd, &nverts));
  PetscCall(DMGetBoundingBox(dm, lo, hi));

  // how many cells of each shape (triangle, quadrilateral, ...)
  std::vector<PetscInt64> local(DM_NUM_POLYTOPES, 0), shapes(DM_NUM_POLYTOPES, 0);
  for (PetscInt c = cStart; c < cEnd; ++c) {
    DMPolytopeType ct;
    PetscCall(DMPlexGetCellType(dm, c, &ct));
    if (owned[c - pStart]) local[ct]++;
  }
  PetscCallMPI(MPI_Allreduce(local.data(), shapes.data(), DM_NUM_POLYTOPES, MPIU_INT64, MPI_SUM, comm));

  PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_FALSE));
  PetscCall(PetscViewerASCIIPrintf(viewer, "Kind:         unstructured mesh (DMPlex), %" PetscInt_FMT "-D in %" PetscInt_FMT "-D space\n", dim, cdim));
  PetscCall(PetscViewerASCIIPrintf(viewer, "Cells:        %" PetscInt64_FMT " (", ncells));
  for (PetscInt t = 0, first = 1; t < DM_NUM_POLYTOPES; ++t)
    if (shapes[t]) {
      PetscCall(PetscViewerASCIIPrintf(viewer, "%s%" PetscInt64_FMT " %s", first ? "" : ", ", shapes[t], DMPolytopeTypes[t]));
      first = 0;
    }
  PetscCall(PetscViewerASCIIPrintf(viewer, ")\nFaces:        %" PetscInt64_FMT "\nVertices:     %" PetscInt64_FMT "\nBounding box: ", nfaces, nverts));
  for (PetscInt d = 0; d < cdim; ++d) PetscCall(PetscViewerASCIIPrintf(viewer, "%s%c in [%g, %g]", d ? " x " : "", xyz[d], (double)lo[d], (double)hi[d]));
  PetscCall(PetscViewerASCIIPrintf(viewer, "\nLabels (points per value, counting faces, edges and vertices alike):\n"));
  PetscCall(DMGetNumLabels(dm, &nlabels));
  for (PetscInt l = 0; l < nlabels; ++l) {
    const char     *name;
    DMLabel         label;
    IS              valueIS;
    const PetscInt *values;
    PetscInt        nvalues, lmax = PETSC_MIN_INT, lmin = PETSC_MAX_INT, gmax, gmin;

    PetscCall(DMGetLabelName(dm, l, &name));
    if (!std::strcmp(name, "depth") || !std::strcmp(name, "celltype")) continue; // structure, not user data
    PetscCall(DMGetLabel(dm, name, &label));
    // each rank knows only its own values: agree on the range, then count every value in it
    PetscCall(DMLabelGetValueIS(label, &valueIS));
    PetscCall(ISGetLocalSize(valueIS, &nvalues));
    PetscCall(ISGetIndices(valueIS, &values));
    for (PetscInt v = 0; v < nvalues; ++v) {
      lmax = PetscMax(lmax, values[v]);
      lmin = PetscMin(lmin, values[v]);
    }
    PetscCall(ISRestoreIndices(valueIS, &values));
    PetscCall(ISDestroy(&valueIS));
    PetscCallMPI(MPI_Allreduce(&lmax, &gmax, 1, MPIU_INT, MPI_MAX, comm));
    PetscCallMPI(MPI_Allreduce(&lmin, &gmin, 1, MPIU_INT, MPI_MIN, comm));
    PetscCall(PetscViewerASCIIPrintf(viewer, "  %s:", name));
    if (gmax < gmin) PetscCall(PetscViewerASCIIPrintf(viewer, " (empty)"));
    else if (gmax - gmin > 100) PetscCall(PetscViewerASCIIPrintf(viewer, " values %" PetscInt_FMT " to %" PetscInt_FMT, gmin, gmax));
    else
      for (PetscInt v = gmin; v <= gmax; ++v) {
        IS         pointIS;
        PetscInt64 n = 0, total;
        PetscCall(DMLabelGetStratumIS(label, v, &pointIS));
        if (pointIS) {
          const PetscInt *points;
          PetscInt        np;
          PetscCall(ISGetLocalSize(pointIS, &np));
          PetscCall(ISGetIndices(pointIS, &points));
          for (PetscInt i = 0; i < np; ++i) n += owned[points[i] - pStart];
          PetscCall(ISRestoreIndices(pointIS, &points));
          PetscCall(ISDestroy(&pointIS));
        }
        PetscCallMPI(MPI_Allreduce(&n, &total, 1, MPIU_INT64, MPI_SUM, comm));
        if (total) PetscCall(PetscViewerASCIIPrintf(viewer, " %" PetscInt_FMT " (%" PetscInt64_FMT ")", v, total));
      }
    PetscCall(PetscViewerASCIIPrintf(viewer, "\n"));
  }
  PetscCall(PetscViewerASCIIUseTabs(viewer, PETSC_TRUE));
  PetscCall(DMDestroy(&dm));
  PetscFunctionReturn(0);
}

} // namespace

PetscErrorCode PetalMeshGetKind(MPI_Comm comm, const char filename[], PetalMeshKind *kind)
{
  PetscMPIInt rank;
  int         res[2] = {0, 0};

  PetscFunctionBegin;
  PetscValidCharPointer(filename, 2);
  PetscValidPointer(kind, 3);
  PetscCall(PetalCheckReadable(comm, filename));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    petal::h5::Quiet quiet;
    res[0] = SniffKind(filename, &res[1]);
  }
  PetscCallMPI(MPI_Bcast(res, 2, MPI_INT, 0, comm));
  PetscCheck(res[0] != PETAL_MESH_UNKNOWN || res[1] != 1, comm, PETSC_ERR_FILE_UNEXPECTED, "File \"%s\" is neither HDF5 nor a gmsh .msh file (no $MeshFormat header)", filename);
  PetscCheck(res[0] != PETAL_MESH_UNKNOWN || res[1] != 2, comm, PETSC_ERR_FILE_READ, "File \"%s\" is an HDF5 file that cannot be read (truncated or damaged?)", filename);
  PetscCheck(res[0] != PETAL_MESH_UNKNOWN, comm, PETSC_ERR_FILE_UNEXPECTED,
             "File \"%s\" is an HDF5 file but neither a petal-voxel grid (no root attribute petal_format) nor a DMPlex mesh (no /topology, /topologies, /viz/topology or /geometry/vertices)", filename);
  *kind = (PetalMeshKind)res[0];
  PetscFunctionReturn(0);
}

PetscErrorCode PetalMeshView(MPI_Comm comm, const char filename[], PetscViewer viewer)
{
  PetalMeshKind kind;
  PetscBool     ascii;

  PetscFunctionBegin;
  if (!viewer) viewer = PETSC_VIEWER_STDOUT_(comm);
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &ascii));
  PetscCheck(ascii, comm, PETSC_ERR_SUP, "PetalMeshView prints to ASCII viewers only");
  PetscCall(PetalMeshGetKind(comm, filename, &kind));
  PetscCall(PetscViewerASCIIPrintf(viewer, "File:         %s\n", filename));
  if (kind == PETAL_MESH_VOXEL) PetscCall(ViewVoxel(comm, filename, viewer));
  else PetscCall(ViewPlex(comm, filename, viewer));
  PetscFunctionReturn(0);
}
