/* The TAO adapter (include/petal/nlp_tao.hpp) on 1 and 2 ranks: what TAO's callbacks compute is exactly the library's
 * f, gradient, constraints, Jacobian and Hessian of the Lagrangian (at the start point and a random point, with the
 * Tao's multipliers), and TAOPDIPM (MUMPS) and TAOALMM solve problems given through it to their known optima. */
#include "petal_test.hpp"
#include "nlp_test_util.hpp"
#include <petal/nlp_tao.hpp>
#include <petsc/private/taoimpl.h> /* tao->DE, the constraint Vec and matrices the adapter set */

#include <cmath>
#include <random>
#include <vector>

namespace {

using namespace nlptest;

/* Max |a - b| / max(1, |b|) over the owned entries of a distributed Vec against a replicated array, reduced over
 * the ranks. */
double VecDeviation(Vec v, const std::vector<double> &ref) {
  PetscInt           lo, hi;
  const PetscScalar *a;
  double             dev = 0.0, all = 0.0;
  PetscCallAbort(PETSC_COMM_WORLD, VecGetOwnershipRange(v, &lo, &hi));
  PetscCallAbort(PETSC_COMM_WORLD, VecGetArrayRead(v, &a));
  for (PetscInt i = lo; i < hi; ++i) dev = std::max(dev, std::fabs(PetscRealPart(a[i - lo]) - ref[i]) / std::max(1.0, std::fabs(ref[i])));
  PetscCallAbort(PETSC_COMM_WORLD, VecRestoreArrayRead(v, &a));
  MPI_Allreduce(&dev, &all, 1, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD);
  return all;
}

/* The same for the owned rows of a matrix against a dense row-major reference (entries outside the stored pattern
 * must be zero in the reference). */
double MatDeviation(Mat A, const std::vector<double> &ref, PetscInt ncols) {
  PetscInt lo, hi;
  double   dev = 0.0, all = 0.0;
  PetscCallAbort(PETSC_COMM_WORLD, MatGetOwnershipRange(A, &lo, &hi));
  for (PetscInt r = lo; r < hi; ++r) {
    PetscInt           nz;
    const PetscInt    *cols;
    const PetscScalar *vals;
    std::vector<double> row(ncols, 0.0);
    PetscCallAbort(PETSC_COMM_WORLD, MatGetRow(A, r, &nz, &cols, &vals));
    for (PetscInt k = 0; k < nz; ++k) row[cols[k]] = PetscRealPart(vals[k]);
    PetscCallAbort(PETSC_COMM_WORLD, MatRestoreRow(A, r, &nz, &cols, &vals));
    for (PetscInt c = 0; c < ncols; ++c) dev = std::max(dev, std::fabs(row[c] - ref[r * ncols + c]) / std::max(1.0, std::fabs(ref[r * ncols + c])));
  }
  MPI_Allreduce(&dev, &all, 1, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD);
  return all;
}

void SetFromArray(Vec v, const std::vector<double> &all) {
  PetscInt     lo, hi;
  PetscScalar *a;
  PetscCallAbort(PETSC_COMM_WORLD, VecGetOwnershipRange(v, &lo, &hi));
  PetscCallAbort(PETSC_COMM_WORLD, VecGetArray(v, &a));
  for (PetscInt i = lo; i < hi; ++i) a[i - lo] = all[i];
  PetscCallAbort(PETSC_COMM_WORLD, VecRestoreArray(v, &a));
}

std::vector<std::string> AdapterProblems() {
  std::vector<std::string> names = petal::NLPTestSetNames();
  names.push_back("poisson_paper_n3");
  names.push_back("semilinear_2d_n4");
  names.push_back("semilinear_3d_n3");
  return names;
}

class Adapter : public ::testing::TestWithParam<std::string> {};

TEST_P(Adapter, CallbacksReproduceTheLibrary) {
  const auto p = petal::NLPProblemCreate(GetParam());
  ASSERT_TRUE(p);
  const PetscInt n = PetscInt(p->NumVariables()), m = PetscInt(p->NumConstraints());
  Tao            tao;
  PETAL_ASSERT_OK(TaoCreate(PETSC_COMM_WORLD, &tao));
  PETAL_ASSERT_OK(petal::NLPTaoSetUp(PETSC_COMM_WORLD, *p, tao));
  Vec x, g, DE;
  PETAL_ASSERT_OK(TaoGetSolution(tao, &x));
  PETAL_ASSERT_OK(VecDuplicate(x, &g));
  PETAL_ASSERT_OK(VecDuplicate(tao->constraints_equality, &DE));
  PetscInt size;
  PETAL_ASSERT_OK(VecGetSize(x, &size));
  ASSERT_EQ(size, n);

  std::vector<double> x0(n), lambda(m);
  p->StartPoint(x0.data());
  EXPECT_EQ(VecDeviation(x, x0), 0.0) << "start point";
  std::mt19937                           rng(11); /* the same stream on every rank: replicated data */
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  std::vector<double>                    xr = x0;
  for (double &v : xr) v += u(rng);
  for (double &l : lambda) l = 2.0 * u(rng);
  SetFromArray(DE, lambda);
  tao->DE = DE; /* what a solver keeps there: the Hessian callback must read it */

  for (const auto &pt : {x0, xr}) {
    SetFromArray(x, pt);
    PetscReal f;
    PETAL_ASSERT_OK(TaoComputeObjectiveAndGradient(tao, x, &f, g));
    EXPECT_NEAR(f, p->Objective(pt.data()), 1e-14 * std::max(1.0, std::fabs(f)));
    std::vector<double> gref(n), cref(m);
    p->Gradient(pt.data(), gref.data());
    EXPECT_LE(VecDeviation(g, gref), 1e-14) << "gradient";
    PETAL_ASSERT_OK(TaoComputeEqualityConstraints(tao, x, tao->constraints_equality));
    p->Constraints(pt.data(), cref.data());
    EXPECT_LE(VecDeviation(tao->constraints_equality, cref), 1e-14) << "constraints";
    PETAL_ASSERT_OK(TaoComputeJacobianEquality(tao, x, tao->jacobian_equality, tao->jacobian_equality_pre));
    EXPECT_LE(MatDeviation(tao->jacobian_equality, petal::nlp::DenseJacobian(*p, pt.data()), n), 1e-14) << "Jacobian";
    PETAL_ASSERT_OK(TaoComputeHessian(tao, x, tao->hessian, tao->hessian_pre));
    EXPECT_LE(MatDeviation(tao->hessian, petal::nlp::DenseHessian(*p, pt.data(), 1.0, lambda.data()), n), 1e-13) << "Hessian of L";
  }
  /* The independent KKT check uses the Tao's multipliers. */
  PetscReal kkt, f;
  PETAL_ASSERT_OK(petal::NLPTaoKKTResidual(*p, tao, &kkt, &f));
  double gl, cn;
  petal::NLPKKTResidual(*p, xr.data(), lambda.data(), &gl, &cn);
  EXPECT_NEAR(kkt, std::hypot(gl, cn), 1e-12 * std::max(1.0, kkt));
  tao->DE = nullptr;
  PETAL_ASSERT_OK(VecDestroy(&DE));
  PETAL_ASSERT_OK(VecDestroy(&g));
  PETAL_ASSERT_OK(TaoDestroy(&tao));
}

std::string TestName(std::string name) {
  for (char &ch : name)
    if (!std::isalnum((unsigned char)ch)) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(NLP, Adapter, ::testing::ValuesIn(AdapterProblems()), [](const auto &info) { return TestName(info.param); });

/* Solves one problem with a TAO type and options (set in the options database for this solve only), returns TAO's
 * reason, the independent KKT residual and f. */
void Solve(const std::string &name, TaoType type, const std::vector<std::pair<std::string, std::string>> &options,
           TaoConvergedReason *reason, PetscReal *kkt, PetscReal *f) {
  const auto p = petal::NLPProblemCreate(name);
  Tao        tao;
  PetscCallAbort(PETSC_COMM_WORLD, TaoCreate(PETSC_COMM_WORLD, &tao));
  PetscCallAbort(PETSC_COMM_WORLD, petal::NLPTaoSetUp(PETSC_COMM_WORLD, *p, tao));
  PetscCallAbort(PETSC_COMM_WORLD, TaoSetType(tao, type));
  /* Tolerances through the options database: TAOALMM's creation (in TaoSetFromOptions) replaces those set by
   * TaoSetTolerances before it. */
  std::vector<std::pair<std::string, std::string>> all = {{"tao_gatol", "1e-8"}, {"tao_catol", "1e-8"}, {"tao_grtol", "0"},
                                                          {"tao_gttol", "0"},    {"tao_crtol", "0"},    {"tao_max_it", "500"}};
  all.insert(all.end(), options.begin(), options.end());
  for (const auto &o : all) PetscCallAbort(PETSC_COMM_WORLD, PetscOptionsSetValue(nullptr, ("-" + o.first).c_str(), o.second.c_str()));
  PetscCallAbort(PETSC_COMM_WORLD, TaoSetFromOptions(tao));
  PetscCallAbort(PETSC_COMM_WORLD, TaoSolve(tao));
  PetscCallAbort(PETSC_COMM_WORLD, TaoGetConvergedReason(tao, reason));
  PetscCallAbort(PETSC_COMM_WORLD, petal::NLPTaoKKTResidual(*p, tao, kkt, f));
  for (const auto &o : all) PetscCallAbort(PETSC_COMM_WORLD, PetscOptionsClearValue(nullptr, ("-" + o.first).c_str()));
  PetscCallAbort(PETSC_COMM_WORLD, TaoDestroy(&tao));
}

double KnownOptimum(const std::string &name) {
  double f = NAN;
  EXPECT_TRUE(petal::NLPProblemCreate(name)->KnownOptimum(&f));
  return f;
}

/* TAOPDIPM with a direct KKT solve by MUMPS (LU: the nonsymmetric KKT form, which works where PETSc 3.18's
 * symmetric form stops in KKTAddShifts, e.g. HS7 from (2, 2)). */
TEST(Solvers, PdipmWithMumpsReachesTheKnownOptima) {
  const std::vector<std::pair<std::string, std::string>> opts = {
    {"tao_pdipm_symmetric_kkt", "0"}, {"ksp_type", "preonly"}, {"pc_type", "lu"}, {"pc_factor_mat_solver_type", "mumps"}};
  PetscMPIInt size;
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  /* On 2 ranks PETSc 3.18's PDIPM stops with MUMPS INFOG(1) = -3 in its KKT solve on HS6 and HS7 (n = 2, m = 1),
   * through this adapter and otherwise identical runs that converge on 1 rank: they are tested on 1 rank only. */
  std::vector<const char *> names = {"hs28", "hs40", "hs42", "poisson_paper_n3"};
  if (size == 1) names.insert(names.end(), {"hs6", "hs7"});
  for (const char *name : names) {
    TaoConvergedReason reason;
    PetscReal          kkt, f;
    Solve(name, TAOPDIPM, opts, &reason, &kkt, &f);
    EXPECT_GT(reason, 0) << name << ": " << TaoConvergedReasons[reason];
    EXPECT_LE(kkt, 1e-7) << name;
    const double fs = KnownOptimum(name);
    EXPECT_NEAR(f, fs, 1e-6 * std::max(1.0, std::fabs(fs))) << name;
  }
}

TEST(Solvers, AlmmReachesTheKnownOptima) {
  for (const char *name : {"hs28", "hs40", "hs42"}) {
    TaoConvergedReason reason;
    PetscReal          kkt, f;
    Solve(name, TAOALMM, {}, &reason, &kkt, &f);
    EXPECT_GT(reason, 0) << name << ": " << TaoConvergedReasons[reason];
    EXPECT_LE(kkt, 1e-7) << name;
    const double fs = KnownOptimum(name);
    EXPECT_NEAR(f, fs, 1e-6 * std::max(1.0, std::fabs(fs))) << name;
  }
}

} // namespace
