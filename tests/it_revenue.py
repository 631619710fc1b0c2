#!/usr/bin/env python3
"""it_revenue.py - revenue from vendor APIs through http_json's generic
windows:, paginate: and aggregate:, end to end (`mc fetch --once`, then
`mc snapshot --json`), against fakes that answer the vendors' documented
shapes (fake_close.py, fake_impact.py, fake_report.py):

* Close: won opportunities in cents over 3+ _skip/_limit pages until has_more
  is false; lost ones and last year's excluded; YTD to the cent; Basic with
  the key as user and an empty password.
* One revenue row per day: a row of an earlier day stays after a fetch
  (history for the sparkline), today's is replaced, not doubled.
* impact.com: Earnings as strings, @nextpageuri RELATIVE paging across 3
  pages per window, Basic SID:token, Accept: application/json.
* A report with a 31-day window limit: every window <= 31 days, in order,
  contiguous from the year's start to today; a window the API refuses (400)
  fails the whole fetch and writes no partial total; `year_start:` moves the
  first window.
* stream_field: splits the total into streams.
* The presets close, impact and oauth2_report give the same totals; Close
  answers one page 429 with only {"error": {"rate_reset": ...}} and the
  fetch still succeeds (it waits); oauth2_report takes one token for all its
  windows; the API key, auth token and client secret appear in no cache file,
  log or output."""
import datetime, json, os, sqlite3, subprocess, sys, urllib.request
from itlib import MC, FAILS, check, temp_home

TESTS = os.path.dirname(os.path.abspath(__file__))
T, ENV = temp_home("mc-it-revenue-")
TODAY = datetime.datetime.now(datetime.timezone.utc).date()
YS = TODAY.replace(month=1, day=1).isoformat()
PROCS = []
CLOSE_KEY = "close-api-KEY-5f6e7d"
IMPACT_SID, IMPACT_TOKEN = "IRsid4242", "impact-TOKEN-8a9b"
REPORT_SECRET = "rv-SECRET-c0ffee"


