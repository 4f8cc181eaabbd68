// Voxel grids: petal's "petal-voxel" v1 HDF5 layout (see include/petal/mesh.h and meshes/README.md)
// read into and written from a DMDA.
//
// Design notes (the why):
// - Reading: every rank opens the file read-only with the default (POSIX) driver, reads the small header
//   and then only the hyperslab of the DMDA block it owns. Every rank sees the same header, so header
//   errors are raised identically everywhere (collective errors without extra messages), and no rank
//   ever holds the whole grid. The hyperslab read converts any stored numeric type (uint8 by convention)
//   to double straight into the global Vec's array, whose local part is the owned box, x fastest.
// - Writing: rank 0 creates the file and datasets; then the ranks take turns writing their own block
//   into it. Serialized, but it needs neither MPI-IO nor a gather of the grid on one rank, and gzip
//   compressed chunks work for any number of ranks (parallel HDF5 writes of filtered data need
//   collective MPI-IO, which is fragile across MPI implementations).
// - Atomicity: the file is written under PetalAtomicFileTempName and renamed once complete.
#include <petal/mesh.h>
#include <petsc/private/petscimpl.h> // PetscValid* argument checks
#include <petal/driver.h>
#include <petal/io.h>
#include <petal/petal.h>
#include "core/h5.hpp"
#include "core/splitmix64.hpp"
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

static_assert(sizeof(PetscScalar) == sizeof(double), "petal's voxel I/O assumes a real double PetscScalar");

using petal::h5::Handle;
using petal::h5::Quiet;

