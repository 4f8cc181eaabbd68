// Input checks and the solver's view of the problem: weights validated (clear PETSc errors naming the
// problem), points of zero weight removed, the cost copied (dense) or its point sets laid out for the
// kernels (on the fly), everything in Kokkos views in petal's memory space.
//
// The range check: the kernels evaluate exponents eta * scale * C_ij (plus potentials of the same size), so a
// finite input can still overflow there (points scaled by 1e200, -ot_cost_scale 1e300) and end as NaN after
// thousands of iterations. Set-up refuses that up front, with the quantities named: every cost must be
// finite and eta * scale * max |C| <= kMaxExponent. For points the bound comes from the bounding boxes of the
// two sets (O((n + m) d)), and only if that bound fails is the exact maximum computed (one n x m pass), so a
// normal solve pays nothing.
#include "ot_impl.hpp"
#include <algorithm>
#include <climits>
#include <cmath>

namespace petal {
namespace ot {
namespace {

using HostMat = Kokkos::View<double **, Kokkos::LayoutRight, Kokkos::HostSpace>;
using HostVec = Kokkos::View<double *, Kokkos::HostSpace>;

Vec1 ToDevice(const std::vector<double> &v, const char *name)
{
  HostVec h(std::string(name), v.size());
  for (size_t k = 0; k < v.size(); ++k) h(k) = v[k];
  Vec1 d(std::string(name), v.size());
  Kokkos::deep_copy(d, h);
  return d;
}

Mat2 ToDevice(const HostMat &h, const char *name)
{
  Mat2 d(std::string(name), h.extent(0), h.extent(1));
  Kokkos::deep_copy(d, h);
  return d;
}

/* Checks that every entry of w is finite and >= 0; the error names the first bad entry (global index). */
PetscErrorCode CheckWeights(PetalOT ot, Vec w, const char *what)
{
  MPI_Comm           comm = PetscObjectComm((PetscObject)ot);
  const PetscScalar *a;
  PetscInt           nloc, start;
  long long          bad[2] = {LLONG_MAX, LLONG_MAX}; /* first non-finite, first negative (global index) */
  double             value  = 0;

  PetscFunctionBegin;
  PetscCall(VecGetLocalSize(w, &nloc));
  PetscCall(VecGetOwnershipRange(w, &start, NULL));
  PetscCall(VecGetArrayRead(w, &a));
  for (PetscInt i = 0; i < nloc; ++i) {
    if (!std::isfinite(PetscRealPart(a[i])) && bad[0] == LLONG_MAX) bad[0] = start + i;
    if (PetscRealPart(a[i]) < 0 && bad[1] == LLONG_MAX) bad[1] = start + i;
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, bad, 2, MPI_LONG_LONG, MPI_MIN, comm));
  if (bad[1] >= start && bad[1] < start + nloc) value = PetscRealPart(a[bad[1] - start]);
  PetscCall(VecRestoreArrayRead(w, &a));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_DOUBLE, MPI_SUM, comm));
  PetscCheck(bad[0] == LLONG_MAX, comm, PETSC_ERR_FP, "PetalOT: %s weight %lld is NaN or infinite; weights must be finite and >= 0", what, bad[0]);
  PetscCheck(bad[1] == LLONG_MAX, comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: %s weight %lld is negative (%g); weights must be >= 0", what, bad[1], value);
  PetscFunctionReturn(0);
}

CostKind KindOf(PetalOT ot)
{
  switch (ot->costType) {
  case PETAL_OT_COST_SQEUCLIDEAN:
    return CostKind::SqEuclidean;
  case PETAL_OT_COST_EUCLIDEAN:
    return CostKind::Euclidean;
  default:
    if (ot->costP == 1.0) return CostKind::L1;
    if (ot->costP == 2.0) return CostKind::SqEuclidean;
    return CostKind::PNorm;
  }
}

/* A points cost spec for the given local source rows and target columns. */
CostSpec PointSpec(PetalOT ot, const std::vector<double> &Xloc, const std::vector<double> &Yall, const std::vector<PetscInt> &rows, const std::vector<PetscInt> &cols, double scale)
{
  const int d = static_cast<int>(ot->dim);
  CostSpec  s;
  s.dense = false;
  s.kind  = KindOf(ot);
  s.scale = scale;
  s.p     = ot->costP;
  s.dim   = d;
  s.nRows = static_cast<int>(rows.size());
  s.m     = static_cast<int>(cols.size());
  HostMat X("petal::ot::X", s.nRows, d), Yt("petal::ot::Yt", d, s.m);
  for (int i = 0; i < s.nRows; ++i)
    for (int k = 0; k < d; ++k) X(i, k) = Xloc[static_cast<size_t>(rows[i]) * d + k];
  for (int j = 0; j < s.m; ++j)
    for (int k = 0; k < d; ++k) Yt(k, j) = Yall[static_cast<size_t>(cols[j]) * d + k];
  s.X  = ToDevice(X, "petal::ot::X");
  s.Yt = ToDevice(Yt, "petal::ot::Yt");
  PrepareCost(s, ot->ws->scratch);
  return s;
}

/* A dense cost spec: the given rows and columns of the local column-major block a (leading dim lda). */
CostSpec DenseSpec(const PetscScalar *a, PetscInt lda, const std::vector<PetscInt> &rows, const std::vector<PetscInt> &cols, double scale)
{
  CostSpec s;
  s.dense = true;
  s.nRows = static_cast<int>(rows.size());
  s.m     = static_cast<int>(cols.size());
  HostMat C("petal::ot::C", s.nRows, s.m);
  for (int j = 0; j < s.m; ++j)
    for (int i = 0; i < s.nRows; ++i) C(i, j) = scale * PetscRealPart(a[static_cast<size_t>(cols[j]) * lda + rows[i]]);
  s.C = ToDevice(C, "petal::ot::C");
  return s;
}

constexpr double kMaxExponent = 1e300; /* eta * scale * max |C|: far from DBL_MAX even with the potentials added */

/* Bounding boxes of the local source points and all target points, per coordinate, over every rank. */
PetscErrorCode BoundingBoxes(MPI_Comm comm, PetscInt d, const std::vector<double> &Xloc, const std::vector<double> &Yall, std::vector<double> *lo, std::vector<double> *hi)
{
  std::vector<double> mx(2 * d, -HUGE_VAL); /* max x_k, max y_k, then -min x_k, -min y_k: one MAX allreduce */
  std::vector<double> buf(4 * d, -HUGE_VAL);

  PetscFunctionBegin;
  for (size_t t = 0; t < Xloc.size(); ++t) {
    const size_t k = t % d;
    buf[k]         = std::max(buf[k], Xloc[t]);
    buf[2 * d + k] = std::max(buf[2 * d + k], -Xloc[t]);
  }
  for (size_t t = 0; t < Yall.size(); ++t) {
    const size_t k = t % d;
    buf[d + k]     = std::max(buf[d + k], Yall[t]);
    buf[3 * d + k] = std::max(buf[3 * d + k], -Yall[t]);
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, buf.data(), (PetscMPIInt)(4 * d), MPI_DOUBLE, MPI_MAX, comm));
  lo->assign(2 * d, 0.0); /* x_k then y_k */
  hi->assign(2 * d, 0.0);
  for (PetscInt k = 0; k < 2 * d; ++k) {
    (*hi)[k] = buf[k];
    (*lo)[k] = -buf[2 * d + k];
  }
  PetscFunctionReturn(0);
}

