// PC dcdm and KSP dcdm on 3-D Poisson problems (DMDA matrices), on 1 and 2 ranks:
//  - KSP dcdm + PC dcdm and KSP fcg (mmax 2, standard truncation) + PC dcdm make the same iterates: residual
//    histories and solutions agree (FCG updates its residual recursively, DCDM recomputes b - Ax: they differ by
//    rounding only, which the float64 network carries through);
//  - GCR and FGMRES converge with PC dcdm;
//  - KSP dcdm with PCJACOBI (and PCNONE) on an SPD matrix takes CG's iterations; an indefinite matrix stops it with
//    KSP_DIVERGED_INDEFINITE_MAT and a finite x;
//  - the PC itself: zero in -> zero out, positively homogeneous, output masked (identity rows) and of zero mean
//    on a Neumann problem, -ksp_view contents;
//  - clear errors, the same on every rank: a matrix without a DMDA, a 2-D DMDA, an odd grid, a bad weights file,
//    the default weights missing (the message names -pc_dcdm_weights).
#include "dcdm_problems.hpp"
#include <petal/dcdm.h>
#include <hdf5.h>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace {
using namespace dcdm_test;

struct Solve {
  std::vector<PetscReal> history;
  KSPConvergedReason     reason = KSP_CONVERGED_ITERATING;
  PetscInt               its    = 0;
  double                 relres = 0;
  Vec                    x      = nullptr;
  ~Solve() { VecDestroy(&x); }
};

// Solves A x = b with the given options (a fresh KSP, options under a unique prefix so that tests do not see
// each other's), recording the residual history.
void SolveWith(Mat A, Vec b, const std::string &options, Solve *s, KSP *keep = nullptr)
{
  static int  count = 0;
  const std::string prefix = "t" + std::to_string(count++) + "_";
  KSP         ksp;
  std::string opts;
  std::istringstream in(options);
  for (std::string tok; in >> tok;) opts += (tok[0] == '-' ? "-" + prefix + tok.substr(1) : tok) + " ";
  ASSERT_EQ(PetscOptionsInsertString(NULL, opts.c_str()), 0);
  ASSERT_EQ(KSPCreate(Comm(), &ksp), 0);
  ASSERT_EQ(KSPSetOptionsPrefix(ksp, prefix.c_str()), 0);
  ASSERT_EQ(KSPSetOperators(ksp, A, A), 0);
  ASSERT_EQ(KSPSetResidualHistory(ksp, NULL, PETSC_DECIDE, PETSC_TRUE), 0);
  ASSERT_EQ(KSPSetFromOptions(ksp), 0);
  ASSERT_EQ(VecDuplicate(b, &s->x), 0);
  ASSERT_EQ(KSPSolve(ksp, b, s->x), 0);
  ASSERT_EQ(KSPGetConvergedReason(ksp, &s->reason), 0);
  ASSERT_EQ(KSPGetIterationNumber(ksp, &s->its), 0);
  const PetscReal *h;
  PetscInt         n;
  ASSERT_EQ(KSPGetResidualHistory(ksp, &h, &n), 0);
  s->history.assign(h, h + n);
  s->relres = RelativeResidual(A, b, s->x);
  if (keep) *keep = ksp;
  else KSPDestroy(&ksp);
}

// The network of these tests: a two-level smoother with a small nonlinear perturbation (dcdm_problems.hpp).
const std::string &Weights()
{
  static std::string file = SmootherWeightsFile(0.05);
  return file;
}
const std::string PCDCDM64 = " -pc_type dcdm -pc_dcdm_precision float64 -pc_dcdm_weights ";

