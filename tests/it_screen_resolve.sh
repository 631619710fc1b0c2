#!/usr/bin/env bash
# Screen test: acting on blockers from the keyboard. r on the markdown task
# resolves it (the pane drops it, the file's box is ticked by the outbox), u
# undoes it (the box is cleared again), s snoozes a handoff blocker (hidden
# from the pane), and n asks for a note first (Esc cancels).
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
start_shell 120 40
run_mc
wait_for "Sign the Quokka" 10
wait_for "Needs Apple · 3" 10

keys 3 G n                         # the markdown task is the last row
wait_for "note (Enter resolves" 5
keys Escape
wait_gone "note (Enter resolves" 5
wait_for "Needs Apple · 3" 5       # nothing happened
keys r
wait_for "Needs Apple · 2" 5
wait_gone "Sign the Quokka" 5
wait_cond 'grep -q "^- \[x\] Sign the Quokka" "$DATA/pending-work.md"' 10 "the task is ticked in the file"
keys u
wait_cond 'grep -q "^- \[ \] Sign the Quokka" "$DATA/pending-work.md"' 10 "undo cleared the box again"
wait_for "Sign the Quokka" 10
wait_for "Needs Apple · 3" 10

keys g s                            # snooze the newest handoff blocker
wait_for "snoozed" 5
wait_for "Needs Apple · 2" 5
screen | grep -F "Blockers" -A4 | grep -qF "Rotate the Zep" && fail "the snoozed blocker is still listed"
keys q
expect_exit 0
echo "ok"
