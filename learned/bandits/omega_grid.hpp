#pragma once
// The omega grid of bandit SOR: the arms are relaxation factors, and one set of rules decides which grids
// are usable, for PCBANDITSOR's options and setters and for petal-relax alike.
//
//  - every omega is finite and in (0, 2), where SOR converges for SPD matrices;
//  - a grid has 1 to kMaxOmegaGrid values: every arm is tried and charged, so a learner over more arms than
//    a sequence has solves cannot learn anything, and a huge n would only exhaust memory and time;
//  - a uniform grid linspace(lo, hi, n) (DefaultOmegaGrid) has lo < hi when n > 1.
// The functions return the reason a grid is refused ("" if it is fine), without naming options: the callers
// add the option or function the user gave.
#include <cstddef>
#include <string>

namespace petal::bandits {

constexpr long long kMaxOmegaGrid = 1000;

/* "" if omega is finite and in (0, 2). */
std::string OmegaProblem(double omega);
/* "" if n in [1, kMaxOmegaGrid] and every value passes OmegaProblem. */
std::string OmegaGridProblem(const double *omega, long long n);
/* "" if linspace(lo, hi, n) is a usable grid: n in [1, kMaxOmegaGrid], lo and hi pass OmegaProblem, and
 * lo < hi when n > 1. Check before allocating the grid. */
std::string UniformOmegaGridProblem(long long n, double lo, double hi);

} // namespace petal::bandits
