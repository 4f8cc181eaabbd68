// The heat-equation sequence of "Learning to Relax" (scripts/h2d.m): Crank-Nicolson steps of petal-heat's
// "ltr" preset (drivers/heat, finite differences on the unit square with nx intervals, n = (nx - 1)^2).
// A_t = I + c_t K with c_t = dt kappa(t + dt/2) / 2 does not depend on the solver; b_t = (I - c_t K) u_{t-1}
// + dt F(t + dt/2) and the warm start x0 = u_{t-1} do (the sequence is stateful).
#include "heat_discretization.hpp"
#include "relax_sequence.hpp"

namespace petal::relax {
namespace {
using heat::Preset;

class Heat : public Sequence {
public:
  ~Heat() override { (void)VecDestroy(&F_); }
  const char *Name() const override { return "heat"; }
  bool        Stateful() const override { return true; }
  Solver      DefaultSolver() const override { return Solver::SSOR_PCG; }
  PetscInt    DefaultBins() const override { return 6; } // scripts/h2d.m: TsallisINFCB(grid, 6, cmin, cmax)
  void        ContextRange(PetscReal *a, PetscReal *b) const override
  {
    *a = heat::KappaMin(Preset::LTR);
    *b = heat::KappaMax(Preset::LTR);
  }
  PetscErrorCode View(PetscViewer v) const override
  {
    PetscFunctionBegin;
    PetscCall(PetscViewerASCIIPrintf(v, "sequence: heat equation (ltr preset), %s, nx %" PetscInt_FMT ", dim %" PetscInt_FMT ", n = %" PetscInt_FMT ", dt %g, %" PetscInt_FMT " steps\n", p_.mesh[0] ? p_.mesh : "unit grid", p_.nx, disc_->dim, size_, (double)p_.dt, length_));
    PetscFunctionReturn(0);
  }
  void Describe(JsonWriter &j) const override
  {
    j.Value("nx", (long long)p_.nx).Value("dim", (long long)disc_->dim).Value("dt", (double)p_.dt).Value("mesh", p_.mesh[0] ? p_.mesh : "unit grid");
  }

  PetscErrorCode Setup(MPI_Comm comm, const HeatParams &p)
  {
    PetscFunctionBegin;
    PetscCheck(p.steps >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "-relax_instances must be at least 1, got %" PetscInt_FMT, p.steps);
    PetscCheck(p.dt > 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "-relax_heat_dt must be positive, got %g", (double)p.dt);
    p_ = p;
    PetscCall(heat::CreateFiniteDifference(comm, p.mesh, p.nx, p.dim, Preset::LTR, &disc_));
    PetscCall(disc_->CreateVector(&F_));
    size_   = disc_->ndofs;
    length_ = p.steps;
    PetscFunctionReturn(0);
  }

  PetscErrorCode CreateVector(Vec *v) const override { return disc_->CreateVector(v); }
  PetscErrorCode Initial(Vec u) const override { return disc_->Initial(u); }
  PetscErrorCode Reset() override
  {
    next_ = 0;
    return 0;
  }
  PetscErrorCode Begin(PetscInt t, Mat *A, PetscReal *context) override
  {
    PetscFunctionBegin;
    PetscCheck(t == next_, PetscObjectComm((PetscObject)F_), PETSC_ERR_ARG_WRONGSTATE, "heat sequence: step %" PetscInt_FMT " requested, %" PetscInt_FMT " expected (call Reset to restart)", t, next_);
    next_++;
    const PetscReal tHalf = (t + 0.5) * p_.dt, kappa = heat::Kappa(Preset::LTR, tHalf);
    c_ = 0.5 * p_.dt * kappa;
    PetscCall(disc_->Operator(c_, A));
    PetscCall(disc_->Load(tHalf, F_));
    *context = kappa;
    PetscFunctionReturn(0);
  }
  PetscErrorCode System(Vec prev, Vec b, Vec x0) override
  {
    PetscFunctionBegin;
    PetscCheck(prev, PetscObjectComm((PetscObject)F_), PETSC_ERR_ARG_NULL, "heat sequence: the previous solution is needed");
    PetscCall(disc_->RightHandSide(c_, p_.dt, F_, prev, b));
    if (x0 != prev) PetscCall(VecCopy(prev, x0));
    PetscFunctionReturn(0);
  }

private:
  HeatParams                            p_;
  std::unique_ptr<heat::Discretization> disc_;
  Vec                                   F_    = nullptr;
  PetscReal                             c_    = 0;
  PetscInt                              next_ = 0;
};
} // namespace

Sequence::~Sequence() = default;
PetscErrorCode Sequence::Initial(Vec u) const { return VecSet(u, 0.0); }

PetscErrorCode CreateHeatSequence(MPI_Comm comm, const HeatParams &p, std::unique_ptr<Sequence> *seq)
{
  PetscFunctionBegin;
  auto s = std::make_unique<Heat>();
  PetscCall(s->Setup(comm, p));
  *seq = std::move(s);
  PetscFunctionReturn(0);
}
} // namespace petal::relax
