#!/bin/sh
# Builds and runs the SOR benchmark (Kokkos multicolor SOR vs MatSOR) and records the results.
#   bench/sor/run.sh [petal build dir (default: build)] [extra options for bench_sor]
# Output: bench/sor/results-<host>-np<N>.md (table + provenance). NP=2 bench/sor/run.sh for 2 ranks.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${1:-$src/build}
[ $# -gt 0 ] && shift
build=$(cd "$build" && pwd)
np=${NP:-1}
bdir=$build/bench-sor
cmake -S "$here" -B "$bdir" -DPETAL_BUILD_DIR="$build" >/dev/null
make -C "$bdir" --no-print-directory >/dev/null
out=$here/results-$(hostname)-np$np.md
{
  echo "<!-- $(date -u +%Y-%m-%dT%H:%M:%SZ) git $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$src" diff --quiet 2>/dev/null || echo '+dirty') $(uname -m) $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2) -->"
  echo "<!-- mpiexec -n $np bench_sor -n 400 $* -->"
  OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpiexec --oversubscribe -n "$np" "$bdir/bench_sor" -n 400 "$@"
} | tee "$out"
echo "written: $out" >&2
