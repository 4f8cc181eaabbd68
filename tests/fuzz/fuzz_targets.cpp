// The fuzz targets (see fuzz_targets.hpp): petal's public loaders, each followed by the destruction of what it
// returned, so that a successful load is complete.
#include "fuzz_targets.hpp"
#include <petal/banditsor.h>
#include <petal/dcdm_weights.hpp>
#include <petal/mesh.h>
#include <petal/ot_problems.hpp>
#include <petal/sequence.h>

namespace petal::fuzz {
namespace {

PetscErrorCode LoadVoxel(MPI_Comm comm, const char *file)
{
  DM  da;
  Vec types, coef;
  PetscFunctionBegin;
  PetscCall(PetalVoxelGridLoad(comm, file, &da, &types, &coef));
  PetscCall(VecDestroy(&coef));
  PetscCall(VecDestroy(&types));
  PetscCall(DMDestroy(&da));
  PetscFunctionReturn(0);
}

PetscErrorCode LoadPlex(MPI_Comm comm, const char *file)
{
  DM dm;
  PetscFunctionBegin;
  PetscCall(PetalPlexLoad(comm, file, &dm));
  PetscCall(DMDestroy(&dm));
  PetscFunctionReturn(0);
}

// A learner state of any configuration (adopted), so that the file's content is exercised, not only the check
// that it matches the PC's configuration.
PetscErrorCode LoadState(MPI_Comm comm, const char *file)
{
  PC pc;
  PetscFunctionBegin;
  PetscCall(PCCreate(comm, &pc));
  PetscCall(PCSetType(pc, PCBANDITSOR));
  PetscCall(PCBanditSORSetStateAdopt(pc, PETSC_TRUE));
  PetscCall(PCBanditSORLoadState(pc, file));
  PetscCall(PCDestroy(&pc));
  PetscFunctionReturn(0);
}

PetscErrorCode LoadOTProblem(MPI_Comm comm, const char *file)
{
  OTProblem p;
  PetscFunctionBegin;
  PetscCall(OTProblemRead(comm, file, &p));
  PetscFunctionReturn(0);
}

PetscErrorCode LoadDCDMWeights(MPI_Comm comm, const char *file)
{
  petal::cnn::Weights      w;
  petal::DCDMTrainingInfo info;
  PetscFunctionBegin;
  PetscCall(PetalDCDMWeightsLoad(comm, file, &w, &info));
  PetscFunctionReturn(0);
}

} // namespace

const std::vector<Target> &Targets()
{
  static const std::vector<Target> targets = {
    {"voxel", true, ".h5", {"voxel_obstacles.h5", "voxel_box3d.h5"}, LoadVoxel},
    {"plex", true, ".h5", {"plex_v1.h5", "plex_v2.h5", "plex_xdmf.h5"}, LoadPlex},
    {"gmsh", false, ".msh", {"gmsh22_ascii.msh", "gmsh22_binary.msh", "gmsh41_ascii.msh", "gmsh41_binary.msh"}, LoadPlex},
    {"relax", true, ".h5", {"sequence_synthetic.h5", "sequence_heat.h5"}, PetalSequenceReaderCheckFile},
    {"ot", true, ".h5", {"ot_points.h5", "ot_voxel.h5"}, LoadOTProblem},
    {"state", true, ".h5", {"state_fixed.h5", "state_tsallis.h5", "state_tsallis_cb.h5", "state_chebcb.h5"}, LoadState},
    {"dcdm_weights", true, ".h5", {"dcdm_weights_small.h5"}, LoadDCDMWeights},
  };
  return targets;
}
} // namespace petal::fuzz
