/* test_alerts.c — the alerts engine against a real cache with an injected
 * clock (alerts_evaluate takes now): raise once, dedupe, update, clear on
 * recovery, re-raise as a new transition, ack, snooze expiry, thresholds
 * held for `for:` with hysteresis, inhibition by a failing source, the
 * data-quality and blocker_age rules, and the notification rows queued in
 * the outbox (one per target and transition, stable idempotency keys,
 * renotify). Delivery itself is in tests/it_alerts.py. */
#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "thelp.h"
#include "../src/alerts/alerts.h"
#include "../src/alerts/notify.h"
#include "../src/util.h"

#define T0 1796083200000LL        /* 2026-12-01T00:00:00Z */
#define MIN 60000LL

static Config *cfg_of(const char *name, const char *alerts)
{
    char *text = xasprintf("cache: %s/%s.db\n"
                           "sources:\n"
                           "  - {id: host, kind: system, disks: [/]}\n"
                           "  - {id: rev, kind: json_file, path: /nonexistent.json, feeds: revenue}\n"
                           "  - {id: crons, kind: cron_logs, path: /nonexistent}\n"
                           "alerts:\n%s",
                           t_tmpdir(), name, alerts);
    Config *cfg = NULL;
    char *err = NULL;
    if (config_load_text("t.yaml", text, &cfg, &err) != 0)
        fprintf(stderr, "config: %s\n", err);
    free(err);
    free(text);
    return cfg;
}

static Cache *cache_of(const Config *cfg)
{
    Cache *c = NULL;
    char *err = NULL;
    if (cache_open(cfg->cache_path, &c, NULL, &err) != 0)
        fprintf(stderr, "cache: %s\n", err);
    free(err);
    return c;
}

