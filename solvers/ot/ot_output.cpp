// Results in the user's numbering: potentials as Vecs laid out like r and c (c-transforms for points of
// zero weight) and the plan's significant entries (as an MPIAIJ matrix here; the HDF5 file in
// ot_output_hdf5.cpp).
#include "ot_impl.hpp"
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

} // namespace

/* The plan entries P_ij >= threshold * r_i of the local rows, in the user's numbering. */
PetscErrorCode CollectPlan(PetalOT ot, PetscReal threshold, std::vector<PetscInt> *rows, std::vector<PetscInt> *cols, std::vector<double> *vals, double *dropped)
{
  Workspace &ws = *ot->ws;
  Entries    e;

  PetscFunctionBegin;
  PetscCheck(ot->solved, PetscObjectComm((PetscObject)ot), PETSC_ERR_ORDER, "PetalOT: no plan before PetalOTSolve()");
  PetscCheck(!PetscIsInfOrNanReal(threshold), PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the plan threshold must be finite (< 0: -ot_plan_threshold), got %g", (double)threshold);
  if (threshold < 0) threshold = ot->planThreshold;
  Affine(ws.scratch, ws.ex, ot->eta, ws.x, -1.0);
  Affine(ws.scratch, ws.ey, ot->eta, ws.y, 0.0);
  Vec1 tau("petal::ot::tau", ws.nLoc);
  Affine(ws.scratch, tau, threshold, ws.r, 0.0);
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
  Affine(ws.scratch, ws.ey, eta, ws.y, 0.0);

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
      Affine(ws.scratch, exx, eta, ws.x, 0.0);
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
