/* Hock-Schittkowski equality problems of the AdaSketch paper's CUTEst set (W. Hock, K. Schittkowski, "Test
 * Examples for Nonlinear Programming Codes", LNEMS 187, Springer 1981), with CUTEst's start points. Each optimum
 * below is checked by tests/solvers/nlp (a Newton-KKT solve from near the published x* must reach it). */
#include "solvers/nlp/closed_form.hpp"
#include "solvers/nlp/nlp_registry.hpp"

#include <cmath>

namespace petal {
namespace nlp {
namespace {

struct HS6 {
  static constexpr const char *kName = "hs6";
  static constexpr int         kN = 2, kM = 1;
  template <class T> static T F(const T *x) { return (1.0 - x[0]) * (1.0 - x[0]); }
  template <class T> static void C(const T *x, T *c) { c[0] = 10.0 * (x[1] - x[0] * x[0]); }
  static void X0(double *x) { x[0] = -1.2; x[1] = 1.0; }
  static bool FStar(double *f) { *f = 0.0; return true; }
};

struct HS7 {
  static constexpr const char *kName = "hs7";
  static constexpr int         kN = 2, kM = 1;
  template <class T> static T F(const T *x) { return log(1.0 + x[0] * x[0]) - x[1]; }
  template <class T> static void C(const T *x, T *c) {
    const T q = 1.0 + x[0] * x[0];
    c[0]      = q * q + x[1] * x[1] - 4.0;
  }
  static void X0(double *x) { x[0] = 2.0; x[1] = 2.0; }
  static bool FStar(double *f) { *f = -std::sqrt(3.0); return true; }
};

struct HS28 {
  static constexpr const char *kName = "hs28";
  static constexpr int         kN = 3, kM = 1;
  template <class T> static T F(const T *x) {
    const T a = x[0] + x[1], b = x[1] + x[2];
    return a * a + b * b;
  }
  template <class T> static void C(const T *x, T *c) { c[0] = x[0] + 2.0 * x[1] + 3.0 * x[2] - 1.0; }
  static void X0(double *x) { x[0] = -4.0; x[1] = 1.0; x[2] = 1.0; }
  static bool FStar(double *f) { *f = 0.0; return true; }
};

struct HS40 {
  static constexpr const char *kName = "hs40";
  static constexpr int         kN = 4, kM = 3;
  template <class T> static T F(const T *x) { return -x[0] * x[1] * x[2] * x[3]; }
  template <class T> static void C(const T *x, T *c) {
    c[0] = x[0] * x[0] * x[0] + x[1] * x[1] - 1.0;
    c[1] = x[0] * x[0] * x[3] - x[2];
    c[2] = x[3] * x[3] - x[1];
  }
  static void X0(double *x) { for (int i = 0; i < kN; ++i) x[i] = 0.8; }
  static bool FStar(double *f) { *f = -0.25; return true; }
};

struct HS42 {
  static constexpr const char *kName = "hs42";
  static constexpr int         kN = 4, kM = 2;
  template <class T> static T F(const T *x) {
    T s = 0.0;
    for (int i = 0; i < kN; ++i) s = s + (x[i] - (i + 1.0)) * (x[i] - (i + 1.0));
    return s;
  }
  template <class T> static void C(const T *x, T *c) {
    c[0] = x[0] - 2.0;
    c[1] = x[2] * x[2] + x[3] * x[3] - 2.0;
  }
  static void X0(double *x) { for (int i = 0; i < kN; ++i) x[i] = 1.0; }
  static bool FStar(double *f) { *f = 28.0 - 10.0 * std::sqrt(2.0); return true; }
};

} // namespace

void AppendHockSchittkowski(std::vector<NLPEntry> &table) {
  table.push_back({HS6::kName, &MakeClosedForm<HS6>});
  table.push_back({HS7::kName, &MakeClosedForm<HS7>});
  table.push_back({HS28::kName, &MakeClosedForm<HS28>});
  table.push_back({HS40::kName, &MakeClosedForm<HS40>});
  table.push_back({HS42::kName, &MakeClosedForm<HS42>});
}

} // namespace nlp
} // namespace petal