static void sql(Cache *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sql(Cache *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *q = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    char *msg = NULL;
    if (sqlite3_exec(cache_db(c), q, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "sql %s: %s\n", q, msg);
        t_failures++;
    }
    sqlite3_free(msg);
    sqlite3_free(q);
}

static int64_t num(Cache *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int64_t num(Cache *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *q = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(cache_db(c), q, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_free(q);
    return v;
}

/* A system sample of source host at time t. */
static void sample(Cache *c, int64_t t, double disk, double mem, int api_up)
{
    char ts[40];
    time_format_iso(t, ts, sizeof ts);
    sql(c, "INSERT INTO system (source, key, host, ts, cpu_pct, mem_pct, disk_pct, services) VALUES"
           " ('host', 'h@%s', 'h', '%s', 1, %f, %f, '[{\"name\":\"disk /\",\"kind\":\"disk\",\"up\":true,"
           "\"pct\":%f},{\"name\":\"api\",\"kind\":\"http\",\"up\":%s,\"detail\":\"refused\"}]')",
        ts, ts, mem, disk, disk, api_up ? "true" : "false");
}

static int eval(Cache *c, const Config *cfg, unsigned what, int64_t now)
{
    char *err = NULL;
    int n = alerts_evaluate(c, cfg, what, now, &err);
    if (n < 0)
        fprintf(stderr, "evaluate: %s\n", err);
    free(err);
    return n;
}

static int open_count(Cache *c, int64_t now)
{
    cJSON *a = alerts_list_json(c, 0, now, NULL);
    int n = cJSON_GetArraySize(a);
    cJSON_Delete(a);
    return n;
}

#define SYS (1u << DS_SYSTEM)

static void test_threshold_raise_dedupe_clear(void)
{
    Config *cfg = cfg_of("thr", "  rules: {disk: {warn: 80, crit: 95, for: 5m}, mem: off, service: off}\n"
                                "  notify:\n"
                                "    - {kind: webhook, url: \"http://127.0.0.1:9/a\", min: warn, resolved: true}\n"
                                "    - {kind: command, argv: [cat], min: crit}\n");
    Cache *c = cache_of(cfg);
    /* 90% at -10m (before the window) and -2m: held for the whole 5m */
    sample(c, T0 - 10 * MIN, 90, 10, 1);
    CHECK_INT(eval(c, cfg, SYS, T0 - 10 * MIN), 0);       /* for: 5m not yet held */
    sample(c, T0 - 2 * MIN, 90, 10, 1);
    CHECK_INT(eval(c, cfg, SYS, T0), 1);
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "state"), "open");
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "severity"), "warn");
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "transition"), "1");
    CHECK_INT(num(c, "SELECT count(*) FROM outbox WHERE action = 'notify'"), 1);   /* webhook only (min warn) */
    CHECK_INT(num(c, "SELECT count(*) FROM outbox WHERE action = 'notify' AND by_user = 'webhook1'"), 1);
    int64_t rowid = num(c, "SELECT rowid FROM alerts WHERE key = 'disk:/'");
    /* the same data again: nothing written */
    CHECK_INT(eval(c, cfg, SYS, T0 + 1000), 0);
    CHECK_INT(num(c, "SELECT rowid FROM alerts WHERE key = 'disk:/'"), rowid);
    CHECK_INT(num(c, "SELECT count(*) FROM alerts"), 1);
    /* escalation to crit held: the crit-only target gets it now, the webhook not again */
    sample(c, T0 + 1 * MIN, 97, 10, 1);
    CHECK_INT(eval(c, cfg, SYS, T0 + 1 * MIN), 1);        /* the title's value changed: rewritten */
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "severity"), "warn");   /* 97 not held for 5m yet */
    CHECK_INT(num(c, "SELECT count(*) FROM outbox WHERE action = 'notify'"), 1);
    sample(c, T0 + 7 * MIN, 97, 10, 1);
    CHECK(eval(c, cfg, SYS, T0 + 7 * MIN) >= 1);
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "severity"), "crit");
    CHECK_INT(num(c, "SELECT count(*) FROM outbox WHERE action = 'notify' AND by_user = 'command2'"), 1);
    CHECK_INT(num(c, "SELECT count(*) FROM outbox WHERE action = 'notify' AND by_user = 'webhook1'"), 1);
    CHECK(num(c, "SELECT rowid FROM alerts WHERE key = 'disk:/'") > rowid);   /* a visible change: new rowid */
    /* hysteresis: 94 (crit - 1 < margin 2) keeps crit; 79 (warn - 1) keeps the alert; 77 clears it */
    sample(c, T0 + 8 * MIN, 94, 10, 1);
    eval(c, cfg, SYS, T0 + 8 * MIN);
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "severity"), "crit");
    sample(c, T0 + 9 * MIN, 79, 10, 1);
    eval(c, cfg, SYS, T0 + 9 * MIN);
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "state"), "open");
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "severity"), "warn");
    sample(c, T0 + 10 * MIN, 81, 10, 1);                  /* hovering: no new transition */
    eval(c, cfg, SYS, T0 + 10 * MIN);
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "transition"), "1");
    sample(c, T0 + 11 * MIN, 77, 10, 1);
    CHECK_INT(eval(c, cfg, SYS, T0 + 11 * MIN), 1);
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "state"), "cleared");
    CHECK(t_cell(c, "alerts", "host", "disk:/", "cleared_at") != NULL);
    CHECK_INT(open_count(c, T0 + 11 * MIN), 0);
    /* resolved: the webhook asked for clears, the command did not */
    CHECK_INT(num(c, "SELECT count(*) FROM outbox WHERE idempotency_key LIKE '%%-1-resolved-webhook1'"), 1);
    CHECK_INT(num(c, "SELECT count(*) FROM outbox WHERE idempotency_key LIKE '%%-resolved-command2'"), 0);
    /* it comes back within renotify (1h): a new transition, no second page */
    sample(c, T0 + 12 * MIN, 90, 10, 1);
    sample(c, T0 + 18 * MIN, 90, 10, 1);
    CHECK_INT(eval(c, cfg, SYS, T0 + 18 * MIN), 1);
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "state"), "open");
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "transition"), "2");
    CHECK_INT(num(c, "SELECT count(*) FROM outbox WHERE idempotency_key LIKE '%%-2-firing-%%'"), 0);
    /* after renotify it pages again as transition 3 */
    sample(c, T0 + 19 * MIN, 70, 10, 1);
    eval(c, cfg, SYS, T0 + 19 * MIN);
    sample(c, T0 + 90 * MIN, 90, 10, 1);
    sample(c, T0 + 96 * MIN, 90, 10, 1);
    eval(c, cfg, SYS, T0 + 96 * MIN);
    CHECK_INT(num(c, "SELECT count(*) FROM outbox WHERE idempotency_key LIKE '%%-3-firing-webhook1'"), 1);
    /* retention removed the cleared row: raised again from transition 1, it
     * still gets a new idempotency key, so it is notified */
    sample(c, T0 + 97 * MIN, 10, 10, 1);
    eval(c, cfg, SYS, T0 + 97 * MIN);
    sql(c, "DELETE FROM alerts");
    int64_t before = num(c, "SELECT count(*) FROM outbox WHERE by_user = 'webhook1'");
    sample(c, T0 + 98 * MIN, 90, 10, 1);
    sample(c, T0 + 104 * MIN, 90, 10, 1);
    eval(c, cfg, SYS, T0 + 104 * MIN);
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "transition"), "1");
    CHECK_INT(num(c, "SELECT count(*) FROM outbox WHERE by_user = 'webhook1'"), before + 1);
    /* every idempotency key is unique and names the transition and target */
    CHECK_INT(num(c, "SELECT count(DISTINCT idempotency_key) = count(*) FROM outbox"), 1);
    cache_close(c);
    config_free(cfg);
}

