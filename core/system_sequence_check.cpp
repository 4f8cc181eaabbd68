// Rank 0's check of a sequence file (include/petal/sequence.h): everything a reader could trip over is found
// here, before any rank allocates or reads its part. The file is streamed in blocks, so memory stays at a few
// blocks plus two arrays of n + 1 entries (the row pointers and the diagonal positions), whatever the file
// declares; sizes are capped before those are allocated.
#include "core/system_sequence.hpp"
#include "core/h5_dataset.hpp"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>

namespace petal
{
namespace sequence
{
namespace
{
using h5::Handle;
constexpr hsize_t kBlock = hsize_t(1) << 16;

// Sequential reader of a 1-d dataset, or of row `row` of a 2-d one, in blocks (indices must not decrease).
template <class T>
class Stream {
public:
  Stream(hid_t file, const char *path, hid_t memType, hsize_t row, hsize_t length) : file_(file), path_(path), memType_(memType), row_(row), length_(length) { }
  bool At(hsize_t i, T *v)
  {
    if (i < start_ || i >= start_ + buf_.size()) {
      start_ = i;
      buf_.resize((size_t)std::min(kBlock, length_ - i));
      if (!h5::ReadSlab(file_, path_, memType_, row_, start_, buf_.size(), buf_.data())) return false;
    }
    *v = buf_[i - start_];
    return true;
  }

private:
  hid_t          file_;
  const char    *path_;
  hid_t          memType_;
  hsize_t        row_, length_, start_ = 0;
  std::vector<T> buf_;
};

std::string At(const char *what, long long i) { return std::string(what) + " " + std::to_string(i); }

herr_t FirstUnexpected(hid_t, const char *name, const H5L_info_t *, void *data)
{
  static const char *const known[] = {"row_ptr", "col", "values", "rhs", "x0", "context"};
  for (const char *k : known)
    if (!std::strcmp(name, k)) return 0;
  *static_cast<std::string *>(data) = name;
  return 1; // stop at the first unexpected object
}

std::string CheckHeader(hid_t f)
{
  bool                present;
  std::string         format;
  std::vector<double> version;
  std::string         why = h5::CheckedStringAttribute(f, "petal_format", 64, &present, &format);
  if (!why.empty() || !present || format != kFormat) return std::string("it is not a petal-relax sequence (the root attribute petal_format must be \"") + kFormat + "\")";
  why = h5::CheckedNumericAttribute(f, "petal_format_version", true, 1, &present, &version);
  if (!why.empty() || !present || version[0] != (double)kVersion) return "unsupported petal_format_version (expected 1)";
  std::string unexpected;
  hsize_t     idx = 0;
  if (H5Literate(f, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, FirstUnexpected, &unexpected) < 0) return "the root group cannot be listed";
  if (!unexpected.empty()) return "unexpected object /" + unexpected + " (a sequence file holds only /row_ptr, /col, /values, /rhs, /x0 and /context)";
  return "";
}

std::string Shape(const std::vector<hsize_t> &d) { return "[" + h5::DimsString(d) + "]"; }

// Dataset classes, dimensions and sizes; fills n, nnz, T and the optional flags.
std::string CheckShapes(hid_t f, PetalSequenceInfo *info)
{
  using h5::Kind;
  const unsigned long long maxInt = (unsigned long long)PETSC_MAX_INT, any = ~0ull;
  std::vector<hsize_t>     rp, col, val, rhs, x0, ctx;
  std::string              why = h5::CheckDataset(f, "/row_ptr", Kind::INTEGER, 1, maxInt, &rp);
  if (why.empty() && rp[0] < 2) why = "dataset /row_ptr must have n + 1 >= 2 entries, it has " + std::to_string(rp[0]);
  if (why.empty()) why = h5::CheckDataset(f, "/col", Kind::INTEGER, 1, maxInt, &col);
  if (why.empty()) why = h5::CheckDataset(f, "/values", Kind::FLOAT, 2, any, &val);
  if (why.empty() && (val[1] != col[0] || val[0] < 1 || val[0] > maxInt)) why = "dataset /values must be of shape [T, nnz] with 1 <= T <= PETSC_MAX_INT and nnz = " + std::to_string(col[0]) + " (the length of /col), it is " + Shape(val);
  if (!why.empty()) return why;
  info->n         = (PetscInt)(rp[0] - 1);
  info->nnz       = (PetscInt)col[0];
  info->instances = (PetscInt)val[0];
  const std::string want = "[" + std::to_string(info->instances) + "x" + std::to_string(info->n) + "] (T from /values, n from /row_ptr)";
  why = h5::CheckDataset(f, "/rhs", Kind::FLOAT, 2, any, &rhs);
  if (why.empty() && (rhs[0] != val[0] || rhs[1] != rp[0] - 1)) why = "dataset /rhs must be of shape " + want + ", it is " + Shape(rhs);
  info->has_x0 = h5::LinkExists(f, "/x0") ? PETSC_TRUE : PETSC_FALSE;
  if (why.empty() && info->has_x0) why = h5::CheckDataset(f, "/x0", Kind::FLOAT, 2, any, &x0);
  if (why.empty() && info->has_x0 && (x0[0] != val[0] || x0[1] != rp[0] - 1)) why = "dataset /x0 must be of shape " + want + ", it is " + Shape(x0);
  info->has_context = h5::LinkExists(f, "/context") ? PETSC_TRUE : PETSC_FALSE;
  if (why.empty() && info->has_context) why = h5::CheckDataset(f, "/context", Kind::FLOAT, 1, maxInt, &ctx);
  if (why.empty() && info->has_context && ctx[0] != val[0]) why = "dataset /context must have T = " + std::to_string(info->instances) + " entries (T from /values), it has " + std::to_string(ctx[0]);
  return why;
}

std::string CheckAttributes(hid_t f, PetalSequenceInfo *info)
{
  bool                present;
  std::vector<double> v;
  std::string         s, why = h5::CheckedNumericAttribute(f, "context_range", false, 2, &present, &v);
  if (why.empty() && present && (v.size() != 2 || !std::isfinite(v[0]) || !std::isfinite(v[1]) || !(v[0] < v[1]))) why = "attribute /context_range must be two finite values a < b";
  if (!why.empty()) return why;
  info->has_context_range = present ? PETSC_TRUE : PETSC_FALSE;
  if (present) info->context_range[0] = v[0], info->context_range[1] = v[1];
  why = h5::CheckedStringAttribute(f, "solver", sizeof info->solver - 1, &present, &s);
  if (!why.empty() || (present && s != "sor" && s != "ssor_pcg")) return "attribute /solver must be \"sor\" or \"ssor_pcg\"";
  std::strncpy(info->solver, present ? s.c_str() : "", sizeof info->solver - 1);
  why = h5::CheckedNumericAttribute(f, "bins", true, 1, &present, &v);
  if (why.empty() && present && !(v[0] >= 1 && v[0] <= kMaxBins)) why = "attribute /bins must be a positive integer (at most " + std::to_string(kMaxBins) + ")";
  if (!why.empty()) return why;
  info->bins = present ? (PetscInt)v[0] : 0;
  why        = h5::CheckedStringAttribute(f, "source", sizeof info->source - 1, &present, &s);
  if (why.empty()) std::strncpy(info->source, present ? s.c_str() : "", sizeof info->source - 1);
  return why;
}

// Row pointers (non-decreasing from 0 to nnz) and columns (in range, strictly increasing per row, diagonal
// present); keeps the row pointers and the diagonal positions for the value check.
std::string CheckPattern(hid_t f, const PetalSequenceInfo &info, std::vector<long long> &rowPtr, std::vector<long long> &diag)
{
  const long long       n = info.n, nnz = info.nnz;
  Stream<long long>     rp(f, "/row_ptr", H5T_NATIVE_LLONG, 0, n + 1), col(f, "/col", H5T_NATIVE_LLONG, 0, nnz);
  rowPtr.resize(n + 1);
  diag.resize(n);
  for (long long i = 0; i <= n; ++i) {
    if (!rp.At(i, &rowPtr[i])) return "dataset /row_ptr cannot be read";
    if (i == 0 && rowPtr[0] != 0) return "/row_ptr[0] must be 0, it is " + std::to_string(rowPtr[0]);
    if (i > 0 && rowPtr[i] < rowPtr[i - 1]) return "/row_ptr decreases at row " + std::to_string(i - 1) + ": row_ptr[" + std::to_string(i) + "] = " + std::to_string(rowPtr[i]) + " < row_ptr[" + std::to_string(i - 1) + "] = " + std::to_string(rowPtr[i - 1]);
    if (rowPtr[i] > nnz) return "/row_ptr[" + std::to_string(i) + "] = " + std::to_string(rowPtr[i]) + " exceeds nnz = " + std::to_string(nnz) + " (the length of /col)";
  }
  if (rowPtr[n] != nnz) return "/row_ptr must end at nnz = " + std::to_string(nnz) + " (the length of /col), it ends at " + std::to_string(rowPtr[n]);
  for (long long i = 0; i < n; ++i) {
    long long prev = -1, c;
    diag[i]        = -1;
    for (long long k = rowPtr[i]; k < rowPtr[i + 1]; ++k) {
      if (!col.At(k, &c)) return "dataset /col cannot be read";
      if (c < 0 || c >= n) return "/col has index " + std::to_string(c) + " outside [0, n) in row " + std::to_string(i);
      if (c <= prev) return "/col is not strictly increasing in row " + std::to_string(i);
      if (c == i) diag[i] = k;
      prev = c;
    }
    if (diag[i] < 0) return At("row", i) + " has no diagonal entry (SOR needs every diagonal)";
  }
  return "";
}

// Every instance: finite values with a non-zero diagonal, finite b and x0; finite contexts.
std::string CheckValues(hid_t f, const PetalSequenceInfo &info, const std::vector<long long> &rowPtr, const std::vector<long long> &diag)
{
  const long long n = info.n, nnz = info.nnz, T = info.instances;
  for (long long t = 0; t < T; ++t) {
    Stream<double> val(f, "/values", H5T_NATIVE_DOUBLE, t, nnz), rhs(f, "/rhs", H5T_NATIVE_DOUBLE, t, n), x0(f, "/x0", H5T_NATIVE_DOUBLE, t, n);
    const std::string inst = " of instance " + std::to_string(t);
    double            v;
    for (long long i = 0, k = 0; i < n; ++i) {
      for (; k < rowPtr[i + 1]; ++k) {
        if (!val.At(k, &v)) return "dataset /values cannot be read" + inst;
        if (!std::isfinite(v)) return "/values" + inst + " has a non-finite value in row " + std::to_string(i);
        if (k == diag[i] && v == 0.0) return "/values" + inst + " has a zero diagonal in row " + std::to_string(i);
      }
      if (!rhs.At(i, &v)) return "dataset /rhs cannot be read" + inst;
      if (!std::isfinite(v)) return "/rhs" + inst + " has a non-finite value in row " + std::to_string(i);
      if (info.has_x0 && !x0.At(i, &v)) return "dataset /x0 cannot be read" + inst;
      if (info.has_x0 && !std::isfinite(v)) return "/x0" + inst + " has a non-finite value in row " + std::to_string(i);
    }
  }
  Stream<double> ctx(f, "/context", H5T_NATIVE_DOUBLE, 0, T);
  for (long long t = 0; info.has_context && t < T; ++t) {
    double c;
    if (!ctx.At(t, &c)) return "dataset /context cannot be read";
    if (!std::isfinite(c)) return "/context has a non-finite value at instance " + std::to_string(t);
  }
  return "";
}
} // namespace

std::string CheckFile(const char *file, PetalSequenceInfo *info)
{
  h5::Quiet q;
  *info = PetalSequenceInfo{};
  if (!h5::IsHDF5(file)) return "it is not an HDF5 file";
  Handle f(H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f.valid()) return "HDF5 cannot open it (damaged or truncated)";
  std::string why = CheckHeader(f);
  if (why.empty()) why = CheckShapes(f, info);
  if (why.empty()) why = CheckAttributes(f, info);
  if (!why.empty()) return why;
  try {
    std::vector<long long> rowPtr, diag;
    why = CheckPattern(f, *info, rowPtr, diag);
    if (why.empty()) why = CheckValues(f, *info, rowPtr, diag);
  } catch (const std::bad_alloc &) {
    why = "its pattern (n = " + std::to_string(info->n) + ") does not fit in memory";
  }
  return why;
}
} // namespace sequence
} // namespace petal
