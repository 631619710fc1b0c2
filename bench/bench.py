#!/usr/bin/env python3
"""mc's benchmarks: each prints what it measured next to its target.
Run by `make bench`. Uses the real binary on generated data in a temp dir;
nothing here touches the network or the user's files."""
import json, os, random, re, resource, sqlite3, statistics, subprocess, sys, tempfile, time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
MC = os.path.abspath(os.path.join(BUILD, "mc"))
TMP = tempfile.mkdtemp(prefix="mc-bench-")
ENV = dict(os.environ, HOME=TMP, XDG_CONFIG_HOME=TMP + "/cfg", XDG_CACHE_HOME=TMP + "/cache",
           XDG_STATE_HOME=TMP + "/state", XDG_RUNTIME_DIR=TMP + "/run")
os.makedirs(TMP + "/run", exist_ok=True)
RESULTS = []


def report(name, value, unit, target, ok):
    RESULTS.append((name, value, unit, target, ok))
    print(f"  {name:<58} {value:>12.2f} {unit:<8} target {target:<12} {'ok' if ok else 'MISSED'}", flush=True)


def mc(*args, **kw):
    return subprocess.run([MC, *args], env=ENV, capture_output=True, text=True, **kw)


def write_config(path, body):
    with open(path, "w") as f:
        f.write(body)


def fetch_ms(cfg, source):
    r = mc("-c", cfg, "fetch", "--once", "--source", source)
    m = re.search(r"\((\d+) rows.*?, ([0-9.]+) ms\)", r.stderr)
    if r.returncode != 0 or not m:
        raise SystemExit(f"fetch failed: {r.stderr}")
    return int(m.group(1)), float(m.group(2))


def handoff_line(i):
    agents = ["max", "dash", "atlas", "coder", "scout"]
    action = i % 50 == 0
    return json.dumps({"id": f"h-{i:07d}", "ts": 1795000000 + i, "from": agents[i % 5],
                       "to": "apple" if action else "atlas", "type": "blocker" if action else "handoff",
                       "summary": f"Work item {i} finished by the collector",
                       "details": {"sources": i % 7, "duration_s": i % 90}, "action_needed": action})


def bench_ingest():
    print("engine: jsonl ingest")
    path = TMP + "/handoffs.jsonl"
    with open(path, "w") as f:
        for i in range(1_000_000):
            f.write(handoff_line(i) + "\n")
    cfg = TMP + "/ingest.yaml"
    write_config(cfg, f"cache: {TMP}/ingest.db\nretention: {{activity: {{rows: 0, age: 0s}}}}\n"
                      f"sources:\n  - id: handoffs\n    kind: jsonl\n    path: {path}\n    timeout: 10m\n")
    t0 = time.perf_counter()
    rows, ms = fetch_ms(cfg, "handoffs")
    wall = time.perf_counter() - t0
    report("ingest 1,000,000 handoff lines (lines/s, fetch time)", 1_000_000 / (ms / 1000), "lines/s", ">= 200000", 1_000_000 / (ms / 1000) >= 200000)
    print(f"    ({rows} rows written in {ms} ms; whole command {wall:.2f} s)")
    times = []
    for k in range(5):
        with open(path, "a") as f:
            for i in range(10):
                f.write(handoff_line(2_000_000 + k * 10 + i) + "\n")
        rows, ms = fetch_ms(cfg, "handoffs")
        times.append(ms)
    report("refresh after appending 10 lines (median of 5)", statistics.median(times), "ms", "< 5", statistics.median(times) < 5)


