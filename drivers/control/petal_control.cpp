static const char help[] = "petal-control: distributed optimal control, solved by any TAO type that takes equality constraints\n"
                           "(TAOPDIPM, TAOALMM, adasketch; -tao_type). Problems (include/petal/control_problem.hpp):\n"
                           "  semilinear (default): min 1/2|y - y_d|^2 + alpha/2 |u|^2  s.t.  -Laplace y + y^3 = u + f, y = 0 on the boundary,\n"
                           "                        manufactured optimum y* = u* = sin(pi x)sin(pi y)[sin(pi z)];\n"
                           "  paper: the AdaSketch paper's linear Poisson control (finite differences, h = 2/(N+1)).\n"
                           "Grids: a petal-voxel grid (finite differences on a DMDA) or a DMPlex mesh (P1/Q1 PetscFE) from -control_mesh,\n"
                           "or the unit box generated with -control_n N -control_dim D. Writes state, control and adjoint as HDF5 + XDMF\n"
                           "and -json FILE with the iteration history (drivers/control/README.md).\n\n";

#include "control_discretization.hpp"
#include "control_nlp.hpp"
#include <petal/completed_outputs.hpp>
#include <petal/driver.h>
#include <petal/io.h>
#include <petal/json.hpp>
#include <petal/mesh.h>
#include <petal/petal.h>
#include <petal/time_series.hpp>
#include <petsctao.h>
#include <sys/resource.h>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {
using namespace petal::control;

enum class Disc : int { FD = 0, FE = 1 };
const char *const DiscNames[] = {"fd", "fe", "Disc", "CONTROL_DISC_", nullptr};

struct Settings {
  char        mesh[PETSC_MAX_PATH_LEN]   = "";
  char        output[PETSC_MAX_PATH_LEN] = "control.h5";
  char        json[PETSC_MAX_PATH_LEN]   = "";
  char        taoType[256]               = "";
  ProblemSpec spec;
  Disc        disc = Disc::FD;
  PetscBool   discSet = PETSC_FALSE;
  PetscInt    n = 31, dim = 2;
  PetscReal   initial = 0;
  PetscReal   rtol    = 0; /* -control_rtol: stop at KKT <= rtol x the start point's (with multipliers 0) */
  PetscBool   quiet = PETSC_FALSE, keepUnconverged = PETSC_FALSE, bounds = PETSC_FALSE;
};

