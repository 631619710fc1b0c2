#!/usr/bin/env python3
"""it_builds.py - the github_actions and vercel presets end to end against
their fakes (tests/fake_github.py, tests/fake_vercel.py), through
`mc fetch --once` and `mc snapshot --json`, and the HTTP auth side around
them:

* github_actions: workflow runs -> activity rows (event_type build, status
  the conclusion or, while running, the status; agent = the source id; key =
  the run id) across 3 Link pages; the next fetch sends If-None-Match and a
  304 keeps the rows; branch: reaches the query; a page refused with
  x-ratelimit-remaining 0 mid-pagination is waited for (x-ratelimit-reset)
  and asked again; a refused first page fails at once with "rate limited by
  HOST until HH:MM:SS" and no blocker.
* vercel: deployments -> activity (event_type deploy, status = state)
  across 3 pages of until=pagination.next; team_id reaches the query.
* credentials refused: a lasting 403 puts ONE blocker (source vercel, key
  auth, for the owner, "vercel: token lacks permission — HTTP 403 since
  ...") once auth_blocker_after (0s here) has passed, none with the default
  1h; `mc resolve vercel auth` is delivered without a write-back config
  ("fixed, try now"); it leaves when the source succeeds again.
* a wrong token that the fake echoes into its 403 body appears nowhere:
  cache files, mc.log, stderr, mc check, mc snapshot --json."""
import glob, json, os, sys, threading, urllib.request
from http.server import ThreadingHTTPServer
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fake_github, fake_vercel
from itlib import MC, FAILS, check, temp_home, write_mc_yaml
import subprocess

T, ENV = temp_home("mc-builds-")
WRONG = "vercel_WrongToken_zz99yy88xx77"


def start(handler):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd.server_address[1]


def post(port, obj):
    req = urllib.request.Request("http://127.0.0.1:%d/control" % port, data=json.dumps(obj).encode(),
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=5).read()


def mc(*args, timeout=60):
    return subprocess.run([MC, "-c", T + "/mc.yaml", *args], env=ENV, capture_output=True, text=True,
                          timeout=timeout)


def snapshot():
    r = mc("snapshot", "--json")
    return json.loads(r.stdout)


def rows(snap, ds, source):
    return {r["key"]: r for r in snap[ds] if r["source"] == source}


def state(snap, source):
    return next(s for s in snap["sources"] if s["id"] == source)


GH = start(fake_github.Handler)
VC = start(fake_vercel.Handler)
for name, val in (("gh_token", fake_github.TOKEN), ("vc_token", fake_vercel.TOKEN), ("vc_wrong", WRONG)):
    with open(T + "/" + name, "w") as f:
        f.write(val + "\n")
    os.chmod(T + "/" + name, 0o600)

write_mc_yaml(T, "mc.yaml", f"""  - {{id: ci, preset: github_actions, repo: acme/site, token_file: {T}/gh_token,
     base_url: "http://127.0.0.1:{GH}", per_page: 2, max_pages: 5, auth_blocker_after: 0s}}
  - {{id: cimain, preset: github_actions, repo: acme/site, token_file: {T}/gh_token,
     base_url: "http://127.0.0.1:{GH}", branch: main, enabled: false}}
  - {{id: vercel, preset: vercel, project_id: prj_123, token_file: {T}/vc_token,
     base_url: "http://127.0.0.1:{VC}", limit: 3, max_pages: 5, auth_blocker_after: 0s}}
  - {{id: vteam, preset: vercel, project_id: prj_123, team_id: team_9, token_file: {T}/vc_token,
     base_url: "http://127.0.0.1:{VC}", enabled: false}}
  - {{id: vlate, preset: vercel, project_id: prj_123, token_file: {T}/vc_token,
     base_url: "http://127.0.0.1:{VC}", enabled: false}}
  - {{id: vwrong, preset: vercel, project_id: prj_123, token_file: {T}/vc_wrong,
     base_url: "http://127.0.0.1:{VC}", enabled: false, auth_blocker_after: 0s}}
""")

# ---- GitHub ----------------------------------------------------------------
r = mc("fetch", "--once", "--source", "ci")
check("github: fetch ok (%s)" % r.stderr.strip(), r.returncode == 0)
gs = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/stats" % GH).read())
check("github: 3 Link pages asked (%s)" % gs["pages"], gs["pages"] == [1, 2, 3])
check("github: Bearer token sent", set(gs["auth"]) == {"Bearer"})
s = snapshot()
ci = rows(s, "activity", "ci")
check("github: 5 runs -> 5 activity rows keyed by run id (%s)" % sorted(ci),
      sorted(ci) == ["101", "102", "103", "104", "105"])
check("github: event_type build, agent = the source id",
      all(x["event_type"] == "build" and x["agent"] == "ci" for x in ci.values()))
check("github: status = conclusion, or status while running (%s)" % [ci[k]["status"] for k in sorted(ci)],
      ci.get("105", {}).get("status") == "in_progress" and ci.get("104", {}).get("status") == "failure"
      and ci.get("103", {}).get("status") == "success" and ci.get("101", {}).get("status") == "cancelled")
check("github: details = workflow name", ci.get("103", {}).get("details") == "Deploy")

r = mc("fetch", "--once", "--source", "ci")
gs = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/stats" % GH).read())
check("github: second fetch: If-None-Match -> one 304, rows kept (%s, %s)" % (gs["not_modified"], r.stderr.strip()),
      r.returncode == 0 and gs["not_modified"] == 1 and gs["pages"] == [1, 2, 3, 1]
      and len(rows(snapshot(), "activity", "ci")) == 5)

