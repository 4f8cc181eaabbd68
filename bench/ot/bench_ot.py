#!/usr/bin/env python3
"""Entropic optimal transport: petal (petal-ot, log-domain Sinkhorn and SNS) and POT 0.8.2 side by side
on the same problems, in one run.

petal-ot generates every problem (-ot_generate, seeded) and saves it (-ot_save_problem); POT reads that
file, so both solve exactly the same points, weights and normalised cost. Every number in the report
is measured here; nothing is copied from docs/ or the reference notes.

Usage (Debian's python3, which has POT, numpy, h5py, matplotlib):
  /usr/bin/python3 bench/ot/bench_ot.py --petal build/drivers/ot/petal-ot [--out bench/ot/results] [--quick]
      [--openblas DIR]

POT's dense kernels run in numpy's BLAS. Debian's numpy uses whatever libblas.so.3 the alternatives
system points at; the baselines (docs/benchmarks.md) were measured with OpenBLAS on 2 threads. If the
machine's default is the reference BLAS (10-25x slower), pass --openblas with a folder holding
OpenBLAS's libblas.so.3 (bench/ot/fetch-openblas.sh unpacks Debian's libopenblas0-pthread with dpkg -x, which
changes nothing on the system, and prints that folder); the script re-runs itself with LD_LIBRARY_PATH set for
its own process only.

Writes OUT/bench_ot.json (all measurements, commands, environment), OUT/bench_ot.md (the tables for
docs/benchmarks.md) and OUT/bench_ot.png (time to solution and Sinkhorn time per iteration).
"""
import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")  # POT/numpy on both cores, as in the baselines
import h5py  # noqa: E402
import numpy as np  # noqa: E402
import ot  # noqa: E402

warnings.filterwarnings("ignore")  # POT warns on every capped or failing run; the tables say what happened

MPIEXEC = os.environ.get("MPIEXEC", "mpiexec")
MPIENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
              OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_btl_vader_single_copy_mechanism="none")

# SNS as tuned for these problems (see docs/benchmarks.md): epsilon scaling from eta = 100 by 4x, stages
# ended at L1 error 1e-2, Sinkhorn kept while it cuts the error by 5% per iteration, Newton systems by
# CG with block-Jacobi/ICC(0) (ICC(0) on one rank) to rtol = min(0.01, sqrt(error)), density adapted from
# the paper's 2/n. "SNS (paper)" keeps every default: N1 = 20, lambda = 2/n, CG + Jacobi.
SNS_TUNED = ["-ot_method", "sns", "-ot_eps_scaling", "-ot_eps_scaling_eta0", "100", "-ot_eps_scaling_factor", "4",
             "-ot_eps_scaling_stage_tol", "1e-2", "-ot_sns_stall_rate", "0.95", "-ot_newton_pc_type", "bjacobi",
             "-ot_newton_sub_pc_type", "icc", "-ot_newton_forcing_power", "0.5"]
SNS_PAPER = ["-ot_method", "sns"]


def petal(exe, np_, args, workdir, label):
    """Runs petal-ot and returns its JSON summary plus the command line."""
    js = os.path.join(workdir, f"{label}.json")
    cmd = [MPIEXEC, "-n", str(np_), exe] + args + ["-json", js, "-ot_output", "none", "-ot_quiet"]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, env=MPIENV, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{p.stdout}\n{p.stderr}")
    with open(js) as f:
        s = json.load(f)
    s["command"] = " ".join(["mpiexec", "-n", str(np_), "petal-ot"] + args)
    s["wall_including_startup"] = wall
    return s


def load_problem(path):
    with h5py.File(path) as f:
        return f["source/points"][:], f["source/weights"][:], f["target/points"][:], f["target/weights"][:]


def cost_matrix(X, Y, metric):
    M = ot.dist(X, Y, metric=metric)
    return M / M.max()


def errors(P, a, b):
    return float(np.abs(P.sum(1) - a).sum()), float(np.abs(P.sum(0) - b).sum())


