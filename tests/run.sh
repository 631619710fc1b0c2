#!/bin/sh
# Runs the suite in each build directory given and ends with the one line CI
# reads: "N passed, N failed, N skipped" (.ci/run matches "N passed, N failed"
# with the optional ", N skipped"), always the last line.
#   tests/run.sh build build-asan build-tsan:threads fuzz
# DIR:SUITE runs only that meson suite there (the ThreadSanitizer build runs
# the tests that start threads, suite 'threads' in tests/meson.build).
# A test that exits 77 is a skip: it is listed with its reason and counted
# apart, never as passed. The word `fuzz` runs the fuzz harnesses over their
# seeds (tests/fuzz/run.sh regress), each harness one test.
passed=0; failed=0; skipped=0
for arg in "$@"; do
  if [ "$arg" = fuzz ]; then
    # the libFuzzer harnesses over their seed corpora (tests/fuzz/run.sh
    # regress, build-fuzz): one test per harness; no clang is one skip
    echo "== fuzz harnesses over their seed corpora"
    out=$(sh "$(dirname "$0")/fuzz/run.sh" regress 2>&1); rc=$?
    ok=$(printf '%s\n' "$out" | grep -c '^fuzz_.*runs, ok$')
    bad=0; skip=0
    if [ "$rc" -eq 77 ]; then
      skip=1; printf '%s\n' "$out" | grep '^SKIP' | sed 's/^/   /'
    elif [ "$rc" -ne 0 ]; then
      bad=1; printf '%s\n' "$out" | tail -12
    fi
    echo "   fuzz: $ok passed, $bad failed, $skip skipped"
    passed=$((passed + ok)); failed=$((failed + bad)); skipped=$((skipped + skip))
    continue
  fi
  b=${arg%%:*}; suite=
  [ "$b" = "$arg" ] || suite=${arg#*:}
  echo "== tests in $b${suite:+ (suite $suite)}"
  rm -f "$b/meson-logs/testlog.json"
  meson test -C "$b" ${suite:+--suite "$suite"} --num-processes 2 --print-errorlogs \
    >"$b/test-output.txt" 2>&1
  grep -E '^ *[0-9]+/[0-9]+ ' "$b/test-output.txt" | grep -vE ' (OK|SKIP) ' | head -40
  counts=$(python3 - "$b/meson-logs/testlog.json" <<'PY'
import json, sys
ok = bad = skip = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line)
        res = r.get("result")
        if res in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif res == "SKIP":
            skip += 1
            # the test's last words say why (tests print "SKIP: reason")
            why = [l for l in (r.get("stdout") or "").splitlines() + (r.get("stderr") or "").splitlines()
                   if "skip" in l.lower()]
            print("   SKIP %s: %s" % (r.get("name"), why[-1].strip() if why else "(no reason given)"),
                  file=sys.stderr)
        else:
            bad += 1
except OSError:
    bad = 1          # meson test did not even start
print(ok, bad, skip)
PY
)
  read -r ok bad skip <<EOF
$counts
EOF
  echo "   $b: $ok passed, $bad failed, $skip skipped (details: $b/test-output.txt)"
  passed=$((passed + ok)); failed=$((failed + bad)); skipped=$((skipped + skip))
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
