/* outputs.c — several datasets from one JSON document (outputs.h): each
 * output maps the items like any source (net/mapping.h), then per item takes
 * a piece of a string (part), the day of a time (day), the cost of the
 * tokens at the configured prices (cost), zeroes fields outside today
 * (today), and finally folds rows into groups (group_by, count). */
#include "outputs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "../cache.h"
#include "../util.h"
#include "../net/jsonpath.h"
#include "../net/mapping.h"
#include "fileutil.h"

#define OUT_MAX_GROUP 8

typedef struct Part {
    int field;
    char *path, *sep;
    long index;
} Part;

typedef struct Text {
    int field;
    char **tmpl;               /* NULL-terminated: the first whose {paths} all resolve */
} Text;

typedef struct Output {
    Mapping map;
    int ntext;
    Text *text;
    char *items;               /* the mapping's items path (for the per-item steps) */
    int mode;                  /* CACHE_REPLACE or CACHE_MERGE */
    int npart;
    Part *part;
    int nday;
    int *day_field;
    char **day_path;
    int cost_field;            /* -1: no cost */
    char *cost_model, *cost_tok[4];   /* input, output, cache_read, cache_write */
    int today_nfields;
    int today_fields[16];
    char *today_time;
    int ngroup;
    int group[OUT_MAX_GROUP];
    int count_field;           /* -1: none */
} Output;

struct Outputs {
    int n;
    Output *o;
};

static const char *const output_keys[] = {"items", "fields", "set", "scale", "part", "text", "day", "cost", "today",
                                          "group_by", "count", "mode", NULL};
static const char *const cost_keys[] = {"into", "model", "input", "output", "cache_read", "cache_write", NULL};
static const char *const price_names[] = {"input", "output", "cache_read", "cache_write"};

static void output_free(Output *o)
{
    mapping_free(&o->map);
    free(o->items);
    for (int i = 0; i < o->npart; i++)
        free(o->part[i].path), free(o->part[i].sep);
    free(o->part);
    for (int i = 0; i < o->ntext; i++)
        strv_free(o->text[i].tmpl);
    free(o->text);
    for (int i = 0; i < o->nday; i++)
        free(o->day_path[i]);
    free(o->day_field);
    free(o->day_path);
    free(o->cost_model);
    for (int i = 0; i < 4; i++)
        free(o->cost_tok[i]);
    free(o->today_time);
}

void outputs_free(Outputs *os)
{
    if (!os)
        return;
    for (int i = 0; i < os->n; i++)
        output_free(&os->o[i]);
    free(os->o);
    free(os);
}

/* ---- configure -------------------------------------------------------- */

/* A field of ds named by node n (not source, not key), or -1 with *err. */
static int field_at(const Dataset *ds, const YNode *n, const char *what, char **err)
{
    int f = n->type == YN_SCALAR ? dataset_field(ds, n->scalar) : -1;
    if (f < 1)
        return ynode_error(n, err, "%s: '%s' is not a field of %s", what, n->type == YN_SCALAR ? n->scalar : "?",
                           ds->name);
    return f;
}

static int read_path(const YNode *map, const char *key, int required, char **out, char **err)
{
    if ((required ? ynode_req_str(map, key, out, err) : ynode_str(map, key, out, err)) < 0)
        return -1;
    char *perr = NULL;
    if (*out && jsonpath_validate(*out, &perr) < 0) {
        ynode_error(ynode_get(map, key), err, "%s: %s", key, perr);
        free(perr);
        return -1;
    }
    return 0;
}

static int read_part(Output *o, const YNode *n, char **err)
{
    if (n->type != YN_MAP)
        return ynode_error(n, err, "part: expected a map field: {path, sep, index}");
    static const char *const keys[] = {"path", "sep", "index", NULL};
    o->part = xcalloc((size_t)n->n, sizeof *o->part);
    for (int i = 0; i < n->n; i++) {
        Part *p = &o->part[o->npart++];
        p->index = 0;
        if ((p->field = field_at(o->map.ds, n->keys[i], "part", err)) < 0 ||
            ynode_check_keys(n->items[i], keys, "part", err) < 0 || read_path(n->items[i], "path", 1, &p->path, err) < 0 ||
            ynode_req_str(n->items[i], "sep", &p->sep, err) < 0 ||
            ynode_long(n->items[i], "index", 0, 100, &p->index, err) < 0)
            return -1;
        if (!*p->sep)
            return ynode_error(ynode_get(n->items[i], "sep"), err, "part: 'sep' must not be empty");
    }
    return 0;
}