def pot_sinkhorn(a, b, M, eta, method, max_it, stop, **kw):
    """One POT solve; returns time, iterations, L1 errors of both marginals, <C,P>."""
    t0 = time.perf_counter()
    P, log = ot.sinkhorn(a, b, M, 1.0 / eta, method=method, numItermax=max_it, stopThr=stop, log=True, **kw)
    t = time.perf_counter() - t0
    its = int(log.get("niter", log.get("n_iter", len(log.get("err", [])) * 10)))
    er, ec = errors(P, a, b)
    return {"method": method, "time": t, "iterations": its, "row_error_l1": er, "col_error_l1": ec,
            "transport_cost": float((M * P).sum()), "finite": bool(np.all(np.isfinite(P))), **{k: v for k, v in kw.items()}}


def pot_per_iteration(a, b, M, eta, method, its, **kw):
    """POT time per iteration: its iterations (stopThr = 0, so none stops early), best of 3, divided by
    its (the kernel set-up is included, a few percent at these counts). None when the variant stops
    early on numerical errors (plain Sinkhorn's kernel underflows at large eta)."""
    best = 1e300
    for _ in range(3):
        t0 = time.perf_counter()
        P, log = ot.sinkhorn(a, b, M, 1.0 / eta, method=method, numItermax=its, stopThr=0.0, log=True, **kw)
        dt = time.perf_counter() - t0
        done = int(log.get("niter", log.get("n_iter", its)))
        if done < its - 1 or not np.all(np.isfinite(P)):
            return None
        best = min(best, dt / its)
    return best


def pot_emd(a, b, M, repeat=3):
    best, cost = 1e300, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        G = ot.emd(a, b, M, numItermax=10_000_000)
        best = min(best, time.perf_counter() - t0)
        cost = float((G * M).sum())
    return {"time": best, "transport_cost": cost}


def machine_peaks():
    """DGEMM rate (numpy/OpenBLAS, 2 threads) and a numpy triad bandwidth, measured now."""
    n = 2000
    A, B = np.random.rand(n, n), np.random.rand(n, n)
    A @ B
    best = 1e300
    for _ in range(5):
        t0 = time.perf_counter()
        A @ B
        best = min(best, time.perf_counter() - t0)
    gflops = 2 * n**3 / best / 1e9
    x, y, z = np.random.rand(25_000_000), np.random.rand(25_000_000), np.empty(25_000_000)
    bestb = 1e300
    for _ in range(5):
        t0 = time.perf_counter()
        np.multiply(y, 3.0, out=z)
        np.add(z, x, out=z)
        bestb = min(bestb, time.perf_counter() - t0)
    triad = 5 * 8 * 25_000_000 / bestb / 1e9  # two numpy passes: 5 streams of 8 bytes
    return {"dgemm_gflops_2threads": gflops, "numpy_triad_gbs": triad}


def bound_check(c, emd_cost, n, eta, err):
    """OT <= <C,P> <= OT + 2 log n / eta, with slack for the marginal error (cost <= 1)."""
    slack = err + 1e-12
    return bool(emd_cost - slack <= c <= emd_cost + 2 * math.log(n) / eta + slack)


