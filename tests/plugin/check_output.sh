#!/usr/bin/env bash
# Runs a command and checks its exit status and its output (stdout and stderr together), so that a test fails
# when it should: unlike PASS_REGULAR_EXPRESSION, every --expect string must be present, every --reject
# string absent, and the exit status must match.
#
#   check_output.sh [--expect STR]... [--reject STR]... [--expect-failure] -- command [args...]
#
# Strings are matched literally (grep -F). Without --expect-failure the command must exit 0; with it, it
# must exit non-zero. The command's output is echoed so that ctest's log shows it.
set -u
expect=() reject=() want_failure=0
while [ $# -gt 0 ]; do
  case "$1" in
    --expect) expect+=("$2"); shift 2 ;;
    --reject) reject+=("$2"); shift 2 ;;
    --expect-failure) want_failure=1; shift ;;
    --) shift; break ;;
    *) echo "check_output.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
[ $# -gt 0 ] || { echo "check_output.sh: no command given" >&2; exit 2; }

echo "check_output.sh: running: $*"
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
echo "check_output.sh: exit status $rc"

fail=0
if [ "$want_failure" = 1 ]; then
  [ "$rc" -ne 0 ] || { echo "FAIL: the command succeeded but was expected to fail"; fail=1; }
else
  [ "$rc" -eq 0 ] || { echo "FAIL: the command exited with status $rc"; fail=1; }
fi
for s in ${expect[@]+"${expect[@]}"}; do
  if printf '%s\n' "$out" | grep -qF -- "$s"; then echo "ok: found '$s'"; else echo "FAIL: missing '$s'"; fail=1; fi
done
for s in ${reject[@]+"${reject[@]}"}; do
  if printf '%s\n' "$out" | grep -qF -- "$s"; then echo "FAIL: found '$s', which must not appear"; fail=1; else echo "ok: no '$s'"; fi
done
[ "$fail" = 0 ] && echo "check_output.sh: PASS" || echo "check_output.sh: FAILED"
exit "$fail"
