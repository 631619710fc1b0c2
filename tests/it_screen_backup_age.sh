#!/usr/bin/env bash
# Screen test: with backup: configured the sources view (e) ends with the
# newest backup's age, as mc check says it ("backups: DIR: newest 3h ago
# (keep 3)"), and "none yet" before the first; the view is read when opened,
# so a backup taken meanwhile shows on the next e.
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
printf 'backup: {dir: %s, keep: 3}\n' "$WORK/bk" >>"$CONFIG"
start_shell 120 40
run_mc
wait_for " Projects" 10
keys e
wait_for "backups: $WORK/bk: newest none yet (keep 3)" 10
keys Escape
wait_gone "backups:" 5

"$MC" backup >"$WORK/bk.out" 2>"$WORK/bk.err" || fail "mc backup failed: $(cat "$WORK/bk.err")"
touch -d "3 hours ago" "$(cat "$WORK/bk.out")"
keys e
wait_for "backups: $WORK/bk: newest 3h ago (keep 3)" 10
keys Escape
wait_gone "backups:" 5
keys q
expect_exit 0
echo "ok"
