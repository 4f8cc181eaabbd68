// Validation of DMPlex HDF5 files before DMLoad (see plex_check.hpp). The layouts are those PETSc 3.18 writes:
//   1.0.0: /topology/{order,cones,cells,orientation} (cells has the attribute cell_dim), /geometry/vertices,
//          /labels/<label>/<value>/indices
//   2.0.0: the same topology and labels under /topologies/<name>/, coordinates in a section under
//          /topologies/<name>/dms/coordinateDM/
//   XDMF:  /viz/topology/cells [cells x corners], /geometry/vertices [vertices x dim]
// A point's cone is its slice of `cells` (cone sizes in `cones`, in the order of `order`, which numbers the
// points); cone entries and label indices are point numbers.
#include "meshes/plex_check.hpp"
#include "core/h5.hpp"
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace petal::mesh {
namespace {

using h5::Handle;

// What a reader found wrong; the first problem wins.
struct Problem {
  std::string why;
  bool        Fail(const std::string &w)
  {
    if (why.empty()) why = w;
    return false;
  }
};

// A numeric dataset of shape [n] or [n, cols] read as integers (integer = true) or doubles.
template <class T>
bool ReadDataset(hid_t file, const std::string &path, bool integer, std::vector<T> *v, size_t *rows, size_t *cols, Problem &p)
{
  std::vector<hsize_t> dims;
  if (!h5::DatasetDims(file, path.c_str(), &dims)) return p.Fail("it has no dataset " + path);
  if (dims.empty() || dims.size() > 2) return p.Fail(path + " has dimensions " + h5::DimsString(dims) + "; expected a 1-D or 2-D array");
  Handle dset(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
  Handle type(H5Dget_type(dset));
  const H5T_class_t cls = H5Tget_class(type);
  if (integer ? cls != H5T_INTEGER : (cls != H5T_FLOAT && cls != H5T_INTEGER)) return p.Fail(path + (integer ? " must hold integers" : " must hold numbers"));
  const hsize_t n = dims[0] * (dims.size() > 1 ? dims[1] : 1);
  // The data must be in the file (a corrupt shape must not make us allocate what is not there); PETSc writes
  // uncompressed data, so 64x leaves room for any compression another writer chose.
  if (n > (hsize_t)PETSC_MAX_INT || (n > 0 && n * sizeof(T) > 64 * (hsize_t)H5Dget_storage_size(dset) + 4096)) return p.Fail(path + " claims " + h5::DimsString(dims) + " entries, more than the file holds");
  v->resize(n);
  if (n && H5Dread(dset, integer ? H5T_NATIVE_LLONG : H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v->data()) < 0) return p.Fail("cannot read " + path + " (corrupt or truncated file?)");
  *rows = dims[0];
  *cols = dims.size() > 1 ? dims[1] : 1;
  return true;
}

bool ReadInts(hid_t file, const std::string &path, std::vector<long long> *v, Problem &p)
{
  size_t rows, cols;
  if (!ReadDataset(file, path, true, v, &rows, &cols, p)) return false;
  if (cols != 1) return p.Fail(path + " must be a column (shape [n] or [n, 1])");
  return true;
}

// Arrangements of a polytope (PETSc's DMPolytopeTypeGetNumArrangments): the orientations of a cone point of that
// type lie in [-n/2, n/2); a vertex has only orientation 0. 0 means a shape this check does not know.
enum Shape { UNKNOWN, VERTEX, SEGMENT, TRIANGLE, QUAD, TET, HEX, PRISM, PYRAMID };
int Arrangements(Shape s)
{
  const int n[] = {0, 1, 2, 6, 8, 24, 48, 12, 8};
  return n[s];
}

// The shape of a point from the shapes of its cone (interpolated meshes), or UNKNOWN.
Shape ShapeOf(const std::vector<Shape> &cone)
{
  std::map<Shape, int> c;
  for (Shape s : cone) c[s]++;
  const size_t n = cone.size();
  if (n == 0) return VERTEX;
  if (n == 2 && c[VERTEX] == 2) return SEGMENT;
  if (n == 3 && c[SEGMENT] == 3) return TRIANGLE;
  if (n == 4 && c[SEGMENT] == 4) return QUAD;
  if (n == 4 && c[TRIANGLE] == 4) return TET;
  if (n == 6 && c[QUAD] == 6) return HEX;
  if (n == 5 && c[TRIANGLE] == 2 && c[QUAD] == 3) return PRISM;
  if (n == 5 && c[TRIANGLE] == 4 && c[QUAD] == 1) return PYRAMID;
  return UNKNOWN;
}

struct Topology {
  std::vector<long long> order, cones, cells, orientation;
  std::vector<size_t>    offset;   // offset[i]: start of point position i's cone in cells
  std::vector<long long> position; // position[point number] = i, the index into cones/offset
  std::vector<int>       depth;
  size_t                 vertices = 0;
};

bool ReadTopology(hid_t file, const std::string &base, Topology &t, Problem &p)
{
  if (!ReadInts(file, base + "/order", &t.order, p) || !ReadInts(file, base + "/cones", &t.cones, p) || !ReadInts(file, base + "/cells", &t.cells, p) || !ReadInts(file, base + "/orientation", &t.orientation, p)) return false;
  const size_t n = t.cones.size();
  if (n == 0) return p.Fail(base + "/cones is empty: the mesh has no points");
  if (t.order.size() != n) return p.Fail(base + "/order has " + std::to_string(t.order.size()) + " entries but " + base + "/cones has " + std::to_string(n) + " (one per point)");
  t.position.assign(n, -1);
  for (size_t i = 0; i < n; ++i) {
    const long long q = t.order[i];
    if (q < 0 || (size_t)q >= n || t.position[q] >= 0) return p.Fail(base + "/order is not a numbering of the " + std::to_string(n) + " points (entry " + std::to_string(i) + " is " + std::to_string(q) + ")");
    t.position[q] = (long long)i;
  }
  size_t total = 0;
  t.offset.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (t.cones[i] < 0 || t.cones[i] > 64) return p.Fail(base + "/cones entry " + std::to_string(i) + " is " + std::to_string(t.cones[i]) + "; a cone holds 0 to 64 points");
    t.offset[i] = total;
    total += (size_t)t.cones[i];
  }
  if (total != t.cells.size()) return p.Fail("the cone sizes in " + base + "/cones add up to " + std::to_string(total) + " but " + base + "/cells has " + std::to_string(t.cells.size()) + " entries");
  if (t.orientation.size() != total) return p.Fail(base + "/orientation has " + std::to_string(t.orientation.size()) + " entries but " + base + "/cells has " + std::to_string(total));
  for (size_t k = 0; k < total; ++k)
    if (t.cells[k] < 0 || (size_t)t.cells[k] >= n) return p.Fail(base + "/cells entry " + std::to_string(k) + " names point " + std::to_string(t.cells[k]) + "; the mesh has points 0 to " + std::to_string(n - 1));
  return true;
}

// Depths bottom-up without recursion (a malformed file may nest deeply); a cone that reaches back to its own point
// is a cycle, which PETSc's stratification would never leave. Every cone point must be one level lower.
bool Stratify(const std::string &base, Topology &t, std::vector<Shape> &shape, Problem &p)
{
  const size_t n = t.cones.size();
  t.depth.assign(n, -1);
  shape.assign(n, UNKNOWN);
  std::vector<char>   state(n, 0); // 0 new, 1 on the stack, 2 done
  std::vector<size_t> stack;
  for (size_t root = 0; root < n; ++root) {
    if (state[root]) continue;
    stack.push_back(root);
    while (!stack.empty()) {
      const size_t i = stack.back();
      if (state[i] == 0) {
        state[i] = 1;
        for (long long k = 0; k < t.cones[i]; ++k) {
          const size_t c = (size_t)t.position[t.cells[t.offset[i] + k]];
          if (state[c] == 1) return p.Fail(base + ": the cone of point " + std::to_string(t.order[i]) + " reaches back to itself");
          if (state[c] == 0) stack.push_back(c);
        }
        continue;
      }
      stack.pop_back();
      if (state[i] == 2) continue;
      state[i] = 2;
      std::vector<Shape> cone;
      for (long long k = 0; k < t.cones[i]; ++k) {
        const size_t c = (size_t)t.position[t.cells[t.offset[i] + k]];
        if (k > 0 && t.depth[c] != t.depth[(size_t)t.position[t.cells[t.offset[i]]]]) return p.Fail(base + ": the cone of point " + std::to_string(t.order[i]) + " mixes points of different depths");
        cone.push_back(shape[c]);
        t.depth[i] = t.depth[c] + 1;
      }
      if (t.cones[i] == 0) t.depth[i] = 0;
      shape[i] = ShapeOf(cone);
    }
  }
  return true;
}

bool CheckOrientations(const std::string &base, const Topology &t, const std::vector<Shape> &shape, Problem &p)
{
  for (size_t i = 0; i < t.cones.size(); ++i)
    for (long long k = 0; k < t.cones[i]; ++k) {
      const size_t    j = t.offset[i] + k;
      const Shape     s = shape[(size_t)t.position[t.cells[j]]];
      const long long o = t.orientation[j], half = Arrangements(s) / 2;
      const bool      ok = s == UNKNOWN || (s == VERTEX ? o == 0 : (o >= -half && o < half));
      if (!ok) return p.Fail(base + "/orientation entry " + std::to_string(j) + " is " + std::to_string(o) + ", outside the range of its cone point's shape");
    }
  return true;
}

// Every label value's indices are point numbers. celltype values are PETSc polytope types.
bool CheckLabels(hid_t file, const std::string &base, size_t npoints, Problem &p)
{
  const std::string labels = base + "/labels";
  if (!h5::LinkExists(file, labels.c_str())) return true;
  std::vector<std::string> paths;
  auto                     collect = [](hid_t, const char *name, const H5O_info_t *info, void *data) -> herr_t {
    auto *paths = static_cast<std::vector<std::string> *>(data);
    if (info->type == H5O_TYPE_DATASET) paths->push_back(name);
    return paths->size() > 100000 ? 1 : 0; // enough to judge; a corrupt file may claim millions
  };
  Handle g(H5Gopen2(file, labels.c_str(), H5P_DEFAULT));
  if (!g.valid() || H5Ovisit(g, H5_INDEX_NAME, H5_ITER_INC, collect, &paths) < 0) return p.Fail("cannot list the labels under " + labels);
  for (const std::string &rel : paths) {
    std::vector<long long> idx;
    const std::string      path = labels + "/" + rel;
    if (!ReadInts(file, path, &idx, p)) return false;
    for (long long q : idx)
      if (q < 0 || (size_t)q >= npoints) return p.Fail("the label dataset " + path + " names point " + std::to_string(q) + "; the mesh has points 0 to " + std::to_string(npoints - 1));
    if (rel.compare(0, 9, "celltype/") == 0) {
      const long long v = std::atoll(rel.c_str() + 9);
      if (v < 0 || v >= 32) return p.Fail("the celltype label has the value " + std::to_string(v) + ", which is no PETSc cell type");
    }
  }
  return true;
}

bool CheckCoordinates(const std::string &path, const std::vector<double> &x, Problem &p)
{
  for (size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i])) return p.Fail(path + " entry " + std::to_string(i) + " is not finite");
  return true;
}