static int read_text(Output *o, const YNode *n, char **err)
{
    if (n->type != YN_MAP)
        return ynode_error(n, err, "text: expected a map field: [\"template {path}\", ...]");
    o->text = xcalloc((size_t)n->n, sizeof *o->text);
    for (int i = 0; i < n->n; i++) {
        Text *t = &o->text[o->ntext++];
        if ((t->field = field_at(o->map.ds, n->keys[i], "text", err)) < 0 ||
            ynode_strv(n, n->keys[i]->scalar, &t->tmpl, err) < 0)
            return -1;
        if (!t->tmpl || !t->tmpl[0])
            return ynode_error(n->items[i], err, "text: give at least one template");
    }
    return 0;
}

/* A number of milliseconds as the largest unit that divides it: 15m, 90m,
 * 1d, 1500ms. */
static void put_ms(Buf *b, double ms)
{
    static const struct { long long n; const char *unit; } units[] = {
        {86400000LL, "d"}, {3600000LL, "h"}, {60000LL, "m"}, {1000LL, "s"}};
    long long v = llround(ms);
    for (size_t i = 0; v > 0 && i < sizeof units / sizeof *units; i++)
        if (v % units[i].n == 0) {
            buf_printf(b, "%lld%s", v / units[i].n, units[i].unit);
            return;
        }
    buf_printf(b, "%lldms", v);
}

/* A template with {path} (or {path|ms}: a number of milliseconds written as
 * a duration) filled from the item; NULL when a path is missing or not a
 * string or number. Returns a new string. */
static char *fill_text(const char *tmpl, const cJSON *it)
{
    Buf b = {0};
    for (const char *p = tmpl; *p;) {
        const char *open = strchr(p, '{'), *close = open ? strchr(open, '}') : NULL;
        if (!open || !close) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(open - p));
        char *path = xstrndup(open + 1, (size_t)(close - open - 1));
        size_t plen = strlen(path);
        int as_ms = plen > 3 && !strcmp(path + plen - 3, "|ms");
        if (as_ms)
            path[plen - 3] = '\0';
        const cJSON *v = jsonpath_get(path, it);
        free(path);
        if (as_ms && cJSON_IsNumber(v) && isfinite(v->valuedouble))
            put_ms(&b, v->valuedouble);
        else if (as_ms) {
            buf_free(&b);
            return NULL;
        } else if (cJSON_IsString(v) && v->valuestring && *v->valuestring)
            buf_puts(&b, v->valuestring);
        else if (cJSON_IsNumber(v))
            buf_printf(&b, "%.15g", v->valuedouble);
        else {
            buf_free(&b);
            return NULL;
        }
        p = close + 1;
    }
    return b.s ? buf_steal(&b) : xstrdup("");
}

static int read_day(Output *o, const YNode *n, char **err)
{
    if (n->type != YN_MAP)
        return ynode_error(n, err, "day: expected a map field: JSON path of a time");
    o->day_field = xcalloc((size_t)n->n, sizeof *o->day_field);
    o->day_path = xcalloc((size_t)n->n, sizeof *o->day_path);
    for (int i = 0; i < n->n; i++) {
        int f = field_at(o->map.ds, n->keys[i], "day", err);
        if (f < 0)
            return -1;
        o->day_field[o->nday] = f;
        if (read_path(n, n->keys[i]->scalar, 1, &o->day_path[o->nday++], err) < 0)
            return -1;
    }
    return 0;
}

static int read_cost(Output *o, const YNode *n, char **err)
{
    if (ynode_check_keys(n, cost_keys, "cost", err) < 0)
        return -1;
    const YNode *into = ynode_get(n, "into");
    if (!into)
        return ynode_error(n, err, "cost: missing required key 'into' (the field the cost goes to)");
    if ((o->cost_field = field_at(o->map.ds, into, "cost.into", err)) < 0 ||
        read_path(n, "model", 1, &o->cost_model, err) < 0)
        return -1;
    for (int i = 0; i < 4; i++)
        if (read_path(n, price_names[i], 0, &o->cost_tok[i], err) < 0)
            return -1;
    return 0;
}

