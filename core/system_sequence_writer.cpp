// Writer of sequences of linear systems (include/petal/sequence.h). Every Add gathers the instance's rows to
// rank 0, which writes them into a temporary file (PetalAtomicFileTempName); Commit moves it into place.
// Fault points (PETAL_FAULT, include/petal/driver.h): sequence_write after each instance is written and
// sequence_write_close before the file is closed, on rank 0 while it writes and on the other ranks once rank 0
// has written (so that a fault on any rank finds the temporary file to remove).
#include "core/system_sequence.hpp"
#include "core/file_verdict.hpp"
#include <petal/driver.h>
#include <petal/io.h>
#include <cmath>
#include <cstring>

struct _n_PetalSequenceWriter {
  MPI_Comm               comm = MPI_COMM_NULL;
  std::string            file;
  char                   tmp[PETSC_MAX_PATH_LEN] = "";
  PetscInt               instances = 0, added = 0;
  bool                   withX0 = false, committed = false;
  PetalSequenceInfo      hints{};
  std::vector<double>    contexts;
  std::vector<PetscInt>  localCols; // this rank's pattern (from the first instance)
  std::vector<long long> rowPtr, cols; // rank 0: the global pattern
  VecScatter             toZero = nullptr;
  Vec                    bSeq = nullptr, xSeq = nullptr;
  petal::h5::Handle      f, dVal, dRhs, dX0; // rank 0
};

namespace
{
using petal::h5::Handle;

// This rank's rows of A: lengths, columns, values.
PetscErrorCode LocalRows(Mat A, std::vector<long long> *lens, std::vector<long long> *cols, std::vector<double> *vals)
{
  PetscInt rstart, rend;
  PetscFunctionBegin;
  PetscCall(MatGetOwnershipRange(A, &rstart, &rend));
  for (PetscInt i = rstart; i < rend; ++i) {
    PetscInt           nc;
    const PetscInt    *c;
    const PetscScalar *v;
    PetscCall(MatGetRow(A, i, &nc, &c, &v));
    lens->push_back(nc);
    for (PetscInt k = 0; k < nc; ++k) cols->push_back(c[k]), vals->push_back(PetscRealPart(v[k]));
    PetscCall(MatRestoreRow(A, i, &nc, &c, &v));
  }
  PetscFunctionReturn(0);
}

// Gathers A's values to rank 0, and on the first instance its pattern (the pattern must not change).
PetscErrorCode GatherCSR(PetalSequenceWriter w, Mat A, std::vector<double> *vals)
{
  PetscMPIInt            rank, size;
  std::vector<long long> lens, lcols;
  std::vector<double>    lvals;
  const bool             first = w->added == 0;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(w->comm, &rank));
  PetscCallMPI(MPI_Comm_size(w->comm, &size));
  PetscCall(LocalRows(A, &lens, &lcols, &lvals));
  std::vector<PetscInt> now(lcols.begin(), lcols.end());
  int                   changed = !first && now != w->localCols;
  if (first) w->localCols = now;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &changed, 1, MPI_INT, MPI_MAX, w->comm));
  PetscCheck(!changed, w->comm, PETSC_ERR_SUP, "PetalSequenceWriterAdd: the sparsity pattern of instance %" PetscInt_FMT " differs from the first instance's; a sequence file has one pattern (%s)", w->added, w->file.c_str());
  PetscMPIInt              nrow = (PetscMPIInt)lens.size(), nnz = (PetscMPIInt)lvals.size();
  std::vector<PetscMPIInt> rowCounts(size), nnzCounts(size), rowDispl(size), nnzDispl(size);
  PetscCallMPI(MPI_Gather(&nrow, 1, MPI_INT, rowCounts.data(), 1, MPI_INT, 0, w->comm));
  PetscCallMPI(MPI_Gather(&nnz, 1, MPI_INT, nnzCounts.data(), 1, MPI_INT, 0, w->comm));
  long long totalRows = 0, totalNnz = 0;
  for (int r = 0; r < size; ++r) rowDispl[r] = (PetscMPIInt)totalRows, nnzDispl[r] = (PetscMPIInt)totalNnz, totalRows += rowCounts[r], totalNnz += nnzCounts[r];
  if (rank == 0) vals->resize(totalNnz);
  PetscCallMPI(MPI_Gatherv(lvals.data(), nnz, MPI_DOUBLE, vals->data(), nnzCounts.data(), nnzDispl.data(), MPI_DOUBLE, 0, w->comm));
  if (!first) PetscFunctionReturn(0);
  std::vector<long long> allLens(rank == 0 ? totalRows : 0);
  if (rank == 0) w->cols.resize(totalNnz);
  PetscCallMPI(MPI_Gatherv(lens.data(), nrow, MPI_LONG_LONG, allLens.data(), rowCounts.data(), rowDispl.data(), MPI_LONG_LONG, 0, w->comm));
  PetscCallMPI(MPI_Gatherv(lcols.data(), nnz, MPI_LONG_LONG, w->cols.data(), nnzCounts.data(), nnzDispl.data(), MPI_LONG_LONG, 0, w->comm));
  if (rank == 0) {
    w->rowPtr.assign(totalRows + 1, 0);
    for (long long i = 0; i < totalRows; ++i) w->rowPtr[i + 1] = w->rowPtr[i] + allLens[i];
  }
  PetscFunctionReturn(0);
}

