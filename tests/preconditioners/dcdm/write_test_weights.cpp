// Writes the test network's weights (dcdm_test_weights.hpp: a two-level smoother with a small nonlinear
// perturbation) to the file given, for the plugin run of a PETSc-only program with -pc_dcdm_weights.
//   write_test_weights FILE [-noise 0.05]
#include "dcdm_test_weights.hpp"
#include <petal/dcdm_weights.hpp>
#include <petal/petal.h>

int main(int argc, char **argv)
{
  PetscReal noise = 0.05;
  PetscCall(PetscInitialize(&argc, &argv, NULL, "write_test_weights FILE [-noise 0.05]\n"));
  PetscCall(PetalInitializePackage());
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-noise", &noise, NULL));
  PetscCheck(argc > 1 && argv[1][0] != '-', PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "usage: write_test_weights FILE [-noise 0.05]");
  PetscCall(PetalDCDMWeightsSave(PETSC_COMM_WORLD, argv[1], dcdm_test::SmootherWeights(noise), petal::DCDMTrainingInfo()));
  PetscCall(PetscFinalize());
  return 0;
}
