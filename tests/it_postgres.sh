#!/usr/bin/env bash
# The `postgres` source against a real PostgreSQL server started here
# (tests/pg_lib.sh: initdb in a temp dir, Unix socket only, unprivileged user
# when run as root). Covers: examples/postgres/schema.sql applies (twice);
# every dataset is read with the right types; an INSERT/UPDATE/DELETE reaches
# the cache through NOTIFY while `every` is 1h; resolve and unresolve change
# exactly that row; a resolve of a vanished row fails plainly; SQL mistakes
# show in the source's status; the server restarted under a running
# `mc fetch --daemon` shows as an outage and then recovers by itself; the
# password in the connection string never shows up anywhere.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pg_lib.sh"
SRC=${MC_SRC_DIR:-$TESTS_DIR/..}
PW=pw-Zq8x71-secret

pg_start || { echo "FAIL: cannot start PostgreSQL" >&2; exit 1; }
check "schema.sql applies" pg_psql -f "$SRC/examples/postgres/schema.sql"
check "schema.sql applies a second time (idempotent)" pg_psql -f "$SRC/examples/postgres/schema.sql"
check "seed rows" pg_psql -f "$TESTS_DIR/fixtures/pg/seed.sql"

export TEAMDB_URL="$PG_CONNINFO password=$PW"
cat > "$T/mc.yaml" <<YAML
owner: Apple
user: tester
cache: $T/cache.db
retention:
  activity: {age: 36500d}
  system: {age: 36500d}
sources:
  - id: teamdb
    kind: postgres
    conninfo: \${TEAMDB_URL}
    every: 1h
    listen: [mc_changes]
    queries:
      blockers: >-
        select id::text as key, from_agent, description, context, created_at,
               resolved, resolved_at, resolved_by, note
        from needs_apple
      activity: >-
        select id::text as key, ts, event_type, agent, status, details
        from activity_events order by ts desc limit 500
      revenue: >-
        select snapshot_date::text as key, snapshot_date, total_ytd_usd,
               projected_annual_usd, streams
        from revenue_snapshots order by snapshot_date desc limit 30
      usage: >-
        select agent_id || '/' || date as key, agent_id, date, model,
               input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
               total_cost as total_cost_usd, message_count, 'ignored' as no_such_field
        from agent_usage
      cron: >-
        select job_id as key, job_id, name, schedule, enabled, last_run, last_status,
               last_duration_ms, next_run, consecutive_failures
        from cron_jobs
      system: >-
        select distinct on (host) host as key, host, ts, cpu_pct, mem_pct, disk_pct,
               load1, health_score, services
        from system_metrics order by host, ts desc
    resolve: >-
      update needs_apple set resolved = true, resolved_at = now(), note = \$2,
             resolved_by = \$3 where id::text = \$1
    unresolve: >-
      update needs_apple set resolved = false, resolved_at = null, resolved_by = null
      where id::text = \$1
  - id: badtable
    kind: postgres
    conninfo_env: TEAMDB_URL
    enabled: false
    queries: {activity: "select 1 as key from no_such_table"}
  - id: nokey
    kind: postgres
    conninfo_env: TEAMDB_URL
    enabled: false
    queries: {activity: "select 'x' as event_type"}
  - id: slow
    kind: postgres
    conninfo_env: TEAMDB_URL
    enabled: false
    timeout: 1s
    queries: {activity: "select 1 as key from pg_sleep(30)"}
  - id: big
    kind: postgres
    conninfo_env: TEAMDB_URL
    enabled: false
    max_rows: 2
    queries: {activity: "select g::text as key from generate_series(1, 1000) g"}
  - id: multi
    kind: postgres
    conninfo_env: TEAMDB_URL
    enabled: false
    queries: {blockers: "select id::text as key, description from needs_apple"}
    resolve: >-
      update needs_apple set note = \$2
      where from_agent = (select from_agent from needs_apple where id::text = \$1)
  - id: deadsrv
    kind: postgres
    conninfo: "host=$T/nowhere user=postgres dbname=mc password=$PW"
    enabled: false
    queries: {activity: "select 1 as key"}
