#!/usr/bin/env bash
# Commands are one table: `mc --help`, `mc help CMD`, `mc CMD --help`, the
# usage line of a usage error and the man page's SYNOPSIS all come from it,
# and the man page and README show exactly the table's usage lines.
. "$(dirname "$0")/lib.sh"
SRC=${MC_SRC_DIR:-$TESTS_DIR/..}

"$MC" help --man >"$T/syn" || fail "mc help --man"
# the SYNOPSIS section of mc.1, from .SH SYNOPSIS up to the next .SH
awk '/^\.SH SYNOPSIS/{on=1} /^\.SH / && !/SYNOPSIS/{on=0} on' "$SRC/mc.1" >"$T/man_syn"
if cmp -s "$T/syn" "$T/man_syn"; then ok "mc.1's SYNOPSIS is exactly the table's (mc help --man)"
else fail "mc.1's SYNOPSIS differs from mc help --man: $(diff "$T/man_syn" "$T/syn")"; fi
# each command has its COMMANDS entry headed by the same line
grep '^\.B mc' "$T/syn" | tail -n +2 | while IFS= read -r line; do
    if grep -qxF -- "$line" <(awk '/^\.SH COMMANDS/{on=1} /^\.SH OPTIONS/{on=0} on' "$SRC/mc.1"); then
        ok "COMMANDS has '$line'"
    else
        echo "FAIL: mc.1's COMMANDS lacks '$line'" >&2; touch "$T/failed"
    fi
done
[ -e "$T/failed" ] && fail "COMMANDS entries"

"$MC" --help >"$T/help"; rc=$?
check "--help exits 0" [ $rc -eq 0 ]
grep '^  mc ' "$T/help" | sed 's/^  //' >"$T/lines"
check "--help lists 14 commands" [ "$(wc -l <"$T/lines")" -eq 14 ]
while IFS= read -r line; do
    grep -qF -- "$line" "$SRC/README.md" || { echo "FAIL: README lacks '$line'" >&2; touch "$T/failed2"; }
done <"$T/lines"
[ -e "$T/failed2" ] && fail "README shows every usage line" || ok "README shows every usage line"
check "--undo is in --help" grep -q "mc resolve SOURCE:KEY .*--undo" "$T/help"
check "--undo is in the man SYNOPSIS" grep -q 'resolve.*\\-\\-undo' "$T/syn"
check "--layout is in --help" grep -q "mc \[dashboard\] \[--layout NAME|FILE\]" "$T/help"

for cmd in dashboard fetch snapshot resolve outbox check help; do
    want=$(grep "^mc \(\[\)\?$cmd" "$T/lines" | head -1)
    "$MC" help "$cmd" >"$T/h1"; r1=$?
    "$MC" "$cmd" --help >"$T/h2"; r2=$?
    check "mc help $cmd and mc $cmd --help exit 0" [ $((r1 + r2)) -eq 0 ]
    check "mc help $cmd prints its usage line '$want'" grep -qxF "usage: $want" "$T/h1"
    check "mc $cmd --help prints the same" cmp -s "$T/h1" "$T/h2"
done

# usage errors: exit 2, a message, and the table's usage line
expect_usage() {
    local cmd=$1; shift
    "$MC" "$@" >/dev/null 2>"$T/e"; local rc=$?
    local want
    want=$(grep "^mc \(\[\)\?$cmd" "$T/lines" | head -1)
    check "mc $*: exit 2" [ $rc -eq 2 ]
    check "mc $*: prints 'usage: $want'" grep -qxF "usage: $want" "$T/e"
}
expect_usage fetch fetch extra
expect_usage snapshot snapshot --limit zero
expect_usage resolve resolve
expect_usage resolve resolve nocolon
expect_usage outbox outbox --retry abc
expect_usage outbox outbox --drop all
expect_usage outbox outbox --retry 1 --drop 2
expect_usage check check extra
expect_usage dashboard dashboard extra
expect_usage help help nosuch
"$MC" nosuch >/dev/null 2>"$T/e"; rc=$?
check "unknown command: exit 2" [ $rc -eq 2 ]
check "unknown command: named, then the command list" grep -q "unknown command 'nosuch'" "$T/e"
finish
