/* The TAO adapter of the problem library (include/petal/nlp_tao.hpp). Every rank holds the whole problem: x (and
 * the multipliers) are gathered to every rank, each rank evaluates the replicated problem and keeps its own rows.
 * That is right for the small test problems and exact on any rank count; the distributed control problems are
 * petal-control's. */
#include <petal/nlp_tao.hpp>

#include "solvers/nlp/nlp_dense.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace petal {
namespace {

/* A to-all scatter and its target, made for one layout. */
struct Gather {
  VecScatter scatter = nullptr;
  Vec        seq     = nullptr;
  PetscInt   nglobal = -1, nlocal = -1;
};

PetscErrorCode GatherDestroy(Gather *g) {
  PetscFunctionBegin;
  PetscCall(VecScatterDestroy(&g->scatter));
  PetscCall(VecDestroy(&g->seq));
  g->nglobal = g->nlocal = -1;
  PetscFunctionReturn(0);
}

/* Copies a distributed Vec into a replicated std::vector (remaking the scatter when a Vec of another layout
 * comes, e.g. a solver's own multiplier Vec). Collective. */
PetscErrorCode GatherToAll(Vec v, Gather *g, std::vector<double> &out) {
  PetscInt           n, nloc;
  const PetscScalar *a;
  PetscFunctionBegin;
  PetscCall(VecGetSize(v, &n));
  PetscCall(VecGetLocalSize(v, &nloc));
  if (g->scatter && (g->nglobal != n || g->nlocal != nloc)) PetscCall(GatherDestroy(g));
  if (!g->scatter) {
    PetscCall(VecScatterCreateToAll(v, &g->scatter, &g->seq));
    g->nglobal = n;
    g->nlocal  = nloc;
  }
  PetscCall(VecScatterBegin(g->scatter, v, g->seq, INSERT_VALUES, SCATTER_FORWARD));
  PetscCall(VecScatterEnd(g->scatter, v, g->seq, INSERT_VALUES, SCATTER_FORWARD));
  out.resize(n);
  PetscCall(VecGetArrayRead(g->seq, &a));
  for (PetscInt i = 0; i < n; ++i) out[i] = PetscRealPart(a[i]);
  PetscCall(VecRestoreArrayRead(g->seq, &a));
  PetscFunctionReturn(0);
}

struct NLPTaoContext {
  const NLPProblem     *problem = nullptr;
  PetscInt              n = 0, m = 0;
  std::vector<NLPIndex> jrows, jcols, hrows, hcols;
  std::vector<double>   jvals, hvals, xall, lall, gall, call;
  Gather                xgather, lgather; /* x and the multipliers to every rank */
};

PetscErrorCode ContextDestroy(void *ptr) {
  auto *ctx = static_cast<NLPTaoContext *>(ptr);
  PetscFunctionBegin;
  PetscCall(GatherDestroy(&ctx->xgather));
  PetscCall(GatherDestroy(&ctx->lgather));
  delete ctx;
  PetscFunctionReturn(0);
}

/* Owned entries of a replicated array into a distributed Vec. */
PetscErrorCode ScatterOwned(const std::vector<double> &all, Vec v) {
  PetscInt     lo, hi;
  PetscScalar *a;
  PetscFunctionBegin;
  PetscCall(VecGetOwnershipRange(v, &lo, &hi));
  PetscCall(VecGetArray(v, &a));
  for (PetscInt i = lo; i < hi; ++i) a[i - lo] = all[i];
  PetscCall(VecRestoreArray(v, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode CheckFinite(const std::vector<double> &v, const NLPTaoContext *ctx, const char *what) {
  PetscFunctionBegin;
  for (double d : v)
    PetscCheck(std::isfinite(d), PETSC_COMM_SELF, PETSC_ERR_FP, "NLP problem %s: %s is not finite at the current point",
               ctx->problem->Name().c_str(), what);
  PetscFunctionReturn(0);
}

PetscErrorCode FormObjectiveGradient(Tao, Vec x, PetscReal *f, Vec g, void *ptr) {
  auto *ctx = static_cast<NLPTaoContext *>(ptr);
  PetscFunctionBegin;
  PetscCall(GatherToAll(x, &ctx->xgather, ctx->xall));
  *f = ctx->problem->Objective(ctx->xall.data());
  ctx->gall.resize(ctx->n);
  ctx->problem->Gradient(ctx->xall.data(), ctx->gall.data());
  PetscCall(ScatterOwned(ctx->gall, g));
  PetscFunctionReturn(0);
}

PetscErrorCode FormConstraints(Tao, Vec x, Vec c, void *ptr) {
  auto *ctx = static_cast<NLPTaoContext *>(ptr);
  PetscFunctionBegin;
  PetscCall(GatherToAll(x, &ctx->xgather, ctx->xall));
  ctx->call.resize(ctx->m);
  ctx->problem->Constraints(ctx->xall.data(), ctx->call.data());
  PetscCall(ScatterOwned(ctx->call, c));
  PetscFunctionReturn(0);
}

/* Adds the owned rows of a triplet list into an assembled-pattern matrix. */
PetscErrorCode SetOwnedTriplets(Mat A, const std::vector<NLPIndex> &rows, const std::vector<NLPIndex> &cols,
                                const std::vector<double> &vals, bool mirror) {
  PetscInt lo, hi;
  PetscFunctionBegin;
  PetscCall(MatGetOwnershipRange(A, &lo, &hi));
  PetscCall(MatZeroEntries(A));
  for (size_t k = 0; k < rows.size(); ++k) {
    const PetscInt    r = PetscInt(rows[k]), c = PetscInt(cols[k]);
    const PetscScalar v = vals[k];
    if (r >= lo && r < hi) PetscCall(MatSetValue(A, r, c, v, ADD_VALUES));
    if (mirror && r != c && c >= lo && c < hi) PetscCall(MatSetValue(A, c, r, v, ADD_VALUES));
  }
  PetscCall(MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY));
  PetscFunctionReturn(0);
}

PetscErrorCode FormJacobian(Tao, Vec x, Mat J, Mat Jpre, void *ptr) {
  auto *ctx = static_cast<NLPTaoContext *>(ptr);
  PetscFunctionBegin;
  PetscCall(GatherToAll(x, &ctx->xgather, ctx->xall));
  ctx->jvals.resize(ctx->jrows.size());
  ctx->problem->JacobianValues(ctx->xall.data(), ctx->jvals.data());
  PetscCall(CheckFinite(ctx->jvals, ctx, "the constraint Jacobian"));
  PetscCall(SetOwnedTriplets(J, ctx->jrows, ctx->jcols, ctx->jvals, false));
  if (Jpre && Jpre != J) PetscCall(MatCopy(J, Jpre, SAME_NONZERO_PATTERN));
  PetscFunctionReturn(0);
}

/* The Hessian of L = f + lambda^T c, lambda = the Tao's equality multipliers (TaoGetDualVariables), zero where
 * the solver keeps none. */
PetscErrorCode FormHessian(Tao tao, Vec x, Mat H, Mat Hpre, void *ptr) {
  auto *ctx = static_cast<NLPTaoContext *>(ptr);
  Vec   DE = nullptr, DI = nullptr;
  PetscFunctionBegin;
  PetscCall(GatherToAll(x, &ctx->xgather, ctx->xall));
  PetscCall(TaoGetDualVariables(tao, &DE, &DI));
  if (DE) {
    PetscInt msize;
    PetscCall(VecGetSize(DE, &msize));
    PetscCheck(msize == ctx->m, PetscObjectComm((PetscObject)tao), PETSC_ERR_ARG_SIZ,
               "NLP problem %s: the Tao's equality multipliers have size %" PetscInt_FMT ", the problem has %" PetscInt_FMT " constraints",
               ctx->problem->Name().c_str(), msize, ctx->m);
    PetscCall(GatherToAll(DE, &ctx->lgather, ctx->lall));
  } else {
    ctx->lall.assign(ctx->m, 0.0);
  }
  ctx->hvals.resize(ctx->hrows.size());
  ctx->problem->HessianValues(ctx->xall.data(), 1.0, ctx->lall.data(), ctx->hvals.data());
  PetscCall(CheckFinite(ctx->hvals, ctx, "the Hessian of the Lagrangian"));
  PetscCall(SetOwnedTriplets(H, ctx->hrows, ctx->hcols, ctx->hvals, true));
  if (Hpre && Hpre != H) PetscCall(MatCopy(H, Hpre, SAME_NONZERO_PATTERN));
  PetscFunctionReturn(0);
}

/* An AIJ matrix (rows laid out like rowVec, columns like colVec) preallocated exactly for the owned rows of a
 * triplet pattern (mirrored for a symmetric lower-triangle pattern), its nonzero structure fixed. */
PetscErrorCode CreatePatternMatrix(MPI_Comm comm, Vec rowVec, Vec colVec, const std::vector<NLPIndex> &rows,
                                   const std::vector<NLPIndex> &cols, bool mirror, Mat *A) {
  PetscInt rlo, rhi, clo, chi, mloc, nloc, M, N;
  PetscFunctionBegin;
  PetscCall(VecGetOwnershipRange(rowVec, &rlo, &rhi));
  PetscCall(VecGetOwnershipRange(colVec, &clo, &chi));
  PetscCall(VecGetLocalSize(rowVec, &mloc));
  PetscCall(VecGetLocalSize(colVec, &nloc));
  PetscCall(VecGetSize(rowVec, &M));
  PetscCall(VecGetSize(colVec, &N));
  /* Per owned row, the distinct columns in and out of the diagonal block. */
  std::vector<std::vector<PetscInt>> rowcols(mloc);
  auto add = [&](NLPIndex r, NLPIndex c) {
    if (r >= rlo && r < rhi) rowcols[r - rlo].push_back(PetscInt(c));
  };
  for (size_t k = 0; k < rows.size(); ++k) {
    add(rows[k], cols[k]);
    if (mirror && rows[k] != cols[k]) add(cols[k], rows[k]);
  }
  std::vector<PetscInt> dnz(mloc, 0), onz(mloc, 0);
  for (PetscInt i = 0; i < mloc; ++i) {
    auto &rc = rowcols[i];
    std::sort(rc.begin(), rc.end());
    rc.erase(std::unique(rc.begin(), rc.end()), rc.end());
    for (PetscInt c : rc) (c >= clo && c < chi ? dnz[i] : onz[i])++;
  }
  PetscCall(MatCreate(comm, A));
  PetscCall(MatSetSizes(*A, mloc, nloc, M, N));
  PetscCall(MatSetType(*A, MATAIJ));
  PetscCall(MatSeqAIJSetPreallocation(*A, 0, dnz.data()));
  PetscCall(MatMPIAIJSetPreallocation(*A, 0, dnz.data(), 0, onz.data()));
  PetscCall(MatSetOption(*A, MAT_NEW_NONZERO_ALLOCATION_ERR, PETSC_TRUE));
  /* Put the whole pattern in now (zeros), so that later assemblies keep the same structure. */
  for (PetscInt i = 0; i < mloc; ++i)
    for (PetscInt c : rowcols[i]) PetscCall(MatSetValue(*A, rlo + i, c, 0.0, INSERT_VALUES));
  PetscCall(MatAssemblyBegin(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatAssemblyEnd(*A, MAT_FINAL_ASSEMBLY));
  PetscCall(MatSetOption(*A, MAT_KEEP_NONZERO_PATTERN, PETSC_TRUE));
  PetscFunctionReturn(0);
}

} // namespace

PetscErrorCode NLPTaoSetUp(MPI_Comm comm, const NLPProblem &p, Tao tao) {
  Vec            x, ce, xl, xu;
  Mat            J, H;
  PetscContainer container;
  PetscFunctionBegin;
  const NLPIndex n = p.NumVariables(), m = p.NumConstraints();
  PetscCheck(n > 0 && m > 0 && m <= n && n < PETSC_MAX_INT, comm, PETSC_ERR_ARG_OUTOFRANGE,
             "NLP problem %s: %lld variables and %lld constraints (need 0 < m <= n within PetscInt)", p.Name().c_str(),
             (long long)n, (long long)m);
  auto *ctx    = new NLPTaoContext;
  ctx->problem = &p;
  ctx->n       = PetscInt(n);
  ctx->m       = PetscInt(m);
  p.JacobianPattern(ctx->jrows, ctx->jcols);
  p.HessianPattern(ctx->hrows, ctx->hcols);
  PetscCall(PetscContainerCreate(comm, &container));
  PetscCall(PetscContainerSetPointer(container, ctx));
  PetscCall(PetscContainerSetUserDestroy(container, ContextDestroy));
  PetscCall(PetscObjectCompose((PetscObject)tao, "petal_nlp_context", (PetscObject)container));
  PetscCall(PetscContainerDestroy(&container));

  PetscCall(VecCreateMPI(comm, PETSC_DECIDE, ctx->n, &x));
  PetscCall(VecCreateMPI(comm, PETSC_DECIDE, ctx->m, &ce));
  {
    std::vector<double> x0(n);
    p.StartPoint(x0.data());
    PetscCall(ScatterOwned(x0, x));
  }
  PetscCall(TaoSetSolution(tao, x));
  PetscCall(TaoSetObjectiveAndGradient(tao, nullptr, FormObjectiveGradient, ctx));
  PetscCall(TaoSetEqualityConstraintsRoutine(tao, ce, FormConstraints, ctx));
  PetscCall(CreatePatternMatrix(comm, ce, x, ctx->jrows, ctx->jcols, false, &J));
  PetscCall(TaoSetJacobianEqualityRoutine(tao, J, J, FormJacobian, ctx));
  PetscCall(CreatePatternMatrix(comm, x, x, ctx->hrows, ctx->hcols, true, &H));
  PetscCall(MatSetOption(H, MAT_SYMMETRIC, PETSC_TRUE));
  PetscCall(TaoSetHessian(tao, H, H, FormHessian, ctx));
  PetscCall(VecDuplicate(x, &xl));
  PetscCall(VecDuplicate(x, &xu));
  PetscCall(VecSet(xl, PETSC_NINFINITY));
  PetscCall(VecSet(xu, PETSC_INFINITY));
  PetscCall(TaoSetVariableBounds(tao, xl, xu));
  PetscCall(VecDestroy(&xl));
  PetscCall(VecDestroy(&xu));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&ce));
  PetscCall(MatDestroy(&J));
  PetscCall(MatDestroy(&H));
  PetscFunctionReturn(0);
}

PetscErrorCode NLPTaoKKTResidual(const NLPProblem &p, Tao tao, PetscReal *kkt, PetscReal *f) {
  Vec                 x, DE = nullptr, DI = nullptr;
  Gather              gather;
  std::vector<double> xall, lall;
  PetscFunctionBegin;
  PetscCall(TaoGetSolution(tao, &x));
  PetscCall(GatherToAll(x, &gather, xall));
  PetscCall(GatherDestroy(&gather));
  PetscCall(TaoGetDualVariables(tao, &DE, &DI));
  PetscInt msize = -1;
  if (DE) PetscCall(VecGetSize(DE, &msize));
  if (DE && msize == PetscInt(p.NumConstraints())) {
    PetscCall(GatherToAll(DE, &gather, lall));
    PetscCall(GatherDestroy(&gather));
  } else {
    /* A solver that keeps no equality multipliers in the Tao: the least-squares ones (the smallest |grad_x L|). */
    lall.assign(p.NumConstraints(), 0.0);
    PetscCheck(nlp::LeastSquaresMultipliers(p, xall.data(), lall.data()), PetscObjectComm((PetscObject)tao), PETSC_ERR_NOT_CONVERGED,
               "NLP problem %s: the Tao holds no equality multipliers and least-squares ones are not available (G G^T singular or m too large)",
               p.Name().c_str());
  }
  double gl, cn;
  NLPKKTResidual(p, xall.data(), lall.data(), &gl, &cn);
  *kkt = std::sqrt(gl * gl + cn * cn);
  *f   = p.Objective(xall.data());
  PetscFunctionReturn(0);
}

} // namespace petal
