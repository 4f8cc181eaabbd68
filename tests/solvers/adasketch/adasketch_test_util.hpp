#pragma once
// Solving a problem of the shared library (include/petal/nlp_problems.hpp) with TAOADASKETCH through the TAO
// adapter, and reading back what the tests compare.
#include <gtest/gtest.h>
#include <petal/adasketch.h>
#include <petal/nlp_problems.hpp>
#include <petal/nlp_tao.hpp>
#include <petsctao.h>
#include <functional>
#include <string>
#include <vector>

namespace adasketch_test {

struct Result {
  PetscErrorCode     ierr = 0;
  TaoConvergedReason reason = TAO_CONTINUE_ITERATING;
  PetscInt           iterations = -1;
  PetscReal          f = 0, kkt = 0; /* kkt: recomputed by the problem library at the returned (x, lambda) */
  std::vector<double> x;             /* whole solution, on every rank */
  PetscInt64         inner = 0;
  PetscInt           iterations1e4 = -1; /* first iteration with KKT residual <= 1e-4 (the paper's tolerance) */
  PetscInt           penaltyIncreases = 0, halvings = 0;
};

/* Solves `name` on comm with TAOADASKETCH; `configure` sets options on the Tao before TaoSolve (after
 * TaoSetFromOptions). Tolerances: gatol = catol = 1e-8 (the type's defaults). */
inline PetscErrorCode Solve(MPI_Comm comm, const std::string &name, const std::function<PetscErrorCode(Tao)> &configure, Result *r)
{
  PetscFunctionBeginUser;
  auto p = petal::NLPProblemCreate(name);
  PetscCheck(p, comm, PETSC_ERR_ARG_WRONG, "unknown problem %s", name.c_str());
  Tao tao;
  PetscCall(TaoCreate(comm, &tao));
  PetscCall(TaoSetType(tao, TAOADASKETCH));
  PetscCall(petal::NLPTaoSetUp(comm, *p, tao));
  PetscCall(TaoSetMaximumIterations(tao, 500));
  PetscCall(TaoSetFromOptions(tao));
  if (configure) PetscCall(configure(tao));
  PetscCall(TaoSetConvergenceHistory(tao, NULL, NULL, NULL, NULL, 1000, PETSC_TRUE));
  PetscCall(TaoSolve(tao));
  {
    PetscReal *res;
    PetscInt   nh;
    PetscCall(TaoGetConvergenceHistory(tao, NULL, &res, NULL, NULL, &nh));
    for (PetscInt k = 0; k < nh && r->iterations1e4 < 0; ++k)
      if (res[k] <= 1e-4) r->iterations1e4 = k;
  }
  PetscCall(TaoGetSolutionStatus(tao, &r->iterations, NULL, NULL, NULL, NULL, &r->reason));
  PetscCall(petal::NLPTaoKKTResidual(*p, tao, &r->kkt, &r->f));
  PetscCall(TaoAdaSketchGetStats(tao, &r->inner, &r->penaltyIncreases, &r->halvings));
  Vec        x, all;
  VecScatter sc;
  PetscCall(TaoGetSolution(tao, &x));
  PetscCall(VecScatterCreateToAll(x, &sc, &all));
  PetscCall(VecScatterBegin(sc, x, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, x, all, INSERT_VALUES, SCATTER_FORWARD));
  const PetscScalar *a;
  PetscInt           n;
  PetscCall(VecGetSize(all, &n));
  PetscCall(VecGetArrayRead(all, &a));
  r->x.assign(a, a + n);
  PetscCall(VecRestoreArrayRead(all, &a));
  PetscCall(VecScatterDestroy(&sc));
  PetscCall(VecDestroy(&all));
  PetscCall(TaoDestroy(&tao));
  PetscFunctionReturn(0);
}

inline double MaxDiff(const std::vector<double> &a, const std::vector<double> &b)
{
  if (a.size() != b.size()) return 1e300;
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

} // namespace adasketch_test
