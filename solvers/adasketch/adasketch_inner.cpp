// The inexact KKT solve of one outer iteration, K z = -grad L with K = [[H + shift I, G^T], [G, 0]], run until
// |K z + grad L| <= rel |grad L| (the adaptive accuracy test, scaled by the caller), from the warm start z.
//
//   sketch: H and G are gathered into one CSR copy of K on every rank (MatCreateSubMatrices of the whole
//           matrix), the sketch-and-project solver runs the same steps on every rank from the same counter-based
//           stream, and each rank keeps its owned entries of z: iterates do not depend on the rank count.
//   ksp:    the distributed KKT matrix (MatNest of B, G^T, G converted to AIJ, its field ISs kept for
//           PCFIELDSPLIT; with a state set, a shell applying the blocks and the reduced-space preconditioner of
//           adasketch_reduced_pc.cpp) and a KSP with options prefix tao_adasketch_, stopped by the same test
//           through a custom convergence test on the true residual norm.
#include "solvers/adasketch/adasketch_impl.hpp"
#include <algorithm>
#include <cmath>
#include <numeric>

namespace petal {
namespace adasketch {

struct KSPInner {
  // Sketch path: the replicated KKT matrix, right-hand side and iterate (global KKT numbering: x then lambda).
  bool                built = false;
  KKTCsr              K;
  std::vector<double> g, z;
  VecScatter          toAllX = nullptr, toAllC = nullptr;
  Vec                 allX = nullptr, allC = nullptr;
  PetscInt            d = 0, m = 0, xstart = 0, xend = 0, cstart = 0, cend = 0;
  // KSP path
  Mat       Kmat = nullptr, Gt = nullptr;
  Mat       G    = nullptr; /* the Jacobian of the current build (not owned): the shell K's off-diagonal blocks */
  IS        isx = nullptr, isl = nullptr;
  Vec       rhs = nullptr, sol = nullptr, work = nullptr;
  PetscBool splitsSet = PETSC_FALSE;
  PetscReal target    = 0;
  // Reduced-space preconditioner (a state set given): state/control variables, their KKT rows, the PC's context.
  IS         xState = nullptr, xControl = nullptr, kState = nullptr, kControl = nullptr;
  ReducedPC *reduced = nullptr;
};

namespace {

KSPInner *Inner(Tao tao)
{
  Tao_AdaSketch *as = Data(tao);
  if (!as->kspInner) as->kspInner = new KSPInner();
  return as->kspInner;
}

/* All of A (any parallel AIJ/dense layout) as a sequential matrix on every rank. */
PetscErrorCode GatherWhole(Mat A, Mat *seq)
{
  PetscInt M, N;
  IS       rows, cols;
  Mat     *sub;
  PetscFunctionBegin;
  PetscCall(MatGetSize(A, &M, &N));
  PetscCall(ISCreateStride(PETSC_COMM_SELF, M, 0, 1, &rows));
  PetscCall(ISCreateStride(PETSC_COMM_SELF, N, 0, 1, &cols));
  PetscCall(MatCreateSubMatrices(A, 1, &rows, &cols, MAT_INITIAL_MATRIX, &sub));
  *seq = sub[0];
  PetscCall(PetscFree(sub));
  PetscCall(ISDestroy(&rows));
  PetscCall(ISDestroy(&cols));
  PetscFunctionReturn(0);
}

/* K = [[H + shift I, G^T], [G, 0]] in CSR, both triangles, columns sorted, explicit zeros dropped (except the
 * shifted diagonal, which is always stored). */
PetscErrorCode BuildKKTCsr(Mat Hseq, PetscReal shift, Mat Gseq, PetscInt d, PetscInt m, KKTCsr *K)
{
  std::vector<std::vector<std::pair<std::int64_t, double>>> rows(d + m);
  PetscFunctionBegin;
  for (PetscInt i = 0; i < d; ++i) {
    PetscInt           nc;
    const PetscInt    *cols;
    const PetscScalar *vals;
    bool               diag = false;
    PetscCall(MatGetRow(Hseq, i, &nc, &cols, &vals));
    for (PetscInt k = 0; k < nc; ++k) {
      double v = PetscRealPart(vals[k]);
      if (cols[k] == i) {
        v += shift;
        diag = true;
      }
      if (v != 0 || cols[k] == i) rows[i].emplace_back(cols[k], v);
    }
    PetscCall(MatRestoreRow(Hseq, i, &nc, &cols, &vals));
    if (!diag && shift != 0) rows[i].emplace_back(i, shift);
  }
  for (PetscInt j = 0; j < m; ++j) {
    PetscInt           nc;
    const PetscInt    *cols;
    const PetscScalar *vals;
    PetscCall(MatGetRow(Gseq, j, &nc, &cols, &vals));
    for (PetscInt k = 0; k < nc; ++k) {
      const double v = PetscRealPart(vals[k]);
      if (v == 0) continue;
      rows[d + j].emplace_back(cols[k], v);     /* G */
      rows[cols[k]].emplace_back(d + j, v);     /* G^T */
    }
    PetscCall(MatRestoreRow(Gseq, j, &nc, &cols, &vals));
  }
  K->n = d + m;
  K->rowptr.assign(d + m + 1, 0);
  K->col.clear();
  K->val.clear();
  for (PetscInt i = 0; i < d + m; ++i) {
    auto &r = rows[i];
    std::sort(r.begin(), r.end());
    for (std::size_t k = 0; k < r.size(); ++k) {
      if (k > 0 && r[k].first == r[k - 1].first) {
        K->val.back() += r[k].second; /* duplicate entries of a user matrix are summed, as MatSetValues(ADD) would */
        continue;
      }
      K->col.push_back(r[k].first);
      K->val.push_back(r[k].second);
    }
    K->rowptr[i + 1] = (std::int64_t)K->col.size();
  }
  PetscFunctionReturn(0);
}

PetscErrorCode GatherVec(VecScatter sc, Vec v, Vec all, double *dst)
{
  const PetscScalar *a;
  PetscInt           n;
  PetscFunctionBegin;
  PetscCall(VecScatterBegin(sc, v, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(sc, v, all, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecGetLocalSize(all, &n));
  PetscCall(VecGetArrayRead(all, &a));
  for (PetscInt i = 0; i < n; ++i) dst[i] = PetscRealPart(a[i]);
  PetscCall(VecRestoreArrayRead(all, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode SketchSolve(Tao tao, Mat H, PetscReal shift, Mat G, Vec gradL, Vec c, PetscReal rel, std::uint64_t stream, InnerResult *res)
{
  Tao_AdaSketch *as = Data(tao);
  KSPInner      *in = Inner(tao);
  PetscFunctionBegin;
  if (!in->toAllX) {
    PetscCall(VecScatterCreateToAll(gradL, &in->toAllX, &in->allX));
    PetscCall(VecScatterCreateToAll(c, &in->toAllC, &in->allC));
    PetscCall(VecGetSize(gradL, &in->d));
    PetscCall(VecGetSize(c, &in->m));
    PetscCall(VecGetOwnershipRange(gradL, &in->xstart, &in->xend));
    PetscCall(VecGetOwnershipRange(c, &in->cstart, &in->cend));
  }
  const PetscInt d = in->d, m = in->m;
  if (!as->sketchSolver) {
    SketchSettings s;
    s.kind  = as->sketch == TAO_ADASKETCH_SKETCH_KACZMARZ ? SketchKind::Kaczmarz : SketchKind::Gaussian;
    s.block = (int)as->block;
    s.seed  = (std::uint64_t)as->seed;
    try {
      as->sketchSolver = CreateSketchSolver(s, as->sketchReference);
    } catch (const std::exception &e) {
      SETERRQ(PetscObjectComm((PetscObject)tao), PETSC_ERR_ARG_WRONG, "TAOADASKETCH: cannot create the sketch solver: %s", e.what());
    }
  }
  if (!in->built) {
    Mat Hseq, Gseq;
    PetscCall(PetscLogEventBegin(PETAL_AdaSketchKKT, tao, 0, 0, 0));
    PetscCall(GatherWhole(H, &Hseq));
    PetscCall(GatherWhole(G, &Gseq));
    PetscCall(BuildKKTCsr(Hseq, shift, Gseq, d, m, &in->K));
    PetscCall(MatDestroy(&Hseq));
    PetscCall(MatDestroy(&Gseq));
    try {
      as->sketchSolver->SetOperator(in->K);
    } catch (const std::exception &e) {
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "TAOADASKETCH: sketch solver rejected the KKT matrix: %s", e.what());
    }
    PetscCall(PetscLogEventEnd(PETAL_AdaSketchKKT, tao, 0, 0, 0));
    in->g.assign(d + m, 0.0);
    in->z.assign(d + m, 0.0);
    in->built = true;
  }
  // grad L = (gradL, c) gathered on every rank; |grad L| from the gathered copy (summed in one fixed order, so
  // the target is bitwise the same on every rank count).
  PetscCall(GatherVec(in->toAllX, gradL, in->allX, in->g.data()));
  PetscCall(GatherVec(in->toAllC, c, in->allC, in->g.data() + d));
  double gn = 0;
  for (double v : in->g) gn += v * v;
  gn = std::sqrt(gn);
  SketchStats st;
  try {
    st = as->sketchSolver->Solve(in->z, in->g, rel * gn, as->maxInner, stream);
  } catch (const std::exception &e) {
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "TAOADASKETCH: sketch solve failed: %s", e.what());
  }
  PetscCheck(std::isfinite(st.residualNorm), PetscObjectComm((PetscObject)tao), PETSC_ERR_FP, "TAOADASKETCH: the sketch-and-project residual became NaN or Inf");
  // Each rank keeps its owned entries of z.
  PetscScalar *a;
  PetscCall(VecGetArray(as->dx, &a));
  for (PetscInt i = in->xstart; i < in->xend; ++i) a[i - in->xstart] = in->z[i];
  PetscCall(VecRestoreArray(as->dx, &a));
  PetscCall(VecGetArray(as->dl, &a));
  for (PetscInt i = in->cstart; i < in->cend; ++i) a[i - in->cstart] = in->z[d + i];
  PetscCall(VecRestoreArray(as->dl, &a));
  res->iterations    = st.steps;
  res->residualNorm  = st.residualNorm;
  res->reachedTarget = st.reachedTarget;
  if (!st.reachedTarget) PetscCall(PetscInfo(tao, "sketch steps stopped at the cap %" PetscInt64_FMT " with |Kz + grad L| %g > target %g\n", as->maxInner, st.residualNorm, (double)(rel * gn)));
  PetscFunctionReturn(0);
}

/* The accuracy test as the KSP's convergence test, on the true residual norm. */
PetscErrorCode KKTConverged(KSP ksp, PetscInt it, PetscReal rnorm, KSPConvergedReason *reason, void *ctx)
{
  KSPInner   *in = static_cast<KSPInner *>(ctx);
  KSPNormType nt;
  PetscFunctionBegin;
  PetscCall(KSPGetNormType(ksp, &nt));
  PetscReal r = rnorm;
  if (nt != KSP_NORM_UNPRECONDITIONED) {
    Vec res;
    PetscCall(KSPBuildResidual(ksp, nullptr, in->work, &res));
    PetscCall(VecNorm(res, NORM_2, &r));
  }
  *reason = KSP_CONVERGED_ITERATING;
  if (!std::isfinite((double)r)) *reason = KSP_DIVERGED_NANORINF;
  else if (r <= in->target) *reason = KSP_CONVERGED_ATOL;
  PetscFunctionReturn(0);
}

/* K (dx, dl) = (B dx + G^T dl, G dx), from the blocks (the reduced-space path keeps no assembled K). */
PetscErrorCode KKTMultBlocks(Mat K, Vec z, Vec out)
{
  Tao            tao;
  Tao_AdaSketch *as;
  KSPInner      *in;
  Vec            zx, zl, ox, ol;
  PetscFunctionBegin;
  PetscCall(MatShellGetContext(K, &tao));
  as = Data(tao);
  in = as->kspInner;
  PetscCall(VecGetSubVector(z, in->isx, &zx));
  PetscCall(VecGetSubVector(z, in->isl, &zl));
  PetscCall(VecGetSubVector(out, in->isx, &ox));
  PetscCall(VecGetSubVector(out, in->isl, &ol));
  PetscCall(MatMult(as->B, zx, ox));
  PetscCall(MatMultTransposeAdd(in->G, zl, ox, ox));
  PetscCall(MatMult(in->G, zx, ol));
  PetscCall(VecRestoreSubVector(out, in->isl, &ol));
  PetscCall(VecRestoreSubVector(out, in->isx, &ox));
  PetscCall(VecRestoreSubVector(z, in->isl, &zl));
  PetscCall(VecRestoreSubVector(z, in->isx, &zx));
  PetscFunctionReturn(0);
}

/* The state and control variables (x numbering; the state set was checked by CheckProblem) and their KKT rows:
 * each rank's x entries are KKT rows (first of isx) + (index - xstart). */
PetscErrorCode BuildStateControlSets(Tao tao, KSPInner *in)
{
  PetscInt xstart, xend, first, step;
  PetscFunctionBegin;
  PetscCall(VecGetOwnershipRange(tao->solution, &xstart, &xend));
  PetscCall(ISDuplicate(Data(tao)->stateIS, &in->xState));
  PetscCall(ISSort(in->xState));
  PetscCall(ISComplement(in->xState, xstart, xend, &in->xControl));
  PetscCall(ISStrideGetInfo(in->isx, &first, &step));
  auto toKKT = [&](IS vars, IS *rows) {
    const PetscInt *g;
    PetscInt       *k, n;
    PetscFunctionBegin;
    PetscCall(ISGetLocalSize(vars, &n));
    PetscCall(ISGetIndices(vars, &g));
    PetscCall(PetscMalloc1(n, &k));
    for (PetscInt i = 0; i < n; ++i) k[i] = first + (g[i] - xstart);
    PetscCall(ISRestoreIndices(vars, &g));
    PetscCall(ISCreateGeneral(PetscObjectComm((PetscObject)tao), n, k, PETSC_OWN_POINTER, rows));
    PetscFunctionReturn(0);
  };
  PetscCall(toKKT(in->xState, &in->kState));
  PetscCall(toKKT(in->xControl, &in->kControl));
  PetscFunctionReturn(0);
}

/* KKT systems of at most -tao_adasketch_dense_limit rows (the HS/BT set: 3 to 18) get a direct solve (MUMPS LU,
 * workspace +200%: the zero block delays pivots) unless -tao_adasketch_pc_type was given: the default Schur field
 * split needs a nonzero diagonal in the Hessian block and failed (DIVERGED_PC_FAILED) on 18 of the 25 problems. */
PetscErrorCode SmallSystemsDirect(Tao tao, PC pc)
{
  Tao_AdaSketch *as = Data(tao);
  const char    *prefix;
  char           key[256];
  PetscBool      userPC;
  PetscInt       n;
  PetscFunctionBegin;
#if defined(PETSC_HAVE_MUMPS)
  PetscCall(VecGetSize(Inner(tao)->rhs, &n));
  if (n > as->spectra.denseLimit) PetscFunctionReturn(0);
  PetscCall(TaoGetOptionsPrefix(tao, &prefix));
  PetscCall(PetscSNPrintf(key, sizeof(key), "-%stao_adasketch_pc_type", prefix ? prefix : ""));
  PetscCall(PetscOptionsHasName(((PetscObject)tao)->options, NULL, key, &userPC));
  if (userPC) PetscFunctionReturn(0);
  PetscBool has;
  PetscCall(PetscSNPrintf(key, sizeof(key), "-%stao_adasketch_mat_mumps_icntl_14", prefix ? prefix : ""));
  PetscCall(PetscOptionsHasName(((PetscObject)tao)->options, NULL, key, &has));
  if (!has) PetscCall(PetscOptionsSetValue(((PetscObject)tao)->options, key, "200")); /* read by each new factor */
  PetscCall(PCSetType(pc, PCLU));
  PetscCall(PCFactorSetMatSolverType(pc, MATSOLVERMUMPS));
#else
  (void)as;
  (void)prefix;
  (void)key;
  (void)userPC;
  (void)n;
  (void)pc;
#endif
  PetscFunctionReturn(0);
}

PetscErrorCode KSPSolveKKT(Tao tao, Mat H, PetscReal shift, Mat G, Vec gradL, Vec c, PetscReal rel, InnerResult *res)
{
  Tao_AdaSketch *as = Data(tao);
  KSPInner      *in = Inner(tao);
  PetscFunctionBegin;
  PetscCall(EnsureKSP(tao));
  if (!in->built) {
    PetscCall(PetscLogEventBegin(PETAL_AdaSketchKKT, tao, 0, 0, 0));
    PetscCall(MatDestroy(&as->B));
    PetscCall(MatDuplicate(H, MAT_COPY_VALUES, &as->B));
    if (shift != 0) PetscCall(MatShift(as->B, shift));
    // The reduced-space preconditioner works from B and G alone: K is then applied blockwise (a shell, no
    // assembled copy: 112 MB of 850 at 3-D 64^3); every other preconditioner gets the assembled AIJ matrix.
    const bool reduced = as->stateIS && as->reducedSpace;
    PetscCall(MatDestroy(&in->Gt));
    if (!reduced) PetscCall(MatTranspose(G, MAT_INITIAL_MATRIX, &in->Gt));
    in->G = G;
    if (!in->isx) {
      // KKT numbering as MatNest's: each rank's x entries, then its lambda entries, ranks in order.
      PetscInt xs, xe, ls, le;
      PetscCall(VecGetOwnershipRange(gradL, &xs, &xe));
      PetscCall(VecGetOwnershipRange(c, &ls, &le));
      PetscCall(ISCreateStride(PetscObjectComm((PetscObject)tao), xe - xs, xs + ls, 1, &in->isx));
      PetscCall(ISCreateStride(PetscObjectComm((PetscObject)tao), le - ls, xe + ls, 1, &in->isl));
      PetscCall(VecCreateMPI(PetscObjectComm((PetscObject)tao), (xe - xs) + (le - ls), PETSC_DETERMINE, &in->rhs));
      PetscCall(VecDuplicate(in->rhs, &in->sol));
      PetscCall(VecDuplicate(in->rhs, &in->work));
    }
    PetscCall(MatDestroy(&in->Kmat));
    if (reduced) {
      PetscInt n, N;
      PetscCall(VecGetLocalSize(in->rhs, &n));
      PetscCall(VecGetSize(in->rhs, &N));
      PetscCall(MatCreateShell(PetscObjectComm((PetscObject)tao), n, n, N, N, tao, &in->Kmat));
      PetscCall(MatShellSetOperation(in->Kmat, MATOP_MULT, (void (*)(void))KKTMultBlocks));
    } else {
      Mat blocks[4] = {as->B, in->Gt, G, nullptr}, nest;
      IS  is[2]     = {in->isx, in->isl};
      PetscCall(MatCreateNest(PetscObjectComm((PetscObject)tao), 2, is, 2, is, blocks, &nest));
      PetscCall(MatConvert(nest, MATAIJ, MAT_INITIAL_MATRIX, &in->Kmat));
      PetscCall(MatDestroy(&nest));
    }
    PetscCall(KSPSetOperators(as->ksp, in->Kmat, in->Kmat));
    PC        pc;
    PetscBool fs;
    PetscCall(KSPGetPC(as->ksp, &pc));
    if (as->stateIS && as->reducedSpace) {
      if (!in->kState) PetscCall(BuildStateControlSets(tao, in));
      PetscCall(ReducedPCSetUp(tao, pc, in->kState, in->kControl, in->isl, in->xState, in->xControl, as->B, G, &in->reduced));
    } else PetscCall(SmallSystemsDirect(tao, pc));
    PetscCall(PetscObjectTypeCompare((PetscObject)pc, PCFIELDSPLIT, &fs));
    if (fs && !in->splitsSet) {
      PetscCall(PCFieldSplitSetIS(pc, "0", in->isx));
      PetscCall(PCFieldSplitSetIS(pc, "1", in->isl));
      in->splitsSet = PETSC_TRUE;
    }
    PetscCall(KSPSetConvergenceTest(as->ksp, KKTConverged, in, nullptr));
    PetscCall(KSPSetInitialGuessNonzero(as->ksp, PETSC_TRUE));
    PetscCall(PetscLogEventEnd(PETAL_AdaSketchKKT, tao, 0, 0, 0));
    in->built = true;
  }
  // rhs = -(gradL, c); sol = z (warm start)
  PetscCall(VecISCopy(in->rhs, in->isx, SCATTER_FORWARD, gradL));
  PetscCall(VecISCopy(in->rhs, in->isl, SCATTER_FORWARD, c));
  PetscCall(VecScale(in->rhs, -1.0));
  PetscCall(VecISCopy(in->sol, in->isx, SCATTER_FORWARD, as->dx));
  PetscCall(VecISCopy(in->sol, in->isl, SCATTER_FORWARD, as->dl));
  PetscReal gn;
  PetscCall(VecNorm(in->rhs, NORM_2, &gn));
  in->target = rel * gn;
  PetscCall(KSPSolve(as->ksp, in->rhs, in->sol));
  PetscInt           its;
  KSPConvergedReason reason;
  PetscCall(KSPGetIterationNumber(as->ksp, &its));
  PetscCall(KSPGetConvergedReason(as->ksp, &reason));
  PetscCall(VecISCopy(in->sol, in->isx, SCATTER_REVERSE, as->dx));
  PetscCall(VecISCopy(in->sol, in->isl, SCATTER_REVERSE, as->dl));
  // The true residual |K z + grad L| = |K z - rhs|.
  PetscCall(MatMult(in->Kmat, in->sol, in->work));
  PetscCall(VecAXPY(in->work, -1.0, in->rhs));
  PetscCall(VecNorm(in->work, NORM_2, &res->residualNorm));
  if (!(std::isfinite((double)res->residualNorm) && reason != KSP_DIVERGED_PC_FAILED)) {
    PC     pc;
    PCType type;
    PetscCall(KSPGetPC(as->ksp, &pc));
    PetscCall(PCGetType(pc, &type));
    SETERRQ(PetscObjectComm((PetscObject)tao), PETSC_ERR_NOT_CONVERGED,
            "TAOADASKETCH: the inner KSP failed (%s, |Kz + grad L| = %g): its preconditioner (%s) cannot handle this KKT matrix (the Schur field split with selfp needs a nonzero "
            "diagonal in the Hessian block; a factorisation fails on a singular KKT matrix); choose another with -tao_adasketch_pc_type, e.g. lu with "
            "-tao_adasketch_pc_factor_mat_solver_type mumps (and -tao_adasketch_mat_mumps_icntl_14 200: the KKT matrix's zero block makes MUMPS delay pivots), or the sketch "
            "inner solver; -info shows the cause",
            KSPConvergedReasons[reason], (double)res->residualNorm, type ? type : "none");
  }
  res->iterations    = its;
  res->reachedTarget = res->residualNorm <= in->target * (1 + 1e-8);
  if (reason < 0) PetscCall(PetscInfo(tao, "inner KSP stopped with %s after %" PetscInt_FMT " iterations: |Kz + grad L| %g, target %g\n", KSPConvergedReasons[reason], its, (double)res->residualNorm, (double)in->target));
  PetscFunctionReturn(0);
}

} // namespace

PetscErrorCode InnerSolve(Tao tao, Mat H, PetscReal shift, Mat G, Vec gradL, Vec c, PetscReal rel, std::uint64_t stream, InnerResult *res)
{
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(PETAL_AdaSketchInner, tao, 0, 0, 0));
  if (Data(tao)->inner == TAO_ADASKETCH_INNER_SKETCH) PetscCall(SketchSolve(tao, H, shift, G, gradL, c, rel, stream, res));
  else PetscCall(KSPSolveKKT(tao, H, shift, G, gradL, c, rel, res));
  PetscCall(PetscLogEventEnd(PETAL_AdaSketchInner, tao, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode InnerReset(Tao tao)
{
  PetscFunctionBegin;
  if (Data(tao)->kspInner) Data(tao)->kspInner->built = false;
  PetscFunctionReturn(0);
}

PetscErrorCode InnerDestroy(Tao tao)
{
  Tao_AdaSketch *as = Data(tao);
  PetscFunctionBegin;
  if (!as->kspInner) PetscFunctionReturn(0);
  KSPInner *in = as->kspInner;
  PetscCall(VecScatterDestroy(&in->toAllX));
  PetscCall(VecScatterDestroy(&in->toAllC));
  PetscCall(VecDestroy(&in->allX));
  PetscCall(VecDestroy(&in->allC));
  PetscCall(MatDestroy(&in->Kmat));
  PetscCall(MatDestroy(&in->Gt));
  PetscCall(ISDestroy(&in->isx));
  PetscCall(ISDestroy(&in->isl));
  for (IS *is : {&in->xState, &in->xControl, &in->kState, &in->kControl}) PetscCall(ISDestroy(is));
  PetscCall(ReducedPCDestroy(&in->reduced));
  PetscCall(VecDestroy(&in->rhs));
  PetscCall(VecDestroy(&in->sol));
  PetscCall(VecDestroy(&in->work));
  delete in;
  as->kspInner = nullptr;
  PetscFunctionReturn(0);
}

} // namespace adasketch
} // namespace petal
