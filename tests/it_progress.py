#!/usr/bin/env python3
"""it_progress.py - the progress line (src/progress.c) of `mc fetch --once`
over many sources and of `mc restore`: on stderr, redrawn with a carriage
return, when stderr is a terminal (a pty here); nothing of it when stderr is
a pipe. A refused restore ends the progress line before its error."""
import json
import os
import shutil
import subprocess
from itlib import FAILS, MC, check, temp_home, write_mc_yaml, exit_report, stderr_on_pty

T, ENV = temp_home("mc-progress-")
N = 6
srcs = ""
for i in range(N):
    path = "%s/h%d.jsonl" % (T, i)
    with open(path, "w") as f:
        for j in range(20):
            f.write(json.dumps({"id": "r%d-%d" % (i, j), "ts": "2026-11-30T09:00:%02dZ" % j, "from": "a",
                                "to": "apple", "type": "note", "summary": "s%d" % j}) + "\n")
    srcs += "  - id: h%d\n    kind: jsonl\n    path: %s\n" % (i, path)
write_mc_yaml(T, "mc.yaml", srcs)
with open(T + "/mc.yaml", "a") as f:
    f.write("backup: {dir: %s/bk, keep: 3}\n" % T)
CFG = T + "/mc.yaml"


def on_pty(*args):
    """Runs mc ARGS with stderr on a pty (stdout a pipe): (exit code, stderr bytes)."""
    return stderr_on_pty([MC, "-c", CFG] + list(args), ENV)


def piped(*args):
    return subprocess.run([MC, "-c", CFG] + list(args), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


# fetch --once over many sources
rc, said = on_pty("fetch", "--once")
check("fetch --once on a terminal: exit 0 (%d)" % rc, rc == 0)
check("... a progress line 'mc fetch: %d of %d sources fetched': %r" % (N, N, said[-300:]),
      b"\rmc fetch: %d of %d sources fetched" % (N, N) in said)
check("... redrawn in place (carriage return, line cleared)", b"\r" in said and b"\033[K" in said)
check("... the per-source lines come after the ended progress line",
      said.find(b"sources fetched") < said.find(b"h0"))
p = piped("fetch", "--once")
check("fetch --once, stderr a pipe: exit 0", p.returncode == 0)
check("... no progress line: %r" % p.stderr[:200], b"sources fetched" not in p.stderr and b"\r" not in p.stderr)
p = piped("fetch", "--once", "--source", "h1")
check("fetch --once --source, stderr a pipe: no progress line", b"sources fetched" not in p.stderr)

# restore
p = piped("backup")
check("backup: exit 0", p.returncode == 0)
bk = p.stdout.decode().strip()
rc, said = on_pty("restore", bk)
check("restore on a terminal: exit 0 (%d)" % rc, rc == 0)
for step in (b"checking the checksum", b"checking integrity", b"keeping the current cache", b"restoring",
             b"restored (checksum and integrity ok)"):
    check("... the progress line shows '%s': %r" % (step.decode(), said[-300:]), b"\rmc restore: " + step in said)
check("... and ends with a newline", said.rstrip(b"\r").endswith(b"\n"))
p = piped("restore", bk)
check("restore, stderr a pipe: exit 0", p.returncode == 0)
check("... nothing on stderr: %r" % p.stderr[:200], p.stderr == b"")

# a refused restore: the progress line is ended before the error
with open(bk, "r+b") as f:
    f.seek(200)
    b = f.read(1)
    f.seek(200)
    f.write(bytes([b[0] ^ 0xFF]))
rc, said = on_pty("restore", bk)
check("restore of a flipped byte on a terminal: exit 1 (%d)" % rc, rc == 1)
check("... the error on its own line after the progress line: %r" % said[-300:],
      b"checking the checksum...\033[K\r\nmc restore: " in said and b"checksum mismatch" in said)
p = piped("restore", bk)
check("... stderr a pipe: the error without a progress line", b"checking the checksum" not in p.stderr
      and b"checksum mismatch" in p.stderr)
if not FAILS:
    shutil.rmtree(T, ignore_errors=True)
exit_report(T)
