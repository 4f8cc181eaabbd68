#pragma once
// The PETSc types petal provides; each method adds one line to kTypes in registry.cpp.
#include <petscviewer.h>

namespace petal {
/* Registers every PC/KSP/TAO type of petal with PETSc (called once by PetalInitializePackage). */
PetscErrorCode RegisterAllTypes();
/* Prints "PC banditsor", ... one line per registered type. */
PetscErrorCode ViewRegisteredTypes(PetscViewer viewer);
} // namespace petal