PetscErrorCode ReadSettings(MPI_Comm comm, Settings *s, PetscBool *helpOnly)
{
  PetscBool nSet, dimSet;
  PetscFunctionBegin;
  PetscCall(PetscStrncpy(s->taoType, TAOPDIPM, sizeof s->taoType));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-tao_type", s->taoType, sizeof s->taoType, NULL));
  PetscOptionsBegin(comm, NULL, "petal-control options (drivers/control/README.md)", "petal-control");
  PetscCall(PetscOptionsEnum("-control_problem", "Problem: semilinear (-Laplace y + y^3 = u + f) or paper (the AdaSketch paper's Poisson control, finite differences)", "", ProblemKindNames, (PetscEnum)s->spec.kind, (PetscEnum *)&s->spec.kind, NULL));
  PetscCall(PetscOptionsReal("-control_alpha", "Semilinear problem: weight alpha of the control term (> 0)", "", s->spec.alpha, &s->spec.alpha, NULL));
  PetscCall(PetscOptionsString("-control_mesh", "Mesh: a petal-voxel grid (finite differences) or a DMPlex HDF5 / gmsh file (finite elements); without it the unit box", "", s->mesh, s->mesh, sizeof s->mesh, NULL));
  PetscCall(PetscOptionsInt("-control_n", "Generated unit box: N interior points per direction (spacing 1/(N+1))", "", s->n, &s->n, &nSet));
  PetscCall(PetscOptionsInt("-control_dim", "Generated unit box: dimension 2 or 3", "", s->dim, &s->dim, &dimSet));
  PetscCall(PetscOptionsEnum("-control_discretization", "Generated unit box: fd (finite differences on a DMDA) or fe (Q1 elements on a DMPlex box)", "", DiscNames, (PetscEnum)s->disc, (PetscEnum *)&s->disc, &s->discSet));
  s->initial = s->spec.kind == ProblemKind::PAPER ? 1.0 : 0.0;
  PetscCall(PetscOptionsReal("-control_initial", "Start point: y = u = this value at every unknown (default 1 for paper, as the reference code; 0 for semilinear)", "", s->initial, &s->initial, NULL));
  s->bounds = (PetscBool)!strcmp(s->taoType, TAOPDIPM);
  PetscCall(PetscOptionsBool("-control_infinite_bounds", "Give TAO the bounds -inf <= x <= inf (default: with TAOPDIPM, which crashes without bounds in PETSc 3.18)", "", s->bounds, &s->bounds, NULL));
  PetscCall(PetscOptionsString("-control_output", "HDF5 output (state, control, adjoint; an .xmf beside it for ParaView); \"none\" for no file", "", s->output, s->output, sizeof s->output, NULL));
  PetscCall(PetscOptionsString("-json", "Write the run summary and the iteration history as JSON to this file", "", s->json, s->json, sizeof s->json, NULL));
  PetscCall(PetscOptionsReal("-control_rtol", "Stop at |grad L| and |c| <= this x the KKT residual of the start point with multipliers 0 (sets -tao_gatol and -tao_catol; 0: off)", "", s->rtol, &s->rtol, NULL));
  PetscCheck(s->rtol >= 0 && s->rtol < 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-control: -control_rtol must be in [0, 1), got %g", (double)s->rtol);
  PetscCall(PetscOptionsBool("-control_keep_unconverged", "Write the outputs of a solve that did not converge (and exit 0) instead of failing", "", s->keepUnconverged, &s->keepUnconverged, NULL));
  PetscCall(PetscOptionsBool("-control_quiet", "Print nothing but errors (no line per iteration)", "", s->quiet, &s->quiet, NULL));
  PetscOptionsEnd();
  PetscCall(PetscOptionsHasHelp(NULL, helpOnly));
  PetscCheck(!(s->mesh[0] && (nSet || dimSet || s->discSet)), comm, PETSC_ERR_USER_INPUT, "petal-control: -control_mesh and the generated box's options (-control_n, -control_dim, -control_discretization) exclude each other");
  PetscCheck(s->spec.alpha > 0 && PetscIsNormalReal(s->spec.alpha), comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-control: -control_alpha must be a positive number, got %g", (double)s->spec.alpha);
  PetscCheck(PetscIsInfOrNanReal(s->initial) == PETSC_FALSE, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-control: -control_initial must be finite");
  PetscCheck(s->mesh[0] || s->n >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-control: -control_n must be at least 1 (interior points per direction), got %" PetscInt_FMT, s->n);
  PetscCheck(s->mesh[0] || s->dim == 2 || s->dim == 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-control: -control_dim must be 2 or 3, got %" PetscInt_FMT, s->dim);
  if (!strcmp(s->output, "none")) s->output[0] = 0;
  if (*helpOnly) PetscFunctionReturn(0);
  if (s->output[0]) PetscCall(PetalCheckWritable(comm, s->output));
  if (s->json[0]) PetscCall(PetalCheckWritable(comm, s->json));
  PetscFunctionReturn(0);
}

// TAO from the options; petal-control's defaults: TAOPDIPM, with its (symmetric, indefinite) KKT systems factored
// by MUMPS (-pc_type cholesky -pc_factor_mat_solver_type mumps, which also gives PDIPM the inertia) unless -pc_type
// is given; (-tao_pdipm_symmetric_kkt 0 -pc_type lu fails on the semilinear problem from y = 0: zero pivots); adasketch
// with the settings below; and tolerances 1e-8 on |grad L| and |c| (absolute) unless -tao_gatol/-tao_catol/... are given.
PetscErrorCode CreateTao(MPI_Comm comm, const Settings &s, Tao *tao)
{
  PetscBool set;
  PetscFunctionBegin;
  if (!strcmp(s.taoType, TAOPDIPM)) {
    PetscCall(PetscOptionsHasName(NULL, NULL, "-pc_type", &set));
    if (!set) {
      PetscCall(PetscOptionsSetValue(NULL, "-pc_type", "cholesky"));
      PetscCall(PetscOptionsHasName(NULL, NULL, "-pc_factor_mat_solver_type", &set));
      if (!set) PetscCall(PetscOptionsSetValue(NULL, "-pc_factor_mat_solver_type", "mumps"));
    }
    // MUMPS's workspace estimate is too small for these indefinite systems on several ranks (INFOG(1) = -9,
    // seen as DIVERGED_LINEAR_SOLVE at 2-D N = 31 on 2 ranks): 200% more than its estimate.
    PetscCall(PetscOptionsHasName(NULL, NULL, "-mat_mumps_icntl_14", &set));
    if (!set) PetscCall(PetscOptionsSetValue(NULL, "-mat_mumps_icntl_14", "200"));
  }
  if (!strcmp(s.taoType, "adasketch")) {
    // adasketch at PDE scale: the KSP inner solver (reduced-space preconditioner: the driver gives the state set),
    // spectral norms, multipliers from 0 (the optimum's are O(alpha h^D)), the spectral quantities computed once
    // per 10 iterations (they hardly move; each computation costs about two Newton steps).
    const char *const defaults[][2] = {{"-tao_adasketch_inner", "ksp"}, {"-tao_adasketch_norm", "spectral"}, {"-tao_adasketch_lambda0", "0"}, {"-tao_adasketch_spectra_lag", "10"}};
    for (const auto &d : defaults) {
      PetscCall(PetscOptionsHasName(NULL, NULL, d[0], &set));
      if (!set) PetscCall(PetscOptionsSetValue(NULL, d[0], d[1]));
    }
  }
  PetscCall(TaoCreate(comm, tao));
  PetscCall(TaoSetType(*tao, TAOPDIPM));
  PetscCall(TaoSetFromOptions(*tao));
  PetscReal gatol, grtol, gttol, catol, crtol;
  PetscCall(TaoGetTolerances(*tao, &gatol, &grtol, &gttol));
  PetscCall(TaoGetConstraintTolerances(*tao, &catol, &crtol));
  const struct {
    const char *name;
    PetscReal  *v, value;
  } defaults[] = {{"-tao_gatol", &gatol, 1e-8}, {"-tao_grtol", &grtol, 0.0}, {"-tao_gttol", &gttol, 0.0}, {"-tao_catol", &catol, 1e-8}, {"-tao_crtol", &crtol, 0.0}};
  for (const auto &d : defaults) {
    PetscCall(PetscOptionsHasName(NULL, NULL, d.name, &set));
    if (!set) *d.v = d.value;
  }
  PetscCall(TaoSetTolerances(*tao, gatol, grtol, gttol));
  PetscCall(TaoSetConstraintTolerances(*tao, catol, crtol));
  // At most 200 iterations unless -tao_max_it says otherwise (a TAOPDIPM whose linear solves fail otherwise
  // repeats them for TAO's default 2000+ iterations).
  PetscCall(PetscOptionsHasName(NULL, NULL, "-tao_max_it", &set));
  if (!set) PetscCall(TaoSetMaximumIterations(*tao, 200));
  // No cap on function evaluations unless -tao_max_funcs is given: TAOALMM's subsolver spends the parent's
  // (TAO's default 4000 ends an ALMM run in its first outer iteration).
  PetscCall(PetscOptionsHasName(NULL, NULL, "-tao_max_funcs", &set));
  if (!set) PetscCall(TaoSetMaximumFunctionEvaluations(*tao, PETSC_MAX_INT));
  PetscFunctionReturn(0);
}

// The equality multipliers of any TAO type: TaoGetDualVariables (TAOPDIPM, adasketch), TAOALMM's own. NULL if none.
PetscErrorCode GetMultipliers(Tao tao, Vec *lambda)
{
  Vec       DE = nullptr, DI = nullptr;
  PetscBool almm;
  PetscFunctionBegin;
  PetscCall(TaoGetDualVariables(tao, &DE, &DI));
  PetscCall(PetscObjectTypeCompare((PetscObject)tao, TAOALMM, &almm));
  if (!DE && almm) PetscCall(TaoALMMGetMultipliers(tao, &DE));
  *lambda = DE;
  PetscFunctionReturn(0);
}

struct History {
  std::vector<PetscInt>  iteration;
  std::vector<PetscReal> f, cNorm, gradLNorm, kkt;
  std::vector<double>    time;
  PetscLogDouble         start = 0, monitorSeconds = 0;
  ControlNLP            *nlp   = nullptr;
  Tao                    tao   = nullptr;
  bool                   print = true;
  MPI_Comm               comm  = MPI_COMM_NULL;
};

// One record per TAO iteration: f, |c|, |grad_x L| (L = f + lambda^T c, from the type's multipliers) and the KKT
// residual |(grad_x L, c)|, evaluated here for every type alike; times exclude this monitor's own work.
PetscErrorCode Monitor(Tao tao, void *ctx)
{
  auto              *h = static_cast<History *>(ctx);
  PetscInt           its;
  PetscReal          f, gnorm, cnorm, xdiff, gl, cn;
  TaoConvergedReason reason;
  PetscLogDouble     t0, t1;
  Vec                X, lambda;
  PetscFunctionBegin;
  if (tao != h->tao) PetscFunctionReturn(0); // a subsolver's monitor
  PetscCall(PetscTime(&t0));
  PetscCall(TaoGetSolutionStatus(tao, &its, &f, &gnorm, &cnorm, &xdiff, &reason));
  PetscCall(TaoGetSolution(tao, &X));
  PetscCall(GetMultipliers(tao, &lambda));
  PetscCall(h->nlp->KKT(X, lambda, &f, &gl, &cn));
  const double t = t0 - h->start - h->monitorSeconds;
  h->iteration.push_back(its);
  h->f.push_back(f);
  h->cNorm.push_back(cn);
  h->gradLNorm.push_back(gl);
  h->kkt.push_back(PetscSqrtReal(gl * gl + cn * cn));
  h->time.push_back(t);
  if (h->print) PetscCall(PetscPrintf(h->comm, "  %4" PetscInt_FMT "  f %.10e  |c| %.3e  |grad_x L| %.3e  KKT %.3e  %9.3f s\n", its, (double)f, (double)cn, (double)gl, (double)h->kkt.back(), t));
  PetscCall(PetscTime(&t1));
  h->monitorSeconds += t1 - t0;
  PetscFunctionReturn(0);
}

struct Times {
  PetscLogDouble setup = 0, solve = 0, output = 0, total = 0;
};

struct Result {
  std::string reasonName, taoType;
  PetscInt    iterations = 0;
  bool        converged  = false;
  PetscReal   f = 0, cNorm = 0, gradLNorm = 0, kkt = 0, kkt0 = 0, stateErrorMax = -1;
  PetscReal   gatol = 0, catol = 0;
  double      peakRssMax = 0, peakRssSum = 0; // bytes
};

PetscErrorCode PeakMemory(MPI_Comm comm, Result *r)
{
  struct rusage u;
  double        mine;
  PetscFunctionBegin;
  getrusage(RUSAGE_SELF, &u);
  mine = (double)u.ru_maxrss * 1024.0; // Linux: kilobytes
  PetscCallMPI(MPI_Allreduce(&mine, &r->peakRssMax, 1, MPI_DOUBLE, MPI_MAX, comm));
  PetscCallMPI(MPI_Allreduce(&mine, &r->peakRssSum, 1, MPI_DOUBLE, MPI_SUM, comm));
  PetscFunctionReturn(0);
}

PetscErrorCode WriteJson(MPI_Comm comm, const Settings &s, const Discretization &d, const History &h, const Result &r, const Times &T, const std::string &xmf)
{
  PetscMPIInt size;
  char        version[256];
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCall(PetscGetVersion(version, sizeof version));
  petal::JsonWriter j;
  j.BeginObject().Value("driver", "petal-control").Value("petal_version", PETAL_VERSION_STRING).Value("petsc_version", version).Value("ranks", (int)size);
  j.BeginObject("problem").Value("name", ProblemKindNames[(int)s.spec.kind]).Value("alpha", s.spec.kind == ProblemKind::SEMILINEAR ? (double)s.spec.alpha : 0.0);
  j.Value("dim", (long long)d.dim).Value("discretization", d.Name()).Value("mesh", d.meshName).Value("n", (long long)d.gridN);
  j.Value("unknowns", (long long)d.size).Value("variables", (long long)(2 * d.size)).Value("constraints", (long long)d.size).Value("description", d.Describe()).EndObject();
  j.BeginObject("solver").Value("tao_type", r.taoType).Value("gatol", (double)r.gatol).Value("catol", (double)r.catol).Value("infinite_bounds", (bool)s.bounds).EndObject();
  j.BeginObject("result").Value("converged", r.converged).Value("converged_reason", r.reasonName).Value("iterations", (long long)r.iterations);
  j.Value("objective", (double)r.f).Value("constraint_norm", (double)r.cNorm).Value("lagrangian_gradient_norm", (double)r.gradLNorm).Value("kkt", (double)r.kkt);
  j.Value("kkt_relative", r.kkt0 > 0 ? (double)(r.kkt / r.kkt0) : 0.0);
  if (r.stateErrorMax >= 0) j.Value("state_error_max", (double)r.stateErrorMax);
  j.EndObject();
  j.BeginObject("time").Value("setup", T.setup).Value("solve", T.solve).Value("per_iteration", r.iterations > 0 ? T.solve / r.iterations : 0.0).Value("output", T.output).Value("total", T.total).Value("monitor_excluded", h.monitorSeconds).EndObject();
  j.BeginObject("memory").Value("peak_rss_bytes_max_rank", r.peakRssMax).Value("peak_rss_bytes_sum", r.peakRssSum).EndObject();
  j.BeginObject("history");
  j.BeginArray("iteration");
  for (PetscInt v : h.iteration) j.Value((double)v);
  j.EndArray().BeginArray("objective");
  for (PetscReal v : h.f) j.Value((double)v);
  j.EndArray().BeginArray("constraint_norm");
  for (PetscReal v : h.cNorm) j.Value((double)v);
  j.EndArray().BeginArray("lagrangian_gradient_norm");
  for (PetscReal v : h.gradLNorm) j.Value((double)v);
  j.EndArray().BeginArray("kkt");
  for (PetscReal v : h.kkt) j.Value((double)v);
  j.EndArray().BeginArray("time");
  for (double v : h.time) j.Value(v);
  j.EndArray().EndObject();
  j.Value("output_h5", s.output).Value("output_xdmf", xmf).EndObject();
  PetscCall(j.Save(comm, s.json));
  PetscFunctionReturn(0);
}

using petal::CompletedOutputs; // include/petal/completed_outputs.hpp

PetscErrorCode RunSteps(MPI_Comm comm, CompletedOutputs *done)
{
  Settings                        s;
  Times                           T;
  Result                          r;
  History                         h;
  Tao                             tao;
  PetscBool                       helpOnly;
  PetscLogDouble                  tstart, t0, t1;
  std::unique_ptr<Discretization> disc;
  std::string                     xmf;

  PetscFunctionBegin;
  PetscCall(PetscTime(&tstart));
  PetscCall(ReadSettings(comm, &s, &helpOnly));
  PetscCall(CreateTao(comm, s, &tao)); // options checked (and with -help printed) before any work
  if (helpOnly) {
    PetscCall(TaoDestroy(&tao));
    PetscFunctionReturn(0);
  }
  Disc kind = s.disc;
  if (s.mesh[0]) {
    PetalMeshKind mk;
    PetscCall(PetalMeshGetKind(comm, s.mesh, &mk));
    kind = mk == PETAL_MESH_VOXEL ? Disc::FD : Disc::FE;
  }
  if (kind == Disc::FD) PetscCall(CreateFiniteDifference(comm, s.mesh, s.n, s.dim, s.spec, &disc));
  else PetscCall(CreateFiniteElement(comm, s.mesh, s.n, s.dim, s.spec, &disc));
  {
    ControlNLP nlp(disc.get());
    Vec        y, u, state, control, adjoint, exact = nullptr, lambda;
    PetscCall(nlp.Setup());
    { // the start point, written through the discretization's views of x
      PetscScalar *a;
      PetscInt     nl;
      PetscCall(DMCreateGlobalVector(disc->dm, &state));
      PetscCall(VecDuplicate(state, &control));
      PetscCall(disc->StartPoint(s.initial, state, control));
      PetscCall(VecGetLocalSize(state, &nl));
      PetscCall(VecGetArray(nlp.x, &a));
      const PetscScalar *ya, *ua;
      PetscCall(VecGetArrayRead(state, &ya));
      PetscCall(VecGetArrayRead(control, &ua));
      PetscCall(PetscArraycpy(a, ya, nl));
      PetscCall(PetscArraycpy(a + nl, ua, nl));
      PetscCall(VecRestoreArrayRead(state, &ya));
      PetscCall(VecRestoreArrayRead(control, &ua));
      PetscCall(VecRestoreArray(nlp.x, &a));
    }
    PetscCall(nlp.Attach(tao));
    if (s.bounds) PetscCall(nlp.AttachBounds(tao));
    if (s.rtol > 0) {
      // A relative stop: on fine grids |c| = |A_h y + ...| carries roundoff of order eps |A_h| |y| ~ eps h^-2,
      // which an absolute 1e-8 does not clear at N = 511.
      PetscReal f0, g0, c0, kktStart;
      PetscCall(nlp.KKT(nlp.x, NULL, &f0, &g0, &c0));
      kktStart = PetscSqrtReal(g0 * g0 + c0 * c0);
      PetscCall(TaoSetTolerances(tao, s.rtol * kktStart, 0.0, 0.0));
      PetscCall(TaoSetConstraintTolerances(tao, s.rtol * kktStart, 0.0));
    }
    h.nlp   = &nlp;
    h.tao   = tao;
    h.print = !s.quiet;
    h.comm  = comm;
    PetscCall(TaoSetMonitor(tao, Monitor, &h, NULL));
    {
      TaoType type;
      PetscCall(TaoGetType(tao, &type));
      r.taoType = type;
      PetscCall(TaoGetTolerances(tao, &r.gatol, NULL, NULL));
      PetscCall(TaoGetConstraintTolerances(tao, &r.catol, NULL));
    }
    if (!s.quiet) {
      PetscCall(PetscPrintf(comm, "petal-control: %s problem%s on a %s\n", ProblemKindNames[(int)s.spec.kind], s.spec.kind == ProblemKind::SEMILINEAR ? (" (alpha " + std::to_string(s.spec.alpha) + ")").c_str() : "", disc->Describe().c_str()));
      PetscCall(PetscPrintf(comm, "  %" PetscInt_FMT " variables (y, u), %" PetscInt_FMT " equality constraints; TAO %s, gatol %g, catol %g\n", 2 * disc->size, disc->size, r.taoType.c_str(), (double)r.gatol, (double)r.catol));
    }
    PetscCall(PetscTime(&t0));
    PetscCall(TaoSetUp(tao));
    PetscCall(PetscTime(&t1));
    T.setup = t1 - t0;
    PetscCall(PetalFaultPoint("control_solve")); // tests: a failure on one rank between setup and solve
    h.start = t1;
    PetscCall(TaoSolve(tao));
    PetscCall(PetscTime(&t0));
    T.solve = t0 - t1 - h.monitorSeconds;
    TaoConvergedReason reason;
    PetscCall(TaoGetConvergedReason(tao, &reason));
    PetscCall(TaoGetIterationNumber(tao, &r.iterations));
    r.reasonName = TaoConvergedReasons[reason];
    r.converged  = reason > 0;
    // The final KKT residual, at the solution TAO returns with its multipliers.
    PetscCall(GetMultipliers(tao, &lambda));
    PetscCall(nlp.KKT(nlp.x, lambda, &r.f, &r.gradLNorm, &r.cNorm));
    r.kkt  = PetscSqrtReal(r.gradLNorm * r.gradLNorm + r.cNorm * r.cNorm);
    r.kkt0 = h.kkt.empty() ? 0 : h.kkt.front();
    PetscCall(nlp.Split(nlp.x, &y, &u));
    PetscCall(VecCopy(y, state));
    PetscCall(VecCopy(u, control));
    PetscCall(nlp.Restore(nlp.x));
    PetscCall(VecDuplicate(state, &adjoint));
    if (lambda) PetscCall(disc->Adjoint(lambda, adjoint));
    else PetscCall(VecSet(adjoint, 0.0));
    PetscCall(PetscObjectSetName((PetscObject)state, "state"));
    PetscCall(PetscObjectSetName((PetscObject)control, "control"));
    PetscCall(PetscObjectSetName((PetscObject)adjoint, "adjoint"));
    std::vector<Vec> fields = {state, control, adjoint};
    if (s.spec.kind == ProblemKind::SEMILINEAR) {
      Vec e;
      PetscCall(VecDuplicate(state, &exact));
      PetscCall(PetscObjectSetName((PetscObject)exact, "exact_state"));
      PetscCall(disc->ExactState(exact));
      PetscCall(VecDuplicate(state, &e));
      PetscCall(VecWAXPY(e, -1.0, exact, state));
      PetscCall(VecNorm(e, NORM_INFINITY, &r.stateErrorMax));
      PetscCall(VecDestroy(&e));
      fields.push_back(exact);
    }
    for (Vec v : disc->StaticFields()) fields.push_back(v);
    PetscCall(PeakMemory(comm, &r));
    if (!s.quiet) {
      PetscCall(PetscPrintf(comm, "  %s after %" PetscInt_FMT " iterations: f = %.10e, |c| = %.3e, |grad_x L| = %.3e, KKT %.3e (%.3e relative)\n", r.reasonName.c_str(), r.iterations, (double)r.f, (double)r.cNorm, (double)r.gradLNorm, (double)r.kkt, r.kkt0 > 0 ? (double)(r.kkt / r.kkt0) : 0.0));
      if (r.stateErrorMax >= 0) PetscCall(PetscPrintf(comm, "  max |y - y*| = %.3e (y* = s, the continuous optimum)\n", (double)r.stateErrorMax));
      PetscCall(PetscPrintf(comm, "  setup %.3f s, solve %.3f s (%.3g s per iteration), peak memory %.1f MiB (largest rank), %.1f MiB (all ranks)\n", T.setup, T.solve, r.iterations ? T.solve / r.iterations : 0.0, r.peakRssMax / 1048576.0, r.peakRssSum / 1048576.0));
    }
    // A solve that did not converge is no result: refuse it (the reason is the same on every rank).
    PetscCheck(r.converged || s.keepUnconverged, comm, PETSC_ERR_NOT_CONVERGED, "petal-control: the solve did not converge: %s after %" PetscInt_FMT " iterations, KKT residual %.3e; no output written (-control_keep_unconverged writes it anyway)", r.reasonName.c_str(), r.iterations,
               (double)r.kkt);
    if (s.output[0]) {
      petal::TimeSeriesWriter writer;
      PetscCall(PetscTime(&t0));
      PetscCall(writer.Open(s.output, disc->dm));
      PetscCall(writer.WriteFrame(0, 0.0, fields)); // one frame with every field, so that the XDMF lists them all
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
    if (s.json[0]) PetscCall(WriteJson(comm, s, *disc, h, r, T, xmf));
    for (Vec *v : {&state, &control, &adjoint, &exact}) PetscCall(VecDestroy(v));
    PetscCall(TaoDestroy(&tao)); // before nlp, whose Vecs and Mats it references
  }
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
