// gtest main for the PETSc-free DCDM network tests: Kokkos is initialised around the whole run (the Forward
// executors and kernels need it; PETSc is not involved).
#include <gtest/gtest.h>
#include <Kokkos_Core.hpp>

int main(int argc, char **argv)
{
  Kokkos::initialize(argc, argv);
  int rc;
  {
    ::testing::InitGoogleTest(&argc, argv);
    rc = RUN_ALL_TESTS();
  }
  Kokkos::finalize();
  return rc;
}
