// PetalOTSaveHDF5: the results in one HDF5 file (layout in include/petal/ot.h), written collectively with
// parallel HDF5 (MPI-IO), atomically (a temporary name, renamed when complete).
//
// The file is collective: every rank must make the same HDF5 calls, and closing it is collective. So the
// writer follows core/h5.hpp's agreement rule: each step (create the file, a dataset, its data, an
// attribute, the injected fault "ot_output") runs on every rank and the ranks then agree on its result
// (one MPI_Allreduce); after a failure anywhere no rank runs another step, the handles close on every rank
// together, the temporary is removed and every rank raises the same error. Nothing returns early on one
// rank while the file is open, so no failure can hang the job or leave a *.tmp behind.
#include "ot_impl.hpp"
#include <petal/driver.h>
#include <petal/io.h>
#include "core/h5.hpp"
#include <string>

namespace petal {
namespace ot {
namespace {

using h5::Handle;
using h5::Quiet;

// The ranks' common verdict on the steps of a collective section.
struct Agreement {
  MPI_Comm    comm;
  bool        ok = true;
  int         failedRanks = 0;
  std::string failedStep;

  // Every rank calls Step with its own result; afterwards ok is the same on every rank.
  PetscErrorCode Step(const char *what, bool localOk)
  {
    int failed = localOk ? 0 : 1;

    PetscFunctionBegin;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_SUM, comm));
    if (failed && ok) {
      ok          = false;
      failedRanks = failed;
      failedStep  = what;
    }
    PetscFunctionReturn(0);
  }
};

bool WriteGroup(hid_t file, const char *path)
{
  Handle g(H5Gcreate2(file, path, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  return g.valid();
}

bool WriteDoubleAttribute(hid_t file, const char *path, const char *name, double v)
{
  Handle space(H5Screate(H5S_SCALAR));
  Handle attr(space.valid() ? H5Acreate_by_name(file, path, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : H5I_INVALID_HID);
  return attr.valid() && H5Awrite(attr, H5T_NATIVE_DOUBLE, &v) >= 0;
}

// This rank's slice [offset, offset + count) of a 1-D dataset of size total: the dataset is created (one
// agreed step), then written collectively (another).
PetscErrorCode WriteSlice(Agreement &a, hid_t file, const char *path, hid_t memType, hid_t fileType, hsize_t total, hsize_t offset, hsize_t count, const void *data)
{
  PetscFunctionBegin;
  if (!a.ok) PetscFunctionReturn(0);
  Handle fspace(H5Screate_simple(1, &total, NULL));
  Handle dset(fspace.valid() ? H5Dcreate2(file, path, fileType, fspace, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT) : H5I_INVALID_HID);
  PetscCall(a.Step(path, dset.valid()));
  if (!a.ok) PetscFunctionReturn(0);
  Handle mspace(H5Screate_simple(1, &count, NULL));
  Handle xfer(H5Pcreate(H5P_DATASET_XFER));
  bool   ok = mspace.valid() && xfer.valid() && H5Pset_dxpl_mpio(xfer, H5FD_MPIO_COLLECTIVE) >= 0;
  ok        = ok && (count > 0 ? H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &offset, NULL, &count, NULL) : H5Sselect_none(fspace)) >= 0;
  /* a rank whose selection failed still joins the collective write, with an empty selection */
  if (!ok && fspace.valid()) H5Sselect_none(fspace);
  if (!ok && mspace.valid()) H5Sselect_none(mspace);
  ok = H5Dwrite(dset, memType, mspace, fspace, xfer, data) >= 0 && ok;
  PetscCall(a.Step(path, ok));
  PetscFunctionReturn(0);
}

PetscErrorCode WriteVec(Agreement &a, hid_t file, const char *path, Vec v)
{
  const PetscScalar *x;
  PetscInt           n, start, N;

  PetscFunctionBegin;
  PetscCall(VecGetSize(v, &N));
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetOwnershipRange(v, &start, NULL));
  PetscCall(VecGetArrayRead(v, &x));
  PetscCall(WriteSlice(a, file, path, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, N, start, n, x));
  PetscCall(VecRestoreArrayRead(v, &x));
  PetscFunctionReturn(0);
}

// Row sums in r's layout (0 on rows of zero weight), column sums in c's layout.
PetscErrorCode MarginalVecs(PetalOT ot, Vec *rowSums, Vec *colSums)
{
  Workspace   &ws = *ot->ws;
  PetscScalar *a;
  PetscInt     start, end;

  PetscFunctionBegin;
  PetscCall(VecDuplicate(ot->r, rowSums));
  PetscCall(VecDuplicate(ot->c, colSums));
  PetscCall(VecSet(*rowSums, 0.0));
  PetscCall(VecSet(*colSums, 0.0));
  auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.rowSum);
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.colSum);
  PetscCall(VecGetArray(*rowSums, &a));
  for (PetscInt i = 0; i < ws.nLoc; ++i) a[ws.keptRows[i]] = ha(i);
  PetscCall(VecRestoreArray(*rowSums, &a));
  PetscCall(VecGetOwnershipRange(*colSums, &start, &end));
  PetscCall(VecGetArray(*colSums, &a));
  for (PetscInt j = 0; j < ws.m; ++j)
    if (ws.keptCols[j] >= start && ws.keptCols[j] < end) a[ws.keptCols[j] - start] = hb(j);
  PetscCall(VecRestoreArray(*colSums, &a));
  PetscFunctionReturn(0);
}

