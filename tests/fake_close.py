#!/usr/bin/env python3
"""fake_close.py - Close CRM's opportunity list, as Close's API reference
documents it, for the close preset's tests and bench.

GET /api/v1/opportunity/?status_type=won&date_won__gte=YYYY-MM-DD&_order_by=-date_won
    &_skip=N&_limit=M&_fields=id,value,...
  HTTP Basic: the API key (--key) as user name, empty password; else 401.
  {"has_more": bool, "total_results": N, "data": [{"id", "value" (cents),
   "value_currency", "value_period", "status_type", "date_won"}]}
  _limit is capped at 100 like the real API; status_type and date_won__gte
  filter (omitted: every status, every date).
  With --rate-limit-once the first request for _skip=100 gets 429 with
  {"error": {"rate_reset": 0.3, ...}} (no Retry-After) once.
GET /_stats  {"requests": [paths], "expected_ytd_cents": N, "won": N}

The accounts: --won N opportunities won this year (from --year-start to
today, UTC), values in cents (odd amounts, so a rounding slip shows);
plus --won/10 lost ones this year and --won/10 won ones last year
(both must not count). Port on stdout's first line (fakeserve.py)."""
import argparse, base64, datetime, json, threading
from urllib.parse import urlsplit, parse_qs
from http.server import BaseHTTPRequestHandler
import fakeserve

A = None
OPPS = []
STATE = {"requests": [], "limited": False}
LOCK = threading.Lock()


def build(won, year_start):
    today = datetime.datetime.now(datetime.timezone.utc).date()
    ys = datetime.date.fromisoformat(year_start)
    span = (today - ys).days + 1
    out, exp = [], 0
    for i in range(won):
        d = ys + datetime.timedelta(days=i % span)
        v = 1000 + (i * 7919) % 500000 + (i % 7)       # cents
        out.append({"id": "oppo_w%d" % i, "value": v, "status_type": "won", "date_won": d.isoformat()})
        exp += v
    for i in range(max(1, won // 10)):
        d = ys + datetime.timedelta(days=i % span)
        out.append({"id": "oppo_l%d" % i, "value": 99999999, "status_type": "lost", "date_won": None,
                    "date_lost": d.isoformat()})
        d = ys - datetime.timedelta(days=1 + i % 300)
        out.append({"id": "oppo_o%d" % i, "value": 88888888, "status_type": "won", "date_won": d.isoformat()})
    for o in out:
        o.update(value_currency="USD", value_period="one_time")
    out.sort(key=lambda o: (o["date_won"] or "", o["id"]), reverse=True)
    return out, exp


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, obj, headers=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        if u.path == "/_stats":
            with LOCK:
                return self.reply(200, {"requests": STATE["requests"], "expected_ytd_cents": A.expected,
                                        "won": A.won})
        with LOCK:
            STATE["requests"].append(self.path)
        if u.path != "/api/v1/opportunity/":
            return self.reply(404, {"error": "Not found"})
        want = "Basic " + base64.b64encode((A.key + ":").encode()).decode()
        if self.headers.get("Authorization") != want:
            return self.reply(401, {"error": "The API key is invalid"})
        skip, limit = int(q.get("_skip", "0")), min(100, int(q.get("_limit", "100")))
        if A.rate_limit_once and skip == 100:
            with LOCK:
                first = not STATE["limited"]
                STATE["limited"] = True
            if first:
                return self.reply(429, {"error": {"rate_reset": 0.3, "message": "API call rate limit exceeded",
                                                  "rate_limit": 600, "rate_window": 60}})
        rows = OPPS
        if "status_type" in q:
            rows = [o for o in rows if o["status_type"] == q["status_type"]]
        if "date_won__gte" in q:
            rows = [o for o in rows if o["date_won"] and o["date_won"] >= q["date_won__gte"]]
        page = rows[skip:skip + limit]
        if "_fields" in q:
            f = q["_fields"].split(",")
            page = [{k: o.get(k) for k in f} for o in page]
        self.reply(200, {"has_more": skip + limit < len(rows), "total_results": len(rows), "data": page})


def main():
    global A, OPPS
    p = argparse.ArgumentParser()
    p.add_argument("--key", required=True)
    p.add_argument("--won", type=int, default=250)
    p.add_argument("--year-start", required=True)
    p.add_argument("--rate-limit-once", action="store_true")
    A = p.parse_args()
    OPPS, A.expected = build(A.won, A.year_start)
    fakeserve.serve(Handler)


if __name__ == "__main__":
    main()
