// petal-train-dcdm's training (drivers/dcdm_train/trainer): a 2-epoch run on 8^3 lowers the loss and writes a
// weights file that PetalDCDMWeightsLoad reads back (same weights, the training info); a run resumed from its
// checkpoint continues the epoch count and reproduces the uninterrupted run; bad options and a mismatched
// checkpoint give clear errors and leave no output file.
#include "dcdm_train_test_util.hpp"
#include <petal/dcdm_weights.hpp>
#include <cmath>
#include <cstdio>
#include <fstream>

using namespace petal;
using namespace petal::dcdm_train;
using namespace dcdm_train_test;

namespace
{
void Remove(const std::string &stem)
{
  for (const char *ext : {".h5", ".ckpt", ".csv", ".h5.tmp", ".ckpt.tmp"}) std::remove((stem + ext).c_str());
}
} // namespace

TEST(DCDMTraining, TwoEpochsLowerTheLossAndWriteLoadableWeights)
{
  const std::string stem = "dcdm_train_two_epochs";
  Remove(stem);
  TrainSettings s = TinySettings(stem);
  s.loss_csv      = stem + ".csv";
  TrainResult r;
  PETAL_ASSERT_OK(Train(PETSC_COMM_WORLD, s, &r));
  ASSERT_EQ(r.history.size(), 3u); // epoch 0 (untrained), 1, 2
  EXPECT_EQ(r.history[2].epoch, 2);
  EXPECT_TRUE(std::isnan(r.history[0].train_loss));
  EXPECT_LT(r.history[2].val_loss, r.history[0].val_loss);
  EXPECT_LT(r.history[2].train_loss, r.history[1].train_loss);
  for (const auto &h : r.history) EXPECT_GT(h.val_loss, 0.0);

  cnn::Weights     w;
  DCDMTrainingInfo info;
  PETAL_ASSERT_OK(PetalDCDMWeightsLoad(PETSC_COMM_WORLD, s.output.c_str(), &w, &info));
  EXPECT_EQ(w.spec.arch, "custom");
  EXPECT_EQ(w.spec.channels, 4);
  ASSERT_EQ(w.convs.size(), r.weights.convs.size());
  for (size_t i = 0; i < w.convs.size(); ++i) {
    EXPECT_EQ(w.convs[i].kernel, r.weights.convs[i].kernel) << cnn::ConvName((int)i);
    EXPECT_EQ(w.convs[i].bias, r.weights.convs[i].bias) << cnn::ConvName((int)i);
  }
  // The weights moved away from the seeded initialisation.
  const cnn::Weights init = cnn::RandomWeights(s.spec, s.data.seed);
  EXPECT_NE(w.convs[1].kernel, init.convs[1].kernel);
  EXPECT_EQ(info.trained_N, 8);
  EXPECT_EQ(info.train_matrix, "neumann-box");
  EXPECT_EQ(info.lanczos_steps, 60);
  EXPECT_EQ(info.ritz_theta, 3);
  EXPECT_EQ(info.samples, 40);
  EXPECT_EQ(info.epochs, 2);
  EXPECT_DOUBLE_EQ(info.final_loss, r.history[2].val_loss);
  EXPECT_EQ(info.command, s.command);

  // The loss CSV: header and one row per epoch.
  std::ifstream csv(s.loss_csv);
  std::string   line;
  std::getline(csv, line);
  EXPECT_EQ(line, "epoch,train_loss,val_loss,seconds");
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 3);
  EXPECT_FALSE(Exists(s.output + ".tmp"));
  Remove(stem);
}

