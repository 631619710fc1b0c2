#!/usr/bin/env python3
"""it_drill_disk.py — the cache on a full disk and on a read-only file system
(issue 13). Needs root for a small tmpfs (`mount -t tmpfs -o size=...`);
otherwise a visible SKIP (exit 77). The cache lives on the tmpfs, the source
files elsewhere. With the disk full: fetch fails with a clear error naming the
cache, `mc check` says so, the rows already cached stay readable (snapshot),
and a resolve queued before is still queued; once space returns the same
commands recover without anything else (no restart, no repair): the lines
appended meanwhile arrive once and the resolve is delivered once. The same
for a read-only remount. With tmux, a dashboard open through the full-disk
phase keeps its rows, says on its status line that the disk is full and
fetched data is not being saved, and shows the new lines once space returns."""
import json, os, shutil, sqlite3, subprocess, sys, threading, time
from http.server import ThreadingHTTPServer
from itlib import MC, FAILS, JsonHandler, check, exit_report, temp_home, write_mc_yaml

if os.geteuid() != 0 or not shutil.which("mount"):
    print("SKIP: needs root to mount a small tmpfs for the cache")
    sys.exit(77)
T, ENV = temp_home("mc-drill-disk-")
MNT = T + "/mnt"
os.makedirs(MNT)
os.makedirs(T + "/data")
FEED = T + "/data/feed.jsonl"
LOCK = threading.Lock()
POSTS = {}


class Handler(JsonHandler):
    def do_GET(self):
        self.reply(200, {"items": [{"id": "b%d" % i, "text": "blocker %d" % i, "from": "max",
                                    "created": "2026-11-21T09:00:00Z"} for i in range(3)]})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with LOCK:
            idem = self.headers.get("Idempotency-Key", "")
            POSTS[idem] = POSTS.get(idem, 0) + 1
        self.reply(200, {"ok": True})


def append(first, n):
    with open(FEED, "a") as f:
        for i in range(first, first + n):
            f.write(json.dumps({"id": "d-%05d" % i, "ts": 1795000000 + i, "from": "max", "type": "handoff",
                                "summary": "disk drill line %d " % i + "x" * 200}) + "\n")


def mc(*args, fault=None):
    env = dict(ENV, MC_FAULT=fault) if fault else ENV
    return subprocess.run([MC, "-c", T + "/mc.yaml", *args], env=env, capture_output=True, text=True, timeout=60)


class Tmux:
    """The dashboard in a 120x40 tmux pane (a private server), or None
    without tmux."""

    def __init__(self):
        self.sock = "mc-drill-disk-%d" % os.getpid()
        env = dict(ENV, TERM="xterm-256color", LANG="C.UTF-8", LC_ALL="C.UTF-8")
        env.pop("TMUX", None)
        self.env = env
        self.t("new-session", "-d", "-s", "mc", "-x", "120", "-y", "40", f"'{MC}' -c '{T}/mc.yaml'")

    def t(self, *args):
        return subprocess.run(["tmux", "-L", self.sock, *args], env=self.env, capture_output=True, text=True)

    def screen(self):
        return self.t("capture-pane", "-p", "-t", "mc").stdout

    def wait(self, cond, secs=10):
        end = time.time() + secs
        while time.time() < end:
            if cond(self.screen()):
                return True
            time.sleep(0.05)
        return False

    def keys(self, *k):
        self.t("send-keys", "-t", "mc", *k)

    def close(self):
        self.keys("q")
        self.t("kill-server")


def feed_rows():
    r = mc("snapshot", "--json", "--dataset", "activity")
    return len(json.loads(r.stdout)) if r.returncode == 0 else -1


