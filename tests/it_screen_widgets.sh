#!/usr/bin/env bash
# Screen test: the dashboard on fixture files at 120x40. Every widget's title
# and data shows; Tab and 1-9 move the focus (the detail view follows it);
# j/G scroll; Enter opens the detail of the selected row and Esc closes it;
# ? shows the bindings; z zooms and unzooms; / filters the activity pane;
# y copies the selected row to the clipboard (OSC 52, read back from tmux).
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
start_shell 120 40
type_text "echo BEFORE-MC"; keys Enter
run_mc

# every widget's title, and data from every source
for title in "Revenue" "Blockers" "Agents" "Cron" "Health" "Activity" "Projects" "Stats"; do
    wait_for " $title" 10
done
wait_for "Rotate the Zephyr token" 10          # blockers (handoffs)
wait_for "Sign the Quokka" 10                  # blockers (markdown)
wait_for "Indexed 42 widgets" 10               # activity
wait_for "Falcon portal" 10                    # projects
wait_for "nightly-backup" 10                   # cron
wait_for "scout" 10                            # agents
wait_for "CPU" 10                              # health (this machine)
wait_for '$402' 10                             # revenue

# default layout: 1 Stats, 2 Revenue, 3 Blockers, 4 Health, 5 Agents, 6 Cron, 7 Activity, 8 Projects
keys 3 Enter
wait_for "Blockers: detail" 5
keys Escape
wait_gone "Blockers: detail" 5
keys Tab e                                     # Tab: from Blockers to Health; e: its sources
wait_for "Health: sources" 5
wait_for "host (system" 5
keys Escape
wait_gone "Health: sources" 5
keys BTab BTab e                               # back to Revenue
wait_for "Revenue: sources" 5
keys Escape
wait_gone "Revenue: sources" 5

# scrolling the activity pane: the oldest handoff is below the fold; each G
# goes a page further (the pane reads only the rows it shows)
keys 7
wait_gone "Oldest event archive sweep" 2
wait_cond 'keys G; screen | grep -qF "Oldest event archive sweep"' 10 "G scrolls down to the oldest handoff"
keys Enter
wait_for "Activity: detail" 5
keys Escape
wait_gone "Activity: detail" 5
keys g
wait_for "Indexed 42 widgets" 5
keys g j Enter                                 # the second newest row
wait_for "Activity: detail" 5
wait_for "Rotate the Zephyr token" 5
keys Escape
wait_gone "Activity: detail" 5

# help
keys '?'
wait_for "Keys in force" 5
wait_for "next_pane" 5
keys Escape
wait_gone "Keys in force" 5

# zoom: only the activity pane is left, then everything is back
keys z
wait_gone " Projects" 5
wait_for " Activity" 5
keys z
wait_for " Projects" 5
wait_for " Revenue" 5

# filter the activity pane
keys /
wait_for "filter:" 5
type_text "Zephyr"
keys Enter
wait_gone "Indexed 42 widgets" 5
wait_for "Rotate the Zephyr token" 5
keys / Enter                                   # an empty filter clears it
wait_for "Indexed 42 widgets" 5

# y copies the selected blocker (OSC 52 lands in tmux's buffer)
keys 3 g y
wait_for "copied" 5
wait_cond 't show-buffer 2>/dev/null | grep -q "Rotate the Zephyr token\|Approve the Quasar budget\|Sign the Quokka contract"' 5 \
    "the copied blocker is in tmux's buffer"

# n asks for a note in the status line; Esc cancels, Enter hands the
# resolve on (the outbox answers in the status line)
keys 3 g n
wait_for "note (Enter resolves" 5
type_text "later"
keys Escape
wait_gone "note (Enter resolves" 5
wait_for "Rotate the Zephyr token" 5
keys n
wait_for "note (Enter resolves" 5
type_text "new token is in .secrets"
wait_for "new token is in .secrets" 5
keys Enter
wait_gone "note (Enter resolves" 5
wait_cond '! screen | tail -n1 | grep -q "? help"' 5 "a message about the resolve in the status line"

keys q
expect_exit 0
wait_for "BEFORE-MC" 5
echo "ok"
