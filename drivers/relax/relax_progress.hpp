#pragma once
// Progress of petal-relax's long loops (a heat study runs for many minutes): a line with the instances done,
// the rate and an estimate of the time left, printed by rank 0.
#include <petscsys.h>
#include <string>

namespace petal::relax {

class Progress {
public:
  // every > 0: a line every `every` instances; -1: every 5 % of them, once the loop has run 2 s (short runs
  // stay quiet); 0: never.
  PetscErrorCode Start(MPI_Comm comm, const std::string &what, PetscInt total, PetscInt every);
  // After `done` instances (1..total).
  PetscErrorCode Step(PetscInt done);

private:
  MPI_Comm       comm_ = MPI_COMM_NULL;
  std::string    what_;
  PetscInt       total_ = 0, every_ = 0;
  bool           automatic_ = false;
  PetscLogDouble start_ = 0;
};

} // namespace petal::relax