// Rank 0: what the reader would refuse in this instance ("" if nothing).
std::string CheckInstance(PetalSequenceWriter w, const std::vector<double> &vals, const PetscScalar *b, const PetscScalar *x0, PetscReal context)
{
  const long long n = (long long)w->rowPtr.size() - 1;
  if (!std::isfinite(context)) return "the context is not finite";
  for (long long i = 0; i < n; ++i) {
    bool diag = false;
    for (long long k = w->rowPtr[i]; k < w->rowPtr[i + 1]; ++k) {
      if (!std::isfinite(vals[k])) return "A has a non-finite value in row " + std::to_string(i);
      if (w->cols[k] == i && vals[k] != 0.0) diag = true;
    }
    if (!diag) return "A has no (or a zero) diagonal entry in row " + std::to_string(i);
    if (!std::isfinite(PetscRealPart(b[i])) || (x0 && !std::isfinite(PetscRealPart(x0[i])))) return "b or x0 has a non-finite value in row " + std::to_string(i);
  }
  return "";
}

// Rank 0, first instance: the datasets, and the pattern written once.
bool CreateDatasets(PetalSequenceWriter w)
{
  hsize_t n = w->rowPtr.size() - 1, nnz = w->cols.size(), np1 = n + 1, dv[2] = {(hsize_t)w->instances, nnz}, dr[2] = {(hsize_t)w->instances, n};
  Handle  sRp(H5Screate_simple(1, &np1, nullptr)), sCol(H5Screate_simple(1, &nnz, nullptr)), sVal(H5Screate_simple(2, dv, nullptr)), sRhs(H5Screate_simple(2, dr, nullptr));
  Handle  dRp(H5Dcreate2(w->f, "row_ptr", H5T_STD_I64LE, sRp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  Handle  dCol(H5Dcreate2(w->f, "col", H5T_STD_I64LE, sCol, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  w->dVal = H5Dcreate2(w->f, "values", H5T_IEEE_F64LE, sVal, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  w->dRhs = H5Dcreate2(w->f, "rhs", H5T_IEEE_F64LE, sRhs, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (w->withX0) w->dX0 = H5Dcreate2(w->f, "x0", H5T_IEEE_F64LE, sRhs, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  bool ok = dRp.valid() && dCol.valid() && w->dVal.valid() && w->dRhs.valid() && (!w->withX0 || w->dX0.valid());
  ok      = ok && H5Dwrite(dRp, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, w->rowPtr.data()) >= 0;
  return ok && (nnz == 0 || H5Dwrite(dCol, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, w->cols.data()) >= 0);
}

bool WriteRow(hid_t dset, hsize_t row, hsize_t count, const void *buf)
{
  Handle  fs(H5Dget_space(dset));
  hsize_t start[2] = {row, 0}, cnt[2] = {1, count};
  if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, nullptr, cnt, nullptr) < 0) return false;
  Handle ms(H5Screate_simple(1, &count, nullptr));
  return count == 0 || H5Dwrite(dset, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf) >= 0;
}

// Rank 0: checks and writes instance `added`; *why (refused values) or *failed (HDF5).
PetscErrorCode WriteInstance(PetalSequenceWriter w, const std::vector<double> &vals, PetscReal context, std::string *why, int *failed)
{
  const PetscScalar *bb, *xx = nullptr;
  PetscFunctionBegin;
  PetscCall(VecGetArrayRead(w->bSeq, &bb));
  if (w->withX0) PetscCall(VecGetArrayRead(w->xSeq, &xx));
  *why = CheckInstance(w, vals, bb, xx, context);
  if (why->empty()) {
    petal::h5::Quiet q;
    const hsize_t    n = w->rowPtr.size() - 1;
    *failed          = (w->added == 0 && !CreateDatasets(w)) || !WriteRow(w->dVal, w->added, vals.size(), vals.data()) || !WriteRow(w->dRhs, w->added, n, bb);
    if (w->withX0 && !*failed) *failed = !WriteRow(w->dX0, w->added, n, xx);
  }
  PetscCall(VecRestoreArrayRead(w->bSeq, &bb));
  if (w->withX0) PetscCall(VecRestoreArrayRead(w->xSeq, &xx));
  PetscCall(PetalFaultPoint("sequence_write")); // rank 0: the instance is in the temporary file
  PetscFunctionReturn(0);
}

PetscErrorCode ToZero(PetalSequenceWriter w, Vec v, Vec seq)
{
  PetscFunctionBegin;
  PetscCall(VecScatterBegin(w->toZero, v, seq, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(w->toZero, v, seq, INSERT_VALUES, SCATTER_FORWARD));
  PetscFunctionReturn(0);
}

// Rank 0: the contexts and the attributes.
bool WriteTrailer(PetalSequenceWriter w)
{
  petal::h5::Quiet q;
  hsize_t          T = (hsize_t)w->instances, two = 2;
  Handle           sCtx(H5Screate_simple(1, &T, nullptr)), sTwo(H5Screate_simple(1, &two, nullptr)), sOne(H5Screate(H5S_SCALAR));
  Handle           dCtx(H5Dcreate2(w->f, "context", H5T_IEEE_F64LE, sCtx, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  const long long  version = petal::sequence::kVersion, bins = w->hints.bins;
  bool             ok = dCtx.valid() && H5Dwrite(dCtx, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, w->contexts.data()) >= 0;
  ok                  = ok && petal::h5::WriteStringAttribute(w->f, "/", "petal_format", petal::sequence::kFormat) >= 0;
  Handle aVer(H5Acreate2(w->f, "petal_format_version", H5T_STD_I64LE, sOne, H5P_DEFAULT, H5P_DEFAULT));
  ok = ok && aVer.valid() && H5Awrite(aVer, H5T_NATIVE_LLONG, &version) >= 0;
  if (w->hints.has_context_range) {
    Handle aRange(H5Acreate2(w->f, "context_range", H5T_IEEE_F64LE, sTwo, H5P_DEFAULT, H5P_DEFAULT));
    ok = ok && aRange.valid() && H5Awrite(aRange, H5T_NATIVE_DOUBLE, w->hints.context_range) >= 0;
  }
  if (w->hints.solver[0]) ok = ok && petal::h5::WriteStringAttribute(w->f, "/", "solver", w->hints.solver) >= 0;
  if (bins > 0) {
    Handle aBins(H5Acreate2(w->f, "bins", H5T_STD_I64LE, sOne, H5P_DEFAULT, H5P_DEFAULT));
    ok = ok && aBins.valid() && H5Awrite(aBins, H5T_NATIVE_LLONG, &bins) >= 0;
  }
  if (w->hints.source[0]) ok = ok && petal::h5::WriteStringAttribute(w->f, "/", "source", w->hints.source) >= 0;
  return ok;
}
} // namespace

PetscErrorCode PetalSequenceWriterCreate(MPI_Comm comm, const char file[], PetscInt instances, PetscBool withX0, PetalSequenceWriter *writer)
{
  PetscMPIInt rank;
  int         failed = 0;
  PetscFunctionBegin;
  PetscCheck(instances >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalSequenceWriterCreate: a sequence needs at least one instance, got %" PetscInt_FMT, instances);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  auto w       = new _n_PetalSequenceWriter();
  w->comm      = comm;
  w->file      = file;
  w->instances = instances;
  w->withX0    = withX0 == PETSC_TRUE;
  w->contexts.assign(instances, 0.0);
  *writer = w;
  PetscCall(PetalAtomicFileTempName(file, w->tmp, sizeof w->tmp));
  if (rank == 0) {
    petal::h5::Quiet q;
    w->f   = H5Fcreate(w->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    failed = !w->f.valid();
  }
  PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, comm));
  PetscCheck(!failed, comm, PETSC_ERR_FILE_OPEN, "Cannot create the sequence file %s (as %s)", file, w->tmp);
  PetscFunctionReturn(0);
}

PetscErrorCode PetalSequenceWriterAdd(PetalSequenceWriter w, Mat A, Vec b, Vec x0, PetscReal context)
{
  PetscMPIInt         rank;
  std::vector<double> vals;
  std::string         why;
  int                 failed = 0;
  PetscFunctionBegin;
  PetscCheck(w->added < w->instances, w->comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalSequenceWriterAdd: %s was created for %" PetscInt_FMT " instances", w->file.c_str(), w->instances);
  PetscCheck(!w->withX0 == !x0, w->comm, PETSC_ERR_ARG_NULL, "PetalSequenceWriterAdd: give x0 if and only if the writer was created with_x0");
  PetscCallMPI(MPI_Comm_rank(w->comm, &rank));
  PetscCall(GatherCSR(w, A, &vals));
  if (!w->toZero) {
    PetscCall(VecScatterCreateToZero(b, &w->toZero, &w->bSeq));
    PetscCall(VecDuplicate(w->bSeq, &w->xSeq));
  }
  PetscCall(ToZero(w, b, w->bSeq));
  if (x0) PetscCall(ToZero(w, x0, w->xSeq));
  if (rank == 0) PetscCall(WriteInstance(w, vals, context, &why, &failed));
  PetscCall(petal::BcastVerdict(w->comm, &why));
  PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, w->comm));
  if (rank > 0) PetscCall(PetalFaultPoint("sequence_write"));
  PetscCheck(why.empty(), w->comm, PETSC_ERR_ARG_WRONG, "PetalSequenceWriterAdd: instance %" PetscInt_FMT " of %s cannot be read back: %s", w->added, w->file.c_str(), why.c_str());
  PetscCheck(!failed, w->comm, PETSC_ERR_FILE_WRITE, "Cannot write instance %" PetscInt_FMT " to the sequence file %s (HDF5 failed on rank 0)", w->added, w->file.c_str());
  w->contexts[w->added++] = context;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalSequenceWriterSetHints(PetalSequenceWriter w, const PetalSequenceInfo *info)
{
  PetscFunctionBegin;
  PetscCheck(!info->has_context_range || (std::isfinite(info->context_range[0]) && info->context_range[0] < info->context_range[1] && std::isfinite(info->context_range[1])), w->comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalSequenceWriterSetHints: the context range must be finite with a < b");
  PetscCheck(!info->solver[0] || !strcmp(info->solver, "sor") || !strcmp(info->solver, "ssor_pcg"), w->comm, PETSC_ERR_ARG_WRONG, "PetalSequenceWriterSetHints: the solver must be \"sor\", \"ssor_pcg\" or \"\"");
  PetscCheck(info->bins >= 0 && info->bins <= petal::sequence::kMaxBins, w->comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalSequenceWriterSetHints: bins must be in [0, %d]", petal::sequence::kMaxBins);
  w->hints = *info;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalSequenceWriterCommit(PetalSequenceWriter w)
{
  PetscMPIInt rank;
  int         failed = 0;
  PetscFunctionBegin;
  PetscCheck(w->added == w->instances, w->comm, PETSC_ERR_ARG_WRONGSTATE, "PetalSequenceWriterCommit: %s has %" PetscInt_FMT " of its %" PetscInt_FMT " instances", w->file.c_str(), w->added, w->instances);
  PetscCallMPI(MPI_Comm_rank(w->comm, &rank));
  if (rank == 0) {
    failed = !WriteTrailer(w);
    PetscCall(PetalFaultPoint("sequence_write_close"));
    w->dVal.reset(), w->dRhs.reset(), w->dX0.reset();
    failed = H5Fclose(w->f.release()) < 0 || failed;
  }
  PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, w->comm));
  if (rank > 0) PetscCall(PetalFaultPoint("sequence_write_close"));
  PetscCheck(!failed, w->comm, PETSC_ERR_FILE_WRITE, "Cannot write the sequence file %s (HDF5 failed on rank 0)", w->file.c_str());
  PetscCall(PetalAtomicFileCommit(w->comm, w->tmp, w->file.c_str()));
  w->committed = true;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalSequenceWriterDestroy(PetalSequenceWriter *writer)
{
  PetalSequenceWriter w = *writer;
  PetscFunctionBegin;
  if (!w) PetscFunctionReturn(0);
  w->dVal.reset(), w->dRhs.reset(), w->dX0.reset(), w->f.reset(); // closed before the temporary is removed
  if (!w->committed && w->tmp[0]) PetscCall(PetalAtomicFileAbort(w->comm, w->tmp));
  PetscCall(VecScatterDestroy(&w->toZero));
  PetscCall(VecDestroy(&w->bSeq));
  PetscCall(VecDestroy(&w->xSeq));
  delete w;
  *writer = nullptr;
  PetscFunctionReturn(0);
}