namespace
{

const char *kFormat = "petal-voxel";
const int   kFormatVersion = 1;
const char *kInfoKey = "PetalVoxelGridInfo"; // composed on DMDAs made by PetalVoxelGridCreateDA

/* Opens filename read-only on the calling rank. Called by every rank of comm with the same result. */
PetscErrorCode OpenRead(MPI_Comm comm, const char filename[], Handle &file)
{
  PetscFunctionBegin;
  PetscCall(PetalCheckReadable(comm, filename));
  PetscCheck(petal::h5::IsHDF5(filename), comm, PETSC_ERR_FILE_UNEXPECTED, "File \"%s\" is not an HDF5 file", filename);
  file = H5Fopen(filename, H5F_ACC_RDONLY, H5P_DEFAULT);
  PetscCheck(file.valid(), comm, PETSC_ERR_FILE_READ, "File \"%s\" is an HDF5 file that HDF5 cannot open (truncated or damaged?)", filename);
  // a readable superblock but an unreadable root group: cut off after the first few kilobytes
  PetscCheck(H5Aexists_by_name(file, "/", "petal_format", H5P_DEFAULT) >= 0, comm, PETSC_ERR_FILE_READ, "File \"%s\" is an HDF5 file that HDF5 cannot read (truncated or damaged?)", filename);
  PetscFunctionReturn(0);
}

/* Reads a small 1-D dataset of exactly n entries (n = dim) into buf, converted to memtype. */
PetscErrorCode ReadVector(MPI_Comm comm, hid_t file, const char filename[], const char path[], PetscBool integer, hid_t memtype, PetscInt n, void *buf)
{
  std::vector<hsize_t> dims;

  PetscFunctionBegin;
  PetscCheck(petal::h5::DatasetDims(file, path, &dims), comm, PETSC_ERR_FILE_UNEXPECTED, "File \"%s\" has no dataset %s", filename, path);
  PetscCheck(dims.size() == 1 && (PetscInt)dims[0] == n, comm, PETSC_ERR_FILE_UNEXPECTED, "%s in \"%s\" has dimensions %s; expected %" PetscInt_FMT " entries (one per direction)", path, filename,
             petal::h5::DimsString(dims).c_str(), n);
  Handle dset(H5Dopen2(file, path, H5P_DEFAULT));
  Handle type(H5Dget_type(dset));
  PetscCheck(!integer || H5Tget_class(type) == H5T_INTEGER, comm, PETSC_ERR_FILE_UNEXPECTED, "%s in \"%s\" must hold integers", path, filename);
  PetscCheck(H5Tget_class(type) == H5T_INTEGER || H5Tget_class(type) == H5T_FLOAT, comm, PETSC_ERR_FILE_UNEXPECTED, "%s in \"%s\" must hold numbers", path, filename);
  PetscCheck(H5Dread(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0, comm, PETSC_ERR_FILE_READ, "Cannot read %s from \"%s\"", path, filename);
  PetscFunctionReturn(0);
}

/* Checks that a per-cell dataset exists (unless optional) with dimensions [(nz,) ny, nx]. */
PetscErrorCode CheckCellDataset(MPI_Comm comm, hid_t file, const char filename[], const PetalVoxelGridInfo *info, const char path[], PetscBool optional, PetscBool *exists)
{
  std::vector<hsize_t> dims, want;
  std::string          shape;

  PetscFunctionBegin;
  *exists = petal::h5::DatasetDims(file, path, &dims) ? PETSC_TRUE : PETSC_FALSE;
  PetscCheck(*exists || optional, comm, PETSC_ERR_FILE_UNEXPECTED, "File \"%s\" has no dataset %s", filename, path);
  if (!*exists) PetscFunctionReturn(0);
  for (PetscInt d = info->dim - 1; d >= 0; --d) want.push_back((hsize_t)info->shape[d]);
  for (PetscInt d = 0; d < info->dim; ++d) shape += (d ? "," : "") + std::to_string((long long)info->shape[d]);
  PetscCheck(dims == want, comm, PETSC_ERR_FILE_UNEXPECTED, "%s in \"%s\" has shape %s but /grid/shape = (%s) says %s (C order, x fastest)", path, filename, petal::h5::DimsString(dims).c_str(), shape.c_str(),
             petal::h5::DimsString(want).c_str());
  Handle dset(H5Dopen2(file, path, H5P_DEFAULT));
  Handle type(H5Dget_type(dset));
  PetscCheck(H5Tget_class(type) == H5T_INTEGER || H5Tget_class(type) == H5T_FLOAT, comm, PETSC_ERR_FILE_UNEXPECTED, "%s in \"%s\" must hold numbers", path, filename);
  PetscFunctionReturn(0);
}

/* Reads and validates the header. Every rank calls it on its own handle and gets the same answer. */
PetscErrorCode ReadHeader(MPI_Comm comm, hid_t file, const char filename[], PetalVoxelGridInfo *info)
{
  std::string          format;
  long long            version = 0, shape[3] = {1, 1, 1};
  double               spacing[3] = {1, 1, 1}, origin[3] = {0, 0, 0};
  std::vector<hsize_t> dims;
  PetscBool            exists;

  PetscFunctionBegin;
  PetscCheck(petal::h5::ReadStringAttribute(file, "/", "petal_format", &format), comm, PETSC_ERR_FILE_UNEXPECTED, "File \"%s\" is not a petal-voxel grid: it has no root attribute petal_format", filename);
  PetscCheck(format == kFormat, comm, PETSC_ERR_FILE_UNEXPECTED, "File \"%s\" has petal_format \"%s\"; expected \"%s\"", filename, format.c_str(), kFormat);
  PetscCheck(petal::h5::ReadIntAttribute(file, "/", "petal_format_version", &version), comm, PETSC_ERR_FILE_UNEXPECTED, "File \"%s\" has no integer root attribute petal_format_version", filename);
  PetscCheck(version == kFormatVersion, comm, PETSC_ERR_FILE_UNEXPECTED, "File \"%s\" has petal_format_version %lld; this petal reads version %d", filename, version, kFormatVersion);

  PetscCheck(petal::h5::DatasetDims(file, "/grid/shape", &dims), comm, PETSC_ERR_FILE_UNEXPECTED, "File \"%s\" has no dataset /grid/shape", filename);
  PetscCheck(dims.size() == 1, comm, PETSC_ERR_FILE_UNEXPECTED, "/grid/shape in \"%s\" must be a 1-D array but has dimensions %s", filename, petal::h5::DimsString(dims).c_str());
  PetscCheck(dims[0] == 2 || dims[0] == 3, comm, PETSC_ERR_FILE_UNEXPECTED, "/grid/shape in \"%s\" has %llu entries, so dim = %llu; petal-voxel grids have dim 2 or 3", filename, (unsigned long long)dims[0],
             (unsigned long long)dims[0]);
  info->dim = (PetscInt)dims[0];
  PetscCall(ReadVector(comm, file, filename, "/grid/shape", PETSC_TRUE, H5T_NATIVE_LLONG, info->dim, shape));
  PetscCall(ReadVector(comm, file, filename, "/grid/spacing", PETSC_FALSE, H5T_NATIVE_DOUBLE, info->dim, spacing));
  PetscCall(ReadVector(comm, file, filename, "/grid/origin", PETSC_FALSE, H5T_NATIVE_DOUBLE, info->dim, origin));
  long long total = 1;
  for (PetscInt d = 0; d < 3; ++d) {
    PetscCheck(shape[d] >= 1, comm, PETSC_ERR_FILE_UNEXPECTED, "/grid/shape in \"%s\" has entry %" PetscInt_FMT " = %lld; cell counts must be >= 1", filename, d, shape[d]);
    PetscCheck(std::isfinite(spacing[d]) && spacing[d] > 0, comm, PETSC_ERR_FILE_UNEXPECTED, "/grid/spacing in \"%s\" has entry %" PetscInt_FMT " = %.10g; spacings must be finite and > 0", filename, d, spacing[d]);
    PetscCheck(std::isfinite(origin[d]), comm, PETSC_ERR_FILE_UNEXPECTED, "/grid/origin in \"%s\" has entry %" PetscInt_FMT " = %.10g; it must be finite", filename, d, origin[d]);
    // total <= PETSC_MAX_INT before the product, so a huge count in a corrupt file cannot overflow it
    PetscCheck(shape[d] <= PETSC_MAX_INT / total, comm, PETSC_ERR_SUP, "Grid in \"%s\" has more cells than this PETSc's PetscInt can count", filename);
    total *= shape[d];
    info->shape[d]   = (PetscInt)shape[d];
    info->spacing[d] = spacing[d];
    info->origin[d]  = origin[d];
  }
  PetscCall(CheckCellDataset(comm, file, filename, info, "/grid/cell_type", PETSC_FALSE, &exists));
  PetscCall(CheckCellDataset(comm, file, filename, info, "/grid/coefficient", PETSC_TRUE, &info->has_coefficient));
  PetscFunctionReturn(0);
}

/* The box this rank owns, slowest direction first (the file's dimension order). */
void OwnedBox(DM da, PetscInt dim, hsize_t start[3], hsize_t count[3])
{
  PetscInt xs, ys, zs, xm, ym, zm;
  DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm);
  const PetscInt s[3] = {xs, ys, zs}, m[3] = {xm, ym, zm};
  for (PetscInt d = 0; d < dim; ++d) {
    start[dim - 1 - d] = (hsize_t)s[d];
    count[dim - 1 - d] = (hsize_t)m[d];
  }
}

/* Reads this rank's block of a per-cell dataset into the global Vec v. Collective (agrees on failure). */
PetscErrorCode ReadBlock(MPI_Comm comm, hid_t file, const char filename[], const char path[], DM da, PetscInt dim, Vec v)
{
  hsize_t      start[3], count[3];
  PetscScalar *a;
  int          ok = 0, allok;

  PetscFunctionBegin;
  OwnedBox(da, dim, start, count);
  PetscCall(VecGetArray(v, &a));
  {
    Handle dset(H5Dopen2(file, path, H5P_DEFAULT));
    Handle fspace(H5Dget_space(dset));
    Handle mspace(H5Screate_simple((int)dim, count, nullptr));
    ok = dset.valid() && fspace.valid() && mspace.valid() && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, nullptr, count, nullptr) >= 0 &&
         H5Dread(dset, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, a) >= 0;
  }
  PetscCall(VecRestoreArray(v, &a));
  PetscCallMPI(MPI_Allreduce(&ok, &allok, 1, MPI_INT, MPI_MIN, comm));
  PetscCheck(allok, comm, PETSC_ERR_FILE_READ, "Cannot read %s from \"%s\" (corrupt or truncated file?)", path, filename);
  PetscFunctionReturn(0);
}

