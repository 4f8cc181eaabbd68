"""Independent pieces for the petal-control tests: running the driver, petal-voxel files written with h5py, the
driver's outputs read back through their XDMF, and the discrete problems rebuilt with numpy from the formulas of
include/petal/control_problem.hpp (so the driver's optimum is checked against a separate solve)."""
import json
import math
import os
import subprocess
import xml.etree.ElementTree as ET

import h5py
import numpy as np

MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
PDIPM = ["-tao_type", "pdipm"]


def run(exe, args, np_, cwd, check=True, timeout=600):
    cmd = [MPIEXEC, "-n", str(np_), exe] + [str(a) for a in args]
    p = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def solve(exe, args, np_, cwd, name="run"):
    """Runs the driver with -json and an output file; returns (summary, fields from the XDMF)."""
    run(exe, list(args) + ["-json", f"{name}.json", "-control_output", f"{name}.h5"], np_, cwd)
    with open(os.path.join(cwd, f"{name}.json")) as f:
        summary = json.load(f)
    return summary, read_fields(os.path.join(cwd, f"{name}.xmf"))


def read_fields(xmf):
    """{attribute name: array} for every attribute of the XDMF (first grid), read from the HDF5 paths it names,
    plus 'points' (N x dim coordinates) when the XDMF gives explicit geometry."""
    root = ET.parse(xmf).getroot()
    grid = next(g for g in root.iter("Grid") if g.find("Attribute") is not None)
    base = os.path.dirname(xmf)
    out = {}

    def load(item):
        fname, path = item.text.strip().split(":", 1)
        with h5py.File(os.path.join(base, os.path.basename(fname)), "r") as f:
            return f[path][()]

    for a in grid.iter("Attribute"):
        out[a.get("Name")] = np.asarray(load(a.find("DataItem"))).ravel()
    geo = grid.find("Geometry")
    if geo is not None and geo.get("GeometryType") in ("XY", "XYZ"):
        out["points"] = np.asarray(load(geo.find("DataItem")))
    return out


def write_voxel(path, cell_type, spacing=None, origin=None):
    """A petal-voxel v1 file (cell_type in C order [(nz,) ny, nx]); default: the vertex grid of the unit box."""
    shape = list(cell_type.shape[::-1])
    spacing = spacing or [1.0 / (n + 1) for n in shape]
    origin = origin or [0.5 * h for h in spacing]
    with h5py.File(path, "w") as f:
        f.attrs["petal_format"] = np.bytes_("petal-voxel")
        f.attrs["petal_format_version"] = np.int32(1)
        g = f.create_group("grid")
        g.create_dataset("shape", data=np.array(shape, dtype=np.int64))
        g.create_dataset("spacing", data=np.array(spacing, dtype=np.float64))
        g.create_dataset("origin", data=np.array(origin, dtype=np.float64))
        g.create_dataset("cell_type", data=cell_type.astype(np.uint8))


def laplacian(n, dim, h):
    """-Delta_h on the n^dim interior grid (zero Dirichlet), 1/h^2 scaling, x fastest (C order of [(z,) y, x])."""
    one = np.diag(2.0 * np.ones(n)) - np.diag(np.ones(n - 1), 1) - np.diag(np.ones(n - 1), -1)
    eye = np.eye(n)
    if dim == 2:
        A = np.kron(eye, one) + np.kron(one, eye)
    else:
        A = np.kron(np.kron(eye, eye), one) + np.kron(np.kron(eye, one), eye) + np.kron(np.kron(one, eye), eye)
    return A / h ** 2


def grid_points(n, dim):
    """Interior points x = (i+1)/(n+1) as an (n^dim, dim) array, x fastest."""
    t = np.arange(1, n + 1) / (n + 1)
    mesh = np.meshgrid(*([t] * dim), indexing="ij")  # axis 0 = slowest = last coordinate
    return np.stack([m.ravel() for m in mesh[::-1]], axis=1)


def paper_optimum(n, dim=2):
    """The paper problem's exact QP optimum (z = A w eliminated): min 1/2|w - w_t|^2 + 0.05|A w|^2."""
    A = laplacian(n, dim, 2.0 / (n + 1))
    a, c = 0.1 / math.sqrt(15.0), 0.5 * (n + 1)
    idx = np.arange(1, n + 1)
    grids = np.meshgrid(*([idx] * dim), indexing="ij")[::-1]  # i (x), j (y)[, k (z)]
    wt = np.sin(4 + a * (grids[0] - c)) + np.cos(3 + a * (grids[1] - c))
    if dim == 3:
        wt = wt + np.sin(5 + a * (grids[2] - c))
    wt = wt.ravel()
    w = np.linalg.solve(np.eye(n ** dim) + 0.1 * A.T @ A, wt)
    return 0.5 * np.sum((w - wt) ** 2) + 0.05 * np.sum((A @ w) ** 2)


def semilinear_data(x, alpha):
    dim = x.shape[1]
    s = np.prod(np.sin(np.pi * x), axis=1)
    f = dim * np.pi ** 2 * s + s ** 3 - s
    yd = s + alpha * (dim * np.pi ** 2 * s + 3 * s ** 3)
    return s, f, yd


def semilinear_optimum(n, dim, alpha, interior=None):
    """The finite-difference semilinear problem's KKT point by Newton's method on the full KKT system (numpy):
    f = h^D [1/2 |y - y_d|^2_interior + alpha/2 |u|^2], c = A y + y^3 - u - f on interior cells, c = y on the others
    (interior: a boolean mask over the grid, x fastest; default all), A coupling interior cells only.
    Returns (y, u, lambda, objective)."""
    h = 1.0 / (n + 1)
    V = h ** dim
    m = n ** dim
    k = np.ones(m) if interior is None else np.asarray(interior, dtype=float).ravel()
    A = laplacian(n, dim, h) * np.outer(k, k)
    x = grid_points(n, dim)
    s, f, yd = semilinear_data(x, alpha)
    y, u, lam = np.zeros(m), np.zeros(m), np.zeros(m)
    I = np.eye(m)
    for _ in range(50):
        Jy = A + np.diag(k * 3 * y ** 2 + (1 - k))
        gy = V * k * (y - yd) + Jy.T @ lam
        gu = V * alpha * u - k * lam
        c = A @ y + k * (y ** 3 - u - f) + (1 - k) * y
        r = np.concatenate([gy, gu, c])
        if np.linalg.norm(r) < 1e-13:
            break
        K = np.block([[np.diag(V * k + 6 * k * y * lam), np.zeros((m, m)), Jy.T],
                      [np.zeros((m, m)), V * alpha * I, -np.diag(k)],
                      [Jy, -np.diag(k), np.zeros((m, m))]])
        d = np.linalg.solve(K, -r)
        y, u, lam = y + d[:m], u + d[m:2 * m], lam + d[2 * m:]
    obj = V * (0.5 * np.sum(k * (y - yd) ** 2) + 0.5 * alpha * np.sum(u ** 2))
    return y, u, lam, obj
