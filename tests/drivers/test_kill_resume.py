#!/usr/bin/env python3
"""petal-heat killed (SIGKILL) while it writes: its time series, and its PCBANDITSOR state with checkpoints.
Afterwards every file is either the previous complete version or absent, the learner state holds what was
learned up to the last checkpoint, and a resumed run loads it and overwrites the stale temporaries.
The kill lands at a known point: PETAL_FAULT=site#pass:stall stops the run there and prints a line first.
Run by ctest: test_kill_resume.py HEAT_EXE."""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py

HEAT = sys.argv[1]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_rmaps_base_oversubscribe="1")
CHECKPOINT = 5  # solves between learner checkpoints


def heat(steps, extra=()):
    return [HEAT, "-heat_nx", "30", "-heat_steps", str(steps), "-heat_quiet", "-heat_calibration_samples", "0",
            "-heat_output", "out.h5", "-heat_output_interval", "10", "-pc_banditsor_state", "state.h5",
            "-pc_banditsor_state_checkpoint_interval", str(CHECKPOINT)] + list(extra)


def solves(path):
    """Solves charged in a PCBANDITSOR state file (/pc/totals = solves, iterations, capped)."""
    with h5py.File(path, "r") as f:
        return int(f["pc/totals"][0])


def read(path):
    with open(path, "rb") as f:
        return f.read()


class KillResume(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def run_ok(self, cmd):
        p = subprocess.run(cmd, cwd=self.dir, env=ENV, capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def kill_at(self, cmd, fault):
        """Starts cmd with PETAL_FAULT=fault (a :stall site), waits for the stall, then SIGKILLs it."""
        p = subprocess.Popen(cmd, cwd=self.dir, env=dict(ENV, PETAL_FAULT=fault), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 120
        for line in p.stderr:
            if "PETAL_FAULT stalls" in line:
                break
            self.assertLess(time.monotonic(), deadline, "the run never reached " + fault)
        else:
            p.stderr.close()
            self.fail(f"the run ended (code {p.wait()}) before reaching {fault}")
        p.send_signal(signal.SIGKILL)
        p.wait()
        p.stderr.close()
        self.assertEqual(p.returncode, -signal.SIGKILL)

    def test_kill_while_writing_the_time_series(self):
        self.run_ok(heat(30))  # a complete previous run: out.h5, out.xmf and a state of 30 solves
        before = {f: read(os.path.join(self.dir, f)) for f in ("out.h5", "out.xmf")}
        self.assertEqual(solves(os.path.join(self.dir, "state.h5")), 30)
        # frames at steps 0, 10, 20, 30: the 4th frame of the next run is written after its 30th solve
        self.kill_at(heat(60), "time_series_frame#4:stall")
        for f, data in before.items():
            self.assertEqual(read(os.path.join(self.dir, f)), data, f"{f} is not the previous complete version")
        self.assertTrue(os.path.exists(os.path.join(self.dir, "out.h5.tmp")), "the kill should have left the temporary")
        # the checkpoints of the killed run: after every 5th solve, the 30th included
        self.assertEqual(solves(os.path.join(self.dir, "state.h5")), 30 + 30)
        self.run_ok(heat(10))  # resumes from the checkpoint and replaces the stale temporary
        self.assertEqual(solves(os.path.join(self.dir, "state.h5")), 30 + 30 + 10)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "out.h5.tmp")))
        with h5py.File(os.path.join(self.dir, "out.h5"), "r") as f:
            self.assertIn("u_000010", f["fields"])

    def test_kill_while_writing_the_learner_state(self):
        # no previous state: the 1st and 2nd checkpoints complete, the 3rd is killed half-written
        self.kill_at(heat(60), "banditsor_state_write#3:stall")
        self.assertEqual(solves(os.path.join(self.dir, "state.h5")), 2 * CHECKPOINT)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "state.h5.tmp")))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "out.h5")), "a killed first run must leave no output")
        self.run_ok(heat(10))
        self.assertEqual(solves(os.path.join(self.dir, "state.h5")), 2 * CHECKPOINT + 10)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "state.h5.tmp")))


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
