#!/usr/bin/env python3
"""it_team.py - the convex and postgrest kinds end to end through the real
binary ($MC) against tests/fake_convex.py and tests/fake_postgrest.py:
`mc fetch --once` fills every dataset, `mc resolve` goes through the outbox
to the Convex mutation (applied once) and to a PostgREST PATCH, a rotated
key file that holds an expired key turns the source red with a plain message
while the last good rows stay, and no key ever lands in the cache files."""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

MC = os.environ.get("MC", "build/mc")
TESTS = os.environ.get("MC_TESTS_DIR", os.path.dirname(os.path.abspath(__file__)))
DEPLOY_KEY = "prod:otter|IT-DEPLOY-s3cr3t-42"
API_KEY = "eyJhbGciOiJIUzI1NiJ9.IT-SUPA-s3cr3t-43"
EXPIRED = "eyJhbGciOiJIUzI1NiJ9.IT-EXPIRED-s3cr3t-44"
FAILS = []


def check(name, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + name + ("" if cond else "  -- " + str(detail)[:800]))
    if not cond:
        FAILS.append(name)


def start(script, *args):
    p = subprocess.Popen([sys.executable, os.path.join(TESTS, script), *args],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return p, int(p.stdout.readline())


def stats(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/_stats" % port, timeout=5) as r:
        return json.load(r)


def main():
    tmp = tempfile.mkdtemp(prefix="mc-it-team-")
    env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=tmp + "/cfg", XDG_CACHE_HOME=tmp + "/cache",
               XDG_STATE_HOME=tmp + "/state", XDG_RUNTIME_DIR=tmp)
    cvx, cport = start("fake_convex.py", "--key", DEPLOY_KEY)
    pgr, pport = start("fake_postgrest.py", "--apikey", API_KEY, "--expired-key", EXPIRED)
    try:
        for name, val in (("deploy_key", DEPLOY_KEY), ("supa_key", API_KEY)):
            with open(os.path.join(tmp, name), "w") as f:
                f.write(val + "\n")
        cfg = os.path.join(tmp, "mc.yaml")
        with open(cfg, "w") as f:
            f.write(f"""user: tester
cache: {tmp}/cache.db
retention:                  # the fakes' documents carry fixed dates
  activity: {{age: 36500d}}
  system: {{age: 36500d}}
  revenue: {{age: 36500d}}
sources:
  - id: mission
    kind: convex
    url: http://127.0.0.1:{cport}
    auth: {{deploy_key_file: {tmp}/deploy_key}}
    queries:
      blockers: {{path: "needsApple:list", args: {{resolved: false}}}}
      revenue: {{path: "revenue:latest"}}
      activity: {{path: "activity:recent", args: {{limit: 200}}, since_arg: after}}
      system: {{path: "systemMetrics:latest"}}
    resolve: {{mutation: "needsApple:resolve"}}
  - id: supa
    kind: postgrest
    url: http://127.0.0.1:{pport}
    apikey_file: {tmp}/supa_key
    tables:
      usage: {{table: agent_usage, query: "order=date.desc&limit=500"}}
      cron: {{table: cron_jobs}}
      blockers: {{table: needs_apple, filters: {{resolved: is.false}}}}
    resolve: {{table: needs_apple, key: id, set: {{resolved: true}}, note_column: note, by_column: resolved_by}}
""")

        def mc(*args):
            return subprocess.run([MC, "-c", cfg, *args], env=env, capture_output=True, text=True, timeout=60)

        def snap():
            r = mc("snapshot", "--json")
            return json.loads(r.stdout) if r.returncode == 0 else {}

        r = mc("fetch", "--once")
        check("fetch --once exits 0", r.returncode == 0, r.stderr)
        check("both sources report ok", "mission: ok" in r.stderr and "supa: ok" in r.stderr, r.stderr)
        s = snap()
        keys = sorted((b["source"], b["key"]) for b in s.get("blockers", []))
        check("blockers from both sources", keys == [("mission", "na_1"), ("mission", "na_2"),
                                                     ("supa", "1"), ("supa", "2")], keys)
        rev = [x for x in s.get("revenue", []) if x["source"] == "mission"]
        check("revenue snapshot with streams in dollars",
              len(rev) == 1 and rev[0]["total_ytd_usd"] == 251000.25
              and {"name": "affiliate", "ytd_usd": 50500.25} in rev[0]["streams"], rev)
        check("activity rows", len([a for a in s.get("activity", []) if a["source"] == "mission"]) == 3)
        sysm = [x for x in s.get("system", []) if x["source"] == "mission"]
        check("system metrics", len(sysm) == 1 and sysm[0]["mem_pct"] == 75, sysm)
        ag = {a["agent_id"]: a for a in s.get("agents", []) if a["source"] == "supa"}
        check("today's tokens per agent from usage",
              ag.get("max", {}).get("tokens_today") == 1255 and ag.get("atlas", {}).get("cost_today_usd") == 0.75, ag)
        check("cron jobs", sorted(c["job_id"] for c in s.get("cron", []) if c["source"] == "supa")
              == ["morning-brief", "revenue-sync"])

        r = mc("resolve", "mission:na_1", "--note", "approved")
        check("mc resolve on convex delivers", r.returncode == 0, r.stdout + r.stderr)
        st = stats(cport)
        check("the mutation was applied once, under one idempotency key",
              list(st["applied"].values()) == [1] and list(st["deliveries"].values()) == [1], st["applied"])
        last = [q for q in st["requests"] if q["endpoint"] == "mutation"][-1]
        check("mutation args", last["args"].get("id") == "na_1" and last["args"].get("note") == "approved"
              and last["args"].get("by") == "tester" and last["args"].get("idempotencyKey"), last)
        r = mc("resolve", "supa:1", "--note", "paid")
        check("mc resolve on postgrest delivers", r.returncode == 0, r.stdout + r.stderr)
        check("one PATCH", stats(pport)["patches"].get("needs_apple") == 1)
        r = mc("fetch", "--once")
        s = snap()
        keys = sorted((b["source"], b["key"]) for b in s.get("blockers", []))
        check("resolved blockers are gone at the sources", keys == [("mission", "na_2"), ("supa", "2")], keys)

        with open(os.path.join(tmp, "supa_key"), "w") as f:    # rotated to an expired key
            f.write(EXPIRED + "\n")
        r = mc("fetch", "--once", "--source", "supa")
        check("an expired key fails the fetch", r.returncode != 0, r.stderr)
        check("and says so plainly", "auth failed: JWT expired (PGRST301)" in r.stderr, r.stderr)
        s = snap()
        src = [x for x in s.get("sources", []) if x.get("id", x.get("source")) == "supa"]
        check("the source shows the error", src and "JWT expired" in json.dumps(src), src)
        check("last good rows stay", len([u for u in s.get("usage", []) if u["source"] == "supa"]) == 3)
        out = r.stdout + r.stderr + json.dumps(s)
        check("no key in any output", not any(k in out for k in ("IT-DEPLOY", "IT-SUPA", "IT-EXPIRED")))
        blob = b""
        for p in glob.glob(tmp + "/cache.db*") + glob.glob(tmp + "/state/**/*", recursive=True):
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    blob += f.read()
        check("no key in the cache or the log", blob and not any(k.encode() in blob for k in
                                                                 ("IT-DEPLOY", "IT-SUPA", "IT-EXPIRED")))
    finally:
        for p in (cvx, pgr):
            p.stdin.close()
            p.terminate()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d failed" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
