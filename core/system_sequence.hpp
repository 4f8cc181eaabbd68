#pragma once
// Internals of the sequence-of-linear-systems format (include/petal/sequence.h) shared by its checker,
// reader and writer.
#include <petal/sequence.h>
#include "core/h5.hpp"
#include <string>
#include <vector>

namespace petal
{
namespace sequence
{
constexpr const char *kFormat  = "petal-relax-sequence";
constexpr long long   kVersion = 1;
constexpr int         kMaxBins = 1 << 20;

// Rank 0: checks the whole file (layout, attributes, pattern, every value) and fills *info; "" or the problem.
std::string CheckFile(const char *file, PetalSequenceInfo *info);
} // namespace sequence
} // namespace petal
