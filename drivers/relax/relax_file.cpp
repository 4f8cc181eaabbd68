// Sequences of linear systems in HDF5 ("petal-relax-sequence", version 1), read by -relax_sequence file and
// written by -relax_write_file. One sparsity pattern (CSR, 0-based) for all instances, values per instance:
//
//   attribute /petal_format          string  "petal-relax-sequence"
//   attribute /petal_format_version  integer 1
//   /row_ptr   int64   [n + 1]     row_ptr[0] = 0, non-decreasing, row_ptr[n] = nnz
//   /col       int64   [nnz]       column indices, strictly increasing within each row, diagonal present
//   /values    float64 [T, nnz]    values of A_t on the pattern (explicit zeros allowed off the diagonal)
//   /rhs       float64 [T, n]      b_t
//   /x0        float64 [T, n]      optional initial guesses (default 0)
//   /context   float64 [T]         optional context of each instance for the contextual learners (default 0)
//   attribute /context_range float64[2]  optional [a, b] of the contextual learners (default: min/max of
//                                        /context, widened to [c - 1, c + 1] if they are equal)
//   attribute /solver        string      optional "sor" or "ssor_pcg": the default of -relax_solver
//   attribute /bins          integer     optional default number of Tsallis-INF-CB bins
//   attribute /source        string      optional, free text (what produced the file)
//
// Reading: rank 0 checks the layout and reports problems as PETSc errors naming the file and the dataset;
// then every rank opens the file read-only and reads its own rows (hyperslabs), one instance at a time.
#include "relax_sequence.hpp"
#include <petal/io.h>
#include "core/h5.hpp"
#include <hdf5.h>
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace petal::relax {
namespace {
constexpr const char *kFormat  = "petal-relax-sequence";
constexpr long long   kVersion = 1;

// HDF5 handles, silencing and attribute helpers shared with the mesh readers
using h5::Handle;
using h5::Quiet;

template <class T>
bool ReadNumericAttribute(hid_t obj, const char *name, hid_t memType, std::vector<T> *out)
{
  if (H5Aexists(obj, name) <= 0) return false;
  Handle a(H5Aopen(obj, name, H5P_DEFAULT));
  if (!a.valid()) return false;
  Handle ft(H5Aget_type(a)), sp(H5Aget_space(a));
  const H5T_class_t cls = H5Tget_class(ft);
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) return false;
  const hssize_t n = H5Sget_simple_extent_npoints(sp);
  if (n < 1) return false;
  out->resize((size_t)n);
  return H5Aread(a, memType, out->data()) >= 0;
}

herr_t WriteNumericAttribute(hid_t obj, const char *name, hid_t fileType, hid_t memType, const void *data, hsize_t n)
{
  Handle sp(n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr));
  Handle a(H5Acreate2(obj, name, fileType, sp, H5P_DEFAULT, H5P_DEFAULT));
  if (!a.valid()) return -1;
  return H5Awrite(a, memType, data);
}

// Reads the block [offset, offset + count) of a 1-d dataset, or of row `row` of a 2-d dataset.
bool ReadBlock(hid_t file, const char *name, hid_t memType, bool twoD, hsize_t row, hsize_t offset, hsize_t count, void *buf)
{
  Handle d(H5Dopen2(file, name, H5P_DEFAULT));
  if (!d.valid()) return false;
  Handle  fs(H5Dget_space(d));
  hsize_t start[2] = {row, offset}, cnt[2] = {1, count};
  if (!twoD) start[0] = offset, cnt[0] = count;
  if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, nullptr, cnt, nullptr) < 0) return false;
  Handle ms(H5Screate_simple(1, &count, nullptr));
  if (count == 0) return true;
  return H5Dread(d, memType, ms, fs, H5P_DEFAULT, buf) >= 0;
}

bool WriteBlock(hid_t dset, hid_t memType, hsize_t row, hsize_t count, const void *buf, bool twoD)
{
  Handle  fs(H5Dget_space(dset));
  hsize_t start[2] = {row, 0}, cnt[2] = {1, count};
  if (!twoD) start[0] = 0, cnt[0] = count;
  if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, nullptr, cnt, nullptr) < 0) return false;
  Handle ms(H5Screate_simple(1, &count, nullptr));
  if (count == 0) return true;
  return H5Dwrite(dset, memType, ms, fs, H5P_DEFAULT, buf) >= 0;
}

