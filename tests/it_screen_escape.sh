#!/usr/bin/env bash
# Screen test: hostile data and clean exits. A handoff and a markdown task
# holding ESC ]0;owned BEL (set the title), ESC [2J (clear the screen),
# ESC [?1049l (leave the alternate screen) and a raw C1 CSI byte are shown
# as visible placeholders: the pane title, the alternate screen and the
# other panes stay intact. After q, SIGTERM and SIGHUP the terminal is
# restored (alternate screen off, the shell and its earlier output back).
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
now=$(date -u +%s)
printf '{"ts":%s,"id":"h-evil","from":"mallory","to":"apple","type":"blocker","summary":"EVIL1 \\u001b]0;owned\\u0007 title \\u001b[2J clear \\u001b[?1049l alt","details":"\\u001b]2;owned2\\u0007 more","action_needed":true}\n' \
    "$now" >>"$DATA/handoffs.jsonl"
printf -- '- [ ] EVIL2 \033]0;owned\007 \033[2J \033[?1049l \233?1049l raw — BLOCKED: needs Apple\n' \
    >>"$DATA/pending-work.md"

start_shell 120 40
t select-pane -t mc -T "keep-this-title"
type_text "echo BEFORE-MC"; keys Enter
wait_for "BEFORE-MC" 5
run_mc
wait_for "Falcon portal" 10
wait_for "nightly-backup" 10
wait_for "EVIL1" 10
wait_for "EVIL2" 10
wait_for "owned" 10                           # the payload is visible as text ...
screen | grep -F "EVIL1" | grep -qF "␛" || fail "ESC not shown as a placeholder"
[ "$(t display -p -t mc '#{pane_title}')" = "keep-this-title" ] ||
    fail "the pane title changed to '$(t display -p -t mc '#{pane_title}')'"
[ "$(t display -p -t mc '#{alternate_on}')" = 1 ] || fail "mc left the alternate screen"
# ... and nothing was cleared: the other panes are all there
for text in " Stats" " Revenue" " Projects" " Cron" "Falcon portal" "nightly-backup" "Indexed 42 widgets"; do
    screen | grep -qF -- "$text" || fail "'$text' vanished"
done
keys 3 Enter                                   # the detail view sanitizes too
wait_for "Blockers: detail" 5
[ "$(t display -p -t mc '#{pane_title}')" = "keep-this-title" ] || fail "title changed by the detail view"
keys Escape
wait_gone "Blockers: detail" 5
keys q
expect_exit 0
wait_for "BEFORE-MC" 5
[ "$(t display -p -t mc '#{pane_title}')" = "keep-this-title" ] || fail "title changed"

# SIGTERM and SIGHUP end mc cleanly too
for sig in TERM HUP; do
    t send-keys -t mc C-l
    run_mc
    wait_for "Falcon portal" 10
    pid=$(mc_pid)
    [ -n "$pid" ] || fail "mc is not running"
    kill -"$sig" "$pid"
    expect_exit 0
done
echo "ok"
