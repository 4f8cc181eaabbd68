#!/usr/bin/python3
"""AdaSketch benchmark (issue 10): every solver on the same problems in one run.

Part "hs": the NLP library's HS/BT test set (include/petal/nlp_problems.hpp) from the standard starts, through
  petal-nlp-solve (TAO adapter): adasketch with the Kaczmarz and Gaussian sketches and with the KSP inner solver,
  TAOALMM, TAOPDIPM + MUMPS; and through petal-ipopt-nlp: IPOPT with the same derivatives.
  Table: solved count, iterations (median, mean, max), time, final KKT residual, f* error.
Part "control": the semilinear control problem (include/petal/control_problem.hpp) at 2-D N = 63, 127, 255, 511 and
  3-D N = 32, 64 on 1 and 2 ranks, through petal-control (drivers/control: adasketch with the KSP inner solver,
  TAOPDIPM + MUMPS, TAOALMM) and petal-ipopt-nlp (IPOPT, 1 rank: its MUMPS is sequential) on semilinear_<D>d_n<N>.
  Table: converged, iterations, solve time, peak memory (sum over ranks), final KKT.

Writes bench/control/results/{hs,control}.json (every run's record), {hs,control}.md (tables) and
{hs,control}_convergence.png (KKT residual vs iteration and vs time). Run with Debian's python3:

  /usr/bin/python3 bench/control/bench_control.py --build build [--part hs|control|all] [--np 1,2]
        [--sizes 2d63,2d127,2d255,2d511,3d32,3d64] [--solvers ...] [--timeout 900]

A solver whose TAO type is not registered (adasketch before it is merged) is reported as unavailable; a run that
fails, times out or does not converge is recorded as such (never dropped), with its reason.
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOL = 1e-8

# TAO options of each solver through the adapter / petal-control. Tolerances are set by the programs themselves
# (gatol = catol = 1e-8 absolute, the others 0).
PDIPM_MUMPS = ["-tao_type", "pdipm", "-tao_pdipm_symmetric_kkt", "0", "-ksp_type", "preonly", "-pc_type", "lu",
               "-pc_factor_mat_solver_type", "mumps"]
# adasketch on the HS/BT set starts from the multipliers 0 (CUTEst's y0, what the paper's runs used).
HS_SOLVERS = {
    "adasketch-rk": ["-tao_type", "adasketch", "-tao_adasketch_lambda0", "0", "-tao_adasketch_inner", "sketch", "-tao_adasketch_sketch", "kaczmarz"],
    "adasketch-gv": ["-tao_type", "adasketch", "-tao_adasketch_lambda0", "0", "-tao_adasketch_inner", "sketch", "-tao_adasketch_sketch", "gaussian"],
    "adasketch-ksp": ["-tao_type", "adasketch", "-tao_adasketch_lambda0", "0", "-tao_adasketch_inner", "ksp"],
    "almm": ["-tao_type", "almm"],
    "pdipm-mumps": PDIPM_MUMPS,
    "ipopt": None,  # petal-ipopt-nlp
}
# petal-control's own defaults for TAOPDIPM are MUMPS Cholesky on the symmetric KKT form (its README: the
# nonsymmetric form fails to factor at y = 0 on the semilinear problem).
# At PDE scale the reference's Frobenius norms put the accuracy target below rounding: spectral estimates.
# Control runs stop at KKT <= 1e-8 x the start point's (multipliers 0): on fine grids |c| carries roundoff of order
# eps h^-2 that an absolute 1e-8 does not clear (2-D N = 511: 1.6e-8). adasketch runs with petal-control's defaults
# for it (KSP inner solver with the reduced-space preconditioner, spectral norms, multipliers from 0).
CONTROL_RTOL = ["-control_rtol", "%g" % TOL]
CONTROL_SOLVERS = {
    "adasketch-ksp": ["-tao_type", "adasketch"],
    "pdipm-mumps": ["-tao_type", "pdipm"],
    "almm": ["-tao_type", "almm"],
    "ipopt": None,
}
HS_PLOTTED = ("hs7", "bt9", "hs100lnp")
CONTROL_PLOTTED = ("semilinear_2d_n127", "semilinear_3d_n32")
SIZES = {"2d63": (2, 63), "2d127": (2, 127), "2d255": (2, 255), "2d511": (2, 511), "3d32": (3, 32), "3d64": (3, 64)}


def mpiexec(np_):
    exe = shutil.which("mpiexec") or "mpiexec"
    return [exe, "--allow-run-as-root", "--oversubscribe", "-n", str(np_)]


MEM_LIMIT_BYTES = None  # per process (RLIMIT_AS), set from --mem-limit-gib
PETAL_ENV = None  # environment of the petal programs (--libpetal)


def limit_memory():
    if MEM_LIMIT_BYTES:
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (MEM_LIMIT_BYTES, MEM_LIMIT_BYTES))


def run(cmd, timeout, env=None):
    """Runs cmd under the memory limit; returns (returncode or 'timeout', seconds, output)."""
    t0 = time.time()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout, env=env,
                           preexec_fn=limit_memory)
        rc, out = p.returncode, p.stdout
    except subprocess.TimeoutExpired as e:
        rc, out = "timeout", e.stdout or b""
    return rc, time.time() - t0, out.decode(errors="replace")


def failure_reason(rc, out):
    """The PETSc error message of a failed run (the lines after its 'Error Message' banner), or the exit code."""
    if rc == "timeout":
        return "timeout"
    if "std::bad_alloc" in out or "Out of memory" in out or "Memory requested" in out:
        return "out of memory (limit %.0f GiB per process)" % (MEM_LIMIT_BYTES / 2.0**30) if MEM_LIMIT_BYTES else "out of memory"
    lines = [l.split("PETSC ERROR:", 1)[1].strip() for l in out.splitlines() if "PETSC ERROR:" in l]
    for i, l in enumerate(lines):
        if "Error Message" in l:
            msg = " ".join(lines[i + 1:i + 3])
            if "Unable to find requested Tao type" in msg or "Unknown type" in msg:
                return "unavailable"
            return "error: " + msg[:160]
    return "exit %s" % rc


def ipopt_tol(build, name):
    """IPOPT's tol, dual_inf_tol and constr_viol_tol are max-norms: TOL / sqrt(n + m) makes its stop imply the
    2-norm target |(grad L, c)| <= TOL of the TAO runs."""
    out = subprocess.run([os.path.join(build, "bench/control/petal-ipopt-nlp"), "-size", name], stdout=subprocess.PIPE,
                         text=True, check=True).stdout.split()
    return "%.3g" % (TOL / math.sqrt(int(out[0]) + int(out[1])))


def hs_names(build):
    out = subprocess.run([os.path.join(build, "bench/control/petal-ipopt-nlp"), "-list"], stdout=subprocess.PIPE,
                         text=True, check=True).stdout
    return out.split()


def not_solved_why(rec):
    if rec.get("failure"):
        return rec["failure"]
    if not rec.get("converged"):
        return rec.get("reason") or "status %s" % rec.get("status")
    if rec.get("kkt") is None or not rec["kkt"] <= 10 * TOL:
        return "stopped at KKT %.1e" % rec["kkt"] if rec.get("kkt") is not None else "no KKT"
    return "other KKT point (f = %.6g)" % rec["f"]


def solved(rec):
    """Converged by the solver's own test, the independent KKT residual at 1e-8 (10x slack: TAO tests |grad L| and
    |c| separately, IPOPT a scaled error), and f at the known optimum where one is claimed."""
    if not rec.get("converged") or rec.get("kkt") is None or not rec["kkt"] <= 10 * TOL:
        return False
    err = rec.get("f_rel_err")
    return err is None or err <= 1e-6


def bench_hs(args, out):
    names = hs_names(args.build)
    records = []
    if args.append and os.path.exists(os.path.join(out, "hs.json")):  # replace only the runs of these solvers
        with open(os.path.join(out, "hs.json")) as f:
            records = [r for r in json.load(f)["records"] if not (r["solver"] in args.solvers and r["ranks"] in args.np_hs)]
    tmp = tempfile.mkdtemp(prefix="bench_hs_")
    for solver in args.solvers:
        if solver not in HS_SOLVERS:
            continue
        opts = HS_SOLVERS[solver]
        for np_ in args.np_hs:
            if solver == "ipopt" and np_ != 1:
                continue
            unavailable = False
            for name in names:
                if unavailable:
                    records.append({"part": "hs", "solver": solver, "problem": name, "ranks": np_, "converged": False,
                                    "failure": "unavailable", "solved": False, "why": "unavailable"})
                    continue
                js = os.path.join(tmp, "%s_%s_%d.json" % (solver, name, np_))
                if solver == "ipopt":
                    cmd = [os.path.join(args.build, "bench/control/petal-ipopt-nlp"), "-tol", ipopt_tol(args.build, name),
                           "-json", js, name]
                else:
                    cmd = mpiexec(np_) + [os.path.join(args.build, "bench/control/petal-nlp-solve"), "-problem", name,
                                          "-json", js] + opts
                rc, secs, tail = run(cmd, args.timeout, None if solver == "ipopt" else PETAL_ENV)
                rec = {"part": "hs", "solver": solver, "problem": name, "ranks": np_, "command": " ".join(cmd)}
                if os.path.exists(js):
                    with open(js) as f:
                        data = json.load(f)
                    rec.update(data["results"][0] if solver == "ipopt" else data)
                    rec["solver"] = solver
                else:
                    rec.update({"converged": False, "failure": failure_reason(rc, tail), "wall_s": secs})
                    unavailable = rec["failure"] == "unavailable"
                rec["solved"] = solved(rec)
                records.append(rec)
                if not rec["solved"]:
                    rec["why"] = not_solved_why(rec)
                print("hs %-14s np%d %-10s %s it=%s kkt=%s" % (solver, np_, name, "solved" if rec["solved"] else rec["why"],
                      rec.get("iterations"), fmt(rec.get("kkt"), "%.1e")), flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    with open(os.path.join(out, "hs.json"), "w") as f:
        json.dump({"tol": TOL, "records": records}, f, indent=1)
    write_hs_tables(records, names, os.path.join(out, "hs.md"))
    plot_histories([r for r in records if r["problem"] in HS_PLOTTED], os.path.join(out, "hs_convergence.png"),
                   "HS/BT: KKT residual")
    return records


def fmt(v, spec="%.3g"):
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else spec % v


def write_hs_tables(records, names, path):
    groups = {}
    for r in records:
        groups.setdefault((r["solver"], r["ranks"]), []).append(r)
    lines = ["# HS/BT test set (%d problems), tol %.0e on |(grad L, c)|" % (len(names), TOL), "",
             "| solver | ranks | solved | median it | mean it | max it | total time (s) | max final KKT (solved) | failures |",
             "|---|---|---|---|---|---|---|---|---|"]
    for (solver, np_), rs in groups.items():
        ok = [r for r in rs if r["solved"]]
        its = [r["iterations"] for r in ok]
        fails = ["%s: %s" % (r["problem"], r["why"]) for r in rs if not r["solved"]]
        if all(r.get("failure") == "unavailable" for r in rs):
            lines.append("| %s | %d | unavailable (TAO type not registered) | | | | | | |" % (solver, np_))
            continue
        lines.append("| %s | %d | %d/%d | %s | %s | %s | %s | %s | %s |" % (
            solver, np_, len(ok), len(rs), fmt(statistics.median(its) if its else None, "%g"),
            fmt(statistics.mean(its) if its else None, "%.2f"), fmt(max(its) if its else None, "%d"),
            fmt(sum(r.get("time_s") or 0.0 for r in rs), "%.3f"), fmt(max((r["kkt"] for r in ok), default=None), "%.1e"),
            "; ".join(fails)))
    lines += ["", "Iterations per problem (`x`: not solved; f* relative error below 1e-6 for every solved run with a known optimum):", ""]
    cols = list(groups.keys())
    lines.append("| problem | n | m | " + " | ".join("%s np%d" % c for c in cols) + " |")
    lines.append("|---|---|---|" + "---|" * len(cols))
    for name in names:
        cells, n, m = [], "", ""
        for c in cols:
            r = next((r for r in groups[c] if r["problem"] == name), None)
            if r and r.get("n"):
                n, m = r["n"], r["m"]
            cells.append(("%d" % r["iterations"]) if r and r["solved"] else "x")
        lines.append("| %s | %s | %s | %s |" % (name, n, m, " | ".join(cells)))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def kkt_history(rec):
    """(iterations, seconds, KKT) lists from a record's history, whatever program wrote it."""
    h = rec.get("history")
    if not h:
        return None
    if isinstance(h, dict):  # petal-control
        return h["iteration"], h["time"], h["kkt"]
    if rec.get("solver") == "ipopt":  # [it, f, inf_pr, inf_du, t]: IPOPT's (scaled, max-norm) infeasibilities
        return [r[0] for r in h], [r[4] for r in h], [math.hypot(r[2], r[3]) for r in h]
    return [r[0] for r in h], [r[4] for r in h], [math.hypot(r[2], r[3]) for r in h]