// 1.0.0: one row of /geometry/vertices per vertex (depth-0 point), 1 to 3 coordinates, at least the cells' dimension.
bool CheckGeometryV1(hid_t file, const Topology &t, long long cellDim, Problem &p)
{
  std::vector<double> x;
  size_t              rows, cols;
  if (!ReadDataset(file, "/geometry/vertices", false, &x, &rows, &cols, p)) return false;
  if (rows != t.vertices) return p.Fail("/geometry/vertices has " + std::to_string(rows) + " rows but the topology has " + std::to_string(t.vertices) + " vertices");
  if (cols < 1 || cols > 3 || (long long)cols < cellDim) return p.Fail("/geometry/vertices has " + std::to_string(cols) + " coordinates per vertex, but the cells are " + std::to_string(cellDim) + "-D (expected " + std::to_string(cellDim) + " to 3)");
  return CheckCoordinates("/geometry/vertices", x, p);
}

// 2.0.0: coordinates as a section (dof count and offset per point of the coordinate DM's order, which numbers
// mesh points) over a vector.
bool CheckGeometryV2(hid_t file, const std::string &base, size_t npoints, Problem &p)
{
  const std::string      dm = base + "/dms/coordinateDM";
  std::vector<long long> order, dof, off;
  std::vector<double>    x;
  size_t                 rows, cols;
  if (!h5::LinkExists(file, dm.c_str())) return p.Fail("it has no coordinates (" + dm + ")");
  if (!ReadInts(file, dm + "/order", &order, p) || !ReadInts(file, dm + "/section/atlasDof", &dof, p) || !ReadInts(file, dm + "/section/atlasOff", &off, p)) return false;
  if (!ReadDataset(file, dm + "/vecs/coordinates/coordinates", false, &x, &rows, &cols, p)) return false;
  if (dof.size() != order.size() || off.size() != order.size() || order.size() > npoints) return p.Fail("the coordinate section under " + dm + " does not have one entry per point of its order");
  for (size_t i = 0; i < order.size(); ++i) {
    if (order[i] < 0 || (size_t)order[i] >= npoints) return p.Fail(dm + "/order entry " + std::to_string(i) + " is out of range");
    if (dof[i] < 0 || dof[i] > 3 || off[i] < 0 || (size_t)(off[i] + dof[i]) > x.size()) return p.Fail("the coordinate section under " + dm + " points past its vector (point " + std::to_string(i) + ")");
  }
  // The section's fields (PETSc sizes its arrays by these attributes): one to three coordinates each, and each
  // field's part of the section (field0, ...) inside the point's part.
  long long nfields = 0;
  if (!h5::ReadIntAttribute(file, (dm + "/section").c_str(), "numFields", &nfields) || nfields < 1 || nfields > 3) return p.Fail("the coordinate section under " + dm + " needs an integer attribute numFields from 1 to 3");
  for (int f = 0; f < nfields; ++f) {
    const std::string      field = dm + "/section/field" + std::to_string(f);
    std::vector<long long> fdof, foff;
    long long              components = 0;
    if (!h5::LinkExists(file, field.c_str())) return p.Fail("the coordinate section has no " + field);
    if (!h5::ReadIntAttribute(file, field.c_str(), "fieldComponents", &components) || components < 1 || components > 3) return p.Fail(field + " needs an integer attribute fieldComponents from 1 to 3");
    if (!ReadInts(file, field + "/atlasDof", &fdof, p) || !ReadInts(file, field + "/atlasOff", &foff, p)) return false;
    if (fdof.size() != order.size() || foff.size() != order.size()) return p.Fail("the coordinate section's " + field + " does not have one entry per point of its order");
    for (size_t i = 0; i < order.size(); ++i)
      if (fdof[i] < 0 || fdof[i] > dof[i] || foff[i] < off[i] || foff[i] + fdof[i] > off[i] + dof[i]) return p.Fail("the coordinate section's " + field + " points outside its section (point " + std::to_string(i) + ")");
  }
  return CheckCoordinates(dm + "/vecs/coordinates/coordinates", x, p);
}

