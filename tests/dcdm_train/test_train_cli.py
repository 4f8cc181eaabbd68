#!/usr/bin/env python3
"""petal-train-dcdm end to end: a 2-epoch 8^3 run writes a weights file (the training info in its attributes), the
loss CSV (plotted by drivers/dcdm_train/plot_loss.py) and a checkpoint that -resume continues; -help lists the
options; bad options and an unwritable output fail at once with the message and leave no file; two ranks refuse.

usage: test_train_cli.py PETAL_TRAIN_DCDM PLOT_LOSS_PY   (environment: MPIEXEC, PETAL_MPI_ENV via ctest)"""
import csv
import os
import subprocess
import sys
import tempfile

import h5py

exe, plot = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(args, np=1, cwd=None):
    cmd = [os.environ.get("MPIEXEC", "mpiexec"), "-n", str(np), exe] + args if np > 1 else [exe] + args
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout + p.stderr


base = ["-n", "8", "-arch", "custom", "-channels", "4", "-lanczos_steps", "60", "-samples", "40", "-validation", "10",
        "-lr", "1e-3", "-threads", "1", "-seed", "3"]
tiny = base + ["-epochs", "2"]

with tempfile.TemporaryDirectory() as d:
    rc, out = run(tiny + ["-o", "w.h5", "-checkpoint", "w.ckpt", "-loss_csv", "loss.csv"], cwd=d)
    check(rc == 0, f"tiny run exit {rc}: {out}")
    check("epoch    2/2" in out, "progress line of epoch 2 printed")
    with h5py.File(os.path.join(d, "w.h5"), "r") as f:
        a = f["dcdm"].attrs
        check(int(a["trained_N"]) == 8 and int(a["epochs"]) == 2 and int(a["samples"]) == 40, "training info in the file")
        check(a["train_matrix"] in (b"neumann-box", "neumann-box"), "train_matrix attribute")
        cmd = a["command"].decode() if isinstance(a["command"], bytes) else a["command"]
        check(cmd.startswith("petal-train-dcdm ") and "-channels 4" in cmd, f"command recorded: {cmd}")
        check(f["dcdm/conv00/kernel"].shape == (3, 3, 3, 1, 4), "conv00 kernel shape (Keras order)")
    rows = list(csv.DictReader(open(os.path.join(d, "loss.csv"))))
    check([int(r["epoch"]) for r in rows] == [0, 1, 2], "loss CSV has epochs 0..2")
    check(float(rows[2]["val_loss"]) < float(rows[0]["val_loss"]), "validation loss went down")

    p = subprocess.run([sys.executable, plot, os.path.join(d, "loss.csv"), os.path.join(d, "loss.png")], capture_output=True, text=True)
    check(p.returncode == 0, f"plot_loss.py: {p.stderr}")
    check(os.path.exists(os.path.join(d, "loss.png")) and open(os.path.join(d, "loss.png"), "rb").read(8) == b"\x89PNG\r\n\x1a\n", "loss.png is a PNG")

    rc, out = run(base + ["-epochs", "3", "-resume", "w.ckpt", "-checkpoint", "w.ckpt", "-o", "w.h5", "-loss_csv", "loss.csv"], cwd=d)
    check(rc == 0 and "resumed w.ckpt at epoch 2" in out, f"resume: {out[-500:]}")
    rows = list(csv.DictReader(open(os.path.join(d, "loss.csv"))))
    check([int(r["epoch"]) for r in rows] == [0, 1, 2, 3], "resumed loss CSV continues to epoch 3")
    with h5py.File(os.path.join(d, "w.h5"), "r") as f:
        check(int(f["dcdm"].attrs["epochs"]) == 3, "resumed file says 3 epochs")

    rc, out = run(["-help"], cwd=d)
    for opt in ["-arch", "-channels", "-n ", "-train_matrix", "-lanczos_steps", "-ritz_theta", "-samples", "-epochs", "-batch", "-lr", "-seed",
                "-threads", "-o ", "-checkpoint", "-resume", "-loss_csv"]:
        check(opt in out, f"-help lists {opt}")

    for args, msg in [(["-n", "7", "-o", "bad.h5"], "must be even"), (["-o", "nowhere/w.h5"], "nowhere/w.h5"),
                      (["-arch", "from64", "-channels", "8", "-o", "bad.h5"], "need -arch custom"), (["-resume", "missing.ckpt", "-o", "bad.h5"], "missing.ckpt")]:
        rc, out = run(args, cwd=d)
        check(rc != 0 and msg in out, f"{args}: exit {rc}, expected '{msg}' in: {out[-400:]}")
        check(not os.path.exists(os.path.join(d, "bad.h5")) and not os.path.exists(os.path.join(d, "bad.h5.tmp")), f"{args}: no output left")

    rc, out = run(tiny + ["-o", "two.h5"], np=2, cwd=d)
    check(rc != 0 and "one MPI rank" in out and not os.path.exists(os.path.join(d, "two.h5")), f"2 ranks refused: {out[-400:]}")

print("FAILED" if failures else "OK", len(failures))
sys.exit(1 if failures else 0)
