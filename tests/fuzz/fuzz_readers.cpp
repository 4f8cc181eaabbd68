// Fuzz harness for every file petal reads: mutates the seed files of each reader (mutate.hpp) and loads every
// mutant through petal's public loader on all ranks. Every input must give a successful load or a clean PETSc
// error, identically on every rank: a crash or a sanitizer report ends this program, a hang trips the per-input
// alarm, and ranks that disagree (one loads, another errors: the seed of a split collective) fail the run.
//
//   fuzz_readers -fuzz_corpus DIR -fuzz_work DIR [-fuzz_targets voxel,plex,gmsh] [-fuzz_seed 1] [-fuzz_inputs 200]
//                [-fuzz_seconds 0] [-fuzz_replay DIR]
//
// -fuzz_inputs N per target makes the run deterministic (ctest); -fuzz_seconds T instead runs each target for T
// seconds (scripts/fuzz.sh). The input being loaded is kept at WORK/current.<ext> with its description in
// WORK/current.txt, so that an input that crashes the program survives it (scripts/fuzz.sh files it under
// tests/fuzz/regressions/). -fuzz_replay DIR loads every file of DIR/<target>/ unchanged instead.
#include "fuzz_targets.hpp"
#include "mutate.hpp"
#include "core/file_verdict.hpp"
#include <petal/petal.h>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <unistd.h>
#if defined(__SANITIZE_ADDRESS__)
  #include <sanitizer/lsan_interface.h>
#endif

namespace fs = std::filesystem;
using namespace petal::fuzz;

namespace {

struct Settings {
  char                     corpus[PETSC_MAX_PATH_LEN] = "", work[PETSC_MAX_PATH_LEN] = "", replay[PETSC_MAX_PATH_LEN] = "";
  std::vector<std::string> targets;
  PetscInt                 seed = 1, inputs = 200, timeout = 20;
  PetscReal                seconds = 0;
};

struct Tally {
  long                  accepted = 0, rejected = 0;
  std::set<std::string> messages; // distinct first lines of the errors
};

PetscErrorCode ReadSettings(Settings *s)
{
  char      list[1024] = "";
  PetscBool set;
  PetscFunctionBegin;
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "petal fuzz harness", NULL);
  PetscCall(PetscOptionsString("-fuzz_corpus", "Folder of seed files (tests/fuzz/corpus)", "", s->corpus, s->corpus, sizeof s->corpus, NULL));
  PetscCall(PetscOptionsString("-fuzz_work", "Folder for the mutated inputs", "", s->work, s->work, sizeof s->work, NULL));
  PetscCall(PetscOptionsString("-fuzz_replay", "Load every file of DIR/<target>/ instead of fuzzing", "", s->replay, s->replay, sizeof s->replay, NULL));
  PetscCall(PetscOptionsString("-fuzz_targets", "Comma-separated readers (default: all)", "", list, list, sizeof list, &set));
  PetscCall(PetscOptionsInt("-fuzz_seed", "Seed of the mutations", "", s->seed, &s->seed, NULL));
  PetscCall(PetscOptionsInt("-fuzz_inputs", "Mutated inputs per target", "", s->inputs, &s->inputs, NULL));
  PetscCall(PetscOptionsReal("-fuzz_seconds", "Run each target this long instead (0: use -fuzz_inputs)", "", s->seconds, &s->seconds, NULL));
  PetscCall(PetscOptionsInt("-fuzz_timeout", "Seconds one load may take before it counts as a hang", "", s->timeout, &s->timeout, NULL));
  PetscOptionsEnd();
  for (const Target &t : Targets())
    if (!set || ("," + std::string(list) + ",").find("," + t.name + ",") != std::string::npos) s->targets.push_back(t.name);
  PetscCheck(s->work[0], PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "Give -fuzz_work DIR");
  PetscCheck(s->corpus[0] || s->replay[0], PETSC_COMM_WORLD, PETSC_ERR_ARG_WRONG, "Give -fuzz_corpus DIR or -fuzz_replay DIR");
  PetscFunctionReturn(0);
}

void OnAlarm(int)
{
  const char msg[] = "fuzz_readers: a load took longer than -fuzz_timeout (a hang); the input is kept as WORK/current.*\n";
  (void)!write(2, msg, sizeof(msg) - 1);
  _exit(3);
}

// Loads file through the target's reader with PETSc's error output captured; returns the error (or "").
std::string Load(const Target &t, const std::string &file, PetscInt timeout)
{
  std::string message;
  {
    // A rejected input returns from the middle of a PETSc loader, which leaves its objects behind by PETSc's
    // convention (an error ends the program); those are not leaks of a successful load, which the unit tests
    // check under LeakSanitizer. Allocations made during the load are not leak-checked here.
#if defined(__SANITIZE_ADDRESS__)
    __lsan::ScopedDisabler no_leak_check;
#endif
    petal::ErrorCapture capture;
    alarm((unsigned)timeout);
    const PetscErrorCode ierr = t.load(PETSC_COMM_WORLD, file.c_str());
    alarm(0);
    if (ierr) message = capture.Message().empty() ? "error " + std::to_string((int)ierr) : capture.Message();
  }
  return message;
}

