// Results in the user's numbering: potentials as Vecs laid out like r and c (c-transforms for points of
// zero weight), the plan's significant entries as an MPIAIJ matrix, and everything in one HDF5 file
// written collectively with parallel HDF5 (atomically: temporary name, renamed when complete).
#include "ot_impl.hpp"
#include <petal/io.h>
#include <hdf5.h>
#include <cmath>

namespace petal {
namespace ot {
namespace {

/* Combines local (max, sum) pairs of log-sum-exp over ranks, in place (views of length count). */
PetscErrorCode AllreducePairViews(MPI_Comm comm, const Vec1 &mx, const Vec1 &sm)
{
  const size_t        m  = mx.extent(0);
  auto                hm = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mx);
  auto                hs = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), sm);
  std::vector<double> buf(2 * m);

  PetscFunctionBegin;
  for (size_t j = 0; j < m; ++j) {
    buf[2 * j]     = hm(j);
    buf[2 * j + 1] = hs(j);
  }
  PetscCall(AllreduceMaxSumPairs(comm, buf.data(), (PetscInt)m));
  for (size_t j = 0; j < m; ++j) {
    hm(j) = buf[2 * j];
    hs(j) = buf[2 * j + 1];
  }
  Kokkos::deep_copy(mx, hm);
  Kokkos::deep_copy(sm, hs);
  PetscFunctionReturn(0);
}

/* The plan entries P_ij >= threshold * r_i of the local rows, in the user's numbering. */
PetscErrorCode CollectPlan(PetalOT ot, PetscReal threshold, std::vector<PetscInt> *rows, std::vector<PetscInt> *cols, std::vector<double> *vals, double *dropped)
{
  Workspace &ws = *ot->ws;
  Entries    e;

  PetscFunctionBegin;
  PetscCheck(ot->solved, PetscObjectComm((PetscObject)ot), PETSC_ERR_ORDER, "PetalOT: no plan before PetalOTSolve()");
  if (threshold < 0) threshold = ot->planThreshold;
  Affine(ws.ex, ot->eta, ws.x, -1.0);
  Affine(ws.ey, ot->eta, ws.y, 0.0);
  Vec1 tau("petal::ot::tau", ws.nLoc);
  Affine(tau, threshold, ws.r, 0.0);
  PlanCollect(ws.cost, ot->eta, ws.ex, ws.ey, tau, ws.scratch, 4 * (long long)ws.nLoc + 1024, &e);
  rows->resize(e.v.size());
  cols->resize(e.v.size());
  vals->assign(e.v.begin(), e.v.end());
  double kept = 0;
  for (size_t t = 0; t < e.v.size(); ++t) {
    (*rows)[t] = ws.rStartFull + ws.keptRows[e.i[t]];
    (*cols)[t] = ws.keptCols[e.j[t]];
    kept += e.v[t];
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &kept, 1, MPI_DOUBLE, MPI_SUM, PetscObjectComm((PetscObject)ot)));
  *dropped = PetscMax(0.0, ws.sumP - kept);
  PetscFunctionReturn(0);
}

PetscErrorCode WriteAttribute(hid_t obj, const char *name, double v)
{
  PetscFunctionBegin;
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr  = H5Acreate2(obj, name, H5T_NATIVE_DOUBLE, space, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(attr >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "PetalOT: cannot create HDF5 attribute %s", name);
  H5Awrite(attr, H5T_NATIVE_DOUBLE, &v);
  H5Aclose(attr);
  H5Sclose(space);
  PetscFunctionReturn(0);
}

PetscErrorCode WriteAttribute(hid_t obj, const char *name, const char *v)
{
  PetscFunctionBegin;
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, strlen(v) + 1);
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t attr  = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(attr >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "PetalOT: cannot create HDF5 attribute %s", name);
  H5Awrite(attr, type, v);
  H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  PetscFunctionReturn(0);
}

