#!/usr/bin/env bash
# Screen test (issue 8 item 2): who a blocker is for. A task naming the owner
# (@apple) is a blocker for the owner without a blocked marker; a blocked task
# naming no owner, or naming someone else, is listed but counted apart: the
# pane's title reads "Needs Apple · 4 · blocked 2" and the stats card's
# "needs Apple" number is 4, not 6.
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
cat >>"$DATA/pending-work.md" <<'MD'
- [ ] Approve the Heron budget @apple
- [ ] Vendor sign-off BLOCKED
- [ ] Rotate backups, waiting on Max
- [ ] Tidy the release notes
MD
start_shell 120 40
run_mc
wait_for "Sign the Quokka" 10
# the stats card counts what needs the owner: the number above "needs Apple"
card() { screen | grep -B1 -F "needs Apple" | head -1 | awk '{print $2}'; }
wait_cond '[ "$(card)" = 4 ]' 10 "the stats card shows 4 needing Apple"
keys 3 z                            # the blockers pane, zoomed: its whole title
wait_for "Needs Apple · 4 · blocked 2" 10
# every blocker is listed, the ones for someone else too; plain tasks are not
keys G
wait_for "Approve the Heron" 5
wait_for "Vendor sign-off" 5
wait_for "Rotate backups" 5
screen | grep -qF "Tidy the release" && fail "a task with no marker and no owner is listed"
# the counts are of what the list shows: filtered to the vendor task, 0 and 1
keys g
keys / ; type_text "Vendor"; keys Enter
wait_for "Needs Apple · 0 · blocked 1" 5
keys r                              # resolving it changes the second number only
wait_cond 'grep -q "^- \[x\] Vendor sign-off" "$DATA/pending-work.md"' 10 "the task is ticked in the file"
keys / ; keys Enter                 # an empty filter shows everything again
wait_for "Needs Apple · 4 · blocked 1" 10
keys q
expect_exit 0
echo "ok"