/* Writes this rank's block of v into an existing per-cell dataset. Local: returns false on failure. */
bool WriteBlock(hid_t file, const char path[], DM da, PetscInt dim, Vec v)
{
  hsize_t            start[3], count[3];
  const PetscScalar *a;
  bool               ok;

  OwnedBox(da, dim, start, count);
  if (VecGetArrayRead(v, &a)) return false;
  {
    Handle dset(H5Dopen2(file, path, H5P_DEFAULT));
    Handle fspace(H5Dget_space(dset));
    Handle mspace(H5Screate_simple((int)dim, count, nullptr));
    ok = dset.valid() && fspace.valid() && mspace.valid() && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, nullptr, count, nullptr) >= 0 &&
         H5Dwrite(dset, H5T_NATIVE_DOUBLE, mspace, fspace, H5P_DEFAULT, a) >= 0;
  }
  if (VecRestoreArrayRead(v, &a)) return false;
  return ok;
}

/* Writes a small 1-D dataset. */
bool WriteVector(hid_t file, const char path[], hid_t filetype, hid_t memtype, PetscInt n, const void *buf)
{
  hsize_t dims[1] = {(hsize_t)n};
  Handle  space(H5Screate_simple(1, dims, nullptr));
  Handle  dcpl(H5Pcreate(H5P_DATASET_CREATE));
  if (!dcpl.valid() || H5Pset_obj_track_times(dcpl, false) < 0) return false; // byte-identical reruns
  Handle dset(H5Dcreate2(file, path, filetype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
  return dset.valid() && H5Dwrite(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0;
}

/* Creates an empty per-cell dataset, gzip-compressed in chunks of at most 2^20 cells (whole rows and
 * planes so that compression sees long runs). */
bool CreateCellDataset(hid_t file, const char path[], hid_t filetype, const PetalVoxelGridInfo *info, bool shuffle)
{
  const int dim = (int)info->dim;
  hsize_t   dims[3], chunk[3];
  for (int d = 0; d < dim; ++d) dims[dim - 1 - d] = chunk[dim - 1 - d] = (hsize_t)info->shape[d];
  for (int d = 0; d < dim; ++d) {
    hsize_t n = 1;
    for (int e = 0; e < dim; ++e) n *= chunk[e];
    while (n > (1u << 20) && chunk[d] > 1) {
      chunk[d] = (chunk[d] + 1) / 2;
      n        = 1;
      for (int e = 0; e < dim; ++e) n *= chunk[e];
    }
  }
  Handle space(H5Screate_simple(dim, dims, nullptr));
  Handle dcpl(H5Pcreate(H5P_DATASET_CREATE));
  if (!space.valid() || !dcpl.valid() || H5Pset_chunk(dcpl, dim, chunk) < 0 || H5Pset_obj_track_times(dcpl, false) < 0) return false;
  if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
    if (shuffle && H5Pset_shuffle(dcpl) < 0) return false;
    if (H5Pset_deflate(dcpl, 6) < 0) return false;
  }
  Handle dset(H5Dcreate2(file, path, filetype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT));
  return dset.valid();
}

/* Rank 0's part of a save: the file with its header and empty per-cell datasets. */
bool CreateFile(const char tmpname[], const PetalVoxelGridInfo *info)
{
  Handle file(H5Fcreate(tmpname, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  if (!file.valid()) return false;
  if (petal::h5::WriteStringAttribute(file, "/", "petal_format", kFormat) < 0) return false;
  if (petal::h5::WriteIntAttribute(file, "/", "petal_format_version", kFormatVersion) < 0) return false;
  Handle gcpl(H5Pcreate(H5P_GROUP_CREATE));
  if (!gcpl.valid() || H5Pset_obj_track_times(gcpl, false) < 0) return false; // no timestamps: same bytes on every run
  Handle grid(H5Gcreate2(file, "/grid", H5P_DEFAULT, gcpl, H5P_DEFAULT));
  if (!grid.valid()) return false;
  long long shape[3];
  double    spacing[3], origin[3];
  for (int d = 0; d < 3; ++d) {
    shape[d]   = info->shape[d];
    spacing[d] = info->spacing[d];
    origin[d]  = info->origin[d];
  }
  return WriteVector(file, "/grid/shape", H5T_STD_I64LE, H5T_NATIVE_LLONG, info->dim, shape) && WriteVector(file, "/grid/spacing", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, info->dim, spacing) &&
         WriteVector(file, "/grid/origin", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, info->dim, origin) && CreateCellDataset(file, "/grid/cell_type", H5T_STD_U8LE, info, false) &&
         (!info->has_coefficient || CreateCellDataset(file, "/grid/coefficient", H5T_IEEE_F64LE, info, true));
}

/* Origin and spacing of a DMDA from its cell-centre coordinates; directions with a single cell take
 * them from the info PetalVoxelGridCreateDA composed (coordinates alone cannot tell the spacing). */
PetscErrorCode GridInfoFromDA(DM da, PetalVoxelGridInfo *info)
{
  MPI_Comm            comm;
  PetscInt            dim, M, N, P, dof;
  Vec                 coords;
  PetscContainer      container = NULL;
  PetalVoxelGridInfo *composed  = NULL;

  PetscFunctionBegin;
  PetscCall(PetscObjectGetComm((PetscObject)da, &comm));
  PetscCall(DMDAGetInfo(da, &dim, &M, &N, &P, NULL, NULL, NULL, &dof, NULL, NULL, NULL, NULL, NULL));
  PetscCheck(dim == 2 || dim == 3, comm, PETSC_ERR_ARG_WRONG, "Voxel grids are 2-D or 3-D, not %" PetscInt_FMT "-D", dim);
  PetscCheck(dof == 1, comm, PETSC_ERR_ARG_WRONG, "Voxel grid DMDAs have dof 1, not %" PetscInt_FMT, dof);
  PetscCall(PetscObjectQuery((PetscObject)da, kInfoKey, (PetscObject *)&container));
  if (container) PetscCall(PetscContainerGetPointer(container, (void **)&composed));
  PetscCall(DMGetCoordinates(da, &coords));
  PetscCheck(coords || composed, comm, PETSC_ERR_ARG_WRONG, "The DMDA has no coordinates, so its spacing and origin are unknown");
  const PetscInt n[3] = {M, N, dim == 3 ? P : 1};
  info->dim           = dim;
  for (PetscInt d = 0; d < 3; ++d) {
    info->shape[d]   = n[d];
    info->spacing[d] = 1;
    info->origin[d]  = 0;
    if (d >= dim) continue;
    if (coords && n[d] > 1) {
      PetscReal lo, hi;
      PetscCall(VecStrideMin(coords, d, NULL, &lo));
      PetscCall(VecStrideMax(coords, d, NULL, &hi));
      info->spacing[d] = (hi - lo) / (n[d] - 1);
      info->origin[d]  = lo - info->spacing[d] / 2;
    } else {
      PetscCheck(composed, comm, PETSC_ERR_ARG_WRONG, "Direction %" PetscInt_FMT " has a single cell, so its spacing is unknown: create the DMDA with PetalVoxelGridCreateDA", d);
      info->spacing[d] = composed->spacing[d];
      info->origin[d]  = composed->origin[d];
    }
    PetscCheck(info->spacing[d] > 0, comm, PETSC_ERR_ARG_WRONG, "Direction %" PetscInt_FMT " has spacing %g; the DMDA's coordinates must increase", d, (double)info->spacing[d]);
  }
  PetscFunctionReturn(0);
}

/* The first invalid cell of a per-cell Vec: flat index (x fastest; -1 if none), (i,j,k) and value. */
struct BadCell {
  PetscInt64 index;
  PetscInt   i, j, k;
  PetscReal  value;
};

/* What a per-cell Vec must hold: cell types, coefficients (finite, > 0) or any finite values (fields). */
enum CellCheck { CHECK_CELL_TYPE, CHECK_COEFFICIENT, CHECK_FINITE };

/* First invalid value of v, agreed over the DMDA's comm. */
PetscErrorCode FindInvalid(DM da, Vec v, CellCheck check, BadCell *bad)
{
  MPI_Comm           comm;
  PetscInt           xs, ys, zs, xm, ym, zm, M, N;
  const PetscScalar *a;
  PetscInt64         mine = INT64_MAX, first;
  PetscReal          value = 0, sum;

  PetscFunctionBegin;
  PetscCall(PetscObjectGetComm((PetscObject)da, &comm));
  PetscCall(DMDAGetInfo(da, NULL, &M, &N, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCall(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(VecGetArrayRead(v, &a));
  for (PetscInt k = 0, l = 0; k < zm && mine == INT64_MAX; ++k)
    for (PetscInt j = 0; j < ym && mine == INT64_MAX; ++j)
      for (PetscInt i = 0; i < xm; ++i, ++l) {
        const double c  = PetscRealPart(a[l]);
        const bool   ok = check == CHECK_FINITE ? std::isfinite(c) : check == CHECK_COEFFICIENT ? (std::isfinite(c) && c > 0) : (c == PETAL_CELL_INTERIOR || c == PETAL_CELL_SOLID || c == PETAL_CELL_DIRICHLET);
        if (!ok) { // the first bad cell of this rank in x-fastest order is its smallest flat index
          mine  = ((PetscInt64)(zs + k) * N + (ys + j)) * M + (xs + i);
          value = c;
          break;
        }
      }
  PetscCall(VecRestoreArrayRead(v, &a));
  PetscCallMPI(MPI_Allreduce(&mine, &first, 1, MPIU_INT64, MPI_MIN, comm));
  // only the owner of the first bad cell contributes, so a sum passes its value (even NaN) to all
  if (mine != first) value = 0;
  PetscCallMPI(MPI_Allreduce(&value, &sum, 1, MPIU_REAL, MPI_SUM, comm));
  bad->index = first == INT64_MAX ? -1 : first;
  bad->value = sum;
  bad->i     = bad->index >= 0 ? (PetscInt)(first % M) : -1;
  bad->j     = bad->index >= 0 ? (PetscInt)((first / M) % N) : -1;
  bad->k     = bad->index >= 0 ? (PetscInt)(first / ((PetscInt64)M * N)) : -1;
  PetscFunctionReturn(0);
}

/* Errors, naming the data (what) and the first bad cell, if v holds an invalid cell type/coefficient. */
PetscErrorCode CheckCells(DM da, Vec v, CellCheck check, const char what[])
{
  MPI_Comm     comm;
  BadCell      bad = {-1, -1, -1, -1, 0};
  PetscInt     dim;
  char         where[128];

  PetscFunctionBegin;
  PetscCall(PetscObjectGetComm((PetscObject)da, &comm));
  PetscCall(FindInvalid(da, v, check, &bad));
  if (bad.index < 0) PetscFunctionReturn(0);
  PetscCall(DMGetDimension(da, &dim));
  if (dim == 2) PetscCall(PetscSNPrintf(where, sizeof(where), "cell (i,j) = (%" PetscInt_FMT ",%" PetscInt_FMT ")", bad.i, bad.j));
  else PetscCall(PetscSNPrintf(where, sizeof(where), "cell (i,j,k) = (%" PetscInt_FMT ",%" PetscInt_FMT ",%" PetscInt_FMT ")", bad.i, bad.j, bad.k));
  PetscCheck(check != CHECK_FINITE, comm, PETSC_ERR_FILE_UNEXPECTED, "%s is %.10g at %s (flat index %" PetscInt64_FMT ", x fastest); its values must be finite", what, (double)bad.value, where, bad.index);
  PetscCheck(check != CHECK_COEFFICIENT, comm, PETSC_ERR_FILE_UNEXPECTED, "%s is %.10g at %s (flat index %" PetscInt64_FMT ", x fastest); coefficients must be finite and > 0", what, (double)bad.value, where, bad.index);
  SETERRQ(comm, PETSC_ERR_FILE_UNEXPECTED, "%s has value %.10g at %s (flat index %" PetscInt64_FMT ", x fastest); cell types are 0 (interior), 1 (solid) or 2 (Dirichlet)", what, (double)bad.value, where, bad.index);
}

} // namespace

PetscErrorCode PetalVoxelGridReadInfo(MPI_Comm comm, const char filename[], PetalVoxelGridInfo *info)
{
  Quiet  quiet;
  Handle file;

  PetscFunctionBegin;
  PetscValidCharPointer(filename, 2);
  PetscValidPointer(info, 3);
  PetscCall(OpenRead(comm, filename, file));
  PetscCall(ReadHeader(comm, file, filename, info));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalVoxelGridCreateDA(MPI_Comm comm, const PetalVoxelGridInfo *info, DM *da)
{
  PetscReal           lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  PetscContainer      container;
  PetalVoxelGridInfo *copy;

  PetscFunctionBegin;
  PetscValidPointer(info, 2);
  PetscValidPointer(da, 3);
  PetscCheck(info->dim == 2 || info->dim == 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "Voxel grids have dim 2 or 3, not %" PetscInt_FMT, info->dim);
  for (PetscInt d = 0; d < info->dim; ++d) {
    PetscCheck(info->shape[d] >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "shape[%" PetscInt_FMT "] = %" PetscInt_FMT " must be >= 1", d, info->shape[d]);
    PetscCheck(info->spacing[d] > 0 && PetscIsNormalReal(info->spacing[d]), comm, PETSC_ERR_ARG_OUTOFRANGE, "spacing[%" PetscInt_FMT "] = %g must be finite and > 0", d, (double)info->spacing[d]);
    lo[d] = info->origin[d] + info->spacing[d] / 2; // first and last cell centres
    hi[d] = info->origin[d] + (info->shape[d] - 0.5) * info->spacing[d];
  }
  if (info->dim == 2) PetscCall(DMDACreate2d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, info->shape[0], info->shape[1], PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, da));
  else
    PetscCall(DMDACreate3d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, info->shape[0], info->shape[1], info->shape[2], PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, NULL, da));
  PetscCall(DMSetUp(*da));
  PetscCall(DMDASetUniformCoordinates(*da, lo[0], hi[0], lo[1], hi[1], lo[2], hi[2]));
  if (info->shape[0] == 1 || info->shape[1] == 1 || (info->dim == 3 && info->shape[2] == 1)) {
    // DMDASetUniformCoordinates divides by (n - 1): give single-cell directions their one centre
    Vec          coords;
    PetscScalar *c;
    PetscInt     n;
    PetscCall(DMGetCoordinates(*da, &coords));
    PetscCall(VecGetLocalSize(coords, &n));
    PetscCall(VecGetArray(coords, &c));
    for (PetscInt l = 0; l < n; ++l)
      if (info->shape[l % info->dim] == 1) c[l] = lo[l % info->dim];
    PetscCall(VecRestoreArray(coords, &c));
  }
  // Keep the description on the DMDA: PetalVoxelGridSave needs the spacing of single-cell directions
  PetscCall(PetscNew(&copy));
  *copy = *info;
  PetscCall(PetscContainerCreate(comm, &container));
  PetscCall(PetscContainerSetPointer(container, copy));
  PetscCall(PetscContainerSetUserDestroy(container, PetscContainerUserDestroyDefault));
  PetscCall(PetscObjectCompose((PetscObject)*da, kInfoKey, (PetscObject)container));
  PetscCall(PetscContainerDestroy(&container));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalVoxelGridLoad(MPI_Comm comm, const char filename[], DM *da, Vec *cellType, Vec *coefficient)
{
  PetalVoxelGridInfo info;
  DM                 grid;
  Vec                types, coef = NULL;
  std::string        what;

  PetscFunctionBegin;
  PetscValidCharPointer(filename, 2);
  PetscValidPointer(da, 3);
  PetscValidPointer(cellType, 4);
  PetscCall(PetscLogEventBegin(PETAL_MeshLoad, 0, 0, 0, 0));
  {
    Quiet  quiet;
    Handle file;
    PetscCall(OpenRead(comm, filename, file));
    PetscCall(ReadHeader(comm, file, filename, &info));
    PetscCall(PetalVoxelGridCreateDA(comm, &info, &grid));
    PetscCall(DMCreateGlobalVector(grid, &types));
    PetscCall(PetscObjectSetName((PetscObject)types, "cell_type"));
    PetscCall(ReadBlock(comm, file, filename, "/grid/cell_type", grid, info.dim, types));
    if (coefficient && info.has_coefficient) {
      PetscCall(DMCreateGlobalVector(grid, &coef));
      PetscCall(PetscObjectSetName((PetscObject)coef, "coefficient"));
      PetscCall(ReadBlock(comm, file, filename, "/grid/coefficient", grid, info.dim, coef));
    }
  }
  what                = std::string("/grid/cell_type in \"") + filename + "\"";
  PetscErrorCode ierr = CheckCells(grid, types, CHECK_CELL_TYPE, what.c_str());
  what                = std::string("/grid/coefficient in \"") + filename + "\"";
  if (!ierr && coef) ierr = CheckCells(grid, coef, CHECK_COEFFICIENT, what.c_str());
  if (ierr) { // do not leak the grid when its data is rejected
    PetscCall(DMDestroy(&grid));
    PetscCall(VecDestroy(&types));
    PetscCall(VecDestroy(&coef));
    PetscCall(PetscLogEventEnd(PETAL_MeshLoad, 0, 0, 0, 0));
  }
  PetscCall(ierr);
  *da       = grid;
  *cellType = types;
  if (coefficient) *coefficient = coef;
  PetscCall(PetscLogEventEnd(PETAL_MeshLoad, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalVoxelGridLoadField(DM da, const char filename[], const char path[], Vec v)
{
  MPI_Comm           comm;
  PetalVoxelGridInfo info;
  PetscBool          exists;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(da, DM_CLASSID, 1);
  PetscValidCharPointer(filename, 2);
  PetscValidCharPointer(path, 3);
  PetscValidHeaderSpecific(v, VEC_CLASSID, 4);
  PetscCall(PetscObjectGetComm((PetscObject)da, &comm));
  PetscCheck(path[0] == '/', comm, PETSC_ERR_ARG_WRONG, "The dataset path must be absolute (e.g. /fields/div), got \"%s\"", path);
  PetscCall(GridInfoFromDA(da, &info));
  PetscCall(PetscLogEventBegin(PETAL_MeshLoad, 0, 0, 0, 0));
  {
    Quiet  quiet;
    Handle file;
    PetscCall(OpenRead(comm, filename, file));
    PetscCall(CheckCellDataset(comm, file, filename, &info, path, PETSC_FALSE, &exists));
    PetscCall(ReadBlock(comm, file, filename, path, da, info.dim, v));
  }
  const std::string what = std::string(path) + " in \"" + filename + "\"";
  PetscCall(CheckCells(da, v, CHECK_FINITE, what.c_str()));
  PetscCall(PetscLogEventEnd(PETAL_MeshLoad, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalVoxelGridSave(DM da, Vec cellType, Vec coefficient, const char filename[])
{
  MPI_Comm           comm;
  PetscMPIInt        rank, size;
  PetalVoxelGridInfo info;
  char               tmpname[PETSC_MAX_PATH_LEN];
  PetscInt           n, nda, nlocal, nlocalda;
  int                ok = 1;
  std::string        what;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(da, DM_CLASSID, 1);
  PetscValidHeaderSpecific(cellType, VEC_CLASSID, 2);
  if (coefficient) PetscValidHeaderSpecific(coefficient, VEC_CLASSID, 3);
  PetscValidCharPointer(filename, 4);
  PetscCall(PetscObjectGetComm((PetscObject)da, &comm));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscLogEventBegin(PETAL_MeshSave, 0, 0, 0, 0));
  PetscCall(GridInfoFromDA(da, &info));
  info.has_coefficient = coefficient ? PETSC_TRUE : PETSC_FALSE;
  {
    Vec g;
    PetscCall(DMGetGlobalVector(da, &g));
    PetscCall(VecGetSize(g, &nda));
    PetscCall(VecGetLocalSize(g, &nlocalda));
    PetscCall(DMRestoreGlobalVector(da, &g));
  }
  PetscCall(VecGetSize(cellType, &n));
  PetscCall(VecGetLocalSize(cellType, &nlocal));
  PetscCheck(n == nda, comm, PETSC_ERR_ARG_SIZ, "The cell-type Vec has %" PetscInt_FMT " entries but the grid has %" PetscInt_FMT " cells", n, nda);
  int layout = nlocal != nlocalda, anylayout;
  if (coefficient) {
    PetscCall(VecGetSize(coefficient, &n));
    PetscCall(VecGetLocalSize(coefficient, &nlocal));
    layout = layout || nlocal != nlocalda;
  }
  PetscCheck(n == nda, comm, PETSC_ERR_ARG_SIZ, "The coefficient Vec has %" PetscInt_FMT " entries but the grid has %" PetscInt_FMT " cells", n, nda);
  PetscCallMPI(MPI_Allreduce(&layout, &anylayout, 1, MPI_INT, MPI_MAX, comm));
  PetscCheck(!anylayout, comm, PETSC_ERR_ARG_INCOMP, "The Vecs to save must be global Vecs of the DMDA (DMCreateGlobalVector): their parallel layout differs from the grid's");
  // Refuse to write a file petal would refuse to read
  what = std::string("The cell type to be saved to \"") + filename + "\"";
  PetscCall(CheckCells(da, cellType, CHECK_CELL_TYPE, what.c_str()));
  what = std::string("The coefficient to be saved to \"") + filename + "\"";
  if (coefficient) PetscCall(CheckCells(da, coefficient, CHECK_COEFFICIENT, what.c_str()));

  PetscCall(PetalCheckWritable(comm, filename));
  PetscCall(PetalAtomicFileTempName(filename, tmpname, sizeof(tmpname)));
  {
    Quiet quiet;
    if (rank == 0) ok = CreateFile(tmpname, &info);
    PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, comm));
    // Ranks take turns: one writer at a time on a file opened with the plain POSIX driver
    for (PetscMPIInt r = 0; ok && r < size; ++r) {
      if (rank == r) {
        PetscCall(PetalFaultPoint("mesh_save"));
        Handle file(H5Fopen(tmpname, H5F_ACC_RDWR, H5P_DEFAULT));
        ok = file.valid() && WriteBlock(file, "/grid/cell_type", da, info.dim, cellType) && (!coefficient || WriteBlock(file, "/grid/coefficient", da, info.dim, coefficient));
        if (file.valid() && H5Fclose(file.release()) < 0) ok = 0; // a failed close means unflushed data
      }
      PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, r, comm));
    }
  }
  if (!ok) PetscCall(PetalAtomicFileAbort(comm, tmpname));
  PetscCheck(ok, comm, PETSC_ERR_FILE_WRITE, "Cannot write voxel grid \"%s\" (temporary file \"%s\"): does the directory exist and is it writable?", filename, tmpname);
  PetscCall(PetalAtomicFileCommit(comm, tmpname, filename));
  PetscCall(PetscLogEventEnd(PETAL_MeshSave, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalVoxelGridRandomCoefficient(DM da, PetscReal a, PetscReal b, PetscInt64 seed, Vec coefficient)
{
  PetscInt     xs, ys, zs, xm, ym, zm, M, N;
  PetscScalar *c;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(da, DM_CLASSID, 1);
  PetscValidHeaderSpecific(coefficient, VEC_CLASSID, 5);
  PetscCheck(PetscIsNormalReal(a) && PetscIsNormalReal(b) && a > 0 && b >= a, PetscObjectComm((PetscObject)da), PETSC_ERR_ARG_OUTOFRANGE, "The coefficient range [%g, %g) must be finite with 0 < a <= b", (double)a, (double)b);
  PetscCall(DMDAGetInfo(da, NULL, &M, &N, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
  PetscCall(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm));
  PetscCall(VecGetArray(coefficient, &c));
  for (PetscInt k = zs, l = 0; k < zs + zm; ++k)
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i, ++l) {
        const PetscInt64 cell = ((PetscInt64)k * N + j) * M + i;
        c[l] = a + (b - a) * petal::UnitInterval(petal::SplitMix64Mix((uint64_t)seed * 0x9E3779B97F4A7C15ull + (uint64_t)cell + 0x632BE59BD9B4E019ull));
      }
  PetscCall(VecRestoreArray(coefficient, &c));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalVoxelGridGetInfo(DM da, PetalVoxelGridInfo *info)
{
  PetscFunctionBegin;
  PetscValidHeaderSpecific(da, DM_CLASSID, 1);
  PetscValidPointer(info, 2);
  PetscCall(GridInfoFromDA(da, info));
  info->has_coefficient = PETSC_FALSE; // a property of files, not of the grid
  PetscFunctionReturn(0);
}
