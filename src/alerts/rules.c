/* rules.c — the alert rules (DESIGN "Alerts"): each reads the cache with
 * small indexed queries and reports the conditions that hold now as
 * Findings; alerts_store.c turns them into transitions. Which rules run is
 * decided by `what` (the datasets a commit changed, source states, the
 * timer), so a fetch of the handoffs file never re-reads the system table.
 *
 * Inhibition: a source that is failing or stale is "held"; findings from its
 * data are not raised and its alerts are neither updated nor cleared, so one
 * cause pages once and nothing is raised from old numbers.
 *
 * Thresholds (disk, mem, cpu) are raised only when every sample of the
 * source in the last `for:` (and the one just before it) is at or above the
 * line, and cleared only when the newest sample is below the line minus
 * `margin:` (hysteresis: 2 points for disk and mem, 5 for cpu by default),
 * so a value hovering at the line neither flaps nor re-pages. */
#include <stddef.h>
#include "alerts_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../config.h"
#include "../source.h"
#include "../util.h"
#include "../ynode.h"

#define BIT(d) (1u << (d))
#define MAX_FIND 200            /* findings per rule and evaluation */

static int64_t q_int(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, i);
}

static const char *q_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static void mark_ran(AlertEval *ev, const char *rule)
{
    if (ev->nran < (int)(sizeof ev->ran / sizeof ev->ran[0]))
        ev->ran[ev->nran++] = rule;
}

static void age_text(int64_t ms, char *out, size_t n)
{
    time_format_age(ms < 0 ? 0 : ms, out, n);
}

/* stale + failing, and the held sources (inhibition: always computed). */
static void rule_sources(sqlite3 *db, const Config *cfg, unsigned what, AlertEval *ev)
{
    const AlertRules *r = &cfg->alerts.rules;
    int run = (what & (ALERTS_ON_SOURCES | ALERTS_ON_TIMER)) != 0;
    if (run && r->stale.enabled)
        mark_ran(ev, "stale");
    if (run && r->failing.enabled)
        mark_ran(ev, "failing");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT last_attempt, last_success, coalesce(last_error, ''),"
                               " consecutive_failures, breaker FROM source_state WHERE source = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    ev->held = xcalloc((size_t)cfg->nsources + 1, sizeof *ev->held);
    for (int i = 0; i < cfg->nsources; i++) {
        const SourceConfig *sc = &cfg->sources[i];
        if (!sc->enabled)
            continue;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, sc->id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            continue;
        int64_t attempt = q_int(st, 0), success = q_int(st, 1);
        int fails = (int)q_int(st, 3), breaker = (int)q_int(st, 4);
        int failing = r->failing.enabled && attempt && (fails >= r->failing.after || breaker == 1);
        int64_t limit = (int64_t)(r->stale.after_x * (double)sc->every_ms);
        /* stale: tried since the last success and still no success after
         * `after` intervals. Not when mc simply was not running: a restart
         * after a week off fetches first instead of paging for every source. */
        int stale = r->stale.enabled && success > 0 && attempt > success && ev->now - success > limit;
        if (failing || stale)
            ev->held[ev->nheld++] = xstrdup(sc->id);
        if (!run)
            continue;
        char title[300], detail[1200], key[120];
        if (failing) {
            snprintf(key, sizeof key, "failing:%s", sc->id);
            snprintf(title, sizeof title, "%s is failing (%d in a row%s)", sc->id, fails,
                     breaker == 1 ? ", breaker open" : "");
            snprintf(detail, sizeof detail, "%s", q_text(st, 2));
            alert_found(ev, "failing", sc->id, key, breaker == 1 ? ALERT_CRIT : ALERT_WARN, title, detail);
        }
        if (stale) {
            snprintf(key, sizeof key, "stale:%s", sc->id);
            char last[40];
            time_format_iso(success, last, sizeof last);
            snprintf(detail, sizeof detail, "last success %s; last error: %s", last,
                     *q_text(st, 2) ? q_text(st, 2) : "none");
            /* a title that does not change every tick: the row is rewritten
             * only when something visible changed */
            snprintf(title, sizeof title, "%s is stale: no successful fetch since %s", sc->id, last);
            alert_found(ev, "stale", sc->id, key, ALERT_WARN, title, detail);
        }
    }
    sqlite3_finalize(st);
}

