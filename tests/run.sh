#!/bin/sh
# Runs the whole suite in each build directory given (plain, then ASan+UBSan)
# and ends with the one line CI reads: "N passed, N failed".
passed=0; failed=0
for b in "$@"; do
  echo "== tests in $b"
  rm -f "$b/meson-logs/testlog.json"
  meson test -C "$b" --num-processes 2 --print-errorlogs >"$b/test-output.txt" 2>&1
  grep -E '^ *[0-9]+/[0-9]+ ' "$b/test-output.txt" | grep -vE ' (OK|SKIP) ' | head -40
  counts=$(python3 - "$b/meson-logs/testlog.json" <<'PY'
import json, sys
ok = bad = 0
try:
    for line in open(sys.argv[1]):
        r = json.loads(line)
        if r.get("result") in ("OK", "EXPECTEDFAIL", "SKIP"):
            ok += 1
        else:
            bad += 1
except OSError:
    bad = 1          # meson test did not even start
print(ok, bad)
PY
)
  ok=${counts% *}; bad=${counts#* }
  echo "   $b: $ok passed, $bad failed (details: $b/test-output.txt)"
  passed=$((passed + ok)); failed=$((failed + bad))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
