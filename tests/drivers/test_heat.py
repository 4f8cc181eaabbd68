#!/usr/bin/env python3
"""petal-heat end to end: convergence order on manufactured solutions (finite differences and finite
elements), the HDF5 + XDMF output, the JSON summary, and bad input (clear error, non-zero exit, no
partial output). Run by ctest with Debian's python3: test_heat.py HEAT_EXE NP."""
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

import h5py
import numpy as np

HEAT = sys.argv[1]
NP = int(sys.argv[2])
MESH_TOOL = sys.argv[3]
MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")
SRC = os.environ.get("PETAL_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")


def run(args, cwd, check=True):
    cmd = [MPIEXEC, "-n", str(NP), HEAT] + args
    p = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=600)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def summary(args, cwd):
    run(args + ["-json", "s.json", "-heat_quiet"], cwd)
    with open(os.path.join(cwd, "s.json")) as f:
        return json.load(f)


def write_voxel(path, shape, cell_type=None, coefficient=None, spacing=None, origin=None, drop=()):
    """A petal-voxel v1 file written with h5py (independent of petal's writer)."""
    dim = len(shape)
    spacing = spacing or [1.0 / (n + 1) for n in shape]
    origin = origin or [0.5 * h for h in spacing]
    with h5py.File(path, "w") as f:
        f.attrs["petal_format"] = np.bytes_("petal-voxel")
        f.attrs["petal_format_version"] = np.int32(1)
        g = f.create_group("grid")
        items = {"shape": np.array(shape, dtype=np.int64), "spacing": np.array(spacing, dtype=np.float64),
                 "origin": np.array(origin, dtype=np.float64),
                 "cell_type": np.zeros(shape[::-1], dtype=np.uint8) if cell_type is None else cell_type}
        if coefficient is not None:
            items["coefficient"] = coefficient
        for k, v in items.items():
            if k not in drop:
                g.create_dataset(k, data=v)


