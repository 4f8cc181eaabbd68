// Log-domain Sinkhorn over MPI row blocks, epsilon scaling, and the plan evaluation shared with SNS.
//
// One iteration = row half-step (x) then column half-step (y). Rank p owns rows I_p (x_p, r_p); y and c
// are replicated. The row half-step is local. The column half-step needs the column sums of the
// updated plan over all ranks:
//   fused variant: the row pass already produced them (P_new = E r_i / s_i), so one SUM allreduce of
//                  m + 1 doubles (column sums and the row error) per iteration, one exp per entry;
//   log variant:   a column log-sum-exp pass, combined over ranks by one allreduce of (max, sum) pairs.
// If any column sum is out of range (first iterations at large eta) the fused variant falls back to
// the (max, sum) pair path for that iteration, so both are exact log-domain Sinkhorn.
//
// Stopping: the row pass measures |P 1 - r|_1 of the incoming potentials, whose columns are exact
// (P^T 1 = c up to rounding) after a column half-step; the iteration stops there, before updating.
#include "ot_impl.hpp"
#include <cmath>

namespace petal {
namespace ot {
namespace {

/* Sums the m entries of v and nExtra host scalars over all ranks (one allreduce), in place. */
PetscErrorCode AllreduceSum(MPI_Comm comm, Workspace &ws, const Vec1 &v, double *extra, int nExtra)
{
  const size_t m = v.extent(0);
  PetscMPIInt  size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (size == 1) PetscFunctionReturn(0);
  PetscCall(PetscLogEventBegin(PETAL_OT_Allreduce, 0, 0, 0, 0));
  auto h = Kokkos::create_mirror_view(v);
  Kokkos::deep_copy(h, v);
  double *buf = ws.hostBuf.data();
  for (size_t j = 0; j < m; ++j) buf[j] = h(j);
  for (int k = 0; k < nExtra; ++k) buf[m + k] = extra[k];
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, buf, (PetscMPIInt)(m + nExtra), MPI_DOUBLE, MPI_SUM, comm));
  for (size_t j = 0; j < m; ++j) h(j) = buf[j];
  for (int k = 0; k < nExtra; ++k) extra[k] = buf[m + k];
  Kokkos::deep_copy(v, h);
  PetscCall(PetscLogEventEnd(PETAL_OT_Allreduce, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

/* Combines the local (colMax, colSum) pairs of all ranks (one allreduce of m pairs), in place. */
PetscErrorCode AllreducePairs(MPI_Comm comm, Workspace &ws)
{
  const size_t m = ws.colMax.extent(0);
  PetscMPIInt  size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (size == 1) PetscFunctionReturn(0);
  auto hm = Kokkos::create_mirror_view(ws.colMax);
  auto hs = Kokkos::create_mirror_view(ws.colSum);
  Kokkos::deep_copy(hm, ws.colMax);
  Kokkos::deep_copy(hs, ws.colSum);
  double *buf = ws.hostBuf.data();
  for (size_t j = 0; j < m; ++j) {
    buf[2 * j]     = hm(j);
    buf[2 * j + 1] = hs(j);
  }
  PetscCall(AllreduceMaxSumPairs(comm, buf, (PetscInt)m));
  for (size_t j = 0; j < m; ++j) {
    hm(j) = buf[2 * j];
    hs(j) = buf[2 * j + 1];
  }
  Kokkos::deep_copy(ws.colMax, hm);
  Kokkos::deep_copy(ws.colSum, hs);
  PetscFunctionReturn(0);
}

/* Column half-step from global column sums b = ws.colSum: y += (log c - log b)/eta. Returns |b - c|_1,
 * and *bad = number of sums outside [kSumTiny, kSumHuge] (then nothing is updated). */
void ColumnStepFromSums(Workspace &ws, double eta, double *colErr, int *bad)
{
  const Vec1 b = ws.colSum, c = ws.c, logc = ws.logc, y = ws.y;
  double     err  = 0;
  int        nbad = 0;
  Kokkos::parallel_reduce(
    "petal::ot::ColumnCheck", Kokkos::RangePolicy<Exec>(0, b.extent(0)),
    KOKKOS_LAMBDA(const int j, double &e, int &nb) {
      e += kmath::fabs(b(j) - c(j));
      nb += (b(j) >= kSumTiny && b(j) <= kSumHuge) ? 0 : 1;
    },
    err, nbad);
  *colErr = err;
  *bad    = nbad;
  if (nbad) return;
  Kokkos::parallel_for(
    "petal::ot::ColumnStep", Kokkos::RangePolicy<Exec>(0, y.extent(0)), KOKKOS_LAMBDA(const int j) { y(j) += (logc(j) - kmath::log(b(j))) / eta; });
}

/* Column half-step from global (max, sum) pairs: log b = M + log S. Returns |b - c|_1. */
double ColumnStepFromPairs(Workspace &ws, double eta)
{
  const Vec1 M = ws.colMax, S = ws.colSum, c = ws.c, logc = ws.logc, y = ws.y;
  double     err = 0;
  Kokkos::parallel_reduce(
    "petal::ot::ColumnStepPairs", Kokkos::RangePolicy<Exec>(0, y.extent(0)),
    KOKKOS_LAMBDA(const int j, double &e) {
      const double logb = M(j) + kmath::log(S(j));
      e += kmath::fabs(kmath::exp(logb) - c(j));
      y(j) += (logc(j) - logb) / eta;
    },
    err);
  return err;
}

/* The log-domain column half-step: column LSE pass (one pass if the plan is in range), pair allreduce. */
PetscErrorCode ColumnStepLogDomain(PetalOT ot, double eta, bool onePass, double *colErr)
{
  Workspace &ws = *ot->ws;
  bool       twoPass;

  PetscFunctionBegin;
  Affine(ws.scratch, ws.ex, eta, ws.x, -1.0);
  Affine(ws.scratch, ws.ey, eta, ws.y, 0.0);
  PetscCall(PetscLogEventBegin(PETAL_OT_LSE, 0, 0, 0, 0));
  ColumnLogSumExp(ws.cost, eta, ws.ex, ws.ey, onePass, ws.scratch, ws.colMax, ws.colSum, &twoPass);
  PetscCall(PetscLogEventEnd(PETAL_OT_LSE, 0, 0, 0, 0));
  PetscCall(AllreducePairs(PetscObjectComm((PetscObject)ot), ws));
  *colErr = ColumnStepFromPairs(ws, eta);
  PetscFunctionReturn(0);
}
/* The stopping tests of both iteration loops, checked on the incoming state of each iteration. Only a state
 * with exact columns counts (after a column half-step P^T 1 = c, so the row error is the whole error). */
enum class Stop { None, Converged, Stalled, NaN };
struct StopRule {
  double   history[5]; /* errors of the last 5 column-exact states */
  PetscInt n = 0;

  /* converged: row error <= tol; stalled: after minIts iterations the error fell by less than the factor
   * stallRate per iteration over the last 5; NaN: finite inputs cannot give it, so report instead of looping */
  Stop Check(bool columnsExact, double rowErr, double tol, PetscInt it, PetscInt minIts, double stallRate)
  {
    if (!columnsExact) return Stop::None;
    if (PetscIsInfOrNanReal(rowErr)) return Stop::NaN;
    if (rowErr <= tol) return Stop::Converged;
    if (it >= minIts && n >= 5 && rowErr > std::pow(stallRate, 5) * history[n % 5]) return Stop::Stalled;
    history[n++ % 5] = rowErr;
    return Stop::None;
  }
};
} // namespace

/* ---- the stored-plan variant ----------------------------------------------------------------------
 * K = P at absorbed potentials (x0, y0) is stored; the iterations update row and column scalings u, v with
 * P = diag(u) K diag(v) (x = x0 + log(u)/eta, y = y0 + log(v)/eta): a row half-step is a dot product per row
 * and the new plan's column sums an axpy per row, fused into one streaming read of K (ScalingRowKernel).
 * Stability is that of the log domain because the scalings are absorbed into the potentials (and K
 * rebuilt with one exp per entry) whenever one leaves [1e-30, 1e30], when a row or column sum of K leaves
 * [kSumTiny, kSumHuge] (then the step is redone in the log domain), and at the end. Rows of K keep sums in
 * range from the start (BuildKernelKernel shifts the others). The result is the same Sinkhorn sequence as the
 * log-domain variants up to rounding. */

/* x += log(u)/eta, y += log(v)/eta, u = v = 1: the potentials of the current plan. */
void Absorb(Workspace &ws, double eta)
{
  const Vec1 x = ws.x, y = ws.y, u = ws.u, v = ws.v;
  Kokkos::parallel_for(
    "petal::ot::AbsorbRows", Kokkos::RangePolicy<Exec>(0, x.extent(0)), KOKKOS_LAMBDA(const int i) {
      x(i) += kmath::log(u(i)) / eta;
      u(i) = 1.0;
    });
  Kokkos::parallel_for(
    "petal::ot::AbsorbColumns", Kokkos::RangePolicy<Exec>(0, y.extent(0)), KOKKOS_LAMBDA(const int j) {
      y(j) += kmath::log(v(j)) / eta;
      v(j) = 1.0;
    });
}

/* K = the plan at the current (x, y) in float or double (the other copy is freed) with P = diag(u) K diag(v),
 * v = 1, u = 1 (double) or the row sums (float K has normalised rows); rows that BuildKernelKernel had to
 * shift (sum out of range) move their x0. */
PetscErrorCode BuildKernel(PetalOT ot, double eta, bool useFloat)
{
  Workspace &ws = *ot->ws;
  long long  shifted;

  PetscFunctionBegin;
  const size_t nLoc = ws.x.extent(0), m = ws.y.extent(0);
  ws.kFloat         = useFloat;
  if (useFloat) {
    ws.K = Mat2();
    if (ws.Kf.extent(0) != nLoc || ws.Kf.extent(1) != m) ws.Kf = Mat2f(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::ot::Kf"), nLoc, m);
  } else {
    ws.Kf = Mat2f();
    if (ws.K.extent(0) != nLoc || ws.K.extent(1) != m) ws.K = Mat2(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::ot::K"), nLoc, m);
  }
  if (ws.u.extent(0) != nLoc) {
    ws.u      = Vec1("petal::ot::u", nLoc);
    ws.uNew   = Vec1("petal::ot::uNew", nLoc);
    ws.shift2 = Vec1("petal::ot::shift2", nLoc);
  }
  if (ws.v.extent(0) != m) ws.v = Vec1("petal::ot::v", m);
  Affine(ws.scratch, ws.ey, eta, ws.y, 0.0);
  PetscCall(PetscLogEventBegin(PETAL_OT_KernelBuild, 0, 0, 0, 0));
  if (useFloat) BuildStoredKernel(ws.cost, eta, ws.x, ws.ey, ws.scratch, ws.Kf, ws.u, ws.shift2, &shifted);
  else BuildStoredKernel(ws.cost, eta, ws.x, ws.ey, ws.scratch, ws.K, ws.u, ws.shift2, &shifted);
  PetscCall(PetscLogEventEnd(PETAL_OT_KernelBuild, 0, 0, 0, 0));
  Kokkos::deep_copy(ws.v, 1.0);
  double nShifted = (double)shifted;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &nShifted, 1, MPI_DOUBLE, MPI_SUM, PetscObjectComm((PetscObject)ot)));
  if (nShifted > 0) { /* rows out of range moved their potential: the plan changed, its columns are no longer exact */
    const Vec1 x = ws.x, sh = ws.shift2;
    Kokkos::parallel_for(
      "petal::ot::KernelShift", Kokkos::RangePolicy<Exec>(0, nLoc), KOKKOS_LAMBDA(const int i) { x(i) -= sh(i) * kLn2 / eta; });
    ws.columnsExact = false;
  }
  if (useFloat) { /* K holds the rows of the plan divided by u_i: it is the plan at x0 = x - log(u)/eta */
    const Vec1 x = ws.x, u = ws.u;
    Kokkos::parallel_for(
      "petal::ot::KernelRowScale", Kokkos::RangePolicy<Exec>(0, nLoc), KOKKOS_LAMBDA(const int i) { x(i) -= kmath::log(u(i)) / eta; });
  }
  ot->res.fallback_rows += (PetscInt)shifted;
  PetscFunctionReturn(0);
}

/* Column half-step on the scalings from the global sums b'_j = sum_i u_i K_ij (ws.colSum): the plan's
 * column sums are v_j b'_j; v_j = c_j / b'_j. Returns |v b' - c|_1 and the number of b'_j out of range
 * (then v is unchanged). */
void ColumnScalingStep(Workspace &ws, double *colErr, int *bad)
{
  const Vec1 b = ws.colSum, c = ws.c, v = ws.v;
  double     err  = 0;
  int        nbad = 0;
  Kokkos::parallel_reduce(
    "petal::ot::ScalingColumnCheck", Kokkos::RangePolicy<Exec>(0, b.extent(0)),
    KOKKOS_LAMBDA(const int j, double &e, int &nb) {
      e += kmath::fabs(v(j) * b(j) - c(j));
      nb += (b(j) >= kSumTiny && b(j) <= kSumHuge) ? 0 : 1;
    },
    err, nbad);
  *colErr = err;
  *bad    = nbad;
  if (nbad) return;
  Kokkos::parallel_for(
    "petal::ot::ScalingColumnStep", Kokkos::RangePolicy<Exec>(0, v.extent(0)), KOKKOS_LAMBDA(const int j) { v(j) = c(j) / b(j); });
}

/* max |log s_k| over a scaling vector (0 for an empty one). */
double MaxAbsLog(const Vec1 &s)
{
  double mx = 0;
  Kokkos::parallel_reduce(
    "petal::ot::MaxAbsLog", Kokkos::RangePolicy<Exec>(0, s.extent(0)),
    KOKKOS_LAMBDA(const int k, double &m) {
      const double a = kmath::fabs(kmath::log(s(k)));
      m              = a > m ? a : m;
    },
    Kokkos::Max<double>(mx));
  return mx;
}

/* Whether this solve uses the stored plan, whether it starts on a float copy, and whether the last
 * iterations run on a double copy (else in the log domain). Collective: every rank's share must fit. */
struct StoredPlan {
  bool use = false, startFloat = false, doublePolish = false;
};
PetscErrorCode UseStoredPlan(PetalOT ot, StoredPlan *sp)
{
  PetscFunctionBegin;
  *sp = StoredPlan();
  if (ot->variant == PETAL_OT_SINKHORN_STORED) *sp = {true, ot->storedFloat == PETSC_TRUE, true};
  if (ot->variant == PETAL_OT_SINKHORN_AUTO) {
    double mibDouble = (double)ot->ws->x.extent(0) * (double)ot->ws->y.extent(0) * sizeof(double) / 1048576.0;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &mibDouble, 1, MPI_DOUBLE, MPI_MAX, PetscObjectComm((PetscObject)ot)));
    sp->doublePolish = mibDouble <= ot->storedMaxMB;
    sp->startFloat   = ot->storedFloat == PETSC_TRUE && mibDouble / 2 <= ot->storedMaxMB;
    sp->use          = sp->startFloat || sp->doublePolish;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SinkhornIterateLogDomain(PetalOT ot, double eta, double tol, PetscInt maxIts, PetscBool *converged, PetscInt minIts, double stallRate);

/* Float K: its entries carry relative errors up to 6e-8 (2^-24), so the fixed point of the float iteration
 * is off by at most about that much in L1 (much less when the rounding errors of a row average out: ~1e-9
 * measured at n = 2000). The float iteration's own error keeps falling geometrically (it never stalls at
 * that floor); it hands over to double (or the log domain) once it is below this, and the double phase then
 * starts from a true error of about max(kFloatHandover, floor). */
constexpr double kFloatHandover = 1e-7;

PetscErrorCode SinkhornIterateStored(PetalOT ot, double eta, double tol, PetscInt maxIts, PetscBool *converged, PetscInt minIts, double stallRate, StoredPlan sp)
{
  MPI_Comm         comm = PetscObjectComm((PetscObject)ot);
  Workspace       &ws   = *ot->ws;
  const double     kMaxLogScaling = std::log(1e30);
  PetscMPIInt      size;
  StopRule         rule;
  PetscInt         it       = 0;
  int              redone   = 0; /* consecutive rebuilds forced by out-of-range row sums */

  PetscFunctionBegin;
  *converged = PETSC_FALSE;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  /* The final evaluation recomputes the plan from the absorbed potentials (exp of x + log(u)/eta ...), which
   * differs from diag(u) K diag(v) by FastExp2's error at other arguments (up to 2 x 1.9e-14 per unit of mass)
   * plus rounding; stop that much below tol so that the reported errors of a converged solve are <= tol as
   * well (64 eps alone was not enough: a 2-rank test reported 1.00029e-11 for tol 1e-11 after a change of
   * rounding elsewhere). */
  double mass = 0;
  {
    const Vec1 c = ws.c;
    Kokkos::parallel_reduce("petal::ot::Mass", Kokkos::RangePolicy<Exec>(0, c.extent(0)), KOKKOS_LAMBDA(const int j, double &t) { t += c(j); }, mass);
  }
  const double tolStop = PetscMax(tol - (2 * kFastExp2RelErr + 64 * PETSC_MACHINE_EPSILON) * mass, 0.5 * tol);
  PetscCall(BuildKernel(ot, eta, sp.startFloat));
  while (it < maxIts) {
    double    rowErr, colErr = -1;
    long long bad;
    PetscCall(PetscLogEventBegin(PETAL_OT_SinkhornIter, 0, 0, 0, 0));
    PetscCall(PetscLogEventBegin(PETAL_OT_RowPass, 0, 0, 0, 0));
    if (ws.kFloat) ScalingRow(ws.Kf, ws.u, ws.v, ws.r, ws.uNew, ws.scratch, ws.colSum, &rowErr, &bad);
    else ScalingRow(ws.K, ws.u, ws.v, ws.r, ws.uNew, ws.scratch, ws.colSum, &rowErr, &bad);
    PetscCall(PetscLogEventEnd(PETAL_OT_RowPass, 0, 0, 0, 0));
    double extra[2] = {rowErr, (double)bad};
    PetscCall(AllreduceSum(comm, ws, ws.colSum, extra, 2));
    rowErr = extra[0];
    if (extra[1] > 0) { /* a row sum of K diag(v) left the safe range: absorb, rebuild, redo the step */
      PetscCall(PetscLogEventEnd(PETAL_OT_SinkhornIter, 0, 0, 0, 0));
      Absorb(ws, eta);
      if (++redone > 2) { /* cannot happen after a rebuild (rows of K are in range); stay safe anyway */
        PetscCall(SinkhornIterateLogDomain(ot, eta, tol, maxIts - it, converged, PetscMax(minIts - it, 0), stallRate));
        PetscFunctionReturn(0);
      }
      PetscCall(BuildKernel(ot, eta, ws.kFloat));
      continue;
    }
    redone = 0;
    if (ws.kFloat && ws.columnsExact && rowErr <= PetscMax(tolStop, kFloatHandover)) { /* hand over: double precision from here */
      PetscCall(PetscLogEventEnd(PETAL_OT_SinkhornIter, 0, 0, 0, 0));
      Absorb(ws, eta);
      if (!sp.doublePolish) {
        ws.Kf = Mat2f();
        PetscCall(SinkhornIterateLogDomain(ot, eta, tol, maxIts - it, converged, PetscMax(minIts - it, 0), stallRate));
        PetscFunctionReturn(0);
      }
      PetscCall(BuildKernel(ot, eta, false));
      continue;
    }
    const Stop stop = rule.Check(ws.columnsExact, rowErr, tolStop, it, minIts, stallRate);
    if (stop != Stop::None) {
      PetscCall(PetscLogEventEnd(PETAL_OT_SinkhornIter, 0, 0, 0, 0));
      if (stop == Stop::NaN) ot->res.reason = PETAL_OT_DIVERGED_NAN;
      *converged = stop == Stop::Converged ? PETSC_TRUE : PETSC_FALSE;
      break;
    }
    std::swap(ws.u, ws.uNew);
    int nbad;
    ColumnScalingStep(ws, &colErr, &nbad);
    if (nbad) { /* a column of K has (almost) no mass: take this column step in the log domain */
      Absorb(ws, eta);
      PetscCall(ColumnStepLogDomain(ot, eta, false, &colErr));
      PetscCall(BuildKernel(ot, eta, ws.kFloat));
    }
    ws.columnsExact = true;
    ot->res.sinkhorn_iterations++;
    ++it;
    /* keep the scalings moderate, so that entries of K that are negligible now stay negligible */
    double big = std::max(MaxAbsLog(ws.u), MaxAbsLog(ws.v));
    if (size > 1) PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &big, 1, MPI_DOUBLE, MPI_MAX, comm));
    if (big > kMaxLogScaling) {
      Absorb(ws, eta);
      PetscCall(BuildKernel(ot, eta, ws.kFloat));
    }
    PetscCall(PetscLogEventEnd(PETAL_OT_SinkhornIter, 0, 0, 0, 0));
    if (ot->monitor && (ot->res.sinkhorn_iterations % ot->monitorInterval == 0 || it == 1))
      PetscCall(PetscPrintf(comm, "  PetalOT Sinkhorn %5" PetscInt_FMT " (eta %g, stored %s plan): row error %.3e (before), column error %.3e (after the row step)\n", ot->res.sinkhorn_iterations, eta, ws.kFloat ? "float" : "double", rowErr, colErr));
  }
  Absorb(ws, eta);
  PetscFunctionReturn(0);
}

PetscErrorCode SinkhornIterate(PetalOT ot, double eta, double tol, PetscInt maxIts, PetscBool *converged, PetscInt minIts, double stallRate)
{
  StoredPlan sp;

  PetscFunctionBegin;
  PetscCall(UseStoredPlan(ot, &sp));
  if (sp.use) { /* the most elaborate plan any stage used */
    const PetalOTSinkhornPlan plan = !sp.startFloat ? PETAL_OT_PLAN_DOUBLE : sp.doublePolish ? PETAL_OT_PLAN_FLOAT_DOUBLE : PETAL_OT_PLAN_FLOAT_LOG;
    if (plan > ot->res.sinkhorn_plan) ot->res.sinkhorn_plan = plan;
  }
  if (sp.use) PetscCall(SinkhornIterateStored(ot, eta, tol, maxIts, converged, minIts, stallRate, sp));
  else PetscCall(SinkhornIterateLogDomain(ot, eta, tol, maxIts, converged, minIts, stallRate));
  PetscFunctionReturn(0);
}

PetscErrorCode SinkhornIterateLogDomain(PetalOT ot, double eta, double tol, PetscInt maxIts, PetscBool *converged, PetscInt minIts, double stallRate)
{
  MPI_Comm   comm  = PetscObjectComm((PetscObject)ot);
  Workspace &ws    = *ot->ws;
  const bool fused = ot->variant != PETAL_OT_SINKHORN_LOG;

  PetscFunctionBegin;
  *converged = PETSC_FALSE;
  StopRule  rule;
  for (PetscInt it = 0; it < maxIts; ++it) {
    double    rowErr, colErr = -1;
    long long fallbacks;
    PetscCall(PetscLogEventBegin(PETAL_OT_SinkhornIter, 0, 0, 0, 0));
    Affine(ws.scratch, ws.ey, eta, ws.y, 0.0);
    PetscCall(PetscLogEventBegin(PETAL_OT_RowPass, 0, 0, 0, 0));
    SinkhornRow(ws.cost, eta, ws.x, ws.ey, ws.r, ws.logr, ws.xNew, fused, ws.scratch, ws.colSum, &rowErr, &fallbacks);
    PetscCall(PetscLogEventEnd(PETAL_OT_RowPass, 0, 0, 0, 0));
    double extra[2] = {rowErr, (double)fallbacks};
    if (fused) PetscCall(AllreduceSum(comm, ws, ws.colSum, extra, 2));
    else PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, extra, 2, MPI_DOUBLE, MPI_SUM, comm));
    rowErr = extra[0];
    ot->res.fallback_rows += (PetscInt)extra[1];
    const Stop stop = rule.Check(ws.columnsExact, rowErr, tol, it, minIts, stallRate);
    if (stop != Stop::None) {
      PetscCall(PetscLogEventEnd(PETAL_OT_SinkhornIter, 0, 0, 0, 0));
      if (stop == Stop::NaN) ot->res.reason = PETAL_OT_DIVERGED_NAN;
      *converged = stop == Stop::Converged ? PETSC_TRUE : PETSC_FALSE;
      break;
    }
    std::swap(ws.x, ws.xNew);
    if (fused) {
      int bad;
      ColumnStepFromSums(ws, eta, &colErr, &bad);
      if (bad) PetscCall(ColumnStepLogDomain(ot, eta, false, &colErr));
    } else {
      PetscCall(ColumnStepLogDomain(ot, eta, true, &colErr));
    }
    ws.columnsExact = true;
    ot->res.sinkhorn_iterations++;
    PetscCall(PetscLogEventEnd(PETAL_OT_SinkhornIter, 0, 0, 0, 0));
    if (ot->monitor && (ot->res.sinkhorn_iterations % ot->monitorInterval == 0 || it == 0))
      PetscCall(PetscPrintf(comm, "  PetalOT Sinkhorn %5" PetscInt_FMT " (eta %g): row error %.3e (before), column error %.3e (after the row step)\n", ot->res.sinkhorn_iterations, eta, rowErr, colErr));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode EvaluateAt(PetalOT ot, const Vec1 &ex, const Vec1 &ey)
{
  Workspace &ws = *ot->ws;
  double     sums[3];

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(PETAL_OT_PlanEval, 0, 0, 0, 0));
  PlanSums(ws.cost, ws.eta, ex, ey, ws.scratch, ws.rowSum, ws.colSum, &sums[0], &sums[1]);
  {
    const Vec1 a = ws.rowSum, r = ws.r;
    double     e = 0;
    Kokkos::parallel_reduce(
      "petal::ot::RowError", Kokkos::RangePolicy<Exec>(0, a.extent(0)), KOKKOS_LAMBDA(const int i, double &s) { s += kmath::fabs(a(i) - r(i)); }, e);
    sums[2] = e;
  }
  PetscCall(PetscLogEventEnd(PETAL_OT_PlanEval, 0, 0, 0, 0));
  PetscCall(AllreduceSum(PetscObjectComm((PetscObject)ot), ws, ws.colSum, sums, 3));
  ws.sumP   = sums[0];
  ws.sumCP  = sums[1];
  ws.rowErr = sums[2];
  {
    const Vec1 b = ws.colSum, c = ws.c;
    double     e = 0;
    Kokkos::parallel_reduce(
      "petal::ot::ColError", Kokkos::RangePolicy<Exec>(0, b.extent(0)), KOKKOS_LAMBDA(const int j, double &s) { s += kmath::fabs(b(j) - c(j)); }, e);
    ws.colErr = e;
  }
  PetscFunctionReturn(0);
}

