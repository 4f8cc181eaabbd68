#!/bin/bash
# Held-out check of the Tsallis-INF estimator's shift window and gate (docs/benchmarks.md, "Bandit SOR"):
# sequences other than the ones the defaults were chosen on (synthetic with instance seed 7; heat at n_x = 50;
# heat at n_x = 100 with dt = 2e-3), each run with the defaults (window 32, soft gate 1/4) and with PCGBandit's
# estimator (window 0 = constant shift B = 1, hard gate 1), 40 learner seeds replayed on the cost table.
#
#   bench/relax/heldout.sh [BUILD_DIR] [OUT_DIR]
#
# About 15 minutes on a 2-core machine. Prints one line per sequence, estimator and learner.
set -euo pipefail
BUILD=${1:-build}
OUT=${2:-$BUILD/bench-relax-heldout}
RELAX=$BUILD/drivers/relax/petal-relax
[ -x "$RELAX" ] || { echo "no $RELAX: build petal first" >&2; exit 1; }
mkdir -p "$OUT"
export OMP_NUM_THREADS=1
CONSTANT=()
for l in tsallis tsallis_cb; do
  CONSTANT+=(-relax_${l}_pc_banditsor_tsallis_shift_window 0 -relax_${l}_pc_banditsor_tsallis_shift_gate 1 -relax_${l}_pc_banditsor_tsallis_shift_soft_gate false)
done
COMMON=(-relax_learners tsallis,tsallis_cb -relax_run_best_fixed false -relax_baselines none -relax_replay_seeds 40)

run() { # name, args...
  local name=$1; shift
  "$RELAX" "$@" "${COMMON[@]}" > "$OUT/$name.default.txt"
  "$RELAX" "$@" "${COMMON[@]}" "${CONSTANT[@]}" > "$OUT/$name.constant.txt"
  for est in default constant; do
    grep "^replayed on the table" "$OUT/$name.$est.txt" | sed "s/^/$name, $est estimator: /"
  done
}

run synthetic_high_seed7 -relax_sequence synthetic -relax_instances 5000 -relax_seed 7
run synthetic_low_seed7 -relax_sequence synthetic -relax_instances 5000 -relax_seed 7 -relax_synthetic_low_variance
run heat_nx50 -relax_sequence heat -relax_heat_nx 50 -relax_instances 5000 -relax_context_transform log
run heat_nx100_dt2e-3 -relax_sequence heat -relax_heat_nx 100 -relax_heat_dt 2e-3 -relax_instances 2500 -relax_context_transform log
