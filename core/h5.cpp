// HDF5 helpers shared by the library (see h5.hpp). Callers hold a petal::h5::Quiet while they run.
#include "core/h5.hpp"
#include <cstdio>

namespace petal
{
namespace h5
{

bool LinkExists(hid_t file, const char path[])
{
  const std::string p(path);
  for (size_t pos = p.find('/', 1); pos != std::string::npos; pos = p.find('/', pos + 1))
    if (H5Lexists(file, p.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
  return H5Lexists(file, path, H5P_DEFAULT) > 0;
}

bool IsHDF5(const char filename[])
{
  FILE *f = std::fopen(filename, "rb");
  if (!f) return false;
  std::fclose(f);
  return H5Fis_hdf5(filename) > 0;
}

bool ReadStringAttribute(hid_t file, const char path[], const char name[], std::string *value)
{
  if (H5Aexists_by_name(file, path, name, H5P_DEFAULT) <= 0) return false;
  Handle attr(H5Aopen_by_name(file, path, name, H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) return false;
  Handle type(H5Aget_type(attr));
  if (!type.valid() || H5Tget_class(type) != H5T_STRING) return false;
  Handle space(H5Aget_space(attr));
  if (H5Sget_simple_extent_npoints(space) != 1) return false;
  // HDF5 converts strings only between equal character sets: read in the file's (h5py writes UTF-8)
  const H5T_cset_t cset = H5Tget_cset(type);
  if (H5Tis_variable_str(type) > 0) {
    // h5py writes Python str attributes as variable-length strings
    Handle memtype(H5Tcopy(H5T_C_S1));
    H5Tset_size(memtype, H5T_VARIABLE);
    H5Tset_cset(memtype, cset);
    char *buf = nullptr;
    if (H5Aread(attr, memtype, &buf) < 0 || !buf) return false;
    *value = buf;
    H5free_memory(buf);
  } else {
    // one byte more than stored: a null-padded string (numpy.bytes_) that fills its size keeps its last
    // character when converted to a null-terminated one
    size_t            n = H5Tget_size(type);
    std::vector<char> buf(n + 1, '\0');
    Handle            memtype(H5Tcopy(H5T_C_S1));
    H5Tset_size(memtype, n + 1);
    H5Tset_strpad(memtype, H5T_STR_NULLTERM);
    H5Tset_cset(memtype, cset);
    if (H5Aread(attr, memtype, buf.data()) < 0) return false;
    *value = std::string(buf.data()); // stops at the first NUL of null-padded strings
  }
  return true;
}

bool ReadIntAttribute(hid_t file, const char path[], const char name[], long long *value)
{
  if (H5Aexists_by_name(file, path, name, H5P_DEFAULT) <= 0) return false;
  Handle attr(H5Aopen_by_name(file, path, name, H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) return false;
  Handle type(H5Aget_type(attr));
  if (!type.valid() || H5Tget_class(type) != H5T_INTEGER) return false;
  Handle space(H5Aget_space(attr));
  if (H5Sget_simple_extent_npoints(space) != 1) return false;
  return H5Aread(attr, H5T_NATIVE_LLONG, value) >= 0;
}

herr_t WriteStringAttribute(hid_t file, const char path[], const char name[], const char value[])
{
  Handle type(H5Tcopy(H5T_C_S1));
  if (H5Tset_size(type, std::string(value).size() + 1) < 0) return -1;
  if (H5Tset_strpad(type, H5T_STR_NULLTERM) < 0) return -1;
  Handle space(H5Screate(H5S_SCALAR));
  Handle attr(H5Acreate_by_name(file, path, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) return -1;
  return H5Awrite(attr, type, value);
}

herr_t WriteIntAttribute(hid_t file, const char path[], const char name[], long long value)
{
  Handle space(H5Screate(H5S_SCALAR));
  Handle attr(H5Acreate_by_name(file, path, name, H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) return -1;
  return H5Awrite(attr, H5T_NATIVE_LLONG, &value);
}

bool DatasetDims(hid_t file, const char path[], std::vector<hsize_t> *dims)
{
  if (!LinkExists(file, path)) return false;
  Handle dset(H5Dopen2(file, path, H5P_DEFAULT));
  if (!dset.valid()) return false;
  Handle space(H5Dget_space(dset));
  int    rank = H5Sget_simple_extent_ndims(space);
  if (rank < 0) return false;
  dims->assign(rank, 0);
  return rank == 0 || H5Sget_simple_extent_dims(space, dims->data(), nullptr) >= 0;
}

std::string DimsString(const std::vector<hsize_t> &dims)
{
  std::string s;
  for (size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string((unsigned long long)dims[i]);
  return dims.empty() ? std::string("scalar") : s;
}

} // namespace h5
} // namespace petal
