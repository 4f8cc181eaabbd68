#pragma once
// Online learners of "Learning to Relax" (Khodak, Chow, Balcan, Talwalkar, ICLR 2024) for choosing the SOR
// relaxation factor before each of a sequence of linear solves. Plain C++17, independent of PETSc and MPI.
//
// A learner knows only its number of arms d; the caller holds the grid of values the arms stand for
// (DefaultOmegaGrid(): 20 points on [1, 1.95], as in the reference code). One round is
//     std::size_t arm = learner.Choose(context);   // context is ignored by non-contextual learners
//     ... solve with omega = grid[arm], cost = iteration count ...
//     learner.Update(cost);                         // charges the arm of the last Choose
// Every learner draws from its own seeded generator, so runs are reproducible and identical on all MPI
// ranks that use the same seed and feed the same costs. Save()/Load() expose the complete state as a flat
// structure (two numeric arrays and a string) so that a run can be checkpointed and resumed bit for bit.
//
// Types (CreateLearner): "fixed" (FixedArm), "tsallis" (TsallisINF), "tsallis_cb" (TsallisINFCB),
// "chebcb" (ChebCB).
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "learned/bandits/rng.hpp"

namespace petal::bandits {

/* The complete state of a learner, flat so that it can be written to HDF5 as two 1-d datasets and two
 * string attributes. The layout of reals/ints is private to each type (versioned by ints[0]); only
 * Load() of the same type reads it. */
struct LearnerState {
  std::string type;              // "fixed", "tsallis", "tsallis_cb" or "chebcb"
  std::vector<double> reals;     // estimates, sums, probabilities, bounds
  std::vector<std::int64_t> ints; // format version, sizes, counters, arm indices
  std::string rng;               // Rng::Serialize() of the learner's generator
};

/* Loss estimator of Tsallis-INF: importance weighting (the reference) or reduced variance (tsallis_inf.hpp). */
struct TsallisEstimator {
  bool reduced_variance = true;
  double shift = 1.0;       // B of the constant shift (window == 0); finite and >= 0
  std::int64_t window = 32; // > 0: the shift follows the moving average of the last ~window losses; 0: B
  double gate = 0.25;       // arms with p >= gate * eta^2 get the whole shift; finite and > 0
  bool soft_gate = true;    // the others get sqrt(p / (gate eta^2)) of it (false: none, as PCGBandit)
};

/* Parameters for CreateLearner(). Each type reads only the fields it needs. */
struct LearnerOptions {
  std::size_t num_arms = 20;  // d
  std::uint64_t seed = 0;     // generator seed (use the same on every rank)
  std::size_t fixed_arm = 0;  // "fixed": the arm always chosen
  std::size_t bins = 5;       // "tsallis_cb": number of context bins
  std::size_t features = 6;   // "chebcb": number of Chebyshev features T_0..T_{m-1}
  double context_min = 0.0;   // "tsallis_cb", "chebcb": context range [a, b], a < b
  double context_max = 1.0;
  TsallisEstimator tsallis_estimator; // "tsallis", "tsallis_cb": loss estimator (reduced variance by default)
};

class Learner {
public:
  virtual ~Learner();

  const std::string &Type() const { return type_; }
  std::size_t NumArms() const { return num_arms_; }
  /* True for learners that use the context argument of Choose(). */
  virtual bool Contextual() const { return false; }

  /* Decides the arm for the next round. Contextual learners throw std::invalid_argument for a non-finite
   * context; others ignore it. Calling Choose() again before Update() discards the earlier decision
   * (it still consumed random numbers). */
  std::size_t Choose(double context = 0.0);
  /* Charges cost (finite, >= 0, e.g. an iteration count) to the arm of the last Choose(). Throws
   * std::logic_error without a pending decision and std::invalid_argument for a bad cost. */
  void Update(double cost);

  /* Sampling distribution of the last decision (size NumArms(), sums to one); empty before the first. */
  const std::vector<double> &Probabilities() const { return probs_; }
  /* Arm of the last Choose(); NumArms() before the first decision. */
  std::size_t LastArm() const { return last_arm_; }
  /* True between Choose() and Update(). */
  bool HasPendingDecision() const { return pending_; }
  /* Number of Update() calls so far, and the mean of their costs (0 before the first). */
  std::int64_t Rounds() const { return rounds_; }
  double MeanCost() const { return rounds_ > 0 ? cost_sum_ / static_cast<double>(rounds_) : 0.0; }