TEST(DCDMSolvers, FCGReproducesKSPDCDM)
{
  DM                da = Grid(8, 8, 8);
  Mat               A  = Laplacian(da, Boundary::Dirichlet);
  Vec               b  = RightHandSide(da);
  const std::string pc = PCDCDM64 + Weights() + " -ksp_rtol 1e-8 -ksp_max_it 80";
  Solve             dcdm, fcg;
  SolveWith(A, b, "-ksp_type dcdm" + pc, &dcdm);
  SolveWith(A, b, "-ksp_type fcg -ksp_fcg_mmax 2 -ksp_fcg_truncation_type standard -ksp_norm_type unpreconditioned" + pc, &fcg);
  EXPECT_EQ(dcdm.reason, KSP_CONVERGED_RTOL);
  EXPECT_EQ(fcg.reason, KSP_CONVERGED_RTOL);
  EXPECT_GT(dcdm.its, 10) << "too easy to tell the methods apart";
  EXPECT_EQ(dcdm.its, fcg.its);
  // FCG's residual is recursive, DCDM's recomputed: they differ by rounding, about eps ||b|| cond(A) in absolute
  // terms, which the network (float64) carries into the next directions. Absolute: 1e-10 ||b||; relative to the
  // residual itself (which falls to 1e-8 ||b||): 1e-6.
  const size_t n        = std::min(dcdm.history.size(), fcg.history.size());
  double       absolute = 0, relative = 0;
  for (size_t i = 0; i < n; ++i) {
    absolute = std::max(absolute, std::fabs(dcdm.history[i] - fcg.history[i]) / dcdm.history[0]);
    relative = std::max(relative, std::fabs(dcdm.history[i] - fcg.history[i]) / dcdm.history[i]);
  }
  std::printf("DCDM %d iterations, FCG %d; residual histories differ by at most %.3g ||b|| (%.3g relative)\n", (int)dcdm.its, (int)fcg.its, absolute, relative);
  EXPECT_LE(absolute, 1e-10);
  EXPECT_LE(relative, 1e-6);
  Vec       d;
  PetscReal dn, xn;
  ASSERT_EQ(VecDuplicate(dcdm.x, &d), 0);
  ASSERT_EQ(VecWAXPY(d, -1.0, fcg.x, dcdm.x), 0);
  ASSERT_EQ(VecNorm(d, NORM_2, &dn), 0);
  ASSERT_EQ(VecNorm(dcdm.x, NORM_2, &xn), 0);
  EXPECT_LE(dn / xn, 1e-8) << "the solutions differ";
  EXPECT_LE(dcdm.relres, 1e-8);
  VecDestroy(&d);
  VecDestroy(&b);
  MatDestroy(&A);
  DMDestroy(&da);
}

TEST(DCDMSolvers, GCRAndFGMRESConvergeWithPCDCDM)
{
  DM  da = Grid(8, 8, 8);
  Mat A  = Laplacian(da, Boundary::Dirichlet);
  Vec b  = RightHandSide(da);
  for (const char *ksp : {"-ksp_type gcr", "-ksp_type fgmres", "-ksp_type dcdm"})
    for (const char *precision : {"float32", "float64"}) {
      SCOPED_TRACE(std::string(ksp) + " " + precision);
      Solve s;
      SolveWith(A, b, std::string(ksp) + " -pc_type dcdm -pc_dcdm_precision " + precision + " -pc_dcdm_weights " + Weights() + " -ksp_rtol 1e-6 -ksp_max_it 200", &s);
      std::printf("%s + PC dcdm (%s): %s in %d iterations, ||b - Ax||/||b|| = %.3g\n", ksp, precision, KSPConvergedReasons[s.reason], (int)s.its, s.relres);
      EXPECT_GT(s.reason, 0);
      EXPECT_LE(s.relres, 1.5e-6);
    }
  VecDestroy(&b);
  MatDestroy(&A);
  DMDestroy(&da);
}

