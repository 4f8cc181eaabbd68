#!/usr/bin/env python3
"""petal-heat and petal-mesh fail cleanly on NP ranks: every malformed mesh (tests/meshes/malformed_meshes.py),
bad option, solver failure and fault injected on one rank in an output path ends the whole job within seconds,
with its message, and leaves no output file or temporary behind (tests/support/failures.py).
Run by ctest: test_driver_failures.py HEAT_EXE MESH_EXE NP."""
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "meshes"))
from failures import FailureCase, check_failure  # noqa: E402
import malformed_meshes  # noqa: E402

HEAT, MESH, NP = sys.argv[1], sys.argv[2], int(sys.argv[3])
SRC = os.environ.get("PETAL_SOURCE_DIR", os.path.join(HERE, "..", ".."))
DATA = os.path.join(SRC, "meshes", "data")
SHORT = ["-heat_steps", "4", "-heat_quiet"]


class Case(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def fails(self, cmd, message, fault="", outputs=()):
        return check_failure(self, FailureCase(cmd=cmd, np=NP, message=message, fault=fault, outputs=list(outputs)), self.dir)


class MalformedMeshes(Case):
    """Rank 0 validates the file and every rank raises the same error before any collective read."""

    # the drivers share the loader: every case through petal-mesh info, a few through the other entry points
    THROUGH_ALL = ("plex_cone_out_of_range", "plex_label_out_of_range", "gmsh_missing_node", "gmsh_truncated")

    def test_every_malformed_mesh_is_rejected(self):
        for name, (path, fragment) in malformed_meshes.make_all(os.path.join(self.dir, "bad"), DATA).items():
            with self.subTest(mesh=name):
                self.fails([MESH, "info", path], fragment)
                if name not in self.THROUGH_ALL:
                    continue
                self.fails([MESH, "convert", path, "out.h5"], os.path.basename(path), outputs=["out.h5"])
                # the hang of issue 11: the mesh load fails while the output file is open
                self.fails([HEAT, "-heat_mesh", path, "-heat_output", "heat.h5"] + SHORT, os.path.basename(path),
                           outputs=["heat.h5", "heat.xmf"])


class BadOptions(Case):
    def test_mesh_generator_options(self):
        for args, fragment in [(["plexbox", "-faces", "-2"], "-faces must be >= 1"),
                               (["plexbox", "-faces", "0"], "-faces must be >= 1"),
                               (["plexbox", "-faces", "100000"], "too large"),
                               (["plexbox", "-lower", "1,1", "-upper", "0,0"], "inverted"),
                               (["obstacles", "-n", "10,10", "-sphere", "0.5,0.5,-0.2"], "radius"),
                               (["obstacles", "-n", "10,10", "-box", "0.6,0.6,0.2,0.2"], "inverted"),
                               (["box", "-n", "10,10", "-h", "nan"], "must be finite"),
                               (["box", "-n", "0,10"], "-n must be >= 1")]:
            with self.subTest(args=args):
                self.fails([MESH] + args + ["-o", "out.h5"], fragment, outputs=["out.h5"])
        for args in (["box", "-n", "4,4"], ["plexbox", "-faces", "2,2"]):  # an output folder that does not exist
            with self.subTest(args=args):
                self.fails([MESH] + args + ["-o", "missing/out.h5"], "Cannot write \"missing/out.h5\": No such file or directory")

    def test_heat_options(self):
        for args, fragment in [(["-heat_dt", "inf"], "-heat_dt must be finite"),
                               (["-heat_mesh", os.path.join(DATA, "square_plex.h5"), "-heat_fe_degree", "0"], "-heat_fe_degree must be between 1 and 6"),
                               (["-heat_mesh", os.path.join(DATA, "square_plex.h5"), "-heat_fe_degree", "20"], "-heat_fe_degree must be between 1 and 6"),
                               (["-heat_output", "missing/heat.h5"], "Cannot write \"missing/heat.h5\""),
                               (["-json", "missing/run.json"], "Cannot write \"missing/run.json\"")]:
            with self.subTest(args=args):
                self.fails([HEAT] + args + SHORT, fragment, outputs=["heat.h5", "heat.xmf"])

    def test_huge_coefficient_is_named(self):
        grid = os.path.join(self.dir, "c300.h5")
        check = FailureCase(cmd=[MESH, "box", "-n", "20,20", "-coefficient_layers", "1e300,1", "-o", grid], np=1)
        from failures import run_failure
        rc, _, out = run_failure(check, self.dir)
        self.assertEqual(rc, 0, out)
        self.fails([HEAT, "-heat_mesh", grid, "-heat_output", "heat.h5"] + SHORT, "coefficient ranges over [1, 1e+300]", outputs=["heat.h5"])


class SolverFailures(Case):
    """A solver error while the output file is open (the hang of issue 11 on 2 ranks)."""

    def test_not_converged_with_output_open(self):
        for extra in (["-ksp_max_it", "1"], ["-pc_type", "ilu", "-ksp_max_it", "1"]):
            for mesh in ([], ["-heat_mesh", os.path.join(DATA, "square_plex.h5")]):
                with self.subTest(args=extra + mesh):
                    self.fails([HEAT, "-heat_nx", "20", "-heat_output", "out.h5", "-ksp_error_if_not_converged"] + extra + mesh + SHORT,
                               "PETSC ERROR", outputs=["out.h5", "out.xmf"])


class InjectedFaults(Case):
    """A fault on one rank only, in every output path, while the other ranks are in collective calls."""

    def test_heat_output_path(self):
        ranks = sorted({0, NP - 1})
        # the JSON summary is written after the time series is complete: out.h5 then stays, whole
        for site, outputs in (("time_series_open", ["out.h5", "out.xmf", "run.json"]), ("time_series_frame#2", ["out.h5", "out.xmf", "run.json"]),
                              ("time_series_close", ["out.h5", "out.xmf", "run.json"]), ("json_write", ["run.json"])):
            for rank in ranks:
                name, _, npass = site.partition("#")
                fault = f"{name}@{rank}" + (f"#{npass}" if npass else "")
                with self.subTest(fault=fault):
                    self.fails([HEAT, "-heat_nx", "20", "-heat_output", "out.h5", "-json", "run.json"] + SHORT,
                               f"Injected fault at {name}", fault=fault, outputs=outputs)

    def test_mesh_save_path(self):
        for rank in sorted({0, NP - 1}):
            for args in (["box", "-n", "30,30"], ["plexbox", "-faces", "6,6"], ["convert", os.path.join(DATA, "square_hole.msh")]):
                with self.subTest(rank=rank, args=args):
                    self.fails([MESH] + args + ["-o", "out.h5"], "Injected fault at mesh_save", fault=f"mesh_save@{rank}", outputs=["out.h5"])


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
