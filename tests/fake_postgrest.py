#!/usr/bin/env python3
"""fake_postgrest.py - a stand-in Supabase REST (PostgREST) server for mc's tests.

Listens on 127.0.0.1, port 0 (or --port), prints the port on the first line
of stdout, exits when stdin closes or on SIGTERM. Answers what PostgREST
documents (the Supabase section of the API contracts the project was written against):

  GET   /rest/v1/<table>?select=a,b&order=date.desc&limit=&offset=&col=op.value
        filters: eq neq gt gte lt lte like ilike in is, and not.<op>
        Range-Unit: items + Range: a-b pages; Prefer: count=exact puts the
        total in Content-Range ("0-999/2500", else "0-999/*") and answers 206
        for a part; a range past the end is 416 PGRST103 (with a count)
  PATCH /rest/v1/<table>?<col>=eq.<v>  updates the matching rows with the JSON
        body; Prefer: return=representation -> 200 [rows], else 204
  errors {"code","details","hint","message"}: unknown table 404 PGRST205;
        expired key 401 PGRST301 "JWT expired"; other wrong key 401
        {"message": "Invalid API key"}

Tables come from --fixture FILE ({"tables": {"name": [rows]}}; the strings
"@TODAY" and "@YESTERDAY" become UTC dates) and --gen TABLE:N (N generated
agent_usage rows). Without either, a small agent_usage, cron_jobs and
needs_apple. Auth: with --apikey K, requests need "apikey: K" and
"Authorization: Bearer K"; --expired-key E answers 401 PGRST301 for E.
Special tables: _limited (429, Retry-After: --retry-after), _flaky (503,
Retry-After: 7), _conflict (PATCH: 409 23505), _slow (sleeps 30 s); a table
whose name starts with "nocount" never reports a total ("0-999/*").
--max-rows N caps every answer at N rows (PostgREST's db-max-rows).

  GET /_stats   {"requests": [{"method","path","query","range","prefer","apikey",
                 "authorization"}], "patches": {table: n}}
"""
import argparse
import fakeserve
import datetime
import difflib
import json
import operator
import re
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, unquote, urlsplit

LOCK = threading.Lock()
STATE = {"requests": [], "patches": {}}
ARGS = None
TABLES = {}
RESERVED = {"select", "order", "limit", "offset", "columns", "on_conflict"}


def today(delta=0):
    return (datetime.datetime.now(datetime.timezone.utc).date() + datetime.timedelta(days=delta)).isoformat()


def subst(v):
    if isinstance(v, str):
        return v.replace("@TODAY", today()).replace("@YESTERDAY", today(-1))
    if isinstance(v, list):
        return [subst(x) for x in v]
    if isinstance(v, dict):
        return {k: subst(x) for k, x in v.items()}
    return v


