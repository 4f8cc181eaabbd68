// What every discretization of petal-control shares (control_discretization.hpp).
#include "control_discretization.hpp"

namespace petal::control {
const char *const ProblemKindNames[] = {"semilinear", "paper", "ProblemKind", "CONTROL_PROBLEM_", nullptr};

Discretization::~Discretization() { (void)DMDestroy(&dm); }
} // namespace petal::control
