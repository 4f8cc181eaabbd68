// Generators and HDF5 input/output of petal-ot's problems (see ot_problems.hpp).
#include "ot_problems.hpp"
#include "core/splitmix64.hpp"
#include "core/h5.hpp"
#include <petal/io.h>
#include <petal/mesh.h>
#include <hdf5.h>
#include <cmath>

namespace petal {
namespace otdriver {
namespace {

using h5::Quiet; // HDF5 errors are reported as PETSc errors; silence the library's own stack dumps


PetscErrorCode ReadDataset(MPI_Comm comm, hid_t file, const char *filename, const char *path, std::vector<double> *v, std::vector<hsize_t> *dims)
{
  PetscFunctionBegin;
  hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
  PetscCheck(d >= 0, comm, PETSC_ERR_FILE_UNEXPECTED, "petal-ot: %s has no dataset %s", filename, path);
  hid_t s    = H5Dget_space(d);
  int   rank = H5Sget_simple_extent_ndims(s);
  dims->assign(rank > 0 ? rank : 0, 0);
  if (rank > 0) H5Sget_simple_extent_dims(s, dims->data(), NULL);
  hssize_t n = H5Sget_simple_extent_npoints(s);
  v->resize(n);
  herr_t err = n > 0 ? H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v->data()) : 0;
  H5Sclose(s);
  H5Dclose(d);
  PetscCheck(err >= 0, comm, PETSC_ERR_FILE_READ, "petal-ot: cannot read %s from %s as float64", path, filename);
  PetscFunctionReturn(0);
}

PetscErrorCode WriteDataset(hid_t file, const char *path, int rank, const hsize_t *dims, const double *data)
{
  PetscFunctionBegin;
  hid_t s = H5Screate_simple(rank, dims, NULL);
  hid_t d = H5Dcreate2(file, path, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(d >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "petal-ot: cannot create dataset %s", path);
  H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(d);
  H5Sclose(s);
  PetscFunctionReturn(0);
}
} // namespace

Problem RandomAssignment(int n, int dim, std::uint64_t seed)
{
  SplitMix64 g{seed};
  Problem    p;
  p.kind = "assignment";
  p.n = p.m = n;
  p.dim     = dim;
  p.X.resize(static_cast<size_t>(n) * dim);
  p.Y.resize(static_cast<size_t>(n) * dim);
  for (double &v : p.X) v = g.Uniform();
  for (double &v : p.Y) v = g.Uniform();
  p.r.assign(n, 1.0 / n);
  p.c.assign(n, 1.0 / n);
  return p;
}

Problem TwoBlobImages(int side, std::uint64_t seed)
{
  SplitMix64 g{seed};
  Problem    p;
  p.kind = "blobs";
  p.n = p.m = side * side;
  p.dim     = 2;
  p.X.resize(2 * static_cast<size_t>(p.n));
  for (int iy = 0; iy < side; ++iy)
    for (int ix = 0; ix < side; ++ix) {
      const size_t k = static_cast<size_t>(iy) * side + ix;
      p.X[2 * k]     = (ix + 0.5) / side;
      p.X[2 * k + 1] = (iy + 0.5) / side;
    }
  p.Y = p.X;
  for (std::vector<double> *w : {&p.r, &p.c}) {
    w->assign(p.n, 0.0);
    for (int blob = 0; blob < 2; ++blob) {
      const double cx = 0.2 + 0.6 * g.Uniform(), cy = 0.2 + 0.6 * g.Uniform();
      const double sigma = 0.06 + 0.08 * g.Uniform(), amp = 0.5 + g.Uniform();
      for (int k = 0; k < p.n; ++k) {
        const double dx = p.X[2 * k] - cx, dy = p.X[2 * k + 1] - cy;
        (*w)[k] += amp * std::exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      }
    }
    double s = 0;
    for (double v : *w) s += v;
    for (double &v : *w) v /= s;
  }
  return p;
}

PetscErrorCode ReadProblem(MPI_Comm comm, const char *filename, Problem *p)
{
  Quiet quiet;

  PetscFunctionBegin;
  PetscCall(PetalCheckReadable(comm, filename));
  hid_t file = H5Fopen(filename, H5F_ACC_RDONLY, H5P_DEFAULT);
  PetscCheck(file >= 0, comm, PETSC_ERR_FILE_OPEN, "petal-ot: %s is not an HDF5 file", filename);
  const bool           voxel = H5Lexists(file, "/grid", H5P_DEFAULT) > 0;
  std::vector<hsize_t> dims;
  if (voxel) { /* two histograms on a petal-voxel grid: weights on the cell centres */
    H5Fclose(file);
    PetalVoxelGridInfo info;
    PetscCall(PetalVoxelGridReadInfo(comm, filename, &info));
    file = H5Fopen(filename, H5F_ACC_RDONLY, H5P_DEFAULT);
    PetscCall(ReadDataset(comm, file, filename, "/ot/source", &p->r, &dims));
    PetscCall(ReadDataset(comm, file, filename, "/ot/target", &p->c, &dims));
    const PetscInt cells = info.shape[0] * info.shape[1] * info.shape[2];
    PetscCheck((PetscInt)p->r.size() == cells && (PetscInt)p->c.size() == cells, comm, PETSC_ERR_FILE_UNEXPECTED, "petal-ot: %s: /ot/source and /ot/target must have one value per grid cell (%" PetscInt_FMT ")", filename, cells);
    p->kind = "voxel histograms";
    p->dim  = (int)info.dim;
    p->n = p->m = (int)cells;
    p->X.resize(static_cast<size_t>(cells) * p->dim);
    for (PetscInt k = 0; k < cells; ++k) { /* C order, x fastest */
      PetscInt idx[3] = {k % info.shape[0], (k / info.shape[0]) % info.shape[1], k / (info.shape[0] * info.shape[1])};
      for (int d = 0; d < p->dim; ++d) p->X[static_cast<size_t>(k) * p->dim + d] = info.origin[d] + (idx[d] + 0.5) * info.spacing[d];
    }
    p->Y = p->X;
  } else {
    std::vector<hsize_t> dx, dy;
    PetscCall(ReadDataset(comm, file, filename, "/source/points", &p->X, &dx));
    PetscCall(ReadDataset(comm, file, filename, "/target/points", &p->Y, &dy));
    PetscCall(ReadDataset(comm, file, filename, "/source/weights", &p->r, &dims));
    PetscCall(ReadDataset(comm, file, filename, "/target/weights", &p->c, &dims));
    PetscCheck(dx.size() == 2 && dy.size() == 2 && dx[1] == dy[1], comm, PETSC_ERR_FILE_UNEXPECTED, "petal-ot: %s: /source/points and /target/points must be 2-D arrays [n, d] with the same d", filename);
    p->kind = "points file";
    p->n    = (int)dx[0];
    p->m    = (int)dy[0];
    p->dim  = (int)dx[1];
    PetscCheck((int)p->r.size() == p->n && (int)p->c.size() == p->m, comm, PETSC_ERR_FILE_UNEXPECTED, "petal-ot: %s: %zu source weights for %d source points, %zu target weights for %d target points", filename, p->r.size(), p->n, p->c.size(), p->m);
    H5Fclose(file);
  }
  if (voxel) H5Fclose(file);
  PetscFunctionReturn(0);
}

PetscErrorCode SaveProblem(MPI_Comm comm, const Problem &p, const char *filename)
{
  PetscMPIInt rank;
  char        tmp[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetalAtomicFileTempName(filename, tmp, sizeof tmp));
  int ok = 1;
  if (rank == 0) {
    hid_t file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    ok         = file >= 0;
    if (ok) {
      H5Gclose(H5Gcreate2(file, "/source", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
      H5Gclose(H5Gcreate2(file, "/target", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
      hsize_t dx[2] = {(hsize_t)p.n, (hsize_t)p.dim}, dy[2] = {(hsize_t)p.m, (hsize_t)p.dim}, dn = p.n, dm = p.m;
      PetscCall(WriteDataset(file, "/source/points", 2, dx, p.X.data()));
      PetscCall(WriteDataset(file, "/target/points", 2, dy, p.Y.data()));
      PetscCall(WriteDataset(file, "/source/weights", 1, &dn, p.r.data()));
      PetscCall(WriteDataset(file, "/target/weights", 1, &dm, p.c.data()));
      H5Fclose(file);
    }
  }
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, comm));
  PetscCheck(ok, comm, PETSC_ERR_FILE_OPEN, "petal-ot: cannot create %s", tmp);
  PetscCall(PetalAtomicFileCommit(comm, tmp, filename));
  PetscFunctionReturn(0);
}

} // namespace otdriver
} // namespace petal
