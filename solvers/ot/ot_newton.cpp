// Sinkhorn-Newton-Sparse (Tang et al., ICLR 2024): a Sinkhorn warm-up, then Newton ascent on the
// concave dual f(x, y) = -(1/eta) sum P + r.x + c.y with the Hessian sparsified to O(n) entries.
//
// Newton system (the negated Hessian, SPD after gauge fixing):
//   M = eta [ diag(P 1)   P_s        ]    g = [ r - P 1   ]    M d = g,  z <- z + alpha d
//           [ P_s^T       diag(P^T 1)]        [ c - P^T 1 ]
// P_s keeps the k = ceil(lambda n m) largest plan entries (global top-k, ot_topk.cpp); the diagonals are
// the full row and column sums, so x^T M x >= sum_kept eta P_ij (x_i + y_j)^2 >= 0. The direction (1,-1)
// leaves P unchanged; it is removed by fixing the last column potential (default) or by a MatNullSpace.
// M is an MPIAIJ matrix: rank p owns its plan rows' x unknowns and a slice of the y unknowns; the
// transposed entries go to the y owners through MatSetValues' stash. KSP: CG + Jacobi by default
// (-ot_newton_ksp_*), inexact Newton with rtol = min(0.1, sqrt(marginal error)).
// Line search: backtracking on f (Armijo), one plan pass per trial; the accepted trial's pass gives the
// next gradient. Near convergence f changes below rounding, so a trial that reduces the marginal error
// without a visible decrease of f is accepted too.
#include "ot_sns.hpp"
#include <cmath>

namespace petal {
namespace ot {
namespace {

struct NewtonLayout {
  PetscInt              mv = 0;                   // y unknowns in the system (m - 1 with gauge fixing)
  PetscInt              yStart = 0, yEnd = 0;     // my y unknowns
  PetscInt              localVars = 0, offset = 0; // my rows of the system, their first global index
  PetscInt              N = 0;
  std::vector<PetscInt> yIndex; // global system index of every y unknown
  Vec                   g = nullptr, d = nullptr, dyAll = nullptr;
  VecScatter            toAll = nullptr;
  MatNullSpace          nsp   = nullptr;

