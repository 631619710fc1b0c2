#!/usr/bin/env bash
# it_drill_net.sh — network faults as a test of record (issue 13): with the
# dashboard open in tmux, an http_json source's server (tests/fake_faults.py)
# trickles, never ends, resets mid-body, sends invalid JSON, 500s, 429s and
# never answers, one after the other (R forces each fetch). Through all of
# it the Blockers pane keeps its last good row, its border carries the
# failing mark, e names the source as failing, and the dashboard's peak RSS
# (VmHWM) stays bounded (under 64 MB: the endless body is capped by the
# source's max bytes, 16 MB). Key-to-screen timing is a benchmark, not this.
. "$MC_TESTS_DIR/screen_lib.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }

make_fixtures
coproc SRV { exec python3 -u "$MC_TESTS_DIR/fake_faults.py"; }
read -r PORT <&"${SRV[0]}"
[ -n "$PORT" ] || fail "fake_faults.py did not start"
get() { python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "http://127.0.0.1:$PORT$1"; }
hits() { get /hits | python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], 0))' "$1"; }

sed -i "/^widgets:/i\\
  - id: ops\\
    kind: http_json\\
    url: http://127.0.0.1:$PORT/blockers\\
    feeds: blockers\\
    every: 1s\\
    timeout: 1s\\
    items: \$.items[*]\\
    fields: {key: id, description: text, from_agent: from, created_at: created}" "$CONFIG"

start_shell 120 40
run_mc
wait_for "Drill blocker ZQX" 10
blockers_border() { line_with "Blockers"; }
for mode in trickle endless reset badjson 500 429 hang; do
    get "/mode/$mode" >/dev/null
    before=$(hits "$mode")
    keys R
    wait_cond "[ \$(hits $mode) -gt $before ]" 10 "a fetch in mode $mode"
    wait_cond 'blockers_border | grep -q "! "' 10 "the Blockers border shows the failing mark ($mode)"
    screen | grep -qF "Drill blocker ZQX" || fail "the last good row left the screen ($mode)"
    [ -n "$(mc_pid)" ] || fail "mc is gone ($mode)"
done
keys 3 e
wait_for "FAILING" 5
wait_for "ops (http_json" 5
keys Escape
pid=$(mc_pid)
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
echo "peak RSS after every fault: ${hwm} KB"
if ldd "$MC" 2>/dev/null | grep -qE 'lib(asan|tsan)'; then
    echo "sanitizer build: its shadow memory makes the RSS bound meaningless; not checked"
else
    [ "$hwm" -lt 65536 ] || fail "peak RSS ${hwm} KB after the faults"
fi
get /mode/good >/dev/null
keys R
wait_cond '! blockers_border | grep -q "! "' 10 "the failing mark goes once the server answers again"
keys q
expect_exit 0
echo "ok"
