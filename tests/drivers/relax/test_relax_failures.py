#!/usr/bin/env python3
"""petal-relax fails cleanly (tests/support/failures.py: within seconds, with its message, no output file and no
*.tmp left), on 2 and 4 ranks:
  - a fault injected on rank 1 or rank 0 (PETAL_FAULT) in each of its output paths: the JSON summary
    (json_write), the sequence file of -relax_write_file (sequence_write after an instance, sequence_write_close
    before the close) and a learner's state checkpoints (banditsor_state_write, -relax_<learner>_pc_banditsor_state);
  - bad inputs every rank detects identically: a grid that would exhaust memory, a malformed sequence file, a
    learner state of another configuration, a heat grid too small.
Run by ctest: test_relax_failures.py RELAX_EXE."""
import os
import sys
import tempfile
import unittest

import h5py
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "support"))
from failures import FailureCase, check_failure  # noqa: E402

RELAX = sys.argv[1]
SMALL = ["-relax_instances", "8", "-relax_synthetic_m", "6", "-relax_omega_n", "4", "-relax_learners", "chebcb",
         "-relax_progress", "0"]
RANKS = (2, 4)


class OutputFaults(unittest.TestCase):
    def check(self, args, site, outputs):
        for np_ in RANKS:
            for rank in (1, 0):
                with self.subTest(site=site, np=np_, rank=rank), tempfile.TemporaryDirectory() as d:
                    check_failure(self, FailureCase(cmd=[RELAX] + SMALL + args, np=np_, fault=f"{site}@{rank}",
                                                    message=f"Injected fault at {site} on rank {rank}",
                                                    outputs=outputs), d)

    def test_json_summary(self):
        self.check(["-json", "r.json"], "json_write", ["r.json"])

    def test_sequence_file(self):
        for site in ("sequence_write", "sequence_write_close"):
            self.check(["-relax_write_file", "seq.h5"], site, ["seq.h5"])

    def test_learner_state_checkpoint(self):
        state = ["-relax_chebcb_pc_banditsor_state", "state.h5", "-relax_chebcb_pc_banditsor_state_checkpoint_interval", "3"]
        self.check(state, "banditsor_state_write", ["state.h5"])


class BadInputs(unittest.TestCase):
    def check(self, args, message, cwd, outputs=("r.json",)):
        for np_ in RANKS:
            with self.subTest(args=args, np=np_):
                check_failure(self, FailureCase(cmd=[RELAX] + args + ["-json", "r.json"], np=np_, message=message,
                                                outputs=list(outputs)), cwd)

    def test_bad_inputs(self):
        with tempfile.TemporaryDirectory() as d:
            self.check(SMALL + ["-relax_omega_n", "1000000000"], "at most 1000 are allowed", d)
            self.check(["-relax_sequence", "heat", "-relax_heat_nx", "1"], "-relax_heat_nx must be at least 2, got 1", d)
            with h5py.File(os.path.join(d, "bad.h5"), "w") as f:
                f.attrs["petal_format"] = np.bytes_("petal-relax-sequence")
                f.attrs["petal_format_version"] = np.int32(1)
                f["row_ptr"] = np.array([0, 2, 1, 3], dtype=np.int64)  # decreases after row 0
                f["col"] = np.array([0, 1, 2], dtype=np.int64)
                f["values"] = np.ones((2, 3))
                f["rhs"] = np.ones((2, 3))
            self.check(["-relax_sequence", "file", "-relax_file", "bad.h5"], "Sequence file bad.h5: /row_ptr decreases at row 1", d)

    def test_state_of_another_learner(self):
        with tempfile.TemporaryDirectory() as d:
            # a Tsallis-INF state handed to the ChebCB policy: refused, naming both, not silently adopted
            run = [RELAX] + SMALL + ["-relax_learners", "tsallis", "-relax_tsallis_pc_banditsor_state", "s.h5"]
            import subprocess
            from failures import ENV
            subprocess.run(run, cwd=d, env=ENV, check=True, capture_output=True, timeout=120)
            self.assertTrue(os.path.exists(os.path.join(d, "s.h5")))
            self.check(SMALL + ["-relax_chebcb_pc_banditsor_state", "s.h5"],
                       "was learned with learner tsallis, 4 omegas on [1, 1.95], but this PC is configured with learner chebcb", d)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[2:])
