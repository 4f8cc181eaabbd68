// Downstream consumer of an installed petal: initializes PETSc and petal, then prints what it linked.
// tests/install/downstream.sh checks this output.
#include <petal/petal.h>
#include <petal/kokkos_bridge.hpp>
#include <petal/dcdm.h>

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetalInitializePackage());
  PetscCall(PetalInitializePackage()); // idempotent
  // Kokkos is usable once petal initialized it (the bridge header compiles and its types instantiate).
  petal::VectorView v("v", 4);
  Kokkos::deep_copy(v, 1.0);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "downstream: petal %s (header %d.%d.%d), Kokkos %s, view extent %d, PETAL_CLASSID %s\n",
                        PETAL_VERSION_STRING, PETAL_VERSION_MAJOR, PETAL_VERSION_MINOR, PETAL_VERSION_PATCH,
                        PetalKokkosExecutionSpaceName(), (int)v.extent(0), PETAL_CLASSID ? "registered" : "MISSING"));
  // An installed libpetal finds the bundled DCDM weights in its own prefix, not in the source tree.
  PC          pc;
  const char *weights;
  PetscCall(PCCreate(PETSC_COMM_WORLD, &pc));
  PetscCall(PCSetType(pc, PCDCDM));
  PetscCall(PCDCDMGetWeightsFile(pc, &weights));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "downstream: PC dcdm default weights %s\n", weights));
  PetscCall(PCDestroy(&pc));
  v = petal::VectorView(); // release before PetscFinalize finalizes Kokkos
  PetscCall(PetscFinalize());
  return 0;
}