  PetscErrorCode Destroy()
  {
    PetscFunctionBegin;
    PetscCall(VecDestroy(&g));
    PetscCall(VecDestroy(&d));
    PetscCall(VecDestroy(&dyAll));
    PetscCall(VecScatterDestroy(&toAll));
    PetscCall(MatNullSpaceDestroy(&nsp));
    PetscFunctionReturn(0);
  }
};

PetscErrorCode CreateLayout(PetalOT ot, const PetalOT_SNS &sns, NewtonLayout *L)
{
  MPI_Comm    comm = PetscObjectComm((PetscObject)ot);
  Workspace  &ws   = *ot->ws;
  PetscMPIInt size, rank;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  L->mv              = sns.gauge == PETAL_OT_GAUGE_FIX ? ws.m - 1 : ws.m;
  const PetscInt myY = L->mv / size + (rank < L->mv % size ? 1 : 0);
  L->localVars       = ws.nLoc + myY;
  PetscCallMPI(MPI_Exscan(&myY, &L->yStart, 1, MPIU_INT, MPI_SUM, comm));
  PetscCallMPI(MPI_Exscan(&L->localVars, &L->offset, 1, MPIU_INT, MPI_SUM, comm));
  if (rank == 0) L->yStart = L->offset = 0;
  L->yEnd = L->yStart + myY;
  L->N    = ws.n + L->mv;
  std::vector<PetscInt> mine = {L->offset, ws.nLoc, L->yStart, myY}, all(4 * size);
  PetscCallMPI(MPI_Allgather(mine.data(), 4, MPIU_INT, all.data(), 4, MPIU_INT, comm));
  L->yIndex.resize(L->mv);
  for (PetscMPIInt q = 0; q < size; ++q)
    for (PetscInt j = all[4 * q + 2]; j < all[4 * q + 2] + all[4 * q + 3]; ++j) L->yIndex[j] = all[4 * q] + all[4 * q + 1] + (j - all[4 * q + 2]);
  PetscCall(VecCreateMPI(comm, L->localVars, L->N, &L->g));
  PetscCall(VecDuplicate(L->g, &L->d));
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, L->mv, &L->dyAll));
  IS from;
  PetscCall(ISCreateGeneral(PETSC_COMM_SELF, L->mv, L->yIndex.data(), PETSC_COPY_VALUES, &from));
  PetscCall(VecScatterCreate(L->d, from, L->dyAll, NULL, &L->toAll));
  PetscCall(ISDestroy(&from));
  if (sns.gauge == PETAL_OT_GAUGE_NULLSPACE) { /* (1, ..., 1, -1, ..., -1) / sqrt(n + m) */
    Vec          v;
    PetscScalar *a;
    PetscCall(VecDuplicate(L->g, &v));
    PetscCall(VecGetArray(v, &a));
    for (PetscInt t = 0; t < L->localVars; ++t) a[t] = (t < ws.nLoc ? 1.0 : -1.0) / std::sqrt((double)L->N);
    PetscCall(VecRestoreArray(v, &a));
    PetscCall(MatNullSpaceCreate(comm, PETSC_FALSE, 1, &v, &L->nsp));
    PetscCall(VecDestroy(&v));
  }
  PetscFunctionReturn(0);
}

/* Assembles M from the kept entries and the full row/column sums (ws.rowSum, ws.colSum). */
PetscErrorCode AssembleHessian(PetalOT ot, const NewtonLayout &L, const Entries &kept, Mat *M)
{
  MPI_Comm   comm = PetscObjectComm((PetscObject)ot);
  Workspace   &ws  = *ot->ws;
  const double eta = ws.eta;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(PETAL_OT_Hessian, 0, 0, 0, 0));
  auto ownsGlobal = [&](PetscInt gidx) { return gidx >= L.offset && gidx < L.offset + L.localVars; };
  std::vector<PetscInt> dnz(L.localVars, 1), onz(L.localVars, 0), colMine(L.mv, 0), colAll(L.mv, 0);
  for (size_t t = 0; t < kept.v.size(); ++t) {
    const PetscInt j = kept.j[t];
    if (j >= L.mv) continue; /* the gauge-fixed unknown */
    if (ownsGlobal(L.yIndex[j])) dnz[kept.i[t]]++;
    else onz[kept.i[t]]++;
    colMine[j]++;
  }
  PetscCallMPI(MPI_Allreduce(colMine.data(), colAll.data(), (PetscMPIInt)L.mv, MPIU_INT, MPI_SUM, comm));
  for (PetscInt j = L.yStart; j < L.yEnd; ++j) {
    const PetscInt row = ws.nLoc + (j - L.yStart);
    dnz[row] += colMine[j];
    onz[row] += colAll[j] - colMine[j];
  }
  PetscCall(MatCreateAIJ(comm, L.localVars, L.localVars, L.N, L.N, 0, dnz.data(), 0, onz.data(), M));
  PetscCall(MatSetOption(*M, MAT_SYMMETRIC, PETSC_TRUE));
  auto ha = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.rowSum);
  auto hb = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.colSum);
  /* one MatSetValues per row: x rows from the row-ordered entries, y rows from a counting sort by column */
  std::vector<PetscInt>    cols;
  std::vector<PetscScalar> vals;
  size_t                   t = 0;
  for (PetscInt i = 0; i < ws.nLoc; ++i) {
    cols.assign(1, L.offset + i);
    vals.assign(1, eta * ha(i));
    for (; t < kept.v.size() && kept.i[t] == i; ++t)
      if (kept.j[t] < L.mv) {
        cols.push_back(L.yIndex[kept.j[t]]);
        vals.push_back(eta * kept.v[t]);
      }
    PetscCall(MatSetValues(*M, 1, &cols[0], (PetscInt)cols.size(), cols.data(), vals.data(), INSERT_VALUES));
  }
  std::vector<PetscInt> start(L.mv + 1, 0);
  for (PetscInt j = 0; j < L.mv; ++j) start[j + 1] = start[j] + colMine[j];
  std::vector<PetscInt>    byColRow(start[L.mv]);
  std::vector<PetscScalar> byColVal(start[L.mv]);
  {
    std::vector<PetscInt> fill(start.begin(), start.end() - 1);
    for (size_t u = 0; u < kept.v.size(); ++u)
      if (kept.j[u] < L.mv) {
        byColRow[fill[kept.j[u]]]   = L.offset + kept.i[u];
        byColVal[fill[kept.j[u]]++] = eta * kept.v[u];
      }
  }
  for (PetscInt j = 0; j < L.mv; ++j) {
    const PetscInt gy = L.yIndex[j];
    if (j >= L.yStart && j < L.yEnd) PetscCall(MatSetValue(*M, gy, gy, eta * hb(j), INSERT_VALUES));
    if (start[j + 1] > start[j]) PetscCall(MatSetValues(*M, 1, &gy, start[j + 1] - start[j], &byColRow[start[j]], &byColVal[start[j]], INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(*M, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*M, MAT_FINAL_ASSEMBLY));
  if (L.nsp) PetscCall(MatSetNullSpace(*M, L.nsp));

  /* right-hand side: the gradient of f */
  auto         hr = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.r);
  auto         hc = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), ws.c);
  PetscScalar *g;
  PetscCall(VecGetArray(L.g, &g));
  for (PetscInt i = 0; i < ws.nLoc; ++i) g[i] = hr(i) - ha(i);
  for (PetscInt j = L.yStart; j < L.yEnd; ++j) g[ws.nLoc + (j - L.yStart)] = hc(j) - hb(j);
  PetscCall(VecRestoreArray(L.g, &g));
  PetscCall(PetscLogEventEnd(PETAL_OT_Hessian, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* r.x + c.y and r.dx + c.dy over all ranks. */
PetscErrorCode LinearTerms(PetalOT ot, const Vec1 &x, const Vec1 &y, double *value)
{
  Workspace &ws = *ot->ws;
  double     loc = 0, rep = 0;

  PetscFunctionBegin;
  const Vec1 r = ws.r, c = ws.c;
  Kokkos::parallel_reduce(
    "petal::ot::DotR", Kokkos::RangePolicy<Exec>(0, x.extent(0)), KOKKOS_LAMBDA(const int i, double &s) { s += r(i) * x(i); }, loc);
  Kokkos::parallel_reduce(
    "petal::ot::DotC", Kokkos::RangePolicy<Exec>(0, y.extent(0)), KOKKOS_LAMBDA(const int j, double &s) { s += c(j) * y(j); }, rep);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &loc, 1, MPI_DOUBLE, MPI_SUM, PetscObjectComm((PetscObject)ot)));
  *value = loc + rep;
  PetscFunctionReturn(0);
}