// Everything rank 0 learns from checking the layout.
struct Layout {
  long long n = 0, nnz = 0, T = 0;
  bool      hasX0 = false, hasContext = false, hasRange = false;
  double    range[2] = {0, 0};
  long long solver = -1, bins = -1;
  std::string source;
};

// Rank 0: checks the layout (format, dataset shapes, pattern). Returns an error message or "".
std::string CheckLayout(const char *file, Layout *L)
{
  Quiet q;
  if (H5Fis_hdf5(file) <= 0) return "it is not an HDF5 file";
  Handle f(H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f.valid()) return "HDF5 cannot open it";
  std::string            format;
  std::vector<long long> version;
  if (!h5::ReadStringAttribute(f, "/", "petal_format", &format) || format != kFormat) return std::string("it is not a petal-relax sequence (the root attribute petal_format must be \"") + kFormat + "\")";
  if (!ReadNumericAttribute(f, "petal_format_version", H5T_NATIVE_LLONG, &version) || version.size() != 1 || version[0] != kVersion) return "unsupported petal_format_version (expected 1)";
  std::vector<hsize_t> rp, col, val, rhs, x0, ctx;
  if (!h5::DatasetDims(f, "row_ptr", &rp) || rp.size() != 1 || rp[0] < 2) return "dataset /row_ptr is missing or not a 1-d array of n + 1 >= 2 entries";
  L->n = (long long)rp[0] - 1;
  if (!h5::DatasetDims(f, "col", &col) || col.size() != 1) return "dataset /col is missing or not 1-d";
  L->nnz = (long long)col[0];
  if (!h5::DatasetDims(f, "values", &val) || val.size() != 2 || (long long)val[1] != L->nnz || val[0] < 1) return "dataset /values is missing or not of shape [T, nnz] with T >= 1 and nnz = length of /col";
  L->T = (long long)val[0];
  if (!h5::DatasetDims(f, "rhs", &rhs) || rhs.size() != 2 || (long long)rhs[0] != L->T || (long long)rhs[1] != L->n) return "dataset /rhs is missing or not of shape [T, n] (T from /values, n from /row_ptr)";
  L->hasX0 = h5::DatasetDims(f, "x0", &x0);
  if (L->hasX0 && (x0.size() != 2 || (long long)x0[0] != L->T || (long long)x0[1] != L->n)) return "dataset /x0 is not of shape [T, n]";
  L->hasContext = h5::DatasetDims(f, "context", &ctx);
  if (L->hasContext && (ctx.size() != 1 || (long long)ctx[0] != L->T)) return "dataset /context is not of shape [T]";
  std::vector<double> range;
  if (ReadNumericAttribute(f, "context_range", H5T_NATIVE_DOUBLE, &range)) {
    if (range.size() != 2 || !(range[0] < range[1]) || !std::isfinite(range[0]) || !std::isfinite(range[1])) return "attribute /context_range must be two finite values a < b";
    L->hasRange = true, L->range[0] = range[0], L->range[1] = range[1];
  }
  std::string solver;
  if (h5::ReadStringAttribute(f, "/", "solver", &solver)) {
    if (solver == "sor") L->solver = 0;
    else if (solver == "ssor_pcg") L->solver = 1;
    else return "attribute /solver must be \"sor\" or \"ssor_pcg\"";
  }
  std::vector<long long> bins;
  if (ReadNumericAttribute(f, "bins", H5T_NATIVE_LLONG, &bins)) {
    if (bins.size() != 1 || bins[0] < 1) return "attribute /bins must be a positive integer";
    L->bins = bins[0];
  }
  h5::ReadStringAttribute(f, "/", "source", &L->source);
  // The pattern (rank 0 checks all of it once; ranks later read their rows only).
  std::vector<long long> rowPtr(L->n + 1), cols(L->nnz);
  if (!ReadBlock(f, "row_ptr", H5T_NATIVE_LLONG, false, 0, 0, L->n + 1, rowPtr.data())) return "cannot read /row_ptr";
  if (!ReadBlock(f, "col", H5T_NATIVE_LLONG, false, 0, 0, L->nnz, cols.data())) return "cannot read /col";
  if (rowPtr[0] != 0 || rowPtr[L->n] != L->nnz) return "/row_ptr must start at 0 and end at nnz (the length of /col)";
  for (long long i = 0; i < L->n; ++i) {
    if (rowPtr[i + 1] < rowPtr[i]) return "/row_ptr is decreasing at row " + std::to_string(i);
    bool diag = false;
    for (long long k = rowPtr[i]; k < rowPtr[i + 1]; ++k) {
      if (cols[k] < 0 || cols[k] >= L->n) return "/col has index " + std::to_string(cols[k]) + " outside [0, n) in row " + std::to_string(i);
      if (k > rowPtr[i] && cols[k] <= cols[k - 1]) return "/col is not strictly increasing in row " + std::to_string(i);
      diag = diag || cols[k] == i;
    }
    if (!diag) return "row " + std::to_string(i) + " has no diagonal entry (SOR needs every diagonal)";
  }
  return "";
}

