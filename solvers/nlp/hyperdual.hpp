#pragma once
/* Second-order forward-mode differentiation for the closed-form test problems: a hyper-dual number
 *     x = v + a e1 + b e2 + ab e1 e2,   e1^2 = e2^2 = 0,
 * carries the value, two directional first derivatives and the mixed second derivative exactly (no truncation
 * error, only rounding). Seeding variable i with a = 1 and variable j with b = 1 gives df/dx_i in .a and
 * d2f/dx_i dx_j in .ab. The problems are written once as templates on the scalar type, so f, c, their
 * gradients, Jacobians and Hessians cannot disagree (finite-difference tests in tests/solvers/nlp check this
 * class itself). */
#include <cmath>

namespace petal {
namespace nlp {

/* The templates call sin(x) etc. unqualified: double arguments must find std::'s overloads, not convert. */
using std::cos;
using std::exp;
using std::log;
using std::sin;
using std::sqrt;

struct HyperDual {
  double v = 0.0, a = 0.0, b = 0.0, ab = 0.0;
  HyperDual() = default;
  HyperDual(double value) : v(value) {} // NOLINT: constants mix freely with variables
  HyperDual(double value, double da, double db, double dab) : v(value), a(da), b(db), ab(dab) {}
};

/* g(x) for a scalar function g with derivatives g1 = g'(x.v), g2 = g''(x.v): the chain rule to second order. */
inline HyperDual Chain(const HyperDual &x, double g0, double g1, double g2) {
  return HyperDual(g0, g1 * x.a, g1 * x.b, g1 * x.ab + g2 * x.a * x.b);
}

inline HyperDual operator+(const HyperDual &x, const HyperDual &y) { return {x.v + y.v, x.a + y.a, x.b + y.b, x.ab + y.ab}; }
inline HyperDual operator-(const HyperDual &x, const HyperDual &y) { return {x.v - y.v, x.a - y.a, x.b - y.b, x.ab - y.ab}; }
inline HyperDual operator-(const HyperDual &x) { return {-x.v, -x.a, -x.b, -x.ab}; }
inline HyperDual operator*(const HyperDual &x, const HyperDual &y) {
  return {x.v * y.v, x.a * y.v + x.v * y.a, x.b * y.v + x.v * y.b, x.ab * y.v + x.a * y.b + x.b * y.a + x.v * y.ab};
}
inline HyperDual operator/(const HyperDual &x, const HyperDual &y) {
  const double inv = 1.0 / y.v;
  return x * Chain(y, inv, -inv * inv, 2.0 * inv * inv * inv);
}
inline HyperDual operator+(const HyperDual &x, double y) { return {x.v + y, x.a, x.b, x.ab}; }
inline HyperDual operator+(double y, const HyperDual &x) { return x + y; }
inline HyperDual operator-(const HyperDual &x, double y) { return {x.v - y, x.a, x.b, x.ab}; }
inline HyperDual operator-(double y, const HyperDual &x) { return {y - x.v, -x.a, -x.b, -x.ab}; }
inline HyperDual operator*(const HyperDual &x, double y) { return {x.v * y, x.a * y, x.b * y, x.ab * y}; }
inline HyperDual operator*(double y, const HyperDual &x) { return x * y; }
inline HyperDual operator/(const HyperDual &x, double y) { return x * (1.0 / y); }
inline HyperDual operator/(double y, const HyperDual &x) { return HyperDual(y) / x; }

inline HyperDual sin(const HyperDual &x) { return Chain(x, std::sin(x.v), std::cos(x.v), -std::sin(x.v)); }
inline HyperDual cos(const HyperDual &x) { return Chain(x, std::cos(x.v), -std::sin(x.v), -std::cos(x.v)); }
inline HyperDual exp(const HyperDual &x) { const double e = std::exp(x.v); return Chain(x, e, e, e); }
inline HyperDual log(const HyperDual &x) { return Chain(x, std::log(x.v), 1.0 / x.v, -1.0 / (x.v * x.v)); }
inline HyperDual sqrt(const HyperDual &x) {
  const double s = std::sqrt(x.v);
  return Chain(x, s, 0.5 / s, -0.25 / (s * x.v));
}
/* Integer powers, exact at x = 0 (std::pow's derivative formula would divide by zero there). */
inline HyperDual powi(const HyperDual &x, int k) {
  if (k == 0) return HyperDual(1.0);
  const double p2 = k >= 2 ? std::pow(x.v, k - 2) : 0.0;
  const double p1 = k >= 1 ? std::pow(x.v, k - 1) : 0.0;
  return Chain(x, std::pow(x.v, k), k * p1, k * (k - 1) * p2);
}
inline double powi(double x, int k) { return std::pow(x, k); }

} // namespace nlp
} // namespace petal