static void test_ack_and_snooze(void)
{
    Config *cfg = cfg_of("ack", "  rules: {disk: {warn: 50, for: 0s}, mem: off, service: off}\n");
    Cache *c = cache_of(cfg);
    sample(c, T0, 60, 10, 1);
    eval(c, cfg, SYS, T0);
    CHECK_INT(open_count(c, T0), 1);
    char *err = NULL;
    /* the same key from a second host: acked together */
    sql(c, "INSERT INTO alerts (source, key, rule, severity, title, state, first_seen, last_seen, transition)"
           " VALUES ('host2', 'disk:/', 'disk', 'warn', 'disk / at 90%% on h2', 'open', '2026-12-01T00:00:00Z',"
           " '2026-12-01T00:00:00Z', 1)");
    CHECK_INT(open_count(c, T0), 2);
    CHECK_INT(alerts_ack(c, "disk:/", "apple", &err), 0);
    CHECK_STR(t_cell(c, "alerts", "host2", "disk:/", "state"), "acked");
    sql(c, "DELETE FROM alerts WHERE source = 'host2'");
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "state"), "acked");
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "acked_by"), "apple");
    CHECK_INT(open_count(c, T0), 0);
    CHECK_INT(alerts_ack(c, "nosuch", "apple", &err), 1);
    sample(c, T0 + MIN, 61, 10, 1);
    eval(c, cfg, SYS, T0 + MIN);
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "state"), "acked");   /* stays hidden while it lasts */
    sample(c, T0 + 2 * MIN, 10, 10, 1);
    eval(c, cfg, SYS, T0 + 2 * MIN);
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "state"), "cleared");
    /* back: open again (new transition), then snoozed until +10m */
    sample(c, T0 + 3 * MIN, 60, 10, 1);
    eval(c, cfg, SYS, T0 + 3 * MIN);
    CHECK_INT(open_count(c, T0 + 3 * MIN), 1);
    CHECK_INT(alerts_snooze(c, "disk:/", T0 + 10 * MIN, &err), 0);
    CHECK_INT(open_count(c, T0 + 4 * MIN), 0);
    cJSON *all = alerts_list_json(c, 1, T0 + 4 * MIN, NULL);
    CHECK(cJSON_GetObjectItem(cJSON_GetArrayItem(all, 0), "snoozed_until") != NULL);
    cJSON_Delete(all);
    int64_t rowid = num(c, "SELECT rowid FROM alerts WHERE key = 'disk:/'");
    CHECK_INT(eval(c, cfg, ALERTS_ON_TIMER, T0 + 5 * MIN), 0);              /* still snoozed */
    CHECK_INT(eval(c, cfg, ALERTS_ON_TIMER, T0 + 11 * MIN), 1);             /* expired: rewritten */
    CHECK(num(c, "SELECT rowid FROM alerts WHERE key = 'disk:/'") > rowid);
    CHECK_INT(num(c, "SELECT snoozed_until_ms FROM alerts WHERE key = 'disk:/'"), 0);
    CHECK_INT(open_count(c, T0 + 11 * MIN), 1);
    free(err);
    cache_close(c);
    config_free(cfg);
}

