#pragma once
// Helpers for petal's gtest programs.
#include <gtest/gtest.h>
#include <petscsys.h>
#include "core/file_verdict.hpp" // petal::ErrorCapture
#include <cstdlib>
#include <string>

// A call that is meant to fail returns from the middle of PETSc-style code, which leaves the objects it made behind
// by PETSc's convention (an error ends the program). Those are not leak-checked: declare this in the scope of the
// failing call. Successful calls stay under LeakSanitizer in the sanitizer build.
#if defined(__SANITIZE_ADDRESS__)
  #include <sanitizer/lsan_interface.h>
using PetalExpectedFailureScope = __lsan::ScopedDisabler;
#else
struct PetalExpectedFailureScope {
};
#endif
#define PETAL_EXPECTED_FAILURE_SCOPE PetalExpectedFailureScope petal_expected_failure_

// While alive: PETSc errors are recorded (Message(): the first one's text) instead of printed, and what the failing
// calls allocate is not leak-checked (see above).
struct PetalTestErrorCapture : PetalExpectedFailureScope, petal::ErrorCapture {
};

// Fails the current test (instead of aborting the process) when a PETSc call returns an error.
#define PETAL_ASSERT_OK(call) ASSERT_EQ((call), 0) << "PETSc call failed: " #call

// PETAL_EXPECT_PETSC_ERROR: runs a PETSc call that must fail, with PETSc's error printing silenced.
#define PETAL_EXPECT_PETSC_ERROR(call)                                   \
  do {                                                                   \
    PETAL_EXPECTED_FAILURE_SCOPE;                                        \
    PetscCallAbort(PETSC_COMM_WORLD, PetscPushErrorHandler(PetscReturnErrorHandler, NULL)); \
    PetscErrorCode petal_ierr_ = (call);                                 \
    PetscCallAbort(PETSC_COMM_WORLD, PetscPopErrorHandler());            \
    EXPECT_NE(petal_ierr_, 0) << "expected an error from " #call;        \
  } while (0)

inline std::string PetalEnv(const char *name, const char *fallback = "")
{
  const char *v = std::getenv(name);
  return v ? v : fallback;
}
