#pragma once
// Time series of fields on a mesh, for ParaView: one HDF5 file (the mesh and one dataset per field and frame,
// written in parallel through PETSc's HDF5 viewer) and an XDMF file beside it (same name, .xmf). The XDMF uses
// only direct HDF DataItems (no XML references), which both of ParaView's readers (XDMF and Xdmf3) open. Both
// files are written under temporary names and moved into place by Close(), so a failed or killed run leaves no
// half-written file under the final names.
//
//   petal::TimeSeriesWriter w;
//   PetscCall(w.Open("run.h5", dm));            // a voxel-grid DMDA or a DMPlex
//   PetscCall(w.WriteStatic(cellType));         // optional: fields that do not change
//   PetscCall(w.WriteFrame(step, t, {u, r}));   // each Vec named by its PetscObject name
//   PetscCall(w.Close());
//
// Meshes: a DMDA of a voxel grid (PetalVoxelGridLoad, PetalVoxelGridCreateDA: cell-centred values, shown as the
// points of a co-rectilinear grid), or a DMPlex whose fields live at the vertices (P1/Q1; the HDF5 "viz" layout).
// Collective on the mesh's communicator. On an error the writer returns without closing the file (closing is
// collective, and the error may be this rank's alone): a driver's PetalDriverFinalize removes the temporaries.
#include <petal/mesh.h>
#include <petscviewer.h>
#include <string>
#include <vector>

namespace petal {

class TimeSeriesWriter {
public:
  TimeSeriesWriter() = default;
  TimeSeriesWriter(const TimeSeriesWriter &)            = delete;
  TimeSeriesWriter &operator=(const TimeSeriesWriter &) = delete;

  PetscErrorCode Open(const char h5file[], DM dm);
  PetscErrorCode WriteStatic(Vec v);
  PetscErrorCode WriteFrame(PetscInt step, PetscReal t, const std::vector<Vec> &fields);
  PetscErrorCode Close();
  const std::string &XdmfName() const { return xmf_; }

private:
  struct Frame {
    PetscReal                t;
    std::vector<std::string> names, paths;
  };
  PetscErrorCode WriteField(Vec v, const char name[], std::string *path);

  MPI_Comm           comm_   = MPI_COMM_NULL;
  DM                 dm_     = nullptr;
  bool               voxel_  = false;
  PetalVoxelGridInfo grid_{};
  PetscViewer        h5_     = nullptr;
  std::string        file_, tmp_, xmf_, xmfTmp_;
  std::vector<Frame> frames_;
};

} // namespace petal
