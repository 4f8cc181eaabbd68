#pragma once
// The readers the fuzz harness exercises: one entry per kind of file petal reads, with its seed files (in
// tests/fuzz/corpus/) and the public call that loads a file (and frees what it loaded).
#include <petscsys.h>
#include <string>
#include <vector>

namespace petal::fuzz {
struct Target {
  std::string              name;      // -fuzz_targets name, and the folder of its regression inputs
  bool                     hdf5;      // mutated as HDF5 (else as text)
  std::string              extension; // of the mutated input file
  std::vector<std::string> seeds;     // file names in the corpus folder
  PetscErrorCode (*load)(MPI_Comm comm, const char *file);
};
const std::vector<Target> &Targets();
} // namespace petal::fuzz
