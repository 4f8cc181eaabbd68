#!/usr/bin/env python3
"""petal-control end to end on NP ranks: the paper problem's published optima (and an independent numpy QP solve),
the semilinear problem against an independent numpy Newton-KKT solve and its O(h^2) convergence to the manufactured
optimum, DMPlex P1 against the difference grid, 1 vs NP ranks, another TAO type (TAOALMM), the HDF5 + XDMF output,
the JSON history and its plot. Run by ctest: test_control.py CONTROL_EXE NP MESH_EXE."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import control_check as cc  # noqa: E402

CONTROL, NP, MESH = sys.argv[1], int(sys.argv[2]), sys.argv[3]
SRC = os.environ.get("PETAL_SOURCE_DIR", os.path.join(HERE, "..", "..", ".."))
PDIPM = ["-tao_type", "pdipm", "-control_quiet"]


class Case(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def solve(self, args, name="run", np_=None):
        return cc.solve(CONTROL, PDIPM + list(args), NP if np_ is None else np_, self.dir, name)

    def converged(self, summary, kkt=1e-8):
        r = summary["result"]
        self.assertTrue(r["converged"], r)
        self.assertLessEqual(r["kkt"], kkt, r)


class PaperProblem(Case):
    """The AdaSketch paper's linear Poisson control: f* = 9.644442 (N = 3), 116.835 (N = 10)."""

    def test_published_optima(self):
        for n, published, digits in [(3, 9.644442, 5e-7), (10, 116.835, 5e-4)]:
            with self.subTest(n=n):
                s, fields = self.solve(["-control_problem", "paper", "-control_n", n], f"paper{n}")
                self.converged(s)
                f = s["result"]["objective"]
                self.assertAlmostEqual(f, published, delta=digits)
                exact = cc.paper_optimum(n)  # independent QP solve
                self.assertLess(abs(f - exact) / exact, 1e-8, (f, exact))
                self.assertEqual(fields["state"].size, n * n)

    def test_same_problem_from_a_voxel_file_and_the_lu_kkt(self):
        cc.write_voxel(os.path.join(self.dir, "g.h5"), np.zeros((10, 10), np.uint8))
        s, _ = self.solve(["-control_problem", "paper", "-control_mesh", "g.h5", "-tao_pdipm_symmetric_kkt", "0",
                           "-pc_type", "lu", "-pc_factor_mat_solver_type", "mumps"], "paperfile")
        self.converged(s)
        self.assertLess(abs(s["result"]["objective"] - cc.paper_optimum(10)) / 116.835, 1e-8)

    def test_three_dimensional(self):
        s, _ = self.solve(["-control_problem", "paper", "-control_n", 4, "-control_dim", 3], "paper3d")
        self.converged(s)
        exact = cc.paper_optimum(4, 3)
        self.assertLess(abs(s["result"]["objective"] - exact) / exact, 1e-8)


class Semilinear(Case):
    def test_matches_an_independent_kkt_solve(self):
        n, alpha = 7, 0.05
        s, fields = self.solve(["-control_n", n, "-control_alpha", alpha], "small")
        self.converged(s)
        y, u, lam, obj = cc.semilinear_optimum(n, 2, alpha)
        self.assertLess(np.max(np.abs(fields["state"] - y)), 1e-9)
        self.assertLess(np.max(np.abs(fields["control"] - u)), 1e-9)
        # the adjoint written is lambda / cell volume
        self.assertLess(np.max(np.abs(fields["adjoint"] - lam * (n + 1) ** 2)), 1e-7 * np.max(np.abs(lam * (n + 1) ** 2)))
        self.assertLess(abs(s["result"]["objective"] - obj), 1e-12)

    def test_voxel_grid_with_solid_and_dirichlet_cells(self):
        n, alpha = 9, 0.02
        ct = np.zeros((n, n), np.uint8)
        ct[3:6, 4:7] = 1  # solid block
        ct[0, 0] = ct[8, 2] = 2  # Dirichlet cells
        cc.write_voxel(os.path.join(self.dir, "obs.h5"), ct)
        s, fields = self.solve(["-control_mesh", "obs.h5", "-control_alpha", alpha], "obs")
        self.converged(s)
        interior = (ct == 0).ravel()
        y, u, lam, obj = cc.semilinear_optimum(n, 2, alpha, interior)
        self.assertLess(np.max(np.abs(fields["state"] - y)), 1e-9)
        self.assertLess(np.max(np.abs(fields["control"] - u)), 1e-9)
        self.assertEqual(np.max(np.abs(fields["state"][~interior])), 0.0)
        self.assertLess(abs(s["result"]["objective"] - obj), 1e-12)
        np.testing.assert_array_equal(fields["cell_type"], ct.ravel())

    def test_second_order_convergence_2d(self):
        errors = []
        for n in (15, 31):
            s, fields = self.solve(["-control_n", n], f"s{n}")
            self.converged(s)
            x = cc.grid_points(n, 2)
            sx = np.prod(np.sin(np.pi * x), axis=1)
            err = np.max(np.abs(fields["state"] - sx))
            self.assertAlmostEqual(err, s["result"]["state_error_max"], delta=1e-12)
            self.assertLess(np.max(np.abs(fields["control"] - sx)), 20 * err)
            # adjoint lambda* = alpha s
            self.assertLess(np.max(np.abs(fields["adjoint"] - 0.01 * sx)), 0.01)
            errors.append(err)
        self.assertLess(errors[0], 5e-3)
        ratio = errors[0] / errors[1]
        self.assertGreater(ratio, 3.5, errors)  # h halves (16 -> 32 intervals): O(h^2) gives 4
        self.assertLess(ratio, 4.5, errors)

    def test_three_dimensional(self):
        s, _ = self.solve(["-control_n", 7, "-control_dim", 3], "s3d")
        self.converged(s)
        self.assertLess(s["result"]["state_error_max"], 0.03)