static void test_inhibition_and_failing(void)
{
    Config *cfg = cfg_of("inh", "  rules: {disk: {warn: 50, for: 0s}, mem: off, failing: {after: 2}}\n");
    Cache *c = cache_of(cfg);
    sql(c, "INSERT INTO source_state (source, last_attempt, last_success, consecutive_failures, last_error)"
           " VALUES ('host', %lld, %lld, 2, 'probe: permission denied')", T0, T0 - 5 * MIN);
    sample(c, T0, 60, 10, 0);
    eval(c, cfg, SYS | ALERTS_ON_SOURCES, T0);
    CHECK_STR(t_cell(c, "alerts", "host", "failing:host", "state"), "open");
    CHECK_CONTAINS(t_cell(c, "alerts", "host", "failing:host", "detail"), "permission denied");
    CHECK(t_cell(c, "alerts", "host", "disk:/", "state") == NULL);     /* held back */
    CHECK(t_cell(c, "alerts", "host", "service:api", "state") == NULL);
    sql(c, "UPDATE source_state SET consecutive_failures = 0, last_success = %lld WHERE source = 'host'", T0 + MIN);
    eval(c, cfg, SYS | ALERTS_ON_SOURCES, T0 + MIN);
    CHECK_STR(t_cell(c, "alerts", "host", "failing:host", "state"), "cleared");
    CHECK_STR(t_cell(c, "alerts", "host", "disk:/", "state"), "open");
    /* failing again: the disk alert is kept as it was, not updated from the new sample */
    sql(c, "UPDATE source_state SET consecutive_failures = 2, last_attempt = %lld WHERE source = 'host'", T0 + MIN + 1);
    sample(c, T0 + MIN + 1000, 75, 10, 0);
    eval(c, cfg, SYS | ALERTS_ON_SOURCES, T0 + MIN + 2000);
    CHECK_CONTAINS(t_cell(c, "alerts", "host", "disk:/", "title"), "at 60%");
    sql(c, "UPDATE source_state SET consecutive_failures = 0, last_success = %lld WHERE source = 'host'", T0 + MIN + 3000);
    eval(c, cfg, SYS | ALERTS_ON_SOURCES, T0 + MIN + 4000);
    CHECK_CONTAINS(t_cell(c, "alerts", "host", "disk:/", "title"), "at 75%");
    /* service down for 1m (default for:): one more sample a minute later */
    sample(c, T0 + 2 * MIN, 60, 10, 0);
    eval(c, cfg, SYS | ALERTS_ON_SOURCES, T0 + 2 * MIN);
    CHECK_STR(t_cell(c, "alerts", "host", "service:api", "state"), "open");
    CHECK_STR(t_cell(c, "alerts", "host", "service:api", "severity"), "crit");
    /* stale: not when nothing tried since the last success (mc was not running) */
    eval(c, cfg, ALERTS_ON_TIMER, T0 + 10 * MIN);
    CHECK_STR(t_cell(c, "alerts", "host", "stale:host", "state"), "cleared");   /* raised at T0, cleared by the success */
    /* but tried since (one failure, below failing's 2) and no success for 3 intervals (30s default) */
    sql(c, "UPDATE source_state SET consecutive_failures = 1, last_attempt = %lld WHERE source = 'host'", T0 + 9 * MIN);
    eval(c, cfg, ALERTS_ON_TIMER, T0 + 10 * MIN);
    CHECK_STR(t_cell(c, "alerts", "host", "stale:host", "state"), "open");
    CHECK(t_cell(c, "alerts", "host", "failing:host", "state") != NULL &&
          strcmp(t_cell(c, "alerts", "host", "failing:host", "state"), "cleared") == 0);
    cache_close(c);
    config_free(cfg);
}