// KSP dcdm with a fixed SPD preconditioner is preconditioned CG (its two-term A-orthogonalisation is CG's).
TEST(DCDMSolvers, WithJacobiOrNoPCItIsCG)
{
  DM  da = Grid(10, 8, 6);
  Mat A  = Laplacian(da, Boundary::Dirichlet);
  Vec b  = RightHandSide(da), d;
  // A varying positive diagonal, so that Jacobi is not a multiple of the identity.
  ASSERT_EQ(VecDuplicate(b, &d), 0);
  ASSERT_EQ(VecCopy(b, d), 0);
  ASSERT_EQ(VecAbs(d), 0);
  ASSERT_EQ(VecScale(d, 4.0), 0);
  ASSERT_EQ(MatDiagonalSet(A, d, ADD_VALUES), 0);
  for (const char *pc : {"jacobi", "none"}) {
    SCOPED_TRACE(pc);
    Solve dcdm, cg;
    const std::string common = std::string(" -pc_type ") + pc + " -ksp_rtol 1e-10 -ksp_max_it 500";
    SolveWith(A, b, "-ksp_type dcdm" + common, &dcdm);
    SolveWith(A, b, "-ksp_type cg -ksp_norm_type unpreconditioned" + common, &cg);
    std::printf("PC %s: KSP dcdm %d iterations, KSP cg %d\n", pc, (int)dcdm.its, (int)cg.its);
    EXPECT_EQ(dcdm.reason, KSP_CONVERGED_RTOL);
    EXPECT_EQ(cg.reason, KSP_CONVERGED_RTOL);
    EXPECT_LE(std::abs(dcdm.its - cg.its), 1);
    EXPECT_LE(dcdm.relres, 1e-10);
    // The same iterates: the residual histories agree while rounding allows.
    for (size_t i = 0; i < std::min<size_t>(10, std::min(dcdm.history.size(), cg.history.size())); ++i) EXPECT_NEAR(dcdm.history[i], cg.history[i], 1e-8 * dcdm.history[0]) << "iteration " << i;
  }
  // With k = 0 directions it is steepest descent in the A-norm: slower than CG.
  Solve sd;
  SolveWith(A, b, "-ksp_type dcdm -ksp_dcdm_directions 0 -pc_type none -ksp_rtol 1e-10 -ksp_max_it 3000", &sd);
  Solve cg;
  SolveWith(A, b, "-ksp_type cg -ksp_norm_type unpreconditioned -pc_type none -ksp_rtol 1e-10 -ksp_max_it 500", &cg);
  EXPECT_GT(sd.its, 2 * cg.its);
  VecDestroy(&d);
  VecDestroy(&b);
  MatDestroy(&A);
  DMDestroy(&da);
}

std::string ViewText(KSP ksp, const std::string &name)
{
  PetscViewer v;
  const std::string file = "dcdm_view_" + name + "_np" + std::to_string(Size()) + ".txt";
  EXPECT_EQ(PetscViewerASCIIOpen(Comm(), file.c_str(), &v), 0);
  EXPECT_EQ(KSPView(ksp, v), 0);
  EXPECT_EQ(PetscViewerDestroy(&v), 0);
  std::ifstream      in(file);
  std::ostringstream text;
  text << in.rdbuf();
  MPI_Barrier(Comm());
  if (Rank() == 0) std::remove(file.c_str());
  return text.str(); // rank 0's; the others may read an empty or partial file, so only rank 0 checks
}

TEST(DCDMSolvers, IndefiniteMatrixStopsWithDivergedIndefiniteMat)
{
  DM  da = Grid(8, 8, 8);
  Mat A  = Laplacian(da, Boundary::Dirichlet, -1.0);
  Vec b  = RightHandSide(da);
  for (const std::string pc : {std::string(" -pc_type none"), std::string(" -pc_type jacobi"), PCDCDM64 + Weights()}) {
    SCOPED_TRACE(pc);
    Solve s;
    KSP   ksp;
    SolveWith(A, b, "-ksp_type dcdm -ksp_max_it 50" + pc, &s, &ksp);
    EXPECT_EQ(s.reason, KSP_DIVERGED_INDEFINITE_MAT);
    EXPECT_EQ(s.its, 0) << "p^T A p < 0 on the first direction already";
    PetscReal xn;
    ASSERT_EQ(VecNorm(s.x, NORM_2, &xn), 0);
    EXPECT_TRUE(std::isfinite(xn));
    EXPECT_EQ(xn, 0.0) << "no step was taken";
    const std::string view = ViewText(ksp, "indefinite");
    if (Rank() == 0) DCDM_EXPECT_CONTAINS(view, "is not positive (the matrix is not positive definite on that direction): DIVERGED_INDEFINITE_MAT");
    KSPDestroy(&ksp);
  }
  VecDestroy(&b);
  MatDestroy(&A);
  DMDestroy(&da);
}

