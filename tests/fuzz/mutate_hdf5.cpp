// HDF5 mutations for the fuzz harness (see mutate.hpp). Failures of a mutation are ignored: the input is then
// simply less mutated.
#include "mutate.hpp"
#include "core/h5.hpp"
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <vector>

namespace petal::fuzz {
namespace {
using h5::Handle;

struct Objects {
  std::vector<std::string>                         datasets, groups;
  std::vector<std::pair<std::string, std::string>> attributes; // (object path, attribute name)
};

herr_t Visit(hid_t, const char *name, const H5O_info_t *info, void *data)
{
  auto *o = static_cast<Objects *>(data);
  if (std::string(name) == ".") return 0;
  const std::string path = "/" + std::string(name);
  if (info->type == H5O_TYPE_DATASET) o->datasets.push_back(path);
  if (info->type == H5O_TYPE_GROUP) o->groups.push_back(path);
  return 0;
}

herr_t Attr(hid_t, const char *name, const H5A_info_t *, void *data)
{
  static_cast<std::vector<std::string> *>(data)->push_back(name);
  return 0;
}

Objects List(hid_t file)
{
  Objects o;
  H5Ovisit(file, H5_INDEX_NAME, H5_ITER_INC, Visit, &o);
  std::vector<std::string> all = o.datasets;
  all.insert(all.end(), o.groups.begin(), o.groups.end());
  all.push_back("/");
  for (const std::string &p : all) {
    std::vector<std::string> names;
    Handle                   obj(H5Oopen(file, p.c_str(), H5P_DEFAULT));
    if (obj.valid()) H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, Attr, &names);
    for (const std::string &n : names) o.attributes.emplace_back(p, n);
  }
  return o;
}

template <class T>
const T &Pick(const std::vector<T> &v, Random &rng) { return v[rng.Below(v.size())]; }

hssize_t Elements(hid_t dset)
{
  Handle space(H5Dget_space(dset));
  return H5Sget_simple_extent_npoints(space);
}

// Numeric contents as doubles (integers too: every value petal's files hold fits a double exactly).
bool ReadDoubles(hid_t file, const std::string &path, std::vector<double> *v, std::vector<hsize_t> *dims, H5T_class_t *cls)
{
  if (!h5::DatasetDims(file, path.c_str(), dims)) return false;
  Handle dset(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
  Handle type(H5Dget_type(dset));
  *cls         = H5Tget_class(type);
  hssize_t n   = Elements(dset);
  if ((*cls != H5T_INTEGER && *cls != H5T_FLOAT) || n < 0 || n > (1 << 24)) return false;
  v->resize((size_t)n);
  return n == 0 || H5Dread(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v->data()) >= 0;
}

// Replaces a dataset by one of the given file type and shape holding values (cut or zero-padded to fit).
bool Recreate(hid_t file, const std::string &path, hid_t filetype, const std::vector<hsize_t> &dims, std::vector<double> values)
{
  hsize_t n = 1;
  for (hsize_t d : dims) n *= d;
  values.resize((size_t)n, 0.0);
  if (H5Ldelete(file, path.c_str(), H5P_DEFAULT) < 0) return false;
  Handle space(dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple((int)dims.size(), dims.data(), nullptr));
  Handle dset(H5Dcreate2(file, path.c_str(), filetype, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  return dset.valid() && (n == 0 || H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
}

std::string SpecialValues(hid_t file, const Objects &o, Random &rng)
{
  const std::string   path = Pick(o.datasets, rng);
  std::vector<double> v;
  std::vector<hsize_t> dims;
  H5T_class_t          cls;
  if (!ReadDoubles(file, path, &v, &dims, &cls) || v.empty()) return "";
  const double inf = std::numeric_limits<double>::infinity();
  const double specials[] = {std::nan(""), inf, -inf, 0.0, -1.0, 1.0, 1e300, -1e300, 2147483647.0, -2147483648.0, 4294967296.0, (double)v.size(), (double)v.size() + 1, 255.0, 1e-310};
  const size_t count = 1 + rng.Below(3);
  for (size_t k = 0; k < count; ++k) v[rng.Below(v.size())] = specials[rng.Below(sizeof(specials) / sizeof(specials[0]))];
  Handle dset(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
  H5Dwrite(dset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  return "special values in " + path;
}

std::string Reshape(hid_t file, const Objects &o, Random &rng)
{
  const std::string    path = Pick(o.datasets, rng);
  std::vector<double>  v;
  std::vector<hsize_t> dims;
  H5T_class_t          cls;
  if (!ReadDoubles(file, path, &v, &dims, &cls)) return "";
  Handle dset(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
  Handle type(H5Dget_type(dset));
  Handle filetype(H5Tcopy(type));
  dset.reset();
  std::vector<hsize_t> nd = dims;
  switch (rng.Below(6)) {
  case 0: if (!nd.empty() && nd[0] > 0) nd[0] -= 1; break;
  case 1: if (!nd.empty()) nd[0] += 1 + rng.Below(3); break;
  case 2: if (!nd.empty()) nd[0] = 0; break;
  case 3: if (nd.size() == 2) std::swap(nd[0], nd[1]); else nd.push_back(1); break;
  case 4: nd = {(hsize_t)v.size()}; if (dims.size() == 1) nd.push_back(1); break;
  default: nd.clear(); break; // scalar
  }
  return Recreate(file, path, filetype, nd, v) ? "reshaped " + path + " to " + h5::DimsString(nd) : "";
}

std::string Retype(hid_t file, const Objects &o, Random &rng)
{
  const std::string    path = Pick(o.datasets, rng);
  std::vector<double>  v;
  std::vector<hsize_t> dims;
  H5T_class_t          cls;
  if (!ReadDoubles(file, path, &v, &dims, &cls)) return "";
  const hid_t types[] = {H5T_STD_I32LE, H5T_STD_U8LE, H5T_IEEE_F32LE, H5T_IEEE_F64LE, H5T_STD_I64LE, H5T_STD_U64LE, H5T_STD_I8LE};
  const hid_t t       = types[rng.Below(sizeof(types) / sizeof(types[0]))];
  return Recreate(file, path, t, dims, v) ? "retyped " + path : "";
}

std::string Delete(hid_t file, const Objects &o, Random &rng)
{
  const bool        group = !o.groups.empty() && rng.Chance(0.3);
  const std::string path  = group ? Pick(o.groups, rng) : Pick(o.datasets, rng);
  return H5Ldelete(file, path.c_str(), H5P_DEFAULT) >= 0 ? "deleted " + path : "";
}

std::string MutateAttribute(hid_t file, const Objects &o, Random &rng)
{
  if (o.attributes.empty()) return "";
  const auto &[obj, name] = Pick(o.attributes, rng);
  if (H5Adelete_by_name(file, obj.c_str(), name.c_str(), H5P_DEFAULT) < 0) return "";
  const std::string what = "attribute " + name + " of " + obj;
  switch (rng.Below(5)) {
  case 0: return "deleted " + what;
  case 1: return h5::WriteIntAttribute(file, obj.c_str(), name.c_str(), 99) >= 0 ? "set " + what + " to 99" : "";
  case 2: return h5::WriteIntAttribute(file, obj.c_str(), name.c_str(), -1) >= 0 ? "set " + what + " to -1" : "";
  case 3: return h5::WriteStringAttribute(file, obj.c_str(), name.c_str(), "garbage") >= 0 ? "set " + what + " to \"garbage\"" : "";
  default: {
    Handle space(H5Screate(H5S_SCALAR));
    Handle attr(H5Acreate_by_name(file, obj.c_str(), name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    double nan = std::nan("");
    return attr.valid() && H5Awrite(attr, H5T_NATIVE_DOUBLE, &nan) >= 0 ? "set " + what + " to NaN" : "";
  }
  }
}

// Contiguous raw data of a dataset: [offset, offset + size) in the file, or size 0.
void RawRange(hid_t file, const std::string &path, haddr_t *offset, hsize_t *size)
{
  Handle dset(H5Dopen2(file, path.c_str(), H5P_DEFAULT));
  *offset = dset.valid() ? H5Dget_offset(dset) : HADDR_UNDEF;
  *size   = dset.valid() && *offset != HADDR_UNDEF ? H5Dget_storage_size(dset) : 0;
}

std::string FlipRawBytes(const std::string &path, haddr_t offset, hsize_t size, Random &rng)
{
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  const int    count = 1 + (int)rng.Below(8);
  for (int k = 0; k < count && f; ++k) {
    f.seekg((std::streamoff)(offset + rng.Below(size)));
    char c;
    f.read(&c, 1);
    c = (char)(c ^ (char)(1u << rng.Below(8)));
    f.seekp(-1, std::ios::cur);
    f.write(&c, 1);
  }
  return "flipped raw data bytes";
}

} // namespace

std::string MutateHDF5(const std::string &path, Random &rng)
{
  h5::Quiet   quiet;
  std::string what;
  const int   count = 1 + (int)rng.Below(3);
  for (int m = 0; m < count; ++m) {
    const std::uint64_t kind = rng.Below(8);
    std::string         done;
    haddr_t             offset = HADDR_UNDEF;
    hsize_t             size   = 0;
    {
      Handle file(H5Fopen(path.c_str(), kind == 6 ? H5F_ACC_RDONLY : H5F_ACC_RDWR, H5P_DEFAULT));
      if (!file.valid()) break; // an earlier mutation truncated it
      const Objects o = List(file);
      if (o.datasets.empty()) break;
      switch (kind) {
      case 0:
      case 1: done = SpecialValues(file, o, rng); break;
      case 2: done = Reshape(file, o, rng); break;
      case 3: done = Retype(file, o, rng); break;
      case 4: done = Delete(file, o, rng); break;
      case 5: done = MutateAttribute(file, o, rng); break;
      case 6: RawRange(file, Pick(o.datasets, rng), &offset, &size); break;
      default: break;
      }
    }
    if (kind == 6 && size > 0) done = FlipRawBytes(path, offset, size, rng);
    if (kind == 7) {
      const auto bytes = std::filesystem::file_size(path);
      std::filesystem::resize_file(path, rng.Below(bytes));
      done = "truncated";
    }
    if (!done.empty()) what += (what.empty() ? "" : "; ") + done;
  }
  return what.empty() ? "unchanged" : what;
}

} // namespace petal::fuzz
