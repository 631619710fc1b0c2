/* stats_cards.c — the stats cards' numbers: one small bounded aggregate
 * query each, against any cache connection (the dashboard's, or one of
 * `mc serve`'s read-only ones). widgets/stats.c formats and draws them;
 * serve_api.c prints them as JSON. */
#include "stats_cards.h"

#include <math.h>
#include <stdio.h>
#include "util.h"

const char *const stats_card_names[STATS__COUNT] = {
    "open_blockers", "ytd_revenue", "failing_jobs", "agents_online", "cost_today", "open_alerts",
};

/* Ends a statement: 0 when rc is a row or done, else -1 with *err. */
static int finish(sqlite3 *db, sqlite3_stmt *st, int rc, char **err)
{
    int ret = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        set_err(err, "stats: reading the cache: %s", sqlite3_errmsg(db));
        ret = -1;
    }
    sqlite3_finalize(st);
    return ret;
}

/* Runs a one-value query (?1 bound to text a, ?2 to b when given). Returns 0,
 * 1 when the query could not even be prepared (a table the cache lacks), -1
 * on error. *out is NAN for NULL or no row. */
static int scalar(sqlite3 *db, const char *sql, const char *a, const char *b, double *out,
                  char **err)
{
    sqlite3_stmt *st = NULL;
    *out = NAN;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return 1;
    }
    if (a)
        sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        *out = sqlite3_column_double(st, 0);
    return finish(db, st, rc, err);
}

static int blockers(StatsCards *s, sqlite3 *db, int64_t now, char **err)
{
    char nowtxt[32];
    snprintf(nowtxt, sizeof nowtxt, "%lld", (long long)now);
    int rc = scalar(db, "SELECT count(*) FROM (SELECT 1 FROM blockers b LEFT JOIN snooze s"
                    " ON s.source = b.source AND s.key = b.key WHERE b.resolved = 0 AND"
                    " coalesce(b.for_owner, 1) = 1 AND"   /* what needs the owner only */
                    " coalesce(b.state, '') <> 'resolved' AND (s.until_ms IS NULL OR"
                    " s.until_ms <= CAST(?1 AS INTEGER)) LIMIT 1000)", nowtxt, NULL,
                    &s->open_blockers, err);
    if (rc == 1)        /* no snooze table */
        rc = scalar(db, "SELECT count(*) FROM (SELECT 1 FROM blockers WHERE resolved = 0"
                    " AND coalesce(for_owner, 1) = 1 LIMIT 1000)", NULL, NULL,
                    &s->open_blockers, err);
    if (rc != 0)
        return rc < 0 ? -1 : 0;
    double any = 1;
    if (s->open_blockers == 0 &&
        scalar(db, "SELECT EXISTS (SELECT 1 FROM blockers)", NULL, NULL, &any, err) < 0)
        return -1;
    s->blockers_seen = any != 0;
    s->blockers_capped = s->open_blockers >= STATS_BLOCKERS_CAP;
    return 0;
}

static int failing(StatsCards *s, sqlite3 *db, char **err)
{
    if (scalar(db, "SELECT count(*) FROM cron WHERE enabled IS NOT 0 AND"
               " (consecutive_failures > 0 OR lower(last_status) IN ('error', 'failed', 'fail',"
               " 'failure', 'hung', 'timeout', 'crashed'))", NULL, NULL, &s->failing_jobs,
               err) < 0 ||
        scalar(db, "SELECT count(*) FROM cron", NULL, NULL, &s->jobs, err) < 0)
        return -1;
    if (!(s->jobs > 0))
        s->failing_jobs = NAN;
    return 0;
}

/* A time cell: epoch seconds or ms as a number, or ISO-8601 text; 0 unknown. */
static int64_t cell_time(sqlite3_stmt *st, int i)
{
    int t = sqlite3_column_type(st, i);
    if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
        return time_from_number(sqlite3_column_double(st, i));
    int64_t ms = 0;
    const char *txt = (const char *)sqlite3_column_text(st, i);
    if (t == SQLITE_TEXT && txt && time_parse_iso(txt, &ms) == 0)
        return ms;
    return 0;
}

