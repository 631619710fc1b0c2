/* brief.c — reads the morning brief from the cache (brief.h): one bounded
 * query per section, on whatever connection the caller has (`mc brief` opens
 * a read-only one; the daemon's daily send uses its main thread's own). A
 * section whose table is empty or missing is left out ("have_*" = 0), never
 * an error: a brief of a young cache is short. brief_out.c prints it. */
#include "brief.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include "cronexpr.h"

#define JOB_GRACE_MS (5 * 60000)    /* as the cron widget: due this long ago = missed */
#define JOB_EARLY_MS 60000
#define MAX_JOBS 500

/* Status words that mean a failure (activity, cron). */
#define BAD_WORDS "'error', 'failed', 'fail', 'failure', 'crit', 'critical', 'crashed'," \
                  " 'timeout', 'hung', 'down'"

static char *col_dup(sqlite3_stmt *st, int i, size_t max)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return xstrndup(t ? (const char *)t : "", max);
}

/* A time cell (ISO text or epoch s/ms) as epoch ms; 0 when unknown. */
static int64_t col_time(sqlite3_stmt *st, int i)
{
    int t = sqlite3_column_type(st, i);
    if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
        return time_from_number(sqlite3_column_double(st, i));
    int64_t ms = 0;
    const unsigned char *s = sqlite3_column_text(st, i);
    if (t == SQLITE_TEXT && s && time_parse_iso((const char *)s, &ms) == 0)
        return ms;
    return 0;
}

static double col_num(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* Prepares sql; NULL (no error) when a table is missing, NULL with *err else. */
static sqlite3_stmt *prep(sqlite3 *db, const char *sql, int *missing, char **err)
{
    sqlite3_stmt *st = NULL;
    *missing = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        const char *m = sqlite3_errmsg(db);
        if (strstr(m, "no such table"))
            *missing = 1;
        else
            set_err(err, "brief: reading the cache: %s", m);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

static int done(sqlite3 *db, sqlite3_stmt *st, int rc, char **err)
{
    int ret = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        set_err(err, "brief: reading the cache: %s", sqlite3_errmsg(db));
        ret = -1;
    }
    sqlite3_finalize(st);
    return ret;
}

#define PREP(sql)                                   \
    int missing_;                                   \
    sqlite3_stmt *st = prep(db, sql, &missing_, err); \
    if (!st)                                        \
        return missing_ ? 0 : -1

static int blockers(Brief *b, sqlite3 *db, char **err)
{
    static const char where[] =
        " FROM blockers b LEFT JOIN snooze s ON s.source = b.source AND s.key = b.key"
        " WHERE b.resolved = 0 AND coalesce(b.for_owner, 1) = 1 AND"
        " coalesce(b.state, '') <> 'resolved' AND (s.until_ms IS NULL OR s.until_ms <= ?1)";
    char sql[600];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM (SELECT 1%s LIMIT %d)", where,
             BRIEF_COUNT_CAP);
    {
        PREP(sql);
        sqlite3_bind_int64(st, 1, b->now);
        int rc = sqlite3_step(st);
        b->blockers = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
        if (done(db, st, rc, err) < 0)
            return -1;
    }
    snprintf(sql, sizeof sql, "SELECT b.from_agent, b.description, b.source, b.created_at%s"
             " ORDER BY b.created_at ASC, b.source, b.key LIMIT %d", where, BRIEF_LIST);
    PREP(sql);
    sqlite3_bind_int64(st, 1, b->now);
    int rc;
    while (b->noldest < BRIEF_LIST && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        BriefBlocker *x = &b->oldest[b->noldest++];
        x->from = col_dup(st, 0, 64);
        x->desc = col_dup(st, 1, 1024);
        x->source = col_dup(st, 2, 64);
        x->created = col_time(st, 3);
    }
    return done(db, st, b->noldest == BRIEF_LIST ? SQLITE_DONE : rc, err);
}

/* The fraction of the revenue year gone at now (UTC; year_start MM-DD). */
static double year_fraction(const Config *cfg, int64_t now)
{
    char iso[40], d[32];
    int mon = cfg && cfg->year_start_month ? cfg->year_start_month : 1;
    int day = cfg && cfg->year_start_day ? cfg->year_start_day : 1;
    time_format_iso(now, iso, sizeof iso);
    iso[4] = '\0';
    long year;
    if (parse_long(iso, 0, 9999, &year) < 0)
        return 0;
    int64_t start, end;
    snprintf(d, sizeof d, "%04ld-%02d-%02d", year, mon, day);
    if (time_parse_iso(d, &start) < 0)
        return 0;
    if (start > now) {
        end = start;
        snprintf(d, sizeof d, "%04ld-%02d-%02d", year - 1, mon, day);
        if (time_parse_iso(d, &start) < 0)
            return 0;
    } else {
        snprintf(d, sizeof d, "%04ld-%02d-%02d", year + 1, mon, day);
        if (time_parse_iso(d, &end) < 0)
            return 0;
    }
    return end > start ? (double)(now - start) / (double)(end - start) : 0;
}

