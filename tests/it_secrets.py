#!/usr/bin/env python3
"""it_secrets.py - secrets stay with the server they were configured for.

Item 8 (scrubber): an echoing fake on 127.0.0.1 answers 401/422 with bodies
that quote the bearer token, the API keys, the ?token= query and the URL
password. After `mc fetch --once`, `mc check`, `mc resolve` and `mc outbox`,
none of those values appears in the cache file bytes (db and -wal), mc.log,
stdout or stderr. A group/world-readable *_file secret gets a warning in the
log and in `mc check`, and still works.

Item 9 (redirects): a 302 to another origin (another port on 127.0.0.1)
reaches it without the custom auth headers (X-Api-Key, Authorization,
apikey); a same-origin redirect keeps them and works; an https->http
redirect is refused."""
import base64, json, os, shutil, subprocess, sys, tempfile, threading, time, ssl
from http.server import ThreadingHTTPServer
from itlib import MC, FAILS, JsonHandler, check, temp_home, write_mc_yaml

BEARER = "BearerSecret-1a2b3c4d5e"
QTOKEN = "QueryToken-9z8y7x6w"
HDRKEY = "HeaderKeyFromFile-55aa66bb"
APIKEY = "PostgrestApiKey-77cc88dd"
DEPLOY = "prod:ConvexDeployKey-99ee00ff"
UPASS = "UrlPassword-4455"
SECRETS = [BEARER, QTOKEN, HDRKEY, APIKEY, DEPLOY.split(":", 1)[1], UPASS,
           base64.b64encode(("user:" + UPASS).encode()).decode()]

T, ENV = temp_home("mc-secrets-", MC_T_BEARER=BEARER, MC_T_APIKEY=APIKEY)

LOCK = threading.Lock()
SEEN = []   # (server name, path, headers dict)


def make_handler(name, routes):
    class Handler(JsonHandler):
        def handle_any(self):
            n = int(self.headers.get("Content-Length") or 0)
            if n:
                self.rfile.read(n)
            with LOCK:
                SEEN.append((name, self.path, {k.lower(): v for k, v in self.headers.items()}))
            echo = "; ".join("%s: %s" % (k, v) for k, v in self.headers.items())
            path = self.path.split("?")[0]
            fn = routes.get(path)
            if fn:
                return fn(self, echo)
            # every other path: 401 quoting what it was sent
            self.reply(401, {"message": "denied %s with %s" % (self.path, echo)})

        do_GET = do_POST = do_PATCH = handle_any
    return Handler


def items_ok(h, echo):
    h.reply(200, {"items": [{"id": "b1", "text": "needs Apple: sign"}]})


def resolve_fail(h, echo):
    h.reply(422, {"error": "rejected, you sent " + echo})


def convex_echo(h, echo):
    h.reply(401, {"code": "BadDeployKey", "message": "bad key in " + echo})


class Server:
    def __init__(self, name, routes, tls=False):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(name, routes))
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(T + "/cert.pem", T + "/key.pem")
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def mc(*args, timeout=60, cfg="mc.yaml"):
    return subprocess.run([MC, "-c", T + "/" + cfg, *args], env=ENV, capture_output=True,
                          text=True, timeout=timeout)


def leaks(text):
    return [s for s in SECRETS if s in text]


def file_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("latin-1")
    except FileNotFoundError:
        return ""


def scrub_part():
    echo = Server("echo", {"/blockers": items_ok, "/resolve/b1": resolve_fail,
                           "/api/query": convex_echo})
    p = echo.port
    with open(T + "/hdrkey", "w") as f:
        f.write(HDRKEY + "\n")
    os.chmod(T + "/hdrkey", 0o644)
    with open(T + "/deploy", "w") as f:
        f.write(DEPLOY + "\n")
    os.chmod(T + "/deploy", 0o600)
    write_mc_yaml(T, "mc.yaml", f"""  - id: bearer
    kind: http_json
    url: "http://127.0.0.1:{p}/items?token={QTOKEN}"
    feeds: blockers
    every: 1h
    items: $.items[*]
    fields: {{key: id, description: text}}
    auth: {{bearer_env: MC_T_BEARER, header: {{name: X-Api-Key, value_file: {T}/hdrkey}}}}
  - id: urlcreds
    kind: http_json
    url: "http://user:{UPASS}@127.0.0.1:{p}/creds"
    feeds: projects
    every: 1h
    items: $.items[*]
    fields: {{key: id}}
  - id: pgrst
    kind: postgrest
    url: "http://127.0.0.1:{p}"
    apikey_env: MC_T_APIKEY
    every: 1h
    tables: {{blockers: needs_apple}}
  - id: cvx
    kind: convex
    url: "http://127.0.0.1:{p}"
    auth: {{deploy_key_file: {T}/deploy}}
    every: 1h
    queries: {{blockers: "needsApple:list"}}
  - id: ops
    kind: http_json
    url: "http://127.0.0.1:{p}/blockers"
    feeds: blockers
    every: 1h
    items: $.items[*]
    fields: {{key: id, description: text}}
    auth: {{bearer_env: MC_T_BEARER}}
    resolve:
      method: POST
      url: "http://127.0.0.1:{p}/resolve/{{key}}?api_key={QTOKEN}"
""")
    outs = []
    r = mc("fetch", "--once")
    outs.append(("fetch", r))
    check("fetch --once reports the failures (exit 1)", r.returncode == 1)
    check("fetch --once warns on stderr about the readable secret file",
          "hdrkey" in r.stderr and "readable" in r.stderr)
    r = mc("check")
    outs.append(("check", r))
    check("mc check shows the 401s", "FAIL" in r.stdout and "401" in r.stdout)
    check("mc check warns about the readable secret file",
          "hdrkey" in r.stdout + r.stderr and "readable" in r.stdout + r.stderr)
    r = mc("resolve", "ops:b1", "--note", "done")
    outs.append(("resolve", r))
    check("resolve is refused by the server", r.returncode != 0)
    r = mc("outbox")
    outs.append(("outbox", r))
    check("outbox lists the failed delivery", "422" in r.stdout + r.stderr)
    for name, r in outs:
        check(f"no secret on stdout/stderr of {name} (found {leaks(r.stdout + r.stderr)})",
              not leaks(r.stdout + r.stderr))
    log = file_bytes(T + "/mc.log")
    check("mc.log has the 401s", "401" in log)
    check("mc.log warns about the readable secret file", "hdrkey" in log and "readable" in log)
    check(f"no secret in mc.log (found {leaks(log)})", not leaks(log))
    for suffix in ("", "-wal"):
        data = file_bytes(T + "/cache.db" + suffix)
        check(f"no secret in cache.db{suffix} (found {leaks(data)})", not leaks(data))
    with LOCK:
        got = [h for (n, path, h) in SEEN if path.startswith("/items")]
    check("the readable secret file was still used", got and got[0].get("x-api-key") == HDRKEY)


