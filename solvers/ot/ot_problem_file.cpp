// OT problem files (layouts in include/petal/ot_problems.hpp): the reader, a fuzz target, and the writer.
//
// Reading: rank 0 opens the file with HDF5's default (POSIX) driver and checks everything before any data
// reaches the solver: links, dataset types and shapes, sizes against kOTProblem* (before allocating), the
// stored bytes against the declared size (a truncated or never written dataset), finite values, weights
// >= 0 with balanced positive totals. Its verdict (an error code and message) is broadcast and raised on
// every rank alike, then the data follows; so a malformed file is one clean collective error on any number
// of ranks, never a crash, a hang or a message on one rank only. The voxel variant's grid header is read by
// PetalVoxelGridReadInfo, which every rank runs with the same answer.
//
// Writing: rank 0 writes a temporary file; the ranks agree on failures (rank 0's and injected faults)
// before the rename, and a failed write removes the temporary on every path.
#include <petal/ot_problems.hpp>
#include <petal/driver.h>
#include <petal/io.h>
#include <petal/mesh.h>
#include <petsc/private/petscimpl.h>
#include "core/file_verdict.hpp"
#include "core/h5.hpp"
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <new>

namespace petal {
namespace {

using h5::Handle;
using h5::Quiet;

// An error found on rank 0 (code 0: none), raised on every rank by Agree.
struct Verdict {
  PetscErrorCode code = 0;
  std::string    msg;

  bool Fail(PetscErrorCode c, const char *fmt, ...) PETSC_ATTRIBUTE_FORMAT(3, 4)
  {
    char    buf[1024];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    code = c;
    msg  = buf;
    return false;
  }
};

// Rank 0's verdict, raised on every rank (a collective error, printed once).
PetscErrorCode Agree(MPI_Comm comm, const Verdict &v) { return RaiseVerdict(comm, v.code, v.msg); }

const char *ClassName(H5T_class_t c)
{
  switch (c) {
  case H5T_INTEGER: return "integers";
  case H5T_FLOAT: return "floating-point numbers";
  case H5T_STRING: return "strings";
  case H5T_COMPOUND: return "a compound type";
  case H5T_ENUM: return "an enum type";
  case H5T_ARRAY: return "an array type";
  case H5T_VLEN: return "variable-length data";
  case H5T_REFERENCE: return "references";
  case H5T_OPAQUE: return "opaque data";
  case H5T_BITFIELD: return "a bitfield";
  default: return "an unknown type";
  }
}

// Reads the numeric dataset at path (rank 0): its dimensions and its values converted to double. Refuses
// non-numeric types, scalars, more than kOTProblemMaxValues values and datasets whose stored bytes cannot
// hold what they declare, before allocating anything.
bool ReadNumbers(hid_t file, const char *filename, const char *path, std::vector<hsize_t> *dims, std::vector<double> *v, Verdict *e)
{
  if (!h5::LinkExists(file, path)) return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\" has no dataset %s", filename, path);
  {
    Handle obj(H5Oopen(file, path, H5P_DEFAULT));
    if (!obj.valid()) return e->Fail(PETSC_ERR_FILE_READ, "OT problem file \"%s\": cannot open %s (corrupt or truncated file?)", filename, path);
    if (H5Iget_type(obj) != H5I_DATASET) return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": %s is not a dataset", filename, path);
  }
  Handle dset(H5Dopen2(file, path, H5P_DEFAULT));
  Handle type(dset.valid() ? H5Dget_type(dset) : H5I_INVALID_HID);
  Handle space(dset.valid() ? H5Dget_space(dset) : H5I_INVALID_HID);
  if (!type.valid() || !space.valid()) return e->Fail(PETSC_ERR_FILE_READ, "OT problem file \"%s\": cannot open dataset %s (corrupt or truncated file?)", filename, path);
  const H5T_class_t cls = H5Tget_class(type);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": %s holds %s; expected numbers (a float or integer array)", filename, path, ClassName(cls));
  const int rank = H5Sget_simple_extent_ndims(space);
  if (rank < 1 || H5Sget_simple_extent_type(space) != H5S_SIMPLE) return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": %s is a scalar or empty dataspace; expected an array", filename, path);
  dims->assign(rank, 0);
  if (H5Sget_simple_extent_dims(space, dims->data(), nullptr) < 0) return e->Fail(PETSC_ERR_FILE_READ, "OT problem file \"%s\": cannot read the dimensions of %s", filename, path);
  long double count = 1;
  for (hsize_t d : *dims) count *= (long double)d;
  if (count > (long double)kOTProblemMaxValues)
    return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": %s has dimensions %s, more than the %lld values a problem dataset may hold", filename, path, h5::DimsString(*dims).c_str(), kOTProblemMaxValues);
  const size_t n = (size_t)count;
  {
    Handle dcpl(H5Dget_create_plist(dset));
    const bool plain = dcpl.valid() && H5Pget_nfilters(dcpl) == 0 && H5Pget_external_count(dcpl) == 0;
    const unsigned long long stored = H5Dget_storage_size(dset), declared = (unsigned long long)n * H5Tget_size(type);
    if (plain && stored < declared)
      return e->Fail(PETSC_ERR_FILE_READ, "OT problem file \"%s\": %s declares %s values (%llu bytes) but stores %llu bytes (truncated or never written)", filename, path, h5::DimsString(*dims).c_str(), declared, stored);
  }
  try {
    v->assign(n, 0.0);
  } catch (const std::bad_alloc &) {
    return e->Fail(PETSC_ERR_MEM, "OT problem file \"%s\": cannot allocate %zu values for %s", filename, n, path);
  }
  if (n > 0 && H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v->data()) < 0)
    return e->Fail(PETSC_ERR_FILE_READ, "OT problem file \"%s\": cannot read %s as numbers (corrupt or truncated file?)", filename, path);
  return true;
}

