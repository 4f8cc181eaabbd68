"""Shared checks for how petal's drivers fail: on any number of ranks, an error (a bad input, or a fault
injected on one rank with PETAL_FAULT, see include/petal/driver.h) must end the whole job within seconds,
with the message, a non-zero exit code, and no output file left behind, neither under its final name nor
as a temporary (*.tmp).

    from failures import FailureCase, check_failure
    check_failure(self, FailureCase(cmd=[exe, "-o", "out.h5"], np=2, fault="mesh_save@1",
                                    message="Injected fault at mesh_save", outputs=["out.h5"]), cwd)
"""
import dataclasses
import glob
import os
import subprocess
import time

MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")
# An error ends the job in well under a second here; 8 s leaves room for a loaded machine and for the
# sanitizer build, and is still far below PETSc's own 10 s park of ranks > 0 (and a hang's timeout).
TIME_LIMIT = float(os.environ.get("PETAL_FAILURE_TIME_LIMIT", "8"))
HANG_TIMEOUT = 60


@dataclasses.dataclass
class FailureCase:
    cmd: list                   # the driver and its arguments (without mpiexec)
    np: int = 1                 # ranks
    message: str = ""           # a substring the output must contain
    fault: str = ""             # PETAL_FAULT value, if any
    outputs: list = dataclasses.field(default_factory=list)  # files that must not exist afterwards
    extra_env: dict = dataclasses.field(default_factory=dict)


def run_failure(case, cwd):
    """Runs the case; returns (returncode, seconds, combined output). A hang is killed after HANG_TIMEOUT."""
    env = dict(ENV, **case.extra_env)
    if case.fault:
        env["PETAL_FAULT"] = case.fault
    cmd = [MPIEXEC, "-n", str(case.np)] + [str(c) for c in case.cmd]
    start = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=HANG_TIMEOUT)
        rc, out = p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired as e:
        rc = None
        out = (e.stdout or b"").decode(errors="replace") + (e.stderr or b"").decode(errors="replace")
    return rc, time.monotonic() - start, out


def check_failure(test, case, cwd):
    """Asserts (on a unittest.TestCase) that the case fails cleanly: see the module comment."""
    rc, seconds, out = run_failure(case, cwd)
    what = f"{' '.join(str(c) for c in case.cmd)} on {case.np} rank(s)" + (f" with PETAL_FAULT={case.fault}" if case.fault else "")
    test.assertIsNotNone(rc, f"{what} hung (killed after {HANG_TIMEOUT} s):\n{out[-3000:]}")
    test.assertNotEqual(rc, 0, f"{what} succeeded but should have failed:\n{out[-3000:]}")
    test.assertLess(seconds, TIME_LIMIT, f"{what} took {seconds:.1f} s to fail:\n{out[-3000:]}")
    if case.message:
        test.assertIn(case.message, out, f"{what}: the message is missing:\n{out[-3000:]}")
    for f in case.outputs:
        path = os.path.join(cwd, f)
        test.assertFalse(os.path.exists(path), f"{what} left {f} behind")
    leftovers = glob.glob(os.path.join(cwd, "**", "*.tmp"), recursive=True)
    test.assertEqual(leftovers, [], f"{what} left temporary files behind")
    return out
