// Triangle and tetrahedron meshes of a box for petal-mesh plexbox -simplex.
//
// Why by hand: DMPlexCreateBoxMesh makes simplices through a mesh generator (Triangle, TetGen), and
// Debian's PETSc is built without them. A structured split of each square into 2 triangles (cube into
// 6 tetrahedra, Kuhn/Freudenthal: every cube cut along its main diagonal the same way, so neighbouring
// cubes share faces exactly) needs no generator and is reproducible.
#include "simplex_box.hpp"
#include <vector>

PetscErrorCode PetalMeshCreateSimplexBox(MPI_Comm comm, PetscInt dim, const PetscInt faces[], const PetscReal lower[], const PetscReal upper[], DM *dm)
{
  PetscMPIInt            rank;
  std::vector<PetscInt>  cells;
  std::vector<PetscReal> coords;
  PetscInt               nv[3] = {1, 1, 1}, nc[3] = {1, 1, 1}, numVertices = 0, numCells = 0;
  DMLabel                marker;

  PetscFunctionBegin;
  PetscCheck(dim == 2 || dim == 3, comm, PETSC_ERR_ARG_OUTOFRANGE, "Simplex boxes are 2-D or 3-D, not %" PetscInt_FMT "-D", dim);
  for (PetscInt d = 0; d < dim; ++d) {
    PetscCheck(faces[d] >= 1, comm, PETSC_ERR_ARG_OUTOFRANGE, "Need at least one face per direction, got %" PetscInt_FMT " in direction %" PetscInt_FMT, faces[d], d);
    PetscCheck(upper[d] > lower[d], comm, PETSC_ERR_ARG_OUTOFRANGE, "Upper corner must exceed lower corner in direction %" PetscInt_FMT, d);
    nc[d] = faces[d];
    nv[d] = faces[d] + 1;
  }
  PetscCallMPI(MPI_Comm_rank(comm, &rank));
  if (rank == 0) { // the whole mesh on rank 0; PetalPlexLoad distributes it when read back
    auto vid = [&](PetscInt i, PetscInt j, PetscInt k) { return (k * nv[1] + j) * nv[0] + i; };
    for (PetscInt k = 0; k < nv[2]; ++k)
      for (PetscInt j = 0; j < nv[1]; ++j)
        for (PetscInt i = 0; i < nv[0]; ++i) {
          const PetscInt idx[3] = {i, j, k};
          for (PetscInt d = 0; d < dim; ++d) coords.push_back(lower[d] + (upper[d] - lower[d]) * idx[d] / nc[d]);
        }
    numVertices = nv[0] * nv[1] * nv[2];
    for (PetscInt k = 0; k < nc[2]; ++k)
      for (PetscInt j = 0; j < nc[1]; ++j)
        for (PetscInt i = 0; i < nc[0]; ++i) {
          // corner b of the square/cube: bit 0 = +x, bit 1 = +y, bit 2 = +z
          auto corner = [&](int b) { return vid(i + (b & 1), j + ((b >> 1) & 1), k + ((b >> 2) & 1)); };
          const int last = dim == 2 ? 3 : 7;
          // one simplex per order in which the path from corner 0 to the far corner steps through axes
          const int orders2[2][2] = {{0, 1}, {1, 0}}, orders3[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
          for (int o = 0; o < (dim == 2 ? 2 : 6); ++o) {
            PetscInt s[4];
            int      b = 0;
            s[0]       = corner(0);
            for (PetscInt d = 0; d + 1 < dim; ++d) {
              b |= 1 << (dim == 2 ? orders2[o][d] : orders3[o][d]);
              s[d + 1] = corner(b);
            }
            s[dim] = corner(last);
            // PETSc's reference simplices: triangles counter-clockwise; tetrahedra with
            // det(v1-v0, v2-v0, v3-v0) < 0 (reference vertices (-1,-1,-1), (-1,1,-1), (1,-1,-1), (-1,-1,1))
            PetscReal e[3][3];
            for (PetscInt r = 0; r < dim; ++r)
              for (PetscInt d = 0; d < dim; ++d) e[r][d] = coords[s[r + 1] * dim + d] - coords[s[0] * dim + d];
            const PetscReal det = dim == 2 ? e[0][0] * e[1][1] - e[0][1] * e[1][0]
                                           : e[0][0] * (e[1][1] * e[2][2] - e[1][2] * e[2][1]) - e[0][1] * (e[1][0] * e[2][2] - e[1][2] * e[2][0]) + e[0][2] * (e[1][0] * e[2][1] - e[1][1] * e[2][0]);
            if ((dim == 2 && det < 0) || (dim == 3 && det > 0)) std::swap(s[dim - 1], s[dim]);
            cells.insert(cells.end(), s, s + dim + 1);
          }
        }
    numCells = (PetscInt)cells.size() / (dim + 1);
  }
  PetscCall(DMPlexCreateFromCellListPetsc(comm, dim, numCells, numVertices, dim + 1, PETSC_TRUE, cells.data(), dim, coords.data(), dm));
  // The mesh is not distributed yet, so every face with one cell is on the boundary
  PetscCall(DMCreateLabel(*dm, "marker"));
  PetscCall(DMGetLabel(*dm, "marker", &marker));
  PetscCall(DMPlexMarkBoundaryFaces(*dm, 1, marker));
  PetscCall(DMPlexLabelComplete(*dm, marker));
  PetscFunctionReturn(0);
}