static int read_today(Output *o, const YNode *n, char **err)
{
    static const char *const keys[] = {"time", "fields", NULL};
    const YNode *fl = ynode_get(n, "fields");
    if (ynode_check_keys(n, keys, "today", err) < 0 || read_path(n, "time", 1, &o->today_time, err) < 0)
        return -1;
    if (!fl || fl->type != YN_SEQ || fl->n > 16)
        return ynode_error(fl ? fl : n, err, "today: 'fields' must be a list of fields (at most 16)");
    for (int i = 0; i < fl->n; i++)
        if ((o->today_fields[o->today_nfields++] = field_at(o->map.ds, fl->items[i], "today", err)) < 0)
            return -1;
    return 0;
}

static int read_output(Output *o, const Dataset *ds, const YNode *m, char **err)
{
    const YNode *n;
    o->cost_field = o->count_field = -1;
    o->mode = CACHE_REPLACE;
    char *what = xasprintf("outputs.%s", ds->name), *mode = NULL;
    int rc = ynode_check_keys(m, output_keys, what, err);
    free(what);
    if (rc < 0 || mapping_configure(&o->map, ds, m, NULL, err) < 0)
        return -1;
    o->items = xstrdup(o->map.items);
    if (((n = ynode_get(m, "part")) && read_part(o, n, err) < 0) ||
        ((n = ynode_get(m, "text")) && read_text(o, n, err) < 0) ||
        ((n = ynode_get(m, "day")) && read_day(o, n, err) < 0) ||
        ((n = ynode_get(m, "cost")) && read_cost(o, n, err) < 0) ||
        ((n = ynode_get(m, "today")) && read_today(o, n, err) < 0) || ynode_str(m, "mode", &mode, err) < 0)
        return -1;
    if (mode) {
        int ok = !strcmp(mode, "replace") || !strcmp(mode, "merge");
        o->mode = !strcmp(mode, "merge") ? CACHE_MERGE : CACHE_REPLACE;
        free(mode);
        if (!ok)
            return ynode_error(ynode_get(m, "mode"), err, "mode: 'replace' or 'merge'");
    }
    if ((n = ynode_get(m, "group_by"))) {
        if (n->type != YN_SEQ || n->n < 1 || n->n > OUT_MAX_GROUP)
            return ynode_error(n, err, "group_by: a list of 1 to %d fields", OUT_MAX_GROUP);
        for (int i = 0; i < n->n; i++)
            if ((o->group[o->ngroup++] = field_at(ds, n->items[i], "group_by", err)) < 0)
                return -1;
    }
    if ((n = ynode_get(m, "count")) && (o->count_field = field_at(ds, n, "count", err)) < 0)
        return -1;
    if (o->count_field >= 0 && !o->ngroup)
        return ynode_error(n, err, "count: needs group_by (it counts the items of a group)");
    return 0;
}

int outputs_configure(const YNode *map, Outputs **out, char **err)
{
    const YNode *m = ynode_get(map, "outputs");
    *out = NULL;
    if (!m)
        return 0;
    if (m->type != YN_MAP || m->n == 0)
        return ynode_error(m, err, "outputs: expected a map of dataset: {items, fields, ...}");
    Outputs *os = xcalloc(1, sizeof *os);
    os->o = xcalloc((size_t)m->n, sizeof *os->o);
    for (int i = 0; i < m->n; i++) {
        const Dataset *ds = dataset_find(m->keys[i]->scalar);
        if (!ds || dataset_mc_owned(ds)) {
            ynode_error(m->keys[i], err, "outputs: '%.60s' is not a dataset a source can write (known: %s)",
                        m->keys[i]->scalar, dataset_names());
            outputs_free(os);
            return -1;
        }
        os->n++;
        if (m->items[i]->type != YN_MAP) {
            ynode_error(m->items[i], err, "outputs.%s: expected a map {items, fields, ...}", ds->name);
            outputs_free(os);
            return -1;
        }
        if (read_output(&os->o[i], ds, m->items[i], err) < 0) {
            outputs_free(os);
            return -1;
        }
    }
    *out = os;
    return 0;
}

