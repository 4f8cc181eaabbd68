#pragma once
/* Sketch-and-project for the KKT system (Gower & Richtarik 2015; the AdaSketch paper's inner solver):
 *
 *     K z = -g,   K = [[B, G^T], [G, 0]] symmetric, n = d + m,   r = K z + g,
 *     z <- z - K S (S^T K^2 S)^+ S^T r
 *
 * with S = q coordinate vectors (randomized Kaczmarz for q = 1: z <- z - (r_i / |K_i|^2) K_i) or q Gaussian
 * vectors (q = 1: z <- z - (s^T r / |K s|^2) K s). The residual is updated incrementally (r <- r - K (K S w)),
 * never recomputed by a full product per step.
 *
 * K is held whole and identically on every rank (the TAO type gathers it): every rank runs the same steps on
 * the same random stream, so iterates do not depend on the rank count. Internal to solvers/adasketch/ (implemented in solvers/adasketch/sketch/). */
#include <petscsys.h>
#include <cstdint>
#include <memory>
#include <vector>

namespace petal {
namespace adasketch {

/* A symmetric matrix in CSR form, both triangles stored, column indices sorted within each row. */
struct KKTCsr {
  std::int64_t              n = 0;
  std::vector<std::int64_t> rowptr; /* n + 1 */
  std::vector<std::int64_t> col;
  std::vector<double>       val;
};

enum class SketchKind { Kaczmarz, Gaussian };

struct SketchSettings {
  SketchKind    kind  = SketchKind::Kaczmarz;
  int           block = 1;    /* q */
  std::uint64_t seed  = 2023; /* the reference code's Random.seed!(2023) */
};

struct SketchStats {
  std::int64_t steps         = 0;  /* sketch steps taken in this call */
  double       residualNorm  = 0;  /* |K z + g|_2 when the call returned (incrementally maintained) */
  bool         reachedTarget = false;
};

class SketchSolver {
public:
  virtual ~SketchSolver() = default;
  /* Takes K (copied into the solver's memory space) and precomputes what the steps need (row norms, ...). */
  virtual void SetOperator(const KKTCsr &K) = 0;
  /* Sketch steps on z (in/out, warm start) until |K z + g|_2 <= target or maxSteps steps. The random draws of
   * step t of this call come from (seed, stream, t) only: a counter-based stream, so equal arguments give equal
   * iterates on every rank and on every backend (the reference and the Kokkos solver agree to rounding).
   * The caller passes a new stream number for every call (e.g. outer iteration x 2^20 + retry). */
  virtual SketchStats Solve(std::vector<double> &z, const std::vector<double> &g, double target, std::int64_t maxSteps,
                            std::uint64_t stream) = 0;
};

/* Errors: SetOperator, Solve and the factories throw std::invalid_argument naming the problem (K not square CSR
 * with sorted in-range columns, not symmetric, non-finite entries; z or g of the wrong size or non-finite; block
 * size q outside [1, 64]). */

/* Plain host loops, the oracle of the tests. */
std::unique_ptr<SketchSolver> MakeReferenceSketchSolver(const SketchSettings &);
/* Kokkos kernels in petal's execution space (include/petal/kokkos_spaces.hpp). */
std::unique_ptr<SketchSolver> MakeKokkosSketchSolver(const SketchSettings &);

/* Registers the log events PetalSketchStep (each Solve) and PetalAdaSketchSpectra (each ComputeKKTSpectra);
 * idempotent. TaoAdaSketchInitializePackage calls it (Solve and ComputeKKTSpectra also do, on first use). */
PetscErrorCode RegisterSketchEvents();

} // namespace adasketch
} // namespace petal
