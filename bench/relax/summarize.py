#!/usr/bin/python3
"""Markdown tables (for docs/benchmarks.md) from petal-relax JSON files, with the targets of the Bandit SOR
issue checked:

  synthetic (both variances): Tsallis-INF mean <= 1.10 x best fixed; ChebCB <= best fixed and <= 1.25 x the
                              instance-optimal omega on the grid;
  heat: Tsallis-INF total <= 1.05 x best fixed; contextual learners <= 0.9 x best fixed; learner time < 1 % of
        the solve time.

    /usr/bin/python3 bench/relax/summarize.py run1.json [run2.json ...]
"""
import json
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def last(values, k=1000):
    v = values[-k:]
    return sum(v) / len(v)


def table(s, path):
    T = s["instances"]
    best = s["best_fixed"]
    opt = s["instance_optimal"]
    out = [f"### {path}: {s['sequence']} sequence, T = {T}, n = {s['unknowns']}, {s['solver']}, {s['ranks']} rank(s)",
           ""]
    par = s.get("sequence_parameters", {})
    if par:
        out.append("parameters: " + ", ".join(f"{k} = {v}" for k, v in par.items()) +
                   f"; seed {s['seed']}, learner seed {s['learner_seed']}; trajectory {s['trajectory']}")
        out.append("")
    out.append("| policy | ω | total its | mean its | / best fixed | / instance-opt. | mean its, last 1000 | solve [s] | notes |")
    out.append("|---|---|---|---|---|---|---|---|---|")

    def row(name, omega, total, its, secs, notes=""):
        out.append(f"| {name} | {omega} | {total:,} | {total / T:.2f} | {total / best['total_iterations']:.3f} | "
                   f"{total / opt['total_iterations']:.3f} | {last(its):.2f} | {secs} | {notes} |")

    table_its = s["table"]["iterations"]
    for k, f in enumerate(s["fixed"]):
        if abs(f["omega"] * 20 - round(f["omega"] * 20)) < 1e-9 and round(f["omega"] * 20) % 4 == 0 or k == best["index"]:
            row(f"fixed{' (best in hindsight)' if k == best['index'] else ''}", f"{f['omega']:.2f}",
                f["total_iterations"], [r[k] for r in table_its], f"{f['solve_time_s']:.2f}", "table")
    row("instance-optimal on the grid", "per instance", opt["total_iterations"], opt["iterations"],
        f"({opt['solve_time_s']:.2f})", "time: sum of the chosen table solves")
    for p in s["policies"]:
        notes = []
        if p["kind"] != "baseline":
            notes.append(f"table mismatches {p['mismatched_instances']}")
        if p["kind"] == "learner":
            notes.append(f"learner {100 * p['learner_fraction_of_solve']:.2f} % of solve")
        if p["capped"]:
            notes.append(f"{p['capped']} capped")
        om = f"{p['fixed_omega']:.2f}" if p["kind"] == "fixed" else "-"
        row(p["label"], om, p["total_iterations"], p["iterations"], f"{p['solve_time_s']:.2f}", ", ".join(notes))
    out.append("")
    return out


def targets(s):
    lines = []
    best = s["best_fixed"]["total_iterations"]
    opt = s["instance_optimal"]["total_iterations"]
    learners = {p["name"]: p for p in s["policies"] if p["kind"] == "learner"}

    def check(text, value, limit):
        lines.append(f"- {text}: {value:.3f} (target ≤ {limit}) → {'met' if value <= limit else 'NOT met'}")

    if s["sequence"] in ("synthetic", "file"):
        if "tsallis" in learners:
            check("Tsallis-INF / best fixed", learners["tsallis"]["total_iterations"] / best, 1.10)
        if "chebcb" in learners:
            check("ChebCB / best fixed", learners["chebcb"]["total_iterations"] / best, 1.0)
            check("ChebCB / instance-optimal", learners["chebcb"]["total_iterations"] / opt, 1.25)
    if s["sequence"] == "heat":
        if "tsallis" in learners:
            check("Tsallis-INF / best fixed", learners["tsallis"]["total_iterations"] / best, 1.05)
        for n in ("tsallis_cb", "chebcb"):
            if n in learners:
                check(f"{learners[n]['label']} / best fixed", learners[n]["total_iterations"] / best, 0.9)
        for p in learners.values():
            check(f"{p['label']} learner time / solve time (%)", 100 * p["learner_fraction_of_solve"], 1.0)
    lines.append(f"- instance-optimal / best fixed: {opt / best:.3f}")
    rep = s.get("replay", {})
    for r in rep.get("policies", []):
        q = r["ratio_to_best_fixed"]
        lines.append(f"- replayed on the table, learner seeds {rep['first_seed']}..{rep['first_seed'] + rep['seeds'] - 1}: "
                     f"{r['label']} / best fixed {r['mean_ratio_to_best_fixed']:.3f} mean, [{min(q):.3f}, {max(q):.3f}]")
    return lines


def main(paths):
    for path in paths:
        s = load(path)
        print("\n".join(table(s, path)))
        print("\n".join(targets(s)))
        print()


if __name__ == "__main__":
    main(sys.argv[1:])
