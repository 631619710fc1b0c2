#!/usr/bin/env bash
# Screen test (issue 8 item 6): u undoes the user's last action whatever it
# was. r then s then u lifts the snooze (the item is back) and leaves the
# older resolve alone; a second u then undoes the resolve.
. "$MC_TESTS_DIR/screen_lib.sh"

start_blockers

keys 3 /; type_text "Quokka"; keys Enter
pane_lacks "Rotate the Zep"
keys g r
wait_cond '[ "$(box x Sign)" = 1 ]' 10 "the Quokka task is ticked"
wait_for "resolved: Sign the Quokka" 10          # its delivery notice, out of the way
keys / Enter                                     # clears the filter
keys /; type_text "Rotate"; keys Enter
pane_lacks "Bulk beta"
keys g s
wait_for "snoozed" 5
pane_lacks "Rotate the Zep"
keys / Enter                                     # clears the filter
pane_has "Bulk beta"
keys u                                           # the snooze, not the resolve
pane_has "Rotate the Zep"
wait_for "undone: snooze of Rotate the Zep" 5
[ "$(box x Sign)" = 1 ] || fail "u after s undid the older resolve"
in_pane "Sign the Quokka" && fail "the resolved task came back"
keys u                                           # then the resolve
wait_cond '[ "$(box " " Sign)" = 1 ]' 10 "the second u unresolves the task"
pane_has "Sign the Quokka"
keys q
expect_exit 0
echo "ok"
