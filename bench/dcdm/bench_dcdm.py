#!/usr/bin/env python3
"""DCDM against PETSc's own solvers on the pressure-Poisson problems of petal-poisson, in one run.

For every scene x size x solver, petal-poisson generates the grid (-poisson_scene, -poisson_n) and the smoke
plume's div v* (seed 1), and solves from x = 0 down to the smallest --rtols tolerance on the unpreconditioned
relative residual ||b - Ax||/||b|| (-ksp_norm_type unpreconditioned: every solver stops on the same quantity).
Iterations and times to the larger tolerances are read off the same solve's residual history and its per-
iteration time stamps (the iterates do not depend on where the solve stops). Times: setup (KSPSetUp: the ICC
factorisation, the AMG hierarchy, DCDM's weights and network) and solve, both reported; "time to rtol" = setup +
solve time at the first iterate below rtol.

Solvers (--solvers, comma-separated keys):
  dcdm        -ksp_type dcdm -pc_type dcdm                         the paper's loop, 2 directions
  fcg-dcdm    -ksp_type fcg -pc_type dcdm                          PETSc's FCG defaults (30 directions, Notay truncation)
  cg-icc      -ksp_type cg -pc_type icc                            ICC(0); on several ranks block Jacobi + ICC(0)
  cg-jacobi   -ksp_type cg -pc_type jacobi
  cg-gamg     -ksp_type cg -pc_type gamg
  cg-hypre    -ksp_type cg -pc_type hypre -pc_hypre_type boomeramg
Scenes (--scenes): empty (the pure-Neumann box the networks are trained on), plume (petal-poisson's default: a
ball above the plume's source), obstacles (two balls, three boxes: a geometry no training matrix has); see
drivers/mesh/voxel_scenes.hpp. Every scene has closed walls (pure Neumann), like the training matrices.

Runnable in pieces: each run is stored under its key in OUT/bench_dcdm.json (later runs of the same key replace
it), and the report (OUT/bench_dcdm.md, OUT/bench_dcdm_residuals.png, OUT/bench_dcdm_time.png) is rebuilt from
everything stored. bench_conv's and bench_forward's JSON (the kernels' own benchmarks) are summarised when found
(--bench-conv, --bench-forward; default OUT/bench_conv.json, OUT/bench_forward.json).

Usage (Debian's python3 with numpy, matplotlib):
  /usr/bin/python3 bench/dcdm/bench_dcdm.py --poisson build/drivers/poisson/petal-poisson \\
      [--sizes 32,64,128] [--scenes empty,plume,obstacles] [--solvers ...] [--weights W.h5 | --random-weights]
      [--np 1] [--out bench/dcdm/results] [--quick] [--report-only]
--quick: 16^3 and 32^3, scenes empty and obstacles, DCDM capped at 60 iterations (a smoke test of the script).
--random-weights: an untrained network (bench/dcdm/random_weights.py) when no trained weights exist: it validates
the plumbing only; its DCDM numbers mean nothing.
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")

SOLVERS = {
    "dcdm": ("DCDM", ["-ksp_type", "dcdm", "-pc_type", "dcdm"]),
    "fcg-dcdm": ("FCG + DCDM", ["-ksp_type", "fcg", "-pc_type", "dcdm"]),
    "cg-icc": ("CG + ICC(0)", ["-ksp_type", "cg", "-pc_type", "icc"]),
    "cg-jacobi": ("CG + Jacobi", ["-ksp_type", "cg", "-pc_type", "jacobi"]),
    "cg-gamg": ("CG + GAMG", ["-ksp_type", "cg", "-pc_type", "gamg"]),
    "cg-hypre": ("CG + BoomerAMG", ["-ksp_type", "cg", "-pc_type", "hypre", "-pc_hypre_type", "boomeramg"]),
}
SCENES = ["empty", "plume", "obstacles"]
SCENE_TEXT = {"empty": "empty box (training-like)", "plume": "plume (one ball)", "obstacles": "obstacles (unseen geometry)",
              "sphere": "sphere"}


def solver_args(key, np_, weights):
    args = list(SOLVERS[key][1])
    if key == "cg-icc" and np_ > 1:
        args = ["-ksp_type", "cg", "-pc_type", "bjacobi", "-sub_pc_type", "icc"]
    if "dcdm" in key and weights:
        args += ["-pc_dcdm_weights", weights]
    return args


def run_one(exe, scene, n, key, a, workdir, weights):
    """One petal-poisson run; returns its record (the JSON summary reduced to what the report needs)."""
    tag = f"{scene}_{n}_{key}_np{a.np}"
    js = os.path.join(workdir, f"{tag}.json")
    max_it = a.dcdm_max_it if "dcdm" in key else a.max_it
    args = ["-poisson_scene", scene, "-poisson_n", str(n), "-poisson_seed", "1", "-ksp_rtol", str(min(a.rtols)),
            "-ksp_max_it", str(max_it), "-poisson_keep_unconverged", "-poisson_output", "none", "-poisson_quiet",
            "-poisson_repeat", str(a.repeat)] + solver_args(key, a.np, weights)
    cmd = [MPIEXEC, "-n", str(a.np), exe] + args + ["-json", js]
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1", OPENBLAS_NUM_THREADS=str(a.blas_threads))
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=a.timeout)
        failed = p.returncode != 0 and (p.stdout + p.stderr)[-2000:]
    except subprocess.TimeoutExpired:
        failed = f"timed out after {a.timeout} s"
    wall = time.perf_counter() - t0
    rec = {"scene": scene, "n": n, "solver": key, "np": a.np, "command": " ".join(["petal-poisson"] + args),
           "wall_s": wall, "date": datetime.datetime.now().isoformat(timespec="seconds")}
    if failed:
        rec["error"] = failed
        return rec
    with open(js) as f:
        s = json.load(f)
    os.remove(js)  # everything it holds goes into the record (and OUT/bench_dcdm.json)
    hist, times = s["residual_history"], s["iteration_times"]
    b = hist[0] if hist and hist[0] > 0 else 1.0
    rec.update(ksp_type=s["solver"]["ksp_type"], pc_type=s["solver"]["pc_type"], unknowns=s["grid"]["unknowns"],
               converged=s["result"]["converged"], reason=s["result"]["converged_reason"],
               iterations=s["result"]["iterations"], relative_residual=s["result"]["relative_residual"],
               setup_s=s["time"]["setup"], solve_s=s["time"]["solve"], per_iteration_s=s["time"]["per_iteration"],
               history=[h / b for h in hist], times=times, max_it=max_it)
    rec["to"] = {}
    for rtol in a.rtols:
        k = next((i for i, h in enumerate(hist) if h <= rtol * b), None)
        rec["to"][f"{rtol:g}"] = None if k is None else {"iterations": k, "solve_s": times[k], "total_s": s["time"]["setup"] + times[k]}
    if "dcdm" in s:
        d = s["dcdm"]
        rec["network"] = {k: d[k] for k in ("network_applications", "network_seconds", "seconds_per_application", "flops_per_application", "network_gflops", "weights")}
    return rec


def fmt_t(v):
    return "–" if v is None else (f"{v:.3g}" if v < 100 else f"{v:.0f}")


def summarise_kernels(path, name):
    """A few lines from bench_conv's / bench_forward's JSON, whatever fields they have."""
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        d = json.load(f)
    lines = [f"From `{os.path.relpath(path, ROOT)}` ({name}):", ""]
    if "gemm" in d:
        lines.append(f"- float32 GEMM peak ({d['gemm'].get('n')}³): {d['gemm'].get('gflops', 0):.1f} GFLOP/s, execution space {d.get('exec_space', '?')}, OPENBLAS_NUM_THREADS={d.get('openblas_num_threads', '?')}")
    for row in d.get("forward_from64", []):
        lines.append(f"- from64 forward at {row['n']}³: {row['best']:.4g} s per application (best), {row['gflops']:.1f} GFLOP/s")
    best = {}
    for row in d.get("conv", []):
        if row["n"] not in best or row["gflops"] > best[row["n"]]["gflops"]:
            best[row["n"]] = row
    for n, row in sorted(best.items()):
        lines.append(f"- fastest 3×3×3 conv 16→16 at {n}³: {row['algorithm']}, {row['gflops']:.1f} GFLOP/s ({100 * row.get('fraction_of_gemm_peak', 0):.0f}% of the GEMM peak)")
    for k, v in d.items():  # any other flat numbers (bench_forward's layout is its owner's)
        if isinstance(v, (int, float)) and k not in ("n",):
            lines.append(f"- {k}: {v}")
    return "\n".join(lines)


def report(db, a):
    runs = sorted(db["runs"].values(), key=lambda r: (SCENES.index(r["scene"]) if r["scene"] in SCENES else 9, r["n"], list(SOLVERS).index(r["solver"])))
    rt = [f"{r:g}" for r in sorted(a.rtols, reverse=True)]
    out = ["# DCDM benchmark (bench/dcdm/bench_dcdm.py)", "",
           f"Machine: {db['env'].get('machine', '?')}; {db['env'].get('note', '')}", "",
           f"Weights: `{db['env'].get('weights', '?')}`.", ""]
    if db["env"].get("random_weights"):
        out += ["**Untrained (random) weights: these DCDM numbers only validate the script.**", ""]
    head = "| scene | n³ | solver | " + " | ".join(f"its to {r} | time to {r} [s]" for r in rt) + " | setup [s] | per it [s] | network [s/app] | network GFLOP/s |"
    out += [head, "|" + "---|" * (head.count("|") - 1)]
    for r in runs:
        if "error" in r:
            out.append(f"| {r['scene']} | {r['n']} | {SOLVERS[r['solver']][0]} | failed: {r['error'][-120:].strip().splitlines()[-1] if r['error'].strip() else '?'} |")
            continue
        cells = []
        for key in rt:
            t = r["to"].get(key)
            cells += [str(t["iterations"]) if t else f"> {r['iterations']}", fmt_t(t["total_s"]) if t else "–"]
        net = r.get("network")
        out.append(f"| {r['scene']} | {r['n']} | {SOLVERS[r['solver']][0]} | " + " | ".join(cells) +
                   f" | {fmt_t(r['setup_s'])} | {r['per_iteration_s']:.3g} | {net['seconds_per_application']:.3g} | {net['network_gflops']:.1f} |" if net else
                   f"| {r['scene']} | {r['n']} | {SOLVERS[r['solver']][0]} | " + " | ".join(cells) + f" | {fmt_t(r['setup_s'])} | {r['per_iteration_s']:.3g} | | |")
    # the geometry the trainer never saw against the training-like box, DCDM only
    rows = []
    for key in ("dcdm", "fcg-dcdm"):
        for n in sorted({r["n"] for r in runs}):
            e = db["runs"].get(f"empty/{n}/{key}/{a.np}")
            for scene in ("plume", "obstacles"):
                o = db["runs"].get(f"{scene}/{n}/{key}/{a.np}")
                if e and o and "to" in e and "to" in o:
                    te, to = e["to"].get(rt[-1]), o["to"].get(rt[-1])
                    ratio = f"{to['iterations'] / te['iterations']:.2f}" if te and to and te["iterations"] else "–"
                    rows.append(f"| {SOLVERS[key][0]} | {n} | {scene} | {te['iterations'] if te else '> ' + str(e['iterations'])} | {to['iterations'] if to else '> ' + str(o['iterations'])} | {ratio} |")
    if rows:
        out += ["", f"Geometry against the training-like box: DCDM iterations to {rt[-1]}", "",
                "| solver | n³ | scene | empty box | scene | ratio |", "|---|---|---|---|---|---|"] + rows
    for path, name in ((a.bench_conv, "bench_conv"), (a.bench_forward, "bench_forward")):
        s = summarise_kernels(path, name)
        if s:
            out += ["", s]
    out += ["", "Commands (each with `-json FILE` added; `mpiexec -n NP` in front):", ""]
    for r in runs:
        out.append(f"- `{r['command']}`")
    with open(os.path.join(a.out, "bench_dcdm.md"), "w") as f:
        f.write("\n".join(out) + "\n")
    plot(runs, a)


def plot(runs, a):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    scenes = [s for s in SCENES if any(r["scene"] == s for r in runs)]
    sizes = sorted({r["n"] for r in runs})
    if not scenes or not sizes:
        return
    colors = dict(zip(SOLVERS, ["C3", "C1", "C0", "C7", "C2", "C4"]))
    for xkey, fname, xlabel in (("iteration", "bench_dcdm_residuals.png", "iteration"), ("time", "bench_dcdm_time.png", "seconds (setup + solve)")):
        fig, axes = plt.subplots(len(scenes), len(sizes), figsize=(4.2 * len(sizes), 3.3 * len(scenes)), squeeze=False)
        for i, scene in enumerate(scenes):
            for j, n in enumerate(sizes):
                ax = axes[i][j]
                for r in runs:
                    if r["scene"] != scene or r["n"] != n or "history" not in r:
                        continue
                    x = list(range(len(r["history"]))) if xkey == "iteration" else [r["setup_s"] + t for t in r["times"]]
                    ax.semilogy(x, r["history"], color=colors[r["solver"]], label=SOLVERS[r["solver"]][0], lw=1.3)
                for rtol in a.rtols:
                    ax.axhline(rtol, color="k", lw=0.5, ls=":")
                if xkey == "time":
                    ax.set_xscale("log")
                ax.set_title(f"{SCENE_TEXT.get(scene, scene)}, {n}³", fontsize=9)
                ax.set_xlabel(xlabel, fontsize=8)
                ax.set_ylabel("||b - Ax|| / ||b||", fontsize=8)
                ax.tick_params(labelsize=7)
        handles, labels = axes[0][0].get_legend_handles_labels()
        for row in axes:
            for ax in row:
                for h, l in zip(*ax.get_legend_handles_labels()):
                    if l not in labels:
                        handles.append(h)
                        labels.append(l)
        fig.legend(handles, labels, loc="lower center", ncol=len(labels), fontsize=8)
        fig.tight_layout(rect=(0, 0.05, 1, 1))
        fig.savefig(os.path.join(a.out, fname), dpi=90)
        plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0], epilog="See the module docstring.")
    ap.add_argument("--poisson", default=os.path.join(ROOT, "build", "drivers", "poisson", "petal-poisson"))
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--sizes", default="32,64,128")
    ap.add_argument("--scenes", default=",".join(SCENES))
    ap.add_argument("--solvers", default=",".join(SOLVERS))
    ap.add_argument("--rtols", default="1e-4,1e-6")
    ap.add_argument("--np", type=int, default=1, help="MPI ranks per run (default 1: every solver on one core)")
    ap.add_argument("--blas-threads", type=int, default=1, help="OPENBLAS_NUM_THREADS of each run (default 1: one core per rank for every solver)")
    ap.add_argument("--weights", default=os.path.join(ROOT, "learned", "cnn", "weights", "dcdm_default.h5"))
    ap.add_argument("--random-weights", action="store_true", help="use an untrained network (validation only)")
    ap.add_argument("--max-it", type=int, default=10000, help="iteration cap of the classical solvers")
    ap.add_argument("--dcdm-max-it", type=int, default=300, help="iteration cap of the DCDM solvers (each iteration is one network application)")
    ap.add_argument("--repeat", type=int, default=1, help="solves per run (the fastest is reported)")
    ap.add_argument("--timeout", type=float, default=7200, help="seconds before a run is abandoned")
    ap.add_argument("--bench-conv")
    ap.add_argument("--bench-forward")
    ap.add_argument("--note", default="", help="a line about the machine for the report")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--report-only", action="store_true", help="rebuild the report from OUT/bench_dcdm.json")
    a = ap.parse_args()
    if a.quick:
        a.sizes, a.scenes, a.dcdm_max_it = "16,32", "empty,obstacles", 60
    a.rtols = [float(v) for v in a.rtols.split(",")]
    sizes = [int(v) for v in a.sizes.split(",")]
    scenes, solvers = a.scenes.split(","), a.solvers.split(",")
    for s in solvers:
        if s not in SOLVERS:
            ap.error(f"unknown solver {s}; choose from {', '.join(SOLVERS)}")
    os.makedirs(a.out, exist_ok=True)
    a.bench_conv = a.bench_conv or os.path.join(a.out, "bench_conv.json")
    a.bench_forward = a.bench_forward or os.path.join(a.out, "bench_forward.json")
    dbpath = os.path.join(a.out, "bench_dcdm.json")
    db = {"runs": {}, "env": {}}
    if os.path.exists(dbpath):
        with open(dbpath) as f:
            db = json.load(f)
    if not a.report_only:
        weights = a.weights
        if a.random_weights:
            weights = os.path.join(a.out, "random_weights.h5")
            subprocess.run([sys.executable, os.path.join(HERE, "random_weights.py"), weights, "--seed", "1"], check=True)
        elif any("dcdm" in s for s in solvers) and not os.path.exists(weights):
            sys.exit(f"no DCDM weights at {weights}: pass --weights FILE, or --random-weights to validate the script")
        workdir = a.out
        git = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        db["env"] = {"machine": f"{platform.node()} ({os.cpu_count()} CPUs), {platform.platform()}", "git": git,
                     "weights": (os.path.relpath(weights, ROOT) if os.path.abspath(weights).startswith(ROOT + os.sep) else os.path.abspath(weights)) if weights else "", "random_weights": a.random_weights,
                     "np": a.np, "blas_threads": a.blas_threads, "note": a.note or db["env"].get("note", "")}
        for scene in scenes:
            for n in sizes:
                for key in solvers:
                    rec = run_one(a.poisson, scene, n, key, a, workdir, weights)
                    db["runs"][f"{scene}/{n}/{key}/{a.np}"] = rec
                    done = rec.get("to", {})
                    print(f"{scene:10s} {n:4d}^3 {SOLVERS[key][0]:15s} " + ("ERROR " + rec["error"][-200:] if "error" in rec else
                          "  ".join(f"{k}: {v['iterations']} its {v['total_s']:.3g} s" if v else f"{k}: not reached" for k, v in done.items()) +
                          f"  (setup {rec['setup_s']:.3g} s, {rec['iterations']} its, wall {rec['wall_s']:.1f} s)"), flush=True)
                    with open(dbpath, "w") as f:  # after every run: a long run can be stopped and resumed in pieces
                        json.dump(db, f, indent=1)
    report(db, a)
    print(f"wrote {dbpath}, {os.path.join(a.out, 'bench_dcdm.md')} and the figures")


if __name__ == "__main__":
    main()
