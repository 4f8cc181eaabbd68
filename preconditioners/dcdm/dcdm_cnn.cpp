// PetalCNN (include/petal/dcdm.h): the DCDM network on a DMDA. Each rank runs learned/cnn's Forward executor
// on its block of the fine cell DMDA (dcdm_layout.cpp), with halos filled by a PetscSF per level
// (dcdm_halo.cpp) and every layer bracketed by a PetscLogEvent (PetalCNNConv, ...) through Forward's StepHook.
//
// Precision: Forward<float> (default) or Forward<double>. PETSc's Vecs hold doubles on the host; the network's
// input and output are Views in petal's memory space with explicit host mirrors, so the only host <-> device
// copies (on a device build) are the two at this boundary.
#include "preconditioners/dcdm/dcdm_cnn.hpp"
#include "learned/cnn/forward.hpp"
#include <petsc/private/petscimpl.h>
#include <petal/dcdm_weights.hpp>
#include <petal/kokkos_spaces.hpp>

const char *const PetalCNNPrecisions[] = {"float32", "float64", "PetalCNNPrecision", "PETAL_CNN_", nullptr};

namespace petal {
namespace {

template <class S>
MPI_Datatype MPIScalar();
template <>
MPI_Datatype MPIScalar<float>()
{
  return MPI_FLOAT;
}
template <>
MPI_Datatype MPIScalar<double>()
{
  return MPI_DOUBLE;
}

PetscLogEvent StepEvent(cnn::Op op)
{
  switch (op) {
  case cnn::Op::Pool: return PETAL_CNNPool;
  case cnn::Op::UpsampleAdd: return PETAL_CNNUpsample;
  case cnn::Op::Head: return PETAL_CNNHead;
  default: return PETAL_CNNConv;
  }
}

// Flops of each step of cnn::Program on a fine block of `cells` cells, counted as cnn::FlopsPerVoxel counts them
// (so that they add up to Forward::Flops), for -log_view's per-layer rates.
std::vector<double> StepFlops(const cnn::NetSpec &spec, double cells)
{
  const std::vector<cnn::ConvShape> shapes = cnn::ConvShapes(spec);
  std::vector<double>               f;
  for (const cnn::Step &st : cnn::Program(spec)) {
    const double share = st.level == cnn::Level::Coarse ? cells / 8 : cells;
    double       v     = 0;
    if (st.conv >= 0) {
      const cnn::ConvShape &c = shapes[st.conv];
      v = share * (2.0 * c.ksize * c.ksize * c.ksize * c.cin * c.cout + c.cout);
      if (st.op == cnn::Op::ConvRelu) v += share * spec.channels;
      if (st.op == cnn::Op::ConvReluAdd) v += share * 2 * spec.channels;
    } else v = cells * spec.channels; // pooling (8 values per coarse cell) or upsampling with the skip add
    f.push_back(v);
  }
  return f;
}

template <class S>
class Runner : public CNNRunner {
public:
  using View = Kokkos::View<S *, MemSpace>;

  Runner(PetalCNN cnn, const cnn::Weights &w)
  {
    const LevelLayout &F = cnn->fineLayout;
    cnn::Block         b;
    b.nx = (int)F.size[0], b.ny = (int)F.size[1], b.nz = (int)F.size[2];
    // The halo callback cannot return a PETSc error: it records the first one, which Apply raises after.
    auto halo = [cnn](cnn::Level level, const cnn::Buffer<S> &buf, int channels) {
      if (cnn->haloError) return;
      HaloExchange &h = cnn->halo[level == cnn::Level::Fine ? 0 : 1];
      (void)PetscLogEventBegin(PETAL_CNNHalo, 0, 0, 0, 0);
      if constexpr (kMemSpaceIsHost) {
        cnn->haloError = h.Exchange(buf.data(), MPIScalar<S>(), channels);
      } else {
#if defined(PETSC_HAVE_DEVICE)
        // A PETSc built for the device takes device pointers (PetscSF detects the memory type).
        Kokkos::fence();
        cnn->haloError = h.Exchange(buf.data(), MPIScalar<S>(), channels);
#else
        // A host-only PETSc: stage the block through its host mirror.
        auto host = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), buf);
        cnn->haloError = h.Exchange(host.data(), MPIScalar<S>(), channels);
        Kokkos::deep_copy(buf, host);
#endif
      }
      (void)PetscLogEventEnd(PETAL_CNNHalo, 0, 0, 0, 0);
    };
    forward_   = std::make_unique<cnn::Forward<S>>(w, b, halo);
    stepFlops_ = StepFlops(w.spec, (double)b.Owned());
    // Forward fences before the end bracket, so each event holds its kernels' time, not their launch.
    forward_->SetStepHook([this](cnn::Op op, bool begin) {
      if (begin) {
        (void)PetscLogEventBegin(StepEvent(op), 0, 0, 0, 0);
        return;
      }
      if (step_ < stepFlops_.size()) (void)PetscLogFlops(stepFlops_[step_]);
      ++step_;
      (void)PetscLogEventEnd(StepEvent(op), 0, 0, 0, 0);
    });
    in_    = View("petal::PetalCNN::in", b.Owned());
    out_   = View("petal::PetalCNN::out", b.Owned());
    inH_   = Kokkos::create_mirror_view(in_);
    outH_  = Kokkos::create_mirror_view(out_);
    count_ = b.Owned();
  }

