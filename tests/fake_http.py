#!/usr/bin/env python3
"""fake_http.py - a small configurable HTTP server for mc's network tests.

Listens on 127.0.0.1, port 0 (or --port), and prints the port on the first
line of stdout. Exits when its stdin closes (so a test that dies takes it
along) or on SIGTERM. Request logging is off.

Built-in routes (all JSON):
  /items            {"items":[...3 items...]}
  /etag             ETag "v1"; 304 when If-None-Match matches (--etag to change)
  /lm               Last-Modified; 304 when If-Modified-Since matches
  /429              429 with Retry-After: 2 (?after=VALUE overrides, ?date=1 an HTTP date)
  /503              503 with Retry-After: 30
  /500              500 with a text body (?body=... overrides)
  /slow             sleeps ?s= seconds (default 10) before answering
  /big              a valid JSON document of ?n= bytes (default 1 MiB)
  /gzip             gzip-encoded JSON (?n= decoded bytes) when the client accepts gzip
  /bad              malformed JSON
  /html             200 text/html, not JSON
  /page?n=1..3      Link: <...?n=N+1>; rel="next" (absolute or ?rel=1 relative)
  /cursor?c=...     {"items":[...], "next": cursor or null}
  /cursor_url       {"items":[...], "next_url": "/cursor_url?p=2" or null}
  /offset?skip=&limit=   5 items total, paged; {"has_more": bool}
  /evil             Link rel=next pointing to another host
  /echo             the request headers as items [{"name":..., "value":...}]
  /resolve/<key>    counts deliveries per Idempotency-Key; 409 for --conflict-key,
                    503 with Retry-After for --flaky-key (every time), 200 otherwise
  /stats            {"counts": {path: n}, "idempotency": {key: n}, "requests": [...]}
Routes from a JSON spec file (--spec FILE) override these:
  {"routes": {"/path": {"status": 200, "headers": {...}, "body": "text" | "json": any,
                         "delay": seconds}}}
"""
import argparse
import fakeserve
import email.utils
import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit, unquote

STATE = {"counts": {}, "idempotency": {}, "requests": []}
LOCK = threading.Lock()
ARGS = None
SPEC = {}
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"