// ---- the PC itself ----
struct PCFixture {
  DM  da  = nullptr;
  Mat A   = nullptr;
  KSP ksp = nullptr;
  PC  pc  = nullptr;
  PCFixture(Boundary bc, const std::string &options)
  {
    da = Grid(8, 6, 10);
    A  = Laplacian(da, bc);
    static int count = 0;
    const std::string prefix = "pc" + std::to_string(count++) + "_";
    std::string       opts;
    std::istringstream in(options);
    for (std::string tok; in >> tok;) opts += (tok[0] == '-' ? "-" + prefix + tok.substr(1) : tok) + " ";
    EXPECT_EQ(PetscOptionsInsertString(NULL, opts.c_str()), 0);
    EXPECT_EQ(KSPCreate(Comm(), &ksp), 0);
    EXPECT_EQ(KSPSetOptionsPrefix(ksp, prefix.c_str()), 0);
    EXPECT_EQ(KSPSetOperators(ksp, A, A), 0);
    EXPECT_EQ(KSPSetFromOptions(ksp), 0);
    EXPECT_EQ(KSPGetPC(ksp, &pc), 0);
    EXPECT_EQ(KSPSetUp(ksp), 0);
  }
  ~PCFixture()
  {
    KSPDestroy(&ksp);
    MatDestroy(&A);
    DMDestroy(&da);
  }
  Vec Apply(Vec r)
  {
    Vec z;
    EXPECT_EQ(VecDuplicate(r, &z), 0);
    EXPECT_EQ(PCApply(pc, r, z), 0);
    return z;
  }
};

double Norm(Vec v)
{
  PetscReal n;
  EXPECT_EQ(VecNorm(v, NORM_2, &n), 0);
  return n;
}

TEST(DCDMPreconditioner, ZeroHomogeneousAndNonlinear)
{
  PCFixture f(Boundary::Dirichlet, "-ksp_type dcdm" + PCDCDM64 + Weights());
  Vec       r = RightHandSide(f.da), r2, zero;
  ASSERT_EQ(VecDuplicate(r, &zero), 0);
  ASSERT_EQ(VecSet(zero, 0.0), 0);
  Vec z0 = f.Apply(zero);
  EXPECT_EQ(Norm(z0), 0.0) << "zero in, zero out";
  PetscInt apps;
  ASSERT_EQ(PCDCDMGetNetworkStats(f.pc, &apps, NULL), 0);
  EXPECT_EQ(apps, 0) << "a zero residual does not run the network";
  // PC(a r) = a PC(r) for a > 0: the network sees the same unit-norm input.
  ASSERT_EQ(VecDuplicate(r, &r2), 0);
  ASSERT_EQ(VecCopy(r, r2), 0);
  ASSERT_EQ(VecScale(r2, 1e3), 0);
  Vec z1 = f.Apply(r), z2 = f.Apply(r2);
  EXPECT_GT(Norm(z1), 0.0);
  ASSERT_EQ(VecAXPY(z2, -1e3, z1), 0);
  EXPECT_LE(Norm(z2), 1e-12 * 1e3 * Norm(z1));
  // ... but the network itself is not linear: f(-r) != -f(r).
  ASSERT_EQ(VecScale(r2, -1.0), 0);
  Vec z3 = f.Apply(r2);
  ASSERT_EQ(VecAXPY(z3, 1e3, z1), 0);
  EXPECT_GT(Norm(z3), 1e-6 * 1e3 * Norm(z1)) << "the test network should be nonlinear";
  ASSERT_EQ(PCDCDMGetNetworkStats(f.pc, &apps, NULL), 0);
  EXPECT_EQ(apps, 3);
  for (Vec *v : {&r, &r2, &zero, &z0, &z1, &z2, &z3}) VecDestroy(v);
}

