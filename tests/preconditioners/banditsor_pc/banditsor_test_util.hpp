#pragma once
// Helpers shared by the PCBANDITSOR tests: a sequence of shifted Laplacians (the same on any number of ranks),
// KSPs with the PC, solves, and the capture of PETSc error messages.
#include <gtest/gtest.h>
#include "petal_test.hpp"
#include <petal/banditsor.h>
#include <petscksp.h>
#include <cmath>
#include <string>
#include <vector>

namespace banditsor_test {

inline MPI_Comm Comm() { return PETSC_COMM_WORLD; }
inline int Size()
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

// Unscaled 5-point Laplacian of an m x m grid (Dirichlet), distributed by rows.
inline Mat Laplacian(PetscInt m)
{
  Mat      A;
  PetscInt rs, re, n = m * m;
  EXPECT_EQ(MatCreateAIJ(Comm(), PETSC_DECIDE, PETSC_DECIDE, n, n, 5, NULL, 2, NULL, &A), 0);
  EXPECT_EQ(MatGetOwnershipRange(A, &rs, &re), 0);
  for (PetscInt i = rs; i < re; ++i) {
    const PetscInt ix = i % m, iy = i / m;
    PetscInt       cols[5], nc = 0;
    PetscScalar    v[5];
    if (iy > 0) cols[nc] = i - m, v[nc++] = -1;
    if (ix > 0) cols[nc] = i - 1, v[nc++] = -1;
    cols[nc] = i, v[nc++] = 4;
    if (ix < m - 1) cols[nc] = i + 1, v[nc++] = -1;
    if (iy < m - 1) cols[nc] = i + m, v[nc++] = -1;
    EXPECT_EQ(MatSetValues(A, 1, &i, nc, cols, v, INSERT_VALUES), 0);
  }
  EXPECT_EQ(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY), 0);
  EXPECT_EQ(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY), 0);
  return A;
}

// Instance t of a sequence: A_t = L + c_t I, b_t a deterministic function of the global index (same on any
// number of ranks), context c_t.
struct Sequence {
  Mat L = nullptr, A = nullptr;
  Vec b = nullptr;
  explicit Sequence(PetscInt m)
  {
    L = Laplacian(m);
    EXPECT_EQ(MatDuplicate(L, MAT_COPY_VALUES, &A), 0);
    EXPECT_EQ(MatCreateVecs(L, NULL, &b), 0);
  }
  ~Sequence()
  {
    MatDestroy(&L);
    MatDestroy(&A);
    VecDestroy(&b);
  }
  static double Context(int t) { return -0.1 + 0.5 * std::fabs(std::sin(1.7 * t + 0.3)); }
  void          Set(int t)
  {
    PetscInt     rs, re;
    PetscScalar *a;
    EXPECT_EQ(MatCopy(L, A, SAME_NONZERO_PATTERN), 0);
    EXPECT_EQ(MatShift(A, Context(t)), 0);
    EXPECT_EQ(VecGetOwnershipRange(b, &rs, &re), 0);
    EXPECT_EQ(VecGetArray(b, &a), 0);
    for (PetscInt i = rs; i < re; ++i) a[i - rs] = std::sin(0.37 * i + 1.3 * t) + 0.1 * std::cos(0.11 * i * t);
    EXPECT_EQ(VecRestoreArray(b, &a), 0);
  }
};

struct SolveResult {
  PetscInt           its;
  KSPConvergedReason reason;
};

inline SolveResult Solve(KSP ksp, Mat A, Vec b, Vec x)
{
  SolveResult r;
  EXPECT_EQ(KSPSetOperators(ksp, A, A), 0);
  EXPECT_EQ(VecSet(x, 0.0), 0);
  EXPECT_EQ(KSPSolve(ksp, b, x), 0);
  EXPECT_EQ(KSPGetIterationNumber(ksp, &r.its), 0);
  EXPECT_EQ(KSPGetConvergedReason(ksp, &r.reason), 0);
  return r;
}

using ErrorCapture = PetalTestErrorCapture; // tests/support/petal_test.hpp

inline KSP LearnerKsp(const char *learner, PetscInt seed, const std::string &prefix = "")
{
  KSP ksp;
  PC  pc;
  EXPECT_EQ(KSPCreate(Comm(), &ksp), 0);
  if (!prefix.empty()) EXPECT_EQ(KSPSetOptionsPrefix(ksp, prefix.c_str()), 0);
  EXPECT_EQ(KSPSetType(ksp, KSPCG), 0);
  EXPECT_EQ(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED), 0);
  EXPECT_EQ(KSPSetTolerances(ksp, 1e-8, PETSC_DEFAULT, PETSC_DEFAULT, 2000), 0);
  EXPECT_EQ(KSPGetPC(ksp, &pc), 0);
  EXPECT_EQ(PCSetType(pc, PCBANDITSOR), 0);
  EXPECT_EQ(PCBanditSORSetLearner(pc, learner), 0);
  EXPECT_EQ(PCBanditSORSetSeed(pc, seed), 0);
  EXPECT_EQ(PCBanditSORSetContextRange(pc, -0.15, 0.65), 0);
  EXPECT_EQ(KSPSetFromOptions(ksp), 0);
  return ksp;
}

struct Trace {
  std::vector<double>   omega;
  std::vector<PetscInt> its;
};

// Solves instances [t0, t1) of the sequence with ksp; contextShift is added to the context on ranks > 0
// (PCBANDITSOR must use rank 0's).
inline void RunSeq(KSP ksp, Sequence &seq, int t0, int t1, Trace &tr, double contextShift = 0.0)
{
  PC  pc;
  Vec x;
  ASSERT_EQ(KSPGetPC(ksp, &pc), 0);
  ASSERT_EQ(VecDuplicate(seq.b, &x), 0);
  for (int t = t0; t < t1; ++t) {
    seq.Set(t);
    ASSERT_EQ(PCBanditSORSetContext(pc, Sequence::Context(t) + (Rank() > 0 ? contextShift : 0.0)), 0);
    SolveResult r = Solve(ksp, seq.A, seq.b, x);
    PetscReal   w;
    ASSERT_EQ(PCBanditSORGetOmega(pc, &w), 0);
    EXPECT_GT(r.reason, 0);
    tr.omega.push_back(w);
    tr.its.push_back(r.its);
  }
  VecDestroy(&x);
}

inline std::string StateFile(const char *what)
{
  return std::string("banditsor_pc_state_np") + std::to_string(Size()) + "_" + what + ".h5";
}
// The call must fail on every rank with a message containing `expect`.
#define PETAL_EXPECT_ERROR(call, expect) \
  do { \
    std::string petal_msg_; \
    PetscErrorCode petal_ierr_; \
    { \
      banditsor_test::ErrorCapture cap_; \
      petal_ierr_ = (call); \
      petal_msg_  = cap_.Message(); \
    } \
    EXPECT_NE(petal_ierr_, 0) << #call << " was accepted"; \
    EXPECT_NE(petal_msg_.find(expect), std::string::npos) << "message on rank " << banditsor_test::Rank() << ": " << petal_msg_; \
  } while (0)

} // namespace banditsor_test
