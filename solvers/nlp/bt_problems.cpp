/* Boggs-Tolle equality problems of the AdaSketch paper's CUTEst set (P.T. Boggs, J.W. Tolle, "A strategy for
 * global convergence in a sequential quadratic programming algorithm", SINUM 26(3) 600-623, 1989), as CUTEst's
 * SIF files state them (Ph. Toint 1993: constants, start points and the corrections of the paper's typos). The
 * optima are those of the SIF files, refined by a Newton-KKT solve (tests/solvers/nlp checks each). */
#include "solvers/nlp/closed_form.hpp"
#include "solvers/nlp/nlp_registry.hpp"

#include <cmath>

namespace petal {
namespace nlp {
namespace {

/* SIF constant 8.2426407 (4 + 3 sqrt 2 rounded), start 10 * 1. */
struct BT2 {
  static constexpr const char *kName = "bt2";
  static constexpr int         kN = 3, kM = 1;
  template <class T> static T F(const T *x) {
    return (x[0] - 1.0) * (x[0] - 1.0) + (x[0] - x[1]) * (x[0] - x[1]) + powi(x[1] - x[2], 4);
  }
  template <class T> static void C(const T *x, T *c) { c[0] = x[0] * (1.0 + x[1] * x[1]) + powi(x[2], 4) - 8.2426407; }
  static void X0(double *x) { for (int i = 0; i < kN; ++i) x[i] = 10.0; }
  static bool FStar(double *f) { *f = 0.0325682003932378; return true; }
};

/* SIF start 20 * 1 (the paper's second start). */
struct BT3 {
  static constexpr const char *kName = "bt3";
  static constexpr int         kN = 5, kM = 3;
  template <class T> static T F(const T *x) {
    const T a = x[0] - x[1], b = x[1] + x[2] - 2.0, c = x[3] - 1.0, d = x[4] - 1.0;
    return a * a + b * b + c * c + d * d;
  }
  template <class T> static void C(const T *x, T *c) {
    c[0] = x[0] + 3.0 * x[1];
    c[1] = x[2] + x[3] - 2.0 * x[4];
    c[2] = x[1] - x[4];
  }
  static void X0(double *x) { for (int i = 0; i < kN; ++i) x[i] = 20.0; }
  static bool FStar(double *f) { *f = 176.0 / 43.0; /* convex QP: exact; the SIF file prints 4.09301056 */ return true; }
};

/* The SIF's correction: +x3^2 in the first constraint (bounded below, the paper's solution). */
struct BT5 {
  static constexpr const char *kName = "bt5";
  static constexpr int         kN = 3, kM = 2;
  template <class T> static T F(const T *x) {
    return 1000.0 - x[0] * x[0] - 2.0 * x[1] * x[1] - x[2] * x[2] - x[0] * x[1] - x[0] * x[2];
  }
  template <class T> static void C(const T *x, T *c) {
    c[0] = x[0] * x[0] + x[1] * x[1] + x[2] * x[2] - 25.0;
    c[1] = 8.0 * x[0] + 14.0 * x[1] + 7.0 * x[2] - 56.0;
  }
  static void X0(double *x) { for (int i = 0; i < kN; ++i) x[i] = 2.0; }
  static bool FStar(double *f) { *f = 961.715172130052; return true; }
};

/* As in the SIF file: the second constraint is x2 + x3^4 x2^2 - 8 - sqrt 2 (HS77 has x4^2 there). */
struct BT6 {
  static constexpr const char *kName = "bt6";
  static constexpr int         kN = 5, kM = 2;
  template <class T> static T F(const T *x) {
    return powi(x[0] - 1.0, 2) + powi(x[0] - x[1], 2) + powi(x[2] - 1.0, 2) + powi(x[3] - 1.0, 4) + powi(x[4] - 1.0, 6);
  }
  template <class T> static void C(const T *x, T *c) {
    c[0] = x[3] * x[0] * x[0] + sin(x[3] - x[4]) - 2.0 * std::sqrt(2.0);
    c[1] = x[1] + powi(x[2], 4) * x[1] * x[1] - 8.0 - std::sqrt(2.0);
  }
  static void X0(double *x) { for (int i = 0; i < kN; ++i) x[i] = 2.0; }
  static bool FStar(double *f) { *f = 0.277044788767902; /* SIF: 0.277044924 */ return true; }
};

/* The SIF's correction: -x2 in the second constraint. The same problem as HS39. */
struct BT9 {
  static constexpr const char *kName = "bt9";
  static constexpr int         kN = 4, kM = 2;
  template <class T> static T F(const T *x) { return -x[0]; }
  template <class T> static void C(const T *x, T *c) {
    c[0] = x[1] - x[0] * x[0] * x[0] - x[2] * x[2];
    c[1] = x[0] * x[0] - x[1] - x[3] * x[3];
  }
  static void X0(double *x) { for (int i = 0; i < kN; ++i) x[i] = 2.0; }
  static bool FStar(double *f) { *f = -1.0; return true; }
};

/* The SIF's correction: -x2 in the second constraint. */
struct BT10 {
  static constexpr const char *kName = "bt10";
  static constexpr int         kN = 2, kM = 2;
  template <class T> static T F(const T *x) { return -x[0]; }
  template <class T> static void C(const T *x, T *c) {
    c[0] = x[1] - x[0] * x[0] * x[0];
    c[1] = x[0] * x[0] - x[1];
  }
  static void X0(double *x) { for (int i = 0; i < kN; ++i) x[i] = 2.0; }
  static bool FStar(double *f) { *f = -1.0; return true; }
};

struct BT11 {
  static constexpr const char *kName = "bt11";
  static constexpr int         kN = 5, kM = 3;
  template <class T> static T F(const T *x) {
    return powi(x[0] - 1.0, 2) + powi(x[0] - x[1], 2) + powi(x[1] - x[2], 2) + powi(x[2] - x[3], 4) + powi(x[3] - x[4], 4);
  }
  template <class T> static void C(const T *x, T *c) {
    c[0] = x[0] + x[1] * x[1] + x[2] * x[2] * x[2] + 2.0 - std::sqrt(18.0);
    c[1] = x[1] - x[2] * x[2] + x[3] + 2.0 - std::sqrt(8.0);
    c[2] = x[0] - x[4] - 2.0;
  }
  static void X0(double *x) { for (int i = 0; i < kN; ++i) x[i] = 2.0; }
  static bool FStar(double *f) { *f = 0.824891778287666; /* SIF: 0.824891647 */ return true; }
};

/* SIF start point: (15.811, 1.5811, 0, 15.083, 3.7164), close to the solution. */
struct BT12 {
  static constexpr const char *kName = "bt12";
  static constexpr int         kN = 5, kM = 3;
  template <class T> static T F(const T *x) { return 0.01 * x[0] * x[0] + x[1] * x[1]; }
  template <class T> static void C(const T *x, T *c) {
    c[0] = x[0] + x[1] - x[2] * x[2] - 25.0;
    c[1] = x[0] * x[0] + x[1] * x[1] - x[3] * x[3] - 25.0;
    c[2] = x[0] - x[4] * x[4] - 2.0;
  }
  static void X0(double *x) {
    const double x0[kN] = {15.811, 1.5811, 0.0, 15.083, 3.7164};
    for (int i = 0; i < kN; ++i) x[i] = x0[i];
  }
  static bool FStar(double *f) { *f = 625.0 / 101.0; /* 6.18811881 */ return true; }
};

} // namespace

void AppendBoggsTolle(std::vector<NLPEntry> &table) {
  table.push_back({BT2::kName, &MakeClosedForm<BT2>});
  table.push_back({BT3::kName, &MakeClosedForm<BT3>});
  table.push_back({BT5::kName, &MakeClosedForm<BT5>});
  table.push_back({BT6::kName, &MakeClosedForm<BT6>});
  table.push_back({BT9::kName, &MakeClosedForm<BT9>});
  table.push_back({BT10::kName, &MakeClosedForm<BT10>});
  table.push_back({BT11::kName, &MakeClosedForm<BT11>});
  table.push_back({BT12::kName, &MakeClosedForm<BT12>});
}

} // namespace nlp
} // namespace petal
