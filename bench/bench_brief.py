#!/usr/bin/env python3
"""bench_brief.py BUILD_DIR [TMP] — the morning brief's figure of `make
bench` (issue 10 "Measured": `mc brief` on the 1M-activity / 100k-blocker
cache, goal < 50 ms): a cache of 1,000,000 activity rows over the last year
(about 2,700 in the brief's 24 h window, 1 in 50 a failure), 100,000 open
blockers, a year of daily revenue snapshots for 3 sources, 50 cron jobs,
a year of usage for 20 agents, 2,000 system samples and 500 alerts; the
whole command (process start, config, read-only open, every query, text
out) timed, median of 9, for text and for JSON."""
import os, sqlite3, statistics, subprocess, sys, tempfile, time
from datetime import datetime, timedelta, timezone

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
MC = os.path.abspath(os.path.join(BUILD, "mc"))
TMP = tempfile.mkdtemp(prefix="mc-bench-brief-", dir=sys.argv[2] if len(sys.argv) > 2 else None)
ENV = dict(os.environ, HOME=TMP, XDG_CONFIG_HOME=TMP + "/cfg", XDG_CACHE_HOME=TMP + "/cache",
           XDG_STATE_HOME=TMP + "/state", LC_ALL="C.UTF-8")


def report(name, value, unit, target, ok):
    print(f"  {name:<58} {value:>12.2f} {unit:<8} target {target:<12} {'ok' if ok else 'MISSED'}", flush=True)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    db, cfg = TMP + "/brief.db", TMP + "/brief.yaml"
    with open(cfg, "w") as f:
        f.write(f"cache: {db}\nlog: {TMP}/mc.log\nsources: []\nwidgets:\n  - {{type: revenue, goal_usd: 500000}}\n")
    subprocess.run([MC, "-c", cfg, "snapshot"], env=ENV, capture_output=True)   # the schema
    now = datetime.now(timezone.utc).replace(microsecond=0)
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.executemany("INSERT INTO blockers (source, key, from_agent, description, context, created_at, resolved, state)"
                    " VALUES ('ops', ?, 'max', ?, 'ctx', ?, 0, 'open')",
                    ((f"b{i}", f"Blocker number {i} needs the owner", iso(now - timedelta(minutes=5 * i)))
                     for i in range(100_000)))
    con.executemany("INSERT INTO activity (source, key, ts, event_type, agent, status, details)"
                    " VALUES ('feed', ?, ?, 'handoff', 'dash', ?, 'details of the event')",
                    ((f"a{i}", iso(now - timedelta(seconds=31 * i + 7)), "error" if i % 50 == 0 else "ok")
                     for i in range(1_000_000)))
    con.executemany("INSERT INTO revenue (source, key, snapshot_date, total_ytd_usd, streams) VALUES (?, ?, ?, ?, '[]')",
                    ((s, d, d, 1000.0 * k + 7 * n) for s in ("stripe", "gumroad", "ads") for k in range(365)
                     for d in [(now - timedelta(days=k)).strftime("%Y-%m-%d")] for n in [365 - k]))
    con.executemany("INSERT INTO cron (source, key, job_id, name, schedule, enabled, last_run, last_status, consecutive_failures)"
                    " VALUES ('cron', ?, ?, ?, '0 * * * *', 1, ?, ?, ?)",
                    ((f"j{i}", f"j{i}", f"job {i}", iso(now - timedelta(minutes=i)), "failed" if i % 10 == 0 else "ok",
                      1 if i % 10 == 0 else 0) for i in range(50)))
    con.executemany("INSERT INTO usage (source, key, agent_id, date, model, total_cost_usd) VALUES ('ledger', ?, ?, ?, 'm', ?)",
                    ((f"u{k}-{a}", f"agent{a}", (now - timedelta(days=k)).strftime("%Y-%m-%d"), 0.5 * a + k % 7)
                     for k in range(365) for a in range(20)))
    con.executemany("INSERT INTO system (source, key, host, ts, cpu_pct, mem_pct, disk_pct, services) VALUES ('sys', ?, 'box', ?, 20, 40, 60, ?)",
                    ((f"s{i}", iso(now - timedelta(seconds=30 * i)), '[{"name":"db","up":true},{"name":"web","up":false}]')
                     for i in range(2000)))
    con.executemany("INSERT INTO alerts (source, key, rule, severity, title, detail, first_seen, last_seen, state)"
                    " VALUES ('sys', ?, 'r', ?, ?, '', ?, ?, ?)",
                    ((f"k{i}", ("info", "warn", "crit")[i % 3], f"alert {i}", iso(now - timedelta(hours=i)),
                      iso(now - timedelta(minutes=i)), "open" if i % 4 else "cleared") for i in range(500)))
    con.commit()
    con.close()
    for fmt in ("text", "json"):
        times = []
        for _ in range(9):
            t0 = time.perf_counter()
            r = subprocess.run([MC, "-c", cfg, "brief", "--format", fmt], env=ENV, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
            times.append((time.perf_counter() - t0) * 1000)
            assert r.returncode == 0, r.stderr
        t = statistics.median(times)
        report(f"mc brief --format {fmt} (100k blockers, 1M activity)", t, "ms", "< 50", t < 50)
    subprocess.run(["rm", "-rf", TMP])


if __name__ == "__main__":
    main()
