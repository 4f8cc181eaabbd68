// The DCDM weights file (include/petal/dcdm_weights.hpp) on 1 and 2 ranks:
//  - save then load gives the same weights and training record on every rank (float32 files, and float64
//    datasets read back rounded to float32);
//  - every malformed file (missing, not HDF5, another format, an architecture attribute that does not match the
//    datasets, a missing or an extra conv, a wrong shape, integer or float16 data, a NaN, a truncated file) is
//    refused with the same message on every rank, naming the file and the problem;
//  - a save into a missing folder fails cleanly and leaves no file behind.
#include "dcdm_test_util.hpp"
#include <petal/dcdm_weights.hpp>
#include <hdf5.h>
#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

namespace {
using namespace dcdm_test;
using petal::cnn::Weights;

// Random weights with nonzero biases (RandomWeights leaves them zero), the same on every rank.
Weights SampleWeights(const petal::cnn::NetSpec &spec, unsigned long long seed)
{
  Weights w = petal::cnn::RandomWeights(spec, seed);
  for (size_t i = 0; i < w.convs.size(); ++i)
    for (size_t c = 0; c < w.convs[i].bias.size(); ++c) w.convs[i].bias[c] = 0.01f * (float)((i * 7 + c * 3) % 11) - 0.05f;
  return w;
}

petal::DCDMTrainingInfo SampleInfo()
{
  petal::DCDMTrainingInfo info;
  info.trained_N     = 32;
  info.train_matrix  = "neumann-box";
  info.lanczos_steps = 400;
  info.ritz_theta    = 20;
  info.samples       = 5000000000ll; // beyond 32 bits
  info.epochs        = 7;
  info.final_loss    = 0.125;
  info.command       = "petal-train-dcdm -n 32";
  return info;
}

void ExpectSameWeights(const Weights &a, const Weights &b)
{
  EXPECT_EQ(a.spec.arch, b.spec.arch);
  EXPECT_EQ(a.spec.channels, b.spec.channels);
  EXPECT_EQ(a.spec.fine_pairs, b.spec.fine_pairs);
  EXPECT_EQ(a.spec.coarse_pairs, b.spec.coarse_pairs);
  EXPECT_EQ(a.spec.up_pairs, b.spec.up_pairs);
  ASSERT_EQ(a.convs.size(), b.convs.size());
  for (size_t i = 0; i < a.convs.size(); ++i) {
    EXPECT_EQ(a.convs[i].shape.cin, b.convs[i].shape.cin);
    EXPECT_EQ(a.convs[i].shape.cout, b.convs[i].shape.cout);
    EXPECT_EQ(a.convs[i].shape.ksize, b.convs[i].shape.ksize);
    EXPECT_EQ(a.convs[i].kernel, b.convs[i].kernel) << "conv " << i;
    EXPECT_EQ(a.convs[i].bias, b.convs[i].bias) << "conv " << i;
  }
}

// ---- rank 0 edits a saved file with the HDF5 C API ----
void OnRankZero(const std::string &file, const std::function<void(hid_t)> &edit)
{
  if (Rank() == 0) {
    hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    edit(f);
    H5Fclose(f);
  }
  MPI_Barrier(Comm());
}

void ReplaceDataset(hid_t f, const char *path, hid_t type, const std::vector<hsize_t> &dims, const void *data, hid_t memType)
{
  H5Ldelete(f, path, H5P_DEFAULT);
  hid_t sp = H5Screate_simple((int)dims.size(), dims.data(), nullptr);
  hid_t ds = H5Dcreate2(f, path, type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(ds, 0);
  if (data) EXPECT_GE(H5Dwrite(ds, memType, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
  H5Dclose(ds), H5Sclose(sp);
}

void SetStringAttr(hid_t f, const char *path, const char *name, const std::string &v)
{
  H5Adelete_by_name(f, path, name, H5P_DEFAULT);
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, v.size() + 1);
  hid_t s = H5Screate(H5S_SCALAR), a = H5Acreate_by_name(f, path, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(H5Awrite(a, t, v.c_str()), 0);
  H5Aclose(a), H5Sclose(s), H5Tclose(t);
}

void SetIntAttr(hid_t f, const char *path, const char *name, long long v)
{
  H5Adelete_by_name(f, path, name, H5P_DEFAULT);
  hid_t s = H5Screate(H5S_SCALAR), a = H5Acreate_by_name(f, path, name, H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  EXPECT_GE(H5Awrite(a, H5T_NATIVE_LLONG, &v), 0);
  H5Aclose(a), H5Sclose(s);
}

void SetPairs(hid_t f, const char *arch, int fine, int coarse, int up)
{
  SetStringAttr(f, "/dcdm", "arch", arch);
  SetIntAttr(f, "/dcdm", "fine_pairs", fine);
  SetIntAttr(f, "/dcdm", "coarse_pairs", coarse);
  SetIntAttr(f, "/dcdm", "up_pairs", up);
}

std::string LoadFailure(const std::string &file)
{
  Weights                 w;
  petal::DCDMTrainingInfo info;
  return FailureMessage([&] { return PetalDCDMWeightsLoad(Comm(), file.c_str(), &w, &info); }, file);
}

// Saves `saved` weights, lets rank 0 damage the file, and checks the message of the load.
void ExpectRefused(const char *what, const Weights &saved, const std::function<void(const std::string &)> &damage, const std::string &expect)
{
  SCOPED_TRACE(what);
  const std::string file = TestFile(std::string("bad_") + what);
  ASSERT_EQ(PetalDCDMWeightsSave(Comm(), file.c_str(), saved, SampleInfo()), 0);
  damage(file);
  const std::string msg = LoadFailure(file);
  DCDM_EXPECT_CONTAINS(msg, expect);
  DCDM_EXPECT_CONTAINS(msg, "\"" + file + "\"");
  MPI_Barrier(Comm());
  if (Rank() == 0) std::remove(file.c_str());
}

void EditWith(const std::function<void(hid_t)> &edit, const std::string &file) { OnRankZero(file, edit); }

TEST(DCDMWeights, SaveLoadRoundTrip)
{
  for (const petal::cnn::NetSpec &spec : {petal::cnn::From64(), petal::cnn::From128()}) {
    const Weights     w    = SampleWeights(spec, 11);
    const std::string file = TestFile("roundtrip_" + spec.arch);
    ASSERT_EQ(PetalDCDMWeightsSave(Comm(), file.c_str(), w, SampleInfo()), 0);
    Weights                 back;
    petal::DCDMTrainingInfo info;
    ASSERT_EQ(PetalDCDMWeightsLoad(Comm(), file.c_str(), &back, &info), 0);
    ExpectSameWeights(w, back);
    const petal::DCDMTrainingInfo want = SampleInfo();
    EXPECT_EQ(info.trained_N, want.trained_N);
    EXPECT_EQ(info.train_matrix, want.train_matrix);
    EXPECT_EQ(info.lanczos_steps, want.lanczos_steps);
    EXPECT_EQ(info.ritz_theta, want.ritz_theta);
    EXPECT_EQ(info.samples, want.samples);
    EXPECT_EQ(info.epochs, want.epochs);
    EXPECT_EQ(info.final_loss, want.final_loss);
    EXPECT_EQ(info.command, want.command);
    EXPECT_EQ(access((file + ".tmp").c_str(), F_OK), -1) << "the temporary file was left behind";
    MPI_Barrier(Comm());
    if (Rank() == 0) std::remove(file.c_str());
  }
}

// A custom architecture (not one of the published nets) round-trips too.
TEST(DCDMWeights, CustomArchitectureRoundTrip)
{
  petal::cnn::NetSpec spec;
  spec.arch         = "custom";
  spec.channels     = 4;
  spec.fine_pairs   = 1;
  spec.coarse_pairs = 0;
  spec.up_pairs     = 1;
  const Weights     w    = SampleWeights(spec, 5);
  const std::string file = TestFile("custom");
  ASSERT_EQ(PetalDCDMWeightsSave(Comm(), file.c_str(), w, petal::DCDMTrainingInfo()), 0);
  Weights                 back;
  petal::DCDMTrainingInfo info;
  ASSERT_EQ(PetalDCDMWeightsLoad(Comm(), file.c_str(), &back, &info), 0);
  ExpectSameWeights(w, back);
  MPI_Barrier(Comm());
  if (Rank() == 0) std::remove(file.c_str());
}

// float64 datasets are accepted (a trainer in double) and rounded to float32.
TEST(DCDMWeights, Float64DatasetsAreRead)
{
  Weights           w    = SampleWeights(petal::cnn::From64(), 3);
  const std::string file = TestFile("float64");
  ASSERT_EQ(PetalDCDMWeightsSave(Comm(), file.c_str(), w, SampleInfo()), 0);
  std::vector<double> k(w.convs[2].kernel.size());
  for (size_t i = 0; i < k.size(); ++i) k[i] = 0.001 * (double)(i % 97) + 1e-12; // not a float32 value
  OnRankZero(file, [&](hid_t f) { ReplaceDataset(f, "/dcdm/conv02/kernel", H5T_IEEE_F64LE, {3, 3, 3, 16, 16}, k.data(), H5T_NATIVE_DOUBLE); });
  Weights                 back;
  petal::DCDMTrainingInfo info;
  ASSERT_EQ(PetalDCDMWeightsLoad(Comm(), file.c_str(), &back, &info), 0);
  for (size_t i = 0; i < k.size(); ++i) w.convs[2].kernel[i] = (float)k[i];
  ExpectSameWeights(w, back);
  MPI_Barrier(Comm());
  if (Rank() == 0) std::remove(file.c_str());
}

TEST(DCDMWeights, MissingOrForeignFilesAreRefused)
{
  const std::string missing = TestFile("does_not_exist");
  std::string       msg     = LoadFailure(missing);
  DCDM_EXPECT_CONTAINS(msg, "cannot load DCDM weights from \"" + missing + "\": cannot open it: No such file or directory");

  const std::string text = TestFile("text");
  if (Rank() == 0) std::ofstream(text) << "not an HDF5 file\n";
  MPI_Barrier(Comm());
  msg = LoadFailure(text);
  DCDM_EXPECT_CONTAINS(msg, "cannot load DCDM weights from \"" + text + "\": it is not an HDF5 file");
  MPI_Barrier(Comm());
  if (Rank() == 0) std::remove(text.c_str());

  const Weights w = SampleWeights(petal::cnn::From64(), 1);
  ExpectRefused("format", w, [](const std::string &f) { EditWith([](hid_t h) { SetStringAttr(h, "/", "petal_format", "petal-banditsor-state"); }, f); }, "it is not a petal DCDM weights file");
  ExpectRefused("version", w, [](const std::string &f) { EditWith([](hid_t h) { SetIntAttr(h, "/", "petal_format_version", 2); }, f); }, "it has petal_format_version 2; this petal reads version 1");
  ExpectRefused("truncated", w, [](const std::string &f) {
      if (Rank() == 0) {
        std::ifstream in(f, std::ios::binary | std::ios::ate);
        EXPECT_EQ(truncate(f.c_str(), (long)in.tellg() / 2), 0);
      }
      MPI_Barrier(Comm()); }, "HDF5 cannot open it (damaged or truncated)");
}

TEST(DCDMWeights, ArchitectureMismatchesAreRefused)
{
  const Weights w64 = SampleWeights(petal::cnn::From64(), 2), w128 = SampleWeights(petal::cnn::From128(), 2);
  // The attribute says from128, the datasets are from64's.
  ExpectRefused("arch_bigger", w64, [](const std::string &f) { EditWith([](hid_t h) { SetPairs(h, "from128", 3, 5, 3); }, f); },
                "arch \"from128\" (channels 16, fine/coarse/up pairs 3/5/3) has 24 convolutions conv00..conv23, but /dcdm/conv16 is missing");
  // The attribute says from64, the datasets are from128's.
  ExpectRefused("arch_smaller", w128, [](const std::string &f) { EditWith([](hid_t h) { SetPairs(h, "from64", 2, 3, 2); }, f); },
                "has 16 convolutions conv00..conv15, but the file also holds /dcdm/conv16 (weights of another architecture?)");
  // A named arch whose pair counts disagree with it.
  ExpectRefused("arch_pairs", w64, [](const std::string &f) { EditWith([](hid_t h) { SetStringAttr(h, "/dcdm", "arch", "from128"); }, f); },
                "the architecture attributes of /dcdm are invalid: arch \"from128\" has channels 16, pairs 3/5/3");
  ExpectRefused("arch_name", w64, [](const std::string &f) { EditWith([](hid_t h) { SetStringAttr(h, "/dcdm", "arch", "from32"); }, f); }, "arch must be from64, from128 or custom, got \"from32\"");
  ExpectRefused("arch_missing", w64, [](const std::string &f) { EditWith([](hid_t h) { H5Adelete_by_name(h, "/dcdm", "channels", H5P_DEFAULT); }, f); }, "attribute channels of /dcdm is missing");
  ExpectRefused("channels", w64, [](const std::string &f) { EditWith([](hid_t h) { SetStringAttr(h, "/dcdm", "arch", "custom"); SetIntAttr(h, "/dcdm", "channels", 8); }, f); },
                "dataset /dcdm/conv00/kernel is 3x3x3x1x16, the architecture needs 3x3x3x1x8");
  ExpectRefused("kernel_attr", w64, [](const std::string &f) { EditWith([](hid_t h) { SetIntAttr(h, "/dcdm", "kernel", 5); }, f); }, "attribute kernel of /dcdm is 5");
  ExpectRefused("input_norm", w64, [](const std::string &f) { EditWith([](hid_t h) { SetStringAttr(h, "/dcdm", "input_norm", "max"); }, f); }, "only \"l2\"");
  ExpectRefused("no_group", w64, [](const std::string &f) { EditWith([](hid_t h) { H5Ldelete(h, "/dcdm", H5P_DEFAULT); }, f); }, "the group /dcdm is missing");
}

TEST(DCDMWeights, BadConvolutionsAreRefused)
{
  const Weights w = SampleWeights(petal::cnn::From64(), 4);
  ExpectRefused("missing_conv", w, [](const std::string &f) { EditWith([](hid_t h) { H5Ldelete(h, "/dcdm/conv05", H5P_DEFAULT); }, f); }, "but /dcdm/conv05 is missing");
  ExpectRefused("extra_conv", w, [](const std::string &f) { EditWith([](hid_t h) { H5Gclose(H5Gcreate2(h, "/dcdm/conv99", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)); }, f); }, "the file also holds /dcdm/conv99");
  ExpectRefused("missing_bias", w, [](const std::string &f) { EditWith([](hid_t h) { H5Ldelete(h, "/dcdm/conv07/bias", H5P_DEFAULT); }, f); }, "dataset /dcdm/conv07/bias is missing");
  std::vector<float> half(27 * 16 * 8, 0.5f);
  ExpectRefused("shape", w, [&](const std::string &f) { EditWith([&](hid_t h) { ReplaceDataset(h, "/dcdm/conv03/kernel", H5T_IEEE_F32LE, {3, 3, 3, 16, 8}, half.data(), H5T_NATIVE_FLOAT); }, f); },
                "dataset /dcdm/conv03/kernel is 3x3x3x16x8, the architecture needs 3x3x3x16x16");
  ExpectRefused("rank", w, [&](const std::string &f) { EditWith([&](hid_t h) { ReplaceDataset(h, "/dcdm/conv03/bias", H5T_IEEE_F32LE, {4, 4}, half.data(), H5T_NATIVE_FLOAT); }, f); },
                "dataset /dcdm/conv03/bias must be a 1-d array, it has 2 dimensions");
  std::vector<int> ints(16, 1);
  ExpectRefused("int_dtype", w, [&](const std::string &f) { EditWith([&](hid_t h) { ReplaceDataset(h, "/dcdm/conv04/bias", H5T_STD_I32LE, {16}, ints.data(), H5T_NATIVE_INT); }, f); },
                "dataset /dcdm/conv04/bias holds integers, not floating-point numbers");
  ExpectRefused("float16", w, [&](const std::string &f) {
      EditWith([&](hid_t h) {
        hid_t t = H5Tcopy(H5T_IEEE_F32LE); // IEEE half precision: 1 sign, 5 exponent, 10 mantissa bits
        H5Tset_fields(t, 15, 10, 5, 0, 10);
        H5Tset_precision(t, 16);
        H5Tset_size(t, 2);
        H5Tset_ebias(t, 15);
        std::vector<float> v(16, 0.25f);
        ReplaceDataset(h, "/dcdm/conv04/bias", t, {16}, v.data(), H5T_NATIVE_FLOAT);
        H5Tclose(t);
      }, f); }, "dataset /dcdm/conv04/bias holds 16-bit floating-point numbers; only float32 and float64 are accepted");
  std::vector<float> nan = w.convs[9].kernel;
  nan[100]               = std::numeric_limits<float>::quiet_NaN();
  ExpectRefused("nan", w, [&](const std::string &f) { EditWith([&](hid_t h) { ReplaceDataset(h, "/dcdm/conv09/kernel", H5T_IEEE_F32LE, {3, 3, 3, 16, 16}, nan.data(), H5T_NATIVE_FLOAT); }, f); },
                "conv09 kernel value 100 is not finite");
  std::vector<double> big(16, 1e300);
  ExpectRefused("beyond_float", w, [&](const std::string &f) { EditWith([&](hid_t h) { ReplaceDataset(h, "/dcdm/conv10/bias", H5T_IEEE_F64LE, {16}, big.data(), H5T_NATIVE_DOUBLE); }, f); },
                "dataset /dcdm/conv10/bias value 0");
  ExpectRefused("unwritten", w, [&](const std::string &f) { EditWith([&](hid_t h) { ReplaceDataset(h, "/dcdm/conv11/kernel", H5T_IEEE_F32LE, {3, 3, 3, 16, 16}, nullptr, H5T_NATIVE_FLOAT); }, f); },
                "dataset /dcdm/conv11/kernel declares 6912 entries but the file holds only 0");
}

TEST(DCDMWeights, BadSavesFailCleanly)
{
  const Weights     w    = SampleWeights(petal::cnn::From64(), 6);
  const std::string file = "no_such_folder_dcdm/w.h5";
  std::string       msg  = FailureMessage([&] { return PetalDCDMWeightsSave(Comm(), file.c_str(), w, SampleInfo()); }, "save into a missing folder");
  DCDM_EXPECT_CONTAINS(msg, "cannot save DCDM weights to \"" + file + "\"");
  EXPECT_EQ(access(file.c_str(), F_OK), -1);
  Weights bad                = w;
  bad.convs[3].bias[2]       = std::numeric_limits<float>::infinity();
  const std::string badfile  = TestFile("not_saved");
  msg                        = FailureMessage([&] { return PetalDCDMWeightsSave(Comm(), badfile.c_str(), bad, SampleInfo()); }, "save of non-finite weights");
  DCDM_EXPECT_CONTAINS(msg, "conv03 bias value 2 is not finite");
  EXPECT_EQ(access(badfile.c_str(), F_OK), -1);
  EXPECT_EQ(access((badfile + ".tmp").c_str(), F_OK), -1);
}
} // namespace
