#!/usr/bin/env python3
"""petal-relax end to end: the table of a small synthetic sequence (best fixed = min over the fixed omegas,
instance-optimal <= best fixed, learners' iterations = the cost table at the omega they chose), the JSON
arrays, determinism, the HDF5 sequence file (written by -relax_write_file, read back by -relax_sequence file:
same table), the heat sequence (replaying the reference trajectory matches the table exactly; baselines
run) and clear errors for bad input. Run by ctest with Debian's python3: test_relax.py RELAX_EXE NP."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

RELAX = sys.argv[1]
NP = int(sys.argv[2])
MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_mpi_yield_when_idle="1", OMP_NUM_THREADS="1")
# Fewer instances on 2 ranks (oversubscribed, and block-Jacobi SOR with a large omega runs into the cap).
T_SYN = 300 if NP == 1 else 60


def run(args, cwd, check=True):
    # One rank runs as an MPI singleton: mpiexec lingers ~2 s after a failing program.
    cmd = ([MPIEXEC, "-n", str(NP)] if NP > 1 else []) + [RELAX] + args
    p = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def study(args, cwd, name="r.json"):
    p = run(args + ["-json", name], cwd)
    with open(os.path.join(cwd, name)) as f:
        return json.load(f), p.stdout


def policy(s, name):
    return next(p for p in s["policies"] if p["name"] == name)


class Synthetic(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.s, cls.out = study(["-relax_instances", str(T_SYN), "-relax_seed", "3", "-relax_replay_seeds", "3"], cls.dir.name)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def test_table_printed(self):
        for text in ("best fixed omega in hindsight", "instance-optimal omega on the grid", "Tsallis-INF ",
                     "Tsallis-INF-CB", "ChebCB", "best fixed, run online", "ratios:"):
            self.assertIn(text, self.out)

    def test_best_fixed_is_min_over_fixed_and_oracle_below(self):
        s = self.s
        totals = [f["total_iterations"] for f in s["fixed"]]
        self.assertEqual(len(totals), 20)
        self.assertEqual(s["best_fixed"]["total_iterations"], min(totals))
        self.assertEqual(s["best_fixed"]["omega"], s["omega_grid"][int(np.argmin(totals))])
        self.assertLessEqual(s["instance_optimal"]["total_iterations"], s["best_fixed"]["total_iterations"])
        table = np.array(s["table"]["iterations"])
        self.assertEqual(table.shape, (T_SYN, 20))
        self.assertEqual(list(table.sum(axis=0)), totals)
        self.assertEqual(list(table.min(axis=1)), s["instance_optimal"]["iterations"])
        if NP == 1:  # SOR converges for every omega in (0, 2) on one rank
            self.assertTrue(all(f["capped"] == 0 for f in s["fixed"]))
            # the instance-optimal omega really beats the best fixed one on this high-variance sequence
            self.assertLess(s["instance_optimal"]["total_iterations"], 0.8 * s["best_fixed"]["total_iterations"])

    def test_per_instance_arrays_and_cross_check(self):
        s = self.s
        self.assertEqual(len(s["context"]), T_SYN)
        self.assertTrue(all(-0.15 <= c <= 0.45 for c in s["context"]))
        table = np.array(s["table"]["iterations"])
        grid = s["omega_grid"]
        names = [p["name"] for p in s["policies"]]
        self.assertEqual(names[:4], ["tsallis", "tsallis_iw", "tsallis_cb", "chebcb"])
        for p in s["policies"]:
            self.assertEqual(len(p["iterations"]), T_SYN, p["name"])
            self.assertEqual(len(p["omega"]), T_SYN, p["name"])
            self.assertEqual(len(p["seconds"]), T_SYN, p["name"])
            self.assertEqual(sum(p["iterations"]), p["total_iterations"], p["name"])
            # a stateless sequence: the online solve is the table's solve at the chosen omega, exactly
            self.assertEqual(p["mismatched_instances"], 0, p["name"])
            self.assertEqual(p["table_predicted_iterations"], p["total_iterations"], p["name"])
            arms = [grid.index(w) for w in p["omega"]]
            self.assertEqual(list(table[np.arange(T_SYN), arms]), p["iterations"], p["name"])
            self.assertTrue(p["decisions_identical_on_all_ranks"], p["name"])
        best = policy(s, "fixed_%g" % s["best_fixed"]["omega"])
        self.assertEqual(best["iterations"], s["best_fixed"]["iterations"])
        for name in ("tsallis", "tsallis_cb", "chebcb"):
            p = policy(s, name)
            self.assertGreater(len(set(p["omega"])), 1, name)  # it explored
            self.assertGreater(p["learner_time_s"], 0.0, name)
            self.assertGreaterEqual(p["total_iterations"], s["instance_optimal"]["total_iterations"], name)

    def test_replay_on_the_table_reproduces_the_online_learners(self):
        # seed 3 (= -relax_seed) replayed on the table is exactly the online run of each learner (a stateless
        # sequence); the other seeds give other totals, all within [instance-optimal, worst fixed]
        s = self.s
        self.assertEqual(s["replay"]["seeds"], 3)
        self.assertEqual(s["replay"]["first_seed"], 3)
        online = {p["name"]: p for p in s["policies"] if p["kind"] == "learner"}
        self.assertEqual(sorted(r["name"] for r in s["replay"]["policies"]), sorted(online))
        worst = max(f["total_iterations"] for f in s["fixed"])
        for r in s["replay"]["policies"]:
            self.assertEqual(r["total_iterations"][0], online[r["name"]]["total_iterations"], r["name"])
            self.assertEqual(len(r["total_iterations"]), 3)
            for t in r["total_iterations"]:
                self.assertGreaterEqual(t, s["instance_optimal"]["total_iterations"], r["name"])
                self.assertLessEqual(t, worst, r["name"])
            best = s["best_fixed"]["total_iterations"]
            self.assertAlmostEqual(r["mean_ratio_to_best_fixed"], sum(r["total_iterations"]) / 3 / best, places=12)
        self.assertIn("replayed on the table, learner seeds 3..5", self.out)

    def test_deterministic(self):
        s2, _ = study(["-relax_instances", str(T_SYN), "-relax_seed", "3"], self.dir.name, "again.json")
        self.assertEqual(s2["table"]["iterations"], self.s["table"]["iterations"])
        for p, q in zip(self.s["policies"], s2["policies"]):
            self.assertEqual(p["iterations"], q["iterations"], p["name"])
            self.assertEqual(p["omega"], q["omega"], p["name"])
        s3, _ = study(["-relax_instances", "20", "-relax_seed", "4"], self.dir.name, "other.json")
        self.assertNotEqual(s3["context"], self.s["context"][:20])


class SequenceFile(unittest.TestCase):
    def test_write_and_read_back_gives_the_same_study(self):
        with tempfile.TemporaryDirectory() as d:
            args = ["-relax_instances", "40", "-relax_seed", "9", "-relax_synthetic_m", "6", "-relax_omega_n", "6"]
            run(args + ["-relax_write_file", "seq.h5"], d)
            self.assertFalse([x for x in os.listdir(d) if x.endswith(".tmp")])
            with h5py.File(os.path.join(d, "seq.h5"), "r") as f:
                self.assertEqual(f.attrs["petal_format"], b"petal-relax-sequence")
                self.assertEqual(int(f.attrs["petal_format_version"]), 1)
                self.assertEqual(f["row_ptr"].shape, (37,))
                nnz = f["col"].shape[0]
                self.assertEqual(nnz, 36 + 2 * 2 * 6 * 5)  # diagonal + 4 neighbours of a 6 x 6 grid
                self.assertEqual(f["values"].shape, (40, nnz))
                self.assertEqual(f["rhs"].shape, (40, 36))
                self.assertNotIn("x0", f)
                self.assertTrue(np.all(np.linalg.norm(f["rhs"][()], axis=1) <= 6.0))  # ||b|| <= sqrt(n)
                ctx = f["context"][()]
                # A_t = L + c_t I: the diagonal holds 4 + c_t
                rp, col, val = f["row_ptr"][()], f["col"][()], f["values"][()]
                diag = [k for k in range(rp[0], rp[1]) if col[k] == 0][0]
                self.assertTrue(np.allclose(val[:, diag], 4 + ctx))
            direct, _ = study(args, d, "direct.json")
            fromfile, _ = study(["-relax_sequence", "file", "-relax_file", "seq.h5", "-relax_omega_n", "6",
                                 "-relax_seed", "9"], d, "file.json")
            self.assertEqual(fromfile["sequence"], "file")
            self.assertEqual(fromfile["instances"], 40)
            self.assertEqual(fromfile["context"], direct["context"])
            self.assertEqual(fromfile["table"]["iterations"], direct["table"]["iterations"])
            self.assertEqual([p["iterations"] for p in fromfile["policies"]],
                             [p["iterations"] for p in direct["policies"]])

    def test_file_written_by_h5py(self):
        """A sequence written by another tool: 1-D Laplacians with a varying shift, given x0 and contexts."""
        with tempfile.TemporaryDirectory() as d:
            n, T = 30, 12
            rows, cols = [0], []
            for i in range(n):
                cols += [j for j in (i - 1, i, i + 1) if 0 <= j < n]
                rows.append(len(cols))
            vals = []
            for t in range(T):
                vals.append([(2.0 + 0.1 * t) if j == i else -1.0
                             for i in range(n) for j in (i - 1, i, i + 1) if 0 <= j < n])
            rng = np.random.default_rng(0)
            with h5py.File(os.path.join(d, "lap.h5"), "w") as f:
                f.attrs["petal_format"] = np.bytes_("petal-relax-sequence")
                f.attrs["petal_format_version"] = np.int32(1)
                f["row_ptr"] = np.array(rows, dtype=np.int64)
                f["col"] = np.array(cols, dtype=np.int64)
                f["values"] = np.array(vals)
                f["rhs"] = rng.standard_normal((T, n))
                f["x0"] = 0.1 * rng.standard_normal((T, n))
                f["context"] = 0.1 * np.arange(T)
            s, out = study(["-relax_sequence", "file", "-relax_file", "lap.h5", "-relax_omega_n", "5",
                            "-relax_learners", "tsallis,chebcb"], d)
            self.assertEqual(s["instances"], T)
            self.assertEqual(s["unknowns"], n)
            self.assertEqual(s["context_min"], 0.0)
            self.assertAlmostEqual(s["context_max"], 1.1)
            self.assertEqual([p["name"] for p in s["policies"]][:2], ["tsallis", "chebcb"])
            self.assertTrue(all(p["mismatched_instances"] == 0 for p in s["policies"]))
            self.assertIn("initial guesses from /x0", out)


class Heat(unittest.TestCase):
    def test_reference_replay_matches_the_table_and_baselines_run(self):
        with tempfile.TemporaryDirectory() as d:
            s, out = study(["-relax_sequence", "heat", "-relax_heat_nx", "16", "-relax_instances", "60",
                            "-relax_heat_trajectory", "reference", "-relax_omega_n", "8"], d)
            self.assertEqual(s["unknowns"], 15 * 15)
            self.assertEqual(s["solver"], "ssor_pcg")
            self.assertTrue(s["stateful"])
            self.assertEqual(s["context_min"], 0.0)
            self.assertEqual(s["context_max"], 10.0)
            self.assertEqual(s["bins"], 6)
            kinds = {p["name"]: p["kind"] for p in s["policies"]}
            for b in ("gmres_ilu", "cg_boomeramg", "cg_gamg"):
                self.assertEqual(kinds[b], "baseline")
                p = policy(s, b)
                self.assertGreater(p["total_iterations"], 0)
                self.assertEqual(p["capped"], 0, b)
            for p in s["policies"]:
                if p["kind"] != "baseline":
                    self.assertEqual(p["mismatched_instances"], 0, p["name"])
            self.assertLessEqual(s["instance_optimal"]["total_iterations"], s["best_fixed"]["total_iterations"])
            self.assertGreater(s["reference"]["total_iterations"], 0)
            self.assertIn("reference trajectory", out)

    def test_own_trajectories_and_file_round_trip(self):
        with tempfile.TemporaryDirectory() as d:
            args = ["-relax_sequence", "heat", "-relax_heat_nx", "12", "-relax_instances", "30", "-relax_omega_n", "5",
                    "-relax_baselines", "none", "-relax_learners", "chebcb"]
            s, _ = study(args, d)
            self.assertEqual(s["trajectory"], "own")
            p = policy(s, "chebcb")
            # own warm starts differ from the reference ones at the 1e-8 level: at most a few instances differ
            self.assertLessEqual(p["mismatched_instances"], 3)
            self.assertEqual([q["kind"] for q in s["policies"]], ["learner", "fixed"])
            run(args + ["-relax_write_file", "heat.h5"], d)
            with h5py.File(os.path.join(d, "heat.h5"), "r") as f:
                self.assertEqual(f["x0"].shape, (30, 121))
                self.assertEqual(f.attrs["solver"], b"ssor_pcg")
                self.assertEqual(list(f.attrs["context_range"]), [0.0, 10.0])
                self.assertEqual(int(f.attrs["bins"]), 6)
            t, _ = study(["-relax_sequence", "file", "-relax_file", "heat.h5", "-relax_omega_n", "5",
                          "-relax_learners", "chebcb"], d, "file.json")
            self.assertEqual(t["solver"], "ssor_pcg")
            self.assertEqual(t["context"], s["context"])
            if NP == 1:  # in parallel the file's rows are split evenly, the DMDA's by grid lines: other SOR blocks
                self.assertEqual(t["table"]["iterations"], s["table"]["iterations"])


class Errors(unittest.TestCase):
    def expect_error(self, args, text, cwd):
        p = run(args, cwd, check=False)
        self.assertNotEqual(p.returncode, 0, f"{args} was accepted")
        self.assertIn(text, p.stdout + p.stderr, f"{args}")

    def test_bad_input(self):
        with tempfile.TemporaryDirectory() as d:
            small = ["-relax_instances", "5"]
            with open(os.path.join(d, "text.h5"), "w") as f:
                f.write("not hdf5\n")
            self.expect_error(["-relax_sequence", "file", "-relax_file", "text.h5"], "not an HDF5 file", d)
            self.expect_error(small + ["-relax_omega_grid", "1.0,2.0"], "outside (0, 2)", d)
            self.expect_error(small + ["-relax_omega_grid", "0,1.5"], "outside (0, 2)", d)
            self.expect_error(small + ["-relax_omega_grid", "1.2,nan"], "outside (0, 2)", d)
            self.expect_error(small + ["-relax_omega_grid", "1.2,x"], '-relax_omega_grid: "x" is not a number', d)
            self.expect_error(small + ["-relax_omega_grid", ""], "-relax_omega_grid is empty", d)
            self.expect_error(small + ["-relax_omega_n", "0"], "at least one value", d)
            # a grid that would exhaust memory and time is refused before it is built
            self.expect_error(small + ["-relax_omega_n", "1000000000"], "at most 1000 are allowed", d)
            self.expect_error(small + ["-relax_omega_min", "1.8", "-relax_omega_max", "1.2"], "omega_min = 1.8 must be below omega_max = 1.2", d)
            self.expect_error(small + ["-relax_run_omegas", "1.5,2.5"], "-relax_run_omegas: relaxation factor omega = 2.5", d)
            self.expect_error(small + ["-relax_synthetic_beta", "0.5"], "-relax_synthetic_beta takes two values", d)
            self.expect_error(small + ["-relax_context_range", "1,0"], "-relax_context_range takes two finite values a < b", d)
            # the heat sequence's checks name the options the user typed, not petal-heat's
            p = run(["-relax_sequence", "heat", "-relax_heat_nx", "1", "-relax_instances", "2"], d, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("-relax_heat_nx must be at least 2, got 1", p.stdout + p.stderr)
            self.assertNotIn("-heat_nx", (p.stdout + p.stderr).replace("-relax_heat_nx", ""))
            self.expect_error(["-relax_sequence", "heat", "-relax_heat_dim", "4", "-relax_instances", "2"], "-relax_heat_dim must be 2 or 3", d)
            self.expect_error(small + ["-relax_learners", "bogus"], "unknown learner bogus", d)
            self.expect_error(small + ["-relax_baselines", "bogus"], "unknown baseline bogus", d)
            self.expect_error(small + ["-relax_instances", "0"], "must be positive", d)
            self.expect_error(small + ["-relax_replay_seeds", "-1"], "-relax_replay_seeds must be in", d)
            self.expect_error(["-relax_sequence", "file"], "needs -relax_file", d)
            self.expect_error(["-relax_sequence", "file", "-relax_file", "missing.h5"], "Cannot open file", d)
            with h5py.File(os.path.join(d, "empty.h5"), "w") as f:
                f["x"] = np.zeros(3)
            self.expect_error(["-relax_sequence", "file", "-relax_file", "empty.h5"], "not a petal-relax sequence", d)
            with h5py.File(os.path.join(d, "nodiag.h5"), "w") as f:
                f.attrs["petal_format"] = np.bytes_("petal-relax-sequence")
                f.attrs["petal_format_version"] = np.int32(1)
                f["row_ptr"] = np.array([0, 1, 2], dtype=np.int64)
                f["col"] = np.array([1, 0], dtype=np.int64)
                f["values"] = np.ones((2, 2))
                f["rhs"] = np.ones((2, 2))
            self.expect_error(["-relax_sequence", "file", "-relax_file", "nodiag.h5"], "has no diagonal entry", d)
            with h5py.File(os.path.join(d, "shape.h5"), "w") as f:
                f.attrs["petal_format"] = np.bytes_("petal-relax-sequence")
                f.attrs["petal_format_version"] = np.int32(1)
                f["row_ptr"] = np.array([0, 1, 2], dtype=np.int64)
                f["col"] = np.array([0, 1], dtype=np.int64)
                f["values"] = np.ones((2, 2))
                f["rhs"] = np.ones((3, 2))
            self.expect_error(["-relax_sequence", "file", "-relax_file", "shape.h5"], "/rhs", d)
            self.assertFalse([x for x in os.listdir(d) if x.endswith(".tmp")])

    def test_help_lists_the_options(self):
        with tempfile.TemporaryDirectory() as d:
            p = run(["-help", "-relax_instances", "2", "-relax_learners", "none"], d, check=False)
            for opt in ("-relax_sequence", "-relax_instances", "-relax_seed", "-relax_omega_grid", "-relax_learners",
                        "-relax_baselines", "-relax_write_file", "-relax_heat_trajectory", "-relax_replay_seeds", "-json"):
                self.assertIn(opt, p.stdout, opt)
            # list options show their real defaults (PETSc's array options printed the first value or garbage)
            self.assertIn("-relax_omega_grid <now 1,1.05,1.1,", p.stdout)
            self.assertIn("1.9,1.95>", p.stdout)
            self.assertIn("-relax_synthetic_beta <now 0.5,1.5 : formerly 0.5,1.5>", p.stdout)
            self.assertIn("-relax_context_range <now -0.15,0.65 : formerly -0.15,0.65>", p.stdout)
            self.assertIn("-relax_run_omegas <now none : formerly none>", p.stdout)
            self.assertIn("-relax_learners <now none : formerly tsallis,tsallis_iw,tsallis_cb,chebcb>", p.stdout)
            self.assertNotIn("e-310", p.stdout)
            p = run(["-help", "-relax_sequence", "heat", "-relax_heat_nx", "4", "-relax_instances", "1", "-relax_learners",
                     "none", "-relax_baselines", "none"], d, check=False)
            self.assertIn("-relax_context_range <now 0,10 : formerly 0,10>", p.stdout)
            self.assertIn("-relax_bins <now 6 : formerly 6>", p.stdout)
            self.assertIn("-relax_solver <now ssor_pcg : formerly ssor_pcg>", p.stdout)

    def test_progress_lines_give_the_rate_and_the_time_left(self):
        with tempfile.TemporaryDirectory() as d:
            quick = ["-relax_instances", "20", "-relax_learners", "none", "-relax_synthetic_m", "6", "-relax_omega_max", "1.7"]
            p = run(quick + ["-relax_progress", "10"], d)
            lines = [l for l in p.stdout.splitlines() if "instances/s" in l]
            self.assertEqual(len(lines), 4, p.stdout)  # two per pass
            self.assertIn("pass 1 of 2 (table + learners): 10 / 20 instances (50%)", lines[0])
            self.assertIn("s left", lines[0])
            self.assertIn("pass 2 of 2 (fixed omegas online): 20 / 20 instances (100%)", lines[3])
            # automatic lines (the default) wait until a pass has run 2 s: a short run stays quiet
            p = run(quick, d)
            self.assertNotIn("instances/s", p.stdout)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[3:])
