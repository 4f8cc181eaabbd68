// Host glue of the Kokkos multicolor SOR (see sor_kokkos.hpp). Setup (coloring, permuted structure) runs
// once on the host; values, sweeps and the block-Jacobi right-hand side run in ExecSpace on views in
// MemSpace. Copies between PETSc's host arrays and MemSpace happen only in the bridge.
#include "preconditioners/banditsor/sor_kokkos.hpp"
#include <petal/petal.h>
#include <KokkosKernels_Handle.hpp>
#include <KokkosGraph_Distance1Color.hpp>
#include <algorithm>
#include <cmath>

PetscLogEvent PETAL_SORKokkos = 0;

namespace petal {
namespace {
PetscBool sorPackageInitialized = PETSC_FALSE;

PetscErrorCode KokkosSORFinalizePackage()
{
  PetscFunctionBegin;
  sorPackageInitialized = PETSC_FALSE;
  PetscFunctionReturn(0);
}

template <class T>
Kokkos::View<T *, MemSpace> ToMemSpace(const char *label, const std::vector<T> &h)
{
  Kokkos::View<T *, MemSpace> v(Kokkos::view_alloc(Kokkos::WithoutInitializing, std::string(label)), h.size());
  Kokkos::deep_copy(v, HostUnmanaged<const T>(h.data(), h.size()));
  return v;
}
} // namespace

PetscErrorCode KokkosSORInitializePackage()
{
  PetscFunctionBegin;
  if (sorPackageInitialized) PetscFunctionReturn(0);
  sorPackageInitialized = PETSC_TRUE;
  PetscCall(PetalInitializePackage()); // PETAL_CLASSID and Kokkos; idempotent (and re-entrant: flag set first)
  PetscCall(PetscLogEventRegister("PetalSORKokkos", PETAL_CLASSID, &PETAL_SORKokkos));
  PetscCall(PetscRegisterFinalize(KokkosSORFinalizePackage));
  PetscFunctionReturn(0);
}

const char *SORColoringName(SORColoring coloring)
{
  switch (coloring) {
  case SORColoring::GREEDY: return "greedy";
  case SORColoring::KOKKOS_KERNELS: return "kokkoskernels";
  case SORColoring::LEVEL: return "level";
  }
  return "unknown";
}

const char *SOROrderingName(SOROrdering ordering) { return ordering == SOROrdering::GLOBAL ? "global" : "local"; }

PetscErrorCode KokkosSOR::CheckOmega(MPI_Comm comm, PetscReal omega)
{
  PetscFunctionBegin;
  PetscCheck(omega > 0 && omega < 2, comm, PETSC_ERR_ARG_OUTOFRANGE, "petal KokkosSOR: relaxation factor omega = %g is outside (0, 2)", (double)omega);
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosSOR::Create(Mat A, SORColoring coloring, SOROrdering ordering)
{
  PetscFunctionBegin;
  PetscCall(KokkosSORInitializePackage());
  auto K = std::make_unique<KokkosAIJ>();
  PetscCall(K->Create(A));
  owned_ = std::move(K);
  aij_   = owned_.get();
  PetscCall(Setup(A, coloring, ordering));
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosSOR::Create(Mat A, KokkosAIJ &K, SORColoring coloring, SOROrdering ordering)
{
  PetscFunctionBegin;
  PetscCall(KokkosSORInitializePackage());
  owned_.reset();
  aij_ = &K;
  PetscCall(Setup(A, coloring, ordering));
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosSOR::ComputeColoring(SORColoring coloring, PetscInt n, const std::vector<PetscInt> &rowptr, const std::vector<PetscInt> &cols, std::vector<PetscInt> *color, PetscInt *ncolors)
{
  const sor::CSRRef G{n, rowptr.data(), cols.data(), nullptr};

  PetscFunctionBegin;
  if (coloring == SORColoring::GREEDY) {
    *ncolors = sor::GreedyColoring(G, color);
    PetscFunctionReturn(0);
  }
  if (coloring == SORColoring::LEVEL) {
    *ncolors = sor::LevelColoring(G, color);
    PetscFunctionReturn(0);
  }
  PetscCheck(coloring == SORColoring::KOKKOS_KERNELS, PETSC_COMM_SELF, PETSC_ERR_ARG_OUTOFRANGE, "petal KokkosSOR: unknown coloring %d", (int)coloring);
  // Kokkos Kernels' distance-1 coloring wants a symmetric graph: symmetrize the structure (no self loops).
  std::vector<std::vector<PetscInt>> adj(n);
  for (PetscInt i = 0; i < n; ++i)
    for (PetscInt p = rowptr[i]; p < rowptr[i + 1]; ++p)
      if (cols[p] != i) {
        adj[i].push_back(cols[p]);
        adj[cols[p]].push_back(i);
      }
  std::vector<PetscInt> sptr(n + 1, 0), scols;
  for (PetscInt i = 0; i < n; ++i) {
    std::sort(adj[i].begin(), adj[i].end());
    adj[i].erase(std::unique(adj[i].begin(), adj[i].end()), adj[i].end());
    scols.insert(scols.end(), adj[i].begin(), adj[i].end());
    sptr[i + 1] = (PetscInt)scols.size();
  }
  if (scols.empty()) scols.push_back(0); // keep a non-null allocation; sptr says there are no entries
  using Handle = KokkosKernels::Experimental::KokkosKernelsHandle<PetscInt, PetscInt, PetscScalar, ExecSpace, MemSpace, MemSpace>;
  Handle handle;
  handle.create_graph_coloring_handle(KokkosGraph::COLORING_DEFAULT);
  auto rowmap  = ToMemSpace("petal::sor::symRowmap", sptr);
  auto entries = ToMemSpace("petal::sor::symEntries", scols);
  KokkosGraph::Experimental::graph_color(&handle, n, n, rowmap, entries);
  auto colors = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), handle.get_graph_coloring_handle()->get_vertex_colors());
  handle.destroy_graph_coloring_handle();
  // Kokkos Kernels numbers colors from 1 and may skip some: compress to 0..ncolors-1 (order kept).
  PetscInt maxc = 0;
  for (PetscInt i = 0; i < n; ++i) maxc = std::max<PetscInt>(maxc, (PetscInt)colors(i));
  std::vector<PetscInt> remap(maxc + 1, -1);
  for (PetscInt i = 0; i < n; ++i) remap[colors(i)] = 0;
  *ncolors = 0;
  for (auto &r : remap)
    if (r == 0) r = (*ncolors)++;
  color->resize(n);
  for (PetscInt i = 0; i < n; ++i) (*color)[i] = remap[colors(i)];
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosSOR::GlobalColoring(Mat A, SORColoring coloring, std::vector<PetscInt> *color, PetscInt *ncolors)
{
  PetscInt    rstart, rend, N;
  PetscMPIInt size;
  PetscFunctionBegin;
  PetscCheck(coloring != SORColoring::KOKKOS_KERNELS, comm_, PETSC_ERR_SUP, "petal KokkosSOR: the global ordering needs a deterministic coloring (greedy or level), not kokkoskernels");
  PetscCallMPI(MPI_Comm_size(comm_, &size));
  PetscCall(MatGetOwnershipRange(A, &rstart, &rend));
  PetscCall(MatGetSize(A, &N, NULL));
  // This rank's rows with global columns, then every rank's (the pattern only, once per Create).
  std::vector<PetscInt> lens, cols;
  for (PetscInt i = rstart; i < rend; ++i) {
    PetscInt        nc;
    const PetscInt *c;
    PetscCall(MatGetRow(A, i, &nc, &c, NULL));
    lens.push_back(nc);
    cols.insert(cols.end(), c, c + nc);
    PetscCall(MatRestoreRow(A, i, &nc, &c, NULL));
  }
  std::vector<PetscMPIInt> rowCounts(size), rowDispl(size), nnzCounts(size), nnzDispl(size);
  PetscMPIInt              nrow = (PetscMPIInt)lens.size(), nnz = (PetscMPIInt)cols.size();
  PetscCallMPI(MPI_Allgather(&nrow, 1, MPI_INT, rowCounts.data(), 1, MPI_INT, comm_));
  PetscCallMPI(MPI_Allgather(&nnz, 1, MPI_INT, nnzCounts.data(), 1, MPI_INT, comm_));
  for (int r = 1; r < size; ++r) rowDispl[r] = rowDispl[r - 1] + rowCounts[r - 1], nnzDispl[r] = nnzDispl[r - 1] + nnzCounts[r - 1];
  std::vector<PetscInt> allLens(N), rowptr(N + 1, 0), allCols(nnzDispl[size - 1] + nnzCounts[size - 1]);
  PetscCallMPI(MPI_Allgatherv(lens.data(), nrow, MPIU_INT, allLens.data(), rowCounts.data(), rowDispl.data(), MPIU_INT, comm_));
  PetscCallMPI(MPI_Allgatherv(cols.data(), nnz, MPIU_INT, allCols.data(), nnzCounts.data(), nnzDispl.data(), MPIU_INT, comm_));
  for (PetscInt i = 0; i < N; ++i) rowptr[i + 1] = rowptr[i] + allLens[i];
  std::vector<PetscInt> global;
  PetscCall(ComputeColoring(coloring, N, rowptr, allCols, &global, ncolors));
  color->assign(global.begin() + rstart, global.begin() + rend);
  PetscFunctionReturn(0);
}

// The multicolor structure M_ of the local diagonal block (rowptr/cols) in the given coloring.
PetscErrorCode KokkosSOR::BuildColoredMatrix(PetscInt n, const std::vector<PetscInt> &rowptr, const std::vector<PetscInt> &cols, const std::vector<PetscInt> &color, PetscInt ncolors)
{
  PetscFunctionBegin;
  std::vector<PetscInt> colorStart;
  sor::ColorOrder(color, ncolors, &order_, &colorStart);

  // Permuted off-diagonal entries: lower part (smaller color) first, then upper part (larger color).
  std::vector<PetscInt> ptr(n + 1, 0), mid(n), dsrc(n, -1), col, src;
  col.reserve(rowptr[n]);
  src.reserve(rowptr[n]);
  PetscInt nlower = 0, nupper = 0;
  for (PetscInt k = 0; k < n; ++k) {
    const PetscInt i = order_[k];
    for (int part = 0; part < 2; ++part) {
      for (PetscInt p = rowptr[i]; p < rowptr[i + 1]; ++p) {
        const PetscInt j = cols[p];
        if (j == i) {
          dsrc[k] = p;
          continue;
        }
        if ((part == 0) == (color[j] < color[i])) {
          col.push_back(j);
          src.push_back(p);
        }
      }
      if (part == 0) mid[k] = (PetscInt)col.size();
    }
    ptr[k + 1] = (PetscInt)col.size();
    nlower += mid[k] - ptr[k];
    nupper += ptr[k + 1] - mid[k];
    PetscCheck(dsrc[k] >= 0, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "petal KokkosSOR: local row %" PetscInt_FMT " has no diagonal entry", i);
  }

  M_.row         = ToMemSpace("petal::sor::row", order_);
  M_.ptr         = ToMemSpace("petal::sor::ptr", ptr);
  M_.mid         = ToMemSpace("petal::sor::mid", mid);
  M_.col         = ToMemSpace("petal::sor::col", col);
  M_.src         = ToMemSpace("petal::sor::src", src);
  M_.dsrc        = ToMemSpace("petal::sor::dsrc", dsrc);
  M_.val         = Matrix::ValueView(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::sor::val"), col.size());
  M_.idiag       = Matrix::ValueView(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::sor::idiag"), n);
  M_.color_start = colorStart;
  M_.nlower      = nlower;
  M_.nupper      = nupper;
  rhs_           = VectorView(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::sor::rhs"), n);
  t_             = VectorView(Kokkos::view_alloc(Kokkos::WithoutInitializing, "petal::sor::t"), n);
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosSOR::Setup(Mat A, SORColoring coloring, SOROrdering ordering)
{
  PetscInt  m, nlocalCols;
  PetscBool isMPI;

  PetscFunctionBegin;
  comm_     = PetscObjectComm((PetscObject)A);
  coloring_ = coloring;
  ordering_ = ordering;
  PetscCall(PetscObjectBaseTypeCompare((PetscObject)A, MATMPIAIJ, &isMPI));
  isMPI_ = isMPI;
  PetscCall(MatGetLocalSize(A, &m, &nlocalCols));
  PetscCheck(m == nlocalCols, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "petal KokkosSOR: the local diagonal block must be square, got %" PetscInt_FMT " rows and %" PetscInt_FMT " columns", m, nlocalCols);
  const CrsMatrix &D = aij_->diag;
  PetscCheck(D.numRows() == m, PETSC_COMM_SELF, PETSC_ERR_ARG_INCOMP, "petal KokkosSOR: the KokkosAIJ has %" PetscInt_FMT " local rows, the matrix %" PetscInt_FMT, (PetscInt)D.numRows(), m);

  // Structure on the host (no copy when MemSpace is HostSpace).
  auto                  rowmapH  = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), D.graph.row_map);
  auto                  entriesH = Kokkos::create_mirror_view_and_copy(Kokkos::HostSpace(), D.graph.entries);
  const PetscInt        n        = m;
  std::vector<PetscInt> rowptr(rowmapH.data(), rowmapH.data() + n + 1), cols(entriesH.data(), entriesH.data() + rowptr[n]);

  std::vector<PetscInt> color;
  PetscInt              ncolors;
  if (ordering == SOROrdering::GLOBAL) PetscCall(GlobalColoring(A, coloring, &color, &ncolors));
  else PetscCall(ComputeColoring(coloring, n, rowptr, cols, &color, &ncolors));
  const sor::CSRRef G{n, rowptr.data(), cols.data(), nullptr};
  PetscCheck(sor::IsValidColoring(G, color), PETSC_COMM_SELF, PETSC_ERR_PLIB, "petal KokkosSOR: the graph coloring is invalid (coupled rows share a color)");

  PetscCall(BuildColoredMatrix(n, rowptr, cols, color, ncolors));
  PetscCall(RefreshValues());
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosSOR::UpdateValues(Mat A)
{
  PetscFunctionBegin;
  PetscCheck(aij_, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "petal KokkosSOR: call Create() before UpdateValues()");
  PetscCall(aij_->UpdateValues(A));
  PetscCall(RefreshValues());
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosSOR::RefreshValues()
{
  PetscFunctionBegin;
  PetscCheck(aij_, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "petal KokkosSOR: call Create() before RefreshValues()");
  const PetscInt firstZero = sor::RefreshValues<ExecSpace>(M_, aij_->diag.values);
  PetscCheck(firstZero == M_.NumRows(), PETSC_COMM_SELF, PETSC_ERR_MAT_LU_ZRPVT, "petal KokkosSOR: zero diagonal on local row %" PetscInt_FMT, order_[firstZero]);
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosSOR::Apply(PetscReal omega, sor::Sweep sweep, PetscInt its, Vec b, Vec x, PetscInt lits)
{
  PetscInt nb, nx;

  PetscFunctionBegin;
  PetscCheck(aij_, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "petal KokkosSOR: call Create() before Apply()");
  PetscCall(CheckOmega(comm_, omega));
  PetscCheck(its >= 1 && lits >= 1, comm_, PETSC_ERR_ARG_OUTOFRANGE, "petal KokkosSOR: its = %" PetscInt_FMT " and lits = %" PetscInt_FMT " must be at least 1", its, lits);
  PetscCheck(sweep == sor::Sweep::SYMMETRIC || sweep == sor::Sweep::FORWARD || sweep == sor::Sweep::BACKWARD, comm_, PETSC_ERR_ARG_OUTOFRANGE, "petal KokkosSOR: unknown sweep type %d", (int)sweep);
  PetscCheck(b != x, comm_, PETSC_ERR_ARG_IDN, "petal KokkosSOR: b and x must be different vectors");
  PetscCall(VecGetLocalSize(b, &nb));
  PetscCall(VecGetLocalSize(x, &nx));
  PetscCheck(nb == M_.NumRows() && nx == M_.NumRows(), PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "petal KokkosSOR: local sizes of b (%" PetscInt_FMT ") and x (%" PetscInt_FMT ") must equal the matrix's (%" PetscInt_FMT ")", nb, nx, M_.NumRows());

  if (ordering_ == SOROrdering::GLOBAL) {
    PetscCall(ApplyGlobal(omega, sweep, its * lits, b, x));
    PetscFunctionReturn(0);
  }
  PetscCall(PetscLogEventBegin(PETAL_SORKokkos, (PetscObject)b, (PetscObject)x, 0, 0));
  const PetscInt  n          = M_.NumRows();
  const double    halves     = sweep == sor::Sweep::SYMMETRIC ? 2 : 1;
  double          entries    = 0, flops = 0;
  // Without ghosts every outer iteration is lits more sweeps with the same right-hand side.
  const PetscInt  outerIts   = isMPI_ ? its : 1;
  const PetscInt  sweepsEach = isMPI_ ? lits : its * lits;
  ConstVectorView bv;
  PetscCall(VecGetKokkosViewRead(b, &bv));
  for (PetscInt outer = 0; outer < outerIts; ++outer) {
    ConstVectorView rhs = bv;
    if (outer > 0) { // MPIAIJ: rhs = b - B x_ghost (x_ghost = 0 in the first iteration). Collective.
      ConstVectorView g;
      PetscCall(aij_->UpdateGhosts(x, &g));
      if (aij_->nghost > 0) {
        const CrsMatrix &B = aij_->offdiag;
        sor::GhostRHS<ExecSpace>(B.graph.row_map, B.graph.entries, B.values, g, bv, rhs_);
        rhs = rhs_;
        flops += 2.0 * B.nnz();
      }
      PetscCall(aij_->RestoreGhosts(&g));
    }
    VectorView xv;
    PetscCall(VecGetKokkosViewWrite(x, &xv, outer == 0)); // x = 0 is never read: no copy in
    entries += sor::Sweeps<ExecSpace>(M_, omega, sweep, (int)sweepsEach, outer == 0, rhs, xv, t_);
    Kokkos::fence();
    PetscCall(VecRestoreKokkosViewWrite(x, &xv));
    flops += 3.0 * n * halves * sweepsEach; // per row update: omega * idiag * sum (+ (1 - omega) x)
  }
  PetscCall(VecRestoreKokkosViewRead(b, &bv));
  PetscCall(PetscLogFlops(flops + 2.0 * entries));
  PetscCall(PetscLogEventEnd(PETAL_SORKokkos, (PetscObject)b, (PetscObject)x, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosSOR::GlobalColor(PetscInt c, bool forward, PetscReal omega, ConstVectorView b, Vec x)
{
  ConstVectorView rhs = b;
  const auto     &cs  = M_.color_start;
  PetscFunctionBegin;
  if (isMPI_) { // every rank, every color: the exchange is collective even where this rank has no row of it
    ConstVectorView g;
    PetscCall(aij_->UpdateGhosts(x, &g));
    if (aij_->nghost > 0) {
      const CrsMatrix &B = aij_->offdiag;
      sor::GhostRHS<ExecSpace>(B.graph.row_map, B.graph.entries, B.values, g, b, rhs_);
      rhs = rhs_;
    }
    PetscCall(aij_->RestoreGhosts(&g));
  }
  if (cs[c] == cs[c + 1]) PetscFunctionReturn(0);
  VectorView xv;
  PetscCall(VecGetKokkosViewWrite(x, &xv));
  // Whole rows with the current x (rows of later colors are still zero in the first sweep).
  if (forward) sor::ForwardColor<ExecSpace, false, false>(M_, cs[c], cs[c + 1], omega, rhs, xv, t_);
  else sor::BackwardColor<ExecSpace, sor::BackwardMode::FULL>(M_, cs[c], cs[c + 1], omega, rhs, xv, t_);
  Kokkos::fence();
  PetscCall(VecRestoreKokkosViewWrite(x, &xv));
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosSOR::ApplyGlobal(PetscReal omega, sor::Sweep sweep, PetscInt sweeps, Vec b, Vec x)
{
  const PetscInt  nc = M_.NumColors();
  ConstVectorView bv;
  double          halves = 0;
  PetscFunctionBegin;
  PetscCall(PetscLogEventBegin(PETAL_SORKokkos, (PetscObject)b, (PetscObject)x, 0, 0));
  PetscCall(VecSet(x, 0.0));
  PetscCall(VecGetKokkosViewRead(b, &bv));
  for (PetscInt s = 0; s < sweeps; ++s) {
    if (sweep != sor::Sweep::BACKWARD)
      for (PetscInt c = 0; c < nc; ++c) PetscCall(GlobalColor(c, true, omega, bv, x));
    if (sweep != sor::Sweep::FORWARD)
      for (PetscInt c = nc - 1; c >= 0; --c) PetscCall(GlobalColor(c, false, omega, bv, x));
    halves += sweep == sor::Sweep::SYMMETRIC ? 2 : 1;
  }
  PetscCall(VecRestoreKokkosViewRead(b, &bv));
  const double ghostEntries = isMPI_ ? (double)aij_->offdiag.nnz() * nc : 0.0;
  PetscCall(PetscLogFlops(halves * (2.0 * (M_.nlower + M_.nupper + ghostEntries) + 3.0 * M_.NumRows())));
  PetscCall(PetscLogEventEnd(PETAL_SORKokkos, (PetscObject)b, (PetscObject)x, 0, 0));
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosSOR::GetColorOrder(std::vector<PetscInt> *order, std::vector<PetscInt> *color_start) const
{
  PetscFunctionBegin;
  PetscCheck(aij_, PETSC_COMM_SELF, PETSC_ERR_ARG_WRONGSTATE, "petal KokkosSOR: call Create() first");
  if (order) *order = order_;
  if (color_start) *color_start = M_.color_start;
  PetscFunctionReturn(0);
}

PetscErrorCode KokkosSOR::View(PetscViewer viewer) const
{
  PetscBool   isascii;
  PetscInt    minc = NumColors(), maxc = NumColors();
  PetscMPIInt size;

  PetscFunctionBegin;
  PetscCall(PetscObjectTypeCompare((PetscObject)viewer, PETSCVIEWERASCII, &isascii));
  if (!isascii || !aij_) PetscFunctionReturn(0);
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &minc, 1, MPIU_INT, MPI_MIN, comm_));
  PetscCallMPI(MPI_Allreduce(MPI_IN_PLACE, &maxc, 1, MPIU_INT, MPI_MAX, comm_));
  PetscCallMPI(MPI_Comm_size(comm_, &size));
  const char *alg = SORColoringName(coloring_);
  if (ordering_ == SOROrdering::GLOBAL) {
    PetscCall(PetscViewerASCIIPrintf(viewer, "Kokkos multicolor SOR (%s coloring of the global graph): %" PetscInt_FMT " colors swept over all rows, ghost values exchanged before each color, execution space %s\n", alg, maxc, ExecSpace::name()));
    PetscFunctionReturn(0);
  }
  if (minc == maxc) PetscCall(PetscViewerASCIIPrintf(viewer, "Kokkos multicolor SOR (%s coloring): %" PetscInt_FMT " colors%s, execution space %s\n", alg, maxc, size > 1 ? " per rank" : "", ExecSpace::name()));
  else PetscCall(PetscViewerASCIIPrintf(viewer, "Kokkos multicolor SOR (%s coloring): %" PetscInt_FMT " to %" PetscInt_FMT " colors per rank, execution space %s\n", alg, minc, maxc, ExecSpace::name()));
  PetscFunctionReturn(0);
}
} // namespace petal
