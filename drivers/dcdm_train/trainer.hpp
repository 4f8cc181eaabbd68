#pragma once
/* petal-train-dcdm's training: the reference's loss and loop (ayano721/2023_DCDM src/train.py) in libtorch.
 *
 *   L = mean_j || b_j - (f_j^T b_j / f_j^T A f_j) A f_j ||^2,   f_j = net(b_j)
 * the residual after one exact line search along f, invariant to the scale of f; unsupervised.
 * Adam, shuffled mini-batches (the order of epoch e depends only on the seed and e, so a resumed run repeats an
 * uninterrupted one), a validation loss on held-out samples after every epoch, checkpoints (model, optimizer,
 * epoch, loss history, settings) written atomically after every epoch, the HDF5 weights file at the end. */
#include "dataset.hpp"
#include "torch_net.hpp"
#include <petal/cnn.hpp>
#include <petscsys.h>
#include <string>
#include <vector>

namespace petal
{
namespace dcdm_train
{

struct TrainSettings {
  cnn::NetSpec spec;
  DataSettings data;
  int          epochs  = 20;
  int          batch   = 10;
  double       lr      = 1e-4;
  int          threads = 0; // 0: libtorch's default
  std::string  output  = "dcdm.h5";
  std::string  checkpoint, resume, loss_csv; // empty: none
  bool         checkpoint_weights = false;   // also write the HDF5 weights after every epoch
  std::string  command;                      // the command line, recorded in the weights file
};

struct EpochRecord {
  int    epoch;
  double train_loss; // mean over the epoch's batches (NaN for epoch 0, the untrained network)
  double val_loss;   // on the held-out samples after the epoch
  double seconds;    // wall time of the epoch (training and validation)
};

struct TrainResult {
  std::vector<EpochRecord> history; // from epoch 0 (before training), resumed epochs included
  cnn::Weights             weights;
  std::string              command; // what went into the weights file
};

/* The loss of a batch b (B, 1, n, n, n) with f = net(b); differentiable in f. */
torch::Tensor DCDMLoss(const torch::Tensor &b, const torch::Tensor &f, const Laplacian &A);
/* Mean loss over samples, without gradients, in batches. */
double EvaluateLoss(Net &net, const torch::Tensor &samples, const Laplacian &A, int batch);

/* The settings as one line ("arch=from64 channels=16 ... n=32 matrix=neumann-box ... seed=1 batch=10"): a
 * checkpoint is resumed only by a run with the same line (epochs, lr, threads and files may differ). */
std::string SettingsKey(const TrainSettings &s);

/* Reads the options (petal_train_dcdm.cpp's -help lists them) and checks them: clear errors for an odd n, a
 * bad architecture, sizes out of range, unwritable outputs, an unreadable -resume. Collective. */
PetscErrorCode ReadSettings(MPI_Comm comm, TrainSettings *s);

/* Trains and writes the outputs. One rank only (libtorch parallelises with -threads). */
PetscErrorCode Train(MPI_Comm comm, const TrainSettings &s, TrainResult *result);

} // namespace dcdm_train
} // namespace petal
