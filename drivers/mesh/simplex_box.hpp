#pragma once
/* Private to petal-mesh: a triangle (2-D) or tetrahedron (3-D) mesh of the box [lower, upper] with
 * faces[d] intervals per direction, made on rank 0 (not distributed), with a "marker" label (value 1) on
 * the boundary faces and their closure, as DMPlexCreateBoxMesh makes. */
#include <petscdmplex.h>

PetscErrorCode PetalMeshCreateSimplexBox(MPI_Comm comm, PetscInt dim, const PetscInt faces[], const PetscReal lower[], const PetscReal upper[], DM *dm);
