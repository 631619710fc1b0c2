#!/usr/bin/env bash
# Screen test: credentials refused, in the dashboard. A vercel preset source
# (every 1h, auth_blocker_after 0s) against tests/fake_vercel.py answering a
# lasting 403 shows "vercel: token lacks permission — HTTP 403 since ..." in
# the Blockers pane; once the fake takes the token again, r on that row means
# "fixed, try now": the source is fetched at once (not in an hour), succeeds,
# and the row leaves the pane. The Blockers pane shows although no source
# feeds blockers: the source has a row there.
. "$MC_TESTS_DIR/screen_lib.sh"

exec 3> >(exec python3 "$MC_TESTS_DIR/fake_vercel.py" >"$WORK/port")
for _ in $(seq 100); do [ -s "$WORK/port" ] && break; sleep 0.05; done
P=$(head -n1 "$WORK/port")
[ -n "$P" ] || fail "fake_vercel did not start"
control() {
    python3 -c 'import sys, urllib.request as u; u.urlopen(u.Request("http://127.0.0.1:%s/control" % sys.argv[1], data=sys.argv[2].encode()), timeout=5).read()' "$P" "$1"
}
requests() {
    python3 -c 'import sys, json, urllib.request as u; print(json.load(u.urlopen("http://127.0.0.1:%s/stats" % sys.argv[1], timeout=5))["requests"])' "$P"
}
python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import fake_vercel; print(fake_vercel.TOKEN)' "$MC_TESTS_DIR" >"$WORK/tok"
chmod 600 "$WORK/tok"
cat >"$CONFIG" <<EOF
owner: Apple
user: tester
sources:
  - {id: vercel, preset: vercel, project_id: prj_123, token_file: $WORK/tok,
     base_url: "http://127.0.0.1:$P", every: 1h, auth_blocker_after: 0s}
EOF
control '{"forbid": true}'
# refused before the dashboard starts (a pane no source feeds appears once a
# source has rows there: at start, or within the 30 s re-scan)
"$MC" fetch --once >/dev/null 2>&1 && fail "the refused fetch succeeded"

start_shell 120 40
run_mc
wait_for "token lacks permission" 10
line_with "token lacks permission" | grep -qF "vercel: token lacks permission — HTTP 403 since" \
    || fail "the blocker's title: $(line_with "token lacks permission")"
before=$(requests)
control '{"forbid": false}'
keys 3                             # the blockers pane
keys g r
wait_gone "token lacks permission" 10
[ "$(requests)" -gt "$before" ] || fail "no fetch after r"
keys q
expect_exit 0
echo "ok"
