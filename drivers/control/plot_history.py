#!/usr/bin/python3
"""KKT residual of petal-control runs against iteration and against time, from their -json files, as a PNG.
Usage: plot_history.py RUN.json [MORE.json ...] [-o kkt.png]   (Debian's python3 + matplotlib)"""
import argparse
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("runs", nargs="+", help="petal-control -json files")
    ap.add_argument("-o", "--output", default="kkt.png")
    a = ap.parse_args()
    fig, (by_it, by_time) = plt.subplots(1, 2, figsize=(10, 4))
    for path in a.runs:
        with open(path) as f:
            s = json.load(f)
        h = s["history"]
        p = s["problem"]
        label = f"{s['solver']['tao_type']} {p['name']} {p['dim']}-D {p['unknowns']} unknowns, {s['ranks']} rank(s)"
        kkt = [max(v, 1e-300) for v in h["kkt"]]
        by_it.semilogy(h["iteration"], kkt, marker="o", label=label)
        by_time.semilogy(h["time"], kkt, marker="o", label=label)
    by_it.set_xlabel("iteration")
    by_it.xaxis.set_major_locator(MaxNLocator(integer=True))
    by_time.set_xlabel("time (s)")
    for ax in (by_it, by_time):
        ax.set_ylabel("KKT residual |(grad_x L, c)|")
        ax.grid(True, which="both", alpha=0.3)
    by_it.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(a.output, dpi=120)


if __name__ == "__main__":
    main()
