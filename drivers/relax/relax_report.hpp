#pragma once
// petal-relax's output: the table (and ratios) on stdout, and the JSON summary of every number (-json).
#include "relax_study.hpp"

namespace petal::relax {

PetscErrorCode PrintTable(const Study &S);
// Written atomically (the JSON writer's fault point: json_write).
PetscErrorCode WriteJson(const Study &S);

} // namespace petal::relax
