#!/usr/bin/env python3
"""petal-poisson end to end on NP ranks: convergence to the stated tolerance with several PETSc solvers, the
solution checked against the discrete equation rebuilt here from the cell types (poisson_check.laplacian), a
manufactured solution read from a dataset, 2-D and 3-D grids, the scenes of petal-mesh, the same iterations on 1
and 2 ranks, the JSON summary and the XDMF. Run by ctest: test_poisson.py POISSON_EXE MESH_EXE NP."""
import json
import os
import re
import sys
import tempfile
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import poisson_check as pc  # noqa: E402

POISSON, MESH, NP = sys.argv[1], sys.argv[2], int(sys.argv[3])
# one rank: ICC(0) itself; several: ICC(0) in each block of block Jacobi (PETSc's ICC is sequential)
ICC = ["-ksp_type", "cg", "-pc_type", "icc"] if NP == 1 else ["-ksp_type", "cg", "-pc_type", "bjacobi", "-sub_pc_type", "icc"]
SOLVERS = {"cg+icc": ICC, "cg+jacobi": ["-ksp_type", "cg", "-pc_type", "jacobi"], "cg+gamg": ["-ksp_type", "cg", "-pc_type", "gamg"]}


SRC = os.environ.get("PETAL_SOURCE_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
BUNDLED_WEIGHTS = os.path.join(SRC, "learned", "cnn", "weights", "dcdm_default.h5")


def have_dcdm():
    """Whether this build registers KSP/PC dcdm (the -help of a 1-rank run lists the PC's options)."""
    with tempfile.TemporaryDirectory() as d:
        p = pc.run(POISSON, ["-help", "-poisson_n", "4"], 1, d, check=False)
    return "-pc_dcdm_weights" in p.stdout


class Case(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def solve(self, args, np_=NP, name="run"):
        """Runs the driver; returns (JSON summary, output fields, stdout)."""
        p = pc.run(POISSON, args + ["-poisson_output", f"{name}.h5", "-json", f"{name}.json"], np_, self.dir)
        with open(self.path(f"{name}.json")) as f:
            summary = json.load(f)
        return summary, pc.read_output(self.path(f"{name}.h5")), p.stdout

    def check_equation(self, summary, out, rtol, edge="wall"):
        """The output satisfies A p = b to rtol with A rebuilt from the cell types; the stored residual is b - A p;
        b is zero off the unknowns and (pure Neumann) orthogonal to the null space."""
        grid = summary["grid"]
        A = pc.laplacian(out["cell_type"].astype(np.int64), grid["spacing"], edge)
        p, b, r = out["pressure"].ravel(), out["rhs"].ravel(), out["residual"].ravel()
        mine = b - A @ p
        bnorm = np.linalg.norm(b)
        self.assertGreater(bnorm, 0)
        self.assertLessEqual(np.linalg.norm(mine) / bnorm, rtol * 1.0001, "||b - Ap||/||b|| above the tolerance")
        self.assertLess(np.linalg.norm(mine - r), 1e-9 * bnorm, "the stored residual is not b - A p")
        self.assertAlmostEqual(summary["result"]["relative_residual"], np.linalg.norm(mine) / bnorm, delta=1e-3 * rtol)
        unknown = pc.unknown_mask(out["cell_type"].astype(np.int64), edge).ravel()
        self.assertEqual(unknown.sum(), grid["unknowns"])
        self.assertTrue(np.all(b[~unknown] == 0) and np.all(p[~unknown] == 0), "values off the unknowns")
        if grid["null_space"]:
            self.assertLess(abs(b[unknown].sum()), 1e-12 * bnorm * np.sqrt(unknown.sum()), "b has a null-space component")
        return A


class Convergence(Case):
    def test_solvers_reach_the_tolerance_on_the_plume(self):
        for name, opts in SOLVERS.items():
            with self.subTest(solver=name):
                summary, out, _ = self.solve(["-poisson_n", "16"] + opts, name=name)
                self.assertTrue(summary["result"]["converged"], summary["result"])
                self.assertEqual(summary["solver"]["norm_type"], "UNPRECONDITIONED")
                self.assertEqual(summary["solver"]["rtol"], 1e-6)
                self.check_equation(summary, out, 1e-6)

    def test_every_scene_and_the_free_surface(self):
        for scene in ("empty", "sphere", "obstacles", "plume"):
            for free in (False, True):
                with self.subTest(scene=scene, free_surface=free):
                    args = ["-poisson_scene", scene, "-poisson_n", "16", "-ksp_rtol", "1e-8"] + ICC
                    summary, out, _ = self.solve(args + (["-poisson_free_surface"] if free else []))
                    grid = summary["grid"]
                    self.assertEqual(grid["null_space"], not free)  # the scenes have one fluid region
                    self.assertEqual(grid["dirichlet"], 256 if free else 0)
                    self.assertEqual(grid["solid"] > 0, scene != "empty")
                    self.assertEqual(grid["constant_null_space"], scene == "empty" and not free)
                    self.check_equation(summary, out, 1e-8)

    def test_two_dimensional_grid(self):
        summary, out, _ = self.solve(["-poisson_dim", "2", "-poisson_n", "40", "-poisson_scene", "obstacles"] + ICC)
        self.assertEqual(out["pressure"].shape, (40, 40))
        self.assertEqual(summary["grid"]["dim"], 2)
        self.check_equation(summary, out, 1e-6)

    def test_tolerance_option(self):
        for rtol in (1e-4, 1e-10):
            with self.subTest(rtol=rtol):
                summary, out, _ = self.solve(["-poisson_n", "16", "-ksp_rtol", str(rtol)] + ICC)
                self.assertEqual(summary["solver"]["rtol"], rtol)
                self.check_equation(summary, out, rtol)


class Dataset(Case):
    """-poisson_rhs_dataset: div v* from the file. With div = -(A p*)/h0^2 the solution is p* itself (for the
    pure-Neumann grid up to a constant), which checks the matrix the driver assembles entry by entry."""

    def manufactured(self, cell_type, spacing, edge):
        rng = np.random.default_rng(7)
        A = pc.laplacian(cell_type, spacing, edge)
        unknown = pc.unknown_mask(cell_type, edge)
        exact = np.where(unknown, rng.standard_normal(cell_type.shape), 0.0)
        div = -(A @ exact.ravel()).reshape(cell_type.shape) / spacing[0] ** 2
        return exact, np.where(unknown, div, 0.0)

    def test_manufactured_solution(self):
        rng = np.random.default_rng(3)
        ct3 = np.where(rng.random((6, 8, 10)) < 0.15, pc.SOLID, pc.INTERIOR).astype(np.uint8)
        ct3[-1, :, :3] = pc.DIRICHLET
        ct2 = np.where(rng.random((12, 9)) < 0.2, pc.SOLID, pc.INTERIOR).astype(np.uint8)
        cases = [("3d_mixed", ct3, [0.1, 0.1, 0.1], "wall"),
                 ("3d_anisotropic_dirichlet_edge", ct3, [0.1, 0.05, 0.2], "dirichlet"),
                 ("2d_dirichlet_edge", ct2, [0.25, 0.25], "dirichlet")]
        for name, ct, spacing, edge in cases:
            with self.subTest(case=name):
                exact, div = self.manufactured(ct.astype(np.int64), spacing, edge)
                pc.write_voxel(self.path(f"{name}.h5"), ct, spacing, {"/fields/div": div})
                summary, out, _ = self.solve(["-poisson_mesh", f"{name}.h5", "-poisson_rhs_dataset", "/fields/div",
                                              "-poisson_edge", edge, "-ksp_rtol", "1e-12", "-ksp_type", "cg",
                                              "-pc_type", "jacobi"], name=name)
                self.assertEqual(summary["rhs"]["source"], "dataset")
                err = np.abs(out["pressure"] - exact).max()
                self.assertLess(err, 1e-8 * np.abs(exact).max(), f"{name}: max error {err}")
                self.check_equation(summary, out, 1e-12, edge)

    def test_pure_neumann_dataset_is_projected(self):
        """An incompatible div (a constant added) is projected: the solution is the compatible one's."""
        ct = np.zeros((8, 8, 8), dtype=np.uint8)
        ct[3:5, 3:5, 3:5] = pc.SOLID
        exact, div = self.manufactured(ct.astype(np.int64), [0.125] * 3, "wall")
        unknown = pc.unknown_mask(ct.astype(np.int64))
        shifted = np.where(unknown, div + 5.0, 0.0)
        pc.write_voxel(self.path("n.h5"), ct, None, {"/fields/div": shifted, "/other/div": div})
        s1, o1, _ = self.solve(["-poisson_mesh", "n.h5", "-poisson_rhs_dataset", "/fields/div", "-ksp_rtol", "1e-12",
                                "-ksp_type", "cg", "-pc_type", "jacobi"], name="shifted")
        s2, o2, _ = self.solve(["-poisson_mesh", "n.h5", "-poisson_rhs_dataset", "/other/div", "-ksp_rtol", "1e-12",
                                "-ksp_type", "cg", "-pc_type", "jacobi"], name="plain")
        self.assertGreater(s1["rhs"]["incompatibility_removed"], 1e-3)
        self.assertLess(s2["rhs"]["incompatibility_removed"], 1e-12)
        self.assertLess(np.abs(o1["pressure"] - o2["pressure"]).max(), 1e-9)
        centred = np.where(unknown, exact - exact[unknown].mean(), 0.0)
        self.assertLess(np.abs(o2["pressure"] - centred).max(), 1e-8)

    def test_sealed_cells_and_several_neumann_regions(self):
        """A wall splits the box into two closed regions (two null vectors), and one fluid cell is walled in."""
        ct = np.zeros((6, 6, 8), dtype=np.uint8)
        ct[:, :, 4] = pc.SOLID              # the wall: regions x < 4 and x > 4
        ct[1:4, 1:4, 0:3] = pc.SOLID
        ct[2, 2, 1] = pc.INTERIOR           # a cell inside the solid block: sealed
        exact, div = self.manufactured(ct.astype(np.int64), [0.1] * 3, "wall")
        pc.write_voxel(self.path("two.h5"), ct, [0.1] * 3, {"/fields/div": div + 1.0})
        summary, out, _ = self.solve(["-poisson_mesh", "two.h5", "-poisson_rhs_dataset", "/fields/div",
                                      "-ksp_rtol", "1e-10", "-ksp_type", "cg", "-pc_type", "jacobi"])
        grid = summary["grid"]
        self.assertEqual((grid["neumann_regions"], grid["sealed"]), (2, 1))
        self.assertEqual(out["pressure"][2, 2, 1], 0.0)
        self.check_equation(summary, out, 1e-10)
        for region in (slice(0, 4), slice(5, 8)):  # each region's pressure: the manufactured one up to a constant
            u = pc.unknown_mask(ct.astype(np.int64))[:, :, region]
            d = (out["pressure"][:, :, region] - exact[:, :, region])[u]
            self.assertLess(np.ptp(d), 1e-7)


@unittest.skipUnless(NP > 1, "the 2-rank instance compares 1 and 2 ranks")
class Ranks(Case):
    def test_same_iterations_and_solution_on_one_and_two_ranks(self):
        args = ["-poisson_n", "24", "-poisson_scene", "obstacles", "-ksp_type", "cg", "-pc_type", "jacobi"]
        s1, o1, _ = self.solve(args, np_=1, name="one")
        s2, o2, _ = self.solve(args, np_=2, name="two")
        self.assertEqual(s1["result"]["iterations"], s2["result"]["iterations"])
        self.assertEqual(s2["ranks"], 2)
        scale = np.abs(o1["pressure"]).max()
        self.assertLess(np.abs(o1["pressure"] - o2["pressure"]).max(), 1e-10 * scale)
        # the generated plume is pointwise, the same on any ranks; the projection's dot products round differently
        self.assertLess(np.abs(o1["rhs"] - o2["rhs"]).max(), 1e-14 * np.abs(o1["rhs"]).max())
        h1, h2 = np.array(s1["residual_history"]), np.array(s2["residual_history"])
        self.assertLess(np.abs(h1 - h2).max() / h1[0], 1e-10)


class MeshScenes(Case):
    def test_petal_mesh_scene_is_the_driver_scene(self):
        """petal-mesh scene writes the grid petal-poisson generates in memory: same cells, same solution."""
        for scene in ("obstacles", "plume"):
            with self.subTest(scene=scene):
                pc.run(MESH, ["scene", "-scene", scene, "-n", "20", "-free_surface", "-o", f"{scene}.h5"], NP, self.dir)
                with h5py.File(self.path(f"{scene}.h5")) as f:
                    ct = f["/grid/cell_type"][()]
                    np.testing.assert_allclose(f["/grid/spacing"][()], [0.05] * 3)
                    np.testing.assert_allclose(f["/grid/origin"][()], [0.0] * 3)
                self.assertTrue(np.all(ct[-1] == pc.DIRICHLET))
                solver = ["-ksp_type", "cg", "-pc_type", "jacobi"]
                s1, o1, _ = self.solve(["-poisson_mesh", f"{scene}.h5"] + solver, name=f"{scene}_file")
                s2, o2, _ = self.solve(["-poisson_scene", scene, "-poisson_n", "20", "-poisson_free_surface"] + solver, name=f"{scene}_mem")
                np.testing.assert_array_equal(o1["cell_type"], ct)
                np.testing.assert_array_equal(o2["cell_type"], ct)
                np.testing.assert_array_equal(o1["pressure"], o2["pressure"])

    def test_scene_geometry(self):
        """Solid fractions of the scenes follow their shapes: a ball of radius 0.25, none in the empty box."""
        fractions = {}
        for scene in ("empty", "sphere", "obstacles"):
            pc.run(MESH, ["scene", "-scene", scene, "-n", "48", "-o", f"{scene}.h5"], NP, self.dir)
            with h5py.File(self.path(f"{scene}.h5")) as f:
                ct = f["/grid/cell_type"][()]
            self.assertEqual(ct.shape, (48, 48, 48))
            fractions[scene] = (ct == pc.SOLID).mean()
        self.assertEqual(fractions["empty"], 0.0)
        self.assertAlmostEqual(fractions["sphere"], 4 / 3 * np.pi * 0.25 ** 3, delta=0.003)
        self.assertGreater(fractions["obstacles"], 0.05)
        p = pc.run(MESH, ["scene", "-scene", "sphere", "-dim", "2", "-n", "64,32", "-o", "s2.h5"], NP, self.dir)
        with h5py.File(self.path("s2.h5")) as f:
            self.assertEqual(f["/grid/cell_type"].shape, (32, 64))


class Output(Case):
    def test_json_monitor_and_xdmf(self):
        summary, out, stdout = self.solve(["-poisson_n", "16", "-poisson_monitor", "-poisson_repeat", "2"] + ICC)
        res, hist = summary["result"], summary["residual_history"]
        its = res["iterations"]
        self.assertEqual(len(hist), its + 1)
        self.assertEqual(len(summary["iteration_times"]), its + 1)
        self.assertTrue(all(b >= a for a, b in zip(summary["iteration_times"], summary["iteration_times"][1:])))
        self.assertAlmostEqual(hist[0], summary["rhs"]["norm"], delta=1e-12 * hist[0])
        self.assertLessEqual(hist[-1], 1e-6 * hist[0])
        self.assertGreater(hist[-2], 1e-6 * hist[0])  # stopped at the first iterate below the tolerance
        t = summary["time"]
        for key in ("setup", "solve", "per_iteration", "assembly", "rhs", "output", "total"):
            self.assertGreaterEqual(t[key], 0.0, key)
        self.assertAlmostEqual(t["per_iteration"], t["solve"] / its, delta=1e-12)
        self.assertLessEqual(summary["iteration_times"][-1], t["solve"] + 1e-9)
        self.assertEqual(summary["grid"]["shape"], [16, 16, 16])
        self.assertEqual(summary["ranks"], NP)
        # one monitor line per iteration and solve (iterations 0..its, twice), one line per solve
        lines = [l for l in stdout.splitlines() if "||r||/||b||" in l]
        self.assertEqual(len(lines), 2 * (its + 1))
        self.assertEqual(len([l for l in stdout.splitlines() if l.strip().startswith("solve ")]), 2)
        attrs, dims = pc.xdmf_fields(self.path("run.xmf"))
        self.assertEqual(dims, [16, 16, 16])
        self.assertEqual(set(attrs), {"pressure", "residual", "rhs", "cell_type"})
        with h5py.File(self.path("run.h5")) as f:
            for name, ref in attrs.items():
                h5name, dset = ref.split(":")
                self.assertEqual(h5name, "run.h5")
                self.assertEqual(f[dset].shape, (16, 16, 16), name)

    def test_help_lists_every_option(self):
        p = pc.run(POISSON, ["-help"], NP, self.dir)
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "drivers", "poisson", "petal_poisson.cpp")
        with open(src) as f:
            options = sorted(set(re.findall(r'PetscOptions\w+\("(-poisson_\w+)"', f.read())))
        self.assertGreater(len(options), 10)
        for opt in options + ["-json", "-ksp_type", "-ksp_rtol"]:
            self.assertIn(opt, p.stdout, f"-help does not list {opt}")
        self.assertEqual(os.listdir(self.dir), [], "-help wrote files")


@unittest.skipUnless(have_dcdm(), "this build has no KSP/PC dcdm")
class DCDMPlumbing(Case):
    """The driver around PC dcdm with an untrained network (bench/dcdm/random_weights.py): a few iterations, the
    network statistics in the JSON, and KSP dcdm = FCG(mmax 2, standard truncation) iterate for iterate."""

    def test_network_stats_and_fcg_equivalence(self):
        pc.run(sys.executable, [os.path.join(SRC, "bench", "dcdm", "random_weights.py"), "rw.h5", "--seed", "3"], 1, self.dir)
        base = ["-poisson_n", "16", "-poisson_scene", "obstacles", "-pc_type", "dcdm", "-pc_dcdm_weights", "rw.h5",
                "-ksp_max_it", "4", "-poisson_keep_unconverged"]
        s1, o1, _ = self.solve(base + ["-ksp_type", "dcdm"], name="dcdm")
        s2, o2, _ = self.solve(base + ["-ksp_type", "fcg", "-ksp_fcg_mmax", "2", "-ksp_fcg_truncation_type", "standard"], name="fcg")
        for s in (s1, s2):
            self.assertEqual(s["result"]["iterations"], 4)
            net = s["dcdm"]
            self.assertEqual(net["weights"], "rw.h5")
            self.assertGreaterEqual(net["network_applications"], 4)
            self.assertGreater(net["network_seconds"], 0)
            self.assertAlmostEqual(net["network_gflops"], net["flops_per_application"] * net["network_applications"] / net["network_seconds"] / 1e9, delta=1e-6 * net["network_gflops"])
            # from64 costs about 61k multiply-adds per voxel: 2 flops each, on 16^3 cells
            self.assertAlmostEqual(net["flops_per_application"] / 16 ** 3 / 2, 61e3, delta=3e3)
        np.testing.assert_allclose(s1["residual_history"], s2["residual_history"], rtol=1e-6)
        self.check_equation(s1, o1, 1.0)


@unittest.skipUnless(have_dcdm() and os.path.exists(BUNDLED_WEIGHTS), "no KSP/PC dcdm or no bundled weights (learned/cnn/weights/dcdm_default.h5)")
class DefaultDCDM(Case):
    def test_default_solver_is_dcdm_and_converges(self):
        for scene in ("empty", "plume"):
            with self.subTest(scene=scene):
                summary, out, _ = self.solve(["-poisson_n", "16", "-poisson_scene", scene], name=scene)
                self.assertEqual((summary["solver"]["ksp_type"], summary["solver"]["pc_type"]), ("dcdm", "dcdm"))
                self.assertTrue(summary["result"]["converged"], summary["result"])
                self.check_equation(summary, out, 1e-6)
                self.assertEqual(summary["dcdm"]["network_applications"], summary["result"]["iterations"])


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