def plot_histories(records, path, title):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not available: no %s" % path)
        return
    fig, ax = plt.subplots(1, 2, figsize=(11, 4.2))
    drawn = 0
    solvers = sorted({r["solver"] for r in records})
    problems = sorted({r["problem"] for r in records})
    styles = ["-", "--", ":", "-."]
    for r in records:
        h = kkt_history(r)
        if not h or not h[0]:
            continue
        label = "%s %s np%d" % (r["solver"], r["problem"], r.get("ranks", 1))
        kk = [max(k, 1e-16) for k in h[2]]
        style = dict(color="C%d" % (solvers.index(r["solver"]) % 10), linestyle=styles[problems.index(r["problem"]) % 4],
                     marker="os^v"[r.get("ranks", 1) % 4], markersize=3, label=label)
        ax[0].semilogy(h[0], kk, **style)
        ax[1].loglog([max(t, 1e-5) for t in h[1]], kk, **style)
        drawn += 1
    if not drawn:
        plt.close(fig)
        return
    ax[0].set_xlabel("iteration")
    ax[1].set_xlabel("seconds")
    for a in ax:
        a.set_ylabel("KKT residual |(grad L, c)|")
        a.grid(True, which="both", alpha=0.3)
    ax[1].legend(fontsize=6, ncol=2)
    fig.suptitle(title + " (colour: solver, line: problem; IPOPT: its primal/dual infeasibility)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def bench_control(args, out):
    pc = args.petal_control or os.path.join(args.build, "drivers/control/petal-control")
    records = []
    if args.append and os.path.exists(os.path.join(out, "control.json")):  # add to (or replace runs of) an earlier run
        with open(os.path.join(out, "control.json")) as f:
            records = [r for r in json.load(f)["records"] if not (r["solver"] in args.solvers and
                       any(r["problem"] == "semilinear_%dd_n%d" % SIZES[z] for z in args.sizes) and r["ranks"] in args.np)]
    tmp = tempfile.mkdtemp(prefix="bench_control_")
    for size in args.sizes:
        dim, n = SIZES[size]
        # IPOPT last: its tolerance comes from the start point's KKT residual a petal-control run recorded.
        for solver in sorted(args.solvers, key=lambda x: x == "ipopt"):
            if solver not in CONTROL_SOLVERS:
                continue
            for np_ in args.np:
                rec = {"part": "control", "solver": solver, "problem": "semilinear_%dd_n%d" % (dim, n), "dim": dim, "n": n,
                       "ranks": np_}
                js = os.path.join(tmp, "%s_%s_%d.json" % (solver, size, np_))
                if solver == "ipopt":
                    if np_ != 1:
                        continue
                    kkt0 = [kkt_history(r)[2][0] for r in records if r["problem"] == rec["problem"] and r.get("history")
                            and r["solver"] != "ipopt" and r["solver"].startswith("adasketch")]
                    # IPOPT's tol is a max-norm: TOL kkt0 / sqrt(n + m) makes its stop imply the 2-norm one.
                    tol = TOL * (kkt0[0] if kkt0 else 1.0) / math.sqrt(3 * n**dim)
                    rec["kkt_start"] = kkt0[0] if kkt0 else None
                    cmd = [os.path.join(args.build, "bench/control/petal-ipopt-nlp"), "-tol", "%.3g" % tol,
                           "-json", js, rec["problem"]]
                elif not os.path.exists(pc):
                    rec.update({"converged": False, "failure": "petal-control not built (%s)" % pc})
                    records.append(rec)
                    continue
                else:
                    cmd = mpiexec(np_) + [pc, "-control_problem", "semilinear", "-control_dim", str(dim), "-control_n", str(n),
                                          "-control_output", "none", "-control_keep_unconverged", "-json", js] + CONTROL_RTOL + CONTROL_SOLVERS[solver]
                rc, secs, tail = run(cmd, args.timeout, None if solver == "ipopt" else PETAL_ENV)
                rec["command"] = " ".join(cmd)
                if os.path.exists(js):
                    with open(js) as f:
                        data = json.load(f)
                    if solver == "ipopt":
                        d = data["results"][0]
                        rec.update({k: d.get(k) for k in ("converged", "iterations", "time_s", "f", "kkt", "peak_rss_mib", "history")})
                        rec["reason"] = "status %s" % d.get("status")
                    else:
                        res, tm, mem = data["result"], data["time"], data["memory"]
                        rec.update({"converged": res["converged"], "reason": res["converged_reason"],
                                    "iterations": res["iterations"], "f": res["objective"], "kkt": res["kkt"],
                                    "time_s": tm["solve"], "setup_s": tm["setup"],
                                    "peak_rss_mib": mem["peak_rss_bytes_sum"] / 2.0**20,
                                    "peak_rss_mib_max_rank": mem["peak_rss_bytes_max_rank"] / 2.0**20,
                                    "history": data["history"]})
                else:
                    rec.update({"converged": False, "failure": failure_reason(rc, tail), "wall_s": secs})
                records.append(rec)
                print("control %-14s %-6s np%d %s it=%s t=%s mem=%s kkt=%s" % (
                    solver, size, np_, "converged" if rec.get("converged") else rec.get("failure", rec.get("reason")),
                    rec.get("iterations"), fmt(rec.get("time_s"), "%.2f"), fmt(rec.get("peak_rss_mib"), "%.0f"),
                    fmt(rec.get("kkt"), "%.1e")), flush=True)
                with open(os.path.join(out, "control.json"), "w") as f:  # after every run: a long run keeps what it has
                    json.dump({"tol": TOL, "records": records}, f, indent=1)
    shutil.rmtree(tmp, ignore_errors=True)
    write_control_table(records, os.path.join(out, "control.md"))
    plot_histories([r for r in records if r["problem"] in CONTROL_PLOTTED],
                   os.path.join(out, "control_convergence.png"), "semilinear control: KKT residual")
    return records


def write_control_table(records, path):
    lines = ["# Semilinear control, tol %.0e relative to the start point's |(grad L, c)| (multipliers 0)" % TOL, "",
             "| problem | solver | ranks | result | iterations | solve time (s) | peak memory, all ranks (MiB) | final KKT |",
             "|---|---|---|---|---|---|---|---|"]
    for r in records:
        lines.append("| %s | %s | %d | %s | %s | %s | %s | %s |" % (
            r["problem"], r["solver"], r["ranks"], "converged" if r.get("converged") else (r.get("failure") or r.get("reason")),
            fmt(r.get("iterations"), "%d"), fmt(r.get("time_s"), "%.2f"), fmt(r.get("peak_rss_mib"), "%.0f"),
            fmt(r.get("kkt"), "%.1e")))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def replot(out):
    hs = os.path.join(out, "hs.json")
    if os.path.exists(hs):
        records = json.load(open(hs))["records"]
        names = list(dict.fromkeys(r["problem"] for r in records))
        write_hs_tables(records, names, os.path.join(out, "hs.md"))
        plot_histories([r for r in records if r["problem"] in HS_PLOTTED], os.path.join(out, "hs_convergence.png"),
                       "HS/BT: KKT residual")
    ctl = os.path.join(out, "control.json")
    if os.path.exists(ctl):
        records = json.load(open(ctl))["records"]
        write_control_table(records, os.path.join(out, "control.md"))
        plot_histories([r for r in records if r["problem"] in CONTROL_PLOTTED], os.path.join(out, "control_convergence.png"),
                       "semilinear control: KKT residual")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(HERE, "..", "..", "build"))
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--part", choices=["hs", "control", "all"], default="all")
    ap.add_argument("--np", default="1,2", help="rank counts of the control part")
    ap.add_argument("--np-hs", default="1", help="rank counts of the HS part")
    ap.add_argument("--sizes", default=",".join(SIZES))
    ap.add_argument("--solvers", default=",".join(HS_SOLVERS))
    ap.add_argument("--petal-control", default=None, help="petal-control binary (default BUILD/drivers/control/petal-control)")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per run")
    ap.add_argument("--replot", action="store_true", help="only redraw the tables and PNGs from the stored JSON")
    ap.add_argument("--append", action="store_true", help="keep the other solvers' runs of an earlier hs.json / control.json")
    ap.add_argument("--mem-limit-gib", type=float, default=8.0, help="address-space limit per process (0: none)")
    ap.add_argument("--libpetal", default=None,
                    help="a folder with another libpetal.so to run the petal programs with (LD_LIBRARY_PATH), e.g. a "
                         "branch's build with the adasketch type before it is merged")
    args = ap.parse_args()
    global MEM_LIMIT_BYTES, PETAL_ENV
    MEM_LIMIT_BYTES = int(args.mem_limit_gib * 2**30) if args.mem_limit_gib > 0 else None
    if args.libpetal:
        PETAL_ENV = dict(os.environ)
        PETAL_ENV["LD_LIBRARY_PATH"] = os.path.abspath(args.libpetal) + ":" + PETAL_ENV.get("LD_LIBRARY_PATH", "")
    args.build = os.path.abspath(args.build)
    args.np = [int(x) for x in args.np.split(",") if x]
    args.np_hs = [int(x) for x in args.np_hs.split(",") if x]
    args.solvers = [s for s in args.solvers.split(",") if s]
    args.sizes = [s for s in args.sizes.split(",") if s]
    for s in args.sizes:
        if s not in SIZES:
            sys.exit("unknown size %s (known: %s)" % (s, ", ".join(SIZES)))
    for s in args.solvers:
        if s not in HS_SOLVERS and s not in CONTROL_SOLVERS:
            sys.exit("unknown solver %s" % s)
    for exe in ("bench/control/petal-nlp-solve", "bench/control/petal-ipopt-nlp"):
        if not os.path.exists(os.path.join(args.build, exe)):
            sys.exit("%s is not built in %s (make petal-nlp-solve petal-ipopt-nlp)" % (exe, args.build))
    os.makedirs(args.out, exist_ok=True)
    if args.replot:
        replot(args.out)
        return
    if args.part in ("hs", "all"):
        bench_hs(args, args.out)
    if args.part in ("control", "all"):
        bench_control(args, args.out)


if __name__ == "__main__":
    main()