uint32_t outputs_datasets(const Outputs *os)
{
    uint32_t bits = 0;
    for (int i = 0; os && i < os->n; i++)
        bits |= 1u << os->o[i].map.ds->id;
    return bits;
}

/* ---- apply ------------------------------------------------------------ */

/* The price of one kind of token for model (USD per million), or -1. */
static double price_of(const YNode *prices, const char *model, const char *kind)
{
    const YNode *p = ynode_get(prices, model);
    for (int i = 0; !p && prices && prices->type == YN_MAP && i < prices->n; i++)
        if (!strcasecmp(prices->keys[i]->scalar, model))
            p = prices->items[i];
    const YNode *v = ynode_get(p, kind);
    if (!v || v->type != YN_SCALAR)
        return -1;
    char *end = NULL;
    double d = strtod(v->scalar, &end);
    return end != v->scalar && !*end && isfinite(d) && d >= 0 ? d : -1;
}

static void item_cost(const Output *o, Rows *r, int row, const cJSON *it, const YNode *prices)
{
    const cJSON *mv = jsonpath_get(o->cost_model, it);
    if (!cJSON_IsString(mv) || !mv->valuestring)
        return;
    double usd = 0;
    int priced = 0;
    for (int k = 0; k < 4; k++) {
        const cJSON *t = o->cost_tok[k] ? jsonpath_get(o->cost_tok[k], it) : NULL;
        /* a count: positive, finite and exact in a double (1e3080 is
         * infinity, and would make the cost infinite) */
        if (!cJSON_IsNumber(t) || !(t->valuedouble > 0) || !(t->valuedouble <= 9007199254740992.0))
            continue;
        double p = price_of(prices, mv->valuestring, price_names[k]);
        if (p < 0)
            continue;
        usd += t->valuedouble * p / 1e6;
        priced = 1;
    }
    if (priced)
        rows_set_real(r, row, o->cost_field, usd);
}

/* The per-item steps for rows [base, base + n) made from items found[]. */
static void item_steps(const Output *o, Rows *r, int base, const cJSON **found, int n, const YNode *prices,
                       int64_t now_ms)
{
    int64_t today = now_ms / 86400000;
    for (int i = 0; i < n; i++) {
        int row = base + i;
        const cJSON *it = found[i];
        for (int p = 0; p < o->npart; p++) {
            const Part *pt = &o->part[p];
            const cJSON *v = jsonpath_get(pt->path, it);
            if (!cJSON_IsString(v) || !v->valuestring)
                continue;
            const char *s = v->valuestring;
            size_t seplen = strlen(pt->sep);
            for (long k = 0; k < pt->index && s; k++)
                s = strstr(s, pt->sep) ? strstr(s, pt->sep) + seplen : NULL;
            if (s) {
                const char *e = strstr(s, pt->sep);
                rows_set_textn(r, row, pt->field, s, e ? (size_t)(e - s) : strlen(s));
            }
        }
        for (int t = 0; t < o->ntext; t++)
            for (char **tp = o->text[t].tmpl; *tp; tp++) {
                char *v = fill_text(*tp, it);
                if (v) {
                    rows_set_text(r, row, o->text[t].field, v);
                    free(v);
                    break;
                }
            }
        for (int d = 0; d < o->nday; d++) {
            int64_t ms;
            char day[32];
            if (fu_json_time(jsonpath_get(o->day_path[d], it), &ms) < 0)
                continue;
            time_format_iso(ms, day, sizeof day);
            rows_set_textn(r, row, o->day_field[d], day, 10);
        }
        if (o->cost_field >= 0)
            item_cost(o, r, row, it, prices);
        if (o->today_time) {
            int64_t ms;
            int is_today = fu_json_time(jsonpath_get(o->today_time, it), &ms) == 0 && ms / 86400000 == today;
            for (int f = 0; !is_today && f < o->today_nfields; f++) {
                FieldType t = r->ds->fields[o->today_fields[f]].type;
                if (t == F_INT)
                    rows_set_int(r, row, o->today_fields[f], 0);
                else if (t == F_REAL)
                    rows_set_real(r, row, o->today_fields[f], 0);
                else
                    rows_set_null(r, row, o->today_fields[f]);
            }
        }
    }
}

