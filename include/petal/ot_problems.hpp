#pragma once
/* Optimal transport problems for PetalOT (include/petal/ot.h): seeded generators (the SNS paper's test
 * problems), the problem file reader and writer, and the Vecs PetalOTSetProblemPoints takes. C++ (the
 * problem holds std::vectors); petal-ot, the OT tests and any other program use the same code, so a seed or
 * a file means the same problem everywhere (bench/ot/bench_ot.py reproduces the generators in Python).
 *
 * Problem file layouts (HDF5):
 *   points:  /source/points  [n, d]   /source/weights [n]     (numbers: any float or integer type)
 *            /target/points  [m, d]   /target/weights [m]
 *   voxel:   a petal-voxel grid file (include/petal/mesh.h) with two histograms /ot/source and /ot/target of
 *            the grid's shape ([(nz,) ny, nx], C order, x fastest): weights on the cell centres.
 * Weights are finite and >= 0 with positive totals that agree to the relative tolerance massTol; points are
 * finite. */
#include <petscvec.h>
#include <cstdint>
#include <string>
#include <vector>

namespace petal {

/* A problem held on every rank (generated problems are deterministic, files are small next to the plan). */
struct OTProblem {
  PetscInt            n = 0, m = 0, dim = 0;
  std::vector<double> r, c; /* source (n) and target (m) weights */
  std::vector<double> X, Y; /* source and target points, point-major (n x dim, m x dim) */
  std::string         kind; /* "assignment", "random points", "blobs", "points file", "voxel histograms" */
};

/* The largest problem the generators make and the reader accepts: points per side, and values per dataset
 * (a file that declares more is refused before anything is allocated). */
constexpr PetscInt  kOTProblemMaxPoints = PetscInt(1) << 26;
constexpr long long kOTProblemMaxValues = 1LL << 28;

/* n source and m target points uniform in [0,1]^dim from one splitmix64 stream seeded with seed (the source
 * points, then the target points, point-major). Weights 1/n and 1/m, or with uniformWeights = PETSC_FALSE
 * 0.2 + U[0,1) from the same stream (source, then target), each side normalised to total 1. Errors on comm
 * for sizes < 1 or above kOTProblemMaxPoints. */
PetscErrorCode OTGenerateRandomPoints(MPI_Comm comm, PetscInt n, PetscInt m, PetscInt dim, std::uint64_t seed, PetscBool uniformWeights, OTProblem *p);
/* The SNS paper's random assignment problem: OTGenerateRandomPoints(n, n, dim, seed, PETSC_TRUE). */
PetscErrorCode OTGenerateAssignment(MPI_Comm comm, PetscInt n, PetscInt dim, std::uint64_t seed, OTProblem *p);
/* Two side x side images of smooth Gaussian blobs (two blobs each, random centres, widths and amplitudes) as
 * histograms on the pixel centres of [0,1]^2, each normalised to mass 1. */
PetscErrorCode OTGenerateTwoBlobs(MPI_Comm comm, PetscInt side, std::uint64_t seed, OTProblem *p);

/* Reads a problem file (either layout above) on comm: rank 0 reads and validates everything, broadcasts the
 * verdict and then the data, so every rank gets the same problem or raises the same error. Any malformed
 * file (missing or unreadable datasets, wrong shapes or types, NaN/Inf, negative weights, totals that are 0
 * or differ by more than massTol relative, sizes above the limits) gives a PETSc error naming the file and
 * the problem; nothing is allocated for sizes a file merely declares. Collective. */
PetscErrorCode OTProblemRead(MPI_Comm comm, const char filename[], OTProblem *p, PetscReal massTol = 1e-8);

/* Writes p in the points layout, atomically (a temporary file renamed when complete; removed on failure).
 * Rank 0 writes; every rank agrees on failures. Fault point "ot_problem_save" (include/petal/driver.h).
 * Collective. */
PetscErrorCode OTProblemSave(MPI_Comm comm, const OTProblem &p, const char filename[]);

/* The Vecs of PetalOTSetProblemPoints: r and c in PETSc's default layout on comm, X with the rows of r
 * (block size dim), Y in the default layout of m points (block size dim). Collective. */
PetscErrorCode OTProblemCreateVecs(MPI_Comm comm, const OTProblem &p, Vec *r, Vec *c, Vec *X, Vec *Y);

} // namespace petal
