#!/usr/bin/env python3
"""How petal-ot fails (tests/support/failures.py): every failure ends the whole job within seconds, with its
message, a non-zero exit code and no output or temporary file left behind (a run that fails after it completed
one output removes that too).

- Faults injected with PETAL_FAULT into each output path (the problem file -ot_save_problem, the HDF5 result
  -ot_output, the JSON summary -json), on rank 1 only and on rank 0 only.
- Bad input: points whose cost overflows, -ot_cost_scale inf or too large, negative or non-finite tolerances,
  and malformed problem files (missing datasets, wrong shapes or types, NaN/Inf, negative weights, unbalanced
  totals, a truncated file, sizes the file only declares, the petal-voxel variant with wrong shapes).

Run by ctest with Debian's python3: test_ot_failures.py PETAL_OT NP."""
import os
import sys
import tempfile
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from failures import FailureCase, check_failure  # noqa: E402

EXE = sys.argv[1]
NP = int(sys.argv[2])
GEN = ["-ot_generate", "assignment", "-ot_generate_n", "40", "-ot_eta", "50"]


def write_points(path, X, r, Y, c):
    with h5py.File(path, "w") as f:
        f["source/points"] = np.asarray(X, dtype=np.float64)
        f["source/weights"] = np.asarray(r, dtype=np.float64)
        f["target/points"] = np.asarray(Y, dtype=np.float64)
        f["target/weights"] = np.asarray(c, dtype=np.float64)


def good_points(n=6):
    rng = np.random.default_rng(3)
    return rng.random((n, 2)), np.full(n, 1 / n), rng.random((n, 2)), np.full(n, 1 / n)


def write_voxel(path, source_shape, target_shape):
    """An 8 x 6 petal-voxel grid with two histograms of the given shapes (the grid's is (6, 8))."""
    with h5py.File(path, "w") as f:
        f.attrs["petal_format"] = np.bytes_("petal-voxel")
        f.attrs["petal_format_version"] = np.int32(1)
        f["grid/shape"] = np.array([8, 6], dtype=np.int64)
        f["grid/spacing"] = np.array([0.125, 1 / 6])
        f["grid/origin"] = np.array([0.0, 0.0])
        f["grid/cell_type"] = np.zeros((6, 8), dtype=np.uint8)
        f["ot/source"] = np.full(source_shape, 1.0 / np.prod(source_shape))
        f["ot/target"] = np.full(target_shape, 1.0 / np.prod(target_shape))


class OutputFaults(unittest.TestCase):
    """Each output path, a fault on one rank: the job ends at once and nothing is left."""

    def fault(self, site, rank, args, outputs):
        with tempfile.TemporaryDirectory() as d:
            case = FailureCase(cmd=[EXE] + GEN + args + ["-ot_quiet"], np=NP, fault=f"{site}@{rank}",
                               message=f"Injected fault at {site} on rank {rank}", outputs=outputs)
            check_failure(self, case, d)

    # Every run asks for all three outputs: a failed run leaves none of them, not even those it had completed.
    ALL = ["-ot_save_problem", "p.h5", "-ot_output", "out.h5", "-json", "s.json"]

    def test_problem_save(self):
        for rank in (1, 0):
            with self.subTest(rank=rank):
                self.fault("ot_problem_save", rank, self.ALL, ["p.h5", "out.h5", "s.json"])

    def test_hdf5_result(self):
        for rank in (1, 0):
            with self.subTest(rank=rank):
                self.fault("ot_output", rank, self.ALL, ["p.h5", "out.h5", "s.json"])

    def test_json_summary(self):
        for rank in (1, 0):
            with self.subTest(rank=rank):
                self.fault("json_write", rank, self.ALL, ["p.h5", "out.h5", "s.json"])


