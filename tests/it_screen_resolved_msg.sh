#!/usr/bin/env bash
# Screen test (issue 8 item 6): the status line names a resolved item by its
# description (not an opaque key) and says "resolved: ..." once the outbox
# delivered it; a delivery the source refuses is reported as failed.
. "$MC_TESTS_DIR/screen_lib.sh"

start_blockers

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
