#!/bin/sh
# run.sh — builds and runs the libFuzzer harnesses of tests/fuzz.
#
#   sh tests/fuzz/run.sh fuzz      each harness for FUZZ_SECONDS (default 60)
#                                  seconds, one at a time (make fuzz)
#   sh tests/fuzz/run.sh regress   each harness over its seed corpus only, a
#                                  few seconds in all (make test)
#
# Builds into FUZZ_BUILD (default build-fuzz: CC=clang, -Dfuzz=true, ASan and
# UBSan). FUZZ_ONLY="jsonl text" limits the run to those harnesses. Fuzzing
# keeps what it learns in FUZZ_BUILD/fuzz-work/NAME/corpus, starts from
# tests/fuzz/corpus/NAME with tests/fuzz/dict/NAME.dict, and stops at the
# first crash, printing the reproducer's path (copy it into
# tests/fuzz/corpus/NAME once the bug is fixed: regress runs it from then on).
# The last line is always "N harnesses, R runs, C crashes"; exit 1 on a crash
# or a failed build. Without clang it prints "SKIP: ..." and exits 77.
set -u
mode=${1:-fuzz}
case $mode in fuzz|regress) ;; *) echo "usage: $0 fuzz|regress" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD:-build-fuzz}
case $build in /*) ;; *) build=$root/$build ;; esac
seconds=${FUZZ_SECONDS:-60}

if ! command -v clang >/dev/null 2>&1; then
  echo "SKIP: clang is not installed (apt-get install clang): no fuzz harness ran"
  echo "0 harnesses, 0 runs, 0 crashes"
  exit 77
fi
if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" -Dwerror=true -Dfuzz=true -Db_sanitize=address,undefined \
    -Db_lundef=false -Dbuildtype=debugoptimized >"$build.setup.log" 2>&1 || {
    cat "$build.setup.log" >&2; echo "0 harnesses, 0 runs, 1 crashes"; exit 1; }
  rm -f "$build.setup.log"
fi
if ! meson compile -C "$build" fuzz >"$build/fuzz-build.log" 2>&1; then
  tail -30 "$build/fuzz-build.log" >&2
  echo "fuzz build failed (log: $build/fuzz-build.log)"
  echo "0 harnesses, 0 runs, 1 crashes"
  exit 1
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export LSAN_OPTIONS=suppressions=$root/tests/lsan.supp
names=${FUZZ_ONLY:-$(cd "$here" && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')}
n=0; runs=0; crashes=0
for name in $names; do
  exe=$build/tests/fuzz/fuzz_$name
  seeds=$here/corpus/$name
  work=$build/fuzz-work/$name
  mkdir -p "$work/corpus"
  rm -f "$work/log"
  n=$((n + 1))
  if [ "$mode" = regress ]; then
    (cd "$work" && "$exe" -runs=0 -print_final_stats=1 -rss_limit_mb=2048 -artifact_prefix="$work/" "$seeds") >"$work/log" 2>&1
  else
    (cd "$work" && "$exe" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 \
      -rss_limit_mb=2048 -max_len=65536 -dict="$here/dict/$name.dict" \
      -artifact_prefix="$work/" "$work/corpus" "$seeds") >"$work/log" 2>&1
  fi
  rc=$?
  r=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  runs=$((runs + ${r:-0}))
  if [ "$rc" -ne 0 ]; then
    crashes=$((crashes + 1))
    repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$work/log" | tail -1)
    grep -E 'ERROR|SUMMARY|runtime error|abort|==[0-9]+==' "$work/log" | head -8
    echo "CRASH fuzz_$name (exit $rc): reproducer ${repro:-unknown (a seed: run $exe $seeds/*)}; log $work/log"
    break
  fi
  echo "fuzz_$name: ${r:-0} runs, ok"
done
echo "$n harnesses, $runs runs, $crashes crashes"
[ "$crashes" -eq 0 ]
