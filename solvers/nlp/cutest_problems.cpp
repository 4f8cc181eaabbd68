/* Other closed-form equality problems of the AdaSketch paper's CUTEst set (SIF files of CUTEst). */
#include "solvers/nlp/closed_form.hpp"
#include "solvers/nlp/nlp_registry.hpp"

namespace petal {
namespace nlp {

void AppendOtherCUTEst(std::vector<NLPEntry> &) {}

} // namespace nlp
} // namespace petal
