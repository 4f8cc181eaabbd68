// Solves one problem of the shared library with the Tao configured from the options database (default type
// adasketch) and prints iterations, f, the KKT residual and the time: the measurements in README.md.
//   adasketch_nlp_solve -problem poisson_paper_n32 -tao_adasketch_inner ksp -tao_adasketch_norm spectral
#include <petal/adasketch.h>
#include <petal/nlp_problems.hpp>
#include <petal/nlp_tao.hpp>
#include <petal/petal.h>
#include <petsctao.h>

int main(int argc, char **argv)
{
  char      name[128] = "hs40";
  Tao       tao;
  PetscInt  its;
  PetscReal kkt, f;
  PetscLogDouble t0, t1;
  TaoConvergedReason reason;
  PetscCall(PetscInitialize(&argc, &argv, NULL, "adasketch_nlp_solve -problem NAME [Tao options]\n"));
  PetscCall(PetalInitializePackage());
  PetscCall(PetscOptionsGetString(NULL, NULL, "-problem", name, sizeof(name), NULL));
  auto p = petal::NLPProblemCreate(name);
  PetscCheck(p, PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "unknown problem %s", name);
  PetscCall(TaoCreate(PETSC_COMM_WORLD, &tao));
  PetscCall(TaoSetType(tao, TAOADASKETCH));
  PetscCall(petal::NLPTaoSetUp(PETSC_COMM_WORLD, *p, tao));
  PetscCall(TaoSetFromOptions(tao));
  PetscCall(PetscTime(&t0));
  PetscCall(TaoSolve(tao));
  PetscCall(PetscTime(&t1));
  PetscCall(TaoGetSolutionStatus(tao, &its, NULL, NULL, NULL, NULL, &reason));
  PetscCall(petal::NLPTaoKKTResidual(*p, tao, &kkt, &f));
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "adasketch_nlp_solve: %s reason %s iterations %" PetscInt_FMT " f %.10g kkt %.3e time %.3f s\n", name, TaoConvergedReasons[reason], its, (double)f,
                        (double)kkt, t1 - t0));
  PetscCall(TaoDestroy(&tao));
  PetscCall(PetscFinalize());
  return 0;
}
