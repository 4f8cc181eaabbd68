#pragma once
/* DCDM weights in HDF5 ("petal-dcdm-weights", version 1): read by PCDCDM and PetalCNNCreate, written by the
 * trainer petal-train-dcdm. The layout (documented in preconditioners/dcdm/README.md):
 *
 *   /  attributes  petal_format = "petal-dcdm-weights", petal_format_version = 1
 *   /dcdm attributes
 *        arch (string: from64|from128|custom), channels, fine_pairs, coarse_pairs, up_pairs, kernel = 3 (ints),
 *        input_norm = "l2", trained_N (int: training grid n per direction), train_matrix (string, e.g.
 *        "neumann-box"), lanczos_steps, ritz_theta, samples, epochs (ints), final_loss (double),
 *        command (string: how the weights were made)
 *   /dcdm/convNN/kernel  float32 [k][k][k][cin][cout]  (Keras order; NN = 00 .. construction order)
 *   /dcdm/convNN/bias    float32 [cout]
 *
 * Loading is collective: rank 0 reads and checks (architecture attributes vs the datasets present, shapes,
 * dtype float32 or float64, finite values), broadcasts the verdict and the weights; every rank raises the same
 * error naming the file and the problem. Saving is atomic (FILE.tmp, renamed when complete). */
#include <petal/cnn.hpp>
#include <petscsys.h>
#include <string>

namespace petal
{
struct DCDMTrainingInfo {
  long long   trained_N     = 0;
  std::string train_matrix  = "";
  long long   lanczos_steps = 0;
  long long   ritz_theta    = 0;
  long long   samples       = 0;
  long long   epochs        = 0;
  double      final_loss    = 0;
  std::string command       = "";
};
} // namespace petal

PetscErrorCode PetalDCDMWeightsLoad(MPI_Comm comm, const char filename[], petal::cnn::Weights *w, petal::DCDMTrainingInfo *info);
/* Called on every rank of comm with the same weights; rank 0 writes. */
PetscErrorCode PetalDCDMWeightsSave(MPI_Comm comm, const char filename[], const petal::cnn::Weights &w, const petal::DCDMTrainingInfo &info);
