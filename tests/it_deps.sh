#!/usr/bin/env bash
# it_deps.sh — tools/deps.sh installs by mode: `build` is what compiling mc
# needs (no PostgreSQL server, tmux, clang or python3), `test` adds what the
# tests need; the Makefile asks for build only on make/demo/install and for
# test on test/bench/fuzz. Static: never runs apt.
# tsan: not threaded (never runs mc)
. "$(dirname "$0")/lib.sh"
SRC=${MC_SRC_DIR:-$TESTS_DIR/..}
D="$SRC/tools/deps.sh"
build=$(sh "$D" list-build); rc1=$?
test=$(sh "$D" list-test); rc2=$?
check "deps.sh lists the build and test packages" [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && [ -n "$build" ]
for p in postgresql tmux clang python3 time; do
    check "the build list leaves out $p" bash -c '! grep -qw -- "$1" <<<"$2"' _ "$p" "$build"
    check "the test list has $p" grep -qw -- "$p" <<<"$test"
done
for p in $build; do
    check "the test list also has build package $p" grep -qw -- "$p" <<<"$test"
done
sh "$D" bogus >/dev/null 2>&1; check "an unknown mode is a usage error (exit 2)" [ $? -eq 2 ]

# the Makefile: which deps each target asks for (make -n prints the recipe
# lines that would run; deps.sh is the first of them)
M="$SRC/Makefile"
deps_of() {   # deps_of TARGET: the deps.sh modes make -n would run for it
    make -n -C "$SRC" -f "$M" BUILD="$T/nobuild" ASAN="$T/noasan" TSAN="$T/notsan" "$1" 2>/dev/null \
        | sed -n 's/.*tools\/deps\.sh *\([a-z-]*\).*/\1/p' | sort -u | tr '\n' ' '
}
for t in build demo; do
    got=$(deps_of $t); check "make $t asks deps.sh for build only: '$got'" [ "$got" = "build " ]
done
for t in test bench fuzz drills; do
    got=$(deps_of $t); check "make $t asks deps.sh for test: '$got'" grep -qw test <<<"$got"
done
finish
