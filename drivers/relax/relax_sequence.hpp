#pragma once
// Sequences of linear systems A_t x = b_t (t = 0..T-1) for petal-relax, the parameter study of PCBANDITSOR.
//
// A sequence is traversed in order after Reset(): Begin(t) prepares instance t (its operator, which does not
// depend on the solver, and its context), then System(prev, b, x0) gives the right-hand side and the initial
// guess for a solver whose solution of the previous instance is prev. Only "stateful" sequences (the heat
// equation: b_t depends on u_{t-1}) look at prev; the others ignore it. Every random draw comes from a
// generator seeded by -relax_seed and is made identically on every rank.
#include <petal/json.hpp>
#include <petscmat.h>
#include <memory>
#include <string>
#include <vector>

namespace petal::relax {

enum class Solver : int { SOR = 0, SSOR_PCG = 1 };
static const char *const SolverNames[] = {"sor", "ssor_pcg", "Solver", "RELAX_SOLVER_", nullptr};

class Sequence {
public:
  virtual ~Sequence();
  virtual const char *Name() const = 0;
  // Number of instances T and global number of unknowns n.
  PetscInt Length() const { return length_; }
  PetscInt Size() const { return size_; }
  // True if b_t (and x0) depend on the previous solution.
  virtual bool Stateful() const { return false; }
  // The paper's solver for this sequence.
  virtual Solver DefaultSolver() const = 0;
  // Range of the context (the contextual learners' [a, b]).
  virtual void ContextRange(PetscReal *a, PetscReal *b) const = 0;
  // Number of bins of Tsallis-INF-CB in the paper's runs of this sequence.
  virtual PetscInt DefaultBins() const { return 5; }
  virtual PetscErrorCode View(PetscViewer viewer) const = 0;
  // Sequence parameters for the JSON summary (inside an open object).
  virtual void Describe(JsonWriter &j) const = 0;

  virtual PetscErrorCode CreateVector(Vec *v) const = 0;
  // Restarts at instance 0: the same instances are produced again.
  virtual PetscErrorCode Reset() = 0;
  // Prepares instance t (t = 0, 1, ... in order): A_t (owned by the sequence, valid until the next Begin) and
  // the context of the contextual learners.
  virtual PetscErrorCode Begin(PetscInt t, Mat *A, PetscReal *context) = 0;
  // b_t and the initial guess of instance t for a solver whose solution of instance t-1 is prev (the initial
  // state for t = 0; see Initial). Stateless sequences ignore prev (it may be null).
  virtual PetscErrorCode System(Vec prev, Vec b, Vec x0) = 0;
  // The state before instance 0 (stateful sequences).
  virtual PetscErrorCode Initial(Vec u) const;

protected:
  PetscInt length_ = 0, size_ = 0;
};

struct SyntheticParams {
  PetscInt  m     = 10;    // grid points per direction: n = m^2 (the paper: 10, i.e. numgrid('S', 12))
  PetscReal shift = -0.15; // c = shift + scale * Beta(alpha, beta)
  PetscReal scale = 0.6;
  PetscReal alpha = 0.5, beta = 1.5; // "high variance"; Beta(2, 6) is the "low variance" sequence
  PetscInt  instances = 5000;
  PetscInt  seed      = 0;
};
// The paper's synthetic study: A_t = L + c_t I (L the unscaled 5-point Laplacian of an m x m grid),
// b_t ~ N(0, I) rejected unless ||b_t|| <= sqrt(n), x0 = 0; context c_t.
PetscErrorCode CreateSyntheticSequence(MPI_Comm comm, const SyntheticParams &p, std::unique_ptr<Sequence> *seq);

struct HeatParams {
  PetscInt  nx = 100, dim = 2, steps = 5000;
  PetscReal dt = 1e-3;
  char      mesh[PETSC_MAX_PATH_LEN] = "";
};
// The "Learning to Relax" heat equation (drivers/heat, preset ltr): A_t = I + c_t K, c_t = dt kappa(t+dt/2)/2,
// b_t = (I - c_t K) u_{t-1} + dt F(t + dt/2), warm start x0 = u_{t-1}; context kappa(t + dt/2).
PetscErrorCode CreateHeatSequence(MPI_Comm comm, const HeatParams &p, std::unique_ptr<Sequence> *seq);

// A sequence stored in a file of petal's format for sequences of linear systems (include/petal/sequence.h),
// read with PetalSequenceReader. instances <= 0: all.
PetscErrorCode CreateFileSequence(MPI_Comm comm, const char *file, PetscInt instances, std::unique_ptr<Sequence> *seq);

// Writes seq (instances along the trajectory given by solve, for stateful sequences) with PetalSequenceWriter,
// so that CreateFileSequence reads it back. solve(A, b, x) must solve A x = b in place (x holds the initial
// guess); it is only called for stateful sequences. progress: as -relax_progress.
using TrajectorySolver = PetscErrorCode (*)(void *ctx, Mat A, Vec b, Vec x);
PetscErrorCode WriteSequenceFile(MPI_Comm comm, Sequence &seq, const char *file, TrajectorySolver solve, void *ctx, PetscInt progress);
} // namespace petal::relax
