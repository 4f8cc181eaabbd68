#include "heat_output.hpp"
#include <petal/driver.h>
#include <petal/io.h>
#include <petal/petal.h>
#include <petscviewerhdf5.h>
#include <hdf5.h>
#include <cstdio>
#include <sstream>

namespace petal::heat {

std::string XdmfDataItem(const std::string &h5name, const std::string &path, const std::vector<unsigned long long> &dims, const char *numberType, int precision)
{
  std::ostringstream s;
  s << "<DataItem Format=\"HDF\" NumberType=\"" << numberType << "\" Precision=\"" << precision << "\" Dimensions=\"";
  for (size_t i = 0; i < dims.size(); ++i) s << (i ? " " : "") << dims[i];
  s << "\">" << h5name << ":" << path << "</DataItem>";
  return s.str();
}

// Closing the HDF5 file is collective. Close() and Abort() do it on the paths where every rank takes part;
// a writer destroyed while its file is still open is on an error path that may be this rank's alone, so it
// leaves the file to the job's end (PetalDriverFinalize removes the temporary files and aborts, or HDF5
// closes it at MPI_Finalize on one rank) instead of waiting for ranks that may never come.
TimeSeriesWriter::~TimeSeriesWriter() = default;

PetscErrorCode TimeSeriesWriter::Open(MPI_Comm comm, const char *h5file, Discretization *disc)
{
  char tmp[PETSC_MAX_PATH_LEN];
  PetscFunctionBegin;
  comm_ = comm;
  disc_ = disc;
  file_ = h5file;
  PetscCall(PetalAtomicFileTempName(h5file, tmp, sizeof tmp));
  tmp_           = tmp;
  const auto dot = file_.rfind('.');
  xmf_           = (dot == std::string::npos ? file_ : file_.substr(0, dot)) + ".xmf";
  PetscCall(PetalAtomicFileTempName(xmf_.c_str(), tmp, sizeof tmp));
  xmfTmp_ = tmp;
  PetscCall(PetscLogEventBegin(PETAL_OutputWrite, 0, 0, 0, 0));
  PetscCall(PetscViewerHDF5Open(comm, tmp_.c_str(), FILE_MODE_WRITE, &h5_));
  PetscCall(PetalFaultPoint("heat_output_open"));
  PetscCall(disc->ViewMesh(h5_));
  PetscCall(PetscLogEventEnd(PETAL_OutputWrite, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode TimeSeriesWriter::WriteFrame(Vec u, PetscInt step, PetscReal t)
{
  char        name[32];
  const char *old;
  std::string path;
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(PETAL_OutputWrite, 0, 0, 0, 0));
  PetscCall(PetscObjectGetName((PetscObject)u, &old));
  const std::string oldName = old;
  PetscCall(PetscSNPrintf(name, sizeof name, "u_%06" PetscInt_FMT, step));
  PetscCall(PetscObjectSetName((PetscObject)u, name));
  PetscCall(PetalFaultPoint("heat_output_frame"));
  PetscCall(disc_->ViewField(h5_, u, &path));
  PetscCall(PetscObjectSetName((PetscObject)u, oldName.c_str()));
  times_.push_back(t);
  paths_.push_back(path);
  PetscCall(PetscLogEventEnd(PETAL_OutputWrite, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

namespace {
std::string Basename(const std::string &f) { return f.substr(f.rfind('/') == std::string::npos ? 0 : f.rfind('/') + 1); }
} // namespace

PetscErrorCode TimeSeriesWriter::Close()
{
  PetscMPIInt rank;
  int         ok = 1;
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(PETAL_OutputWrite, 0, 0, 0, 0));
  PetscCall(PetalFaultPoint("heat_output_close"));
  PetscCall(PetscViewerDestroy(&h5_)); // flushes and closes the HDF5 file on every rank
  PetscCallMPI(MPI_Comm_rank(comm_, &rank));
  if (rank == 0) {
    // Dataset shapes come from the file itself, so the XDMF always matches what was written.
    hid_t       f    = H5Fopen(tmp_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    DatasetDims dims = [f](const std::string &path) {
      std::vector<unsigned long long> d;
      hid_t                           ds = H5Dopen2(f, path.c_str(), H5P_DEFAULT);
      if (ds < 0) return d;
      hid_t   sp = H5Dget_space(ds);
      hsize_t h[8];
      int     n = H5Sget_simple_extent_dims(sp, h, NULL);
      for (int i = 0; i < n; ++i) d.push_back(h[i]);
      H5Sclose(sp);
      H5Dclose(ds);
      return d;
    };
    const std::string  h5name = Basename(file_);
    std::ostringstream x;
    x.precision(17);
    x << "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n<Xdmf Version=\"2.0\">\n<Domain>\n"
      << "<Grid Name=\"u\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
    const std::string grid = f >= 0 ? disc_->XdmfGrid(h5name, dims) : "";
    for (size_t i = 0; i < paths_.size(); ++i) {
      x << "<Grid Name=\"step\" GridType=\"Uniform\">\n<Time Value=\"" << times_[i] << "\"/>\n" << grid
        << "<Attribute Name=\"u\" AttributeType=\"Scalar\" Center=\"Node\">\n  " << XdmfDataItem(h5name, paths_[i], disc_->XdmfFieldDims(dims(paths_[i])), "Float", 8) << "\n</Attribute>\n</Grid>\n";
    }
    x << "</Grid>\n</Domain>\n</Xdmf>\n";
    if (f >= 0) H5Fclose(f);
    else ok = 0;
    FILE *out = ok ? std::fopen(xmfTmp_.c_str(), "w") : nullptr;
    ok        = out && std::fputs(x.str().c_str(), out) >= 0;
    if (out) ok = (std::fclose(out) == 0) && ok;
  }
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, comm_));
  PetscCheck(ok, comm_, PETSC_ERR_FILE_WRITE, "Cannot write the XDMF file %s", xmf_.c_str());
  PetscCall(PetalAtomicFileCommit(comm_, tmp_.c_str(), file_.c_str()));
  PetscCall(PetalAtomicFileCommit(comm_, xmfTmp_.c_str(), xmf_.c_str()));
  PetscCall(PetscLogEventEnd(PETAL_OutputWrite, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode TimeSeriesWriter::Abort()
{
  PetscFunctionBegin;
  PetscCall(PetscViewerDestroy(&h5_));
  if (!tmp_.empty()) PetscCall(PetalAtomicFileAbort(comm_, tmp_.c_str()));
  if (!xmfTmp_.empty()) PetscCall(PetalAtomicFileAbort(comm_, xmfTmp_.c_str()));
  PetscFunctionReturn(0);
}
} // namespace petal::heat
