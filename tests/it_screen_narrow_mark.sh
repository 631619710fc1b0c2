#!/usr/bin/env bash
# Screen test (issue 8 item 6): the failing-source mark shows on a pane too
# narrow for its title and its age note, and without colour (NO_COLOR): it
# is part of the title ("! 1 Projects"), not a colour or a note that is
# dropped when it does not fit.
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
mkdir -p "$LAYOUTS"
cat >"$LAYOUTS/narrow.yaml" <<'YAML'
columns:
  - size: 16
    widget: projects
  - widget: activity
YAML
sed -i 's/^layout: default/layout: narrow/' "$CONFIG"
start_shell 120 40
type_text "NO_COLOR=1 '$MC'; echo MC-EXIT=\$?"
keys Enter
wait_for "Heron" 10
border() { line_with "1 Proj"; }
border | grep -q '!' && fail "failing mark before anything failed"
cp "$DATA/projects.json" "$WORK/projects.good"
printf '[{"id": "p-1", "name": ' >"$DATA/projects.json"       # cut off mid-document
keys R
wait_cond 'border | grep -q "! 1 Proj"' 10 "the narrow Projects pane shows the failing mark"
colors=$(t capture-pane -e -p -t mc | grep -cE $'\e\[([0-9]+;)*(3[0-7]|38|4[0-7]|48|9[0-7])[;m]')
[ "$colors" = 0 ] || fail "NO_COLOR: $colors lines with color sequences"
cp "$WORK/projects.good" "$DATA/projects.json"
keys R
wait_cond '! border | grep -q "!"' 10 "the mark goes once the source is good"
keys q
expect_exit 0
echo "ok"
