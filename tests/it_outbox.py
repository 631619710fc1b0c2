#!/usr/bin/env python3
"""it_outbox.py — durable write-back end to end, against a fake HTTP server on
127.0.0.1 that counts deliveries per idempotency key:
  * kill -9 right after the outbox commit: the next run delivers it, once;
  * kill -9 right after the server took it (before mc recorded it): the next
    run delivers again with the same key and the effect happens once;
  * server down: queued (exit 3), delivered when it returns;
  * 409 / 422: failed with the server's message, blocker back to open, listed
    by `mc outbox` until dropped;
  * 503 + Retry-After: retried no sooner than the server asked;
  * 50 resolves queued at once are all delivered;
  * every action lands in the audit dataset."""
import json, os, shutil, signal, sqlite3, subprocess, sys, tempfile, threading, time
from http.server import ThreadingHTTPServer
from itlib import MC, FAILS, JsonHandler, check, temp_home, write_mc_yaml

T, ENV = temp_home("mc-outbox-")

KEYS = ["b%d" % i for i in range(1, 61)] + ["conflict", "unproc", "flaky"]
LOCK = threading.Lock()
DELIVERIES = []          # (key, idempotency key, time)
EFFECTS = {}             # idempotency key -> key (applied once per key)
FLAKY_SEEN = []


