#pragma once
// Helpers shared by the DCDM tests: the communicator, per-test file names that differ between rank counts (ctest
// may run the np1 and np2 programs at once), and error messages that must be the same on every rank.
#include <gtest/gtest.h>
#include "petal_test.hpp"
#include <petscsys.h>
#include <functional>
#include <string>

namespace dcdm_test {

inline MPI_Comm Comm() { return PETSC_COMM_WORLD; }
inline int      Size()
{
  int s;
  MPI_Comm_size(Comm(), &s);
  return s;
}
inline int Rank()
{
  int r;
  MPI_Comm_rank(Comm(), &r);
  return r;
}

// A file in the test's working folder, unique per rank count.
inline std::string TestFile(const std::string &what) { return "dcdm_" + what + "_np" + std::to_string(Size()) + ".h5"; }

// Runs a call that must fail; returns its error message after checking that every rank raised the same one.
inline std::string FailureMessage(const std::function<PetscErrorCode()> &call, const std::string &what)
{
  std::string msg;
  {
    PetalTestErrorCapture cap;
    EXPECT_NE(call(), 0) << what << ": the call succeeded";
    msg = cap.Message();
  }
  int len = (int)msg.size();
  MPI_Bcast(&len, 1, MPI_INT, 0, Comm());
  std::string root(len, ' ');
  if (Rank() == 0) root = msg;
  if (len) MPI_Bcast(&root[0], len, MPI_CHAR, 0, Comm());
  EXPECT_EQ(msg, root) << what << ": rank " << Rank() << " raised another message than rank 0";
  return msg;
}

#define DCDM_EXPECT_CONTAINS(msg, part) EXPECT_NE((msg).find(part), std::string::npos) << "expected \"" << (part) << "\" in \"" << (msg) << "\""

} // namespace dcdm_test
