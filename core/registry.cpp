// Every PETSc type petal adds, registered in one place so that PetalInitializePackage (and therefore
// -dll_append libpetal.so) brings all of them into any PETSc program.
#include "core/registry.hpp"
#include <petscksp.h>
#include <petsctao.h>
#include <petal/adasketch.h>
#include <petal/banditsor.h>
#include <petal/dcdm.h>

namespace petal {
namespace {
enum class Kind { PC, KSP, TAO };
struct TypeEntry {
  Kind        kind;
  const char *name;
  void       *create;                 // PCCreate_X / KSPCreate_X / TaoCreate_X
  PetscErrorCode (*initialize)(void); // registers the type's log events
};

// Methods add their constructor here (and declare it in their own public header).
const TypeEntry kTypes[] = {
  {Kind::PC, PCBANDITSOR, (void *)PCCreate_BanditSOR, PCBanditSORInitializePackage},
  {Kind::PC, PCDCDM, (void *)PCCreate_DCDM, PetalCNNInitializePackage},
  {Kind::KSP, KSPDCDM, (void *)KSPCreate_DCDM, nullptr},
  {Kind::TAO, TAOADASKETCH, (void *)TaoCreate_AdaSketch, TaoAdaSketchInitializePackage},
};
} // namespace

PetscErrorCode RegisterAllTypes()
{
  PetscFunctionBegin;
  for (const TypeEntry &t : kTypes) {
    if (t.initialize) PetscCall(t.initialize());
    switch (t.kind) {
    case Kind::PC: PetscCall(PCRegister(t.name, reinterpret_cast<PetscErrorCode (*)(PC)>(t.create))); break;
    case Kind::KSP: PetscCall(KSPRegister(t.name, reinterpret_cast<PetscErrorCode (*)(KSP)>(t.create))); break;
    case Kind::TAO: PetscCall(TaoRegister(t.name, reinterpret_cast<PetscErrorCode (*)(Tao)>(t.create))); break;
    }
  }
  PetscFunctionReturn(0);
}

PetscErrorCode ViewRegisteredTypes(PetscViewer viewer)
{
  PetscFunctionBegin;
  for (const TypeEntry &t : kTypes) {
    const char *kind = t.kind == Kind::PC ? "PC" : t.kind == Kind::KSP ? "KSP" : "Tao";
    PetscCall(PetscViewerASCIIPrintf(viewer, "  %s %s\n", kind, t.name));
  }
  PetscFunctionReturn(0);
}
} // namespace petal
