// main() for petal's gtest programs: PETSc and petal are initialized once per process (Kokkos 4 cannot
// be re-initialized), output is printed by rank 0 only, and the exit code is agreed over all ranks.
#include <gtest/gtest.h>
#include <petal/petal.h>

int main(int argc, char **argv)
{
  ::testing::InitGoogleTest(&argc, argv);
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetalInitializePackage());
  PetscMPIInt rank;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  if (rank > 0) {
    auto &listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  int local = RUN_ALL_TESTS(), global = 0;
  PetscCallMPI(MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, PETSC_COMM_WORLD));
  PetscCall(PetscFinalize());
  return global;
}
