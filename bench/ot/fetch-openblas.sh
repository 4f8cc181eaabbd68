#!/usr/bin/env bash
# Unpacks Debian's OpenBLAS (libopenblas0-pthread) into a private folder without installing anything
# (apt-get download + dpkg -x), for the POT side of bench/ot/bench_ot.py: numpy on these machines otherwise
# runs on the reference BLAS (DGEMM ~4 GFLOP/s instead of ~105), which is not what POT's users run.
# Idempotent. Prints the folder that holds libblas.so.3, for --openblas:
#
#   /usr/bin/python3 bench/ot/bench_ot.py --petal build/drivers/ot/petal-ot --openblas "$(bench/ot/fetch-openblas.sh)"
set -euo pipefail
dir=$(mkdir -p "${1:-build/openblas}" && cd "${1:-build/openblas}" && pwd)
lib="$dir/root/usr/lib/$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)/openblas-pthread"
if [ ! -e "$lib/libblas.so.3" ]; then
  (cd "$dir" && apt-get download libopenblas0-pthread >&2 && dpkg -x libopenblas0-pthread_*.deb root)
fi
[ -e "$lib/libblas.so.3" ] || { echo "fetch-openblas: no libblas.so.3 under $lib" >&2; exit 1; }
echo "$lib"