/* An upper bound of max C_ij (unscaled) over the boxes, computed as the kernels compute the cost (inf if
 * that overflows), and for the expanded squared Euclidean form max |x|^2 + max |y|^2. */
void CostBounds(PetalOT ot, PetscInt d, const std::vector<double> &lo, const std::vector<double> &hi, double *costBound, double *normBound)
{
  double s = 0, n2 = 0;
  for (PetscInt k = 0; k < d; ++k) {
    const double b  = std::max(hi[k] - lo[d + k], hi[d + k] - lo[k]); /* the largest |x_k - y_k| */
    const double ax = std::max(std::fabs(lo[k]), std::fabs(hi[k])), ay = std::max(std::fabs(lo[d + k]), std::fabs(hi[d + k]));
    n2 += ax * ax + ay * ay;
    switch (ot->costType) {
    case PETAL_OT_COST_PNORM: s += std::pow(b, ot->costP); break;
    default: s += b * b; break;
    }
  }
  *costBound = ot->costType == PETAL_OT_COST_EUCLIDEAN ? std::sqrt(s) : s;
  *normBound = n2;
}

std::vector<PetscInt> Iota(PetscInt n)
{
  std::vector<PetscInt> v(n);
  for (PetscInt k = 0; k < n; ++k) v[k] = k;
  return v;
}

