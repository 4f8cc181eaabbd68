// Validation of gmsh .msh files before PETSc parses them (see gmsh_check.hpp). The layouts follow the gmsh
// reference manual, section "MSH file format" (versions 2.2 and 4.1).
#include "meshes/gmsh_check.hpp"
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

namespace petal::mesh {
namespace {

// The element types PETSc 3.18 reads (plexgmsh.c), with their node counts: points, and segments, triangles,
// quadrilaterals, tetrahedra, hexahedra, prisms and pyramids up to the orders gmsh users meet.
int NodesOfType(long type)
{
  switch (type) {
  case 15: return 1;
  case 1: return 2;
  case 8: return 3;
  case 26: return 4;
  case 27: return 5;
  case 28: return 6;
  case 2: return 3;
  case 9: return 6;
  case 21: return 10;
  case 23: return 15;
  case 25: return 21;
  case 3: return 4;
  case 10: return 9;
  case 16: return 8;
  case 36: return 16;
  case 37: return 25;
  case 38: return 36;
  case 4: return 4;
  case 11: return 10;
  case 29: return 20;
  case 30: return 35;
  case 31: return 56;
  case 5: return 8;
  case 12: return 27;
  case 17: return 20;
  case 92: return 64;
  case 93: return 125;
  case 6: return 6;
  case 13: return 18;
  case 18: return 15;
  case 7: return 5;
  case 14: return 14;
  case 19: return 13;
  default: return 0;
  }
}

// The dimension of an element type of the table above.
int DimOfType(long type)
{
  switch (type) {
  case 15: return 0;
  case 1: case 8: case 26: case 27: case 28: return 1;
  case 2: case 9: case 21: case 23: case 25: case 3: case 10: case 16: case 36: case 37: case 38: return 2;
  default: return 3;
  }
}

// Reads the file's bytes as text tokens or binary values, and reports where a problem is. Every read is
// bounds-checked; a failed read returns false with the reason in why.
class Reader {
public:
  explicit Reader(std::string data) : d_(std::move(data)) { }

  bool        Failed() const { return !why_.empty(); }
  std::string Why() const { return why_ + " (at line " + std::to_string(Line()) + ")"; }
  bool        Fail(const std::string &why)
  {
    if (why_.empty()) why_ = why;
    return false;
  }
  size_t Remaining() const { return d_.size() - p_; }

