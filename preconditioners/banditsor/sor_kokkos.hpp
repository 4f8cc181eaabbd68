#pragma once
// petal::KokkosSOR: the Kokkos backend of PCBANDITSOR. Multicolor point SOR/SSOR on the local diagonal
// block of a SeqAIJ/MPIAIJ matrix (block Jacobi across ranks, like PETSc's MatSOR with SOR_LOCAL_*),
// applied to PETSc Vecs through the Kokkos bridge.
//
// Apply(omega, sweep, its, b, x, lits) reproduces
//   MatSOR(A, b, omega, SOR_LOCAL_<sweep> | SOR_ZERO_INITIAL_GUESS, 0.0, its, lits, x)
// except that each rank sweeps its rows in multicolor order (rows grouped by color, colors in order)
// instead of natural order: x = 0; for each of the `its` outer iterations, ghost values of x are exchanged
// (MPIAIJ only; zero in the first iteration), rhs = b - B x_ghost, then `lits` local sweeps on the diagonal
// block. The result equals sor::BlockJacobiSOR with the order from GetColorOrder (sor_reference.hpp).
//
// The coloring is computed once (Create) and kept when values change (UpdateValues). The default greedy
// coloring is deterministic and identical on every backend (red-black on a 5-point stencil), so iteration
// counts do not depend on the device or on thread scheduling.
#include <petal/kokkos_bridge.hpp>
#include <petscviewer.h>
#include "preconditioners/banditsor/sor_kernels.hpp"
#include <memory>
#include <vector>

/* Log event of KokkosSOR::Apply (kernels and, for MPIAIJ, the ghost exchange). */
PETSC_EXTERN PetscLogEvent PETAL_SORKokkos;

namespace petal {

// Registers the "PetalSORKokkos" log event (and initializes petal and Kokkos if needed). Idempotent; also
// called by KokkosSOR::Create.
PetscErrorCode KokkosSORInitializePackage();

// How the local rows are grouped into colors (computed once, in Create). The ordering changes the SOR
// operator: red-black SSOR is a much weaker CG preconditioner than natural-order SSOR (see bench/sor).
enum class SORColoring : int {
  GREEDY         = 0, // first-fit in natural row order on the symmetrized graph, on the host. Few colors
                      // (red-black on a 5-point stencil): most parallel, but not natural-order SOR.
  KOKKOS_KERNELS = 1, // KokkosGraph::Experimental::graph_color (default algorithm) in ExecSpace; on a GPU the
                      // result can depend on scheduling, hence so can iteration counts.
  LEVEL          = 2  // level sets (wavefronts) of natural-order SOR: the same SOR operator as MatSOR (equal
                      // up to rounding), with the parallelism of a level (nx + ny - 1 levels on a 2-D grid).
};
const char *SORColoringName(SORColoring coloring); // "greedy", "kokkoskernels", "level"

// Which sweeps the ranks do together.
enum class SOROrdering : int {
  LOCAL  = 0, // each rank sweeps its own rows in the order of its local coloring, with the ghost values frozen
              // per outer iteration: block Jacobi across ranks with SOR inside (MatSOR's SOR_LOCAL_*), so the
              // preconditioner depends on the number of ranks.
  GLOBAL = 1  // one multicolor sweep over all rows: colored on the gathered global graph (in global row order),
              // colors in order, ghost values exchanged before each color. Sequential multicolor SOR in that
              // order, so the same preconditioner on any number of ranks (up to rounding) as long as the global
              // numbering is the same; costs one ghost exchange per color and half sweep (level coloring: one
              // per wavefront) and the gathered graph at setup. Needs greedy or level (deterministic) colorings.
};
const char *SOROrderingName(SOROrdering ordering); // "local", "global"

class KokkosSOR {
public:
  using Matrix = sor::ColoredMatrix<MemSpace, PetscScalar, PetscInt>;

  KokkosSOR() = default;
  KokkosSOR(const KokkosSOR &)            = delete;
  KokkosSOR &operator=(const KokkosSOR &) = delete;
  ~KokkosSOR()                            = default;

