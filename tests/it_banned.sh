#!/usr/bin/env bash
# it_banned.sh — the banned-function check (tools/banned.sh) passes on mc's
# code and fails on a planted call: sprintf, strcpy, atoi, system named with
# file and line, while the same names in comments, strings, longer names
# (snprintf, strtok_r) and members (cls->system(...)) are not calls.
# tsan: not threaded (never runs mc; tests/meson.build leaves it out of build-tsan)
. "$(dirname "$0")/lib.sh"
SRC=${MC_SRC_DIR:-$TESTS_DIR/..}

out=$("$SRC/tools/banned.sh" 2>&1); rc=$?
check "mc's src, widgets and bench call no banned function" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || echo "$out" >&2

mkdir -p "$T/planted"
cat > "$T/planted/bad.c" <<'C'
#include <stdio.h>
static int f(char *buf, const char *s)
{
    sprintf(buf, "%s", s);
    strcpy (buf, s);
    return atoi(s) + system("true");
}
C
cat > "$T/planted/clean.c" <<'C'
/* sprintf(buf) in a comment is fine; so is strcpy( in prose */
static const char *msg = "never call sprintf(x) or gets(y)";
static int g(char *buf, size_t n, const char *s, struct K *cls)
{
    char *save;
    snprintf(buf, n, "%s", s);      // sprintf( here is a comment
    strtok_r(buf, ",", &save);
    return cls->system(s) + cls->atoi;
}
C
out=$("$SRC/tools/banned.sh" "$T/planted/bad.c" 2>&1); rc=$?
check "a planted sprintf fails the check" [ "$rc" -eq 1 ]
for want in "bad.c:4: sprintf" "bad.c:5: strcpy" "bad.c:6: atoi" "bad.c:6: system" "4 call(s)"; do
  case $out in *"$want"*) ok "names $want" ;; *) fail "output lacks '$want': $out" ;; esac
done
out=$("$SRC/tools/banned.sh" "$T/planted/clean.c" 2>&1); rc=$?
check "comments, strings, longer names and members are not calls" [ "$rc" -eq 0 ]
[ "$rc" -eq 0 ] || echo "$out" >&2
finish
