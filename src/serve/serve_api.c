/* serve_api.c — the JSON routes of `mc serve`: health (no auth), overview
 * (the dashboard's stats cards as numbers, from stats_cards.c), one dataset's rows (exactly what
 * `mc snapshot --json --dataset NAME` prints: the same cache_dump code, with
 * limit, since and source), the sources' states, and a blocker's resolve
 * through the outbox (202 with the outbox id; the `r` key's path). */
#ifdef MC_HAVE_MHD
#include "serve_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "../alerts/alerts.h"
#include "../outbox.h"
#include "../stats_cards.h"

static const char *query(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
}

/* A one-value query; NAN when NULL, no row or an error. */
static double scalar(Cache *cache, const char *sql, const char *arg)
{
    sqlite3_stmt *st;
    double v = NAN;
    if (sqlite3_prepare_v2(cache_db(cache), sql, -1, &st, NULL) != SQLITE_OK)
        return NAN;
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void num(Buf *b, const char *name, double v, int first)
{
    buf_printf(b, "%s\"%s\": ", first ? "" : ", ", name);
    if (isnan(v))
        buf_puts(b, "null");
    else if (v == floor(v) && fabs(v) < 1e15)
        buf_printf(b, "%.0f", v);
    else
        buf_printf(b, "%.2f", v);
}

enum MHD_Result api_health(Server *s, struct MHD_Connection *c, Req *r)
{
    char *err = NULL;
    Cache *cache = serve_cache(s, &err);
    if (!cache) {
        enum MHD_Result rc = serve_error(s, c, r, 503, "%s", err);
        free(err);
        return rc;
    }
    double last = scalar(cache, "SELECT max(last_success) FROM source_state", NULL);
    Buf b = {0};
    buf_puts(&b, "{\"status\": \"ok\", \"version\": \"" MC_VERSION "\", \"cache_age_ms\": ");
    if (isnan(last) || last <= 0)
        buf_puts(&b, "null");
    else
        buf_printf(&b, "%lld", (long long)(now_ms() - (int64_t)last));
    buf_printf(&b, ", \"uptime_ms\": %lld}\n", (long long)(now_ms() - s->started_ms));
    return serve_reply(s, c, r, 200, buf_steal(&b), "application/json");
}

enum MHD_Result api_overview(Server *s, struct MHD_Connection *c, Req *r)
{
    char *err = NULL;
    Cache *cache = serve_cache(s, &err);
    if (!cache) {
        enum MHD_Result rc = serve_error(s, c, r, 503, "%s", err);
        free(err);
        return rc;
    }
    int64_t now = now_ms();
    char iso[40];
    time_format_iso(now, iso, sizeof iso);
    /* the stats cards' numbers, unrounded: the stats widget's own code */
    StatsCards n;
    if (stats_cards_compute(cache_db(cache), s->cfg, now, ~0u, &n, &err) < 0) {
        enum MHD_Result rc = serve_error(s, c, r, 500, "%s", err);
        free(err);
        return rc;
    }
    Buf b = {0};
    buf_puts(&b, "{");
    num(&b, stats_card_names[STATS_BLOCKERS], n.open_blockers, 1);
    buf_printf(&b, ", \"open_blockers_capped\": %s", n.blockers_capped ? "true" : "false");
    num(&b, stats_card_names[STATS_REVENUE], n.ytd_revenue, 0);
    num(&b, stats_card_names[STATS_FAILING], n.failing_jobs, 0);
    num(&b, "jobs", n.jobs, 0);
    num(&b, stats_card_names[STATS_AGENTS], n.agents_online, 0);
    num(&b, "agents", n.agents, 0);
    num(&b, stats_card_names[STATS_COST], n.cost_today, 0);
    num(&b, stats_card_names[STATS_ALERTS], n.open_alerts, 0);
    num(&b, "alerts_crit", n.alerts_crit, 0);
    buf_puts(&b, ", \"owner\": ");
    buf_json_string(&b, s->cfg->owner, 1);
    buf_printf(&b, ", \"generated_at\": \"%s\"}\n", iso);
    return serve_reply(s, c, r, 200, buf_steal(&b), "application/json");
}

enum MHD_Result api_alerts(Server *s, struct MHD_Connection *c, Req *r)
{
    char *err = NULL;
    Cache *cache = serve_cache(s, &err);
    if (!cache) {
        enum MHD_Result rc = serve_error(s, c, r, 503, "%s", err);
        free(err);
        return rc;
    }
    cJSON *arr = alerts_list_json(cache, 0, now_ms(), &err);
    if (!arr) {
        enum MHD_Result rc = serve_error(s, c, r, 500, "%s", err);
        free(err);
        return rc;
    }
    char *json = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    char *body = xasprintf("%s\n", json ? json : "[]");
    cJSON_free(json);
    return serve_reply(s, c, r, 200, body, "application/json");
}

/* Runs a dump into memory: the body (with a newline, as `mc snapshot`
 * prints it) or NULL with *err. */
typedef int (*DumpFn)(Cache *c, void *arg, FILE *out, char **err);

static char *dump(Cache *cache, DumpFn fn, void *arg, char **err)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    if (!f) {
        set_err(err, "out of memory");
        return NULL;
    }
    int rc = fn(cache, arg, f, err);
    fputc('\n', f);
    fclose(f);
    if (rc != 0) {
        free(mem);
        return NULL;
    }
    return mem;
}

