#!/usr/bin/env python3
"""fake_github.py - GitHub REST's workflow runs, as documented by GitHub
("List workflow runs for a repository"):

  GET /repos/OWNER/REPO/actions/runs?branch=&per_page=N&page=P
      Authorization: Bearer TOKEN (--token), a User-Agent (403 without one)
      -> {"total_count": 5, "workflow_runs": [{"id", "name", "head_branch",
          "status", "conclusion", "html_url", "created_at"}]}, newest first (created minutes ago);
      pages through the Link header (rel="next", absolute URLs); an ETag per
      page, a matching If-None-Match -> 304 (no body, no rate limit used).
      x-ratelimit-remaining / x-ratelimit-reset (epoch seconds) on every
      answer. Run 5 is in progress (conclusion null).
  POST /control  JSON {"limited": n}: the next n requests get 403
      {"message": "API rate limit exceeded..."} with remaining 0 and a
      reset reset_in seconds ahead (default 2; {"reset_in": s} changes it);
      {"limited": n, "after": k} lets k requests through first;
      {"runs": [...]} replaces the runs (a new ETag).
  GET /stats     {"requests": n, "not_modified": n, "limited": n, "pages": [page, ...],
                  "auth": [Authorization values' schemes], "branch": [...]}

Run alone (port on the first line of stdout, gone when stdin closes) or
import Handler/STATE from a test."""
import json, threading, time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

def ago(minutes):
    """An ISO time minutes before now (the cache keeps 90 days of activity)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 60 * minutes))


TOKEN = "ghp_fake_github_token_0123_4567"
RUNS = [
    {"id": 105, "name": "CI", "head_branch": "main", "status": "in_progress", "conclusion": None,
     "html_url": "https://github.com/acme/site/actions/runs/105", "created_at": ago(1)},
    {"id": 104, "name": "CI", "head_branch": "main", "status": "completed", "conclusion": "failure",
     "html_url": "https://github.com/acme/site/actions/runs/104", "created_at": ago(2)},
    {"id": 103, "name": "Deploy", "head_branch": "main", "status": "completed", "conclusion": "success",
     "html_url": "https://github.com/acme/site/actions/runs/103", "created_at": ago(3)},
    {"id": 102, "name": "CI", "head_branch": "dev", "status": "completed", "conclusion": "success",
     "html_url": "https://github.com/acme/site/actions/runs/102", "created_at": ago(4)},
    {"id": 101, "name": "CI", "head_branch": "main", "status": "completed", "conclusion": "cancelled",
     "html_url": "https://github.com/acme/site/actions/runs/101", "created_at": ago(5)},
]
STATE = {"requests": 0, "not_modified": 0, "limited": 0, "pages": [], "auth": [], "branch": [],
         "limit_next": 0, "limit_skip": 0, "reset_in": 2, "runs": list(RUNS), "version": 1}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, obj=None, headers=None):
        data = json.dumps(obj).encode() if obj is not None else b""
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if obj is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(n) or b"{}")
        with LOCK:
            if "limited" in body:
                STATE["limit_next"] = body["limited"]
                STATE["limit_skip"] = body.get("after", 0)
            if "reset_in" in body:
                STATE["reset_in"] = body["reset_in"]
            if "runs" in body:
                STATE["runs"] = body["runs"]
                STATE["version"] += 1
        self.send(200, {"ok": True})

    def do_GET(self):
        u = urlsplit(self.path)
        if u.path == "/stats":
            with LOCK:
                return self.send(200, {k: STATE[k] for k in ("requests", "not_modified", "limited",
                                                             "pages", "auth", "branch")})
        parts = u.path.strip("/").split("/")
        if len(parts) != 5 or parts[0] != "repos" or parts[3:] != ["actions", "runs"]:
            return self.send(404, {"message": "Not Found",
                                   "documentation_url": "https://docs.github.com/rest"})
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        auth = self.headers.get("Authorization", "")
        reset = int(time.time()) + 3600
        with LOCK:
            STATE["requests"] += 1
            STATE["auth"].append(auth.split(" ")[0] if auth else "")
            STATE["branch"].append(q.get("branch"))
            limited = STATE["limit_next"] > 0 and STATE["limit_skip"] == 0
            if STATE["limit_skip"] > 0:
                STATE["limit_skip"] -= 1
            if limited:
                STATE["limit_next"] -= 1
                STATE["limited"] += 1
                reset = int(time.time() + STATE["reset_in"] + 0.999)
            runs, version = list(STATE["runs"]), STATE["version"]
        hdr = {"x-ratelimit-limit": "5000", "x-ratelimit-remaining": "0" if limited else "4999",
               "x-ratelimit-reset": str(reset)}
        if not self.headers.get("User-Agent"):
            return self.send(403, {"message": "Request forbidden by administrative rules. "
                                   "Please make sure your request has a User-Agent header"}, hdr)
        if auth != "Bearer " + TOKEN:
            return self.send(401, {"message": "Bad credentials",
                                   "documentation_url": "https://docs.github.com/rest"}, hdr)
        if limited:
            return self.send(403, {"message": "API rate limit exceeded for user ID 1.",
                                   "documentation_url": "https://docs.github.com/rest"}, hdr)
        if q.get("branch"):
            runs = [r for r in runs if r["head_branch"] == q["branch"]]
        per = int(q.get("per_page", "30"))
        page = int(q.get("page", "1"))
        with LOCK:
            STATE["pages"].append(page)
        etag = 'W/"runs-v%d-%s-p%d-%d"' % (version, q.get("branch") or "all", page, per)
        hdr["ETag"] = etag
        if self.headers.get("If-None-Match") == etag:
            with LOCK:
                STATE["not_modified"] += 1
            return self.send(304, None, hdr)
        chunk = runs[(page - 1) * per: page * per]
        if page * per < len(runs):
            host = self.headers.get("Host")
            base = "http://%s%s" % (host, u.path)
            extra = "&branch=" + q["branch"] if q.get("branch") else ""
            hdr["Link"] = ('<%s?per_page=%d&page=%d%s>; rel="next", <%s?per_page=%d&page=%d%s>; rel="last"'
                           % (base, per, page + 1, extra, base, per, (len(runs) + per - 1) // per, extra))
        self.send(200, {"total_count": len(runs), "workflow_runs": chunk}, hdr)


if __name__ == "__main__":
    import fakeserve
    fakeserve.serve(Handler)
