#!/usr/bin/env python3
"""petal-control fails cleanly on NP ranks (tests/support/failures.py): missing or malformed meshes, bad options
(N, dimension, alpha, problem, paper problem on grids it is not defined on), unwritable outputs, a solve that does
not converge, and faults injected on one rank in the solve and every output path all end the job within seconds,
with a message naming the problem, and leave no output behind. Run by ctest: test_control_failures.py CONTROL NP."""
import os
import sys
import tempfile
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "support"))
sys.path.insert(0, HERE)
from failures import FailureCase, check_failure  # noqa: E402
import control_check as cc  # noqa: E402

CONTROL, NP = sys.argv[1], int(sys.argv[2])
SRC = os.environ.get("PETAL_SOURCE_DIR", os.path.join(HERE, "..", "..", ".."))
OUTPUTS = ["control.h5", "control.xmf", "s.json"]
LAST = NP - 1  # the rank faults are injected on: not rank 0 where there are several


class Case(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def fails(self, args, message, fault=""):
        cmd = [CONTROL] + [str(a) for a in args] + ["-control_output", "control.h5", "-json", "s.json"]
        return check_failure(self, FailureCase(cmd=cmd, np=NP, message=message, fault=fault, outputs=OUTPUTS), self.dir)


class BadMeshes(Case):
    def test_missing_malformed_and_without_unknowns(self):
        self.fails(["-control_mesh", "nothere.h5"], "nothere.h5")
        with open(os.path.join(self.dir, "text.h5"), "w") as f:
            f.write("not a mesh\n")
        self.fails(["-control_mesh", "text.h5"], "text.h5")
        cc.write_voxel(os.path.join(self.dir, "solid.h5"), np.ones((4, 4), np.uint8))
        self.fails(["-control_mesh", "solid.h5"], "has no interior cell")

    def test_paper_problem_needs_a_square_difference_grid(self):
        cc.write_voxel(os.path.join(self.dir, "rect.h5"), np.zeros((4, 6), np.uint8))
        self.fails(["-control_problem", "paper", "-control_mesh", "rect.h5"], "N x N grid; rect.h5 is 6 x 4")
        self.fails(["-control_problem", "paper", "-control_mesh", os.path.join(SRC, "meshes", "data", "square_plex.h5")], "the paper problem is defined by finite differences")
        self.fails(["-control_problem", "paper", "-control_discretization", "fe", "-control_n", 4], "the paper problem is defined by finite differences")


class BadOptions(Case):
    def test_options(self):
        for args, message in [(["-control_n", 0], "-control_n must be at least 1"),
                              (["-control_n", -3, "-control_discretization", "fe"], "-control_n must be at least 1"),
                              (["-control_dim", 4], "-control_dim must be 2 or 3"),
                              (["-control_alpha", 0], "-control_alpha must be a positive number"),
                              (["-control_alpha", -1e-2], "-control_alpha must be a positive number"),
                              (["-control_alpha", "nan"], "-control_alpha must be a positive number"),
                              (["-control_problem", "rosenbrock"], "rosenbrock"),
                              (["-control_mesh", "g.h5", "-control_n", 8], "exclude each other"),
                              (["-control_n", 4, "-tao_type", "nonsense"], "nonsense")]:
            with self.subTest(args=args):
                self.fails(args, message)

    def test_unwritable_outputs(self):
        for opt in ("-control_output", "-json"):
            with self.subTest(opt=opt):
                args = [CONTROL, "-control_n", 4, opt, "nodir/x.out"] + (["-json", "s.json"] if opt == "-control_output" else ["-control_output", "control.h5"])
                check_failure(self, FailureCase(cmd=args, np=NP, message="nodir/x.out", outputs=OUTPUTS), self.dir)

    def test_unconverged_solve(self):
        self.fails(["-control_n", 15, "-tao_max_it", 1], "did not converge: DIVERGED_MAXITS after 1 iterations")
        # kept on request: outputs written, the JSON says so, exit 0
        cc.run(CONTROL, ["-control_n", 15, "-tao_max_it", 1, "-control_keep_unconverged", "-json", "s.json", "-control_quiet"], NP, self.dir)
        with open(os.path.join(self.dir, "s.json")) as f:
            self.assertIn('"converged": false', f.read())
        self.assertTrue(os.path.exists(os.path.join(self.dir, "control.xmf")))


class Faults(Case):
    """A fault on one rank in the solve and in every output path: no file left, under any name."""

    def test_faults_on_one_rank(self):
        for site in ("control_solve", "time_series_open", "time_series_frame", "time_series_close", "json_write"):
            with self.subTest(site=site):
                self.fails(["-control_n", 7], f"Injected fault at {site}", fault=f"{site}@{LAST}")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
