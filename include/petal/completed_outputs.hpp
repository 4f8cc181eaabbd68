#pragma once
/* The outputs a driver run has completed (each written atomically). A run that fails after some of them removes
 * them again on every rank that sees the error (std::remove only, no collective call, so it is safe on an error
 * path), so that a failed run leaves no output at all: not a complete mesh or result file without the rest. */
#include <cstdio>
#include <string>
#include <vector>

namespace petal {

struct CompletedOutputs {
  std::vector<std::string> files;
  void                     Remove()
  {
    for (const std::string &f : files) (void)std::remove(f.c_str());
    files.clear();
  }
};

} // namespace petal
