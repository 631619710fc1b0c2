#!/usr/bin/env python3
"""bench_team.py - the team back-end benchmark of `make bench`: a 10,000-row
PostgREST table (tests/fake_postgrest.py on 127.0.0.1, pages of 1,000 by
Range) paged into the cache by `mc fetch --once`. Target: < 1 s.

Usage: bench_team.py [BUILD_DIR]   (default "build"). Prints one line per
figure in bench.py's format; exit status 1 when a target is missed."""
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = sys.argv[1] if len(sys.argv) > 1 else "build"
MC = os.path.abspath(os.path.join(BUILD, "mc"))
FAKE = os.path.join(HERE, "..", "tests", "fake_postgrest.py")
ROWS, RUNS = 10_000, 5


def main():
    tmp = tempfile.mkdtemp(prefix="mc-bench-team-")
    env = dict(os.environ, HOME=tmp, XDG_CONFIG_HOME=tmp + "/cfg", XDG_CACHE_HOME=tmp + "/cache",
               XDG_STATE_HOME=tmp + "/state", XDG_RUNTIME_DIR=tmp)
    fake = subprocess.Popen([sys.executable, FAKE, "--gen", "agent_usage:%d" % ROWS, "--apikey", "bench-key"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port = int(fake.stdout.readline())
        with open(tmp + "/key", "w") as f:
            f.write("bench-key\n")
        times, walls = [], []
        for run in range(RUNS):
            cfg = "%s/mc%d.yaml" % (tmp, run)
            with open(cfg, "w") as f:       # a fresh cache each run: every row is new
                f.write(f"cache: {tmp}/cache{run}.db\nretention: {{usage: {{rows: 0, age: 0s}}}}\n"
                        f"sources:\n  - id: supa\n    kind: postgrest\n    url: http://127.0.0.1:{port}\n"
                        f"    apikey_file: {tmp}/key\n    tables:\n"
                        f"      usage: {{table: agent_usage, order: id.asc, page_size: 1000}}\n")
            t0 = time.perf_counter()
            r = subprocess.run([MC, "-c", cfg, "fetch", "--once", "--source", "supa"], env=env,
                               capture_output=True, text=True)
            walls.append(time.perf_counter() - t0)
            m = re.search(r"\((\d+) rows.*?, ([0-9.]+) ms\)", r.stderr)
            if r.returncode != 0 or not m or int(m.group(1)) < ROWS:
                raise SystemExit(f"fetch failed: {r.stderr.strip()}")
            times.append(float(m.group(2)))
        med, wall = statistics.median(times), statistics.median(walls)
        ok = wall < 1.0
        print("team back-ends: PostgREST paging")
        print(f"  {'10,000-row PostgREST table paged into the cache (whole fetch)':<58} {wall * 1000:>12.2f} "
              f"{'ms':<8} target {'< 1000 ms':<12} {'ok' if ok else 'MISSED'}", flush=True)
        print(f"    (median of {RUNS} runs; fetch itself {med:.0f} ms for {ROWS} rows in "
              f"{ROWS // 1000} pages, {ROWS / (med / 1000 or 1e-3):,.0f} rows/s)")
        return 0 if ok else 1
    finally:
        fake.stdin.close()
        fake.terminate()
        fake.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
