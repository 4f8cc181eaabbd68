// Reader of sequences of linear systems (include/petal/sequence.h). Rank 0 checks the whole file first
// (system_sequence_check.cpp) and broadcasts the verdict; then every rank opens the file read-only (each rank
// its own POSIX handle: no collective HDF5 call, so no rank can hang in one) and reads its rows.
#include "core/system_sequence.hpp"
#include "core/file_verdict.hpp"
#include "core/h5_dataset.hpp"
#include <petal/io.h>
#include <algorithm>
#include <new>

struct _n_PetalSequenceReader {
  MPI_Comm               comm = MPI_COMM_NULL;
  std::string            file;
  PetalSequenceInfo      info{};
  petal::h5::Handle      f;
  Mat                    A = nullptr;
  Vec                    b = nullptr, x0 = nullptr;
  PetscInt               rstart = 0, rend = 0;
  std::vector<long long> rowPtr, cols; // this rank's rows of the pattern
  std::vector<PetscInt>  colsInt;
  std::vector<double>    vals, context;
};

namespace
{
using petal::h5::Handle;

PetscErrorCode BcastInfo(MPI_Comm comm, PetalSequenceInfo *info)
{
  PetscFunctionBegin;
  // Plain data (integers, PetscBools, reals and char arrays): one broadcast of its bytes.
  PetscCallMPI(MPI_Bcast(info, (int)sizeof *info, MPI_BYTE, 0, comm));
  PetscFunctionReturn(0);
}

// Every rank: its rows of the pattern and all contexts. The file was checked: a failure here is an I/O error.
PetscErrorCode ReadLocalPattern(PetalSequenceReader r)
{
  const PetalSequenceInfo &I = r->info;
  PetscInt                 nlocal = PETSC_DECIDE, N = I.n;
  int                      bad;
  PetscFunctionBegin;
  PetscCall(PetscSplitOwnership(r->comm, &nlocal, &N));
  PetscCallMPI(MPI_Scan(&nlocal, &r->rend, 1, MPIU_INT, MPI_SUM, r->comm));
  r->rstart = r->rend - nlocal;
  petal::h5::Quiet q;
  r->f = H5Fopen(r->file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  bad  = !r->f.valid();
  try {
    r->rowPtr.resize(nlocal + 1);
    bad = bad || !petal::h5::ReadSlab(r->f, "/row_ptr", H5T_NATIVE_LLONG, 0, r->rstart, nlocal + 1, r->rowPtr.data());
    r->cols.resize(bad ? 0 : r->rowPtr[nlocal] - r->rowPtr[0]);
    bad = bad || !petal::h5::ReadSlab(r->f, "/col", H5T_NATIVE_LLONG, 0, r->rowPtr[0], r->cols.size(), r->cols.data());
    r->context.assign(I.instances, 0.0);
    if (I.has_context) bad = bad || !petal::h5::ReadSlab(r->f, "/context", H5T_NATIVE_DOUBLE, 0, 0, I.instances, r->context.data());
    r->colsInt.assign(r->cols.begin(), r->cols.end());
    r->vals.resize(r->cols.size());
  } catch (const std::bad_alloc &) {
    bad = 2;
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, r->comm));
  PetscCheck(bad != 2, r->comm, PETSC_ERR_MEM, "Sequence file %s: this rank's part of the pattern does not fit in memory", r->file.c_str());
  PetscCheck(!bad, r->comm, PETSC_ERR_FILE_READ, "Sequence file %s: cannot read the pattern or /context on some rank", r->file.c_str());
  PetscFunctionReturn(0);
}

PetscErrorCode CreateObjects(PetalSequenceReader r)
{
  const PetscInt        nlocal = r->rend - r->rstart;
  std::vector<PetscInt> dnz(nlocal), onz(nlocal);
  PetscFunctionBegin;
  for (PetscInt i = 0; i < nlocal; ++i)
    for (long long k = r->rowPtr[i]; k < r->rowPtr[i + 1]; ++k) {
      const long long c = r->cols[k - r->rowPtr[0]];
      (c >= r->rstart && c < r->rend ? dnz : onz)[i]++;
    }
  PetscCall(MatCreateAIJ(r->comm, nlocal, nlocal, r->info.n, r->info.n, 0, dnz.data(), 0, onz.data(), &r->A));
  PetscCall(MatSetOption(r->A, MAT_USE_INODES, PETSC_FALSE)); // every SOR arm runs the same scalar kernel
  PetscCall(MatSetOption(r->A, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  PetscCall(MatCreateVecs(r->A, &r->x0, &r->b));
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode PetalSequenceReaderOpen(MPI_Comm comm, const char file[], PetalSequenceReader *reader)
{
  PetscMPIInt rank;
  std::string why;
  PetscFunctionBegin;
  *reader = nullptr;
  PetscCall(PetalCheckReadable(comm, file));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  auto r  = new _n_PetalSequenceReader();
  r->comm = comm;
  r->file = file;
  if (rank == 0) why = petal::sequence::CheckFile(file, &r->info);
  PetscCall(petal::BcastVerdict(comm, &why));
  if (!why.empty()) {
    delete r;
    SETERRQ(comm, PETSC_ERR_FILE_UNEXPECTED, "Sequence file %s: %s", file, why.c_str());
  }
  PetscCall(BcastInfo(comm, &r->info));
  PetscErrorCode ierr = ReadLocalPattern(r);
  if (!ierr) ierr = CreateObjects(r);
  if (ierr) PetscCall(PetalSequenceReaderDestroy(&r));
  PetscCall(ierr);
  *reader = r;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalSequenceReaderGetInfo(PetalSequenceReader r, PetalSequenceInfo *info)
{
  PetscFunctionBegin;
  *info = r->info;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalSequenceReaderGetContexts(PetalSequenceReader r, const PetscReal *context[])
{
  PetscFunctionBegin;
  *context = r->context.data();
  PetscFunctionReturn(0);
}

PetscErrorCode PetalSequenceReaderCreateVec(PetalSequenceReader r, Vec *v)
{
  PetscFunctionBegin;
  PetscCall(VecDuplicate(r->b, v));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalSequenceReaderRead(PetalSequenceReader r, PetscInt t, Mat *A, Vec *b, Vec *x0)
{
  const PetscInt nlocal = r->rend - r->rstart;
  PetscScalar   *bb, *xx;
  PetscFunctionBegin;
  PetscCheck(t >= 0 && t < r->info.instances, r->comm, PETSC_ERR_ARG_OUTOFRANGE, "Sequence file %s: instance %" PetscInt_FMT " requested, it holds %" PetscInt_FMT, r->file.c_str(), t, r->info.instances);
  petal::h5::Quiet q;
  int              bad = !petal::h5::ReadSlab(r->f, "/values", H5T_NATIVE_DOUBLE, t, r->rowPtr[0], r->vals.size(), r->vals.data());
  PetscCall(VecGetArrayWrite(r->b, &bb));
  PetscCall(VecGetArrayWrite(r->x0, &xx));
  bad = bad || !petal::h5::ReadSlab(r->f, "/rhs", H5T_NATIVE_DOUBLE, t, r->rstart, nlocal, bb);
  if (r->info.has_x0) bad = bad || !petal::h5::ReadSlab(r->f, "/x0", H5T_NATIVE_DOUBLE, t, r->rstart, nlocal, xx);
  else std::fill(xx, xx + nlocal, 0.0);
  PetscCall(VecRestoreArrayWrite(r->b, &bb));
  PetscCall(VecRestoreArrayWrite(r->x0, &xx));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, r->comm));
  PetscCheck(!bad, r->comm, PETSC_ERR_FILE_READ, "Sequence file %s: cannot read instance %" PetscInt_FMT " on some rank (the file changed since it was opened?)", r->file.c_str(), t);
  for (PetscInt i = 0; i < nlocal; ++i) {
    const PetscInt row = r->rstart + i, off = (PetscInt)(r->rowPtr[i] - r->rowPtr[0]);
    PetscCall(MatSetValues(r->A, 1, &row, (PetscInt)(r->rowPtr[i + 1] - r->rowPtr[i]), r->colsInt.data() + off, r->vals.data() + off, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(r->A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(r->A, MAT_FINAL_ASSEMBLY));
  if (A) *A = r->A;
  if (b) *b = r->b;
  if (x0) *x0 = r->x0;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalSequenceReaderDestroy(PetalSequenceReader *reader)
{
  PetscFunctionBegin;
  if (!*reader) PetscFunctionReturn(0);
  PetscCall(MatDestroy(&(*reader)->A));
  PetscCall(VecDestroy(&(*reader)->b));
  PetscCall(VecDestroy(&(*reader)->x0));
  delete *reader; // closes this rank's file handle
  *reader = nullptr;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalSequenceReaderCheckFile(MPI_Comm comm, const char file[])
{
  PetalSequenceReader r;
  PetscErrorCode      ierr;
  PetscFunctionBegin;
  PetscCall(PetalSequenceReaderOpen(comm, file, &r));
  ierr = 0;
  for (PetscInt t = 0; t < r->info.instances && !ierr; ++t) ierr = PetalSequenceReaderRead(r, t, NULL, NULL, NULL);
  PetscCall(PetalSequenceReaderDestroy(&r));
  PetscCall(ierr);
  PetscFunctionReturn(0);
}
