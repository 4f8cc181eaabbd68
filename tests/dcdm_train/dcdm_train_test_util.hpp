#pragma once
// Helpers of the petal-train-dcdm tests: PETSc options set for one scope, small training settings.
#include "petal_test.hpp"
#include "trainer.hpp"
#include <petscsys.h>
#include <string>
#include <utility>
#include <vector>

namespace dcdm_train_test
{

// Sets PETSc options while alive and removes them afterwards (the options database is process-wide).
class ScopedOptions {
public:
  explicit ScopedOptions(std::vector<std::pair<std::string, std::string>> opts) : opts_(std::move(opts))
  {
    for (auto &o : opts_) PetscCallAbort(PETSC_COMM_WORLD, PetscOptionsSetValue(NULL, o.first.c_str(), o.second.empty() ? NULL : o.second.c_str()));
  }
  ~ScopedOptions()
  {
    for (auto &o : opts_) PetscCallAbort(PETSC_COMM_WORLD, PetscOptionsClearValue(NULL, o.first.c_str()));
  }

private:
  std::vector<std::pair<std::string, std::string>> opts_;
};

// A run that takes seconds: 8^3 Neumann box, a small custom net, 1 thread (bitwise-repeatable arithmetic).
inline petal::dcdm_train::TrainSettings TinySettings(const std::string &stem)
{
  petal::dcdm_train::TrainSettings s;
  s.spec                 = petal::cnn::From64();
  s.spec.arch            = "custom";
  s.spec.channels        = 4;
  s.data.n               = 8;
  s.data.lanczos_steps   = 60;
  s.data.ritz_theta      = 3;
  s.data.samples         = 40;
  s.data.validation      = 10;
  s.data.seed            = 5;
  s.epochs               = 2;
  s.batch                = 10;
  s.lr                   = 1e-3;
  s.threads              = 1;
  s.output               = stem + ".h5";
  s.command              = "test " + stem;
  return s;
}

inline bool Exists(const std::string &f)
{
  FILE *p = std::fopen(f.c_str(), "rb");
  if (p) std::fclose(p);
  return p != nullptr;
}

} // namespace dcdm_train_test
