#!/usr/bin/env python3
"""it_serve.py — `mc serve` against the real binary on 127.0.0.1 (port 0: the
first stdout line says which), on a fixture cache from a jsonl and a markdown
source:
  * every route's status and body; rows byte-identical to
    `mc snapshot --json --dataset NAME` (also with limit, source, since);
  * 401 without or with a wrong token, 403 for a write with the read token;
    404/405/413 with JSON error bodies; Cache-Control: no-store everywhere;
  * a non-loopback address without serve.token_file is refused (exit 2);
  * with `mc fetch --daemon` running, an event arrives within 1 s of an
    appended handoff line; retry: hint; Last-Event-ID replays;
  * a POST resolve goes through the outbox (202 with its id) and the daemon
    ticks the markdown box; audited with the token's name;
  * 200 event clients are held while one that does not read is dropped;
  * SIGTERM with clients connected exits 0 within 2 s;
  * neither token is in mc.log or the cache."""
import http.client, json, os, shutil, signal, socket, sqlite3, subprocess, sys, tempfile, time
from itlib import (MC, FAILS, PROCS, check, exit_report, need_serve, serve_sources,
                   spawn_serve, stop_serves, temp_home)

T, ENV = temp_home("mc-serve-")
need_serve()
READ_TOKEN = "rd-4f1c9a7e2b8d"
WRITE_TOKEN = "wr-9e3b7c1d5a2f"


def handoff(i):
    return json.dumps({"id": "h-%d" % i, "ts": "2026-11-21T09:%02d:00Z" % (i % 60),
                       "from": "max", "to": "atlas", "type": "handoff",
                       "summary": "handoff %d" % i}) + "\n"


os.makedirs(T + "/data")
with open(T + "/data/handoffs.jsonl", "w") as f:
    for i in range(1, 6):
        f.write(handoff(i))
with open(T + "/data/pending.md", "w") as f:
    f.write("# Work\n- [ ] ship the deck BLOCKED: needs Apple\n- [ ] sign the lease BLOCKED: needs Apple\n")
for name, tok in (("reader", READ_TOKEN), ("writer", WRITE_TOKEN)):
    with open(T + "/" + name + ".token", "w") as f:
        f.write(tok + "\n")
    os.chmod(T + "/" + name + ".token", 0o600)


def write_config(path, serve):
    with open(path, "w") as f:
        f.write(f"""owner: Apple
user: tester
cache: {T}/cache.db
log: {T}/mc.log
retention: {{activity: {{age: 36500d}}}}
{serve}
{serve_sources(T)}""")


write_config(T + "/mc.yaml", f"""serve:
  token_file: {T}/reader.token
  write_token_file: {T}/writer.token""")
write_config(T + "/open.yaml", "")


def mc(*args, cfg="mc.yaml", timeout=60):
    return subprocess.run([MC, "-c", T + "/" + cfg, *args], env=ENV, capture_output=True,
                          timeout=timeout)


def start_serve(*extra, cfg="mc.yaml", env=None):
    p, scheme, port = spawn_serve(T + "/" + cfg, env or ENV, *extra)
    assert scheme == "http", scheme
    return p, port


