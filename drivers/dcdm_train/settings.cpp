// petal-train-dcdm's options and their checks.
#include "trainer.hpp"
#include <petal/io.h>
#include <cstring>
#include <sstream>

namespace petal
{
namespace dcdm_train
{

std::string SettingsKey(const TrainSettings &s)
{
  std::ostringstream os;
  os << "arch=" << s.spec.arch << " channels=" << s.spec.channels << " fine_pairs=" << s.spec.fine_pairs << " coarse_pairs=" << s.spec.coarse_pairs << " up_pairs=" << s.spec.up_pairs;
  os << " n=" << s.data.n << " matrix=" << MatrixName(s.data.boundary) << " lanczos_steps=" << s.data.lanczos_steps << " ritz_theta=" << s.data.ritz_theta;
  os << " samples=" << s.data.samples << " validation=" << s.data.validation << " seed=" << s.data.seed << " batch=" << s.batch;
  return os.str();
}

PetscErrorCode ReadSettings(MPI_Comm comm, TrainSettings *s)
{
  char        arch[64] = "from64", matrix[64] = "neumann", out[PETSC_MAX_PATH_LEN], ckpt[PETSC_MAX_PATH_LEN] = "", resume[PETSC_MAX_PATH_LEN] = "", csv[PETSC_MAX_PATH_LEN] = "";
  PetscInt    n = s->data.n, steps = s->data.lanczos_steps, theta = -1, samples = s->data.samples, validation = s->data.validation, seed = (PetscInt)s->data.seed;
  PetscInt    epochs = s->epochs, batch = s->batch, threads = s->threads;
  PetscInt    channels = 16, fine = 2, coarse = 3, up = 2;
  PetscBool   setC = PETSC_FALSE, setF = PETSC_FALSE, setCo = PETSC_FALSE, setU = PETSC_FALSE, ckptW = PETSC_FALSE;
  PetscReal   lr = s->lr;
  PetscMPIInt size;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCheck(size == 1, comm, PETSC_ERR_SUP, "petal-train-dcdm runs on one MPI rank (libtorch uses -threads for parallelism), got %d ranks", size);
  PetscCall(PetscStrncpy(out, s->output.c_str(), sizeof(out)));
  PetscOptionsBegin(comm, NULL, "petal-train-dcdm: train the DCDM network", NULL);
  PetscCall(PetscOptionsString("-arch", "Network: from64, from128 (the published nets, 16 channels) or custom", NULL, arch, arch, sizeof(arch), NULL));
  PetscCall(PetscOptionsInt("-channels", "custom: channels of every activation", NULL, channels, &channels, &setC));
  PetscCall(PetscOptionsInt("-fine_pairs", "custom: conv pairs at full resolution", NULL, fine, &fine, &setF));
  PetscCall(PetscOptionsInt("-coarse_pairs", "custom: residual pairs at the pooled level", NULL, coarse, &coarse, &setCo));
  PetscCall(PetscOptionsInt("-up_pairs", "custom: residual pairs after upsampling", NULL, up, &up, &setU));
  PetscCall(PetscOptionsInt("-n", "Training grid: n^3 cells (even)", NULL, n, &n, NULL));
  PetscCall(PetscOptionsString("-train_matrix", "Training matrix: neumann (empty box, zero-flux walls, the reference's) or dirichlet", NULL, matrix, matrix, sizeof(matrix), NULL));
  PetscCall(PetscOptionsInt("-lanczos_steps", "Lanczos steps m (Ritz vectors)", NULL, steps, &steps, NULL));
  PetscCall(PetscOptionsInt("-ritz_theta", "theta: the lowest m/2+theta Ritz vectors get coefficients 9 N(0,1) (default m/20, the reference's ratio)", NULL, theta, &theta, NULL));
  PetscCall(PetscOptionsInt("-samples", "Training right-hand sides", NULL, samples, &samples, NULL));
  PetscCall(PetscOptionsInt("-validation", "Held-out right-hand sides for the validation loss", NULL, validation, &validation, NULL));
  PetscCall(PetscOptionsInt("-seed", "Seed of the data, the initial weights and the batch order", NULL, seed, &seed, NULL));
  PetscCall(PetscOptionsInt("-epochs", "Epochs (in total, counting those of a resumed checkpoint)", NULL, epochs, &epochs, NULL));
  PetscCall(PetscOptionsInt("-batch", "Batch size", NULL, batch, &batch, NULL));
  PetscCall(PetscOptionsReal("-lr", "Adam learning rate", NULL, lr, &lr, NULL));
  PetscCall(PetscOptionsInt("-threads", "libtorch threads (0: libtorch's default)", NULL, threads, &threads, NULL));
  PetscCall(PetscOptionsString("-o", "HDF5 weights file written at the end", NULL, out, out, sizeof(out), NULL));
  PetscCall(PetscOptionsString("-checkpoint", "Checkpoint written after every epoch (torch::save)", NULL, ckpt, ckpt, sizeof(ckpt), NULL));
  PetscCall(PetscOptionsBool("-checkpoint_weights", "Also write the HDF5 weights (-o) after every epoch", NULL, ckptW, &ckptW, NULL));
  PetscCall(PetscOptionsString("-resume", "Continue from this checkpoint (same settings)", NULL, resume, resume, sizeof(resume), NULL));
  PetscCall(PetscOptionsString("-loss_csv", "Loss history: epoch,train_loss,val_loss,seconds", NULL, csv, csv, sizeof(csv), NULL));
  PetscOptionsEnd();

  // The network.
  const bool custom = !std::strcmp(arch, "custom");
  if (custom) {
    s->spec              = cnn::From64();
    s->spec.arch         = "custom";
    s->spec.channels     = (int)channels;
    s->spec.fine_pairs   = (int)fine;
    s->spec.coarse_pairs = (int)coarse;
    s->spec.up_pairs     = (int)up;
  } else {
    PetscCheck(cnn::SpecByName(arch, &s->spec), comm, PETSC_ERR_ARG_WRONG, "petal-train-dcdm: -arch %s is not a network; use from64, from128 or custom", arch);
    PetscCheck(!setC && !setF && !setCo && !setU, comm, PETSC_ERR_ARG_INCOMP, "petal-train-dcdm: -channels, -fine_pairs, -coarse_pairs and -up_pairs need -arch custom (-arch %s is fixed)", arch);
  }
  const std::string why = cnn::Validate(s->spec);
  PetscCheck(why.empty(), comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-train-dcdm: bad network: %s", why.c_str());

  // The data.
  PetscCheck(n >= 4 && n % 2 == 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-train-dcdm: -n %" PetscInt_FMT " must be even (the network pools once) and at least 4", n);
  PetscCheck(n <= 512, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-train-dcdm: -n %" PetscInt_FMT " is larger than 512", n);
  if (!std::strcmp(matrix, "neumann") || !std::strcmp(matrix, "neumann-box")) s->data.boundary = Boundary::Neumann;
  else if (!std::strcmp(matrix, "dirichlet") || !std::strcmp(matrix, "dirichlet-box")) s->data.boundary = Boundary::Dirichlet;
  else SETERRQ(comm, PETSC_ERR_ARG_WRONG, "petal-train-dcdm: -train_matrix %s is not known; use neumann or dirichlet", matrix);
  const long long cells = (long long)n * n * n;
  PetscCheck(steps >= 2 && steps < cells, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-train-dcdm: -lanczos_steps %" PetscInt_FMT " must be in [2, %lld) for n = %" PetscInt_FMT, steps, cells, n);
  // The Lanczos basis and the Ritz vectors are two (steps x cells) double arrays.
  PetscCheck(2.0 * 8 * steps * (double)cells <= 16e9, comm, PETSC_ERR_MEM, "petal-train-dcdm: -lanczos_steps %" PetscInt_FMT " at n = %" PetscInt_FMT " needs %.1f GB for the Lanczos vectors (limit 16 GB)", steps, n, 2.0 * 8 * steps * cells / 1e9);
  if (theta < 0) theta = steps / 20;
  PetscCheck(samples >= 1 && validation >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-train-dcdm: -samples and -validation must be at least 1, got %" PetscInt_FMT " and %" PetscInt_FMT, samples, validation);
  PetscCheck(4.0 * (samples + validation) * (double)cells <= 16e9, comm, PETSC_ERR_MEM, "petal-train-dcdm: %" PetscInt_FMT " samples of %lld cells need more than 16 GB", samples + validation, cells);
  PetscCheck(seed >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-train-dcdm: -seed must be >= 0");
  s->data.n             = (int)n;
  s->data.lanczos_steps = (int)steps;
  s->data.ritz_theta    = (int)theta;
  s->data.samples       = (int)samples;
  s->data.validation    = (int)validation;
  s->data.seed          = (uint64_t)seed;

  // Training.
  PetscCheck(epochs >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-train-dcdm: -epochs must be >= 0, got %" PetscInt_FMT, epochs);
  PetscCheck(batch >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-train-dcdm: -batch must be >= 1, got %" PetscInt_FMT, batch);
  PetscCheck(lr > 0 && lr < 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-train-dcdm: -lr must be in (0, 1), got %g", (double)lr);
  PetscCheck(threads >= 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal-train-dcdm: -threads must be >= 0");
  s->epochs             = (int)epochs;
  s->batch              = (int)batch;
  s->lr                 = lr;
  s->threads            = (int)threads;
  s->output             = out;
  s->checkpoint         = ckpt;
  s->resume             = resume;
  s->loss_csv           = csv;
  s->checkpoint_weights = ckptW;
  PetscCheck(!s->output.empty(), comm, PETSC_ERR_ARG_WRONG, "petal-train-dcdm: -o needs a file name");

  // Files: fail now, not after an hour of training.
  PetscCall(PetalCheckWritable(comm, s->output.c_str()));
  if (!s->checkpoint.empty()) PetscCall(PetalCheckWritable(comm, s->checkpoint.c_str()));
  if (!s->loss_csv.empty()) PetscCall(PetalCheckWritable(comm, s->loss_csv.c_str()));
  if (!s->resume.empty()) PetscCall(PetalCheckReadable(comm, s->resume.c_str()));
  PetscFunctionReturn(0);
}

} // namespace dcdm_train
} // namespace petal
