#!/usr/bin/env bash
# End to end: mc fetch --once over every local source kind, then mc snapshot
# in both forms; exit codes for bad config, unknown dataset and a failing
# source that must not disturb the others.
. "$(dirname "$0")/lib.sh"
F="$TESTS_DIR/fixtures/e2e"
cp -r "$F" "$T/data"
cat > "$T/mc.yaml" <<YAML
owner: Apple
user: tester
cache: $T/cache.db
retention:                 # fixtures carry fixed dates: keep them all
  activity: {age: 36500d}
sources:
  - id: handoffs
    kind: jsonl
    path: $T/data/handoffs.jsonl
  - id: pending
    kind: markdown_tasks
    path: $T/data/pending-work.md
  - id: projects
    kind: json_file
    path: $T/data/projects.json
    feeds: projects
  - id: crons
    kind: cron_logs
    path: $T/data/cron_logs
  - id: host
    kind: system
YAML
"$MC" -c "$T/mc.yaml" fetch --once 2>"$T/fetch.err"; rc=$?
check "fetch --once exits 0 when every source succeeds" [ $rc -eq 0 ]
check "one line per source on stderr" [ "$(grep -c -E '^(handoffs|pending|projects|crons|host): ok' "$T/fetch.err")" -eq 5 ]

"$MC" -c "$T/mc.yaml" snapshot --json >"$T/snap.json"; rc=$?
check "snapshot --json exits 0" [ $rc -eq 0 ]
check "snapshot has every dataset and sources" python3 - "$T/snap.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
need = ["sources", "blockers", "activity", "revenue", "system", "agents", "usage", "cron", "projects", "audit"]
assert all(k in d for k in need), d.keys()
assert len(d["sources"]) == 5 and all(s["ok"] for s in d["sources"]), d["sources"]
b = {x["key"]: x for x in d["blockers"] if x["source"] == "handoffs"}
assert b["h-1"]["resolved"] is True and b["h-1"]["resolved_by"] == "apple", b
assert b["h-3"]["resolved"] is False and b["h-3"]["state"] == "open"
assert b["h-3"]["created_at"].endswith("Z")
fields = {"source","key","from_agent","description","context","created_at","resolved","resolved_at","resolved_by","note","state"}
assert fields <= set(b["h-3"]), set(b["h-3"])
assert any(x["source"] == "pending" for x in d["blockers"])
assert len([a for a in d["activity"] if a["source"] == "handoffs"]) == 4
assert {p["name"] for p in d["projects"]} == {"Sponsor portal", "MSN feed"}
assert d["cron"][0]["job_id"] == "revenue-collector" and d["cron"][0]["last_status"] == "error"
s = d["system"][0]
assert 0 <= s["mem_pct"] <= 100 and isinstance(s["services"], list)
PY

"$MC" -c "$T/mc.yaml" snapshot --json --dataset blockers >"$T/b.json"
check "--dataset prints just that array" python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d, list) and len(d) >= 3" "$T/b.json"

"$MC" -c "$T/mc.yaml" snapshot --dataset nope >/dev/null 2>"$T/e"; rc=$?
check "unknown dataset exits 2" [ $rc -eq 2 ]
check "unknown dataset names the known ones" grep -q "blockers" "$T/e"

printf 'owner: Apple\nsources:\n  - id: x\n    kind: jsonl\n    pth: /tmp/x\n' > "$T/bad.yaml"
"$MC" -c "$T/bad.yaml" snapshot 2>"$T/e"; rc=$?
check "bad config exits 2" [ $rc -eq 2 ]
check "bad config message has FILE:LINE:COLUMN" grep -q "bad.yaml:5:5:" "$T/e"

"$MC" -c "$T/nonexistent.yaml" fetch --once 2>"$T/e"; rc=$?
check "missing config exits 2" [ $rc -eq 2 ]

# a broken file keeps its last good rows, and the other sources carry on
echo '{"not": "an array"' > "$T/data/projects.json"
"$MC" -c "$T/mc.yaml" fetch --once 2>"$T/fetch2.err"; rc=$?
check "a failing source makes fetch --once exit 1" [ $rc -eq 1 ]
check "the failing source says where" grep -q "^projects: error: .*projects.json" "$T/fetch2.err"
check "the other sources still succeed" [ "$(grep -c ': ok' "$T/fetch2.err")" -eq 4 ]
"$MC" -c "$T/mc.yaml" snapshot --json >"$T/snap2.json"
check "last good rows kept, error recorded" python3 - "$T/snap2.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert len(d["projects"]) == 2
src = {s["id"]: s for s in d["sources"]}
assert src["projects"]["ok"] is False and "projects.json" in src["projects"]["last_error"]
assert src["projects"]["consecutive_failures"] == 1
assert src["handoffs"]["ok"] is True
PY

"$MC" -c "$T/mc.yaml" fetch --once --source nope 2>"$T/e"; rc=$?
check "unknown --source exits 2" [ $rc -eq 2 ]
"$MC" -c "$T/mc.yaml" check >"$T/check.out" 2>&1; rc=$?
check "mc check exits 1 with a failing source" [ $rc -eq 1 ]
check "mc check prints a table row per source" [ "$(grep -c -E '^(handoffs|pending|projects|crons|host) ' "$T/check.out")" -eq 5 ]
"$MC" --help | grep -q "snapshot" && ok "--help" || fail "--help"
"$MC" --version | grep -q "^mc " && ok "--version" || fail "--version"
finish