PetscErrorCode EvaluatePlan(PetalOT ot)
{
  Workspace &ws = *ot->ws;

  PetscFunctionBegin;
  Affine(ws.scratch, ws.ex, ws.eta, ws.x, -1.0);
  Affine(ws.scratch, ws.ey, ws.eta, ws.y, 0.0);
  PetscCall(EvaluateAt(ot, ws.ex, ws.ey));
  PetscFunctionReturn(0);
}

PetscErrorCode RunSinkhorn(PetalOT ot, PetscInt stageMaxIt)
{
  PetscLogDouble t0, t1;
  PetscBool      converged = PETSC_FALSE;

  PetscFunctionBegin;
  PetscCall(PetscTime(&t0));
  if (ot->epsScaling) {
    for (double e = ot->epsEta0; e < ot->eta && ot->res.sinkhorn_iterations < ot->maxIt; e *= ot->epsFactor) {
      PetscInt left = PetscMin(stageMaxIt, ot->maxIt - ot->res.sinkhorn_iterations);
      PetscCall(SinkhornIterate(ot, e, PetscMax(ot->tol, ot->epsStageTol), left, &converged, left, 1.0));
      if (ot->res.reason == PETAL_OT_DIVERGED_NAN) break;
    }
  }
  if (ot->res.reason != PETAL_OT_DIVERGED_NAN) PetscCall(SinkhornIterate(ot, ot->eta, ot->tol, ot->maxIt - ot->res.sinkhorn_iterations, &converged, ot->maxIt, 1.0));
  if (!converged && ot->ws->kFloat && ot->res.reason != PETAL_OT_DIVERGED_NAN && ot->res.sinkhorn_plan >= PETAL_OT_PLAN_FLOAT_DOUBLE) {
    /* stopped at the iteration cap on the float copy: its columns are exact only to float rounding (~1e-8);
     * one log-domain column half-step (an exp pass, not an iteration) makes them exact as in the other variants */
    double colErr;
    PetscCall(ColumnStepLogDomain(ot, ot->eta, false, &colErr));
    ot->ws->columnsExact = true;
  }
  PetscCall(PetscTime(&t1));
  ot->res.time_sinkhorn = t1 - t0;
  ot->ws->eta           = ot->eta;
  PetscCall(EvaluatePlan(ot));
  if (ot->res.reason != PETAL_OT_DIVERGED_NAN) ot->res.reason = converged ? PETAL_OT_CONVERGED_TOL : PETAL_OT_DIVERGED_MAX_IT;
  PetscFunctionReturn(0);
}

