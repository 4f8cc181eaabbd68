static const char help[] = "petal-relax: parameter study of PCBANDITSOR (SOR with a learned relaxation factor).\n"
                           "Runs one sequence of linear systems under every policy in one run: each fixed omega of\n"
                           "the grid, the best fixed omega in hindsight, the instance-optimal omega on the grid, and\n"
                           "the online learners (Tsallis-INF, Tsallis-INF-CB, ChebCB) through the real PC, plus\n"
                           "optional PETSc baselines; prints total/mean iterations and solve time per policy.\n"
                           "Sequences: -relax_sequence synthetic (shifted Laplacians), heat (Crank-Nicolson), file (HDF5).\n\n";

// The driver: settings (relax_settings), the study (relax_study), the report (relax_report); see
// drivers/relax/README.md.
#include "relax_report.hpp"
#include "relax_study.hpp"
#include <petal/driver.h>

namespace {
using namespace petal::relax;

PetscErrorCode Run(MPI_Comm comm)
{
  Study S;
  PetscFunctionBegin;
  PetscCall(ReadSettings(comm, &S.s));
  PetscCall(SetupStudy(comm, S));
  if (S.s.writeFile[0]) PetscCall(WriteStudySequence(S));
  else {
    PetscCall(RunStudy(S));
    PetscCall(PrintTable(S));
    if (S.s.json[0]) PetscCall(WriteJson(S));
  }
  PetscCall(DestroyStudy(S));
  PetscFunctionReturn(0);
}
} // namespace

int main(int argc, char **argv)
{
  PetscCall(PetalDriverInitialize(&argc, &argv, help));
  // On an error the unfinished outputs' temporary files are removed and, on several ranks, the job is aborted
  // (include/petal/driver.h): never a half-written file, never a hang.
  return PetalDriverFinalize(Run(PETSC_COMM_WORLD));
}