/* One Newton step from the current (x, y) whose plan sums are in ws (from EvaluatePlan/EvaluateAt).
 * On success (x, y) moves and ws holds the plan sums at the new point. */
PetscErrorCode NewtonStep(PetalOT ot, PetalOT_SNS &sns, NewtonLayout &L, Vec1 &dx, Vec1 &dy, double *alphaOut, PetscBool *accepted, double *ratio)
{
  Workspace   &ws = *ot->ws;
  const double eta = ws.eta;
  Entries      kept;
  double       rho;
  Mat          M;
  PetscInt     its;

  PetscFunctionBegin;
  *accepted = PETSC_FALSE;
  *alphaOut = 0;
  *ratio    = 1;
  const double errMax0 = PetscMax(ws.rowErr, ws.colErr), sumP0 = ws.sumP;
  /* sparsify at the current point */
  Affine(ws.scratch, ws.ex, eta, ws.x, -1.0);
  Affine(ws.scratch, ws.ey, eta, ws.y, 0.0);
  const long long k = static_cast<long long>(std::ceil(sns.curDensity * (double)ws.n * (double)ws.m));
  sns.densityUsed   = PetscMax(sns.densityUsed, sns.curDensity);
  sns.kUsed         = PetscMax(sns.kUsed, (PetscInt)k);
  /* Entries below 1e-14 of an average row mass change nothing in double precision: never keep them. */
  const double floor = 1e-14 * ws.sumP / PetscMax(ws.n, ws.m);
  /* the previous threshold / 8 usually still bounds the new one from below; after the density grew
   * (by up to 4x) look further down rather than pay for a histogram pass */
  const double hint = sns.rhoPrev / (k > sns.kPrev ? 256 : 8);
  PetscCall(SelectTopK(ot, k, PetscMax(hint, floor), floor, &kept, &rho));
  sns.kPrev   = k;
  sns.rhoPrev = rho;
  PetscCall(AssembleHessian(ot, L, kept, &M));

  /* solve M d = g */
  PetscCall(PetscLogEventBegin(PETAL_OT_NewtonKSP, 0, 0, 0, 0));
  KSP ksp;
  PetscCall(PetalOTGetNewtonKSP(ot, &ksp));
  if (sns.forcing) PetscCall(KSPSetTolerances(ksp, PetscMin(sns.forcingMax, std::pow(errMax0, sns.forcingPower)), 1e-50, PETSC_DEFAULT, PETSC_DEFAULT));
  PetscCall(KSPSetOperators(ksp, M, M));
  PetscCall(KSPSolve(ksp, L.g, L.d));
  PetscCall(KSPGetIterationNumber(ksp, &its));
  ot->res.ksp_iterations += its;
  PetscCall(PetscLogEventEnd(PETAL_OT_NewtonKSP, 0, 0, 0, 0));
  PetscCall(MatDestroy(&M));
  PetscScalar gTd;
  PetscCall(VecDot(L.g, L.d, &gTd));
  if (!(PetscRealPart(gTd) > 0)) PetscFunctionReturn(0); /* not an ascent direction (KSP breakdown) */

  /* the direction as views: dx local, dy gathered on every rank */
  {
    const PetscScalar *a;
    auto               hdx = Kokkos::create_mirror_view(dx);
    auto               hdy = Kokkos::create_mirror_view(dy);
    PetscCall(VecGetArrayRead(L.d, &a));
    for (PetscInt i = 0; i < ws.nLoc; ++i) hdx(i) = PetscRealPart(a[i]);
    PetscCall(VecRestoreArrayRead(L.d, &a));
    PetscCall(VecScatterBegin(L.toAll, L.d, L.dyAll, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(L.toAll, L.d, L.dyAll, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecGetArrayRead(L.dyAll, &a));
    for (PetscInt j = 0; j < ws.m; ++j) hdy(j) = j < L.mv ? PetscRealPart(a[j]) : 0.0;
    PetscCall(VecRestoreArrayRead(L.dyAll, &a));
    Kokkos::deep_copy(dx, hdx);
    Kokkos::deep_copy(dy, hdy);
  }

  /* backtracking line search on f */
  double lin0, linD;
  PetscCall(LinearTerms(ot, ws.x, ws.y, &lin0));
  PetscCall(LinearTerms(ot, dx, dy, &linD));
  const double noise = 64 * PETSC_MACHINE_EPSILON * (PetscAbsReal(lin0) + sumP0 / eta);
  PetscCall(PetscLogEventBegin(PETAL_OT_LineSearch, 0, 0, 0, 0));
  double alpha = 1.0;
  for (PetscInt t = 0; t < sns.lsMax; ++t, alpha *= 0.5) {
    AffineAxpy(ws.scratch, ws.ex, eta, ws.x, alpha, dx, -1.0);
    AffineAxpy(ws.scratch, ws.ey, eta, ws.y, alpha, dy, 0.0);
    PetscCall(EvaluateAt(ot, ws.ex, ws.ey));
    ot->res.line_search_evaluations++;
    const double gain   = alpha * linD - (ws.sumP - sumP0) / eta; /* f(z + alpha d) - f(z) without cancellation in the linear part */
    const bool   finite = std::isfinite(gain) && std::isfinite(ws.rowErr) && std::isfinite(ws.colErr);
    const bool   armijo = finite && gain >= sns.lsC1 * alpha * PetscRealPart(gTd);
    const bool   flat   = finite && gain >= -noise && PetscMax(ws.rowErr, ws.colErr) < errMax0;
    if (armijo || flat) {
      *accepted = PETSC_TRUE;
      *alphaOut = alpha;
      break;
    }
  }
  PetscCall(PetscLogEventEnd(PETAL_OT_LineSearch, 0, 0, 0, 0));
  if (*accepted) {
    const double a = *alphaOut;
    const Vec1   x = ws.x, y = ws.y, ddx = dx, ddy = dy;
    Kokkos::parallel_for("petal::ot::StepX", Kokkos::RangePolicy<Exec>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) { x(i) += a * ddx(i); });
    Kokkos::parallel_for("petal::ot::StepY", Kokkos::RangePolicy<Exec>(0, y.extent(0)), KOKKOS_LAMBDA(const int j) { y(j) += a * ddy(j); });
    ws.columnsExact = false;
    ot->res.newton_iterations++;
    *ratio = PetscMax(ws.rowErr, ws.colErr) / errMax0;
  }
  /* A full step that does not cut the error by 4 means the sparsified Hessian misses couplings that
   * matter (a damped step says the point is still far away, not that the model is poor): keep more plan
   * entries next time (x2, or x4 when the step barely helped), up to sns.curDensityMax. */
  if (sns.densityAdapt && *accepted && *alphaOut == 1.0 && *ratio > 0.25) sns.curDensity = PetscMin((*ratio > 0.5 ? 4 : 2) * sns.curDensity, sns.curDensityMax);
  if (ot->monitor)
    PetscCall(PetscPrintf(PetscObjectComm((PetscObject)ot), "  PetalOT Newton %3" PetscInt_FMT ": rho %.3e, %" PetscInt_FMT " KSP its, step %g%s, row error %.3e, column error %.3e\n", ot->res.newton_iterations, rho, its, *alphaOut, *accepted ? "" : " (line search failed)", ws.rowErr, ws.colErr));
  PetscFunctionReturn(0);
}

/* One SNS stage at eta = ws.eta: warm-up, then Newton steps until both marginal errors are <= tol. */
PetscErrorCode SolveStage(PetalOT ot, PetalOT_SNS &sns, NewtonLayout &L, Vec1 &dx, Vec1 &dy, double tol, PetscInt warmup, PetscLogDouble *tSink)
{
  Workspace     &ws = *ot->ws;
  PetscLogDouble t0, t1;
  PetscBool      converged = PETSC_FALSE, accepted;
  double         alpha, ratio;

  PetscFunctionBegin;
  PetscCall(PetscTime(&t0));
  /* warm-up: N1 iterations; with -ot_sns_stall_rate r < 1, Sinkhorn continues past N1 while every
   * iteration still cuts the error by the factor r (cheap progress), and hands over to Newton when it stalls */
  if (sns.stallRate < 1) PetscCall(SinkhornIterate(ot, ws.eta, tol, ot->maxIt - ot->res.sinkhorn_iterations, &converged, warmup, sns.stallRate));
  else PetscCall(SinkhornIterate(ot, ws.eta, tol, PetscMin(warmup, ot->maxIt - ot->res.sinkhorn_iterations), &converged, warmup, 1.0));
  PetscCall(EvaluatePlan(ot));
  PetscCall(PetscTime(&t1));
  *tSink += t1 - t0;
  if (sns.adaptive) { /* leave the warm-up once a Newton step is accepted with unit step */
    while (!converged && PetscMax(ws.rowErr, ws.colErr) > tol && ot->res.sinkhorn_iterations < ot->maxIt && ot->res.newton_iterations < sns.maxNewton) {
      PetscCall(NewtonStep(ot, sns, L, dx, dy, &alpha, &accepted, &ratio));
      if (accepted && alpha == 1.0) break;
      PetscCall(PetscTime(&t0));
      PetscCall(SinkhornIterate(ot, ws.eta, tol, PetscMin(sns.switchInterval, ot->maxIt - ot->res.sinkhorn_iterations), &converged, ot->maxIt, 1.0));
      PetscCall(EvaluatePlan(ot));
      PetscCall(PetscTime(&t1));
      *tSink += t1 - t0;
    }
  }
  PetscInt failures = 0;
  double   lastErr  = PETSC_MAX_REAL;
  while (PetscMax(ws.rowErr, ws.colErr) > tol && ot->res.newton_iterations < sns.maxNewton) {
    PetscCall(NewtonStep(ot, sns, L, dx, dy, &alpha, &accepted, &ratio));
    if (accepted && (ratio < 0.5 || sns.interleave <= 0)) continue;
    if (accepted) { /* slow Newton progress: let Sinkhorn work on the fast modes for a few iterations */
      PetscCall(PetscTime(&t0));
      PetscCall(SinkhornIterate(ot, ws.eta, tol, PetscMin(sns.interleave, ot->maxIt - ot->res.sinkhorn_iterations), &converged, ot->maxIt, 1.0));
      PetscCall(EvaluatePlan(ot));
      PetscCall(PetscTime(&t1));
      *tSink += t1 - t0;
      continue;
    }
    /* a failed line search: a few Sinkhorn iterations, then Newton again; give up if they stop helping */
    const double err = PetscMax(ws.rowErr, ws.colErr);
    if (ot->res.sinkhorn_iterations >= ot->maxIt || (++failures > 3 && err >= lastErr)) {
      ot->res.reason = PETAL_OT_DIVERGED_LINESEARCH;
      PetscCall(EvaluatePlan(ot));
      break;
    }
    lastErr = err;
    PetscCall(PetscTime(&t0));
    PetscCall(SinkhornIterate(ot, ws.eta, tol, PetscMin(sns.fallbackIts, ot->maxIt - ot->res.sinkhorn_iterations), &converged, ot->maxIt, 1.0));
    PetscCall(EvaluatePlan(ot));
    PetscCall(PetscTime(&t1));
    *tSink += t1 - t0;
  }
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode RunSNS(PetalOT ot, PetalOT_SNS &sns)
{
  Workspace     &ws = *ot->ws;
  NewtonLayout   L;
  PetscLogDouble t0, t1, tSink = 0;

  PetscFunctionBegin;
  PetscCheck(ws.m >= 2 || sns.gauge == PETAL_OT_GAUGE_NULLSPACE, PetscObjectComm((PetscObject)ot), PETSC_ERR_ARG_SIZ, "PetalOT: SNS with gauge fixing needs at least 2 targets of positive weight");
  PetscCall(PetscTime(&t0));
  PetscCall(CreateLayout(ot, sns, &L));
  Vec1 dx("petal::ot::dx", ws.nLoc), dy("petal::ot::dy", ws.m);
  const double density0 = sns.density > 0 ? sns.density : PetscMin(1.0, 2.0 / PetscMax(ws.n, ws.m)); /* the paper's lambda = 2/n */
  sns.curDensity        = density0;
  sns.curDensityMax     = PetscMax(density0, sns.densityMax > 0 ? sns.densityMax : PetscMin(1.0, PetscMax(0.1, 64.0 / PetscMax(ws.n, ws.m))));
  sns.rhoPrev           = 0;
  sns.densityUsed       = 0;
  sns.kUsed             = 0;

  /* epsilon scaling: stages eta0, eta0*factor, ... < eta, each solved to the stage tolerance, then eta */
  std::vector<double> etas;
  if (ot->epsScaling)
    for (double e = ot->epsEta0; e < ot->eta; e *= ot->epsFactor) etas.push_back(e);
  etas.push_back(ot->eta);
  for (size_t s = 0; s < etas.size() && ot->res.reason == PETAL_OT_ITERATING; ++s) {
    const bool last = s + 1 == etas.size();
    ws.eta          = etas[s];
    sns.curDensity  = PetscMax(density0, sns.curDensity / 4); /* the plan gets sparser as eta grows */
    sns.rhoPrev     = 0;
    sns.kPrev       = 0;
    PetscCall(SolveStage(ot, sns, L, dx, dy, last ? ot->tol : PetscMax(ot->tol, ot->epsStageTol), s == 0 ? sns.warmup : sns.stageWarmup, &tSink));
  }
  ws.eta = ot->eta;
  if (PetscMax(ws.rowErr, ws.colErr) > ot->tol && ot->res.sinkhorn_iterations < ot->maxIt && !PetscIsInfOrNanReal(ws.rowErr + ws.colErr)) {
    /* not converged: finish with Sinkhorn iterations (an exact column update bounds the errors), unless
     * that is worse than the Newton point */
    PetscLogDouble s0, s1;
    PetscBool      converged;
    const double   errNewton = PetscMax(ws.rowErr, ws.colErr);
    Vec1           xs("petal::ot::xs", ws.nLoc), ys("petal::ot::ys", ws.m);
    Kokkos::deep_copy(xs, ws.x);
    Kokkos::deep_copy(ys, ws.y);
    PetscCall(PetscTime(&s0));
    PetscCall(SinkhornIterate(ot, ws.eta, ot->tol, PetscMin(sns.fallbackIts, ot->maxIt - ot->res.sinkhorn_iterations), &converged, ot->maxIt, 1.0));
    PetscCall(EvaluatePlan(ot));
    if (!(PetscMax(ws.rowErr, ws.colErr) <= errNewton)) {
      Kokkos::deep_copy(ws.x, xs);
      Kokkos::deep_copy(ws.y, ys);
      PetscCall(EvaluatePlan(ot));
    } else if (ot->res.reason == PETAL_OT_DIVERGED_LINESEARCH && PetscMax(ws.rowErr, ws.colErr) <= ot->tol) ot->res.reason = PETAL_OT_ITERATING;
    PetscCall(PetscTime(&s1));
    tSink += s1 - s0;
  }
  PetscCall(PetscTime(&t1));
  ot->res.time_sinkhorn = tSink;
  ot->res.time_newton   = (t1 - t0) - tSink;
  if (ot->res.reason != PETAL_OT_DIVERGED_LINESEARCH) ot->res.reason = PetscMax(ws.rowErr, ws.colErr) <= ot->tol ? PETAL_OT_CONVERGED_TOL : PETAL_OT_DIVERGED_MAX_IT;
  if (PetscIsInfOrNanReal(ws.rowErr) || PetscIsInfOrNanReal(ws.colErr)) ot->res.reason = PETAL_OT_DIVERGED_NAN;
  PetscCall(L.Destroy());
  PetscFunctionReturn(0);
}

} // namespace ot
} // namespace petal
