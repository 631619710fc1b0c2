#!/usr/bin/env python3
"""it_alerts.py — alerts from real inputs through the real binary, and their
notifications through the outbox to a fake webhook and a command target.

Inputs: a cron log with a failed run (cron alert), a jsonl source whose file
is missing (failing, failing: {after: 1}), the real / of this machine and
the real /proc/meminfo with warn: 1 (disk and mem alerts), an old handoff
(blocker_age) and a revenue file whose newest snapshot went down
(data_quality).
The webhook is down first (connection refused), then answers 503 with
Retry-After once, then 200: every transition is delivered exactly once with
a stable Idempotency-Key, also after `mc fetch --daemon` was killed with
SIGKILL right after committing the transitions and before any delivery
(MC_FAULT=after_alert_commit). A command target gets the JSON on stdin.
Then dedupe across fetches, clear on recovery, `mc alerts` (table, --json,
--all, ack, exit codes)."""
import json, os, signal, socket, sqlite3, subprocess, sys, threading, time
from http.server import ThreadingHTTPServer
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from itlib import MC, check, temp_home, exit_report, JsonHandler

T, ENV = temp_home("mc-alerts.", HOOK_TOKEN="s3cret-hook-token")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Hook(JsonHandler):
    mode = "503once"
    got = []            # (status answered, idempotency key, body)
    lock = threading.Lock()

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        key = self.headers.get("Idempotency-Key", "")
        if self.path == "/gone":
            return self.reply(410, {"error": "this hook was deleted"})
        with Hook.lock:
            status = 503 if Hook.mode == "503once" else 200
            if Hook.mode == "503once":
                Hook.mode = "up"
            Hook.got.append((status, key, body.decode(), time.monotonic(), dict(self.headers.items())))
        if status == 503:
            self.reply(503, {"error": "busy"}, {"Retry-After": "2"})
        else:
            self.reply(200, {"ok": True})


def mc(*args, env=ENV, **kw):
    return subprocess.run([MC, "-c", T + "/mc.yaml"] + list(args), env=env, capture_output=True,
                          text=True, timeout=60, **kw)


def db():
    return sqlite3.connect(T + "/cache.db", timeout=10)


def notify_rows():
    with db() as c:
        return c.execute("SELECT idempotency_key, state, by_user, coalesce(last_error, '') FROM outbox"
                         " WHERE action = 'notify' ORDER BY id").fetchall()


def poll(cond, secs=20):
    end = time.time() + secs
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