r = mc("fetch", "--once", "--source", "cimain")
gs = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/stats" % GH).read())
check("github: branch: main in the query (%s)" % gs["branch"][-1], r.returncode == 0 and gs["branch"][-1] == "main")
check("github: branch main -> 4 runs", len(rows(snapshot(), "activity", "cimain")) == 4)

# rate limit mid-pagination: page 2 refused with remaining 0 -> waited, asked again
post(GH, {"runs": fake_github.RUNS[:4] + [dict(fake_github.RUNS[4], conclusion="success")],
          "limited": 1, "after": 1, "reset_in": 1})
r = mc("fetch", "--once", "--source", "ci")
gs = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/stats" % GH).read())
check("github: page refused for the rate mid-way waited and asked again (pages %s, %s)"
      % (gs["pages"][-4:], r.stderr.strip()),
      r.returncode == 0 and gs["limited"] == 1 and gs["pages"][-3:] == [1, 2, 3])
check("github: the new conclusion landed", rows(snapshot(), "activity", "ci")["101"]["status"] == "success")

# rate limit on the first page, reset an hour away: fail at once, say until when
post(GH, {"runs": fake_github.RUNS, "limited": 1, "after": 0, "reset_in": 3600})
r = mc("fetch", "--once", "--source", "ci")
s = snapshot()
err = state(s, "ci")["last_error"] or ""
check("github: first page refused -> 'rate limited by 127.0.0.1:%d until HH:MM:SS' (%s)" % (GH, err),
      r.returncode != 0 and ("rate limited by 127.0.0.1:%d until " % GH) in err)
check("github: a rate limit 403 is no credentials blocker", not rows(s, "blockers", "ci"))
post(GH, {"limited": 0})

# ---- Vercel ----------------------------------------------------------------
r = mc("fetch", "--once", "--source", "vercel")
vs = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/stats" % VC).read())
check("vercel: fetch ok (%s)" % r.stderr.strip(), r.returncode == 0)
check("vercel: 3 pages via until=pagination.next (%s)" % vs["until"],
      len(vs["until"]) == 3 and vs["until"][0] is None and all(vs["until"][1:]))
check("vercel: no teamId when team_id is not given", vs["team"] == [None, None, None])
v = rows(snapshot(), "activity", "vercel")
check("vercel: 7 deployments -> 7 rows keyed by uid", sorted(v) == ["dpl_%d" % i for i in range(7)])
check("vercel: event_type deploy, status = state, agent = the source id",
      all(x["event_type"] == "deploy" and x["agent"] == "vercel" for x in v.values())
      and v["dpl_1"]["status"] == "ERROR" and v["dpl_2"]["status"] == "BUILDING"
      and v["dpl_0"]["details"] == "app-0.vercel.app")
r = mc("fetch", "--once", "--source", "vteam")
vs = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/stats" % VC).read())
check("vercel: team_id -> teamId in the query", r.returncode == 0 and vs["team"][-1] == "team_9")

# ---- credentials refused -> a blocker --------------------------------------
post(VC, {"forbid": True})
for src in ("vercel", "vlate"):
    mc("fetch", "--once", "--source", src)
r = mc("fetch", "--once", "--source", "vercel")
check("vercel 403: the fetch fails with HTTP 403", r.returncode != 0 and "HTTP 403" in r.stderr)
s = snapshot()
b = rows(s, "blockers", "vercel")
check("vercel 403: one blocker keyed auth (%s)" % list(b), list(b) == ["auth"])
a = b.get("auth", {})
check("vercel 403: 'vercel: token lacks permission — HTTP 403 since ...' (%s)" % a.get("description"),
      (a.get("description") or "").startswith("vercel: token lacks permission — HTTP 403 since "))
check("vercel 403: for the owner, from mc, open",
      a.get("for_owner") in (1, True) and a.get("from_agent") == "mc" and a.get("resolved") in (0, False))
check("vercel 403: the default auth_blocker_after (1h) has no blocker yet", not rows(s, "blockers", "vlate"))
check("vercel 403: the vercel rows stay", len(rows(s, "activity", "vercel")) == 7)

r = mc("resolve", "vercel:auth")
check("resolve vercel auth: delivered without a write-back config (%s)" % (r.stderr.strip() or r.stdout.strip()),
      r.returncode == 0)
a = rows(snapshot(), "blockers", "vercel").get("auth", {})
check("resolve vercel auth: marked resolved", a.get("resolved") in (1, True))
r = mc("fetch", "--once", "--source", "vercel")
a = rows(snapshot(), "blockers", "vercel").get("auth", {})
check("still refused after 'fixed': the blocker opens again", r.returncode != 0 and a.get("resolved") in (0, False))

post(VC, {"forbid": False})
r = mc("fetch", "--once", "--source", "vercel")
s = snapshot()
check("vercel ok again: the blocker leaves (%s)" % r.stderr.strip(),
      r.returncode == 0 and not rows(s, "blockers", "vercel"))

# ---- an echoed wrong token appears nowhere ---------------------------------
r = mc("fetch", "--once", "--source", "vwrong")
outs = r.stdout + r.stderr
check("vwrong: refused, a blocker", r.returncode != 0 and rows(snapshot(), "blockers", "vwrong"))
for args in (("check",), ("snapshot", "--json"), ("status",)):
    x = mc(*args)
    outs += x.stdout + x.stderr
blobs = [outs]
for path in glob.glob(T + "/cache.db*") + glob.glob(T + "/mc.log*"):
    with open(path, "rb") as f:
        blobs.append(f.read().decode("latin-1"))
check("the echoed wrong token is in no output, cache file or log",
      all(WRONG not in b and fake_vercel.TOKEN not in b and fake_github.TOKEN not in b for b in blobs))

if FAILS:
    print("%d check(s) failed; files in %s" % (len(FAILS), T))
    sys.exit(1)
import shutil
shutil.rmtree(T, ignore_errors=True)
