#!/bin/bash
# Bandit SOR benchmarks (docs/benchmarks.md, section "Bandit SOR"): petal-relax on the paper's synthetic
# sequences (high and low variance, T = 5000) and on the heat sequence (nx = 100, 5000 steps, with the PETSc
# baselines), each writing JSON + PNG, then the markdown tables with the targets checked.
#
#   bench/relax/run.sh [BUILD_DIR] [OUT_DIR] [--quick] [--seeds]
#
# BUILD_DIR (default build) holds drivers/relax/petal-relax; OUT_DIR (default BUILD_DIR/bench-relax) gets
# synthetic_high.{json,png,txt}, synthetic_low.*, heat.*, summary.md. --quick: T = 1000 and heat T = 1000 (the
# heat sequence is periodic with period 1000 steps). --seeds: also synthetic runs with seeds 1..4 (the spread of
# the learners; these runs take about as long as the seed-0 ones each). Times: about 1 min per synthetic run and
# 20 min for the heat run on a 2-core machine.
set -euo pipefail
BUILD=${1:-build}
OUT=${2:-$BUILD/bench-relax}
shift $(( $# < 2 ? $# : 2 )) || true
QUICK=0
SEEDS=0
for a in "$@"; do
  case $a in
    --quick) QUICK=1 ;;
    --seeds) SEEDS=1 ;;
    *) echo "unknown argument $a" >&2; exit 2 ;;
  esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
RELAX=$BUILD/drivers/relax/petal-relax
PY=/usr/bin/python3
[ -x "$RELAX" ] || { echo "no $RELAX: build petal first" >&2; exit 1; }
mkdir -p "$OUT"
export OMP_NUM_THREADS=1 # hypre
T=5000
[ $QUICK = 1 ] && T=1000

run() { # name, args...
  local name=$1; shift
  echo "== $name: petal-relax $*"
  "$RELAX" "$@" -relax_progress 1000 -json "$OUT/$name.json" | tee "$OUT/$name.txt"
  $PY "$HERE/plot.py" "$OUT/$name.json" "$OUT/$name.png"
}

run synthetic_high -relax_sequence synthetic -relax_instances $T -relax_seed 0 -relax_replay_seeds 10
run synthetic_low -relax_sequence synthetic -relax_instances $T -relax_seed 0 -relax_synthetic_low_variance -relax_replay_seeds 10
run heat -relax_sequence heat -relax_heat_nx 100 -relax_instances $T -relax_context_transform log -relax_replay_seeds 10
files=("$OUT/synthetic_high.json" "$OUT/synthetic_low.json" "$OUT/heat.json")
if [ $SEEDS = 1 ]; then
  for seed in 1 2 3 4; do
    run synthetic_high_seed$seed -relax_sequence synthetic -relax_instances $T -relax_seed $seed -relax_run_best_fixed false
    run synthetic_low_seed$seed -relax_sequence synthetic -relax_instances $T -relax_seed $seed -relax_synthetic_low_variance -relax_run_best_fixed false
    files+=("$OUT/synthetic_high_seed$seed.json" "$OUT/synthetic_low_seed$seed.json")
  done
fi
$PY "$HERE/summarize.py" "${files[@]}" | tee "$OUT/summary.md"