class Convergence(unittest.TestCase):
    """CN + second-order space discretizations: the error must fall ~4x when h and dt halve."""

    def order(self, runs):
        errs = [r["error_l2"] for r in runs]
        return errs, math.log2(errs[0] / errs[1])

    def test_finite_differences_second_order(self):
        with tempfile.TemporaryDirectory() as d:
            runs = [summary(["-heat_preset", "mms", "-heat_nx", str(n), "-heat_dt", str(0.5 / n),
                             "-heat_steps", str(n // 2), "-heat_output", "none"], d) for n in (16, 32)]
        errs, p = self.order(runs)
        self.assertLess(errs[1], 1e-3)
        self.assertGreater(p, 1.8, f"FD errors {errs}")
        self.assertLess(p, 2.3, f"FD errors {errs}")

    def test_finite_elements_second_order(self):
        with tempfile.TemporaryDirectory() as d:
            runs = [summary(["-heat_discretization", "fe", "-heat_preset", "mms",
                             "-heat_dm_plex_box_faces", f"{n},{n}", "-heat_dt", str(0.5 / n),
                             "-heat_steps", str(n // 2), "-heat_output", "none"], d) for n in (8, 16)]
        errs, p = self.order(runs)
        self.assertGreater(p, 1.8, f"FE errors {errs}")
        self.assertLess(p, 2.3, f"FE errors {errs}")
        self.assertEqual(runs[1]["unknowns"], 15 * 15)  # interior vertices of a 16x16 box

    def test_p1_triangles_second_order(self):
        with tempfile.TemporaryDirectory() as d:
            runs = []
            for n in (8, 16):
                subprocess.run([MESH_TOOL, "plexbox", "-dim", "2", "-faces", f"{n},{n}", "-simplex", "-o", f"tri{n}.h5"],
                               cwd=d, env=ENV, check=True, capture_output=True)
                runs.append(summary(["-heat_mesh", f"tri{n}.h5", "-heat_preset", "mms", "-heat_dt", str(0.5 / n),
                                     "-heat_steps", str(n // 2), "-heat_output", "none"], d))
        errs, p = self.order(runs)
        self.assertGreater(p, 1.8, f"P1 errors {errs}")
        self.assertLess(p, 2.3, f"P1 errors {errs}")

    def test_three_dimensional_grid(self):
        with tempfile.TemporaryDirectory() as d:
            runs = [summary(["-heat_preset", "mms", "-heat_dim", "3", "-heat_nx", str(n), "-heat_dt", str(0.5 / n),
                             "-heat_steps", str(n // 4), "-heat_output", "none"], d) for n in (8, 16)]
        errs, p = self.order(runs)
        self.assertGreater(p, 1.7, f"3-D FD errors {errs}")


class Output(unittest.TestCase):
    def check_xdmf(self, d, xmf, nframes):
        root = ET.parse(os.path.join(d, xmf)).getroot()
        grids = root.findall("./Domain/Grid/Grid")
        self.assertEqual(len(grids), nframes)
        with h5py.File(os.path.join(d, xmf.replace(".xmf", ".h5")), "r") as f:
            for item in root.iter("DataItem"):
                if item.get("Format") != "HDF":
                    continue
                fname, path = item.text.strip().split(":")
                self.assertTrue(os.path.exists(os.path.join(d, fname)))
                self.assertIn(path, f, f"{xmf} references missing dataset {path}")
                dims = [int(x) for x in item.get("Dimensions").split()]
                self.assertEqual(int(np.prod(dims)), f[path].size, path)
                self.assertTrue(np.all(np.isfinite(f[path][()])), path)
        times = [float(g.find("Time").get("Value")) for g in grids]
        self.assertEqual(times, sorted(times))
        return root

    def test_voxel_output_and_summary(self):
        with tempfile.TemporaryDirectory() as d:
            s = summary(["-heat_mesh", os.path.join(SRC, "meshes/data/heat2d_100.h5"), "-heat_steps", "20",
                         "-heat_output", "ltr.h5", "-heat_output_interval", "5"], d)
            self.assertEqual(s["steps"], 20)
            self.assertEqual(s["unknowns"], 99 * 99)
            self.assertEqual(len(s["iterations"]), 20)
            self.assertEqual(sum(s["iterations"]), s["total_iterations"])
            self.assertEqual(s["ksp_type"], "cg")
            self.check_xdmf(d, "ltr.xmf", 5)  # t = 0, 5, 10, 15, 20
            with h5py.File(os.path.join(d, "ltr.h5"), "r") as f:
                u = f["/fields/u_000020"][()]
                self.assertEqual(u.shape, (99, 99))
                self.assertGreater(u.max(), 0.05)  # the source heats the domain
            self.assertFalse([x for x in os.listdir(d) if x.endswith(".tmp")])

    def test_plex_output(self):
        with tempfile.TemporaryDirectory() as d:
            s = summary(["-heat_mesh", os.path.join(SRC, "meshes/data/square_plex.h5"), "-heat_steps", "10",
                         "-heat_output", "plex.h5", "-heat_output_interval", "5"], d)
            self.assertIn("finite elements", s["discretization"])
            self.check_xdmf(d, "plex.xmf", 3)


class BadInput(unittest.TestCase):
    """Every failure: non-zero exit, a message naming the file and the problem, no output left behind."""

    def expect_failure(self, d, mesh, *fragments):
        p = run(["-heat_mesh", mesh, "-heat_steps", "2", "-heat_output", "out.h5", "-json", "out.json"], d, check=False)
        self.assertNotEqual(p.returncode, 0)
        text = p.stdout + p.stderr
        for frag in fragments:
            self.assertIn(frag, text)
        self.assertFalse([x for x in os.listdir(d) if x.startswith("out")], os.listdir(d))
        return text

    def test_missing_file(self):
        with tempfile.TemporaryDirectory() as d:
            self.expect_failure(d, os.path.join(d, "nope.h5"), "nope.h5")

    def test_file_without_datasets(self):
        with tempfile.TemporaryDirectory() as d:
            write_voxel(os.path.join(d, "g.h5"), [8, 8], drop=("cell_type",))
            self.expect_failure(d, os.path.join(d, "g.h5"), "g.h5", "cell_type")

    def test_wrong_dimensions(self):
        with tempfile.TemporaryDirectory() as d:
            write_voxel(os.path.join(d, "g.h5"), [8, 6], cell_type=np.zeros((8, 6), dtype=np.uint8))
            self.expect_failure(d, os.path.join(d, "g.h5"), "g.h5")

    def test_negative_coefficient(self):
        with tempfile.TemporaryDirectory() as d:
            c = np.ones((6, 8))
            c[2, 3] = -1.0
            write_voxel(os.path.join(d, "g.h5"), [8, 6], coefficient=c)
            self.expect_failure(d, os.path.join(d, "g.h5"), "g.h5", "coefficient")

    def test_nan_coefficient(self):
        with tempfile.TemporaryDirectory() as d:
            c = np.ones((6, 8))
            c[5, 7] = np.nan
            write_voxel(os.path.join(d, "g.h5"), [8, 6], coefficient=c)
            self.expect_failure(d, os.path.join(d, "g.h5"), "g.h5", "coefficient")

    def test_not_hdf5(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "g.h5"), "w") as f:
                f.write("not a mesh\n")
            self.expect_failure(d, os.path.join(d, "g.h5"), "g.h5")

    def test_solver_failure_leaves_no_output(self):
        with tempfile.TemporaryDirectory() as d:
            p = run(["-heat_nx", "32", "-heat_preset", "constant", "-heat_steps", "3", "-ksp_max_it", "2", "-heat_output", "out.h5"], d, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("did not converge", p.stdout + p.stderr)
            self.assertFalse([x for x in os.listdir(d) if x.startswith("out")], os.listdir(d))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