class Handler(JsonHandler):
    def do_GET(self):
        if self.path.startswith("/blockers"):
            items = [{"id": k, "text": "needs owner: " + k, "from": "max",
                      "created": "2026-11-21T09:00:00Z"} for k in KEYS]
            return self.reply(200, {"items": items})
        self.reply(404, {"message": "no such route"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        parts = self.path.strip("/").split("/")
        if len(parts) != 3 or parts[0] != "blockers" or parts[2] != "resolve":
            return self.reply(404, {"message": "no such route"})
        key, idem = parts[1], self.headers.get("Idempotency-Key", "")
        with LOCK:
            DELIVERIES.append((key, idem, time.time(), json.loads(body or b"{}")))
        if key == "conflict":
            return self.reply(409, {"message": "already resolved by max"})
        if key == "unproc":
            return self.reply(422, {"error": "note is required"})
        if key == "flaky":
            with LOCK:
                FLAKY_SEEN.append(time.time())
                first = len(FLAKY_SEEN) == 1
            if first:
                return self.reply(503, {"message": "busy"}, {"Retry-After": "2"})
        with LOCK:
            EFFECTS.setdefault(idem, key)
        self.reply(200, {"ok": True})


class Server:
    def __init__(self, port=0):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.httpd.allow_reuse_address = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def mc(*args, fault=None, timeout=60):
    env = dict(ENV)
    if fault:
        env["MC_FAULT"] = fault
    return subprocess.run([MC, "-c", T + "/mc.yaml", *args], env=env, capture_output=True,
                          text=True, timeout=timeout)


def snapshot(ds):
    r = mc("snapshot", "--json", "--dataset", ds)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def blocker(key):
    return next((b for b in snapshot("blockers") if b["key"] == key), None)


def deliveries(key):
    with LOCK:
        return [d for d in DELIVERIES if d[0] == key]


def effects(key):
    with LOCK:
        return [i for i, k in EFFECTS.items() if k == key]


def write_config(port):
    write_mc_yaml(T, "mc.yaml", f"""  - id: ops
    kind: http_json
    url: http://127.0.0.1:{port}/blockers
    feeds: blockers
    every: 1h
    items: $.items[*]
    fields: {{key: id, description: text, from_agent: from, created_at: created}}
    resolve:
      method: POST
      url: "http://127.0.0.1:{port}/blockers/{{key}}/resolve"
      body: '{{"note": "{{note}}", "by": "{{by}}"}}'
      headers: {{Idempotency-Key: "{{idempotency_key}}"}}
      ok: [200, 201, 204]
""")


def main():
    srv = Server()
    port = srv.port
    write_config(port)
    r = mc("fetch", "--once")
    check("initial fetch succeeds", r.returncode == 0)
    check("blockers cached", len(snapshot("blockers")) == len(KEYS))

    # 1. killed right after the outbox commit
    r = mc("resolve", "ops:b1", "--note", "done \"quoted\"", fault="after_outbox_commit")
    check("resolve killed by SIGKILL after commit", r.returncode == -signal.SIGKILL)
    check("nothing was delivered before the kill", deliveries("b1") == [])
    check("blocker shows resolving after the crash", blocker("b1")["state"] == "resolving")
    r = mc("fetch", "--once")
    check("next run delivers it", len(deliveries("b1")) == 1 and len(effects("b1")) == 1)
    check("note is JSON-escaped in the body", deliveries("b1")[0][3].get("note") == 'done "quoted"')
    check("blocker resolved after delivery", blocker("b1")["state"] == "resolved" and blocker("b1")["resolved_by"] == "tester")
    mc("fetch", "--once")
    check("delivered once, not again on later runs", len(deliveries("b1")) == 1)

    # 2. killed after the server took it, before mc recorded it
    r = mc("resolve", "ops:b2", fault="after_delivery")
    check("resolve killed after delivery", r.returncode == -signal.SIGKILL)
    check("server got it once so far", len(deliveries("b2")) == 1)
    mc("fetch", "--once")
    d = deliveries("b2")
    check("redelivered after the crash with the same idempotency key", len(d) == 2 and d[0][1] == d[1][1] and d[0][1] != "")
    check("the effect happened once", len(effects("b2")) == 1)
    check("blocker resolved", blocker("b2")["state"] == "resolved")

    # 3. server down, then back
    srv.stop()
    r = mc("resolve", "ops:b3")
    check("server down: exit 3 (queued, not delivered)", r.returncode == 3)
    check("server down: message says not yet delivered", "not yet delivered" in r.stderr)
    r = mc("outbox")
    check("mc outbox lists it pending", "pending" in r.stdout and "ops:b3" in r.stdout)
    srv = Server(port)
    # the retry waits out its backoff (1 s after the first attempt); poll
    deadline = time.time() + 20
    while time.time() < deadline and not deliveries("b3"):
        mc("fetch", "--once")
        time.sleep(0.2)
    check("delivered when the server returns", len(effects("b3")) == 1)
    check("resolved after the outage", blocker("b3")["state"] == "resolved")

    # 4. permanent failures
    r = mc("resolve", "ops:conflict")
    check("409: exit 1", r.returncode == 1)
    check("409: the server's message is shown", "already resolved by max" in r.stderr)
    b = blocker("conflict")
    check("409: blocker back to open, marked failed", b["resolved"] is False and b["state"] == "failed")
    r = mc("resolve", "ops:unproc")
    check("422: exit 1 with the server's message", r.returncode == 1 and "note is required" in r.stderr)
    r = mc("outbox")
    check("failed rows stay listed", "failed" in r.stdout and "ops:conflict" in r.stdout and "ops:unproc" in r.stdout)
    mc("fetch", "--once")
    check("failed rows are not retried by themselves", len(deliveries("conflict")) == 1)
    con = sqlite3.connect(T + "/cache.db")
    rid = con.execute("SELECT id FROM outbox WHERE key='conflict'").fetchone()[0]
    con.close()
    r = mc("outbox", "--drop", str(rid))
    check("drop a failed row", r.returncode == 0 and "ops:conflict" not in mc("outbox").stdout)

    # 5. 503 + Retry-After: 2
    r = mc("resolve", "ops:flaky")
    check("503: queued, not failed (exit 3)", r.returncode == 3)
    deadline = time.time() + 20
    while time.time() < deadline and len(FLAKY_SEEN) < 2:
        mc("fetch", "--once")
        time.sleep(0.2)
    check("503: delivered on a later attempt", len(FLAKY_SEEN) == 2 and len(effects("flaky")) == 1)
    if len(FLAKY_SEEN) == 2:
        check("503: retried no sooner than Retry-After", FLAKY_SEEN[1] - FLAKY_SEEN[0] >= 1.9)

    # 6. fifty at once
    for i in range(10, 60):
        r = mc("resolve", "ops:b%d" % i, "--no-wait")
        assert r.returncode == 3, r.stderr
    mc("fetch", "--once")
    done = sum(1 for i in range(10, 60) if len(effects("b%d" % i)) == 1)
    check("50 queued resolves all delivered once", done == 50)
    out = mc("outbox").stdout
    check("nothing left pending; only the unhandled failure listed", "pending" not in out and out.count("failed") == 1 and "ops:unproc" in out)

    # 7. audit
    audit = snapshot("audit")
    acts = {(a["action"], a["target"], a["result"].split(":")[0]) for a in audit}
    check("audit has queue and delivery rows", ("resolve", "ops:b1", "queued") in acts and ("resolve", "ops:b1", "delivered") in acts)
    check("audit has the failure", ("resolve", "ops:conflict", "failed") in acts)
    check("audit names the user", all(a["user"] for a in audit))
    srv.stop()


try:
    main()
finally:
    shutil.rmtree(T, ignore_errors=True)
print("all passed" if not FAILS else "%d failed" % len(FAILS))
sys.exit(1 if FAILS else 0)
