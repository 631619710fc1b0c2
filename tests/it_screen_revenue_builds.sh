#!/usr/bin/env bash
# Screen test: the revenue pane merges the streams of every revenue source
# (the newest row of each; two revenue_manual ledgers here, MSN in both), and
# the health pane has one line per build/deploy source with the state of its
# newest build or deploy row and its age.
. "$MC_TESTS_DIR/screen_lib.sh"

mkdir -p "$DATA"
M=$(date -u +%Y-%m)
cat >"$DATA/a.json" <<JSON
{"entries":[{"stream":"AdsByMoney","month":"$M","usd":1000},{"stream":"MSN","month":"$M","usd":500.25},
 {"stream":"MSN","month":"1999-01","usd":99999}]}
JSON
cat >"$DATA/b.json" <<JSON
{"entries":[{"stream":"MSN","month":"$M","usd":249.75},{"stream":"Sponsorships","month":"$M","usd":2000}]}
JSON
iso() { date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ; }
cat >"$DATA/ci.json" <<JSON
[{"id":"r2","ts":"$(iso '3 minutes ago')","event_type":"build","status":"failure"},
 {"id":"r1","ts":"$(iso '2 hours ago')","event_type":"build","status":"success"},
 {"id":"n1","ts":"$(iso '1 minute ago')","event_type":"note","status":"posted"}]
JSON
cat >"$DATA/web.json" <<JSON
[{"id":"d1","ts":"$(iso '20 minutes ago')","event_type":"deploy","status":"READY"}]
JSON
cat >"$CONFIG" <<YAML
cache: $DATA/cache.db
sources:
  - {id: ledger, kind: revenue_manual, path: $DATA/a.json}
  - {id: statements, kind: revenue_manual, path: $DATA/b.json}
  - id: ci
    kind: json_file
    path: $DATA/ci.json
    feeds: activity
    fields: {key: id, ts: ts, event_type: event_type, status: status}
  - id: web
    kind: json_file
    path: $DATA/web.json
    feeds: activity
    fields: {key: id, ts: ts, event_type: event_type, status: status}
YAML
cat >"$WORK/two.yaml" <<YAML
columns:
  - widget: revenue
  - widget: health
YAML
start_shell 120 20
run_mc --layout "$WORK/two.yaml"
wait_for "YTD \$3,750.00" 10
wait_for "Sponsorships" 5
line_with "MSN" | grep -q '\$750' || fail "MSN not merged to \$750 across both ledgers: $(line_with MSN)"
line_with "AdsByMoney" | grep -q '\$1.00k' || fail "AdsByMoney: $(line_with AdsByMoney)"
wait_for "failure" 5
line_with "failure" | grep -q "ci .*failure .*3m" || fail "ci's newest build: $(line_with failure)"
line_with "READY" | grep -q "web .*READY .*20m" || fail "web's deploy: $(line_with READY)"
screen | grep -q "posted" && fail "a note row shown as a build"
wait_for "Health (1 failing)" 5
keys q
expect_exit 0
echo "ok"