  // The next whitespace-separated token (empty at the end of the file).
  std::string Token()
  {
    while (p_ < d_.size() && std::isspace((unsigned char)d_[p_])) ++p_;
    const size_t s = p_;
    while (p_ < d_.size() && !std::isspace((unsigned char)d_[p_])) ++p_;
    return d_.substr(s, p_ - s);
  }
  bool Int(const char *what, long long *v)
  {
    const std::string t = Token();
    char             *end;
    errno = 0;
    *v    = std::strtoll(t.c_str(), &end, 10);
    if (t.empty() || *end || errno) return Fail(std::string("expected an integer (") + what + "), found \"" + t.substr(0, 40) + "\"");
    return true;
  }
  bool Real(const char *what, double *v)
  {
    const std::string t = Token();
    char             *end;
    *v = std::strtod(t.c_str(), &end);
    if (t.empty() || *end) return Fail(std::string("expected a number (") + what + "), found \"" + t.substr(0, 40) + "\"");
    if (!std::isfinite(*v)) return Fail(std::string(what) + " is " + t.substr(0, 40) + "; coordinates must be finite");
    return true;
  }
  // The next whole line (without its newline), after skipping the end of the current one if it is blank.
  std::string GetLine()
  {
    while (p_ < d_.size() && (d_[p_] == '\n' || d_[p_] == '\r')) ++p_;
    const size_t s = p_;
    while (p_ < d_.size() && d_[p_] != '\n') ++p_;
    std::string line = d_.substr(s, p_ - s);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  // The rest of the current line (after a token), then the position is at the next line.
  void SkipLine()
  {
    while (p_ < d_.size() && d_[p_] != '\n') ++p_;
    if (p_ < d_.size()) ++p_;
  }
  // A binary value of n bytes (4 or 8), in the file's byte order.
  template <class T>
  bool Bin(const char *what, T *v)
  {
    if (Remaining() < sizeof(T)) return Fail(std::string("the file ends inside ") + what);
    unsigned char b[sizeof(T)];
    std::memcpy(b, d_.data() + p_, sizeof(T));
    if (swap_)
      for (size_t i = 0; i < sizeof(T) / 2; ++i) std::swap(b[i], b[sizeof(T) - 1 - i]);
    std::memcpy(v, b, sizeof(T));
    p_ += sizeof(T);
    return true;
  }
  bool BinReal(const char *what, double *v)
  {
    if (!Bin(what, v)) return false;
    if (!std::isfinite(*v)) return Fail(std::string(what) + " is not finite");
    return true;
  }
  void SetSwap(bool s) { swap_ = s; }
  // Moves past "$End<name>", which must come next (after whitespace).
  bool End(const std::string &name)
  {
    const std::string t = Token();
    if (t != "$End" + name) return Fail("expected $End" + name + ", found \"" + t.substr(0, 40) + "\"");
    return true;
  }
  // Moves past the next "$End<name>" line, skipping the section's content.
  bool SkipSection(const std::string &name)
  {
    const std::string tag = "\n$End" + name;
    const size_t      e   = d_.find(tag, p_ ? p_ - 1 : 0);
    if (e == std::string::npos) return Fail("section $" + name + " has no $End" + name);
    p_ = e + tag.size();
    return true;
  }
  size_t Line() const
  {
    size_t n = 1;
    for (size_t i = 0; i < p_ && i < d_.size(); ++i) n += d_[i] == '\n';
    return n;
  }

private:
  std::string d_;
  size_t      p_    = 0;
  bool        swap_ = false;
  std::string why_;
};

struct Mesh {
  bool                          binary = false, v4 = false;
  std::unordered_set<long long> nodes;
  std::unordered_set<long long> entities[4]; // 4.1: the entity tags of each dimension ($Entities)
  bool                          hasEntities = false;
  long long                     elements    = 0;
};

// 4.1 node and element blocks belong to an entity of $Entities (PETSc looks it up and uses what it finds).
bool KnownEntity(Reader &r, const Mesh &m, long long dim, long long tag, const char *what)
{
  if (dim < 0 || dim > 3) return r.Fail(std::string("a ") + what + " block has entity dimension " + std::to_string(dim));
  if (!m.hasEntities) return r.Fail(std::string("a ") + what + " block comes before the $Entities section it refers to");
  if (!m.entities[dim].count(tag)) return r.Fail(std::string("a ") + what + " block names entity " + std::to_string(tag) + " of dimension " + std::to_string(dim) + ", which $Entities does not list");
  return true;
}

// A count read from the file must fit in what is left of it (each item takes at least min_bytes), so that a
// corrupt count is an error here and not a huge allocation in PETSc.
bool Plausible(Reader &r, long long count, size_t min_bytes, const char *what)
{
  if (count < 0) return r.Fail(std::string("negative ") + what + " count " + std::to_string(count));
  if ((unsigned long long)count > r.Remaining() / min_bytes) return r.Fail(std::string(what) + " count " + std::to_string(count) + " is larger than the rest of the file can hold");
  return true;
}

bool AddNode(Reader &r, Mesh &m, long long tag)
{
  if (tag <= 0) return r.Fail("node tag " + std::to_string(tag) + " is not positive");
  if (!m.nodes.insert(tag).second) return r.Fail("node tag " + std::to_string(tag) + " appears twice");
  return true;
}

bool UseNode(Reader &r, const Mesh &m, long long element, long long tag)
{
  if (!m.nodes.count(tag)) return r.Fail("element " + std::to_string(element) + " names node " + std::to_string(tag) + ", which the file does not have");
  return true;
}

bool Format(Reader &r, Mesh &m)
{
  const std::string version = r.Token();
  long long         type, size;
  if (version != "2" && version != "2.0" && version != "2.1" && version != "2.2" && version != "4.1") return r.Fail("gmsh format version \"" + version.substr(0, 20) + "\" is not one PETSc reads (2.x or 4.1)");
  if (!r.Int("file type", &type) || !r.Int("data size", &size)) return false;
  if (type != 0 && type != 1) return r.Fail("file type " + std::to_string(type) + " is neither 0 (ASCII) nor 1 (binary)");
  if (size != 8) return r.Fail("data size " + std::to_string(size) + " is not 8 (double precision)");
  m.v4     = version == "4.1";
  m.binary = type == 1;
  if (m.binary) { // an int 1 in the writer's byte order
    r.SkipLine();
    int one;
    if (!r.Bin("the byte-order mark", &one)) return false;
    if (one != 1) {
      r.SetSwap(true);
      if (one != 0x01000000) return r.Fail("the binary byte-order mark is " + std::to_string(one) + ", not 1");
    }
  }
  return r.End("MeshFormat");
}

// One line per name: dimension, tag and the name in double quotes, nothing else (PETSc copies what lies between
// the first and the last quote of the line).
bool PhysicalNameLine(const std::string &line)
{
  const char *c = line.c_str();
  char       *end;
  const long  dim = std::strtol(c, &end, 10);
  if (end == c || dim < 0 || dim > 3 || !std::isspace((unsigned char)*end)) return false;
  c = end;
  std::strtol(c, &end, 10);
  if (end == c || !std::isspace((unsigned char)*end)) return false;
  while (std::isspace((unsigned char)*end)) ++end;
  const std::string rest(end);
  const size_t      close = rest.find('"', 1);
  if (rest.empty() || rest[0] != '"' || close == std::string::npos || close > 256) return false;
  for (size_t i = close + 1; i < rest.size(); ++i)
    if (!std::isspace((unsigned char)rest[i])) return false;
  return true;
}

bool PhysicalNames(Reader &r)
{
  long long n;
  if (!r.Int("number of physical names", &n) || !Plausible(r, n, 7, "physical name")) return false;
  for (long long i = 0; i < n; ++i) {
    const std::string line = r.GetLine();
    if (!PhysicalNameLine(line)) return r.Fail("physical name line \"" + line.substr(0, 60) + "\" is not `dimension tag \"name\"`");
  }
  return r.End("PhysicalNames");
}

bool NodesV2(Reader &r, Mesh &m)
{
  long long n, tag = 0;
  double    x;
  if (!r.Int("number of nodes", &n) || !Plausible(r, n, m.binary ? 28 : 7, "node")) return false;
  if (m.binary) r.SkipLine();
  for (long long i = 0; i < n; ++i) {
    if (m.binary) {
      int t;
      if (!r.Bin("a node tag", &t)) return false;
      tag = t;
    } else if (!r.Int("node tag", &tag)) return false;
    if (!AddNode(r, m, tag)) return false;
    for (int d = 0; d < 3; ++d)
      if (!(m.binary ? r.BinReal("a node coordinate", &x) : r.Real("a node coordinate", &x))) return r.Fail("node " + std::to_string(tag) + ": " + r.Why());
  }
  return r.End("Nodes");
}

bool ElementV2(Reader &r, const Mesh &m, long long tag, long long type, long long ntags, const std::vector<long long> &nodes)
{
  if (!NodesOfType(type)) return r.Fail("element " + std::to_string(tag) + " has type " + std::to_string(type) + ", which PETSc's gmsh reader does not support");
  if (ntags < 0 || ntags > 64) return r.Fail("element " + std::to_string(tag) + " has " + std::to_string(ntags) + " tags");
  for (long long v : nodes)
    if (!UseNode(r, m, tag, v)) return false;
  return true;
}

bool ElementsV2(Reader &r, Mesh &m)
{
  long long n, tag, type, ntags, v;
  if (!r.Int("number of elements", &n) || !Plausible(r, n, m.binary ? 12 : 7, "element")) return false;
  m.elements = n;
  if (m.binary) {
    r.SkipLine();
    for (long long done = 0; done < n;) { // blocks: type, count, number of tags, then the elements
      int h[3];
      for (int &x : h)
        if (!r.Bin("an element block header", &x)) return false;
      if (!NodesOfType(h[0])) return r.Fail("an element block has type " + std::to_string(h[0]) + ", which PETSc's gmsh reader does not support");
      if (h[1] <= 0 || h[1] > n - done || h[2] < 0 || h[2] > 64) return r.Fail("an element block header (count " + std::to_string(h[1]) + ", tags " + std::to_string(h[2]) + ") does not fit the element count");
      for (int e = 0; e < h[1]; ++e) {
        std::vector<int> rec(1 + h[2] + NodesOfType(h[0]));
        for (int &x : rec)
          if (!r.Bin("an element", &x)) return false;
        std::vector<long long> nodes(rec.begin() + 1 + h[2], rec.end());
        if (!ElementV2(r, m, rec[0], h[0], h[2], nodes)) return false;
      }
      done += h[1];
    }
    return r.End("Elements");
  }
  for (long long i = 0; i < n; ++i) {
    if (!r.Int("element tag", &tag) || !r.Int("element type", &type) || !r.Int("number of element tags", &ntags)) return false;
    if (!NodesOfType(type)) return ElementV2(r, m, tag, type, ntags, {});
    if (ntags < 0 || ntags > 64) return r.Fail("element " + std::to_string(tag) + " has " + std::to_string(ntags) + " tags");
    for (long long t = 0; t < ntags; ++t)
      if (!r.Int("element tag list", &v)) return false;
    std::vector<long long> nodes(NodesOfType(type));
    for (long long &x : nodes)
      if (!r.Int("element node", &x)) return false;
    if (!ElementV2(r, m, tag, type, ntags, nodes)) return false;
  }
  return r.End("Elements");
}

// Version 4.1 stores counts and tags as size_t in binary files, entity dimensions and tags as int.
bool Size4(Reader &r, const Mesh &m, const char *what, long long *v)
{
  if (!m.binary) return r.Int(what, v);
  uint64_t u;
  if (!r.Bin(what, &u)) return false;
  if (u > (uint64_t)INT64_MAX) return r.Fail(std::string(what) + " is out of range");
  *v = (long long)u;
  return true;
}

bool Int4(Reader &r, const Mesh &m, const char *what, long long *v)
{
  if (!m.binary) return r.Int(what, v);
  int i;
  if (!r.Bin(what, &i)) return false;
  *v = i;
  return true;
}

bool Real4(Reader &r, const Mesh &m, const char *what, double *v) { return m.binary ? r.BinReal(what, v) : r.Real(what, v); }

bool EntitiesV4(Reader &r, Mesh &m)
{
  long long count[4], tag, n, v;
  double    x;
  for (long long &c : count)
    if (!Size4(r, m, "number of entities", &c) || !Plausible(r, c, m.binary ? 12 : 4, "entity")) return false;
  for (int dim = 0; dim < 4; ++dim)
    for (long long e = 0; e < count[dim]; ++e) {
      if (!Int4(r, m, "entity tag", &tag)) return false;
      if (!m.entities[dim].insert(tag).second) return r.Fail("entity " + std::to_string(tag) + " of dimension " + std::to_string(dim) + " appears twice in $Entities");
      for (int k = 0; k < (dim ? 6 : 3); ++k)
        if (!Real4(r, m, "an entity's bounding box", &x)) return false;
      if (!Size4(r, m, "number of physical tags", &n) || !Plausible(r, n, m.binary ? 4 : 2, "physical tag")) return false;
      for (long long k = 0; k < n; ++k)
        if (!Int4(r, m, "physical tag", &v)) return false;
      if (!dim) continue;
      if (!Size4(r, m, "number of bounding entities", &n) || !Plausible(r, n, m.binary ? 4 : 2, "bounding entity")) return false;
      for (long long k = 0; k < n; ++k)
        if (!Int4(r, m, "bounding entity", &v)) return false;
    }
  m.hasEntities = true;
  return r.End("Entities");
}

bool NodesV4(Reader &r, Mesh &m)
{
  long long blocks, n, lo, hi, dim, tag, param, count;
  double    x;
  if (!Size4(r, m, "number of node blocks", &blocks) || !Size4(r, m, "number of nodes", &n) || !Size4(r, m, "smallest node tag", &lo) || !Size4(r, m, "largest node tag", &hi)) return false;
  if (!Plausible(r, n, m.binary ? 32 : 7, "node") || !Plausible(r, blocks, m.binary ? 20 : 7, "node block")) return false;
  long long seen = 0;
  for (long long b = 0; b < blocks; ++b) {
    if (!Int4(r, m, "entity dimension", &dim) || !Int4(r, m, "entity tag", &tag) || !Int4(r, m, "parametric flag", &param) || !Size4(r, m, "nodes in the block", &count)) return false;
    if (!KnownEntity(r, m, dim, tag, "node")) return false;
    if (param != 0 && param != 1) return r.Fail("a node block has the parametric flag " + std::to_string(param));
    if (count < 0 || count > n - seen) return r.Fail("node blocks hold more nodes than the " + std::to_string(n) + " the section announces");
    std::vector<long long> tags(count);
    for (long long &t : tags)
      if (!Size4(r, m, "node tag", &t) || !AddNode(r, m, t)) return false;
    for (long long t : tags) {
      if (t < lo || t > hi) return r.Fail("node tag " + std::to_string(t) + " is outside the announced range [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
      for (long long k = 0; k < 3 + (param ? dim : 0); ++k)
        if (!Real4(r, m, "a node coordinate", &x)) return r.Fail("node " + std::to_string(t) + ": " + r.Why());
    }
    seen += count;
  }
  if (seen != n) return r.Fail("node blocks hold " + std::to_string(seen) + " nodes, the section announces " + std::to_string(n));
  return r.End("Nodes");
}

bool ElementsV4(Reader &r, Mesh &m)
{
  long long blocks, n, lo, hi, dim, tag, type, count, etag;
  if (!Size4(r, m, "number of element blocks", &blocks) || !Size4(r, m, "number of elements", &n) || !Size4(r, m, "smallest element tag", &lo) || !Size4(r, m, "largest element tag", &hi)) return false;
  if (!Plausible(r, n, m.binary ? 16 : 4, "element") || !Plausible(r, blocks, m.binary ? 20 : 7, "element block")) return false;
  long long seen = 0;
  for (long long b = 0; b < blocks; ++b) {
    if (!Int4(r, m, "entity dimension", &dim) || !Int4(r, m, "entity tag", &tag) || !Int4(r, m, "element type", &type) || !Size4(r, m, "elements in the block", &count)) return false;
    if (!NodesOfType(type)) return r.Fail("an element block has type " + std::to_string(type) + ", which PETSc's gmsh reader does not support");
    if (!KnownEntity(r, m, dim, tag, "element")) return false;
    if (DimOfType(type) != dim) return r.Fail("an element block of entity dimension " + std::to_string(dim) + " holds elements of type " + std::to_string(type) + ", which are " + std::to_string(DimOfType(type)) + "-D");
    if (count < 0 || count > n - seen) return r.Fail("element blocks hold more elements than the " + std::to_string(n) + " the section announces");
    for (long long e = 0; e < count; ++e) {
      if (!Size4(r, m, "element tag", &etag)) return false;
      for (int k = 0; k < NodesOfType(type); ++k) {
        long long v;
        if (!Size4(r, m, "element node", &v) || !UseNode(r, m, etag, v)) return false;
      }
    }
    seen += count;
  }
  if (seen != n) return r.Fail("element blocks hold " + std::to_string(seen) + " elements, the section announces " + std::to_string(n));
  m.elements = n;
  return r.End("Elements");
}

// The sections in order: $MeshFormat first; $Nodes before $Elements; others skipped to their $End line.
bool Sections(Reader &r, Mesh &m)
{
  if (r.Token() != "$MeshFormat") return r.Fail("the file does not start with $MeshFormat");
  if (!Format(r, m)) return false;
  bool nodes = false, elements = false;
  for (std::string t = r.Token(); !t.empty(); t = r.Token()) {
    if (t[0] != '$') return r.Fail("expected a section ($Name), found \"" + t.substr(0, 40) + "\"");
    const std::string name = t.substr(1);
    bool              ok;
    if (m.binary && m.v4 && (name == "Entities" || name == "Nodes" || name == "Elements")) r.SkipLine(); // binary data follows the line
    if (name == "PhysicalNames") ok = PhysicalNames(r);
    else if (name == "Entities" && m.v4) ok = EntitiesV4(r, m);
    else if (name == "Nodes") ok = !nodes && (m.v4 ? NodesV4(r, m) : NodesV2(r, m));
    else if (name == "Elements") ok = nodes && !elements && (m.v4 ? ElementsV4(r, m) : ElementsV2(r, m));
    else ok = name.compare(0, 3, "End") != 0 && r.SkipSection(name);
    if (!ok) return r.Fail("section $" + name + " is malformed (a second one, out of order, or a stray $End)");
    nodes    = nodes || name == "Nodes";
    elements = elements || name == "Elements";
  }
  if (!nodes || !elements) return r.Fail(nodes ? "the file has no $Elements section" : "the file has no $Nodes section");
  if (m.nodes.empty() || m.elements == 0) return r.Fail("the file has no nodes or no elements");
  return true;
}

} // namespace

PetscErrorCode CheckGmshFile(const char filename[])
{
  std::ifstream in(filename, std::ios::binary);
  PetscFunctionBegin;
  PetscCheck(in, PETSC_COMM_SELF, PETSC_ERR_FILE_OPEN, "cannot open the file");
  std::ostringstream s;
  s << in.rdbuf();
  Reader r(s.str());
  Mesh   m;
  const bool ok = Sections(r, m);
  PetscCheck(ok, PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED, "malformed gmsh file: %s", r.Why().c_str());
  PetscFunctionReturn(0);
}
} // namespace petal::mesh