// Point coordinates: finite.
bool CheckPoints(const char *filename, const char *path, const std::vector<double> &X, size_t dim, Verdict *e)
{
  for (size_t k = 0; k < X.size(); ++k)
    if (!std::isfinite(X[k])) return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": %s[%zu, %zu] is %g; coordinates must be finite", filename, path, k / dim, k % dim, X[k]);
  return true;
}

// Weights: finite, >= 0, with a positive finite total.
bool CheckWeights(const char *filename, const char *side, const std::vector<double> &w, double *total, Verdict *e)
{
  double s = 0;
  for (size_t k = 0; k < w.size(); ++k) {
    if (!std::isfinite(w[k])) return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": %s weight %zu is %g; weights must be finite and >= 0", filename, side, k, w[k]);
    if (w[k] < 0) return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": %s weight %zu is negative (%g); weights must be finite and >= 0", filename, side, k, w[k]);
    s += w[k];
  }
  if (!(s > 0) || !std::isfinite(s)) return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": the %s weights sum to %g; the total must be positive and finite", filename, side, s);
  *total = s;
  return true;
}

bool CheckBalance(const char *filename, double rs, double cs, double massTol, Verdict *e)
{
  const double rel = std::fabs(rs - cs) / std::max(rs, cs);
  if (!(rel <= massTol))
    return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": the source weights total %.17g and the target weights %.17g differ by %.3e relative, more than the mass tolerance %g (balanced OT needs equal totals)", filename, rs, cs, rel, massTol);
  return true;
}

