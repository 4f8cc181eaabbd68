#pragma once
// How a contextual learner sees the context: the identity, or a log scale for contexts that span decades (a
// diffusivity, a time step, a shift). Used by PCBANDITSOR (-pc_banditsor_context_transform) for its own
// learner and for PCBanditSORReplay, so that both map contexts the same way.
#include <algorithm>
#include <cmath>

namespace petal::bandits {

/* log10(c - a + floor (b - a)) with c clamped to [a, b]; floor > 0 is a fraction of the range (contexts closer
 * to a than that look alike). The learner's range is then [LogContext(a), LogContext(b)]. */
inline double LogContext(double c, double a, double b, double floor)
{
  return std::log10(std::min(std::max(c, a), b) - a + floor * (b - a));
}

} // namespace petal::bandits