class FileSequence : public Sequence {
public:
  ~FileSequence() override
  {
    (void)MatDestroy(&A_);
    (void)VecDestroy(&b_);
    (void)VecDestroy(&x0_);
  }
  const char *Name() const override { return "file"; }
  Solver      DefaultSolver() const override { return L_.solver == 1 ? Solver::SSOR_PCG : Solver::SOR; }
  PetscInt    DefaultBins() const override { return L_.bins > 0 ? (PetscInt)L_.bins : 5; }
  void        ContextRange(PetscReal *a, PetscReal *b) const override
  {
    if (L_.hasRange) {
      *a = L_.range[0], *b = L_.range[1];
      return;
    }
    double lo = 0, hi = 0;
    if (!context_.empty()) {
      lo = *std::min_element(context_.begin(), context_.end());
      hi = *std::max_element(context_.begin(), context_.end());
    }
    if (!(lo < hi)) lo -= 1, hi += 1;
    *a = lo, *b = hi;
  }
  PetscErrorCode View(PetscViewer v) const override
  {
    return PetscViewerASCIIPrintf(v, "sequence: file %s (%s), n = %" PetscInt_FMT ", nnz = %lld, %" PetscInt_FMT " of %lld instances%s%s\n", file_.c_str(), L_.source.empty() ? "no source attribute" : L_.source.c_str(), size_, L_.nnz, length_, L_.T, L_.hasX0 ? ", initial guesses from /x0" : ", x0 = 0", L_.hasContext ? ", contexts from /context" : ", no /context (context 0)");
  }
  void Describe(JsonWriter &j) const override
  {
    j.Value("file", file_).Value("nnz", L_.nnz).Value("instances_in_file", L_.T).Value("source", L_.source);
    j.Value("has_x0", L_.hasX0).Value("has_context", L_.hasContext);
  }

