#!/usr/bin/env python3
"""petal-ot end to end: generated problems, the HDF5 output (plan entries, potentials, marginals) and the
JSON summary, a points file and a petal-voxel histogram file as input, the exact optimum of a small
assignment (brute force over permutations), bad input (clear error, non-zero exit, no output file), and
-help. Run by ctest with Debian's python3: test_ot_driver.py PETAL_OT NP."""
import itertools
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

EXE = sys.argv[1]
NP = int(sys.argv[2])
MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")


def run(args, cwd, check=True):
    cmd = [MPIEXEC, "-n", str(NP), EXE] + args
    p = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def solve(args, cwd):
    run(args + ["-json", "s.json", "-ot_output", "out.h5", "-ot_quiet"], cwd)
    with open(os.path.join(cwd, "s.json")) as f:
        return json.load(f)


def write_points(path, X, r, Y, c):
    with h5py.File(path, "w") as f:
        f["source/points"] = np.asarray(X, dtype=np.float64)
        f["source/weights"] = np.asarray(r, dtype=np.float64)
        f["target/points"] = np.asarray(Y, dtype=np.float64)
        f["target/weights"] = np.asarray(c, dtype=np.float64)


class Driver(unittest.TestCase):
    def test_generated_assignment_output(self):
        with tempfile.TemporaryDirectory() as d:
            s = solve(["-ot_generate", "assignment", "-ot_generate_n", "60", "-ot_method", "sns", "-ot_eta", "300",
                       "-ot_tol", "1e-10", "-ot_plan_threshold", "0"], d)
            self.assertTrue(s["result"]["converged"], s)
            self.assertEqual(s["ranks"], NP)
            self.assertLessEqual(s["result"]["row_error_l1"], 1e-10)
            self.assertLessEqual(s["result"]["col_error_l1"], 1e-10)
            with h5py.File(os.path.join(d, "out.h5")) as f:
                row, col, val = f["plan/row"][:], f["plan/col"][:], f["plan/value"][:]
                self.assertEqual(len(val), 60 * 60)  # threshold 0: every entry
                rows = np.bincount(row, weights=val, minlength=60)
                cols = np.bincount(col, weights=val, minlength=60)
                self.assertLess(np.abs(rows - 1 / 60).sum(), 2e-10)
                self.assertLess(np.abs(cols - 1 / 60).sum(), 2e-10)
                self.assertAlmostEqual(float((val).sum()), s["result"]["mass"], places=12)
                self.assertEqual(f["potentials/x"].shape, (60,))
                self.assertEqual(f["potentials/y"].shape, (60,))
                self.assertAlmostEqual(float(f.attrs["transport_cost"]), s["result"]["transport_cost"], places=14)
                # each quantity under its own name: <C,P>, <C,P> + (1/eta) sum P log P, f(x, y)
                for key in ("transport_cost", "regularized_objective", "dual_objective"):
                    self.assertAlmostEqual(float(f.attrs[key]), s["result"][key], places=14)
                self.assertNotIn("entropic_cost", f.attrs)
                P = val[val > 0]
                self.assertAlmostEqual(s["result"]["regularized_objective"],
                                       s["result"]["transport_cost"] + float((P * np.log(P)).sum()) / 300, places=9)
            self.assertNotIn("entropic_cost", s["result"])
            self.assertAlmostEqual(s["result"]["regularized_objective"], s["result"]["dual_objective"], places=9)
            self.assertEqual(s["solver"]["method"], "sns")

    def test_small_assignment_is_exact_within_bound(self):
        # 6 points: brute force over all permutations gives the exact optimum.
        rng = np.random.default_rng(4)
        X, Y = rng.random((6, 2)), rng.random((6, 2))
        C = ((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
        best = min(sum(C[i, p[i]] for i in range(6)) for p in itertools.permutations(range(6))) / 6
        with tempfile.TemporaryDirectory() as d:
            write_points(os.path.join(d, "p.h5"), X, np.full(6, 1 / 6), Y, np.full(6, 1 / 6))
            eta = 2000.0
            s = solve(["-ot_input", "p.h5", "-ot_method", "sns", "-ot_eta", str(eta), "-ot_eps_scaling",
                       "-ot_eps_scaling_eta0", "20"], d)
            self.assertTrue(s["result"]["converged"], s)
            self.assertGreaterEqual(s["result"]["transport_cost"], best - 1e-12)
            self.assertLessEqual(s["result"]["transport_cost"], best + 2 * math.log(6) / eta)

    def test_saved_problem_round_trip(self):
        with tempfile.TemporaryDirectory() as d:
            a = solve(["-ot_generate", "blobs", "-ot_generate_side", "12", "-ot_save_problem", "blobs.h5",
                       "-ot_eta", "200", "-ot_cost_normalize"], d)
            b = solve(["-ot_input", "blobs.h5", "-ot_eta", "200", "-ot_cost_normalize"], d)
            self.assertEqual(b["problem"]["n"], 144)
            self.assertAlmostEqual(a["result"]["transport_cost"], b["result"]["transport_cost"], places=13)
            with h5py.File(os.path.join(d, "blobs.h5")) as f:
                self.assertAlmostEqual(float(f["source/weights"][:].sum()), 1.0, places=13)

    def test_voxel_histograms(self):
        # two 8 x 6 histograms on a petal-voxel grid; a zero-weight cell gets a finite potential
        with tempfile.TemporaryDirectory() as d:
            rng = np.random.default_rng(7)
            a, b = rng.random((6, 8)), rng.random((6, 8))
            a[2, 3] = 0
            a, b = a / a.sum(), b / b.sum()
            with h5py.File(os.path.join(d, "grid.h5"), "w") as f:
                f.attrs["petal_format"] = np.bytes_("petal-voxel")
                f.attrs["petal_format_version"] = np.int32(1)
                f["grid/shape"] = np.array([8, 6], dtype=np.int64)
                f["grid/spacing"] = np.array([0.125, 1 / 6])
                f["grid/origin"] = np.array([0.0, 0.0])
                f["grid/cell_type"] = np.zeros((6, 8), dtype=np.uint8)
                f["ot/source"] = a
                f["ot/target"] = b
            s = solve(["-ot_input", "grid.h5", "-ot_method", "sns", "-ot_eta", "100"], d)
            self.assertTrue(s["result"]["converged"], s)
            self.assertEqual(s["problem"]["kind"], "voxel histograms")
            self.assertEqual(s["problem"]["n"], 48)
            with h5py.File(os.path.join(d, "out.h5")) as f:
                x = f["potentials/x"][:]
                self.assertTrue(np.all(np.isfinite(x)))
                rows = np.bincount(f["plan/row"][:], weights=f["plan/value"][:], minlength=48)
                self.assertEqual(rows[2 * 8 + 3], 0.0)

    def test_bad_input_is_a_clear_error(self):
        with tempfile.TemporaryDirectory() as d:
            r = np.full(5, 0.2)
            r[1], r[2] = -0.1, 0.5
            write_points(os.path.join(d, "bad.h5"), np.zeros((5, 2)), r, np.ones((5, 2)), np.full(5, 0.2))
            p = run(["-ot_input", "bad.h5", "-ot_output", "never.h5"], d, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("source weight 1 is negative", p.stdout + p.stderr)
            self.assertFalse(os.path.exists(os.path.join(d, "never.h5")))
            p = run(["-ot_generate", "assignment", "-ot_eta", "0", "-ot_output", "never.h5"], d, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("eta", p.stdout + p.stderr)
            p = run(["-ot_input", "missing.h5"], d, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("missing.h5", p.stdout + p.stderr)

    def test_type_and_its_alias(self):
        # -ot_type is the option; -ot_method stays as its alias with the same results
        with tempfile.TemporaryDirectory() as d:
            a = solve(["-ot_generate", "assignment", "-ot_generate_n", "50", "-ot_type", "sns", "-ot_eta", "200"], d)
            b = solve(["-ot_generate", "assignment", "-ot_generate_n", "50", "-ot_method", "sns", "-ot_eta", "200"], d)
            self.assertEqual(a["solver"]["method"], "sns")
            for key in ("transport_cost", "sinkhorn_iterations", "newton_iterations"):
                self.assertEqual(a["result"][key], b["result"][key])
            self.assertIn(a["solver"]["kernel_isa"], ("generic", "avx2", "avx512"))

    def test_help_lists_the_options(self):
        with tempfile.TemporaryDirectory() as d:
            p = run(["-ot_generate", "assignment", "-ot_generate_n", "10", "-ot_method", "sns", "-help",
                     "-ot_output", "none"], d)
            for opt in ["-ot_eta", "-ot_epsilon", "-ot_type", "-ot_method", "-ot_cost", "-ot_tol", "-ot_mass_tol",
                        "-ot_kernel_isa", "-ot_sinkhorn_variant",
                        "-ot_eps_scaling", "-ot_sns_warmup", "-ot_sns_density", "-ot_sns_adaptive_switch",
                        "-ot_newton_gauge", "-ot_newton_ksp_type", "-ot_plan_threshold", "-ot_generate", "-json"]:
                self.assertIn(opt, p.stdout, opt)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
