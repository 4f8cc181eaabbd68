#pragma once
/* Decisions about a file that rank 0 makes and every rank must share: rank 0 reads and checks the file, then
 * every rank learns the verdict (and its text) before any collective call that could split them, so that all
 * ranks raise the same error with the same message (and PetalRankSafeErrorHandler prints it once). */
#include <petscsys.h>
#include <algorithm>
#include <string>

namespace petal
{
/* Broadcasts rank 0's *why (empty: no problem) to every rank. Collective. */
PetscErrorCode BcastVerdict(MPI_Comm comm, std::string *why);
} // namespace petal
