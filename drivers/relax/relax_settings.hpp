#pragma once
// petal-relax's settings: the -relax_* options (every one in -help with its real default) and the names of
// the policies it runs. The learner names derive from PCBANDITSOR's list of learner types.
#include "relax_sequence.hpp"
#include <string>
#include <vector>

namespace petal::relax {

enum class SequenceKind : int { SYNTHETIC = 0, HEAT = 1, FILE = 2 };
static const char *const SequenceNames[] = {"synthetic", "heat", "file", "SequenceKind", "RELAX_SEQUENCE_", nullptr};
enum class Trajectory : int { OWN = 0, REFERENCE = 1 };
static const char *const TrajectoryNames[] = {"own", "reference", "Trajectory", "RELAX_TRAJECTORY_", nullptr};
enum class Transform : int { NONE = 0, LOG = 1 };
static const char *const TransformNames[] = {"none", "log", "Transform", "RELAX_TRANSFORM_", nullptr};

// An online learner policy: its -relax_learners name, the PCBANDITSOR learner type, its label, and whether it
// runs the Tsallis-INF learner with the reference's importance-weighted estimator instead of the default.
struct LearnerName {
  std::string name, type, label;
  bool        iw = false;
};
// Every learner type of PCBANDITSOR but "fixed" (the fixed omegas are the table's rows), and "<type>_iw" for
// the types with a Tsallis-INF loss estimator.
PetscErrorCode LearnerNames(std::vector<LearnerName> *names);

struct BaselineName {
  const char *name, *label;
};
extern const std::vector<BaselineName> Baselines; // gmres_ilu, cg_boomeramg, cg_gamg

struct Settings {
  SequenceKind             kind = SequenceKind::SYNTHETIC;
  SyntheticParams          syn;
  HeatParams               heat;
  char                     file[PETSC_MAX_PATH_LEN]      = "";
  char                     json[PETSC_MAX_PATH_LEN]      = "";
  char                     writeFile[PETSC_MAX_PATH_LEN] = "";
  PetscInt                 instances = 5000; // file: 0 = all of the file
  PetscInt                 seed = 0, learnerSeed = 0;
  std::vector<std::string> learners = {"tsallis", "tsallis_iw", "tsallis_cb", "chebcb"};
  std::vector<std::string> baselines; // default: all for heat, none otherwise
  std::vector<double>      grid;
  Solver                   solver    = Solver::SOR;
  bool                     solverSet = false;
  PetscReal                rtol = 1e-8, refRtol = 1e-12;
  PetscInt                 maxIt = 10000;
  PetscReal                range[2] = {0, 0};
  bool                     rangeSet = false;
  PetscInt                 bins = -1, features = 6; // bins -1: the sequence's
  Trajectory               trajectory = Trajectory::OWN;
  Transform                transform  = Transform::NONE;
  PetscReal                logFloor   = 1e-3;
  std::vector<double>      runOmegas;
  PetscBool                runBestFixed = PETSC_TRUE;
  PetscInt                 replaySeeds  = 0;  // learners replayed on the table with this many seeds
  PetscInt                 progress     = -1; // -1: every 5 % once a pass has run 2 s; 0: never; k: every k instances
};

// Reads every -relax_* option (and -json) and checks the values, naming the option in any error. Collective.
PetscErrorCode ReadSettings(MPI_Comm comm, Settings *s);

} // namespace petal::relax