// The points layout (rank 0).
bool ReadPoints(hid_t file, const char *filename, double massTol, OTProblem *p, Verdict *e)
{
  std::vector<hsize_t> dx, dy, dr, dc;
  if (!ReadNumbers(file, filename, "/source/points", &dx, &p->X, e) || !ReadNumbers(file, filename, "/target/points", &dy, &p->Y, e)) return false;
  for (const auto &pd : {std::make_pair("/source/points", &dx), std::make_pair("/target/points", &dy)})
    if (pd.second->size() != 2 || (*pd.second)[0] < 1 || (*pd.second)[1] < 1)
      return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": %s has dimensions %s; expected a 2-D array [points, dimension] with at least one point", filename, pd.first, h5::DimsString(*pd.second).c_str());
  if (dx[1] != dy[1]) return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": /source/points is %s but /target/points is %s; both need the same dimension", filename, h5::DimsString(dx).c_str(), h5::DimsString(dy).c_str());
  if (dx[0] > (hsize_t)kOTProblemMaxPoints || dy[0] > (hsize_t)kOTProblemMaxPoints)
    return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": %llu source and %llu target points; at most %" PetscInt_FMT " per side", filename, (unsigned long long)dx[0], (unsigned long long)dy[0], kOTProblemMaxPoints);
  if (!ReadNumbers(file, filename, "/source/weights", &dr, &p->r, e) || !ReadNumbers(file, filename, "/target/weights", &dc, &p->c, e)) return false;
  if (dr.size() != 1 || dr[0] != dx[0])
    return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": /source/weights has dimensions %s; expected %llu entries, one per source point (/source/points is %s)", filename, h5::DimsString(dr).c_str(), (unsigned long long)dx[0], h5::DimsString(dx).c_str());
  if (dc.size() != 1 || dc[0] != dy[0])
    return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": /target/weights has dimensions %s; expected %llu entries, one per target point (/target/points is %s)", filename, h5::DimsString(dc).c_str(), (unsigned long long)dy[0], h5::DimsString(dy).c_str());
  p->kind = "points file";
  p->n    = (PetscInt)dx[0];
  p->m    = (PetscInt)dy[0];
  p->dim  = (PetscInt)dx[1];
  double rs, cs;
  return CheckPoints(filename, "/source/points", p->X, p->dim, e) && CheckPoints(filename, "/target/points", p->Y, p->dim, e) && CheckWeights(filename, "source", p->r, &rs, e) && CheckWeights(filename, "target", p->c, &cs, e) &&
         CheckBalance(filename, rs, cs, massTol, e);
}

// The voxel layout (rank 0): two histograms of the grid's shape, weights on the cell centres.
bool ReadVoxelHistograms(hid_t file, const char *filename, const PetalVoxelGridInfo &info, double massTol, OTProblem *p, Verdict *e)
{
  std::vector<hsize_t> want, ds, dt;
  std::string          shape;
  long long            cells = 1;
  for (PetscInt d = info.dim - 1; d >= 0; --d) want.push_back((hsize_t)info.shape[d]);
  for (PetscInt d = 0; d < info.dim; ++d) {
    shape += (d ? "," : "") + std::to_string((long long)info.shape[d]);
    cells *= info.shape[d];
  }
  if (cells > kOTProblemMaxPoints) return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": the grid has %lld cells; at most %" PetscInt_FMT " points per side", filename, cells, kOTProblemMaxPoints);
  if (!ReadNumbers(file, filename, "/ot/source", &ds, &p->r, e) || !ReadNumbers(file, filename, "/ot/target", &dt, &p->c, e)) return false;
  for (const auto &pd : {std::make_pair("/ot/source", &ds), std::make_pair("/ot/target", &dt)})
    if (*pd.second != want)
      return e->Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\": %s has dimensions %s but the grid (/grid/shape = (%s)) needs %s (one weight per cell, C order, x fastest)", filename, pd.first, h5::DimsString(*pd.second).c_str(), shape.c_str(),
                     h5::DimsString(want).c_str());
  p->kind = "voxel histograms";
  p->dim  = info.dim;
  p->n = p->m = (PetscInt)cells;
  try {
    p->X.resize(static_cast<size_t>(cells) * p->dim);
  } catch (const std::bad_alloc &) {
    return e->Fail(PETSC_ERR_MEM, "OT problem file \"%s\": cannot allocate the %lld cell centres", filename, cells);
  }
  for (long long k = 0; k < cells; ++k) { /* C order, x fastest */
    const long long idx[3] = {k % info.shape[0], (k / info.shape[0]) % info.shape[1], k / ((long long)info.shape[0] * info.shape[1])};
    for (PetscInt d = 0; d < p->dim; ++d) p->X[static_cast<size_t>(k) * p->dim + d] = info.origin[d] + (idx[d] + 0.5) * info.spacing[d];
  }
  p->Y = p->X;
  double rs, cs;
  return CheckPoints(filename, "the cell centres", p->X, p->dim, e) && CheckWeights(filename, "source", p->r, &rs, e) && CheckWeights(filename, "target", p->c, &cs, e) && CheckBalance(filename, rs, cs, massTol, e);
}

