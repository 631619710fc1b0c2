#!/usr/bin/env bash
# Two mc processes sharing one cache: each source is fetched once per
# interval (the lease), and neither ever sees "database is locked".
. "$(dirname "$0")/lib.sh"
cat > "$T/count.sh" <<'SH'
#!/bin/sh
# records each run (ms since epoch and the parent mc's pid), prints no rows
echo "$(date +%s%3N) $PPID" >> "$1"
echo '[]'
SH
chmod +x "$T/count.sh"
cat > "$T/mc.yaml" <<YAML
cache: $T/cache.db
log: $T/mc.log
sources:
  - id: counter
    kind: command
    argv: ["$T/count.sh", "$T/runs.txt"]
    feeds: activity
    every: 1s
    jitter: 0
YAML
"$MC" -c "$T/mc.yaml" fetch --daemon 2>"$T/a.err" & A=$!
"$MC" -c "$T/mc.yaml" fetch --daemon 2>"$T/b.err" & B=$!
on_exit "kill $A $B 2>/dev/null; wait $A $B 2>/dev/null"
# run until 8 fetches have happened in total
check "the source is being fetched" wait_until 30 sh -c "[ -f '$T/runs.txt' ] && [ \$(wc -l < '$T/runs.txt') -ge 8 ]"
kill -TERM $A $B; wait $A $B 2>/dev/null
check "both daemons exit on SIGTERM" sh -c "! kill -0 $A 2>/dev/null && ! kill -0 $B 2>/dev/null"
# consecutive fetches are at least 0.9 s apart (the lease covers 90% of the
# interval), whichever process made them: once per interval, never twice
check "each interval is fetched once, not once per process" python3 - "$T/runs.txt" <<'PY'
import sys
t = [int(l.split()[0]) for l in open(sys.argv[1]) if l.strip()]
t.sort()
gaps = [b - a for a, b in zip(t, t[1:])]
assert len(t) >= 8, t
assert min(gaps) >= 850, gaps
PY
check "no 'database is locked' anywhere" sh -c "! grep -qi 'locked' '$T/a.err' '$T/b.err' '$T/mc.log' 2>/dev/null"
"$MC" -c "$T/mc.yaml" snapshot --json > "$T/s.json"
check "status shows the source healthy" python3 -c "
import json,sys; d=json.load(open(sys.argv[1])); s=d['sources'][0]
assert s['id']=='counter' and s['ok'] and s['consecutive_failures']==0, s" "$T/s.json"
finish
