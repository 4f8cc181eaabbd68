#!/usr/bin/env bash
# Set up, build, and run the whole test suite (ctest; MPI tests run under mpiexec -n 2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PETAL_BUILD_DIR:-$root/build}
"$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j "${PETAL_TEST_JOBS:-2}" "$@"