static int same_value(const Value *a, const Value *b)
{
    if (a->kind != b->kind)
        return 0;
    switch (a->kind) {
    case V_NULL:
        return 1;
    case V_TEXT:
        return !strcmp(a->u.s, b->u.s);
    case V_INT:
        return a->u.i == b->u.i;
    case V_REAL:
        return a->u.d == b->u.d;
    }
    return 0;
}

static void value_text(const Value *v, Buf *b)
{
    if (v->kind == V_TEXT)
        buf_puts(b, v->u.s);
    else if (v->kind == V_INT)
        buf_printf(b, "%lld", (long long)v->u.i);
    else if (v->kind == V_REAL)
        buf_printf(b, "%.17g", v->u.d);
}

/* The dataset's first time field (the newest row of a group is the one
 * with the latest value there), or -1. */
static int first_time_field(const Dataset *ds)
{
    for (int f = 2; f < ds->nfields; f++)
        if (ds->fields[f].type == F_TIME)
            return f;
    return -1;
}

/* Adds row src into row dst of the grouped set: numbers summed, times the
 * latest, other values those of the newest row (by the first time field;
 * else the first non-null); the group_by fields stay as they are. */
static int is_group_field(const Output *o, int f)
{
    for (int k = 0; k < o->ngroup; k++)
        if (o->group[k] == f)
            return 1;
    return 0;
}

/* The sum of two integer cells, exact (not through a double, which loses
 * the units past 2^53) and held to the int64 range (past it llround's
 * result is unspecified); `approx` when either side is a real. */
static int64_t sum_int(const Value *a, const Value *b, double approx)
{
    int64_t r;
    if (a->kind == V_INT && b->kind == V_INT) {
        if (__builtin_add_overflow(a->u.i, b->u.i, &r))
            r = a->u.i > 0 ? INT64_MAX : INT64_MIN;
        return r;
    }
    if (!(approx < 9.2233720368547748e18))
        return approx != approx ? 0 : INT64_MAX;
    if (approx < -9.2233720368547748e18)
        return INT64_MIN;
    return (int64_t)llround(approx);
}

static void fold(const Output *o, Rows *out, int dst, const Rows *in, int src)
{
    int tf = first_time_field(in->ds);
    const Value *st = tf >= 0 ? rows_cell_c(in, src, tf) : NULL, *dt = tf >= 0 ? rows_cell_c(out, dst, tf) : NULL;
    int newer = st && st->kind == V_TEXT && (dt->kind != V_TEXT || strcmp(st->u.s, dt->u.s) > 0);
    for (int f = 2; f < in->ds->nfields; f++) {
        if (is_group_field(o, f))
            continue;           /* set once, when the group is made */
        const Value *s = rows_cell_c(in, src, f);
        Value *d = rows_cell(out, dst, f);
        FieldType t = in->ds->fields[f].type;
        if (s->kind == V_NULL)
            continue;
        if (d->kind == V_NULL) {
            if (s->kind == V_TEXT)
                rows_set_text(out, dst, f, s->u.s);
            else if (s->kind == V_INT)
                rows_set_int(out, dst, f, s->u.i);
            else
                rows_set_real(out, dst, f, s->u.d);
        } else if ((t == F_INT || t == F_REAL) && s->kind != V_TEXT && d->kind != V_TEXT) {
            double sum = (d->kind == V_INT ? (double)d->u.i : d->u.d) + (s->kind == V_INT ? (double)s->u.i : s->u.d);
            if (t == F_INT)
                rows_set_int(out, dst, f, sum_int(d, s, sum));
            else
                rows_set_real(out, dst, f, sum);
        } else if (t == F_TIME && s->kind == V_TEXT && d->kind == V_TEXT && strcmp(s->u.s, d->u.s) > 0) {
            rows_set_text(out, dst, f, s->u.s);
        } else if (newer && t != F_INT && t != F_REAL && t != F_TIME && s->kind == V_TEXT) {
            rows_set_text(out, dst, f, s->u.s);
        }
    }
}

