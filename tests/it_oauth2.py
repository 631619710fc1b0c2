#!/usr/bin/env python3
"""it_oauth2.py - `auth: {oauth2: ...}` (OAuth2 client credentials) end to
end against tests/fake_oauth2.py, through `mc fetch` and `mc snapshot`:

* the token request: grant_type=client_credentials, the scope, the client
  id and secret as HTTP Basic (default) or as form fields (send_as: form),
  id from the config, a file or the environment;
* the token (expires_in "2", a string) is reused by the fetches of a
  running `mc fetch --daemon` and fetched again before it expires; a token
  the resource stops taking (revoked: 401) is replaced once and the page
  asked again, with no failure;
* postgrest on the same auth: a 401 from the API -> one new token, the
  request again, the fetch ok;
* a resource that answers 401 whatever the token: one new token, one
  repeat, then the fetch fails with the 401;
* a wrong secret that the token endpoint echoes into its error body, and
  every token issued, appear in no output, cache file or log;
* a literal client_secret: in the config is refused at its line."""
import glob, json, os, subprocess, sys, threading, time, urllib.request
from http.server import ThreadingHTTPServer
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_oauth2
from itlib import MC, FAILS, check, temp_home, write_mc_yaml

T, ENV = temp_home("mc-oauth2-", MC_T_CLIENT_ID="cid")
fake_oauth2.configure(expires=2, expires_string=True)
SECRET = fake_oauth2.OPTS["secret"]
WRONG = "WrongClientSecret-7q7q7q7q"

httpd = ThreadingHTTPServer(("127.0.0.1", 0), fake_oauth2.Handler)
httpd.daemon_threads = True
threading.Thread(target=httpd.serve_forever, daemon=True).start()
P = httpd.server_address[1]
for name, val in (("secret", SECRET), ("wrong", WRONG), ("cid", "cid")):
    with open(T + "/" + name, "w") as f:
        f.write(val + "\n")
    os.chmod(T + "/" + name, 0o600)


def stats():
    return json.loads(urllib.request.urlopen("http://127.0.0.1:%d/stats" % P, timeout=5).read())


def mc(*args, timeout=60):
    return subprocess.run([MC, "-c", T + "/mc.yaml", *args], env=ENV, capture_output=True, text=True,
                          timeout=timeout)


def src(sid, path, auth, extra=""):
    return f"""  - id: {sid}
    kind: http_json
    url: "http://127.0.0.1:{P}{path}"
    feeds: projects
    every: 300ms
    enabled: false
    items: $.data[*]
    fields: {{key: id}}
    auth: {{oauth2: {auth}}}
{extra}"""


TOK = f"token_url: 'http://127.0.0.1:{P}/oauth/token'"
write_mc_yaml(T, "mc.yaml",
              src("basic", "/v1/report", f"{{{TOK}, client_id: cid, client_secret_file: {T}/secret, scope: 'reports:read'}}")
              + src("form", "/v1/report", f"{{{TOK}, client_id_env: MC_T_CLIENT_ID, client_secret_file: {T}/secret, send_as: form}}")
              + src("daemon", "/v1/report", f"{{{TOK}, client_id_file: {T}/cid, client_secret_file: {T}/secret}}")
              + src("deny", "/v1/deny", f"{{{TOK}, client_id: cid, client_secret_file: {T}/secret}}")
              + src("wrong", "/v1/report", f"{{{TOK}, client_id: cid, client_secret_file: {T}/wrong}}")
              + f"""  - id: pgrst
    kind: postgrest
    url: "http://127.0.0.1:{P}"
    enabled: false
    tables: {{usage: agent_usage}}
    auth: {{oauth2: {{{TOK}, client_id: cid, client_secret_file: {T}/secret}}}}
""")

r = mc("fetch", "--once", "--source", "basic")
s = stats()
check("basic: fetch ok (%s)" % r.stderr.strip(), r.returncode == 0)
check("basic: one token, id and secret as HTTP Basic, the scope sent (%s %s)" % (s["auth"], s["scope"]),
      s["tokens"] == 1 and s["auth"] == ["basic"] and s["scope"] == ["reports:read"])

r = mc("fetch", "--once", "--source", "form")
s = stats()
check("form: fetch ok, id (from the environment) and secret as form fields (%s)" % s["auth"],
      r.returncode == 0 and s["auth"][-1] == "form" and s["tokens"] == 2 and s["scope"][-1] is None)

