#!/usr/bin/env bash
# Set up, build, and run the whole test suite twice: ctest over the release build (build/), then again over a
# sanitizer build (build-sanitize/: AddressSanitizer + UndefinedBehaviorSanitizer on the library, drivers and
# tests; the first report fails its test). MPI tests run under mpiexec -n 2 (and 4 where a test says so).
# Extra arguments go to both ctest runs (e.g. -R heat). PETAL_SANITIZE=0 skips the sanitizer pass.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PETAL_BUILD_DIR:-$root/build}
jobs=${PETAL_TEST_JOBS:-2}
"$root/scripts/build.sh"
(cd "$build" && ctest --output-on-failure -j "$jobs" "$@")
[ "${PETAL_SANITIZE:-1}" = 0 ] && exit 0
"$root/scripts/run-sanitized-tests.sh" "$@"
