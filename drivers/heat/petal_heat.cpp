static const char help[] = "petal-heat: transient diffusion u_t = kappa(t) div(a grad u) + f with Crank-Nicolson.\n"
                           "Reads a voxel grid (finite differences on a DMDA) or an unstructured mesh (finite\n"
                           "elements on DMPlex) from HDF5, solves every step with KSPSolve (configured from the\n"
                           "options database, warm-started), and writes HDF5 + XDMF for ParaView.\n"
                           "Without -heat_mesh it runs on the unit square/cube grid with -heat_nx intervals.\n\n";

#include "heat_calibration.hpp"
#include "heat_discretization.hpp"
#include <petal/banditsor.h>
#include <petal/driver.h>
#include <petal/io.h>
#include <petal/json.hpp>
#include <petal/mesh.h>
#include <petal/time_series.hpp>
#include <petal/petal.h>
#include <petscksp.h>
#include <vector>

namespace {
using namespace petal::heat;

enum class Method : int { AUTO = 0, FD = 1, FE = 2 };
const char *const MethodNames[] = {"auto", "fd", "fe", "Method", "HEAT_METHOD_", nullptr};

struct Settings {
  char      mesh[PETSC_MAX_PATH_LEN]   = "";
  char      output[PETSC_MAX_PATH_LEN] = "heat.h5";
  char      json[PETSC_MAX_PATH_LEN]   = "";
  Method    method                     = Method::AUTO;
  Preset    preset                     = Preset::LTR;
  PetscInt  nx = 100, dim = 2, steps = 1000, outputInterval = 10, calibration = -1;
  PetscReal dt    = 1e-3;
  PetscBool quiet = PETSC_FALSE;
};

struct Totals {
  PetscInt               iterations = 0;
  PetscLogDouble         solve = 0, assembly = 0, output = 0, total = 0;
  PetscReal              error = -1;
  std::vector<PetscInt>  its;
  std::vector<PetscReal> kappa;
};

PetscErrorCode ReadSettings(MPI_Comm comm, Settings *s)
{
  PetscFunctionBegin;
  PetscOptionsBegin(comm, NULL, "petal-heat options", "petal-heat");
  PetscCall(PetscOptionsString("-heat_mesh", "Mesh file: petal voxel grid (.h5), DMPlex HDF5 or gmsh .msh", "", s->mesh, s->mesh, sizeof s->mesh, NULL));
  PetscCall(PetscOptionsEnum("-heat_discretization", "fd (voxel grid), fe (DMPlex), or auto (from the mesh file)", "", MethodNames, (PetscEnum)s->method, (PetscEnum *)&s->method, NULL));
  PetscCall(PetscOptionsInt("-heat_nx", "Intervals per direction of the built-in unit grid (no -heat_mesh)", "", s->nx, &s->nx, NULL));
  PetscCall(PetscOptionsInt("-heat_dim", "Dimension of the built-in unit grid", "", s->dim, &s->dim, NULL));
  PetscCall(PetscOptionsEnum("-heat_preset", "kappa(t), source and initial state: ltr (Learning to Relax), mms (manufactured), constant", "", PresetNames, (PetscEnum)s->preset, (PetscEnum *)&s->preset, NULL));
  PetscCall(PetscOptionsReal("-heat_dt", "Time step", "", s->dt, &s->dt, NULL));
  PetscCall(PetscOptionsInt("-heat_steps", "Number of time steps", "", s->steps, &s->steps, NULL));
  PetscCall(PetscOptionsString("-heat_output", "HDF5 output file (an .xmf file is written beside it); \"none\" for no output", "", s->output, s->output, sizeof s->output, NULL));
  PetscCall(PetscOptionsInt("-heat_output_interval", "Write every k-th step (the first and last are always written)", "", s->outputInterval, &s->outputInterval, NULL));
  PetscCall(PetscOptionsInt("-heat_calibration_samples", "Steps on which every omega of the bandit's grid is also tried, to compare the learned omega with the best fixed one (default 10 with -pc_type banditsor, else 0)", "", s->calibration, &s->calibration, NULL));
  PetscCall(PetscOptionsBool("-heat_quiet", "Do not print a line per step", "", s->quiet, &s->quiet, NULL));
  PetscCall(PetscOptionsString("-json", "Write the run summary as JSON to this file", "", s->json, s->json, sizeof s->json, NULL));
  PetscOptionsEnd();
  PetscCheck(PetscIsNormalReal(s->dt) && s->dt > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "-heat_dt must be finite and positive, got %g", (double)s->dt);
  PetscCheck(s->steps >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "-heat_steps must be non-negative, got %" PetscInt_FMT, s->steps);
  PetscCheck(PetscIsNormalReal(s->dt * (s->steps + 1)), comm, PETSC_ERR_ARG_OUTOFRANGE, "-heat_steps %" PetscInt_FMT " of -heat_dt %g run past the largest representable time", s->steps, (double)s->dt);
  PetscCheck(s->outputInterval > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "-heat_output_interval must be positive, got %" PetscInt_FMT, s->outputInterval);
  if (!strcmp(s->output, "none")) s->output[0] = 0;
  // A path that cannot be written fails now, not after the whole run.
  if (s->output[0]) PetscCall(PetalCheckWritable(comm, s->output));
  if (s->json[0]) PetscCall(PetalCheckWritable(comm, s->json));
  PetscFunctionReturn(0);
}

// The paper's solver unless the options database says otherwise: CG + SSOR with omega learned per step by
// PCBANDITSOR (ChebCB, context kappa(t) on a log scale), tolerance on the true residual, warm start.
PetscErrorCode CreateSolver(MPI_Comm comm, Preset preset, KSP *ksp)
{
  PC pc;
  PetscFunctionBegin;
  PetscCall(KSPCreate(comm, ksp));
  PetscCall(KSPSetType(*ksp, KSPCG));
  PetscCall(KSPGetPC(*ksp, &pc));
  PetscCall(PCSetType(pc, PCBANDITSOR));
  PetscCall(PCBanditSORSetLearner(pc, "chebcb"));
  // kappa(t) spans decades (the ltr preset: [0, 10], half of every period below 0.1), so the learners see it on
  // a log scale (ChebCB 0.79 -> 0.77 x the best fixed omega's iterations over 5000 steps, docs/benchmarks.md).
  // Set before KSPSetFromOptions: -pc_banditsor_context_transform and a loaded state take precedence.
  PetscCall(PCBanditSORSetContextTransform(pc, PCBANDITSOR_CONTEXT_LOG, 1e-3));
  PetscCall(KSPSetNormType(*ksp, KSP_NORM_UNPRECONDITIONED));
  PetscCall(KSPSetTolerances(*ksp, 1e-8, PETSC_DEFAULT, PETSC_DEFAULT, 10000));
  PetscCall(KSPSetInitialGuessNonzero(*ksp, PETSC_TRUE));
  PetscCall(KSPSetFromOptions(*ksp));
  // Contextual learners see kappa(t), whose range the preset knows (unless the options say otherwise).
  PetscBool   set;
  const char *prefix;
  PetscCall(PCGetOptionsPrefix(pc, &prefix));
  PetscCall(PetscOptionsHasName(NULL, prefix, "-pc_banditsor_context_range", &set));
  if (!set) PetscCall(PCBanditSORSetContextRange(pc, KappaMin(preset), KappaMax(preset)));
  PetscFunctionReturn(0);
}

PetscErrorCode WriteJson(MPI_Comm comm, const Settings &s, const Discretization &disc, KSP ksp, const Totals &T, const Calibration &cal, const std::string &xmf)
{
  KSPType     kt;
  PCType      pt;
  PC          pc;
  PetscMPIInt size;
  PetscFunctionBegin;
  PetscCall(KSPGetType(ksp, &kt));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(PCGetType(pc, &pt));
  PetscCallMPI(MPI_Comm_size(comm, &size));
  petal::JsonWriter j;
  j.BeginObject().Value("driver", "petal-heat").Value("petal_version", PETAL_VERSION_STRING);
  j.Value("mesh", s.mesh[0] ? s.mesh : "built-in unit grid").Value("discretization", disc.Name()).Value("dim", (long long)disc.dim);
  j.Value("unknowns", (long long)disc.ndofs).Value("ranks", (int)size).Value("preset", PresetNames[(int)s.preset]);
  j.Value("dt", (double)s.dt).Value("steps", (long long)s.steps).Value("ksp_type", kt).Value("pc_type", pt);
  j.Value("total_iterations", (long long)T.iterations).Value("mean_iterations", s.steps ? (double)T.iterations / s.steps : 0.0);
  j.Value("solve_time_s", T.solve).Value("assembly_time_s", T.assembly).Value("output_time_s", T.output).Value("total_time_s", T.total);
  if (T.error >= 0) j.Value("error_l2", (double)T.error);
  j.Value("output_h5", s.output).Value("output_xdmf", xmf);
  if (cal.samples > 0) {
    const PetscInt best = cal.BestIndex();
    j.BeginObject("calibration").Value("samples", (long long)cal.samples).Value("seconds", cal.seconds);
    j.Value("best_fixed_omega", (double)cal.grid[best]).Value("best_fixed_iterations", (long long)cal.iterations[best]);
    j.Value("learned_iterations", (long long)cal.LearnedIterations());
    j.Value("estimated_best_fixed_total", (double)cal.iterations[best] * s.steps / cal.samples);
    j.BeginArray("omega");
    for (PetscReal w : cal.grid) j.Value((double)w);
    j.EndArray().BeginArray("iterations");
    for (PetscInt v : cal.iterations) j.Value((double)v);
    j.EndArray().EndObject();
  }
  j.BeginArray("iterations");
  for (PetscInt v : T.its) j.Value((double)v);
  j.EndArray().BeginArray("kappa");
  for (PetscReal v : T.kappa) j.Value((double)v);
  j.EndArray().EndObject();
  PetscCall(j.Save(comm, s.json));
  PetscFunctionReturn(0);
}

PetscErrorCode Run(MPI_Comm comm)
{
  petal::TimeSeriesWriter         writer;
  Settings                        s;
  Totals                          T;
  std::unique_ptr<Discretization> disc;
  KSP                             ksp;
  Vec                             u, b, F;
  Mat                             A;
  PC                              pc;
  PetscLogDouble                  t0, t1, tstart;

  PetscFunctionBegin;
  PetscCall(PetscTime(&tstart));
  PetscCall(ReadSettings(comm, &s));
  if (s.method == Method::AUTO) {
    PetalMeshKind kind = PETAL_MESH_VOXEL;
    if (s.mesh[0]) PetscCall(PetalMeshGetKind(comm, s.mesh, &kind));
    s.method = kind == PETAL_MESH_PLEX ? Method::FE : Method::FD;
  }
  PetscCall(PetscTime(&t0));
  if (s.method == Method::FD) PetscCall(CreateFiniteDifference(comm, s.mesh, s.nx, s.dim, s.preset, &disc));
  else PetscCall(CreateFiniteElement(comm, s.mesh, s.preset, &disc));
  PetscCall(PetscTime(&t1));
  T.assembly += t1 - t0;
  PetscCall(disc->View(PETSC_VIEWER_STDOUT_(comm)));
  PetscCall(disc->CheckOperatorScale(0.5 * s.dt * KappaMax(s.preset)));
  PetscCall(CreateSolver(comm, s.preset, &ksp));
  PetscCall(KSPGetPC(ksp, &pc));
  PetscCall(disc->CreateVector(&u));
  PetscCall(PetscObjectSetName((PetscObject)u, "u"));
  Calibration calibration;
  {
    PetscBool isBandit;
    PetscCall(PetscObjectTypeCompare((PetscObject)pc, PCBANDITSOR, &isBandit));
    if (s.calibration < 0) s.calibration = isBandit ? 10 : 0;
    if (isBandit && s.calibration > 0) {
      PetscInt         n;
      const PetscReal *g;
      PetscCall(PCBanditSORGetOmegaGrid(pc, &n, &g));
      PetscCall(calibration.Setup(ksp, std::vector<PetscReal>(g, g + n), s.calibration, s.steps));
    }
  }
  PetscCall(VecDuplicate(u, &b));
  PetscCall(VecDuplicate(u, &F));
  PetscCall(disc->Initial(u));

  if (s.output[0]) {
    PetscCall(PetscTime(&t0));
    PetscCall(writer.Open(s.output, disc->dm));
    for (Vec v : disc->StaticFields()) PetscCall(writer.WriteStatic(v));
    PetscCall(writer.WriteFrame(0, 0.0, {u}));
    PetscCall(PetscTime(&t1));
    T.output += t1 - t0;
  }
  for (PetscInt n = 0; n < s.steps; ++n) {
    const PetscReal   t = n * s.dt, tHalf = t + 0.5 * s.dt, kappa = Kappa(s.preset, tHalf);
    const PetscReal   c = 0.5 * s.dt * kappa;
    PetscInt          its;
    KSPConvergedReason reason;
    PetscReal         rnorm;

    PetscCall(PetscTime(&t0));
    PetscCall(disc->Operator(c, &A));
    PetscCall(disc->Load(tHalf, F));
    PetscCall(disc->RightHandSide(c, s.dt, F, u, b));
    PetscCall(PetscTime(&t1));
    T.assembly += t1 - t0;
    PetscCall(KSPSetOperators(ksp, A, A));
    if (calibration.IsSample(n)) { // timed apart (calibration.seconds): the solve time is the run's own solver
      PetscCall(calibration.Run(A, b, u));
      PetscCall(PetscTime(&t1));
    }
    PetscCall(PCBanditSORSetContext(pc, kappa)); // the contextual learners' feature; a no-op for other PCs
    PetscCall(KSPSolve(ksp, b, u));              // u holds the previous step: the warm start
    PetscCall(PetscTime(&t0));
    T.solve += t0 - t1;
    PetscCall(KSPGetIterationNumber(ksp, &its));
    PetscCall(KSPGetConvergedReason(ksp, &reason));
    PetscCall(KSPGetResidualNorm(ksp, &rnorm));
    // Every rank knows the reason: a collective error, printed once by rank 0.
    PetscCheck(reason >= 0, comm, PETSC_ERR_NOT_CONVERGED, "petal-heat: the linear solve of step %" PetscInt_FMT " (t = %g, kappa = %g) did not converge: %s after %" PetscInt_FMT " iterations", n + 1, (double)(t + s.dt), (double)kappa, KSPConvergedReasons[reason], its);
    T.iterations += its;
    if (calibration.IsSample(n)) calibration.RecordLearned(its);
    T.its.push_back(its);
    T.kappa.push_back(kappa);
    if (!s.quiet) PetscCall(PetscPrintf(comm, "step %5" PetscInt_FMT "  t %.4f  kappa %7.4f  its %4" PetscInt_FMT "  residual %.3e  %s\n", n + 1, (double)(t + s.dt), (double)kappa, its, (double)rnorm, KSPConvergedReasons[reason]));
    if (s.output[0] && ((n + 1) % s.outputInterval == 0 || n + 1 == s.steps)) {
      PetscCall(writer.WriteFrame(n + 1, t + s.dt, {u}));
      PetscCall(PetscTime(&t1));
      T.output += t1 - t0;
    }
  }
  if (s.preset == Preset::MMS) PetscCall(disc->ErrorL2(s.steps * s.dt, u, &T.error));
  if (s.output[0]) {
    PetscCall(PetscTime(&t0));
    PetscCall(writer.Close());
    PetscCall(PetscTime(&t1));
    T.output += t1 - t0;
  }
  PetscCall(PetscTime(&t1));
  T.total = t1 - tstart;

  PetscCall(PetscPrintf(comm, "petal-heat summary: %" PetscInt_FMT " steps, %" PetscInt_FMT " unknowns, %" PetscInt_FMT " KSP iterations (%.2f per step)\n", s.steps, disc->ndofs, T.iterations, s.steps ? (double)T.iterations / s.steps : 0.0));
  PetscCall(PetscPrintf(comm, "  solve time %.3f s, assembly %.3f s, output %.3f s, total %.3f s%s\n", T.solve, T.assembly, T.output, T.total, calibration.samples > 0 ? " (including the calibration below, which the solve time is not)" : ""));
  PetscCall(calibration.Report(comm, s.steps, T.iterations));
  if (T.error >= 0) PetscCall(PetscPrintf(comm, "  L2 error against the manufactured solution at t = %g: %.6e\n", (double)(s.steps * s.dt), (double)T.error));
  if (s.output[0]) PetscCall(PetscPrintf(comm, "  wrote %s and %s\n", s.output, writer.XdmfName().c_str()));
  if (s.json[0]) PetscCall(WriteJson(comm, s, *disc, ksp, T, calibration, s.output[0] ? writer.XdmfName() : ""));

  PetscCall(VecDestroy(&u));
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&F));
  PetscCall(KSPDestroy(&ksp));
  PetscFunctionReturn(0);
}
} // namespace

int main(int argc, char **argv)
{
  PetscCall(PetalDriverInitialize(&argc, &argv, help));
  // On an error the unfinished output's temporary files are removed and, on several ranks, the job is
  // aborted (include/petal/driver.h): never a half-written file, never a hang.
  return PetalDriverFinalize(Run(PETSC_COMM_WORLD));
}
