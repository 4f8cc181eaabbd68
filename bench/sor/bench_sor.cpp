// Benchmark: Kokkos multicolor SOR (petal::KokkosSOR) against PETSc's MatSOR on a 2-D 5-point Laplacian.
//
//  1. Time per application (MatSOR(..., SOR_ZERO_INITIAL_GUESS, its) vs KokkosSOR::Apply) and per sweep
//     (a forward or a backward pass; a symmetric application of `its` iterations has 2*its sweeps), for
//     each coloring of the Kokkos backend; ratio = Kokkos / MatSOR.
//  2. SSOR-preconditioned CG (rtol 1e-8 on the unpreconditioned residual, x0 = 0, b = 1): iterations and
//     solve time with PCSOR and with the Kokkos backend as a PCSHELL, over a grid of omega.
//
// Options: -n <grid points per side, 400> -reps <timed applications, 100> -cg_omegas <list>
//          -colorings <greedy,level,kokkoskernels> -skip_cg; any PETSc option (e.g. -log_view).
#include <petal/petal.h>
#include <petal/kokkos_bridge.hpp>
#include "preconditioners/banditsor/sor_kokkos.hpp"
#include <petscksp.h>
#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <vector>

using petal::KokkosSOR;
using petal::SORColoring;
using petal::sor::Sweep;

