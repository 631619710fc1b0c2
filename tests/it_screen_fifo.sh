#!/usr/bin/env bash
# Screen test: a FIFO where a source's file should be, and a source whose
# `path:` becomes YAML null while the dashboard runs.
# - revenue.json replaced by a FIFO (no writer): the dashboard draws, the
#   sources view (e) says "not a regular file", and q quits at once (before
#   the fix the worker blocked in open() forever and q never returned).
# - `path: ~` written into mc.yaml: the running dashboard keeps running and
#   shows FILE:LINE:COL at the value; a good edit clears it.
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
rm -f "$DATA/revenue.json"
mkfifo "$DATA/revenue.json"
start_shell 120 40
run_mc
wait_for " Projects" 10
wait_for "Falcon portal" 10
wait_for "! 2 Revenue" 10       # revenue's first fetch has failed (the sources view is a snapshot)
keys e
wait_for "not a regular file" 10
keys Escape
wait_gone "not a regular file" 5

# null path on reload: the dashboard stays and names the line and column
cp "$CONFIG" "$WORK/good.yaml"
line=$(grep -n 'projects.json' "$CONFIG" | cut -d: -f1)
sed -e "${line}s|path: .*|path: ~|" "$WORK/good.yaml" >"$WORK/new.yaml"
mv "$WORK/new.yaml" "$CONFIG"
wait_for "mc.yaml:${line}:11:" 10
wait_for "Falcon portal" 5                      # the running config still runs
[ -n "$(mc_pid)" ] || fail "mc died on the reload"
sed -e "${line}s|path: .*|path:|" "$WORK/good.yaml" >"$WORK/new.yaml"
mv "$WORK/new.yaml" "$CONFIG"
wait_for "mc.yaml:${line}:" 10
[ -n "$(mc_pid)" ] || fail "mc died on the second reload"
cp "$WORK/good.yaml" "$WORK/new.yaml"
mv "$WORK/new.yaml" "$CONFIG"
wait_gone "mc.yaml:${line}:" 10

start=$(date +%s%N)
keys q
expect_exit 0
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 5000 ] || fail "q took ${ms} ms with a FIFO source"
echo "ok"
