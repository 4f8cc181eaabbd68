#pragma once
/* Dense helpers over an NLPProblem for small problems (the test set, checks, solvers that report no multipliers):
 * PETSc-free, part of the problem library's object target. */
#include <petal/nlp_problems.hpp>

#include <vector>

namespace petal {
namespace nlp {

/* The dense m x n Jacobian (row-major) and n x n Hessian of sigma f + lambda^T c (both triangles) at x. */
std::vector<double> DenseJacobian(const NLPProblem &p, const double *x);
std::vector<double> DenseHessian(const NLPProblem &p, const double *x, double sigma, const double *lambda);

/* Least-squares multipliers: lambda = argmin |grad f + G^T lambda|, from G G^T lambda = -G grad f (Cholesky).
 * False when G G^T is numerically singular (pivot below 1e-14 of its largest diagonal) or m > 4000. */
bool LeastSquaresMultipliers(const NLPProblem &p, const double *x, double *lambda);

/* Solves the dense n x n system A y = b in place (b becomes y) by Gaussian elimination with partial pivoting;
 * false if a pivot is exactly zero or not finite. A is destroyed. */
bool DenseSolve(int n, double *A, double *b);

} // namespace nlp
} // namespace petal
