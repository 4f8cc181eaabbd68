#pragma once
// Right-hand sides of petal-poisson: b = -h0^2 div v* on the unknowns (poisson_problem.hpp), with div v* either
// computed from a generated smoke-plume velocity field or read from an HDF5 dataset.
//
// The generated field (seeded, deterministic, the same on any number of ranks) is what a smoke solver's
// velocity looks like after advection and buoyancy, before the pressure projection: an upward jet from a disc
// near the bottom (source at height 0.1 of the box, width 0.07, spreading and decaying upwards, its axis
// wobbling), a swirl about that axis, and a few random Fourier modes inside the plume. Coordinates are those of
// the grid's box mapped to [0,1]^d, the last axis up. It is sampled at face centres (a MAC grid) and the
// divergence of each cell is the sum of its face fluxes over h: fluxes through closed faces (solid cells,
// walls) are zero, which is what the projection enforces, so on a pure-Neumann region the fluxes telescope and
// b sums to zero up to rounding.
#include "poisson_problem.hpp"

namespace petal::poisson {

// div v* of the generated plume at every unknown (0 elsewhere). Collective.
PetscErrorCode PlumeDivergence(const Problem &p, PetscInt64 seed, Vec div);

// Reads div v* from dataset path (e.g. /fields/div, C order [(nz,) ny, nx] like /grid/cell_type) of an HDF5 file.
// Errors, naming file and dataset, if it is missing, has another shape, or holds a non-finite value
// (PetalVoxelGridLoadField). Collective.
PetscErrorCode LoadDivergence(const Problem &p, const char file[], const char path[], Vec div);

// b = -h0^2 div on the unknowns, 0 elsewhere. Collective.
PetscErrorCode RhsFromDivergence(const Problem &p, Vec div, Vec b);

} // namespace petal::poisson
