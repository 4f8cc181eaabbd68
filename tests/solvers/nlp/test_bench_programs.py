#!/usr/bin/python3
"""bench/control's programs end to end: petal-ipopt-nlp (IPOPT on the library, no PETSc) and petal-nlp-solve (any TAO
type through the adapter) solve problems to their known optima and write complete JSON; bad input is refused.

usage: test_bench_programs.py IPOPT_HARNESS|- NLP_SOLVE MPIEXEC"""
import json
import os
import subprocess
import sys
import tempfile

ipopt, solve, mpiexec = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


with tempfile.TemporaryDirectory() as tmp:
    if ipopt != "-":
        js = os.path.join(tmp, "ipopt.json")
        p = subprocess.run([ipopt, "-tol", "1e-9", "-json", js, "hs7", "hs40", "bt9", "poisson_paper_n3"], capture_output=True, text=True)
        check(p.returncode == 0, "petal-ipopt-nlp exit %d: %s" % (p.returncode, p.stderr))
        results = json.load(open(js))["results"]
        check([r["problem"] for r in results] == ["hs7", "hs40", "bt9", "poisson_paper_n3"], "IPOPT results in order")
        for r in results:
            check(r["converged"] and r["kkt"] <= 1e-8, "IPOPT %s: converged with KKT <= 1e-8 (%s)" % (r["problem"], r["kkt"]))
            check(r["f_rel_err"] <= 1e-8, "IPOPT %s: f* to 1e-8 (%s)" % (r["problem"], r["f_rel_err"]))
            check(len(r["history"]) == r["iterations"] + 1, "IPOPT %s: one history row per iteration" % r["problem"])
        for bad in (["nosuchproblem"], ["-tol", "x", "hs7"], ["-frobnicate", "hs7"], []):
            p = subprocess.run([ipopt] + bad, capture_output=True, text=True)
            check(p.returncode == 2 and "petal-ipopt-nlp:" in p.stderr, "petal-ipopt-nlp refuses %s" % bad)
    for np_ in (1, 2):
        js = os.path.join(tmp, "almm%d.json" % np_)
        cmd = [mpiexec, "-n", str(np_), solve, "-problem", "hs40", "-tao_type", "almm", "-json", js]
        p = subprocess.run(cmd, capture_output=True, text=True)
        check(p.returncode == 0, "%s: exit %d" % (" ".join(cmd), p.returncode))
        r = json.load(open(js))
        check(r["converged"] and r["ranks"] == np_ and r["kkt"] <= 1e-7 and r["f_rel_err"] <= 1e-8,
              "petal-nlp-solve almm hs40 on %d ranks: %s" % (np_, {k: r[k] for k in ("converged", "kkt", "f_rel_err")}))
        check(r["iterations"] >= 1 and len(r["history"]) == r["iterations"] + 1, "petal-nlp-solve history rows")
    p = subprocess.run([solve, "-problem", "nosuchproblem"], capture_output=True, text=True)
    check(p.returncode != 0 and "unknown problem" in p.stdout + p.stderr, "petal-nlp-solve refuses an unknown problem")
sys.exit(1 if failures else 0)