namespace {
PetscErrorCode Laplacian(PetscInt nx, Mat *A)
{
  PetscInt rstart, rend, N = nx * nx;
  PetscFunctionBegin;
  PetscCall(MatCreateAIJ(PETSC_COMM_WORLD, PETSC_DECIDE, PETSC_DECIDE, N, N, 5, NULL, 2, NULL, A));
  PetscCall(MatSetOption(*A, MAT_USE_INODES, PETSC_FALSE));
  PetscCall(MatGetOwnershipRange(*A, &rstart, &rend));
  for (PetscInt row = rstart; row < rend; ++row) {
    const PetscInt i = row % nx, j = row / nx;
    PetscInt       cols[5], k = 0;
    PetscScalar    vals[5];
    if (j > 0) cols[k] = row - nx, vals[k++] = -1;
    if (i > 0) cols[k] = row - 1, vals[k++] = -1;
    cols[k] = row, vals[k++] = 4;
    if (i < nx - 1) cols[k] = row + 1, vals[k++] = -1;
    if (j < nx - 1) cols[k] = row + nx, vals[k++] = -1;
    PetscCall(MatSetValues(*A, 1, &row, k, cols, vals, INSERT_VALUES));
  }
  PetscCall(MatAssemblyBegin(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

// Median and minimum of `reps` timed calls of each function (after `warm` untimed rounds). The functions
// are interleaved call by call, so that load from other processes on the machine hits all of them alike.
// Times are maxima over ranks.
PetscErrorCode Time(const std::vector<std::function<PetscErrorCode()>> &fs, PetscInt warm, PetscInt reps, std::vector<double> *median, std::vector<double> *best)
{
  std::vector<std::vector<double>> t(fs.size());
  PetscFunctionBegin;
  for (PetscInt r = 0; r < warm; ++r)
    for (auto &f : fs) PetscCall(f());
  for (PetscInt r = 0; r < reps; ++r)
    for (size_t k = 0; k < fs.size(); ++k) {
      PetscLogDouble t0, t1;
      PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
      PetscCall(PetscTime(&t0));
      PetscCall(fs[k]());
      PetscCall(PetscTime(&t1));
      double dt = t1 - t0;
      PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &dt, 1, MPI_DOUBLE, MPI_MAX, PETSC_COMM_WORLD));
      t[k].push_back(dt);
    }
  median->clear();
  best->clear();
  for (auto &tk : t) {
    std::sort(tk.begin(), tk.end());
    median->push_back(tk[tk.size() / 2]);
    best->push_back(tk.front());
  }
  PetscFunctionReturn(0);
}

struct Shell {
  KokkosSOR *sor;
  PetscReal  omega;
};

PetscErrorCode ShellApply(PC pc, Vec b, Vec x)
{
  Shell *s;
  PetscFunctionBegin;
  PetscCall(PCShellGetContext(pc, &s));
  PetscCall(s->sor->Apply(s->omega, Sweep::SYMMETRIC, 1, b, x));
  PetscFunctionReturn(0);
}

// SSOR-CG; sor == nullptr: PCSOR (MatSOR, local symmetric sweep).
PetscErrorCode SolveCG(Mat A, Vec b, KokkosSOR *sor, PetscReal omega, PetscInt *its, double *seconds, KSPConvergedReason *reason)
{
  KSP            ksp;
  PC             pc;
  Vec            x;
  Shell          shell{sor, omega};
  PetscLogDouble t0, t1;
  PetscFunctionBegin;
  PetscCall(VecDuplicate(b, &x));
  PetscCall(KSPCreate(PETSC_COMM_WORLD, &ksp));
  PetscCall(KSPSetOperators(ksp, A, A));
  PetscCall(KSPSetType(ksp, KSPCG));
  PetscCall(KSPSetNormType(ksp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetTolerances(ksp, 1e-8, PETSC_DEFAULT, PETSC_DEFAULT, 10000));
  PetscCall(KSPGetPC(ksp, &pc));
  if (sor) {
    PetscCall(PCSetType(pc, PCSHELL));
    PetscCall(PCShellSetContext(pc, &shell));
    PetscCall(PCShellSetApply(pc, ShellApply));
  } else {
    PetscCall(PCSetType(pc, PCSOR));
    PetscCall(PCSORSetOmega(pc, omega));
  }
  PetscCall(KSPSetUp(ksp));
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(PetscTime(&t0));
  PetscCall(KSPSolve(ksp, b, x));
  PetscCall(PetscTime(&t1));
  *seconds = t1 - t0;
  PetscCall(KSPGetIterationNumber(ksp, its));
  PetscCall(KSPGetConvergedReason(ksp, reason));
  PetscCall(KSPDestroy(&ksp));
  PetscCall(VecDestroy(&x));
  PetscFunctionReturn(0);
}
} // namespace

int main(int argc, char **argv)
{
  PetscInt    n = 400, reps = 100, ncolorings = 3, nomegas = 16;
  PetscReal   omegas[16] = {1.0, 1.2, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 1.95};
  char       *colorNames[3];
  PetscBool   skipCG = PETSC_FALSE, setOmegas, setColorings;
  PetscMPIInt size;
  char        version[256];

  PetscCall(PetscInitialize(&argc, &argv, NULL, "petal SOR benchmark"));
  PetscCall(PetalInitializePackage());
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-n", &n, NULL));
  PetscCall(PetscOptionsGetInt(NULL, NULL, "-reps", &reps, NULL));
  PetscCall(PetscOptionsGetBool(NULL, NULL, "-skip_cg", &skipCG, NULL));
  PetscCall(PetscOptionsGetRealArray(NULL, NULL, "-cg_omegas", omegas, &nomegas, &setOmegas));
  if (!setOmegas) nomegas = 9;
  PetscCall(PetscOptionsGetStringArray(NULL, NULL, "-colorings", colorNames, &ncolorings, &setColorings));
  std::vector<SORColoring> colorings;
  if (!setColorings) colorings = {SORColoring::GREEDY, SORColoring::LEVEL, SORColoring::KOKKOS_KERNELS};
  for (PetscInt c = 0; setColorings && c < ncolorings; ++c) {
    const std::string s = colorNames[c];
    PetscCall(PetscFree(colorNames[c]));
    PetscCheck(s == "greedy" || s == "level" || s == "kokkoskernels", PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "-colorings takes greedy, level, kokkoskernels");
    colorings.push_back(s == "greedy" ? SORColoring::GREEDY : s == "level" ? SORColoring::LEVEL : SORColoring::KOKKOS_KERNELS);
  }
  PetscCallMPI(MPI_Comm_size(PETSC_COMM_WORLD, &size));
  PetscCall(PetscGetVersion(version, sizeof version));

  Mat      A;
  Vec      b, x;
  MatInfo  info;
  PetscInt N;
  PetscCall(Laplacian(n, &A));
  PetscCall(MatGetSize(A, &N, NULL));
  PetscCall(MatGetInfo(A, MAT_GLOBAL_SUM, &info));
  PetscCall(MatCreateVecs(A, &x, &b));
  PetscCall(VecSet(b, 1.0));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# petal SOR benchmark: %" PetscInt_FMT "x%" PetscInt_FMT " 5-point Laplacian, N = %" PetscInt_FMT ", nnz = %.0f, %d rank(s), Kokkos %s, %s\n", n, n, N, info.nz_used, size, petal::ExecSpace::name(), version));

  std::vector<std::unique_ptr<KokkosSOR>> sors;
  for (SORColoring c : colorings) {
    PetscLogDouble t0, t1;
    PetscCall(PetscTime(&t0));
    sors.emplace_back(new KokkosSOR);
    PetscCall(sors.back()->Create(A, c));
    PetscCall(PetscTime(&t1));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "# Kokkos %-13s: %4" PetscInt_FMT " colors (rank 0), setup %.3f s\n", petal::SORColoringName(c), sors.back()->NumColors(), t1 - t0));
  }