def gen_usage(n):
    agents = ["max", "atlas", "dash", "scout", "coder"]
    rows = []
    for i in range(n):
        rows.append({"id": i + 1, "agent_id": agents[i % 5], "date": today(-(i // 5)),
                     "model": "claude-sonnet-4.5", "input_tokens": 1000 + i, "output_tokens": 100 + i,
                     "cache_read_tokens": 10, "cache_write_tokens": 1, "input_cost": 0.003,
                     "output_cost": 0.0015, "cache_read_cost": 0, "cache_write_cost": 0,
                     "total_cost": round(0.0045 + i / 100000.0, 6), "message_count": 3})
    return rows


def default_tables():
    return subst({
        "agent_usage": [
            {"id": 1, "agent_id": "max", "date": "@TODAY", "model": "claude-sonnet-4.5",
             "input_tokens": 1000, "output_tokens": 200, "cache_read_tokens": 50, "cache_write_tokens": 5,
             "total_cost": 1.25, "message_count": 10},
            {"id": 2, "agent_id": "max", "date": "@YESTERDAY", "model": "claude-sonnet-4.5",
             "input_tokens": 9000, "output_tokens": 900, "cache_read_tokens": 0, "cache_write_tokens": 0,
             "total_cost": 9.5, "message_count": 40},
            {"id": 3, "agent_id": "atlas", "date": "@TODAY", "model": "gpt-5",
             "input_tokens": "300", "output_tokens": 30, "cache_read_tokens": None, "cache_write_tokens": 0,
             "total_cost": "0.75", "message_count": 2},
        ],
        "cron_jobs": [
            {"job_id": "morning-brief", "name": "Morning brief", "schedule": "0 7 * * *",
             "payload_kind": "agentTurn", "session_target": "isolated", "enabled": True,
             "last_run": "2026-11-17T07:00:00+00:00", "next_run": "2026-11-18T07:00:00+00:00",
             "updated_at": "2026-11-17T07:00:05+00:00"},
            {"job_id": "revenue-sync", "name": "Revenue sync", "schedule": "*/15 * * * *",
             "enabled": False, "last_run": None, "next_run": None},
        ],
        "needs_apple": [
            {"id": 1, "from_agent": "max", "description": "Sign the contract", "resolved": False},
            {"id": 2, "from_agent": "atlas", "description": "Pay the invoice", "resolved": False},
        ],
    })


def as_cmp(cell, text):
    """The filter's text converted like the cell, for comparing."""
    if isinstance(cell, bool):
        return text.lower() in ("true", "t", "1")
    if isinstance(cell, (int, float)):
        try:
            return float(text)
        except ValueError:
            return text
    return text


def norm(cell):
    return float(cell) if isinstance(cell, (int, float)) and not isinstance(cell, bool) else cell


def match(row, col, expr):
    neg = expr.startswith("not.")
    if neg:
        expr = expr[4:]
    op, _, val = expr.partition(".")
    cell = row.get(col)
    if op == "is":
        res = {"null": cell is None, "true": cell is True, "false": cell is False}.get(val, False)
    elif op == "in":
        items = [x.strip().strip('"') for x in val.strip("()").split(",")]
        res = cell is not None and any(norm(cell) == as_cmp(cell, x) for x in items)
    elif op in ("like", "ilike"):
        pat = "^" + re.escape(val).replace(r"\*", ".*").replace("%", ".*") + "$"
        res = cell is not None and re.match(pat, str(cell), re.I if op == "ilike" else 0) is not None
    else:
        if cell is None:
            return False if not neg else True
        a, b = norm(cell), as_cmp(cell, val)
        ops = {"eq": operator.eq, "neq": operator.ne, "gt": operator.gt, "gte": operator.ge,
               "lt": operator.lt, "lte": operator.le}
        if op not in ops:
            raise ValueError(op)
        try:
            res = ops[op](a, b)
        except TypeError:          # a number column against text: never equal, never ordered
            res = op == "neq"
    return not res if neg else res


def sort_rows(rows, order):
    """PostgREST order: col.asc|desc[.nullsfirst|.nullslast]; nulls last for asc, first for desc."""
    for term in reversed([t for t in order.split(",") if t]):
        parts = term.split(".")
        col, desc = parts[0], "desc" in parts[1:]
        nulls_first = "nullsfirst" in parts or (desc and "nullslast" not in parts)
        present = sorted([r for r in rows if r.get(col) is not None], key=lambda r: r[col], reverse=desc)
        nulls = [r for r in rows if r.get(col) is None]
        rows = nulls + present if nulls_first else present + nulls
    return rows


def project(row, select):
    if not select or select == "*":
        return row
    out = {}
    for c in select.split(","):
        alias, _, col = c.partition(":")
        if not col:
            alias = col = c
        out[alias] = row.get(col)
    return out


def pg_err(code, message, details=None, hint=None):
    return {"code": code, "details": details, "hint": hint, "message": message}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake_postgrest/1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, headers=None):
        data = b"" if body is None else json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def record(self, u):
        STATE["requests"].append({"method": self.command, "path": unquote(u.path), "query": u.query,
                                  "range": self.headers.get("Range"), "range_unit": self.headers.get("Range-Unit"),
                                  "prefer": self.headers.get("Prefer"), "apikey": self.headers.get("apikey"),
                                  "authorization": self.headers.get("Authorization")})

    def check_auth(self):
        key = self.headers.get("apikey")
        auth = self.headers.get("Authorization", "")
        if ARGS.expired_key and (key == ARGS.expired_key or auth == "Bearer " + ARGS.expired_key):
            return 401, pg_err("PGRST301", "JWT expired")
        if ARGS.apikey and (key != ARGS.apikey or auth != "Bearer " + ARGS.apikey):
            return 401, {"message": "Invalid API key",
                         "hint": "Double check your Supabase `anon` or `service_role` API key."}
        return None

    def table_of(self, u):
        m = re.match(r"^/rest/v1/([^/?]+)$", u.path)
        return unquote(m.group(1)) if m else None

    def special(self, table):
        if table == "_limited":
            return 429, pg_err("PGRST000", "Too many requests"), {"Retry-After": str(ARGS.retry_after)}
        if table == "_flaky":
            return 503, pg_err("PGRST000", "Service unavailable"), {"Retry-After": "7"}
        if table == "_slow":
            time.sleep(30)
        return None

    def unknown_table(self, table):
        close = difflib.get_close_matches(table, list(TABLES), n=1)
        hint = "Perhaps you meant the table 'public.%s'" % close[0] if close else None
        return self.reply(404, pg_err("PGRST205", "Could not find the table 'public.%s' in the schema cache" % table,
                                      None, hint))

    def do_GET(self):
        u = urlsplit(self.path)
        if u.path == "/_stats":
            with LOCK:
                return self.reply(200, STATE)
        with LOCK:
            self.record(u)
        bad = self.check_auth()
        if bad:
            return self.reply(*bad)
        table = self.table_of(u)
        if table is None:
            return self.reply(404, pg_err("PGRST125", "Invalid path specified in request URL"))
        sp = self.special(table)
        if sp:
            return self.reply(*sp)
        if table not in TABLES:
            return self.unknown_table(table)
        params = parse_qsl(u.query, keep_blank_values=True)
        q = dict(params)
        with LOCK:
            rows = list(TABLES[table])
        try:
            for col, expr in params:
                if col not in RESERVED:
                    rows = [r for r in rows if match(r, col, expr)]
        except ValueError as e:
            return self.reply(400, pg_err("PGRST100", "\"failed to parse filter (%s)\" (line 1, column 1)" % e))
        if q.get("order"):
            rows = sort_rows(rows, q["order"])
        total = len(rows)
        start = int(q.get("offset", 0))
        end = start + int(q["limit"]) - 1 if "limit" in q else None
        rng = self.headers.get("Range")
        if rng:
            m = re.match(r"^\s*(\d+)-(\d*)\s*$", rng)
            if not m:
                return self.reply(416, pg_err("PGRST103", "Requested range not satisfiable"))
            start += int(m.group(1))
            rend = start + int(m.group(2)) - int(m.group(1)) if m.group(2) else None
            end = rend if end is None or (rend is not None and rend < end) else end
        if ARGS.max_rows and (end is None or end - start + 1 > ARGS.max_rows):
            end = start + ARGS.max_rows - 1
        count = "count=exact" in (self.headers.get("Prefer") or "") and not table.startswith("nocount")
        if count and start > 0 and start >= total:
            return self.reply(416, pg_err("PGRST103", "Requested range not satisfiable",
                                          "An offset of %d was requested, but there are only %d rows." % (start, total)))
        page = rows[start:] if end is None else rows[start:end + 1]
        page = [project(r, q.get("select")) for r in page]
        span = "%d-%d" % (start, start + len(page) - 1) if page else "*"
        cr = "%s/%s" % (span, total if count else "*")
        partial = count and (start > 0 or start + len(page) < total)
        self.reply(206 if partial else 200, page, {"Content-Range": cr})

    def do_PATCH(self):
        u = urlsplit(self.path)
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        with LOCK:
            self.record(u)
            STATE["requests"][-1]["body"] = raw.decode("utf-8", "replace")
        bad = self.check_auth()
        if bad:
            return self.reply(*bad)
        table = self.table_of(u)
        sp = self.special(table or "")
        if sp:
            return self.reply(*sp)
        if table == "_conflict":
            return self.reply(409, pg_err("23505", "duplicate key value violates unique constraint \"x_key\"",
                                          "Key (id)=(1) already exists."))
        if table not in TABLES:
            return self.unknown_table(table or "")
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            return self.reply(400, pg_err("PGRST102", "Empty or invalid json"))
        if not isinstance(body, dict):
            return self.reply(400, pg_err("PGRST102", "Empty or invalid json"))
        filters = [(c, e) for c, e in parse_qsl(u.query, keep_blank_values=True) if c not in RESERVED]
        with LOCK:
            hit = [r for r in TABLES[table] if all(match(r, c, e) for c, e in filters)]
            for r in hit:
                r.update(body)
            STATE["patches"][table] = STATE["patches"].get(table, 0) + 1
            out = [dict(r) for r in hit]
        if "return=representation" in (self.headers.get("Prefer") or ""):
            return self.reply(200, out)
        self.reply(204, None)


def main():
    global ARGS, TABLES
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--fixture")
    ap.add_argument("--gen", action="append", default=[], help="TABLE:N generated agent_usage rows")
    ap.add_argument("--apikey")
    ap.add_argument("--expired-key")
    ap.add_argument("--max-rows", type=int, default=0)
    ap.add_argument("--retry-after", default="5")
    ARGS = ap.parse_args()
    if ARGS.fixture:
        with open(ARGS.fixture) as f:
            TABLES = subst(json.load(f).get("tables", {}))
    for g in ARGS.gen:
        name, _, n = g.partition(":")
        TABLES[name] = gen_usage(int(n))
    if not ARGS.fixture and not ARGS.gen:
        TABLES = default_tables()
    fakeserve.serve(Handler, ARGS.port)


if __name__ == "__main__":
    main()
