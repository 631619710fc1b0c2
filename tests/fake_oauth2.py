#!/usr/bin/env python3
"""fake_oauth2.py - an OAuth2 client-credentials token endpoint and a
reporting API behind it, answering the shapes of the RV media network's
reporting API (tests/ copy of the contract: POST token_url with
grant_type=client_credentials, id/secret as HTTP Basic or form fields ->
{"access_token","token_type":"Bearer","expires_in"}; GET /v1/report with
Bearer -> {"data":[{"date","commission"}]}).

Run alone (port on the first line of stdout, gone when stdin closes) or
import make_server() from a test and read STATE directly.

  POST /oauth/token     client id "cid", secret --secret; expires_in
                        --expires (sent as a STRING with --expires-string);
                        a bad secret -> 401 {"error":"invalid_client",
                        "error_description":"...echoes the secret it got..."}
  GET  /v1/report       Bearer of a live token (issued, not expired, not
                        revoked); else 401 {"error":"invalid_token"}.
                        ?start_date=&end_date= echoed into one item.
  GET  /v1/deny         always 401 (a token the resource never takes)
  GET  /rest/v1/TABLE    PostgREST-shaped: [] for a live token, else 401
                        {"code": "PGRST301", "message": "JWT expired"}
  POST /control/reject?n=N  the next N /rest/v1 requests get that 401
  POST /control/revoke  every token issued so far stops working
  GET  /stats           {"tokens": n issued, "report": n requests,
                         "report_401": n refused, "deny": n, "rest": n, "auth": [how creds came]}
"""
import argparse, base64, json, threading, time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

STATE = {"tokens": 0, "report": 0, "report_401": 0, "deny": 0, "rest": 0, "reject_next": 0, "auth": [], "live": {}, "scope": []}
LOCK = threading.Lock()
OPTS = {"secret": "s3cret-Client-Secret-42", "expires": 3600, "expires_string": False}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, obj):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n).decode() if n else ""
        path = urlsplit(self.path).path
        if path == "/control/revoke":
            with LOCK:
                STATE["live"].clear()
            return self.reply(200, {"ok": True})
        if path == "/control/reject":
            with LOCK:
                STATE["reject_next"] = int(parse_qs(urlsplit(self.path).query).get("n", ["1"])[0])
            return self.reply(200, {"ok": True})
        if path != "/oauth/token":
            return self.reply(404, {"error": "not_found"})
        form = {k: v[0] for k, v in parse_qs(body).items()}
        cid = secret = None
        how = "none"
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            cid, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            how = "basic"
        elif "client_id" in form:
            cid, secret, how = form.get("client_id"), form.get("client_secret"), "form"
        with LOCK:
            STATE["auth"].append(how)
            STATE["scope"].append(form.get("scope"))
        if form.get("grant_type") != "client_credentials":
            return self.reply(400, {"error": "unsupported_grant_type"})
        if cid != "cid" or secret != OPTS["secret"]:
            return self.reply(401, {"error": "invalid_client",
                                    "error_description": "client %s with secret %s is unknown" % (cid, secret)})
        with LOCK:
            STATE["tokens"] += 1
            tok = "tok-%d-%s" % (STATE["tokens"], base64.b32encode(str(time.time()).encode()).decode()[:10])
            STATE["live"][tok] = time.monotonic() + float(OPTS["expires"])
        exp = str(OPTS["expires"]) if OPTS["expires_string"] else OPTS["expires"]
        self.reply(200, {"access_token": tok, "token_type": "Bearer", "expires_in": exp})

    def do_GET(self):
        u = urlsplit(self.path)
        if u.path == "/stats":
            with LOCK:
                return self.reply(200, {k: v for k, v in STATE.items() if k != "live"})
        if u.path == "/v1/deny":
            with LOCK:
                STATE["deny"] += 1
            return self.reply(401, {"error": "invalid_token", "error_description": "revoked"})
        if u.path.startswith("/rest/v1/"):
            auth = self.headers.get("Authorization", "")
            tok = auth[7:] if auth.startswith("Bearer ") else None
            with LOCK:
                STATE["rest"] += 1
                ok = tok in STATE["live"] and STATE["live"][tok] > time.monotonic() and not STATE["reject_next"]
                if STATE["reject_next"]:
                    STATE["reject_next"] -= 1
            if not ok:
                return self.reply(401, {"code": "PGRST301", "details": None, "hint": None, "message": "JWT expired"})
            data = b"[]"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Range", "*/0")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            return self.wfile.write(data)
        if u.path != "/v1/report":
            return self.reply(404, {"error": "not_found"})
        auth = self.headers.get("Authorization", "")
        tok = auth[7:] if auth.startswith("Bearer ") else None
        with LOCK:
            STATE["report"] += 1
            ok = tok in STATE["live"] and STATE["live"][tok] > time.monotonic()
            if not ok:
                STATE["report_401"] += 1
        if not ok:
            return self.reply(401, {"error": "invalid_token"})
        q = {k: v[0] for k, v in parse_qs(u.query).items()}
        self.reply(200, {"data": [{"date": q.get("start_date", "2026-01-03"), "commission": 12.5,
                                   "id": "r%d" % STATE["report"]}]})


def configure(secret=None, expires=None, expires_string=None):
    if secret is not None:
        OPTS["secret"] = secret
    if expires is not None:
        OPTS["expires"] = expires
    if expires_string is not None:
        OPTS["expires_string"] = expires_string


if __name__ == "__main__":
    import fakeserve
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--secret")
    ap.add_argument("--expires", type=float)
    ap.add_argument("--expires-string", action="store_true")
    a = ap.parse_args()
    configure(a.secret, a.expires, a.expires_string)
    fakeserve.serve(Handler, a.port)
