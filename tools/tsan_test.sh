#!/bin/sh
# Runs one test under ThreadSanitizer (the build-tsan suite, tests/meson.build)
# and fails it when any process it started reported a race, a lock-order
# inversion or a thread leak. The reports go to files (log_path), not to the
# test's stderr, because a dashboard under test draws into tmux: a report on
# its stderr would only garble the screen. A report is printed, then the test
# fails, whatever the test itself concluded.
#   tools/tsan_test.sh REPORT_DIR SUPPRESSIONS PROGRAM [ARGS...]
dir=$1; supp=$2; shift 2
rm -rf "$dir"
mkdir -p "$dir" || exit 1
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 exitcode=66 log_path=$dir/tsan suppressions=$supp${TSAN_EXTRA:+ $TSAN_EXTRA}"
export TSAN_OPTIONS
# Some kernels randomize mmap with more bits than TSan's shadow layout allows
# ("FATAL: ThreadSanitizer: unexpected memory mapping"): without address-space
# randomization (setarch -R, inherited by every child) it always runs.
norand=
if setarch "$(uname -m)" -R true 2>/dev/null; then
  norand="setarch $(uname -m) -R"
fi
$norand "$@"
rc=$?
reports=$(ls "$dir" 2>/dev/null)
if [ -n "$reports" ]; then
  for f in "$dir"/*; do
    echo "---- ThreadSanitizer report $f" >&2
    cat "$f" >&2
  done
  echo "FAIL: ThreadSanitizer reported in $(echo "$reports" | wc -l) process(es)" >&2
  exit 1
fi
exit "$rc"
