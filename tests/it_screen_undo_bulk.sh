#!/usr/bin/env bash
# Screen test (issue 8 item 6): u undoes a bulk action whole: marking two
# blockers (Space, Space), resolving them (r) and pressing u puts both boxes
# back, and nothing else.
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
cat >>"$DATA/pending-work.md" <<'MD'
- [ ] Bulk alpha item — BLOCKED: needs Apple
- [ ] Bulk beta item — BLOCKED: needs Apple
MD
start_shell 120 40
run_mc
wait_for "Sign the Quokka" 10
wait_for "Rotate the Zep" 10
wait_for "Bulk beta" 10
box() { grep -c "^- \[$1\] $2" "$DATA/pending-work.md"; }
# the focused pane's rows (between its heavy borders): the Blockers pane here
blockers() { screen | sed -n 's/^[^┃]*┃\([^┃]*\)┃.*/\1/p'; }
in_pane() { blockers | grep -qF -- "$1"; }
pane_has() { wait_cond "in_pane '$1'" 10 "'$1' in the Blockers pane"; }
pane_lacks() { wait_cond "! in_pane '$1'" 10 "'$1' gone from the Blockers pane"; }

keys 3 /; type_text "Bulk"; keys Enter
pane_lacks "Rotate the Zep"
keys g Space j Space r
wait_cond '[ "$(box x Bulk)" = 2 ]' 10 "both bulk tasks are ticked"
pane_lacks "Bulk alpha"
pane_lacks "Bulk beta"
keys u
wait_cond '[ "$(box " " Bulk)" = 2 ]' 10 "u after a bulk resolve of 2 restores both"
pane_has "Bulk alpha"
pane_has "Bulk beta"
[ "$(box " " Sign)" = 1 ] || fail "the bulk undo touched another item"
keys q
expect_exit 0
echo "ok"
