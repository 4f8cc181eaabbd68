static const char help[] = "petal-ot: entropic optimal transport with log-domain Sinkhorn or Sinkhorn-Newton-Sparse.\n"
                           "Reads the source and target (points + weights, or two histograms on a petal-voxel grid) from\n"
                           "HDF5 with -ot_input, or generates the SNS paper's test problems with -ot_generate\n"
                           "(assignment: random points in [0,1]^d with uniform weights; blobs: two images of smooth\n"
                           "blobs), solves with the PetalOT solver (all -ot_* solver options apply), and writes the\n"
                           "plan's significant entries and the potentials to HDF5 (-ot_output) and a JSON summary (-json).\n\n";

#include <petal/completed_outputs.hpp>
#include <petal/driver.h>
#include <petal/json.hpp>
#include <petal/ot.h>
#include <petal/ot_problems.hpp>
#include <petal/petal.h>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {
using petal::OTProblem;

enum class Generator : int { NONE = 0, ASSIGNMENT = 1, BLOBS = 2 };
const char *const GeneratorNames[] = {"none", "assignment", "blobs", "Generator", "OT_GENERATE_", nullptr};

struct Settings {
  char      input[PETSC_MAX_PATH_LEN]  = "";
  char      output[PETSC_MAX_PATH_LEN] = "ot.h5";
  char      json[PETSC_MAX_PATH_LEN]   = "";
  char      save[PETSC_MAX_PATH_LEN]   = "";
  Generator generator                  = Generator::NONE;
  PetscInt  n = 500, dim = 2, side = 28, seed = 1, repeat = 1;
  PetscBool quiet = PETSC_FALSE;
};