static int agents(StatsCards *s, sqlite3 *db, const Config *cfg, int64_t now, char **err)
{
    int64_t stale = cfg && cfg->stale_ms > 0 ? cfg->stale_ms : 15 * 60000;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT last_seen FROM agents LIMIT 500", -1, &st, NULL) !=
        SQLITE_OK) {
        set_err(err, "stats: reading the cache: %s", sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return -1;
    }
    int online = 0, total = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t t = cell_time(st, 0);
        total++;
        online += t > 0 && now - t <= stale;
    }
    if (finish(db, st, rc, err) < 0)
        return -1;
    s->agents = total;
    s->agents_online = total > 0 ? online : NAN;
    return 0;
}

static int cost(StatsCards *s, sqlite3 *db, int64_t now, char **err)
{
    char today[40], tomorrow[40];
    time_format_iso(now, today, sizeof today);
    time_format_iso(now + 86400000, tomorrow, sizeof tomorrow);
    today[10] = tomorrow[10] = '\0';
    if (scalar(db, "SELECT sum(total_cost_usd) FROM usage WHERE date >= ?1 AND date < ?2",
               today, tomorrow, &s->cost_today, err) < 0)
        return -1;
    if (isnan(s->cost_today) &&
        scalar(db, "SELECT sum(cost_today_usd) FROM agents", NULL, NULL, &s->cost_today,
               err) < 0)
        return -1;
    return 0;
}

/* Open alerts (not snoozed at now), and how many are crit and warn. */
static int alerts(StatsCards *s, sqlite3 *db, int64_t now, char **err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT count(*), coalesce(sum(severity = 'crit'), 0),"
                           " coalesce(sum(severity = 'warn'), 0) FROM alerts WHERE state = 'open'"
                           " AND coalesce(snoozed_until_ms, 0) <= ?1", -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return 0;           /* a cache from before alerts: no data */
    }
    sqlite3_bind_int64(st, 1, now);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 0) {
        /* none open: 0 once the table has any row, else no data (a fresh cache) */
        rc = finish(db, st, rc, err);
        double any = 0;
        if (rc < 0 || scalar(db, "SELECT EXISTS (SELECT 1 FROM alerts)", NULL, NULL, &any, err) < 0)
            return -1;
        if (any > 0)
            s->open_alerts = s->alerts_crit = s->alerts_warn = 0;
        return 0;
    }
    if (rc == SQLITE_ROW) {
        s->open_alerts = sqlite3_column_double(st, 0);
        s->alerts_crit = sqlite3_column_double(st, 1);
        s->alerts_warn = sqlite3_column_double(st, 2);
    }
    return finish(db, st, rc, err);
}

int stats_cards_compute(sqlite3 *db, const Config *cfg, int64_t now, unsigned mask,
                        StatsCards *out, char **err)
{
    *out = (StatsCards){.open_blockers = NAN, .ytd_revenue = NAN, .failing_jobs = NAN,
                        .jobs = NAN, .agents_online = NAN, .agents = NAN, .cost_today = NAN,
                        .open_alerts = NAN, .alerts_crit = NAN, .alerts_warn = NAN};
    if (!db) {
        set_err(err, "stats: no cache");
        return -1;
    }
    if ((mask & (1u << STATS_BLOCKERS)) && blockers(out, db, now, err) < 0)
        return -1;
    if ((mask & (1u << STATS_REVENUE)) &&
        scalar(db, "SELECT sum(y) FROM (SELECT max(snapshot_date), total_ytd_usd AS y"
               " FROM revenue GROUP BY source)", NULL, NULL, &out->ytd_revenue, err) < 0)
        return -1;
    if ((mask & (1u << STATS_FAILING)) && failing(out, db, err) < 0)
        return -1;
    if ((mask & (1u << STATS_AGENTS)) && agents(out, db, cfg, now, err) < 0)
        return -1;
    if ((mask & (1u << STATS_COST)) && cost(out, db, now, err) < 0)
        return -1;
    if ((mask & (1u << STATS_ALERTS)) && alerts(out, db, now, err) < 0)
        return -1;
    return 0;
}
