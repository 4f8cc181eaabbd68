#pragma once
// Problems for petal-ot: generated (the SNS paper's random assignment and two-blob images), read from
// HDF5 (point clouds, or two histograms on a petal-voxel grid), and written back as a point-cloud file
// so that other tools (POT in bench/ot) solve exactly the same problem.
#include <petscvec.h>
#include <cstdint>
#include <string>
#include <vector>

namespace petal {
namespace otdriver {

// A problem held on every rank (generators are deterministic; files are small next to the n x m plan).
struct Problem {
  int                 n = 0, m = 0, dim = 0;
  std::vector<double> r, c;  // weights
  std::vector<double> X, Y;  // points, point-major (n x dim, m x dim)
  std::string         kind;  // "assignment", "blobs", "points file", "voxel histograms"
};

// n uniform points in [0,1]^dim for source and target, weights 1/n (seeded splitmix64).
Problem RandomAssignment(int n, int dim, std::uint64_t seed);
// Two side x side images of smooth Gaussian blobs (two blobs each, random centres/widths), as
// histograms on the pixel centres of [0,1]^2, normalised to mass 1.
Problem TwoBlobImages(int side, std::uint64_t seed);

// Point-cloud file: /source/points float64[n,d], /source/weights float64[n], same under /target.
// A petal-voxel grid file (include/petal/mesh.h) with histograms /ot/source and /ot/target (float64,
// the grid's shape) is read as weights on the cell centres. Clear PETSc errors for missing data.
PetscErrorCode ReadProblem(MPI_Comm comm, const char *filename, Problem *p);
// Writes the point-cloud layout above (rank 0, atomically).
PetscErrorCode SaveProblem(MPI_Comm comm, const Problem &p, const char *filename);

} // namespace otdriver
} // namespace petal
