#!/usr/bin/python3
"""Figures of a petal-relax run (the -json output), after "Learning to Relax" (Khodak et al., ICLR 2024):

  left:  cumulative iterations over the instances for every policy (a few fixed omegas, the best fixed omega in
         hindsight, the instance-optimal omega on the grid, the learners and, for the heat sequence, PETSc's
         baselines);
  right: the omega each learner chose (moving average over `--window` instances) and the instance-optimal one,
         with the context on a second axis.

    /usr/bin/python3 bench/relax/plot.py run.json figure.png [--title TEXT] [--window 25]

Needs matplotlib (Debian: python3-matplotlib); writes the PNG atomically (temporary name, then rename)."""
import argparse
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

SHOWN_FIXED = (1.0, 1.2, 1.4, 1.6, 1.8)  # the paper's fixed baselines (those on the grid)


def moving_average(x, w):
    x = np.asarray(x, dtype=float)
    if w <= 1 or len(x) < w:
        return x
    c = np.cumsum(np.insert(x, 0, 0.0))
    out = (c[w:] - c[:-w]) / w
    return np.concatenate([np.full(w - 1, np.nan), out])


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("json")
    ap.add_argument("png")
    ap.add_argument("--title", default=None)
    ap.add_argument("--window", type=int, default=25)
    a = ap.parse_args(argv)
    with open(a.json) as f:
        s = json.load(f)
    T = s["instances"]
    t = np.arange(1, T + 1)
    grid = s["omega_grid"]
    table = np.array(s["table"]["iterations"], dtype=float)

    fig, (ax, bx) = plt.subplots(1, 2, figsize=(15, 6))
    # fixed omegas (dashed), best fixed (black dotted), instance-optimal (black solid)
    for k, w in enumerate(grid):
        if any(abs(w - v) < 1e-9 for v in SHOWN_FIXED) and k != s["best_fixed"]["index"]:
            ax.plot(t, np.cumsum(table[:, k]), "--", lw=1.2, label=f"ω = {w:.2f}")
    ax.plot(t, np.cumsum(s["best_fixed"]["iterations"]), ":", color="black", lw=2.5,
            label=f"best fixed ω = {s['best_fixed']['omega']:.2f}")
    ax.plot(t, np.cumsum(s["instance_optimal"]["iterations"]), "-", color="black", lw=2,
            label="instance-optimal ω (grid)")
    colors = {"tsallis": "#77AC30", "tsallis_iw": "#8C564B", "tsallis_cb": "#0072BD", "tsallis_cb_iw": "#17BECF", "chebcb": "#A2142F"}
    for p in s["policies"]:
        if p["kind"] == "learner":
            ax.plot(t, np.cumsum(p["iterations"]), "-", lw=2.2, color=colors.get(p["name"]), label=p["label"])
        elif p["kind"] == "baseline":
            ax.plot(t, np.cumsum(p["iterations"]), "-.", lw=1.5, label=p["label"])
    ax.set_xlabel("instance")
    ax.set_ylabel("cumulative iterations")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9)

    bx.plot(t, moving_average(s["instance_optimal"]["omega"], a.window), color="black", lw=2,
            label="instance-optimal")
    bx.axhline(s["best_fixed"]["omega"], color="black", ls=":", lw=2, label="best fixed")
    for p in s["policies"]:
        if p["kind"] == "learner":
            bx.plot(t, moving_average(p["omega"], a.window), color=colors.get(p["name"]), lw=1.6, label=p["label"])
    bx.set_xlabel("instance")
    bx.set_ylabel(f"ω (moving average over {a.window})")
    bx.set_ylim(min(grid) - 0.02, max(grid) + 0.02)
    bx.grid(alpha=0.3)
    cx = bx.twinx()
    cx.plot(t, s["context"], color="grey", lw=0.6, alpha=0.5)
    cx.set_ylabel("context", color="grey")
    bx.legend(fontsize=9, loc="lower right")

    title = a.title or (f"petal-relax: {s['sequence']} sequence, {T} instances, n = {s['unknowns']}, "
                        f"{s['solver']}, {s['ranks']} rank(s)")
    fig.suptitle(title)
    fig.tight_layout()
    tmp = a.png + ".tmp"
    fig.savefig(tmp, dpi=120, format="png")
    os.replace(tmp, a.png)
    print(f"wrote {a.png}")


if __name__ == "__main__":
    main(sys.argv[1:])
