/* postgrest_fetch.c — the read side of the `postgrest` kind: each
 * configured table is paged to its end (Range-Unit/Range with the total from
 * Content-Range, or limit/offset up to the query's own limit), mapped into
 * rows, given stable keys, and — for agent_usage — summed into today's
 * tokens and cost per agent. All of it is committed in one transaction, or
 * nothing when any page fails. */
#include <stdlib.h>
#include <string.h>
#include "postgrest.h"
#include "../net/scrub.h"
#include "teamkit.h"
#include "../util.h"

/* The total of "0-999/3573" or "*\/3573"; -1 when unknown ("*"). */
static long range_total(const char *cr)
{
    const char *slash = cr ? strchr(cr, '/') : NULL;
    long total;
    if (!slash || parse_long(slash + 1, 0, 2000000000L, &total) < 0)
        return -1;
    return total;
}

/* ---- fetch ------------------------------------------------------------ */

/* The URL of one page: the table, its query, and limit/offset in limit mode. */
static char *page_url(const PostgrestCfg *c, const PgTable *t, long want, long start)
{
    char *tbl = http_url_escape(t->table);
    Buf b = {0};
    buf_printf(&b, "%s/%s", c->url, tbl);
    free(tbl);
    int q = 0;
    if (*t->query) {
        buf_printf(&b, "?%s", t->query);
        q = 1;
    }
    if (t->limit >= 0)
        buf_printf(&b, "%climit=%ld&offset=%ld", q ? '&' : '?', want, start);
    return buf_steal(&b);
}

/* One page into rows. Returns rows added (>= 0), -2 at "range past the end", -1 on error. */
static int fetch_page(const PostgrestCfg *c, const PgTable *t, FetchCtx *ctx, const HttpHeaders *base,
                      long want, long start, int first, Rows *rows, long *total)
{
    HttpHeaders h = {0};
    for (int i = 0; i < base->n; i++)
        http_headers_set(&h, base->v[i].name, base->v[i].value, base->v[i].secret);
    if (t->limit < 0) {
        char range[64];
        snprintf(range, sizeof range, "%ld-%ld", start, start + want - 1);
        http_headers_set(&h, "Range-Unit", "items", 0);
        http_headers_set(&h, "Range", range, 0);
    }
    http_headers_set(&h, "Prefer", "count=exact", 0);
    char *url = page_url(c, t, want, start);
    HttpRequest rq;
    postgrest_request_init(&rq, c, &h);
    rq.url = url;
    rq.deadline_ms = ctx->deadline_ms;
    rq.cancel = ctx->cancel;
    HttpResponse resp;
    cJSON *doc = NULL;
    int n = -1;
    ctx->requests++;
    if (http_auth_perform(&c->auth, &rq, &resp, &ctx->err) < 0)   /* OAuth2: once more after a 401 */
        goto out;
    if (resp.status == 416 && !first) {
        n = -2;
        goto out;
    }
    if (resp.status < 200 || resp.status > 299) {
        postgrest_error(&resp, t->table, &ctx->err);
        if (http_retry_after(&resp) >= 0)
            ctx->retry_after_ms = http_retry_after(&resp);
        goto out;
    }
    if (!(doc = team_parse_body(&resp, &ctx->err)))
        goto out;
    if (!cJSON_IsArray(doc)) {
        set_err(&ctx->err, "table %s: expected a JSON array of rows from %s", t->table, resp.host);
        goto out;
    }
    char *merr = NULL;
    if ((n = mapping_apply(&t->map, doc, rows, &merr)) < 0) {
        set_err(&ctx->err, "table %s from %s: %s", t->table, resp.host, merr);
        free(merr);
    }
    *total = range_total(resp.content_range);
out:
    cJSON_Delete(doc);
    http_response_free(&resp);
    free(url);
    http_headers_free(&h);
    return n;
}

/* Reads one table to its end (or its own limit) into rows. 0 or -1. */
static int fetch_table(const PostgrestCfg *c, const PgTable *t, FetchCtx *ctx, const HttpHeaders *h,
                       Rows *rows)
{
    long fetched = 0;
    for (long page = 0; page < t->max_pages; page++) {
        long want = t->page_size;
        if (t->limit >= 0 && t->limit - fetched < want)
            want = t->limit - fetched;
        if (want <= 0)
            return 0;
        long start = t->offset + fetched, total = -1;
        int n = fetch_page(c, t, ctx, h, want, start, page == 0, rows, &total);
        if (n == -2)
            return 0;
        if (n < 0)
            return -1;
        fetched += n;
        if (n == 0)
            return 0;
        if (total >= 0) {         /* a known total: go on until it, whatever the page length */
            if (start + n >= total)
                return 0;
        } else if (n != want) {   /* a short page, or a server that ignored paging */
            return 0;
        }
    }
    set_err(&ctx->err, "table %s: more than %ld pages of %ld rows; raise max_pages or narrow the query",
            t->table, t->max_pages, t->page_size);
    return -1;
}