TEST(DCDMTraining, ResumeContinuesTheUninterruptedRun)
{
  const std::string whole = "dcdm_train_whole", part = "dcdm_train_part";
  Remove(whole);
  Remove(part);
  TrainSettings a = TinySettings(whole);
  a.epochs        = 3;
  a.checkpoint    = whole + ".ckpt";
  TrainResult ra;
  PETAL_ASSERT_OK(Train(PETSC_COMM_WORLD, a, &ra));

  TrainSettings b = TinySettings(part);
  b.epochs        = 2;
  b.checkpoint    = part + ".ckpt";
  TrainResult rb;
  PETAL_ASSERT_OK(Train(PETSC_COMM_WORLD, b, &rb));
  b.epochs  = 3;
  b.resume  = b.checkpoint;
  b.command = "resumed";
  TrainResult rc;
  PETAL_ASSERT_OK(Train(PETSC_COMM_WORLD, b, &rc));

  ASSERT_EQ(rc.history.size(), 4u); // epochs 0..3: the checkpoint's history continued, not restarted
  EXPECT_EQ(rc.history.back().epoch, 3);
  for (int e = 0; e <= 3; ++e) {
    if (e > 0) EXPECT_DOUBLE_EQ(rc.history[e].train_loss, ra.history[e].train_loss) << "epoch " << e;
    EXPECT_DOUBLE_EQ(rc.history[e].val_loss, ra.history[e].val_loss) << "epoch " << e;
  }
  for (size_t i = 0; i < ra.weights.convs.size(); ++i) EXPECT_EQ(rc.weights.convs[i].kernel, ra.weights.convs[i].kernel) << cnn::ConvName((int)i);
  EXPECT_NE(rc.command.find("resumed at epoch 2: resumed"), std::string::npos) << rc.command;

  cnn::Weights     w;
  DCDMTrainingInfo info;
  PETAL_ASSERT_OK(PetalDCDMWeightsLoad(PETSC_COMM_WORLD, b.output.c_str(), &w, &info));
  EXPECT_EQ(info.epochs, 3);

  // A checkpoint made with other settings is refused, and nothing is written.
  std::remove(b.output.c_str());
  TrainSettings other = b;
  other.data.samples  = 50;
  {
    TrainResult           rd;
    PetalTestErrorCapture cap;
    EXPECT_NE(Train(PETSC_COMM_WORLD, other, &rd), 0);
    EXPECT_NE(cap.Message().find("samples=40"), std::string::npos) << cap.Message();
    EXPECT_NE(cap.Message().find("samples=50"), std::string::npos) << cap.Message();
  }
  EXPECT_FALSE(Exists(b.output));
  Remove(whole);
  Remove(part);
}

namespace
{
// ReadSettings with these options must fail with a message containing `expect`.
void ExpectSettingsError(std::vector<std::pair<std::string, std::string>> opts, const std::string &expect)
{
  ScopedOptions         o(std::move(opts));
  TrainSettings         s;
  PetalTestErrorCapture cap;
  EXPECT_NE(ReadSettings(PETSC_COMM_WORLD, &s), 0) << "accepted; expected: " << expect;
  EXPECT_NE(cap.Message().find(expect), std::string::npos) << cap.Message();
}
} // namespace

TEST(DCDMTraining, Settings)
{
  {
    ScopedOptions o({{"-n", "16"}, {"-arch", "custom"}, {"-channels", "8"}, {"-lanczos_steps", "200"}, {"-train_matrix", "dirichlet"}, {"-o", "dcdm_train_settings.h5"}});
    TrainSettings s;
    PETAL_ASSERT_OK(ReadSettings(PETSC_COMM_WORLD, &s));
    EXPECT_EQ(s.data.n, 16);
    EXPECT_EQ(s.spec.channels, 8);
    EXPECT_EQ(s.spec.fine_pairs, 2);
    EXPECT_EQ(s.data.ritz_theta, 10); // m/20
    EXPECT_EQ(s.data.boundary, Boundary::Dirichlet);
    EXPECT_FALSE(Exists("dcdm_train_settings.h5")); // checked for writing, not written
  }
  ExpectSettingsError({{"-n", "7"}}, "must be even");
  ExpectSettingsError({{"-n", "2"}}, "at least 4");
  ExpectSettingsError({{"-arch", "from32"}}, "-arch from32 is not a network");
  ExpectSettingsError({{"-channels", "8"}}, "need -arch custom");
  ExpectSettingsError({{"-arch", "custom"}, {"-channels", "0"}}, "bad network");
  ExpectSettingsError({{"-n", "8"}, {"-lanczos_steps", "512"}}, "-lanczos_steps 512 must be in [2, 512)");
  ExpectSettingsError({{"-train_matrix", "periodic"}}, "-train_matrix periodic is not known");
  ExpectSettingsError({{"-batch", "0"}}, "-batch must be >= 1");
  ExpectSettingsError({{"-lr", "-1"}}, "-lr must be in (0, 1)");
  ExpectSettingsError({{"-o", "no_such_folder/w.h5"}}, "no_such_folder/w.h5");
  ExpectSettingsError({{"-checkpoint", "no_such_folder/c.ckpt"}}, "no_such_folder/c.ckpt");
  ExpectSettingsError({{"-resume", "no_such_checkpoint.ckpt"}}, "no_such_checkpoint.ckpt");
}
