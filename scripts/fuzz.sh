#!/usr/bin/env bash
# The long fuzz run: every reader of petal (tests/fuzz/fuzz_readers.cpp) for SECONDS seconds per reader and seed,
# over several seeds, on 1 and 2 ranks. An input that crashes or hangs a reader is copied to
# tests/fuzz/regressions/<reader>/ (where ctest's fuzz.regressions tests replay it) and the run goes on with
# the next seed; the script fails if any input did.
#   scripts/fuzz.sh [BUILD] [SECONDS per reader and seed, default 60] [SEEDS, default "11 12 13 14"]
# A sanitizer build (PETAL_SANITIZE=address,undefined, e.g. build-sanitize/) also catches memory errors that do
# not crash.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
seconds=${2:-60}
seeds=${3:-"11 12 13 14"}
exe=$build/tests/fuzz/fuzz_readers
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:fast_unwind_on_malloc=0}
failed=0
for np in 1 2; do
  for seed in $seeds; do
    echo "== $np rank(s), seed $seed, ${seconds} s per reader"
    if ! mpiexec -n "$np" "$exe" -fuzz_corpus "$root/tests/fuzz/corpus" -fuzz_work "$work" -fuzz_seed "$seed" \
         -fuzz_seconds "$seconds" > "$work/log" 2>&1; then
      failed=1
      tail -n 30 "$work/log"
      if [ -f "$work/current.txt" ]; then
        read -r reader _ < "$work/current.txt"
        input=$(ls "$work"/current.* | grep -v '\.txt$' | head -1)
        dest=$root/tests/fuzz/regressions/$reader/seed${seed}_np${np}_$(date +%s)${input##*/current}
        mkdir -p "$(dirname "$dest")"
        cp "$input" "$dest"
        echo "kept the failing input as ${dest#$root/} ($(cat "$work/current.txt"))"
      fi
    else
      cat "$work/log"
    fi
  done
done
exit $failed