// Sum of v over the cells where mask is 1, and the largest |v| where it is 0.
void MaskedSums(Vec v, Vec mask, double *sum, double *outside)
{
  const PetscScalar *a, *m;
  PetscInt           n;
  double             s = 0, o = 0;
  EXPECT_EQ(VecGetLocalSize(v, &n), 0);
  EXPECT_EQ(VecGetArrayRead(v, &a), 0);
  EXPECT_EQ(VecGetArrayRead(mask, &m), 0);
  for (PetscInt i = 0; i < n; ++i) {
    if (m[i] != 0.0) s += a[i];
    else o = std::max(o, std::fabs(a[i]));
  }
  EXPECT_EQ(VecRestoreArrayRead(mask, &m), 0);
  EXPECT_EQ(VecRestoreArrayRead(v, &a), 0);
  MPI_Allreduce(&s, sum, 1, MPI_DOUBLE, MPI_SUM, Comm());
  MPI_Allreduce(&o, outside, 1, MPI_DOUBLE, MPI_MAX, Comm());
}

// 1 on interior cells, 0 on the boundary layer (the identity rows of Boundary::DirichletRows).
Vec InteriorMask(DM da)
{
  Vec      m;
  PetscInt M, N, P, xs, ys, zs, xm, ym, zm;
  EXPECT_EQ(DMDAGetInfo(da, NULL, &M, &N, &P, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL), 0);
  EXPECT_EQ(DMDAGetCorners(da, &xs, &ys, &zs, &xm, &ym, &zm), 0);
  EXPECT_EQ(DMCreateGlobalVector(da, &m), 0);
  PetscScalar ***a;
  EXPECT_EQ(DMDAVecGetArray(da, m, &a), 0);
  for (PetscInt k = zs; k < zs + zm; ++k)
    for (PetscInt j = ys; j < ys + ym; ++j)
      for (PetscInt i = xs; i < xs + xm; ++i) a[k][j][i] = (i == 0 || j == 0 || k == 0 || i == M - 1 || j == N - 1 || k == P - 1) ? 0.0 : 1.0;
  EXPECT_EQ(DMDAVecRestoreArray(da, m, &a), 0);
  return m;
}

