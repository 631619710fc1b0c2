#!/usr/bin/env python3
"""The openclaw_sessions preset on a big gateway listing (issue 9): 20,000
sessions of 100 agents over 60 days (`command: [cat, FILE]` instead of the
gateway CLI) into agents and usage (6,100 rows, grouped and costed), the
whole `mc fetch --once`, median of 3; then the health pane's query (the
newest build/deploy row per source) on 100,000 activity rows in mc's cache.
Usage: bench_agents.py BUILD [TMPDIR]"""
import json, os, sqlite3, statistics, subprocess, sys, tempfile, time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
TMP = sys.argv[2] if len(sys.argv) > 2 else tempfile.mkdtemp(prefix="mc-bench-agents-")
MC = os.path.abspath(os.path.join(BUILD, "mc"))
HOME = TMP + "/agentshome"
ENV = dict(os.environ, HOME=HOME, XDG_CONFIG_HOME=HOME + "/cfg", XDG_CACHE_HOME=HOME + "/cache",
           XDG_STATE_HOME=HOME + "/state")
os.makedirs(HOME, exist_ok=True)


def line(name, value, unit, target, ok):
    print(f"  {name:<58} {value:>12.2f} {unit:<8} target {target:<12} {'ok' if ok else 'MISSED'}", flush=True)


def sessions_fetch():
    now = int(time.time() * 1000)
    sessions = [{"key": "agent:a%d:s%d" % (i % 100, i), "updatedAt": now - (i // 100) % 60 * 86400000 - i,
                 "inputTokens": 1000 + i, "outputTokens": 100, "cacheReadTokens": 50, "totalTokens": 1150 + i,
                 "model": "claude-sonnet-4.5", "kind": "direct"} for i in range(20000)]
    listing = HOME + "/sessions.json"
    with open(listing, "w") as f:
        json.dump({"count": len(sessions), "sessions": sessions}, f)
    cfg = HOME + "/agents.yaml"
    with open(cfg, "w") as f:
        f.write(f"cache: {HOME}/agents.db\nlog: {HOME}/agents.log\n"
                "prices: {claude-sonnet-4.5: {input: 3, output: 15, cache_read: 0.3}}\n"
                f"sources:\n  - {{id: gw, preset: openclaw_sessions, command: [cat, {listing}], max_bytes: 64M,"
                " timeout: 60s}\n")
    times = []
    for _ in range(3):
        for ext in ("", "-wal", "-shm"):
            if os.path.exists(HOME + "/agents.db" + ext):
                os.unlink(HOME + "/agents.db" + ext)
        t0 = time.perf_counter()
        r = subprocess.run([MC, "-c", cfg, "fetch", "--once"], env=ENV, capture_output=True, text=True)
        times.append((time.perf_counter() - t0) * 1000)
        if r.returncode != 0 or "6100 rows" not in r.stderr:
            raise SystemExit("openclaw_sessions fetch failed: " + r.stderr)
    ms = statistics.median(times)
    line("openclaw_sessions: 20,000 sessions -> 6,100 rows (fetch --once)", ms, "ms", "< 1000", ms < 1000)
    return HOME + "/agents.db"


def health_query(db_path):
    db = sqlite3.connect(db_path)
    rows = [("src%d" % (i % 7), "k%d" % i, "2026-11-%02dT%02d:%02d:00Z" % (1 + i % 28, i % 24, i % 60),
             "build" if i % 500 == 0 else "handoff", "a", "ok", "x" * 80) for i in range(100000)]
    db.executemany("INSERT INTO activity (source, key, ts, event_type, agent, status, details)"
                   " VALUES (?,?,?,?,?,?,?)", rows)
    db.commit()
    q = ("SELECT source, status, event_type, max(ts) FROM activity WHERE event_type IN ('build', 'deploy')"
         " GROUP BY source ORDER BY source LIMIT 16")
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        db.execute(q).fetchall()
        times.append((time.perf_counter() - t0) * 1000)
    ms = statistics.median(times)
    line("health pane: newest build per source, 100,000 activity rows", ms, "ms", "< 5", ms < 5)


def main():
    if not os.path.exists(MC):
        raise SystemExit(f"{MC} not built")
    db = sessions_fetch()
    health_query(db)


if __name__ == "__main__":
    main()
