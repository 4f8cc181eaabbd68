// The synthetic sequence of "Learning to Relax" (scripts/learning.m, scripts/contextual.m of
// mkhodak/learning-to-relax): A = delsq(numgrid('S', m + 2)), the unscaled 5-point Laplacian of the m x m
// interior grid (diagonal 4, Dirichlet boundary), A_t = A + c_t I with c_t = shift + scale Beta(alpha, beta),
// b_t standard Gaussian rejected unless ||b_t|| <= sqrt(n), x0 = 0.
//
// One generator (seed -relax_seed) draws, per instance, c_t and then b_t (all n entries, on every rank; each
// rank keeps its rows), so the sequence does not depend on the number of ranks.
#include "relax_random.hpp"
#include "relax_sequence.hpp"
#include <cmath>

namespace petal::relax {
namespace {
class Synthetic : public Sequence {
public:
  ~Synthetic() override
  {
    (void)MatDestroy(&L_);
    (void)MatDestroy(&A_);
  }
  const char *Name() const override { return "synthetic"; }
  Solver      DefaultSolver() const override { return Solver::SOR; }
  void        ContextRange(PetscReal *a, PetscReal *b) const override
  {
    // The paper's [-.15, .65] for the default distribution: the support of c_t plus the same margin.
    *a = p_.shift;
    *b = p_.shift + p_.scale + 0.2;
  }
  PetscErrorCode View(PetscViewer v) const override
  {
    return PetscViewerASCIIPrintf(v, "sequence: synthetic shifted Laplacian, %" PetscInt_FMT " x %" PetscInt_FMT " grid (n = %" PetscInt_FMT "), c = %g + %g Beta(%g, %g), %" PetscInt_FMT " instances, seed %" PetscInt_FMT "\n", p_.m, p_.m, size_, (double)p_.shift, (double)p_.scale, (double)p_.alpha, (double)p_.beta, length_, p_.seed);
  }
  void Describe(JsonWriter &j) const override
  {
    j.Value("grid_m", (long long)p_.m).Value("shift", (double)p_.shift).Value("scale", (double)p_.scale);
    j.Value("beta_alpha", (double)p_.alpha).Value("beta_beta", (double)p_.beta).Value("seed", (long long)p_.seed);
  }

  PetscErrorCode Setup(MPI_Comm comm, const SyntheticParams &p)
  {
    PetscInt rstart, rend;
    PetscFunctionBegin;
    PetscCheck(p.m >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "-relax_synthetic_m must be at least 1, got %" PetscInt_FMT, p.m);
    PetscCheck(p.instances >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "-relax_instances must be at least 1, got %" PetscInt_FMT, p.instances);
    PetscCheck(p.alpha > 0 && p.beta > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "-relax_synthetic_beta: both Beta parameters must be positive, got %g, %g", (double)p.alpha, (double)p.beta);
    PetscCheck(p.seed >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "-relax_seed must be non-negative, got %" PetscInt_FMT, p.seed);
    p_      = p;
    size_   = p.m * p.m;
    length_ = p.instances;
    PetscCall(MatCreateAIJ(comm, PETSC_DECIDE, PETSC_DECIDE, size_, size_, 5, NULL, 2, NULL, &L_));
    PetscCall(MatSetOption(L_, MAT_USE_INODES, PETSC_FALSE)); // every arm runs the same scalar SOR kernel
    PetscCall(MatGetOwnershipRange(L_, &rstart, &rend));
    for (PetscInt i = rstart; i < rend; ++i) {
      const PetscInt ix = i % p.m, iy = i / p.m;
      PetscInt       cols[5], nc = 0;
      PetscScalar    vals[5];
      if (iy > 0) cols[nc] = i - p.m, vals[nc++] = -1;
      if (ix > 0) cols[nc] = i - 1, vals[nc++] = -1;
      cols[nc] = i, vals[nc++] = 4;
      if (ix < p.m - 1) cols[nc] = i + 1, vals[nc++] = -1;
      if (iy < p.m - 1) cols[nc] = i + p.m, vals[nc++] = -1;
      PetscCall(MatSetValues(L_, 1, &i, nc, cols, vals, INSERT_VALUES));
    }
    PetscCall(MatAssemblyBegin(L_, MAT_FINAL_ASSEMBLY));
    PetscCall(MatAssemblyEnd(L_, MAT_FINAL_ASSEMBLY));
    PetscCall(MatDuplicate(L_, MAT_COPY_VALUES, &A_));
    rstart_ = rstart;
    rend_   = rend;
    full_.resize(size_);
    PetscCall(Reset());
    PetscFunctionReturn(0);
  }

  PetscErrorCode CreateVector(Vec *v) const override { return MatCreateVecs(L_, v, NULL); }
  PetscErrorCode Reset() override
  {
    rng_.Seed((std::uint64_t)p_.seed);
    next_ = 0;
    return 0;
  }
  PetscErrorCode Begin(PetscInt t, Mat *A, PetscReal *context) override
  {
    PetscFunctionBegin;
    PetscCheck(t == next_, PetscObjectComm((PetscObject)L_), PETSC_ERR_ARG_WRONGSTATE, "synthetic sequence: instance %" PetscInt_FMT " requested, %" PetscInt_FMT " expected (call Reset to restart)", t, next_);
    next_++;
    c_ = p_.shift + p_.scale * rng_.Beta(p_.alpha, p_.beta);
    // truncated_normal(n) of the reference: redraw until ||b|| <= sqrt(n).
    for (;;) {
      double s = 0;
      for (auto &v : full_) {
        v = rng_.Normal();
        s += v * v;
      }
      if (s <= (double)size_) break;
    }
    PetscCall(MatCopy(L_, A_, SAME_NONZERO_PATTERN));
    PetscCall(MatShift(A_, c_));
    *A       = A_;
    *context = c_;
    PetscFunctionReturn(0);
  }
  PetscErrorCode System(Vec, Vec b, Vec x0) override
  {
    PetscScalar *a;
    PetscFunctionBegin;
    PetscCall(VecGetArrayWrite(b, &a));
    for (PetscInt i = rstart_; i < rend_; ++i) a[i - rstart_] = full_[i];
    PetscCall(VecRestoreArrayWrite(b, &a));
    PetscCall(VecSet(x0, 0.0));
    PetscFunctionReturn(0);
  }

private:
  SyntheticParams     p_;
  Mat                 L_ = nullptr, A_ = nullptr;
  PetscInt            rstart_ = 0, rend_ = 0, next_ = 0;
  std::vector<double> full_;
  double              c_ = 0;
  Random              rng_;
};
} // namespace

PetscErrorCode CreateSyntheticSequence(MPI_Comm comm, const SyntheticParams &p, std::unique_ptr<Sequence> *seq)
{
  PetscFunctionBegin;
  auto s = std::make_unique<Synthetic>();
  PetscCall(s->Setup(comm, p));
  *seq = std::move(s);
  PetscFunctionReturn(0);
}
} // namespace petal::relax