TEST(DCDMPreconditioner, MaskAndConstantRemoval)
{
  {
    // Identity rows are not unknowns: the output is zero there.
    PCFixture f(Boundary::DirichletRows, "-ksp_type dcdm" + PCDCDM64 + Weights());
    Vec       r = RightHandSide(f.da), mask = InteriorMask(f.da), z = f.Apply(r);
    double    sum, outside;
    MaskedSums(z, mask, &sum, &outside);
    EXPECT_EQ(outside, 0.0);
    EXPECT_GT(std::fabs(sum), 1e-3 * Norm(z)) << "the constant is kept without a null space";
    const std::string view = ViewText(f.ksp, "mask");
    if (Rank() == 0) {
      DCDM_EXPECT_CONTAINS(view, "mask auto: rows whose only nonzero is the diagonal are not unknowns: 192 unknowns of 480 cells");
      DCDM_EXPECT_CONTAINS(view, "constant component of the output: kept (the matrix has no constant null space)");
    }
    VecDestroy(&z);
    // The same mask given explicitly, and forced constant removal.
    ASSERT_EQ(PCDCDMSetCellMask(f.pc, mask), 0);
    ASSERT_EQ(PCDCDMSetRemoveConstant(f.pc, PETSC_TRUE), 0);
    ASSERT_EQ(PCSetUp(f.pc), 0);
    z = f.Apply(r);
    MaskedSums(z, mask, &sum, &outside);
    EXPECT_EQ(outside, 0.0);
    EXPECT_LE(std::fabs(sum), 1e-12 * Norm(z) * 480);
    VecDestroy(&z);
    ASSERT_EQ(PCDCDMSetCellMask(f.pc, NULL), 0);
    VecDestroy(&mask);
    VecDestroy(&r);
  }
  {
    PCFixture f(Boundary::DirichletRows, "-ksp_type dcdm -pc_dcdm_mask none" + PCDCDM64 + Weights());
    Vec       r = RightHandSide(f.da), mask = InteriorMask(f.da), z = f.Apply(r);
    double    sum, outside;
    MaskedSums(z, mask, &sum, &outside);
    EXPECT_GT(outside, 0.0) << "with -pc_dcdm_mask none the boundary cells get output too";
    for (Vec *v : {&r, &mask, &z}) VecDestroy(v);
  }
  {
    // A Neumann matrix with a constant null space: the output has zero mean, and the solve converges.
    PCFixture f(Boundary::Neumann, "-ksp_type dcdm -ksp_rtol 1e-6 -ksp_max_it 200" + PCDCDM64 + Weights());
    Vec       r = RightHandSide(f.da, false, true), mask, z = f.Apply(r), x;
    ASSERT_EQ(VecDuplicate(r, &mask), 0);
    ASSERT_EQ(VecSet(mask, 1.0), 0);
    double sum, outside;
    MaskedSums(z, mask, &sum, &outside);
    EXPECT_LE(std::fabs(sum), 1e-12 * Norm(z) * 480);
    const std::string view = ViewText(f.ksp, "neumann");
    if (Rank() == 0) DCDM_EXPECT_CONTAINS(view, "constant component of the output: removed (the matrix has a constant null space)");
    ASSERT_EQ(VecDuplicate(r, &x), 0);
    ASSERT_EQ(KSPSolve(f.ksp, r, x), 0);
    KSPConvergedReason reason;
    PetscInt           its;
    ASSERT_EQ(KSPGetConvergedReason(f.ksp, &reason), 0);
    ASSERT_EQ(KSPGetIterationNumber(f.ksp, &its), 0);
    std::printf("Neumann 8x6x10, KSP dcdm + PC dcdm: %s in %d iterations\n", KSPConvergedReasons[reason], (int)its);
    EXPECT_EQ(reason, KSP_CONVERGED_RTOL);
    EXPECT_LE(RelativeResidual(f.A, r, x), 1e-6);
    for (Vec *v : {&r, &mask, &z, &x}) VecDestroy(v);
  }
}

