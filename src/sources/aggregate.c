/* aggregate.c — sums the items of an http_json source into one revenue row
 * per day (aggregate.h). Amounts are summed unscaled in long double and
 * scaled and rounded to the cent once at the end, so 10,000 values in cents
 * add up exactly. */
#include "aggregate.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "../util.h"
#include "../net/jsonpath.h"

#define AGG_MAX_STREAMS 64     /* more distinct stream names go to "other" */

static const char *const agg_keys[] = {"amount", "date", "stream", "stream_field", "scale", NULL};

int aggregate_configure(AggregateCfg *cfg, const YNode *map, const char *sid, char **err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->scale = 1.0;
    const YNode *n = ynode_get(map, "aggregate");
    if (!n)
        return 0;
    if (n->type != YN_MAP)
        return ynode_error(n, err, "aggregate: expected a map {amount, date, stream, scale}");
    if (ynode_check_keys(n, agg_keys, "aggregate", err) < 0 || ynode_req_str(n, "amount", &cfg->amount, err) < 0
        || ynode_req_str(n, "date", &cfg->date, err) < 0 || ynode_str(n, "stream", &cfg->stream, err) < 0
        || ynode_str(n, "stream_field", &cfg->stream_field, err) < 0
        || ynode_double(n, "scale", &cfg->scale, err) < 0)
        return -1;
    if (jsonpath_validate(cfg->amount, err) < 0)
        return ynode_error(ynode_get(n, "amount"), err, "aggregate.amount: bad JSON path '%.60s'", cfg->amount);
    if (jsonpath_validate(cfg->date, err) < 0)
        return ynode_error(ynode_get(n, "date"), err, "aggregate.date: bad JSON path '%.60s'", cfg->date);
    if (cfg->stream_field && jsonpath_validate(cfg->stream_field, err) < 0)
        return ynode_error(ynode_get(n, "stream_field"), err, "aggregate.stream_field: bad JSON path '%.60s'",
                           cfg->stream_field);
    if (!(cfg->scale > 0) || !isfinite(cfg->scale))
        return ynode_error(ynode_get(n, "scale"), err, "aggregate.scale must be a positive number (0.01 for cents)");
    if (cfg->stream && !*cfg->stream)
        return ynode_error(ynode_get(n, "stream"), err, "aggregate.stream must not be empty");
    if (!cfg->stream)
        cfg->stream = xstrdup(sid);
    cfg->enabled = 1;
    return 0;
}

void aggregate_cfg_free(AggregateCfg *cfg)
{
    free(cfg->amount), free(cfg->date), free(cfg->stream), free(cfg->stream_field);
    memset(cfg, 0, sizeof *cfg);
}

void aggregate_begin(Aggregate *a, const AggregateCfg *cfg, const Config *config, int64_t now_ms)
{
    memset(a, 0, sizeof *a);
    a->cfg = cfg;
    config_year_span(config, now_ms, &a->start_day, &a->end_day);
    a->today = now_ms >= 0 ? now_ms / 86400000 : (now_ms - 86399999) / 86400000;
}

void aggregate_end(Aggregate *a)
{
    for (int i = 0; i < a->nstreams; i++)
        free(a->streams[i].name);
    free(a->streams);
    memset(a, 0, sizeof *a);
}

static AggStream *stream_for(Aggregate *a, const char *name)
{
    for (int i = 0; i < a->nstreams; i++)
        if (!strcmp(a->streams[i].name, name))
            return &a->streams[i];
    if (a->nstreams == AGG_MAX_STREAMS) {
        if (strcmp(name, "other"))
            return stream_for(a, "other");
        return &a->streams[a->nstreams - 1];     /* full and "other" missing: the last one */
    }
    a->streams = xrealloc(a->streams, (size_t)(a->nstreams + 1) * sizeof *a->streams);
    a->streams[a->nstreams] = (AggStream){xstrdup(name), 0};
    return &a->streams[a->nstreams++];
}

/* The UTC day of an item's date (ISO text, a date, or epoch s/ms); -1 when none. */
static int item_day(const cJSON *v, int64_t *day)
{
    int64_t ms;
    if (cJSON_IsString(v) && v->valuestring && *v->valuestring) {
        if (time_parse_iso(v->valuestring, &ms) < 0)
            return -1;
    } else if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
        ms = time_from_number(v->valuedouble);
    } else {
        return -1;
    }
    *day = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
    return 0;
}

/* A number, or a numeric string ("12.50", " 3 ", "1,250.00"); "" and null
 * are 0. Returns 0, or -1 when the value is something else. */
static int item_amount(const cJSON *v, long double *out)
{
    *out = 0;
    if (!v || cJSON_IsNull(v))
        return 0;
    if (cJSON_IsNumber(v))
        return isfinite(v->valuedouble) ? (*out = v->valuedouble, 0) : -1;
    if (!cJSON_IsString(v) || !v->valuestring)
        return -1;
    char buf[64];
    size_t n = 0;
    for (const char *p = v->valuestring; *p; p++) {
        if (*p == ',' || isspace((unsigned char)*p))
            continue;
        if (n + 1 >= sizeof buf)
            return -1;
        buf[n++] = *p;
    }
    buf[n] = 0;
    if (!n)
        return 0;
    char *end = NULL;
    long double d = strtold(buf, &end);
    if (*end || !isfinite((double)d))
        return -1;
    *out = d;
    return 0;
}