PetscErrorCode ReadSettings(MPI_Comm comm, Settings *s)
{
  PetscFunctionBegin;
  PetscOptionsBegin(comm, NULL, "petal-ot driver options", "petal-ot");
  PetscCall(PetscOptionsString("-ot_input", "HDF5 problem: points (/source/points, /source/weights, /target/...) or a petal-voxel grid with /ot/source, /ot/target", "", s->input, s->input, sizeof s->input, NULL));
  PetscCall(PetscOptionsEnum("-ot_generate", "Generate a test problem instead: assignment or blobs", "", GeneratorNames, (PetscEnum)s->generator, (PetscEnum *)&s->generator, NULL));
  PetscCall(PetscOptionsInt("-ot_generate_n", "assignment: points per side", "", s->n, &s->n, NULL));
  PetscCall(PetscOptionsInt("-ot_generate_dim", "assignment: dimension of the points", "", s->dim, &s->dim, NULL));
  PetscCall(PetscOptionsInt("-ot_generate_side", "blobs: image side (n = side^2 pixels)", "", s->side, &s->side, NULL));
  PetscCall(PetscOptionsInt("-ot_generate_seed", "Seed of the generated problem", "", s->seed, &s->seed, NULL));
  PetscCall(PetscOptionsString("-ot_save_problem", "Write the problem as a points HDF5 file (for other solvers; atomic, fault point ot_problem_save)", "", s->save, s->save, sizeof s->save, NULL));
  PetscCall(PetscOptionsString("-ot_output", "HDF5 results (plan entries, potentials, marginals; atomic, fault point ot_output); \"none\" for no file", "", s->output, s->output, sizeof s->output, NULL));
  PetscCall(PetscOptionsInt("-ot_repeat", "Solve this many times; times reported are the fastest solve", "", s->repeat, &s->repeat, NULL));
  PetscCall(PetscOptionsString("-json", "Write the run summary as JSON to this file (atomic, fault point json_write)", "", s->json, s->json, sizeof s->json, NULL));
  PetscCall(PetscOptionsBool("-ot_quiet", "Do not print the summary", "", s->quiet, &s->quiet, NULL));
  PetscOptionsEnd();
  PetscCheck(s->input[0] || s->generator != Generator::NONE, comm, PETSC_ERR_USER_INPUT, "petal-ot: give a problem with -ot_input FILE or -ot_generate assignment|blobs");
  PetscCheck(!(s->input[0] && s->generator != Generator::NONE), comm, PETSC_ERR_USER_INPUT, "petal-ot: -ot_input and -ot_generate exclude each other");
  PetscCheck(s->n >= 1 && s->dim >= 1 && s->side >= 1 && s->repeat >= 1 && s->seed >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-ot: -ot_generate_n, -ot_generate_dim, -ot_generate_side and -ot_repeat must be positive and -ot_generate_seed >= 0");
  if (!strcmp(s->output, "none")) s->output[0] = 0;
  PetscFunctionReturn(0);
}

PetscErrorCode WriteJson(MPI_Comm comm, const Settings &s, const OTProblem &p, PetalOT ot, const PetalOTResult &res, double bestTime)
{
  PetscMPIInt size;
  PetscReal   eta, scale;
  char        version[256];
  KSP         ksp;
  KSPType     ktype;
  PC          pc;
  PCType      ptype;

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetalOTGetEta(ot, &eta));
  PetscCall(PetalOTGetCostScale(ot, &scale));
  PetscCall(PetscGetVersion(version, sizeof version));
  PetscCall(PetalOTGetNewtonKSP(ot, &ksp));
  PetscCall(KSPGetType(ksp, &ktype));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCGetType(pc, &ptype));
  PetalOTType            type;
  PetalOTKernelISA       isa;
  PetalOTSinkhornVariant variant;
  PetalOTCostType        cost;
  PetscReal              costP;
  PetscCall(PetalOTGetType(ot, &type));
  PetscCall(PetalOTGetKernelISA(ot, &isa));
  PetscCall(PetalOTGetSinkhornVariant(ot, &variant));
  PetscCall(PetalOTGetCost(ot, &cost, &costP));
  petal::JsonWriter j;
  j.BeginObject();
  j.Value("program", "petal-ot");
  j.Value("petsc_version", version);
  j.Value("kokkos_execution_space", PetalKokkosExecutionSpaceName());
  j.Value("ranks", (int)size);
  j.BeginObject("problem");
  j.Value("kind", p.kind);
  j.Value("input", s.input);
  j.Value("n", (long long)p.n);
  j.Value("m", (long long)p.m);
  j.Value("dim", (long long)p.dim);
  j.Value("seed", (long long)s.seed);
  j.Value("cost", PetalOTCostTypes[cost]);
  j.Value("cost_p", costP);
  j.Value("cost_scale", scale);
  j.EndObject();
  j.BeginObject("solver");
  j.Value("method", type); /* the PetalOT type (-ot_type, alias -ot_method) */
  j.Value("sinkhorn_variant", PetalOTSinkhornVariants[variant]);
  j.Value("eta", eta);
  j.Value("epsilon", 1.0 / eta);
  j.Value("kernel_isa", PetalOTKernelISAs[isa]); /* the n^2 kernels' compiled variant that ran */
  j.Value("newton_ksp", ktype);
  j.Value("newton_pc", ptype);
  j.EndObject();
  j.BeginObject("result");
  j.Value("converged_reason", PetalOTConvergedReasons[res.reason + 3]);
  j.Value("converged", res.reason > 0);
  j.Value("transport_cost", res.transport_cost);               /* <C,P> */
  j.Value("regularized_objective", res.regularized_objective); /* <C,P> + (1/eta) sum P log P */
  j.Value("dual_objective", res.dual_objective);               /* f(x, y) */
  j.Value("mass", res.mass);
  j.Value("row_error_l1", res.row_error);
  j.Value("col_error_l1", res.col_error);
  j.Value("sinkhorn_iterations", (long long)res.sinkhorn_iterations);
  j.Value("newton_iterations", (long long)res.newton_iterations);
  j.Value("ksp_iterations", (long long)res.ksp_iterations);
  j.Value("line_search_evaluations", (long long)res.line_search_evaluations);
  j.Value("fallback_rows", (long long)res.fallback_rows);
  j.Value("sinkhorn_plan", PetalOTSinkhornPlans[res.sinkhorn_plan]);
  j.EndObject();
  j.BeginObject("time");
  j.Value("solve", bestTime);
  j.Value("setup", res.time_setup);
  j.Value("sinkhorn", res.time_sinkhorn);
  j.Value("newton", res.time_newton);
  j.Value("sinkhorn_per_iteration", res.sinkhorn_iterations > 0 ? res.time_sinkhorn / res.sinkhorn_iterations : 0.0);
  j.Value("repeat", (long long)s.repeat);
  j.EndObject();
  j.EndObject();
  PetscCall(j.Save(comm, s.json));
  PetscFunctionReturn(0);
}
using petal::CompletedOutputs; // include/petal/completed_outputs.hpp