TEST(DCDMPreconditioner, ViewShowsTheNetwork)
{
  PCFixture f(Boundary::Dirichlet, "-ksp_type dcdm -ksp_rtol 1e-4" + PCDCDM64 + Weights());
  Vec       b = RightHandSide(f.da), x;
  ASSERT_EQ(VecDuplicate(b, &x), 0);
  ASSERT_EQ(KSPSolve(f.ksp, b, x), 0);
  PetscInt       its, apps;
  PetscLogDouble seconds;
  ASSERT_EQ(KSPGetIterationNumber(f.ksp, &its), 0);
  ASSERT_EQ(PCDCDMGetNetworkStats(f.pc, &apps, &seconds), 0);
  EXPECT_EQ(apps, its) << "one network application per iteration";
  EXPECT_GT(seconds, 0.0);
  const char       *file;
  PetalCNNPrecision precision;
  ASSERT_EQ(PCDCDMGetWeightsFile(f.pc, &file), 0);
  ASSERT_EQ(PCDCDMGetPrecision(f.pc, &precision), 0);
  EXPECT_EQ(std::string(file), Weights());
  EXPECT_EQ(precision, PETAL_CNN_FLOAT64);
  const std::string view = ViewText(f.ksp, "network");
  if (Rank() == 0) {
    for (const std::string &part : std::vector<std::string>{"type: dcdm", "DCDM: directions A-orthogonalised (classical Gram-Schmidt) against the last 2", "weights file " + Weights(),
                                     std::string("network: arch from64, 16 channels, residual pairs 2/3/2 (fine/coarse/up), 97457 parameters, precision float64"), std::string("grid 8 x 6 x 10"),
                                     std::string("mask auto"), "network applications " + std::to_string(apps), std::string("network time")})
      DCDM_EXPECT_CONTAINS(view, part);
  }
  // Setters after a solve take effect at the next one: precision, then another weights file.
  ASSERT_EQ(PCDCDMSetPrecision(f.pc, PETAL_CNN_FLOAT32), 0);
  ASSERT_EQ(KSPSolve(f.ksp, b, x), 0);
  std::string again = ViewText(f.ksp, "float32");
  if (Rank() == 0) DCDM_EXPECT_CONTAINS(again, "97457 parameters, precision float32");
  petal::cnn::NetSpec small;
  small.arch = "custom", small.channels = 4, small.fine_pairs = 1, small.coarse_pairs = 1, small.up_pairs = 1;
  const std::string other = TestFile("custom_small");
  ASSERT_EQ(PetalDCDMWeightsSave(Comm(), other.c_str(), petal::cnn::RandomWeights(small, 3), petal::DCDMTrainingInfo()), 0);
  ASSERT_EQ(PCDCDMSetWeightsFile(f.pc, other.c_str()), 0);
  ASSERT_EQ(KSPSolve(f.ksp, b, x), 0);
  again = ViewText(f.ksp, "custom");
  if (Rank() == 0) {
    DCDM_EXPECT_CONTAINS(again, "weights file " + other);
    DCDM_EXPECT_CONTAINS(again, "network: arch custom, 4 channels, residual pairs 1/1/1");
  }
  MPI_Barrier(Comm());
  if (Rank() == 0) std::remove(other.c_str());
  VecDestroy(&b);
  VecDestroy(&x);
}

// ---- errors ----
std::string SetUpFailure(Mat A, const std::string &options, const char *what)
{
  static int count = 0;
  const std::string prefix = "err" + std::to_string(count++) + "_";
  std::string       opts;
  std::istringstream in(options);
  for (std::string tok; in >> tok;) opts += (tok[0] == '-' ? "-" + prefix + tok.substr(1) : tok) + " ";
  EXPECT_EQ(PetscOptionsInsertString(NULL, opts.c_str()), 0);
  KSP ksp;
  EXPECT_EQ(KSPCreate(Comm(), &ksp), 0);
  EXPECT_EQ(KSPSetOptionsPrefix(ksp, prefix.c_str()), 0);
  EXPECT_EQ(KSPSetOperators(ksp, A, A), 0);
  EXPECT_EQ(KSPSetFromOptions(ksp), 0);
  const std::string msg = FailureMessage([&] { return KSPSetUp(ksp); }, what);
  {
    PETAL_EXPECTED_FAILURE_SCOPE;
    KSPDestroy(&ksp);
  }
  return msg;
}