// Broadcasts a vector rank 0 holds; the other ranks agree on their allocation first.
PetscErrorCode BcastVector(MPI_Comm comm, std::vector<double> *v)
{
  long long n = (long long)v->size();
  int       ok = 1, allOk;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Bcast(&n, 1, MPI_LONG_LONG, 0, comm));
  try {
    v->resize((size_t)n);
  } catch (const std::bad_alloc &) {
    ok = 0;
  }
  PetscCallMPI(MPI_Allreduce(&ok, &allOk, 1, MPI_INT, MPI_MIN, comm));
  PetscCheck(allOk, comm, PETSC_ERR_MEM, "OT problem: cannot allocate %lld values on every rank", n);
  if (n > 0) PetscCallMPI(MPI_Bcast(v->data(), (PetscMPIInt)n, MPI_DOUBLE, 0, comm));
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode OTProblemRead(MPI_Comm comm, const char filename[], OTProblem *p, PetscReal massTol)
{
  Quiet       quiet;
  PetscMPIInt rank;
  Verdict     v;
  int         voxel = 0;
  OTProblem   q;

  PetscFunctionBegin;
  PetscValidCharPointer(filename, 2);
  PetscValidPointer(p, 3);
  PetscCheck(massTol >= 0 && std::isfinite(massTol), comm, PETSC_ERR_ARG_OUTOFRANGE, "OTProblemRead: the mass tolerance must be finite and >= 0, got %g", (double)massTol);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetalCheckReadable(comm, filename));
  if (rank == 0) { /* which layout: the grid group says voxel */
    if (!h5::IsHDF5(filename)) v.Fail(PETSC_ERR_FILE_UNEXPECTED, "OT problem file \"%s\" is not an HDF5 file", filename);
    else {
      Handle file(H5Fopen(filename, H5F_ACC_RDONLY, H5P_DEFAULT));
      Handle     root(file.valid() ? H5Gopen2(file, "/", H5P_DEFAULT) : H5I_INVALID_HID);
      H5G_info_t ginfo;
      if (!root.valid() || H5Gget_info(root, &ginfo) < 0) v.Fail(PETSC_ERR_FILE_READ, "OT problem file \"%s\" is an HDF5 file that HDF5 cannot open (truncated or damaged?)", filename);
      else voxel = h5::LinkExists(file, "/grid");
    }
  }
  PetscCall(Agree(comm, v));
  PetscCallMPI(MPI_Bcast(&voxel, 1, MPI_INT, 0, comm));
  PetalVoxelGridInfo info;
  if (voxel) PetscCall(PetalVoxelGridReadInfo(comm, filename, &info)); /* every rank, the same verdict */
  if (rank == 0) {
    Handle file(H5Fopen(filename, H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file.valid()) v.Fail(PETSC_ERR_FILE_READ, "OT problem file \"%s\": HDF5 cannot open it", filename);
    else if (voxel) ReadVoxelHistograms(file, filename, info, massTol, &q, &v);
    else ReadPoints(file, filename, massTol, &q, &v);
    if (v.code) q = OTProblem();
  }
  PetscCall(Agree(comm, v));
  long long head[3] = {(long long)q.n, (long long)q.m, (long long)q.dim};
  PetscCallMPI(MPI_Bcast(head, 3, MPI_LONG_LONG, 0, comm));
  q.n   = (PetscInt)head[0];
  q.m   = (PetscInt)head[1];
  q.dim = (PetscInt)head[2];
  q.kind = voxel ? "voxel histograms" : "points file";
  PetscCall(BcastVector(comm, &q.r));
  PetscCall(BcastVector(comm, &q.c));
  PetscCall(BcastVector(comm, &q.X));
  PetscCall(BcastVector(comm, &q.Y));
  *p = std::move(q);
  PetscFunctionReturn(0);
}

