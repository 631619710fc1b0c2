# lib.sh — shared helpers of the shell integration tests: a private HOME and
# XDG dirs per test, assertions, and polling (never fixed sleeps).
set -u
MC=${MC:?MC must point at the mc binary}
TESTS_DIR=${MC_TESTS_DIR:-$(cd "$(dirname "$0")" && pwd)}
T=$(mktemp -d "${TMPDIR:-/tmp}/mc-it-XXXXXX")
export HOME="$T/home" XDG_CONFIG_HOME="$T/home/.config" XDG_CACHE_HOME="$T/home/.cache" \
       XDG_STATE_HOME="$T/home/.local/state" XDG_RUNTIME_DIR="$T/run"
mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
unset MC_CONFIG NO_COLOR
FAILS=0
CLEANUP=""
cleanup() { eval "$CLEANUP"; [ -n "${MC_KEEP_TMP:-}" ] || rm -rf "$T"; }
trap cleanup EXIT
on_exit() { CLEANUP="$1; $CLEANUP"; }

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }
# check DESCRIPTION COMMAND...: the command must succeed
check() { d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
# wait_until TIMEOUT_S COMMAND...: polls every 50 ms until the command succeeds
wait_until() {
  t=$1; shift
  end=$(( $(date +%s%N) / 1000000 + t * 1000 ))
  while [ $(( $(date +%s%N) / 1000000 )) -lt $end ]; do
    "$@" && return 0
    sleep 0.05
  done
  return 1
}
# json_get FILE PYTHON-EXPR: evaluates EXPR with `d` = the parsed JSON
json_get() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
finish() { if [ "$FAILS" -eq 0 ]; then echo "all passed"; exit 0; else echo "$FAILS failed"; exit 1; fi; }
# handoffs_config JSONL: writes $T/mc.yaml, user tester, cache and log in $T,
# retention that never ages the fixtures out, and one source "handoffs" (jsonl)
# reading JSONL. More sources can be appended to its sources: list.
handoffs_config() {
  cat >"$T/mc.yaml" <<YAML
owner: Apple
user: tester
cache: $T/cache.db
log: $T/mc.log
retention:
  activity: {age: 36500d}
  blockers: {age: 36500d}
sources:
  - id: handoffs
    kind: jsonl
    path: $1
YAML
}
