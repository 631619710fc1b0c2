#!/usr/bin/env bash
# Screen test: a failing source. When projects.json turns into garbage the
# Projects pane keeps its last good rows, its border gets the failing mark
# ("!"), and Enter with nothing selected / e names the source and its error;
# once the file is good again the mark goes.
. "$MC_TESTS_DIR/screen_lib.sh"

make_fixtures
start_shell 120 40
run_mc
wait_for "Falcon portal" 10
projects_border() { line_with "8 Projects"; }
projects_border | grep -q '! ' && fail "failing mark before anything failed"

cp "$DATA/projects.json" "$WORK/projects.good"
printf '[{"id": "p-1", "name": ' >"$DATA/projects.json"       # cut off mid-document
keys R                                                         # refresh now
wait_cond 'projects_border | grep -q "! "' 10 "the Projects border shows the failing mark"
wait_for "Falcon portal" 2                                     # the last good rows stay
keys 8 e
wait_for "Projects: sources" 5
wait_for "FAILING" 5
wait_for "projects (json_file" 5
keys Escape
wait_gone "Projects: sources" 5

cp "$WORK/projects.good" "$DATA/projects.json"
keys R
wait_cond '! projects_border | grep -q "! "' 10 "the failing mark goes once the source is good"
keys q
expect_exit 0
echo "ok"
