#pragma once
/* Small helpers around the HDF5 C API: the one home of every HDF5 access in the library (mesh files,
 * PCBANDITSOR's learner state, OT problems and results, time-series output). Internal: not installed,
 * and drivers do not include it (they go through the public readers and writers in include/petal/).
 *
 * Why: HDF5 reports failures through return codes and, by default, prints its own error stack to stderr.
 * petal wants every failure to be a PETSc error naming the file, so these helpers (1) close handles
 * automatically, so that PetscCall's early returns never leak an open file, and (2) silence HDF5's
 * automatic error printing while petal's calls run.
 *
 * Collective files (opened with the MPI-IO driver) need one more rule: closing them is collective, and a
 * Handle closes in its destructor. A section that holds such a file therefore never returns early on one
 * rank: it collects its failures in a flag, agrees on it (MPI_Allreduce) and then returns or raises on
 * every rank together, so that the destructors run everywhere at once. Files opened by one rank (the
 * default POSIX driver) have no such constraint. */
#include <hdf5.h>
#include <petscsys.h>
#include <string>
#include <vector>

namespace petal
{
namespace h5
{

/* Owns one HDF5 identifier of any kind and closes it with the matching H5?close when it goes away. */
class Handle {
public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) { }
  Handle(const Handle &)            = delete;
  Handle &operator=(const Handle &) = delete;
  ~Handle() { reset(); }
  Handle &operator=(hid_t id)
  {
    reset();
    id_ = id;
    return *this;
  }
  operator hid_t() const { return id_; }
  hid_t release() // gives up ownership, e.g. to check H5Fclose's result
  {
    hid_t id = id_;
    id_      = H5I_INVALID_HID;
    return id;
  }
  bool valid() const { return id_ >= 0; }
  void reset()
  {
    if (id_ >= 0) {
      switch (H5Iget_type(id_)) {
      case H5I_FILE: H5Fclose(id_); break;
      case H5I_GROUP: H5Gclose(id_); break;
      case H5I_DATASET: H5Dclose(id_); break;
      case H5I_DATASPACE: H5Sclose(id_); break;
      case H5I_DATATYPE: H5Tclose(id_); break;
      case H5I_ATTR: H5Aclose(id_); break;
      case H5I_GENPROP_LST: H5Pclose(id_); break;
      default: break;
      }
    }
    id_ = H5I_INVALID_HID;
  }

private:
  hid_t id_ = H5I_INVALID_HID;
};

/* Turns HDF5's automatic error printing off for its lifetime and restores the previous handler after. */
class Quiet {
public:
  Quiet()
  {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~Quiet() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  Quiet(const Quiet &)            = delete;
  Quiet &operator=(const Quiet &) = delete;

private:
  H5E_auto2_t func_ = nullptr;
  void       *data_ = nullptr;
};

/* True if path (absolute, e.g. "/grid/shape") names an existing link, checking each parent in turn:
 * H5Lexists fails rather than answering "no" when an intermediate group is missing. */
bool LinkExists(hid_t file, const char path[]);

/* True if the file can be opened by HDF5 (false for missing, unreadable or non-HDF5 files). */
bool IsHDF5(const char filename[]);

/* Reads a string attribute (fixed or variable length) of the object at path; false if absent/unreadable. */
bool ReadStringAttribute(hid_t file, const char path[], const char name[], std::string *value);

/* Reads an integer attribute converted to long long; false if absent/unreadable. */
bool ReadIntAttribute(hid_t file, const char path[], const char name[], long long *value);

/* Writes a scalar attribute on the object at path. Return < 0 on failure. */
herr_t WriteStringAttribute(hid_t file, const char path[], const char name[], const char value[]);
herr_t WriteIntAttribute(hid_t file, const char path[], const char name[], long long value);

/* Dimensions of a dataset, or false if it does not exist or cannot be opened. */
bool DatasetDims(hid_t file, const char path[], std::vector<hsize_t> *dims);

/* Formats dims as "12x10". */
std::string DimsString(const std::vector<hsize_t> &dims);

} // namespace h5
} // namespace petal
