// Reference point SOR: see sor_reference.hpp. Deliberately naive: every row update re-reads the whole row.
#include "preconditioners/banditsor/sor_reference.hpp"
#include <algorithm>
#include <numeric>

namespace petal {
namespace sor {
namespace {
// One SOR update of row i of the block [lo, hi): couplings to columns outside the block are already in rhs.
// x_i <- (1 - omega) x_i + omega (rhs_i - sum_{j != i, lo <= j < hi} a_ij x_j) / a_ii
bool RelaxRow(const CSRRef &A, PetscInt i, PetscInt lo, PetscInt hi, const PetscScalar *rhs, PetscReal omega, PetscScalar *x)
{
  PetscScalar sum = rhs[i], d = 0;
  for (PetscInt p = A.rowptr[i]; p < A.rowptr[i + 1]; ++p) {
    const PetscInt j = A.cols[p];
    if (j == i) d = A.vals[p];
    else if (j >= lo && j < hi) sum -= A.vals[p] * x[j];
  }
  if (d == PetscScalar(0)) return false;
  x[i] = (1 - omega) * x[i] + omega * sum / d;
  return true;
}

// One sweep over the rows order[0..m-1] (forward) or order[m-1..0] (backward) of the block [lo, hi).
PetscInt Sweep1(const CSRRef &A, PetscInt lo, PetscInt hi, const PetscInt *order, PetscInt m, bool forward, const PetscScalar *rhs, PetscReal omega, PetscScalar *x)
{
  for (PetscInt k = 0; k < m; ++k) {
    const PetscInt i = order[forward ? k : m - 1 - k];
    if (!RelaxRow(A, i, lo, hi, rhs, omega, x)) return 1 + i;
  }
  return 0;
}
} // namespace

PetscInt BlockJacobiSOR(const CSRRef &A, const std::vector<PetscInt> &block_start, const PetscInt *order, const PetscScalar *b, PetscReal omega, Sweep sweep, PetscInt its, PetscInt lits, PetscScalar *x)
{
  const PetscInt           n = A.n;
  std::vector<PetscScalar> xold(n), rhs(n);
  std::fill(x, x + n, PetscScalar(0));
  for (PetscInt outer = 0; outer < its; ++outer) {
    std::copy(x, x + n, xold.begin());
    for (size_t blk = 0; blk + 1 < block_start.size(); ++blk) {
      const PetscInt lo = block_start[blk], hi = block_start[blk + 1];
      // rhs = b - A(block, outside) x_old
      for (PetscInt i = lo; i < hi; ++i) {
        rhs[i] = b[i];
        for (PetscInt p = A.rowptr[i]; p < A.rowptr[i + 1]; ++p) {
          const PetscInt j = A.cols[p];
          if (j < lo || j >= hi) rhs[i] -= A.vals[p] * xold[j];
        }
      }
      for (PetscInt s = 0; s < lits; ++s) {
        PetscInt err = 0;
        if (sweep != Sweep::BACKWARD) err = Sweep1(A, lo, hi, order + lo, hi - lo, true, rhs.data(), omega, x);
        if (!err && sweep != Sweep::FORWARD) err = Sweep1(A, lo, hi, order + lo, hi - lo, false, rhs.data(), omega, x);
        if (err) return err;
      }
    }
  }
  return 0;
}

PetscInt SOROrdered(const CSRRef &A, const PetscInt *order, const PetscScalar *b, PetscReal omega, Sweep sweep, PetscInt its, PetscScalar *x)
{
  // One block: there is nothing outside it, so its outer iterations are simply its sweeps.
  return BlockJacobiSOR(A, {0, A.n}, order, b, omega, sweep, its, 1, x);
}

PetscInt SOR(const CSRRef &A, const PetscScalar *b, PetscReal omega, Sweep sweep, PetscInt its, PetscScalar *x)
{
  std::vector<PetscInt> natural(A.n);
  std::iota(natural.begin(), natural.end(), PetscInt(0));
  return SOROrdered(A, natural.data(), b, omega, sweep, its, x);
}

namespace {
// Structure of A^T (rows of A that store column i), so that neighbours are {j : a_ij or a_ji stored}.
void Transpose(const CSRRef &A, std::vector<PetscInt> *tptr, std::vector<PetscInt> *tcols)
{
  const PetscInt n = A.n;
  tptr->assign(n + 1, 0);
  tcols->assign(A.rowptr[n], 0);
  for (PetscInt p = 0; p < A.rowptr[n]; ++p) (*tptr)[A.cols[p] + 1]++;
  for (PetscInt i = 0; i < n; ++i) (*tptr)[i + 1] += (*tptr)[i];
  std::vector<PetscInt> fill(tptr->begin(), tptr->end() - 1);
  for (PetscInt i = 0; i < n; ++i)
    for (PetscInt p = A.rowptr[i]; p < A.rowptr[i + 1]; ++p) (*tcols)[fill[A.cols[p]]++] = i;
}
} // namespace

PetscInt GreedyColoring(const CSRRef &A, std::vector<PetscInt> *color)
{
  const PetscInt        n = A.n;
  std::vector<PetscInt> tptr, tcols;
  Transpose(A, &tptr, &tcols);
  color->assign(n, -1);
  std::vector<PetscInt> mark; // mark[c] == i: color c is taken by a neighbour of i
  PetscInt              ncolors = 0;
  for (PetscInt i = 0; i < n; ++i) {
    auto forbid = [&](PetscInt j) {
      if (j != i && (*color)[j] >= 0) mark[(*color)[j]] = i;
    };
    for (PetscInt p = A.rowptr[i]; p < A.rowptr[i + 1]; ++p) forbid(A.cols[p]);
    for (PetscInt p = tptr[i]; p < tptr[i + 1]; ++p) forbid(tcols[p]);
    PetscInt c = 0;
    while (c < ncolors && mark[c] == i) ++c;
    if (c == ncolors) {
      ++ncolors;
      mark.push_back(-1);
    }
    (*color)[i] = c;
  }
  return ncolors;
}

PetscInt LevelColoring(const CSRRef &A, std::vector<PetscInt> *color)
{
  const PetscInt        n = A.n;
  std::vector<PetscInt> tptr, tcols;
  Transpose(A, &tptr, &tcols);
  color->assign(n, 0);
  PetscInt nlevels = n > 0 ? 1 : 0;
  for (PetscInt i = 0; i < n; ++i) {
    PetscInt level = 0;
    for (PetscInt p = A.rowptr[i]; p < A.rowptr[i + 1]; ++p)
      if (A.cols[p] < i) level = std::max(level, (*color)[A.cols[p]] + 1);
    for (PetscInt p = tptr[i]; p < tptr[i + 1]; ++p)
      if (tcols[p] < i) level = std::max(level, (*color)[tcols[p]] + 1);
    (*color)[i] = level;
    nlevels     = std::max(nlevels, level + 1);
  }
  return nlevels;
}

bool IsValidColoring(const CSRRef &A, const std::vector<PetscInt> &color)
{
  if ((PetscInt)color.size() != A.n) return false;
  for (PetscInt i = 0; i < A.n; ++i)
    for (PetscInt p = A.rowptr[i]; p < A.rowptr[i + 1]; ++p)
      if (A.cols[p] != i && color[A.cols[p]] == color[i]) return false;
  return true;
}

void ColorOrder(const std::vector<PetscInt> &color, PetscInt ncolors, std::vector<PetscInt> *order, std::vector<PetscInt> *color_start)
{
  const PetscInt n = (PetscInt)color.size();
  color_start->assign(ncolors + 1, 0);
  for (PetscInt i = 0; i < n; ++i) (*color_start)[color[i] + 1]++;
  for (PetscInt c = 0; c < ncolors; ++c) (*color_start)[c + 1] += (*color_start)[c];
  std::vector<PetscInt> fill(color_start->begin(), color_start->end() - 1);
  order->assign(n, 0);
  for (PetscInt i = 0; i < n; ++i) (*order)[fill[color[i]]++] = i; // increasing i within a color
}

} // namespace sor
} // namespace petal
