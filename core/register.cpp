// The single registration point of petal: PETSc's -dll_append calls PetscDLLibraryRegister_petal, linked
// programs call PetalInitializePackage. Modeled on PCInitializePackage (src/ksp/ksp/interface/dlregisksp.c).
#include <petal/petal.h>
#include "core/registry.hpp"
#include "core/kokkos_runtime.hpp"
#include <petal/ot.h>
#include <petal/dcdm.h>

PetscClassId  PETAL_CLASSID      = 0;
PetscLogEvent PETAL_BridgeSpMV   = 0;
PetscLogEvent PETAL_BridgeMirror = 0;
PetscLogEvent PETAL_MeshLoad     = 0;
PetscLogEvent PETAL_MeshSave     = 0;
PetscLogEvent PETAL_OutputWrite  = 0;

static PetscBool PetalPackageInitialized = PETSC_FALSE;

static PetscErrorCode PetalFinalizePackage(void)
{
  PetscFunctionBegin;
  PetalPackageInitialized = PETSC_FALSE;
  PetscCall(petal::KokkosFinalizeIfOwned());
  PetscFunctionReturn(0);
}

/* Options that belong to petal as a whole (not to one object); listed by -help. */
static PetscErrorCode PetalSetFromOptions(void)
{
  PetscBool view = PETSC_FALSE;

  PetscFunctionBegin;
  PetscOptionsBegin(PETSC_COMM_WORLD, NULL, "petal package options", "Petal");
  PetscCall(PetscOptionsBool("-petal_view", "Print petal's version, Kokkos execution space and registered types", "PetalInitializePackage", view, &view, NULL));
  PetscOptionsEnd();
  if (view) {
    PetscCall(PetscPrintf(PETSC_COMM_WORLD, "petal %s (Kokkos execution space: %s)\n", PETAL_VERSION_STRING, PetalKokkosExecutionSpaceName()));
    PetscCall(petal::ViewRegisteredTypes(PETSC_VIEWER_STDOUT_WORLD));
  }
  PetscFunctionReturn(0);
}

PetscErrorCode PetalInitializePackage(void)
{
  PetscFunctionBegin;
  if (PetalPackageInitialized) PetscFunctionReturn(0);
  PetalPackageInitialized = PETSC_TRUE;
  PetscCall(petal::KokkosInitializeIfNeeded());
  if (!PETAL_CLASSID) PetscCall(PetscClassIdRegister("Petal", &PETAL_CLASSID));
  PetscCall(PetscLogEventRegister("PetalBridgeSpMV", PETAL_CLASSID, &PETAL_BridgeSpMV));
  PetscCall(PetscLogEventRegister("PetalBridgeMirror", PETAL_CLASSID, &PETAL_BridgeMirror));
  PetscCall(PetscLogEventRegister("PetalMeshLoad", PETAL_CLASSID, &PETAL_MeshLoad));
  PetscCall(PetscLogEventRegister("PetalMeshSave", PETAL_CLASSID, &PETAL_MeshSave));
  PetscCall(PetscLogEventRegister("PetalOutputWrite", PETAL_CLASSID, &PETAL_OutputWrite));
  PetscCall(petal::RegisterAllTypes());
  PetscCall(PetalOTInitializePackage()); // the OT solver object is not a PC/KSP/Tao type but has log events
  PetscCall(PetalCNNInitializePackage()); // the DCDM network (PetalCNN) runs outside any PC too
  PetscCall(PetscRegisterFinalize(PetalFinalizePackage));
  PetscCall(PetalSetFromOptions());
  PetscFunctionReturn(0);
}

PetscErrorCode PetscDLLibraryRegister_petal(void)
{
  PetscFunctionBegin;
  PetscCall(PetalInitializePackage());
  PetscFunctionReturn(0);
}
