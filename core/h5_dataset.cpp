// Checked reads from HDF5 files that may be malformed (see h5_dataset.hpp).
#include "core/h5_dataset.hpp"

namespace petal
{
namespace h5
{
namespace
{
const char *KindName(Kind kind)
{
  switch (kind) {
  case Kind::INTEGER: return "integers";
  case Kind::FLOAT: return "floating-point numbers";
  default: return "bytes (8-bit integers)";
  }
}

std::string ClassProblem(const std::string &name, hid_t type, Kind kind)
{
  const H5T_class_t cls  = H5Tget_class(type);
  const size_t      size = H5Tget_size(type);
  bool              ok   = false;
  if (kind == Kind::INTEGER) ok = cls == H5T_INTEGER;
  else if (kind == Kind::FLOAT) ok = cls == H5T_FLOAT;
  else ok = cls == H5T_INTEGER && size == 1;
  if (ok) return "";
  const char *has = cls == H5T_INTEGER ? (size == 1 ? "bytes" : "integers") : cls == H5T_FLOAT ? "floating-point numbers" : cls == H5T_STRING ? "strings" : "values of another type";
  return name + " holds " + has + ", not " + KindName(kind);
}

// The file must hold the data of an unfiltered dataset: otherwise HDF5 reads fill values for what was never
// written, and a declared size with no data behind it is the cheapest way to ask for terabytes.
std::string StorageProblem(const std::string &name, hid_t dset, hid_t type, hssize_t npoints)
{
  Handle dcpl(H5Dget_create_plist(dset));
  if (!dcpl.valid()) return name + " cannot be inspected";
  if (H5Pget_nfilters(dcpl) > 0) return ""; // compressed: read in blocks, sizes capped by the caller
  const unsigned long long size = H5Tget_size(type);
  const unsigned long long need = size && (unsigned long long)npoints > ~0ull / size ? ~0ull : (unsigned long long)npoints * size;
  const unsigned long long have = H5Dget_storage_size(dset);
  if (have >= need) return "";
  return name + " declares " + std::to_string((long long)npoints) + " entries but the file holds only " + std::to_string(have) + " of their " + std::to_string(need) + " bytes (never written, or the file is truncated)";
}
} // namespace

std::string CheckDataset(hid_t file, const char path[], Kind kind, int rank, unsigned long long maxElements, std::vector<hsize_t> *dims)
{
  const std::string name = std::string("dataset ") + path;
  if (!LinkExists(file, path)) return name + " is missing";
  H5O_info_t info;
  if (H5Oget_info_by_name(file, path, &info, H5P_DEFAULT) < 0 || info.type != H5O_TYPE_DATASET) return std::string(path) + " is not a dataset";
  Handle d(H5Dopen2(file, path, H5P_DEFAULT));
  if (!d.valid()) return name + " cannot be opened";
  Handle type(H5Dget_type(d)), space(H5Dget_space(d));
  if (!type.valid() || !space.valid()) return name + " cannot be opened";
  const std::string cls = ClassProblem(name, type, kind);
  if (!cls.empty()) return cls;
  const int ndims = H5Sget_simple_extent_ndims(space);
  if (ndims != rank || H5Sget_simple_extent_type(space) != H5S_SIMPLE) return name + " must be a " + std::to_string(rank) + "-d array, it has " + std::to_string(ndims < 0 ? 0 : ndims) + " dimensions";
  dims->assign(rank, 0);
  if (H5Sget_simple_extent_dims(space, dims->data(), nullptr) < 0) return name + " has unreadable dimensions";
  const hssize_t npoints = H5Sget_simple_extent_npoints(space);
  if (npoints < 0 || (unsigned long long)npoints > maxElements) return name + " has " + DimsString(*dims) + " entries, more than the " + std::to_string(maxElements) + " this reader accepts";
  return StorageProblem(name, d, type, npoints);
}

bool ReadSlab(hid_t file, const char path[], hid_t memType, hsize_t row, hsize_t offset, hsize_t count, void *buf)
{
  if (count == 0) return true;
  Handle d(H5Dopen2(file, path, H5P_DEFAULT));
  if (!d.valid()) return false;
  Handle  fs(H5Dget_space(d));
  const int rank = H5Sget_simple_extent_ndims(fs);
  hsize_t start[2] = {row, offset}, cnt[2] = {1, count};
  if (rank == 1) start[0] = offset, cnt[0] = count;
  else if (rank != 2) return false;
  if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, nullptr, cnt, nullptr) < 0) return false;
  Handle ms(H5Screate_simple(1, &count, nullptr));
  return H5Dread(d, memType, ms, fs, H5P_DEFAULT, buf) >= 0;
}

