// Timings for the report (not a test): built with the tests, run by hand.
//   adasketch_sketch_timing -mode sketch [-N 64] [-steps 200000] [-gsteps 2000]
//     sketch steps per second on the paper's Poisson control KKT (reference vs Kokkos, Kaczmarz and Gaussian, q 1, 3)
//   adasketch_sketch_timing -mode spectra [-N 64] [-dim 2] [-dense 0]
//     ComputeKKTSpectra on the Poisson control H, G against the closed form, and one MUMPS LU solve of the KKT
//     system for scale (the cost of a direct KKT solve).
#include "kkt_test_mats.hpp"
#include "kkt_test_systems.hpp"
#include "solvers/adasketch/sketch/kkt_spectra.hpp"
#include <petal/petal.h>
#include <petscksp.h>
#include <chrono>
#include <cstdio>

namespace {
double Now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

PetscErrorCode SketchThroughput(PetscInt N, PetscInt steps, PetscInt gsteps)
{
  using namespace petal::adasketch;
  PetscFunctionBegin;
  std::vector<double> g;
  const KKTCsr        K = kkt_test::PaperControlKKT(N, &g);
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "Poisson control KKT N = %d: n = %lld, nnz = %lld\n", (int)N, (long long)K.n, (long long)K.rowptr.back()));
  for (SketchKind kind : {SketchKind::Kaczmarz, SketchKind::Gaussian})
    for (int q : {1, 3})
      for (int backend = 0; backend < 2; ++backend) {
        SketchSettings s;
        s.kind  = kind;
        s.block = q;
        auto solver = backend == 0 ? MakeReferenceSketchSolver(s) : MakeKokkosSketchSolver(s);
        solver->SetOperator(K);
        std::vector<double> z(K.n, 0.0);
        const PetscInt      n  = kind == SketchKind::Kaczmarz ? steps : gsteps;
        const double        t0 = Now();
        const SketchStats   st = solver->Solve(z, g, 0.0, n, 1);
        const double        dt = Now() - t0;
        PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  %-8s q=%d %-9s %8lld steps %8.3f s  %10.0f steps/s  |r| %.3e -> %.3e\n", kind == SketchKind::Kaczmarz ? "kaczmarz" : "gaussian", q,
                              backend == 0 ? "reference" : "kokkos", (long long)st.steps, dt, st.steps / dt, kkt_test::Norm(g), st.residualNorm));
      }
  PetscFunctionReturn(0);
}

PetscErrorCode SpectraTiming(PetscInt N, PetscInt dim, PetscBool dense, PetscBool kkt)
{
  using namespace petal::adasketch;
  PetscFunctionBegin;
  const double h = 2.0 / (N + 1);
  Mat          H, G;
  PetscCall(kkt_mats::PoissonControl(PETSC_COMM_WORLD, N, (int)dim, h, 1.0, 0.1, &H, &G));
  const auto      cf = kkt_mats::PoissonControlSpectra(N, (int)dim, h, 1.0, 0.1);
  SpectraSettings s;
  s.denseLimit = dense ? 1000000 : 0;
  s.norm       = NormKind::Frobenius;
  PetscCall(PetscOptionsGetReal(NULL, NULL, "-tol", &s.tol, NULL));
  KKTSpectra sp;
  double     t0 = Now();
  PetscCall(ComputeKKTSpectra(H, G, s, &sp));
  const double dt = Now() - t0;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "spectra %dD N=%d (d=%d m=%d) %s: %.3f s, %d eigensolver its\n  lambda_min(GG^T) %.10g (exact %.10g, rel err %.1e)\n  lambda_min(Z^T H Z) %.10g (exact %.10g, err %.1e)\n",
                        (int)dim, (int)N, (int)(2 * (dim == 2 ? N * N : N * N * N)), (int)(dim == 2 ? N * N : N * N * N), dense ? "dense" : "iterative", dt, (int)sp.iterations, sp.lambdaMinGGt,
                        cf.lambdaMinGGt, std::fabs(sp.lambdaMinGGt - cf.lambdaMinGGt) / cf.lambdaMinGGt, sp.lambdaMinReducedHessian, cf.lambdaMinReduced,
                        std::fabs(sp.lambdaMinReducedHessian - cf.lambdaMinReduced)));
  /* a second call with the same G, as at the next outer iteration of a linearly constrained problem: the G G^T
   * factorisation and lambda_min(G G^T) come from the cache */
  t0 = Now();
  PetscCall(ComputeKKTSpectra(H, G, s, &sp));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  second call, same G: %.3f s, %d eigensolver its\n", Now() - t0, (int)sp.iterations));
  if (kkt) { /* one direct KKT solve for scale: K = [[H, G^T], [G, 0]] by MUMPS LU */
    Mat blocks[4] = {H, NULL, G, NULL}, GT, K, Kaij;
    PetscCall(MatCreateTranspose(G, &GT));
    blocks[1] = GT;
    PetscCall(MatCreateNest(PETSC_COMM_WORLD, 2, NULL, 2, NULL, blocks, &K));
    t0 = Now();
    PetscCall(MatConvert(K, MATAIJ, MAT_INITIAL_MATRIX, &Kaij));
    KSP ksp;
    PC  pc;
    Vec b, x;
    PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
    PetscCall(KSPSetOperators(ksp, Kaij, Kaij));
    PetscCall(KSPSetType(ksp, KSPPREONLY));
    PetscCall(KSPGetPC(ksp, &pc));
    PetscCall(PCSetType(pc, PCLU));
    PetscCall(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
    PetscCall(MatCreateVecs(Kaij, &x, &b));
    PetscCall(VecSet(b, 1.0));
    PetscCall(KSPSolve(ksp, b, x));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "  one MUMPS LU KKT solve (assembly + factorisation + solve): %.3f s\n", Now() - t0));
    PetscCall(KSPDestroy(&ksp));
    PetscCall(VecDestroy(&b));
    PetscCall(VecDestroy(&x));
    PetscCall(MatDestroy(&Kaij));
    PetscCall(MatDestroy(&K));
    PetscCall(MatDestroy(&GT));
  }
  PetscCall(MatDestroy(&H));
  PetscCall(MatDestroy(&G));
  PetscFunctionReturn(0);
}
} // namespace

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, NULL));
  PetscCall(PetalInitializePackage());
  char      mode[32] = "sketch";
  PetscInt  N = 64, steps = 200000, gsteps = 2000, dim = 2;
  PetscBool dense = PETSC_FALSE, kkt = PETSC_FALSE;
  PetscCall(PetscOptionsGetString(NULL, NULL, "-mode", mode, sizeof(mode), NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-N", &N, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-steps", &steps, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-gsteps", &gsteps, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-dim", &dim, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-dense", &dense, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-kkt", &kkt, NULL));
  if (std::string(mode) == "sketch") PetscCall(SketchThroughput(N, steps, gsteps));
  else PetscCall(SpectraTiming(N, dim, dense, kkt));
  PetscCall(PetscFinalize());
  return 0;
}