/* For "PATH[*]": whether PATH itself is an array or object in doc (an empty
 * list is fine; a missing one means the response is not what we expect). */
static int items_container_present(const char *items, const cJSON *doc)
{
    size_t len = strlen(items);
    if (len < 3 || strcmp(items + len - 3, "[*]"))
        return 1;
    if (len == 3 || (len == 4 && items[0] == '$'))
        return cJSON_IsArray(doc) || cJSON_IsObject(doc);
    char *parent = xstrdup(items);
    parent[len - 3] = 0;
    const cJSON *p = jsonpath_get(parent, doc);
    free(parent);
    return cJSON_IsArray(p) || cJSON_IsObject(p);
}

/* Revenue is written as doubles rounded to the cent: past 2^53 cents (about
 * 9 x 10^13 USD) they no longer hold one, and 1e308 + 1e308 is infinite
 * (projected_annual_usd even sooner). A stream or the total beyond 10^13 USD
 * is no revenue figure but a bad response. */
#define AGG_LIMIT_USD 1e13L
static int past_limit(const Aggregate *a)
{
    long double total = 0, scale = (long double)a->cfg->scale;
    for (int i = 0; i < a->nstreams; i++) {
        total += a->streams[i].sum;
        if (fabsl(a->streams[i].sum * scale) > AGG_LIMIT_USD)
            return 1;
    }
    return fabsl(total * scale) > AGG_LIMIT_USD;
}

int aggregate_apply(Aggregate *a, const char *items, const cJSON *doc, char **err)
{
    const cJSON **list = NULL;
    int n = 0;
    if (!items)
        items = cJSON_IsArray(doc) ? "$[*]" : "$";
    if (jsonpath_eval(items, doc, &list, &n, err) < 0)
        return -1;
    if (n == 0 && !items_container_present(items, doc)) {
        /* {"error": ...} with status 200 must not become a total of 0 */
        set_err(err, "no %.60s in the response (nothing summed)", items);
        free(list);
        return -1;
    }
    const AggregateCfg *c = a->cfg;
    for (int i = 0; i < n; i++) {
        const cJSON *it = list[i];
        int64_t day;
        if (!cJSON_IsObject(it) || item_day(jsonpath_get(c->date, it), &day) < 0 || day < a->start_day
            || day >= a->end_day) {
            a->skipped++;
            continue;
        }
        long double amt;
        const cJSON *av = jsonpath_get(c->amount, it);
        if (item_amount(av, &amt) < 0) {
            char *txt = cJSON_IsString(av) ? NULL : cJSON_PrintUnformatted(av);
            set_err(err, "item %d: %s is not a number ('%.40s')", i + 1, c->amount,
                    cJSON_IsString(av) ? av->valuestring : txt ? txt : "?");
            free(txt);
            free(list);
            return -1;
        }
        const char *name = c->stream;
        if (c->stream_field) {
            const cJSON *sv = jsonpath_get(c->stream_field, it);
            if (cJSON_IsString(sv) && sv->valuestring && *sv->valuestring)
                name = sv->valuestring;
        }
        stream_for(a, name)->sum += amt;
        if (past_limit(a)) {
            set_err(err, "item %d: %s brings the total past 10^13 USD (a double no longer holds it to the cent)",
                    i + 1, c->amount);
            free(list);
            return -1;
        }
        a->counted++;
    }
    free(list);
    return n;
}

static double cents(long double unscaled, double scale)
{
    return (double)(roundl(unscaled * (long double)scale * 100.0L) / 100.0L);
}

void aggregate_row(const Aggregate *a, Rows *out)
{
    const Dataset *ds = out->ds;
    int row = rows_add(out);
    int y, m, d;
    char date[16];
    config_civil_from_days(a->today, &y, &m, &d);
    snprintf(date, sizeof date, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
    long double sum = 0;
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < a->nstreams; i++) {
        sum += a->streams[i].sum;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", a->streams[i].name);
        cJSON_AddNumberToObject(o, "ytd_usd", cents(a->streams[i].sum, a->cfg->scale));
        cJSON_AddItemToArray(arr, o);
    }
    if (!a->nstreams) {                      /* nothing yet this year: the stream at 0 */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", a->cfg->stream);
        cJSON_AddNumberToObject(o, "ytd_usd", 0);
        cJSON_AddItemToArray(arr, o);
    }
    double total = cents(sum, a->cfg->scale);
    double frac = (double)(a->today - a->start_day + 1) / (double)(a->end_day - a->start_day);
    if (frac > 1)
        frac = 1;
    char *streams = cJSON_PrintUnformatted(arr);
    cJSON_Delete(arr);
    rows_set_text(out, row, dataset_field(ds, "key"), date);
    rows_set_text(out, row, dataset_field(ds, "snapshot_date"), date);
    rows_set_real(out, row, dataset_field(ds, "total_ytd_usd"), total);
    rows_set_real(out, row, dataset_field(ds, "projected_annual_usd"),
                  frac > 0 ? round(total / frac * 100.0) / 100.0 : total);
    rows_set_text(out, row, dataset_field(ds, "streams"), streams);
    free(streams);
}
