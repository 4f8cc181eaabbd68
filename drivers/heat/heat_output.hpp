#pragma once
// The solution time series of petal-heat: one HDF5 file (mesh + a dataset per frame, written in parallel
// through PETSc's HDF5 viewer) and an XDMF file beside it that ParaView opens. The XDMF uses only direct
// HDF DataItems (no XML references), which both ParaView readers (XDMF and Xdmf3) accept. Both files are
// written under temporary names and moved into place by Close(); Abort() removes them.
#include "heat_discretization.hpp"
#include <vector>

namespace petal::heat {

class TimeSeriesWriter {
public:
  ~TimeSeriesWriter();
  PetscErrorCode Open(MPI_Comm comm, const char *h5file, Discretization *disc);
  PetscErrorCode WriteFrame(Vec u, PetscInt step, PetscReal t);
  PetscErrorCode Close(); // completes both files
  PetscErrorCode Abort(); // removes partial output
  const std::string &XdmfName() const { return xmf_; }

private:
  MPI_Comm                 comm_ = MPI_COMM_NULL;
  Discretization          *disc_ = nullptr;
  PetscViewer              h5_   = nullptr;
  std::string              file_, tmp_, xmf_, xmfTmp_;
  std::vector<PetscReal>   times_;
  std::vector<std::string> paths_;
};
} // namespace petal::heat
