// Global top-k of the plan entries (the SNS sparsification threshold rho = the k-th largest P_ij over
// all ranks), without gathering the plan:
//   1. candidates: every rank collects its entries >= L in one pass. L comes from the previous Newton
//      step (rho_prev / 8: the plan changes little between steps) or, the first time and whenever
//      that gave fewer than k candidates, from a histogram of the entries' binary exponents summed
//      over ranks (one pass, 2048 counts): the power-of-two bin [L, 2L) that holds the k-th largest;
//   2. exact selection among the candidates: nth_element (on several ranks after one allgather), or
//      for very many candidates a bisection on the bit pattern of rho with one allreduce of a count
//      per step (<= 64), each rank partitioning only its still-undecided candidates.
// The result is exact: count(P >= rho) >= k > count(P > rho), except that rho never drops below floor.
#include "ot_impl.hpp"
#include <algorithm>
#include <functional>

namespace petal {
namespace ot {
namespace {

/* The lower edge of the power-of-two bin that holds the k-th largest entry (all nonzeros if fewer). */
PetscErrorCode HistogramThreshold(PetalOT ot, long long k, double *L)
{
  Workspace             &ws = *ot->ws;
  std::vector<long long> hist;

  PetscFunctionBegin;
  PlanHistogram(ws.cost, ws.eta, ws.ex, ws.ey, ws.scratch, &hist);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, hist.data(), 2048, MPI_LONG_LONG, MPI_SUM, PetscObjectComm((PetscObject)ot)));
  int       bin = -1, lowest = -1;
  long long atOrAbove = 0;
  for (int e = 2047; e >= 0; --e) {
    if (hist[e] > 0) lowest = e;
    if (atOrAbove + hist[e] >= k && bin < 0) bin = e;
    atOrAbove += hist[e];
  }
  if (bin < 0) bin = lowest >= 0 ? lowest : 0; /* fewer than k nonzero entries: keep them all */
  *L = BitCast<double>(static_cast<std::uint64_t>(bin) << 52);
  PetscFunctionReturn(0);
}

/* The k-th largest value over all ranks' candidates (values >= lowest; at least k of them in total).
 * One rank: nth_element. Several: up to 4M candidates in total are gathered on every rank (one
 * allgather) and selected with nth_element; beyond that, bisection on the bit pattern (positive
 * doubles order like their bits) with one allreduce of a count per step, each rank partitioning its
 * still-undecided candidates around the midpoint so the work shrinks with the interval. */
PetscErrorCode KthLargest(MPI_Comm comm, std::vector<double> values, long long k, double lowest, double *kth)
{
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  if (size == 1) {
    std::nth_element(values.begin(), values.begin() + (k - 1), values.end(), std::greater<double>());
    *kth = values[k - 1];
    PetscFunctionReturn(0);
  }
  { /* up to a few million candidates in total: gather them everywhere (one collective) and select */
    PetscMPIInt         mine = (PetscMPIInt)values.size(), total = 0;
    std::vector<int>    counts(size), displs(size);
    PetscCallMPI(MPI_Allgather(&mine, 1, MPI_INT, counts.data(), 1, MPI_INT, comm));
    long long sum = 0;
    for (PetscMPIInt q = 0; q < size; ++q) {
      displs[q] = (int)sum;
      sum += counts[q];
    }
    if (sum <= (1LL << 22)) {
      total = (PetscMPIInt)sum;
      std::vector<double> all(total);
      PetscCallMPI(MPI_Allgatherv(values.data(), mine, MPI_DOUBLE, all.data(), counts.data(), displs.data(), MPI_DOUBLE, comm));
      std::nth_element(all.begin(), all.begin() + (k - 1), all.end(), std::greater<double>());
      *kth = all[k - 1];
      PetscFunctionReturn(0);
    }
  }
  double top = 0;
  for (double v : values) top = std::max(top, v);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &top, 1, MPI_DOUBLE, MPI_MAX, comm));
  /* invariant: count(>= bits lo) >= k > count(>= bits hi); [first, last) holds this rank's values in
   * [lo, hi), and `above` counts its values >= hi */
  std::uint64_t lo = BitCast<std::uint64_t>(lowest), hi = BitCast<std::uint64_t>(top) + 1;
  auto          first = values.begin(), last = values.end();
  long long     above = 0;
  while (hi - lo > 1) {
    const std::uint64_t mid  = lo + (hi - lo) / 2;
    const double        tmid = BitCast<double>(mid);
    auto                cut  = std::partition(first, last, [tmid](double v) { return v >= tmid; });
    long long           cnt  = above + (cut - first);
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &cnt, 1, MPI_LONG_LONG, MPI_SUM, comm));
    if (cnt >= k) {
      lo   = mid;
      last = cut; /* the threshold is >= mid: values below mid are out */
    } else {
      hi = mid;
      above += cut - first; /* values >= mid are all kept */
      first = cut;
    }
  }
  *kth = BitCast<double>(lo);
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode SelectTopK(PetalOT ot, long long k, double hint, double floor, Entries *kept, double *rho)
{
  MPI_Comm   comm = PetscObjectComm((PetscObject)ot);
  Workspace &ws   = *ot->ws;
  Entries    cand;
  double     L     = hint;
  long long  total = 0;

  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(PETAL_OT_TopK, 0, 0, 0, 0));
  Vec1 tau("petal::ot::tau", ws.nLoc);
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!(L > 0) || attempt == 1) PetscCall(HistogramThreshold(ot, k, &L));
    L = PetscMax(L, floor);
    Kokkos::deep_copy(tau, L);
    PlanCollect(ws.cost, ws.eta, ws.ex, ws.ey, tau, ws.scratch, 2 * k, &cand);
    total = static_cast<long long>(cand.v.size());
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &total, 1, MPI_LONG_LONG, MPI_SUM, comm));
    if (total >= k || attempt == 1 || !(hint > 0) || L <= floor) break; /* the histogram's L is final */
  }
  double threshold = L;
  if (total > k) PetscCall(KthLargest(comm, cand.v, k, L, &threshold));
  kept->i.clear();
  kept->j.clear();
  kept->v.clear();
  for (size_t t = 0; t < cand.v.size(); ++t)
    if (cand.v[t] >= threshold) {
      kept->i.push_back(cand.i[t]);
      kept->j.push_back(cand.j[t]);
      kept->v.push_back(cand.v[t]);
    }
  *rho = threshold;
  PetscCall(PetscLogEventEnd(PETAL_OT_TopK, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

} // namespace ot
} // namespace petal
