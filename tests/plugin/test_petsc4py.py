#!/usr/bin/env python3
"""petal as a PETSc plugin seen from petsc4py (ctest: plugin.petsc4py).

Runs this file twice as a child process, under Debian's /usr/bin/python3 (PETAL_SYSTEM_PYTHON):
  * with petsc4py.init(['-dll_append', libpetal.so, '-petal_view', '-log_view', '::ascii_info_detail']):
    petal's class and log events must already exist when Python looks them up, -petal_view must print the
    version line, the event listing must name every petal event, a KSP solve must converge and every type
    given with --types ("pc:name", "ksp:name", "tao:name") must be settable by name and converge;
  * without -dll_append (negative control): none of that may be there, and setting the types must fail.
Exits 0 on success, 1 on failure, 77 (ctest SKIP_RETURN_CODE) if petsc4py cannot be imported.
"""
import argparse
import subprocess
import sys

PROBE_EVENT = "petal_test_probe_event"
PROBE_CLASS = "petal_test_probe_class"
VIEW_KIND = {"pc": "PC", "ksp": "KSP", "tao": "Tao"}  # as -petal_view lists types


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lib", required=True, help="path to libpetal.so")
    p.add_argument("--version", required=True, help="expected petal version, e.g. 0.1.0")
    p.add_argument("--exec-space", default="Serial", help="expected Kokkos execution space")
    p.add_argument("--events", nargs="*", default=[], help="petal log event names")
    p.add_argument("--types", nargs="*", default=[], help="petal types as kind:name (pc, ksp, tao)")
    p.add_argument("--child", choices=["with-dll", "without-dll"], help=argparse.SUPPRESS)
    return p.parse_args()


def parse_types(types):
    out = []
    for t in types:
        kind, sep, name = t.partition(":")
        if not sep or kind not in ("pc", "ksp", "tao") or not name:
            raise SystemExit(f"--types: '{t}' is not <pc|ksp|tao>:<name>")
        out.append((kind, name))
    return out


# ---------------------------------------------------------------------------------------------- child
def laplacian(PETSc, n=100):
    A = PETSc.Mat().createAIJ([n, n], nnz=3, comm=PETSc.COMM_WORLD)
    rstart, rend = A.getOwnershipRange()
    for i in range(rstart, rend):
        if i > 0:
            A.setValue(i, i - 1, -1.0)
        A.setValue(i, i, 2.0)
        if i < n - 1:
            A.setValue(i, i + 1, -1.0)
    A.assemble()
    b = A.createVecLeft()
    b.set(1.0)
    return A, b


def solve_ksp(PETSc, ksp_type="cg", pc_type=None):
    A, b = laplacian(PETSc)
    x = b.duplicate()
    ksp = PETSc.KSP().create(PETSc.COMM_WORLD)
    ksp.setOperators(A)
    ksp.setType(ksp_type)
    if pc_type is not None:
        ksp.getPC().setType(pc_type)
    ksp.setTolerances(rtol=1e-8, max_it=1000)
    ksp.solve(b, x)
    return ksp.getType(), ksp.getPC().getType(), ksp.getConvergedReason(), ksp.getIterationNumber()


def solve_tao(PETSc, tao_type):
    A, b = laplacian(PETSc)
    x = b.duplicate()
    x.set(0.0)

    def objgrad(tao, x, g):
        A.mult(x, g)
        f = 0.5 * x.dot(g) - b.dot(x)
        g.axpy(-1.0, b)
        return f

    def hessian(tao, x, H, P):
        pass  # constant: H = A

    tao = PETSc.TAO().create(PETSc.COMM_WORLD)
    tao.setType(tao_type)
    tao.setSolution(x)
    tao.setObjectiveGradient(objgrad, None)
    tao.setHessian(hessian, A)
    tao.setTolerances(gatol=1e-8, grtol=1e-8)
    tao.setMaximumIterations(1000)
    tao.solve()
    return tao.getType(), tao.getConvergedReason(), tao.getIterationNumber()


