#!/usr/bin/env python3
"""The cost of a portable petal-ot: a short representative subset of docs/benchmarks.md's OT rows, run with
several petal-ot builds/settings side by side (interleaved, fastest of --rounds, so that load changes hit every
configuration alike).

  /usr/bin/python3 bench/ot/bench_portable.py \
      --config "portable, generic kernels=build/drivers/ot/petal-ot -ot_kernel_isa generic" \
      --config "portable, dispatch (default)=build/drivers/ot/petal-ot" \
      --config "native=build-native/drivers/ot/petal-ot" [--rounds 3] [--out results.json]

Each --config is LABEL=EXECUTABLE [EXTRA OPTIONS...] (the label itself must not contain '='). Prints a Markdown table (time and iterations per
configuration) and the exact commands; iteration counts must agree across configurations (checked)."""
import argparse
import json
import os
import subprocess
import tempfile
import time

MPIENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
              OMPI_MCA_rmaps_base_oversubscribe="1", OMPI_MCA_btl_vader_single_copy_mechanism="none")
TUNED = ["-ot_type", "sns", "-ot_eps_scaling", "-ot_eps_scaling_eta0", "100", "-ot_eps_scaling_factor", "4",
         "-ot_eps_scaling_stage_tol", "1e-2", "-ot_sns_stall_rate", "0.95", "-ot_newton_pc_type", "bjacobi",
         "-ot_newton_sub_pc_type", "icc", "-ot_newton_forcing_power", "0.5"]


def assignment(n, eta):
    return ["-ot_generate", "assignment", "-ot_generate_n", str(n), "-ot_cost_normalize", "-ot_eta", str(eta), "-ot_tol", "1e-9"]


# (label, ranks, options, what is timed): the benchmark rows this subset stands for
CASES = [
    ("Sinkhorn per iteration [ms], n=2000 eta=1000, auto (float stored plan)", 2,
     assignment(2000, 1000) + ["-ot_type", "sinkhorn", "-ot_tol", "0", "-ot_max_it", "200", "-ot_repeat", "3"], "per_iteration"),
    ("Sinkhorn per iteration [ms], n=2000 eta=1000, on the fly (fused)", 2,
     assignment(2000, 1000) + ["-ot_type", "sinkhorn", "-ot_tol", "0", "-ot_max_it", "200", "-ot_repeat", "3", "-ot_sinkhorn_variant", "fused"], "per_iteration"),
    ("Sinkhorn per iteration [ms], n=10000 eta=1000, on the fly (fused)", 2,
     assignment(10000, 1000) + ["-ot_type", "sinkhorn", "-ot_tol", "0", "-ot_max_it", "20", "-ot_repeat", "3", "-ot_sinkhorn_variant", "fused"], "per_iteration"),
    ("Sinkhorn to 1e-9 [s], n=2000 eta=1000", 2, assignment(2000, 1000) + ["-ot_type", "sinkhorn", "-ot_max_it", "100000"], "solve"),
    ("SNS tuned [s], n=500 sqeuclidean eta=1200", 1, assignment(500, 1200) + TUNED + ["-ot_repeat", "3"], "solve"),
    ("SNS tuned [s], n=500 euclidean eta=1200", 1, assignment(500, 1200) + ["-ot_cost", "euclidean"] + TUNED + ["-ot_repeat", "3"], "solve"),
]


def run(exe_and_extra, ranks, args, workdir):
    js = os.path.join(workdir, "r.json")
    cmd = ["mpiexec", "-n", str(ranks)] + exe_and_extra[:1] + args + exe_and_extra[1:] + ["-json", js, "-ot_output", "none", "-ot_quiet"]
    p = subprocess.run(cmd, env=MPIENV, capture_output=True, text=True, timeout=1800)
    if p.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    with open(js) as f:
        return json.load(f), " ".join(["mpiexec", "-n", str(ranks), os.path.basename(exe_and_extra[0])] + args + exe_and_extra[1:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", action="append", required=True, help="LABEL=EXECUTABLE [OPTIONS]")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--out")
    a = ap.parse_args()
    configs = [(c.split("=", 1)[0], c.split("=", 1)[1].split()) for c in a.config]
    for label, exe in configs:
        if not os.access(exe[0], os.X_OK):
            ap.error(f"--config {label!r}: {exe[0]!r} is not an executable (a label must not contain '=')")
    results = {label: {} for label, _ in configs}
    commands = {}
    with tempfile.TemporaryDirectory() as d:
        start = os.getloadavg()
        for name, ranks, args, what in CASES:
            for _ in range(a.rounds):
                for label, exe in configs:
                    s, cmd = run(exe, ranks, args, d)
                    t = s["time"]["sinkhorn_per_iteration"] * 1e3 if what == "per_iteration" else s["time"]["solve"]
                    r = s["result"]
                    its = f"{r['sinkhorn_iterations']} S + {r['newton_iterations']} N"
                    prev = results[label].get(name)
                    if prev and prev["iterations"] != its:
                        raise RuntimeError(f"{label}: {name}: iterations changed between rounds ({prev['iterations']} vs {its})")
                    if not prev or t < prev["time"]:
                        results[label][name] = {"time": t, "iterations": its, "kernels": s.get("solver", {}).get("kernel_isa", "")}
                    commands.setdefault(name, {})[label] = cmd
            print(f"{name}: " + ", ".join(f"{label} {results[label][name]['time']:.4g}" for label, _ in configs), flush=True)
        end = os.getloadavg()
    labels = [label for label, _ in configs]
    print(f"\nload average at start {start[0]:.1f}, {start[1]:.1f}, {start[2]:.1f}; at end {end[0]:.1f}, {end[1]:.1f}, {end[2]:.1f}\n")
    print("| case | " + " | ".join(labels) + " | iterations |")
    print("|---|" + "---|" * (len(labels) + 1))
    for name, *_ in CASES:
        its = {results[label][name]["iterations"] for label in labels}
        same = its.pop() if len(its) == 1 else "DIFFER: " + ", ".join(results[label][name]["iterations"] for label in labels)
        print(f"| {name} | " + " | ".join(f"{results[label][name]['time']:.4g}" for label in labels) + f" | {same} |")
    print("\nCommands (petal-ot runs; the executable differs per column):")
    for name, cmds in commands.items():
        for label, cmd in cmds.items():
            print(f"- {name}, {label}: `{cmd}`")
    if a.out:
        with open(a.out, "w") as f:
            json.dump({"results": results, "commands": commands, "load_start": start, "load_end": end}, f, indent=1)


if __name__ == "__main__":
    main()
