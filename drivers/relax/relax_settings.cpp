// petal-relax's options. List options are read as strings and split here, so that -help shows their real
// defaults (PETSc's array options print only the first value, or garbage when unset) and an empty list is an
// error rather than the default.
#include "relax_settings.hpp"
#include "heat_model.hpp"
#include <petal/banditsor.h>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <sstream>

namespace petal::relax {

const std::vector<BaselineName> Baselines = {{"gmres_ilu", "GMRES+ILU(0)"}, {"cg_boomeramg", "CG+BoomerAMG"}, {"cg_gamg", "CG+GAMG (no SA eig est.)"}};

PetscErrorCode LearnerNames(std::vector<LearnerName> *names)
{
  PetscInt           n;
  const char *const *types;
  PetscFunctionBegin;
  names->clear();
  PetscCall(PCBanditSORGetLearnerTypes(&n, &types));
  for (PetscInt i = 0; i < n; ++i) {
    const char *label;
    PetscBool   tsallis;
    if (!strcmp(types[i], "fixed")) continue;
    PetscCall(PCBanditSORGetLearnerTypeInfo(types[i], &label, NULL, &tsallis));
    names->push_back({types[i], types[i], label, false});
    if (tsallis) names->push_back({std::string(types[i]) + "_iw", types[i], std::string(label) + " (IW)", true});
  }
  PetscFunctionReturn(0);
}

namespace {
std::string Join(const std::vector<std::string> &v)
{
  std::string s;
  for (const auto &x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

std::string Join(const std::vector<double> &v)
{
  std::ostringstream os;
  for (size_t i = 0; i < v.size(); ++i) os << (i ? "," : "") << v[i];
  return os.str();
}

// Option `name` as a comma-separated list shown in -help with the default text dflt. *set: the user gave it;
// a given empty list is an error.
PetscErrorCode ListOption(PetscOptionItems *PetscOptionsObject, const char *name, const char *help, const std::string &dflt, std::vector<std::string> *items, PetscBool *set)
{
  std::vector<char> text(1 << 16); // 1000 omegas with 17 digits fit
  PetscFunctionBegin;
  PetscCall(PetscStrncpy(text.data(), dflt.c_str(), text.size()));
  PetscCall(PetscOptionsString(name, help, "", dflt.c_str(), text.data(), text.size(), set));
  if (!*set) PetscFunctionReturn(0);
  PetscCheck(std::strlen(text.data()) < text.size() - 1, PetscOptionsObject->comm, PETSC_ERR_ARG_SIZ, "petal-relax: %s is longer than %zu characters", name, text.size() - 2);
  items->clear();
  std::stringstream ss(text.data());
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) items->push_back(item);
  PetscCheck(!items->empty(), PetscOptionsObject->comm, PETSC_ERR_ARG_WRONG, "petal-relax: %s is empty; give at least one value (or leave the option out for its default, %s)", name, dflt.c_str());
  PetscFunctionReturn(0);
}

// The same for numbers; "none" (when noneIsEmpty) is the empty list.
PetscErrorCode RealListOption(PetscOptionItems *PetscOptionsObject, const char *name, const char *help, const std::string &dflt, bool noneIsEmpty, std::vector<double> *values, PetscBool *set)
{
  std::vector<std::string> items;
  PetscFunctionBegin;
  PetscCall(ListOption(PetscOptionsObject, name, help, dflt, &items, set));
  if (!*set) PetscFunctionReturn(0);
  values->clear();
  if (noneIsEmpty && items.size() == 1 && items[0] == "none") PetscFunctionReturn(0);
  for (const std::string &item : items) {
    char        *end;
    const double v = std::strtod(item.c_str(), &end);
    PetscCheck(end != item.c_str() && *end == '\0', PetscOptionsObject->comm, PETSC_ERR_ARG_WRONG, "petal-relax: %s: \"%s\" is not a number", name, item.c_str());
    values->push_back(v);
  }
  PetscFunctionReturn(0);
}

// Names from a list option, "none" dropped, each checked against `known` (what names the option takes).
PetscErrorCode NamesOption(PetscOptionItems *PetscOptionsObject, const char *name, const char *help, const std::vector<std::string> &known, std::vector<std::string> *names)
{
  std::vector<std::string> items;
  PetscBool                set;
  PetscFunctionBegin;
  PetscCall(ListOption(PetscOptionsObject, name, help, names->empty() ? "none" : Join(*names), &items, &set));
  if (!set) PetscFunctionReturn(0);
  names->clear();
  for (const std::string &item : items) {
    if (item == "none") continue;
    PetscCheck(std::find(known.begin(), known.end(), item) != known.end(), PetscOptionsObject->comm, PETSC_ERR_ARG_UNKNOWN_TYPE, "petal-relax: unknown %s %s in %s (%s, none)", !strcmp(name, "-relax_learners") ? "learner" : "baseline", item.c_str(), name, Join(known).c_str());
    names->push_back(item);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode SequenceOptions(PetscOptionItems *PetscOptionsObject, Settings *s)
{
  PetscFunctionBegin;
  PetscCall(PetscOptionsEnum("-relax_sequence", "Sequence of linear systems: synthetic (shifted Laplacians), heat (Crank-Nicolson steps), file (HDF5)", "", SequenceNames, (PetscEnum)s->kind, (PetscEnum *)&s->kind, NULL));
  if (s->kind == SequenceKind::FILE) s->instances = 0;
  PetscCall(PetscOptionsInt("-relax_instances", "Number of instances T (file: 0 = all of the file)", "", s->instances, &s->instances, NULL));
  PetscCall(PetscOptionsInt("-relax_seed", "Seed of the sequence's random draws and (unless -relax_learner_seed) of the learners", "", s->seed, &s->seed, NULL));
  s->learnerSeed = s->seed;
  PetscCall(PetscOptionsInt("-relax_learner_seed", "Seed of the learners' generators", "PCBanditSORSetSeed", s->learnerSeed, &s->learnerSeed, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode SyntheticOptions(PetscOptionItems *PetscOptionsObject, Settings *s)
{
  PetscBool           low = PETSC_FALSE, set;
  std::vector<double> ab;
  PetscFunctionBegin;
  PetscCall(PetscOptionsInt("-relax_synthetic_m", "Synthetic: grid points per direction (n = m^2; the paper: 10)", "", s->syn.m, &s->syn.m, NULL));
  PetscCall(PetscOptionsBool("-relax_synthetic_low_variance", "Synthetic: the paper's low-variance offsets c = -0.15 + 0.6 Beta(2, 6) instead of Beta(0.5, 1.5)", "", low, &low, NULL));
  if (low) s->syn.alpha = 2.0, s->syn.beta = 6.0;
  PetscCall(RealListOption(PetscOptionsObject, "-relax_synthetic_beta", "Synthetic: Beta(alpha, beta) of the offsets (two values)", Join(std::vector<double>{s->syn.alpha, s->syn.beta}), false, &ab, &set));
  if (set) {
    PetscCheck(ab.size() == 2, PetscOptionsObject->comm, PETSC_ERR_ARG_SIZ, "petal-relax: -relax_synthetic_beta takes two values alpha,beta");
    s->syn.alpha = ab[0], s->syn.beta = ab[1];
  }
  PetscCall(PetscOptionsReal("-relax_synthetic_shift", "Synthetic: c = shift + scale Beta(alpha, beta)", "", s->syn.shift, &s->syn.shift, NULL));
  PetscCall(PetscOptionsReal("-relax_synthetic_scale", "Synthetic: c = shift + scale Beta(alpha, beta)", "", s->syn.scale, &s->syn.scale, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode HeatAndFileOptions(PetscOptionItems *PetscOptionsObject, Settings *s)
{
  PetscFunctionBegin;
  PetscCall(PetscOptionsInt("-relax_heat_nx", "Heat: intervals per direction of the unit grid (n = (nx - 1)^dim)", "", s->heat.nx, &s->heat.nx, NULL));
  PetscCall(PetscOptionsInt("-relax_heat_dim", "Heat: dimension of the unit grid (2 or 3)", "", s->heat.dim, &s->heat.dim, NULL));
  PetscCall(PetscOptionsReal("-relax_heat_dt", "Heat: time step", "", s->heat.dt, &s->heat.dt, NULL));
  PetscCall(PetscOptionsString("-relax_heat_mesh", "Heat: petal voxel grid file instead of the unit grid", "", s->heat.mesh, s->heat.mesh, sizeof s->heat.mesh, NULL));
  PetscCall(PetscOptionsEnum("-relax_heat_trajectory", "Heat: online policies follow their own trajectory (own) or replay the reference one (reference)", "", TrajectoryNames, (PetscEnum)s->trajectory, (PetscEnum *)&s->trajectory, NULL));
  PetscCall(PetscOptionsReal("-relax_reference_rtol", "Heat: relative tolerance of the reference trajectory's solves (KSP prefix relax_reference_)", "", s->refRtol, &s->refRtol, NULL));
  PetscCall(PetscOptionsString("-relax_file", "File: HDF5 sequence (layout in include/petal/sequence.h)", "PetalSequenceReaderOpen", s->file, s->file, sizeof s->file, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode SolverOptions(PetscOptionItems *PetscOptionsObject, Settings *s)
{
  PetscBool set;
  PetscFunctionBegin;
  // The sequence's solver by default (a file's comes from its solver attribute, read later).
  if (s->kind == SequenceKind::HEAT) s->solver = Solver::SSOR_PCG;
  PetscCall(PetscOptionsEnum("-relax_solver", "sor (Richardson + forward SOR sweeps) or ssor_pcg (CG + symmetric SOR); default: the sequence's (synthetic: sor, heat: ssor_pcg, file: its solver attribute, else sor)", "", SolverNames, (PetscEnum)s->solver, (PetscEnum *)&s->solver, &set));
  s->solverSet = set;
  PetscCall(PetscOptionsReal("-relax_rtol", "Relative tolerance on the unpreconditioned residual", "KSPSetTolerances", s->rtol, &s->rtol, NULL));
  PetscCall(PetscOptionsInt("-relax_max_it", "Iteration cap (a solve that does not converge costs the cap)", "KSPSetTolerances", s->maxIt, &s->maxIt, NULL));
  PetscFunctionReturn(0);
}

// The arms: -relax_omega_grid, or the uniform grid -relax_omega_min/_max/_n (PCBANDITSOR's rules for both).
PetscErrorCode GridOptions(PetscOptionItems *PetscOptionsObject, Settings *s)
{
  MPI_Comm  comm = PetscOptionsObject->comm;
  PetscReal lo = 1.0, hi = 1.95;
  PetscInt  n  = 20;
  PetscBool set;
  PetscFunctionBegin;
  PetscCall(PetscOptionsReal("-relax_omega_min", "Smallest omega of the uniform grid", "PCBanditSORUniformOmegaGrid", lo, &lo, NULL));
  PetscCall(PetscOptionsReal("-relax_omega_max", "Largest omega of the uniform grid", "PCBanditSORUniformOmegaGrid", hi, &hi, NULL));
  PetscCall(PetscOptionsInt("-relax_omega_n", "Number of omegas of the uniform grid (at most 1000)", "PCBanditSORUniformOmegaGrid", n, &n, NULL));
  PetscCall(PCBanditSORCheckUniformOmegaGrid(comm, "petal-relax: -relax_omega_min/_max/_n", n, lo, hi));
  s->grid.resize(n);
  PetscCall(PCBanditSORUniformOmegaGrid(comm, "petal-relax: -relax_omega_min/_max/_n", n, lo, hi, s->grid.data()));
  PetscCall(RealListOption(PetscOptionsObject, "-relax_omega_grid", "Explicit omega grid (the arms); default: the uniform grid of -relax_omega_min/_max/_n", Join(s->grid), false, &s->grid, &set));
  if (set) PetscCall(PCBanditSORCheckOmegaGrid(comm, "petal-relax: -relax_omega_grid", (PetscInt)s->grid.size(), s->grid.data()));
  PetscFunctionReturn(0);
}

PetscErrorCode PolicyOptions(PetscOptionItems *PetscOptionsObject, Settings *s)
{
  MPI_Comm                 comm = PetscOptionsObject->comm;
  std::vector<LearnerName> names;
  std::vector<std::string> learners, baselines;
  PetscBool                set;
  PetscFunctionBegin;
  PetscCall(LearnerNames(&names));
  for (const auto &l : names) learners.push_back(l.name);
  for (const auto &b : Baselines) baselines.push_back(b.name);
  const std::string help = "Online learners to run: " + Join(learners) + " (or none; *_iw: importance-weighted losses as the reference code)";
  PetscCall(NamesOption(PetscOptionsObject, "-relax_learners", help.c_str(), learners, &s->learners));
  if (s->kind == SequenceKind::HEAT) s->baselines = baselines;
  PetscCall(NamesOption(PetscOptionsObject, "-relax_baselines", "PETSc baselines to run on the same sequence: gmres_ilu, cg_boomeramg, cg_gamg (or none; default: all for heat, none otherwise)", baselines, &s->baselines));
  PetscCall(RealListOption(PetscOptionsObject, "-relax_run_omegas", "Further fixed omegas to run online (besides the best fixed one)", "none", true, &s->runOmegas, &set));
  if (set && !s->runOmegas.empty()) PetscCall(PCBanditSORCheckOmegaGrid(comm, "petal-relax: -relax_run_omegas", (PetscInt)s->runOmegas.size(), s->runOmegas.data()));
  PetscCall(PetscOptionsBool("-relax_run_best_fixed", "Run the best fixed omega online in a second pass (real solve times)", "", s->runBestFixed, &s->runBestFixed, NULL));
  PetscCall(PetscOptionsInt("-relax_replay_seeds", "Also replay every learner on the cost table (no solves) with this many learner seeds, from -relax_learner_seed on: the spread over seeds", "PCBanditSORReplay", s->replaySeeds, &s->replaySeeds, NULL));
  PetscFunctionReturn(0);
}

// The contexts as the contextual learners see them; defaults are the sequence's (a file's: its attributes).
PetscErrorCode ContextOptions(PetscOptionItems *PetscOptionsObject, Settings *s)
{
  std::vector<double> range;
  std::string         dflt = "from the file";
  PetscBool           set;
  PetscFunctionBegin;
  if (s->kind == SequenceKind::SYNTHETIC) dflt = Join(std::vector<double>{s->syn.shift, s->syn.shift + s->syn.scale + 0.2});
  if (s->kind == SequenceKind::HEAT) dflt = Join(std::vector<double>{heat::KappaMin(heat::Preset::LTR), heat::KappaMax(heat::Preset::LTR)});
  PetscCall(RealListOption(PetscOptionsObject, "-relax_context_range", "Context range a,b of the contextual learners (default: the sequence's)", dflt, false, &range, &set));
  if (set) {
    PetscCheck(range.size() == 2 && range[0] < range[1] && std::isfinite(range[0]) && std::isfinite(range[1]), PetscOptionsObject->comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_context_range takes two finite values a < b");
    s->range[0] = range[0], s->range[1] = range[1], s->rangeSet = true;
  }
  if (s->kind != SequenceKind::FILE) s->bins = s->kind == SequenceKind::HEAT ? 6 : 5; // the paper's
  PetscCall(PetscOptionsInt("-relax_bins", "Context bins of Tsallis-INF-CB (default: the paper's, synthetic 5, heat 6; file: its bins attribute, else 5)", "", s->bins, &s->bins, NULL));
  PetscCall(PetscOptionsInt("-relax_features", "Chebyshev features of ChebCB", "", s->features, &s->features, NULL));
  PetscCall(PetscOptionsEnum("-relax_context_transform", "Context the learners see: none (the raw context c) or log: log10(c - a + floor (b - a)) for the range [a, b] (PCBanditSORSetContextTransform)", "", TransformNames, (PetscEnum)s->transform, (PetscEnum *)&s->transform, NULL));
  PetscCall(PetscOptionsReal("-relax_context_log_floor", "log transform: floor as a fraction of the context range (contexts closer than this to a count as equal)", "", s->logFloor, &s->logFloor, NULL));
  PetscFunctionReturn(0);
}

PetscErrorCode OutputOptions(PetscOptionItems *PetscOptionsObject, Settings *s)
{
  PetscFunctionBegin;
  PetscCall(PetscOptionsString("-relax_write_file", "Write the sequence (instances, along the reference trajectory for heat) to this HDF5 file and exit", "PetalSequenceWriterCreate", s->writeFile, s->writeFile, sizeof s->writeFile, NULL));
  PetscCall(PetscOptionsInt("-relax_progress", "A progress line (rate, time left) every this many instances; -1: every 5 % once a pass has run 2 s; 0: never", "", s->progress, &s->progress, NULL));
  PetscCall(PetscOptionsString("-json", "Write all numbers (per-instance iterations of every policy too) as JSON to this file", "", s->json, s->json, sizeof s->json, NULL));
  PetscFunctionReturn(0);
}

// Values no option parser checks; every message names the option the user typed.
PetscErrorCode CheckSettings(MPI_Comm comm, const Settings *s)
{
  PetscFunctionBegin;
  PetscCheck(s->rtol > 0 && s->rtol < 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_rtol must be in (0, 1), got %g", (double)s->rtol);
  PetscCheck(s->refRtol > 0 && s->refRtol < 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_reference_rtol must be in (0, 1), got %g", (double)s->refRtol);
  PetscCheck(s->maxIt >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_max_it must be positive");
  PetscCheck(s->bins == -1 || s->bins >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_bins must be positive");
  PetscCheck(s->logFloor > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_context_log_floor must be positive");
  PetscCheck(s->features >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_features must be positive");
  PetscCheck(s->replaySeeds >= 0 && s->replaySeeds <= 100000, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_replay_seeds must be in [0, 100000]");
  PetscCheck(s->instances >= 1 || (s->kind == SequenceKind::FILE && s->instances == 0), comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_instances must be positive%s", s->kind == SequenceKind::FILE ? " (or 0: all of the file)" : "");
  PetscCheck(s->seed >= 0 && s->learnerSeed >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: seeds must be non-negative");
  PetscCheck(s->progress >= -1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_progress must be -1 (automatic), 0 (never) or a number of instances");
  if (s->kind == SequenceKind::HEAT && !s->heat.mesh[0]) {
    // Checked here, not by the heat discretization, whose messages name petal-heat's options.
    PetscCheck(s->heat.nx >= 2, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_heat_nx must be at least 2, got %" PetscInt_FMT, s->heat.nx);
    PetscCheck(s->heat.dim == 2 || s->heat.dim == 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_heat_dim must be 2 or 3, got %" PetscInt_FMT, s->heat.dim);
  }
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode ReadSettings(MPI_Comm comm, Settings *s)
{
  PetscFunctionBegin;
  PetscOptionsBegin(comm, NULL, "petal-relax options", "petal-relax");
  PetscCall(SequenceOptions(PetscOptionsObject, s));
  PetscCall(SyntheticOptions(PetscOptionsObject, s));
  PetscCall(HeatAndFileOptions(PetscOptionsObject, s));
  PetscCall(SolverOptions(PetscOptionsObject, s));
  PetscCall(GridOptions(PetscOptionsObject, s));
  PetscCall(PolicyOptions(PetscOptionsObject, s));
  PetscCall(ContextOptions(PetscOptionsObject, s));
  PetscCall(OutputOptions(PetscOptionsObject, s));
  PetscOptionsEnd();
  PetscCall(CheckSettings(comm, s));
  PetscFunctionReturn(0);
}
} // namespace petal::relax