bool CheckNative(hid_t file, const std::string &top, bool v2, Problem &p)
{
  const std::string base = top + "/topology";
  Topology          t;
  std::vector<Shape> shape;
  long long         cellDim = 0;
  if (!ReadTopology(file, base, t, p) || !Stratify(base, t, shape, p) || !CheckOrientations(base, t, shape, p)) return false;
  if (!h5::ReadIntAttribute(file, (base + "/cells").c_str(), "cell_dim", &cellDim)) return p.Fail(base + "/cells has no integer attribute cell_dim");
  int maxDepth = 0;
  for (size_t i = 0; i < t.depth.size(); ++i) {
    maxDepth = std::max(maxDepth, t.depth[i]);
    t.vertices += t.depth[i] == 0;
  }
  if (cellDim < 1 || cellDim > 3) return p.Fail(base + "/cells says cell_dim = " + std::to_string(cellDim) + "; petal reads 1-, 2- and 3-D meshes");
  if (maxDepth != cellDim && maxDepth != 1) return p.Fail("the topology is " + std::to_string(maxDepth) + " levels deep, but cell_dim says " + std::to_string(cellDim));
  if (!CheckLabels(file, v2 ? top : "", t.cones.size(), p)) return false;
  return v2 ? CheckGeometryV2(file, top, t.cones.size(), p) : CheckGeometryV1(file, t, cellDim, p);
}

