#!/usr/bin/env bash
# bench_pg.sh — the LISTEN/NOTIFY benchmark of `make bench` (bench.py runs it
# when it exists): how long an INSERT into PostgreSQL takes to show up in
# mc's cache when the source polls only every hour, so NOTIFY does all the
# work. A throw-away server from tests/pg_lib.sh (initdb in a temp dir, Unix
# socket only), examples/postgres/schema.sql applied, `mc fetch --daemon`
# on a postgres source with `listen: [mc_changes]` and a blockers query.
# Then 200 times: one INSERT through a single psql session (autocommit), its
# commit taken as the moment psql acknowledges it, and the cache SQLite file
# polled read-only every ~1 ms until the row's key is there.
# Prints the median and p99 in bench.py's line format; exit status 1 when a
# target is missed, 2 when the benchmark could not run, 77 without PostgreSQL.
#
# Usage: bench/bench_pg.sh [BUILD_DIR]   (default "build")
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=${1:-build}
export MC
MC=$(cd "$BUILD" 2>/dev/null && pwd)/mc
[ -x "$MC" ] || { echo "bench_pg: $BUILD/mc not built" >&2; exit 2; }
export MC_TESTS_DIR="$HERE/../tests"
N=${MC_BENCH_PG_N:-200}

echo "team back-ends: PostgreSQL LISTEN/NOTIFY"
. "$MC_TESTS_DIR/lib.sh"        # $T, private HOME, wait_until, on_exit
. "$MC_TESTS_DIR/pg_lib.sh"     # pg_start/pg_psql; stopped at exit; exits 77 (SKIP) without initdb

pg_start >/dev/null || { echo "bench_pg: cannot start PostgreSQL" >&2; exit 2; }
pg_psql -f "$HERE/../examples/postgres/schema.sql" >/dev/null || exit 2
pg_psql -c "insert into needs_apple (id, from_agent, description)
            select g, 'max', 'seed blocker ' || g from generate_series(1, 50) g" || exit 2

export TEAMDB_URL="$PG_CONNINFO"
cat >"$T/mc.yaml" <<YAML
cache: $T/cache.db
sources:
  - id: teamdb
    kind: postgres
    conninfo_env: TEAMDB_URL
    every: 1h
    listen: [mc_changes]
    queries:
      blockers: >-
        select id::text as key, from_agent, description, context, created_at,
               resolved, resolved_at, resolved_by, note
        from needs_apple
YAML
"$MC" -c "$T/mc.yaml" fetch --daemon 2>"$T/daemon.err" &
DPID=$!
on_exit "kill $DPID 2>/dev/null; wait $DPID 2>/dev/null"

# Ready: the first fetch is in the cache and the listener has run LISTEN.
seeded() {
    python3 - "$T/cache.db" <<'PY' 2>/dev/null
import sqlite3, sys
con = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
n = con.execute("select count(*) from blockers where source = 'teamdb'").fetchone()[0]
sys.exit(0 if n == 50 else 1)
PY
}
listening() {
    [ "$(pg_val "select count(*) from pg_stat_activity
                 where query like 'LISTEN %' and state = 'idle'")" = 1 ]
}
wait_until 20 seeded || { echo "bench_pg: first fetch not in the cache:" >&2; cat "$T/daemon.err" >&2; exit 2; }
wait_until 20 listening || { echo "bench_pg: mc does not LISTEN:" >&2; cat "$T/daemon.err" >&2; exit 2; }

python3 - "$T/cache.db" "$N" "$PGBIN/psql" "$PGROOT" <<'PY'
import math, os, select, sqlite3, statistics, subprocess, sys, time

db, n, psql, host = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
sess = subprocess.Popen([psql, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", host,
                         "-U", "postgres", "-d", "mc"],
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
out = sess.stdout.fileno()
con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, isolation_level=None)
FIRST, LIMIT = 1000, 5.0


def present(key):
    return con.execute("select 1 from blockers where source = 'teamdb' and key = ?",
                       (key,)).fetchone() is not None


lat, rtt, from_send = [], [], []
try:
    for i in range(n):
        key = str(FIRST + i)
        sql = ("insert into needs_apple (id, from_agent, description) values (%s, 'bench',"
               " 'bench row %s') returning id;\n" % (key, key)).encode()
        t_send = time.perf_counter()
        sess.stdin.write(sql)
        t_commit = t_vis = None
        buf = b""
        # One loop: select() on psql's output doubles as the ~1 ms poll sleep,
        # so the commit acknowledgement is timed when it arrives.
        while t_vis is None or t_commit is None:
            now = time.perf_counter()
            if now - t_send > LIMIT:
                raise SystemExit("bench_pg: row %s not in the cache after %.0f s" % (key, LIMIT))
            if t_commit is None and select.select([out], [], [], 0.001)[0]:
                chunk = os.read(out, 4096)
                if not chunk:
                    raise SystemExit("bench_pg: psql ended")
                buf += chunk
                if b"\n" in buf:
                    t_commit = time.perf_counter()
                    if buf.strip() != key.encode():
                        raise SystemExit("bench_pg: psql said %r" % buf)
            elif t_commit is not None:
                time.sleep(0.001)
            if t_vis is None and present(key):
                t_vis = time.perf_counter()
        lat.append(max(0.0, t_vis - t_commit) * 1000)
        from_send.append((t_vis - t_send) * 1000)
        rtt.append((t_commit - t_send) * 1000)
finally:
    sess.stdin.close()
    sess.wait(timeout=10)


def p99(xs):
    return sorted(xs)[math.ceil(0.99 * len(xs)) - 1]


def line(name, value, unit, target, ok):
    print(f"  {name:<58} {value:>12.2f} {unit:<8} target {target:<12} {'ok' if ok else 'MISSED'}",
          flush=True)


med, p = statistics.median(lat), p99(lat)
line("INSERT + NOTIFY to the row in the cache (median of %d)" % n, med, "ms", "< 100 ms", med < 100)
line("INSERT + NOTIFY to the row in the cache (p99 of %d)" % n, p, "ms", "< 250 ms", p < 250)
print("    (from the INSERT's commit, as psql acknowledges it, to its key in the cache file, polled"
      " every ~1 ms; min %.2f, max %.2f ms)" % (min(lat), max(lat)))
print("    (from sending the INSERT: median %.2f ms; the INSERT's own round trip: median %.2f ms)"
      % (statistics.median(from_send), statistics.median(rtt)))
sys.exit(0 if med < 100 and p < 250 else 1)
PY
rc=$?
kill "$DPID" 2>/dev/null
wait "$DPID" 2>/dev/null
exit $rc
