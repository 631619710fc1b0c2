#!/usr/bin/env python3
"""it_drill_kill.py — kill -9 storm (issue 13): `mc fetch --daemon` ingests a
JSONL file that grows all the time and delivers queued resolves to a fake
server that counts them per Idempotency-Key; it is killed with SIGKILL at
random moments DRILL_KILLS times (10 here; 100 under `make drills`).
Afterwards: PRAGMA integrity_check is ok, every appended line is in the
cache exactly once, every queued resolve was delivered and took effect once
(a delivery the server took before mc recorded it is sent again with the same
key; the server applies a key once)."""
import json, os, random, signal, sqlite3, subprocess, sys, threading, time
from http.server import ThreadingHTTPServer
from itlib import MC, FAILS, JsonHandler, check, exit_report, temp_home, write_mc_yaml

KILLS = int(os.environ.get("DRILL_KILLS", "10"))
SEED = int(os.environ.get("DRILL_SEED", str(int(time.time()))))
rng = random.Random(SEED)
T, ENV = temp_home("mc-drill-kill-")
os.makedirs(T + "/data")
FEED = T + "/data/feed.jsonl"
BLOCKERS = ["b%d" % i for i in range(KILLS * 2 + 4)]
LOCK = threading.Lock()
DELIVERIES = {}      # idempotency key -> times seen
EFFECTS = {}         # idempotency key -> blocker key (applied once per key)


class Handler(JsonHandler):
    def do_GET(self):
        items = [{"id": k, "text": "needs owner: " + k, "from": "max", "created": "2026-11-21T09:00:00Z"}
                 for k in BLOCKERS]
        self.reply(200, {"items": items})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        key, idem = self.path.strip("/").split("/")[1], self.headers.get("Idempotency-Key", "")
        time.sleep(rng.random() * 0.03)          # so some kills land mid-delivery
        with LOCK:
            DELIVERIES[idem] = DELIVERIES.get(idem, 0) + 1
            EFFECTS.setdefault(idem, key)
        self.reply(200, {"ok": True})


def line(i):
    return json.dumps({"id": "h-%06d" % i, "ts": 1795000000 + i, "from": "max", "to": "atlas",
                       "type": "handoff", "summary": "line %d of the storm" % i}) + "\n"


class Writer(threading.Thread):
    """Appends whole lines (one write each) until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.n = 0
        self.stop = threading.Event()

    def run(self):
        fd = os.open(FEED, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        while not self.stop.is_set():
            batch = "".join(line(self.n + k) for k in range(rng.randint(1, 20)))
            os.write(fd, batch.encode())
            self.n += batch.count("\n")
            time.sleep(0.005)
        os.close(fd)


def mc(*args, fault=None):
    env = dict(ENV, MC_FAULT=fault) if fault else ENV
    return subprocess.run([MC, "-c", T + "/mc.yaml", *args], env=env, capture_output=True, text=True, timeout=60)


def main():
    print("seed", SEED, "kills", KILLS)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.handle_error = lambda request, address: None   # a client killed mid-reply is the point
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    write_mc_yaml(T, "mc.yaml", f"""  - id: feed
    kind: jsonl
    path: {FEED}
    every: 1s
  - id: ops
    kind: http_json
    url: http://127.0.0.1:{port}/blockers
    feeds: blockers
    every: 1h
    items: $.items[*]
    fields: {{key: id, description: text, from_agent: from, created_at: created}}
    resolve:
      method: POST
      url: "http://127.0.0.1:{port}/blockers/{{key}}/resolve"
      headers: {{Idempotency-Key: "{{idempotency_key}}"}}
      ok: [200]
""")
    open(FEED, "w").close()
    r = mc("fetch", "--once")
    check("initial fetch succeeds", r.returncode == 0)
    w = Writer()
    w.start()
    queued = []
    stray = []
    for k in range(KILLS):
        # one or two resolves committed to the outbox (the CLI is killed
        # right after the commit, so the daemon has them to deliver)
        for _ in range(rng.randint(1, 2)):
            if len(queued) < len(BLOCKERS):
                b = BLOCKERS[len(queued)]
                r = mc("resolve", "ops:" + b, fault="after_outbox_commit")
                if r.returncode == -signal.SIGKILL:
                    queued.append(b)
                else:
                    stray.append((b, r.returncode, r.stderr))
        d = subprocess.Popen([MC, "-c", T + "/mc.yaml", "fetch", "--daemon"], env=ENV,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(rng.random() * 0.4)
        d.send_signal(signal.SIGKILL)
        d.wait()
    w.stop.set()
    w.join()
    check(f"{len(queued)} resolves queued by killed CLIs ({stray[:1]})", not stray and queued)
    # the aftermath: one clean run picks up where the last kill left off
    r = mc("fetch", "--once")
    check("a clean fetch after the storm succeeds: " + r.stderr.strip()[-300:], r.returncode == 0)
    con = sqlite3.connect(T + "/cache.db")
    check("PRAGMA integrity_check is ok", con.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
    rows = con.execute("SELECT key, count(*) FROM activity WHERE source = 'feed' GROUP BY key").fetchall()
    keys = {k for k, _ in rows}
    want = {"h-%06d" % i for i in range(w.n)}
    check(f"every appended line is in the cache ({len(want)} lines, {len(keys)} rows)", keys == want)
    check("each line once", all(n == 1 for _, n in rows) and
          con.execute("SELECT count(*) FROM activity WHERE source = 'feed'").fetchone()[0] == w.n)
    states = dict(con.execute("SELECT key, state FROM outbox").fetchall())
    undelivered = [b for b in queued if states.get(b) != "delivered"]
    check(f"every queued resolve delivered ({undelivered})", not undelivered)
    with LOCK:
        per_blocker = {}
        for idem, key in EFFECTS.items():
            per_blocker.setdefault(key, []).append(idem)
        resent = sum(n - 1 for n in DELIVERIES.values())
    check("each resolve took effect once (one Idempotency-Key per blocker)",
          sorted(per_blocker) == sorted(queued) and all(len(v) == 1 for v in per_blocker.values()))
    print(f"deliveries sent again with the same key after a kill: {resent}")
    con.close()
    srv.shutdown()
    if not FAILS:
        subprocess.run(["rm", "-rf", T])
    exit_report(T)


main()
