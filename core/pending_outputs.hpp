#pragma once
// The temporary files of atomic outputs (PetalAtomicFileTempName) that this process has not committed or
// aborted yet. Internal to core/: PetalDriverFinalize removes them when a run fails.
namespace petal {
/* Removes every pending temporary file of this process. Local: no MPI call, safe on an error path. */
void RemovePendingTempFiles();
} // namespace petal
