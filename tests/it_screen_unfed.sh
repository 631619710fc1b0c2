#!/usr/bin/env bash
# Screen test (issue 8 item 6): a pane whose data no configured source feeds
# says why ("no source feeds revenue"), not "no data yet"; the shipped
# layouts (skip_unfed: true) leave such a pane out and give its space to the
# others, and bring it back once a source feeds it.
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
cp "$CONFIG" "$WORK/mc.yaml.full"
# the same config without the revenue source
awk '/- id: revenue/ {skip = 4} skip > 0 {skip--; next} {print}' "$WORK/mc.yaml.full" >"$CONFIG"
grep -q "feeds: revenue" "$CONFIG" && fail "the revenue source is still configured"
mkdir -p "$LAYOUTS"
cat >"$LAYOUTS/plain.yaml" <<'YAML'
columns: [revenue, blockers]
YAML
start_shell 120 40

run_mc                                   # the shipped default layout: no Revenue pane
wait_for "Sign the Quokka" 10
wait_for "Falcon portal" 10
wait_for "nightly-backup" 10
screen | grep -q "Revenue" && fail "the default layout shows a Revenue pane no source feeds"
cp "$WORK/mc.yaml.full" "$CONFIG"        # a revenue source appears (live reload)
wait_for " Revenue" 15
wait_for "YTD" 10
keys q
expect_exit 0

awk '/- id: revenue/ {skip = 4} skip > 0 {skip--; next} {print}' "$WORK/mc.yaml.full" >"$CONFIG"
sed -i 's/^layout: default/layout: plain/' "$CONFIG"
type_text clear; keys Enter
run_mc                                   # a layout without skip_unfed: the pane says why
wait_for "Sign the Quokka" 10
wait_for " Revenue" 10
wait_for "no source feeds revenue" 10
keys q
expect_exit 0
echo "ok"
