#!/usr/bin/env python3
"""fake_convex.py - a stand-in Convex deployment for mc's tests.

Listens on 127.0.0.1, port 0 (or --port), prints the port on the first line
of stdout, exits when stdin closes or on SIGTERM. Answers what the Convex
HTTP API documents (the Convex section of the API contracts the project was written against):

  POST /api/query     {"path": "module:function", "args": {...}, "format": "json"}
  POST /api/mutation  same shape
    success        200 {"status": "success", "value": ..., "logLines": []}
    function error 560 {"status": "error", "errorMessage": "...", "errorData": {...}}
    other failures 4xx/5xx {"code": "...", "message": "..."}

Auth: with --key K, a request must carry "Authorization: Convex K" (or
"Bearer K"); any other key gets 401 {"code": "BadDeployKey", "message":
"The deploy key has expired or is invalid"}. Without --key anything goes.

Functions (Mission Control's tables, documents with _id and _creationTime):
  needsApple:list        needs_apple documents; args.resolved filters
  revenue:latest         the newest revenue_snapshots document
  activity:recent        activity_events, newest first; args.after (ms) keeps
                         only newer ones, args.limit caps the count
  systemMetrics:latest   the newest system_metrics document
  broken:list            560 function error
  broken:ok200           200 with a function error envelope
  limited:list           429 with Retry-After: 3 (--retry-after changes it)
  crash:list             500 {"code": "InternalServerError", ...}
  needsApple:resolve     mutation: marks args.id resolved; deduplicates by
                         args.idempotencyKey; unknown id -> 560 function error
  needsApple:unresolve   mutation: the reverse
  flaky:resolve          503 with Retry-After: 7, every time
Extra functions from a JSON file (--fixture FILE):
  {"functions": {"name": {"value": any} | {"error": "msg", "errorData": any}
                 | {"status": 401, "body": any, "headers": {...}}},
   "tables": {"needs_apple": [...], "activity_events": [...], ...}}

Control:
  GET  /_stats    {"requests": [{"endpoint","path","args","auth"}...],
                   "deliveries": {idempotencyKey: n}, "applied": {idempotencyKey: n}}
  POST /_insert   {"table": "activity_events", "doc": {...}} adds a document
"""
import argparse
import fakeserve
import json
import threading
from http.server import BaseHTTPRequestHandler

LOCK = threading.Lock()
STATE = {"requests": [], "deliveries": {}, "applied": {}, "results": {}}
ARGS = None
FUNCS = {}
BASE_MS = 1795000000000          # 2026-11-17, a fixed "now" for the documents


def default_tables():
    t = BASE_MS
    return {
        "needs_apple": [
            {"_id": "na_1", "_creationTime": t - 3600000, "fromAgent": "max",
             "description": "Approve the Q4 sponsor contract", "context": {"deal": "acme", "usd": 12000},
             "resolved": False},
            {"_id": "na_2", "_creationTime": t - 7200000, "fromAgent": "atlas",
             "description": "Rotate the Stripe key", "context": "expires Friday", "resolved": False},
            {"_id": "na_3", "_creationTime": t - 86400000, "fromAgent": "dash",
             "description": "Old one", "context": None, "resolved": True},
        ],
        "revenue_snapshots": [
            {"_id": "rs_1", "_creationTime": t - 86400000, "snapshotDate": "2026-11-16",
             "totalYtdUsd": 250000.5, "projectedAnnualUsd": 300000,
             "sources": [{"name": "sponsors", "ytdUsd": 200000}, {"name": "affiliate", "ytdUsd": 50000.5}]},
            {"_id": "rs_2", "_creationTime": t, "snapshotDate": "2026-11-17",
             "totalYtdUsd": "251000.25", "projectedAnnualUsd": 301000,
             "sources": [{"name": "sponsors", "ytdUsd": 200500}, {"name": "affiliate", "ytdUsd": "50500.25"}]},
        ],
        "activity_events": [
            {"_id": "ae_%d" % i, "_creationTime": t - (10 - i) * 60000, "eventType": "deploy",
             "agent": ["max", "atlas", "dash"][i % 3], "status": "ok" if i % 2 else "failed",
             "timestamp": t - (10 - i) * 60000, "details": {"n": i}}
            for i in range(3)
        ],
        "system_metrics": [
            {"_id": "sm_1", "_creationTime": t, "timestamp": str(t), "cpu": 41.5,
             "memory": {"used": 6, "total": 8}, "disk": {"percent": 70},
             "services": [{"name": "api", "status": "up"}, {"name": "db", "status": "down",
                                                           "message": "connection refused"}]},
        ],
    }


TABLES = default_tables()


def ok(value):
    return 200, {"status": "success", "value": value, "logLines": []}, {}


def func_error(msg, data=None):
    return 560, {"status": "error", "errorMessage": msg, "errorData": data or {}}, {}


