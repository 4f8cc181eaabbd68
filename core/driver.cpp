// The life cycle of petal's executables (include/petal/driver.h): an error handler that never parks a rank,
// an exit that never hangs on a multi-rank error, and fault injection for the tests of both.
#include <petal/driver.h>
#include <petal/petal.h>
#include "core/pending_outputs.hpp"
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

// One frame of a collective error's traceback that this rank (> 0 in the error's communicator) kept instead of
// printing, because rank 0 prints the same error.
struct Frame {
  int            line;
  std::string    fun, file, mess;
  PetscErrorCode n;
  PetscErrorType p;
};
std::vector<Frame> kept;
bool               keeping = false; // the frames arriving now unwind a kept error

// Prints the kept traceback as this rank's own (PETSc's handler, as if the error had been on PETSC_COMM_SELF).
void PrintKept()
{
  for (const Frame &f : kept)
    (void)PetscTraceBackErrorHandler(PETSC_COMM_SELF, f.line, f.fun.empty() ? nullptr : f.fun.c_str(), f.file.empty() ? nullptr : f.file.c_str(), f.n, f.p, f.mess.empty() ? nullptr : f.mess.c_str(), nullptr);
  kept.clear();
  std::fflush(stderr);
}

} // namespace

PetscErrorCode PetalRankSafeErrorHandler(MPI_Comm comm, int line, const char *fun, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx)
{
  PetscMPIInt rank = 0;

  if (n == PETSC_ERR_SIG) petal::RemovePendingTempFiles(); // PETSc's signal handler aborts right after this
  if (comm != PETSC_COMM_SELF && comm != MPI_COMM_NULL) MPI_Comm_rank(comm, &rank);
  // PetscCall passes PETSC_COMM_SELF and PETSC_ERROR_REPEAT for every frame above the first: they belong to the
  // error whose first frame decided whether this rank prints.
  if (p == PETSC_ERROR_INITIAL) keeping = rank > 0;
  if (keeping) {
    kept.push_back(Frame{line, fun ? fun : "", file ? file : "", mess ? mess : "", n, p});
    return n;
  }
  return PetscTraceBackErrorHandler(comm, line, fun, file, n, p, mess, ctx);
}

PetscErrorCode PetalDriverInitialize(int *argc, char ***argv, const char help[])
{
  PetscErrorCode ierr = PetscInitialize(argc, argv, NULL, help);
  if (ierr) return ierr;
  PetscFunctionBegin;
  PetscCall(PetalInitializePackage());
  PetscCall(PetscPushErrorHandler(PetalRankSafeErrorHandler, NULL));
  PetscFunctionReturn(0);
}

int PetalDriverFinalize(PetscErrorCode ierr)
{
  PetscMPIInt size = 1, rank = 0;

  if (!ierr) return PetscFinalize() ? 1 : 0;
  petal::RemovePendingTempFiles();
  MPI_Comm_size(PETSC_COMM_WORLD, &size);
  if (size == 1) {
    PrintKept();
    (void)PetscFinalize();
    // No exit handlers after a failed run: what the failing code left behind is not freed, by PETSc's convention
    // that an error ends the program, and is no leak worth a LeakSanitizer report; HDF5's handler would only
    // close files of an abandoned write.
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(1);
  }
  // Several ranks: some may be blocked in a collective call that will never complete, so no collective call
  // from here on. Rank 0 printed a collective error already and aborts at once; a rank that kept the
  // traceback gives it time to do so, and prints the error itself if the job is still running after that
  // (the error was this rank's alone).
  MPI_Comm_rank(PETSC_COMM_WORLD, &rank);
  if (!kept.empty()) {
    std::fflush(stdout);
    for (int i = 0; i < 20; ++i) usleep(100000);
    PrintKept();
  }
  std::fflush(stdout);
  std::fflush(stderr);
  MPI_Abort(PETSC_COMM_WORLD, 1);
  return 1;
}

namespace {
struct Fault {
  std::string site;
  int         rank  = -1; // -1: every rank
  long        pass  = 0;  // 0: every pass
  bool        stall = false;
};

// PETAL_FAULT parsed once; nullptr when the variable is unset (the common case).
const std::vector<Fault> *Faults()
{
  static bool               parsed = false;
  static std::vector<Fault> faults;
  if (!parsed) {
    parsed          = true;
    const char *env = std::getenv("PETAL_FAULT");
    std::string spec(env ? env : "");
    size_t      pos = 0;
    while (pos < spec.size()) {
      size_t            end   = spec.find(',', pos);
      const std::string entry = spec.substr(pos, end == std::string::npos ? std::string::npos : end - pos);
      pos                     = end == std::string::npos ? spec.size() : end + 1;
      if (entry.empty()) continue;
      Fault       f;
      size_t      cut = entry.find_first_of("@#:");
      std::string rest;
      f.site = entry.substr(0, cut);
      rest   = cut == std::string::npos ? "" : entry.substr(cut);
      while (!rest.empty()) {
        const char key = rest[0];
        size_t     nxt = rest.find_first_of("@#:", 1);
        const std::string val = rest.substr(1, nxt == std::string::npos ? std::string::npos : nxt - 1);
        if (key == '@') f.rank = std::atoi(val.c_str());
        else if (key == '#') f.pass = std::atol(val.c_str());
        else if (key == ':') f.stall = val == "stall";
        rest = nxt == std::string::npos ? "" : rest.substr(nxt);
      }
      faults.push_back(f);
    }
  }
  return faults.empty() ? nullptr : &faults;
}
} // namespace

PetscErrorCode PetalFaultPoint(const char site[])
{
  static std::map<std::string, long> passes;
  const std::vector<Fault>          *faults = Faults();

  PetscFunctionBegin;
  if (!faults) PetscFunctionReturn(0);
  const long pass = ++passes[site];
  for (const Fault &f : *faults) {
    if (f.site != site || (f.rank >= 0 && f.rank != PetscGlobalRank) || (f.pass > 0 && f.pass != pass)) continue;
    if (f.stall) {
      std::fprintf(stderr, "petal: PETAL_FAULT stalls rank %d at %s (pass %ld), pid %d\n", (int)PetscGlobalRank, site, pass, (int)getpid());
      std::fflush(stderr);
      for (;;) pause();
    }
    SETERRQ(PETSC_COMM_SELF, PETSC_ERR_LIB, "Injected fault at %s on rank %d (pass %ld; PETAL_FAULT)", site, (int)PetscGlobalRank, pass);
  }
  PetscFunctionReturn(0);
}
