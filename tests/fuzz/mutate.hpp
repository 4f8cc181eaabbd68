#pragma once
// Mutations of the files petal reads, for the fuzz harness (fuzz_readers.cpp). Deterministic: every choice comes
// from a splitmix64 stream, so a (seed, corpus) pair always makes the same inputs, on every rank and machine.
//
// HDF5 files are mutated at the level petal's readers see, through HDF5 itself: raw data bytes flipped, values
// replaced by special ones (NaN, infinities, -1, 0, huge integers), datasets reshaped, retyped or deleted,
// attributes rewritten or deleted, groups deleted, the file truncated. HDF5's own metadata (object headers,
// B-trees) is left intact: it is HDF5's to validate, and bytes flipped there test HDF5, not petal.
// Text files (gmsh) are mutated byte- and token-wise: flips, insertions, deletions, numbers replaced by special
// ones, lines duplicated or dropped, the ASCII flag flipped to binary, truncation.
#include "core/splitmix64.hpp"
#include <cstdint>
#include <string>

namespace petal::fuzz {

struct Random {
  SplitMix64    g;
  explicit Random(std::uint64_t seed) : g(seed) { }
  std::uint64_t Below(std::uint64_t n) { return n ? g.Next() % n : 0; }
  bool          Chance(double p) { return g.Uniform() < p; }
};

/* Applies 1 to 3 random mutations to the HDF5 file at path (in place). Returns a one-line description. */
std::string MutateHDF5(const std::string &path, Random &rng);

/* Applies 1 to 3 random mutations to the text file at path (in place). Returns a one-line description. */
std::string MutateText(const std::string &path, Random &rng);

} // namespace petal::fuzz