def main():
    port = free_port()
    os.makedirs(T + "/cron")
    with open(T + "/cron/nightly.log", "w") as f:
        f.write("2026-11-21T01:00:00Z START nightly\n2026-11-21T01:00:09Z END nightly status=error msg=\"disk full\"\n")
    with open(T + "/handoffs.jsonl", "w") as f:
        f.write(json.dumps({"id": "h1", "ts": "2020-01-01T00:00:00Z", "from": "agent-7", "to": "apple",
                            "type": "blocker", "summary": "approve the old deploy",
                            "action_needed": True}) + "\n")
    with open(T + "/rev.json", "w") as f:      # the newest snapshot is below the one before
        json.dump({"snaps": [{"d": "2026-11-29", "v": 1000}, {"d": "2026-11-30", "v": 900}]}, f)
    with open(T + "/mc.yaml", "w") as f:
        f.write(f"""owner: Apple
user: tester
cache: {T}/cache.db
log: {T}/mc.log
sources:
  - {{id: handoffs, kind: jsonl, path: {T}/handoffs.jsonl, every: 1h}}
  - {{id: gone, kind: jsonl, path: {T}/missing.jsonl, every: 1h}}
  - {{id: crons, kind: cron_logs, path: {T}/cron, every: 1h}}
  - {{id: host, kind: system, disks: [/], every: 1h}}
  - {{id: rev, kind: json_file, path: {T}/rev.json, feeds: revenue, items: "$.snaps[*]",
     fields: {{key: d, snapshot_date: d, total_ytd_usd: v}}, every: 1h}}
alerts:
  rules:
    failing: {{after: 1}}
    disk: {{warn: 1, crit: 100, for: 0s}}
    mem: {{warn: 1, crit: 100, for: 0s}}
    cpu: off
  notify:
    - {{kind: webhook, name: hook, url: "http://127.0.0.1:{port}/notify", min: warn, headers: {{X-Test: yes}}, auth: {{bearer_env: HOOK_TOKEN}}}}
    - {{kind: webhook, name: gone, url: "http://127.0.0.1:{port}/gone", min: warn}}
    - {{kind: command, name: file, argv: [sh, -c, "cat >> {T}/got.ndjson; echo >> {T}/got.ndjson"], min: info, timeout: 5s}}
""")
    # 0. mc check probes every source (the missing file fails, the cron job
    #    failed) into a throw-away cache: it must notify no one
    r = mc("check")
    check("mc check sends no notification", not os.path.exists(T + "/got.ndjson") and
          not os.path.exists(T + "/cache.db") or not notify_rows())

    # 1. the daemon is killed (SIGKILL) right after the first transitions are
    #    committed with their outbox rows, before any delivery
    env = dict(ENV, MC_FAULT="after_alert_commit")
    p = subprocess.Popen([MC, "-c", T + "/mc.yaml", "fetch", "--daemon"], env=env,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rc = p.wait(timeout=30)
    check("the daemon died by SIGKILL at the fault point", rc == -signal.SIGKILL)
    rows = notify_rows()
    check("its notifications are committed and pending", rows and all(r[1] == "pending" for r in rows))
    check("nothing was delivered to the command target", not os.path.exists(T + "/got.ndjson"))

    # 2. a fetch with the webhook down (nothing listens: connection refused)
    r = mc("fetch", "--once")
    check("fetch --once exits 1 (the missing file fails)", r.returncode == 1)
    rows = notify_rows()
    hook_rows = [x for x in rows if x[2] == "hook"]
    check("webhook rows stay pending with the refusal as their error",
          hook_rows and all(x[1] == "pending" and x[3] for x in hook_rows))
    check("command rows are delivered", all(x[1] == "delivered" for x in rows if x[2] == "file"))
    r = mc("outbox")
    check("mc outbox lists the pending notifications", "notify" in r.stdout and "hook" not in r.stderr)
    got = [json.loads(l) for l in open(T + "/got.ndjson") if l.strip()]
    keys = {g["key"] for g in got}
    check("the command target got JSON for cron, failing, disk, mem, blocker_age, revenue: %s" % sorted(keys),
          {"cron:nightly", "failing:gone", "disk:/", "blocker_age", "data_quality:revenue_down:rev"} <= keys
          and any(k.startswith("mem:") for k in keys))
    g = [x for x in got if x["key"].startswith("mem:")]
    check("mem crosses warn: 1 from the real /proc/meminfo", g and g[0]["rule"] == "mem")
    g = [x for x in got if x["key"] == "data_quality:revenue_down:rev"]
    check("a revenue snapshot going down is a data-quality alert",
          g and "from $1000.00 to $900.00" in g[0]["title"])
    g = [x for x in got if x["key"] == "cron:nightly"]
    check("the cron alert names the job and status, with a text line",
          g and g[0]["rule"] == "cron" and "error" in g[0]["detail"] and g[0]["text"].startswith("[WARN] "))
    g = [x for x in got if x["key"] == "failing:gone"]
    check("failing carries the source's error", g and "missing.jsonl" in g[0]["detail"])
    g = [x for x in got if x["key"] == "disk:/"]
    check("disk / crosses warn: 1 on the real filesystem", g and g[0]["severity"] == "warn" and g[0]["source"] == "host")
    check("each condition was sent once to the command", len(got) == len(keys))

    # 3. the webhook comes up (503 + Retry-After once, then 200); the daemon delivers
    mc("outbox", "--retry", "all")      # now, not after the backoff the refusals earned
    srv = ThreadingHTTPServer(("127.0.0.1", port), Hook)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    p = subprocess.Popen([MC, "-c", T + "/mc.yaml", "fetch", "--daemon"], env=ENV,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ok = poll(lambda: all(x[1] == ("failed" if x[2] == "gone" else "delivered") for x in notify_rows()))
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=30)
    srv.shutdown()
    check("every notification delivered (the 410 target's failed for good)", ok)
    gone = [x for x in notify_rows() if x[2] == "gone"]
    check("a 4xx is not retried: the row failed with the status in its error",
          gone and all(x[1] == "failed" and "410" in x[3] for x in gone))
    r = mc("outbox")
    check("mc outbox lists the failed notification", "failed" in r.stdout and "notify" in r.stdout)
    delivered = [g for g in Hook.got if g[0] == 200]
    want = sorted(x[0] for x in notify_rows() if x[2] == "hook")
    check("the first webhook attempt was answered 503", Hook.got and Hook.got[0][0] == 503)
    check("exactly one delivery per transition and target: %d for %d rows" % (len(delivered), len(want)),
          sorted(g[1] for g in delivered) == want)
    check("the 503'd key was retried with the same Idempotency-Key",
          Hook.got[0][1] in [g[1] for g in delivered])
    again = [g for g in Hook.got[1:] if g[1] == Hook.got[0][1]]
    check("its retry waited for Retry-After: 2", again and again[0][3] - Hook.got[0][3] >= 1.9)
    check("headers: and auth: (bearer_env) reach the webhook",
          delivered and delivered[0][4].get("X-Test") == "yes" and
          delivered[0][4].get("Authorization") == "Bearer s3cret-hook-token")
    log = open(T + "/mc.log").read()
    check("the token is in no log line", "s3cret-hook-token" not in log)
    body = json.loads(delivered[0][2]) if delivered else {}
    check("the webhook body has the alert's fields and text",
          {"key", "rule", "severity", "title", "detail", "source", "first_seen", "state", "text"} <= set(body))

    # 4. dedupe: more fetches raise nothing new
    n_rows = len(notify_rows())
    mc("fetch", "--once")
    mc("fetch", "--once")
    with db() as c:
        trans = c.execute("SELECT max(transition), count(*) FROM alerts").fetchone()
    check("repeated fetches: still one row per condition, transition 1", trans[0] == 1)
    check("repeated fetches queue no new notification", len(notify_rows()) == n_rows)

    # 5. mc alerts
    r = mc("alerts")
    check("mc alerts lists the open alerts", r.returncode == 0 and "failing:gone" in r.stdout and "cron:nightly" in r.stdout)
    r = mc("alerts", "--json")
    js = json.loads(r.stdout)
    check("mc alerts --json: open rows with the dataset's fields",
          r.returncode == 0 and js and all(a["state"] == "open" for a in js) and "transition" not in js[0])
    r = mc("alerts", "ack", "cron:nightly", "--by", "max")
    check("ack: exit 0", r.returncode == 0 and "acked by max" in r.stdout)
    r = mc("alerts", "--json")
    check("an acked alert leaves the open list", "cron:nightly" not in [a["key"] for a in json.loads(r.stdout)])
    r = mc("alerts", "--all", "--json")
    a = [x for x in json.loads(r.stdout) if x["key"] == "cron:nightly"]
    check("--all shows it acked by max", a and a[0]["state"] == "acked" and a[0]["acked_by"] == "max")
    # an ack is a visible change: mc serve's event stream says "alerts"
    probe = subprocess.run([MC, "--demo", "serve", "--listen", "x"], env=ENV, capture_output=True)
    if b"without libmicrohttpd" in probe.stderr:
        print("skip: mc serve not built: no event check")
    else:
        srv_p = subprocess.Popen([MC, "-c", T + "/mc.yaml", "serve", "--listen", "127.0.0.1:0"], env=ENV,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            sport = int(srv_p.stdout.readline().decode().strip().rsplit(":", 1)[1])
            s = socket.create_connection(("127.0.0.1", sport), timeout=5)
            s.sendall(b"GET /api/events HTTP/1.1\r\nHost: x\r\n\r\n")
            buf = b""
            end = time.time() + 5
            while b"retry: " not in buf and time.time() < end:
                buf += s.recv(65536)
            mc("alerts", "ack", "disk:/")
            buf = b""
            end = time.time() + 5
            while b'"dataset": "alerts"' not in buf and time.time() < end:
                s.settimeout(max(0.05, end - time.time()))
                try:
                    buf += s.recv(65536)
                except socket.timeout:
                    break
            check("an ack is an alerts event on mc serve's /api/events", b'"dataset": "alerts"' in buf)
            s.close()
        finally:
            srv_p.terminate()
            srv_p.wait(timeout=10)
    r = mc("alerts", "ack", "no:such")
    check("ack of an unknown key: exit 1 with a message", r.returncode == 1 and "no open alert" in r.stderr)
    r = mc("alerts", "--bogus")
    check("a bad option: exit 2 with the usage", r.returncode == 2 and "usage: mc alerts" in r.stderr)

    # 6. recovery: the missing file appears, the job succeeds -> cleared
    open(T + "/missing.jsonl", "w").close()
    with open(T + "/rev.json", "w") as f:
        json.dump({"snaps": [{"d": "2026-11-29", "v": 1000}, {"d": "2026-11-30", "v": 1100}]}, f)
    with open(T + "/cron/nightly.log", "a") as f:
        f.write("2026-11-22T01:00:00Z START nightly\n2026-11-22T01:00:05Z END nightly status=ok\n")
    mc("fetch", "--once")
    r = mc("alerts", "--all", "--json")
    st = {x["key"]: x for x in json.loads(r.stdout)}
    check("failing:gone cleared on recovery", st.get("failing:gone", {}).get("state") == "cleared" and
          st["failing:gone"]["cleared_at"])
    check("cron:nightly (acked) cleared when the job succeeded", st.get("cron:nightly", {}).get("state") == "cleared")
    r = mc("alerts")
    check("the revenue alert cleared when the snapshot went back up",
          st.get("data_quality:revenue_down:rev", {}).get("state") == "cleared")
    check("the open list no longer has them", "failing:gone" not in r.stdout and "cron:nightly" not in r.stdout)


main()
exit_report(T)
