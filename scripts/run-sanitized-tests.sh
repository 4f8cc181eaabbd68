#!/usr/bin/env bash
# The sanitizer pass of the test suite: builds petal with -fsanitize=address,undefined in build-sanitize/ (or
# $PETAL_SANITIZE_BUILD_DIR) and runs ctest there. LeakSanitizer runs too, with OpenMPI's own allocations at exit
# suppressed by tests/sanitizers/lsan.supp (nothing else is). Extra arguments go to ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${PETAL_SANITIZE_BUILD_DIR:-$root/build-sanitize}
# Build type Sanitize (CMakeLists.txt): -O1 -g1, fast enough to build and run within CI's budget, with file:line
# in every report. The libtorch trainer is left out of this pass (libtorch is not built with the sanitizers, and its
# tests take minutes under them); the release pass runs them.
PETAL_BUILD_DIR=$build PETAL_BUILD_TYPE=Sanitize PETAL_CMAKE_ARGS="-DPETAL_SANITIZE=address,undefined -DPETAL_WITH_TORCH=OFF" "$root/scripts/build.sh"
export ASAN_OPTIONS="detect_leaks=1:fast_unwind_on_malloc=0:detect_stack_use_after_return=0:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0"
cd "$build"
# Tests labelled "repeat" run another test's code paths at a larger rank count (4-rank failure tests, 2-rank
# studies), and "sanitizer_skip" ones (end-to-end solves that take minutes under ASan); the release pass runs
# them, this one leaves them out to stay within CI's time.
ctest --output-on-failure -j "${PETAL_TEST_JOBS:-2}" --timeout 1200 -LE "repeat|sanitizer_skip" "$@"
