static const char help[] = "petal-poisson: the pressure-Poisson equation of a smoke simulation on a voxel grid, solved once.\n"
                           "-div grad p = -div v* on the fluid cells, no flux through solid cells and the grid edge, p = 0 in\n"
                           "Dirichlet cells (drivers/poisson/poisson_problem.hpp). The grid is a petal-voxel file (-poisson_mesh)\n"
                           "or a generated scene (-poisson_scene, default: the 64^3 smoke plume around a ball); div v* comes\n"
                           "from a generated smoke plume (seeded) or an HDF5 dataset (-poisson_rhs_dataset). Any PETSc solver\n"
                           "(KSPSetFromOptions); default DCDM (-ksp_type dcdm -pc_type dcdm), relative tolerance 1e-6 on the\n"
                           "unpreconditioned residual. Writes HDF5 + XDMF (pressure, residual, rhs, cell_type) and -json FILE.\n\n";

#include "poisson_problem.hpp"
#include "poisson_rhs.hpp"
#include "poisson_solver.hpp"
#include "voxel_scenes.hpp"
#include <petal/completed_outputs.hpp>
#include <petal/driver.h>
#include <petal/io.h>
#include <petal/json.hpp>
#include <petal/mesh.h>
#include <petal/petal.h>
#include <petal/time_series.hpp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {
using namespace petal::poisson;
using petal::scenes::Scene;

struct Settings {
  char                     mesh[PETSC_MAX_PATH_LEN]    = "";
  char                     output[PETSC_MAX_PATH_LEN]  = "poisson.h5";
  char                     json[PETSC_MAX_PATH_LEN]    = "";
  char                     rhsFile[PETSC_MAX_PATH_LEN] = "";
  char                     rhsDataset[PETSC_MAX_PATH_LEN] = "";
  petal::scenes::SceneSpec scene;
  PetscBool                sceneSet = PETSC_FALSE, freeSurface = PETSC_FALSE;
  Edge                     edge     = Edge::WALL;
  PetscInt                 seed = 1, repeat = 1;
  PetscBool                monitor = PETSC_FALSE, quiet = PETSC_FALSE, keepUnconverged = PETSC_FALSE;
};