  struct Case {
    const char *name;
    Sweep       sweep;
    MatSORType  flag;
    PetscInt    its, sweeps;
  };
  const bool par     = size > 1;
  const Case cases[] = {
    {"forward   its=1", Sweep::FORWARD, par ? SOR_LOCAL_FORWARD_SWEEP : SOR_FORWARD_SWEEP, 1, 1},
    {"backward  its=1", Sweep::BACKWARD, par ? SOR_LOCAL_BACKWARD_SWEEP : SOR_BACKWARD_SWEEP, 1, 1},
    {"symmetric its=1", Sweep::SYMMETRIC, par ? SOR_LOCAL_SYMMETRIC_SWEEP : SOR_SYMMETRIC_SWEEP, 1, 2},
    {"symmetric its=3", Sweep::SYMMETRIC, par ? SOR_LOCAL_SYMMETRIC_SWEEP : SOR_SYMMETRIC_SWEEP, 3, 6},
  };
  const PetscReal omega = 1.5;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n## Time per application (zero initial guess, omega = %g, median of %" PetscInt_FMT "; min in brackets)\n\n", (double)omega, reps));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| sweep | backend | ms / apply | ms / sweep | ratio to MatSOR |\n|---|---|---|---|---|\n"));
  for (const Case &c : cases) {
    std::vector<std::function<PetscErrorCode()>> fs;
    fs.push_back([&]() { return MatSOR(A, b, omega, (MatSORType)(c.flag | SOR_ZERO_INITIAL_GUESS), 0.0, c.its, 1, x); });
    for (size_t k = 0; k < sors.size(); ++k) fs.push_back([&, k]() { return sors[k]->Apply(omega, c.sweep, c.its, b, x); });
    std::vector<double> med, best;
    PetscCall(Time(fs, 5, reps, &med, &best));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | MatSOR | %.3f (%.3f) | %.3f | 1 |\n", c.name, 1e3 * med[0], 1e3 * best[0], 1e3 * med[0] / c.sweeps));
    for (size_t k = 0; k < sors.size(); ++k)
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %s | Kokkos %s | %.3f (%.3f) | %.3f | %.2f (min %.2f) |\n", c.name, petal::SORColoringName(colorings[k]), 1e3 * med[k + 1], 1e3 * best[k + 1], 1e3 * med[k + 1] / c.sweeps, med[k + 1] / med[0], best[k + 1] / best[0]));
  }

  if (!skipCG) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n## SSOR-CG iterations (rtol 1e-8, unpreconditioned norm, b = 1, x0 = 0) [solve time s]\n\n| omega | PCSOR (MatSOR) |"));
    for (SORColoring c : colorings) PetscCall(PetscPrintf(PETSC_COMM_WORLD, " Kokkos %s |", petal::SORColoringName(c)));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n|---|---|"));
    for (size_t k = 0; k < colorings.size(); ++k) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "---|"));
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n"));
    for (PetscInt w = 0; w < nomegas; ++w) {
      PetscInt           its;
      double             sec;
      KSPConvergedReason reason;
      PetscCall(SolveCG(A, b, nullptr, omegas[w], &its, &sec, &reason));
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "| %.2f | %" PetscInt_FMT "%s [%.2f] |", (double)omegas[w], its, reason > 0 ? "" : " (not converged)", sec));
      for (size_t k = 0; k < sors.size(); ++k) {
        PetscCall(SolveCG(A, b, sors[k].get(), omegas[w], &its, &sec, &reason));
        PetscCall(PetscPrintf(PETSC_COMM_WORLD, " %" PetscInt_FMT "%s [%.2f] |", its, reason > 0 ? "" : " (not converged)", sec));
      }
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n"));
    }
  }

  sors.clear();
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&b));
  PetscCall(MatDestroy(&A));
  PetscCall(PetscFinalize());
  return 0;
}
