#include "learned/bandits/rng.hpp"

#include <locale>
#include <sstream>
#include <stdexcept>

namespace petal::bandits {

std::string Rng::Serialize() const
{
  std::ostringstream os;
  os.imbue(std::locale::classic());
  os << engine_;
  return os.str();
}

void Rng::Deserialize(const std::string &text)
{
  std::istringstream is(text);
  is.imbue(std::locale::classic());
  std::mt19937_64 engine;
  is >> engine;
  if (is.fail()) throw std::invalid_argument("petal::bandits::Rng: malformed generator state");
  is >> std::ws;
  if (!is.eof()) throw std::invalid_argument("petal::bandits::Rng: trailing characters in generator state");
  engine_ = engine;
}

std::size_t SampleIndex(const std::vector<double> &probs, double u)
{
  double total = 0.0;
  for (double p : probs)
    if (p > 0.0) total += p;
  if (!(total > 0.0)) throw std::invalid_argument("petal::bandits::SampleIndex: no positive probability");
  const double target = u * total;
  double       acc    = 0.0;
  std::size_t  last   = probs.size();
  for (std::size_t i = 0; i < probs.size(); ++i) {
    if (!(probs[i] > 0.0)) continue;
    acc += probs[i];
    last = i;
    if (target < acc) return i;
  }
  return last;
}

} // namespace petal::bandits
