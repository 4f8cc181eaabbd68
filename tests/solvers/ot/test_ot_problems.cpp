// The OT problem library (include/petal/ot_problems.hpp) on 1 and 2 ranks: the generators' streams and
// weights, a save/read round trip, and malformed files that must give the same PETSc error on every rank
// (the reader is a fuzz target: rank 0 validates, every rank raises). Messages are checked end to end by
// test_ot_failures.py.
#include "ot_test_util.hpp"
#include <hdf5.h>
#include <cstdio>
#include <functional>
#include <string>

using namespace ottest;

namespace {
MPI_Comm World() { return PETSC_COMM_WORLD; }

// Rank 0 writes a points file with the given datasets (name -> dims, values) and the others wait for it.
struct Dataset {
  std::string          path;
  std::vector<hsize_t> dims;
  std::vector<double>  values; // empty: declared but never written (chunked)
};

void WriteFile(const std::string &name, const std::vector<Dataset> &sets)
{
  int rank;
  MPI_Comm_rank(World(), &rank);
  if (rank == 0) {
    hid_t f = H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    for (const char *g : {"/source", "/target"}) H5Gclose(H5Gcreate2(f, g, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    for (const Dataset &d : sets) {
      hid_t s    = H5Screate_simple((int)d.dims.size(), d.dims.data(), NULL);
      hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
      if (d.values.empty()) {
        std::vector<hsize_t> chunk(d.dims.size(), 1);
        H5Pset_chunk(dcpl, (int)chunk.size(), chunk.data());
      }
      hid_t ds = H5Dcreate2(f, d.path.c_str(), H5T_IEEE_F64LE, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
      if (!d.values.empty()) H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d.values.data());
      H5Dclose(ds);
      H5Pclose(dcpl);
      H5Sclose(s);
    }
    H5Fclose(f);
  }
  MPI_Barrier(World());
}

void Remove(const std::string &name)
{
  int rank;
  MPI_Barrier(World());
  MPI_Comm_rank(World(), &rank);
  if (rank == 0) std::remove(name.c_str());
}

std::vector<Dataset> Valid(const HostProblem &p)
{
  return {{"/source/points", {(hsize_t)p.n, (hsize_t)p.dim}, p.X}, {"/target/points", {(hsize_t)p.m, (hsize_t)p.dim}, p.Y}, {"/source/weights", {(hsize_t)p.n}, p.r}, {"/target/weights", {(hsize_t)p.m}, p.c}};
}
} // namespace

TEST(OTProblems, GeneratorsAreSeededAndNormalised)
{
  petal::OTProblem a, b, blobs;
  PETAL_ASSERT_OK(petal::OTGenerateAssignment(World(), 50, 3, 7, &a));
  PETAL_ASSERT_OK(petal::OTGenerateRandomPoints(World(), 50, 50, 3, 7, PETSC_TRUE, &b));
  EXPECT_EQ(a.kind, "assignment");
  EXPECT_EQ(a.X, b.X); // the assignment problem is the uniform-weight random points problem
  EXPECT_EQ(a.Y, b.Y);
  EXPECT_EQ(a.r, b.r);
  { // the stream: source points first, from splitmix64 seeded with the seed
    Rng g(7);
    EXPECT_EQ(a.X[0], g.Uniform());
    EXPECT_EQ(a.X[1], g.Uniform());
  }
  HostProblem w = RandomPoints(30, 20, 2, 9, false);
  double      sr = 0, sc = 0;
  for (double v : w.r) sr += v;
  for (double v : w.c) sc += v;
  EXPECT_NEAR(sr, 1.0, 1e-14);
  EXPECT_NEAR(sc, 1.0, 1e-14);
  EXPECT_EQ(w.kind, "random points");
  PETAL_ASSERT_OK(petal::OTGenerateTwoBlobs(World(), 12, 3, &blobs));
  EXPECT_EQ(blobs.n, 144);
  EXPECT_EQ(blobs.X, blobs.Y);
  double s = 0;
  for (double v : blobs.r) s += v;
  EXPECT_NEAR(s, 1.0, 1e-14);
  PETAL_EXPECT_PETSC_ERROR(petal::OTGenerateAssignment(World(), 0, 2, 1, &a));
  PETAL_EXPECT_PETSC_ERROR(petal::OTGenerateRandomPoints(World(), 10, 10, 0, 1, PETSC_TRUE, &a));
  PETAL_EXPECT_PETSC_ERROR(petal::OTGenerateTwoBlobs(World(), 0, 1, &a));
}

TEST(OTProblems, SaveAndReadRoundTrip)
{
  const std::string name = "ot_problem_round_trip.h5";
  HostProblem       p    = RandomPoints(23, 17, 3, 5, false), q;
  PETAL_ASSERT_OK(petal::OTProblemSave(World(), p, name.c_str()));
  PETAL_ASSERT_OK(petal::OTProblemRead(World(), name.c_str(), &q));
  EXPECT_EQ(q.kind, "points file");
  EXPECT_EQ(q.n, p.n);
  EXPECT_EQ(q.m, p.m);
  EXPECT_EQ(q.dim, p.dim);
  EXPECT_EQ(q.X, p.X); // bit for bit on every rank
  EXPECT_EQ(q.Y, p.Y);
  EXPECT_EQ(q.r, p.r);
  EXPECT_EQ(q.c, p.c);
  // the Vecs of PetalOTSetProblemPoints: X's rows follow r's layout
  Vec      r, c, X, Y;
  PetscInt nr, nx;
  PETAL_ASSERT_OK(petal::OTProblemCreateVecs(World(), q, &r, &c, &X, &Y));
  PETAL_ASSERT_OK(VecGetLocalSize(r, &nr));
  PETAL_ASSERT_OK(VecGetLocalSize(X, &nx));
  EXPECT_EQ(nx, nr * q.dim);
  VecDestroy(&r);
  VecDestroy(&c);
  VecDestroy(&X);
  VecDestroy(&Y);
  Remove(name);
}

// Every malformed file is an error on every rank (a rank that returned without one would hang the others
// in the test's next collective call).
TEST(OTProblems, MalformedFilesAreCollectiveErrors)
{
  const HostProblem                                    p = RandomPoints(6, 5, 2, 11);
  std::vector<std::function<void(std::vector<Dataset> &)>> changes = {
    [](std::vector<Dataset> &s) { s.pop_back(); },                                   // no /target/weights
    [](std::vector<Dataset> &s) { s[0].dims = {12}; },                               // 1-D points
    [](std::vector<Dataset> &s) { s[2].dims = {5}, s[2].values.resize(5); },         // 5 weights for 6 points
    [](std::vector<Dataset> &s) { s[1].values[3] = std::nan(""); },                  // NaN coordinate
    [](std::vector<Dataset> &s) { s[3].values[0] = -0.1, s[3].values[1] += 0.1; },   // negative weight
    [](std::vector<Dataset> &s) { s[3].values[0] *= 2; },                            // unbalanced totals
    [](std::vector<Dataset> &s) { s[0].dims = {1ULL << 40, 2}, s[0].values.clear(); }, // huge, never written
    [](std::vector<Dataset> &s) { s[1].values.clear(); },                            // plausible size, never written
  };
  for (size_t k = 0; k < changes.size(); ++k) {
    SCOPED_TRACE("case " + std::to_string(k));
    const std::string    name = "ot_problem_bad.h5";
    std::vector<Dataset> sets = Valid(p);
    changes[k](sets);
    WriteFile(name, sets);
    HostProblem q;
    PETAL_EXPECT_PETSC_ERROR(petal::OTProblemRead(World(), name.c_str(), &q));
    Remove(name);
  }
  HostProblem q;
  PETAL_EXPECT_PETSC_ERROR(petal::OTProblemRead(World(), "no_such_ot_problem.h5", &q));
  // within the mass tolerance the same file is accepted
  std::vector<Dataset> sets = Valid(p);
  sets[3].values[0] += 1e-12;
  WriteFile("ot_problem_tol.h5", sets);
  PETAL_ASSERT_OK(petal::OTProblemRead(World(), "ot_problem_tol.h5", &q));
  PETAL_EXPECT_PETSC_ERROR(petal::OTProblemRead(World(), "ot_problem_tol.h5", &q, 1e-14));
  Remove("ot_problem_tol.h5");
}
