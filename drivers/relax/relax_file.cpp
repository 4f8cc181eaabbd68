// The "file" sequence of petal-relax and -relax_write_file: sequences of linear systems in petal's HDF5 format,
// read and written through the public reader and writer (include/petal/sequence.h), which check everything.
#include "relax_progress.hpp"
#include "relax_sequence.hpp"
#include <petal/sequence.h>
#include <algorithm>

namespace petal::relax {
namespace {
class FileSequence : public Sequence {
public:
  ~FileSequence() override { (void)PetalSequenceReaderDestroy(&reader_); } // local: closes this rank's handle
  const char *Name() const override { return "file"; }
  Solver      DefaultSolver() const override { return !strcmp(info_.solver, "ssor_pcg") ? Solver::SSOR_PCG : Solver::SOR; }
  PetscInt    DefaultBins() const override { return info_.bins > 0 ? info_.bins : 5; }
  void        ContextRange(PetscReal *a, PetscReal *b) const override
  {
    if (info_.has_context_range) {
      *a = info_.context_range[0], *b = info_.context_range[1];
      return;
    }
    // min and max of the contexts, widened to c -+ 1 if they are all equal
    const PetscReal *c;
    (void)PetalSequenceReaderGetContexts(reader_, &c);
    double lo = *std::min_element(c, c + info_.instances), hi = *std::max_element(c, c + info_.instances);
    if (!(lo < hi)) lo -= 1, hi += 1;
    *a = lo, *b = hi;
  }
  PetscErrorCode View(PetscViewer v) const override
  {
    return PetscViewerASCIIPrintf(v, "sequence: file %s (%s), n = %" PetscInt_FMT ", nnz = %" PetscInt_FMT ", %" PetscInt_FMT " of %" PetscInt_FMT " instances%s%s\n", file_.c_str(), info_.source[0] ? info_.source : "no source attribute", size_, info_.nnz, length_, info_.instances, info_.has_x0 ? ", initial guesses from /x0" : ", x0 = 0", info_.has_context ? ", contexts from /context" : ", no /context (context 0)");
  }
  void Describe(JsonWriter &j) const override
  {
    j.Value("file", file_).Value("nnz", (long long)info_.nnz).Value("instances_in_file", (long long)info_.instances).Value("source", std::string(info_.source));
    j.Value("has_x0", (bool)info_.has_x0).Value("has_context", (bool)info_.has_context);
  }

  PetscErrorCode Setup(MPI_Comm comm, const char *file, PetscInt instances)
  {
    PetscFunctionBegin;
    file_ = file;
    comm_ = comm;
    PetscCall(PetalSequenceReaderOpen(comm, file, &reader_));
    PetscCall(PetalSequenceReaderGetInfo(reader_, &info_));
    PetscCheck(instances <= info_.instances, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-relax: -relax_instances %" PetscInt_FMT " but %s holds only %" PetscInt_FMT " instances", instances, file, info_.instances);
    size_   = info_.n;
    length_ = instances > 0 ? instances : info_.instances;
    PetscFunctionReturn(0);
  }

  PetscErrorCode CreateVector(Vec *v) const override { return PetalSequenceReaderCreateVec(reader_, v); }
  PetscErrorCode Reset() override
  {
    next_ = 0;
    return 0;
  }
  PetscErrorCode Begin(PetscInt t, Mat *A, PetscReal *context) override
  {
    const PetscReal *c;
    PetscFunctionBegin;
    PetscCheck(t == next_, comm_, PETSC_ERR_ARG_WRONGSTATE, "file sequence: instance %" PetscInt_FMT " requested, %" PetscInt_FMT " expected (call Reset to restart)", t, next_);
    next_++;
    PetscCall(PetalSequenceReaderRead(reader_, t, A, &b_, &x0_));
    PetscCall(PetalSequenceReaderGetContexts(reader_, &c));
    *context = c[t];
    PetscFunctionReturn(0);
  }
  PetscErrorCode System(Vec, Vec b, Vec x0) override
  {
    PetscFunctionBegin;
    PetscCall(VecCopy(b_, b));
    PetscCall(VecCopy(x0_, x0));
    PetscFunctionReturn(0);
  }

private:
  std::string         file_;
  MPI_Comm            comm_   = MPI_COMM_NULL;
  PetalSequenceReader reader_ = nullptr;
  PetalSequenceInfo   info_{};
  Vec                 b_ = nullptr, x0_ = nullptr; // the reader's, for the current instance
  PetscInt            next_ = 0;
};
} // namespace

PetscErrorCode CreateFileSequence(MPI_Comm comm, const char *file, PetscInt instances, std::unique_ptr<Sequence> *seq)
{
  PetscFunctionBegin;
  PetscCheck(file && file[0], comm, PETSC_ERR_ARG_NULL, "petal-relax: -relax_sequence file needs -relax_file FILE.h5");
  auto s = std::make_unique<FileSequence>();
  PetscCall(s->Setup(comm, file, instances));
  *seq = std::move(s);
  PetscFunctionReturn(0);
}

namespace {
// The optional attributes that make a study of the file default to this sequence's settings.
PetscErrorCode SetHints(PetalSequenceWriter w, const Sequence &seq)
{
  PetalSequenceInfo hints{};
  PetscFunctionBegin;
  hints.has_context_range = PETSC_TRUE;
  seq.ContextRange(&hints.context_range[0], &hints.context_range[1]);
  PetscCall(PetscStrncpy(hints.solver, SolverNames[(int)seq.DefaultSolver()], sizeof hints.solver));
  hints.bins = seq.DefaultBins();
  PetscCall(PetscSNPrintf(hints.source, sizeof hints.source, "petal-relax -relax_sequence %s", seq.Name()));
  PetscCall(PetalSequenceWriterSetHints(w, &hints));
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode WriteSequenceFile(MPI_Comm comm, Sequence &seq, const char *file, TrajectorySolver solve, void *ctx, PetscInt progress)
{
  PetalSequenceWriter w;
  Vec                 u = nullptr, b, x0;
  Progress            meter;
  const bool          stateful = seq.Stateful();
  PetscFunctionBegin;
  PetscCall(seq.CreateVector(&b));
  PetscCall(VecDuplicate(b, &x0));
  if (stateful) {
    PetscCall(VecDuplicate(b, &u));
    PetscCall(seq.Initial(u));
  }
  PetscCall(PetalSequenceWriterCreate(comm, file, seq.Length(), stateful ? PETSC_TRUE : PETSC_FALSE, &w));
  PetscCall(seq.Reset());
  PetscCall(meter.Start(comm, std::string("writing ") + file, seq.Length(), progress));
  for (PetscInt t = 0; t < seq.Length(); ++t) {
    Mat       A;
    PetscReal c;
    PetscCall(seq.Begin(t, &A, &c));
    PetscCall(seq.System(u, b, x0));
    PetscCall(PetalSequenceWriterAdd(w, A, b, stateful ? x0 : NULL, c));
    if (stateful) { // advance along the trajectory
      PetscCall(VecCopy(x0, u));
      PetscCall(solve(ctx, A, b, u));
    }
    PetscCall(meter.Step(t + 1));
  }
  PetscCall(SetHints(w, seq));
  PetscCall(PetalSequenceWriterCommit(w));
  PetscCall(PetalSequenceWriterDestroy(&w));
  PetscCall(VecDestroy(&b));
  PetscCall(VecDestroy(&x0));
  PetscCall(VecDestroy(&u));
  PetscFunctionReturn(0);
}
} // namespace petal::relax