double brief_goal(const Config *cfg)
{
    const YNode *w = cfg ? cfg->widgets : NULL;
    for (int i = 0; w && w->type == YN_SEQ && i < w->n; i++) {
        const YNode *type = ynode_get(w->items[i], "type");
        double v = 0;
        char *e = NULL;
        int bad = ynode_double(w->items[i], "goal_usd", &v, &e) < 0;
        free(e);
        if (type && type->type == YN_SCALAR && strcmp(type->scalar, "revenue") == 0 && !bad &&
            v > 0 && v < 1e15)
            return v;
    }
    /* else the revenue_pace rule's own goal, when one is set there */
    return cfg && cfg->alerts.rules.revenue_pace.goal_usd > 0 ? cfg->alerts.rules.revenue_pace.goal_usd : 0;
}

static int revenue(Brief *b, sqlite3 *db, const Config *cfg, char **err)
{
    b->goal = brief_goal(cfg);
    b->year_frac = year_fraction(cfg, b->now);
    /* the newest snapshot of each source, and the newest one of an earlier day */
    PREP("SELECT t.source, t.d, t.y, (SELECT p.total_ytd_usd FROM revenue p WHERE"
         " p.source = t.source AND substr(p.snapshot_date, 1, 10) < substr(t.d, 1, 10)"
         " ORDER BY p.snapshot_date DESC LIMIT 1) FROM (SELECT source, max(snapshot_date) AS d,"
         " total_ytd_usd AS y FROM revenue GROUP BY source LIMIT 64) t");
    int rc, nprev = 0, n = 0;
    double prev = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        double y = col_num(st, 2);
        if (isnan(y))
            continue;
        n++;
        b->ytd += y;
        const unsigned char *d = sqlite3_column_text(st, 1);
        if (d && strncmp((const char *)d, b->revenue_date, 10) > 0)
            snprintf(b->revenue_date, sizeof b->revenue_date, "%.10s", (const char *)d);
        double p = col_num(st, 3);
        if (!isnan(p)) {
            prev += p;
            nprev++;
        } else {
            prev += y;      /* a source with one day only changed nothing */
        }
    }
    b->have_revenue = n > 0;
    b->have_change = nprev > 0;
    b->change = b->ytd - prev;
    return done(db, st, rc, err);
}

static int is_word(const char *s, const char *const *words)
{
    for (int i = 0; s && words[i]; i++)
        if (strcasecmp(s, words[i]) == 0)
            return 1;
    return 0;
}

static int job_order(const void *x, const void *y)
{
    const BriefJob *a = x, *b = y;
    int c = strcmp(a->state, b->state);      /* failed, hung, missed */
    if (c)
        return c;
    return a->at < b->at ? 1 : a->at > b->at ? -1 : strcmp(a->name, b->name);
}

static int jobs(Brief *b, sqlite3 *db, char **err)
{
    static const char *const hung[] = {"hung", "timeout", "timed_out", "timedout", "stuck", NULL};
    static const char *const bad[] = {"error", "failed", "fail", "failure", "critical", "crit",
                                      "down", "canceled", "cancelled", "crashed", NULL};
    PREP("SELECT name, schedule, enabled, last_run, last_status, consecutive_failures"
         " FROM cron ORDER BY job_id LIMIT 500");
    BriefJob *all = xcalloc(MAX_JOBS, sizeof *all);
    int n = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        b->jobs_total++;
        if (sqlite3_column_type(st, 2) != SQLITE_NULL && sqlite3_column_int(st, 2) == 0)
            continue;                                 /* disabled */
        const char *status = (const char *)sqlite3_column_text(st, 4);
        int64_t last = col_time(st, 3);
        const char *state = NULL;
        int64_t at = last;
        if (is_word(status, hung))
            state = "hung";
        else if (is_word(status, bad) || sqlite3_column_int(st, 5) > 0)
            state = "failed";
        else {
            CronExpr e;
            const char *sched = (const char *)sqlite3_column_text(st, 1);
            char *perr = NULL;
            if (sched && *sched && cron_expr_parse(sched, &e, NULL, &perr) == 0) {
                int64_t due = cron_expr_prev(&e, b->now - JOB_GRACE_MS + 1);
                if (due > 0 && last > 0 && last < due - JOB_EARLY_MS) {
                    state = "missed";
                    at = due;
                }
            }
            free(perr);
        }
        if (!state || at < b->since || n == MAX_JOBS)
            continue;
        all[n].name = col_dup(st, 0, 128);
        all[n].state = xstrdup(state);
        all[n].status = col_dup(st, 4, 256);
        all[n].at = at;
        all[n].last = last;
        n++;
    }
    b->have_jobs = b->jobs_total > 0;
    b->jobs_bad = n;
    qsort(all, (size_t)n, sizeof *all, job_order);
    for (int i = 0; i < n; i++) {
        if (i < BRIEF_LIST) {
            b->jobs[b->njobs++] = all[i];
            continue;
        }
        free(all[i].name);
        free(all[i].state);
        free(all[i].status);
    }
    free(all);
    return done(db, st, rc, err);
}

