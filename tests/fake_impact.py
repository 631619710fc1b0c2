#!/usr/bin/env python3
"""fake_impact.py - impact.com's partner API report, as
impact.com's API reference documents it, for the impact preset's tests.

GET /Mediapartners/{SID}/Reports/{ReportId}?START_DATE=YYYY-MM-DD&END_DATE=YYYY-MM-DD[&Page=N]
  HTTP Basic SID:token (--sid, --token), and Accept: application/json
  (else 406); another SID in the path: 403.
  {"@page": "1", "@numpages": "3", "@pagesize": "...", "@nextpageuri":
   "/Mediapartners/SID/Reports/ID?START_DATE=..&END_DATE=..&Page=2" (RELATIVE;
   "" on the last page), "Records": [{"Date": "YYYY-MM-DD", "Earnings":
   "12.34" (a string), "Clicks": "5", "Actions": "1"}]}
  One record per day from --year-start to today; only the days inside
  START_DATE..END_DATE are answered, spread over --pages pages. Some days
  earn nothing ("0.00"), one record is "" (no earnings yet). Records of the
  day before --year-start are answered too when START_DATE asks for them.
GET /_stats  {"requests": [paths], "expected_ytd_cents": N}
Port on stdout's first line (fakeserve.py)."""
import argparse, base64, datetime, json, threading
from urllib.parse import urlsplit, parse_qs, urlencode
from http.server import BaseHTTPRequestHandler
import fakeserve

A = None
RECS = {}       # date -> record
STATE = {"requests": []}
LOCK = threading.Lock()


def build(year_start):
    today = datetime.datetime.now(datetime.timezone.utc).date()
    ys = datetime.date.fromisoformat(year_start)
    exp = 0
    d = ys - datetime.timedelta(days=40)      # last year's days exist too
    i = 0
    while d <= today:
        cents = 0 if i % 5 == 0 else 100 + (i * 4517) % 90000
        earn = "%d.%02d" % (cents // 100, cents % 100)
        if i == 3:
            earn = ""
            cents = 0
        RECS[d.isoformat()] = {"Date": d.isoformat(), "Earnings": earn, "Clicks": str(i % 50),
                               "Actions": str(i % 3)}
        if d >= ys:
            exp += cents
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
        self.send_header("X-RateLimit-Remaining-hour", "990")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        u = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(u.query, keep_blank_values=True).items()}
        if u.path == "/_stats":
            with LOCK:
                return self.reply(200, {"requests": STATE["requests"], "expected_ytd_cents": A.expected})
        with LOCK:
            STATE["requests"].append(self.path)
        parts = u.path.strip("/").split("/")
        if len(parts) != 4 or parts[0] != "Mediapartners" or parts[2] != "Reports":
            return self.reply(404, {"Status": "ERROR", "Message": "Not found"})
        want = "Basic " + base64.b64encode((A.sid + ":" + A.token).encode()).decode()
        if self.headers.get("Authorization") != want:
            return self.reply(401, {"Status": "ERROR", "Message": "Invalid credentials"})
        if parts[1] != A.sid:
            return self.reply(403, {"Status": "ERROR", "Message": "Forbidden"})
        if "application/json" not in (self.headers.get("Accept") or ""):
            return self.reply(406, {"Status": "ERROR", "Message": "Accept: application/json"})
        start, end = q.get("START_DATE", ""), q.get("END_DATE", "")
        if not start or not end or end < start:
            return self.reply(400, {"Status": "ERROR", "Message": "START_DATE and END_DATE are required"})
        recs = [RECS[k] for k in sorted(RECS) if start <= k <= end]
        n = A.pages
        size = max(1, -(-len(recs) // n))
        page = int(q.get("Page", "1"))
        body = recs[(page - 1) * size:page * size]
        numpages = max(1, -(-len(recs) // size))
        nxt = ""
        if page < numpages:
            nq = dict(q, Page=str(page + 1))
            nxt = u.path + "?" + urlencode(nq)
        self.reply(200, {"@page": str(page), "@numpages": str(numpages), "@pagesize": str(size),
                         "@total": str(len(recs)), "@nextpageuri": nxt, "Records": body})


def main():
    global A
    p = argparse.ArgumentParser()
    p.add_argument("--sid", required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--year-start", required=True)
    p.add_argument("--pages", type=int, default=3)
    A = p.parse_args()
    A.expected = build(A.year_start)
    fakeserve.serve(Handler)


if __name__ == "__main__":
    main()
