#pragma once
/* The closed-form problem tables, one per family file, joined in nlp_problem.cpp (NLPTestSetNames order). */
#include <petal/nlp_problems.hpp>

#include <memory>
#include <vector>

namespace petal {
namespace nlp {

struct NLPEntry {
  const char *name;
  std::unique_ptr<NLPProblem> (*create)();
};

void AppendHockSchittkowski(std::vector<NLPEntry> &table); /* hs_problems.cpp */
void AppendBoggsTolle(std::vector<NLPEntry> &table);       /* bt_problems.cpp */
void AppendOtherCUTEst(std::vector<NLPEntry> &table);      /* cutest_problems.cpp */

/* The control problems (control_problems.cpp); nullptr for a name of another family. */
std::unique_ptr<NLPProblem> CreatePoissonPaper(int N);
std::unique_ptr<NLPProblem> CreateSemilinear(int D, int N, double alpha);

} // namespace nlp
} // namespace petal