def redirect_part():
    other = Server("other", {"/land": items_ok})
    routes = {
        "/items": items_ok,
        "/away": lambda h, e: h.reply(302, {}, {"Location": f"http://127.0.0.1:{other.port}/land"}),
        "/same": lambda h, e: h.reply(302, {}, {"Location": "/items?x=1"}),
        "/rest/v1/needs_apple": lambda h, e: h.reply(
            302, {}, {"Location": f"http://127.0.0.1:{other.port}/land"}),
        "/api/query": lambda h, e: h.reply(
            307, {}, {"Location": f"http://127.0.0.1:{other.port}/land"}),
    }
    home = Server("home", routes)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", T + "/key.pem", "-out", T + "/cert.pem"],
                   check=True, capture_output=True)
    tls = Server("tls", {"/down": lambda h, e: h.reply(
        302, {}, {"Location": f"http://127.0.0.1:{home.port}/items"})}, tls=True)
    with open(T + "/apikey", "w") as f:
        f.write(APIKEY + "\n")
    os.chmod(T + "/apikey", 0o600)
    common = f"""    feeds: blockers
    every: 1h
    follow_redirects: true
    items: $.items[*]
    fields: {{key: id, description: text}}
    auth: {{bearer_env: MC_T_BEARER, header: {{name: X-Api-Key, value_file: {T}/apikey}}}}
    headers: {{apikey: "{APIKEY}"}}
"""
    write_mc_yaml(T, "mc2.yaml", f"""  - id: away
    kind: http_json
    url: "http://127.0.0.1:{home.port}/away"
{common}  - id: same
    kind: http_json
    url: "http://127.0.0.1:{home.port}/same"
{common}  - id: down
    kind: http_json
    url: "https://127.0.0.1:{tls.port}/down"
    insecure: true
{common}  - id: pgrst
    kind: postgrest
    url: "http://127.0.0.1:{home.port}"
    apikey_file: {T}/apikey
    every: 1h
    tables: {{blockers: needs_apple}}
  - id: cvx
    kind: convex
    url: "http://127.0.0.1:{home.port}"
    auth: {{deploy_key_file: {T}/apikey}}
    every: 1h
    queries: {{blockers: "needsApple:list"}}
""", cache="cache2.db", log="mc2.log")
    with LOCK:
        SEEN.clear()
    r = mc("fetch", "--once", cfg="mc2.yaml")
    with LOCK:
        seen = list(SEEN)
    land = [h for (n, path, h) in seen if n == "other"]
    check("postgrest and convex asked the redirecting server",
          {p.split("?")[0] for (n, p, h) in seen if n == "home"} >= {"/rest/v1/needs_apple", "/api/query"})
    check("only http_json (follow_redirects: true) followed to the other origin "
          "(postgrest and convex follow none)", len(land) == 1)
    for h in land:
        for name in ("authorization", "x-api-key", "apikey"):
            check(f"{name} not sent to the other origin (got {h.get(name)!r})", name not in h)
    same = [h for (n, path, h) in seen if n == "home" and path.startswith("/items?x=1")]
    check("the same-origin redirect was followed", len(same) == 1)
    check("the same-origin redirect keeps the auth headers",
          same and same[0].get("x-api-key") == APIKEY
          and same[0].get("authorization") == "Bearer " + BEARER)
    downgraded = [p for (n, p, h) in seen if n == "home" and p == "/items"]
    check("the https->http redirect was not followed", not downgraded)
    r = mc("snapshot", "--json", "--dataset", "blockers", cfg="mc2.yaml")
    rows = json.loads(r.stdout or "[]")
    check("away and same fetched their rows",
          {b.get("source") for b in rows} >= {"away", "same"})
    log = file_bytes(T + "/mc2.log")
    check("the downgrade is named in the log", "https" in log and "http" in log and "down" in log)


def main():
    try:
        scrub_part()
        redirect_part()
    finally:
        if FAILS or os.environ.get("MC_KEEP"):
            print("kept", T)
        else:
            shutil.rmtree(T, ignore_errors=True)
    if FAILS:
        print("%d failure(s)" % len(FAILS))
        sys.exit(1)
    print("all ok")


main()
