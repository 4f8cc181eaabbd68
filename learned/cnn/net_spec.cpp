// The DCDM architecture as data (include/petal/cnn.hpp): the program every executor walks.
#include <petal/cnn.hpp>

namespace petal
{
namespace cnn
{

NetSpec From64()
{
  NetSpec s;
  s.arch         = "from64";
  s.channels     = 16;
  s.fine_pairs   = 2;
  s.coarse_pairs = 3;
  s.up_pairs     = 2;
  return s;
}

NetSpec From128()
{
  NetSpec s;
  s.arch         = "from128";
  s.channels     = 16;
  s.fine_pairs   = 3;
  s.coarse_pairs = 5;
  s.up_pairs     = 3;
  return s;
}

bool SpecByName(const std::string &name, NetSpec *spec)
{
  if (name == "from64") *spec = From64();
  else if (name == "from128") *spec = From128();
  else return false;
  return true;
}

std::string Validate(const NetSpec &s)
{
  auto range = [](const char *what, int v, int lo, int hi) -> std::string {
    if (v >= lo && v <= hi) return "";
    return std::string(what) + " must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got " + std::to_string(v);
  };
  std::string e;
  if (!(e = range("channels", s.channels, 1, 256)).empty()) return e;
  if (!(e = range("fine_pairs", s.fine_pairs, 1, 32)).empty()) return e;
  if (!(e = range("coarse_pairs", s.coarse_pairs, 0, 32)).empty()) return e;
  if (!(e = range("up_pairs", s.up_pairs, 0, 32)).empty()) return e;
  NetSpec named;
  if (SpecByName(s.arch, &named)) {
    if (named.channels != s.channels || named.fine_pairs != s.fine_pairs || named.coarse_pairs != s.coarse_pairs || named.up_pairs != s.up_pairs)
      return "arch \"" + s.arch + "\" has channels " + std::to_string(named.channels) + ", pairs " + std::to_string(named.fine_pairs) + "/" + std::to_string(named.coarse_pairs) + "/" +
             std::to_string(named.up_pairs) + " (fine/coarse/up), not " + std::to_string(s.channels) + ", " + std::to_string(s.fine_pairs) + "/" + std::to_string(s.coarse_pairs) + "/" +
             std::to_string(s.up_pairs);
  } else if (s.arch != "custom") return "arch must be from64, from128 or custom, got \"" + s.arch + "\"";
  return "";
}

std::vector<ConvShape> ConvShapes(const NetSpec &s)
{
  const int              C = s.channels;
  std::vector<ConvShape> v;
  v.push_back({1, C, 3});
  const int inner = 2 * (s.fine_pairs + s.coarse_pairs + s.up_pairs);
  for (int i = 0; i < inner; ++i) v.push_back({C, C, 3});
  v.push_back({C, 1, 1});
  return v;
}

long long ParameterCount(const NetSpec &s)
{
  long long n = 0;
  for (const ConvShape &c : ConvShapes(s)) n += (long long)c.ksize * c.ksize * c.ksize * c.cin * c.cout + c.cout;
  return n;
}

/* Buffers: 0 input, 1 output, then the C-channel activations la, lb, apa, apb and a temporary T that holds x0
 * (dead after the first ReLU conv) and later upb. upa lives in lb's buffer (UpsampleAdd adds into it). So three
 * fine and two coarse C-channel buffers are live at once. */
enum { IN = 0, OUT = 1, LA = 2, LB = 3, APA = 4, APB = 5, T = 6, NBUF = 7 };
constexpr int X0 = T, UPB = T;

std::vector<Step> Program(const NetSpec &s)
{
  std::vector<Step> p;
  int               conv = 0;
  p.push_back({Op::Conv, conv++, IN, X0, Level::Fine});
  p.push_back({Op::ConvRelu, conv++, X0, LA, Level::Fine});
  for (int i = 1; i < s.fine_pairs; ++i) {
    p.push_back({Op::ConvRelu, conv++, LA, LB, Level::Fine});
    p.push_back({Op::ConvReluAdd, conv++, LB, LA, Level::Fine});
  }
  p.push_back({Op::ConvRelu, conv++, LA, LB, Level::Fine});
  p.push_back({Op::Pool, -1, LB, APA, Level::Coarse});
  for (int i = 0; i < s.coarse_pairs; ++i) {
    p.push_back({Op::ConvRelu, conv++, APA, APB, Level::Coarse});
    p.push_back({Op::ConvReluAdd, conv++, APB, APA, Level::Coarse});
  }
  // upa = upsample(apa) + lb: copy lb into upa, then add the upsampled coarse field. An executor may alias.
  p.push_back({Op::UpsampleAdd, -1, APA, LB, Level::Fine});
  for (int i = 0; i < s.up_pairs; ++i) {
    p.push_back({Op::ConvRelu, conv++, LB, UPB, Level::Fine});
    p.push_back({Op::ConvReluAdd, conv++, UPB, LB, Level::Fine});
  }
  p.push_back({Op::Head, conv++, LB, OUT, Level::Fine});
  return p;
}

BufferPlan Buffers(const NetSpec &s)
{
  BufferPlan b;
  b.count = NBUF;
  b.level.assign(NBUF, Level::Fine);
  b.channels.assign(NBUF, s.channels);
  b.channels[IN] = b.channels[OUT] = 1;
  b.level[APA] = b.level[APB] = Level::Coarse;
  return b;
}

double FlopsPerVoxel(const NetSpec &s)
{
  double f = 0;
  for (const Step &st : Program(s)) {
    const double share = st.level == Level::Coarse ? 1.0 / 8 : 1.0;
    const int    C     = s.channels;
    switch (st.op) {
    case Op::Conv:
    case Op::ConvRelu:
    case Op::ConvReluAdd:
    case Op::Head: {
      const ConvShape c = ConvShapes(s)[st.conv];
      f += share * (2.0 * c.ksize * c.ksize * c.ksize * c.cin * c.cout + c.cout);
      if (st.op == Op::ConvRelu) f += share * C;
      if (st.op == Op::ConvReluAdd) f += share * 2 * C;
    } break;
    case Op::Pool: f += 1.0 / 8 * 8 * C; break;
    case Op::UpsampleAdd: f += C; break;
    }
  }
  return f;
}

} // namespace cnn
} // namespace petal
