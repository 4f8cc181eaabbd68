// The exact augmented Lagrangian's gradient (solvers/adasketch/adasketch_merit.cpp) against central differences of
// its value, on problems with nonlinear constraints, where the reference code's shortcut (the Hessian of f in place
// of the Hessian of the Lagrangian) is wrong. On 1 and 2 ranks.
#include <gtest/gtest.h>
#include <petal/adasketch.h>
#include <petal/nlp_problems.hpp>
#include <petal/nlp_tao.hpp>
#include "solvers/adasketch/adasketch_impl.hpp"
#include <cmath>

namespace {

using petal::adasketch::Data;

/* f, grad f, c, G at (x, l) into the Tao's storage, and gradL = grad f + G^T l into as->gradL. */
PetscErrorCode EvaluateAt(Tao tao, Vec x, Vec l, PetscReal *f)
{
  Tao_AdaSketch *as = Data(tao);
  PetscFunctionBeginUser;
  PetscCall(TaoComputeObjectiveAndGradient(tao, x, f, tao->gradient));
  PetscCall(TaoComputeEqualityConstraints(tao, x, tao->constraints_equality));
  PetscCall(TaoComputeJacobianEquality(tao, x, tao->jacobian_equality, tao->jacobian_equality_pre));
  PetscCall(MatMultTransposeAdd(tao->jacobian_equality, l, tao->gradient, as->gradL));
  PetscFunctionReturn(0);
}

PetscErrorCode Merit(Tao tao, Vec x, Vec l, PetscReal mu, PetscReal nu, PetscReal *value)
{
  PetscReal f;
  PetscFunctionBeginUser;
  PetscCall(EvaluateAt(tao, x, l, &f));
  PetscCall(petal::adasketch::MeritValue(f, l, tao->constraints_equality, Data(tao)->gradL, mu, nu, value));
  PetscFunctionReturn(0);
}

/* Entry i (global) of v, on every rank. */
PetscReal Entry(Vec v, PetscInt i)
{
  PetscInt    lo, hi;
  PetscScalar a = 0, s = 0;
  VecGetOwnershipRange(v, &lo, &hi);
  if (i >= lo && i < hi) VecGetValues(v, 1, &i, &a);
  MPI_Allreduce(&a, &s, 1, MPIU_SCALAR, MPIU_SUM, PetscObjectComm((PetscObject)v));
  return PetscRealPart(s);
}

PetscErrorCode Perturb(Vec v, PetscInt i, PetscReal h)
{
  PetscInt lo, hi;
  PetscFunctionBeginUser;
  PetscCall(VecGetOwnershipRange(v, &lo, &hi));
  if (i >= lo && i < hi) PetscCall(VecSetValue(v, i, h, ADD_VALUES));
  PetscCall(VecAssemblyBegin(v));
  PetscCall(VecAssemblyEnd(v));
  PetscFunctionReturn(0);
}

class MeritGradient : public ::testing::TestWithParam<const char *> {};

TEST_P(MeritGradient, MatchesCentralDifferences)
{
  auto p = petal::NLPProblemCreate(GetParam());
  ASSERT_TRUE(p);
  Tao tao;
  ASSERT_EQ(TaoCreate(PETSC_COMM_WORLD, &tao), 0);
  ASSERT_EQ(TaoSetType(tao, TAOADASKETCH), 0);
  ASSERT_EQ(petal::NLPTaoSetUp(PETSC_COMM_WORLD, *p, tao), 0);
  ASSERT_EQ(TaoSetUp(tao), 0);
  Tao_AdaSketch *as = Data(tao);
  Vec            x, l, lw, xw;
  ASSERT_EQ(TaoGetSolution(tao, &x), 0);
  ASSERT_EQ(VecDuplicate(tao->DE, &l), 0);
  // Multipliers away from the all-ones start, so that the constraint curvature matters.
  PetscInt m, d, lo, hi;
  ASSERT_EQ(VecGetSize(l, &m), 0);
  ASSERT_EQ(VecGetSize(x, &d), 0);
  ASSERT_EQ(VecGetOwnershipRange(l, &lo, &hi), 0);
  for (PetscInt i = lo; i < hi; ++i) ASSERT_EQ(VecSetValue(l, i, 0.7 - 0.9 * i + 0.2 * i * i, INSERT_VALUES), 0);
  ASSERT_EQ(VecAssemblyBegin(l), 0);
  ASSERT_EQ(VecAssemblyEnd(l), 0);
  ASSERT_EQ(VecCopy(l, tao->DE), 0); /* the Hessian callback reads the multipliers from here */
  const PetscReal mu = 2.5, nu = 0.3;

  PetscReal f;
  ASSERT_EQ(EvaluateAt(tao, x, l, &f), 0);
  ASSERT_EQ(TaoComputeHessian(tao, x, tao->hessian, tao->hessian_pre), 0);
  ASSERT_EQ(petal::adasketch::MeritGradientParts(tao, tao->hessian, tao->jacobian_equality, as->gradL, tao->constraints_equality), 0);
  ASSERT_EQ(petal::adasketch::MeritGradient(as, tao->constraints_equality, mu, nu, as->gmx, as->gml), 0);

  ASSERT_EQ(VecDuplicate(x, &xw), 0);
  ASSERT_EQ(VecDuplicate(l, &lw), 0);
  for (PetscInt i = 0; i < d + m; ++i) {
    const bool      inX = i < d;
    const PetscInt  k   = inX ? i : i - d;
    const PetscReal h   = 1e-6 * std::max(1.0, std::abs(Entry(inX ? x : l, k)));
    PetscReal       fp, fm;
    ASSERT_EQ(VecCopy(x, xw), 0);
    ASSERT_EQ(VecCopy(l, lw), 0);
    ASSERT_EQ(Perturb(inX ? xw : lw, k, h), 0);
    ASSERT_EQ(Merit(tao, xw, lw, mu, nu, &fp), 0);
    ASSERT_EQ(Perturb(inX ? xw : lw, k, -2 * h), 0);
    ASSERT_EQ(Merit(tao, xw, lw, mu, nu, &fm), 0);
    const PetscReal fd = (fp - fm) / (2 * h), g = Entry(inX ? as->gmx : as->gml, k);
    EXPECT_NEAR(g, fd, 1e-6 * std::max(1.0, std::abs(fd))) << GetParam() << (inX ? " d/dx" : " d/dlambda") << k;
  }
  ASSERT_EQ(VecDestroy(&xw), 0);
  ASSERT_EQ(VecDestroy(&lw), 0);
  ASSERT_EQ(VecDestroy(&l), 0);
  ASSERT_EQ(TaoDestroy(&tao), 0);
}

INSTANTIATE_TEST_SUITE_P(NonlinearConstraints, MeritGradient, ::testing::Values("hs7", "hs40", "bt9", "bt12"));

} // namespace