static void test_data_rules(void)
{
    Config *cfg = cfg_of("data", "  rules: {blocker_age: {after: 48h}, revenue_pace: {behind_pct: 10, goal_usd: 1200000}}\n");
    Cache *c = cache_of(cfg);
    sql(c, "INSERT INTO revenue (source, key, snapshot_date, total_ytd_usd) VALUES"
           " ('rev', '2026-11-29', '2026-11-29', 1000), ('rev', '2026-11-30', '2026-11-30', 900)");
    sql(c, "INSERT INTO blockers (source, key, description, from_agent, created_at, resolved, for_owner, state)"
           " VALUES ('handoffs', 'b1', 'approve the deploy', 'agent-7', '2026-11-20T00:00:00Z', 0, 1, 'open'),"
           " ('handoffs', 'b2', 'new one', 'agent-7', '2026-11-30T23:00:00Z', 0, 1, 'open')");
    sql(c, "INSERT INTO cron (source, key, job_id, name, last_status, last_run, consecutive_failures, enabled)"
           " VALUES ('crons', 'backup', 'backup', 'backup', 'error', '2026-11-30T01:00:00Z', 2, 1)");
    sql(c, "INSERT INTO agents (source, key, agent_id, last_seen, cost_today_usd) VALUES"
           " ('gw', 'a7', 'agent-7', '2026-11-30T20:00:00Z', 75.5)");
    CHECK(eval(c, cfg, ALERTS_ALL, T0) >= 5);
    CHECK_CONTAINS(t_cell(c, "alerts", "rev", "data_quality:revenue_down:rev", "title"), "went down");
    CHECK_CONTAINS(t_cell(c, "alerts", "", "blocker_age", "title"), "1 blocker for Apple open longer than 2d");
    CHECK_CONTAINS(t_cell(c, "alerts", "", "blocker_age", "detail"), "approve the deploy");
    CHECK_STR(t_cell(c, "alerts", "crons", "cron:backup", "state"), "open");
    CHECK_STR(t_cell(c, "alerts", "gw", "agent_cost:agent-7", "state"), "open");
    CHECK_STR(t_cell(c, "alerts", "gw", "agent_offline:agent-7", "state"), "open");
    CHECK_STR(t_cell(c, "alerts", "", "revenue_pace", "state"), "open");   /* $900 of ~$1.1M pace */
    /* inhibition: while rev fails, the pace alert is neither cleared nor updated */
    sql(c, "INSERT INTO source_state (source, last_attempt, consecutive_failures, last_error) VALUES"
           " ('rev', %lld, 3, 'HTTP 500')", T0);
    sql(c, "INSERT INTO revenue (source, key, snapshot_date, total_ytd_usd) VALUES ('rev', 'x', '2026-11-30x', 1100000)");
    eval(c, cfg, ALERTS_ALL, T0 + 1);
    CHECK_STR(t_cell(c, "alerts", "", "revenue_pace", "state"), "open");
    sql(c, "DELETE FROM revenue WHERE key = 'x'");
    sql(c, "DELETE FROM source_state WHERE source = 'rev'");
    /* recovery: the blocker resolved, the job ran ok, YTD back up */
    sql(c, "UPDATE blockers SET resolved = 1 WHERE key = 'b1'");
    sql(c, "UPDATE cron SET last_status = 'ok'");
    sql(c, "INSERT INTO revenue (source, key, snapshot_date, total_ytd_usd) VALUES ('rev', '2026-12-01', '2026-12-01', 1100000)");
    eval(c, cfg, ALERTS_ALL, T0 + MIN);
    CHECK_STR(t_cell(c, "alerts", "", "blocker_age", "state"), "cleared");
    CHECK_STR(t_cell(c, "alerts", "crons", "cron:backup", "state"), "cleared");
    /* missed: next_run more than 5 minutes past, noticed by the timer */
    sql(c, "UPDATE cron SET next_run = '2026-11-30T23:56:00Z'");
    eval(c, cfg, ALERTS_ON_TIMER, T0);
    CHECK_STR(t_cell(c, "alerts", "crons", "cron:backup", "state"), "cleared");   /* 4 min late: within grace */
    eval(c, cfg, ALERTS_ON_TIMER, T0 + 2 * MIN);
    CHECK_STR(t_cell(c, "alerts", "crons", "cron:backup", "state"), "open");
    CHECK_CONTAINS(t_cell(c, "alerts", "crons", "cron:backup", "title"), "missed");
    CHECK_STR(t_cell(c, "alerts", "rev", "data_quality:revenue_down:rev", "state"), "cleared");
    CHECK_STR(t_cell(c, "alerts", "", "revenue_pace", "state"), "cleared");
    /* `off` disables a rule */
    Config *off = cfg_of("data", "  rules: {agent_cost: off}\n");
    eval(c, off, ALERTS_ALL, T0 + 2 * MIN);
    CHECK_STR(t_cell(c, "alerts", "gw", "agent_cost:agent-7", "state"), "open");  /* untouched, not re-evaluated */
    config_free(off);
    cache_close(c);
    config_free(cfg);
}