// Any error unwinds to PetalDriverFinalize, which removes the temporary files of unfinished outputs and, on
// several ranks, ends the job instead of letting it hang (include/petal/driver.h). Every output below is
// atomic and has a fault point (ot_problem_save, ot_output, json_write) for the tests of that.
PetscErrorCode RunSteps(MPI_Comm comm, CompletedOutputs *done)
{
  Settings      s;
  OTProblem     p;
  PetalOT       ot = NULL;
  PetalOTResult res{}, best{};
  Vec           r = NULL, c = NULL, X = NULL, Y = NULL;
  PetscReal     massTol;

  PetscFunctionBegin;
  PetscCall(ReadSettings(comm, &s));
  /* the solver first: its options (-ot_mass_tol among them) are checked before any file is read */
  PetscCall(PetalOTCreate(comm, &ot));
  PetscCall(PetalOTSetFromOptions(ot));
  PetscCall(PetalOTGetMassTolerance(ot, &massTol));
  if (s.generator == Generator::ASSIGNMENT) PetscCall(petal::OTGenerateAssignment(comm, s.n, s.dim, (std::uint64_t)s.seed, &p));
  else if (s.generator == Generator::BLOBS) PetscCall(petal::OTGenerateTwoBlobs(comm, s.side, (std::uint64_t)s.seed, &p));
  else PetscCall(petal::OTProblemRead(comm, s.input, &p, massTol));
  if (s.save[0]) {
    PetscCall(petal::OTProblemSave(comm, p, s.save));
    done->files.push_back(s.save);
  }

  PetscCall(petal::OTProblemCreateVecs(comm, p, &r, &c, &X, &Y));
  PetscCall(PetalOTSetProblemPoints(ot, r, c, p.dim, X, Y));
  double bestTime = 1e300;
  for (PetscInt k = 0; k < s.repeat; ++k) {
    PetscCall(PetalOTSolve(ot));
    PetscCall(PetalOTGetResult(ot, &res));
    if (res.time_total < bestTime) {
      bestTime = res.time_total;
      best     = res;
    }
  }
  if (!s.quiet) {
    PetscCall(PetscPrintf(comm, "petal-ot: %s problem, n = %" PetscInt_FMT ", m = %" PetscInt_FMT ", dim %" PetscInt_FMT "\n", p.kind.c_str(), p.n, p.m, p.dim));
    PetscCall(PetscPrintf(comm, "  %s: %" PetscInt_FMT " Sinkhorn + %" PetscInt_FMT " Newton iterations, %.4f s (Sinkhorn %.4f s, Newton %.4f s)\n", PetalOTConvergedReasons[best.reason + 3], best.sinkhorn_iterations, best.newton_iterations, bestTime, best.time_sinkhorn, best.time_newton));
    PetscCall(PetscPrintf(comm, "  transport cost <C,P> = %.12g, regularized objective %.12g, L1 marginal errors %.3e (rows) %.3e (columns)\n", best.transport_cost, best.regularized_objective, best.row_error, best.col_error));
  }
  /* A plan with NaN is no result: refuse it rather than write it (the reason is the same on every rank). */
  PetscCheck(res.reason != PETAL_OT_DIVERGED_NAN, comm, PETSC_ERR_NOT_CONVERGED, "petal-ot: the solve ended with %s (marginal errors %g / %g); no output written", PetalOTConvergedReasons[res.reason + 3], (double)res.row_error, (double)res.col_error);
  if (s.output[0]) {
    PetscCall(PetalOTSaveHDF5(ot, s.output, -1));
    done->files.push_back(s.output);
  }
  if (s.json[0]) PetscCall(WriteJson(comm, s, p, ot, best, bestTime));
  PetscCall(PetalOTDestroy(&ot));
  PetscCall(VecDestroy(&r));
  PetscCall(VecDestroy(&c));
  PetscCall(VecDestroy(&X));
  PetscCall(VecDestroy(&Y));
  PetscFunctionReturn(0);
}

PetscErrorCode Run(MPI_Comm comm)
{
  CompletedOutputs done;
  PetscErrorCode   ierr = RunSteps(comm, &done);
  if (ierr) done.Remove();
  return ierr;
}
} // namespace

int main(int argc, char **argv)
{
  PetscCall(PetalDriverInitialize(&argc, &argv, help));
  return PetalDriverFinalize(Run(PETSC_COMM_WORLD));
}