  PetscErrorCode Setup(MPI_Comm comm, const char *file, PetscInt instances)
  {
    PetscMPIInt rank;
    PetscFunctionBegin;
    file_ = file;
    PetscCallMPI(MPI_Comm_rank(comm, &rank));
    PetscCall(PetalCheckReadable(comm, file));
    std::string why;
    if (rank == 0) why = CheckLayout(file, &L_);
    int failed = !why.empty();
    PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, comm));
    PetscCheck(!failed, comm, PETSC_ERR_FILE_UNEXPECTED, "petal-relax: cannot use %s as a sequence of linear systems: %s", file, why.c_str());
    long long hdr[7] = {L_.n, L_.nnz, L_.T, L_.hasX0, L_.hasContext, L_.solver, L_.bins};
    double    rng[3] = {L_.range[0], L_.range[1], (double)L_.hasRange};
    PetscCallMPI(MPI_Bcast(hdr, 7, MPI_LONG_LONG, 0, comm));
    PetscCallMPI(MPI_Bcast(rng, 3, MPI_DOUBLE, 0, comm));
    L_.n = hdr[0], L_.nnz = hdr[1], L_.T = hdr[2], L_.hasX0 = hdr[3], L_.hasContext = hdr[4], L_.solver = hdr[5], L_.bins = hdr[6];
    L_.range[0] = rng[0], L_.range[1] = rng[1], L_.hasRange = rng[2] != 0;
    size_   = (PetscInt)L_.n;
    length_ = instances > 0 ? (PetscInt)std::min<long long>(instances, L_.T) : (PetscInt)L_.T;
    PetscCheck(instances <= L_.T, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_instances %" PetscInt_FMT " but %s holds only %lld instances", instances, file, L_.T);

    // Every rank: its rows of the pattern, the contexts.
    Quiet q;
    f_ = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    int bad = !f_.valid();
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm));
    PetscCheck(!bad, comm, PETSC_ERR_FILE_OPEN, "petal-relax: some rank cannot open %s", file);
    PetscInt nlocal = PETSC_DECIDE, N = size_;
    PetscCall(PetscSplitOwnership(comm, &nlocal, &N));
    PetscCallMPI(MPI_Scan(&nlocal, &rend_, 1, MPIU_INT, MPI_SUM, comm));
    rstart_ = rend_ - nlocal;
    rowPtr_.resize(nlocal + 1);
    bad = !ReadBlock(f_, "row_ptr", H5T_NATIVE_LLONG, false, 0, rstart_, nlocal + 1, rowPtr_.data());
    cols_.resize(bad ? 0 : rowPtr_[nlocal] - rowPtr_[0]);
    bad = bad || !ReadBlock(f_, "col", H5T_NATIVE_LLONG, false, 0, rowPtr_[0], cols_.size(), cols_.data());
    context_.assign(L_.T, 0.0);
    if (L_.hasContext) bad = bad || !ReadBlock(f_, "context", H5T_NATIVE_DOUBLE, false, 0, 0, L_.T, context_.data());
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm));
    PetscCheck(!bad, comm, PETSC_ERR_FILE_READ, "petal-relax: cannot read the pattern or /context of %s", file);
    for (double c : context_) PetscCheck(std::isfinite(c), comm, PETSC_ERR_FILE_UNEXPECTED, "petal-relax: %s has a non-finite /context value", file);

    std::vector<PetscInt> dnz(nlocal), onz(nlocal);
    for (PetscInt i = 0; i < nlocal; ++i)
      for (long long k = rowPtr_[i]; k < rowPtr_[i + 1]; ++k) {
        const long long c = cols_[k - rowPtr_[0]];
        (c >= rstart_ && c < rend_ ? dnz : onz)[i]++;
      }
    PetscCall(MatCreateAIJ(comm, nlocal, nlocal, size_, size_, 0, dnz.data(), 0, onz.data(), &A_));
    PetscCall(MatSetOption(A_, MAT_USE_INODES, PETSC_FALSE)); // every arm runs the same scalar SOR kernel
    PetscCall(MatSetOption(A_, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
    PetscCall(MatCreateVecs(A_, &x0_, &b_));
    vals_.resize(cols_.size());
    colsInt_.assign(cols_.begin(), cols_.end());
    PetscFunctionReturn(0);
  }

  PetscErrorCode CreateVector(Vec *v) const override { return VecDuplicate(b_, v); }
  PetscErrorCode Reset() override
  {
    next_ = 0;
    return 0;
  }
  PetscErrorCode Begin(PetscInt t, Mat *A, PetscReal *context) override
  {
    MPI_Comm     comm = PetscObjectComm((PetscObject)A_);
    PetscScalar *b, *x;
    PetscFunctionBegin;
    PetscCheck(t == next_, comm, PETSC_ERR_ARG_WRONGSTATE, "file sequence: instance %" PetscInt_FMT " requested, %" PetscInt_FMT " expected (call Reset to restart)", t, next_);
    next_++;
    const PetscInt nlocal = rend_ - rstart_;
    Quiet          q;
    int            bad = !ReadBlock(f_, "values", H5T_NATIVE_DOUBLE, true, t, rowPtr_[0], vals_.size(), vals_.data());
    PetscCall(VecGetArrayWrite(b_, &b));
    PetscCall(VecGetArrayWrite(x0_, &x));
    bad = bad || !ReadBlock(f_, "rhs", H5T_NATIVE_DOUBLE, true, t, rstart_, nlocal, b);
    if (L_.hasX0) bad = bad || !ReadBlock(f_, "x0", H5T_NATIVE_DOUBLE, true, t, rstart_, nlocal, x);
    else std::fill(x, x + nlocal, 0.0);
    // Finite values and a non-zero diagonal (SOR divides by it).
    PetscInt badRow = -1;
    for (PetscInt i = 0; i < nlocal && !bad && badRow < 0; ++i) {
      bool diag = false;
      for (long long k = rowPtr_[i] - rowPtr_[0]; k < rowPtr_[i + 1] - rowPtr_[0]; ++k) {
        if (!std::isfinite(vals_[k])) badRow = rstart_ + i;
        if (cols_[k] == rstart_ + i && vals_[k] != 0.0) diag = true;
      }
      if (!diag || !std::isfinite(b[i]) || !std::isfinite(x[i])) badRow = rstart_ + i;
    }
    PetscCall(VecRestoreArrayWrite(b_, &b));
    PetscCall(VecRestoreArrayWrite(x0_, &x));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm));
    PetscCheck(!bad, comm, PETSC_ERR_FILE_READ, "petal-relax: cannot read instance %" PetscInt_FMT " of %s", t, file_.c_str());
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &badRow, 1, MPIU_INT, MPI_MAX, comm));
    PetscCheck(badRow < 0, comm, PETSC_ERR_FILE_UNEXPECTED, "petal-relax: instance %" PetscInt_FMT " of %s has a zero diagonal or a non-finite value in row %" PetscInt_FMT, t, file_.c_str(), badRow);
    for (PetscInt i = 0; i < nlocal; ++i) {
      const PetscInt row = rstart_ + i, off = (PetscInt)(rowPtr_[i] - rowPtr_[0]);
      PetscCall(MatSetValues(A_, 1, &row, (PetscInt)(rowPtr_[i + 1] - rowPtr_[i]), colsInt_.data() + off, vals_.data() + off, INSERT_VALUES));
    }
    PetscCall(MatAssemblyBegin(A_, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(A_, MAT_FINAL_ASSEMBLY));
    *A       = A_;
    *context = context_[t];
    PetscFunctionReturn(0);
  }
  PetscErrorCode System(Vec, Vec b, Vec x0) override
  {
    PetscFunctionBegin;
    PetscCall(VecCopy(b_, b));
    PetscCall(VecCopy(x0_, x0));
    PetscFunctionReturn(0);
  }

