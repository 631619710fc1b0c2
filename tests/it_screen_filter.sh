#!/usr/bin/env bash
# Screen test (issue 8 item 6): `/` on a pane without a filter still opens
# the prompt, so the letters typed next are text, not commands ("quit" must
# not quit), and Enter says the pane has no filter; Esc clears a filter that
# was applied (in the prompt and in the pane).
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
start_shell 120 40
run_mc
wait_for "Sign the Quokka" 10
wait_for "Rotate the Zep" 10

keys 1                                   # Stats: no filter
keys /
wait_for "filter" 5
type_text "quit"
keys Enter
wait_for "has no filter" 5
[ -n "$(mc_pid)" ] || fail "typing 'quit' after / quit mc"
screen | grep -q "MC-EXIT" && fail "mc exited"

keys 3 /                                 # Blockers: filter, then Esc clears it
wait_for "filter:" 5
type_text "Rotate"
keys Enter
wait_for "filter: Rotate" 5
wait_gone "Sign the Quokka" 5
wait_for "Rotate the Zep" 5
keys Escape
wait_for "filter cleared" 5
wait_for "Sign the Quokka" 5

keys / ; type_text "Rotate"; keys Enter   # Esc in the prompt clears it too
wait_gone "Sign the Quokka" 5
keys / ; wait_for "filter:" 5
keys Escape
wait_for "Sign the Quokka" 5
keys q
expect_exit 0
echo "ok"