static void test_notify_enqueue_api(void)
{
    Config *cfg = cfg_of("api", "  notify:\n    - {kind: command, argv: [cat], min: info}\n");
    Cache *c = cache_of(cfg);
    cJSON *p = cJSON_CreateObject();
    cJSON_AddStringToObject(p, "key", "brief:2026-12-01");
    char *err = NULL;
    CHECK_INT(notify_enqueue(c, cfg, NULL, 0, "mc-brief-2026-12-01", "the brief", p, ALERT_INFO, &err), 1);
    CHECK_INT(notify_enqueue(c, cfg, NULL, 0, "mc-brief-2026-12-01", "the brief", p, ALERT_INFO, &err), 0);
    CHECK_STR(t_cell(c, "outbox", "alerts", "brief:2026-12-01", "idempotency_key"), "mc-brief-2026-12-01-command1");
    /* the alerts pane's sources view: per target, pending/failed and the last error */
    Buf b = {0};
    notify_status_text(c, cfg, &b);
    CHECK_CONTAINS(b.s, "command1 (command, min info): 1 pending, 0 failed");
    buf_free(&b);
    sql(c, "UPDATE outbox SET state = 'failed', last_error = 'command1: cat exited with status 1'");
    notify_status_text(c, cfg, &b);
    CHECK_CONTAINS(b.s, "0 pending, 1 failed");
    CHECK_CONTAINS(b.s, "last error: command1: cat exited with status 1");
    buf_free(&b);
    CHECK_CONTAINS(t_cell(c, "outbox", "alerts", "brief:2026-12-01", "note"), "\"text\":\"the brief\"");
    cJSON_Delete(p);
    free(err);
    cache_close(c);
    config_free(cfg);
}

/* Command targets: JSON on stdin, the key in the environment, exit status,
 * the timeout kill, and one that never reads a large body (no SIGPIPE death:
 * this test runs it on the main thread, as mc fetch --once does). */
