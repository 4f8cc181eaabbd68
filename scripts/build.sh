#!/usr/bin/env bash
# Installs dependencies (Debian 12 packages) and builds petal in build/ (or $PETAL_BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PETAL_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=${PETAL_BUILD_TYPE:-Release} >/dev/null
cmake --build "$build" -j "$(nproc)"
