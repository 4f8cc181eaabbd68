#pragma once
// Reference (oracle) point SOR: plain sequential loops over CSR arrays, written to be obviously correct
// rather than fast. The Kokkos multicolor kernels (sor_kernels.hpp) are tested against these, and these are
// tested against PETSc's MatSOR (tests/preconditioners/banditsor/test_sor_kernels.cpp).
//
// Semantics are those of PCApply_SOR, i.e. MatSOR(A, b, omega, sweep | SOR_ZERO_INITIAL_GUESS, 0.0, its,
// lits, x): x starts at zero and `its` outer iterations are applied. On one block (SeqAIJ) every outer
// iteration is `lits` sweeps; on several blocks (MPIAIJ, SOR_LOCAL_*) every outer iteration first freezes
// x outside each block (the ghost values), moves those couplings to the right-hand side
// (bb1 = b - B x_ghost) and then does `lits` sweeps on each diagonal block: block Jacobi with SOR inside.
//
// No PETSc object is used, only PETSc's scalar/index types.
#include <petscsys.h>
#include <vector>

namespace petal {
namespace sor {

// The sweep types; numeric values equal those of PC_BanditSOR's SORSweep so the PC can static_cast.
enum class Sweep : int { SYMMETRIC = 0, FORWARD = 1, BACKWARD = 2 };

// A square (or, for BlockJacobi, global square) matrix in CSR form, 0-based, no duplicate entries.
// Non-owning: the arrays must outlive the struct.
struct CSRRef {
  PetscInt           n      = 0; // rows (= columns)
  const PetscInt    *rowptr = nullptr; // n + 1
  const PetscInt    *cols   = nullptr; // rowptr[n]
  const PetscScalar *vals   = nullptr; // rowptr[n]
};

// Owning CSR, convenient for tests and the benchmark.
struct CSR {
  PetscInt                 n = 0;
  std::vector<PetscInt>    rowptr{0};
  std::vector<PetscInt>    cols;
  std::vector<PetscScalar> vals;
  CSRRef                   ref() const { return CSRRef{n, rowptr.data(), cols.data(), vals.data()}; }
};

// Point SOR in natural order 0..n-1 (forward) / n-1..0 (backward); symmetric = forward then backward.
// Overwrites x (length n) with the result of its*lits sweeps from x = 0.
// Returns 0, or 1 + i if row i has no (or a zero) diagonal entry (x is then unspecified).
PetscInt SOR(const CSRRef &A, const PetscScalar *b, PetscReal omega, Sweep sweep, PetscInt its, PetscScalar *x);

// The same in the given order: the forward sweep visits rows order[0], order[1], ..., order[n-1]; the
// backward sweep the reverse. With a multicolor order (rows grouped by color) this is multicolor SOR.
PetscInt SOROrdered(const CSRRef &A, const PetscInt *order, const PetscScalar *b, PetscReal omega, Sweep sweep, PetscInt its, PetscScalar *x);

// Block Jacobi with ordered SOR in each block: the parallel semantics of MatSOR_MPIAIJ with SOR_LOCAL_*.
// A is the global matrix; block p owns rows and columns [block_start[p], block_start[p+1]) (nblocks + 1
// entries); order is a global permutation whose section [block_start[p], block_start[p+1]) lists block p's
// rows (global indices) in the order the block sweeps them (identity: natural order). For each of the `its`
// outer iterations: x_old = x; for every block, rhs = b - A(block, outside) x_old, then `lits` sweeps on
// A(block, block) with that rhs (the first sweep of the first iteration from x = 0).
PetscInt BlockJacobiSOR(const CSRRef &A, const std::vector<PetscInt> &block_start, const PetscInt *order, const PetscScalar *b, PetscReal omega, Sweep sweep, PetscInt its, PetscInt lits, PetscScalar *x);

// Greedy first-fit coloring of the symmetrized graph of A (diagonal ignored), vertices in natural order:
// color[i] = smallest color not used by any j with a_ij != 0 or a_ji != 0 (structurally). Returns the
// number of colors. On a 5-point Laplacian this is the red-black coloring.
PetscInt GreedyColoring(const CSRRef &A, std::vector<PetscInt> *color);

// Level sets ("wavefronts") of natural-order SOR on the symmetrized graph: color[i] = 1 + max color[j] over
// neighbours j < i (0 if none). Rows of one level are not coupled, so this is a valid coloring, and every
// coupled pair i > j has color[i] > color[j]: SOR in this multicolor order performs exactly the updates of
// natural-order SOR (same result up to rounding), with the parallelism of the level widths (anti-diagonals
// on a 5-point grid: nx + ny - 1 levels). Returns the number of levels.
PetscInt LevelColoring(const CSRRef &A, std::vector<PetscInt> *color);

// True if no two distinct rows i, j with a_ij stored have the same color (a valid multicolor ordering).
bool IsValidColoring(const CSRRef &A, const std::vector<PetscInt> &color);

// Rows grouped by color (color 0 first), increasing row index within a color; color_start has
// ncolors + 1 entries. This is the multicolor order the Kokkos kernels sweep.
void ColorOrder(const std::vector<PetscInt> &color, PetscInt ncolors, std::vector<PetscInt> *order, std::vector<PetscInt> *color_start);

} // namespace sor
} // namespace petal
