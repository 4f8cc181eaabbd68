// Text mutations for the fuzz harness (see mutate.hpp), aimed at line-oriented numeric formats such as gmsh's.
#include "mutate.hpp"
#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

namespace petal::fuzz {
namespace {

// Start and end of a random number token in s, or false if there is none.
bool NumberToken(const std::string &s, Random &rng, size_t *b, size_t *e)
{
  for (int tries = 0; tries < 16 && !s.empty(); ++tries) {
    size_t p = rng.Below(s.size());
    while (p < s.size() && !std::isdigit((unsigned char)s[p])) ++p;
    if (p == s.size()) continue;
    *b = p;
    while (*b > 0 && (std::isdigit((unsigned char)s[*b - 1]) || s[*b - 1] == '.' || s[*b - 1] == '-' || s[*b - 1] == 'e')) --*b;
    *e = p;
    while (*e < s.size() && (std::isdigit((unsigned char)s[*e]) || s[*e] == '.' || s[*e] == '-' || s[*e] == 'e' || s[*e] == '+')) ++*e;
    return true;
  }
  return false;
}

// Line boundaries: start offsets of every line.
std::vector<size_t> Lines(const std::string &s)
{
  std::vector<size_t> starts{0};
  for (size_t i = 0; i + 1 < s.size(); ++i)
    if (s[i] == '\n') starts.push_back(i + 1);
  return starts;
}

std::string Mutate(std::string &s, Random &rng)
{
  static const char *specials[] = {"nan", "inf", "-inf", "-1", "0", "1e308", "2147483648", "-2147483649", "9223372036854775807", "99999999999999999999", "1.5", "", "x"};
  switch (rng.Below(8)) {
  case 0: { // flip a bit
    if (s.empty()) return "";
    const size_t p = rng.Below(s.size());
    s[p]           = (char)(s[p] ^ (char)(1u << rng.Below(8)));
    return "flipped a bit";
  }
  case 1: { // insert random bytes
    const size_t p = rng.Below(s.size() + 1);
    std::string  junk;
    for (int k = 0, n = 1 + (int)rng.Below(8); k < n; ++k) junk += (char)rng.Below(256);
    s.insert(p, junk);
    return "inserted bytes";
  }
  case 2: { // delete a span
    if (s.empty()) return "";
    const size_t p = rng.Below(s.size());
    s.erase(p, 1 + rng.Below(64));
    return "deleted bytes";
  }
  case 3:
  case 4: { // a number becomes a special one
    size_t b, e;
    if (!NumberToken(s, rng, &b, &e)) return "";
    s.replace(b, e - b, specials[rng.Below(sizeof(specials) / sizeof(specials[0]))]);
    return "replaced a number";
  }
  case 5: { // duplicate or drop a line
    const std::vector<size_t> l = Lines(s);
    const size_t              i = rng.Below(l.size());
    const size_t              e = i + 1 < l.size() ? l[i + 1] : s.size();
    if (rng.Chance(0.5)) {
      s.insert(e, s.substr(l[i], e - l[i]));
      return "duplicated a line";
    }
    s.erase(l[i], e - l[i]);
    return "dropped a line";
  }
  case 6: { // the ASCII flag of gmsh's $MeshFormat line becomes binary (or the version changes)
    const size_t p = s.find(" 0 8");
    if (p == std::string::npos) return "";
    s.replace(p, 4, rng.Chance(0.5) ? " 1 8" : " 0 4");
    return "changed the format line";
  }
  default: // truncate
    s.resize(rng.Below(s.size() + 1));
    return "truncated";
  }
}

} // namespace

std::string MutateText(const std::string &path, Random &rng)
{
  std::ifstream      in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  in.close();
  std::string s = buf.str(), what;
  for (int m = 0, n = 1 + (int)rng.Below(3); m < n; ++m) {
    const std::string done = Mutate(s, rng);
    if (!done.empty()) what += (what.empty() ? "" : "; ") + done;
  }
  std::ofstream(path, std::ios::binary | std::ios::trunc) << s;
  return what.empty() ? "unchanged" : what;
}

} // namespace petal::fuzz
