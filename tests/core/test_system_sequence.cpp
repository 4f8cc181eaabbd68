// Sequences of linear systems in HDF5 (include/petal/sequence.h), on 1 and 2 ranks:
//  - what PetalSequenceWriter writes, PetalSequenceReader reads back exactly (matrices, right-hand sides,
//    initial guesses, contexts, hints), and the writer refuses what the reader would refuse;
//  - every malformed file (missing or extra datasets, wrong shapes or dtypes, a truncated file, unwritten data,
//    non-finite values, a bad pattern, bad attributes, sizes that would exhaust memory) is a PETSc error that
//    names the problem, with the same message on every rank.
#include <gtest/gtest.h>
#include "petal_test.hpp"
#include <petal/sequence.h>
#include <hdf5.h>
#include <unistd.h>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace {

MPI_Comm Comm() { return PETSC_COMM_WORLD; }
int      Rank()
{
  int r;
  MPI_Comm_rank(Comm(), &r);
  return r;
}
int Size()
{
  int s;
  MPI_Comm_size(Comm(), &s);
  return s;
}
std::string File(const std::string &what) { return "system_sequence_np" + std::to_string(Size()) + "_" + what + ".h5"; }
bool        Exists(const std::string &f) { return access(f.c_str(), F_OK) == 0; }

// The first message of the error a call raises (PETSc's printing silenced).
using ErrorCapture = PetalTestErrorCapture; // tests/support/petal_test.hpp

// ---- files written by hand (rank 0), to be mutated into malformed ones ----
struct Dataset {
  bool                 integer = false;
  std::vector<hsize_t> dims;
  std::vector<double>  data; // empty: the dataset is declared but never written
};
struct Attr {
  enum Kind { STRING, INT, REAL } kind;
  std::string         s;
  std::vector<double> v;
};
struct Spec {
  std::map<std::string, Dataset> ds;
  std::map<std::string, Attr>    attrs;
};

// A valid sequence: T = 3 tridiagonal n = 6 systems (2 + 0.1 t on the diagonal), x0 and contexts.
Spec Valid()
{
  const int           n = 6, T = 3;
  std::vector<double> rp{0}, col, val, rhs, x0, ctx;
  for (int i = 0; i < n; ++i) {
    for (int j = i - 1; j <= i + 1; ++j)
      if (j >= 0 && j < n) col.push_back(j);
    rp.push_back((double)col.size());
  }
  for (int t = 0; t < T; ++t) {
    for (int i = 0; i < n; ++i)
      for (int j = i - 1; j <= i + 1; ++j)
        if (j >= 0 && j < n) val.push_back(j == i ? 2 + 0.1 * t : -1);
    for (int i = 0; i < n; ++i) rhs.push_back(std::sin(i + t)), x0.push_back(0.1 * i);
    ctx.push_back(0.5 * t);
  }
  const hsize_t nnz = col.size();
  Spec          s;
  s.ds["row_ptr"]                = {true, {n + 1}, rp};
  s.ds["col"]                    = {true, {nnz}, col};
  s.ds["values"]                 = {false, {T, nnz}, val};
  s.ds["rhs"]                    = {false, {T, n}, rhs};
  s.ds["x0"]                     = {false, {T, n}, x0};
  s.ds["context"]                = {false, {T}, ctx};
  s.attrs["petal_format"]        = {Attr::STRING, "petal-relax-sequence", {}};
  s.attrs["petal_format_version"] = {Attr::INT, "", {1}};
  return s;
}

void WriteAttr(hid_t f, const std::string &name, const Attr &a)
{
  if (a.kind == Attr::STRING) {
    hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR);
    H5Tset_size(t, a.s.size() + 1);
    hid_t at = H5Acreate2(f, name.c_str(), t, sp, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(at, t, a.s.c_str());
    H5Aclose(at), H5Sclose(sp), H5Tclose(t);
    return;
  }
  hsize_t n  = a.v.size();
  hid_t   sp = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr);
  hid_t   at = H5Acreate2(f, name.c_str(), a.kind == Attr::INT ? H5T_STD_I64LE : H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  std::vector<long long> iv(a.v.begin(), a.v.end());
  if (a.kind == Attr::INT) H5Awrite(at, H5T_NATIVE_LLONG, iv.data());
  else H5Awrite(at, H5T_NATIVE_DOUBLE, a.v.data());
  H5Aclose(at), H5Sclose(sp);
}

