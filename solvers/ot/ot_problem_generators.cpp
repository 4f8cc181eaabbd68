// Seeded OT test problems (include/petal/ot_problems.hpp) and the Vecs PetalOTSetProblemPoints takes.
// The streams are fixed by splitmix64's definition: bench/ot/bench_ot.py and the OT tests rely on the same
// points for the same seed on every rank and platform.
#include <petal/ot_problems.hpp>
#include <petsc/private/petscimpl.h> // PetscValidPointer
#include "core/splitmix64.hpp"
#include <cmath>

namespace petal {
namespace {

PetscErrorCode CheckSize(MPI_Comm comm, const char *what, PetscInt v)
{
  PetscFunctionBegin;
  PetscCheck(v >= 1 && v <= kOTProblemMaxPoints, comm, PETSC_ERR_ARG_OUTOFRANGE, "OT problem generator: %s must be in [1, %" PetscInt_FMT "], got %" PetscInt_FMT, what, kOTProblemMaxPoints, v);
  PetscFunctionReturn(0);
}

void Normalise(std::vector<double> *w)
{
  double s = 0;
  for (double v : *w) s += v;
  for (double &v : *w) v /= s;
}

// A Vec of global length values.size() on comm, nlocal entries here (PETSC_DECIDE: PETSc's default split of
// whole blocks of bs entries), filled from the full array.
PetscErrorCode MakeVec(MPI_Comm comm, const std::vector<double> &values, PetscInt bs, PetscInt nlocal, Vec *v)
{
  PetscInt     start, end;
  PetscScalar *a;

  PetscFunctionBegin;
  PetscCall(VecCreate(comm, v));
  PetscCall(VecSetSizes(*v, nlocal, (PetscInt)values.size()));
  PetscCall(VecSetBlockSize(*v, bs)); /* before the layout is set up: PETSC_DECIDE splits whole points */
  PetscCall(VecSetFromOptions(*v));
  PetscCall(VecGetOwnershipRange(*v, &start, &end));
  PetscCall(VecGetArray(*v, &a));
  for (PetscInt k = start; k < end; ++k) a[k - start] = values[k];
  PetscCall(VecRestoreArray(*v, &a));
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode OTGenerateRandomPoints(MPI_Comm comm, PetscInt n, PetscInt m, PetscInt dim, std::uint64_t seed, PetscBool uniformWeights, OTProblem *p)
{
  PetscFunctionBegin;
  PetscValidPointer(p, 7);
  PetscCall(CheckSize(comm, "the number of source points", n));
  PetscCall(CheckSize(comm, "the number of target points", m));
  PetscCheck(dim >= 1 && (long long)dim * PetscMax(n, m) <= kOTProblemMaxValues, comm, PETSC_ERR_ARG_OUTOFRANGE, "OT problem generator: the dimension must be >= 1 with at most %lld coordinates per side, got %" PetscInt_FMT, kOTProblemMaxValues, dim);
  SplitMix64 g{seed};
  *p      = OTProblem();
  p->kind = n == m && uniformWeights ? "assignment" : "random points";
  p->n    = n;
  p->m    = m;
  p->dim  = dim;
  p->X.resize(static_cast<size_t>(n) * dim);
  p->Y.resize(static_cast<size_t>(m) * dim);
  for (double &v : p->X) v = g.Uniform();
  for (double &v : p->Y) v = g.Uniform();
  p->r.assign(n, 1.0 / n);
  p->c.assign(m, 1.0 / m);
  if (!uniformWeights) {
    for (double &v : p->r) v = 0.2 + g.Uniform();
    for (double &v : p->c) v = 0.2 + g.Uniform();
    Normalise(&p->r);
    Normalise(&p->c);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode OTGenerateAssignment(MPI_Comm comm, PetscInt n, PetscInt dim, std::uint64_t seed, OTProblem *p)
{
  PetscFunctionBegin;
  PetscCall(OTGenerateRandomPoints(comm, n, n, dim, seed, PETSC_TRUE, p));
  PetscFunctionReturn(0);
}

PetscErrorCode OTGenerateTwoBlobs(MPI_Comm comm, PetscInt side, std::uint64_t seed, OTProblem *p)
{
  PetscFunctionBegin;
  PetscValidPointer(p, 4);
  PetscCheck(side >= 1 && side <= 8192, comm, PETSC_ERR_ARG_OUTOFRANGE, "OT problem generator: the image side must be in [1, 8192], got %" PetscInt_FMT, side);
  SplitMix64 g{seed};
  *p      = OTProblem();
  p->kind = "blobs";
  p->n = p->m = side * side;
  p->dim      = 2;
  p->X.resize(2 * static_cast<size_t>(p->n));
  for (PetscInt iy = 0; iy < side; ++iy)
    for (PetscInt ix = 0; ix < side; ++ix) {
      const size_t k = static_cast<size_t>(iy) * side + ix;
      p->X[2 * k]     = (ix + 0.5) / side;
      p->X[2 * k + 1] = (iy + 0.5) / side;
    }
  p->Y = p->X;
  for (std::vector<double> *w : {&p->r, &p->c}) {
    w->assign(p->n, 0.0);
    for (int blob = 0; blob < 2; ++blob) {
      const double cx = 0.2 + 0.6 * g.Uniform(), cy = 0.2 + 0.6 * g.Uniform();
      const double sigma = 0.06 + 0.08 * g.Uniform(), amp = 0.5 + g.Uniform();
      for (PetscInt k = 0; k < p->n; ++k) {
        const double dx = p->X[2 * k] - cx, dy = p->X[2 * k + 1] - cy;
        (*w)[k] += amp * std::exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
      }
    }
    Normalise(w);
  }
  PetscFunctionReturn(0);
}

PetscErrorCode OTProblemCreateVecs(MPI_Comm comm, const OTProblem &p, Vec *r, Vec *c, Vec *X, Vec *Y)
{
  PetscInt nloc;

  PetscFunctionBegin;
  PetscCheck(p.n >= 1 && p.m >= 1 && p.dim >= 1 && p.r.size() == (size_t)p.n && p.c.size() == (size_t)p.m && p.X.size() == (size_t)p.n * p.dim && p.Y.size() == (size_t)p.m * p.dim, comm, PETSC_ERR_ARG_SIZ,
             "OTProblemCreateVecs: inconsistent problem (n = %" PetscInt_FMT ", m = %" PetscInt_FMT ", dim = %" PetscInt_FMT "; %zu and %zu weights, %zu and %zu coordinates)", p.n, p.m, p.dim, p.r.size(), p.c.size(), p.X.size(), p.Y.size());
  PetscCall(MakeVec(comm, p.r, 1, PETSC_DECIDE, r));
  PetscCall(VecGetLocalSize(*r, &nloc));
  PetscCall(MakeVec(comm, p.X, p.dim, nloc * p.dim, X));
  PetscCall(MakeVec(comm, p.c, 1, PETSC_DECIDE, c));
  PetscCall(MakeVec(comm, p.Y, p.dim, PETSC_DECIDE, Y));
  PetscFunctionReturn(0);
}

} // namespace petal
