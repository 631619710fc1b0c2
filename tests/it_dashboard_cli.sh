#!/usr/bin/env bash
# The dashboard's start-up checks, before the screen is taken: bad key
# bindings, widget options and layouts stop mc with exit code 2 and a
# FILE:LINE:COLUMN message; without a terminal it says so (exit 1).
set -u
: "${MC:?}" "${MC_TESTS_DIR:?}"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mc-dash-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export HOME="$WORK" XDG_CONFIG_HOME="$WORK/cfg" XDG_CACHE_HOME="$WORK/cache" XDG_STATE_HOME="$WORK/state"
unset MC_CONFIG MC_LAYOUTS_DIR
fail() { echo "FAIL: $*" >&2; exit 1; }

# expect CODE TEXT [mc args...]: runs mc with stdin/stdout not a terminal
expect() {
    local code=$1 text=$2; shift 2
    "$MC" "$@" </dev/null >"$WORK/out" 2>"$WORK/err"
    local rc=$?
    [ "$rc" = "$code" ] || fail "mc $*: exit $rc, expected $code; stderr: $(cat "$WORK/err")"
    grep -qF -- "$text" "$WORK/err" || fail "mc $*: stderr lacks '$text': $(cat "$WORK/err")"
}

printf 'cache: %s/cache.db\nsources: []\nkeys:\n  quit: Q\n  refersh: C-r\n' "$WORK" >"$WORK/keys.yaml"
expect 2 "keys.yaml:5:3: keys: unknown action 'refersh'" -c "$WORK/keys.yaml"

printf 'cache: %s/cache.db\nsources: []\nkeys: {quit: Ctrl-Q}\n' "$WORK" >"$WORK/badkey.yaml"
expect 2 "badkey.yaml:3:14: unknown key 'Ctrl-Q'" -c "$WORK/badkey.yaml"

printf 'cache: %s/cache.db\nsources: []\nwidgets:\n  - {type: blockers}\n  - {type: blokers}\n' "$WORK" >"$WORK/widget.yaml"
expect 2 "widget.yaml:5:12: unknown widget type 'blokers'" -c "$WORK/widget.yaml"

printf 'cache: %s/cache.db\nsources: []\n' "$WORK" >"$WORK/ok.yaml"
printf 'rows:\n  - widget: stats\n  - widget: nosuch\n' >"$WORK/layout.yaml"
expect 2 "layout.yaml:3:5: unknown widget 'nosuch'" -c "$WORK/ok.yaml" dashboard --layout "$WORK/layout.yaml"
expect 2 "layout 'nosuchlayout' not found" -c "$WORK/ok.yaml" dashboard --layout nosuchlayout
printf 'rows:\n  - widget: stats\n    size: huge\n' >"$WORK/size.yaml"
expect 2 "size.yaml:3:11: size:" -c "$WORK/ok.yaml" dashboard --layout "$WORK/size.yaml"
expect 2 "unexpected argument" -c "$WORK/ok.yaml" dashboard extra
expect 1 "needs a terminal" -c "$WORK/ok.yaml"
expect 1 "needs a terminal" -c "$WORK/ok.yaml" dashboard --layout ops
expect 1 "needs a terminal" -c "$WORK/ok.yaml" --layout ops          # as the README shows it
expect 2 "layout 'nosuchlayout' not found" -c "$WORK/ok.yaml" --layout nosuchlayout
echo ok
