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
cp "$DATA/pending-work.md" "$WORK/before.md"
keys r
wait_for "Needs Apple · 2" 5
# gone from the pane (the status line names it: "resolving: Sign the Quokka…")
wait_cond '! screen | grep -v "resolv" | grep -qF "Sign the Quokka"' 5 "the resolved task left the pane"
wait_cond 'grep -q "^- \[x\] Sign the Quokka" "$DATA/pending-work.md"' 10 "the task is ticked in the file"
# the file's only change is that one box: the same bytes once it is unticked
sed 's/^- \[x\] Sign the Quokka/- [ ] Sign the Quokka/' "$DATA/pending-work.md" | cmp -s - "$WORK/before.md" \
  || fail "resolving changed more than the box"
[ "$(cmp -l "$DATA/pending-work.md" "$WORK/before.md" | wc -l)" -eq 1 ] || fail "more than one byte changed"
# restart: still resolved (from the cache first, then from the file)
keys q
expect_exit 0
type_text clear; keys Enter
wait_gone "MC-EXIT=0" 5
run_mc
wait_for "Needs Apple · 2" 10
screen | grep -qF "Sign the Quokka" && fail "the resolved task is back after a restart"
keys 3                             # focus the blockers pane again
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
