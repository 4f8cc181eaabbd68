/* The control problems of include/petal/control_problem.hpp as serial finite-difference NLPs (the twins of
 * petal-control's distributed ones): sparse patterns, hand-written exact derivatives. */
#include "solvers/nlp/nlp_registry.hpp"
#include <petal/control_problem.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace petal {
namespace nlp {
namespace {

/* Lexicographic grid of N^D interior points, first index fastest (the reference code's column-major reshape in
 * 2-D: point (i, j), 1-based, is i - 1 + (j - 1) N). */
struct Grid {
  int      D, N;
  NLPIndex size;
  Grid(int d, int n) : D(d), N(n), size(1) {
    for (int k = 0; k < D; ++k) size *= N;
  }
  void Coords(NLPIndex p, int *idx) const {
    for (int k = 0; k < D; ++k) {
      idx[k] = int(p % N);
      p /= N;
    }
  }
  NLPIndex Stride(int k) const {
    NLPIndex s = 1;
    for (int q = 0; q < k; ++q) s *= N;
    return s;
  }
  /* The 2D+1 point stencil: the row pattern of point p (centre first, then the in-grid neighbours). */
  void Neighbours(NLPIndex p, std::vector<NLPIndex> &nb) const {
    int idx[3];
    Coords(p, idx);
    nb.clear();
    for (int k = 0; k < D; ++k) {
      if (idx[k] > 0) nb.push_back(p - Stride(k));
      if (idx[k] < N - 1) nb.push_back(p + Stride(k));
    }
  }
};

/* The paper's problem (PDE/<method>/Eval.jl of the reference code): variables (w, z), n = 2 N^2, m = N^2,
 *   min 1/2 |w - w_t|^2 + 0.05 |z|^2   s.t.  Delta_h w + z = 0,  h = 2/(N+1),
 * Delta_h the 5-point Laplacian ((sum of neighbours - 4 w) / h^2, w = 0 outside). Start: all ones for x and
 * lambda, as in the reference. Replacing z by -z gives the same optimum with -Delta_h, so the published optima do
 * not fix the sign; this is the reference code's. */
class PoissonPaper final : public NLPProblem {
public:
  explicit PoissonPaper(int N) : grid_(2, N), h_(2.0 / (N + 1)), target_(grid_.size) {
    for (int j = 1; j <= N; ++j)
      for (int i = 1; i <= N; ++i) target_[(i - 1) + NLPIndex(j - 1) * N] = control::PaperTarget(i, j, N);
  }
  std::string Name() const override { return "poisson_paper_n" + std::to_string(grid_.N); }
  NLPIndex    NumVariables() const override { return 2 * grid_.size; }
  NLPIndex    NumConstraints() const override { return grid_.size; }
  void        StartPoint(double *x) const override {
    for (NLPIndex i = 0; i < NumVariables(); ++i) x[i] = 1.0;
  }
  /* The exact QP optima of the four published sizes, full precision from a direct KKT solve (the test
   * tests/solvers/nlp/test_nlp_control.cpp repeats that solve and compares with the published 9.644442,
   * 116.835, 1177.821, 4067.774). */
  bool KnownOptimum(double *fstar) const override {
    switch (grid_.N) {
    case 3: *fstar = 9.64444205181163; return true;
    case 10: *fstar = 116.8352192381513; return true;
    case 32: *fstar = 1177.8212992260223; return true;
    case 64: *fstar = 4067.7737121306427; return true;
    default: return false;
    }
  }
  double Objective(const double *x) const override {
    const NLPIndex n = grid_.size;
    double         f = 0.0;
    for (NLPIndex i = 0; i < n; ++i) f += 0.5 * (x[i] - target_[i]) * (x[i] - target_[i]) + control::kPaperControlWeight * x[n + i] * x[n + i];
    return f;
  }
  void Gradient(const double *x, double *g) const override {
    const NLPIndex n = grid_.size;
    for (NLPIndex i = 0; i < n; ++i) {
      g[i]     = x[i] - target_[i];
      g[n + i] = 2.0 * control::kPaperControlWeight * x[n + i];
    }
  }
  void Constraints(const double *x, double *c) const override {
    const NLPIndex        n   = grid_.size;
    const double          ih2 = 1.0 / (h_ * h_);
    std::vector<NLPIndex> nb;
    for (NLPIndex p = 0; p < n; ++p) {
      grid_.Neighbours(p, nb);
      double lap = -4.0 * x[p];
      for (NLPIndex q : nb) lap += x[q];
      c[p] = ih2 * lap + x[n + p];
    }
  }
  void JacobianPattern(std::vector<NLPIndex> &rows, std::vector<NLPIndex> &cols) const override {
    const NLPIndex        n = grid_.size;
    std::vector<NLPIndex> nb;
    rows.clear();
    cols.clear();
    for (NLPIndex p = 0; p < n; ++p) {
      grid_.Neighbours(p, nb);
      rows.push_back(p);
      cols.push_back(p);
      for (NLPIndex q : nb) {
        rows.push_back(p);
        cols.push_back(q);
      }
      rows.push_back(p);
      cols.push_back(n + p);
    }
  }
  void JacobianValues(const double *, double *values) const override {
    const NLPIndex        n   = grid_.size;
    const double          ih2 = 1.0 / (h_ * h_);
    std::vector<NLPIndex> nb;
    NLPIndex              k = 0;
    for (NLPIndex p = 0; p < n; ++p) {
      grid_.Neighbours(p, nb);
      values[k++] = -4.0 * ih2;
      for (size_t q = 0; q < nb.size(); ++q) values[k++] = ih2;
      values[k++] = 1.0;
    }
  }
  void HessianPattern(std::vector<NLPIndex> &rows, std::vector<NLPIndex> &cols) const override {
    rows.resize(NumVariables());
    cols.resize(NumVariables());
    for (NLPIndex i = 0; i < NumVariables(); ++i) rows[i] = cols[i] = i;
  }
  void HessianValues(const double *, double sigma, const double *, double *values) const override {
    const NLPIndex n = grid_.size;
    for (NLPIndex i = 0; i < n; ++i) {
      values[i]     = sigma;
      values[n + i] = sigma * 2.0 * control::kPaperControlWeight;
    }
  }

private:
  Grid                grid_;
  double              h_;
  std::vector<double> target_;
};

/* Semilinear elliptic control (include/petal/control_problem.hpp, item 2): variables (y, u), n = 2 N^D,
 * m = N^D. Start: y = u = 0, lambda = 0 (the state equation's linearisation there is the Laplacian). */
class Semilinear final : public NLPProblem {
public:
  Semilinear(int D, int N, double alpha) : grid_(D, N), alpha_(alpha), h_(1.0 / (N + 1)), yd_(grid_.size), src_(grid_.size) {
    for (NLPIndex p = 0; p < grid_.size; ++p) {
      int    idx[3];
      double xc[3];
      grid_.Coords(p, idx);
      for (int k = 0; k < D; ++k) xc[k] = (idx[k] + 1) * h_;
      yd_[p]  = control::SemilinearTarget(xc, D, alpha);
      src_[p] = control::SemilinearSource(xc, D);
    }
    scale_ = std::pow(h_, D);
  }
  std::string Name() const override {
    std::string name = "semilinear_" + std::to_string(grid_.D) + "d_n" + std::to_string(grid_.N);
    if (alpha_ != control::kDefaultAlpha) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "_a%g", alpha_);
      name += buf;
    }
    return name;
  }
  NLPIndex NumVariables() const override { return 2 * grid_.size; }
  NLPIndex NumConstraints() const override { return grid_.size; }
  void     StartPoint(double *x) const override {
    for (NLPIndex i = 0; i < NumVariables(); ++i) x[i] = 0.0;
  }
  void StartMultipliers(double *lambda) const override {
    for (NLPIndex i = 0; i < NumConstraints(); ++i) lambda[i] = 0.0;
  }
  bool   KnownOptimum(double *) const override { return false; } /* only the continuous limit is known */
  double Objective(const double *x) const override {
    const NLPIndex n = grid_.size;
    double         f = 0.0;
    for (NLPIndex i = 0; i < n; ++i) f += 0.5 * (x[i] - yd_[i]) * (x[i] - yd_[i]) + 0.5 * alpha_ * x[n + i] * x[n + i];
    return scale_ * f;
  }
  void Gradient(const double *x, double *g) const override {
    const NLPIndex n = grid_.size;
    for (NLPIndex i = 0; i < n; ++i) {
      g[i]     = scale_ * (x[i] - yd_[i]);
      g[n + i] = scale_ * alpha_ * x[n + i];
    }
  }
  void Constraints(const double *x, double *c) const override {
    const NLPIndex        n   = grid_.size;
    const double          ih2 = 1.0 / (h_ * h_);
    std::vector<NLPIndex> nb;
    for (NLPIndex p = 0; p < n; ++p) {
      grid_.Neighbours(p, nb);
      double a = 2.0 * grid_.D * x[p];
      for (NLPIndex q : nb) a -= x[q];
      c[p] = ih2 * a + x[p] * x[p] * x[p] - x[n + p] - src_[p];
    }
  }
  void JacobianPattern(std::vector<NLPIndex> &rows, std::vector<NLPIndex> &cols) const override {
    const NLPIndex        n = grid_.size;
    std::vector<NLPIndex> nb;
    rows.clear();
    cols.clear();
    for (NLPIndex p = 0; p < n; ++p) {
      grid_.Neighbours(p, nb);
      rows.push_back(p);
      cols.push_back(p);
      for (NLPIndex q : nb) {
        rows.push_back(p);
        cols.push_back(q);
      }
      rows.push_back(p);
      cols.push_back(n + p);
    }
  }
  void JacobianValues(const double *x, double *values) const override {
    const NLPIndex        n   = grid_.size;
    const double          ih2 = 1.0 / (h_ * h_);
    std::vector<NLPIndex> nb;
    NLPIndex              k = 0;
    for (NLPIndex p = 0; p < n; ++p) {
      grid_.Neighbours(p, nb);
      values[k++] = 2.0 * grid_.D * ih2 + 3.0 * x[p] * x[p];
      for (size_t q = 0; q < nb.size(); ++q) values[k++] = -ih2;
      values[k++] = -1.0;
    }
  }
  void HessianPattern(std::vector<NLPIndex> &rows, std::vector<NLPIndex> &cols) const override {
    rows.resize(NumVariables());
    cols.resize(NumVariables());
    for (NLPIndex i = 0; i < NumVariables(); ++i) rows[i] = cols[i] = i;
  }
  void HessianValues(const double *x, double sigma, const double *lambda, double *values) const override {
    const NLPIndex n = grid_.size;
    for (NLPIndex i = 0; i < n; ++i) {
      values[i]     = sigma * scale_ + 6.0 * lambda[i] * x[i];
      values[n + i] = sigma * scale_ * alpha_;
    }
  }

private:
  Grid                grid_;
  double              alpha_, h_, scale_;
  std::vector<double> yd_, src_;
};

} // namespace

std::unique_ptr<NLPProblem> CreatePoissonPaper(int N) { return std::make_unique<PoissonPaper>(N); }
std::unique_ptr<NLPProblem> CreateSemilinear(int D, int N, double alpha) { return std::make_unique<Semilinear>(D, N, alpha); }

} // namespace nlp
} // namespace petal