  PetscErrorCode Apply(const PetscScalar *in, PetscScalar *out) override
  {
    PetscFunctionBegin;
    for (size_t i = 0; i < count_; ++i) inH_(i) = (S)in[i];
    Kokkos::deep_copy(in_, inH_);
    step_ = 0;
    try {
      forward_->Apply(in_, out_);
    } catch (const std::exception &e) {
      SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "PetalCNN: the network failed: %s", e.what());
    }
    Kokkos::deep_copy(outH_, out_);
    for (size_t i = 0; i < count_; ++i) out[i] = (PetscScalar)outH_(i);
    PetscFunctionReturn(0);
  }

  double Flops() const override { return forward_->Flops(); }

private:
  std::unique_ptr<cnn::Forward<S>> forward_;
  View                             in_, out_;
  typename View::HostMirror        inH_, outH_;
  size_t                           count_ = 0;
  std::vector<double>              stepFlops_; // per step of cnn::Program, logged by the step hook
  size_t                           step_ = 0;
};

PetscErrorCode CreateRunner(PetalCNN cnn, const cnn::Weights &w)
{
  std::string why;
  PetscFunctionBegin;
  try {
    if (cnn->precision == PETAL_CNN_FLOAT64) cnn->runner = std::make_unique<Runner<double>>(cnn, w);
    else cnn->runner = std::make_unique<Runner<float>>(cnn, w);
  } catch (const std::exception &e) {
    why = e.what();
  }
  // Every rank builds the same executor from the same weights; a failure (memory) may still be local.
  int failed = !why.empty(), any;
  PetscCallMPI(MPI_Allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, cnn->comm));
  PetscCheck(!any, cnn->comm, PETSC_ERR_LIB, "PetalCNN: cannot build the network's executor on some rank: %s", why.empty() ? "(see that rank)" : why.c_str());
  PetscFunctionReturn(0);
}
} // namespace