def start(script, *args):
    p = subprocess.Popen([sys.executable, os.path.join(TESTS, script), *args],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    PROCS.append(p)
    return int(p.stdout.readline())


def stats(port):
    with urllib.request.urlopen("http://127.0.0.1:%d/_stats" % port, timeout=5) as r:
        return json.load(r)


def write(name, text):
    with open(os.path.join(T, name), "w") as f:
        f.write(text)
    return os.path.join(T, name)


def config(name, sources, extra="", cache="cache.db"):
    return write(name, f"""owner: Apple
user: tester
cache: {T}/{cache}
log: {T}/mc.log
{extra}sources:
{sources}""")


def mc(cfg, *args):
    r = subprocess.run([MC, "-c", cfg, *args], env=ENV, capture_output=True, text=True, timeout=60)
    OUTPUTS.extend([r.stdout, r.stderr])
    return r


def revenue(cfg, source):
    r = mc(cfg, "snapshot", "--json", "--dataset", "revenue")
    try:
        rows = json.loads(r.stdout)
        rows = rows.get("revenue", []) if isinstance(rows, dict) else rows
    except ValueError:
        print(r.stdout, r.stderr)
        return []
    return sorted([x for x in rows if x.get("source") == source], key=lambda x: x["snapshot_date"])


def check_row(what, rows, cents, stream):
    row = rows[-1] if rows else {}
    streams = json.loads(row["streams"]) if isinstance(row.get("streams"), str) else row.get("streams")
    ok = bool(rows) and round(row["total_ytd_usd"] * 100) == cents
    check("%s: YTD %.2f to the cent (got %s)" % (what, cents / 100, row.get("total_ytd_usd")), ok)
    check("%s: snapshot_date and key are today (UTC)" % what,
          row.get("snapshot_date") == TODAY.isoformat() and row.get("key") == TODAY.isoformat())
    check("%s: one stream %s with the YTD" % (what, stream),
          streams == [{"name": stream, "ytd_usd": cents / 100}])
    frac = ((TODAY - datetime.date.fromisoformat(YS)).days + 1) / \
        ((datetime.date(TODAY.year + 1, 1, 1) - datetime.date.fromisoformat(YS)).days)
    check("%s: projected_annual_usd = YTD / fraction of the year gone" % what,
          abs(row.get("projected_annual_usd", -1) - cents / 100 / frac) < 0.02)


def fetch_ok(what, cfg):
    r = mc(cfg, "fetch", "--once")
    check("%s: fetch --once succeeds" % what, r.returncode == 0)
    if r.returncode:
        print(r.stdout, r.stderr)
    return r


OUTPUTS = []    # stdout and stderr of every mc run, for the secrets check


def secrets_nowhere(secrets):
    blobs = list(OUTPUTS)
    for f in os.listdir(T):
        if f.endswith((".db", ".db-wal", ".log")) or f == "mc.log":
            with open(os.path.join(T, f), "rb") as fh:
                blobs.append(fh.read().decode("latin-1"))
    for name, val in secrets:
        check("the %s appears in no cache file, log or output" % name, not any(val in b for b in blobs))


def close_tests(port, port429):
    write("close_key", CLOSE_KEY + "\n")
    plain = f"""  - id: close
    kind: http_json
    url: "http://127.0.0.1:{port}/api/v1/opportunity/?status_type=won&_order_by=-date_won&_fields=id,value,date_won"
    auth: {{basic: {{user_file: {T}/close_key}}}}
    items: $.data[*]
    paginate: {{offset_param: _skip, limit_param: _limit, page_size: 100, has_more: $.has_more, max_pages: 1000}}
    aggregate: {{amount: value, date: date_won, stream: Sponsorships, scale: 0.01}}
"""
    cfg = config("close.yaml", plain, cache="close.db")
    fetch_ok("close (http_json)", cfg)
    st = stats(port)
    check_row("close (http_json)", revenue(cfg, "close"), st["expected_ytd_cents"], "Sponsorships")
    skips = [p.split("_skip=")[1].split("&")[0] for p in st["requests"] if "_skip=" in p]
    check("close: _skip 0,100,200 (3 pages, until has_more is false)", skips == ["0", "100", "200"])
    check("close: _limit=100 on every page", all("_limit=100" in p for p in st["requests"] if "/api/" in p))

    # history: a row of an earlier day stays; today's is replaced
    db = sqlite3.connect(os.path.join(T, "close.db"))
    cols = [r[1] for r in db.execute("PRAGMA table_info(revenue)")]
    y = (TODAY - datetime.timedelta(days=1)).isoformat()
    vals = {"source": "close", "key": y, "snapshot_date": y, "total_ytd_usd": 1.5,
            "projected_annual_usd": 3.0, "streams": '[{"name":"Sponsorships","ytd_usd":1.5}]'}
    for c in cols:
        if c not in vals and c in ("gen",):
            vals[c] = 1
        elif c == "updated_ms":
            vals[c] = 0
    keys = [c for c in cols if c in vals]
    db.execute("INSERT INTO revenue (%s) VALUES (%s)" % (",".join(keys), ",".join("?" * len(keys))),
               [vals[k] for k in keys])
    db.commit()
    db.close()
    fetch_ok("close again", cfg)
    rows = revenue(cfg, "close")
    check("close: yesterday's row stays, today's is one row (2 rows, got %d)" % len(rows),
          [r["snapshot_date"] for r in rows] == [y, TODAY.isoformat()])
    check_row("close again", rows, st["expected_ytd_cents"], "Sponsorships")

    cfg = config("close_p.yaml", f"""  - {{id: close, preset: close, api_key_file: {T}/close_key, stream: Sponsorships,
      base_url: "http://127.0.0.1:{port429}"}}
""", cache="close_p.db")
    fetch_ok("close preset (one 429 with rate_reset)", cfg)
    st = stats(port429)
    check_row("close preset", revenue(cfg, "close"), st["expected_ytd_cents"], "Sponsorships")
    skips = [p.split("_skip=")[1].split("&")[0] for p in st["requests"] if "_skip=" in p]
    check("close preset: date_won__gte is the year's start", all("date_won__gte=" + YS in p for p in st["requests"]))
    check("close preset: the 429'd page asked again (_skip 0,100,100,200; got %s)" % skips,
          skips == ["0", "100", "100", "200"])


def impact_tests(port):
    write("impact_token", IMPACT_TOKEN + "\n")
    base = f"http://127.0.0.1:{port}/Mediapartners/{IMPACT_SID}"
    plain = f"""  - id: impact
    kind: http_json
    url: "{base}/Reports/partner_performance_by_day"
    headers: {{Accept: application/json}}
    auth: {{basic: {{user: {IMPACT_SID}, password_file: {T}/impact_token}}}}
    windows: {{days: 366, start_param: START_DATE, end_param: END_DATE}}
    items: $.Records[*]
    paginate: {{next: "$['@nextpageuri']", max_pages: 100}}
    aggregate: {{amount: Earnings, date: Date, stream: Affiliate}}
"""
    cfg = config("impact.yaml", plain, cache="impact.db")
    fetch_ok("impact (http_json)", cfg)
    st = stats(port)
    check_row("impact (http_json)", revenue(cfg, "impact"), st["expected_ytd_cents"], "Affiliate")
    reqs = st["requests"]
    check("impact: 3 pages through the relative @nextpageuri (got %d requests)" % len(reqs),
          len(reqs) == 3 and "Page=2" in reqs[1] and "Page=3" in reqs[2])
    check("impact: START_DATE is the year's start, END_DATE today",
          "START_DATE=%s" % YS in reqs[0] and "END_DATE=%s" % TODAY.isoformat() in reqs[0])
    cfg = config("impact_p.yaml", f"""  - id: impact
    preset: impact
    account_sid: {IMPACT_SID}
    auth_token_file: {T}/impact_token
    stream: Affiliate
    base_url: "http://127.0.0.1:{port}"
""", cache="impact_p.db")
    fetch_ok("impact preset", cfg)
    check_row("impact preset", revenue(cfg, "impact"), stats(port)["expected_ytd_cents"], "Affiliate")


def report_tests(port):
    write("report_token", "static-tok-77\n")
    src = lambda days, sid="rv", extra="": f"""  - id: {sid}
    kind: http_json
    url: "http://127.0.0.1:{port}/v1/report"
    auth: {{bearer_file: {T}/report_token}}
    windows: {{days: {days}}}
    items: $.data[*]
    aggregate: {{amount: commission, date: date, stream: RedVentures{extra}}}
"""
    cfg = config("report.yaml", src(31), cache="report.db")
    fetch_ok("report (http_json)", cfg)
    st = stats(port)
    check_row("report (http_json)", revenue(cfg, "rv"), st["expected_ytd_cents"], "RedVentures")
    w = [(datetime.date.fromisoformat(a), datetime.date.fromisoformat(b)) for a, b in st["windows"]]
    n = -(-((TODAY - datetime.date.fromisoformat(YS)).days + 1) // 31)
    check("report: %d windows, none longer than 31 days, none refused" % n,
          len(w) == n and st["refused"] == 0 and all((b - a).days + 1 <= 31 for a, b in w))
    check("report: windows in order and contiguous from the year's start to today",
          bool(w) and w[0][0].isoformat() == YS and w[-1][1] == TODAY
          and all(w[i + 1][0] == w[i][1] + datetime.timedelta(days=1) for i in range(len(w) - 1)))

    # a refused window fails the fetch and no partial sum is written
    before = revenue(cfg, "rv")
    cfg2 = config("report40.yaml", src(40), cache="report.db")
    r = mc(cfg2, "fetch", "--once")
    check("report: a 40-day window refused (400) fails the fetch", r.returncode != 0)
    check("report: the error names the window and the status",
          "window 1 of" in r.stderr + r.stdout and "400" in r.stderr + r.stdout)
    check("report: no partial total written (the row is unchanged)", revenue(cfg2, "rv") == before)

    # year_start: moves the first window; stream_field splits streams
    cfg3 = config("report_ys.yaml", src(31, "rv2", ", stream_field: kind"),
                  extra='year_start: "%s"\n' % TODAY.replace(day=1).strftime("%m-%d"), cache="report_ys.db")
    n0 = len(stats(port)["windows"])
    fetch_ok("report year_start", cfg3)
    w = stats(port)["windows"][n0:]
    check("report: year_start: %s starts the first window there" % TODAY.replace(day=1),
          len(w) == 1 and w[0] == [TODAY.replace(day=1).isoformat(), TODAY.isoformat()])

    cfg = config("report_p.yaml", f"""  - id: rv
    preset: oauth2_report
    token_url: "http://127.0.0.1:{port}/oauth/token"
    client_id: rv-client
    client_secret_file: {T}/report_secret
    report_url: "http://127.0.0.1:{port}/v1/report"
    stream: RedVentures
""", cache="report_p.db")
    write("report_secret", REPORT_SECRET + "\n")
    t0, n0 = stats(port)["tokens"], len(stats(port)["windows"])
    fetch_ok("oauth2_report preset", cfg)
    st = stats(port)
    check_row("oauth2_report preset", revenue(cfg, "rv"), st["expected_ytd_cents"], "RedVentures")
    check("oauth2_report preset: one token for all %d windows" % (len(st["windows"]) - n0),
          st["tokens"] - t0 == 1 and len(st["windows"]) - n0 > 1)
    check("oauth2_report preset: no window refused", st["refused"] == 1)   # the 40-day one above


def main():
    try:
        close_tests(start("fake_close.py", "--key", CLOSE_KEY, "--year-start", YS, "--won", "250"),
                    start("fake_close.py", "--key", CLOSE_KEY, "--year-start", YS, "--won", "250",
                          "--rate-limit-once"))
        impact_tests(start("fake_impact.py", "--sid", IMPACT_SID, "--token", IMPACT_TOKEN,
                           "--year-start", YS, "--pages", "3"))
        report_tests(start("fake_report.py", "--static-token", "static-tok-77", "--client-id", "rv-client",
                           "--client-secret", REPORT_SECRET, "--year-start", YS))
        secrets_nowhere([("Close API key", CLOSE_KEY), ("impact.com auth token", IMPACT_TOKEN),
                         ("client secret", REPORT_SECRET)])
    finally:
        for p in PROCS:
            p.stdin.close()
            p.wait(timeout=10)
    if FAILS:
        print("%d checks failed (temp dir kept: %s)" % (len(FAILS), T))
        sys.exit(1)
    import shutil
    shutil.rmtree(T, ignore_errors=True)


if __name__ == "__main__":
    main()
