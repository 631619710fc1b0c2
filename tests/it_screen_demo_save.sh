#!/usr/bin/env bash
# Screen test (issue 8 item 5): S in `mc --demo` saves the arrangement with
# the demo's own files, never into the user's layouts directory, so the
# user's own dashboard does not open the demo's layout afterwards.
. "$MC_TESTS_DIR/screen_lib.sh"

start_shell 120 40
run_mc --demo
wait_for " Projects" 10
keys x                                   # change the arrangement, then save it
keys S
wait_for "saved the arrangement" 10
keys q
expect_exit 0
[ -e "$LAYOUTS/saved.yaml" ] && fail "the demo wrote the user's $LAYOUTS/saved.yaml"
[ -e "$LAYOUTS/.last.yaml" ] && fail "the demo wrote the user's layout memory"
ls "$XDG_RUNTIME_DIR"/mc-demo-*/layouts/saved.yaml >/dev/null 2>&1 \
    || fail "the demo's saved layout is not with its data"
echo "ok"