/* Keys the mapping left empty: agent_id|date for usage (unique on both). */
static void fill_keys(Rows *rows)
{
    if (rows->ds->id != DS_USAGE)
        return;
    int a = dataset_field(rows->ds, "agent_id"), d = dataset_field(rows->ds, "date");
    for (int r = 0; r < rows->nrows; r++) {
        const Value *k = rows_cell_c(rows, r, 1), *av = rows_cell_c(rows, r, a), *dv = rows_cell_c(rows, r, d);
        if (k->kind != V_NULL || av->kind != V_TEXT || dv->kind != V_TEXT)
            continue;
        char *key = xasprintf("%s|%s", av->u.s, dv->u.s);
        rows_set_text(rows, r, 1, key);
        free(key);
    }
}

static int64_t cell_int(const Rows *r, int row, int f)
{
    const Value *v = rows_cell_c(r, row, f);
    return !v ? 0 : v->kind == V_INT ? v->u.i : v->kind == V_REAL ? (int64_t)v->u.d : 0;
}

static double cell_real(const Rows *r, int row, int f)
{
    const Value *v = rows_cell_c(r, row, f);
    return !v ? 0 : v->kind == V_REAL ? v->u.d : v->kind == V_INT ? (double)v->u.i : 0;
}

/* The UTC day (YYYY-MM-DD) of a usage date cell, into out; 0 or -1. */
static int usage_day(const Value *v, char out[11])
{
    int64_t ms;
    char iso[40];
    if (!v || v->kind != V_TEXT || strlen(v->u.s) < 10)
        return -1;
    if (strlen(v->u.s) > 10 && time_parse_iso(v->u.s, &ms) == 0) {
        time_format_iso(ms, iso, sizeof iso);
        memcpy(out, iso, 10);
    } else {
        memcpy(out, v->u.s, 10);
    }
    out[10] = 0;
    return 0;
}

typedef struct AgentSort {
    const Rows *rows;
    int field;
} AgentSort;

static int by_agent(const void *a, const void *b, void *ctx)
{
    const AgentSort *s = ctx;
    return strcmp(rows_cell_c(s->rows, *(const int *)a, s->field)->u.s,
                  rows_cell_c(s->rows, *(const int *)b, s->field)->u.s);
}

/* Today's (UTC) tokens and cost per agent from usage rows. */
static Rows *agents_today(const Rows *usage, int64_t now)
{
    const Dataset *ds = usage->ds;
    int fa = dataset_field(ds, "agent_id"), fd = dataset_field(ds, "date"),
        fc = dataset_field(ds, "total_cost_usd");
    const char *tok[] = {"input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens"};
    char today[40], day[11];
    time_format_iso(now, today, sizeof today);
    today[10] = 0;
    int *idx = xmalloc(sizeof *idx * (size_t)(usage->nrows + 1)), n = 0;
    for (int r = 0; r < usage->nrows; r++)
        if (rows_cell_c(usage, r, fa)->kind == V_TEXT && usage_day(rows_cell_c(usage, r, fd), day) == 0
            && !strcmp(day, today))
            idx[n++] = r;
    AgentSort sort = {usage, fa};
    qsort_r(idx, (size_t)n, sizeof *idx, by_agent, &sort);
    Rows *out = rows_new(dataset_get(DS_AGENTS));
    int oa = dataset_field(out->ds, "agent_id"), ot = dataset_field(out->ds, "tokens_today"),
        oc = dataset_field(out->ds, "cost_today_usd");
    for (int i = 0; i < n;) {
        const char *agent = rows_cell_c(usage, idx[i], fa)->u.s;
        int64_t tokens = 0;
        double cost = 0;
        for (; i < n && !strcmp(rows_cell_c(usage, idx[i], fa)->u.s, agent); i++) {
            for (size_t k = 0; k < MC_ARRAY_LEN(tok); k++)
                tokens += cell_int(usage, idx[i], dataset_field(ds, tok[k]));
            cost += cell_real(usage, idx[i], fc);
        }
        int row = rows_add(out);
        rows_set_text(out, row, 1, agent);
        rows_set_text(out, row, oa, agent);
        rows_set_int(out, row, ot, tokens);
        rows_set_real(out, row, oc, cost);
    }
    free(idx);
    return out;
}

int postgrest_fetch(void *self, FetchCtx *ctx)
{
    const PostgrestCfg *c = ctx->src->kcfg;
    HttpHeaders h = {0};
    Rows **sets = xcalloc((size_t)c->nt + 1, sizeof *sets);
    int nsets = 0, rc = -1;
    if (postgrest_headers(c, &h, &ctx->err) < 0)
        goto done;
    for (int i = 0; i < c->nt; i++) {
        Rows *rows = sets[nsets++] = rows_new(c->t[i].ds);
        if (fetch_table(c, &c->t[i], ctx, &h, rows) < 0)
            goto done;
        fill_keys(rows);
        if (c->derive_agents && rows->ds->id == DS_USAGE)
            sets[nsets++] = agents_today(rows, ctx->now_ms ? ctx->now_ms : now_ms());
    }
    rc = fetch_commit(ctx, sets, nsets, CACHE_REPLACE);
done:
    scrub_in_place(&ctx->err);
    for (int i = 0; i < nsets; i++)
        rows_free(sets[i]);
    free(sets);
    http_headers_free(&h);
    return rc;
}
