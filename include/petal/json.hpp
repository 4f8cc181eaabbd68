#pragma once
// A minimal JSON writer for driver summaries (-json FILE): nested objects and arrays of numbers,
// strings and booleans, written atomically by rank 0.
#include <petscsys.h>
#include <string>
#include <vector>

namespace petal {
class JsonWriter {
public:
  JsonWriter &BeginObject(const char *key = nullptr);
  JsonWriter &EndObject();
  JsonWriter &BeginArray(const char *key = nullptr);
  JsonWriter &EndArray();
  JsonWriter &Value(const char *key, double v);
  JsonWriter &Value(const char *key, long long v);
  JsonWriter &Value(const char *key, int v) { return Value(key, (long long)v); }
  JsonWriter &Value(const char *key, bool v);
  JsonWriter &Value(const char *key, const char *v);
  JsonWriter &Value(const char *key, const std::string &v) { return Value(key, v.c_str()); }
  JsonWriter &Value(double v) { return Value(nullptr, v); }
  const std::string &str() const { return out_; }
  // Writes the document to filename on rank 0 of comm, atomically.
  PetscErrorCode Save(MPI_Comm comm, const char *filename) const;

private:
  void Key(const char *key);
  std::string       out_;
  std::vector<bool> first_{true};
};
} // namespace petal
