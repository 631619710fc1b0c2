#!/usr/bin/env python3
"""Revenue presets against the local fakes (issue 9): a Close account with
10,000 won opportunities (100 pages of 100) into one revenue row, and a
365-day report behind OAuth2 client credentials (12 windows of at most 31
days), each the whole `mc fetch --once` (process start to exit), median of 3;
the YTD is checked to the cent. Then the peak RSS of one `mc fetch --once`
with the three revenue presets configured (close with the 10,000
opportunities, impact, oauth2_report) against their fakes.
Usage: bench_revenue.py BUILD [TMPDIR]"""
import datetime, json, os, statistics, subprocess, sys, tempfile, time, urllib.request

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
TMP = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="mc-bench-rev-")
MC = os.path.abspath(os.path.join(BUILD, "mc"))
TESTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests")
HOME = TMP + "/revhome"
ENV = dict(os.environ, HOME=HOME, XDG_CONFIG_HOME=HOME + "/cfg", XDG_CACHE_HOME=HOME + "/cache",
           XDG_STATE_HOME=HOME + "/state")
os.makedirs(HOME, exist_ok=True)
TODAY = datetime.datetime.now(datetime.timezone.utc).date()


def line(name, value, unit, target, ok):
    print(f"  {name:<58} {value:>12.2f} {unit:<8} target {target:<12} {'ok' if ok else 'MISSED'}", flush=True)


