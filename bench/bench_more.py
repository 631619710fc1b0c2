#!/usr/bin/env python3
"""Write-back benchmarks (issue: resolving blockers): 1,000 queued resolves
delivered to a local fake server. Usage: bench_more.py BUILD TMPDIR"""
import json, os, sqlite3, statistics, subprocess, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BUILD, TMP = sys.argv[1], sys.argv[2]
MC = os.path.abspath(os.path.join(BUILD, "mc"))
N = 1000
DELIVERED = set()


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        body = json.dumps({"items": [{"id": "b%d" % i, "text": "blocker %d" % i} for i in range(N)]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        DELIVERED.add(self.headers.get("Idempotency-Key"))
        self.send_response(204)
        self.end_headers()


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    cfg = TMP + "/outbox.yaml"
    with open(cfg, "w") as f:
        f.write(f"""cache: {TMP}/outbox.db
user: bench
sources:
  - id: ops
    kind: http_json
    url: http://127.0.0.1:{port}/blockers
    feeds: blockers
    items: $.items[*]
    fields: {{key: id, description: text}}
    resolve:
      url: "http://127.0.0.1:{port}/blockers/{{key}}/resolve"
      method: POST
      headers: {{Idempotency-Key: "{{idempotency_key}}"}}
""")
    env = dict(os.environ)
    subprocess.run([MC, "-c", cfg, "fetch", "--once"], env=env, check=True, capture_output=True)
    # queue 1,000 resolves directly (what 1,000 key presses would commit)
    con = sqlite3.connect(TMP + "/outbox.db")
    con.executemany("INSERT INTO outbox (source, key, action, note, by_user, idempotency_key, created_at)"
                    " VALUES ('ops', ?, 'resolve', '', 'bench', ?, '2026-11-22T00:00:00Z')",
                    (("b%d" % i, "bench-%d" % i) for i in range(N)))
    con.commit()
    con.close()
    t0 = time.perf_counter()
    subprocess.run([MC, "-c", cfg, "outbox", "--retry", "all"], env=env, capture_output=True)
    dt = time.perf_counter() - t0
    ok = len(DELIVERED) == N
    print(f"  {'deliver 1,000 queued resolves to a local fake server':<58} {dt * 1000:>12.2f} {'ms':<8} target {'< 2000':<12} {'ok' if ok and dt < 2 else 'MISSED'}")
    if not ok:
        print(f"    only {len(DELIVERED)} of {N} delivered")
    srv.shutdown()


main()
