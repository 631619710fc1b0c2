#!/usr/bin/env bash
# Screen test (issue 8 item 6): u undoes a bulk action whole: marking two
# blockers (Space, Space), resolving them (r) and pressing u puts both boxes
# back, and nothing else.
. "$MC_TESTS_DIR/screen_lib.sh"

start_blockers

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