def start(script, *args):
    p = subprocess.Popen([sys.executable, os.path.join(TESTS, script), *args],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return p, int(p.stdout.readline())


def stats(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/_stats" % port, timeout=5) as r:
        return json.load(r)


def run(name, src, extra=""):
    cfg = os.path.join(HOME, name + ".yaml")
    with open(cfg, "w") as f:
        f.write(f"cache: {HOME}/{name}.db\nlog: {HOME}/mc.log\n{extra}sources:\n{src}")
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = subprocess.run([MC, "-c", cfg, "fetch", "--once"], env=ENV, capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        if r.returncode:
            raise SystemExit(f"{name}: fetch failed: {r.stderr}")
    snap = json.loads(subprocess.run([MC, "-c", cfg, "snapshot", "--json", "--dataset", "revenue"], env=ENV,
                                     capture_output=True, text=True).stdout)
    rows = snap.get("revenue", []) if isinstance(snap, dict) else snap
    return statistics.median(times), rows[0]["total_ytd_usd"] if rows else None


def peak_rss(ports):
    """Peak RSS of one fetch --once with every shipped preset configured (and
    revenue_manual): the three revenue presets, github_actions and vercel
    against their fakes, both openclaw presets through tests/fake_openclaw."""
    close, impact, report = ports
    sys.path.insert(0, TESTS)
    import fake_github, fake_vercel
    gh, gport = start("fake_github.py")
    vc, vport = start("fake_vercel.py")
    fake = os.path.join(TESTS, "fake_openclaw")
    with open(os.path.join(HOME, "manual.json"), "w") as f:
        json.dump({"entries": [{"stream": "MSN", "month": "%d-01" % TODAY.year, "usd": 1234.5}]}, f)
    for name, val in (("close_key", "bench-key"), ("impact_token", "bench-token"), ("rv_secret", "bench-secret"),
                      ("gh_token", fake_github.TOKEN), ("vc_token", fake_vercel.TOKEN)):
        with open(os.path.join(HOME, name), "w") as f:
            f.write(val + "\n")
    cfg = os.path.join(HOME, "all.yaml")
    with open(cfg, "w") as f:
        f.write(f"""cache: {HOME}/all.db
log: {HOME}/mc.log
sources:
  - {{id: close, preset: close, api_key_file: {HOME}/close_key, base_url: "http://127.0.0.1:{close}"}}
  - {{id: impact, preset: impact, account_sid: IRbench, auth_token_file: {HOME}/impact_token,
     base_url: "http://127.0.0.1:{impact}"}}
  - {{id: rv, preset: oauth2_report, token_url: "http://127.0.0.1:{report}/oauth/token", client_id: bench-id,
     client_secret_file: {HOME}/rv_secret, report_url: "http://127.0.0.1:{report}/v1/report"}}
  - {{id: ci, preset: github_actions, repo: acme/site, token_file: {HOME}/gh_token, base_url: "http://127.0.0.1:{gport}"}}
  - {{id: vercel, preset: vercel, project_id: prj_123, token_file: {HOME}/vc_token, base_url: "http://127.0.0.1:{vport}"}}
  - {{id: gw, preset: openclaw_sessions, command: [{fake}, sessions, --json, --all-agents]}}
  - {{id: gwcron, preset: openclaw_cron, command: [{fake}, cron, list, --json, --all]}}
  - {{id: manual, kind: revenue_manual, path: {HOME}/manual.json}}
""")
    p = subprocess.Popen([MC, "-c", cfg, "fetch", "--once"], env=ENV, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    err = p.stderr.read().decode()
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        print(f"    fetch failed: {err}")
    for f in (gh, vc):
        f.stdin.close()
        f.wait()
    mb = ru.ru_maxrss / 1024
    line("peak RSS of fetch --once, every preset + revenue_manual", mb, "MiB", "< 64", mb < 64 and p.returncode == 0)


def main():
    if not os.path.exists(MC):
        raise SystemExit(f"{MC} not built")
    ys = TODAY.replace(month=1, day=1).isoformat()
    p, port = start("fake_close.py", "--key", "bench-key", "--year-start", ys, "--won", "10000")
    try:
        with open(HOME + "/close_key", "w") as f:
            f.write("bench-key\n")
        s, ytd = run("close", f"  - {{id: close, preset: close, api_key_file: {HOME}/close_key, "
                              f"base_url: \"http://127.0.0.1:{port}\"}}\n")
        st = stats(port)
        pages = sum(1 for r in st["requests"] if "_skip=" in r) // 3
        ok = ytd is not None and round(ytd * 100) == st["expected_ytd_cents"]
        line("Close: 10,000 won opportunities (%d pages) -> 1 revenue row" % pages, s, "s", "< 2", s < 2 and ok)
        if not ok:
            print(f"    YTD {ytd} != {st['expected_ytd_cents'] / 100}")
        pi, iport = start("fake_impact.py", "--sid", "IRbench", "--token", "bench-token", "--year-start", ys)
        pr, rport = start("fake_report.py", "--client-id", "bench-id", "--client-secret", "bench-secret",
                          "--year-start", ys)
        try:
            peak_rss((port, iport, rport))
        finally:
            for q in (pi, pr):
                q.stdin.close()
                q.wait()
    finally:
        p.stdin.close()
        p.wait()
    # a year of 365 days: it started 364 days before today
    start_day = TODAY - datetime.timedelta(days=364)
    p, port = start("fake_report.py", "--client-id", "bench-id", "--client-secret", "bench-secret",
                    "--year-start", start_day.isoformat())
    try:
        with open(HOME + "/rv_secret", "w") as f:
            f.write("bench-secret\n")
        s, ytd = run("report", f"""  - id: rv
    preset: oauth2_report
    token_url: "http://127.0.0.1:{port}/oauth/token"
    client_id: bench-id
    client_secret_file: {HOME}/rv_secret
    report_url: "http://127.0.0.1:{port}/v1/report"
""", extra='year_start: "%s"\n' % start_day.strftime("%m-%d"))
        st = stats(port)
        n = len(st["windows"]) // 3
        ok = ytd is not None and round(ytd * 100) == st["expected_ytd_cents"] and st["refused"] == 0
        line("OAuth2 report: 365 days in %d windows (token + windows)" % n, s, "s", "< 1", s < 1 and ok)
        if not ok:
            print(f"    YTD {ytd} != {st['expected_ytd_cents'] / 100} or refused {st['refused']}")
    finally:
        p.stdin.close()
        p.wait()
    subprocess.run(["rm", "-rf", HOME])


if __name__ == "__main__":
    main()