YAML
mcq() { "$MC" -c "$T/mc.yaml" "$@"; }
snap() { mcq snapshot --json >"$T/snap.json" 2>"$T/snap.err"; }
# pyq EXPR: evaluates a Python condition with `d` = the snapshot (exit status)
pyq() { snap && python3 - "$T/snap.json" "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
src = {s["id"]: s for s in d["sources"]}
blk = {b["key"]: b for b in d["blockers"] if b["source"] == "teamdb"}
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}

# ---- read every dataset ------------------------------------------------------
mcq fetch --once --source teamdb 2>"$T/once.err"; rc=$?
check "fetch --once exits 0" [ $rc -eq 0 ]
grep -q '^teamdb: ok (10 rows' "$T/once.err" && ok "10 rows read" || fail "rows read: $(cat "$T/once.err")"
snap
check "every dataset has the right rows and types" python3 - "$T/snap.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
def mine(name): return [r for r in d[name] if r["source"] == "teamdb"]
b = {r["key"]: r for r in mine("blockers")}
assert set(b) == {"1", "2", "3"}, b
assert b["1"]["created_at"] == "2026-11-21T14:03:00Z", b["1"]
assert b["1"]["resolved"] is False and b["1"]["state"] == "open" and b["1"]["context"] == "contract.pdf"
assert b["2"]["resolved"] is True and b["2"]["state"] == "resolved" and b["2"]["context"] is None
assert b["2"]["resolved_at"] == "2026-11-20T10:00:00Z" and b["2"]["resolved_by"] == "apple"
assert b["3"]["created_at"] == "2026-11-21T13:30:00Z" and b["3"]["description"] == "Pick a logo — ✨ v2"
a = mine("activity")
assert len(a) == 2 and {x["event_type"] for x in a} == {"deploy", "handoff"}, a
assert any(x["ts"] == "2026-11-21T14:05:00Z" and x["agent"] == "max" for x in a)
r = mine("revenue")
assert len(r) == 1 and r[0]["total_ytd_usd"] == 412345.67 and r[0]["projected_annual_usd"] == 500000
assert r[0]["snapshot_date"] == "2026-11-21" and [s["name"] for s in r[0]["streams"]] == ["sponsors", "affiliate"]
u = mine("usage")
assert len(u) == 1 and u[0]["input_tokens"] == 1000 and u[0]["cache_write_tokens"] == 10, u
assert abs(u[0]["total_cost_usd"] - 0.012345) < 1e-9 and u[0]["message_count"] == 7 and u[0]["date"] == "2026-11-21"
c = {x["job_id"]: x for x in mine("cron")}
assert c["morning-brief"]["enabled"] is True and c["morning-brief"]["last_duration_ms"] == 4200
assert c["morning-brief"]["next_run"] == "2026-11-22T07:00:00Z"
assert c["backup"]["enabled"] is False and c["backup"]["consecutive_failures"] == 3 and c["backup"]["next_run"] is None
s = mine("system")
assert len(s) == 1 and s[0]["host"] == "ops1" and s[0]["cpu_pct"] == 12.5 and s[0]["health_score"] == 93, s
assert s[0]["services"][0] == {"name": "api", "up": True, "detail": "200"} and s[0]["services"][1]["up"] is False
PY

# ---- mistakes show plainly -----------------------------------------------------
mcq fetch --once --source badtable 2>"$T/bad.err"
check "a bad query fails with the server's message" \
  grep -q 'badtable: error: query for activity: relation "no_such_table" does not exist' "$T/bad.err"
mcq fetch --once --source nokey 2>"$T/nokey.err"
check "a query without a key column is named" grep -q "nokey: error: query for activity returns no 'key' column" "$T/nokey.err"
mcq fetch --once --source deadsrv 2>"$T/dead.err"
check "no server: cannot connect, server down?" grep -q "deadsrv: error: cannot connect: .*(server down?)" "$T/dead.err"

mcq fetch --once --source slow 2>"$T/slow.err"
check "a slow query is stopped at the source's timeout" grep -E -q "slow: error: (timed out after 1000 ms|query for activity: canceling statement due to statement timeout)" "$T/slow.err"
mcq fetch --once --source big 2>"$T/big.err"
check "too many rows is an error, not a memory hog" grep -q "big: error: query for activity returns more than 2 rows" "$T/big.err"

