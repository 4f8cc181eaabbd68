#pragma once
// The DCDM network distributed over a DMDA (PetalCNN of include/petal/dcdm.h), shared by the PC and the public
// PetalCNN functions:
//   dcdm_layout.cpp   even ownership ranges, the fine and coarse cell DMDAs, the user <-> fine scatter
//   dcdm_halo.cpp     the halo PetscSF of each level (the ghosted block layout of learned/cnn/forward.hpp)
//   dcdm_cnn.cpp      PetalCNNCreate / Apply / Destroy: precision, host mirrors at the Vec boundary, log events
#include <petal/dcdm.h>
#include <petal/cnn.hpp>
#include <petscdmda.h>
#include <petscsf.h>
#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

PETSC_EXTERN PetscLogEvent PETAL_CNNConv, PETAL_CNNPool, PETAL_CNNUpsample, PETAL_CNNHead, PETAL_CNNHalo, PETAL_CNNApply;

namespace petal {

// One level's cell partition: global sizes and the ownership ranges of the process grid, x, y, z.
struct LevelLayout {
  std::array<PetscInt, 3>              global{};
  std::array<std::vector<PetscInt>, 3> ranges;   // per direction, one per process of the grid
  std::array<PetscInt, 3>              coords{};  // this rank's position in the process grid
  std::array<PetscInt, 3>              start{}, size{};
  // Owner of global cell index g along direction d (0 <= g < global[d]) and its start.
  PetscInt Owner(int d, PetscInt g) const;
  PetscInt Start(int d, PetscInt p) const;
  // DMDA rank order: x fastest.
  PetscMPIInt Rank(PetscInt px, PetscInt py, PetscInt pz) const { return (PetscMPIInt)(px + (PetscInt)ranges[0].size() * (py + (PetscInt)ranges[1].size() * pz)); }
};

// What the network needs of the user's DM: a 3-D DMDA, dof 1, every global size even (else an error naming the
// problem, prefixed by `who`). Collective.
PetscErrorCode DCDMCheckGrid(DM da, const char *who);
// Ownership ranges along one direction, all even, as close to the user's as possible ("" or why not possible).
std::string DCDMEvenRanges(PetscInt M, const PetscInt *user, PetscInt m, std::vector<PetscInt> *even);

// The halo exchange of one level: a PetscSF whose roots are this rank's owned cells and whose leaves are the
// in-domain halo cells of its ghosted block, both indexed in the ghosted block (cells, channels innermost).
class HaloExchange {
public:
  HaloExchange() = default;
  HaloExchange(const HaloExchange &)            = delete;
  HaloExchange &operator=(const HaloExchange &) = delete;
  ~HaloExchange();
  PetscErrorCode Create(MPI_Comm comm, const LevelLayout &level);
  // Fills the halo of data (ghosted block, `channels` values of `unit` per cell) in place. Collective.
  PetscErrorCode Exchange(void *data, MPI_Datatype scalar, int channels);
  PetscInt       Leaves() const { return nleaves_; }

private:
  PetscSF                                           sf_ = nullptr;
  PetscInt                                          nleaves_ = 0;
  std::map<std::pair<MPI_Datatype, int>, MPI_Datatype> units_; // contiguous C scalars, committed
};

// The precision-specific part: Forward<float> or Forward<double> with its host mirrors.
class CNNRunner {
public:
  virtual ~CNNRunner() = default;
  // in, out: the fine block's owned cells (x fastest) on the host, as PETSc holds them.
  virtual PetscErrorCode Apply(const PetscScalar *in, PetscScalar *out) = 0;
  virtual double         Flops() const                                     = 0;
};

} // namespace petal

struct _n_PetalCNN {
  MPI_Comm                          comm = MPI_COMM_NULL;
  DM                                user = nullptr;          // the caller's DMDA (referenced)
  DM                                fine = nullptr, coarse = nullptr;
  petal::LevelLayout                fineLayout, coarseLayout;
  bool                              sameLayout = true;       // the user's ranges are already even
  VecScatter                        toFine     = nullptr;    // user global -> fine global (when !sameLayout)
  Vec                               fineIn = nullptr, fineOut = nullptr;
  petal::HaloExchange               halo[2];                 // [cnn::Level::Fine], [cnn::Level::Coarse]
  std::unique_ptr<petal::CNNRunner> runner;
  PetalCNNPrecision                 precision = PETAL_CNN_FLOAT32;
  petal::cnn::NetSpec               spec;
  long long                         parameters = 0;
  PetscLogDouble                    flops = 0, localFlops = 0; // one Apply: whole grid, this rank
  PetscErrorCode                    haloError = 0;             // first failure inside Forward's halo callback
};

namespace petal {
// PetalCNNCreate from weights already in memory (the PC loads the file itself, to show its record).
PetscErrorCode DCDMCNNCreate(DM da, const cnn::Weights &w, PetalCNNPrecision precision, PetalCNN *cnn);
// The fine and coarse layouts, the DMDAs and the scatter (dcdm_layout.cpp).
PetscErrorCode DCDMCNNCreateLayout(PetalCNN cnn);
} // namespace petal