/* The hash of a row's group_by values (their kinds too, so NULL and "" differ). */
static uint64_t group_hash(const Output *o, const Rows *r, int row, Buf *scratch)
{
    scratch->len = 0;
    for (int k = 0; k < o->ngroup; k++) {
        const Value *v = rows_cell_c(r, row, o->group[k]);
        buf_putc(scratch, (char)('0' + v->kind));
        value_text(v, scratch);
        buf_putc(scratch, '\x1f');
    }
    return hash64(scratch->s, scratch->len);
}

static int same_group(const Output *o, const Rows *a, int ra, const Rows *b, int rb)
{
    for (int k = 0; k < o->ngroup; k++)
        if (!same_value(rows_cell_c(a, ra, o->group[k]), rows_cell_c(b, rb, o->group[k])))
            return 0;
    return 1;
}

/* One row per distinct group_by values (found through an open-addressing
 * table of their hashes); key = the values joined with ':'. */
static Rows *group_rows(const Output *o, const Rows *in)
{
    Rows *out = rows_new(in->ds);
    size_t cap = 16;
    while (cap < (size_t)in->nrows * 2)
        cap *= 2;
    int *slot = xcalloc(cap, sizeof *slot);          /* group index + 1, 0 = empty */
    int *counts = xcalloc((size_t)in->nrows + 1, sizeof *counts);
    Buf scratch = {0};
    for (int r = 0; r < in->nrows; r++) {
        size_t h = (size_t)group_hash(o, in, r, &scratch) & (cap - 1);
        while (slot[h] && !same_group(o, in, r, out, slot[h] - 1))
            h = (h + 1) & (cap - 1);
        int g = slot[h] - 1;
        if (g < 0) {
            g = rows_add(out);
            slot[h] = g + 1;
            Buf key = {0};
            for (int k = 0; k < o->ngroup; k++) {
                if (k)
                    buf_putc(&key, ':');
                value_text(rows_cell_c(in, r, o->group[k]), &key);
            }
            rows_set_text(out, g, 1, key.s ? key.s : "");
            buf_free(&key);
            /* the group's values, so later rows compare against them */
            for (int k = 0; k < o->ngroup; k++) {
                const Value *v = rows_cell_c(in, r, o->group[k]);
                if (v->kind == V_TEXT)
                    rows_set_text(out, g, o->group[k], v->u.s);
                else if (v->kind == V_INT)
                    rows_set_int(out, g, o->group[k], v->u.i);
                else if (v->kind == V_REAL)
                    rows_set_real(out, g, o->group[k], v->u.d);
            }
        }
        fold(o, out, g, in, r);
        counts[g]++;
    }
    for (int g = 0; o->count_field >= 0 && g < out->nrows; g++)
        rows_set_int(out, g, o->count_field, counts[g]);
    buf_free(&scratch);
    free(counts);
    free(slot);
    return out;
}

int outputs_apply(const Outputs *os, const cJSON *doc, const YNode *prices, int64_t now_ms, Rows ***sets,
                  int **modes, int *nsets, char **err)
{
    *sets = xcalloc((size_t)os->n, sizeof **sets);
    *modes = xcalloc((size_t)os->n, sizeof **modes);
    *nsets = 0;
    for (int i = 0; i < os->n; i++) {
        const Output *o = &os->o[i];
        Rows *r = rows_new(o->map.ds);
        const cJSON **found = NULL;
        int n = 0;
        char *merr = NULL;
        const char *items = o->items ? o->items : cJSON_IsArray(doc) ? "$[*]" : "$";
        if (mapping_apply(&o->map, doc, r, &merr) < 0 || jsonpath_eval(items, doc, &found, &n, &merr) < 0) {
            set_err(err, "outputs.%s: %s", o->map.ds->name, merr ? merr : "mapping failed");
            free(merr);
            free((void *)found);
            rows_free(r);
            for (int k = 0; k < *nsets; k++)
                rows_free((*sets)[k]);
            free(*sets), free(*modes);
            *sets = NULL, *modes = NULL, *nsets = 0;
            return -1;
        }
        item_steps(o, r, 0, found, n < r->nrows ? n : r->nrows, prices, now_ms);
        free((void *)found);
        if (o->ngroup) {
            Rows *g = group_rows(o, r);
            rows_free(r);
            r = g;
        }
        (*sets)[i] = r;
        (*modes)[i] = o->mode;
        (*nsets)++;
    }
    return 0;
}
