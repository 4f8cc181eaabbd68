#!/usr/bin/env python3
"""Plots a petal-heat run: three frames of u from the HDF5 output and the per-step iteration counts with
kappa(t) from the JSON summary. Usage: plot_heat.py OUT_DIR [PNG]   (OUT_DIR holds heat.h5 and heat.json,
as written by ./scripts/run-main.sh into out/). Run with Debian's /usr/bin/python3."""
import json
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

out = sys.argv[1] if len(sys.argv) > 1 else "out"
png = sys.argv[2] if len(sys.argv) > 2 else os.path.join(out, "heat.png")
with open(os.path.join(out, "heat.json")) as f:
    summary = json.load(f)
with h5py.File(os.path.join(out, "heat.h5"), "r") as h5:
    names = sorted(n for n in h5["fields"] if n.startswith("u_"))
    picks = [names[len(names) // 4], names[len(names) // 2], names[-1]]
    frames = [(int(n[2:]), h5["fields"][n][()]) for n in picks]

fig = plt.figure(figsize=(13, 7.5))
dt = summary["dt"]
for i, (step, u) in enumerate(frames):
    ax = fig.add_subplot(2, 3, i + 1)
    im = ax.imshow(u, origin="lower", extent=(0, 1, 0, 1), cmap="inferno")
    ax.set_title(f"u at t = {step * dt:.3f}")
    fig.colorbar(im, ax=ax, shrink=0.8)
ax = fig.add_subplot(2, 1, 2)
its = summary["iterations"]
ax.plot(range(1, len(its) + 1), its, lw=0.8, label=f"CG iterations ({summary['pc_type']}), total {summary['total_iterations']}")
ax.set_xlabel("time step")
ax.set_ylabel("iterations")
ax2 = ax.twinx()
ax2.plot(range(1, len(its) + 1), summary["kappa"], color="tab:red", lw=0.8, alpha=0.6, label="κ(t)")
ax2.set_ylabel("κ(t)", color="tab:red")
cal = summary.get("calibration")
title = f"{summary['unknowns']} unknowns, {summary['steps']} Crank–Nicolson steps"
if cal:
    title += (f"; best fixed ω {cal['best_fixed_omega']:.2f} ≈ {cal['estimated_best_fixed_total']:.0f} its (estimated),"
              f" learned {summary['total_iterations']}")
ax.set_title(title)
ax.legend(loc="upper left")
fig.tight_layout()
fig.savefig(png, dpi=90)
print("wrote", png)