// Everything into the open collective file tmp, step by agreed step.
PetscErrorCode WriteContents(Agreement &a, PetalOT ot, hid_t file, PetscReal threshold, double dropped, const std::vector<long long> &rows, const std::vector<long long> &cols, const std::vector<double> &vals, Vec rowSums, Vec colSums)
{
  MPI_Comm             comm = a.comm;
  const Workspace     &ws   = *ot->ws;
  const PetalOTResult &res  = ot->res;
  long long            nnz = (long long)vals.size(), offset = 0, total = 0;
  PetscMPIInt          rank;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCallMPI(MPI_Exscan(&nnz, &offset, 1, MPI_LONG_LONG, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(&nnz, &total, 1, MPI_LONG_LONG, MPI_SUM, comm));
  if (rank == 0) offset = 0;
  for (const char *g : {"/plan", "/potentials", "/marginals"}) PetscCall(a.Step(g, a.ok && WriteGroup(file, g)));
  PetscCall(WriteSlice(a, file, "/plan/row", H5T_NATIVE_LLONG, H5T_STD_I64LE, total, offset, nnz, rows.data()));
  PetscCall(WriteSlice(a, file, "/plan/col", H5T_NATIVE_LLONG, H5T_STD_I64LE, total, offset, nnz, cols.data()));
  PetscCall(WriteSlice(a, file, "/plan/value", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, total, offset, nnz, vals.data()));
  /* half written: a fault injected here (on any rank) must still end with no file and no temporary */
  if (a.ok) PetscCall(a.Step("the write (fault point ot_output)", PetalFaultPoint("ot_output") == 0));
  PetscCall(WriteVec(a, file, "/potentials/x", ot->xOut));
  PetscCall(WriteVec(a, file, "/potentials/y", ot->yOut));
  PetscCall(WriteVec(a, file, "/marginals/row_sums", rowSums));
  PetscCall(WriteVec(a, file, "/marginals/col_sums", colSums));
  const std::pair<const char *, double> planAttrs[] = {{"n", (double)ws.nFull}, {"m", (double)ws.mFull}, {"threshold", threshold}, {"dropped_mass", dropped}};
  for (const auto &at : planAttrs) PetscCall(a.Step("an attribute of /plan", a.ok && WriteDoubleAttribute(file, "/plan", at.first, at.second)));
  const std::pair<const char *, double> rootAttrs[] = {{"eta", ot->eta},
                                                       {"cost_scale", ot->costScaleUsed},
                                                       {"transport_cost", res.transport_cost},
                                                       {"regularized_objective", res.regularized_objective},
                                                       {"dual_objective", res.dual_objective},
                                                       {"row_error", res.row_error},
                                                       {"col_error", res.col_error},
                                                       {"mass", res.mass},
                                                       {"sinkhorn_iterations", (double)res.sinkhorn_iterations},
                                                       {"newton_iterations", (double)res.newton_iterations}};
  for (const auto &at : rootAttrs) PetscCall(a.Step("a root attribute", a.ok && WriteDoubleAttribute(file, "/", at.first, at.second)));
  PetscCall(a.Step("the method attribute", a.ok && h5::WriteStringAttribute(file, "/", "method", ((PetscObject)ot)->type_name) >= 0));
  PetscCall(a.Step("the converged_reason attribute", a.ok && h5::WriteStringAttribute(file, "/", "converged_reason", PetalOTConvergedReasons[res.reason + 3]) >= 0));
  PetscFunctionReturn(0);
}
} // namespace
} // namespace ot
} // namespace petal

using namespace petal::ot;

PetscErrorCode PetalOTSaveHDF5(PetalOT ot, const char filename[], PetscReal threshold)
{
  MPI_Comm              comm = PetscObjectComm((PetscObject)ot);
  std::vector<PetscInt> rows, cols;
  std::vector<double>   vals;
  double                dropped;
  char                  tmp[PETSC_MAX_PATH_LEN];
  Vec                   rowSums, colSums;
  Agreement             a{comm};

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidCharPointer(filename, 2);
  PetscCall(PetscLogEventBegin(PETAL_OT_Output, 0, 0, 0, 0));
  PetscCall(CollectPlan(ot, threshold, &rows, &cols, &vals, &dropped));
  if (threshold < 0) threshold = ot->planThreshold;
  const std::vector<long long> r64(rows.begin(), rows.end()), c64(cols.begin(), cols.end());
  PetscCall(MarginalVecs(ot, &rowSums, &colSums));
  PetscCall(PetalAtomicFileTempName(filename, tmp, sizeof tmp));
  {
    petal::h5::Quiet  quiet;
    petal::h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
    const bool        faplOk = fapl.valid() && H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) >= 0;
    petal::h5::Handle file(faplOk ? H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl) : H5I_INVALID_HID);
    PetscCall(a.Step("creating the file", file.valid()));
    if (a.ok) PetscCall(WriteContents(a, ot, file, threshold, dropped, r64, c64, vals, rowSums, colSums));
    /* the close flushes the data: collective, and its result counts too */
    if (file.valid()) PetscCall(a.Step("closing the file", H5Fclose(file.release()) >= 0));
  }
  PetscCall(VecDestroy(&rowSums));
  PetscCall(VecDestroy(&colSums));
  if (!a.ok) PetscCall(PetalAtomicFileAbort(comm, tmp));
  PetscCheck(a.ok, comm, PETSC_ERR_FILE_WRITE, "PetalOT: cannot write the HDF5 file %s: %s failed on %d rank(s) (see above if a rank reported why); no file was left behind", filename, a.failedStep.c_str(), a.failedRanks);
  PetscCall(PetalAtomicFileCommit(comm, tmp, filename));
  PetscCall(PetscLogEventEnd(PETAL_OT_Output, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