class FiniteElements(Case):
    def test_p1_agrees_with_finite_differences(self):
        for dim, faces in [(2, 16), (3, 8)]:
            with self.subTest(dim=dim):
                mesh = f"box{dim}.h5"
                cc.run(MESH, ["plexbox", "-dim", dim, "-faces", faces, "-simplex", "-o", mesh], 1, self.dir)
                fe, ff = self.solve(["-control_mesh", mesh], f"fe{dim}")
                self.converged(fe)
                self.assertIn("P1", fe["problem"]["discretization"])
                self.assertEqual(fe["problem"]["unknowns"], (faces - 1) ** dim)
                fd, fdf = self.solve(["-control_n", faces - 1, "-control_dim", dim], f"fd{dim}")
                self.converged(fd)
                # the vertices of the box mesh are the points of the difference grid: compare there
                pts = ff["points"][:, :dim]
                sx = np.prod(np.sin(np.pi * pts), axis=1)
                self.assertLess(np.max(np.abs(ff["state"] - ff["exact_state"])), 2.5 * fe["result"]["state_error_max"] + 1e-12)
                interior = sx > 1e-12
                idx = np.rint(pts[interior] * faces).astype(int) - 1  # grid index per direction
                flat = sum(idx[:, k] * (faces - 1) ** k for k in range(dim))
                diff = np.max(np.abs(ff["state"][interior] - fdf["state"][flat]))
                bound = fe["result"]["state_error_max"] + fd["result"]["state_error_max"]
                self.assertLess(diff, bound + 1e-12, (diff, bound))
                self.assertLess(diff, 0.05 if dim == 3 else 5e-3)

    def test_gmsh_mesh_with_a_hole(self):
        # y = 0 on the hole's boundary too, so s is not the optimum there: the test is convergence on a gmsh file
        s, fields = self.solve(["-control_mesh", os.path.join(SRC, "meshes", "data", "square_hole.msh")], "hole")
        self.converged(s)
        self.assertEqual(fields["state"].size, fields["points"].shape[0])
        self.assertTrue(np.all(np.isfinite(fields["state"])))

    def test_generated_q1_box(self):
        s, _ = self.solve(["-control_discretization", "fe", "-control_n", 15], "q1")
        self.converged(s)
        self.assertIn("Q1", s["problem"]["discretization"])
        self.assertEqual(s["problem"]["unknowns"], 15 * 15)  # the box is made once, then distributed
        self.assertLess(s["result"]["state_error_max"], 1e-2)


@unittest.skipIf(NP == 1, "the rank comparison runs in the multi-rank test")
class Ranks(Case):
    def test_one_and_several_ranks_agree(self):
        for args in (["-control_n", 15], ["-control_problem", "paper", "-control_n", 10]):
            with self.subTest(args=args):
                a, fa = self.solve(args, "one", np_=1)
                b, fb = self.solve(args, "many")
                self.assertEqual(b["ranks"], NP)
                self.assertEqual(a["result"]["iterations"], b["result"]["iterations"])
                self.assertAlmostEqual(a["result"]["objective"], b["result"]["objective"], delta=1e-12 * abs(a["result"]["objective"]))
                for name in ("state", "control", "adjoint"):
                    self.assertLess(np.max(np.abs(fa[name] - fb[name])), 1e-9 * max(1.0, np.max(np.abs(fa[name]))), name)


class OtherTaoTypes(Case):
    def test_almm_reaches_the_pdipm_optimum(self):
        p, fp = self.solve(["-control_n", 7], "pdipm")
        a, fa = cc.solve(CONTROL, ["-control_quiet", "-control_n", 7, "-tao_type", "almm", "-tao_almm_type", "phr",
                                   "-tao_gatol", "1e-6", "-tao_catol", "1e-6"], NP, self.dir, "almm")
        self.assertTrue(a["result"]["converged"], a["result"])
        self.assertEqual(a["solver"]["tao_type"], "almm")
        self.assertFalse(a["solver"]["infinite_bounds"])
        self.assertLess(np.max(np.abs(fa["state"] - fp["state"])), 1e-5)


def have_adasketch():
    with tempfile.TemporaryDirectory() as d:
        return cc.run(CONTROL, ["-help", "-tao_type", "adasketch"], 1, d, check=False).returncode == 0