def items(prefix, n, start=0):
    return [{"id": "%s%d" % (prefix, start + i), "name": "item %d" % (start + i),
             "ts": 1700000000 + start + i} for i in range(n)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake_http/1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body=b"", headers=None, ctype="application/json"):
        if isinstance(body, (dict, list)) or body is None:
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        hdrs = {"Content-Type": ctype}
        hdrs.update(headers or {})
        for k, v in hdrs.items():
            self.send_header(k, v)
        if status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status not in (204, 304) and self.command != "HEAD":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    def record(self, path, body):
        with LOCK:
            STATE["counts"][path] = STATE["counts"].get(path, 0) + 1
            STATE["requests"].append({
                "method": self.command, "path": self.path,
                "headers": {k: v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace")})
            del STATE["requests"][:-100]

    def base(self):
        return "http://%s:%d" % self.server.server_address[:2]

    def do_GET(self):
        self.handle_any()

    def do_POST(self):
        self.handle_any()

    def do_PUT(self):
        self.handle_any()

    def do_PATCH(self):
        self.handle_any()

    def do_DELETE(self):
        self.handle_any()

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        path, q = url.path, {k: v[-1] for k, v in parse_qs(url.query).items()}
        if path != "/stats":
            self.record(path, body)
        route = SPEC.get("routes", {}).get(path)
        if route:
            return self.spec_route(route)
        name = "route_" + path.strip("/").split("/")[0].replace("-", "_")
        fn = getattr(self, name if name != "route_" else "route_items", None)
        if fn is None:
            return self.reply(404, {"message": "no route " + path})
        return fn(path, q, body)

    def spec_route(self, r):
        if r.get("delay"):
            time.sleep(float(r["delay"]))
        body = r["json"] if "json" in r else r.get("body", "")
        self.reply(int(r.get("status", 200)), body, r.get("headers"))

    # ---- built-in routes -------------------------------------------------
    def route_items(self, path, q, body):
        self.reply(200, {"items": items("i", 3)})

    def route_etag(self, path, q, body):
        tag = '"%s"' % ARGS.etag
        if self.headers.get("If-None-Match") == tag:
            return self.reply(304, b"", {"ETag": tag})
        self.reply(200, {"items": items("e", 2)}, {"ETag": tag})

    def route_lm(self, path, q, body):
        if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
            return self.reply(304, b"", {"Last-Modified": LAST_MODIFIED})
        self.reply(200, {"items": items("m", 2)}, {"Last-Modified": LAST_MODIFIED})

    def route_429(self, path, q, body):
        after = q.get("after", "2")
        if q.get("date"):
            after = email.utils.formatdate(time.time() + 120, usegmt=True)
        self.reply(429, {"message": "slow down"}, {"Retry-After": after})

    def route_503(self, path, q, body):
        self.reply(503, "maintenance", {"Retry-After": "30"}, "text/plain")

    def route_500(self, path, q, body):
        self.reply(500, q.get("body", "Internal \x1b[31mError\x1b[0m: database is down\n" + "x" * 400),
                   ctype="text/plain")

    def route_slow(self, path, q, body):
        time.sleep(float(q.get("s", "10")))
        self.reply(200, {"items": []})

    def route_big(self, path, q, body):
        n = int(q.get("n", str(1 << 20)))
        filler = "x" * max(0, n - 20)
        self.reply(200, '{"items":[],"p":"%s"}' % filler)

    def route_gzip(self, path, q, body):
        n = int(q.get("n", "1000"))
        doc = ('{"items":[{"id":"z1"}],"p":"%s"}' % ("x" * n)).encode()
        if "gzip" in (self.headers.get("Accept-Encoding") or ""):
            return self.reply(200, gzip.compress(doc), {"Content-Encoding": "gzip"})
        self.reply(200, doc)

    def route_bad(self, path, q, body):
        self.reply(200, '{"items": [{"id": "a"}, {"id": ')

    def route_html(self, path, q, body):
        self.reply(200, "<html><body>Login</body></html>", ctype="text/html")

    def route_page(self, path, q, body):
        n = int(q.get("n", "1"))
        hdrs = {}
        if n < 3:
            nxt = "/page?n=%d" % (n + 1) + ("&rel=1" if q.get("rel") else "")
            if not q.get("rel"):
                nxt = self.base() + nxt
            hdrs["Link"] = '<%s/first>; rel="first", <%s>; rel="next"' % (self.base(), nxt)
        self.reply(200, {"items": items("p%d-" % n, 2)}, hdrs)

    def route_cursor(self, path, q, body):
        c = int(q.get("c", "0"))
        self.reply(200, {"items": items("c", 2, c * 2), "next": c + 1 if c < 2 else None})

    def route_cursor_url(self, path, q, body):
        p = int(q.get("p", "1"))
        self.reply(200, {"items": items("u", 1, p),
                         "next_url": "/cursor_url?p=%d" % (p + 1) if p < 3 else None})

    def route_offset(self, path, q, body):
        skip, limit = int(q.get("skip", "0")), int(q.get("limit", "2"))
        total = 5
        page = items("o", max(0, min(limit, total - skip)), skip)
        self.reply(200, {"data": page, "has_more": skip + limit < total})

    def route_evil(self, path, q, body):
        port = self.server.server_address[1]
        self.reply(200, {"items": items("v", 1)},
                   {"Link": '<http://127.0.0.2:%d/items>; rel="next"' % port})

    def route_echo(self, path, q, body):
        self.reply(200, {"items": [{"name": k, "value": v} for k, v in self.headers.items()]})

    def route_resolve(self, path, q, body):
        key = unquote(path[len("/resolve/"):])
        idem = self.headers.get("Idempotency-Key", "")
        with LOCK:
            STATE["idempotency"][idem] = STATE["idempotency"].get(idem, 0) + 1
        if key == ARGS.conflict_key:
            return self.reply(409, {"message": "blocker %s was already resolved by max" % key})
        if key == ARGS.flaky_key:
            return self.reply(503, "busy", {"Retry-After": "7"}, "text/plain")
        try:
            parsed = json.loads(body or b"null")
        except ValueError:
            return self.reply(400, {"error": "body is not JSON"})
        self.reply(200, {"ok": True, "key": key, "got": parsed})

    def route_stats(self, path, q, body):
        with LOCK:
            self.reply(200, STATE)


def main():
    global ARGS, SPEC
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--spec")
    ap.add_argument("--etag", default="v1")
    ap.add_argument("--conflict-key", default="taken")
    ap.add_argument("--flaky-key", default="flaky")
    ARGS = ap.parse_args()
    if ARGS.spec:
        with open(ARGS.spec) as f:
            SPEC = json.load(f)
    fakeserve.serve(Handler, ARGS.port)


if __name__ == "__main__":
    main()
