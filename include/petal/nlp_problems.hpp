#pragma once
/* Equality-constrained test problems, written once and shared by the tests, bench/control and the comparison
 * solvers (TAO types through include/petal/nlp_tao.hpp; IPOPT through bench/control's harness):
 *
 *     min f(x)  subject to  c(x) = 0,   x in R^n, c: R^n -> R^m.
 *
 * Deliberately free of PETSc, MPI and HDF5 (an OBJECT library like learned/): the IPOPT harness links it
 * without PETSc, whose parallel MUMPS would clash with the sequential MUMPS inside Debian's libipopt.
 *
 * Evaluation is on host arrays in global numbering, every rank holding the whole problem (the HS/BT problems
 * are tiny; the structured control problems are the serial twins of petal-control's distributed ones).
 * Derivatives are exact (hand-written), in sparse triplet form with a pattern fixed per problem. */
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace petal {

using NLPIndex = std::int64_t;

class NLPProblem {
public:
  virtual ~NLPProblem() = default;
  /* Lower-case canonical name, e.g. "hs7", "bt9", "poisson_paper_n3", "semilinear_2d_n31". */
  virtual std::string Name() const = 0;
  virtual NLPIndex    NumVariables() const = 0;   /* n */
  virtual NLPIndex    NumConstraints() const = 0; /* m */
  /* The standard start point (x0 of the problem's source); multipliers start at lambda0 (default all ones,
   * as in the reference code). */
  virtual void StartPoint(double *x) const = 0;
  virtual void StartMultipliers(double *lambda) const;
  /* A known optimal value; false where there is none or where it is not the value a local method reaches
   * (HS47: test the KKT residual instead). */
  virtual bool KnownOptimum(double *fstar) const = 0;

  virtual double Objective(const double *x) const = 0;
  virtual void   Gradient(const double *x, double *g) const = 0;
  virtual void   Constraints(const double *x, double *c) const = 0;
  /* Jacobian G = dc/dx (m x n): the pattern once, then values in the pattern's order. */
  virtual void JacobianPattern(std::vector<NLPIndex> &rows, std::vector<NLPIndex> &cols) const = 0;
  virtual void JacobianValues(const double *x, double *values) const = 0;
  /* Hessian of sigma f + lambda^T c (IPOPT's convention; TAO's L = f + lambda^T c is sigma = 1): the lower
   * triangle (row >= col) pattern once, then values in its order. */
  virtual void HessianPattern(std::vector<NLPIndex> &rows, std::vector<NLPIndex> &cols) const = 0;
  virtual void HessianValues(const double *x, double sigma, const double *lambda, double *values) const = 0;
};

/* The Hock-Schittkowski and BT equality problems of the AdaSketch paper's CUTEst set that are small and
 * closed-form, in a fixed order (the benchmark's table order). */
std::vector<std::string> NLPTestSetNames();
/* A problem by name: a name of NLPTestSetNames(), or a control problem:
 *   "poisson_paper_n<N>"            the paper's Poisson control (2-D, 5-point Laplacian, h = 2/(N+1), target w_t
 *                                   of the reference; optima 9.644442 (N=3), 116.835 (10), 1177.821 (32),
 *                                   4067.774 (64));
 *   "semilinear_<D>d_n<N>[_a<alpha>]" the semilinear control problem of include/petal/control_problem.hpp on the
 *                                   N^D interior grid (finite differences), D = 2 or 3, alpha default 1e-2.
 * Returns nullptr for an unknown name. */
std::unique_ptr<NLPProblem> NLPProblemCreate(const std::string &name);

/* KKT residual of (x, lambda) in TAO's sign convention L = f + lambda^T c: |grad_x L|_2 and |c|_2. */
void NLPKKTResidual(const NLPProblem &p, const double *x, const double *lambda, double *gradLNorm, double *cNorm);

} // namespace petal
