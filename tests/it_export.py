#!/usr/bin/env python3
"""it_export.py - `mc export` end to end: rows with quotes, commas, CR/LF
newlines, leading spaces, non-ASCII and nested JSON go out as CSV, JSON and
NDJSON and come back through Python's csv and json equal to
`mc snapshot --json`; --fields, --since/--until, -o (atomic, 0600, no temp
file left), unknown dataset/field (exit 2 with the names), and exports taken
while `mc fetch --daemon` appends rows all parse and never lose a row."""
import csv
import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

MC = os.environ.get("MC", "build/mc")
FAILS = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else "  -- " + str(detail)[:800]))
    if not cond:
        FAILS.append(name)


TMP = tempfile.mkdtemp(prefix="mc-export-")
ENV = dict(os.environ, HOME=TMP, XDG_CONFIG_HOME=TMP + "/.config", XDG_CACHE_HOME=TMP + "/.cache",
           XDG_STATE_HOME=TMP + "/.state")
ENV.pop("MC_CONFIG", None)
CFG = os.path.join(TMP, "mc.yaml")
LOG = os.path.join(TMP, "h.jsonl")


def mc(*args, check_rc=True):
    p = subprocess.run([MC, "-c", CFG] + list(args), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check_rc and p.returncode != 0:
        print("mc %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr.decode(errors="replace")))
    return p


TRICKY = ['comma, "quoted" text', "line one\nline two", "cr\r\nlf", " leading and trailing ",
          "non-ASCII: é 漢字 🚀", '"', "", "tab\there", "semi;colon"]


def line(i, day):
    return json.dumps({"id": "r%d" % i, "ts": "2026-11-%02dT09:%02d:%02dZ" % (day, i // 60 % 60, i % 60),
                       "from": TRICKY[i % len(TRICKY)] or "a", "to": "apple", "type": "note",
                       "summary": TRICKY[(i + 3) % len(TRICKY)], "details": {"n": i, "s": TRICKY[i % len(TRICKY)]},
                       "action_needed": False}, ensure_ascii=i % 2 == 0) + "\n"


def as_csv_text(v):
    """What a snapshot value looks like in a CSV cell."""
    if v is None:
        return ""
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return v   # compared parsed
    if isinstance(v, (int, float)):
        return v
    return v


def csv_rows(text, fields_types):
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    out = []
    for r in rows:
        o = {}
        for k, v in r.items():
            if isinstance(fields_types.get(k), (dict, list)) and v != "":
                v = json.loads(v)
            elif isinstance(fields_types.get(k), (int, float)) and not isinstance(fields_types.get(k), bool) and v != "":
                v = json.loads(v)
            o[k] = v
        out.append(o)
    return out


def by_key(rows):
    return {(r["source"], r["key"]): r for r in rows}


def main():
    with open(LOG, "w", encoding="utf-8") as f:
        for i in range(3000):
            f.write(line(i, 1 + i % 28))
    with open(CFG, "w") as f:
        f.write("cache: %s/cache.db\nretention:\n  activity: {age: 36500d, rows: 1000000}\n"
                "sources:\n  - id: h\n    kind: jsonl\n    path: %s\n    every: 200ms\n"
                "  - id: host\n    kind: system\n" % (TMP, LOG))
    check("fetch --once", mc("fetch", "--once").returncode == 0)
    snap = json.loads(mc("snapshot", "--json").stdout)
    act = snap["activity"]
    check("fixture rows in the cache", len(act) == 3000, len(act))

    # CSV round trip of activity and of system (numbers, JSON services)
    for ds in ("activity", "system"):
        p = mc("export", "--dataset", ds)
        check("%s csv exit 0" % ds, p.returncode == 0, p.stderr)
        text = p.stdout.decode("utf-8")
        check("%s csv lines end in CRLF" % ds, text.split("\n", 1)[0].endswith("\r"), text[:80])
        want = snap[ds]
        types = want[0] if want else {}
        got = csv_rows(text, types)
        check("%s csv header is the contract's fields" % ds,
              list(csv.reader(io.StringIO(text, newline="")))[0] == list(types.keys()), text[:200])
        exp = [{k: as_csv_text(v) for k, v in r.items()} for r in want]
        check("%s csv round trip equals snapshot --json" % ds, by_key(got) == by_key(exp) and len(got) == len(exp),
              [(a, b) for a, b in zip(sorted(got, key=lambda r: r["key"]), sorted(exp, key=lambda r: r["key"]))
               if a != b][:2])
        for fmt in ("json", "ndjson"):
            p = mc("export", "--dataset", ds, "--format", fmt)
            out = p.stdout.decode("utf-8")
            rows = json.loads(out) if fmt == "json" else [json.loads(l) for l in out.splitlines()]
            check("%s %s round trip equals snapshot --json" % (ds, fmt),
                  p.returncode == 0 and by_key(rows) == by_key(want) and len(rows) == len(want),
                  (p.stderr, len(rows)))
    tricky = [r for r in act if "\r\n" in (r["details"] or "") or "漢字" in (r["agent"] or "")]
    check("the fixture really holds CR/LF and non-ASCII", len(tricky) > 100, len(tricky))

    # --fields, --since, --until
    p = mc("export", "--dataset", "activity", "--format", "ndjson", "--fields", "ts,key",
           "--since", "2026-11-10", "--until", "2026-11-12")
    rows = [json.loads(l) for l in p.stdout.decode().splitlines()]
    want = sorted(r["key"] for r in act if "2026-11-10" <= r["ts"] < "2026-11-12")
    check("--fields picks and orders fields", rows and all(list(r) == ["ts", "key"] for r in rows), rows[:1])
    check("--since/--until window", sorted(r["key"] for r in rows) == want and len(want) > 0, (len(rows), len(want)))
    p = mc("export", "--dataset", "activity", "--since", "100000d")
    check("--since DUR", p.returncode == 0 and len(list(csv.reader(io.StringIO(p.stdout.decode(), newline="")))) == 3001)

    # -o: atomic, private, nothing left behind; replaces an existing file
    outp = os.path.join(TMP, "out", "a.csv")
    os.makedirs(os.path.dirname(outp))
    with open(outp, "w") as f:
        f.write("old")
    os.chmod(outp, 0o600)
    p = mc("export", "--dataset", "activity", "-o", outp)
    check("-o exit 0, nothing on stdout", p.returncode == 0 and p.stdout == b"", p.stderr)
    check("-o file equals stdout export", open(outp, "rb").read() == mc("export", "--dataset", "activity").stdout)
    check("-o leaves no temp file", os.listdir(os.path.dirname(outp)) == ["a.csv"], os.listdir(os.path.dirname(outp)))
    newp = os.path.join(TMP, "out", "new.ndjson")
    os.umask(0o022)
    mc("export", "--dataset", "activity", "--format", "ndjson", "-o", newp)
    check("-o new file is 0600", os.stat(newp).st_mode & 0o777 == 0o600, oct(os.stat(newp).st_mode))
    p = mc("export", "--dataset", "activity", "-o", os.path.join(TMP, "nodir", "x.csv"), check_rc=False)
    check("-o into a missing directory fails with exit 1", p.returncode == 1 and b"x.csv" in p.stderr, p.stderr)

    # progress: a line on stderr when it is a terminal (rows to a file), nothing otherwise
    from itlib import stderr_on_pty
    with open(os.path.join(TMP, "tty.csv"), "wb") as outf:
        rc, said = stderr_on_pty([MC, "-c", CFG, "export", "--dataset", "activity"], ENV, stdout=outf)
    check("stderr a terminal: a progress line", rc == 0 and b"mc export: 3000 rows, done" in said, said)
    p = mc("export", "--dataset", "activity", "-o", os.path.join(TMP, "quiet.csv"))
    check("stderr not a terminal: no progress line", p.returncode == 0 and p.stderr == b"", p.stderr)

    # usage errors
    p = mc("export", "--dataset", "nope", check_rc=False)
    check("unknown dataset: exit 2 with the names", p.returncode == 2 and b"activity" in p.stderr and b"audit" in p.stderr,
          p.stderr)
    p = mc("export", "--dataset", "activity", "--fields", "ts,bogus", check_rc=False)
    check("unknown field: exit 2 with the names", p.returncode == 2 and b"bogus" in p.stderr and b"event_type" in p.stderr,
          p.stderr)
    p = mc("export", "--dataset", "activity", "--format", "xml", check_rc=False)
    check("unknown format: exit 2", p.returncode == 2, p.stderr)
    p = mc("export", check_rc=False)
    check("no --dataset: exit 2", p.returncode == 2, p.stderr)

    # while writers commit: the daemon (system every 100ms) and a second writer
    # appending activity rows in small transactions (as a daemon's jsonl
    # fetches do); every export parses, counts only grow, none has a duplicate
    with open(CFG, "a") as f:
        f.write("    every: 100ms\n")
    d = subprocess.Popen([MC, "-c", CFG, "fetch", "--daemon"], env=ENV, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    import sqlite3
    import threading
    stop = threading.Event()
    added = [0]

    def writer():
        db = sqlite3.connect(os.path.join(TMP, "cache.db"), timeout=10, isolation_level=None)
        while not stop.is_set() and added[0] < 20000:
            db.execute("BEGIN IMMEDIATE")
            for _ in range(200):
                n = added[0]
                db.execute("INSERT INTO activity (source, key, ts, event_type, agent, status, details)"
                           " VALUES ('w', ?, '2026-11-29T00:00:00Z', 'note', 'w', 'ok', ?)",
                           ("w%d" % n, TRICKY[n % len(TRICKY)]))
                added[0] += 1
            db.execute("COMMIT")
            time.sleep(0.01)
        db.close()

    t = threading.Thread(target=writer)
    t.start()
    try:
        last, ok_parse, exports = 3000, True, 0
        end = time.time() + 5
        while time.time() < end:
            p = mc("export", "--dataset", "activity", "--format", "ndjson", "--fields", "key")
            try:
                keys = [json.loads(l)["key"] for l in p.stdout.decode().splitlines()]
            except ValueError as e:
                ok_parse = False
                print("unparsable export:", e)
                break
            exports += 1
            if p.returncode != 0 or len(keys) < last or len(set(keys)) != len(keys):
                ok_parse = False
            last = len(keys)
        stop.set()
        t.join()
        check("exports while writers commit parse and only grow", ok_parse and exports >= 3 and last > 3000,
              (exports, last, added[0]))
        rows = json.loads(mc("export", "--dataset", "activity", "--format", "json", "--fields", "key").stdout)
        check("after the writers every row is exported", len(rows) == 3000 + added[0], (len(rows), added[0]))
    finally:
        stop.set()
        d.send_signal(signal.SIGTERM)
        d.wait(10)
    if FAILS:
        print("%d failed" % len(FAILS))
        sys.exit(1)
    print("all passed")


main()
