static const char help[] = "petal-dcdm-bench-forward: one forward pass of the DCDM network, libtorch (CPU, float32, no\n"
                           "gradients) against petal's Kokkos forward (PetalCNN on a DMDA, float32 and float64), on the same\n"
                           "weights and the same unit-norm input, at several grid sizes. Prints a table (best of -repeat runs,\n"
                           "seconds, GFLOP/s, the largest difference between the outputs) and, with -json FILE, writes it.\n\n";

#include "torch_net.hpp"
#include <petal/dcdm.h>
#include <petal/dcdm_weights.hpp>
#include <petal/driver.h>
#include <petal/io.h>
#include <petal/json.hpp>
#include <petal/petal.h>
#include <petscdmda.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <unistd.h>
#include <vector>

namespace
{
using namespace petal;
using Clock = std::chrono::steady_clock;

struct Row {
  int    n;
  double torch_s, petal32_s, petal64_s, gflop, diff32, diff64;
};

double Seconds(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

PetscErrorCode BenchSize(MPI_Comm comm, int n, int repeat, const cnn::Weights &w, const char *weightsFile, Row *row)
{
  DM                 da;
  Vec                in, out;
  PetscRandom        rnd;
  PetscReal          nrm;
  dcdm_train::Net    net(w.spec);
  PetscFunctionBegin;
  net->SetWeights(w);
  PetscCall(DMDACreate3d(comm, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DM_BOUNDARY_NONE, DMDA_STENCIL_BOX, n, n, n, PETSC_DECIDE, PETSC_DECIDE, PETSC_DECIDE, 1, 1, NULL, NULL, NULL, &da));
  PetscCall(DMSetUp(da));
  PetscCall(DMCreateGlobalVector(da, &in));
  PetscCall(VecDuplicate(in, &out));
  PetscCall(PetscRandomCreate(comm, &rnd));
  PetscCall(PetscRandomSetSeed(rnd, 12345));
  PetscCall(PetscRandomSeed(rnd));
  PetscCall(VecSetRandom(in, rnd));
  PetscCall(VecShift(in, -0.5));
  PetscCall(VecNorm(in, NORM_2, &nrm));
  PetscCall(VecScale(in, 1.0 / nrm)); // unit norm, as the PC feeds the network
  row->n = n;

  // libtorch: the (z, y, x) tensor is the Vec's array (x fastest).
  const PetscScalar *a;
  PetscCall(VecGetArrayRead(in, &a));
  auto x = torch::from_blob(const_cast<PetscScalar *>(a), {1, 1, n, n, n}, torch::kFloat64).to(torch::kFloat32);
  PetscCall(VecRestoreArrayRead(in, &a));
  torch::Tensor ref;
  row->torch_s = 1e300;
  {
    torch::NoGradGuard no_grad;
    for (int r = 0; r <= repeat; ++r) { // r = 0 warms up (allocations, oneDNN primitive creation)
      auto t0 = Clock::now();
      ref     = net->forward(x);
      if (r > 0) row->torch_s = std::min(row->torch_s, Seconds(t0));
    }
  }
  ref = ref.to(torch::kFloat64).contiguous();

  for (PetalCNNPrecision prec : {PETAL_CNN_FLOAT32, PETAL_CNN_FLOAT64}) {
    PetalCNN       cnn;
    PetscLogDouble flops;
    double         best = 1e300;
    PetscCall(PetalCNNCreate(da, weightsFile, prec, &cnn));
    PetscCall(PetalCNNGetFlops(cnn, &flops));
    for (int r = 0; r <= repeat; ++r) {
      auto t0 = Clock::now();
      PetscCall(PetalCNNApply(cnn, in, out));
      if (r > 0) best = std::min(best, Seconds(t0));
    }
    PetscCall(PetalCNNDestroy(&cnn));
    PetscCall(VecGetArrayRead(out, &a));
    double diff = 0, scale = 0;
    const double *t = ref.data_ptr<double>();
    for (PetscInt i = 0; i < (PetscInt)n * n * n; ++i) {
      diff  = std::max(diff, std::abs((double)a[i] - t[i]));
      scale = std::max(scale, std::abs(t[i]));
    }
    PetscCall(VecRestoreArrayRead(out, &a));
    row->gflop = flops / 1e9;
    if (prec == PETAL_CNN_FLOAT32) {
      row->petal32_s = best;
      row->diff32    = diff / scale;
    } else {
      row->petal64_s = best;
      row->diff64    = diff / scale;
    }
  }
  PetscCall(PetscRandomDestroy(&rnd));
  PetscCall(VecDestroy(&in));
  PetscCall(VecDestroy(&out));
  PetscCall(DMDestroy(&da));
  PetscFunctionReturn(0);
}

PetscErrorCode Run(MPI_Comm comm)
{
  char        arch[64] = "from64", weights[PETSC_MAX_PATH_LEN] = "", json[PETSC_MAX_PATH_LEN] = "", tmpw[PETSC_MAX_PATH_LEN];
  PetscInt    sizes[16] = {32, 64, 128}, nsizes = 16, repeat = 3, threads = 0;
  PetscBool   setSizes;
  PetscMPIInt size;
  cnn::Weights w;
  std::vector<Row> rows;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_size(comm, &size));
  PetscCheck(size == 1, comm, PETSC_ERR_SUP, "petal-dcdm-bench-forward compares one process's forward passes; run it on one rank");
  PetscOptionsBegin(comm, NULL, "petal-dcdm-bench-forward", NULL);
  PetscCall(PetscOptionsString("-weights", "Weights file (default: random weights of -arch)", NULL, weights, weights, sizeof weights, NULL));
  PetscCall(PetscOptionsString("-arch", "Network when no -weights: from64 or from128", NULL, arch, arch, sizeof arch, NULL));
  PetscCall(PetscOptionsIntArray("-sizes", "Grid sizes n (n^3 cells, even)", NULL, sizes, &nsizes, &setSizes));
  PetscCall(PetscOptionsInt("-repeat", "Timed runs per size (the best is reported)", NULL, repeat, &repeat, NULL));
  PetscCall(PetscOptionsInt("-threads", "libtorch threads (0: libtorch's default)", NULL, threads, &threads, NULL));
  PetscCall(PetscOptionsString("-json", "Write the table as JSON", NULL, json, json, sizeof json, NULL));
  PetscOptionsEnd();
  PetscBool help;
  PetscCall(PetscOptionsHasHelp(NULL, &help));
  if (help) PetscFunctionReturn(0);
  if (!setSizes) nsizes = 3;
  PetscCheck(repeat >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "-repeat must be >= 1");
  for (PetscInt i = 0; i < nsizes; ++i) PetscCheck(sizes[i] >= 2 && sizes[i] % 2 == 0, comm, PETSC_ERR_ARG_OUTOFRANGE, "-sizes: %" PetscInt_FMT " is not an even size >= 2", sizes[i]);
  if (json[0]) PetscCall(PetalCheckWritable(comm, json));
  if (threads > 0) at::set_num_threads((int)threads);

  if (weights[0]) {
    petal::DCDMTrainingInfo info;
    PetscCall(PetalDCDMWeightsLoad(comm, weights, &w, &info));
  }
  else {
    cnn::NetSpec spec;
    PetscCheck(cnn::SpecByName(arch, &spec), comm, PETSC_ERR_ARG_WRONG, "-arch %s is not from64 or from128", arch);
    w = cnn::RandomWeights(spec, 1);
    for (auto &c : w.convs)
      for (size_t i = 0; i < c.bias.size(); ++i) c.bias[i] = 0.01f * (float)((i % 7) - 3); // nonzero biases
    // PetalCNN reads a file: write the random weights to a temporary one, removed at the end.
    PetscCall(PetscSNPrintf(tmpw, sizeof tmpw, "petal-dcdm-bench-forward-%d.h5", (int)getpid()));
    petal::DCDMTrainingInfo info;
    info.command = "petal-dcdm-bench-forward (random weights)";
    PetscCall(PetalDCDMWeightsSave(comm, tmpw, w, info));
  }
  for (PetscInt i = 0; i < nsizes; ++i) {
    Row r;
    PetscCall(BenchSize(comm, (int)sizes[i], (int)repeat, w, weights[0] ? weights : tmpw, &r));
    rows.push_back(r);
  }
  if (!weights[0]) std::remove(tmpw);

  PetscCall(PetscPrintf(comm, "DCDM forward, %s (%lld parameters), libtorch %d threads, best of %d\n", w.spec.arch.c_str(), cnn::ParameterCount(w.spec), at::get_num_threads(), (int)repeat));
  PetscCall(PetscPrintf(comm, "%6s %8s | %10s %8s | %10s %8s %9s | %10s %8s %9s\n", "n", "GFLOP", "torch32 s", "GFLOP/s", "petal32 s", "GFLOP/s", "rel.diff", "petal64 s", "GFLOP/s", "rel.diff"));
  for (const Row &r : rows)
    PetscCall(PetscPrintf(comm, "%6d %8.2f | %10.4f %8.2f | %10.4f %8.2f %9.1e | %10.4f %8.2f %9.1e\n", r.n, r.gflop, r.torch_s, r.gflop / r.torch_s, r.petal32_s, r.gflop / r.petal32_s, r.diff32, r.petal64_s, r.gflop / r.petal64_s, r.diff64));
  if (json[0]) {
    JsonWriter j;
    j.BeginObject().Value("arch", w.spec.arch).Value("parameters", cnn::ParameterCount(w.spec)).Value("torch_threads", at::get_num_threads()).Value("repeat", (int)repeat);
    j.Value("kokkos_space", PetalKokkosExecutionSpaceName());
    j.BeginArray("sizes");
    for (const Row &r : rows)
      j.BeginObject().Value("n", r.n).Value("gflop", r.gflop).Value("torch_float32_s", r.torch_s).Value("petal_float32_s", r.petal32_s).Value("petal_float64_s", r.petal64_s).Value("petal_float32_rel_diff", r.diff32).Value("petal_float64_rel_diff", r.diff64).EndObject();
    j.EndArray().EndObject();
    PetscCall(j.Save(comm, json));
  }
  PetscFunctionReturn(0);
}
} // namespace

int main(int argc, char **argv)
{
  PetscCall(PetalDriverInitialize(&argc, &argv, help));
  return PetalDriverFinalize(Run(PETSC_COMM_WORLD));
}
