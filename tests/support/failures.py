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
# An error ends the job in well under a second after it is raised; PETSc's own error exit parks ranks > 0 for
# 10 s. A failing run may therefore take its start-up time (MPI, PETSc, the sanitizer runtime, all slower on a
# loaded machine) plus 8 s, and no more: the start-up time is measured on the same machine, at the same moment,
# as a run of petal-mesh -help (same libraries and sanitizer runtime; it exits after printing, where PETSc
# programs such as petal-heat go on running) on as many ranks, so that load stretches the limit with the run
# instead of failing the test.
TIME_LIMIT = float(os.environ.get("PETAL_FAILURE_TIME_LIMIT", "8"))
HANG_TIMEOUT = 60
_startup = {}


def startup_seconds(exe, np, cwd):
    """Wall time of `mpiexec -n np petal-mesh -help` from exe's build tree (drivers/*/exe -> drivers/mesh/petal-mesh),
    measured once per rank count; 0 when there is no petal-mesh next to exe."""
    probe = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(str(exe)))), "mesh", "petal-mesh")
    if not os.path.exists(probe):
        return 0.0
    if np not in _startup:
        start = time.monotonic()
        subprocess.run([MPIEXEC, "-n", str(np), probe, "-help"], cwd=cwd, env=ENV, capture_output=True, timeout=HANG_TIMEOUT)
        _startup[np] = time.monotonic() - start
    return _startup[np]


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
    limit = TIME_LIMIT + startup_seconds(case.cmd[0], case.np, cwd)
    test.assertLess(seconds, limit, f"{what} took {seconds:.1f} s to fail (limit {limit:.1f} s):\n{out[-3000:]}")
    if case.message:
        test.assertIn(case.message, out, f"{what}: the message is missing:\n{out[-3000:]}")
    for f in case.outputs:
        path = os.path.join(cwd, f)
        test.assertFalse(os.path.exists(path), f"{what} left {f} behind")
    leftovers = glob.glob(os.path.join(cwd, "**", "*.tmp"), recursive=True)
    test.assertEqual(leftovers, [], f"{what} left temporary files behind")
    return out
