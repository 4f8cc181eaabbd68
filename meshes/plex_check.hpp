#pragma once
// Validation of DMPlex HDF5 files before PETSc's DMLoad reads them (internal to meshes/).
//
// Why: DMLoad trusts the file. A cone size that does not add up reads past the cone list, a cone that names a
// point of its own closure makes the stratification loop, an orientation outside its cell type's range indexes
// PETSc's arrangement tables out of bounds, and a label may name any integer. This check reads the topology,
// coordinates and labels on one rank, in PETSc's native layouts (storage versions 1.0.0 and 2.0.0) and the
// XDMF layout, and errors on PETSC_COMM_SELF naming the dataset and what is wrong.
#include <petscsys.h>

namespace petal::mesh {
/* Errors (PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED) unless the DMPlex mesh in filename is consistent enough for
 * DMLoad to read safely; xdmf selects the XDMF ("viz") layout. name is the mesh's name under /topologies (2.0.0). */
PetscErrorCode CheckPlexFile(const char filename[], bool xdmf, const char name[]);
} // namespace petal::mesh
