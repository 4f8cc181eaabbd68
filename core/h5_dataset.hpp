#pragma once
/* Checked reads from HDF5 files that may be malformed (user files, fuzzed files): the rules petal's readers
 * of learner states and of sequences of linear systems share, so that a bad file is a clear message naming
 * the dataset, never a crash, a huge allocation or a silent misread. Internal, like core/h5.hpp (whose Handle
 * and Quiet these use); callers hold an h5::Quiet.
 *
 *   - a dataset has the expected number of dimensions and an element class (integer, float, or bytes = 8-bit
 *     integers, as strings are stored), so an integer array is never read as floats by HDF5's conversion;
 *   - its element count is capped before anything is allocated;
 *   - the file must hold its data: an unfiltered dataset whose allocated storage is smaller than its
 *     declared size (never written, or cut short) is refused rather than read as fill values. */
#include "core/h5.hpp"
#include <string>
#include <vector>

namespace petal
{
namespace h5
{

enum class Kind { INTEGER, FLOAT, BYTES };

/* "" if path (e.g. "/row_ptr") is a dataset of `rank` dimensions, elements of `kind`, at most maxElements
 * elements, with its data in the file; then *dims holds its dimensions. Otherwise the problem, naming the
 * dataset ("dataset /col is missing", "dataset /values holds integers, not floating-point numbers", ...). */
std::string CheckDataset(hid_t file, const char path[], Kind kind, int rank, unsigned long long maxElements, std::vector<hsize_t> *dims);

/* Reads `count` elements converted to memType: [offset, offset + count) of a 1-d dataset, or columns
 * [offset, offset + count) of row `row` of a 2-d dataset. False on any failure. */
bool ReadSlab(hid_t file, const char path[], hid_t memType, hsize_t row, hsize_t offset, hsize_t count, void *buf);

/* A whole 1-d dataset checked with CheckDataset(rank 1) into *values (resized). "" or the problem. */
std::string ReadVector(hid_t file, const char path[], Kind kind, unsigned long long maxElements, std::vector<double> *values);
std::string ReadVector(hid_t file, const char path[], Kind kind, unsigned long long maxElements, std::vector<long long> *values);
std::string ReadVector(hid_t file, const char path[], unsigned long long maxBytes, std::string *bytes); // Kind::BYTES

/* Numeric attribute `name` of the root group: absent -> *present = false and ""; otherwise it must hold 1 to
 * maxCount integers or floats (floats only if !integer), else the problem naming the attribute. */
std::string CheckedNumericAttribute(hid_t file, const char name[], bool integer, size_t maxCount, bool *present, std::vector<double> *values);
/* String attribute `name` of the root group: absent -> *present = false and ""; otherwise it must be one string
 * of at most maxLength characters. */
std::string CheckedStringAttribute(hid_t file, const char name[], size_t maxLength, bool *present, std::string *value);

} // namespace h5
} // namespace petal