static void test_command_delivery(void)
{
    char *text = xasprintf("alerts:\n  notify:\n"
                           "    - {kind: command, name: save, argv: [sh, -c, 'cat > %s/in.json; echo \"$MC_IDEMPOTENCY_KEY\" > %s/key']}\n"
                           "    - {kind: command, name: deaf, argv: [\"true\"]}\n"
                           "    - {kind: command, name: slow, argv: [sleep, \"10\"], timeout: 200ms}\n"
                           "    - {kind: command, name: bad, argv: [sh, -c, 'exit 3']}\n",
                           t_tmpdir(), t_tmpdir());
    Config *cfg = NULL;
    char *err = NULL, *msg = NULL;
    CHECK_INT(config_load_text("t.yaml", text, &cfg, &err), 0);
    free(text);
    if (!cfg)
        return;
    int64_t ra;
    int st;
    CHECK_INT(notify_deliver(cfg, "save", "{\"key\":\"disk:/\"}", "mc-alert-x-1-firing-save", &ra, &st, &msg), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/in.json", t_tmpdir());
    char *got = NULL;
    size_t glen;
    file_read_all(path, 1 << 20, &got, &glen, NULL);
    CHECK_STR(got, "{\"key\":\"disk:/\"}");
    free(got);
    snprintf(path, sizeof path, "%s/key", t_tmpdir());
    got = NULL;
    file_read_all(path, 1 << 20, &got, &glen, NULL);
    CHECK_STR(got, "mc-alert-x-1-firing-save\n");
    free(got);
    size_t big = 4 << 20;
    char *body = xcalloc(1, big + 1);
    memset(body, 'x', big);
    CHECK_INT(notify_deliver(cfg, "deaf", body, "k", &ra, &st, &msg), 0);   /* still alive */
    free(body);
    int64_t t0 = mono_ms();
    CHECK_INT(notify_deliver(cfg, "slow", "{}", "k", &ra, &st, &msg), 1);
    CHECK(mono_ms() - t0 < 5000);
    CHECK_CONTAINS(msg, "timed out");
    free(msg);
    msg = NULL;
    CHECK_INT(notify_deliver(cfg, "bad", "{}", "k", &ra, &st, &msg), 1);
    CHECK_CONTAINS(msg, "exited with status 3");
    free(msg);
    msg = NULL;
    CHECK_INT(notify_deliver(cfg, "gone", "{}", "k", &ra, &st, &msg), 2);
    CHECK_CONTAINS(msg, "no notify target 'gone'");
    free(msg);
    free(err);
    config_free(cfg);
}

static void test_config_errors(void)
{
    const char *bad[][2] = {
        {"alerts: {rules: {disk: {warn: 101}}}\n", "t.yaml:1:"},
        {"alerts: {rules: {stale: {after: 3y}}}\n", "refresh intervals"},
        {"alerts:\n  notify:\n    - {kind: email}\n", "t.yaml:3:"},
        {"alerts:\n  notify:\n    - {kind: webhook}\n", "missing required key 'url'"},
        {"alerts:\n  notify:\n    - {kind: command, argv: [x], min: loud}\n", "'min' must be info, warn or crit"},
        {"alerts: {rules: {disc: {}}}\n", "did you mean 'disk'"},
        {"brief: {at: \"25:00\"}\n", "'at' must be a time of day"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Config *cfg = NULL;
        char *err = NULL;
        CHECK(config_load_text("t.yaml", bad[i][0], &cfg, &err) != 0);
        CHECK_CONTAINS(err, bad[i][1]);
        free(err);
        config_free(cfg);
    }
    Config *cfg = NULL;
    char *err = NULL;
    CHECK_INT(config_load_text("t.yaml", "alerts: {rules: {stale: off, cpu: {warn: 90}}, bell: true}\n"
                                         "brief: {at: \"07:00\", tz: America/Chicago, notify: [{kind: command, argv: [cat]}]}\n",
                               &cfg, &err), 0);
    if (cfg) {
        CHECK_INT(cfg->alerts.rules.stale.enabled, 0);
        CHECK(cfg->alerts.rules.cpu.warn == 90);
        CHECK_INT(cfg->alerts.bell, 1);
        CHECK_INT(cfg->brief.at_min, 7 * 60);
        CHECK_STR(cfg->brief.tz, "America/Chicago");
        CHECK_INT(cfg->brief.ntargets, 1);
    }
    free(err);
    config_free(cfg);
}

int main(void)
{
    RUN(test_threshold_raise_dedupe_clear);
    RUN(test_ack_and_snooze);
    RUN(test_inhibition_and_failing);
    RUN(test_data_rules);
    RUN(test_notify_enqueue_api);
    RUN(test_command_delivery);
    RUN(test_config_errors);
    return t_done();
}