namespace
{
template <class T>
std::string ReadWhole(hid_t file, const char path[], Kind kind, unsigned long long maxElements, hid_t memType, std::vector<T> *values)
{
  std::vector<hsize_t> dims;
  std::string          why = CheckDataset(file, path, kind, 1, maxElements, &dims);
  if (!why.empty()) return why;
  values->resize(dims[0]);
  if (!ReadSlab(file, path, memType, 0, 0, dims[0], values->data())) return std::string("dataset ") + path + " cannot be read";
  return "";
}
} // namespace

std::string ReadVector(hid_t file, const char path[], Kind kind, unsigned long long maxElements, std::vector<double> *values) { return ReadWhole(file, path, kind, maxElements, H5T_NATIVE_DOUBLE, values); }
std::string ReadVector(hid_t file, const char path[], Kind kind, unsigned long long maxElements, std::vector<long long> *values) { return ReadWhole(file, path, kind, maxElements, H5T_NATIVE_LLONG, values); }
std::string ReadVector(hid_t file, const char path[], unsigned long long maxBytes, std::string *bytes)
{
  std::vector<unsigned char> b;
  std::string                why = ReadWhole(file, path, Kind::BYTES, maxBytes, H5T_NATIVE_UCHAR, &b);
  bytes->assign(b.begin(), b.end());
  return why;
}

std::string CheckedNumericAttribute(hid_t file, const char name[], bool integer, size_t maxCount, bool *present, std::vector<double> *values)
{
  const std::string what = std::string("attribute /") + name;
  *present               = H5Aexists_by_name(file, "/", name, H5P_DEFAULT) > 0;
  if (!*present) return "";
  Handle a(H5Aopen_by_name(file, "/", name, H5P_DEFAULT, H5P_DEFAULT));
  if (!a.valid()) return what + " cannot be opened";
  Handle            type(H5Aget_type(a)), space(H5Aget_space(a));
  const H5T_class_t cls = H5Tget_class(type);
  if (cls != H5T_INTEGER && (integer || cls != H5T_FLOAT)) return what + (integer ? " must be an integer" : " must be numeric");
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  if (n < 1 || (size_t)n > maxCount || H5Sget_simple_extent_type(space) == H5S_NULL) return what + " must hold " + (maxCount == 1 ? "one value" : "at most " + std::to_string(maxCount) + " values");
  values->resize((size_t)n);
  if (H5Aread(a, H5T_NATIVE_DOUBLE, values->data()) < 0) return what + " cannot be read";
  return "";
}

std::string CheckedStringAttribute(hid_t file, const char name[], size_t maxLength, bool *present, std::string *value)
{
  const std::string what = std::string("attribute /") + name;
  *present               = H5Aexists_by_name(file, "/", name, H5P_DEFAULT) > 0;
  if (!*present) return "";
  {
    Handle a(H5Aopen_by_name(file, "/", name, H5P_DEFAULT, H5P_DEFAULT));
    Handle type(a.valid() ? H5Aget_type(a) : H5I_INVALID_HID);
    if (!type.valid() || H5Tget_class(type) != H5T_STRING) return what + " must be a string";
    if (H5Tis_variable_str(type) <= 0 && H5Tget_size(type) > maxLength) return what + " is longer than " + std::to_string(maxLength) + " characters";
  }
  if (!ReadStringAttribute(file, "/", name, value)) return what + " must be one string";
  if (value->size() > maxLength) return what + " is longer than " + std::to_string(maxLength) + " characters";
  return "";
}

} // namespace h5
} // namespace petal