namespace {
// Everything after the grid checks; on failure the caller destroys the half-built object.
PetscErrorCode Build(PetalCNN cnn, const cnn::Weights &w)
{
  PetscFunctionBegin;
  PetscCall(DCDMCNNCreateLayout(cnn));
  PetscCall(cnn->halo[0].Create(cnn->comm, cnn->fineLayout));
  PetscCall(cnn->halo[1].Create(cnn->comm, cnn->coarseLayout));
  PetscCall(CreateRunner(cnn, w));
  cnn->localFlops = cnn->runner->Flops();
  PetscCallMPI(MPI_Allreduce(&cnn->localFlops, &cnn->flops, 1, MPI_DOUBLE, MPI_SUM, cnn->comm));
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode DCDMCNNCreate(DM da, const cnn::Weights &w, PetalCNNPrecision precision, PetalCNN *out)
{
  MPI_Comm comm = PetscObjectComm((PetscObject)da);

  PetscFunctionBegin;
  *out = nullptr;
  PetscCheck(precision == PETAL_CNN_FLOAT32 || precision == PETAL_CNN_FLOAT64, comm, PETSC_ERR_ARG_OUTOFRANGE, "PetalCNN: unknown precision %d", (int)precision);
  PetscCall(DCDMCheckGrid(da, "PetalCNN"));
  const std::string why = cnn::Check(w);
  PetscCheck(why.empty(), comm, PETSC_ERR_ARG_WRONG, "PetalCNN: the weights do not fit their architecture: %s", why.c_str());
  PetalCNN cnn    = new _n_PetalCNN();
  cnn->comm       = comm;
  cnn->precision  = precision;
  cnn->spec       = w.spec;
  cnn->parameters = cnn::ParameterCount(w.spec);
  PetscCall(PetscObjectReference((PetscObject)da));
  cnn->user                 = da;
  const PetscErrorCode ierr = Build(cnn, w);
  if (ierr) {
    (void)PetalCNNDestroy(&cnn); // a failed create leaves nothing behind (the DMDA's reference included)
    PetscFunctionReturn(ierr);
  }
  *out = cnn;
  PetscFunctionReturn(0);
}

} // namespace petal

PetscErrorCode PetalCNNCreate(DM da, const char weightsfile[], PetalCNNPrecision precision, PetalCNN *cnn)
{
  petal::cnn::Weights     w;
  petal::DCDMTrainingInfo info;

  PetscFunctionBegin;
  PetscValidHeaderSpecific(da, DM_CLASSID, 1);
  PetscValidPointer(cnn, 4);
  PetscCall(petal::DCDMCheckGrid(da, "PetalCNNCreate")); // before the file: the cheaper problem first
  PetscCall(PetalDCDMWeightsLoad(PetscObjectComm((PetscObject)da), weightsfile, &w, &info));
  PetscCall(petal::DCDMCNNCreate(da, w, precision, cnn));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalCNNApply(PetalCNN cnn, Vec in, Vec out)
{
  PetscInt           nin, nout, nuser;
  const PetscScalar *a;
  PetscScalar       *b;

  PetscFunctionBegin;
  PetscCheck(cnn, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "PetalCNNApply: no network (PetalCNNCreate first)");
  PetscValidHeaderSpecific(in, VEC_CLASSID, 2);
  PetscValidHeaderSpecific(out, VEC_CLASSID, 3);
  PetscCheck(in != out, cnn->comm, PETSC_ERR_ARG_IDN, "PetalCNNApply: in and out must be different Vecs");
  PetscCall(VecGetLocalSize(in, &nin));
  PetscCall(VecGetLocalSize(out, &nout));
  {
    PetscInt xm, ym, zm;
    PetscCall(DMDAGetCorners(cnn->user, NULL, NULL, NULL, &xm, &ym, &zm));
    nuser = xm * ym * zm;
  }
  PetscCheck(nin == nuser && nout == nuser, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "PetalCNNApply: the Vecs have %" PetscInt_FMT " and %" PetscInt_FMT " local entries, the DMDA's global Vecs %" PetscInt_FMT, nin, nout, nuser);
  PetscCall(PetscLogEventBegin(PETAL_CNNApply, 0, 0, 0, 0));
  Vec src = in, dst = out;
  if (!cnn->sameLayout) {
    PetscCall(VecScatterBegin(cnn->toFine, in, cnn->fineIn, INSERT_VALUES, SCATTER_FORWARD));
    PetscCall(VecScatterEnd(cnn->toFine, in, cnn->fineIn, INSERT_VALUES, SCATTER_FORWARD));
    src = cnn->fineIn, dst = cnn->fineOut;
  }
  PetscCall(VecGetArrayRead(src, &a));
  PetscCall(VecGetArrayWrite(dst, &b));
  cnn->haloError = 0;
  PetscCall(cnn->runner->Apply(a, b));
  PetscCall(VecRestoreArrayWrite(dst, &b));
  PetscCall(VecRestoreArrayRead(src, &a));
  PetscCall(cnn->haloError);
  if (!cnn->sameLayout) {
    PetscCall(VecScatterBegin(cnn->toFine, cnn->fineOut, out, INSERT_VALUES, SCATTER_REVERSE));
    PetscCall(VecScatterEnd(cnn->toFine, cnn->fineOut, out, INSERT_VALUES, SCATTER_REVERSE));
  }
  PetscCall(PetscLogEventEnd(PETAL_CNNApply, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalCNNGetFlops(PetalCNN cnn, PetscLogDouble *flops)
{
  PetscFunctionBegin;
  PetscCheck(cnn, PETSC_COMM_SELF, PETSC_ERR_ARG_NULL, "PetalCNNGetFlops: no network");
  *flops = cnn->flops;
  PetscFunctionReturn(0);
}

PetscErrorCode PetalCNNDestroy(PetalCNN *cnn)
{
  PetscFunctionBegin;
  if (!cnn || !*cnn) PetscFunctionReturn(0);
  PetalCNN c = *cnn;
  *cnn       = nullptr;
  c->runner.reset();
  PetscCall(VecScatterDestroy(&c->toFine));
  PetscCall(VecDestroy(&c->fineIn));
  PetscCall(VecDestroy(&c->fineOut));
  PetscCall(DMDestroy(&c->fine));
  PetscCall(DMDestroy(&c->coarse));
  PetscCall(DMDestroy(&c->user));
  delete c;
  PetscFunctionReturn(0);
}
