#!/usr/bin/env bash
# No raw control byte from data reaches the terminal through the CLI or the
# log: a handoffs file whose name and keys hold ESC [ 2 J, an OSC title
# sequence, CR, BEL, a C1 CSI and a bidi override goes through mc fetch,
# check, snapshot (text; --json escapes), resolve, outbox and mc.log, and
# none of their output holds those bytes; the text is still there, made visible.
. "$(dirname "$0")/lib.sh"

# unsafe FILE...: 0 when a file holds a byte a terminal acts on (C0 but
# newline, DEL, UTF-8 C1 controls, bidi embeddings/overrides/isolates)
unsafe() {
    python3 - "$@" <<'PY'
import re, sys
bad = re.compile(rb'[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]')
hit = False
for f in sys.argv[1:]:
    data = open(f, 'rb').read()
    m = bad.search(data)
    if m:
        print("%s: %r at byte %d: %r" % (f, m.group(), m.start(), data[max(0, m.start() - 20):m.start() + 20]))
        hit = True
sys.exit(0 if hit else 1)
PY
}
# clean NAME FILE...: the outputs of one command hold no unsafe byte
clean() {
    local name=$1; shift
    if unsafe "$@"; then fail "$name: raw control bytes reach the terminal"; else ok "$name: no raw control bytes"; fi
}

NASTY=$'\e[2J\e]0;owned\a\r\xc2\x9b31m\xe2\x80\xae'
mkdir -p "$T/data/cron"
DIR="$T/data"
KEY="k$NASTY"
KEYJ='k\u001b[2J\u001b]0;owned\u0007\r\u009b31m\u202e'
printf '{"id":"%s","ts":"2026-11-21T09:00:00Z","from":"max","to":"apple","type":"blocker","summary":"s\\u001b[2Jx","action_needed":true}\n' "$KEYJ" >"$DIR/h.jsonl"
printf '{"id":"k2","ts":"2026-11-21T09:00:00Z","from":"max","to":"apple","type":"blocker","summary":"two","action_needed":true}\n' >>"$DIR/h.jsonl"
# an agent named a cron log: a symlink loop, so reading it fails with its name
ln -s "job$NASTY.log" "$T/data/cron/job$NASTY.log"
handoffs_config "$DIR/h.jsonl"
cat >>"$T/mc.yaml" <<YAML
  - id: crons
    kind: cron_logs
    path: $T/data/cron
YAML
export LANG=C.UTF-8 LC_ALL=C.UTF-8
"$MC" -c "$T/mc.yaml" fetch --once >"$T/fetch.out" 2>"$T/fetch.err"
check "fetch ran (crons fails, handoffs ok)" grep -q "^handoffs: ok" "$T/fetch.err"
check "fetch: the failing path is still named (made visible)" grep -q "31m.*\.log" "$T/fetch.err"
clean "mc fetch --once" "$T/fetch.out" "$T/fetch.err"

"$MC" -c "$T/mc.yaml" check >"$T/check.out" 2>"$T/check.err"
check "check shows the failure" grep -q "FAIL .*31m.*\.log" "$T/check.out"
clean "mc check" "$T/check.out" "$T/check.err"

"$MC" -c "$T/mc.yaml" snapshot >"$T/snap.out" 2>"$T/snap.err"
check "snapshot names the failing source's error" grep -q "31m.*\.log" "$T/snap.out"
clean "mc snapshot" "$T/snap.out" "$T/snap.err"
"$MC" -c "$T/mc.yaml" snapshot --json >"$T/snap.json" 2>"$T/snapj.err"
clean "mc snapshot --json" "$T/snap.json" "$T/snapj.err"
check "snapshot --json still holds the exact key" python3 - "$T/snap.json" "$KEY" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
keys = {b["key"] for b in d["blockers"]}
assert sys.argv[2] in keys, keys
PY

"$MC" -c "$T/mc.yaml" resolve "handoffs:$KEY" --no-wait >"$T/q.out" 2>"$T/q.err"; rc=$?
check "resolve --no-wait queues (exit 3, got $rc: $(cat "$T/q.err"))" [ $rc -eq 3 ]
clean "mc resolve --no-wait" "$T/q.out" "$T/q.err"
"$MC" -c "$T/mc.yaml" outbox >"$T/ob.out" 2>"$T/ob.err"
check "outbox lists the queued row" grep -q "pending" "$T/ob.out"
clean "mc outbox" "$T/ob.out" "$T/ob.err"
"$MC" -c "$T/mc.yaml" outbox --retry all >"$T/obr.out" 2>"$T/obr.err"
check "outbox --retry all delivers it" grep -q "delivered" "$T/obr.out"
clean "mc outbox --retry" "$T/obr.out" "$T/obr.err"
"$MC" -c "$T/mc.yaml" resolve "handoffs:$KEY" --undo >"$T/u.out" 2>"$T/u.err"
clean "mc resolve --undo" "$T/u.out" "$T/u.err"
"$MC" -c "$T/mc.yaml" resolve "handoffs:nope$NASTY" >"$T/n.out" 2>"$T/n.err"; rc=$?
check "resolve of an unknown key fails (exit $rc)" [ $rc -ne 0 ]
check "resolve of an unknown key names it" grep -q "no blocker 'nope" "$T/n.err"
clean "mc resolve (unknown key)" "$T/n.out" "$T/n.err"

# a delivery that fails with the path in its error
mv "$DIR/h.jsonl" "$DIR/gone.jsonl"; mkdir "$DIR/h.jsonl"
"$MC" -c "$T/mc.yaml" resolve "handoffs:k2" >"$T/f.out" 2>"$T/f.err"
clean "mc resolve (failed delivery)" "$T/f.out" "$T/f.err"
"$MC" -c "$T/mc.yaml" outbox >"$T/ob2.out" 2>"$T/ob2.err"
clean "mc outbox (failed row)" "$T/ob2.out" "$T/ob2.err"

"$MC" -c "$T/mc.yaml" snapshot --dataset nope$'\e[2J' >/dev/null 2>"$T/ds.err"
clean "mc snapshot (unknown dataset error)" "$T/ds.err"
"$MC" -c "$T/mc.yaml" $'no\e[2Jcmd' >/dev/null 2>"$T/cmd.err"
clean "mc (unknown command error)" "$T/cmd.err"

"$MC" -c "$T/mc.yaml" dashboard --layout "$T/lay$NASTY.yaml" </dev/null >/dev/null 2>"$T/dash.err"; rc=$?
check "the dashboard refuses a missing layout file (exit $rc)" [ $rc -eq 2 ]
clean "mc (dashboard start-up error)" "$T/dash.err"

check "the log was written" [ -s "$T/mc.log" ]
clean "mc.log" "$T/mc.log"
finish
