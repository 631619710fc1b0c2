#!/usr/bin/env bash
# Screen test: the selection stays on the item, not on a row number (issue 8
# item 1). Select the third blocker, open its detail, let a newer blocker
# arrive (it sorts above), close the detail and press r: the item that was
# selected is the one resolved. Then a filter and scrolling keep the
# selection, and an item that vanishes moves the selection to the nearest row
# with a note on the status line.
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
start_shell 120 40
run_mc
wait_for "Sign the Quokka" 10
wait_for "Needs Apple · 3" 10

# rows, newest first: Rotate the Zephyr (handoffs), Approve the Quasar
# (handoffs), Sign the Quokka (pending)
keys 3 j j Enter
wait_for "source:      pending" 5
# a newer blocker arrives while the detail is open
printf '%s\n' "{\"ts\":$(date +%s),\"id\":\"h-nova\",\"from\":\"atlas\",\"to\":\"apple\",\"type\":\"blocker\",\"status\":\"blocked\",\"summary\":\"Sign off the Nova launch\",\"details\":\"x\",\"action_needed\":true}" >>"$DATA/handoffs.jsonl"
keys Escape
wait_for "Needs Apple · 4" 10
wait_for "Sign off the N" 5
keys Enter                          # the detail still shows the item that was selected
wait_for "source:      pending" 5
keys Escape
wait_gone "source:      pending" 5
keys r
wait_cond 'grep -q "^- \[x\] Sign the Quokka" "$DATA/pending-work.md"' 10 "the selected task is the one resolved"
grep -q '"type":"resolution"' "$DATA/handoffs.jsonl" && fail "a handoff blocker the user never selected was resolved"
wait_for "Needs Apple · 3" 10

# a filter that still shows the item keeps the selection on it, and so does
# clearing it: rows are Nova, Zephyr, Quasar; select the Quasar
keys G
wait_for " 3/3 " 5                  # the scroll position on the pane's border
keys /
type_text "Qua"
keys Enter
wait_for "filter: Qua" 5
keys Enter
wait_for "key:         h-quasar" 5
keys Escape
keys /
keys Enter
wait_for "filter cleared" 5
keys Enter
wait_for "key:         h-quasar" 5
keys Escape
wait_gone "key:         h-quasar" 5

# the selected item goes (resolved by someone else): the nearest row is
# selected, and the status line says so
keys k                              # the Zephyr
wait_for " 2/3 " 5
printf '%s\n' '{"type":"resolution","ref":"h-zephyr","by":"max","ts":"2026-01-01T00:00:00Z"}' >>"$DATA/handoffs.jsonl"
wait_for "Needs Apple · 2" 10
wait_for "(Rotate the Zephyr token) is gone" 5
keys Enter
wait_for "key:         h-quasar" 5   # where the Zephyr was
keys Escape
wait_gone "key:         h-quasar" 5

# scrolled down the activity pane, newer events arrive: the same event stays selected
# the focused pane's position: N/M on its heavy bottom border
focused_pos() { screen | grep -F "┗" | grep -o '[0-9]*/[0-9]* ━*┛' | grep -o '^[0-9]*/[0-9]*'; }
keys 7 G
wait_cond '[ -n "$(focused_pos)" ]' 5 "the activity pane shows its position"
before=$(focused_pos)                # N/N: the last row
n=${before#*/}
[ "${before%/*}" = "$n" ] || fail "G did not select the last row ($before)"
keys Enter
wait_for "key:     " 5
key=$(screen | grep -o 'key:     [^ ]*' | head -n1)
keys Escape
wait_gone "$key" 5
printf '%s\n' "{\"ts\":$(date +%s),\"id\":\"h-late\",\"from\":\"scout\",\"to\":\"team\",\"type\":\"status\",\"status\":\"ok\",\"summary\":\"Late news\",\"details\":\"x\",\"action_needed\":false}" >>"$DATA/handoffs.jsonl"
wait_cond '[ "$(focused_pos)" = "$((n + 1))/$((n + 1))" ]' 10 "the selection followed its event down one row ($(focused_pos))"
keys Enter
wait_for "$key" 5
keys Escape

# an emoji asked for with U+FE0F (🖼️) must not push the pane's right border:
# the terminal gets no selector, and each line is as long as the screen is wide
printf '%s\n' "{\"ts\":$(date +%s),\"id\":\"h-emoji\",\"from\":\"pix\",\"to\":\"apple\",\"type\":\"blocker\",\"status\":\"blocked\",\"summary\":\"🖼️ ⚠️ hero\",\"details\":\"x\",\"action_needed\":true}" >>"$DATA/handoffs.jsonl"
wait_for "hero" 10
screen | grep -q $'\xef\xb8\x8f' && fail "U+FE0F reached the terminal"
width=$(t display -p -t mc '#{pane_width}')
while IFS= read -r line; do
    [ "${#line}" -eq "$width" ] || fail "a line with an emoji is ${#line} columns, not $width: $line"
done < <(screen | grep -F "hero")
keys q
expect_exit 0
echo "ok"
