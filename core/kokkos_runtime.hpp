#pragma once
// Kokkos lifetime inside a PETSc program: petal initializes Kokkos only if the application has not,
// and then finalizes it from PetscFinalize (Kokkos 4 forbids initializing twice).
#include <petscsys.h>

namespace petal {
PetscErrorCode KokkosInitializeIfNeeded();
PetscErrorCode KokkosFinalizeIfOwned();
} // namespace petal