def blas_library():
    """The libblas numpy actually loaded (from /proc/self/maps)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line and line.split()[-1].startswith("/")}
        return sorted(libs)
    except OSError:
        return []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--petal", required=True, help="path to the petal-ot executable")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "results"))
    ap.add_argument("--quick", action="store_true", help="smaller n = 1e4 run and fewer repeats (smoke test)")
    ap.add_argument("--openblas", help="folder with OpenBLAS's libblas.so.3 for numpy/POT (see the module doc)")
    ap.add_argument("--report-only", metavar="JSON", help="only rewrite the .md and .png from an existing bench_ot.json")
    args = ap.parse_args()
    if args.report_only:
        with open(args.report_only) as f:
            R = json.load(f)
        finish_large(R)
        write_markdown(R, os.path.join(args.out, "bench_ot.md"))
        plot(R, os.path.join(args.out, "bench_ot.png"))
        return 0
    if args.openblas and os.environ.get("PETAL_BENCH_REEXEC") != "1":
        env = dict(os.environ, PETAL_BENCH_REEXEC="1", LD_LIBRARY_PATH=os.path.abspath(args.openblas) + ":" + os.environ.get("LD_LIBRARY_PATH", ""))
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    exe = os.path.abspath(args.petal)
    os.makedirs(args.out, exist_ok=True)
    rep = "1" if args.quick else "3"
    work = tempfile.mkdtemp(prefix="bench_ot_")
    R = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "host": platform.node(),
         "cpu": platform.processor() or platform.machine(), "load_average_start": os.getloadavg(),
         "pot_version": ot.__version__, "numpy_version": np.__version__,
         "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"), "blas": blas_library(), "cases": {}}
    try:
        R["git_sha"] = subprocess.run(["git", "-C", os.path.dirname(exe), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    except OSError:
        R["git_sha"] = ""
    R["peaks"] = machine_peaks()
    print(f"machine: DGEMM {R['peaks']['dgemm_gflops_2threads']:.1f} GFLOP/s (2 threads), numpy triad {R['peaks']['numpy_triad_gbs']:.1f} GB/s; load {R['load_average_start']}; BLAS {R['blas']}")

    # name: (generator args, POT metric, eta, ranks for SNS: 1 below n = 1000, where 2 ranks only add
    # MPI latency to every Newton step, 2 above)
    cases = {
        "assignment n=500 euclidean eta=1200": (["-ot_generate", "assignment", "-ot_generate_n", "500", "-ot_cost", "euclidean"], "euclidean", 1200.0, 1),
        "assignment n=500 sqeuclidean eta=1200": (["-ot_generate", "assignment", "-ot_generate_n", "500"], "sqeuclidean", 1200.0, 1),
        "two blobs 28x28 sqeuclidean eta=1200": (["-ot_generate", "blobs", "-ot_generate_side", "28"], "sqeuclidean", 1200.0, 1),
        "assignment n=2000 sqeuclidean eta=100": (["-ot_generate", "assignment", "-ot_generate_n", "2000"], "sqeuclidean", 100.0, 2),
        "assignment n=2000 sqeuclidean eta=1000": (["-ot_generate", "assignment", "-ot_generate_n", "2000"], "sqeuclidean", 1000.0, 2),
        "assignment n=4000 sqeuclidean eta=1000": (["-ot_generate", "assignment", "-ot_generate_n", "4000"], "sqeuclidean", 1000.0, 2),
    }
    for name, (gen, metric, eta, snsRanks) in cases.items():
        print(f"\n== {name}")
        prob = os.path.join(work, "problem.h5")
        common = gen + ["-ot_cost_normalize", "-ot_eta", str(eta), "-ot_tol", "1e-9"]
        C = {"eta": eta, "metric": metric, "sns_ranks": snsRanks, "petal": {}, "pot": {}}
        C["petal"]["sns_tuned"] = petal(exe, snsRanks, common + SNS_TUNED + ["-ot_repeat", rep, "-ot_save_problem", prob], work, "sns")
        X, a, Y, b = load_problem(prob)
        n = len(a)
        C["n"] = n
        M = cost_matrix(X, Y, metric)
        C["pot"]["emd"] = pot_emd(a, b, M)
        big = n >= 4000
        if snsRanks == 1:  # the small cases: SNS on 2 ranks too (its Sinkhorn phases gain, its Newton steps pay MPI latency)
            C["petal"]["sns_tuned_np2"] = petal(exe, 2, common + SNS_TUNED + ["-ot_repeat", rep], work, "sns2")
        if not big:
            C["petal"]["sns_paper"] = petal(exe, snsRanks, common + SNS_PAPER + ["-ot_sns_max_newton", "300" if n <= 1000 else "60"], work, "snsp")
        # petal Sinkhorn: time per iteration on 1 and 2 ranks (fixed iteration count, fastest of 3 solves;
        # the first iterations' max-shifted rows are included, a few percent at these counts)
        # With the default variant (auto) these iterations run on the float copy of the stored plan (a solve
        # to 1e-9 hands over to double at 1e-7); the double stored plan and the on-the-fly (fused) kernel are
        # timed too.
        its = 200 if n <= 2000 else 50
        per_args = common + ["-ot_method", "sinkhorn", "-ot_tol", "0", "-ot_max_it", str(its), "-ot_repeat", "3"]
        for nr in (1, 2):
            C["petal"][f"sinkhorn_per_iteration_np{nr}"] = petal(exe, nr, per_args, work, f"sk{nr}")
        C["petal"]["sinkhorn_per_iteration_np2_double"] = petal(exe, 2, per_args + ["-ot_sinkhorn_variant", "stored", "-ot_sinkhorn_stored_float", "false"], work, "skd")
        C["petal"]["sinkhorn_per_iteration_np2_fused"] = petal(exe, 2, per_args + ["-ot_sinkhorn_variant", "fused"], work, "skf")
        # petal Sinkhorn to convergence where it converges in reasonable time
        # (not on the Euclidean case, where plain Sinkhorn needs > 1e5 iterations, nor at n = 4000)
        if metric == "sqeuclidean" and n <= 2000:
            C["petal"]["sinkhorn"] = petal(exe, 2, common + ["-ot_method", "sinkhorn", "-ot_max_it", "100000"], work, "skc")
            C["petal"]["sinkhorn_fused"] = petal(exe, 2, common + ["-ot_method", "sinkhorn", "-ot_max_it", "100000", "-ot_sinkhorn_variant", "fused"], work, "skcf")
        # POT: per-iteration times of its variants, and solves with its default stopping test
        stop = 1e-8
        per = {}
        for method, kw in (("sinkhorn", {}), ("sinkhorn_stabilized", {}), ("sinkhorn_log", {})):
            if big and method == "sinkhorn_log":
                continue
            k = 20 if method == "sinkhorn_log" else (200 if n <= 2000 else 50)
            with np.errstate(all="ignore"):
                t = pot_per_iteration(a, b, M, eta, method, k, **kw)
            if t is not None:
                per[method] = t
        C["pot"]["per_iteration"] = per
        solves = []
        with np.errstate(all="ignore"):
            if n <= 1000:
                cap = 3000 if metric == "euclidean" else 20000  # Euclidean at eta = 1200: POT needs > 1e5 iterations
                solves.append(pot_sinkhorn(a, b, M, eta, "sinkhorn_stabilized", cap, stop))
                solves.append(pot_sinkhorn(a, b, M, eta, "sinkhorn_log", cap if metric != "euclidean" else 1000, stop))
            elif n <= 2000:
                # POT 0.8.2's stabilised variant with its default tau = 1e3 < n resets the scalings wrongly
                # after an absorption; at eta = 1000 it returns a plan ~ 0 (capped at 300 iterations here)
                solves.append(pot_sinkhorn(a, b, M, eta, "sinkhorn_stabilized", 300 if eta >= 1000 else 20000, stop))
                if eta >= 1000:
                    solves.append(pot_sinkhorn(a, b, M, eta, "sinkhorn_stabilized", 20000, stop, tau=1e4))
        C["pot"]["solves"] = solves
        # checks
        s = C["petal"]["sns_tuned"]["result"]
        C["checks"] = {"sns_within_entropic_bound": bound_check(s["transport_cost"], C["pot"]["emd"]["transport_cost"], n, eta, max(s["row_error_l1"], s["col_error_l1"]))}
        for key in ("sns_tuned_np2", "sinkhorn", "sinkhorn_fused", "sns_paper"):
            if key in C["petal"] and C["petal"][key]["result"]["converged"]:
                r = C["petal"][key]["result"]
                C["checks"][f"{key}_within_entropic_bound"] = bound_check(r["transport_cost"], C["pot"]["emd"]["transport_cost"], n, eta, max(r["row_error_l1"], r["col_error_l1"]))
        R["cases"][name] = C
        print(f"  petal SNS (tuned) {C['petal']['sns_tuned']['time']['solve']:.4f} s, converged {s['converged']}, errors {s['row_error_l1']:.1e}/{s['col_error_l1']:.1e}")
        if "sns_tuned_np2" in C["petal"]:
            print(f"  petal SNS (tuned, 2 ranks) {C['petal']['sns_tuned_np2']['time']['solve']:.4f} s")
        if "sns_paper" in C["petal"]:
            p = C["petal"]["sns_paper"]
            print(f"  petal SNS (paper defaults) {p['time']['solve']:.4f} s, converged {p['result']['converged']}")
        for key in ("np1", "np2", "np2_double", "np2_fused"):
            print(f"  petal Sinkhorn per iteration {key}: {C['petal'][f'sinkhorn_per_iteration_{key}']['time']['sinkhorn_per_iteration']*1e3:.3f} ms")
        for m_, t in per.items():
            print(f"  POT {m_} per iteration: {t*1e3:.3f} ms")
        for sv in solves:
            print(f"  POT {sv['method']}{' tau=%g' % sv['tau'] if 'tau' in sv else ''}: {sv['time']:.3f} s, {sv['iterations']} its, L1 errors {sv['row_error_l1']:.1e}/{sv['col_error_l1']:.1e}")
        print(f"  POT emd {C['pot']['emd']['time']:.4f} s, OT = {C['pot']['emd']['transport_cost']:.6g}; checks {C['checks']}")

    # n = 1e4, squared Euclidean on the fly: Sinkhorn time per iteration on 1 and 2 ranks, roofline
    n4 = "4000" if args.quick else "10000"
    big = {"n": int(n4)}
    gen = ["-ot_generate", "assignment", "-ot_generate_n", n4, "-ot_cost_normalize", "-ot_eta", "1000", "-ot_method", "sinkhorn", "-ot_tol", "0", "-ot_max_it", "20"]
    # the roofline and scaling targets are about the on-the-fly kernel (O(n d) memory): fused explicitly;
    # the default (auto) stores the plan in float here (200 MB per rank on 2 ranks) and is timed as well
    for nr in (1, 2):
        big[f"np{nr}"] = petal(exe, nr, gen + ["-ot_repeat", "3", "-ot_sinkhorn_variant", "fused"], work, f"big{nr}")
    big["np2_auto"] = petal(exe, 2, gen + ["-ot_repeat", "3"], work, "big2a")
    R["large"] = big
    finish_large(R)

    with open(os.path.join(args.out, "bench_ot.json"), "w") as f:
        json.dump(R, f, indent=1)
    write_markdown(R, os.path.join(args.out, "bench_ot.md"))
    plot(R, os.path.join(args.out, "bench_ot.png"))
    print(f"\nwrote {args.out}/bench_ot.json, bench_ot.md, bench_ot.png")


# The machine's FMA peak: DGEMM on both cores as measured on an idle machine of this kind (baselines.md:
# 105 GFLOP/s, "about peak for these Zen 4 cores"); the run's own DGEMM is recorded too, but on a shared
# machine it measures the load as much as the hardware.
PEAK_GFLOPS_2CORES = 105.0


def finish_large(R):
    """Roofline and scaling figures of the n = 1e4 run.

    The fused Sinkhorn iteration evaluates, per plan entry: the expanded squared Euclidean exponent (d = 2
    FMA; the |y_j|^2 term is folded into the column constants), one 2^t (degree-9 polynomial: 9 FMA; 2^k is
    an integer add) and the column accumulation (1 FMA): 12 FMA = 24 flops, all vectorised. (About 10 more
    vector add/compare/integer operations per entry share the same four FP pipes on this CPU: that is most
    of the gap to the bound.) Memory traffic is O(n d) per row (the n x n cost is never stored), so the
    bound is compute: time >= n^2 * 24 / peak."""
    big = R["large"]
    t1 = big["np1"]["time"]["sinkhorn_per_iteration"]
    t2 = big["np2"]["time"]["sinkhorn_per_iteration"]
    entries = big["n"] ** 2
    big["flops_per_entry"] = 24
    big["peak_gflops_2cores"] = PEAK_GFLOPS_2CORES
    big["roofline_np2"] = entries * 24 / (PEAK_GFLOPS_2CORES * 1e9)
    big["roofline_np1"] = 2 * big["roofline_np2"]
    big["strong_scaling_1to2"] = t1 / t2
    big["within_2x_of_roofline_np2"] = t2 <= 2 * big["roofline_np2"]
    # for comparison: a stored-cost Sinkhorn reads the 8-byte cost entry twice per iteration (row and
    # column passes); with the measured triad bandwidth that alone costs
    big["stored_cost_memory_bound_np2"] = entries * 16 / (R["peaks"]["numpy_triad_gbs"] * 1e9)
    print(f"\n== n = {big['n']} on-the-fly squared Euclidean: Sinkhorn {t1*1e3:.2f} ms/it (1 rank), {t2*1e3:.2f} ms/it (2 ranks), "
          f"scaling {t1/t2:.2f}x; roofline {big['roofline_np2']*1e3:.2f} ms/it on 2 cores")


def write_markdown(R, path):
    L = []
    L.append(f"Measured {R['date']} on {R['host']} ({R['cpu']}), load average at start {', '.join('%.1f' % x for x in R['load_average_start'])}; "
             f"POT {R['pot_version']}, numpy {R['numpy_version']} with {', '.join(os.path.basename(b) for b in R['blas'])} ({', '.join(R['blas'])}), OPENBLAS_NUM_THREADS={R['openblas_threads']}; "
             f"DGEMM {R['peaks']['dgemm_gflops_2threads']:.0f} GFLOP/s, numpy triad {R['peaks']['numpy_triad_gbs']:.1f} GB/s (measured in the same run).")
    L.append("")
    L.append("| case | solver | time [s] | iterations | L1 err rows / cols | <C,P> | within entropic bound |")
    L.append("|---|---|---|---|---|---|---|")
    for name, C in R["cases"].items():
        emd = C["pot"]["emd"]
        rows = []
        nr = C["sns_ranks"]
        for key, label in (("sns_tuned", f"petal SNS (tuned, {nr} rank{'s' if nr > 1 else ''})"), ("sns_paper", f"petal SNS (paper defaults, {nr} rank{'s' if nr > 1 else ''})"), ("sns_tuned_np2", "petal SNS (tuned, 2 ranks)"), ("sinkhorn", "petal Sinkhorn (2 ranks)"), ("sinkhorn_fused", "petal Sinkhorn, on the fly (2 ranks)")):
            if key in C["petal"]:
                s = C["petal"][key]
                r = s["result"]
                ok = C["checks"].get(f"{key}_within_entropic_bound", C["checks"].get("sns_within_entropic_bound") if key == "sns_tuned" else None)
                conv = "" if r["converged"] else " (not converged)"
                rows.append(f"| {name} | {label} | {s['time']['solve']:.4f}{conv} | {r['sinkhorn_iterations']} S + {r['newton_iterations']} N | "
                            f"{r['row_error_l1']:.1e} / {r['col_error_l1']:.1e} | {r['transport_cost']:.6f} | {'yes' if ok else ('n/a' if ok is None else 'NO')} |")
        for sv in C["pot"]["solves"]:
            lbl = f"POT {sv['method']}" + (f" tau={sv['tau']:g}" if "tau" in sv else "")
            rows.append(f"| {name} | {lbl} | {sv['time']:.3f} | {sv['iterations']} | {sv['row_error_l1']:.1e} / {sv['col_error_l1']:.1e} | {sv['transport_cost']:.6f} | |")
        rows.append(f"| {name} | POT emd (exact) | {emd['time']:.4f} | | 0 | {emd['transport_cost']:.6f} | (OT) |")
        L.extend(rows)
    L.append("")
    L.append("Sinkhorn time per iteration [ms] (fixed iteration count; POT: best of its variants is the reference):")
    L.append("")
    L.append("petal's default (auto: stored plan, float copy until the error is below 1e-7); on 2 ranks also the double stored plan (the last iterations of a solve) and the on-the-fly kernel (fused, O(n d) memory).")
    L.append("")
    L.append("| case | petal 1 rank | petal 2 ranks | petal 2 ranks, double plan | petal 2 ranks, on the fly | POT sinkhorn (scaling domain) | POT sinkhorn_stabilized | POT sinkhorn_log | petal 2 ranks vs POT's fastest stable variant (float / double plan) | vs POT sinkhorn |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    for name, C in R["cases"].items():
        p1 = C["petal"]["sinkhorn_per_iteration_np1"]["time"]["sinkhorn_per_iteration"] * 1e3
        p2 = C["petal"]["sinkhorn_per_iteration_np2"]["time"]["sinkhorn_per_iteration"] * 1e3
        p2d = C["petal"]["sinkhorn_per_iteration_np2_double"]["time"]["sinkhorn_per_iteration"] * 1e3
        p2f = C["petal"]["sinkhorn_per_iteration_np2_fused"]["time"]["sinkhorn_per_iteration"] * 1e3
        per = C["pot"]["per_iteration"]
        stable = min(per[m] for m in ("sinkhorn_stabilized", "sinkhorn_log") if m in per) * 1e3
        cells = [f"{per[m]*1e3:.3f}" if m in per else "-" for m in ("sinkhorn", "sinkhorn_stabilized", "sinkhorn_log")]
        plain = f"{per['sinkhorn'] * 1e3 / p2:.2f}x" if "sinkhorn" in per else "-"
        L.append(f"| {name} | {p1:.3f} | {p2:.3f} | {p2d:.3f} | {p2f:.3f} | {' | '.join(cells)} | {stable / p2:.2f}x / {stable / p2d:.2f}x | {plain} |")
    B = R["large"]
    L.append("")
    L.append(f"n = {B['n']}, squared Euclidean cost computed on the fly (no n x n array), eta = 1000: "
             f"{B['np1']['time']['sinkhorn_per_iteration']*1e3:.2f} ms per Sinkhorn iteration on 1 rank, "
             f"{B['np2']['time']['sinkhorn_per_iteration']*1e3:.2f} ms on 2 ranks (strong scaling {B['strong_scaling_1to2']:.2f}x); "
             f"compute roofline {B['roofline_np2']*1e3:.2f} ms on 2 cores ({B['flops_per_entry']} flops per plan entry at {B['peak_gflops_2cores']:.0f} GFLOP/s): "
             f"{'within' if B['within_2x_of_roofline_np2'] else 'NOT within'} 2x. "
             f"A stored-cost Sinkhorn would need {B['stored_cost_memory_bound_np2']*1e3:.1f} ms per iteration just to read the 800 MB cost twice at the measured bandwidth; "
             f"petal's default (auto) instead stores the plan once in float (400 MB, read once per iteration): {B['np2_auto']['time']['sinkhorn_per_iteration']*1e3:.2f} ms per iteration on 2 ranks.")
    with open(path, "w") as f:
        f.write("\n".join(L) + "\n")


def plot(R, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(15, 5.5))
    names = list(R["cases"].keys())
    series = {"petal SNS (tuned, best of 1/2 ranks)": [], "petal SNS (paper)": [], "POT best Sinkhorn": [], "POT emd": []}
    for nm in names:
        C = R["cases"][nm]
        series["petal SNS (tuned, best of 1/2 ranks)"].append(min(C["petal"][k]["time"]["solve"] for k in ("sns_tuned", "sns_tuned_np2") if k in C["petal"]))
        series["petal SNS (paper)"].append(C["petal"]["sns_paper"]["time"]["solve"] if "sns_paper" in C["petal"] else np.nan)
        ok = [s["time"] for s in C["pot"]["solves"] if s["finite"] and max(s["row_error_l1"], s["col_error_l1"]) < 1e-3]
        series["POT best Sinkhorn"].append(min(ok) if ok else np.nan)
        series["POT emd"].append(C["pot"]["emd"]["time"])
    x = np.arange(len(names))
    w = 0.2
    for k, (lbl, v) in enumerate(series.items()):
        ax1.bar(x + (k - 1.5) * w, v, w, label=lbl)
    ax1.set_yscale("log")
    ax1.set_xticks(x)
    ax1.set_xticklabels([nm.replace(" eta", "\neta") for nm in names], rotation=30, ha="right", fontsize=7)
    ax1.set_ylabel("time to solution [s] (petal: L1 marginal errors <= 1e-9)")
    ax1.set_title("Time to solution")
    ax1.legend(fontsize=8)
    p1 = [R["cases"][nm]["petal"]["sinkhorn_per_iteration_np1"]["time"]["sinkhorn_per_iteration"] * 1e3 for nm in names]
    p2 = [R["cases"][nm]["petal"]["sinkhorn_per_iteration_np2"]["time"]["sinkhorn_per_iteration"] * 1e3 for nm in names]
    p2d = [R["cases"][nm]["petal"]["sinkhorn_per_iteration_np2_double"]["time"]["sinkhorn_per_iteration"] * 1e3 for nm in names]
    pf = [min(v for k, v in R["cases"][nm]["pot"]["per_iteration"].items() if k != "sinkhorn") * 1e3 for nm in names]
    ax2.bar(x - 0.3, p1, 0.2, label="petal, 1 rank")
    ax2.bar(x - 0.1, p2, 0.2, label="petal, 2 ranks (float plan)")
    ax2.bar(x + 0.1, p2d, 0.2, label="petal, 2 ranks (double plan)")
    ax2.bar(x + 0.3, pf, 0.2, label="POT, fastest stable variant (2 threads)")
    ax2.set_yscale("log")
    ax2.set_xticks(x)
    ax2.set_xticklabels([nm.replace(" eta", "\neta") for nm in names], rotation=30, ha="right", fontsize=7)
    ax2.set_ylabel("Sinkhorn time per iteration [ms]")
    ax2.set_title(f"Per iteration (n = {R['large']['n']}: {R['large']['np2']['time']['sinkhorn_per_iteration']*1e3:.1f} ms on 2 ranks on the fly, roofline {R['large']['roofline_np2']*1e3:.1f} ms)")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    sys.exit(main())