// Every rank must have reached the same verdict; the message of rank 0 is recorded.
PetscErrorCode Agree(const Target &t, const std::string &message, const std::string &what, Tally *tally)
{
  int mine = message.empty() ? 0 : 1, lo, hi;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Allreduce(&mine, &lo, 1, MPI_INT, MPI_MIN, PETSC_COMM_WORLD));
  PetscCallMPI(MPI_Allreduce(&mine, &hi, 1, MPI_INT, MPI_MAX, PETSC_COMM_WORLD));
  PetscCheck(lo == hi, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "fuzz target %s: the ranks disagree on %s (some load it, some reject it); the input is kept in the work folder", t.name.c_str(), what.c_str());
  if (mine) {
    tally->rejected++;
    tally->messages.insert(message.substr(0, message.find('\n')).substr(0, 100));
  } else tally->accepted++;
  PetscFunctionReturn(0);
}

// One mutated input: rank 0 copies a seed and mutates it; everyone loads it.
PetscErrorCode FuzzOne(const Settings &s, const Target &t, size_t ti, long i, Tally *tally)
{
  PetscMPIInt rank;
  const std::string input = std::string(s.work) + "/current" + t.extension;
  std::string what;
  PetscFunctionBegin;
  PetscCallMPI(MPI_Comm_rank(PETSC_COMM_WORLD, &rank));
  Random rng(((std::uint64_t)s.seed << 32) ^ ((std::uint64_t)ti << 24) ^ (std::uint64_t)i);
  const std::string &seed = t.seeds[rng.Below(t.seeds.size())];
  if (rank == 0) {
    fs::copy_file(std::string(s.corpus) + "/" + seed, input, fs::copy_options::overwrite_existing);
    what = seed + ": " + (t.hdf5 ? MutateHDF5(input, rng) : MutateText(input, rng));
    std::ofstream(std::string(s.work) + "/current.txt") << t.name << " input " << i << " (seed " << s.seed << ") from " << what << "\n";
  }
  PetscCallMPI(MPI_Barrier(PETSC_COMM_WORLD));
  PetscCall(Agree(t, Load(t, input, s.timeout), "input " + std::to_string(i) + " (" + what + ")", tally));
  PetscFunctionReturn(0);
}

PetscErrorCode Report(const Target &t, const Tally &tally, double seconds)
{
  PetscFunctionBegin;
  PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%-6s %6ld inputs in %6.1f s: %6ld loaded, %6ld rejected with %3zu distinct messages\n", t.name.c_str(), tally.accepted + tally.rejected, seconds, tally.accepted, tally.rejected, tally.messages.size()));
  PetscFunctionReturn(0);
}

PetscErrorCode Fuzz(const Settings &s)
{
  PetscFunctionBegin;
  const auto &targets = Targets();
  for (size_t ti = 0; ti < targets.size(); ++ti) {
    const Target &t = targets[ti];
    if (std::find(s.targets.begin(), s.targets.end(), t.name) == s.targets.end()) continue;
    Tally          tally;
    PetscLogDouble start, now = 0;
    PetscCall(PetscTime(&start));
    for (long i = 0;; ++i) {
      PetscCall(PetscTime(&now));
      int done = s.seconds > 0 ? (now - start >= s.seconds) : (i >= s.inputs);
      PetscCallMPI(MPI_Bcast(&done, 1, MPI_INT, 0, PETSC_COMM_WORLD)); // rank 0's clock decides for everyone
      if (done) break;
      PetscCall(FuzzOne(s, t, ti, i, &tally));
    }
    PetscCall(Report(t, tally, now - start));
    // A run in which nothing loads (or nothing is rejected) mutates too much (or too little) to test anything.
    PetscCheck(tally.rejected > 0 && tally.accepted > 0, PETSC_COMM_WORLD, PETSC_ERR_PLIB, "fuzz target %s: %ld loaded, %ld rejected; the mutations do not exercise both paths", t.name.c_str(), tally.accepted, tally.rejected);
  }
  PetscFunctionReturn(0);
}

// Regression inputs (crashes found earlier): each must load or be rejected, identically on every rank.
PetscErrorCode Replay(const Settings &s)
{
  PetscFunctionBegin;
  for (const Target &t : Targets()) {
    const fs::path dir = fs::path(s.replay) / t.name;
    if (std::find(s.targets.begin(), s.targets.end(), t.name) == s.targets.end() || !fs::is_directory(dir)) continue;
    std::vector<std::string> files;
    for (const auto &e : fs::directory_iterator(dir)) files.push_back(e.path().string());
    std::sort(files.begin(), files.end()); // the same order on every rank
    Tally tally;
    for (const std::string &f : files) PetscCall(Agree(t, Load(t, f, s.timeout), f, &tally));
    PetscCall(Report(t, tally, 0));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode Run()
{
  Settings s;
  PetscFunctionBegin;
  PetscCall(ReadSettings(&s));
  std::signal(SIGALRM, OnAlarm);
  fs::create_directories(s.work);
  if (s.replay[0]) PetscCall(Replay(s));
  else PetscCall(Fuzz(s));
  PetscFunctionReturn(0);
}

} // namespace

int main(int argc, char **argv)
{
  PetscCall(PetscInitialize(&argc, &argv, NULL, "petal fuzz harness for every file petal reads\n"));
  PetscCall(PetalInitializePackage());
  PetscCall(Run());
  PetscCall(PetscFinalize());
  return 0;
}