# ---- resolve -----------------------------------------------------------------------
others() { pg_val "select md5(string_agg(t::text, ',' order by id)) from needs_apple t where id <> $1"; }
before=$(others 1)
mcq resolve teamdb:1 --note hi >"$T/res.out" 2>"$T/res.err"; rc=$?
check "mc resolve exits 0" [ $rc -eq 0 ]
check "the row is resolved with note and by" \
  [ "$(pg_val "select resolved, note, resolved_by, resolved_at is not null from needs_apple where id = 1")" = "t|hi|tester|t" ]
check "no other row changed" [ "$(others 1)" = "$before" ]
mcq resolve --undo teamdb:1 >/dev/null 2>"$T/undo.err"; rc=$?
check "unresolve exits 0" [ $rc -eq 0 ]
check "unresolve ran the unresolve statement" \
  [ "$(pg_val "select resolved, resolved_by is null from needs_apple where id = 1")" = "f|t" ]
mcq fetch --once --source multi 2>/dev/null
before=$(others 0)
mcq resolve multi:1 --note many >/dev/null 2>"$T/multi.err"; rc=$?
check "a resolve statement matching two rows fails" [ $rc -eq 1 ]
check "... and says so" grep -q "the statement matched 2 rows for key 1; nothing was changed" "$T/multi.err"
check "... and changed nothing" [ "$(others 0)" = "$before" ]
pg_psql -c "delete from needs_apple where id = 3"
mcq resolve teamdb:3 >/dev/null 2>"$T/gone.err"; rc=$?
check "resolving a vanished row fails" [ $rc -eq 1 ]
check "... saying no row matched" grep -q "no row matched key 3" "$T/gone.err"

# ---- NOTIFY under a running daemon ------------------------------------------------------
"$MC" -c "$T/mc.yaml" fetch --daemon 2>"$T/daemon.err" &
DPID=$!
on_exit "kill $DPID 2>/dev/null; wait $DPID 2>/dev/null"
check "daemon: first fetch done" wait_until 20 pyq 'src["teamdb"]["ok"] and "3" not in blk'
id=$(pg_val "insert into needs_apple (from_agent, description) values ('max', 'Sign the lease') returning id")
check "INSERT reaches the cache by NOTIFY (every is 1h)" wait_until 10 pyq "blk.get('$id', {}).get('description') == 'Sign the lease'"
pg_psql -c "update needs_apple set description = 'Sign the new lease' where id = $id"
check "UPDATE reaches the cache by NOTIFY" wait_until 10 pyq "blk['$id']['description'] == 'Sign the new lease'"
pg_psql -c "delete from needs_apple where id = $id"
check "DELETE reaches the cache by NOTIFY" wait_until 10 pyq "'$id' not in blk"
pg_psql -c "insert into system_metrics (host, cpu_pct, health_score) values ('ops2', 5, 99)"
check "another table's NOTIFY refreshes its dataset" \
  wait_until 10 pyq 'any(s["host"] == "ops2" for s in d["system"] if s["source"] == "teamdb")'

# ---- the server goes away and comes back ---------------------------------------------
pg_stop
check "the outage shows in the source status" \
  wait_until 20 pyq 'not src["teamdb"]["ok"] and "cannot connect" in src["teamdb"]["last_error"]'
check "the rows read before the outage are kept" pyq '"1" in blk and "2" in blk'
pg_start || fail "restart the server"
check "recovers by itself after the restart" wait_until 60 pyq 'src["teamdb"]["ok"]'
id=$(pg_val "insert into needs_apple (from_agent, description) values ('ivy', 'After the restart') returning id")
check "NOTIFY works again after the restart (re-LISTEN)" wait_until 10 pyq "'$id' in blk"

kill $DPID 2>/dev/null
wait_until 10 sh -c "! kill -0 $DPID 2>/dev/null"
check "daemon stops on SIGTERM" sh -c "! kill -0 $DPID 2>/dev/null"

# ---- the password never shows --------------------------------------------------------------
leaks=$(grep -rl -a --exclude=mc.yaml -e "$PW" "$T" 2>/dev/null)
check "the password is in no output, log or cache file${leaks:+: $leaks}" [ -z "$leaks" ]
finish
