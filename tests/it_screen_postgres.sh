#!/usr/bin/env bash
# Screen test: the dashboard on a `postgres` source (every: 1h, listen:
# [mc_changes]) against a real, throw-away PostgreSQL server (pg_lib.sh).
# (a) an INSERT into needs_apple shows in the Blockers pane at once: with an
# hour between polls only NOTIFY can bring it; (b) the server stopped under
# the running mc: the Blockers border gets the failing mark, `e` names the
# source and "cannot connect", and the rows read before stay on screen;
# (c) the server started again: the mark goes by itself and a row inserted
# after the restart shows up (the listener LISTENs again).
. "$MC_TESTS_DIR/screen_lib.sh"
SRC=${MC_SRC_DIR:-$MC_TESTS_DIR/..}

# pg_lib.sh needs wait_until and on_exit (lib.sh's); screen_lib.sh owns the
# EXIT trap, so the server's cleanup is chained in front of it.
wait_until() {
    local limit=$1 end
    shift
    end=$(($(date +%s%N) / 1000000 + limit * 1000))
    while [ $(($(date +%s%N) / 1000000)) -lt $end ]; do
        "$@" && return 0
        sleep 0.05
    done
    return 1
}
PG_CLEANUP=""
on_exit() { PG_CLEANUP="$1; $PG_CLEANUP"; }
trap 't kill-server >/dev/null 2>&1; eval "$PG_CLEANUP"; cleanup' EXIT
. "$MC_TESTS_DIR/pg_lib.sh"

pg_start || fail "cannot start PostgreSQL"
pg_psql -f "$SRC/examples/postgres/schema.sql" >/dev/null || fail "schema.sql does not apply"
pg_psql -c "insert into needs_apple (from_agent, description) values
              ('max', 'Approve the sponsor deal'), ('ivy', 'Pick the launch date');
            insert into activity_events (event_type, agent, status, details)
              values ('deploy', 'vercel', 'READY', 'site-zx41 deployed')" \
    || fail "cannot seed the tables"

export TEAMDB_URL="$PG_CONNINFO"
mkdir -p "$LAYOUTS"
cat >"$LAYOUTS/pgtest.yaml" <<'YAML'
rows:
  - size: 3*
    widget: blockers
  - size: 2*
    widget: activity
YAML
cat >"$WORK/mc.yaml" <<YAML
owner: Apple
user: apple
cache: "$WORK/cache.db"
layout: pgtest
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
      activity: >-
        select id::text as key, ts, event_type, agent, status, details
        from activity_events order by ts desc limit 500
widgets:
  - {type: blockers}
  - {type: activity}
YAML

# The listener's connection has run its LISTEN (pg_stat_activity shows a
# backend's last statement).
listening() {
    [ "$(pg_val "select count(*) from pg_stat_activity
                 where query like 'LISTEN %' and state = 'idle'" 2>/dev/null)" = 1 ]
}
blockers_border() { line_with "1 Blockers"; }
failing() { blockers_border | grep -qF '! '; }

start_shell 120 40
run_mc -c "$WORK/mc.yaml"
wait_for "Approve the sponsor deal" 15
wait_for "Pick the launch date" 5
wait_for "site-zx41 deployed" 5
wait_for "Needs Apple · 2" 5
failing && fail "failing mark before anything failed"
wait_cond listening 15 "mc LISTENs on mc_changes"

# ---- (a) NOTIFY reaches the screen, though the next poll is an hour away ----
pg_psql -c "insert into needs_apple (from_agent, description) values ('max', 'Sign the warehouse lease')" \
    || fail "insert"
wait_for "Sign the warehouse lease" 15
wait_for "Needs Apple · 3" 5

# ---- (b) the server goes away under the running mc -----------------------------
pg_stop
wait_cond failing 15 "the Blockers border shows the failing mark after the server stopped"
wait_for "Sign the warehouse lease" 2          # the last good rows stay
wait_for "Approve the sponsor deal" 2
keys 1 e
wait_for "Blockers: sources" 5
wait_for "teamdb (postgres" 5
wait_for "FAILING" 5
wait_for "cannot connect" 5
keys Escape
wait_gone "Blockers: sources" 5
wait_for "Sign the warehouse lease" 2

# ---- (c) the server comes back: the pane recovers by itself --------------------
pg_start || fail "cannot restart PostgreSQL"
# the listener retries with backoff (1 s doubling), so allow it a while
wait_cond '! failing' 40 "the failing mark goes once the server is back"
wait_cond listening 15 "mc LISTENs again after the restart"
pg_psql -c "insert into needs_apple (from_agent, description) values ('ivy', 'Order the new badges')" \
    || fail "insert after the restart"
wait_for "Order the new badges" 15
wait_for "Needs Apple · 4" 5
wait_for "Sign the warehouse lease" 2
failing && fail "failing mark after the recovery"

keys q
expect_exit 0
echo "ok"
