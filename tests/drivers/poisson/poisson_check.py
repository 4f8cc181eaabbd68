"""Independent pieces for the petal-poisson tests: petal-voxel files written with h5py, the problem's matrix built
with numpy/scipy from the cell types alone (drivers/poisson/poisson_problem.hpp states the discretization), and
the driver's HDF5 output read back."""
import os
import subprocess
import xml.etree.ElementTree as ET

import h5py
import numpy as np
import scipy.sparse as sp

INTERIOR, SOLID, DIRICHLET = 0, 1, 2
MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")


def run(exe, args, np_, cwd, check=True, timeout=600):
    cmd = [MPIEXEC, "-n", str(np_), exe] + [str(a) for a in args]
    p = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def write_voxel(path, cell_type, spacing=None, fields=None):
    """A petal-voxel v1 file (cell_type in C order [(nz,) ny, nx]) plus optional extra datasets {path: array}."""
    shape = list(cell_type.shape[::-1])
    spacing = spacing or [1.0 / n for n in shape]
    with h5py.File(path, "w") as f:
        f.attrs["petal_format"] = np.bytes_("petal-voxel")
        f.attrs["petal_format_version"] = np.int32(1)
        g = f.create_group("grid")
        g.create_dataset("shape", data=np.array(shape, dtype=np.int64))
        g.create_dataset("spacing", data=np.array(spacing, dtype=np.float64))
        g.create_dataset("origin", data=np.zeros(len(shape)))
        g.create_dataset("cell_type", data=cell_type.astype(np.uint8))
        for name, data in (fields or {}).items():
            f.create_dataset(name, data=data)


def open_faces(cell_type, edge="wall"):
    """For every axis of the array (slowest first) and side: a boolean array, True where the face lets flux through."""
    out = []
    for axis in range(cell_type.ndim):
        for side in (-1, 1):
            neighbour = np.roll(cell_type, -side, axis=axis)
            is_open = neighbour != SOLID
            edge_index = [slice(None)] * cell_type.ndim
            edge_index[axis] = -1 if side == 1 else 0
            is_open[tuple(edge_index)] = edge == "dirichlet"
            out.append((axis, side, is_open))
    return out


def unknown_mask(cell_type, edge="wall"):
    """Fluid cells with at least one open face (a fluid cell walled in on every side is 'sealed', not an unknown)."""
    any_open = np.zeros(cell_type.shape, dtype=bool)
    for _, _, is_open in open_faces(cell_type, edge):
        any_open |= is_open
    return (cell_type == INTERIOR) & any_open


def laplacian(cell_type, spacing, edge="wall"):
    """The matrix of poisson_problem.hpp: h0^2-scaled finite volumes, identity rows for cells that are not unknowns.
    spacing is per grid direction x, y[, z] (x first), the array is C order (x fastest)."""
    nd = cell_type.ndim
    n = cell_type.size
    idx = np.arange(n).reshape(cell_type.shape)
    unknown = unknown_mask(cell_type, edge)
    h = list(spacing)[::-1]  # per array axis
    h0 = spacing[0]
    diag = np.where(unknown, 0.0, 1.0)
    rows, cols, vals = [], [], []
    for axis, side, is_open in open_faces(cell_type, edge):
        w = h0 ** 2 / h[axis] ** 2
        face = unknown & is_open
        diag += np.where(face, w, 0.0)
        neighbour_type = np.roll(cell_type, -side, axis=axis)
        neighbour_idx = np.roll(idx, -side, axis=axis)
        couple = face & (neighbour_type == INTERIOR)
        edge_index = [slice(None)] * nd
        edge_index[axis] = -1 if side == 1 else 0
        couple[tuple(edge_index)] = False
        rows.append(idx[couple])
        cols.append(neighbour_idx[couple])
        vals.append(np.full(couple.sum(), -w))
    rows.append(idx.ravel())
    cols.append(idx.ravel())
    vals.append(diag.ravel())
    return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))


def read_output(path):
    """{'pressure', 'residual', 'rhs', 'cell_type'} as arrays shaped like the grid, from the HDF5 output."""
    with h5py.File(path, "r") as f:
        g = f["fields"]
        return {name: g[f"{name}_000000"][()] for name in ("pressure", "residual", "rhs", "cell_type")}


def xdmf_fields(path):
    """The attribute names and their HDF5 references in an XDMF file, and the topology's dimensions."""
    root = ET.parse(path).getroot()
    topo = root.find(".//Topology").get("Dimensions")
    attrs = {a.get("Name"): a.find("DataItem").text.strip() for a in root.iter("Attribute")}
    return attrs, [int(v) for v in topo.split()]