bool CheckXdmf(hid_t file, Problem &p)
{
  std::vector<long long> cells;
  std::vector<double>    x;
  size_t                 ncells, corners, nverts, cdim;
  if (!ReadDataset(file, "/viz/topology/cells", true, &cells, &ncells, &corners, p) || !ReadDataset(file, "/geometry/vertices", false, &x, &nverts, &cdim, p)) return false;
  if (ncells == 0 || corners < 2 || corners > 8) return p.Fail("/viz/topology/cells has shape " + std::to_string(ncells) + "x" + std::to_string(corners) + "; expected cells x (2 to 8 corners)");
  if (cdim < 1 || cdim > 3) return p.Fail("/geometry/vertices has " + std::to_string(cdim) + " coordinates per vertex (expected 1 to 3)");
  // PETSc reads the cells' dimension from this attribute when it is there (0 crashes its loader).
  for (const char *attr : {"cell_dim", "cell_corners"}) {
    long long v = 0;
    if (H5Aexists_by_name(file, "/viz/topology/cells", attr, H5P_DEFAULT) <= 0) continue;
    const bool ok = h5::ReadIntAttribute(file, "/viz/topology/cells", attr, &v) && (attr[5] == 'd' ? (v >= 1 && v <= 3) : v == (long long)corners);
    if (!ok) return p.Fail(std::string("/viz/topology/cells has a bad attribute ") + attr + (attr[5] == 'd' ? " (an integer from 1 to 3)" : " (the number of corners of its cells)"));
  }
  for (size_t k = 0; k < cells.size(); ++k)
    if (cells[k] < 0 || (size_t)cells[k] >= nverts) return p.Fail("/viz/topology/cells entry " + std::to_string(k) + " names vertex " + std::to_string(cells[k]) + "; the file has " + std::to_string(nverts));
  return CheckCoordinates("/geometry/vertices", x, p);
}

} // namespace

PetscErrorCode CheckPlexFile(const char filename[], bool xdmf, const char name[])
{
  Problem p;
  PetscFunctionBegin;
  {
    h5::Quiet  quiet;
    Handle     file(H5Fopen(filename, H5F_ACC_RDONLY, H5P_DEFAULT));
    const bool v2 = !xdmf && h5::LinkExists(file, "/topologies");
    if (!file.valid()) p.Fail("HDF5 cannot open it (truncated or damaged?)");
    else if (xdmf) CheckXdmf(file, p);
    else CheckNative(file, v2 ? std::string("/topologies/") + name : std::string(""), v2, p);
  }
  PetscCheck(p.why.empty(), PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "%s", p.why.c_str());
  PetscFunctionReturn(0);
}
} // namespace petal::mesh