void Write(const std::string &file, const Spec &s)
{
  if (Rank() == 0) {
    hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    for (const auto &[name, d] : s.ds) {
      hid_t sp = H5Screate_simple((int)d.dims.size(), d.dims.data(), nullptr);
      hid_t ds = H5Dcreate2(f, name.c_str(), d.integer ? H5T_STD_I64LE : H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      std::vector<long long> iv(d.data.begin(), d.data.end());
      if (!d.data.empty()) H5Dwrite(ds, d.integer ? H5T_NATIVE_LLONG : H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d.integer ? (const void *)iv.data() : (const void *)d.data.data());
      H5Dclose(ds), H5Sclose(sp);
    }
    for (const auto &[name, a] : s.attrs) WriteAttr(f, name, a);
    H5Fclose(f);
  }
  MPI_Barrier(Comm());
}

// Checks the file with the one-call reader; returns the error message ("" if it was accepted), after
// checking that every rank got the same message.
std::string CheckMessage(const std::string &file)
{
  std::string msg;
  {
    ErrorCapture cap;
    (void)PetalSequenceReaderCheckFile(Comm(), file.c_str());
    msg = cap.Message();
  }
  int len = (int)msg.size();
  MPI_Bcast(&len, 1, MPI_INT, 0, Comm());
  std::string root(len, ' ');
  if (Rank() == 0) root = msg;
  MPI_Bcast(&root[0], len, MPI_CHAR, 0, Comm());
  EXPECT_EQ(msg, root) << "rank " << Rank() << " raised another message than rank 0";
  return msg;
}

void ExpectRefused(const std::string &what, const std::function<void(Spec &)> &mutate, const std::string &expect)
{
  Spec s = Valid();
  mutate(s);
  const std::string file = File(what);
  Write(file, s);
  const std::string msg = CheckMessage(file);
  EXPECT_NE(msg.find(expect), std::string::npos) << what << ": expected \"" << expect << "\", got \"" << msg << "\"";
  EXPECT_NE(msg.find(file), std::string::npos) << what << ": the message does not name the file: " << msg;
  if (Rank() == 0) std::remove(file.c_str());
}

TEST(SequenceFileErrors, TheValidFileIsAccepted)
{
  const std::string file = File("valid");
  Write(file, Valid());
  EXPECT_EQ(CheckMessage(file), "");
  if (Rank() == 0) std::remove(file.c_str());
}

TEST(SequenceFileErrors, MissingOrExtraDatasets)
{
  ExpectRefused("no_col", [](Spec &s) { s.ds.erase("col"); }, "dataset /col is missing");
  ExpectRefused("no_rhs", [](Spec &s) { s.ds.erase("rhs"); }, "dataset /rhs is missing");
  ExpectRefused("no_values", [](Spec &s) { s.ds.erase("values"); }, "dataset /values is missing");
  ExpectRefused("extra", [](Spec &s) { s.ds["matrix"] = {false, {3}, {1, 2, 3}}; }, "unexpected object /matrix");
}

TEST(SequenceFileErrors, WrongShapesAndDtypes)
{
  ExpectRefused("rhs_shape", [](Spec &s) { s.ds["rhs"] = {false, {2, 6}, std::vector<double>(12, 1.0)}; }, "dataset /rhs must be of shape [3x6]");
  ExpectRefused("x0_shape", [](Spec &s) { s.ds["x0"] = {false, {3, 5}, std::vector<double>(15, 1.0)}; }, "dataset /x0 must be of shape [3x6]");
  ExpectRefused("values_1d", [](Spec &s) { s.ds["values"].dims = {s.ds["values"].data.size()}; }, "dataset /values must be a 2-d array, it has 1 dimensions");
  ExpectRefused("values_nnz", [](Spec &s) { s.ds["values"] = {false, {3, 4}, std::vector<double>(12, 1.0)}; }, "dataset /values must be of shape [T, nnz]");
  ExpectRefused("context_len", [](Spec &s) { s.ds["context"] = {false, {2}, {0, 1}}; }, "dataset /context must have T = 3 entries");
  ExpectRefused("float_rowptr", [](Spec &s) { s.ds["row_ptr"].integer = false; }, "dataset /row_ptr holds floating-point numbers, not integers");
  ExpectRefused("int_values", [](Spec &s) { s.ds["values"].integer = true; }, "dataset /values holds integers, not floating-point numbers");
  ExpectRefused("no_rows", [](Spec &s) { s.ds["row_ptr"] = {true, {1}, {0}}; }, "dataset /row_ptr must have n + 1 >= 2 entries");
  ExpectRefused("no_instances", [](Spec &s) { s.ds["values"].dims[0] = 0, s.ds["values"].data.clear(); }, "dataset /values must be of shape [T, nnz] with 1 <= T");
}

TEST(SequenceFileErrors, NonFiniteValues)
{
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  ExpectRefused("nan_value", [&](Spec &s) { s.ds["values"].data[16 + 4] = nan; }, "/values of instance 1 has a non-finite value in row 1");
  ExpectRefused("inf_rhs", [&](Spec &s) { s.ds["rhs"].data[6 * 2 + 5] = inf; }, "/rhs of instance 2 has a non-finite value in row 5");
  ExpectRefused("nan_x0", [&](Spec &s) { s.ds["x0"].data[3] = nan; }, "/x0 of instance 0 has a non-finite value in row 3");
  ExpectRefused("nan_context", [&](Spec &s) { s.ds["context"].data[1] = nan; }, "/context has a non-finite value at instance 1");
  ExpectRefused("zero_diag", [&](Spec &s) { s.ds["values"].data[16 * 2 + 0] = 0.0; }, "/values of instance 2 has a zero diagonal in row 0");
}

TEST(SequenceFileErrors, BadPattern)
{
  // row_ptr = 0 2 5 8 11 14 16: rows of 2, 3, ..., 3, 2 entries
  ExpectRefused("decreasing", [](Spec &s) { s.ds["row_ptr"].data[2] = 1; }, "/row_ptr decreases at row 1: row_ptr[2] = 1 < row_ptr[1] = 2");
  ExpectRefused("decreasing_big", [](Spec &s) { s.ds["row_ptr"].data[1] = 12; }, "/row_ptr decreases at row 1");
  ExpectRefused("past_nnz", [](Spec &s) { s.ds["row_ptr"].data[5] = 99, s.ds["row_ptr"].data[6] = 99; }, "/row_ptr[5] = 99 exceeds nnz = 16");
  ExpectRefused("start", [](Spec &s) { s.ds["row_ptr"].data[0] = 1; }, "/row_ptr[0] must be 0, it is 1");
  ExpectRefused("end", [](Spec &s) { s.ds["row_ptr"].data[6] = 15; }, "/row_ptr must end at nnz = 16");
  ExpectRefused("col_range", [](Spec &s) { s.ds["col"].data[15] = 6; }, "/col has index 6 outside [0, n) in row 5");
  ExpectRefused("col_negative", [](Spec &s) { s.ds["col"].data[0] = -1; }, "/col has index -1 outside [0, n) in row 0");
  ExpectRefused("unsorted", [](Spec &s) { std::swap(s.ds["col"].data[2], s.ds["col"].data[3]); }, "/col is not strictly increasing in row 1");
  ExpectRefused("no_diag", [](Spec &s) { s.ds["col"].data[3] = 2, s.ds["col"].data[4] = 3; }, "row 1 has no diagonal entry");
}

TEST(SequenceFileErrors, BadAttributes)
{
  ExpectRefused("no_format", [](Spec &s) { s.attrs.erase("petal_format"); }, "not a petal-relax sequence");
  ExpectRefused("other_format", [](Spec &s) { s.attrs["petal_format"].s = "petal-banditsor-state"; }, "not a petal-relax sequence");
  ExpectRefused("version", [](Spec &s) { s.attrs["petal_format_version"].v = {2}; }, "unsupported petal_format_version");
  ExpectRefused("version_real", [](Spec &s) { s.attrs["petal_format_version"] = {Attr::REAL, "", {1.0}}; }, "unsupported petal_format_version");
  ExpectRefused("range3", [](Spec &s) { s.attrs["context_range"] = {Attr::REAL, "", {0, 1, 2}}; }, "attribute /context_range must hold at most 2 values");
  ExpectRefused("range_empty", [](Spec &s) { s.attrs["context_range"] = {Attr::REAL, "", {1, 0}}; }, "attribute /context_range must be two finite values a < b");
  ExpectRefused("range_string", [](Spec &s) { s.attrs["context_range"] = {Attr::STRING, "0,1", {}}; }, "attribute /context_range must be numeric");
  ExpectRefused("solver", [](Spec &s) { s.attrs["solver"] = {Attr::STRING, "gmres", {}}; }, "attribute /solver must be \"sor\" or \"ssor_pcg\"");
  ExpectRefused("bins", [](Spec &s) { s.attrs["bins"] = {Attr::INT, "", {0}}; }, "attribute /bins must be a positive integer");
  ExpectRefused("bins_real", [](Spec &s) { s.attrs["bins"] = {Attr::REAL, "", {2.5}}; }, "attribute /bins must be an integer");
}

// Declared sizes with no data behind them are refused before anything is allocated (they would exhaust memory,
// or read fill values), and so are sizes beyond PetscInt.
TEST(SequenceFileErrors, HugeOrUnwrittenSizes)
{
  ExpectRefused("unwritten", [](Spec &s) { s.ds["values"].data.clear(); }, "dataset /values declares 48 entries but the file holds only 0");
  ExpectRefused("huge_rhs", [](Spec &s) { s.ds["rhs"] = {false, {3, hsize_t(1) << 40}, {}}; }, "dataset /rhs declares 3298534883328 entries but the file holds only 0");
  ExpectRefused("huge_rowptr", [](Spec &s) { s.ds["row_ptr"] = {true, {hsize_t(1) << 40}, {}}; }, "dataset /row_ptr has 1099511627776 entries, more than the 2147483647");
  ExpectRefused("huge_col", [](Spec &s) { s.ds["col"] = {true, {hsize_t(1) << 30}, {}}; }, "dataset /col declares 1073741824 entries but the file holds only 0");
}

TEST(SequenceFileErrors, TruncatedOrNotHDF5)
{
  const std::string file = File("truncated");
  Write(file, Valid());
  if (Rank() == 0) {
    FILE *f = std::fopen(file.c_str(), "rb");
    std::fseek(f, 0, SEEK_END);
    const long size = std::ftell(f);
    std::fclose(f);
    EXPECT_EQ(truncate(file.c_str(), size / 2), 0);
  }
  MPI_Barrier(Comm());
  const std::string msg = CheckMessage(file);
  EXPECT_NE(msg.find("HDF5 cannot open it (damaged or truncated)"), std::string::npos) << msg;
  if (Rank() == 0) {
    FILE *f = std::fopen(file.c_str(), "w");
    std::fputs("not hdf5\n", f);
    std::fclose(f);
  }
  MPI_Barrier(Comm());
  EXPECT_NE(CheckMessage(file).find("it is not an HDF5 file"), std::string::npos);
  if (Rank() == 0) std::remove(file.c_str());
  EXPECT_NE(CheckMessage(File("does_not_exist")).find("Cannot open file"), std::string::npos);
}

// ---- writer and reader ----

// A_t: 1-D Laplacian of n points plus t on the diagonal, distributed by rows; b_t, x0_t known functions.
Mat Operator(PetscInt n, PetscInt t, bool widerPattern = false)
{
  Mat      A;
  PetscInt rs, re;
  MatCreateAIJ(Comm(), PETSC_DECIDE, PETSC_DECIDE, n, n, 4, NULL, 4, NULL, &A);
  MatGetOwnershipRange(A, &rs, &re);
  for (PetscInt i = rs; i < re; ++i) {
    for (PetscInt j = i - 1; j <= i + 1; ++j)
      if (j >= 0 && j < n) MatSetValue(A, i, j, j == i ? 2.0 + t : -1.0, INSERT_VALUES);
    if (widerPattern && i + 2 < n) MatSetValue(A, i, i + 2, 0.5, INSERT_VALUES);
  }
  MatAssemblyBegin(A, MAT_FINAL_ASSEMBLY);
  MatAssemblyEnd(A, MAT_FINAL_ASSEMBLY);
  return A;
}

Vec Values(Mat A, double scale, PetscInt t)
{
  Vec      v;
  PetscInt rs, re;
  MatCreateVecs(A, &v, NULL);
  VecGetOwnershipRange(v, &rs, &re);
  for (PetscInt i = rs; i < re; ++i) VecSetValue(v, i, scale * std::cos(0.3 * i + t), INSERT_VALUES);
  VecAssemblyBegin(v);
  VecAssemblyEnd(v);
  return v;
}

TEST(SequenceFile, WhatTheWriterWritesTheReaderReadsBack)
{
  const PetscInt    n = 11, T = 4;
  const std::string file = File("roundtrip");
  PetalSequenceWriter w;
  ASSERT_EQ(PetalSequenceWriterCreate(Comm(), file.c_str(), T, PETSC_TRUE, &w), 0);
  for (PetscInt t = 0; t < T; ++t) {
    Mat A = Operator(n, t);
    Vec b = Values(A, 1.0, t), x0 = Values(A, 0.1, t);
    ASSERT_EQ(PetalSequenceWriterAdd(w, A, b, x0, 0.25 * t), 0);
    MatDestroy(&A), VecDestroy(&b), VecDestroy(&x0);
  }
  PetalSequenceInfo hints{};
  hints.has_context_range = PETSC_TRUE, hints.context_range[0] = -1, hints.context_range[1] = 2, hints.bins = 7;
  PetscStrncpy(hints.solver, "ssor_pcg", sizeof hints.solver);
  PetscStrncpy(hints.source, "test_system_sequence", sizeof hints.source);
  ASSERT_EQ(PetalSequenceWriterSetHints(w, &hints), 0);
  ASSERT_EQ(PetalSequenceWriterCommit(w), 0);
  ASSERT_EQ(PetalSequenceWriterDestroy(&w), 0);
  EXPECT_FALSE(Exists(file + ".tmp"));

  PetalSequenceReader r;
  PetalSequenceInfo   info;
  const PetscReal    *ctx;
  ASSERT_EQ(PetalSequenceReaderOpen(Comm(), file.c_str(), &r), 0);
  ASSERT_EQ(PetalSequenceReaderGetInfo(r, &info), 0);
  EXPECT_EQ(info.n, n);
  EXPECT_EQ(info.nnz, 3 * n - 2);
  EXPECT_EQ(info.instances, T);
  EXPECT_TRUE(info.has_x0 && info.has_context && info.has_context_range);
  EXPECT_EQ(info.context_range[1], 2.0);
  EXPECT_EQ(info.bins, 7);
  EXPECT_STREQ(info.solver, "ssor_pcg");
  EXPECT_STREQ(info.source, "test_system_sequence");
  ASSERT_EQ(PetalSequenceReaderGetContexts(r, &ctx), 0);
  for (PetscInt t = T - 1; t >= 0; --t) { // any order
    Mat       A, Aref = Operator(n, t);
    Vec       b, x0, bref = Values(Aref, 1.0, t), xref = Values(Aref, 0.1, t);
    PetscReal diff;
    EXPECT_EQ(ctx[t], 0.25 * t);
    ASSERT_EQ(PetalSequenceReaderRead(r, t, &A, &b, &x0), 0);
    MatAXPY(Aref, -1.0, A, SAME_NONZERO_PATTERN);
    MatNorm(Aref, NORM_FROBENIUS, &diff);
    EXPECT_EQ(diff, 0.0) << "instance " << t;
    VecAXPY(bref, -1.0, b), VecNorm(bref, NORM_INFINITY, &diff);
    EXPECT_EQ(diff, 0.0);
    VecAXPY(xref, -1.0, x0), VecNorm(xref, NORM_INFINITY, &diff);
    EXPECT_EQ(diff, 0.0);
    MatDestroy(&Aref), VecDestroy(&bref), VecDestroy(&xref);
  }
  ASSERT_EQ(PetalSequenceReaderDestroy(&r), 0);
  EXPECT_EQ(CheckMessage(file), "");
  MPI_Barrier(Comm());
  if (Rank() == 0) std::remove(file.c_str());
}

// What the reader would refuse is refused when written; an unfinished writer leaves nothing behind.
TEST(SequenceFile, WriterRefusesUnreadableInstancesAndCleansUp)
{
  const std::string file = File("refused");
  Mat               A = Operator(7, 0), B = Operator(7, 1, true);
  Vec               b = Values(A, 1.0, 0);
  PetalSequenceWriter w;
  std::string       msg;
  ASSERT_EQ(PetalSequenceWriterCreate(Comm(), file.c_str(), 3, PETSC_FALSE, &w), 0);
  ASSERT_EQ(PetalSequenceWriterAdd(w, A, b, NULL, 0.0), 0);
  {
    ErrorCapture cap;
    EXPECT_NE(PetalSequenceWriterAdd(w, B, b, NULL, 1.0), 0);
    msg = cap.Message();
  }
  EXPECT_NE(msg.find("differs from the first instance's"), std::string::npos) << msg;
  VecSetValue(b, 0, std::numeric_limits<double>::quiet_NaN(), INSERT_VALUES);
  VecAssemblyBegin(b), VecAssemblyEnd(b);
  {
    ErrorCapture cap;
    EXPECT_NE(PetalSequenceWriterAdd(w, A, b, NULL, 1.0), 0);
    msg = cap.Message();
  }
  EXPECT_NE(msg.find("b or x0 has a non-finite value in row 0"), std::string::npos) << msg;
  {
    ErrorCapture cap;
    EXPECT_NE(PetalSequenceWriterCommit(w), 0);
    msg = cap.Message();
  }
  EXPECT_NE(msg.find("has 1 of its 3 instances"), std::string::npos) << msg;
  MPI_Barrier(Comm());
  EXPECT_TRUE(Exists(file + ".tmp"));
  ASSERT_EQ(PetalSequenceWriterDestroy(&w), 0);
  MPI_Barrier(Comm());
  EXPECT_FALSE(Exists(file + ".tmp"));
  EXPECT_FALSE(Exists(file));
  MatDestroy(&A), MatDestroy(&B), VecDestroy(&b);
}
} // namespace
