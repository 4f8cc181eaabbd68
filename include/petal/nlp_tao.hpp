#pragma once
/* An NLPProblem (include/petal/nlp_problems.hpp) as a TAO problem: the adapter the tests and bench/control use
 * to give the same problem to TAOADASKETCH, TAOPDIPM and TAOALMM. */
#include <petsctao.h>
#include <petal/nlp_problems.hpp>

namespace petal {

/* Sets on tao (of comm) the start point (solution Vec in PETSc's default layout), the objective and gradient,
 * equality constraints and their Jacobian (MPIAIJ, owned rows evaluated from the replicated problem), the
 * Hessian of the Lagrangian L = f + lambda^T c reading lambda with TaoGetDualVariables (TAOPDIPM's
 * convention), and infinite variable bounds (TAOPDIPM on PETSc 3.18 needs bounds set). The problem must outlive
 * the Tao; the Vecs and Mats created here are released with the Tao (the adapter keeps a context that is
 * destroyed through a PetscContainer composed with the Tao). Collective. */
PetscErrorCode NLPTaoSetUp(MPI_Comm comm, const NLPProblem &p, Tao tao);

/* The KKT residual |(grad_x L, c)|_2 at the Tao's current solution and dual variables, evaluated with the
 * problem's own routines (an independent check of what the solver reports). Collective. */
PetscErrorCode NLPTaoKKTResidual(const NLPProblem &p, Tao tao, PetscReal *kkt, PetscReal *f);

} // namespace petal
