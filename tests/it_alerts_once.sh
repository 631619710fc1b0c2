#!/usr/bin/env bash
# failing: {after: 3} when mc runs from cron as `mc fetch --once`: every run
# is a new process, so the count of consecutive failures must carry over
# from the cache (source_state) instead of starting at 0 each time. Three
# failed runs raise the alert; a good run resets the count and clears it.
. "$(dirname "$0")/lib.sh"
cat > "$T/mc.yaml" <<YAML
cache: $T/cache.db
log: $T/mc.log
alerts:
  rules: {failing: {after: 3}, stale: off}
sources:
  - {id: hand, kind: jsonl, path: "$T/missing.jsonl"}
YAML
fails() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select consecutive_failures from source_state where source=?", ("hand",)).fetchone()[0])' "$T/cache.db"; }
failing() { "$MC" -c "$T/mc.yaml" alerts --json 2>/dev/null | grep -c '"failing:hand"'; }
"$MC" -c "$T/mc.yaml" fetch --once >/dev/null 2>&1
"$MC" -c "$T/mc.yaml" fetch --once >/dev/null 2>&1
check "two failed runs: no failing alert yet" [ "$(failing)" = 0 ]
check "source_state counts 2 consecutive failures" \
  [ "$(fails)" = 2 ]
"$MC" -c "$T/mc.yaml" fetch --once >/dev/null 2>&1
check "the third failed run raises failing:hand" [ "$(failing)" = 1 ]
echo '{"id":"a","from":"x","to":"Apple","type":"blocker","description":"d"}' > "$T/missing.jsonl"
"$MC" -c "$T/mc.yaml" fetch --once >/dev/null 2>&1
check "a good run resets the count" \
  [ "$(fails)" = 0 ]
check "and clears the alert" [ "$(failing)" = 0 ]
finish