PetscErrorCode FillResult(PetalOT ot)
{
  Workspace &ws   = *ot->ws;
  MPI_Comm   comm = PetscObjectComm((PetscObject)ot);
  double     loc[2] = {0, 0}, rep[2] = {0, 0}; /* a.x, r.x (local); b.y, c.y (replicated) */

  PetscFunctionBegin;
  {
    const Vec1 a = ws.rowSum, r = ws.r, x = ws.x;
    Kokkos::parallel_reduce(
      "petal::ot::DotX", Kokkos::RangePolicy<Exec>(0, x.extent(0)),
      KOKKOS_LAMBDA(const int i, double &s0, double &s1) {
        s0 += a(i) * x(i);
        s1 += r(i) * x(i);
      },
      loc[0], loc[1]);
    const Vec1 b = ws.colSum, c = ws.c, y = ws.y;
    Kokkos::parallel_reduce(
      "petal::ot::DotY", Kokkos::RangePolicy<Exec>(0, y.extent(0)),
      KOKKOS_LAMBDA(const int j, double &s0, double &s1) {
        s0 += b(j) * y(j);
        s1 += c(j) * y(j);
      },
      rep[0], rep[1]);
  }
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, loc, 2, MPI_DOUBLE, MPI_SUM, comm));
  PetalOTResult &res = ot->res;
  res.transport_cost = ws.sumCP;
  res.mass           = ws.sumP;
  /* <C,P> + (1/eta) sum P log P with log P = eta (x + y - C) - 1: a.x + b.y - (1/eta) sum P */
  res.regularized_objective = loc[0] + rep[0] - ws.sumP / ot->eta;
  res.dual_objective = loc[1] + rep[1] - ws.sumP / ot->eta;
  res.row_error      = ws.rowErr;
  res.col_error      = ws.colErr;
  if (PetscIsInfOrNanReal(res.row_error) || PetscIsInfOrNanReal(res.col_error) || PetscIsInfOrNanReal(res.transport_cost)) res.reason = PETAL_OT_DIVERGED_NAN;
  PetscFunctionReturn(0);
}

} // namespace ot
} // namespace petal
