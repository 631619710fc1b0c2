# screen_lib.sh — what the tmux screen tests (it_screen_*.sh) share. Sourced,
# not run. Each test gets a private tmux server (tmux -L mc-test-$$), a temp
# HOME with XDG dirs, and the fixture files of tests/fixtures/ui copied there
# with mc.yaml pointing at them. mc runs inside a shell in a 120x40 pane, so
# after it quits the shell's prompt and earlier output must be back. Tests
# poll the screen for expected text (wait_for); nothing sleeps a fixed time.
set -u
: "${MC:?MC must be the path of the mc binary}"
: "${MC_TESTS_DIR:?MC_TESTS_DIR must be the tests directory}"
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }

export LANG=C.UTF-8 LC_ALL=C.UTF-8
SOCK="mc-test-$$"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mc-screen-XXXXXX")
export TMUX_TMPDIR="$WORK"            # the server's socket goes away with WORK
export HOME="$WORK/home"
export XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
export XDG_STATE_HOME="$HOME/.local/state" XDG_RUNTIME_DIR="$WORK/run"
unset MC_CONFIG MC_LAYOUTS_DIR TMUX NO_COLOR
mkdir -p "$XDG_CONFIG_HOME/mission-control" "$XDG_CACHE_HOME" "$XDG_STATE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
DATA="$WORK/data"
CONFIG="$XDG_CONFIG_HOME/mission-control/mc.yaml"
LAYOUTS="$XDG_CONFIG_HOME/mission-control/layouts"

t() { tmux -L "$SOCK" -f "$WORK/tmux.conf" "$@"; }

cleanup() {
    t kill-server >/dev/null 2>&1
    rm -rf "$WORK" 2>/dev/null || { sleep 0.2; rm -rf "$WORK"; }
}
trap cleanup EXIT

screen() { t capture-pane -p -t mc 2>/dev/null; }

fail() {
    echo "FAIL: $*" >&2
    echo "---- screen ----" >&2
    screen >&2
    echo "----------------" >&2
    exit 1
}

# wait_for TEXT [SECONDS]: until TEXT is on the screen.
wait_for() {
    local text=$1 limit=${2:-10} i=0
    while [ "$i" -lt $((limit * 20)) ]; do
        screen | grep -qF -- "$text" && return 0
        sleep 0.05
        i=$((i + 1))
    done
    fail "'$text' did not appear within ${limit}s"
}

# wait_gone TEXT [SECONDS]: until TEXT is no longer on the screen.
wait_gone() {
    local text=$1 limit=${2:-10} i=0
    while [ "$i" -lt $((limit * 20)) ]; do
        screen | grep -qF -- "$text" || return 0
        sleep 0.05
        i=$((i + 1))
    done
    fail "'$text' was still on the screen after ${limit}s"
}

# wait_cond 'shell condition' [SECONDS] WHAT
wait_cond() {
    local cond=$1 limit=${2:-10} what=${3:-$1} i=0
    while [ "$i" -lt $((limit * 20)) ]; do
        eval "$cond" && return 0
        sleep 0.05
        i=$((i + 1))
    done
    fail "$what (not true within ${limit}s)"
}

keys() { t send-keys -t mc "$@"; }
# type TEXT: literal text, no key names
type_text() { t send-keys -t mc -l -- "$1"; }

# The fixture files, with times made relative to now, and mc.yaml.
make_fixtures() {
    local now iso
    now=$(date -u +%s)
    iso=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    mkdir -p "$DATA"
    cp -R "$MC_TESTS_DIR/fixtures/ui/." "$DATA/"
    awk -v now="$now" '{
        while (match($0, /@T[0-9]+@/)) {
            n = substr($0, RSTART + 2, RLENGTH - 3)
            $0 = substr($0, 1, RSTART - 1) (now - n * 60) substr($0, RSTART + RLENGTH)
        }
        print
    }' "$DATA/handoffs.jsonl.in" >"$DATA/handoffs.jsonl"
    rm -f "$DATA/handoffs.jsonl.in"
    for f in "$DATA"/agents/*/state.json; do
        sed -i "s/@ISO0@/$iso/" "$f"
    done
    sed "s|@DIR@|$DATA|g" "$DATA/mc.yaml.in" >"$CONFIG"
    rm -f "$DATA/mc.yaml.in"
}

# start_shell [COLS ROWS]: a tmux server with one shell pane named "mc".
start_shell() {
    local cols=${1:-120} rows=${2:-40}
    cat >"$WORK/tmux.conf" <<EOF
set -g default-terminal tmux-256color
set -g status off
set -g set-clipboard on
set -g escape-time 10
set -g history-limit 2000
EOF
    t new-session -d -s mc -x "$cols" -y "$rows" \
        "env PS1='shell\$ ' HISTFILE= bash --norc --noprofile" || fail "tmux did not start"
    wait_for 'shell$' 5
}

# run_mc ARGS...: types the mc command line into the shell; after mc exits
# the shell prints "MC-EXIT=<code>".
run_mc() {
    local args=""
    for a in "$@"; do args="$args '$a'"; done
    type_text "'$MC'$args; echo MC-EXIT=\$?"
    keys Enter
}

# The pid of mc (the shell's child).
mc_pid() {
    local shell
    shell=$(t display -p -t mc '#{pane_pid}')
    pgrep -P "$shell" -x mc 2>/dev/null | head -n1
}

# Waits for mc to exit and checks its exit code and that the terminal is back.
expect_exit() {
    local code=${1:-0}
    wait_for "MC-EXIT=$code" 15
    [ "$(t display -p -t mc '#{alternate_on}')" = 0 ] || fail "alternate screen still on after mc exited"
    wait_for 'shell$' 5
}

# The line of the screen holding TEXT (first match).
line_with() { screen | grep -F -- "$1" | head -n1; }

# column_of TEXT LINE: the character offset of TEXT in LINE (-1 when absent).
column_of() {
    local text=$1 line=$2
    local before=${line%%"$text"*}
    [ "$before" = "$line" ] && { echo -1; return; }
    echo "${#before}"
}

# The blockers-pane tests (it_screen_resolved_msg, _undo_snooze, _undo_bulk):
# the fixtures plus two "Bulk" blockers in pending-work.md, mc running in a
# 120x40 pane with the Quokka, Zep and Bulk items on the screen.
start_blockers() {
    make_fixtures
    cat >>"$DATA/pending-work.md" <<'MD'
- [ ] Bulk alpha item — BLOCKED: needs Apple
- [ ] Bulk beta item — BLOCKED: needs Apple
MD
    start_shell 120 40
    run_mc
    wait_for "Sign the Quokka" 10
    wait_for "Rotate the Zep" 10
    wait_for "Bulk beta" 10
}

# box MARK TEXT: how many "- [MARK] TEXT..." lines pending-work.md holds.
box() { grep -c "^- \[$1\] $2" "$DATA/pending-work.md"; }
# the focused pane's rows (between its heavy borders): the Blockers pane here
blockers() { screen | sed -n 's/^[^┃]*┃\([^┃]*\)┃.*/\1/p'; }
in_pane() { blockers | grep -qF -- "$1"; }
pane_has() { wait_cond "in_pane '$1'" 10 "'$1' in the Blockers pane"; }
pane_lacks() { wait_cond "! in_pane '$1'" 10 "'$1' gone from the Blockers pane"; }
