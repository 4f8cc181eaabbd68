#pragma once
// Helpers for the mesh tests: per-run file names, bundled data paths, error-message capture.
#include "petal_test.hpp"
#include <petal/mesh.h>
#include <cstdio>
#include <string>
#include <sys/stat.h>

// File name in the test's working directory, unique per rank count: np1 and np2 runs may run at once.
inline std::string TestFile(const std::string &stem)
{
  PetscMPIInt size;
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  return stem + ".np" + std::to_string(size) + ".h5";
}

inline std::string DataFile(const std::string &name) { return PetalEnv("PETAL_SOURCE_DIR", "../..") + "/meshes/data/" + name; }

inline bool FileExists(const std::string &path)
{
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

inline int Rank()
{
  PetscMPIInt rank;
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  return rank;
}

// Removes a file on rank 0 once every rank is done with it (a rank that failed early must not pull
// the file away from one still reading it), and waits for the removal.
inline void RemoveFile(const std::string &path)
{
  MPI_Barrier(PETSC_COMM_WORLD);
  if (Rank() == 0) std::remove(path.c_str());
  MPI_Barrier(PETSC_COMM_WORLD);
}

// Runs a PETSc call that must fail (PETSc's error printing silenced) and returns the error's message.
#define PETAL_PETSC_ERROR_MESSAGE(call, message)                                             \
  do {                                                                                        \
    PETAL_EXPECTED_FAILURE_SCOPE;                                                             \
    PetscCallAbort(PETSC_COMM_WORLD, PetscPushErrorHandler(PetscReturnErrorHandler, NULL));   \
    PetscErrorCode petal_ierr_ = (call);                                                      \
    PetscCallAbort(PETSC_COMM_WORLD, PetscPopErrorHandler());                                 \
    EXPECT_NE(petal_ierr_, 0) << "expected an error from " #call;                             \
    char *petal_specific_ = NULL;                                                             \
    PetscErrorMessage(petal_ierr_, NULL, &petal_specific_);                                   \
    message = petal_specific_ ? petal_specific_ : "";                                         \
  } while (0)

// Expects call to fail with a message containing every one of the given fragments.
#define PETAL_EXPECT_ERROR_WITH(call, ...)                                                    \
  do {                                                                                        \
    std::string petal_msg_;                                                                   \
    PETAL_PETSC_ERROR_MESSAGE(call, petal_msg_);                                              \
    for (const char *petal_frag_ : {__VA_ARGS__})                                              \
      EXPECT_NE(petal_msg_.find(petal_frag_), std::string::npos) << "message \"" << petal_msg_ \
                                                                 << "\" lacks \"" << petal_frag_ << "\""; \
  } while (0)