#define CRON_GRACE_MS (5 * 60000)   /* a run later than next_run + this is missed */

/* cron: a job whose last run failed or hangs, or whose next run is more
 * than CRON_GRACE_MS overdue (missed; the timer notices it). */
static void rule_cron(sqlite3 *db, const Config *cfg, AlertEval *ev)
{
    sqlite3_stmt *st;
    char cut[40];
    mark_ran(ev, "cron");
    time_format_iso(ev->now - CRON_GRACE_MS, cut, sizeof cut);
    if (sqlite3_prepare_v2(db, "SELECT source, job_id, coalesce(name, job_id), CASE WHEN last_status IN"
                               " ('error', 'failed', 'failure', 'hung', 'missed') THEN last_status ELSE"
                               " 'missed' END, coalesce(last_run, ''), consecutive_failures FROM cron"
                               " WHERE (last_status IN ('error', 'failed', 'failure', 'hung', 'missed')"
                               " OR (coalesce(next_run, '') <> '' AND next_run < ?1))"
                               " AND coalesce(enabled, 1) LIMIT 200", -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, cut, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *src = q_text(st, 0), *job = q_text(st, 1), *status = q_text(st, 3);
        char key[300], title[400], detail[600];
        snprintf(key, sizeof key, "cron:%s", job);
        snprintf(title, sizeof title, "cron job %s %s", q_text(st, 2),
                 strcmp(status, "hung") == 0 ? "hangs" : strcmp(status, "missed") == 0 ? "missed its run" : "failed");
        snprintf(detail, sizeof detail, "last run %s, status %s, %lld failure(s) in a row", *q_text(st, 4) ? q_text(st, 4) : "unknown",
                 status, (long long)q_int(st, 5));
        alert_found(ev, "cron", src, key, ALERT_WARN, title, detail);
    }
    sqlite3_finalize(st);
}

/* The newest sample time (ISO) of a system source at or before iso_cut, so
 * the held-for window covers the whole `for:`. NULL when there is none. */
static char *window_start(sqlite3 *db, const char *src, int64_t now, int64_t for_ms)
{
    char cut[40];
    time_format_iso(now - for_ms, cut, sizeof cut);
    sqlite3_stmt *st;
    char *out = NULL;
    if (sqlite3_prepare_v2(db, "SELECT max(ts) FROM system WHERE source = ?1 AND ts <= ?2", -1, &st, NULL) !=
        SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, src, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, cut, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        out = xstrdup(q_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

/* min(expr) over the window [start, now] of one source's system samples;
 * expr reads one services entry when `service` is set. NAN when none. */
static double window_min(sqlite3 *db, const char *src, const char *start, const char *field, const char *service)
{
    char sql[400];
    if (service)
        snprintf(sql, sizeof sql, "SELECT min(json_extract(j.value, '$.%s')) FROM system, json_each(system.services) j"
                                  " WHERE system.source = ?1 AND system.ts >= ?2"
                                  " AND json_extract(j.value, '$.name') = ?3", field);
    else
        snprintf(sql, sizeof sql, "SELECT min(%s) FROM system WHERE source = ?1 AND ts >= ?2", field);
    sqlite3_stmt *st;
    double v = NAN;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return NAN;
    sqlite3_bind_text(st, 1, src, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, start, -1, SQLITE_STATIC);
    if (service)
        sqlite3_bind_text(st, 3, service, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* One threshold: `latest` is the newest value, the window's min decides a raise. */
static void threshold(sqlite3 *db, AlertEval *ev, const char *rule, const char *src, const char *key,
                      const char *what, const char *host, double latest, double warn, double crit, int64_t for_ms,
                      double margin, const char *field, const char *service)
{
    int active = alert_active_severity(db, src, key);
    AlertSeverity sev;
    int on = 0;
    char *start = window_start(db, src, ev->now, for_ms);
    double held = start ? window_min(db, src, start, field, service) : NAN;
    free(start);
    if (!isnan(held) && crit > 0 && held >= crit)
        on = 1, sev = ALERT_CRIT;
    else if (!isnan(held) && warn > 0 && held >= warn)
        on = 1, sev = ALERT_WARN;
    if (active >= 0 && !on && latest >= warn - margin) {
        on = 1;                        /* hysteresis: stays until below warn - margin */
        sev = active == ALERT_CRIT && crit > 0 && latest >= crit - margin ? ALERT_CRIT : ALERT_WARN;
    } else if (active == ALERT_CRIT && on && sev == ALERT_WARN && crit > 0 && latest >= crit - margin) {
        sev = ALERT_CRIT;
    }
    if (!on)
        return;
    char title[400], detail[400];
    snprintf(title, sizeof title, "%s at %.0f%% on %s", what, latest, host);
    snprintf(detail, sizeof detail, "%s %.0f%% (warn %.0f%%, crit %.0f%%, held for %lld s; clears below %.1f%%)",
             what, latest, warn, crit, (long long)(for_ms / 1000), warn - margin);
    alert_found(ev, rule, src, key, sev, title, detail);
}

/* disk, mem, cpu, service and percent data quality from each system source's newest sample. */
static void rule_system(sqlite3 *db, const Config *cfg, AlertEval *ev)
{
    const AlertRules *r = &cfg->alerts.rules;
    if (r->disk.enabled)
        mark_ran(ev, "disk");
    if (r->mem.enabled)
        mark_ran(ev, "mem");
    if (r->cpu.enabled)
        mark_ran(ev, "cpu");
    if (r->service.enabled)
        mark_ran(ev, "service");
    sqlite3_stmt *st, *sv;
    if (sqlite3_prepare_v2(db, "SELECT host, cpu_pct, mem_pct, disk_pct, ts FROM system WHERE source = ?1"
                               " ORDER BY ts DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return;
    if (sqlite3_prepare_v2(db, "SELECT json_extract(j.value, '$.name'), json_extract(j.value, '$.kind'),"
                               " json_extract(j.value, '$.up'), json_extract(j.value, '$.pct'),"
                               " json_extract(j.value, '$.detail')"
                               " FROM system, json_each(system.services) j WHERE system.source = ?1"
                               " AND system.ts = ?2 LIMIT 100", -1, &sv, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return;
    }
    for (int i = 0; i < cfg->nsources; i++) {
        const SourceConfig *sc = &cfg->sources[i];
        if (!sc->enabled || !(source_datasets(sc) & BIT(DS_SYSTEM)))
            continue;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, sc->id, -1, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_ROW)
            continue;
        char host[200], ts[64], key[400];
        snprintf(host, sizeof host, "%s", q_text(st, 0));
        snprintf(ts, sizeof ts, "%s", q_text(st, 4));
        double cpu = sqlite3_column_double(st, 1), mem = sqlite3_column_double(st, 2);
        if (r->mem.enabled) {
            snprintf(key, sizeof key, "mem:%s", host);
            threshold(db, ev, "mem", sc->id, key, "memory", host, mem, r->mem.warn, r->mem.crit, r->mem.for_ms,
                      r->mem.margin, "mem_pct", NULL);
        }
        if (r->cpu.enabled) {
            snprintf(key, sizeof key, "cpu:%s", host);
            threshold(db, ev, "cpu", sc->id, key, "cpu", host, cpu, r->cpu.warn, r->cpu.crit, r->cpu.for_ms,
                      r->cpu.margin, "cpu_pct", NULL);
        }
        if (r->data_quality.enabled && (cpu > 100 || mem > 100 || cpu < 0 || mem < 0)) {
            snprintf(key, sizeof key, "data_quality:pct:%s", sc->id);
            char t[300];
            snprintf(t, sizeof t, "%s reports a percentage outside 0..100 (cpu %.1f, mem %.1f)", sc->id, cpu, mem);
            alert_found(ev, "data_quality", sc->id, key, ALERT_WARN, t, "a system sample with an impossible value");
        }
        sqlite3_reset(sv);
        sqlite3_bind_text(sv, 1, sc->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(sv, 2, ts, -1, SQLITE_STATIC);
        while (sqlite3_step(sv) == SQLITE_ROW) {
            const char *name = q_text(sv, 0), *kind = q_text(sv, 1);
            if (strcmp(kind, "disk") == 0 && r->disk.enabled && sqlite3_column_type(sv, 3) != SQLITE_NULL) {
                const char *mount = strncmp(name, "disk ", 5) == 0 ? name + 5 : name;
                snprintf(key, sizeof key, "disk:%s", mount);
                char what[300];
                snprintf(what, sizeof what, "disk %s", mount);
                threshold(db, ev, "disk", sc->id, key, what, host, sqlite3_column_double(sv, 3), r->disk.warn,
                          r->disk.crit, r->disk.for_ms, r->disk.margin, "pct", name);
            } else if (strcmp(kind, "disk") != 0 && r->service.enabled && *name) {
                snprintf(key, sizeof key, "service:%s", name);
                int down_now = sqlite3_column_int(sv, 2) == 0;
                int active = alert_active_severity(db, sc->id, key) >= 0;
                /* down for the whole `for:` window: no sample in it with up */
                char *start = down_now ? window_start(db, sc->id, ev->now, r->service.for_ms) : NULL;
                int held = 0;
                if (start) {
                    sqlite3_stmt *q;
                    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM system, json_each(system.services) j"
                                               " WHERE system.source = ?1 AND system.ts >= ?2"
                                               " AND json_extract(j.value, '$.name') = ?3"
                                               " AND json_extract(j.value, '$.up')", -1, &q, NULL) == SQLITE_OK) {
                        sqlite3_bind_text(q, 1, sc->id, -1, SQLITE_STATIC);
                        sqlite3_bind_text(q, 2, start, -1, SQLITE_STATIC);
                        sqlite3_bind_text(q, 3, name, -1, SQLITE_STATIC);
                        held = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 0;
                        sqlite3_finalize(q);
                    }
                }
                free(start);
                if (down_now && (held || active)) {
                    char t[400];
                    snprintf(t, sizeof t, "service %s is down on %s", name, host);
                    alert_found(ev, "service", sc->id, key, ALERT_CRIT, t, q_text(sv, 4));
                }
            }
        }
    }
    sqlite3_finalize(sv);
    sqlite3_finalize(st);
}

/* The yearly goal: alerts.rules.revenue_pace.goal_usd, else a revenue widget's goal_usd. */
static double revenue_goal(const Config *cfg)
{
    if (cfg->alerts.rules.revenue_pace.goal_usd > 0)
        return cfg->alerts.rules.revenue_pace.goal_usd;
    for (int i = 0; cfg->widgets && i < cfg->widgets->n; i++) {
        const YNode *w = cfg->widgets->items[i];
        const YNode *t = ynode_get(w, "type"), *g = ynode_get(w, "goal_usd");
        if (t && t->type == YN_SCALAR && strcmp(t->scalar, "revenue") == 0 && g && g->type == YN_SCALAR)
            return strtod(g->scalar, NULL);
    }
    return 0;
}

/* revenue_pace (sum of each source's newest YTD vs the goal's pace) and the
 * revenue data-quality checks (YTD went down, negative money). */
static void rule_revenue(sqlite3 *db, const Config *cfg, AlertEval *ev)
{
    const AlertRules *r = &cfg->alerts.rules;
    if (r->data_quality.enabled)
        mark_ran(ev, "data_quality");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT snapshot_date, total_ytd_usd FROM revenue WHERE source = ?1"
                               " ORDER BY snapshot_date DESC LIMIT 2", -1, &st, NULL) != SQLITE_OK)
        return;
    double ytd = 0;
    int any = 0, held = 0;
    for (int i = 0; i < cfg->nsources; i++) {
        const SourceConfig *sc = &cfg->sources[i];
        if (!sc->enabled || !(source_datasets(sc) & BIT(DS_REVENUE)))
            continue;
        held |= alert_held(ev, sc->id);
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, sc->id, -1, SQLITE_STATIC);
        double v[2] = {0, 0};
        char d[2][16] = {"", ""};
        int n = 0;
        while (n < 2 && sqlite3_step(st) == SQLITE_ROW) {
            snprintf(d[n], sizeof d[n], "%s", q_text(st, 0));
            v[n++] = sqlite3_column_double(st, 1);
        }
        if (!n)
            continue;
        any = 1;
        ytd += v[0];
        char key[200], t[400], det[400];
        if (r->data_quality.enabled && n == 2 && v[0] < v[1] && strncmp(d[0], d[1], 4) == 0) {
            snprintf(key, sizeof key, "data_quality:revenue_down:%s", sc->id);
            snprintf(t, sizeof t, "%s: revenue YTD went down from $%.2f to $%.2f", sc->id, v[1], v[0]);
            snprintf(det, sizeof det, "snapshot %s: $%.2f; snapshot %s: $%.2f", d[1], v[1], d[0], v[0]);
            alert_found(ev, "data_quality", sc->id, key, ALERT_WARN, t, det);
        }
        if (r->data_quality.enabled && v[0] < 0) {
            snprintf(key, sizeof key, "data_quality:negative:%s", sc->id);
            snprintf(t, sizeof t, "%s: negative revenue YTD ($%.2f)", sc->id, v[0]);
            snprintf(det, sizeof det, "snapshot %s", d[0]);
            alert_found(ev, "data_quality", sc->id, key, ALERT_WARN, t, det);
        }
    }
    sqlite3_finalize(st);
    double goal = revenue_goal(cfg);
    if (!r->revenue_pace.enabled || held)
        return;                        /* held: a revenue source is failing; the pace alert stays as it was */
    mark_ran(ev, "revenue_pace");
    if (!any || goal <= 0)
        return;
    int64_t y0, y1;
    config_year_span(cfg, ev->now, &y0, &y1);
    double frac = ((double)ev->now / 86400000.0 - (double)y0) / (double)(y1 - y0);
    double expected = goal * frac;
    if (frac <= 0 || expected <= 0)
        return;
    double behind = (expected - ytd) / expected * 100.0;
    if (behind <= r->revenue_pace.behind_pct)
        return;
    char t[300], det[300];
    snprintf(t, sizeof t, "revenue %.0f%% behind the goal's pace", floor(behind));
    snprintf(det, sizeof det, "YTD $%.0f, pace $%.0f of the $%.0f goal (behind_pct %.0f)", ytd, expected, goal,
             r->revenue_pace.behind_pct);
    alert_found(ev, "revenue_pace", "", "revenue_pace", ALERT_WARN, t, det);
}

/* agent_cost (cost today over daily_usd) and agent_offline (no heartbeat for `after`). */
static void rule_agents(sqlite3 *db, const Config *cfg, unsigned what, AlertEval *ev)
{
    const AlertRules *r = &cfg->alerts.rules;
    sqlite3_stmt *st;
    char cut[40];
    if (r->agent_cost.enabled && (what & BIT(DS_AGENTS))) {
        mark_ran(ev, "agent_cost");
        if (sqlite3_prepare_v2(db, "SELECT source, agent_id, cost_today_usd FROM agents WHERE cost_today_usd > ?1"
                                   " LIMIT 200", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_double(st, 1, r->agent_cost.daily_usd);
            while (sqlite3_step(st) == SQLITE_ROW) {
                char key[200], t[300], det[200];
                snprintf(key, sizeof key, "agent_cost:%s", q_text(st, 1));
                snprintf(t, sizeof t, "agent %s spent $%.2f today (limit $%.2f)", q_text(st, 1),
                         sqlite3_column_double(st, 2), r->agent_cost.daily_usd);
                snprintf(det, sizeof det, "cost_today_usd %.2f > daily_usd %.2f", sqlite3_column_double(st, 2),
                         r->agent_cost.daily_usd);
                alert_found(ev, "agent_cost", q_text(st, 0), key, ALERT_WARN, t, det);
            }
            sqlite3_finalize(st);
        }
    }
    if (r->agent_offline.enabled) {
        mark_ran(ev, "agent_offline");
        time_format_iso(ev->now - r->agent_offline.after_ms, cut, sizeof cut);
        if (sqlite3_prepare_v2(db, "SELECT source, agent_id, last_seen FROM agents WHERE last_seen < ?1"
                                   " AND last_seen <> '' LIMIT 200", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, cut, -1, SQLITE_STATIC);
            while (sqlite3_step(st) == SQLITE_ROW) {
                char key[200], t[300], det[200];
                snprintf(key, sizeof key, "agent_offline:%s", q_text(st, 1));
                snprintf(t, sizeof t, "agent %s is offline (no heartbeat since %s)", q_text(st, 1), q_text(st, 2));
                snprintf(det, sizeof det, "last_seen %s", q_text(st, 2));
                alert_found(ev, "agent_offline", q_text(st, 0), key, ALERT_WARN, t, det);
            }
            sqlite3_finalize(st);
        }
    }
}

/* blocker_age: open blockers for the owner older than `after` — one alert
 * (count and the oldest); the count stops at 1000 so it stays an index range. */
static void rule_blockers(sqlite3 *db, const Config *cfg, AlertEval *ev)
{
    const AlertRules *r = &cfg->alerts.rules;
    mark_ran(ev, "blocker_age");
    char cut[40];
    time_format_iso(ev->now - r->blocker_age.after_ms, cut, sizeof cut);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT source, key, coalesce(from_agent, ''), coalesce(description, ''), created_at,"
                               " (SELECT count(*) FROM (SELECT 1 FROM blockers WHERE resolved = 0"
                               "  AND created_at < ?1 AND coalesce(for_owner, 1) = 1 LIMIT 1000))"
                               " FROM blockers WHERE resolved = 0 AND created_at < ?1 AND created_at <> ''"
                               " AND coalesce(for_owner, 1) = 1 ORDER BY resolved, created_at LIMIT 1",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, cut, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        char t[600], det[900], age[32];
        int64_t created = 0;
        time_parse_iso(q_text(st, 4), &created);
        age_text(ev->now - created, age, sizeof age);
        long long n = q_int(st, 5);
        char after[32];
        int64_t a = r->blocker_age.after_ms;
        if (a % 86400000 == 0)
            snprintf(after, sizeof after, "%lldd", (long long)(a / 86400000));
        else if (a % 3600000 == 0)
            snprintf(after, sizeof after, "%lldh", (long long)(a / 3600000));
        else
            snprintf(after, sizeof after, "%lldm", (long long)(a / 60000));
        snprintf(t, sizeof t, "%lld%s blocker%s for %s open longer than %s", n, n >= 1000 ? "+" : "",
                 n == 1 ? "" : "s", cfg->owner, after);
        snprintf(det, sizeof det, "oldest: %.300s (from %s, created %s, %s:%s)", q_text(st, 3), q_text(st, 2),
                 q_text(st, 4), q_text(st, 0), q_text(st, 1));
        alert_found(ev, "blocker_age", "", "blocker_age", ALERT_WARN, t, det);
    }
    sqlite3_finalize(st);
}

/* outbox: a write-back that failed for good (notifications excluded: their
 * failures are in `mc outbox`, and an alert about them would notify again). */
static void rule_outbox(sqlite3 *db, AlertEval *ev)
{
    mark_ran(ev, "outbox");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT id, source, key, action, coalesce(last_error, '') FROM outbox"
                               " WHERE state = 'failed' AND action <> 'notify' ORDER BY id DESC LIMIT 50",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    while (sqlite3_step(st) == SQLITE_ROW) {
        char key[400], t[500];
        snprintf(key, sizeof key, "outbox:%s:%s", q_text(st, 1), q_text(st, 2));
        snprintf(t, sizeof t, "%s of %s:%s failed (outbox row %lld)", q_text(st, 3), q_text(st, 1), q_text(st, 2),
                 (long long)q_int(st, 0));
        alert_found(ev, "outbox", q_text(st, 1), key, ALERT_WARN, t, q_text(st, 4));
    }
    sqlite3_finalize(st);
}

void alerts_rules_run(sqlite3 *db, const Config *cfg, unsigned what, AlertEval *ev)
{
    const AlertRules *r = &cfg->alerts.rules;
    int timer = (what & ALERTS_ON_TIMER) != 0;
    rule_sources(db, cfg, what, ev);
    if (r->cron.enabled && (what & BIT(DS_CRON) || timer))
        rule_cron(db, cfg, ev);
    if (what & BIT(DS_SYSTEM))
        rule_system(db, cfg, ev);
    if (what & BIT(DS_REVENUE) || timer)
        rule_revenue(db, cfg, ev);
    if (what & BIT(DS_AGENTS) || timer)
        rule_agents(db, cfg, what, ev);
    if (r->blocker_age.enabled && (what & BIT(DS_BLOCKERS) || timer))
        rule_blockers(db, cfg, ev);
    if (r->outbox.enabled && (what & ALERTS_ON_OUTBOX || timer))
        rule_outbox(db, ev);
}