private:
  std::string            file_;
  Layout                 L_;
  Handle                 f_;
  Mat                    A_  = nullptr;
  Vec                    b_  = nullptr, x0_ = nullptr;
  PetscInt               rstart_ = 0, rend_ = 0, next_ = 0;
  std::vector<long long> rowPtr_, cols_;
  std::vector<PetscInt>  colsInt_;
  std::vector<double>    vals_, context_;
};

// Gathers the local CSR rows of A to rank 0: counts per row (pattern only), columns (pattern only), values.
PetscErrorCode GatherCSR(Mat A, bool pattern, std::vector<long long> *rowPtr, std::vector<long long> *cols, std::vector<double> *vals, std::vector<PetscInt> *localCols)
{
  MPI_Comm    comm = PetscObjectComm((PetscObject)A);
  PetscMPIInt rank, size;
  PetscInt    rstart, rend;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(MatGetOwnershipRange(A, &rstart, &rend));
  std::vector<long long> lens, lcols;
  std::vector<double>    lvals;
  for (PetscInt i = rstart; i < rend; ++i) {
    PetscInt           nc;
    const PetscInt    *c;
    const PetscScalar *v;
    PetscCall(MatGetRow(A, i, &nc, &c, &v));
    lens.push_back(nc);
    for (PetscInt k = 0; k < nc; ++k) lcols.push_back(c[k]), lvals.push_back(PetscRealPart(v[k]));
    PetscCall(MatRestoreRow(A, i, &nc, &c, &v));
  }
  // The pattern must not change between instances (one /col for all of them).
  std::vector<PetscInt> now(lcols.begin(), lcols.end());
  if (pattern) *localCols = now;
  int changed = !pattern && now != *localCols;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &changed, 1, MPI_INT, MPI_MAX, comm));
  PetscCheck(!changed, comm, PETSC_ERR_SUP, "petal-relax -relax_write_file: the sparsity pattern of the operator changes between instances; the file layout has one pattern");
  PetscMPIInt              nrow = (PetscMPIInt)lens.size(), nnz = (PetscMPIInt)lvals.size();
  std::vector<PetscMPIInt> rowCounts(size), nnzCounts(size), rowDispl(size), nnzDispl(size);
  PetscCallMPI(MPI_Gather(&nrow, 1, MPI_INT, rowCounts.data(), 1, MPI_INT, 0, comm));
  PetscCallMPI(MPI_Gather(&nnz, 1, MPI_INT, nnzCounts.data(), 1, MPI_INT, 0, comm));
  long long totalRows = 0, totalNnz = 0;
  for (int r = 0; r < size; ++r) rowDispl[r] = (PetscMPIInt)totalRows, nnzDispl[r] = (PetscMPIInt)totalNnz, totalRows += rowCounts[r], totalNnz += nnzCounts[r];
  if (rank == 0) vals->resize(totalNnz);
  PetscCallMPI(MPI_Gatherv(lvals.data(), nnz, MPI_DOUBLE, vals->data(), nnzCounts.data(), nnzDispl.data(), MPI_DOUBLE, 0, comm));
  if (pattern) {
    std::vector<long long> allLens(rank == 0 ? totalRows : 0);
    if (rank == 0) cols->resize(totalNnz);
    PetscCallMPI(MPI_Gatherv(lens.data(), nrow, MPI_LONG_LONG, allLens.data(), rowCounts.data(), rowDispl.data(), MPI_LONG_LONG, 0, comm));
    PetscCallMPI(MPI_Gatherv(lcols.data(), nnz, MPI_LONG_LONG, cols->data(), nnzCounts.data(), nnzDispl.data(), MPI_LONG_LONG, 0, comm));
    if (rank == 0) {
      rowPtr->assign(totalRows + 1, 0);
      for (long long i = 0; i < totalRows; ++i) (*rowPtr)[i + 1] = (*rowPtr)[i] + allLens[i];
    }
  }
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode CreateFileSequence(MPI_Comm comm, const char *file, PetscInt instances, std::unique_ptr<Sequence> *seq)
{
  PetscFunctionBegin;
  PetscCheck(file && file[0], comm, PETSC_ERR_ARG_NULL, "petal-relax: -relax_sequence file needs -relax_file FILE.h5");
  auto s = std::make_unique<FileSequence>();
  PetscCall(s->Setup(comm, file, instances));
  *seq = std::move(s);
  PetscFunctionReturn(0);
}

