#!/usr/bin/env python3
"""PCBANDITSOR's state checkpoints survive a kill: a run that checkpoints every 5 solves is stalled in the middle of
writing its third checkpoint (PETAL_FAULT=banditsor_state_write#3:stall, after the datasets, before the close and
rename) and killed with SIGKILL. Then
  - the state file is the previous complete checkpoint: it loads, and its totals are those of the first 10 solves;
  - the half-written checkpoint is only the temporary file, never the state file;
  - a resumed run loads the state and continues the sequence exactly (the same iterations as one run that was
    never killed), its totals growing from 10, and its first checkpoint overwrites the stale temporary file.
Run by ctest: test_banditsor_checkpoint.py RUN_EXE NP (RUN_EXE: banditsor-sequence-run)."""
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import h5py

EXE = sys.argv[1]
NP = int(sys.argv[2])
MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1", OMP_NUM_THREADS="1")


def command(args):
    # One rank runs as an MPI singleton (no mpiexec in between: the killed process is the program itself).
    return ([MPIEXEC, "-n", str(NP)] if NP > 1 else []) + [EXE] + args


def run(args, cwd):
    p = subprocess.run(command(args), cwd=cwd, env=ENV, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise AssertionError(f"{args} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p.stdout


def solves(stdout):
    """{instance: iterations} of the 'solve t its k omega w' lines."""
    out = {}
    for line in stdout.splitlines():
        f = line.split()
        if len(f) == 6 and f[0] == "solve" and f[2] == "its":
            out[int(f[1])] = int(f[3])
    return out


def totals(state):
    with h5py.File(state, "r") as f:
        return [int(v) for v in f["pc/totals"][()]]


def run_until_stall(args, cwd):
    """Starts the run with the stall fault, waits for the stall line, kills the stalled process with SIGKILL."""
    env = dict(ENV, PETAL_FAULT="banditsor_state_write#3:stall")
    p = subprocess.Popen(command(args), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(l) for l in p.stderr], daemon=True).start()
    out = []
    threading.Thread(target=lambda: out.append(p.stdout.read()), daemon=True).start()
    deadline = time.monotonic() + 120
    stall = None
    while stall is None and time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            if p.poll() is not None:
                break
            continue
        if "PETAL_FAULT stalls" in line:
            stall = line
    if stall is None:
        os.killpg(p.pid, signal.SIGKILL)
        raise AssertionError("the run never stalled at banditsor_state_write")
    os.kill(int(stall.split("pid")[1]), signal.SIGKILL)  # the stalled rank: mid-write, as a crash or a scheduler kill
    try:
        p.wait(timeout=30)  # mpiexec ends the other ranks
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    time.sleep(0.2)
    return out[0] if out else ""


class Checkpoints(unittest.TestCase):
    def test_killed_mid_write_keeps_the_last_checkpoint_and_resumes(self):
        with tempfile.TemporaryDirectory() as d:
            learner = ["-pc_banditsor_learner", "chebcb", "-pc_banditsor_seed", "4"]
            reference = solves(run(learner + ["-solves", "20"], d))  # one run, never killed, no state
            self.assertEqual(sorted(reference), list(range(20)))
            state = os.path.join(d, "state.h5")
            args = learner + ["-pc_banditsor_state", "state.h5", "-pc_banditsor_state_checkpoint_interval", "5"]

            killed = solves(run_until_stall(args + ["-solves", "20"], d))
            # checkpoints after solves 5 and 10 completed; the third was being written at the end of the 15th
            # solve (PCPostSolve), before the run could print it
            self.assertEqual(sorted(killed), list(range(14)))
            self.assertEqual([killed[t] for t in range(14)], [reference[t] for t in range(14)])
            self.assertTrue(os.path.exists(state + ".tmp"), "the kill should leave the half-written temporary")
            self.assertEqual(totals(state), [10, sum(reference[t] for t in range(10)), 0])

            resumed = run(args + ["-solves", "10"], d)
            self.assertIn("start at solve 10", resumed)
            self.assertEqual(solves(resumed), {t: reference[t] for t in range(10, 20)})  # bit for bit
            self.assertIn(f"totals 20 {sum(reference.values())}", resumed)
            self.assertEqual(totals(state), [20, sum(reference.values()), 0])
            self.assertFalse(os.path.exists(state + ".tmp"), "the stale temporary was not overwritten and renamed")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"] + sys.argv[3:])
