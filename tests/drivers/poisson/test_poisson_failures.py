#!/usr/bin/env python3
"""petal-poisson fails cleanly on NP ranks (tests/support/failures.py): bad meshes, bad right-hand-side datasets,
grids without unknowns, bad options, a solve that does not converge, DCDM on grids it cannot take, and faults
injected on one rank in every output path all end the job within seconds, with a message naming the problem,
and leave no output behind. Run by ctest: test_poisson_failures.py POISSON_EXE NP."""
import os
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "support"))
sys.path.insert(0, HERE)
from failures import FailureCase, check_failure  # noqa: E402
import poisson_check as pc  # noqa: E402

POISSON, NP = sys.argv[1], int(sys.argv[2])
SRC = os.environ.get("PETAL_SOURCE_DIR", os.path.join(HERE, "..", "..", ".."))
OUTPUTS = ["poisson.h5", "poisson.xmf", "s.json"]
CG = ["-ksp_type", "cg", "-pc_type", "jacobi"]
LAST = NP - 1  # the rank faults are injected on: not rank 0 where there are several


def have_dcdm():
    with tempfile.TemporaryDirectory() as d:
        return "-pc_dcdm_weights" in pc.run(POISSON, ["-help", "-poisson_n", "4"], 1, d, check=False).stdout


class Case(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def fails(self, args, message, fault=""):
        cmd = [POISSON] + args + ["-poisson_output", "poisson.h5", "-json", "s.json"]
        return check_failure(self, FailureCase(cmd=cmd, np=NP, message=message, fault=fault, outputs=OUTPUTS), self.dir)

    def voxel(self, name, cell_type, fields=None):
        pc.write_voxel(os.path.join(self.dir, name), cell_type, None, fields)
        return name


class BadMeshes(Case):
    def test_missing_not_hdf5_and_unstructured(self):
        self.fails(["-poisson_mesh", "nothere.h5"] + CG, "nothere.h5")
        with open(os.path.join(self.dir, "text.h5"), "w") as f:
            f.write("not a mesh\n")
        self.fails(["-poisson_mesh", "text.h5"] + CG, "text.h5")
        self.fails(["-poisson_mesh", os.path.join(SRC, "meshes", "data", "square_plex.h5")] + CG, "needs a petal-voxel grid")

    def test_grids_without_unknowns(self):
        self.fails(["-poisson_mesh", self.voxel("solid.h5", np.full((4, 4, 4), pc.SOLID, np.uint8))] + CG, "has no unknown")
        self.fails(["-poisson_mesh", self.voxel("air.h5", np.full((4, 6), pc.DIRICHLET, np.uint8))] + CG, "has no unknown")
        ct = np.full((4, 4, 4), pc.SOLID, np.uint8)
        ct[1, 1, 1] = pc.INTERIOR  # one fluid cell walled in: sealed, not an unknown
        self.fails(["-poisson_mesh", self.voxel("sealed.h5", ct)] + CG, "1 sealed fluid cells")

    def test_too_many_closed_regions(self):
        ct = np.full((3, 3, 3 * 40), pc.SOLID, np.uint8)
        ct[1, 1, 0::3] = pc.INTERIOR  # 40 pockets of two cells each, none with a Dirichlet face
        ct[1, 1, 1::3] = pc.INTERIOR
        self.fails(["-poisson_mesh", self.voxel("pockets.h5", ct)] + CG, "40 separate fluid regions")


class BadDatasets(Case):
    def test_rhs_datasets(self):
        ct = np.zeros((4, 5, 6), np.uint8)
        nan = np.zeros((4, 5, 6))
        nan[2, 3, 1] = np.nan
        mesh = self.voxel("m.h5", ct, {"/fields/div": nan, "/fields/wrong": np.zeros((6, 5, 4)),
                                       "/fields/flat": np.zeros(120), "/fields/text": np.bytes_("div")})
        base = ["-poisson_mesh", mesh] + CG
        self.fails(base + ["-poisson_rhs_dataset", "/fields/div"], "is nan at cell (i,j,k) = (1,3,2)")
        self.fails(base + ["-poisson_rhs_dataset", "/fields/wrong"], "has shape 6x5x4")
        self.fails(base + ["-poisson_rhs_dataset", "/fields/flat"], "has shape 120")
        self.fails(base + ["-poisson_rhs_dataset", "/fields/text"], "/fields/text")
        self.fails(base + ["-poisson_rhs_dataset", "/fields/none"], "has no dataset /fields/none")
        self.fails(base + ["-poisson_rhs_dataset", "fields/div"], "must be absolute")
        self.fails(base + ["-poisson_rhs_dataset", "/fields/div", "-poisson_rhs_file", "other.h5"], "other.h5")


class BadOptions(Case):
    def test_options(self):
        mesh = self.voxel("m.h5", np.zeros((4, 4, 4), np.uint8))
        for args, message in [(["-poisson_mesh", mesh, "-poisson_scene", "sphere"], "exclude each other"),
                              (["-poisson_rhs_file", mesh], "needs -poisson_rhs_dataset"),
                              (["-poisson_rhs_dataset", "/fields/div"], "needs a file"),
                              (["-poisson_repeat", "0"], "-poisson_repeat must be at least 1"),
                              (["-poisson_n", "1"], "at least 2 cells"),
                              (["-poisson_dim", "4"], "2-D or 3-D"),
                              (["-poisson_scene", "bunny"], "bunny"),
                              (["-poisson_n", "8", "-ksp_type", "nonsense"], "nonsense"),
                              (["-poisson_n", "8", "-poisson_output", "nodir/p.h5"] + CG, "nodir/p.h5")]:
            with self.subTest(args=args):
                cmd = [POISSON] + args + (["-json", "s.json"] if "-poisson_output" in args else ["-poisson_output", "poisson.h5", "-json", "s.json"])
                check_failure(self, FailureCase(cmd=cmd, np=NP, message=message, outputs=OUTPUTS), self.dir)

    def test_unconverged_solve(self):
        self.fails(["-poisson_n", "8", "-ksp_max_it", "3"] + CG, "did not converge: DIVERGED_ITS after 3 iterations")
        # kept on request: outputs written, the JSON says so, exit 0
        pc.run(POISSON, ["-poisson_n", "8", "-ksp_max_it", "3", "-poisson_keep_unconverged", "-json", "s.json"] + CG, NP, self.dir)
        with open(os.path.join(self.dir, "s.json")) as f:
            self.assertIn('"converged": false', f.read())
        self.assertTrue(os.path.exists(os.path.join(self.dir, "poisson.xmf")))


class Faults(Case):
    """A fault on one rank in the solve and in every output path: no file left, under any name."""

    def test_faults_on_one_rank(self):
        for site in ("poisson_solve", "time_series_open", "time_series_frame", "time_series_close", "json_write"):
            with self.subTest(site=site):
                self.fails(["-poisson_n", "8"] + CG, f"Injected fault at {site}", fault=f"{site}@{LAST}")


@unittest.skipUnless(have_dcdm(), "this build has no KSP/PC dcdm")
class DCDMGrids(Case):
    """The default solver needs a 3-D grid with even sizes: the PC says so before any output exists."""

    def test_two_dimensional_and_odd_grids(self):
        self.fails(["-poisson_dim", "2", "-poisson_n", "16"], "PC dcdm: the network is 3-D (3x3x3 convolutions), the DMDA is 2-D")
        self.fails(["-poisson_n", "15"], "every global size must be even")
        self.fails(["-poisson_n", "16", "-poisson_scene", "obstacles", "-poisson_free_surface", "-pc_dcdm_weights", "none.h5"], "none.h5")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