def main():
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700", "tmpfs", MNT], check=True)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.handle_error = lambda request, address: None   # a client killed mid-reply is the point
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    try:
        write_mc_yaml(T, "mc.yaml", f"""  - id: feed
    kind: jsonl
    path: {FEED}
  - id: ops
    kind: http_json
    url: http://127.0.0.1:{port}/blockers
    feeds: blockers
    items: $.items[*]
    fields: {{key: id, description: text, from_agent: from, created_at: created}}
    resolve:
      method: POST
      url: "http://127.0.0.1:{port}/blockers/{{key}}/resolve"
      headers: {{Idempotency-Key: "{{idempotency_key}}"}}
      ok: [200]
""", cache="mnt/cache.db")
        append(0, 100)
        r = mc("fetch", "--once")
        check("fetch onto the tmpfs", r.returncode == 0 and feed_rows() == 100)
        r = mc("resolve", "ops:b1", fault="after_outbox_commit")
        check("a resolve queued (CLI killed after the outbox commit)", r.returncode < 0)
        tm = Tmux() if shutil.which("tmux") else None
        if tm:
            check("the dashboard shows the rows", tm.wait(lambda s: "disk drill line 99" in s))
        else:
            print("SKIP (screen part): tmux is not installed")

        # --- full disk ---
        filler = MNT + "/filler"
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
                    f.flush()
            except OSError:
                pass
        append(100, 2000)
        r = mc("fetch", "--once", "--source", "feed")
        err = r.stderr.lower()
        check("fetch on a full disk fails: " + r.stderr.strip()[:200], r.returncode != 0)
        check("  with a clear error (disk is full)", "full" in err)
        r = mc("check")
        check("mc check says the disk is full: " + (r.stdout + r.stderr).strip()[-200:],
              r.returncode != 0 and "full" in (r.stdout + r.stderr).lower())
        check("rows cached before are still readable", feed_rows() == 100)
        if tm:
            tm.keys("R")
            # the fetch's failure cannot be recorded in the cache, so the
            # dashboard says it from the engine (before: nothing, "ok")
            check("the dashboard says the disk is full and data is not saved",
                  tm.wait(lambda s: "disk is full: fetched data is not being saved" in s))
            check("  and its rows stay on screen", "disk drill line 99" in tm.screen())
        os.unlink(filler)
        r = mc("fetch", "--once")
        check("space back: the same fetch recovers: " + r.stderr.strip()[:200], r.returncode == 0)
        check("  every line appended meanwhile arrived once", feed_rows() == 2100)
        if tm:
            tm.keys("R")
            check("the dashboard recovers without a restart (message gone, new lines shown)",
                  tm.wait(lambda s: "not being saved" not in s and "disk drill line 2099" in s))
            tm.close()
        with LOCK:
            check("  the queued resolve was delivered once", sorted(POSTS.values()) == [1])

        # --- read-only ---
        r = mc("resolve", "ops:b2", fault="after_outbox_commit")
        check("another resolve queued", r.returncode < 0)
        for _ in range(200):       # the dashboard may still be closing its cache (a sanitizer build)
            if subprocess.run(["mount", "-o", "remount,ro", MNT], capture_output=True).returncode == 0:
                break
            time.sleep(0.05)
        else:
            raise SystemExit("cannot remount the tmpfs read-only")
        append(2100, 50)
        r = mc("fetch", "--once", "--source", "feed")
        check("fetch on a read-only cache fails: " + r.stderr.strip()[:200],
              r.returncode != 0 and "read" in r.stderr.lower())
        r = mc("check")
        check("mc check says the cache is read-only", r.returncode != 0 and "read-only" in r.stdout)
        check("rows stay readable on a read-only cache", feed_rows() == 2100)
        subprocess.run(["mount", "-o", "remount,rw", MNT], check=True)
        r = mc("fetch", "--once")
        check("writable again: fetch recovers: " + r.stderr.strip()[:200], r.returncode == 0)
        check("  the 50 lines arrived once", feed_rows() == 2150)
        with LOCK:
            check("  both resolves delivered once each", sorted(POSTS.values()) == [1, 1])
        con = sqlite3.connect(MNT + "/cache.db")
        check("integrity_check ok", con.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
        con.close()
    finally:
        srv.shutdown()
        subprocess.run(["umount", "-l", MNT])
    if not FAILS:
        shutil.rmtree(T, ignore_errors=True)
    exit_report(T)


main()
