// The TAO type's access to sketch/ (ada-sketch's kernels and spectra): the Kokkos sketch solver by default, the
// host reference with -tao_adasketch_sketch_reference.
#include "solvers/adasketch/adasketch_impl.hpp"

namespace petal {
namespace adasketch {

PetscErrorCode Spectra(Mat H, Mat G, const SpectraSettings &s, KKTSpectra *out) { return ComputeKKTSpectra(H, G, s, out); }

std::unique_ptr<SketchSolver> CreateSketchSolver(const SketchSettings &s, bool reference)
{
  return reference ? MakeReferenceSketchSolver(s) : MakeKokkosSketchSolver(s);
}

} // namespace adasketch
} // namespace petal
