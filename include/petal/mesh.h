#pragma once
/* Meshes for petal's drivers: structured voxel grids (petal's own HDF5 layout, read into a DMDA) and
 * unstructured meshes (PETSc DMPlex's HDF5 layout or gmsh .msh, read with DMPlexCreateFromFile).
 *
 * Voxel-grid layout (format "petal-voxel", version 1; documented in meshes/README.md):
 *   /                      attributes petal_format = "petal-voxel" (string), petal_format_version = 1 (int)
 *   /grid/shape            int64[dim]        cells per direction (nx, ny[, nz]), dim = 2 or 3
 *   /grid/spacing          float64[dim]      cell size per direction (> 0)
 *   /grid/origin           float64[dim]      lower corner of cell (0,0[,0])
 *   /grid/cell_type        uint8[(nz,) ny, nx]  C order, x fastest; PetalCellType values
 *   /grid/coefficient      float64[(nz,) ny, nx] optional per-cell coefficient (finite, > 0)
 * Unknowns live at cell centres origin + (i + 1/2) h. Beyond the grid edge the field is the Dirichlet
 * value 0 one cell further out, so a grid of n-1 cells with spacing 1/n and origin 1/(2n) is the
 * vertex-centred finite-difference grid of the unit square with n intervals. */
#include <petscdmda.h>
#include <petscdmplex.h>

typedef enum {
  PETAL_CELL_INTERIOR  = 0, /* an unknown of the PDE */
  PETAL_CELL_SOLID     = 1, /* an obstacle: no unknown, zero flux across its faces */
  PETAL_CELL_DIRICHLET = 2  /* fixed value 0 */
} PetalCellType;

typedef struct {
  PetscInt  dim;
  PetscInt  shape[3];   /* unused entries are 1 */
  PetscReal spacing[3]; /* unused entries are 1 */
  PetscReal origin[3];  /* unused entries are 0 */
  PetscBool has_coefficient;
} PetalVoxelGridInfo;

typedef enum { PETAL_MESH_UNKNOWN = 0, PETAL_MESH_VOXEL, PETAL_MESH_PLEX } PetalMeshKind;

/* Which layout a file holds: PETAL_MESH_VOXEL for petal-voxel HDF5, PETAL_MESH_PLEX for DMPlex HDF5 or
 * gmsh .msh. Errors (naming the file) if it does not exist or is neither. Collective. */
PETSC_EXTERN PetscErrorCode PetalMeshGetKind(MPI_Comm comm, const char filename[], PetalMeshKind *kind);

/* Reads and validates the header of a voxel-grid file. Collective. */
PETSC_EXTERN PetscErrorCode PetalVoxelGridReadInfo(MPI_Comm comm, const char filename[], PetalVoxelGridInfo *info);

/* Reads a voxel grid in parallel: a DMDA (dof 1, star stencil of width 1, no periodicity) whose
 * coordinates are the cell centres, the cell types (a global Vec of the DMDA holding PetalCellType values)
 * and the coefficient (a global Vec, or NULL in *coefficient if the file has none; pass NULL to skip).
 * Every problem (missing file, missing dataset, wrong shape, bad cell type, non-finite or non-positive
 * coefficient) is a PETSc error naming the file and the problem. Collective. */
PETSC_EXTERN PetscErrorCode PetalVoxelGridLoad(MPI_Comm comm, const char filename[], DM *da, Vec *cellType, Vec *coefficient);

/* Reads a per-cell field (e.g. /fields/div) from an HDF5 file (a voxel-grid file or any other) into v, a global Vec
 * of the voxel-grid DMDA da: the dataset must exist, hold numbers with the grid's shape [(nz,) ny, nx] (C order, x
 * fastest, like /grid/cell_type) and only finite values. Each problem is a PETSc error naming the file, the dataset
 * and (for values) the first bad cell, the same on every rank. Collective. */
PETSC_EXTERN PetscErrorCode PetalVoxelGridLoadField(DM da, const char filename[], const char path[], Vec v);

/* Writes a voxel grid (the DMDA's coordinates give origin and spacing) to filename, atomically: the data
 * goes to a temporary file that is renamed when complete. coefficient may be NULL. Collective. */
PETSC_EXTERN PetscErrorCode PetalVoxelGridSave(DM da, Vec cellType, Vec coefficient, const char filename[]);

/* Fills coefficient (a global Vec of da) with values uniform in [a, b), drawn per cell from splitmix64 seeded
 * with (seed, flat cell index, x fastest): the same field on any number of ranks. Collective. */
PETSC_EXTERN PetscErrorCode PetalVoxelGridRandomCoefficient(DM da, PetscReal a, PetscReal b, PetscInt64 seed, Vec coefficient);

/* The grid a voxel-grid DMDA describes (shape from the DMDA, origin and spacing from its cell-centre coordinates
 * or from the info PetalVoxelGridCreateDA attached). Collective. */
PETSC_EXTERN PetscErrorCode PetalVoxelGridGetInfo(DM da, PetalVoxelGridInfo *info);

/* Creates a DMDA of the voxel grid described by info (no file involved). Collective. */
PETSC_EXTERN PetscErrorCode PetalVoxelGridCreateDA(MPI_Comm comm, const PetalVoxelGridInfo *info, DM *da);

/* Reads an unstructured mesh (DMPlex HDF5, XDMF-flavoured HDF5 or gmsh .msh), interpolated, distributed
 * over comm, with a "marker" label on the boundary faces. Clear errors for missing or malformed files. */
PETSC_EXTERN PetscErrorCode PetalPlexLoad(MPI_Comm comm, const char filename[], DM *dm);

/* Writes a DMPlex in PETSc's native HDF5 layout, atomically. Collective. */
PETSC_EXTERN PetscErrorCode PetalPlexSave(DM dm, const char filename[]);

/* Prints a summary of any mesh file petal reads (kind, sizes, bounding box, cell-type counts). */
PETSC_EXTERN PetscErrorCode PetalMeshView(MPI_Comm comm, const char filename[], PetscViewer viewer);