namespace {
// Writes one float64 dataset (rank 0, POSIX file); false on failure.
bool WriteDataset(hid_t file, const char *path, int rank, const hsize_t *dims, const double *data)
{
  Handle space(H5Screate_simple(rank, dims, nullptr));
  Handle dset(space.valid() ? H5Dcreate2(file, path, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : H5I_INVALID_HID);
  return dset.valid() && H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0;
}

bool WriteGroup(hid_t file, const char *path)
{
  Handle g(H5Gcreate2(file, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  return g.valid();
}
} // namespace

PetscErrorCode OTProblemSave(MPI_Comm comm, const OTProblem &p, const char filename[])
{
  Quiet       quiet;
  PetscMPIInt rank;
  char        tmp[PETSC_MAX_PATH_LEN];
  int         ok = 1, allOk;

  PetscFunctionBegin;
  PetscValidCharPointer(filename, 3);
  PetscCheck(p.n >= 1 && p.m >= 1 && p.dim >= 1 && p.r.size() == (size_t)p.n && p.c.size() == (size_t)p.m && p.X.size() == (size_t)p.n * p.dim && p.Y.size() == (size_t)p.m * p.dim, comm, PETSC_ERR_ARG_SIZ,
             "OTProblemSave: inconsistent problem (n = %" PetscInt_FMT ", m = %" PetscInt_FMT ", dim = %" PetscInt_FMT ")", p.n, p.m, p.dim);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetalAtomicFileTempName(filename, tmp, sizeof tmp));
  if (rank == 0) {
    Handle file(H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    const hsize_t dx[2] = {(hsize_t)p.n, (hsize_t)p.dim}, dy[2] = {(hsize_t)p.m, (hsize_t)p.dim}, dn = (hsize_t)p.n, dm = (hsize_t)p.m;
    ok = file.valid() && WriteGroup(file, "/source") && WriteGroup(file, "/target") && WriteDataset(file, "/source/points", 2, dx, p.X.data()) && WriteDataset(file, "/target/points", 2, dy, p.Y.data());
    /* half written: an injected fault here must still leave no file behind */
    ok = ok && PetalFaultPoint("ot_problem_save") == 0;
    ok = ok && WriteDataset(file, "/source/weights", 1, &dn, p.r.data()) && WriteDataset(file, "/target/weights", 1, &dm, p.c.data());
    if (file.valid()) ok = H5Fclose(file.release()) >= 0 && ok;
  } else ok = PetalFaultPoint("ot_problem_save") == 0; /* the other ranks' faults take part in the verdict too */
  PetscCallMPI(MPI_Allreduce(&ok, &allOk, 1, MPI_INT, MPI_MIN, comm));
  if (!allOk) PetscCall(PetalAtomicFileAbort(comm, tmp));
  PetscCheck(allOk, comm, PETSC_ERR_FILE_WRITE, "OTProblemSave: cannot write the problem file %s (see the message above if a rank reported one)", filename);
  PetscCall(PetalAtomicFileCommit(comm, tmp, filename));
  PetscFunctionReturn(0);
}

} // namespace petal
