#!/usr/bin/env bash
# it_hygiene.sh — the suite's own plumbing: tests/run.sh counts a skipped
# test apart (never as passed), names it with its reason, keeps the last line
# in the shape CI reads ("N passed, N failed, N skipped") and runs one suite
# with DIR:SUITE; a unit test that skips part of itself exits 77 (a skip);
# meson's defaults turn warnings into errors (not only the
# Makefile's options); no Python bytecode is committed or committable.
# tsan: not threaded (never runs mc; tests/meson.build leaves it out of build-tsan)
. "$(dirname "$0")/lib.sh"
SRC=${MC_SRC_DIR:-$TESTS_DIR/..}

# a tiny meson project: one test passes, one skips (exit 77), one fails
P="$T/proj"
mkdir -p "$P"
cat > "$P/meson.build" <<'M'
project('runsh', meson_version : '>= 0.63')
sh = find_program('sh')
test('passes', sh, args : ['-c', 'echo fine'], suite : 'quick')
test('skips', sh, args : ['-c', 'echo "SKIP: no terminfo here"; exit 77'])
test('fails', sh, args : ['-c', 'echo broken >&2; exit 1'])
M
if ! meson setup "$P/b" "$P" >"$T/setup.log" 2>&1; then
  cat "$T/setup.log" >&2
  fail "meson setup of the sample project"
  finish
fi
out=$(sh "$SRC/tests/run.sh" "$P/b" 2>&1); rc=$?
last=$(printf '%s\n' "$out" | tail -n 1)
check "run.sh: a skip is counted apart, the count is the last line" [ "$last" = "1 passed, 1 failed, 1 skipped" ]
check "run.sh fails when a test failed" [ "$rc" -ne 0 ]
case $out in *"SKIP "*"skips: SKIP: no terminfo here"*) ok "run.sh names the skip and why" ;;
  *) fail "run.sh does not name the skip: $out" ;; esac
# .ci/run picks the count out of make's output with this pattern
pat=$(sed -n "s/.*grep -E '\(^\[0-9\]+ passed[^']*\)'.*/\1/p" "$SRC/.ci/run")
check ".ci/run reads the count line" sh -c "printf '%s\n' '$last' | grep -qE '$pat'"

out=$(sh "$SRC/tests/run.sh" "$P/b:quick" 2>&1); rc=$?
last=$(printf '%s\n' "$out" | tail -n 1)
check "run.sh DIR:SUITE runs that suite only" [ "$last" = "1 passed, 0 failed, 0 skipped" ]
check "run.sh succeeds when nothing failed" [ "$rc" -eq 0 ]

# a unit test that cannot check something says SKIP and exits 77 (meson's
# skip), never 0: test_text without the terminfo its draw checks need
if [ -x ./test_text ]; then
  out=$(MC_TEST_TERM=no-such-terminal ./test_text 2>&1); rc=$?
  check "test_text without terminfo exits 77 (skip), not 0 ($rc)" [ "$rc" -eq 77 ]
  case $out in *"SKIP: check_draw: no no-such-terminal terminfo"*) ok "test_text says what it skipped" ;;
    *) fail "test_text does not say SKIP: $out" ;; esac
  ./test_text >/dev/null 2>&1; rc=$?
  check "test_text with terminfo runs every check and passes ($rc)" [ "$rc" -eq 0 ]
else
  fail "no ./test_text in $(pwd) (run from the build's tests directory)"
fi

# -Dwerror is meson's default, not only the Makefile's
werror=$(cd "$SRC" && meson introspect --buildoptions meson.build 2>/dev/null |
  python3 -c "import json,sys; print([o['value'] for o in json.load(sys.stdin) if o['name'] == 'werror'])")
check "meson.build's default_options has werror=true ($werror)" [ "$werror" = "[True]" ]

# no committed bytecode, and .gitignore keeps it out
if git -C "$SRC" rev-parse --git-dir >/dev/null 2>&1; then
  pyc=$(git -C "$SRC" ls-files | grep -E '__pycache__|\.pyc$' || true)
  check "no .pyc is committed ($pyc)" [ -z "$pyc" ]
  check ".gitignore keeps tests/__pycache__ out" git -C "$SRC" check-ignore -q tests/__pycache__/x.cpython-311.pyc
else
  check ".gitignore keeps __pycache__ out" grep -qx '__pycache__/' "$SRC/.gitignore"
fi
finish