  // Builds the multicolor structure of an assembled SeqAIJ or MPIAIJ matrix A (owning its KokkosAIJ copy).
  // Errors if a local row has no diagonal entry or a zero diagonal.
  PetscErrorCode Create(Mat A, SORColoring coloring = SORColoring::GREEDY, SOROrdering ordering = SOROrdering::LOCAL);
  // The same, but sharing a KokkosAIJ already created from A (not copied; it must outlive this object).
  PetscErrorCode Create(Mat A, KokkosAIJ &K, SORColoring coloring = SORColoring::GREEDY, SOROrdering ordering = SOROrdering::LOCAL);
  // A has new values with the same nonzero pattern: refreshes the KokkosAIJ (owned or shared) from A, then
  // the SOR values. The coloring is kept.
  PetscErrorCode UpdateValues(Mat A);
  // Re-reads the values from the KokkosAIJ only (when the caller already ran KokkosAIJ::UpdateValues).
  PetscErrorCode RefreshValues();

  // x = `its` outer iterations of `lits` local (multicolor) SOR sweeps for A x = b, from x = 0 (GLOBAL
  // ordering: its * lits sweeps over all rows; collective then even on one row block per rank).
  // b and x: distinct Vecs with A's row layout. 0 < omega < 2, its >= 1, lits >= 1 (else a PETSc error).
  // Collective on A's communicator when A is MPIAIJ (ghost exchange).
  PetscErrorCode Apply(PetscReal omega, sor::Sweep sweep, PetscInt its, Vec b, Vec x, PetscInt lits = 1);

  // PETSC_ERR_ARG_OUTOFRANGE unless 0 < omega < 2 (a NaN is rejected too).
  static PetscErrorCode CheckOmega(MPI_Comm comm, PetscReal omega);

  PetscInt    NumColors() const { return M_.NumColors(); }
  PetscInt    LocalSize() const { return M_.NumRows(); }
  SORColoring Coloring() const { return coloring_; }
  SOROrdering Ordering() const { return ordering_; }
  bool        IsCreated() const { return aij_ != nullptr; }
  // The multicolor order of the local rows (local indices, color by color) and the color offsets into it
  // (NumColors() + 1 entries): the `order` argument of sor::SOROrdered / sor::BlockJacobiSOR.
  PetscErrorCode GetColorOrder(std::vector<PetscInt> *order, std::vector<PetscInt> *color_start) const;
  // One line for PCView: coloring, colors per rank (min..max), execution space. Collective on A's comm.
  PetscErrorCode View(PetscViewer viewer) const;

private:
  PetscErrorCode Setup(Mat A, SORColoring coloring, SOROrdering ordering);
  PetscErrorCode ComputeColoring(SORColoring coloring, PetscInt n, const std::vector<PetscInt> &rowptr, const std::vector<PetscInt> &cols, std::vector<PetscInt> *color, PetscInt *ncolors);
  PetscErrorCode BuildColoredMatrix(PetscInt n, const std::vector<PetscInt> &rowptr, const std::vector<PetscInt> &cols, const std::vector<PetscInt> &color, PetscInt ncolors);
  // GLOBAL: the colors of this rank's rows from the coloring of the gathered global graph.
  PetscErrorCode GlobalColoring(Mat A, SORColoring coloring, std::vector<PetscInt> *color, PetscInt *ncolors);
  PetscErrorCode ApplyGlobal(PetscReal omega, sor::Sweep sweep, PetscInt sweeps, Vec b, Vec x);
  // One color of a global half sweep: fresh ghost values, rhs = b - B x_ghost, then the color's local rows.
  PetscErrorCode GlobalColor(PetscInt c, bool forward, PetscReal omega, ConstVectorView b, Vec x);

  std::unique_ptr<KokkosAIJ> owned_;             // when created from a Mat alone
  KokkosAIJ                 *aij_    = nullptr;  // owned_ or a shared one
  bool                       isMPI_  = false;    // MPIAIJ: Apply exchanges ghosts (collectively) when its > 1
  MPI_Comm                   comm_   = MPI_COMM_NULL;
  SORColoring                coloring_ = SORColoring::GREEDY;
  SOROrdering                ordering_ = SOROrdering::LOCAL;
  Matrix                     M_;
  VectorView                 rhs_, t_;           // block-Jacobi right-hand side, saved lower part (n each)
  std::vector<PetscInt>      order_;             // host copy of M_.row
};
} // namespace petal
