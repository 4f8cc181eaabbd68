#!/usr/bin/env python3
"""Plots petal-train-dcdm's loss history (-loss_csv FILE: epoch,train_loss,val_loss,seconds) as a PNG.

    python3 drivers/dcdm_train/plot_loss.py loss.csv loss.png [--title TEXT]

Training loss: the mean over each epoch's batches (the network changes during the epoch); validation loss: the
held-out samples after the epoch (epoch 0: the untrained network). Needs matplotlib (Debian: python3-matplotlib).
"""
import argparse
import csv
import math
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt


def read(path):
    rows = []
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        missing = {"epoch", "train_loss", "val_loss", "seconds"} - set(reader.fieldnames or [])
        if missing:
            sys.exit(f"{path}: not a petal-train-dcdm loss file (missing columns {sorted(missing)})")
        for r in reader:
            rows.append({k: float(v) for k, v in r.items()})
    if not rows:
        sys.exit(f"{path}: no epochs")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv")
    ap.add_argument("png")
    ap.add_argument("--title", default="petal-train-dcdm")
    a = ap.parse_args()
    rows = read(a.csv)
    epochs = [r["epoch"] for r in rows]
    train = [(r["epoch"], r["train_loss"]) for r in rows if not math.isnan(r["train_loss"])]
    minutes = sum(r["seconds"] for r in rows) / 60

    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    if train:
        ax.plot([e for e, _ in train], [l for _, l in train], "o-", label="training (mean over the epoch)")
    ax.plot(epochs, [r["val_loss"] for r in rows], "s-", label="validation (held out, after the epoch)")
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(r"loss  mean $\|b - \frac{f^Tb}{f^TAf} A f\|^2$")
    ax.set_title(f"{a.title}\n{minutes:.1f} min of training and validation", fontsize=9)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(a.png)
    print(f"wrote {a.png}: {len(rows)} rows, final validation loss {rows[-1]['val_loss']:.4g}")


if __name__ == "__main__":
    main()