@unittest.skipUnless(have_adasketch(), "this build has no TAO type adasketch")
class AdaSketch(Case):
    """The program written for TAOPDIPM runs unchanged with -tao_type adasketch (sketch and KSP inner solvers)."""

    def test_paper_and_semilinear(self):
        s, _ = cc.solve(CONTROL, ["-control_quiet", "-control_problem", "paper", "-control_n", 3, "-tao_type", "adasketch"], NP, self.dir, "ada_paper")
        self.converged(s)
        self.assertLess(abs(s["result"]["objective"] - cc.paper_optimum(3)) / 9.644442, 1e-8)
        self.assertFalse(s["solver"]["infinite_bounds"])
        p, fp = self.solve(["-control_n", 7], "pdipm")
        a, fa = cc.solve(CONTROL, ["-control_quiet", "-control_n", 7, "-tao_type", "adasketch", "-tao_adasketch_inner", "ksp",
                                   "-tao_adasketch_norm", "spectral"], NP, self.dir, "ada_semi")
        self.converged(a)
        self.assertLess(np.max(np.abs(fa["state"] - fp["state"])), 1e-8)
        self.assertLess(np.max(np.abs(fa["adjoint"] - fp["adjoint"])), 1e-8)

    def test_reduced_space_preconditioner_and_relative_stop(self):
        # petal-control's adasketch defaults (KSP inner solver with the reduced-space preconditioner from the state
        # set the driver gives, spectra through state solves) at N = 63: Newton-like, a handful of outer iterations
        # with a few inner FGMRES iterations each, and the same optimum as TAOPDIPM.
        a, fa = cc.solve(CONTROL, ["-control_quiet", "-control_n", 63, "-tao_type", "adasketch", "-control_rtol", "1e-8"], NP, self.dir, "ada63")
        self.converged(a, kkt=1e-8 * a["history"]["kkt"][0])
        self.assertLessEqual(a["result"]["iterations"], 5)
        self.assertLess(a["result"]["kkt_relative"], 1e-8)
        kkt0 = a["history"]["kkt"][0]  # multipliers start at 0: the start point's KKT residual
        self.assertAlmostEqual(a["solver"]["gatol"], 1e-8 * kkt0, delta=1e-12 * kkt0)
        p, fp = self.solve(["-control_n", 63], "pdipm63")
        self.assertLess(np.max(np.abs(fa["state"] - fp["state"])), 1e-7)
        out = cc.run(CONTROL, ["-control_n", 15, "-tao_type", "adasketch", "-tao_view", "-control_output", "none"], NP, self.dir).stdout
        self.assertIn("reduced-space KKT preconditioner", out)
        self.assertIn("state variables: 225", out)


class Output(Case):
    def test_files_json_history_and_plot(self):
        s, fields = self.solve(["-control_n", 15], "out")
        for name in ("state", "control", "adjoint", "exact_state", "cell_type"):
            self.assertIn(name, fields)
            self.assertEqual(fields[name].size, 15 * 15)
            self.assertTrue(np.all(np.isfinite(fields[name])))
        with h5py.File(os.path.join(self.dir, "out.h5"), "r") as f:
            self.assertIn("fields", f)
        h = s["history"]
        its = s["result"]["iterations"]
        for key in ("iteration", "objective", "constraint_norm", "lagrangian_gradient_norm", "kkt", "time"):
            self.assertEqual(len(h[key]), its + 1, key)
        self.assertEqual(h["iteration"], list(range(its + 1)))
        self.assertTrue(all(b >= a for a, b in zip(h["time"], h["time"][1:])))
        self.assertAlmostEqual(h["kkt"][-1], s["result"]["kkt"], delta=1e-12 + 1e-6 * s["result"]["kkt"])
        for k, c, g in zip(h["kkt"], h["constraint_norm"], h["lagrangian_gradient_norm"]):
            self.assertAlmostEqual(k, np.hypot(c, g), delta=1e-12 * max(1, k))
        self.assertGreater(s["memory"]["peak_rss_bytes_max_rank"], 1e6)
        self.assertGreaterEqual(s["memory"]["peak_rss_bytes_sum"], s["memory"]["peak_rss_bytes_max_rank"])
        self.assertGreater(s["time"]["solve"], 0)
        # the terminal shows one line per iteration
        p = cc.run(CONTROL, ["-control_n", 7, "-control_output", "none"], NP, self.dir)
        lines = [l for l in p.stdout.splitlines() if "KKT" in l and "|c|" in l and "after" not in l]
        self.assertGreaterEqual(len(lines), 2)
        # the plot (Debian's matplotlib, if installed)
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            return
        png = os.path.join(self.dir, "kkt.png")
        subprocess.run([sys.executable, os.path.join(SRC, "drivers", "control", "plot_history.py"), os.path.join(self.dir, "out.json"), "-o", png], check=True)
        with open(png, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")

    def test_help_lists_the_options(self):
        p = cc.run(CONTROL, ["-help"], 1, self.dir)
        for opt in ("-control_problem", "-control_alpha", "-control_mesh", "-control_n", "-control_dim", "-control_discretization",
                    "-control_output", "-control_infinite_bounds", "-json", "-tao_type"):
            self.assertIn(opt, p.stdout)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