PetscErrorCode WriteSequenceFile(MPI_Comm comm, Sequence &seq, const char *file, TrajectorySolver solve, void *ctx)
{
  PetscMPIInt            rank;
  char                   tmp[PETSC_MAX_PATH_LEN];
  Vec                    u = nullptr, b, x0, bSeq = nullptr, xSeq = nullptr;
  VecScatter             toZero;
  std::vector<long long> rowPtr, cols;
  std::vector<double>    vals, contexts(seq.Length());
  std::vector<PetscInt>  localCols;
  Handle                 f, dVal, dRhs, dX0;
  int                    failed = 0;
  const bool             stateful = seq.Stateful();

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetalAtomicFileTempName(file, tmp, sizeof tmp));
  PetscCall(seq.CreateVector(&b));
  PetscCall(VecDuplicate(b, &x0));
  if (stateful) {
    PetscCall(VecDuplicate(b, &u));
    PetscCall(seq.Initial(u));
  }
  PetscCall(VecScatterCreateToZero(b, &toZero, &bSeq));
  PetscCall(VecDuplicate(bSeq, &xSeq));
  PetscCall(seq.Reset());
  Quiet           q;
  const PetscInt  T = seq.Length();
  const hsize_t   n = (hsize_t)seq.Size();
  for (PetscInt t = 0; t < T; ++t) {
    Mat       A;
    PetscReal c;
    PetscCall(seq.Begin(t, &A, &c));
    PetscCall(seq.System(u, b, x0));
    contexts[t] = c;
    PetscCall(GatherCSR(A, t == 0, &rowPtr, &cols, &vals, &localCols));
    PetscCall(VecScatterBegin(toZero, b, bSeq, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(toZero, b, bSeq, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterBegin(toZero, x0, xSeq, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(toZero, x0, xSeq, INSERT_VALUES, SCATTER_FORWARD));
    if (rank == 0 && !failed) {
      if (t == 0) {
        f            = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        hsize_t nnz  = cols.size(), np1 = n + 1, dv[2] = {(hsize_t)T, nnz}, dr[2] = {(hsize_t)T, n};
        Handle  sRp(H5Screate_simple(1, &np1, nullptr)), sCol(H5Screate_simple(1, &nnz, nullptr)), sVal(H5Screate_simple(2, dv, nullptr)), sRhs(H5Screate_simple(2, dr, nullptr));
        failed = !f.valid();
        if (!failed) {
          Handle dRp(H5Dcreate2(f, "row_ptr", H5T_STD_I64LE, sRp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
          Handle dCol(H5Dcreate2(f, "col", H5T_STD_I64LE, sCol, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
          dVal   = H5Dcreate2(f, "values", H5T_IEEE_F64LE, sVal, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
          dRhs   = H5Dcreate2(f, "rhs", H5T_IEEE_F64LE, sRhs, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
          if (stateful) dX0 = H5Dcreate2(f, "x0", H5T_IEEE_F64LE, sRhs, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
          failed = !dRp.valid() || !dCol.valid() || !dVal.valid() || !dRhs.valid() || (stateful && !dX0.valid());
          failed = failed || H5Dwrite(dRp, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, rowPtr.data()) < 0;
          failed = failed || (nnz > 0 && H5Dwrite(dCol, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, cols.data()) < 0);
        }
      }
      const PetscScalar *bb, *xx;
      PetscCall(VecGetArrayRead(bSeq, &bb));
      PetscCall(VecGetArrayRead(xSeq, &xx));
      failed = failed || !WriteBlock(dVal, H5T_NATIVE_DOUBLE, t, vals.size(), vals.data(), true) || !WriteBlock(dRhs, H5T_NATIVE_DOUBLE, t, n, bb, true);
      if (stateful) failed = failed || !WriteBlock(dX0, H5T_NATIVE_DOUBLE, t, n, xx, true);
      PetscCall(VecRestoreArrayRead(bSeq, &bb));
      PetscCall(VecRestoreArrayRead(xSeq, &xx));
    }
    if (stateful) { // advance along the trajectory
      PetscCall(VecCopy(x0, u));
      PetscCall(solve(ctx, A, b, u));
    }
  }
  if (rank == 0 && !failed) {
    hsize_t   T64 = (hsize_t)T;
    Handle    sCtx(H5Screate_simple(1, &T64, nullptr));
    Handle    dCtx(H5Dcreate2(f, "context", H5T_IEEE_F64LE, sCtx, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    PetscReal a, bnd;
    seq.ContextRange(&a, &bnd);
    const double    range[2] = {a, bnd};
    const long long version = kVersion, bins = seq.DefaultBins();
    failed = !dCtx.valid() || H5Dwrite(dCtx, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, contexts.data()) < 0;
    failed = failed || h5::WriteStringAttribute(f, "/", "petal_format", kFormat) < 0 || WriteNumericAttribute(f, "petal_format_version", H5T_STD_I64LE, H5T_NATIVE_LLONG, &version, 1) < 0;
    failed = failed || WriteNumericAttribute(f, "context_range", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, range, 2) < 0;
    failed = failed || h5::WriteStringAttribute(f, "/", "solver", SolverNames[(int)seq.DefaultSolver()]) < 0;
    failed = failed || WriteNumericAttribute(f, "bins", H5T_STD_I64LE, H5T_NATIVE_LLONG, &bins, 1) < 0;
    failed = failed || h5::WriteStringAttribute(f, "/", "source", (std::string("petal-relax -relax_sequence ") + seq.Name()).c_str()) < 0;
  }
  dVal.reset(), dRhs.reset(), dX0.reset();
  if (rank == 0 && f.valid()) failed = H5Fclose(f.release()) < 0 || failed;
  PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, comm));
  PetscCall(VecScatterDestroy(&toZero));
  PetscCall(VecDestroy(&bSeq));
  PetscCall(VecDestroy(&xSeq));
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&x0));
  PetscCall(VecDestroy(&u));
  if (failed) {
    PetscCall(PetalAtomicFileAbort(comm, tmp));
    SETERRQ(comm, PETSC_ERR_FILE_WRITE, "petal-relax: cannot write the sequence file %s", file);
  }
  PetscCall(PetalAtomicFileCommit(comm, tmp, file));
  PetscFunctionReturn(0);
}
} // namespace petal::relax
