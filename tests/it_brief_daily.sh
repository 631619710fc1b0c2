#!/bin/sh
# it_brief_daily.sh — `mc fetch --daemon` with brief: {at, tz, notify}: past
# brief.at (00:00, always past) the daemon queues the brief once to the
# notify target (a command that appends its stdin to a file) through the
# outbox, keyed by the local date; a second daemon the same day finds it
# queued and sends nothing (one outbox row, one delivery). An unknown tz
# stops the daemon with exit 2, and mc check says so too.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8
cat >"$T/mc.yaml" <<YAML
owner: Apple
cache: $T/cache.db
log: $T/mc.log
sources: []
widgets:
  - {type: revenue, goal_usd: 500000}
brief:
  at: "00:00"
  tz: America/Chicago
  notify:
    - {kind: command, name: mailer, argv: [sh, -c, "cat >>'$T/got.ndjson'; echo >>'$T/got.ndjson'"], min: crit}
YAML
"$MC" -c "$T/mc.yaml" snapshot >/dev/null 2>&1
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(open(sys.argv[2]).read()); c.commit()" \
  "$T/cache.db" "$TESTS_DIR/fixtures/brief.sql" || fail "loading the fixture"
rows() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1], timeout=5).execute(\"SELECT count(*) FROM outbox WHERE action = 'notify' AND key LIKE 'brief-%'\").fetchone()[0])" "$T/cache.db"; }
lines() { [ -f "$T/got.ndjson" ] && grep -c '"kind":"brief"' "$T/got.ndjson" || echo 0; }

"$MC" -c "$T/mc.yaml" fetch --daemon 2>"$T/d1.err" &
pid=$!
on_exit "kill $pid 2>/dev/null"
check "the first daemon delivers the brief to the command" wait_until 10 sh -c "[ \"\$(grep -c '\"kind\":\"brief\"' '$T/got.ndjson' 2>/dev/null)\" = 1 ]"
kill -TERM $pid; wait $pid
check "one brief row in the outbox" [ "$(rows)" = 1 ]
python3 - "$T/got.ndjson" <<'PY' || fail "the payload"
import json, sys
d = json.loads(open(sys.argv[1]).readline())
assert d["kind"] == "brief" and len(d["date"]) == 10, d
assert d["title"].startswith("mc brief " + d["date"]), d["title"]
assert "## Blockers" in d["text"] and d["brief"]["blockers"]["open"] >= 1, d["text"][:200]
PY
ok "the payload: kind, date, title, markdown text, the JSON brief"

"$MC" -c "$T/mc.yaml" fetch --daemon 2>"$T/d2.err" &
pid=$!
check "the second daemon finds today's brief queued" wait_until 10 grep -q "already queued by an earlier run" "$T/mc.log"
kill -TERM $pid; wait $pid
check "still one brief row" [ "$(rows)" = 1 ]
check "still one delivery" [ "$(lines)" = 1 ]

"$MC" -c "$T/mc.yaml" check >"$T/check.out" 2>&1
check "mc check shows the daily brief" grep -q "brief: daily at 00:00 America/Chicago, 1 target" "$T/check.out"
sed 's|tz: America/Chicago|tz: Nowhere/Atlantis|' "$T/mc.yaml" >"$T/badtz.yaml"
"$MC" -c "$T/badtz.yaml" check >/dev/null 2>"$T/ce"; rc=$?
check "mc check: an unknown zone is exit 2 naming it" sh -c "[ $rc -eq 2 ] && grep -q 'brief.tz: .*Nowhere/Atlantis' '$T/ce'"
"$MC" -c "$T/badtz.yaml" fetch --daemon >/dev/null 2>"$T/e"; rc=$?
check "an unknown zone: exit 2 naming it ($(cat "$T/e"))" sh -c "[ $rc -eq 2 ] && grep -q 'Nowhere/Atlantis' '$T/e'"
finish