class BadInput(unittest.TestCase):
    """Refused up front with an error that names the problem; no output file, no temporary."""

    def refuse(self, args, message, files=None):
        with tempfile.TemporaryDirectory() as d:
            for name, writer in (files or {}).items():
                writer(os.path.join(d, name))
            case = FailureCase(cmd=[EXE] + args + ["-ot_output", "out.h5", "-json", "s.json", "-ot_quiet"], np=NP,
                               message=message, outputs=["out.h5", "s.json"])
            return check_failure(self, case, d)

    def test_overflowing_cost_and_scale(self):
        X, r, Y, c = good_points()
        huge = lambda p: write_points(p, X * 1e200, r, Y * 1e200, c)  # noqa: E731
        self.refuse(["-ot_input", "p.h5"], "cost of the points overflows double precision", {"p.h5": huge})
        self.refuse(["-ot_input", "p.h5", "-ot_cost_normalize"], "overflows double precision", {"p.h5": huge})
        self.refuse(GEN + ["-ot_cost_scale", "inf"], "the cost scale (-ot_cost_scale) must be finite and > 0")
        self.refuse(GEN + ["-ot_cost_scale", "nan"], "-ot_cost_scale")
        out = self.refuse(GEN + ["-ot_cost_scale", "1e300"], "the scaled cost overflows")
        self.assertIn("cost scale 1e+300", out)  # the scale and the largest cost are named
        self.assertIn("largest cost", out)
        self.refuse(GEN + ["-ot_eta", "1e305"], "the scaled cost overflows")

    def test_bad_tolerances(self):
        self.refuse(GEN + ["-ot_mass_tol", "-1"], "(-ot_mass_tol) must be finite and >= 0")
        self.refuse(GEN + ["-ot_tol", "-1e-9"], "(-ot_tol) must be finite and >= 0")
        self.refuse(GEN + ["-ot_tol", "nan"], "(-ot_tol) must be finite")
        self.refuse(GEN + ["-ot_eps_scaling_stage_tol", "-1"], "-ot_eps_scaling_stage_tol")
        self.refuse(GEN + ["-ot_plan_threshold", "inf"], "-ot_plan_threshold")
        self.refuse(GEN + ["-ot_type", "sns", "-ot_newton_forcing_max", "2"], "-ot_newton_forcing_max")
        self.refuse(GEN + ["-ot_type", "sns", "-ot_method", "sinkhorn"], "disagree")
        self.refuse(GEN + ["-ot_type", "newton"], "unknown type \"newton\"")

    def test_malformed_points_files(self):
        X, r, Y, c = good_points()

        def with_(change):
            def w(p):
                write_points(p, X, r, Y, c)
                with h5py.File(p, "a") as f:
                    change(f)
            return w

        def replace(path, value):
            return with_(lambda f: (f.__delitem__(path), f.__setitem__(path, value)))

        cases = [
            (with_(lambda f: f.__delitem__("target/weights")), "has no dataset /target/weights"),
            (replace("source/points", np.zeros(6)), "/source/points has dimensions 6; expected a 2-D array"),
            (replace("target/points", np.zeros((6, 3))), "need the same dimension"),
            (replace("source/weights", np.full(5, 0.2)), "/source/weights has dimensions 5; expected 6 entries"),
            (replace("source/weights", np.array([b"a"] * 6)), "holds strings; expected numbers"),
            (replace("target/points", np.full((6, 2), np.nan)), "/target/points[0, 0] is nan"),
            (replace("source/weights", np.array([np.inf] + [0.2] * 5)), "source weight 0 is inf"),
            (replace("source/weights", np.array([0.5, -0.1, 0.2, 0.2, 0.1, 0.1])), "source weight 1 is negative"),
            (replace("target/weights", np.full(6, 0.2)), "differ by"),
            (replace("source/weights", np.zeros(6)), "the source weights sum to 0"),
            (replace("target/weights", np.float64(1.0)), "/target/weights is a scalar"),
        ]
        for writer, message in cases:
            with self.subTest(message=message):
                self.refuse(["-ot_input", "p.h5"], message, {"p.h5": writer})

    def test_declared_sizes_and_damaged_files(self):
        X, r, Y, c = good_points()

        def huge(p):  # 2^40 points declared, nothing stored (chunked, never written)
            write_points(p, X, r, Y, c)
            with h5py.File(p, "a") as f:
                del f["source/points"]
                f.create_dataset("source/points", shape=(2**40, 2), dtype="f8", chunks=(1024, 2))

        def unwritten(p):  # a plausible size, but the chunks were never written
            write_points(p, X, r, Y, c)
            with h5py.File(p, "a") as f:
                del f["target/points"]
                f.create_dataset("target/points", shape=(6, 2), dtype="f8", chunks=(2, 2))

        def truncated(p):
            write_points(p, np.random.default_rng(1).random((4000, 2)), np.full(4000, 1 / 4000),
                         np.random.default_rng(2).random((4000, 2)), np.full(4000, 1 / 4000))
            size = os.path.getsize(p)
            with open(p, "r+b") as f:
                f.truncate(size // 2)

        def not_hdf5(p):
            with open(p, "w") as f:
                f.write("source,target\n1,2\n")

        self.refuse(["-ot_input", "p.h5"], "more than the 268435456 values", {"p.h5": huge})
        self.refuse(["-ot_input", "p.h5"], "truncated or never written", {"p.h5": unwritten})
        self.refuse(["-ot_input", "p.h5"], "OT problem file \"p.h5\"", {"p.h5": truncated})
        self.refuse(["-ot_input", "p.h5"], "is not an HDF5 file", {"p.h5": not_hdf5})
        self.refuse(["-ot_input", "missing.h5"], "missing.h5")

    def test_malformed_voxel_histograms(self):
        self.refuse(["-ot_input", "g.h5"], "/ot/source has dimensions 8x6 but the grid",
                    {"g.h5": lambda p: write_voxel(p, (8, 6), (6, 8))})
        self.refuse(["-ot_input", "g.h5"], "/ot/target has dimensions 48 but the grid",
                    {"g.h5": lambda p: write_voxel(p, (6, 8), (48,))})

        def no_histogram(p):
            write_voxel(p, (6, 8), (6, 8))
            with h5py.File(p, "a") as f:
                del f["ot/target"]
        self.refuse(["-ot_input", "g.h5"], "has no dataset /ot/target", {"g.h5": no_histogram})


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
