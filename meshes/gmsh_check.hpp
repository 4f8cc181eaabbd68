#pragma once
// Validation of gmsh .msh files before PETSc parses them (internal to meshes/).
//
// Why: PETSc's gmsh reader trusts its input. An element that names a node the file does not have is read out of
// bounds (the mesh then loads with garbage vertices, or the process dies later), a count larger than the file
// allocates gigabytes, and a parse error happens on rank 0 while the other ranks wait in a broadcast. This
// check reads the whole file on one rank, in the formats PETSc reads (2.x and 4.1, ASCII and binary, either
// byte order), and errors on PETSC_COMM_SELF with the line or section and what is wrong.
#include <petscsys.h>

namespace petal::mesh {
/* Errors (PETSC_COMM_SELF, PETSC_ERR_FILE_UNEXPECTED) unless filename is a well-formed gmsh file whose elements
 * are of types PETSc reads and name existing nodes with finite coordinates. Reads the file; no MPI. */
PetscErrorCode CheckGmshFile(const char filename[]);
} // namespace petal::mesh
