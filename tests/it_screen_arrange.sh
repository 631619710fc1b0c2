#!/usr/bin/env bash
# Screen test: rearranging cards. L swaps the focused card with its right
# neighbour, x hides one, + grows one; S saves the arrangement as a layout in
# the user's layouts dir (mc.yaml untouched); after quitting and starting
# again the saved arrangement is back; a adds the hidden card again; ] and [
# cycle layouts.
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
cp "$CONFIG" "$WORK/mc.yaml.orig"
start_shell 120 40
run_mc
wait_for " Revenue" 10
wait_for "Falcon portal" 10

# the row under the stats: Revenue | Blockers | Health
order_ok() {   # order_ok FIRST SECOND: FIRST is left of SECOND on one line
    local line
    line=$(screen | grep -F -- " $1" | grep -F -- " $2" | head -n1)
    [ -n "$line" ] && [ "$(column_of " $1" "$line")" -lt "$(column_of " $2" "$line")" ]
}
order_ok "2 Revenue" "3 Blockers" || fail "Revenue should start left of Blockers"

keys 2 L                          # focus Revenue, move it right: swaps with Blockers
wait_cond 'order_ok "2 Blockers" "3 Revenue"' 5 "Blockers now left of Revenue"
keys S-Left                       # Shift-arrows too; the focus moved with the card
wait_cond 'order_ok "2 Revenue" "3 Blockers"' 5 "S-Left moved Revenue back"
keys S-Right
wait_cond 'order_ok "2 Blockers" "3 Revenue"' 5 "S-Right moved it again"
keys 4 x                          # hide Health
wait_cond '! screen | grep -qE "[0-9] Health"' 5 "the Health pane is hidden"
col_before=$(column_of "7 Projects" "$(line_with "7 Projects")")
keys 6 + +                        # grow Activity (now pane 6): Projects moves right
wait_cond '[ "$(column_of "7 Projects" "$(line_with "7 Projects")")" -gt "$col_before" ]' 5 \
    "Projects moved right after growing Activity"
keys S
wait_for "saved the arrangement" 5
[ -f "$LAYOUTS/saved.yaml" ] || fail "no saved.yaml in $LAYOUTS"
grep -q "widget: blockers" "$LAYOUTS/saved.yaml" || fail "saved.yaml lacks the blockers pane"
grep -q "health" "$LAYOUTS/saved.yaml" && fail "saved.yaml still has the hidden health pane"
cmp -s "$CONFIG" "$WORK/mc.yaml.orig" || fail "mc.yaml was rewritten"
keys q
expect_exit 0

# the next start opens the saved arrangement
run_mc
wait_for " Revenue" 10
wait_cond 'order_ok "2 Blockers" "3 Revenue"' 5 "saved order back after restart"
screen | grep -qE "[0-9] Health" && fail "hidden Health is back after restart"
wait_for "saved" 5                # the layout name in the status line

# a adds Health back: the picker offers only what is not shown
keys a
wait_for "Add a pane" 5
wait_for "health (widgets: entry 5)" 5
keys Enter
wait_gone "Add a pane" 5
wait_cond 'screen | grep -qE "[0-9] Health"' 5 "the Health pane is back"

# ] and [ cycle the layouts: compact has no Revenue pane
keys ']'
wait_cond '! screen | grep -qF " Revenue"' 5 "] switched to another layout"
keys '[' 
wait_for " Revenue" 5
keys q
expect_exit 0
echo "ok"
