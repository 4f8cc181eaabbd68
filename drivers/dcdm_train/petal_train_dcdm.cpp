static const char help[] = "petal-train-dcdm: trains the DCDM network (Kaneda et al., ICML 2023) with libtorch and writes\n"
                           "its weights for -pc_type dcdm (HDF5, include/petal/dcdm_weights.hpp).\n"
                           "Data: Ritz-vector right-hand sides of the 7-point Laplacian on an n^3 box (Lanczos with full\n"
                           "reorthogonalisation); loss: the residual after one exact line search along the network's output.\n"
                           "See drivers/dcdm_train/README.md.\n\n";

#include "trainer.hpp"
#include <petal/driver.h>

namespace
{
using namespace petal::dcdm_train;

PetscErrorCode Run(MPI_Comm comm, const std::string &command)
{
  TrainSettings s;
  TrainResult   r;
  PetscBool     help;
  PetscFunctionBegin;
  s.command = command;
  PetscCall(ReadSettings(comm, &s));
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) PetscFunctionReturn(0); // -help lists the options; it does not train
  PetscCall(Train(comm, s, &r));
  PetscFunctionReturn(0);
}
} // namespace

int main(int argc, char **argv)
{
  std::string command = "petal-train-dcdm"; // recorded in the weights file (the program's own path left out)
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  PetscCall(PetalDriverInitialize(&argc, &argv, help));
  // On an error the temporary files of unfinished outputs are removed (include/petal/driver.h): never a
  // half-written weights file or checkpoint.
  return PetalDriverFinalize(Run(PETSC_COMM_WORLD, command));
}