/* Collective write of this rank's slice [offset, offset + count) of a 1-D dataset of size total. */
PetscErrorCode WriteSlice(hid_t file, const char *path, hid_t memType, hid_t fileType, hsize_t total, hsize_t offset, hsize_t count, const void *data)
{
  PetscFunctionBegin;
  hid_t fspace = H5Screate_simple(1, &total, NULL);
  hid_t dset   = H5Dcreate2(file, path, fileType, fspace, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  PetscCheck(dset >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "PetalOT: cannot create HDF5 dataset %s", path);
  hid_t mspace = H5Screate_simple(1, &count, NULL);
  if (count > 0) H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &offset, NULL, &count, NULL);
  else H5Sselect_none(fspace);
  hid_t xfer = H5Pcreate(H5P_DATASET_XFER);
  H5Pset_dxpl_mpio(xfer, H5FD_MPIO_COLLECTIVE);
  herr_t err = H5Dwrite(dset, memType, mspace, fspace, xfer, data);
  H5Pclose(xfer);
  H5Sclose(mspace);
  H5Sclose(fspace);
  H5Dclose(dset);
  PetscCheck(err >= 0, PETSC_COMM_SELF, PETSC_ERR_FILE_WRITE, "PetalOT: writing HDF5 dataset %s failed", path);
  PetscFunctionReturn(0);
}

PetscErrorCode WriteVec(hid_t file, const char *path, Vec v)
{
  const PetscScalar *a;
  PetscInt           n, start, N;

  PetscFunctionBegin;
  PetscCall(VecGetSize(v, &N));
  PetscCall(VecGetLocalSize(v, &n));
  PetscCall(VecGetOwnershipRange(v, &start, NULL));
  PetscCall(VecGetArrayRead(v, &a));
  PetscCall(WriteSlice(file, path, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, N, start, n, a));
  PetscCall(VecRestoreArrayRead(v, &a));
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode BuildOutputPotentials(PetalOT ot)
{
  MPI_Comm   comm = PetscObjectComm((PetscObject)ot);
  Workspace &ws   = *ot->ws;
  const double eta = ot->eta;

  PetscFunctionBegin;
  PetscCall(VecDestroy(&ot->xOut));
  PetscCall(VecDestroy(&ot->yOut));
  PetscCall(VecDuplicate(ot->r, &ot->xOut));
  PetscCall(VecDuplicate(ot->c, &ot->yOut));
  Affine(ws.ey, eta, ws.y, 0.0);

  /* x: kept rows from the solve, dropped rows = smoothed c-transform -(1/eta) log sum_j exp(eta (y_j - C_ij)) */
  {
    PetscScalar *a;
    auto         hx = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.x);
    PetscCall(VecGetArray(ot->xOut, &a));
    for (PetscInt i = 0; i < ws.nLoc; ++i) a[ws.keptRows[i]] = hx(i);
    const int nd = static_cast<int>(ws.droppedRows.size());
    if (nd > 0) {
      Vec1      zero("petal::ot::zero", nd), one("petal::ot::one", nd), xt("petal::ot::xt", nd);
      double    err;
      long long fb;
      Kokkos::deep_copy(one, 1.0);
      SinkhornRow(ws.costDroppedRows, eta, zero, ws.ey, one, zero, xt, false, ws.scratch, ws.colSum, &err, &fb);
      auto hxt = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), xt);
      for (int i = 0; i < nd; ++i) a[ws.droppedRows[i]] = hxt(i) - 1.0 / eta;
    }
    PetscCall(VecRestoreArray(ot->xOut, &a));
  }

  /* y: kept columns from the solve, dropped columns = -(1/eta) log sum_i exp(eta (x_i - C_ij)) */
  {
    std::vector<double> yFull(ws.mFull, 0.0);
    auto                hy = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.y);
    for (PetscInt j = 0; j < ws.m; ++j) yFull[ws.keptCols[j]] = hy(j);
    const int md = static_cast<int>(ws.droppedCols.size()); /* the same on every rank */
    if (md > 0) {
      Vec1 exx("petal::ot::etax", ws.nLoc), zero("petal::ot::zero", md), mx("petal::ot::mx", md), sm("petal::ot::sm", md);
      bool twoPass;
      Affine(exx, eta, ws.x, 0.0);
      ColumnLogSumExp(ws.costDroppedCols, eta, exx, zero, false, ws.scratch, mx, sm, &twoPass);
      PetscCall(AllreducePairViews(comm, mx, sm));
      auto hm = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), mx);
      auto hs = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), sm);
      for (int j = 0; j < md; ++j) yFull[ws.droppedCols[j]] = -(hm(j) + std::log(hs(j))) / eta;
    }
    PetscScalar *a;
    PetscInt     start, end;
    PetscCall(VecGetOwnershipRange(ot->yOut, &start, &end));
    PetscCall(VecGetArray(ot->yOut, &a));
    for (PetscInt j = start; j < end; ++j) a[j - start] = yFull[j];
    PetscCall(VecRestoreArray(ot->yOut, &a));
  }
  PetscFunctionReturn(0);
}

} // namespace ot
} // namespace petal

