#!/usr/bin/env bash
# Installs dependencies (Debian 12 packages) and builds petal in build/ (or $PETAL_BUILD_DIR).
# PETAL_BUILD_TYPE (default Release) and PETAL_CMAKE_ARGS (extra configure arguments) shape the build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PETAL_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
# shellcheck disable=SC2086 # PETAL_CMAKE_ARGS is a list of arguments
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=${PETAL_BUILD_TYPE:-Release} ${PETAL_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)"
