#!/usr/bin/env python3
"""fake_vercel.py - Vercel REST's deployments list, as documented by Vercel
("List deployments", v6):

  GET /v6/deployments?projectId=ID&teamId=&limit=N&until=MS
      Authorization: Bearer TOKEN
      -> {"pagination": {"count", "next": <created of the last one> | null,
          "prev"}, "deployments": [{"uid", "name", "url", "created" (epoch
          ms), "state", "target"}]}, newest first; until= gives the ones
          created before it.
      Forbidden (POST /control {"forbid": true}, or a wrong token):
      403 {"error": {"code": "forbidden", "message": "Not authorized"}}
      (the wrong token echoed into the message, as some proxies do).
  POST /control  JSON {"forbid": bool}
  GET /stats     {"requests": n, "forbidden": n, "until": [...], "team": [...]}

Seven deployments; run alone (port on the first line of stdout) or import
Handler/STATE from a test."""
import json, threading, time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

NOW_MS = int(time.time() * 1000) // 60000 * 60000
TOKEN = "vercel_FakeToken_abcdef0123456789"
STATES = ["READY", "ERROR", "BUILDING", "READY", "CANCELED", "QUEUED", "READY"]
DEPLOYS = [{"uid": "dpl_%d" % i, "name": "app", "url": "app-%d.vercel.app" % i,
            "created": NOW_MS - i * 60000, "state": STATES[i],
            "target": "production" if i % 2 == 0 else None} for i in range(7)]
STATE = {"requests": 0, "forbidden": 0, "until": [], "team": [], "forbid": False}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"{}")
        with LOCK:
            if "forbid" in body:
                STATE["forbid"] = bool(body["forbid"])
        self.send(200, {"ok": True})

    def do_GET(self):
        u = urlsplit(self.path)
        if u.path == "/stats":
            with LOCK:
                return self.send(200, {k: v for k, v in STATE.items() if k != "forbid"})
        if u.path != "/v6/deployments":
            return self.send(404, {"error": {"code": "not_found", "message": "The page could not be found"}})
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        auth = self.headers.get("Authorization", "")
        with LOCK:
            STATE["requests"] += 1
            STATE["until"].append(q.get("until"))
            STATE["team"].append(q.get("teamId"))
            forbid = STATE["forbid"] or auth != "Bearer " + TOKEN
            if forbid:
                STATE["forbidden"] += 1
        if forbid:
            return self.send(403, {"error": {"code": "forbidden",
                                             "message": "Not authorized: %s" % auth}})
        if q.get("projectId") != "prj_123":
            return self.send(404, {"error": {"code": "not_found", "message": "Project not found"}})
        limit = int(q.get("limit", "20"))
        items = [d for d in DEPLOYS if "until" not in q or d["created"] < int(q["until"])]
        page = items[:limit]
        more = len(items) > limit
        self.send(200, {"pagination": {"count": len(page), "next": page[-1]["created"] if more and page else None,
                                       "prev": page[0]["created"] if page else None},
                        "deployments": page})


if __name__ == "__main__":
    import fakeserve
    fakeserve.serve(Handler)