using namespace petal::ot;

PetscErrorCode PetalOTGetPlan(PetalOT ot, PetscReal threshold, Mat *P, PetscReal *dropped)
{
  MPI_Comm              comm = PetscObjectComm((PetscObject)ot);
  Workspace            &ws   = *ot->ws;
  std::vector<PetscInt> rows, cols;
  std::vector<double>   vals;
  double                drop;
  PetscInt              cloc, cstart, cend;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscValidPointer(P, 3);
  PetscCall(PetscLogEventBegin(PETAL_OT_Output, 0, 0, 0, 0));
  PetscCall(CollectPlan(ot, threshold, &rows, &cols, &vals, &drop));
  PetscCall(VecGetLocalSize(ot->c, &cloc));
  PetscCall(VecGetOwnershipRange(ot->c, &cstart, &cend));
  std::vector<PetscInt> dnz(ws.nLocFull, 0), onz(ws.nLocFull, 0);
  for (size_t t = 0; t < vals.size(); ++t) {
    const PetscInt i = rows[t] - ws.rStartFull;
    if (cols[t] >= cstart && cols[t] < cend) dnz[i]++;
    else onz[i]++;
  }
  PetscCall(MatCreateAIJ(comm, ws.nLocFull, cloc, ws.nFull, ws.mFull, 0, dnz.data(), 0, onz.data(), P));
  for (size_t t = 0; t < vals.size(); ++t) PetscCall(MatSetValue(*P, rows[t], cols[t], vals[t], INSERT_VALUES));
  PetscCall(MatAssemblyBegin(*P, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*P, MAT_FINAL_ASSEMBLY));
  if (dropped) *dropped = drop;
  PetscCall(PetscLogEventEnd(PETAL_OT_Output, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalOTSaveHDF5(PetalOT ot, const char filename[], PetscReal threshold)
{
  MPI_Comm              comm = PetscObjectComm((PetscObject)ot);
  Workspace            &ws   = *ot->ws;
  std::vector<PetscInt> rows, cols;
  std::vector<double>   vals;
  double                drop;
  char                  tmp[PETSC_MAX_PATH_LEN];

  PetscFunctionBegin;
  PetscValidHeaderSpecific(ot, PETAL_OT_CLASSID, 1);
  PetscCall(PetscLogEventBegin(PETAL_OT_Output, 0, 0, 0, 0));
  if (threshold < 0) threshold = ot->planThreshold;
  PetscCall(CollectPlan(ot, threshold, &rows, &cols, &vals, &drop));
  long long nnz = static_cast<long long>(vals.size()), offset = 0, total = 0;
  PetscCallMPI(MPI_Exscan(&nnz, &offset, 1, MPI_LONG_LONG, MPI_SUM, comm));
  PetscCallMPI(MPI_Allreduce(&nnz, &total, 1, MPI_LONG_LONG, MPI_SUM, comm));
  {
    PetscMPIInt rank;
    PetscCallMPI(MPI_Comm_rank(comm, &rank));
    if (rank == 0) offset = 0;
  }
  std::vector<long long> r64(rows.begin(), rows.end()), c64(cols.begin(), cols.end());

  /* row sums in r's layout (0 on rows of zero weight), column sums in c's layout */
  Vec rowSums, colSums;
  PetscCall(VecDuplicate(ot->r, &rowSums));
  PetscCall(VecDuplicate(ot->c, &colSums));
  PetscCall(VecSet(rowSums, 0.0));
  PetscCall(VecSet(colSums, 0.0));
  {
    PetscScalar *a;
    auto         ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.rowSum);
    auto         hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.colSum);
    PetscCall(VecGetArray(rowSums, &a));
    for (PetscInt i = 0; i < ws.nLoc; ++i) a[ws.keptRows[i]] = ha(i);
    PetscCall(VecRestoreArray(rowSums, &a));
    PetscInt start, end;
    PetscCall(VecGetOwnershipRange(colSums, &start, &end));
    PetscCall(VecGetArray(colSums, &a));
    for (PetscInt j = 0; j < ws.m; ++j)
      if (ws.keptCols[j] >= start && ws.keptCols[j] < end) a[ws.keptCols[j] - start] = hb(j);
    PetscCall(VecRestoreArray(colSums, &a));
  }

  PetscCall(PetalAtomicFileTempName(filename, tmp, sizeof tmp));
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL);
  hid_t file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  H5Pclose(fapl);
  PetscCheck(file >= 0, comm, PETSC_ERR_FILE_OPEN, "PetalOT: cannot create the HDF5 file %s", tmp);
  const char *groups[] = {"/plan", "/potentials", "/marginals"};
  for (const char *g : groups) H5Gclose(H5Gcreate2(file, g, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  PetscCall(WriteSlice(file, "/plan/row", H5T_NATIVE_LLONG, H5T_STD_I64LE, total, offset, nnz, r64.data()));
  PetscCall(WriteSlice(file, "/plan/col", H5T_NATIVE_LLONG, H5T_STD_I64LE, total, offset, nnz, c64.data()));
  PetscCall(WriteSlice(file, "/plan/value", H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, total, offset, nnz, vals.data()));
  PetscCall(WriteVec(file, "/potentials/x", ot->xOut));
  PetscCall(WriteVec(file, "/potentials/y", ot->yOut));
  PetscCall(WriteVec(file, "/marginals/row_sums", rowSums));
  PetscCall(WriteVec(file, "/marginals/col_sums", colSums));
  {
    hid_t plan = H5Gopen2(file, "/plan", H5P_DEFAULT);
    PetscCall(WriteAttribute(plan, "n", (double)ws.nFull));
    PetscCall(WriteAttribute(plan, "m", (double)ws.mFull));
    PetscCall(WriteAttribute(plan, "threshold", threshold));
    PetscCall(WriteAttribute(plan, "dropped_mass", drop));
    H5Gclose(plan);
    hid_t root = H5Gopen2(file, "/", H5P_DEFAULT);
    PetscCall(WriteAttribute(root, "eta", ot->eta));
    PetscCall(WriteAttribute(root, "cost_scale", ot->costScaleUsed));
    PetscCall(WriteAttribute(root, "transport_cost", ot->res.transport_cost));
    PetscCall(WriteAttribute(root, "entropic_cost", ot->res.entropic_cost));
    PetscCall(WriteAttribute(root, "dual_objective", ot->res.dual_objective));
    PetscCall(WriteAttribute(root, "row_error", ot->res.row_error));
    PetscCall(WriteAttribute(root, "col_error", ot->res.col_error));
    PetscCall(WriteAttribute(root, "mass", ot->res.mass));
    PetscCall(WriteAttribute(root, "sinkhorn_iterations", (double)ot->res.sinkhorn_iterations));
    PetscCall(WriteAttribute(root, "newton_iterations", (double)ot->res.newton_iterations));
    PetscCall(WriteAttribute(root, "method", PetalOTMethods[ot->method]));
    PetscCall(WriteAttribute(root, "converged_reason", PetalOTConvergedReasons[ot->res.reason + 3]));
    H5Gclose(root);
  }
  H5Fclose(file);
  PetscCall(VecDestroy(&rowSums));
  PetscCall(VecDestroy(&colSums));
  PetscCall(PetalAtomicFileCommit(comm, tmp, filename));
  PetscCall(PetscLogEventEnd(PETAL_OT_Output, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}
