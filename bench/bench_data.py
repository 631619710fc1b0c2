#!/usr/bin/env python3
"""bench_data.py BUILD_DIR — the data lifecycle figures of `make bench`
(issue 11 "Measured"): `mc export` of 1,000,000 activity rows to CSV,
retention archiving 1,000,000 expired rows (time, and the longest a
concurrent writer waited for the write lock meanwhile), and
`mc backup` of a large cache (MC_BENCH_BACKUP_MB, default 1024) while a
writer commits small transactions, with the longest wait a concurrent UI-style
read (busy timeout 250 ms, as the dashboard's connection) saw meanwhile."""
import os, sqlite3, subprocess, sys, tempfile, threading, time

BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
MC = os.path.abspath(os.path.join(BUILD, "mc"))
TMP = tempfile.mkdtemp(prefix="mc-bench-data-")
ENV = dict(os.environ, HOME=TMP, XDG_CONFIG_HOME=TMP + "/cfg", XDG_CACHE_HOME=TMP + "/cache",
           XDG_STATE_HOME=TMP + "/state")


def report(name, value, unit, target, ok):
    print(f"  {name:<58} {value:>12.2f} {unit:<8} target {target:<12} {'ok' if ok else 'MISSED'}", flush=True)


def make_cache(db, cfg, rows, details):
    with open(cfg, "w") as f:
        f.write(f"cache: {db}\nsources: []\nbackup: {{dir: {TMP}/bk, keep: 2}}\n")
    subprocess.run([MC, "-c", cfg, "snapshot"], env=ENV, capture_output=True)   # the schema
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.executemany("INSERT INTO activity (source, key, ts, event_type, agent, status, details)"
                    " VALUES ('feed', ?, ?, 'handoff', 'dash', 'ok', ?)",
                    ((f"a{i}", f"2026-{1 + i % 11:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z",
                      details if i % 7 else 'with "quotes", commas,\nand a newline') for i in range(rows)))
    con.commit()
    con.close()


def bench_export():
    db, cfg = TMP + "/export.db", TMP + "/export.yaml"
    make_cache(db, cfg, 1_000_000, "details of the event")
    out = TMP + "/activity.csv"
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = subprocess.run([MC, "-c", cfg, "export", "--dataset", "activity", "-o", out], env=ENV,
                           capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        assert r.returncode == 0, r.stderr
    t = min(times)
    report("export 1,000,000 activity rows to CSV (-o FILE)", t, "s", "< 2", t < 2)
    os.unlink(out)
    os.unlink(db)


def bench_backup():
    mb = int(os.environ.get("MC_BENCH_BACKUP_MB", "1024"))
    db, cfg = TMP + "/big.db", TMP + "/big.yaml"
    rows = mb * 1024 * 1024 // 520
    make_cache(db, cfg, rows, "x" * 400)
    size = os.path.getsize(db) / 1e6
    stop = threading.Event()
    waits, commits = [], [0]

    def writer():   # a daemon's fetches: small transactions
        con = sqlite3.connect(db, timeout=5, isolation_level=None)
        n = 0
        while not stop.is_set():
            con.execute("BEGIN IMMEDIATE")
            for _ in range(50):
                con.execute("INSERT INTO activity (source, key, ts, details) VALUES ('w', ?, '2026-11-30T00:00:00Z', 'new')",
                            (f"w{n}",))
                n += 1
            con.execute("COMMIT")
            commits[0] += 1
            time.sleep(0.02)

    def reader():   # the dashboard's connection: 250 ms busy limit
        con = sqlite3.connect(db, timeout=0.25)
        while not stop.is_set():
            t0 = time.perf_counter()
            con.execute("SELECT key, ts FROM activity ORDER BY rowid DESC LIMIT 50").fetchall()
            waits.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.01)

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    t0 = time.perf_counter()
    r = subprocess.run([MC, "-c", cfg, "backup"], env=ENV, capture_output=True, text=True)
    took = time.perf_counter() - t0
    stop.set()
    for t in threads:
        t.join()
    assert r.returncode == 0, r.stderr
    report(f"backup of a {size:,.0f} MB cache while a writer commits", took, "s", "(time)", True)
    report("  longest UI read meanwhile", max(waits), "ms", "< 250", max(waits) < 250)
    report("  writer commits during the backup", commits[0], "commits", "> 0", commits[0] > 0)


def bench_archive():
    db, cfg = TMP + "/arch.db", TMP + "/arch.yaml"
    make_cache(db, cfg, 1_001_000, "details of the event")
    with open(TMP + "/e.jsonl", "w"):
        pass
    with open(cfg, "w") as f:
        f.write(f"cache: {db}\nretention:\n  activity: {{rows: 1000, archive: {TMP}/archive}}\n"
                f"sources:\n  - {{id: e, kind: jsonl, path: {TMP}/e.jsonl}}\n")
    stop = threading.Event()
    waits = []

    def writer():   # what a fetch or a resolve does meanwhile: short write transactions
        con = sqlite3.connect(db, timeout=10, isolation_level=None)
        n = 0
        while not stop.is_set():
            t0 = time.perf_counter()
            con.execute("BEGIN IMMEDIATE")
            waits.append((time.perf_counter() - t0) * 1000)
            con.execute("INSERT INTO audit (source, key, ts) VALUES ('b', ?, '2026-11-30T00:00:00Z')", (f"w{n}",))
            con.execute("COMMIT")
            n += 1
            time.sleep(0.005)

    t = threading.Thread(target=writer)
    t.start()
    t0 = time.perf_counter()
    r = subprocess.run([MC, "-c", cfg, "fetch", "--once"], env=ENV, capture_output=True, text=True)
    took = time.perf_counter() - t0
    stop.set()
    t.join()
    assert r.returncode == 0, r.stderr
    left = sqlite3.connect(db).execute("SELECT count(*) FROM activity").fetchone()[0]
    assert left == 1000, left
    report("archive 1,000,000 expired rows (gzip NDJSON, then delete)", took, "s", "(time)", True)
    report("  longest wait for the write lock meanwhile", max(waits), "ms", "< 250", max(waits) < 250)
    subprocess.run(["rm", "-rf", TMP + "/archive", db])


if __name__ == "__main__":
    bench_export()
    bench_archive()
    if os.environ.get("MC_BENCH_SKIP_BACKUP") != "1":
        bench_backup()
    subprocess.run(["rm", "-rf", TMP])
