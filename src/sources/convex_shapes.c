/* convex_shapes.c — Mission Control's Convex documents into dataset cells
 * where a field path is not enough: nested revenue sources, service lists,
 * memory as used/total. Parsed leniently (the API may change shape by
 * version): what cannot be read stays NULL, never fails the fetch. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "convex.h"
#include "teamkit.h"
#include "../util.h"
#include "../net/mapping.h"

static const cJSON *member(const cJSON *o, const char *const *names)
{
    for (int i = 0; names[i]; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, names[i]);
        if (v && !cJSON_IsNull(v))
            return v;
    }
    return NULL;
}

/* A percentage given as a number, or an object {percent | usage | used/total}. */
static int percent_of(const cJSON *v, double *out)
{
    static const char *const names[] = {"percent", "pct", "usage", "usagePercent", "usedPercent",
                                        "used_pct", "value", NULL};
    if (team_json_number(v, out) == 0)
        return 0;
    if (!cJSON_IsObject(v))
        return -1;
    if (team_json_number(member(v, names), out) == 0)
        return 0;
    double used, total;
    static const char *const u[] = {"used", NULL}, *const t[] = {"total", NULL};
    if (team_json_number(member(v, u), &used) == 0 && team_json_number(member(v, t), &total) == 0
        && total > 0) {
        *out = used / total * 100.0;
        return 0;
    }
    return -1;
}

static int status_up(const char *s)
{
    static const char *const up[] = {"up", "ok", "running", "healthy", "online", "active",
                                     "green", "pass", "passing", "true", NULL};
    for (int i = 0; up[i]; i++)
        if (!strcasecmp(s, up[i]))
            return 1;
    return 0;
}

/* One service {name, up, detail} from Mission Control's shapes. */
static cJSON *one_service(const char *name, const cJSON *v)
{
    static const char *const names[] = {"name", "service", "id", NULL};
    static const char *const ups[] = {"up", "healthy", "ok", NULL};
    static const char *const details[] = {"detail", "details", "message", "status", NULL};
    cJSON *o = cJSON_CreateObject();
    const cJSON *st = cJSON_IsObject(v) ? member(v, (const char *const[]){"status", "state", NULL}) : v;
    const cJSON *n = cJSON_IsObject(v) ? member(v, names) : NULL;
    cJSON_AddStringToObject(o, "name", cJSON_IsString(n) ? n->valuestring : name ? name : "?");
    const cJSON *up = cJSON_IsObject(v) ? member(v, ups) : NULL;
    if (cJSON_IsBool(up))
        cJSON_AddBoolToObject(o, "up", cJSON_IsTrue(up));
    else if (cJSON_IsBool(v))
        cJSON_AddBoolToObject(o, "up", cJSON_IsTrue(v));
    else if (cJSON_IsString(st))
        cJSON_AddBoolToObject(o, "up", status_up(st->valuestring));
    else
        cJSON_AddNullToObject(o, "up");
    const cJSON *d = cJSON_IsObject(v) ? member(v, details) : cJSON_IsString(v) ? v : NULL;
    if (cJSON_IsString(d))
        cJSON_AddStringToObject(o, "detail", d->valuestring);
    return o;
}

/* services as [{name, up, detail}] from an array or a {name: status} map. */
static char *services_json(const cJSON *v)
{
    if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
        return NULL;
    cJSON *out = cJSON_CreateArray();
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        if (cJSON_IsArray(v) && !cJSON_IsObject(e))
            continue;
        cJSON_AddItemToArray(out, one_service(cJSON_IsObject(v) ? e->string : NULL, e));
    }
    char *s = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    return s;
}

/* streams as [{name, ytd_usd}] from [{name, ytdUsd}] or {name: amount}. */
static char *streams_json(const cJSON *v)
{
    static const char *const names[] = {"name", "source", "stream", "label", NULL};
    static const char *const amounts[] = {"ytdUsd", "ytd_usd", "ytd", "totalYtdUsd", "amountUsd",
                                          "amount", "revenue", "value", NULL};
    if (!cJSON_IsArray(v) && !cJSON_IsObject(v))
        return NULL;
    cJSON *out = cJSON_CreateArray();
    const cJSON *e;
    cJSON_ArrayForEach(e, v) {
        const cJSON *n = cJSON_IsObject(v) ? NULL : member(e, names);
        const char *name = cJSON_IsObject(v) ? e->string : cJSON_IsString(n) ? n->valuestring : NULL;
        double usd;
        if (!name || team_json_number(cJSON_IsObject(e) ? member(e, amounts) : e, &usd) < 0)
            continue;
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddNumberToObject(o, "ytd_usd", usd);
        cJSON_AddItemToArray(out, o);
    }
    char *s = cJSON_PrintUnformatted(out);
    cJSON_Delete(out);
    return s;
}

static int is_null(const Rows *r, int row, int f)
{
    const Value *v = rows_cell_c(r, row, f);
    return v && v->kind == V_NULL;
}

static void set_json(Rows *r, int row, int f, char *json)
{
    if (json)
        rows_set_text(r, row, f, json);
    free(json);
}

static void fill_pct(Rows *r, int row, const char *field, const cJSON *item, const char *const *names)
{
    int f = dataset_field(r->ds, field);
    double d;
    if (is_null(r, row, f) && percent_of(member(item, names), &d) == 0 && isfinite(d))
        rows_set_real(r, row, f, d);
}

void convex_fix_row(Rows *r, int row, const cJSON *item, const char *source_id)
{
    const Dataset *ds = r->ds;
    int f;
    if ((f = dataset_field(ds, "ts")) > 0 && is_null(r, row, f))
        mapping_set_value(r, row, f, cJSON_GetObjectItemCaseSensitive(item, "_creationTime"), 1.0);
    if (ds->id == DS_REVENUE) {
        f = dataset_field(ds, "streams");
        if (is_null(r, row, f))
            set_json(r, row, f, streams_json(member(item, (const char *const[]){"sources", "streams", NULL})));
        f = dataset_field(ds, "snapshot_date");
        const Value *v = rows_cell_c(r, row, f);
        double d;
        cJSON *num = v && v->kind == V_TEXT ? cJSON_CreateString(v->u.s) : NULL;
        if (num && strlen(v->u.s) >= 9 && strspn(v->u.s, "0123456789") == strlen(v->u.s)
            && team_json_number(num, &d) == 0) {
            char iso[40];
            time_format_iso(time_from_number(d), iso, sizeof iso);
            rows_set_textn(r, row, f, iso, 10);
        }
        cJSON_Delete(num);
    } else if (ds->id == DS_SYSTEM) {
        fill_pct(r, row, "cpu_pct", item, (const char *const[]){"cpu", "cpuPercent", NULL});
        fill_pct(r, row, "mem_pct", item, (const char *const[]){"memory", "mem", "memPercent", NULL});
        fill_pct(r, row, "disk_pct", item, (const char *const[]){"disk", "diskPercent", NULL});
        f = dataset_field(ds, "services");
        if (is_null(r, row, f))
            set_json(r, row, f, services_json(cJSON_GetObjectItemCaseSensitive(item, "services")));
        f = dataset_field(ds, "load1");
        const cJSON *load = cJSON_GetObjectItemCaseSensitive(item, "load");
        double d;
        if (is_null(r, row, f)
            && team_json_number(cJSON_IsArray(load) ? cJSON_GetArrayItem(load, 0) : load, &d) == 0)
            rows_set_real(r, row, f, d);
        f = dataset_field(ds, "host");
        if (is_null(r, row, f))
            rows_set_text(r, row, f, source_id);
    }
}
