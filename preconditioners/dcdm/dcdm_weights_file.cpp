// The DCDM weights file ("petal-dcdm-weights", version 1; include/petal/dcdm_weights.hpp, layout in
// preconditioners/dcdm/README.md): PetalDCDMWeightsLoad and PetalDCDMWeightsSave.
//
// Loading is a fuzz target: rank 0 opens and checks everything (format attributes, architecture attributes ->
// NetSpec, the convNN groups present against the architecture, each dataset's class, precision, rank, shape and
// stored size, finite values) before anything is broadcast, so that a bad file is one clear error, the same on
// every rank, naming the file and the problem. Then the weights (float32, about 0.6 MB) are broadcast.
#include <petal/dcdm_weights.hpp>
#include <petal/io.h>
#include "core/file_verdict.hpp"
#include "core/h5_dataset.hpp"
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

namespace petal {
namespace {
using h5::Handle;
using cnn::ConvShape;
using cnn::NetSpec;
using cnn::Weights;

constexpr const char *kFormat  = "petal-dcdm-weights";
constexpr long long   kVersion = 1;
// Caps checked before anything is allocated: C <= 256 (cnn::Validate) bounds every kernel by 27*256*256.
constexpr unsigned long long kMaxKernel = 27ull * 256 * 256;
constexpr size_t             kMaxText   = 1 << 16; // command and other strings
constexpr hsize_t            kMaxLinks  = 4096;    // members of /dcdm looked at

// ---- small attribute readers that say what is wrong ("" when fine) ----
std::string StringAttr(hid_t f, const char *path, const char *name, bool required, std::string *v)
{
  const std::string what = std::string("attribute ") + name + " of " + path;
  if (H5Aexists_by_name(f, path, name, H5P_DEFAULT) <= 0) return required ? what + " is missing" : "";
  {
    Handle a(H5Aopen_by_name(f, path, name, H5P_DEFAULT, H5P_DEFAULT));
    Handle t(a.valid() ? H5Aget_type(a) : H5I_INVALID_HID);
    if (!t.valid() || H5Tget_class(t) != H5T_STRING) return what + " must be a string";
    if (H5Tis_variable_str(t) <= 0 && H5Tget_size(t) > kMaxText) return what + " is too long";
  }
  if (!h5::ReadStringAttribute(f, path, name, v)) return what + " must be one string";
  if (v->size() > kMaxText) return what + " is too long";
  return "";
}

std::string IntAttr(hid_t f, const char *path, const char *name, bool required, long long *v)
{
  const std::string what = std::string("attribute ") + name + " of " + path;
  if (H5Aexists_by_name(f, path, name, H5P_DEFAULT) <= 0) return required ? what + " is missing" : "";
  if (!h5::ReadIntAttribute(f, path, name, v)) return what + " must be one integer";
  return "";
}

std::string RealAttr(hid_t f, const char *path, const char *name, double *v)
{
  const std::string what = std::string("attribute ") + name + " of " + path;
  if (H5Aexists_by_name(f, path, name, H5P_DEFAULT) <= 0) return "";
  Handle a(H5Aopen_by_name(f, path, name, H5P_DEFAULT, H5P_DEFAULT));
  Handle t(a.valid() ? H5Aget_type(a) : H5I_INVALID_HID), s(a.valid() ? H5Aget_space(a) : H5I_INVALID_HID);
  if (!t.valid() || !s.valid()) return what + " cannot be opened";
  const H5T_class_t c = H5Tget_class(t);
  if ((c != H5T_FLOAT && c != H5T_INTEGER) || H5Sget_simple_extent_npoints(s) != 1) return what + " must be one number";
  if (H5Aread(a, H5T_NATIVE_DOUBLE, v) < 0) return what + " cannot be read";
  return "";
}

herr_t WriteInt64Attr(hid_t f, const char *path, const char *name, long long v)
{
  Handle s(H5Screate(H5S_SCALAR));
  Handle a(H5Acreate_by_name(f, path, name, H5T_STD_I64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  return a.valid() ? H5Awrite(a, H5T_NATIVE_LLONG, &v) : -1;
}

herr_t WriteRealAttr(hid_t f, const char *path, const char *name, double v)
{
  Handle s(H5Screate(H5S_SCALAR));
  Handle a(H5Acreate_by_name(f, path, name, H5T_IEEE_F64LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  return a.valid() ? H5Awrite(a, H5T_NATIVE_DOUBLE, &v) : -1;
}

std::string Pairs(const NetSpec &s)
{
  return std::to_string(s.fine_pairs) + "/" + std::to_string(s.coarse_pairs) + "/" + std::to_string(s.up_pairs);
}

// ---- rank 0: reading and checking ----
std::string ReadFormat(hid_t f)
{
  std::string format;
  long long   version = 0;
  std::string why     = StringAttr(f, "/", "petal_format", true, &format);
  if (!why.empty() || format != kFormat) return std::string("it is not a petal DCDM weights file (no root attribute petal_format = \"") + kFormat + "\")";
  why = IntAttr(f, "/", "petal_format_version", true, &version);
  if (!why.empty()) return why;
  if (version != kVersion) return "it has petal_format_version " + std::to_string(version) + "; this petal reads version " + std::to_string(kVersion);
  return "";
}

std::string ReadSpec(hid_t f, NetSpec *spec, DCDMTrainingInfo *info)
{
  H5O_info_t oi;
  if (!h5::LinkExists(f, "/dcdm") || H5Oget_info_by_name(f, "/dcdm", &oi, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_GROUP) return "the group /dcdm is missing";
  std::string why, norm;
  long long   channels = 0, fine = 0, coarse = 0, up = 0, kernel = 0;
  if (why.empty()) why = StringAttr(f, "/dcdm", "arch", true, &spec->arch);
  if (why.empty()) why = IntAttr(f, "/dcdm", "channels", true, &channels);
  if (why.empty()) why = IntAttr(f, "/dcdm", "fine_pairs", true, &fine);
  if (why.empty()) why = IntAttr(f, "/dcdm", "coarse_pairs", true, &coarse);
  if (why.empty()) why = IntAttr(f, "/dcdm", "up_pairs", true, &up);
  if (why.empty()) why = IntAttr(f, "/dcdm", "kernel", true, &kernel);
  if (why.empty()) why = StringAttr(f, "/dcdm", "input_norm", true, &norm);
  if (!why.empty()) return why;
  if (kernel != 3) return "attribute kernel of /dcdm is " + std::to_string(kernel) + "; the network's convolutions are 3x3x3";
  if (norm != "l2") return "attribute input_norm of /dcdm is \"" + norm + "\"; only \"l2\" (unit 2-norm input) is supported";
  auto clamp     = [](long long v) { return (int)std::max<long long>(std::min<long long>(v, 1 << 20), -(1 << 20)); }; // Validate names the bad value
  spec->channels = clamp(channels), spec->fine_pairs = clamp(fine), spec->coarse_pairs = clamp(coarse), spec->up_pairs = clamp(up);
  why = cnn::Validate(*spec);
  if (!why.empty()) return "the architecture attributes of /dcdm are invalid: " + why;
  // Training record: optional (an imported model has none), but of the right types when present.
  if (why.empty()) why = IntAttr(f, "/dcdm", "trained_N", false, &info->trained_N);
  if (why.empty()) why = StringAttr(f, "/dcdm", "train_matrix", false, &info->train_matrix);
  if (why.empty()) why = IntAttr(f, "/dcdm", "lanczos_steps", false, &info->lanczos_steps);
  if (why.empty()) why = IntAttr(f, "/dcdm", "ritz_theta", false, &info->ritz_theta);
  if (why.empty()) why = IntAttr(f, "/dcdm", "samples", false, &info->samples);
  if (why.empty()) why = IntAttr(f, "/dcdm", "epochs", false, &info->epochs);
  if (why.empty()) why = RealAttr(f, "/dcdm", "final_loss", &info->final_loss);
  if (why.empty()) why = StringAttr(f, "/dcdm", "command", false, &info->command);
  return why;
}

// "conv05" -> 5; -1 for names that are not conv followed by digits only.
int ConvIndex(const std::string &name)
{
  if (name.size() < 6 || name.size() > 9 || name.compare(0, 4, "conv") != 0) return -1;
  for (size_t i = 4; i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return -1;
  return std::atoi(name.c_str() + 4);
}

std::string Range(int n) { return n == 1 ? cnn::ConvName(0) : cnn::ConvName(0) + ".." + cnn::ConvName(n - 1); }

// The convNN members of /dcdm must be exactly conv00 .. conv(n-1) of the architecture.
std::string CheckConvGroups(hid_t f, const NetSpec &spec)
{
  H5G_info_t gi;
  if (H5Gget_info_by_name(f, "/dcdm", &gi, H5P_DEFAULT) < 0) return "the group /dcdm cannot be listed";
  if (gi.nlinks > kMaxLinks) return "the group /dcdm has " + std::to_string((unsigned long long)gi.nlinks) + " members, more than this reader accepts";
  const int     n = (int)cnn::ConvShapes(spec).size();
  std::set<int> present;
  std::string   extra;
  for (hsize_t i = 0; i < gi.nlinks; ++i) {
    char    name[64] = {0};
    ssize_t len      = H5Lget_name_by_idx(f, "/dcdm", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
    if (len < 0) return "the group /dcdm cannot be listed";
    if (len >= (ssize_t)sizeof name) continue; // not a convNN name
    const std::string s(name);
    if (s.compare(0, 4, "conv") != 0) continue; // other members are ignored (room for later additions)
    const int k = ConvIndex(s);
    if (k < 0 || k >= n || cnn::ConvName(k) != s) {
      if (extra.empty()) extra = s;
    } else present.insert(k);
  }
  const std::string arch = "arch \"" + spec.arch + "\" (channels " + std::to_string(spec.channels) + ", fine/coarse/up pairs " + Pairs(spec) + ") has " + std::to_string(n) + " convolutions " + Range(n);
  if (!extra.empty()) return arch + ", but the file also holds /dcdm/" + extra + " (weights of another architecture?)";
  for (int k = 0; k < n; ++k)
    if (!present.count(k)) return arch + ", but /dcdm/" + cnn::ConvName(k) + " is missing";
  return "";
}

// One dataset of a conv group: class float, 4 or 8 bytes, the expected dimensions, data present; read as float.
std::string ReadArray(hid_t f, const std::string &path, const std::vector<hsize_t> &want, std::vector<float> *out)
{
  std::vector<hsize_t> dims;
  unsigned long long   count = 1;
  for (hsize_t d : want) count *= d;
  std::string why = h5::CheckDataset(f, path.c_str(), h5::Kind::FLOAT, (int)want.size(), kMaxKernel, &dims);
  if (!why.empty()) return why;
  {
    Handle d(H5Dopen2(f, path.c_str(), H5P_DEFAULT)), t(H5Dget_type(d));
    const size_t size = H5Tget_size(t);
    if (size != 4 && size != 8) return "dataset " + path + " holds " + std::to_string(size * 8) + "-bit floating-point numbers; only float32 and float64 are accepted";
  }
  if (dims != want) return "dataset " + path + " is " + h5::DimsString(dims) + ", the architecture needs " + h5::DimsString(want);
  std::vector<double> v(count);
  {
    Handle d(H5Dopen2(f, path.c_str(), H5P_DEFAULT));
    if (!d.valid() || H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0) return "dataset " + path + " cannot be read (damaged or truncated)";
  }
  out->resize(count);
  for (size_t i = 0; i < count; ++i) {
    // float64 weights are used in float32: a finite value beyond its range would turn into infinity.
    if (std::isfinite(v[i]) && std::fabs(v[i]) > FLT_MAX) return "dataset " + path + " value " + std::to_string(i) + " (" + std::to_string(v[i]) + ") is beyond the float32 range";
    (*out)[i] = (float)v[i];
  }
  return "";
}

std::string ReadConvs(hid_t f, Weights *w)
{
  const std::vector<ConvShape> shapes = cnn::ConvShapes(w->spec);
  w->convs.resize(shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) {
    const ConvShape  &s     = shapes[i];
    const std::string group = "/dcdm/" + cnn::ConvName((int)i);
    const hsize_t     k     = (hsize_t)s.ksize;
    w->convs[i].shape       = s;
    std::string why         = ReadArray(f, group + "/kernel", {k, k, k, (hsize_t)s.cin, (hsize_t)s.cout}, &w->convs[i].kernel);
    if (why.empty()) why = ReadArray(f, group + "/bias", {(hsize_t)s.cout}, &w->convs[i].bias);
    if (!why.empty()) return why;
  }
  return cnn::Check(*w);
}

// Rank 0: "" and the weights, or the problem; *code is the PETSc error code to raise.
std::string ReadFile(const char *filename, Weights *w, DCDMTrainingInfo *info, PetscErrorCode *code)
{
  *code = PETSC_ERR_FILE_OPEN;
  FILE *fp = std::fopen(filename, "rb");
  if (!fp) return std::string("cannot open it: ") + std::strerror(errno);
  std::fclose(fp);
  *code = PETSC_ERR_FILE_UNEXPECTED;
  h5::Quiet quiet;
  if (!h5::IsHDF5(filename)) return "it is not an HDF5 file";
  Handle f(H5Fopen(filename, H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!f.valid()) return "HDF5 cannot open it (damaged or truncated)";
  std::string why = ReadFormat(f);
  if (why.empty()) why = ReadSpec(f, &w->spec, info);
  if (why.empty()) why = CheckConvGroups(f, w->spec);
  if (why.empty()) why = ReadConvs(f, w);
  return why;
}

// ---- broadcast from rank 0 ----
PetscErrorCode BcastString(MPI_Comm comm, std::string *s)
{
  long long n = (long long)s->size();
  PetscFunctionBegin;
  PetscCallMPI(MPI_Bcast(&n, 1, MPI_LONG_LONG, 0, comm));
  s->resize((size_t)n);
  if (n > 0) PetscCallMPI(MPI_Bcast(&(*s)[0], (int)n, MPI_CHAR, 0, comm));
  PetscFunctionReturn(0);
}

PetscErrorCode BcastWeights(MPI_Comm comm, Weights *w, DCDMTrainingInfo *info)
{
  PetscFunctionBegin;
  PetscCall(BcastString(comm, &w->spec.arch));
  int ints[4] = {w->spec.channels, w->spec.fine_pairs, w->spec.coarse_pairs, w->spec.up_pairs};
  PetscCallMPI(MPI_Bcast(ints, 4, MPI_INT, 0, comm));
  w->spec.channels = ints[0], w->spec.fine_pairs = ints[1], w->spec.coarse_pairs = ints[2], w->spec.up_pairs = ints[3];
  const std::vector<ConvShape> shapes = cnn::ConvShapes(w->spec); // rank 0 checked the spec
  w->convs.resize(shapes.size());
  for (size_t i = 0; i < shapes.size(); ++i) {
    cnn::ConvWeights &c = w->convs[i];
    c.shape             = shapes[i];
    c.kernel.resize((size_t)c.shape.ksize * c.shape.ksize * c.shape.ksize * c.shape.cin * c.shape.cout);
    c.bias.resize((size_t)c.shape.cout);
    PetscCallMPI(MPI_Bcast(c.kernel.data(), (int)c.kernel.size(), MPI_FLOAT, 0, comm));
    PetscCallMPI(MPI_Bcast(c.bias.data(), (int)c.bias.size(), MPI_FLOAT, 0, comm));
  }
  long long counts[5] = {info->trained_N, info->lanczos_steps, info->ritz_theta, info->samples, info->epochs};
  PetscCallMPI(MPI_Bcast(counts, 5, MPI_LONG_LONG, 0, comm));
  info->trained_N = counts[0], info->lanczos_steps = counts[1], info->ritz_theta = counts[2], info->samples = counts[3], info->epochs = counts[4];
  PetscCallMPI(MPI_Bcast(&info->final_loss, 1, MPI_DOUBLE, 0, comm));
  PetscCall(BcastString(comm, &info->train_matrix));
  PetscCall(BcastString(comm, &info->command));
  PetscFunctionReturn(0);
}

// ---- rank 0: writing ----
bool WriteArray(hid_t group, const char *name, const std::vector<hsize_t> &dims, const std::vector<float> &v)
{
  Handle s(H5Screate_simple((int)dims.size(), dims.data(), nullptr));
  Handle d(H5Dcreate2(group, name, H5T_IEEE_F32LE, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  return d.valid() && H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) >= 0;
}

// Writes the whole file to `file` (the temporary name); false if HDF5 failed anywhere.
bool WriteFile(const char *file, const Weights &w, const DCDMTrainingInfo &info)
{
  h5::Quiet quiet;
  Handle    f(H5Fcreate(file, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
  if (!f.valid()) return false;
  bool ok = true;
  {
    Handle g(H5Gcreate2(f, "dcdm", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    ok = g.valid();
    ok = ok && h5::WriteStringAttribute(f, "/", "petal_format", kFormat) >= 0 && h5::WriteIntAttribute(f, "/", "petal_format_version", kVersion) >= 0;
    ok = ok && h5::WriteStringAttribute(f, "/dcdm", "arch", w.spec.arch.c_str()) >= 0 && h5::WriteIntAttribute(f, "/dcdm", "channels", w.spec.channels) >= 0;
    ok = ok && h5::WriteIntAttribute(f, "/dcdm", "fine_pairs", w.spec.fine_pairs) >= 0 && h5::WriteIntAttribute(f, "/dcdm", "coarse_pairs", w.spec.coarse_pairs) >= 0;
    ok = ok && h5::WriteIntAttribute(f, "/dcdm", "up_pairs", w.spec.up_pairs) >= 0 && h5::WriteIntAttribute(f, "/dcdm", "kernel", 3) >= 0;
    ok = ok && h5::WriteStringAttribute(f, "/dcdm", "input_norm", "l2") >= 0;
    ok = ok && WriteInt64Attr(f, "/dcdm", "trained_N", info.trained_N) >= 0 && h5::WriteStringAttribute(f, "/dcdm", "train_matrix", info.train_matrix.c_str()) >= 0;
    ok = ok && WriteInt64Attr(f, "/dcdm", "lanczos_steps", info.lanczos_steps) >= 0 && WriteInt64Attr(f, "/dcdm", "ritz_theta", info.ritz_theta) >= 0;
    ok = ok && WriteInt64Attr(f, "/dcdm", "samples", info.samples) >= 0 && WriteInt64Attr(f, "/dcdm", "epochs", info.epochs) >= 0;
    ok = ok && WriteRealAttr(f, "/dcdm", "final_loss", info.final_loss) >= 0 && h5::WriteStringAttribute(f, "/dcdm", "command", info.command.c_str()) >= 0;
    for (size_t i = 0; ok && i < w.convs.size(); ++i) {
      const cnn::ConvWeights &c = w.convs[i];
      const hsize_t           k = (hsize_t)c.shape.ksize;
      Handle                  cg(H5Gcreate2(g, cnn::ConvName((int)i).c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
      ok = cg.valid() && WriteArray(cg, "kernel", {k, k, k, (hsize_t)c.shape.cin, (hsize_t)c.shape.cout}, c.kernel) && WriteArray(cg, "bias", {(hsize_t)c.shape.cout}, c.bias);
    }
  }
  return H5Fclose(f.release()) >= 0 && ok;
}
} // namespace
} // namespace petal

PetscErrorCode PetalDCDMWeightsLoad(MPI_Comm comm, const char filename[], petal::cnn::Weights *w, petal::DCDMTrainingInfo *info)
{
  PetscMPIInt    rank;
  std::string    why;
  PetscErrorCode code = 0;

  PetscFunctionBegin;
  PetscCheck(filename && filename[0], comm, PETSC_ERR_ARG_NULL, "PetalDCDMWeightsLoad: no weights file given");
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  *w    = petal::cnn::Weights();
  *info = petal::DCDMTrainingInfo();
  if (rank == 0) why = petal::ReadFile(filename, w, info, &code);
  if (why.empty()) code = 0;
  PetscCall(petal::RaiseVerdict(comm, code, why.empty() ? why : "cannot load DCDM weights from \"" + std::string(filename) + "\": " + why));
  PetscCall(petal::BcastWeights(comm, w, info));
  PetscFunctionReturn(0);
}

PetscErrorCode PetalDCDMWeightsSave(MPI_Comm comm, const char filename[], const petal::cnn::Weights &w, const petal::DCDMTrainingInfo &info)
{
  PetscMPIInt rank;
  char        tmp[PETSC_MAX_PATH_LEN];
  int         failed = 0;

  PetscFunctionBegin;
  PetscCheck(filename && filename[0], comm, PETSC_ERR_ARG_NULL, "PetalDCDMWeightsSave: no file name given");
  // Every rank holds the same weights, so every rank reaches the same verdict without communicating.
  const std::string why = petal::cnn::Check(w);
  PetscCheck(why.empty(), comm, PETSC_ERR_ARG_WRONG, "cannot save DCDM weights to \"%s\": %s", filename, why.c_str());
  PetscCheck(info.train_matrix.size() <= petal::kMaxText && info.command.size() <= petal::kMaxText, comm, PETSC_ERR_ARG_SIZ, "cannot save DCDM weights to \"%s\": train_matrix or command is longer than %zu characters", filename, petal::kMaxText);
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  PetscCall(PetalAtomicFileTempName(filename, tmp, sizeof tmp));
  if (rank == 0) failed = !petal::WriteFile(tmp, w, info);
  PetscCallMPI(MPI_Bcast(&failed, 1, MPI_INT, 0, comm));
  if (failed) {
    PetscCall(PetalAtomicFileAbort(comm, tmp));
    SETERRQ(comm, PETSC_ERR_FILE_WRITE, "cannot save DCDM weights to \"%s\": HDF5 failed to write %s on rank 0 (does its folder exist, and may this user write there?)", filename, tmp);
  }
  PetscCall(PetalAtomicFileCommit(comm, tmp, filename));
  PetscFunctionReturn(0);
}