# a running mc: the token is reused across fetches and refreshed before expiry
d = subprocess.Popen([MC, "-c", T + "/mc.yaml", "fetch", "--daemon", "--source", "daemon"], env=ENV,
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
t0 = stats()


def wait_for(cond, secs=60):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        s = stats()
        if cond(s):
            return s
        time.sleep(0.05)
    return stats()


s = wait_for(lambda s: s["report"] - t0["report"] >= 10)
n_rep, n_tok = s["report"] - t0["report"], s["tokens"] - t0["tokens"]
check("daemon: the token is reused across fetches (%d fetches, %d tokens)" % (n_rep, n_tok),
      n_rep >= 10 and 1 <= n_tok < n_rep)
check("daemon: refreshed before expires_in \"2\" ran out (%d tokens over %d fetches)" % (n_tok, n_rep), n_tok >= 2)
urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/control/revoke" % P, data=b"",
                                              method="POST"), timeout=5).read()
t1 = stats()
s = wait_for(lambda s: s["report_401"] > t1["report_401"] and s["report"] - t1["report"] >= 4)
check("daemon: a revoked token -> 401 -> a new token, the page asked again (401s %d, tokens +%d)"
      % (s["report_401"] - t1["report_401"], s["tokens"] - t1["tokens"]),
      s["report_401"] > t1["report_401"] and s["tokens"] > t1["tokens"])
d.terminate()
_, derr = d.communicate(timeout=20)
log = open(T + "/mc.log").read() if os.path.exists(T + "/mc.log") else ""
check("daemon: no fetch failed (log: %s)" % [l for l in log.splitlines() if "daemon:" in l][:3],
      "daemon: error" not in log)

# a resource that never takes the token: one new token, one repeat, then the 401
t2 = stats()
r = mc("fetch", "--once", "--source", "deny")
s = stats()
check("deny: two requests, two tokens, then fails with HTTP 401 (%d, %d, %s)"
      % (s["deny"] - t2["deny"], s["tokens"] - t2["tokens"], r.stderr.strip()),
      r.returncode != 0 and s["deny"] - t2["deny"] == 2 and s["tokens"] - t2["tokens"] == 2 and "HTTP 401" in r.stderr)

# postgrest (any kind on the shared auth:): a 401 -> one new token, the request again
urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:%d/control/reject?n=1" % P, data=b"",
                                              method="POST"), timeout=5).read()
t3 = stats()
r = mc("fetch", "--once", "--source", "pgrst")
s = stats()
check("postgrest: 401 -> a new token and the request again, fetch ok (rest %d, tokens %d, %s)"
      % (s["rest"] - t3["rest"], s["tokens"] - t3["tokens"], r.stderr.strip()),
      r.returncode == 0 and s["rest"] - t3["rest"] == 2 and s["tokens"] - t3["tokens"] == 2)

# a wrong secret, echoed by the token endpoint
r = mc("fetch", "--once", "--source", "wrong")
check("wrong secret: fails naming the grant, its host and invalid_client (%s)" % r.stderr.strip(),
      r.returncode != 0 and ("oauth2 grant at 127.0.0.1:%d answered HTTP 401" % P) in r.stderr and "invalid_client" in r.stderr)
outs = r.stdout + r.stderr + derr
for args in (("check",), ("snapshot", "--json"), ("status",)):
    x = mc(*args)
    outs += x.stdout + x.stderr
blobs = [outs]
for path in glob.glob(T + "/cache.db*") + glob.glob(T + "/mc.log*"):
    with open(path, "rb") as f:
        blobs.append(f.read().decode("latin-1"))
tokens = [t for t in fake_oauth2.STATE["live"]]
check("the echoed secret, the secret and %d issued tokens are in no output, cache file or log" % len(tokens),
      all(WRONG not in b and SECRET not in b and not any(t in b for t in tokens) for b in blobs))

# a literal secret in the config
with open(T + "/bad.yaml", "w") as f:
    f.write(f"""cache: {T}/cache.db
sources:
  - id: lit
    kind: http_json
    url: http://127.0.0.1:{P}/v1/report
    feeds: projects
    auth:
      oauth2: {{token_url: http://127.0.0.1:{P}/oauth/token, client_id: cid,
               client_secret: hunter2hunter2}}
""")
r = subprocess.run([MC, "-c", T + "/bad.yaml", "check"], env=ENV, capture_output=True, text=True, timeout=30)
check("literal client_secret refused at its line (%s)" % r.stderr.strip()[:200],
      r.returncode != 0 and "bad.yaml:9:" in r.stderr and "client_secret_file" in r.stderr
      and "hunter2hunter2" not in r.stderr + r.stdout)

if FAILS:
    print("%d check(s) failed; files in %s" % (len(FAILS), T))
    sys.exit(1)
import shutil
shutil.rmtree(T, ignore_errors=True)
