#!/usr/bin/env bash
# Screen test (issue 8 item 6): the status line names a resolved item by its
# description (not an opaque key) and says "resolved: ..." once the outbox
# delivered it; a delivery the source refuses is reported as failed.
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

keys 3 /; type_text "Quokka"; keys Enter
pane_lacks "Rotate the Zep"
keys g r
wait_for "resolved: Sign the Quokka" 10          # delivered, said by name
keys Escape
keys /; type_text "Bulk alpha"; keys Enter
pane_lacks "Bulk beta"
keys g
mv "$DATA/pending-work.md" "$WORK/moved.md"      # the write-back finds no file: refused
keys r
wait_for "resolve failed: Bulk alpha item" 15
keys q
expect_exit 0
echo "ok"
