#!/usr/bin/env bash
# `mc check` validates what the dashboard validates (keys, widgets with their
# options, the layout it would open) with the dashboard's own message: exit 2,
# FILE:LINE:COLUMN, "did you mean" for a near miss. `mc --layout NAME` works
# as the README shows. Check reports the malformed lines a source skipped and
# writes nothing to the user's real log.
. "$(dirname "$0")/lib.sh"
unset MC_LAYOUTS_DIR

# same_error NAME TEXT: `mc check` and the dashboard both exit 2 with the same
# first line of stderr, which contains TEXT
same_error() {
    local cfg="$T/$1.yaml" text=$2
    "$MC" -c "$cfg" check >"$T/$1.check.out" 2>"$T/$1.check.err"; local rc=$?
    check "$1: mc check exits 2 (got $rc)" [ $rc -eq 2 ]
    if grep -qF -- "$text" "$T/$1.check.err"; then ok "$1: check says '$text'"
    else fail "$1: check stderr lacks '$text': $(cat "$T/$1.check.err")"; fi
    "$MC" -c "$cfg" </dev/null >/dev/null 2>"$T/$1.dash.err"; rc=$?
    check "$1: the dashboard exits 2 too (got $rc)" [ $rc -eq 2 ]
    if [ "$(head -1 "$T/$1.check.err")" = "$(head -1 "$T/$1.dash.err")" ]; then
        ok "$1: the same message as the dashboard"
    else
        fail "$1: check '$(head -1 "$T/$1.check.err")' != dashboard '$(head -1 "$T/$1.dash.err")'"
    fi
}

base() { printf 'cache: %s/cache.db\nlog: %s/mc.log\nsources: []\n' "$T" "$T"; }

{ base; printf 'widgets:\n  - {type: blocker}\n'; } >"$T/wtype.yaml"
same_error wtype "wtype.yaml:5:12: unknown widget type 'blocker', did you mean 'blockers'?"

{ base; printf 'widgets:\n  - {type: stats, cards: [bogus]}\n'; } >"$T/cards.yaml"
same_error cards "cards.yaml:5:27: stats widget: unknown card 'bogus'"

{ base; printf 'layout: defualt\n'; } >"$T/layout.yaml"
same_error layout "layout.yaml:4:9: layout 'defualt' not found, did you mean 'default'?"

{ base; printf 'keys: {resolv: r}\n'; } >"$T/keys.yaml"
same_error keys "keys.yaml:4:8: keys: unknown action 'resolv', did you mean 'resolve'?"

# a layout that names an unknown widget: the layout file's line and column
printf 'rows:\n  - widget: stats\n  - widget: blokers\n' >"$T/mine.yaml"
{ base; printf 'layout: %s/mine.yaml\n' "$T"; } >"$T/leaf.yaml"
same_error leaf "mine.yaml:3:5: unknown widget 'blokers', did you mean 'blockers'?"

# a good config passes and says what it checked
{ base; printf 'layout: ops\nwidgets:\n  - {type: stats, cards: [open_blockers]}\n'; } >"$T/good.yaml"
"$MC" -c "$T/good.yaml" check >"$T/good.out" 2>&1; rc=$?
check "a good config: check exits 0 (got $rc: $(cat "$T/good.out"))" [ $rc -eq 0 ]
check "check names the layout it validated" grep -q "^layout: .*ops.yaml: ok" "$T/good.out"

# --layout, as the README shows it
"$MC" -c "$T/good.yaml" --layout compact </dev/null >/dev/null 2>"$T/e"; rc=$?
check "mc --layout compact gets as far as the terminal check (exit 1)" [ $rc -eq 1 ]
check "mc --layout compact: needs a terminal" grep -q "needs a terminal" "$T/e"
"$MC" -c "$T/good.yaml" --layout defualt </dev/null >/dev/null 2>"$T/e"; rc=$?
check "mc --layout with a typo exits 2" [ $rc -eq 2 ]
check "mc --layout with a typo suggests the name" grep -q "did you mean 'default'" "$T/e"
"$MC" -c "$T/good.yaml" --layout defualt check >/dev/null 2>"$T/e"; rc=$?
check "mc --layout X check validates X (exit 2)" [ $rc -eq 2 ]
"$MC" -c "$T/good.yaml" --layout ops snapshot >/dev/null 2>&1; rc=$?
check "--layout with a command that has no layout is a usage error" [ $rc -eq 2 ]

# malformed lines are reported per source; the real log is not touched
mkdir -p "$T/data"
{
    echo '{"id":"a1","ts":"2026-11-21T09:00:00Z","from":"max","to":"apple","type":"note","summary":"fine"}'
    echo 'this is not json'
    echo '{"id":"a2","ts":"2026-11-21T09:01:00Z","from":"max","to":"apple","type":"note","summary":"fine too"}'
    echo '["an", "array"]'
    echo '{"id":"a3","ts":"2026-11-21T09:02:00Z","from":"max","to":"apple","type":"note","summary":"last"}'
} >"$T/data/h.jsonl"
printf 'cache: %s/real.db\nlog: %s/mc.log\nsources:\n  - id: handoffs\n    kind: jsonl\n    path: %s/data/h.jsonl\n' "$T" "$T" "$T" >"$T/bad_lines.yaml"
echo "before" >"$T/mc.log"
cp "$T/mc.log" "$T/mc.log.orig"
"$MC" -c "$T/bad_lines.yaml" check >"$T/bl.out" 2>&1; rc=$?
check "check with skipped lines still passes (exit $rc)" [ $rc -eq 0 ]
if grep -qE "2 malformed lines skipped \(last: line 4: .+\)" "$T/bl.out"; then ok "check reports 2 malformed lines, the last one's number and reason"
else fail "no malformed-lines report: $(cat "$T/bl.out")"; fi
check "check leaves the real log alone" cmp -s "$T/mc.log" "$T/mc.log.orig"
check "check leaves the real cache alone" [ ! -e "$T/real.db" ]
finish
