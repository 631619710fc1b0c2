#!/usr/bin/env python3
"""fake_report.py - a reporting API behind OAuth2 client credentials (the RV
media network's, as its API documents it), for the oauth2_report
preset's tests and bench.

POST /oauth/token  form grant_type=client_credentials[&scope=...]; the client
  id and secret (--client-id, --client-secret) as HTTP Basic or as the form
  fields client_id/client_secret. -> {"access_token": "tok-N-<random>",
  "token_type": "Bearer", "expires_in": "3600"} (a string; --expires-in).
  Wrong client: 401 {"error": "invalid_client", "error_description": ...}.
GET /v1/report?start_date=YYYY-MM-DD&end_date=YYYY-MM-DD
  Authorization: Bearer <a token it issued, not expired>, else 401.
  A window of more than --max-days days (both ends included; default 31),
  an end before the start or a missing date: 400 {"error": ...}.
  -> {"data": [{"date": "YYYY-MM-DD", "commission": 12.5, "clicks": 3}]}:
  two records per day from 40 days before --year-start to today, only the
  days inside the window (the amounts are in dollars with cents).
  --static-token T is accepted as well (tests without OAuth2).
GET /_stats  {"requests": [paths], "tokens": N issued, "windows": [[start, end]],
              "refused": N (400s), "expected_ytd_cents": N}
Port on stdout's first line (fakeserve.py)."""
import argparse, base64, datetime, json, secrets, threading, time
from urllib.parse import urlsplit, parse_qs
from http.server import BaseHTTPRequestHandler
import fakeserve

A = None
RECS = {}
TOKENS = {}     # token -> expiry (time.time())
STATE = {"requests": [], "tokens": 0, "windows": [], "refused": 0}
LOCK = threading.Lock()


def build(year_start):
    today = datetime.datetime.now(datetime.timezone.utc).date()
    ys = datetime.date.fromisoformat(year_start)
    d, i, exp = ys - datetime.timedelta(days=40), 0, 0
    while d <= today:
        a, b = 50 + (i * 7331) % 40000, 1 + (i * 13) % 999       # cents
        RECS[d.isoformat()] = [{"date": d.isoformat(), "commission": a / 100, "clicks": i % 9},
                               {"date": d.isoformat(), "commission": b / 100, "clicks": 1}]
        if d >= ys:
            exp += a + b
        d += datetime.timedelta(days=1)
        i += 1
    return exp


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, obj):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = {k: v[-1] for k, v in parse_qs(self.rfile.read(n).decode() if n else "").items()}
        with LOCK:
            STATE["requests"].append("POST " + self.path)
        if urlsplit(self.path).path != "/oauth/token":
            return self.reply(404, {"error": "not_found"})
        cid, sec = form.get("client_id"), form.get("client_secret")
        auth = self.headers.get("Authorization") or ""
        if auth.startswith("Basic "):
            try:
                cid, sec = base64.b64decode(auth[6:]).decode().split(":", 1)
            except Exception:
                cid = sec = None
        if form.get("grant_type") != "client_credentials":
            return self.reply(400, {"error": "unsupported_grant_type"})
        if cid != A.client_id or sec != A.client_secret:
            return self.reply(401, {"error": "invalid_client", "error_description": "bad client " + str(cid)})
        tok = "tok-%s" % secrets.token_hex(8)
        with LOCK:
            STATE["tokens"] += 1
            TOKENS[tok] = time.time() + A.expires_in
        self.reply(200, {"access_token": tok, "token_type": "Bearer", "expires_in": str(A.expires_in)})

    def do_GET(self):
        u = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        if u.path == "/_stats":
            with LOCK:
                return self.reply(200, dict(STATE, expected_ytd_cents=A.expected))
        with LOCK:
            STATE["requests"].append(self.path)
        if u.path != "/v1/report":
            return self.reply(404, {"error": "not_found"})
        auth = self.headers.get("Authorization") or ""
        tok = auth[7:] if auth.startswith("Bearer ") else ""
        with LOCK:
            ok = (A.static_token and tok == A.static_token) or TOKENS.get(tok, 0) > time.time()
        if not ok:
            return self.reply(401, {"error": "invalid_token"})
        try:
            s = datetime.date.fromisoformat(q["start_date"])
            e = datetime.date.fromisoformat(q["end_date"])
        except (KeyError, ValueError):
            return self.reply(400, {"error": "start_date and end_date (YYYY-MM-DD) are required"})
        days = (e - s).days + 1
        if days < 1 or days > A.max_days:
            with LOCK:
                STATE["refused"] += 1
            return self.reply(400, {"error": "the window may be at most %d days (got %d)" % (A.max_days, days)})
        with LOCK:
            STATE["windows"].append([s.isoformat(), e.isoformat()])
        data = [r for k in sorted(RECS) if s.isoformat() <= k <= e.isoformat() for r in RECS[k]]
        self.reply(200, {"data": data})


def main():
    global A
    p = argparse.ArgumentParser()
    p.add_argument("--client-id", default="cid")
    p.add_argument("--client-secret", default="")
    p.add_argument("--static-token", default="")
    p.add_argument("--year-start", required=True)
    p.add_argument("--max-days", type=int, default=31)
    p.add_argument("--expires-in", type=int, default=3600)
    A = p.parse_args()
    A.expected = build(A.year_start)
    fakeserve.serve(Handler)


if __name__ == "__main__":
    main()
