#pragma once
/* The log events of the sketch kernels and the KKT spectra (registered by RegisterSketchEvents, declared in
 * sketch_solver.hpp; listed in include/petal/adasketch.h). */
#include "solvers/adasketch/sketch/sketch_solver.hpp"
#include <petsclog.h>

extern PetscLogEvent PETAL_SketchStep;       /* "PetalSketchStep": one SketchSolver::Solve (all its steps) */
extern PetscLogEvent PETAL_AdaSketchSpectra; /* "PetalAdaSketchSpectra": one ComputeKKTSpectra */

namespace petal {
namespace adasketch {

/* Begin/end of PetalSketchStep around a Solve (registers the events on first use; PETSc errors are ignored here,
 * the solvers' interface has no error code). */
class SketchEventScope {
public:
  SketchEventScope();
  ~SketchEventScope();
  SketchEventScope(const SketchEventScope &)            = delete;
  SketchEventScope &operator=(const SketchEventScope &) = delete;

private:
  bool active_ = false;
};

} // namespace adasketch
} // namespace petal