def run_query(path, args):
    if path == "needsApple:list":
        docs = TABLES["needs_apple"]
        if "resolved" in args:
            docs = [d for d in docs if bool(d.get("resolved")) == bool(args["resolved"])]
        return ok(docs)
    if path == "revenue:latest":
        docs = sorted(TABLES["revenue_snapshots"], key=lambda d: d["_creationTime"])
        return ok(docs[-1] if docs else None)
    if path == "activity:recent":
        docs = sorted(TABLES["activity_events"], key=lambda d: -int(d["timestamp"]))
        if "after" in args:
            docs = [d for d in docs if int(d["timestamp"]) > float(args["after"])]
        if "limit" in args:
            docs = docs[:int(args["limit"])]
        return ok(docs)
    if path == "systemMetrics:latest":
        docs = TABLES["system_metrics"]
        return ok(docs[-1] if docs else None)
    if path == "broken:list":
        return func_error("Uncaught Error: table needs_apple is being migrated\n    at handler (../convex/needsApple.ts:12:9)",
                          {"kind": "migration"})
    if path == "broken:ok200":
        return 200, {"status": "error", "errorMessage": "Server Error", "errorData": None}, {}
    if path == "limited:list":
        return 429, {"code": "RateLimited", "message": "Too many requests"}, {"Retry-After": str(ARGS.retry_after)}
    if path == "crash:list":
        return 500, {"code": "InternalServerError", "message": "Your request couldn't be completed. Try again later."}, {}
    return 400, {"code": "BadRequest", "message": "Could not find public function for '%s'" % path}, {}


def run_mutation(path, args):
    if path == "flaky:resolve":
        return 503, {"code": "Unavailable", "message": "Service temporarily unavailable"}, {"Retry-After": "7"}
    if path not in ("needsApple:resolve", "needsApple:unresolve"):
        return 400, {"code": "BadRequest", "message": "Could not find public function for '%s'" % path}, {}
    key = args.get("idempotencyKey")
    STATE["deliveries"][key] = STATE["deliveries"].get(key, 0) + 1
    if key and key in STATE["results"]:
        return STATE["results"][key]           # a repeated delivery: same answer, applied once
    docs = [d for d in TABLES["needs_apple"] if d["_id"] == args.get("id")]
    if not docs:
        res = func_error("Uncaught ConvexError: no blocker %s" % args.get("id"), {"id": args.get("id")})
    else:
        for d in docs:
            d["resolved"] = path == "needsApple:resolve"
            d["resolvedBy"] = args.get("by")
            d["note"] = args.get("note")
        STATE["applied"][key] = STATE["applied"].get(key, 0) + 1
        res = ok(None)
    if key:
        STATE["results"][key] = res
    return res


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake_convex/1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, headers=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        if self.path == "/_stats":
            with LOCK:
                return self.reply(200, {k: v for k, v in STATE.items() if k != "results"})
        self.reply(404, {"code": "NotFound", "message": "no route %s" % self.path})

    def authorized(self):
        if not ARGS.key:
            return True
        auth = self.headers.get("Authorization", "")
        return auth in ("Convex " + ARGS.key, "Bearer " + ARGS.key)

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return self.reply(400, {"code": "BadJsonBody", "message": "body is not JSON"})
        if self.path == "/_insert":
            with LOCK:
                TABLES.setdefault(body["table"], []).append(body["doc"])
            return self.reply(200, {"ok": True})
        if self.path not in ("/api/query", "/api/mutation"):
            return self.reply(404, {"code": "NotFound", "message": "no route %s" % self.path})
        endpoint = self.path.rsplit("/", 1)[1]
        fn, args = body.get("path"), body.get("args") or {}
        with LOCK:
            STATE["requests"].append({"endpoint": endpoint, "path": fn, "args": args,
                                      "format": body.get("format"),
                                      "auth": self.headers.get("Authorization", "").split(" ")[0]})
            if not self.authorized():
                status, doc, hdrs = 401, {"code": "BadDeployKey",
                                          "message": "The deploy key has expired or is invalid"}, {}
            elif fn in FUNCS:
                spec = FUNCS[fn]
                if "value" in spec:
                    status, doc, hdrs = ok(spec["value"])
                elif "error" in spec:
                    status, doc, hdrs = func_error(spec["error"], spec.get("errorData"))
                else:
                    status, doc, hdrs = spec.get("status", 200), spec.get("body"), spec.get("headers", {})
            elif endpoint == "query":
                status, doc, hdrs = run_query(fn, args)
            else:
                status, doc, hdrs = run_mutation(fn, args)
        self.reply(status, doc, hdrs)


def main():
    global ARGS, FUNCS, TABLES
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--key")
    ap.add_argument("--fixture")
    ap.add_argument("--retry-after", default="3")
    ARGS = ap.parse_args()
    if ARGS.fixture:
        with open(ARGS.fixture) as f:
            fx = json.load(f)
        FUNCS = fx.get("functions", {})
        TABLES.update(fx.get("tables", {}))
    fakeserve.serve(Handler, ARGS.port)


if __name__ == "__main__":
    main()
