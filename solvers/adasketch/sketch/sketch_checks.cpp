// Input checks shared by both sketch solvers (see sketch_common.hpp).
#include "solvers/adasketch/sketch/sketch_common.hpp"
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace petal {
namespace adasketch {
namespace sketch {
namespace {
[[noreturn]] void Fail(const std::string &what) { throw std::invalid_argument("petal adasketch sketch solver: " + what); }

/* Position of column c in row i, or -1 (columns sorted). */
std::int64_t Find(const KKTCsr &K, std::int64_t i, std::int64_t c)
{
  const auto b = K.col.begin() + K.rowptr[i], e = K.col.begin() + K.rowptr[i + 1];
  const auto p = std::lower_bound(b, e, c);
  return (p != e && *p == c) ? (p - K.col.begin()) : -1;
}
} // namespace

void CheckOperator(const KKTCsr &K)
{
  if (K.n < 0) Fail("negative operator size " + std::to_string(K.n));
  if ((std::int64_t)K.rowptr.size() != K.n + 1) Fail("rowptr has " + std::to_string(K.rowptr.size()) + " entries, expected n + 1 = " + std::to_string(K.n + 1));
  if (K.rowptr[0] != 0) Fail("rowptr[0] must be 0");
  const std::int64_t nnz = K.rowptr[K.n];
  if ((std::int64_t)K.col.size() != nnz || (std::int64_t)K.val.size() != nnz)
    Fail("col/val have " + std::to_string(K.col.size()) + "/" + std::to_string(K.val.size()) + " entries, rowptr[n] = " + std::to_string(nnz));
  double maxAbs = 0;
  for (std::int64_t i = 0; i < K.n; ++i) {
    if (K.rowptr[i + 1] < K.rowptr[i]) Fail("rowptr decreases at row " + std::to_string(i));
    for (std::int64_t k = K.rowptr[i]; k < K.rowptr[i + 1]; ++k) {
      if (K.col[k] < 0 || K.col[k] >= K.n) Fail("column " + std::to_string(K.col[k]) + " out of range in row " + std::to_string(i));
      if (k > K.rowptr[i] && K.col[k] <= K.col[k - 1]) Fail("columns not strictly increasing in row " + std::to_string(i));
      if (!std::isfinite(K.val[k])) Fail("non-finite entry in row " + std::to_string(i));
      maxAbs = std::max(maxAbs, std::fabs(K.val[k]));
    }
  }
  for (std::int64_t i = 0; i < K.n; ++i)
    for (std::int64_t k = K.rowptr[i]; k < K.rowptr[i + 1]; ++k) {
      const std::int64_t t = Find(K, K.col[k], i);
      const double       v = t < 0 ? 0.0 : K.val[t];
      if (std::fabs(v - K.val[k]) > 1e-12 * maxAbs)
        Fail("K is not symmetric: K(" + std::to_string(i) + "," + std::to_string(K.col[k]) + ") = " + std::to_string(K.val[k]) + " but the transposed entry is " + std::to_string(v));
    }
}

void CheckSettings(const SketchSettings &s)
{
  if (s.block < 1 || s.block > kMaxBlock) Fail("block size q = " + std::to_string(s.block) + " outside [1, " + std::to_string(kMaxBlock) + "]");
}

void CheckSolveArguments(const KKTCsr &K, const std::vector<double> &z, const std::vector<double> &g)
{
  if ((std::int64_t)z.size() != K.n || (std::int64_t)g.size() != K.n)
    Fail("z and g have sizes " + std::to_string(z.size()) + " and " + std::to_string(g.size()) + ", the operator " + std::to_string(K.n) + " (SetOperator first)");
  for (double v : g)
    if (!std::isfinite(v)) Fail("the right-hand side g holds a NaN or infinity");
  for (double v : z)
    if (!std::isfinite(v)) Fail("the start z holds a NaN or infinity");
}

} // namespace sketch
} // namespace adasketch
} // namespace petal
