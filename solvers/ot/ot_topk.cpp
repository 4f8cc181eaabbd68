// Global top-k of the plan entries (the SNS sparsification threshold rho = the k-th largest P_ij over
// all ranks), without gathering the plan:
//   1. candidates: every rank collects its entries >= L in one pass. L comes from the previous Newton
//      step (rho_prev / 8: the plan changes little between steps) or, the first time and whenever
//      that gave fewer than k candidates, from a histogram of the entries' binary exponents summed
//      over ranks (one pass, 2048 counts): the power-of-two bin [L, 2L) that holds the k-th largest;
//   2. exact selection among the candidates: radix selection on the bit pattern (4096 buckets per round,
//      one allreduce of the counts, each rank keeping only its candidates in the chosen bucket) until few
//      are left, then nth_element over those (gathered on every rank).
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

/* The k-th largest value over all ranks' candidates (values >= lowest; total >= k of them over all ranks).
 * Radix selection on the bit pattern (positive doubles order like their bits): each round counts the
 * still-undecided candidates of every rank in 4096 buckets of the current bit interval (one allreduce of
 * the counts), keeps the bucket that holds the k-th largest and drops the rest locally, so the work shrinks
 * ~4096x per round. Once at most kGatherMax candidates are left in total they are gathered on every rank
 * and selected with nth_element (on one rank: directly). Why not gather everything: at density 0.1 and
 * n = 2000 that is 400k+ doubles per Newton step, and nth_element over them cost more than the exp pass. */
PetscErrorCode KthLargest(MPI_Comm comm, std::vector<double> values, long long total, long long k, double lowest, double *kth)
{
  constexpr int       kBuckets   = 4096;
  constexpr long long kGatherMax = 1 << 16;
  PetscMPIInt         size;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  double top = lowest;
  for (double v : values) top = std::max(top, v);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &top, 1, MPI_DOUBLE, MPI_MAX, comm));
  /* invariant: the k-th largest is in [lo, hi] (bits); `values` holds this rank's candidates in that
   * interval; `above` counts (over all ranks) the candidates already known to be larger than hi */
  std::uint64_t lo = BitCast<std::uint64_t>(lowest), hi = BitCast<std::uint64_t>(top);
  long long     above = 0;
  std::vector<long long> counts(kBuckets);
  while (total > kGatherMax && hi > lo) {
    const std::uint64_t width = (hi - lo) / kBuckets + 1; /* buckets of `width` bit patterns cover [lo, hi] */
    std::fill(counts.begin(), counts.end(), 0LL);
    for (double v : values) counts[(BitCast<std::uint64_t>(v) - lo) / width]++;
    PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, counts.data(), kBuckets, MPI_LONG_LONG, MPI_SUM, comm));
    int bucket = kBuckets - 1;
    for (; bucket > 0 && above + counts[bucket] < k; --bucket) above += counts[bucket];
    total                 = counts[bucket];
    const std::uint64_t b0 = lo + bucket * width, b1 = std::min(hi, b0 + width - 1);
    values.erase(std::remove_if(values.begin(), values.end(),
                                [b0, b1](double v) {
                                  const std::uint64_t u = BitCast<std::uint64_t>(v);
                                  return u < b0 || u > b1;
                                }),
                 values.end());
    lo = b0;
    hi = b1;
  }
  if (hi == lo) { /* every remaining candidate has the same value */
    *kth = BitCast<double>(lo);
    PetscFunctionReturn(0);
  }
  /* at most kGatherMax left: gather them everywhere and select the (k - above)-th largest */
  std::vector<double> all;
  if (size == 1) all.swap(values);
  else {
    PetscMPIInt      mine = (PetscMPIInt)values.size();
    std::vector<int> cnt(size), displs(size);
    PetscCallMPI(MPI_Allgather(&mine, 1, MPI_INT, cnt.data(), 1, MPI_INT, comm));
    int sum = 0;
    for (PetscMPIInt q = 0; q < size; ++q) {
      displs[q] = sum;
      sum += cnt[q];
    }
    all.resize(sum);
    PetscCallMPI(MPI_Allgatherv(values.data(), mine, MPI_DOUBLE, all.data(), cnt.data(), displs.data(), MPI_DOUBLE, comm));
  }
  const long long r = k - above; /* 1-based rank within the remaining candidates */
  PetscCheck(r >= 1 && r <= (long long)all.size(), comm, PETSC_ERR_PLIB, "PetalOT: top-k selection lost track of the threshold (rank %lld of %zu candidates)", r, all.size());
  std::nth_element(all.begin(), all.begin() + (r - 1), all.end(), std::greater<double>());
  *kth = all[r - 1];
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
  /* with exactly k candidates the threshold is the smallest of them, not the bin edge L */
  if (total >= k) PetscCall(KthLargest(comm, cand.v, total, k, L, &threshold));
  kept->i.clear();
  kept->j.clear();
  kept->v.clear();
  const size_t expect = (size_t)std::min<long long>((long long)cand.v.size(), 2 * k);
  kept->i.reserve(expect);
  kept->j.reserve(expect);
  kept->v.reserve(expect);
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
