#pragma once
/* A small closed-form problem as an NLPProblem: the problem is a struct P with
 *   static constexpr const char *kName;  static constexpr int kN, kM;
 *   template <class T> static T F(const T *x);              objective
 *   template <class T> static void C(const T *x, T *c);     constraints
 *   static void X0(double *x);                              standard start point
 *   static bool FStar(double *f);                           known optimum (false: none usable, e.g. HS47)
 * and derivatives come from hyper-dual numbers (hyperdual.hpp). Patterns are dense (the problems have at most
 * a few dozen variables): the Jacobian row-major, the Hessian's lower triangle row by row. */
#include "solvers/nlp/hyperdual.hpp"
#include <petal/nlp_problems.hpp>

#include <memory>
#include <vector>

namespace petal {
namespace nlp {

template <class P>
class ClosedFormNLP final : public NLPProblem {
public:
  std::string Name() const override { return P::kName; }
  NLPIndex    NumVariables() const override { return P::kN; }
  NLPIndex    NumConstraints() const override { return P::kM; }
  void        StartPoint(double *x) const override { P::X0(x); }
  bool        KnownOptimum(double *fstar) const override { return P::FStar(fstar); }
  double      Objective(const double *x) const override { return P::F(x); }
  void        Constraints(const double *x, double *c) const override { P::C(x, c); }

  void Gradient(const double *x, double *g) const override {
    std::vector<HyperDual> xd(x, x + P::kN);
    for (int i = 0; i < P::kN; ++i) {
      xd[i].a = 1.0;
      g[i]    = P::F(xd.data()).a;
      xd[i].a = 0.0;
    }
  }
  void JacobianPattern(std::vector<NLPIndex> &rows, std::vector<NLPIndex> &cols) const override {
    rows.clear();
    cols.clear();
    for (int r = 0; r < P::kM; ++r)
      for (int j = 0; j < P::kN; ++j) {
        rows.push_back(r);
        cols.push_back(j);
      }
  }
  void JacobianValues(const double *x, double *values) const override {
    std::vector<HyperDual> xd(x, x + P::kN), cd(P::kM);
    for (int j = 0; j < P::kN; ++j) {
      xd[j].a = 1.0;
      P::C(xd.data(), cd.data());
      for (int r = 0; r < P::kM; ++r) values[r * P::kN + j] = cd[r].a;
      xd[j].a = 0.0;
    }
  }
  void HessianPattern(std::vector<NLPIndex> &rows, std::vector<NLPIndex> &cols) const override {
    rows.clear();
    cols.clear();
    for (int i = 0; i < P::kN; ++i)
      for (int j = 0; j <= i; ++j) {
        rows.push_back(i);
        cols.push_back(j);
      }
  }
  void HessianValues(const double *x, double sigma, const double *lambda, double *values) const override {
    std::vector<HyperDual> xd(x, x + P::kN), cd(P::kM);
    NLPIndex               k = 0;
    for (int i = 0; i < P::kN; ++i)
      for (int j = 0; j <= i; ++j) {
        xd[i].a    = 1.0;
        xd[j].b    = 1.0;
        double hij = sigma * P::F(xd.data()).ab;
        P::C(xd.data(), cd.data());
        for (int r = 0; r < P::kM; ++r) hij += lambda[r] * cd[r].ab;
        values[k++] = hij;
        xd[i].a     = 0.0;
        xd[j].b     = 0.0;
      }
  }
};

template <class P>
std::unique_ptr<NLPProblem> MakeClosedForm() {
  return std::make_unique<ClosedFormNLP<P>>();
}

} // namespace nlp
} // namespace petal
