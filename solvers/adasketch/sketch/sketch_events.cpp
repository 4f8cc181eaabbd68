// Log events of solvers/adasketch/sketch/: registered once per PETSc session, by the TAO type's package
// initialisation or lazily by the first Solve / ComputeKKTSpectra.
#include "solvers/adasketch/sketch/sketch_events.hpp"
#include <petal/petal.h>

PetscLogEvent PETAL_SketchStep       = 0;
PetscLogEvent PETAL_AdaSketchSpectra = 0;

namespace petal {
namespace adasketch {
namespace {
PetscBool eventsRegistered = PETSC_FALSE;

PetscErrorCode SketchEventsFinalize()
{
  PetscFunctionBegin;
  eventsRegistered = PETSC_FALSE;
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode RegisterSketchEvents()
{
  PetscFunctionBegin;
  if (eventsRegistered) PetscFunctionReturn(0);
  eventsRegistered = PETSC_TRUE;
  PetscCall(PetalInitializePackage()); // PETAL_CLASSID; idempotent
  PetscCall(PetscLogEventRegister("PetalSketchStep", PETAL_CLASSID, &PETAL_SketchStep));
  PetscCall(PetscLogEventRegister("PetalAdaSketchSpectra", PETAL_CLASSID, &PETAL_AdaSketchSpectra));
  PetscCall(PetscRegisterFinalize(SketchEventsFinalize));
  PetscFunctionReturn(0);
}

SketchEventScope::SketchEventScope()
{
  PetscBool initialized = PETSC_FALSE;
  if (PetscInitialized(&initialized) || !initialized) return; // usable without PETSc (no logging then)
  if (RegisterSketchEvents()) return;
  active_ = PetscLogEventBegin(PETAL_SketchStep, 0, 0, 0, 0) == 0;
}

SketchEventScope::~SketchEventScope()
{
  if (active_) (void)PetscLogEventEnd(PETAL_SketchStep, 0, 0, 0, 0);
}

} // namespace adasketch
} // namespace petal
