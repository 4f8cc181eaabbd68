#include "core/kokkos_runtime.hpp"
#include <petal/petal.h>
#include <Kokkos_Core.hpp>

namespace petal {
namespace {
bool owns_kokkos   = false;
bool was_finalized = false; // Kokkos 3.4 has no Kokkos::is_finalized()
} // namespace

PetscErrorCode KokkosInitializeIfNeeded()
{
  PetscFunctionBegin;
  if (Kokkos::is_initialized()) PetscFunctionReturn(0);
  PetscCheck(!was_finalized, PETSC_COMM_SELF, PETSC_ERR_ORDER, "petal: Kokkos was already finalized in this process and cannot be initialized again");
  // No argv: Kokkos must not consume PETSc's options. Thread counts come from KOKKOS_* environment variables.
#if KOKKOS_VERSION >= 30700
  Kokkos::initialize(Kokkos::InitializationSettings().set_disable_warnings(true));
#else
  Kokkos::InitArguments args;
  args.disable_warnings = true;
  Kokkos::initialize(args);
#endif
  owns_kokkos = true;
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosFinalizeIfOwned()
{
  PetscFunctionBegin;
  if (owns_kokkos && Kokkos::is_initialized()) {
    Kokkos::finalize();
    was_finalized = true;
  }
  owns_kokkos = false;
  PetscFunctionReturn(0);
}
} // namespace petal

const char *PetalKokkosExecutionSpaceName(void) { return Kokkos::DefaultExecutionSpace::name(); }