def req(port, method, path, token=None, body=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    h = dict(headers or {})
    if token:
        h["Authorization"] = "Bearer " + token
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data


def is_json_error(data, status):
    try:
        j = json.loads(data)
        return isinstance(j.get("error"), str) and j["error"] != "" and j.get("status") == status
    except ValueError:
        return False


class Sse:
    """A raw event-stream client (a socket: it may also not read at all)."""

    def __init__(self, port, token=READ_TOKEN, last_id=None, rcvbuf=None):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.connect(("127.0.0.1", port))
        extra = "Last-Event-ID: %s\r\n" % last_id if last_id is not None else ""
        self.s.sendall(("GET /api/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n%s\r\n"
                        % (token, extra)).encode())
        self.buf = b""

    def read_until(self, needle, timeout):
        end = time.time() + timeout
        while needle.encode() not in self.buf:
            left = end - time.time()
            if left <= 0:
                return False
            self.s.settimeout(left)
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                return False
            except OSError:
                return False
            if not d:
                return needle.encode() in self.buf
            self.buf += d
        return True

    def closed_within(self, timeout):
        """True when the server ends the stream (EOF or reset) within timeout."""
        end = time.time() + timeout
        while time.time() < end:
            self.s.settimeout(max(0.05, end - time.time()))
            try:
                d = self.s.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                return True
            if not d:
                return True
            self.buf += d
        return False

    def close(self):
        self.s.close()


try:
    r = mc("fetch", "--once")
    check("fixture cache fetched", r.returncode == 0)

    # ---- refused configurations ----
    r = subprocess.run([MC, "-c", T + "/open.yaml", "serve", "--listen", "0.0.0.0:0"], env=ENV,
                       capture_output=True, timeout=10)
    check("non-loopback listen without serve.token_file is refused with exit 2",
          r.returncode == 2 and b"token_file" in r.stderr)
    r = subprocess.run([MC, "-c", T + "/open.yaml", "serve", "--listen", "nonsense"], env=ENV,
                       capture_output=True, timeout=10)
    check("a bad --listen is a usage/config error (exit 2)", r.returncode == 2)

    p, port = start_serve()

    # ---- health: no auth ----
    st, h, data = req(port, "GET", "/api/health")
    j = json.loads(data)
    check("health: 200 without a token, status/version/cache_age_ms",
          st == 200 and j["status"] == "ok" and j["version"] and
          isinstance(j["cache_age_ms"], int) and j["cache_age_ms"] >= 0)
    check("health: Cache-Control no-store and JSON", h.get("cache-control") == "no-store" and
          h.get("content-type", "").startswith("application/json"))

    # ---- auth ----
    for path in ("/api/overview", "/api/sources", "/api/alerts", "/api/datasets/blockers", "/api/events"):
        st, h, data = req(port, "GET", path)
        check("%s without a token: 401 + JSON + WWW-Authenticate" % path,
              st == 401 and is_json_error(data, 401) and h.get("www-authenticate") == "Bearer")
        st, h, data = req(port, "GET", path, token="wrong-token-123")
        check("%s with a wrong token: 401" % path, st == 401 and is_json_error(data, 401))
    st, _, _ = req(port, "GET", "/api/overview", token=READ_TOKEN[:-1])
    check("a prefix of the token is wrong: 401", st == 401)
    st, _, _ = req(port, "GET", "/api/overview", token=READ_TOKEN + "x")
    check("the token with more after it is wrong: 401", st == 401)

    # ---- overview ----
    st, h, data = req(port, "GET", "/api/overview", token=READ_TOKEN)
    j = json.loads(data)
    check("overview: 200, two open blockers for the owner, no-store",
          st == 200 and j["open_blockers"] == 2 and h.get("cache-control") == "no-store")
    check("overview: the stats cards' keys", all(k in j for k in (
        "open_blockers", "ytd_revenue", "failing_jobs", "agents_online", "cost_today")))
    st, _, _ = req(port, "GET", "/api/overview", token=WRITE_TOKEN)
    check("the write token may read too", st == 200)

    # ---- datasets: identical to mc snapshot ----
    for ds in ("blockers", "activity", "revenue", "system", "agents", "usage", "cron", "projects",
               "audit"):
        st, h, data = req(port, "GET", "/api/datasets/" + ds, token=READ_TOKEN)
        snap = mc("snapshot", "--json", "--dataset", ds).stdout
        check("datasets/%s: 200 and byte-identical to mc snapshot --json --dataset" % ds,
              st == 200 and data == snap and h.get("cache-control") == "no-store")
    st, _, data = req(port, "GET", "/api/datasets/activity?limit=2", token=READ_TOKEN)
    snap = mc("snapshot", "--json", "--dataset", "activity", "--limit", "2").stdout
    check("limit=2 equals snapshot --limit 2", st == 200 and data == snap and
          len(json.loads(data)) == 2)
    st, _, data = req(port, "GET", "/api/datasets/blockers?source=handoffs", token=READ_TOKEN)
    check("source= filters (no blockers from handoffs)", st == 200 and json.loads(data) == [])
    st, _, data = req(port, "GET", "/api/datasets/blockers?source=pending", token=READ_TOKEN)
    check("source=pending keeps its rows", st == 200 and len(json.loads(data)) == 2)
    st, _, data = req(port, "GET", "/api/datasets/activity?since=2026-11-21T09:04:00Z",
                      token=READ_TOKEN)
    rows = json.loads(data)
    check("since= keeps rows at or after it", st == 200 and len(rows) == 2 and
          all(x["ts"] >= "2026-11-21T09:04:00Z" for x in rows))
    st, _, data = req(port, "GET", "/api/datasets/activity?limit=zero", token=READ_TOKEN)
    check("a bad limit: 400 with a JSON error", st == 400 and is_json_error(data, 400))
    st, _, data = req(port, "GET", "/api/datasets/activity?since=yesterday", token=READ_TOKEN)
    check("a bad since: 400", st == 400 and is_json_error(data, 400))
    st, _, data = req(port, "GET", "/api/datasets/nosuch", token=READ_TOKEN)
    check("an unknown dataset: 404 with a JSON error", st == 404 and is_json_error(data, 404))

    # ---- sources ----
    st, _, data = req(port, "GET", "/api/sources", token=READ_TOKEN)
    snapall = json.loads(mc("snapshot", "--json").stdout)
    got = json.loads(data)
    check("sources: 200 and the same ids and states as mc snapshot --json",
          st == 200 and [s["id"] for s in got] == [s["id"] for s in snapall["sources"]] and
          [s["ok"] for s in got] == [True, True])

    # ---- alerts: the open ones, as mc alerts --json prints them ----
    st, h, data = req(port, "GET", "/api/alerts", token=READ_TOKEN)
    cli = json.loads(mc("alerts", "--json").stdout)
    got = json.loads(data)
    check("alerts: 200, a JSON list equal to mc alerts --json, no-store",
          st == 200 and isinstance(got, list) and got == cli and h.get("cache-control") == "no-store")
    check("alerts: every row open, with the dataset's fields",
          all(a["state"] == "open" and {"key", "rule", "severity", "title", "source"} <= set(a) for a in got))

    # ---- 404 / 405 ----
    st, h, data = req(port, "GET", "/api/nosuch", token=READ_TOKEN)
    check("unknown route: 404 with a JSON error and no-store",
          st == 404 and is_json_error(data, 404) and h.get("cache-control") == "no-store")
    st, _, data = req(port, "GET", "/", token=READ_TOKEN)
    check("/ is 404", st == 404 and is_json_error(data, 404))
    st, h, data = req(port, "POST", "/api/overview", token=READ_TOKEN, body=b"{}")
    check("POST on a read route: 405 with Allow", st == 405 and is_json_error(data, 405) and
          "GET" in h.get("allow", ""))
    st, _, data = req(port, "DELETE", "/api/health")
    check("DELETE /api/health: 405", st == 405 and is_json_error(data, 405))
    blockers = json.loads(req(port, "GET", "/api/datasets/blockers", token=READ_TOKEN)[2])
    key = next(b["key"] for b in blockers if "ship the deck" in b["description"])
    rpath = "/api/blockers/pending/%s/resolve" % key
    st, h, data = req(port, "GET", rpath, token=WRITE_TOKEN)
    check("GET on the resolve route: 405 with Allow: POST", st == 405 and
          "POST" in h.get("allow", ""))

    # ---- writes: auth, limits ----
    st, _, data = req(port, "POST", rpath, body=b"{}")
    check("resolve without a token: 401", st == 401 and is_json_error(data, 401))
    st, _, data = req(port, "POST", rpath, token="nope-nope-nope", body=b"{}")
    check("resolve with a wrong token: 401", st == 401)
    st, _, data = req(port, "POST", rpath, token=READ_TOKEN, body=b"{}")
    check("resolve with the read token: 403", st == 403 and is_json_error(data, 403))
    st, _, data = req(port, "POST", rpath, token=WRITE_TOKEN,
                      body=json.dumps({"note": "x" * 20000}).encode())
    check("a body over 16 KiB: 413", st == 413 and is_json_error(data, 413))
    st, _, data = req(port, "POST", rpath, token=WRITE_TOKEN, body=b"[not json")
    check("a body that is not the JSON object: 400", st == 400 and is_json_error(data, 400))
    st, _, data = req(port, "POST", "/api/blockers/pending/nosuchkey/resolve", token=WRITE_TOKEN,
                      body=b"{}")
    check("an unknown blocker: 404", st == 404 and is_json_error(data, 404))
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=5)

    # ---- with the daemon: events and the resolve delivered ----
    daemon = subprocess.Popen([MC, "-c", T + "/mc.yaml", "fetch", "--daemon"], env=ENV,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    PROCS.append(daemon)
    time.sleep(0.5)
    p, port = start_serve()
    ev = Sse(port)
    check("events: 200 text/event-stream with a retry: hint",
          ev.read_until("retry: ", 3) and b"200 OK" in ev.buf and
          b"text/event-stream" in ev.buf and b"no-store" in ev.buf)
    ev.buf = b""
    time.sleep(0.3)
    with open(T + "/data/handoffs.jsonl", "a") as f:
        f.write(handoff(6))
    t0 = time.time()
    got = ev.read_until('"dataset": "activity"', 5)
    dt = time.time() - t0
    check("an appended handoff is an activity event within 1 s (took %.0f ms)" % (dt * 1000),
          got and dt < 1.0)
    check("the event has an id, event: dataset and a version",
          b"event: dataset\n" in ev.buf and b"id: " in ev.buf and b'"version": ' in ev.buf)
    first_id = int(ev.buf.split(b"id: ")[1].split(b"\n")[0])
    ev.buf = b""
    with open(T + "/data/handoffs.jsonl", "a") as f:      # the same id again: updated in place
        f.write(handoff(6).replace("handoff 6", "handoff 6, corrected"))
    t0 = time.time()
    got = ev.read_until('"dataset": "activity"', 5)
    check("a row updated in place (no new rowid) is an event too, within 1 s (%.0f ms)"
          % ((time.time() - t0) * 1000), got and time.time() - t0 < 1.0)
    ev2 = Sse(port, last_id=first_id - 1)
    check("Last-Event-ID replays what came after it",
          ev2.read_until("id: %d\n" % first_id, 3))
    ev2.close()

    st, _, data = req(port, "POST", rpath, token=WRITE_TOKEN,
                      body=json.dumps({"note": "sent from the api", "by": "phone"}).encode())
    j = json.loads(data) if st == 202 else {}
    check("resolve with the write token: 202 with the outbox id",
          st == 202 and isinstance(j.get("id"), int) and j["id"] > 0)
    check("the resolve is an event on blockers", ev.read_until('"dataset": "blockers"', 3))
    end = time.time() + 10
    while time.time() < end and "- [x] ship the deck" not in open(T + "/data/pending.md").read():
        time.sleep(0.1)
    md = open(T + "/data/pending.md").read()
    check("the daemon delivered it: the markdown box is ticked, the other one is not",
          "- [x] ship the deck" in md and "- [ ] sign the lease" in md)
    db = sqlite3.connect(T + "/cache.db")
    end = time.time() + 10      # the row is marked delivered just after the file is written
    while True:
        row = db.execute("SELECT state FROM outbox WHERE id = ?", (j.get("id", -1),)).fetchone()
        if (row is not None and row[0] == "delivered") or time.time() >= end:
            break
        time.sleep(0.05)
    check("the outbox row is delivered", row is not None and row[0] == "delivered")
    who = [u for (u,) in db.execute("SELECT user FROM audit WHERE action = 'api_resolve'")]
    check("audited with the token's name", who == ["api:writer"])
    db.close()
    ev.close()

    # ---- SIGTERM with clients connected ----
    clients = [Sse(port) for _ in range(5)]
    for c in clients:
        c.read_until("retry: ", 3)
    t0 = time.time()
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=5)
    dt = time.time() - t0
    check("SIGTERM with 5 event clients connected: exit 0 in %.0f ms (< 2 s)" % (dt * 1000),
          rc == 0 and dt < 2.0)
    check("the event clients were closed", all(c.closed_within(1) for c in clients))
    for c in clients:
        c.close()

    # ---- 200 clients held, one that does not read dropped ----
    env = dict(ENV, MC_SERVE_QUEUE_MAX="2048")
    p, port = start_serve(env=env)
    many = [Sse(port) for _ in range(200)]
    held = sum(1 for c in many if c.read_until("retry: ", 5))
    check("200 event clients connected", held == 200)
    slow = Sse(port, rcvbuf=1024)
    time.sleep(0.3)
    db = sqlite3.connect(T + "/cache.db", timeout=5)
    tables = ["activity", "system", "agents", "usage", "cron", "projects", "revenue"]
    dropped = False
    end = time.time() + 30
    n = 0
    while time.time() < end and not dropped:
        for t in tables:
            db.execute("INSERT INTO %s(source, key) VALUES ('flood', ?)" % t, ("k%d" % n,))
        db.commit()
        n += 1
        time.sleep(0.11)
        for c in many[:5]:
            c.buf = c.buf[-4096:]
        if n % 10 == 0:
            dropped = "stopped reading" in open(T + "/mc.log").read()
    check("a client that does not read is dropped (after %d rounds of events)" % n, dropped)
    # everyone else still gets events
    for c in many:
        c.buf = b""
    db.execute("INSERT INTO activity(source, key) VALUES ('flood', 'last')")
    db.commit()
    db.close()
    ok = sum(1 for c in many if c.read_until('"dataset": "activity"', 5))
    check("the other 200 clients still get events (%d did)" % ok, ok == 200)
    t0 = time.time()
    p.send_signal(signal.SIGTERM)
    rc = p.wait(timeout=5)
    check("SIGTERM with 200 clients: exit 0 within 2 s (%.0f ms)" % ((time.time() - t0) * 1000),
          rc == 0 and time.time() - t0 < 2.0)
    for c in many + [slow]:
        c.close()
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=10)

    # ---- tokens never recorded ----
    log = open(T + "/mc.log", "rb").read()
    check("the access log has method, path, status and ms",
          b"serve: GET /api/overview 200 " in log and b"serve: POST " + rpath.encode() + b" 202 " in log)
    check("the log never holds a query string", b"?limit" not in log and b"?since" not in log)
    blob = log + open(T + "/cache.db", "rb").read()
    for extra in ("-wal",):
        if os.path.exists(T + "/cache.db" + extra):
            blob += open(T + "/cache.db" + extra, "rb").read()
    check("neither token is in mc.log or the cache",
          READ_TOKEN.encode() not in blob and WRITE_TOKEN.encode() not in blob)
finally:
    stop_serves(T)

exit_report(T)
