// The training loop, checkpoints and outputs of petal-train-dcdm (see trainer.hpp).
#include "trainer.hpp"
#include <petal/dcdm_weights.hpp>
#include <petal/io.h>
#include <ATen/CPUGeneratorImpl.h>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>

namespace petal
{
namespace dcdm_train
{

torch::Tensor DCDMLoss(const torch::Tensor &b, const torch::Tensor &f, const Laplacian &A)
{
  const std::vector<int64_t> voxels = {1, 2, 3, 4};
  const auto                 Af     = A.Apply(f);
  const auto                 alpha  = ((f * b).sum(voxels) / (f * Af).sum(voxels)).view({-1, 1, 1, 1, 1});
  return (b - alpha * Af).pow(2).sum(voxels).mean();
}

double EvaluateLoss(Net &net, const torch::Tensor &samples, const Laplacian &A, int batch)
{
  torch::NoGradGuard no_grad;
  double             sum = 0;
  const int64_t      S   = samples.size(0);
  for (int64_t s = 0; s < S; s += batch) {
    const int64_t m = std::min<int64_t>(batch, S - s);
    const auto    b = samples.narrow(0, s, m);
    sum += DCDMLoss(b, net->forward(b), A).item<double>() * m;
  }
  return sum / S;
}

namespace
{
using Clock = std::chrono::steady_clock;

// libtorch reports errors as exceptions; petal's callers expect PETSc error codes with the message.
#define PETAL_TORCH_TRY(comm, task, ...) \
  do { \
    try { \
      __VA_ARGS__; \
    } catch (const c10::Error &e) { \
      SETERRQ(comm, PETSC_ERR_LIB, "petal-train-dcdm: %s: %s", task, e.what_without_backtrace()); \
    } catch (const std::exception &e) { \
      SETERRQ(comm, PETSC_ERR_LIB, "petal-train-dcdm: %s: %s", task, e.what()); \
    } \
  } while (0)

torch::Tensor HistoryTensor(const std::vector<EpochRecord> &h)
{
  auto t = torch::empty({(int64_t)h.size(), 4}, torch::kFloat64);
  for (size_t i = 0; i < h.size(); ++i) {
    t[i][0] = (double)h[i].epoch;
    t[i][1] = h[i].train_loss;
    t[i][2] = h[i].val_loss;
    t[i][3] = h[i].seconds;
  }
  return t;
}

std::vector<EpochRecord> HistoryFromTensor(const torch::Tensor &t)
{
  std::vector<EpochRecord> h;
  for (int64_t i = 0; i < t.size(0); ++i) h.push_back({(int)t[i][0].item<double>(), t[i][1].item<double>(), t[i][2].item<double>(), t[i][3].item<double>()});
  return h;
}

struct State {
  Net                                   net{nullptr};
  std::unique_ptr<torch::optim::Adam>   opt;
  std::vector<EpochRecord>              history;
  std::string                           command;
};

PetscErrorCode SaveCheckpoint(MPI_Comm comm, const TrainSettings &s, State &st, int epoch)
{
  char tmp[PETSC_MAX_PATH_LEN];
  PetscFunctionBegin;
  PetscCall(PetalAtomicFileTempName(s.checkpoint.c_str(), tmp, sizeof tmp));
  PETAL_TORCH_TRY(comm, "writing the checkpoint", {
    torch::serialize::OutputArchive ar, model, optim;
    st.net->save(model);
    st.opt->save(optim);
    ar.write("model", model);
    ar.write("optimizer", optim);
    ar.write("epoch", torch::tensor((int64_t)epoch));
    ar.write("data_seed", torch::tensor((int64_t)s.data.seed));
    ar.write("history", HistoryTensor(st.history));
    ar.write("settings", c10::IValue(SettingsKey(s)));
    ar.write("command", c10::IValue(st.command));
    ar.save_to(tmp);
  });
  PetscCall(PetalAtomicFileCommit(comm, tmp, s.checkpoint.c_str()));
  PetscFunctionReturn(0);
}

PetscErrorCode LoadCheckpoint(MPI_Comm comm, const TrainSettings &s, State &st, int *epoch)
{
  std::string key, command;
  PetscFunctionBegin;
  PETAL_TORCH_TRY(comm, "reading the checkpoint", {
    torch::serialize::InputArchive ar, model, optim;
    ar.load_from(s.resume);
    c10::IValue v;
    ar.read("settings", v);
    key = v.toStringRef();
    ar.read("command", v);
    command = v.toStringRef();
    if (key == SettingsKey(s)) {
      ar.read("model", model);
      ar.read("optimizer", optim);
      st.net->load(model);
      st.opt->load(optim);
      torch::Tensor e, h;
      ar.read("epoch", e);
      ar.read("history", h);
      *epoch     = (int)e.item<int64_t>();
      st.history = HistoryFromTensor(h);
    }
  });
  PetscCheck(key == SettingsKey(s), comm, PETSC_ERR_ARG_INCOMP, "petal-train-dcdm: checkpoint %s was made with\n  %s\nbut this run asks for\n  %s\n(give the same network, data and batch options to resume)", s.resume.c_str(), key.c_str(), SettingsKey(s).c_str());
  st.command = command + " ; resumed at epoch " + std::to_string(*epoch) + ": " + s.command;
  // The learning rate is this run's (Adam's moments come from the checkpoint).
  for (auto &g : st.opt->param_groups()) static_cast<torch::optim::AdamOptions &>(g.options()).lr(s.lr);
  PetscFunctionReturn(0);
}

PetscErrorCode WriteLossCsv(MPI_Comm comm, const std::string &file, const std::vector<EpochRecord> &h)
{
  char tmp[PETSC_MAX_PATH_LEN];
  PetscFunctionBegin;
  PetscCall(PetalAtomicFileTempName(file.c_str(), tmp, sizeof tmp));
  {
    std::ofstream os(tmp);
    os.precision(10);
    os << "epoch,train_loss,val_loss,seconds\n";
    for (const EpochRecord &r : h) os << r.epoch << ',' << r.train_loss << ',' << r.val_loss << ',' << r.seconds << '\n';
    os.close();
    PetscCheck(os, comm, PETSC_ERR_FILE_WRITE, "petal-train-dcdm: cannot write %s", tmp);
  }
  PetscCall(PetalAtomicFileCommit(comm, tmp, file.c_str()));
  PetscFunctionReturn(0);
}

PetscErrorCode SaveWeights(MPI_Comm comm, const TrainSettings &s, State &st, cnn::Weights *w)
{
  DCDMTrainingInfo info;
  PetscFunctionBegin;
  PETAL_TORCH_TRY(comm, "reading the weights", *w = st.net->GetWeights());
  info.trained_N     = s.data.n;
  info.train_matrix  = MatrixName(s.data.boundary);
  info.lanczos_steps = s.data.lanczos_steps;
  info.ritz_theta    = s.data.ritz_theta;
  info.samples       = s.data.samples;
  info.epochs        = st.history.empty() ? 0 : st.history.back().epoch;
  info.final_loss    = st.history.empty() ? NAN : st.history.back().val_loss;
  info.command       = st.command;
  PetscCall(PetalDCDMWeightsSave(comm, s.output.c_str(), *w, info));
  PetscFunctionReturn(0);
}

PetscErrorCode PrintRecord(MPI_Comm comm, const EpochRecord &r, int epochs)
{
  PetscFunctionBegin;
  PetscCall(PetscPrintf(comm, "epoch %4d/%d  train %.6e  val %.6e  %8.1f s\n", r.epoch, epochs, r.train_loss, r.val_loss, r.seconds));
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode Train(MPI_Comm comm, const TrainSettings &s, TrainResult *result)
{
  State       st;
  int         start = 0;
  Dataset     data;
  PetscMPIInt size;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCheck(size == 1, comm, PETSC_ERR_SUP, "petal-train-dcdm runs on one MPI rank, got %d", size);
  if (s.threads > 0) at::set_num_threads(s.threads);
  st.command = s.command;
  PETAL_TORCH_TRY(comm, "building the network", {
    st.net = Net(s.spec);
    st.net->SetWeights(cnn::RandomWeights(s.spec, s.data.seed));
    st.opt = std::make_unique<torch::optim::Adam>(st.net->parameters(), torch::optim::AdamOptions(s.lr));
  });
  if (!s.resume.empty()) {
    PetscCall(LoadCheckpoint(comm, s, st, &start));
    PetscCall(PetscPrintf(comm, "resumed %s at epoch %d\n", s.resume.c_str(), start));
  }
  PetscCall(PetscPrintf(comm, "network %s: %d channels, %lld parameters; %d threads\n", s.spec.arch.c_str(), s.spec.channels, cnn::ParameterCount(s.spec), at::get_num_threads()));

  PETAL_TORCH_TRY(comm, "making the training data", data = MakeDataset(s.data));
  PetscCall(PetscPrintf(comm, "data: %s %d^3, Lanczos %d steps (%.1f s), Ritz values [%.3e, %.3e], %d null skipped; %d training + %d validation right-hand sides (%.1f s)\n", MatrixName(s.data.boundary), s.data.n, data.ritz.steps,
                        data.lanczos_seconds, data.ritz.values[0].item<double>(), data.ritz.values[-1].item<double>(), data.null_skipped, s.data.samples, s.data.validation, data.sample_seconds));
  const Laplacian A(s.data.n, s.data.boundary);

  if (st.history.empty()) { // epoch 0: the untrained network
    auto   t0  = Clock::now();
    double val = 0;
    PETAL_TORCH_TRY(comm, "evaluating the loss", val = EvaluateLoss(st.net, data.validation, A, s.batch));
    st.history.push_back({0, std::numeric_limits<double>::quiet_NaN(), val, std::chrono::duration<double>(Clock::now() - t0).count()});
  }
  for (const EpochRecord &r : st.history) PetscCall(PrintRecord(comm, r, s.epochs));

  for (int epoch = start + 1; epoch <= s.epochs; ++epoch) {
    auto   t0  = Clock::now();
    double sum = 0, val = 0;
    PETAL_TORCH_TRY(comm, "training", {
      st.net->train();
      // The batch order of an epoch depends on (seed, epoch) only: a resumed run sees the same batches.
      at::Generator gen  = at::detail::createCPUGenerator(s.data.seed * 1000003ULL + (uint64_t)epoch);
      const auto    perm = at::randperm(s.data.samples, gen, torch::kInt64);
      for (int64_t i = 0; i < s.data.samples; i += s.batch) {
        const int64_t m    = std::min<int64_t>(s.batch, s.data.samples - i);
        const auto    b    = data.train.index_select(0, perm.narrow(0, i, m));
        auto          loss = DCDMLoss(b, st.net->forward(b), A);
        st.opt->zero_grad();
        loss.backward();
        st.opt->step();
        sum += loss.item<double>() * m;
      }
      val = EvaluateLoss(st.net, data.validation, A, s.batch);
    });
    const EpochRecord r = {epoch, sum / s.data.samples, val, std::chrono::duration<double>(Clock::now() - t0).count()};
    PetscCheck(std::isfinite(r.train_loss) && std::isfinite(r.val_loss), comm, PETSC_ERR_NOT_CONVERGED, "petal-train-dcdm: the loss is not finite at epoch %d (train %g, validation %g); try a smaller -lr", epoch, r.train_loss, r.val_loss);
    st.history.push_back(r);
    PetscCall(PrintRecord(comm, r, s.epochs));
    if (!s.loss_csv.empty()) PetscCall(WriteLossCsv(comm, s.loss_csv, st.history));
    if (!s.checkpoint.empty()) PetscCall(SaveCheckpoint(comm, s, st, epoch));
    if (s.checkpoint_weights && epoch < s.epochs) {
      cnn::Weights w;
      PetscCall(SaveWeights(comm, s, st, &w));
    }
  }
  if (!s.loss_csv.empty()) PetscCall(WriteLossCsv(comm, s.loss_csv, st.history));
  PetscCall(SaveWeights(comm, s, st, &result->weights));
  PetscCall(PetscPrintf(comm, "wrote %s (epoch %d, validation loss %.6e)\n", s.output.c_str(), st.history.back().epoch, st.history.back().val_loss));
  result->history = st.history;
  result->command = st.command;
  PetscFunctionReturn(0);
}

} // namespace dcdm_train
} // namespace petal
