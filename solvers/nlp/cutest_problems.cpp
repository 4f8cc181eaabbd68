/* Other closed-form equality problems of the AdaSketch paper's CUTEst set (SIF files of CUTEst). */
#include "solvers/nlp/closed_form.hpp"
#include "solvers/nlp/nlp_registry.hpp"

#include <cmath>

namespace petal {
namespace nlp {
namespace {

/* HS28 extended to n = 10 (N. Gould's SIF): m = 8 linear constraints, start (-4, 1, ..., 1). */
struct GENHS28 {
  static constexpr const char *kName = "genhs28";
  static constexpr int         kN = 10, kM = 8;
  template <class T> static T F(const T *x) {
    T s = 0.0;
    for (int i = 0; i + 1 < kN; ++i) s = s + (x[i] + x[i + 1]) * (x[i] + x[i + 1]);
    return s;
  }
  template <class T> static void C(const T *x, T *c) {
    for (int i = 0; i < kM; ++i) c[i] = x[i] + 2.0 * x[i + 1] + 3.0 * x[i + 2] - 1.0;
  }
  static void X0(double *x) {
    x[0] = -4.0;
    for (int i = 1; i < kN; ++i) x[i] = 1.0;
  }
  static bool FStar(double *f) { *f = 0.92717369376639; /* convex QP: unique */ return true; }
};

/* M. H. Wright's problem 4, start D (SIF: Ph. Toint 1991, corrected 1995). Several KKT points. */
struct MWRIGHT {
  static constexpr const char *kName = "mwright";
  static constexpr int         kN = 5, kM = 3;
  template <class T> static T F(const T *x) {
    return x[0] * x[0] + powi(x[0] - x[1], 2) + powi(x[1] - x[2], 3) + powi(x[2] - x[3], 4) + powi(x[3] - x[4], 4);
  }
  template <class T> static void C(const T *x, T *c) {
    c[0] = x[0] + x[1] * x[1] + x[2] * x[2] - 2.0 - 3.0 * std::sqrt(2.0);
    c[1] = x[1] - x[2] * x[2] + x[3] + 2.0 - 2.0 * std::sqrt(2.0);
    c[2] = x[0] * x[4] - 2.0;
  }
  static void X0(double *x) {
    const double x0[kN] = {-1.0, 2.0, 1.0, -2.0, -2.0};
    for (int i = 0; i < kN; ++i) x[i] = x0[i];
  }
  /* Local methods end at different KKT points from x0 (f = 1.2884, 24.979, 42.046 are all KKT values): none is
   * claimed; tests check the KKT residual. */
  static bool FStar(double *) { return false; }
};

} // namespace

void AppendOtherCUTEst(std::vector<NLPEntry> &table) {
  table.push_back({GENHS28::kName, &MakeClosedForm<GENHS28>});
  table.push_back({MWRIGHT::kName, &MakeClosedForm<MWRIGHT>});
}

} // namespace nlp
} // namespace petal
