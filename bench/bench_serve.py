#!/usr/bin/env python3
"""`mc serve` benchmarks (issue 12), on the real binary over 127.0.0.1:
  * GET /api/overview on a 1M-activity / 100k-blocker cache: p50 and p99 of
    1,000 requests from 8 concurrent keep-alive clients (goal p99 < 50 ms);
  * a line appended to a watched file -> the SSE event at a client, with
    `mc fetch --daemon` beside the server: median and p99 of 40 (goal
    p99 < 250 ms);
  * peak RSS of `mc serve` holding 1,000 SSE clients.
Usage: bench_serve.py BUILD TMPDIR (TMPDIR may already hold big.db from
bench.py; it is made here when it does not)."""
import http.client, json, os, resource, signal, socket, sqlite3, statistics, subprocess, sys, threading, time

BUILD, TMP = sys.argv[1], sys.argv[2]
MC = os.path.abspath(os.path.join(BUILD, "mc"))
ENV = dict(os.environ, HOME=TMP, XDG_CONFIG_HOME=TMP + "/cfg", XDG_CACHE_HOME=TMP + "/cache",
           XDG_STATE_HOME=TMP + "/state")
TOKEN = "bench-token-0123456789"


def report(name, value, unit, target, ok):
    print(f"  {name:<58} {value:>12.2f} {unit:<8} target {target:<12} {'ok' if ok else 'MISSED'}", flush=True)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def big_cache(db, cfg):
    if os.path.exists(db):
        return
    subprocess.run([MC, "-c", cfg, "snapshot"], env=ENV, capture_output=True)  # the schema
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.executemany("INSERT INTO blockers (source, key, from_agent, description, context, created_at, resolved, state)"
                    " VALUES ('ops', ?, 'max', ?, 'ctx', ?, 0, 'open')",
                    ((f"b{i}", f"Blocker number {i} needs the owner", f"2026-11-{1 + i % 28:02d}T10:00:00Z")
                     for i in range(100_000)))
    con.executemany("INSERT INTO activity (source, key, ts, event_type, agent, status, details)"
                    " VALUES ('feed', ?, ?, 'handoff', 'dash', 'ok', 'details of the event')",
                    ((f"a{i}", f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z") for i in range(1_000_000)))
    con.commit()
    con.close()


def start(cfg, env=None):
    p = subprocess.Popen([MC, "-c", cfg, "serve", "--listen", "127.0.0.1:0"], env=env or ENV,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = p.stdout.readline().decode()
    return p, int(line.strip().rsplit(":", 1)[1])


def stop(p):
    p.send_signal(signal.SIGTERM)
    p.wait(timeout=10)


def bench_overview():
    db, cfg = TMP + "/big.db", TMP + "/serve_big.yaml"
    with open(TMP + "/serve.token", "w") as f:
        f.write(TOKEN + "\n")
    os.chmod(TMP + "/serve.token", 0o600)
    with open(cfg, "w") as f:
        f.write(f"cache: {db}\nlog: {TMP}/serve.log\nserve: {{token_file: {TMP}/serve.token}}\nsources: []\n")
    big_cache(db, cfg)
    p, port = start(cfg)
    lat, lock = [], threading.Lock()

    def client():
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        for _ in range(125):
            t0 = time.perf_counter()
            c.request("GET", "/api/overview", headers={"Authorization": "Bearer " + TOKEN})
            r = c.getresponse()
            r.read()
            mine.append((time.perf_counter() - t0) * 1000)
            assert r.status == 200
        with lock:
            lat.extend(mine)

    ts = [threading.Thread(target=client) for _ in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    stop(p)
    report("GET /api/overview, 1M activity / 100k blockers: p50", pct(lat, 50), "ms", "-", True)
    report("  p99 of 1,000 requests from 8 clients", pct(lat, 99), "ms", "< 50", pct(lat, 99) < 50)


def sse(port):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(("GET /api/events HTTP/1.1\r\nHost: b\r\nAuthorization: Bearer %s\r\n\r\n" % TOKEN).encode())
    return s


def bench_events():
    path, db, cfg = TMP + "/serve_watch.jsonl", TMP + "/serve_watch.db", TMP + "/serve_watch.yaml"
    line = lambda i: json.dumps({"id": "s-%d" % i, "ts": 1795000000 + i, "from": "max",
                                 "to": "atlas", "type": "handoff", "summary": "item %d" % i})
    for old in (path, db, db + "-wal", db + "-shm"):
        if os.path.exists(old):
            os.unlink(old)
    with open(path, "w") as f:
        f.write(line(0) + "\n")
    with open(cfg, "w") as f:
        f.write(f"cache: {db}\nlog: {TMP}/serve.log\nserve: {{token_file: {TMP}/serve.token}}\n"
                f"retention: {{activity: {{age: 0s, rows: 0}}}}\n"
                f"sources:\n  - id: h\n    kind: jsonl\n    path: {path}\n    every: 1h\n")
    subprocess.run([MC, "-c", cfg, "fetch", "--once"], env=ENV, capture_output=True)
    d = subprocess.Popen([MC, "-c", cfg, "fetch", "--daemon"], env=ENV, stderr=subprocess.DEVNULL)
    p, port = start(cfg)
    s = sse(port)
    s.settimeout(5)
    buf = b""
    while b"retry:" not in buf:
        buf += s.recv(4096)
    time.sleep(0.5)
    lat = []
    for k in range(1, 41):
        buf = b""
        with open(path, "a") as f:
            f.write(line(k) + "\n")
            f.flush()
            t0 = time.perf_counter()
        try:
            while b'"dataset": "activity"' not in buf:
                buf += s.recv(4096)
            lat.append((time.perf_counter() - t0) * 1000)
        except socket.timeout:
            pass
        time.sleep(0.15)
    s.close()
    stop(p)
    d.terminate()
    d.wait()
    if lat:
        report("watched-file append -> SSE event at a client: median", statistics.median(lat), "ms", "-", True)
        report("  p99 of %d" % len(lat), pct(lat, 99), "ms", "< 250", pct(lat, 99) < 250 and len(lat) == 40)


def bench_rss():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    p, port = start(TMP + "/serve_big.yaml")
    socks = []
    for _ in range(1000):
        socks.append(sse(port))
    for s in socks:
        s.settimeout(10)
        b = b""
        while b"retry:" not in b:
            b += s.recv(4096)
    hwm = 0
    for l in open("/proc/%d/status" % p.pid):
        if l.startswith("VmHWM:"):
            hwm = int(l.split()[1])
    t0 = time.perf_counter()
    stop(p)
    dt = (time.perf_counter() - t0) * 1000
    for s in socks:
        s.close()
    report("peak RSS of mc serve with 1,000 SSE clients", hwm / 1024, "MB", "< 30", hwm / 1024 < 30)
    report("  SIGTERM to exit with them connected", dt, "ms", "< 2000", dt < 2000)


if __name__ == "__main__":
    print("serve:")
    bench_overview()
    bench_events()
    bench_rss()
