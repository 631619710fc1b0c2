#!/usr/bin/env bash
# A FIFO where a data file is expected (jsonl, markdown_tasks, json_file, a
# json_file glob, a cron log): `mc fetch --once` and `mc check` return at
# once with "FILE: not a regular file" instead of waiting forever for a
# writer, and `mc resolve` of a jsonl/markdown source whose file became a
# FIFO fails without blocking. (The dashboard's q with a FIFO source is in
# it_screen_fifo.sh.)
. "$(dirname "$0")/lib.sh"
D="$T/data"
mkdir -p "$D/logs"
mkfifo "$D/handoffs.jsonl" "$D/tasks.md" "$D/projects.json" "$D/logs/job.log"
cat > "$T/mc.yaml" <<YAML
cache: $T/cache.db
log: $T/mc.log
sources:
  - {id: hand, kind: jsonl, path: "$D/handoffs.jsonl"}
  - {id: tasks, kind: markdown_tasks, path: "$D/tasks.md"}
  - {id: proj, kind: json_file, path: "$D/projects.json", feeds: projects}
  - {id: glob, kind: json_file, path: "$D/*.json", feeds: projects}
  - {id: crons, kind: cron_logs, path: "$D/logs"}
YAML
start=$(date +%s%N)
timeout 20 "$MC" -c "$T/mc.yaml" fetch --once >"$T/out" 2>&1
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check "fetch --once returns (rc $rc, not the timeout's 124)" [ "$rc" -ne 124 ]
check "fetch --once returns within 5 s (took ${ms} ms)" [ "$ms" -lt 5000 ]
for f in handoffs.jsonl tasks.md projects.json; do
  check "$f: not a regular file" grep -q "$D/$f: not a regular file" "$T/out"
done
check "the glob names the FIFO it met" grep -q "^glob: .*projects.json: not a regular file" "$T/out"
check "a FIFO in a cron log directory is skipped, not read" sh -c "! grep -q '^crons: error' '$T/out'"

timeout 20 "$MC" -c "$T/mc.yaml" check >"$T/check" 2>&1
rc=$?
check "check returns (rc $rc)" [ "$rc" -eq 1 ]
check "check shows the FIFO error" grep -q "tasks.md: not a regular file" "$T/check"

# write-back: the files were regular when read, a FIFO when resolved
rm -f "$D/handoffs.jsonl" "$D/tasks.md"
printf '{"id":"h1","ts":"2026-11-21T09:00:00Z","from":"bot","to":"Apple","type":"blocker","summary":"x","action_needed":true}\n' >"$D/handoffs.jsonl"
printf '# P\n- [ ] BLOCKED sign needs Apple\n' >"$D/tasks.md"
"$MC" -c "$T/mc.yaml" fetch --once >/dev/null 2>&1
keys=$(python3 - "$T/cache.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for src, key in db.execute("select source, key from blockers where source in ('hand','tasks') order by source"):
    print(src + ":" + key)
PY
)
check "both blockers were read (got: $keys)" [ "$(echo "$keys" | grep -c .)" -eq 2 ]
rm -f "$D/handoffs.jsonl" "$D/tasks.md"
mkfifo "$D/handoffs.jsonl" "$D/tasks.md"
for k in $keys; do
  timeout 20 "$MC" -c "$T/mc.yaml" resolve "$k" >"$T/res" 2>&1
  rc=$?
  check "resolve ${k%%:*} returns (rc $rc, not the timeout's 124)" [ "$rc" -ne 124 ]
  check "resolve ${k%%:*} says not a regular file" grep -q "not a regular file" "$T/res"
done
finish