TEST(DCDMPreconditioner, UnsuitableMatricesAndWeightsAreRefused)
{
  const std::string pc = "-ksp_type dcdm -pc_type dcdm -pc_dcdm_weights " + Weights();
  {
    Mat A;
    ASSERT_EQ(MatCreateAIJ(Comm(), PETSC_DECIDE, PETSC_DECIDE, 64, 64, 1, NULL, 0, NULL, &A), 0);
    PetscInt rs, re;
    ASSERT_EQ(MatGetOwnershipRange(A, &rs, &re), 0);
    for (PetscInt i = rs; i < re; ++i) ASSERT_EQ(MatSetValue(A, i, i, 1.0, INSERT_VALUES), 0);
    ASSERT_EQ(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY), 0);
    ASSERT_EQ(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY), 0);
    DCDM_EXPECT_CONTAINS(SetUpFailure(A, pc, "AIJ"), "PC dcdm needs a matrix from a 3-D DMDA (DMCreateMatrix on the DMDA, or KSPSetDM): this matrix has no DM");
    MatDestroy(&A);
  }
  {
    DM  da;
    Mat A;
    ASSERT_EQ(DMDACreate2d(Comm(), DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_STAR, 8, 8, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, &da), 0);
    ASSERT_EQ(DMSetUp(da), 0);
    ASSERT_EQ(DMCreateMatrix(da, &A), 0);
    ASSERT_EQ(MatShift(A, 1.0), 0);
    DCDM_EXPECT_CONTAINS(SetUpFailure(A, pc, "2-D"), "PC dcdm: the network is 3-D (3x3x3 convolutions), the DMDA is 2-D");
    MatDestroy(&A);
    DMDestroy(&da);
  }
  {
    DM  da = Grid(8, 8, 7);
    Mat A  = Laplacian(da, Boundary::Dirichlet);
    DCDM_EXPECT_CONTAINS(SetUpFailure(A, pc, "odd"), "PC dcdm: the grid is 8 x 8 x 7 cells; the network's 2x2x2 average pooling cannot halve the z size 7");
    MatDestroy(&A);
    DMDestroy(&da);
  }
  {
    DM                da = Grid(8, 8, 8);
    Mat               A  = Laplacian(da, Boundary::Dirichlet);
    const std::string text = TestFile("not_weights");
    if (Rank() == 0) std::ofstream(text) << "weights\n";
    MPI_Barrier(Comm());
    DCDM_EXPECT_CONTAINS(SetUpFailure(A, "-ksp_type dcdm -pc_type dcdm -pc_dcdm_weights " + text, "not HDF5"), "cannot load DCDM weights from \"" + text + "\": it is not an HDF5 file");
    // Weights of another architecture than their attributes say.
    const std::string other = TestFile("custom_channels");
    petal::cnn::NetSpec spec;
    spec.arch = "custom", spec.channels = 4, spec.fine_pairs = 1, spec.coarse_pairs = 1, spec.up_pairs = 1;
    ASSERT_EQ(PetalDCDMWeightsSave(Comm(), other.c_str(), petal::cnn::RandomWeights(spec, 1), petal::DCDMTrainingInfo()), 0);
    if (Rank() == 0) {
      hid_t f = H5Fopen(other.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
      H5Ldelete(f, "/dcdm/conv03", H5P_DEFAULT);
      H5Fclose(f);
    }
    MPI_Barrier(Comm());
    DCDM_EXPECT_CONTAINS(SetUpFailure(A, "-ksp_type dcdm -pc_type dcdm -pc_dcdm_weights " + other, "missing conv"), "but /dcdm/conv03 is missing");
    // No weights file given: the bundled default, which must exist; the message names the option.
    KSP         probe;
    PC          ppc;
    const char *def;
    ASSERT_EQ(KSPCreate(Comm(), &probe), 0);
    ASSERT_EQ(KSPGetPC(probe, &ppc), 0);
    ASSERT_EQ(PCSetType(ppc, PCDCDM), 0);
    ASSERT_EQ(PCDCDMGetWeightsFile(ppc, &def), 0);
    const bool hasDefault = std::ifstream(def).good();
    KSPDestroy(&probe);
    if (!hasDefault) {
      const std::string msg = SetUpFailure(A, "-ksp_type dcdm -pc_type dcdm", "no default weights");
      DCDM_EXPECT_CONTAINS(msg, "PC dcdm: no weights file was given and the bundled default weights");
      DCDM_EXPECT_CONTAINS(msg, "pc_dcdm_weights FILE (PCDCDMSetWeightsFile)");
    }
    MPI_Barrier(Comm());
    if (Rank() == 0) std::remove(text.c_str()), std::remove(other.c_str());
    MatDestroy(&A);
    DMDestroy(&da);
  }
}

} // namespace