/* max C_ij (unscaled) over all pairs, zero weights included: one n x m pass, no exp. Collective. */
PetscErrorCode ExactMaxCost(PetalOT ot, const std::vector<double> &Xloc, const std::vector<double> &Yall, double *cmax)
{
  Workspace &ws = *ot->ws;

  PetscFunctionBegin;
  CostSpec all = PointSpec(ot, Xloc, Yall, Iota(ws.nLocFull), Iota(ws.mFull), 1.0);
  *cmax        = MaxCost(all, ws.scratch);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, cmax, 1, MPI_DOUBLE, MPI_MAX, PetscObjectComm((PetscObject)ot)));
  PetscFunctionReturn(0);
}
} // namespace

/* All entries of a parallel Vec on every rank. */
PetscErrorCode GatherAll(Vec v, std::vector<double> *out)
{
  VecScatter         sc;
  Vec                all;
  const PetscScalar *a;
  PetscInt           n;

  PetscFunctionBegin;
  PetscCall(VecScatterCreateToAll(v, &sc, &all));
  PetscCall(VecScatterBegin(sc, v, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, v, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecGetLocalSize(all, &n));
  PetscCall(VecGetArrayRead(all, &a));
  out->assign(a, a + n);
  PetscCall(VecRestoreArrayRead(all, &a));
  PetscCall(VecDestroy(&all));
  PetscCall(VecScatterDestroy(&sc));
  PetscFunctionReturn(0);
}

PetscErrorCode SetUpProblem(PetalOT ot)
{
  MPI_Comm            comm = PetscObjectComm((PetscObject)ot);
  Workspace          &ws   = *ot->ws;
  std::vector<double> rloc, call;
  PetscReal           rsum, csum;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(PETAL_OT_SetUp, 0, 0, 0, 0));
  PetscCheck(ot->eta > 0 && !PetscIsInfOrNanReal(ot->eta), comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: eta must be positive and finite, got %g", (double)ot->eta);
  PetscCall(VecGetSize(ot->r, &ws.nFull));
  PetscCall(VecGetSize(ot->c, &ws.mFull));
  PetscCall(VecGetLocalSize(ot->r, &ws.nLocFull));
  PetscCall(VecGetOwnershipRange(ot->r, &ws.rStartFull, NULL));
  PetscCheck(ws.nFull > 0 && ws.mFull > 0, comm, PETSC_ERR_ARG_SIZ, "PetalOT: empty problem (n = %" PetscInt_FMT ", m = %" PetscInt_FMT ")", ws.nFull, ws.mFull);
  { /* the kernel variant; an explicit request that this build or the CPU of some rank lacks is a collective error */
    KernelIsa isa;
    int       missing = ResolveKernelIsa(ot->kernelISA, &isa) ? 0 : 1;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &missing, 1, MPI_INT, MPI_SUM, comm));
    PetscCheck(!missing, comm, PETSC_ERR_SUP, "PetalOT: -ot_kernel_isa %s is not available on %d rank(s): %s", PetalOTKernelISAs[ot->kernelISA], missing, KernelISADescription(ot->kernelISA).c_str());
    ws.scratch.isa    = static_cast<int>(isa);
    ot->kernelISAUsed = isa == KernelIsa::Avx512 ? PETAL_OT_KERNEL_ISA_AVX512 : isa == KernelIsa::Avx2 ? PETAL_OT_KERNEL_ISA_AVX2 : PETAL_OT_KERNEL_ISA_GENERIC;
  }
  PetscCall(CheckWeights(ot, ot->r, "source"));
  PetscCall(CheckWeights(ot, ot->c, "target"));
  PetscCall(VecSum(ot->r, &rsum));
  PetscCall(VecSum(ot->c, &csum));
  PetscCheck(std::isfinite(rsum) && std::isfinite(csum), comm, PETSC_ERR_FP, "PetalOT: the total source mass %g or target mass %g overflows double precision; rescale the weights", (double)rsum, (double)csum);
  PetscCheck(rsum > 0 && csum > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the source and target weights must have positive totals (got %g and %g)", (double)rsum, (double)csum);
  PetscCheck(PetscAbsReal(rsum - csum) <= ot->massTol * PetscMax(rsum, csum), comm, PETSC_ERR_ARG_INCOMP, "PetalOT: the total source mass %.17g and total target mass %.17g differ by %.3e relative, more than -ot_mass_tol %g; balanced OT needs equal totals", (double)rsum, (double)csum, (double)(PetscAbsReal(rsum - csum) / PetscMax(rsum, csum)), (double)ot->massTol);

  { /* weights: local r, all of c (rescaled to the source total, within -ot_mass_tol) */
    const PetscScalar *a;
    PetscCall(VecGetArrayRead(ot->r, &a));
    rloc.assign(a, a + ws.nLocFull);
    PetscCall(VecRestoreArrayRead(ot->r, &a));
    PetscCall(GatherAll(ot->c, &call));
    for (double &v : call) v *= rsum / csum;
  }
  ws.keptRows.clear();
  ws.droppedRows.clear();
  ws.keptCols.clear();
  ws.droppedCols.clear();
  for (PetscInt i = 0; i < ws.nLocFull; ++i) (rloc[i] > 0 ? ws.keptRows : ws.droppedRows).push_back(i);
  for (PetscInt j = 0; j < ws.mFull; ++j) (call[j] > 0 ? ws.keptCols : ws.droppedCols).push_back(j);
  ws.nLoc = static_cast<PetscInt>(ws.keptRows.size());
  ws.m    = static_cast<PetscInt>(ws.keptCols.size());
  PetscCallMPI(MPI_Allreduce(&ws.nLoc, &ws.n, 1, MPIU_INT, MPI_SUM, comm));
  PetscCallMPI(MPI_Exscan(&ws.nLoc, &ws.rowOffset, 1, MPIU_INT, MPI_SUM, comm));
  {
    PetscMPIInt rank;
    PetscCallMPI(MPI_Comm_rank(comm, &rank));
    if (rank == 0) ws.rowOffset = 0;
  }
  ot->nKept = ws.n;
  ot->mKept = ws.m;

  /* the cost */
  ot->costScaleUsed = ot->costScale;
  if (ot->C) {
    PetscInt M, N, mloc, lda;
    Mat      Cd;
    PetscCall(MatGetSize(ot->C, &M, &N));
    PetscCall(MatGetLocalSize(ot->C, &mloc, NULL));
    PetscCheck(M == ws.nFull && N == ws.mFull, comm, PETSC_ERR_ARG_SIZ, "PetalOT: the cost matrix is %" PetscInt_FMT " x %" PetscInt_FMT " but the weights have sizes n = %" PetscInt_FMT " and m = %" PetscInt_FMT, M, N, ws.nFull, ws.mFull);
    int badLayout = mloc != ws.nLocFull; /* agreed on by all ranks, so that every rank raises the error */
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &badLayout, 1, MPI_INT, MPI_MAX, comm));
    PetscCheck(!badLayout, comm, PETSC_ERR_ARG_SIZ, "PetalOT: the rows of the cost matrix are distributed differently from r (this rank: %" PetscInt_FMT " vs %" PetscInt_FMT "); lay out C's rows like r", mloc, ws.nLocFull);
    PetscCall(MatConvert(ot->C, MATDENSE, MAT_INITIAL_MATRIX, &Cd));
    const PetscScalar *a;
    PetscCall(MatDenseGetLDA(Cd, &lda));
    PetscCall(MatDenseGetArrayRead(Cd, &a));
    double range[2] = {-HUGE_VAL, -HUGE_VAL}; /* max C, max |C| */
    int    bad      = 0;
    for (PetscInt j = 0; j < ws.mFull; ++j)
      for (PetscInt i = 0; i < ws.nLocFull; ++i) {
        const double v = PetscRealPart(a[static_cast<size_t>(j) * lda + i]);
        if (!std::isfinite(v)) bad = 1;
        range[0] = v > range[0] ? v : range[0];
        range[1] = std::fabs(v) > range[1] ? std::fabs(v) : range[1];
      }
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm));
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, range, 2, MPI_DOUBLE, MPI_MAX, comm));
    const double cmax = range[0];
    if (bad) PetscCall(MatDenseRestoreArrayRead(Cd, &a));
    PetscCheck(!bad, comm, PETSC_ERR_FP, "PetalOT: the cost matrix has NaN or infinite entries");
    if (ot->costNormalize) {
      PetscCheck(cmax > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: -ot_cost_normalize needs a positive maximum cost, got %g", cmax);
      ot->costScaleUsed = 1.0 / cmax;
    }
    ot->maxCost = range[1];
    if (!(ot->eta * ot->costScaleUsed * range[1] <= kMaxExponent)) PetscCall(MatDenseRestoreArrayRead(Cd, &a));
    PetscCheck(ot->eta * ot->costScaleUsed * range[1] <= kMaxExponent, comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the scaled cost overflows the kernels' exponent range: eta %g x cost scale %g x largest |cost| %g = %g > %g; lower -ot_cost_scale or -ot_eta, or use -ot_cost_normalize", (double)ot->eta, (double)ot->costScaleUsed, range[1],
               (double)(ot->eta * ot->costScaleUsed * range[1]), kMaxExponent);
    const double s      = ot->costScaleUsed;
    ws.cost             = DenseSpec(a, lda, ws.keptRows, ws.keptCols, s);
    ws.costDroppedRows  = DenseSpec(a, lda, ws.droppedRows, ws.keptCols, s);
    ws.costDroppedCols  = DenseSpec(a, lda, ws.keptRows, ws.droppedCols, s);
    PetscCall(MatDenseRestoreArrayRead(Cd, &a));
    PetscCall(MatDestroy(&Cd));
  } else {
    const PetscInt      d = ot->dim;
    PetscInt            xloc, ysize;
    std::vector<double> Xloc, Yall;
    PetscCall(VecGetLocalSize(ot->X, &xloc));
    PetscCall(VecGetSize(ot->Y, &ysize));
    int badLayout = xloc != ws.nLocFull * d;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &badLayout, 1, MPI_INT, MPI_MAX, comm));
    PetscCheck(!badLayout, comm, PETSC_ERR_ARG_SIZ, "PetalOT: the source points X do not match r: %" PetscInt_FMT " local entries on this rank, expected %" PetscInt_FMT " (local size of r) x %" PetscInt_FMT " (dim)", xloc, ws.nLocFull, d);
    PetscCheck(ysize == ws.mFull * d, comm, PETSC_ERR_ARG_SIZ, "PetalOT: the target points Y have %" PetscInt_FMT " entries, expected %" PetscInt_FMT " (size of c) x %" PetscInt_FMT " (dim)", ysize, ws.mFull, d);
    {
      const PetscScalar *a;
      PetscCall(VecGetArrayRead(ot->X, &a));
      Xloc.assign(a, a + xloc);
      PetscCall(VecRestoreArrayRead(ot->X, &a));
    }
    PetscCall(GatherAll(ot->Y, &Yall));
    int bad = 0;
    for (double v : Xloc) bad |= !std::isfinite(v);
    for (double v : Yall) bad |= !std::isfinite(v);
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, comm));
    PetscCheck(!bad, comm, PETSC_ERR_FP, "PetalOT: the point coordinates have NaN or infinite entries");
    std::vector<double> lo, hi;
    double              costBound, normBound, cmax = -1; /* cmax: the exact maximum, once computed */
    PetscCall(BoundingBoxes(comm, d, Xloc, Yall, &lo, &hi));
    CostBounds(ot, d, lo, hi, &costBound, &normBound);
    if (ot->costNormalize || !std::isfinite(costBound) || !(ot->eta * ot->costScale * costBound <= kMaxExponent)) PetscCall(ExactMaxCost(ot, Xloc, Yall, &cmax));
    const double largest = cmax >= 0 ? cmax : costBound;
    PetscCheck(std::isfinite(largest), comm, PETSC_ERR_FP, "PetalOT: the %s cost of the points overflows double precision (the largest is not finite; coordinates reach %g): rescale the points (-ot_cost_normalize cannot help, the unscaled cost itself is not representable)", PetalOTCostTypes[ot->costType],
               std::max(*std::max_element(hi.begin(), hi.end()), -*std::min_element(lo.begin(), lo.end())));
    if (ot->costNormalize) {
      PetscCheck(cmax > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: -ot_cost_normalize needs a positive maximum cost, got %g (all points coincide?)", cmax);
      ot->costScaleUsed = 1.0 / cmax;
    }
    PetscCheck(ot->eta * ot->costScaleUsed * largest <= kMaxExponent, comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the scaled cost overflows the kernels' exponent range: eta %g x cost scale %g x largest cost %g = %g > %g; lower -ot_cost_scale or -ot_eta, or use -ot_cost_normalize", (double)ot->eta, (double)ot->costScaleUsed, largest,
               (double)(ot->eta * ot->costScaleUsed * largest), kMaxExponent);
    if (ot->costType == PETAL_OT_COST_SQEUCLIDEAN && d <= 3) /* expanded as |x|^2 + |y|^2 - 2 x.y (ot_cost.hpp) */
      PetscCheck(std::isfinite(normBound) && ot->eta * ot->costScaleUsed * normBound <= kMaxExponent, comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalOT: the squared Euclidean cost is evaluated as |x|^2 + |y|^2 - 2 x.y, and eta %g x cost scale %g x (max |x|^2 + max |y|^2 = %g) exceeds %g: translate the points towards the origin or rescale them", (double)ot->eta, (double)ot->costScaleUsed, normBound, kMaxExponent);
    ot->maxCost = largest;
    const double s     = ot->costScaleUsed;
    ws.cost            = PointSpec(ot, Xloc, Yall, ws.keptRows, ws.keptCols, s);
    ws.costDroppedRows = PointSpec(ot, Xloc, Yall, ws.droppedRows, ws.keptCols, s);
    ws.costDroppedCols = PointSpec(ot, Xloc, Yall, ws.keptRows, ws.droppedCols, s);
  }

  /* weights and state */
  std::vector<double> r(ws.nLoc), logr(ws.nLoc), c(ws.m), logc(ws.m);
  for (PetscInt i = 0; i < ws.nLoc; ++i) {
    r[i]    = rloc[ws.keptRows[i]];
    logr[i] = std::log(r[i]);
  }
  for (PetscInt j = 0; j < ws.m; ++j) {
    c[j]    = call[ws.keptCols[j]];
    logc[j] = std::log(c[j]);
  }
  ws.r      = ToDevice(r, "petal::ot::r");
  ws.logr   = ToDevice(logr, "petal::ot::logr");
  ws.c      = ToDevice(c, "petal::ot::c");
  ws.logc   = ToDevice(logc, "petal::ot::logc");
  ws.x      = Vec1("petal::ot::x", ws.nLoc);
  ws.xNew   = Vec1("petal::ot::xNew", ws.nLoc);
  ws.ex     = Vec1("petal::ot::ex", ws.nLoc);
  ws.rowSum = Vec1("petal::ot::rowSum", ws.nLoc);
  ws.y      = Vec1("petal::ot::y", ws.m);
  ws.ey     = Vec1("petal::ot::ey", ws.m);
  ws.colSum = Vec1("petal::ot::colSum", ws.m);
  ws.colMax = Vec1("petal::ot::colMax", ws.m);
  ws.hostBuf.assign(2 * static_cast<size_t>(ws.m) + 8, 0.0);
  ws.scratch.Resize(ws.cost.nRows, ws.cost.m);
  ws.columnsExact = false;
  ws.eta          = ot->eta;
  PetscCall(PetscLogEventEnd(PETAL_OT_SetUp, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

} // namespace ot
} // namespace petal