typedef struct DsArgs {
    const Dataset *ds;
    long limit;
    const char *since, *source;
} DsArgs;

static int dump_ds(Cache *c, void *arg, FILE *out, char **err)
{
    DsArgs *a = arg;
    return cache_dump_dataset_where(c, a->ds, out, a->limit, a->since, a->source, err);
}

static int dump_src(Cache *c, void *arg, FILE *out, char **err)
{
    return cache_dump_sources(c, out, err);
}

enum MHD_Result api_dataset(Server *s, struct MHD_Connection *c, Req *r, const char *name)
{
    DsArgs a = {.ds = dataset_find(name)};
    if (!a.ds)
        return serve_error(s, c, r, 404, "unknown dataset '%s' (known: %s)", name,
                           dataset_names());
    const char *limit = query(c, "limit"), *since = query(c, "since");
    a.source = query(c, "source");
    if (limit && parse_long(limit, 1, 100000000, &a.limit) != 0)
        return serve_error(s, c, r, 400, "limit must be a positive number");
    char norm[40];
    if (since) {
        int64_t ms;
        if (time_parse_iso(since, &ms) != 0)
            return serve_error(s, c, r, 400, "since must be an ISO-8601 time "
                               "(like 2026-11-21T09:00:00Z)");
        time_format_iso(ms, norm, sizeof norm);
        a.since = norm;
    }
    char *err = NULL;
    Cache *cache = serve_cache(s, &err);
    char *body = cache ? dump(cache, dump_ds, &a, &err) : NULL;
    if (!body) {
        enum MHD_Result rc = serve_error(s, c, r, cache ? 400 : 503, "%s", err);
        free(err);
        return rc;
    }
    return serve_reply(s, c, r, 200, body, "application/json");
}

enum MHD_Result api_sources(Server *s, struct MHD_Connection *c, Req *r)
{
    char *err = NULL;
    Cache *cache = serve_cache(s, &err);
    char *body = cache ? dump(cache, dump_src, NULL, &err) : NULL;
    if (!body) {
        enum MHD_Result rc = serve_error(s, c, r, 503, "%s", err);
        free(err);
        return rc;
    }
    return serve_reply(s, c, r, 200, body, "application/json");
}

/* A string field of the body: 0 (absent: *out NULL), -1 when not a string. */
static int body_str(const cJSON *j, const char *name, const char **out)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, name);
    *out = NULL;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (!cJSON_IsString(v))
        return -1;
    *out = v->valuestring;
    return 0;
}

enum MHD_Result api_resolve(Server *s, struct MHD_Connection *c, Req *r, const char *source,
                            const char *key, const char *token_name)
{
    cJSON *j = NULL;
    const char *note = NULL, *by = NULL;
    if (r->body.len) {
        buf_putc(&r->body, '\0');
        j = cJSON_Parse(r->body.s);
        if (!cJSON_IsObject(j) || body_str(j, "note", &note) || body_str(j, "by", &by)) {
            cJSON_Delete(j);
            return serve_error(s, c, r, 400, "the body must be {\"note\": text, \"by\": text}");
        }
    }
    char *err = NULL;
    int64_t id = -1;
    int status = 500, exists = 0;
    pthread_mutex_lock(&s->wlock);
    cache_set_quick_check(0);
    if (!s->wcache && cache_open(s->cfg->cache_path, &s->wcache, NULL, &err) != 0)
        s->wcache = NULL;
    if (s->wcache) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(cache_db(s->wcache), "SELECT 1 FROM blockers WHERE source = ?1"
                               " AND key = ?2", -1, &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, source, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
            exists = sqlite3_step(st) == SQLITE_ROW;
            sqlite3_finalize(st);
        }
        if (!exists) {
            status = 404;
            set_err(&err, "no blocker %s:%s in the cache", source, key);
        } else {
            id = outbox_enqueue(s->wcache, s->cfg, source, key, "resolve", note ? note : "",
                                by && *by ? by : token_name, &err);
            status = id > 0 ? 202 : 409;
            if (id > 0) {
                char *what = xasprintf("outbox %lld", (long long)id);
                audit_record(s->wcache, token_name, "api_resolve", source, key, note, what, NULL);
                free(what);
            }
        }
    }
    pthread_mutex_unlock(&s->wlock);
    cJSON_Delete(j);
    if (id <= 0) {
        enum MHD_Result rc = serve_error(s, c, r, status, "%s", err ? err : "cannot queue");
        free(err);
        return rc;
    }
    if (s->engine)
        engine_kick_outbox(s->engine);
    else
        deliver_kick();
    Buf b = {0};
    buf_printf(&b, "{\"id\": %lld, \"state\": \"pending\", \"source\": ", (long long)id);
    buf_json_string(&b, source, 1);
    buf_puts(&b, ", \"key\": ");
    buf_json_string(&b, key, 1);
    buf_puts(&b, "}\n");
    return serve_reply(s, c, r, 202, buf_steal(&b), "application/json");
}
#endif