def bench_snapshot():
    print("engine: snapshot")
    db = TMP + "/big.db"
    cfg = TMP + "/big.yaml"
    write_config(cfg, f"cache: {db}\nsources: []\n")
    mc("-c", cfg, "snapshot")  # creates the schema
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.executemany("INSERT INTO blockers (source, key, from_agent, description, context, created_at, resolved, state)"
                    " VALUES ('ops', ?, 'max', ?, 'ctx', ?, 0, 'open')",
                    ((f"b{i}", f"Blocker number {i} needs the owner", f"2026-11-{1 + i % 28:02d}T10:00:00Z")
                     for i in range(100_000)))
    con.executemany("INSERT INTO activity (source, key, ts, event_type, agent, status, details)"
                    " VALUES ('feed', ?, ?, 'handoff', 'dash', 'ok', 'details of the event')",
                    ((f"a{i}", f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z") for i in range(1_000_000)))
    con.commit()
    con.close()
    times = []
    for _ in range(7):
        t0 = time.perf_counter()
        r = subprocess.run([MC, "-c", cfg, "snapshot", "--json", "--dataset", "blockers"], env=ENV,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.returncode == 0, r.stderr
    report("snapshot --json --dataset blockers (100k blockers, 1M activity)", statistics.median(times), "ms", "< 50", statistics.median(times) < 50)


def peak_rss_kb(args):
    """Peak RSS of one run of mc, as GNU time reports it. (A child's own
    rusage would not do: Linux charges a forked child's pre-exec size, the
    size of this Python process, to its ru_maxrss.)"""
    r = subprocess.run(["/usr/bin/time", "-f", "%M", MC, *args], env=ENV,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(r.stderr.strip().splitlines()[-1]), r.returncode


def bench_rss():
    print("engine: memory")
    peak, rc = peak_rss_kb(["--demo", "fetch", "--once"])
    if rc != 0:
        print(f"    demo fetch exited {rc}")
    report("peak RSS of mc --demo fetch --once", peak / 1024, "MB", "< 15", peak / 1024 < 15)


def bench_watch():
    print("engine: file watch")
    path = TMP + "/watched.jsonl"
    with open(path, "w") as f:
        f.write(handoff_line(0) + "\n")
    db = TMP + "/watch.db"
    cfg = TMP + "/watch.yaml"
    write_config(cfg, f"cache: {db}\nretention: {{activity: {{age: 0s, rows: 0}}}}\n"
                      f"sources:\n  - id: handoffs\n    kind: jsonl\n    path: {path}\n    every: 1h\n")
    d = subprocess.Popen([MC, "-c", cfg, "fetch", "--daemon"], env=ENV, stderr=subprocess.DEVNULL)
    try:
        con = None
        end = time.time() + 10
        while time.time() < end:
            try:
                con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
                if con.execute("SELECT count(*) FROM activity").fetchone()[0] >= 1:
                    break
            except sqlite3.Error:
                pass
            time.sleep(0.01)
        lat = []
        for k in range(20):
            key = f"h-{9_000_000 + k:07d}"
            with open(path, "a") as f:
                f.write(handoff_line(9_000_000 + k) + "\n")
                f.flush()
                t0 = time.perf_counter()
            while time.perf_counter() - t0 < 5:
                if con.execute("SELECT 1 FROM activity WHERE key = ?", (key,)).fetchone():
                    lat.append((time.perf_counter() - t0) * 1000)
                    break
                time.sleep(0.001)
        if lat:
            report("append to a watched file -> row in the cache (median of 20)", statistics.median(lat), "ms", "< 200", statistics.median(lat) < 200)
            report("  the slowest of the 20", max(lat), "ms", "< 200", max(lat) < 200)
    finally:
        d.terminate()
        d.wait()


def main():
    if not os.path.exists(MC):
        raise SystemExit(f"{MC} not built")
    print(f"mc benchmarks ({MC}; temp {TMP})")
    bench_rss()
    bench_ingest()
    bench_watch()
    bench_snapshot()
    here = os.path.dirname(os.path.abspath(__file__))
    print("write-back:")
    subprocess.run([sys.executable, os.path.join(here, "bench_more.py"), BUILD, TMP], env=ENV)
    print("team back-ends:")
    subprocess.run([sys.executable, os.path.join(here, "bench_team.py"), BUILD], env=ENV)
    pg = os.path.join(here, "bench_pg.sh")
    if os.path.exists(pg):
        subprocess.run(["bash", pg, BUILD], env=ENV)
    subprocess.run([sys.executable, os.path.join(here, "bench_ui.py"), BUILD, TMP], env=ENV)
    subprocess.run([sys.executable, os.path.join(here, "bench_footprint.py"), BUILD, TMP], env=ENV)
    subprocess.run([sys.executable, os.path.join(here, "bench_serve.py"), BUILD, TMP], env=ENV)
    print("revenue presets (issue 9):")
    subprocess.run([sys.executable, os.path.join(here, "bench_revenue.py"), BUILD, TMP], env=ENV)
    print("agent gateway preset and the health pane's builds (issue 9):")
    subprocess.run([sys.executable, os.path.join(here, "bench_agents.py"), BUILD, TMP], env=ENV)
    subprocess.run([sys.executable, os.path.join(here, "bench_alerts.py"), BUILD, TMP], env=ENV)
    subprocess.run([sys.executable, os.path.join(here, "bench_brief.py"), BUILD, TMP], env=ENV)
    print("data (export, backup):")
    subprocess.run([sys.executable, os.path.join(here, "bench_data.py"), BUILD], env=ENV)
    subprocess.run(["rm", "-rf", TMP])
    missed = [r for r in RESULTS if not r[4]]
    print(f"{len(RESULTS) - len(missed)} of {len(RESULTS)} engine targets met")


if __name__ == "__main__":
    main()