  /* Writes the complete state (replaces the contents of state). */
  void Save(LearnerState &state) const;
  /* Restores a state written by Save() of the same type, including the number of arms and the type's
   * parameters (so the options this learner was created with do not matter). Throws std::invalid_argument
   * for a state of another type or a malformed one; the learner is then left unchanged. */
  void Load(const LearnerState &state);

  /* A few lines for -ksp_view: rounds, mean cost, last decision, most probable arms and type-specific
   * details. arm_values (e.g. the omega grid), if it has NumArms() entries, is printed next to arm indices. */
  std::string Summary(const std::vector<double> &arm_values = {}) const;

  /* Sequential writer/reader of the flat state arrays (used by SaveImpl/LoadImpl and their helpers). */
  class StateWriter;
  class StateReader;

protected:
  Learner(std::string type, std::size_t num_arms, std::uint64_t seed);
  Learner(const Learner &) = default;
  Learner &operator=(const Learner &) = default;

  /* Fills probs (already sized NumArms()) for the given context and returns the sampled arm, drawing
   * from rng_. */
  virtual std::size_t DoChoose(double context, std::vector<double> &probs) = 0;
  /* Charges cost to arm (== LastArm(), with probability Probabilities()[arm]). */
  virtual void DoUpdate(std::size_t arm, double cost) = 0;
  /* Type-specific part of the state. LoadImpl must read everything into locals, call reader.Finish(),
   * and only then modify the learner; num_arms is the already-read number of arms. */
  virtual void SaveImpl(StateWriter &writer) const = 0;
  virtual void LoadImpl(StateReader &reader, std::size_t num_arms) = 0;
  /* Type-specific lines of Summary(), each starting with two spaces and ending with '\n'. */
  virtual void SummaryImpl(std::ostream &os, const std::vector<double> &arm_values) const;

  Rng rng_;

private:
  std::string type_;
  std::size_t num_arms_;
  std::int64_t rounds_ = 0;
  double cost_sum_ = 0.0;
  bool pending_ = false;
  std::size_t last_arm_;
  std::vector<double> probs_;
};

/* Sequential writer/reader of the flat state arrays used by SaveImpl/LoadImpl. */
class Learner::StateWriter {
public:
  explicit StateWriter(LearnerState &state) : state_(state) {}
  void Int(std::int64_t v) { state_.ints.push_back(v); }
  void Size(std::size_t v) { Int(static_cast<std::int64_t>(v)); }
  void Real(double v) { state_.reals.push_back(v); }
  /* Length (in ints) followed by the values (in reals). */
  void Reals(const std::vector<double> &v);

private:
  LearnerState &state_;
};

class Learner::StateReader {
public:
  explicit StateReader(const LearnerState &state) : state_(state) {}
  std::int64_t Int();
  /* A non-negative integer <= max. */
  std::size_t Size(std::size_t max);
  double Real();
  /* A vector written by StateWriter::Reals, which must have exactly `expected` entries. */
  std::vector<double> Reals(std::size_t expected);
  /* Throws unless every entry has been read. */
  void Finish() const;

private:
  const LearnerState &state_;
  std::size_t ipos_ = 0, rpos_ = 0;
};

/* Creates a learner by type name ("fixed", "tsallis", "tsallis_cb", "chebcb"). Throws std::invalid_argument
 * for an unknown type or invalid options. */
std::unique_ptr<Learner> CreateLearner(const std::string &type, const LearnerOptions &options);
/* Creates a learner of state.type and loads state into it. */
std::unique_ptr<Learner> RestoreLearner(const LearnerState &state);
/* The type names CreateLearner() accepts: the one list of learner types (PCBANDITSOR's -pc_banditsor_learner
 * values and petal-relax's policies derive from it). */
const std::vector<std::string> &LearnerTypes();
/* What a type of LearnerTypes() is, for tables and option lists. */
struct LearnerTypeTraits {
  const char *label;      // for tables: "Tsallis-INF", "ChebCB", ...
  bool contextual;        // Choose() uses the context
  bool tsallis_estimator; // reads LearnerOptions::tsallis_estimator
};
/* Throws std::invalid_argument for a name not in LearnerTypes(). */
const LearnerTypeTraits &TraitsOf(const std::string &type);
/* n points linspace(lo, hi, n) (MATLAB's: the end points exact); the reference grid is DefaultOmegaGrid() =
 * linspace(1, 1.95, 20). The omega grids of PCBANDITSOR and petal-relax come from here (omega_grid.hpp checks
 * them). */
std::vector<double> DefaultOmegaGrid(std::size_t n = 20, double lo = 1.0, double hi = 1.95);

} // namespace petal::bandits
