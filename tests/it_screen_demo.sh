#!/usr/bin/env bash
# Screen test: `mc --demo` needs no config and no network and shows every
# widget, populated; --ascii draws the same without line drawing; with
# NO_COLOR set no color reaches the terminal (attributes only).
. "$MC_TESTS_DIR/screen_lib.sh"

start_shell 120 40
run_mc --demo
for title in Revenue Blockers Agents Cron Health Activity Projects Stats; do
    wait_for " $title" 10
done
wait_for "YTD" 10                     # revenue
wait_for "CPU" 10                     # health, this machine's
wait_for "PLANNING" 10                # projects
wait_for "open blockers" 10           # stats
wait_gone "no data yet" 10          # every pane populated
keys q
expect_exit 0

run_mc --demo --ascii
wait_for "# 1 Stats" 10             # the focused pane: '#' and '='
wait_for "+ 2 Revenue" 10           # the others: '+', '-' and '|'
for title in Revenue Blockers Agents Cron Health Activity Projects; do
    wait_for " $title" 10
done
screen | grep -q '[─│┌┐└┘━┃]' && fail "line drawing in --ascii"
keys q
expect_exit 0

type_text "NO_COLOR=1 '$MC' --demo; echo MC-EXIT=\$?"
keys Enter
wait_for " Projects" 10
wait_for "PLANNING" 10
colors=$(t capture-pane -e -p -t mc | grep -cE $'\e\[([0-9]+;)*(3[0-7]|38|4[0-7]|48|9[0-7])[;m]')
[ "$colors" = 0 ] || fail "NO_COLOR: $colors lines with color sequences"
keys q
expect_exit 0
run_mc --demo                       # and without it, colors are there
wait_for "PLANNING" 10
colors=$(t capture-pane -e -p -t mc | grep -cE $'\e\[([0-9]+;)*(3[0-7]|38|4[0-7]|48|9[0-7])[;m]')
[ "$colors" -gt 0 ] || fail "no colors without NO_COLOR"
keys q
expect_exit 0
echo "ok"
