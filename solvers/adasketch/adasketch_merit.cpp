// The exact augmented Lagrangian of Na, Anitescu & Kolar (the AdaSketch paper's merit function):
//     L_{mu,nu}(x, l) = f + l^T c + mu/2 |c|^2 + nu/2 |grad_x L|^2,
//     grad_x L_{mu,nu} = (I + nu H) grad_x L + mu G^T c,     grad_l L_{mu,nu} = c + nu G grad_x L,
// with H the Hessian of the Lagrangian (not of f: the reference code's shortcut, exact only for linear constraints).
#include "solvers/adasketch/adasketch_impl.hpp"

namespace petal {
namespace adasketch {

PetscErrorCode MeritValue(PetscReal f, Vec l, Vec c, Vec gradL, PetscReal mu, PetscReal nu, PetscReal *value)
{
  PetscScalar lc;
  PetscReal   cn, gn;
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(PETAL_AdaSketchMerit, 0, 0, 0, 0));
  PetscCall(VecDot(c, l, &lc));
  PetscCall(VecNorm(c, NORM_2, &cn));
  PetscCall(VecNorm(gradL, NORM_2, &gn));
  *value = f + PetscRealPart(lc) + 0.5 * mu * cn * cn + 0.5 * nu * gn * gn;
  PetscCall(PetscLogEventEnd(PETAL_AdaSketchMerit, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode MeritGradientParts(Tao tao, Mat H, Mat G, Vec gradL, Vec c)
{
  Tao_AdaSketch *as = Data(tao);
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(PETAL_AdaSketchMerit, tao, 0, 0, 0));
  PetscCall(MatMult(H, gradL, as->Hg)); /* Hessian-vector product of the Lagrangian */
  PetscCall(MatMultTranspose(G, c, as->Gtc));
  PetscCall(MatMult(G, gradL, as->Gg));
  PetscCall(PetscLogEventEnd(PETAL_AdaSketchMerit, tao, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode MeritGradient(Tao_AdaSketch *as, Vec c, PetscReal mu, PetscReal nu, Vec gx, Vec gl)
{
  PetscFunctionBegin;
  // gx = gradL + nu H gradL + mu G^T c
  PetscCall(VecWAXPY(gx, nu, as->Hg, as->gradL));
  PetscCall(VecAXPY(gx, mu, as->Gtc));
  // gl = c + nu G gradL
  PetscCall(VecWAXPY(gl, nu, as->Gg, c));
  PetscFunctionReturn(0);
}

} // namespace adasketch
} // namespace petal