static int cost(Brief *b, sqlite3 *db, char **err)
{
    char today[40];
    time_format_iso(b->now, today, sizeof today);
    time_format_iso(b->now - 86400000, b->yesterday, sizeof b->yesterday);
    today[10] = b->yesterday[10] = '\0';
    PREP("SELECT agent_id, sum(total_cost_usd) AS c FROM usage WHERE date >= ?1 AND date < ?2"
         " GROUP BY agent_id ORDER BY c DESC, agent_id LIMIT 10000");
    sqlite3_bind_text(st, 1, b->yesterday, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, today, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        double c = col_num(st, 1);
        b->have_cost = 1;
        if (isnan(c))
            continue;
        b->cost += c;
        if (b->ntop < BRIEF_TOP && c > 0) {
            b->top[b->ntop].agent = col_dup(st, 0, 64);
            b->top[b->ntop++].usd = c;
        }
    }
    return done(db, st, rc, err);
}

/* Is a service's `up` true? (true, 1, "up", "ok", ...; as the health widget) */
static int service_up(const cJSON *v)
{
    static const char *const yes[] = {"up", "ok", "true", "yes", "healthy", NULL};
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v);
    if (cJSON_IsNumber(v))
        return v->valuedouble != 0;
    return cJSON_IsString(v) && is_word(v->valuestring, yes);
}

static void services(Brief *b, const char *json, int len)
{
    cJSON *arr = json ? cJSON_ParseWithLength(json, (size_t)len) : NULL;
    const cJSON *it, *list = cJSON_IsArray(arr) ? arr : NULL;
    Buf names = {0};
    cJSON_ArrayForEach(it, list) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
        if (!cJSON_IsString(name))
            continue;
        b->services++;
        if (service_up(cJSON_GetObjectItemCaseSensitive(it, "up")))
            continue;
        if (b->services_down++ < 4)
            buf_printf(&names, "%s%.40s", names.len ? ", " : "", name->valuestring);
    }
    cJSON_Delete(arr);
    b->down_names = names.len ? buf_steal(&names) : NULL;
    buf_free(&names);
}

static int system_row(Brief *b, sqlite3 *db, char **err)
{
    PREP("SELECT host, ts, cpu_pct, mem_pct, disk_pct, services FROM system"
         " ORDER BY ts DESC LIMIT 1");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        b->have_system = 1;
        b->host = col_dup(st, 0, 64);
        b->system_ts = col_time(st, 1);
        b->cpu = col_num(st, 2);
        b->mem = col_num(st, 3);
        b->disk = col_num(st, 4);
        services(b, (const char *)sqlite3_column_text(st, 5), sqlite3_column_bytes(st, 5));
    }
    return done(db, st, rc, err);
}

static int alerts(Brief *b, sqlite3 *db, char **err)
{
    {
        PREP("SELECT severity, count(*) FROM alerts WHERE state = 'open' GROUP BY severity");
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *sev = (const char *)sqlite3_column_text(st, 0);
            int i = sev && strcmp(sev, "crit") == 0 ? 2 : sev && strcmp(sev, "warn") == 0 ? 1 : 0;
            b->alerts[i] += sqlite3_column_int(st, 1);
        }
        if (done(db, st, rc, err) < 0)
            return -1;
    }
    PREP("SELECT severity, title, source, first_seen FROM alerts WHERE state = 'open' ORDER BY"
         " CASE severity WHEN 'crit' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, last_seen DESC, key"
         " LIMIT 5");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && b->nalist < BRIEF_LIST) {
        BriefAlert *a = &b->alist[b->nalist++];
        a->severity = col_dup(st, 0, 16);
        a->title = col_dup(st, 1, 512);
        a->source = col_dup(st, 2, 64);
        a->since = col_time(st, 3);
    }
    return done(db, st, rc, err);
}

