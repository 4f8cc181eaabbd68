#include <petal/json.hpp>
#include <petal/driver.h>
#include <petal/io.h>
#include <cmath>
#include <cstdio>

namespace petal {
static std::string Escape(const char *s)
{
  std::string r;
  for (; s && *s; ++s) {
    switch (*s) {
    case '"': r += "\\\""; break;
    case '\\': r += "\\\\"; break;
    case '\n': r += "\\n"; break;
    case '\t': r += "\\t"; break;
    default:
      if ((unsigned char)*s < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", (unsigned)(unsigned char)*s);
        r += buf;
      } else r += *s;
    }
  }
  return r;
}

void JsonWriter::Key(const char *key)
{
  if (!first_.back()) out_ += ",";
  first_.back() = false;
  out_ += "\n" + std::string(2 * (first_.size() - 1), ' ');
  if (key) out_ += "\"" + Escape(key) + "\": ";
}

JsonWriter &JsonWriter::BeginObject(const char *key)
{
  if (!out_.empty()) Key(key);
  out_ += "{";
  first_.push_back(true);
  return *this;
}

JsonWriter &JsonWriter::EndObject()
{
  first_.pop_back();
  out_ += "\n" + std::string(2 * (first_.size() - 1), ' ') + "}";
  return *this;
}

JsonWriter &JsonWriter::BeginArray(const char *key)
{
  Key(key);
  out_ += "[";
  first_.push_back(true);
  return *this;
}

JsonWriter &JsonWriter::EndArray()
{
  first_.pop_back();
  out_ += "]";
  return *this;
}

JsonWriter &JsonWriter::Value(const char *key, double v)
{
  Key(key);
  if (!std::isfinite(v)) out_ += "null"; // JSON has no NaN/Inf
  else {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    out_ += buf;
  }
  return *this;
}

JsonWriter &JsonWriter::Value(const char *key, long long v)
{
  Key(key);
  out_ += std::to_string(v);
  return *this;
}

JsonWriter &JsonWriter::Value(const char *key, bool v)
{
  Key(key);
  out_ += v ? "true" : "false";
  return *this;
}

JsonWriter &JsonWriter::Value(const char *key, const char *v)
{
  Key(key);
  out_ += "\"" + Escape(v) + "\"";
  return *this;
}

PetscErrorCode JsonWriter::Save(MPI_Comm comm, const char *filename) const
{
  char        tmp[PETSC_MAX_PATH_LEN];
  PetscMPIInt rank;
  int         ok = 1;

  PetscFunctionBegin;
  PetscCall(PetalAtomicFileTempName(filename, tmp, sizeof tmp));
  // A fault on one rank is agreed on before rank 0 creates the temporary: a failing rank removes its pending
  // temporaries as it exits (PetalDriverFinalize), and a file rank 0 created after that would be left behind.
  ok = PetalFaultPoint("json_write") == 0;
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, comm));
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (ok && rank == 0) {
    FILE *f = std::fopen(tmp, "w");
    ok      = f && std::fprintf(f, "%s\n", out_.c_str()) >= 0;
    if (f) ok = (std::fclose(f) == 0) && ok;
  }
  PetscCallMPI(MPI_Bcast(&ok, 1, MPI_INT, 0, comm));
  if (!ok) PetscCall(PetalAtomicFileAbort(comm, tmp));
  PetscCheck(ok, comm, PETSC_ERR_FILE_WRITE, "Cannot write JSON summary %s", filename);
  PetscCall(PetalAtomicFileCommit(comm, tmp, filename));
  PetscFunctionReturn(0);
}
} // namespace petal
