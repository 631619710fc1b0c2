#!/usr/bin/env bash
# Screen test: live config. A broken edit of mc.yaml while mc runs leaves the
# running config in place and shows FILE:LINE:COLUMN in the status line; a
# good edit (a key binding and a pane title) applies within a second and
# keeps the focus. A layout file appearing or changing under the current
# layout's name is applied too; a broken one is reported the same way.
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
start_shell 120 40
run_mc
wait_for " Projects" 10
wait_for "Falcon portal" 10
keys 7                                         # focus the activity pane

# a broken edit, appended in place
cp "$CONFIG" "$WORK/good.yaml"
lines=$(wc -l <"$CONFIG")
echo "bogus_setting: 1" >>"$CONFIG"
wait_for "mc.yaml:$((lines + 1)):1:" 5
wait_for "bogus_setting" 5
keys Enter                                     # the old config still runs
wait_for "Activity: detail" 5
keys Escape
wait_gone "Activity: detail" 5
wait_for "mc.yaml:$((lines + 1)):1:" 5         # the error stays until a good edit

# a good edit, written the way editors do (new file, rename)
sed -e 's/  - {type: projects}/  - {type: projects, title: Roadmap}/' "$WORK/good.yaml" >"$WORK/new.yaml"
printf 'keys:\n  quit: Q\n' >>"$WORK/new.yaml"
mv "$WORK/new.yaml" "$CONFIG"
wait_for "Roadmap" 5
wait_gone "bogus_setting" 5
keys Enter                                     # focus stayed on the activity pane
wait_for "Activity: detail" 5
keys Escape
wait_gone "Activity: detail" 5
keys q '?'                                     # q no longer quits ...
wait_for "Keys in force" 5
keys Escape
wait_gone "Keys in force" 5

# a user layout named like the current one takes over; a broken one is reported
mkdir -p "$LAYOUTS"
printf 'columns:\n  - widget: blockers\n  - widget: projects\n' >"$LAYOUTS/default.yaml"
wait_gone " Revenue" 5
wait_for "Roadmap" 5
wait_for " Blockers" 5
printf 'columns:\n  - widget: blockers\n  - widget: nosuchwidget\n' >"$LAYOUTS/default.yaml.tmp"
mv "$LAYOUTS/default.yaml.tmp" "$LAYOUTS/default.yaml"
wait_for "default.yaml:3:5:" 5
wait_for "nosuchwidget" 5
wait_for "Roadmap" 5                           # the running layout stays
rm "$LAYOUTS/default.yaml"                     # back to the shipped one
wait_for " Revenue" 5

keys Q                                         # ... Q does
expect_exit 0
echo "ok"
