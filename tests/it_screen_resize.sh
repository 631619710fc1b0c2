#!/usr/bin/env bash
# Screen test: resizing. 40x12 still shows panes, 30x8 shows "terminal too
# small" (never a crash), 200x60 shows every pane, and back at 120x40 the
# dashboard is whole again; keys keep working throughout.
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
start_shell 120 40
run_mc
wait_for " Projects" 10
wait_for "Falcon portal" 10
pid=$(mc_pid)
[ -n "$pid" ] || fail "mc is not running"

alive() { kill -0 "$pid" 2>/dev/null || fail "mc died"; }

t resize-window -t mc -x 40 -y 12
wait_for "1 Stats" 5
wait_gone "terminal too small" 5
alive
t resize-window -t mc -x 30 -y 8
wait_for "terminal too small" 5
wait_for "30x8" 5
alive
t resize-window -t mc -x 39 -y 12
wait_for "39x12" 5
t resize-window -t mc -x 200 -y 60
wait_gone "terminal too small" 5
for title in Revenue Blockers Agents Cron Health Activity Projects Stats; do
    wait_for " $title" 5
done
alive
keys Tab Tab
t resize-window -t mc -x 120 -y 40
wait_for " Projects" 5
wait_for "Falcon portal" 5
# shrink and grow in a burst: each size is valid, the last one wins
for size in "41 13" "80 24" "35 10" "150 50" "60 20" "120 40"; do
    set -- $size
    t resize-window -t mc -x "$1" -y "$2"
done
wait_for " Projects" 5
wait_for "Falcon portal" 5
alive
keys 8 Enter
wait_for "Projects: detail" 5
keys Escape
wait_gone "Projects: detail" 5
keys q
expect_exit 0
echo "ok"