def child(args):
    import petsc4py

    with_dll = args.child == "with-dll"
    opts = ["-log_view", "::ascii_info_detail", "-petal_view"]
    if with_dll:
        opts = ["-dll_append", args.lib] + opts
    petsc4py.init([sys.argv[0]] + opts)
    from petsc4py import PETSc

    failures = []

    def check(cond, what):
        PETSc.Sys.Print(("ok: " if cond else "FAIL: ") + what)
        if not cond:
            failures.append(what)

    # Log.Event/Log.Class return an existing id or register a new one. Register probes first: names the
    # plugin registered during PetscInitialize have smaller ids, names registered only now larger ones.
    probe_event = PETSc.Log.Event(PROBE_EVENT).id
    probe_class = PETSc.Log.Class(PROBE_CLASS).id
    registered = lambda e: PETSc.Log.Event(e).id < probe_event
    if with_dll:
        for e in args.events:
            check(registered(e), f"log event {e} registered by the plugin")
        check(PETSc.Log.Class("Petal").id < probe_class, "class Petal registered by the plugin")
    else:
        for e in args.events:
            check(not registered(e), f"log event {e} not registered without the plugin")
        check(not PETSc.Log.Class("Petal").id < probe_class, "class Petal not registered without the plugin")

    ksp_type, pc_type, reason, its = solve_ksp(PETSc)
    check(reason > 0, f"default KSP solve ({ksp_type}/{pc_type}) converged: reason {reason}, {its} iterations")

    for kind, name in parse_types(args.types):
        try:
            if kind == "tao":
                got, reason, its = solve_tao(PETSc, name)
            elif kind == "pc":
                _, got, reason, its = solve_ksp(PETSc, "cg", name)
            else:
                got, _, reason, its = solve_ksp(PETSc, name)
            error = None
        except Exception as exc:  # PETSc.Error for an unknown type
            error = exc
        if with_dll:
            check(error is None, f"{kind} type {name} can be set ({error})")
            if error is None:
                check(got == name, f"{kind} type is {got}, expected {name}")
                check(reason > 0, f"{kind} {name} converged: reason {reason}, {its} iterations")
        else:
            check(error is not None, f"{kind} type {name} is unknown without the plugin")

    PETSc.Sys.Print(f"child {args.child}: {'FAILED' if failures else 'PASS'}")
    return 1 if failures else 0


# --------------------------------------------------------------------------------------------- parent
def run_child(args, mode):
    cmd = [sys.executable, __file__, "--child", mode, "--lib", args.lib, "--version", args.version,
           "--exec-space", args.exec_space, "--events", *args.events, "--types", *args.types]
    print("running:", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=100)
    print(proc.stdout, flush=True)
    return proc.returncode, proc.stdout


def parent(args):
    try:
        import petsc4py  # noqa: F401
    except ImportError as exc:
        print(f"SKIP: {sys.executable} cannot import petsc4py ({exc})")
        return 77

    failures = []

    def check(cond, what):
        print(("ok: " if cond else "FAIL: ") + what)
        if not cond:
            failures.append(what)

    view_line = f"petal {args.version} (Kokkos execution space: {args.exec_space})"

    rc, out = run_child(args, "with-dll")
    check(rc == 0, f"child with -dll_append exited with {rc}")
    check("child with-dll: PASS" in out, "child with -dll_append passed its in-process checks")
    check(view_line in out, f"-petal_view printed '{view_line}'")
    for e in args.events:
        check(f'"{e}"' in out, f"-log_view lists {e}")
    for kind, name in parse_types(args.types):
        check(f"  {VIEW_KIND[kind]} {name}" in out, f"-petal_view lists {kind} {name}")

    rc, out = run_child(args, "without-dll")
    check(rc == 0, f"child without -dll_append exited with {rc}")
    check("child without-dll: PASS" in out, "child without -dll_append passed its in-process checks")
    check('"KSPSolve"' in out, "-log_view printed the event listing")
    check("petal " + args.version not in out, "no -petal_view output without the plugin")
    # (The event listing names petal's events here too: the child's own look-ups registered them, after its
    # probe, which is what its in-process check asserts. plugin.without_dll checks the listing itself.)

    print("plugin.petsc4py:", "FAILED" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    a = parse_args()
    sys.exit(child(a) if a.child else parent(a))
