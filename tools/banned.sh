#!/bin/sh
# The banned-function check (run by the suite as tests/it_banned.sh, and by
# hand: tools/banned.sh [DIR|FILE...], default src widgets bench).
# mc's C code calls none of the functions below: they overflow buffers
# (strcpy, strcat, sprintf, vsprintf, gets), keep hidden state (strtok),
# hand a string to the shell (system, popen), race on temp names (tmpnam,
# tempnam, mktemp) or cannot report a bad number (atoi, atol, atoll, atof).
# Use snprintf/xasprintf, bounded copies, strtok_r, fork+exec, mkstemp and
# strtol/strtod with range and end checks instead (docs/ARCHITECTURE.md, "How code is written").
# Comments and string literals are skipped; a call is the name followed by
# "(" that is not a member (x.f, x->f) nor part of a longer name.
# Prints FILE:LINE: name(...) for each call and exits 1 when there is one.
cd "$(dirname "$0")/.." || exit 2
[ $# -gt 0 ] || set -- src widgets bench
exec python3 - "$@" <<'PY'
import os, re, sys

BANNED = ["strcpy", "strcat", "sprintf", "vsprintf", "gets", "strtok", "system",
          "popen", "atoi", "atol", "atoll", "atof", "tmpnam", "tempnam", "mktemp"]
call = re.compile(r"(?<![A-Za-z0-9_.>])(" + "|".join(BANNED) + r")\s*\(")
# one C token at a time: comments, string and char literals, or anything else
token = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|.', re.S)

def blank(m):
    t = m.group(0)
    if t.startswith(("//", "/*", '"', "'")):
        return re.sub(r"[^\n]", " ", t)   # keep the line numbers
    return t

def files(paths):
    for p in paths:
        if os.path.isfile(p):
            yield p
        for root, dirs, names in os.walk(p):
            dirs.sort()
            for n in sorted(names):
                if n.endswith((".c", ".h")):
                    yield os.path.join(root, n)

found = 0
for path in files(sys.argv[1:]):
    with open(path, encoding="utf-8", errors="replace") as f:
        code = token.sub(blank, f.read())
    for no, line in enumerate(code.split("\n"), 1):
        for m in call.finditer(line):
            print(f"{path}:{no}: {m.group(1)}(...) is banned")
            found += 1
if found:
    print(f"{found} call(s) to banned functions")
sys.exit(1 if found else 0)
PY
