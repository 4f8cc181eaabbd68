// PCSetUp of PCDCDM: the grid comes from the matrix (the DMDA it was created from), the network from the weights
// file (rebuilt only when the DMDA, the file or the precision change), and on every setup the cell mask and the
// decision to remove the constant, since the matrix's values (and null space) may have changed.
#include "preconditioners/dcdm/pc_dcdm_impl.hpp"
#include "preconditioners/dcdm/dcdm_cnn.hpp"
#include <petscdmda.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <climits>
#include <cstdlib>
#include <dlfcn.h>
#include <string>
#include <unistd.h>

#ifndef PETAL_DCDM_DEFAULT_WEIGHTS
  #define PETAL_DCDM_DEFAULT_WEIGHTS "dcdm_default.h5"
#endif

namespace petal {

namespace {
// The installed copy of the bundled weights, found relative to the libpetal.so this code runs from (so a prefix
// moved after installation still works); empty when this library is not an installed one.
std::string InstalledDefaultWeights()
{
#ifdef PETAL_DCDM_WEIGHTS_FROM_LIBDIR
  Dl_info info;
  if (!dladdr(reinterpret_cast<void *>(&InstalledDefaultWeights), &info) || !info.dli_fname) return {};
  std::string lib = info.dli_fname;
  const auto  slash = lib.find_last_of('/');
  if (slash == std::string::npos) return {};
  const std::string candidate = lib.substr(0, slash + 1) + PETAL_DCDM_WEIGHTS_FROM_LIBDIR;
  char              resolved[PATH_MAX];
  if (access(candidate.c_str(), R_OK) == 0 && realpath(candidate.c_str(), resolved)) return resolved;
#endif
  return {};
}
} // namespace

// The installed weights when this is an installed libpetal, else the file in the source tree it was built from.
const char *DCDMDefaultWeights()
{
  static const std::string path = [] {
    const std::string installed = InstalledDefaultWeights();
    return installed.empty() ? std::string(PETAL_DCDM_DEFAULT_WEIGHTS) : installed;
  }();
  return path.c_str();
}

PetscErrorCode DCDMResetNetwork(PC_DCDM *dcdm)
{
  PetscFunctionBegin;
  PetscCall(PetalCNNDestroy(&dcdm->cnn));
  PetscCall(VecDestroy(&dcdm->mask));
  PetscCall(VecDestroy(&dcdm->work));
  PetscCall(DMDestroy(&dcdm->da));
  dcdm->loadedFile.clear();
  PetscFunctionReturn(0);
}

namespace {
// The DMDA behind the preconditioning matrix: its own DM (DMCreateMatrix), else the PC's (KSPSetDM/PCSetDM).
PetscErrorCode MatrixGrid(PC pc, DM *da)
{
  MPI_Comm  comm = PetscObjectComm((PetscObject)pc);
  DM        dm   = nullptr;
  PetscBool isda;
  DMType    type;
  PetscInt  m, n, xm, ym, zm;

  PetscFunctionBegin;
  PetscCall(MatGetDM(pc->pmat, &dm));
  if (!dm) PetscCall(PCGetDM(pc, &dm));
  PetscCheck(dm, comm, PETSC_ERR_ARG_WRONG, "PC dcdm needs a matrix from a 3-D DMDA (DMCreateMatrix on the DMDA, or KSPSetDM): this matrix has no DM");
  PetscCall(PetscObjectTypeCompare((PetscObject)dm, DMDA, &isda));
  PetscCall(DMGetType(dm, &type));
  PetscCheck(isda, comm, PETSC_ERR_ARG_WRONG, "PC dcdm needs a matrix from a 3-D DMDA: the matrix's DM is of type %s", type ? type : "(not set)");
  PetscCall(DCDMCheckGrid(dm, "PC dcdm"));
  PetscCall(MatGetLocalSize(pc->pmat, &m, &n));
  PetscCall(DMDAGetCorners(dm, NULL, NULL, NULL, &xm, &ym, &zm));
  PetscCheck(m == xm * ym * zm, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "PC dcdm: the matrix has %" PetscInt_FMT " local rows, its DMDA %" PetscInt_FMT " local cells", m, xm * ym * zm);
  *da = dm;
  PetscFunctionReturn(0);
}

// The file to load: the one set, or the bundled default, which must exist (the error names the option).
PetscErrorCode WeightsFileToLoad(PC pc, PC_DCDM *dcdm, std::string *file)
{
  MPI_Comm    comm = PetscObjectComm((PetscObject)pc);
  PetscMPIInt rank;
  int         err = 0;
  const char *prefix;

  PetscFunctionBegin;
  if (!dcdm->weightsFile.empty()) {
    *file = dcdm->weightsFile;
    PetscFunctionReturn(0);
  }
  *file = DCDMDefaultWeights();
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) {
    FILE *f = std::fopen(file->c_str(), "rb");
    if (!f) err = errno;
    else std::fclose(f);
  }
  PetscCallMPI(MPI_Bcast(&err, 1, MPI_INT, 0, comm));
  PetscCall(PCGetOptionsPrefix(pc, &prefix));
  PetscCheck(!err, comm, PETSC_ERR_FILE_OPEN, "PC dcdm: no weights file was given and the bundled default weights \"%s\" cannot be read (%s); give -%spc_dcdm_weights FILE (PCDCDMSetWeightsFile)", file->c_str(), std::strerror(err), prefix ? prefix : "");
  PetscFunctionReturn(0);
}

PetscErrorCode BuildNetwork(PC pc, PC_DCDM *dcdm, DM da, const std::string &file)
{
  cnn::Weights w;

  PetscFunctionBegin;
  PetscCall(DCDMResetNetwork(dcdm));
  PetscCall(PetalDCDMWeightsLoad(PetscObjectComm((PetscObject)pc), file.c_str(), &w, &dcdm->info));
  PetscCall(DCDMCNNCreate(da, w, dcdm->precision, &dcdm->cnn));
  PetscCall(PetscObjectReference((PetscObject)da));
  dcdm->da              = da;
  dcdm->loadedFile      = file;
  dcdm->loadedPrecision = dcdm->precision;
  dcdm->spec            = w.spec;
  dcdm->parameters      = cnn::ParameterCount(w.spec);
  PetscCall(DMCreateGlobalVector(da, &dcdm->mask));
  PetscCall(VecDuplicate(dcdm->mask, &dcdm->work));
  PetscFunctionReturn(0);
}

// Default mask: a row with no nonzero off its diagonal (an identity/Dirichlet row, or an empty solid row) is not
// an unknown: the network's output there would only disturb the values the equation fixes.
PetscErrorCode AutoMask(Mat A, Vec mask)
{
  PetscInt     rs, re;
  PetscScalar *m;

  PetscFunctionBegin;
  PetscCall(MatGetOwnershipRange(A, &rs, &re));
  PetscCall(VecGetArrayWrite(mask, &m));
  for (PetscInt row = rs; row < re; ++row) {
    PetscInt           nc;
    const PetscInt    *cols;
    const PetscScalar *vals;
    bool               coupled = false;
    PetscCall(MatGetRow(A, row, &nc, &cols, &vals));
    for (PetscInt k = 0; k < nc && !coupled; ++k) coupled = cols[k] != row && vals[k] != 0.0;
    PetscCall(MatRestoreRow(A, row, &nc, &cols, &vals));
    m[row - rs] = coupled ? 1.0 : 0.0;
  }
  PetscCall(VecRestoreArrayWrite(mask, &m));
  PetscFunctionReturn(0);
}

PetscErrorCode BuildMask(PC pc, PC_DCDM *dcdm)
{
  PetscFunctionBegin;
  if (dcdm->userMask) {
    PetscInt           n, nm;
    const PetscScalar *u;
    PetscScalar       *m;
    PetscCall(VecGetLocalSize(dcdm->userMask, &n));
    PetscCall(VecGetLocalSize(dcdm->mask, &nm));
    PetscCheck(n == nm, PETSC_COMM_SELF, PETSC_ERR_ARG_SIZ, "PC dcdm: the cell mask has %" PetscInt_FMT " local entries, the matrix's DMDA %" PetscInt_FMT " (it must be a global Vec of that DMDA)", n, nm);
    PetscCall(VecGetArrayRead(dcdm->userMask, &u));
    PetscCall(VecGetArrayWrite(dcdm->mask, &m));
    for (PetscInt i = 0; i < n; ++i) m[i] = u[i] != 0.0 ? 1.0 : 0.0;
    PetscCall(VecRestoreArrayWrite(dcdm->mask, &m));
    PetscCall(VecRestoreArrayRead(dcdm->userMask, &u));
    dcdm->maskSource = "set by PCDCDMSetCellMask";
  } else if (dcdm->maskMode == DCDMMaskMode::NONE) {
    PetscCall(VecSet(dcdm->mask, 1.0));
    dcdm->maskSource = "none (-pc_dcdm_mask none): every cell is an unknown";
  } else {
    PetscCall(AutoMask(pc->pmat, dcdm->mask));
    dcdm->maskSource = "auto: rows whose only nonzero is the diagonal are not unknowns";
  }
  PetscScalar s;
  PetscCall(VecSum(dcdm->mask, &s));
  dcdm->unknowns = PetscRealPart(s);
  PetscFunctionReturn(0);
}

PetscErrorCode HasConstantNullSpace(Mat A, PetscBool *has)
{
  MatNullSpace ns = nullptr;
  PetscFunctionBegin;
  *has = PETSC_FALSE;
  if (A) PetscCall(MatGetNullSpace(A, &ns));
  if (ns) PetscCall(MatNullSpaceGetVecs(ns, has, NULL, NULL));
  PetscFunctionReturn(0);
}
} // namespace

PetscErrorCode PCSetUp_DCDM(PC pc)
{
  auto       *dcdm = static_cast<PC_DCDM *>(pc->data);
  DM          da = nullptr;
  std::string file;

  PetscFunctionBegin;
  PetscCall(MatrixGrid(pc, &da));
  PetscCall(WeightsFileToLoad(pc, dcdm, &file));
  if (!dcdm->cnn || dcdm->da != da || dcdm->loadedFile != file || dcdm->loadedPrecision != dcdm->precision) PetscCall(BuildNetwork(pc, dcdm, da, file));
  PetscCall(BuildMask(pc, dcdm));
  if (dcdm->removeConstant >= 0) dcdm->removing = dcdm->removeConstant == 1;
  else {
    PetscBool a, p;
    PetscCall(HasConstantNullSpace(pc->mat, &a));
    PetscCall(HasConstantNullSpace(pc->pmat, &p));
    dcdm->removing = a || p;
  }
  PetscFunctionReturn(0);
}

} // namespace petal