static int read_events(Brief *b, sqlite3 *db, const char *sql, const char *from,
                       const char *to, int bad, char **err)
{
    PREP(sql);
    sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, BRIEF_EVENTS - b->nevents);
    int rc;
    while (b->nevents < BRIEF_EVENTS && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        BriefEvent *e = &b->events[b->nevents++];
        e->ts = col_time(st, 0);
        e->agent = col_dup(st, 1, 64);
        e->type = col_dup(st, 2, 64);
        e->status = col_dup(st, 3, 64);
        e->details = col_dup(st, 4, 1024);
        e->bad = bad;
    }
    return done(db, st, rc == SQLITE_ROW ? SQLITE_DONE : rc, err);
}

#define BAD_EVENT "(lower(status) IN (" BAD_WORDS ") OR lower(event_type) IN ('error', 'failure', 'failed'))"

static int activity(Brief *b, sqlite3 *db, char **err)
{
    char from[40], to[40], sql[700];
    time_format_iso(b->since, from, sizeof from);
    time_format_iso(b->now, to, sizeof to);
    to[19] = '\0';               /* "...:SS" then any fraction or Z still sorts below "~" */
    snprintf(to + 19, sizeof to - 19, "~");
    snprintf(sql, sizeof sql, "SELECT count(*), coalesce(sum(bad), 0) FROM (SELECT %s AS bad"
             " FROM activity WHERE ts >= ?1 AND ts < ?2 LIMIT %d)", BAD_EVENT, BRIEF_COUNT_CAP);
    {
        PREP(sql);
        sqlite3_bind_text(st, 1, from, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, to, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            b->events_total = sqlite3_column_int(st, 0);
            b->events_bad = sqlite3_column_int(st, 1);
        }
        if (done(db, st, rc, err) < 0)
            return -1;
    }
    static const char cols[] = "SELECT ts, agent, event_type, status, details FROM activity"
                               " WHERE ts >= ?1 AND ts < ?2 AND ";
    snprintf(sql, sizeof sql, "%s%s ORDER BY ts DESC, key LIMIT ?3", cols, BAD_EVENT);
    if (b->events_bad > 0 && read_events(b, db, sql, from, to, 1, err) < 0)
        return -1;
    snprintf(sql, sizeof sql, "%sNOT %s ORDER BY ts DESC, key LIMIT ?3", cols, BAD_EVENT);
    if (b->nevents < BRIEF_EVENTS && b->events_total > b->events_bad &&
        read_events(b, db, sql, from, to, 0, err) < 0)
        return -1;
    return 0;
}

int brief_collect(sqlite3 *db, const Config *cfg, int64_t now, int64_t since_ms, Brief *out,
                  char **err)
{
    memset(out, 0, sizeof *out);
    out->now = now;
    out->since = now - since_ms;
    out->cpu = out->mem = out->disk = NAN;
    snprintf(out->owner, sizeof out->owner, "%s", cfg && cfg->owner ? cfg->owner : "Apple");
    if (!db) {
        set_err(err, "brief: no cache");
        return -1;
    }
    if (blockers(out, db, err) < 0 || revenue(out, db, cfg, err) < 0 || jobs(out, db, err) < 0 ||
        cost(out, db, err) < 0 || system_row(out, db, err) < 0 || alerts(out, db, err) < 0 ||
        activity(out, db, err) < 0) {
        brief_free(out);
        return -1;
    }
    return 0;
}

void brief_free(Brief *b)
{
    for (int i = 0; i < b->noldest; i++) {
        free(b->oldest[i].from);
        free(b->oldest[i].desc);
        free(b->oldest[i].source);
    }
    for (int i = 0; i < b->njobs; i++) {
        free(b->jobs[i].name);
        free(b->jobs[i].state);
        free(b->jobs[i].status);
    }
    for (int i = 0; i < b->ntop; i++)
        free(b->top[i].agent);
    for (int i = 0; i < b->nalist; i++) {
        free(b->alist[i].severity);
        free(b->alist[i].title);
        free(b->alist[i].source);
    }
    for (int i = 0; i < b->nevents; i++) {
        free(b->events[i].agent);
        free(b->events[i].type);
        free(b->events[i].status);
        free(b->events[i].details);
    }
    free(b->host);
    free(b->down_names);
    b->noldest = b->njobs = b->ntop = b->nalist = b->nevents = 0;
    b->host = b->down_names = NULL;
}
