-- schema.sql — Mission Control's shared tables for the `postgres` source of mc.
--
-- Apply to your team database (safe to run again: everything is
-- IF NOT EXISTS / OR REPLACE):
--
--     psql "$TEAMDB_URL" -v ON_ERROR_STOP=1 -f examples/postgres/schema.sql
--
-- Every table has a trigger that sends NOTIFY mc_changes '<table name>'
-- after each INSERT, UPDATE or DELETE statement, so an mc with
-- `listen: [mc_changes]` refreshes at once instead of waiting for `every:`.
-- (NOTIFY is delivered when the writing transaction commits.)
--
-- The matching mc.yaml source (column names = mc's dataset field names; a
-- `key` column is required in every query):
--
--   - id: teamdb
--     kind: postgres
--     conninfo_env: TEAMDB_URL          # or conninfo_file: ~/.secrets/teamdb
--     every: 5m                         # a safety net; NOTIFY does the rest
--     listen: [mc_changes]
--     queries:
--       blockers: >-
--         select id::text as key, from_agent, description, context, created_at,
--                resolved, resolved_at, resolved_by, note
--         from needs_apple where not resolved or resolved_at > now() - interval '1 day'
--       activity: >-
--         select id::text as key, ts, event_type, agent, status, details
--         from activity_events order by ts desc limit 500
--       revenue: >-
--         select snapshot_date::text as key, snapshot_date, total_ytd_usd,
--                projected_annual_usd, streams
--         from revenue_snapshots order by snapshot_date desc limit 30
--       usage: >-
--         select agent_id || '/' || date as key, agent_id, date, model,
--                input_tokens, output_tokens, cache_read_tokens, cache_write_tokens,
--                total_cost as total_cost_usd, message_count
--         from agent_usage where date > current_date - 30
--       cron: >-
--         select job_id as key, job_id, name, schedule, enabled, last_run, last_status,
--                last_duration_ms, next_run, consecutive_failures
--         from cron_jobs
--       system: >-
--         select distinct on (host) host as key, host, ts, cpu_pct, mem_pct, disk_pct,
--                load1, health_score, services
--         from system_metrics order by host, ts desc
--     resolve: >-
--       update needs_apple set resolved = true, resolved_at = now(), note = $2,
--              resolved_by = $3 where id::text = $1
--     unresolve: >-
--       update needs_apple set resolved = false, resolved_at = null, resolved_by = null
--       where id::text = $1

-- Things that wait on the owner ("Needs Apple"): the blockers pane.
CREATE TABLE IF NOT EXISTS needs_apple (
    id          bigserial PRIMARY KEY,
    from_agent  text,
    description text NOT NULL,
    context     text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved    boolean NOT NULL DEFAULT false,
    resolved_at timestamptz,
    resolved_by text,
    note        text
);
CREATE INDEX IF NOT EXISTS needs_apple_open ON needs_apple (resolved, created_at DESC);
COMMENT ON TABLE needs_apple IS 'blockers waiting on the owner; mc resolves them with $1 = id';

-- What just happened: agents' handoffs, deploys, errors. The activity pane.
CREATE TABLE IF NOT EXISTS activity_events (
    id         bigserial PRIMARY KEY,
    ts         timestamptz NOT NULL DEFAULT now(),
    event_type text NOT NULL,
    agent      text,
    status     text,
    details    text
);
CREATE INDEX IF NOT EXISTS activity_events_ts ON activity_events (ts DESC);

-- One row per day: revenue so far this year, its projection and the split
-- by stream (a JSON array of {"name": ..., "ytd_usd": ...}). Money in US dollars.
CREATE TABLE IF NOT EXISTS revenue_snapshots (
    snapshot_date        date PRIMARY KEY,
    total_ytd_usd        numeric(14, 2) NOT NULL,
    projected_annual_usd numeric(14, 2),
    streams              jsonb NOT NULL DEFAULT '[]'
);

-- Token use and cost per agent and day (the usage pipeline's table).
CREATE TABLE IF NOT EXISTS agent_usage (
    agent_id           text NOT NULL,
    date               date NOT NULL,
    model              text,
    input_tokens       bigint NOT NULL DEFAULT 0,
    output_tokens      bigint NOT NULL DEFAULT 0,
    cache_read_tokens  bigint NOT NULL DEFAULT 0,
    cache_write_tokens bigint NOT NULL DEFAULT 0,
    input_cost         numeric(12, 6) NOT NULL DEFAULT 0,
    output_cost        numeric(12, 6) NOT NULL DEFAULT 0,
    cache_read_cost    numeric(12, 6) NOT NULL DEFAULT 0,
    cache_write_cost   numeric(12, 6) NOT NULL DEFAULT 0,
    total_cost         numeric(12, 6) NOT NULL DEFAULT 0,
    message_count      integer NOT NULL DEFAULT 0,
    UNIQUE (agent_id, date)
);

-- Scheduled jobs and how their last run went.
CREATE TABLE IF NOT EXISTS cron_jobs (
    job_id               text PRIMARY KEY,
    name                 text NOT NULL,
    schedule             text,
    payload_kind         text,
    session_target       text,
    enabled              boolean NOT NULL DEFAULT true,
    last_run             timestamptz,
    last_status          text,          -- ok | error | timeout | ...
    last_duration_ms     bigint,
    next_run             timestamptz,
    consecutive_failures integer NOT NULL DEFAULT 0,
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Machine health samples (percentages 0-100; services is a JSON array of
-- {"name": ..., "up": true|false, "detail": ...}).
CREATE TABLE IF NOT EXISTS system_metrics (
    id           bigserial PRIMARY KEY,
    host         text NOT NULL,
    ts           timestamptz NOT NULL DEFAULT now(),
    cpu_pct      real,
    mem_pct      real,
    disk_pct     real,
    load1        real,
    health_score integer,
    services     jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS system_metrics_host_ts ON system_metrics (host, ts DESC);

-- NOTIFY mc_changes '<table>' once per changing statement.
CREATE OR REPLACE FUNCTION mc_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mc_changes', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['needs_apple', 'activity_events', 'revenue_snapshots',
                             'agent_usage', 'cron_jobs', 'system_metrics']
    LOOP
        EXECUTE format('DROP TRIGGER IF EXISTS mc_notify ON %I', t);
        EXECUTE format('CREATE TRIGGER mc_notify AFTER INSERT OR UPDATE OR DELETE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION mc_notify_change()', t);
    END LOOP;
END;
$$;
