// Time series of fields for ParaView: HDF5 + XDMF (see include/petal/time_series.hpp).
#include <petal/time_series.hpp>
#include <petal/driver.h>
#include <petal/io.h>
#include <petal/mesh.h>
#include <petal/petal.h>
#include <petscviewerhdf5.h>
#include "core/h5.hpp"
#include <cstdio>
#include <sstream>

namespace petal {
namespace {

using Dims = std::vector<unsigned long long>;

std::string Basename(const std::string &f) { return f.substr(f.rfind('/') == std::string::npos ? 0 : f.rfind('/') + 1); }

// <DataItem Format="HDF" ...>h5name:path</DataItem>: a direct HDF reference that every XDMF reader opens.
std::string DataItem(const std::string &h5name, const std::string &path, const Dims &dims, const char *numberType, int precision)
{
  std::ostringstream s;
  s << "<DataItem Format=\"HDF\" NumberType=\"" << numberType << "\" Precision=\"" << precision << "\" Dimensions=\"";
  for (size_t i = 0; i < dims.size(); ++i) s << (i ? " " : "") << dims[i];
  s << "\">" << h5name << ":" << path << "</DataItem>";
  return s.str();
}

// Shapes of the datasets the XDMF refers to, read back from the written file on rank 0 (so the XDMF always
// matches what is there). Empty if the dataset is missing.
Dims ShapeOf(hid_t file, const std::string &path)
{
  std::vector<hsize_t> d;
  if (!h5::DatasetDims(file, path.c_str(), &d)) return {};
  return Dims(d.begin(), d.end());
}

// The cell centres of a voxel grid as the points of a co-rectilinear grid. XDMF lists axes slowest first
// (z y x); a 2-D grid is one layer of a 3-D one, because ParaView's readers put 2DCoRectMesh in the y-z plane.
std::string VoxelGrid(const PetalVoxelGridInfo &g)
{
  auto               centre = [&](int d) { return g.origin[d] + 0.5 * g.spacing[d]; };
  std::ostringstream s;
  s.precision(17);
  s << "<Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"" << g.shape[2] << " " << g.shape[1] << " " << g.shape[0] << "\"/>\n"
    << "<Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
    << "  <DataItem Format=\"XML\" Dimensions=\"3\">" << (g.dim == 3 ? centre(2) : 0.0) << " " << centre(1) << " " << centre(0) << "</DataItem>\n"
    << "  <DataItem Format=\"XML\" Dimensions=\"3\">" << (g.dim == 3 ? g.spacing[2] : 1.0) << " " << g.spacing[1] << " " << g.spacing[0] << "</DataItem>\n"
    << "</Geometry>\n";
  return s.str();
}

// An unstructured mesh in the HDF5 "viz" layout: cells as vertex lists and the vertex coordinates.
std::string PlexGrid(hid_t file, const std::string &h5name, PetscInt dim)
{
  const Dims cells = ShapeOf(file, "/viz/topology/cells"), verts = ShapeOf(file, "/geometry/vertices");
  if (cells.size() != 2 || verts.size() != 2) return "";
  const unsigned long long corners = cells[1];
  const char *topo = dim == 1 ? "Polyline" : dim == 2 ? (corners == 3 ? "Triangle" : "Quadrilateral") : (corners == 4 ? "Tetrahedron" : "Hexahedron");
  std::ostringstream s;
  s << "<Topology TopologyType=\"" << topo << "\" NumberOfElements=\"" << cells[0] << "\"" << (dim == 1 ? " NodesPerElement=\"2\"" : "") << ">\n"
    << "  " << DataItem(h5name, "/viz/topology/cells", cells, "Int", sizeof(PetscInt)) << "\n"
    << "</Topology>\n"
    << "<Geometry GeometryType=\"" << (verts[1] == 2 ? "XY" : "XYZ") << "\">\n"
    << "  " << DataItem(h5name, "/geometry/vertices", verts, "Float", 8) << "\n"
    << "</Geometry>\n";
  return s.str();
}

} // namespace

PetscErrorCode TimeSeriesWriter::Open(const char h5file[], DM dm)
{
  char      tmp[PETSC_MAX_PATH_LEN];
  PetscBool isda;
  PetscFunctionBegin;
  PetscCall(PetscObjectGetComm((PetscObject)dm, &comm_));
  PetscCall(PetscObjectTypeCompare((PetscObject)dm, DMDA, &isda));
  dm_    = dm;
  voxel_ = isda == PETSC_TRUE;
  file_  = h5file;
  const auto dot = file_.rfind('.');
  xmf_           = (dot == std::string::npos || dot < file_.rfind('/') + 1 ? file_ : file_.substr(0, dot)) + ".xmf";
  PetscCall(PetalCheckWritable(comm_, file_.c_str()));
  PetscCall(PetalCheckWritable(comm_, xmf_.c_str()));
  if (voxel_) PetscCall(PetalVoxelGridGetInfo(dm, &grid_));
  PetscCall(PetalAtomicFileTempName(file_.c_str(), tmp, sizeof tmp));
  tmp_ = tmp;
  PetscCall(PetalAtomicFileTempName(xmf_.c_str(), tmp, sizeof tmp));
  xmfTmp_ = tmp;
  PetscCall(PetscLogEventBegin(PETAL_OutputWrite, 0, 0, 0, 0));
  PetscCall(PetscViewerHDF5Open(comm_, tmp_.c_str(), FILE_MODE_WRITE, &h5_));
  PetscCall(PetalFaultPoint("time_series_open"));
  if (!voxel_) { // the mesh itself; a voxel grid is described by its origin and spacing in the XDMF
    PetscCall(PetscViewerPushFormat(h5_, PETSC_VIEWER_HDF5_VIZ));
    PetscCall(DMView(dm, h5_));
    PetscCall(PetscViewerPopFormat(h5_));
  }
  PetscCall(PetscLogEventEnd(PETAL_OutputWrite, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode TimeSeriesWriter::WriteField(Vec v, const char name[], std::string *path)
{
  const char *old;
  PetscFunctionBegin;
  PetscCall(PetscObjectGetName((PetscObject)v, &old));
  const std::string oldName = old;
  PetscCall(PetscObjectSetName((PetscObject)v, name));
  if (voxel_) {
    PetscCall(PetscViewerHDF5PushGroup(h5_, "/fields"));
    PetscCall(VecView(v, h5_));
    PetscCall(PetscViewerHDF5PopGroup(h5_));
    *path = std::string("/fields/") + name;
  } else {
    PetscObject field;
    const char *fieldName;
    PetscCall(PetscViewerPushFormat(h5_, PETSC_VIEWER_HDF5_VIZ));
    PetscCall(VecView(v, h5_));
    PetscCall(PetscViewerPopFormat(h5_));
    PetscCall(DMGetField(dm_, 0, NULL, &field)); // PETSc appends the field's name to the dataset's
    PetscCall(PetscObjectGetName(field, &fieldName));
    *path = std::string("/vertex_fields/") + name + "_" + fieldName;
  }
  PetscCall(PetscObjectSetName((PetscObject)v, oldName.c_str()));
  PetscFunctionReturn(0);
}

PetscErrorCode TimeSeriesWriter::WriteStatic(Vec v)
{
  const char *name;
  std::string path;
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(PETAL_OutputWrite, 0, 0, 0, 0));
  PetscCall(PetscObjectGetName((PetscObject)v, &name));
  PetscCall(WriteField(v, std::string(name).c_str(), &path));
  PetscCall(PetscLogEventEnd(PETAL_OutputWrite, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode TimeSeriesWriter::WriteFrame(PetscInt step, PetscReal t, const std::vector<Vec> &fields)
{
  Frame f{t, {}, {}};
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(PETAL_OutputWrite, 0, 0, 0, 0));
  PetscCall(PetalFaultPoint("time_series_frame"));
  for (Vec v : fields) {
    const char *name;
    char        stamped[PETSC_MAX_PATH_LEN];
    std::string path;
    PetscCall(PetscObjectGetName((PetscObject)v, &name));
    PetscCall(PetscSNPrintf(stamped, sizeof stamped, "%s_%06" PetscInt_FMT, name, step));
    f.names.push_back(name);
    PetscCall(WriteField(v, stamped, &path));
    f.paths.push_back(path);
  }
  frames_.push_back(f);
  PetscCall(PetscLogEventEnd(PETAL_OutputWrite, 0, 0, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode TimeSeriesWriter::Close()
{
  PetscMPIInt rank;
  PetscInt    dim;
  int         ok = 1;
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(PETAL_OutputWrite, 0, 0, 0, 0));
  PetscCall(PetalFaultPoint("time_series_close"));
  PetscCall(PetscViewerDestroy(&h5_)); // flushes and closes the HDF5 file on every rank
  PetscCall(DMGetDimension(dm_, &dim));
  PetscCallMPI(MPI_Comm_rank(comm_, &rank));
  if (rank == 0) {
    h5::Quiet          quiet;
    h5::Handle         file(H5Fopen(tmp_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    const std::string  h5name = Basename(file_);
    const std::string  grid   = !file.valid() ? "" : voxel_ ? VoxelGrid(grid_) : PlexGrid(file, h5name, dim);
    std::ostringstream x;
    x.precision(17);
    x << "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n<Xdmf Version=\"2.0\">\n<Domain>\n"
      << "<Grid Name=\"" << (frames_.empty() || frames_[0].names.empty() ? "fields" : frames_[0].names[0]) << "\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
    for (const Frame &f : frames_) {
      x << "<Grid Name=\"step\" GridType=\"Uniform\">\n<Time Value=\"" << f.t << "\"/>\n" << grid;
      for (size_t k = 0; k < f.paths.size(); ++k) {
        Dims dims = ShapeOf(file, f.paths[k]);
        if (voxel_ && dim == 2) dims.insert(dims.begin(), 1ULL); // matches the one-layer 3-D topology
        x << "<Attribute Name=\"" << f.names[k] << "\" AttributeType=\"Scalar\" Center=\"Node\">\n  " << DataItem(h5name, f.paths[k], dims, "Float", 8) << "\n</Attribute>\n";
      }
      x << "</Grid>\n";
    }
    x << "</Grid>\n</Domain>\n</Xdmf>\n";
    ok        = !grid.empty();
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

} // namespace petal
