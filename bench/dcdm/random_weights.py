#!/usr/bin/env python3
"""Writes a DCDM weights file (petal-dcdm-weights v1, preconditioners/dcdm/README.md) with random He-scaled
kernels and zero biases: an untrained network, to exercise petal-poisson and bench_dcdm.py before trained weights
exist. It is not a preconditioner anyone should use.
Usage: random_weights.py OUT.h5 [--arch from64|from128] [--seed S]"""
import argparse

import h5py
import numpy as np

PAIRS = {"from64": (2, 3, 2), "from128": (3, 5, 3)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--arch", default="from64", choices=sorted(PAIRS))
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    fine, coarse, up = PAIRS[a.arch]
    c = 16
    rng = np.random.default_rng(a.seed)
    shapes = [(3, 1, c)] + [(3, c, c)] * (2 * (fine + coarse + up)) + [(1, c, 1)]
    with h5py.File(a.out, "w") as f:
        f.attrs["petal_format"] = np.bytes_("petal-dcdm-weights")
        f.attrs["petal_format_version"] = np.int32(1)
        g = f.create_group("dcdm")
        for k, v in {"arch": a.arch, "input_norm": "l2", "train_matrix": "none (random weights)",
                     "command": "bench/dcdm/random_weights.py"}.items():
            g.attrs[k] = np.bytes_(v)
        for k, v in {"channels": c, "fine_pairs": fine, "coarse_pairs": coarse, "up_pairs": up, "kernel": 3}.items():
            g.attrs[k] = np.int32(v)
        for n, (k, cin, cout) in enumerate(shapes):
            conv = g.create_group(f"conv{n:02d}")
            std = np.sqrt(2.0 / (k ** 3 * cin))
            conv.create_dataset("kernel", data=(std * rng.standard_normal((k, k, k, cin, cout))).astype(np.float32))
            conv.create_dataset("bias", data=np.zeros(cout, dtype=np.float32))


if __name__ == "__main__":
    main()
