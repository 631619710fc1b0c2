#!/usr/bin/env bash
# Screen test: the alerts pane and the status-line badge. Alert rows put in
# the cache (rule "fixture": no engine rule raises or clears them) show in
# the pane, crit first, escape bytes in a title made visible; `a` acks the
# selected alert (state acked, acked_by the user; it leaves the pane), `s`
# snoozes the next (snoozed_until_ms set; it leaves the pane); `a` in
# another pane still adds a pane. On a layout without the alerts pane the
# status line shows the badge, and a crit alert written by another process
# while mc runs appears in it and (alerts.bell: true) rings the bell once:
# a BEL byte in the pane's output (tmux pipe-pane), none before.
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
printf 'alerts: {bell: true}\n' >>"$CONFIG"
DB="$DATA/cache.db"
"$MC" snapshot >/dev/null 2>&1 || fail "mc snapshot (the schema) failed"
sql() { python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=5); c.execute(sys.argv[2]); c.commit()' "$DB" "$1"; }
val() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1], timeout=5).execute(sys.argv[2]).fetchone()[0])' "$DB" "$1"; }
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
sql "INSERT INTO alerts (source, key, rule, severity, title, detail, first_seen, last_seen, state) VALUES
 ('host', 'fx:disk', 'fixture', 'crit', 'Disk nearly full on box', 'disk 97%', '$now', '$now', 'open'),
 ('handoffs', 'fx:stale', 'fixture', 'warn', 'Handoffs went quiet', 'no success', '$now', '$now', 'open'),
 ('feed', 'fx:odd', 'fixture', 'info', 'Odd ' || CAST(X'1b5b324a' AS TEXT) || 'title', '', '$now', '$now', 'open'),
 ('host', 'fx:old', 'fixture', 'crit', 'Already acked', '', '$now', '$now', 'acked')"
# the alerts pane's rows (the first pane, focused: heavy border)
in_alerts() { screen | grep '^┃' | grep -qF -- "$1"; }
mkdir -p "$LAYOUTS"
printf 'columns:\n  - widget: alerts\n  - widget: blockers\n' >"$WORK/two.yaml"

start_shell 120 40
run_mc --layout "$WORK/two.yaml"
wait_for "Disk nearly full on box" 10
wait_for "Handoffs went quiet" 5
wait_for "Odd ␛title" 5       # the CSI is one visible placeholder
screen | grep -qF "Already acked" && fail "an acked alert is listed"
line_with "Disk nearly full" | grep -q "CRIT" || fail "no CRIT on the crit row"
[ "$(screen | grep -nF 'Disk nearly full' | cut -d: -f1)" -lt "$(screen | grep -nF 'Handoffs went quiet' | cut -d: -f1)" ] ||
    fail "crit is not listed first"
keys 1                      # the alerts pane
keys Enter
wait_for "rule:        fixture" 5
keys Escape
keys a                      # acks the selected (first) alert
wait_for "acknowledged: Disk nearly full on box" 5
wait_cond '! in_alerts "Disk nearly full"' 5 "the acked alert leaves the pane"
wait_cond '[ "$(val "SELECT state || \"/\" || acked_by FROM alerts WHERE key = \"fx:disk\"")" = "acked/apple" ]' 5 "fx:disk acked by apple"
keys G k                    # the warn just above the info row (fixture rows are the oldest)
keys s                      # snoozes it
wait_for "snoozed for" 5
wait_cond '! in_alerts "Handoffs went quiet"' 5 "the snoozed alert leaves the pane"
wait_cond '[ "$(val "SELECT snoozed_until_ms > 0 FROM alerts WHERE key = \"fx:stale\"")" = 1 ]' 5 "fx:stale snoozed"
keys 2 a                    # in the blockers pane a is still add
wait_for "Add a pane" 5
keys Escape
keys q
expect_exit 0

# a layout without the alerts pane: the badge
printf 'columns:\n  - widget: blockers\n  - widget: projects\n' >"$WORK/noalerts.yaml"
run_mc --layout "$WORK/noalerts.yaml"
wait_for " Projects" 10
# the badge the cache calls for now: open, not snoozed (the engine may have
# raised alerts of its own from the fixtures: they count too)
badge_now() {
    python3 -c 'import sqlite3,sys,time
c = sqlite3.connect(sys.argv[1], timeout=5)
n = dict(c.execute("SELECT severity, count(*) FROM alerts WHERE state = ? AND coalesce(snoozed_until_ms, 0) <= ? GROUP BY severity", ("open", int(time.time() * 1000))).fetchall())
print("▲" + "".join(" %d %s" % (n[s], s) for s in ("crit", "warn", "info") if n.get(s)))' "$DB"
}
badge_ok() { b=$(badge_now); line_with "▲" | grep -qF -- "$b  "; }
wait_cond badge_ok 5 "the badge shows the open alerts ($(badge_now))"
line_with "▲" | grep -q "1 info" || fail "the badge lacks the info alert"
[ "$(val "SELECT state FROM alerts WHERE key = 'fx:disk'")" = acked ] || fail "fx:disk not acked"
t pipe-pane -t mc -o "cat >>'$WORK/out.bin'"
bels() { python3 -c 'import sys; print(open(sys.argv[1], "rb").read().count(7))' "$WORK/out.bin" 2>/dev/null || echo 0; }
keys j                      # some output through the pipe
wait_cond '[ -s "$WORK/out.bin" ]' 5 "pipe-pane output"
[ "$(bels)" = 0 ] || fail "a bell before any new crit"
sql "INSERT INTO alerts (source, key, rule, severity, title, detail, first_seen, last_seen, state) VALUES
 ('host', 'fx:mem', 'fixture', 'crit', 'Memory', '', '$now', '$now', 'open')"
wait_cond badge_ok 5 "the badge counts the new crit ($(badge_now))"
line_with "▲" | grep -q "[1-9] crit" || fail "no crit in the badge"
wait_cond '[ "$(bels)" = 1 ]' 5 "one bell for the new crit (got $(bels))"
t pipe-pane -t mc
keys q
expect_exit 0
echo "ok"
