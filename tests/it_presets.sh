#!/usr/bin/env bash
# mc presets (the list, one expanded preset that loads back, an unknown name),
# a preset entry's config error at the user's line naming the preset, and the
# openclaw presets end to end against tests/fake_openclaw: mc fetch --once,
# mc snapshot --json (agents, usage with cost = tokens x prices:, cron with
# the three schedule kinds), mc check naming the preset behind each source.
. "$(dirname "$0")/lib.sh"
FAKE="$TESTS_DIR/fake_openclaw"

"$MC" presets >"$T/list" 2>&1; rc=$?
check "mc presets exits 0" [ $rc -eq 0 ]
check "one line per preset: name and summary" grep -q -E '^openclaw_sessions +OpenClaw sessions \(openclaw sessions --json --all-agents\) -> agents and usage$' "$T/list"
check "the cron preset listed" grep -q -E '^openclaw_cron +OpenClaw cron jobs' "$T/list"

"$MC" presets openclaw_sessions >"$T/shown.yaml" 2>"$T/shown.err"; rc=$?
check "mc presets NAME exits 0" [ $rc -eq 0 ]
check "it starts with the preset's documentation" grep -q '^# OpenClaw gateway sessions' "$T/shown.yaml"
check "it lists the preset's keys with defaults" grep -q '^#   command: default' "$T/shown.yaml"
check "the expanded entry: kind and the default argv" grep -q -F 'command: [openclaw, sessions, --json, --all-agents]' "$T/shown.yaml"
{ echo "cache: $T/shown.db"; echo "log: $T/shown.log"; cat "$T/shown.yaml"; } >"$T/loads.yaml"
"$MC" -c "$T/loads.yaml" snapshot --json >/dev/null 2>"$T/loads.err"; rc=$?
check "the printed entry loads back as a config" [ $rc -eq 0 ]
[ $rc -eq 0 ] || cat "$T/loads.err"

# every shipped preset's printed entry loads (placeholders included)
for p in $(awk '{print $1}' "$T/list"); do
  { echo "cache: $T/each.db"; echo "log: $T/each.log"; "$MC" presets "$p"; } >"$T/each.yaml"
  "$MC" -c "$T/each.yaml" snapshot >/dev/null 2>"$T/each.err" || fail "mc presets $p does not load back: $(cat "$T/each.err")"
done
"$MC" presets openclaw_sesions >/dev/null 2>"$T/unknown.err"; rc=$?
check "an unknown preset is a usage error" [ $rc -eq 2 ]
check "with the closest name" grep -q "unknown preset 'openclaw_sesions', did you mean 'openclaw_sessions'" "$T/unknown.err"

cat >"$T/bad.yaml" <<YAML
cache: $T/bad.db
sources:
  - id: gw
    preset: openclaw_sessions
    comand: [x]
YAML
"$MC" -c "$T/bad.yaml" check >"$T/bad.out" 2>&1; rc=$?
check "a typo in a preset entry: exit 2" [ $rc -eq 2 ]
check "at the user's line and column, naming the preset" \
  grep -q "bad.yaml:5:5: source 'gw' (preset openclaw_sessions): unknown key 'comand', did you mean 'command'" "$T/bad.out"

cat >"$T/mc.yaml" <<YAML
cache: $T/cache.db
log: $T/mc.log
prices:
  claude-sonnet-4.5: {input: 3, output: 15, cache_read: 0.30}
  claude-opus-4.6: {input: 15.00, output: 75.00}
sources:
  - {id: gw, preset: openclaw_sessions, command: [$FAKE, sessions, --json, --all-agents]}
  - id: gwcron
    preset: openclaw_cron
    command: "$FAKE cron list --json --all"
YAML
"$MC" -c "$T/mc.yaml" fetch --once 2>"$T/fetch.err"; rc=$?
check "fetch --once with both presets exits 0" [ $rc -eq 0 ]
[ $rc -eq 0 ] || cat "$T/fetch.err"
"$MC" -c "$T/mc.yaml" snapshot --json >"$T/snap.json"
check "agents, usage and cron as the fake's listing says" python3 - "$T/snap.json" <<'PY'
import json, sys, time
d = json.load(open(sys.argv[1]))
ag = {r["agent_id"]: r for r in d["agents"] if r["source"] == "gw"}
assert set(ag) == {"max", "coder"}, ag                  # coder: from the key (no agentId)
m = ag["max"]
assert m["tokens_today"] == 3620 and abs(m["cost_today_usd"] - 0.01389) < 1e-9, m
assert m["model"] == "claude-sonnet-4.5" and m["status"] == "online", m
assert ag["coder"]["tokens_today"] == 0 and ag["coder"]["cost_today_usd"] == 0, ag["coder"]
us = {r["key"]: r for r in d["usage"] if r["source"] == "gw"}
today = time.strftime("%Y-%m-%d", time.gmtime())
mu = us["max:" + today]
assert (mu["input_tokens"], mu["output_tokens"], mu["cache_read_tokens"], mu["message_count"]) == (3000, 320, 300, 2), mu
assert abs(mu["total_cost_usd"] - 0.01389) < 1e-9, mu
cu = [r for k, r in us.items() if k.startswith("coder:")][0]
assert abs(cu["total_cost_usd"] - 8.25) < 1e-9 and cu["message_count"] == 1, cu
cr = {r["job_id"]: r for r in d["cron"] if r["source"] == "gwcron"}
assert cr["j-brief"]["schedule"] == "CRON_TZ=America/Chicago 0 7 * * *", cr["j-brief"]
assert cr["j-brief"]["next_run"] == "2026-12-01T13:00:00Z" and cr["j-brief"]["last_status"] == "ok", cr["j-brief"]
assert cr["j-sync"]["schedule"] == "every 15m" and cr["j-sync"]["consecutive_failures"] == 3, cr["j-sync"]
assert cr["j-once"]["schedule"] == "at 2026-12-24T15:00:00Z" and cr["j-once"]["enabled"] is False, cr["j-once"]
PY

PATH="$(dirname "$FAKE"):$PATH" "$MC" -c "$T/mc.yaml" check >"$T/check.out" 2>&1; rc=$?
check "mc check passes" [ $rc -eq 0 ]
check "mc check names the preset behind a source" grep -q "source 'gw' (preset openclaw_sessions): ok" "$T/check.out"
check "and the cron one" grep -q "source 'gwcron' (preset openclaw_cron): ok" "$T/check.out"
finish
