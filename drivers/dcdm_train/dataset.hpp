#pragma once
/* The training data of DCDM (ayano721/2023_DCDM src/datasetcreate.py), for the matrix of laplacian.hpp:
 * Lanczos (m steps) gives Ritz pairs (theta_i, v_i), ascending; the null space (theta_i < 1e-8 theta_max) is
 * skipped (and, for the Neumann box, the constant projected out); a right-hand side is b = sum_i c_i v_i with c_i ~ 9 N(0, 1) for i < m/2 + theta (the low end of the
 * spectrum, where A^-1 is large) and c_i ~ N(0, 1) for the rest, normalised to ||b||_2 = 1.
 * The reference used m = 10,000, theta = 500 and 20,000 samples at 64^3; the defaults here are smaller
 * (kai-lan/MLPCG trains from 1,600 Ritz vectors). Validation samples are drawn after the training ones from the
 * same distribution, so they are held out (the reference's split reused them for training). */
#include "laplacian.hpp"
#include "lanczos.hpp"
#include <cstdint>

namespace petal
{
namespace dcdm_train
{

struct DataSettings {
  int      n             = 32;
  Boundary boundary      = Boundary::Neumann;
  int      lanczos_steps = 1600;
  int      ritz_theta    = 80; // the reference's ratio theta/m = 500/10000
  int      samples       = 1000;
  int      validation    = 100;
  uint64_t seed          = 1;
};

/* The coefficient rule of the reference: how many Ritz pairs (from the lowest) get the factor 9. */
inline int BoostedCount(int steps, int theta) { return steps / 2 + theta; }

struct Dataset {
  torch::Tensor train, validation; // float32, (samples, 1, n, n, n), unit 2-norm each
  RitzPairs     ritz;
  int           null_skipped = 0; // Ritz pairs skipped as null space
  double        lanczos_seconds = 0, sample_seconds = 0;
};

/* count right-hand sides (count, n_voxels) double, columns of ritz combined as above; remove_constant (the
 * Neumann box) projects out the constant null space before the normalisation. */
torch::Tensor RitzRightHandSides(const RitzPairs &ritz, int count, int theta, bool remove_constant, at::Generator &gen, int *null_skipped = nullptr);
Dataset       MakeDataset(const DataSettings &s);

} // namespace dcdm_train
} // namespace petal
