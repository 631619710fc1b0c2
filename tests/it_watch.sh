#!/usr/bin/env bash
# File kinds are watched: with a one-hour interval, an append, an atomic
# rename-replace and a rotation each reach the cache without waiting for the
# interval (the engine watches the parent directory, so a replaced or rotated
# file is still seen).
. "$(dirname "$0")/lib.sh"
mkdir -p "$T/data"
line() { printf '{"id":"%s","ts":"2026-11-21T09:%02d:00Z","from":"max","to":"atlas","type":"handoff","summary":"%s"}\n' "$1" "$2" "$1"; }
line h-1 1 > "$T/data/handoffs.jsonl"
printf '# Work\n- [ ] first task BLOCKED: needs Apple\n' > "$T/data/pending.md"
cat > "$T/mc.yaml" <<YAML
cache: $T/cache.db
retention: {activity: {age: 36500d}}
sources:
  - id: handoffs
    kind: jsonl
    path: $T/data/handoffs.jsonl
    every: 1h
  - id: pending
    kind: markdown_tasks
    path: $T/data/pending.md
    every: 1h
YAML
"$MC" -c "$T/mc.yaml" fetch --daemon 2>"$T/d.err" & D=$!
on_exit "kill $D 2>/dev/null; wait $D 2>/dev/null"
has() { "$MC" -c "$T/mc.yaml" snapshot --json --dataset "$1" 2>/dev/null | grep -q "$2"; }
check "first fetch at start" wait_until 10 has activity '"h-1"'
line h-2 2 >> "$T/data/handoffs.jsonl"
check "an append is picked up without waiting for the interval" wait_until 10 has activity '"h-2"'
{ line h-1 1; line h-2 2; line h-3 3; } > "$T/data/new.jsonl" && mv "$T/data/new.jsonl" "$T/data/handoffs.jsonl"
check "a rename-replace is picked up" wait_until 10 has activity '"h-3"'
mv "$T/data/handoffs.jsonl" "$T/data/handoffs.jsonl.1"
line h-4 4 > "$T/data/handoffs.jsonl"
check "a rotation is picked up" wait_until 10 has activity '"h-4"'
printf '# Work\n- [ ] first task BLOCKED: needs Apple\n- [ ] second task BLOCKED: needs Apple\n' > "$T/data/pending.tmp" && mv "$T/data/pending.tmp" "$T/data/pending.md"
check "an edited markdown file is picked up" wait_until 10 has blockers 'second task'
check "the daemon is still running" kill -0 $D
finish