PetscErrorCode ReadSettings(MPI_Comm comm, Settings *s, PetscBool *helpOnly)
{
  PetscInt  n = 64;
  PetscBool set;

  PetscFunctionBegin;
  PetscOptionsBegin(comm, NULL, "petal-poisson options (drivers/poisson/README.md)", "petal-poisson");
  PetscCall(PetscOptionsString("-poisson_mesh", "petal-voxel grid file (petal-mesh); without it a generated scene", "", s->mesh, s->mesh, sizeof s->mesh, NULL));
  PetscCall(PetscOptionsEnum("-poisson_scene", "Generated grid without -poisson_mesh: empty, sphere, obstacles or plume (drivers/mesh/voxel_scenes.hpp)", "", petal::scenes::SceneNames, (PetscEnum)s->scene.scene, (PetscEnum *)&s->scene.scene, &s->sceneSet));
  PetscCall(PetscOptionsInt("-poisson_n", "Generated scene: cells per direction (the unit box, spacing 1/n)", "", n, &n, &set));
  s->sceneSet = (PetscBool)(s->sceneSet || set);
  PetscCall(PetscOptionsInt("-poisson_dim", "Generated scene: 2 or 3", "", s->scene.dim, &s->scene.dim, &set));
  s->sceneSet = (PetscBool)(s->sceneSet || set);
  PetscCall(PetscOptionsBool("-poisson_free_surface", "Generated scene: the top layer of cells Dirichlet (an open top; the problem is then not singular)", "", s->freeSurface, &s->freeSurface, &set));
  s->sceneSet = (PetscBool)(s->sceneSet || set);
  PetscCall(PetscOptionsEnum("-poisson_edge", "Beyond the grid edge: wall (no flux) or dirichlet (p = 0)", "", EdgeNames, (PetscEnum)s->edge, (PetscEnum *)&s->edge, NULL));
  PetscCall(PetscOptionsString("-poisson_rhs_dataset", "Read div v* from this HDF5 dataset (e.g. /fields/div, shaped like /grid/cell_type) instead of the generated plume", "", s->rhsDataset, s->rhsDataset, sizeof s->rhsDataset, NULL));
  PetscCall(PetscOptionsString("-poisson_rhs_file", "HDF5 file of -poisson_rhs_dataset (default: the -poisson_mesh file)", "", s->rhsFile, s->rhsFile, sizeof s->rhsFile, NULL));
  PetscCall(PetscOptionsInt("-poisson_seed", "Seed of the generated plume's velocity field", "", s->seed, &s->seed, NULL));
  PetscCall(PetscOptionsInt("-poisson_repeat", "Solve this many times (zero initial guess each); times reported are the fastest solve's", "", s->repeat, &s->repeat, NULL));
  PetscCall(PetscOptionsString("-poisson_output", "HDF5 output (pressure, residual, rhs, cell_type; an .xmf beside it for ParaView); \"none\" for no file", "", s->output, s->output, sizeof s->output, NULL));
  PetscCall(PetscOptionsString("-json", "Write the run summary (residual history, iterations, times) as JSON to this file", "", s->json, s->json, sizeof s->json, NULL));
  PetscCall(PetscOptionsBool("-poisson_monitor", "Print one line per iteration (residual norm, relative residual, time)", "", s->monitor, &s->monitor, NULL));
  PetscCall(PetscOptionsBool("-poisson_keep_unconverged", "Write the outputs of a solve that did not converge (and exit 0) instead of failing", "", s->keepUnconverged, &s->keepUnconverged, NULL));
  PetscCall(PetscOptionsBool("-poisson_quiet", "Print nothing but errors", "", s->quiet, &s->quiet, NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, helpOnly));
  s->scene.freeSurface = s->freeSurface;
  for (PetscInt &v : s->scene.n) v = n;
  PetscCheck(!(s->mesh[0] && s->sceneSet), comm, PETSC_ERR_USER_INPUT, "petal-poisson: -poisson_mesh and the generated scene's options (-poisson_scene, -poisson_n, -poisson_dim, -poisson_free_surface) exclude each other");
  PetscCheck(s->rhsDataset[0] || !s->rhsFile[0], comm, PETSC_ERR_USER_INPUT, "petal-poisson: -poisson_rhs_file needs -poisson_rhs_dataset");
  PetscCheck(!s->rhsDataset[0] || s->rhsFile[0] || s->mesh[0], comm, PETSC_ERR_USER_INPUT, "petal-poisson: -poisson_rhs_dataset needs a file: -poisson_rhs_file FILE, or a -poisson_mesh that holds the dataset");
  PetscCheck(s->repeat >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-poisson: -poisson_repeat must be at least 1, got %" PetscInt_FMT, s->repeat);
  PetscCheck(s->seed >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-poisson: -poisson_seed must be >= 0, got %" PetscInt_FMT, s->seed);
  if (!s->rhsFile[0] && s->rhsDataset[0]) PetscCall(PetscStrncpy(s->rhsFile, s->mesh, sizeof s->rhsFile));
  if (!strcmp(s->output, "none")) s->output[0] = 0;
  if (*helpOnly) PetscFunctionReturn(0);
  // A path that cannot be written fails now, not after the solve.
  if (s->output[0]) PetscCall(PetalCheckWritable(comm, s->output));
  if (s->json[0]) PetscCall(PetalCheckWritable(comm, s->json));
  PetscFunctionReturn(0);
}

// The grid: a petal-voxel file or a generated scene. Plex meshes are refused (the problem is cell-centred).
PetscErrorCode CreateGrid(MPI_Comm comm, const Settings &s, DM *da, Vec *cellType, std::string *description)
{
  PetscFunctionBegin;
  if (s.mesh[0]) {
    PetalMeshKind kind;
    PetscCall(PetalMeshGetKind(comm, s.mesh, &kind));
    PetscCheck(kind == PETAL_MESH_VOXEL, comm, PETSC_ERR_USER_INPUT, "petal-poisson: \"%s\" is an unstructured mesh; petal-poisson needs a petal-voxel grid (petal-mesh box|obstacles|scene)", s.mesh);
    PetscCall(PetalVoxelGridLoad(comm, s.mesh, da, cellType, NULL));
    *description = s.mesh;
  } else {
    PetscCall(petal::scenes::SceneCreate(comm, s.scene, da, cellType));
    *description = std::string("scene ") + petal::scenes::SceneNames[(int)s.scene.scene] + (s.scene.freeSurface ? " with free surface" : "") + " (generated)";
  }
  PetscCall(PetscObjectSetName((PetscObject)*cellType, "cell_type"));
  PetscFunctionReturn(0);
}

struct Times {
  PetscLogDouble grid = 0, assembly = 0, rhs = 0, setup = 0, solve = 0, output = 0, total = 0;
};

PetscErrorCode WriteJson(MPI_Comm comm, const Settings &s, const std::string &mesh, const Problem &p, const SolveRecord &rec, const Times &T, PetscReal incompatibility, PetscReal bnorm, const std::string &xmf)
{
  PetscMPIInt size;
  char        version[256];

  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscGetVersion(version, sizeof version));
  petal::JsonWriter j;
  j.BeginObject().Value("driver", "petal-poisson").Value("petal_version", PETAL_VERSION_STRING).Value("petsc_version", version);
  j.Value("kokkos_execution_space", PetalKokkosExecutionSpaceName()).Value("ranks", (int)size);
  j.BeginObject("grid").Value("mesh", mesh).Value("scene", s.mesh[0] ? "" : petal::scenes::SceneNames[(int)s.scene.scene]).Value("dim", (long long)p.info.dim);
  j.BeginArray("shape");
  for (PetscInt d = 0; d < p.info.dim; ++d) j.Value((double)p.info.shape[d]);
  j.EndArray().BeginArray("spacing");
  for (PetscInt d = 0; d < p.info.dim; ++d) j.Value((double)p.info.spacing[d]);
  j.EndArray();
  j.Value("edge", EdgeNames[(int)p.edge]).Value("cells", (long long)p.topo.cells).Value("unknowns", (long long)p.topo.unknowns);
  j.Value("solid", (long long)p.topo.solid).Value("dirichlet", (long long)p.topo.dirichlet).Value("sealed", (long long)p.topo.sealed);
  j.Value("neumann_regions", (long long)p.topo.neumannRegions).Value("null_space", p.nullsp != nullptr).Value("constant_null_space", p.constantNullSpace);
  j.EndObject();
  j.BeginObject("rhs").Value("source", s.rhsDataset[0] ? "dataset" : "plume").Value("file", s.rhsFile).Value("dataset", s.rhsDataset);
  j.Value("seed", (long long)s.seed).Value("norm", (double)bnorm).Value("incompatibility_removed", (double)incompatibility).EndObject();
  j.BeginObject("solver").Value("ksp_type", rec.kspType).Value("pc_type", rec.pcType).Value("norm_type", rec.normType);
  j.Value("rtol", (double)rec.rtol).Value("atol", (double)rec.atol).Value("max_it", (long long)rec.maxIt).EndObject();
  j.BeginObject("result").Value("converged", rec.reason > 0).Value("converged_reason", rec.reasonName).Value("iterations", (long long)rec.iterations);
  j.Value("residual_norm", (double)rec.trueResidual).Value("relative_residual", (double)rec.relativeResidual).Value("ksp_residual_norm", (double)rec.kspResidual);
  j.Value("repeat", (long long)s.repeat).EndObject();
  j.BeginObject("time").Value("grid", T.grid).Value("assembly", T.assembly).Value("rhs", T.rhs).Value("setup", T.setup).Value("solve", T.solve);
  j.Value("per_iteration", rec.iterations > 0 ? T.solve / rec.iterations : 0.0).Value("output", T.output).Value("total", T.total).EndObject();
  if (rec.network.present) {
    j.BeginObject("dcdm").Value("network_applications", (long long)rec.network.applications).Value("network_seconds", rec.network.seconds);
    j.Value("seconds_per_application", rec.network.applications ? rec.network.seconds / rec.network.applications : 0.0);
    j.Value("flops_per_application", rec.network.flopsPerApplication).Value("network_gflops", rec.network.seconds > 0 ? rec.network.flopsPerApplication * rec.network.applications / rec.network.seconds / 1e9 : 0.0);
    j.Value("weights", rec.network.weights).EndObject();
  }
  // the monitor's norms (iteration 0 = ||b||) and the seconds since the solve began at each of them
  j.BeginArray("residual_history");
  for (PetscReal v : rec.history.norms) j.Value((double)v);
  j.EndArray().BeginArray("iteration_times");
  for (PetscLogDouble v : rec.history.times) j.Value(v);
  j.EndArray();
  j.Value("output_h5", s.output).Value("output_xdmf", xmf).EndObject();
  PetscCall(j.Save(comm, s.json));
  PetscFunctionReturn(0);
}

using petal::CompletedOutputs; // include/petal/completed_outputs.hpp

PetscErrorCode RunSteps(MPI_Comm comm, CompletedOutputs *done)
{
  Settings       s;
  Times          T;
  Problem        p;
  SolveRecord    rec;
  DM             da;
  Vec            cellType, div, b, x, r;
  KSP            ksp;
  PetscBool      helpOnly;
  PetscReal      incompatibility = 0, bnorm;
  PetscLogDouble t0, t1, tstart;
  std::string    mesh, xmf;

  PetscFunctionBegin;
  PetscCall(PetscTime(&tstart));
  PetscCall(ReadSettings(comm, &s, &helpOnly));
  PetscCall(CreateSolver(comm, &ksp)); // the options are checked (and with -help printed) before any work
  if (helpOnly) {
    PetscCall(KSPDestroy(&ksp));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscTime(&t0));
  PetscCall(CreateGrid(comm, s, &da, &cellType, &mesh));
  PetscCall(PetscTime(&t1));
  T.grid = t1 - t0;
  PetscCall(ProblemSetup(da, cellType, s.edge, &p)); // p owns da and cellType from here
  PetscCall(PetscTime(&t0));
  T.assembly = t0 - t1;
  PetscCall(DMCreateGlobalVector(p.da, &div));
  PetscCall(VecDuplicate(div, &b));
  PetscCall(VecDuplicate(div, &x));
  PetscCall(VecDuplicate(div, &r));
  if (s.rhsDataset[0]) PetscCall(LoadDivergence(p, s.rhsFile, s.rhsDataset, div));
  else PetscCall(PlumeDivergence(p, s.seed, div));
  PetscCall(RhsFromDivergence(p, div, b));
  PetscCall(ProblemProjectRhs(p, b, &incompatibility));
  PetscCall(VecNorm(b, NORM_2, &bnorm));
  PetscCall(PetscTime(&t1));
  T.rhs = t1 - t0;
  if (!s.quiet) {
    const Topology &t = p.topo;
    PetscCall(PetscPrintf(comm, "petal-poisson: %s, %" PetscInt_FMT "-D grid %" PetscInt_FMT " x %" PetscInt_FMT " x %" PetscInt_FMT ", edge %s\n", mesh.c_str(), p.info.dim, p.info.shape[0], p.info.shape[1], p.info.shape[2], EdgeNames[(int)p.edge]));
    PetscCall(PetscPrintf(comm, "  %" PetscInt_FMT " cells: %" PetscInt_FMT " unknowns, %" PetscInt_FMT " solid, %" PetscInt_FMT " Dirichlet, %" PetscInt_FMT " sealed; %s\n", t.cells, t.unknowns, t.solid, t.dirichlet, t.sealed,
                          t.neumannRegions ? (t.neumannRegions == 1 ? "pure Neumann (constant null space projected out)" : "several pure-Neumann regions (their null space projected out)") : "not singular (Dirichlet faces)"));
    char removed[64] = "";
    if (p.nullsp) PetscCall(PetscSNPrintf(removed, sizeof removed, ", incompatible part removed: %.3e of ||b||", (double)incompatibility));
    PetscCall(PetscPrintf(comm, "  rhs: %s, ||b|| = %.6e%s\n", s.rhsDataset[0] ? (std::string("div v* from ") + s.rhsFile + ":" + s.rhsDataset).c_str() : "div v* of the generated smoke plume", (double)bnorm, removed));
  }
  PetscCall(PetalFaultPoint("poisson_solve")); // tests: a failure on one rank between setup and solve
  PetscCall(Solve(ksp, p, b, x, s.repeat, s.monitor && !s.quiet, &rec));
  T.setup = rec.setupSeconds;
  T.solve = rec.solveSeconds;
  PetscCall(MatMult(p.A, x, r)); // r = b - A x, the residual of the equation as written to the output
  PetscCall(VecAYPX(r, -1.0, b));
  PetscCall(PetscObjectSetName((PetscObject)x, "pressure"));
  PetscCall(PetscObjectSetName((PetscObject)r, "residual"));
  if (!s.quiet) PetscCall(PrintSummary(comm, rec));
  // A solve that did not converge is no result: refuse it (the reason is the same on every rank).
  PetscCheck(rec.reason > 0 || s.keepUnconverged, comm, PETSC_ERR_NOT_CONVERGED, "petal-poisson: the solve did not converge: %s after %" PetscInt_FMT " iterations, ||b - Ax||/||b|| = %.3e; no output written (-poisson_keep_unconverged writes it anyway)",
             rec.reasonName.c_str(), rec.iterations, (double)rec.relativeResidual);

  if (s.output[0]) {
    petal::TimeSeriesWriter writer;
    PetscCall(PetscTime(&t0));
    PetscCall(writer.Open(s.output, p.da));
    // one frame with every field, so that the XDMF lists them all (the writer's static fields stay out of it)
    PetscCall(writer.WriteFrame(0, 0.0, {x, r, b, p.cellType}));
    PetscCall(writer.Close());
    done->files.push_back(s.output);
    done->files.push_back(writer.XdmfName());
    xmf = writer.XdmfName();
    PetscCall(PetscTime(&t1));
    T.output = t1 - t0;
    if (!s.quiet) PetscCall(PetscPrintf(comm, "  wrote %s and %s\n", s.output, xmf.c_str()));
  }
  PetscCall(PetscTime(&t1));
  T.total = t1 - tstart;
  if (s.json[0]) PetscCall(WriteJson(comm, s, mesh, p, rec, T, incompatibility, bnorm, xmf));
  PetscCall(VecDestroy(&div));
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&r));
  PetscCall(KSPDestroy(&ksp));
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
  // On an error the unfinished outputs' temporary files are removed and, on several ranks, the job is aborted
  // (include/petal/driver.h): never a half-written file, never a hang.
  return PetalDriverFinalize(Run(PETSC_COMM_WORLD));
}
