/* http_json.c — the `http_json` source kind: any JSON API.
 *
 * fetch: one GET (or the configured method) per page, with the source's
 * headers and auth; a single-page source sends its last ETag/Last-Modified
 * back and treats 304 as "unchanged". Pages (Link rel="next", a next-URL or
 * cursor field, or offset/limit) are all collected before one CACHE_REPLACE
 * write, so a failure half-way keeps the old rows. The JSON is mapped to the
 * `feeds:` dataset with items/fields/set/scale (net/mapping.h).
 * `windows:` repeats all that per date window of the revenue year
 * (http_windows.h); `aggregate:` sums the items into one revenue row for
 * today instead (aggregate.h), merged so earlier days' rows stay.
 *
 * resolve: the `resolve:` request template (method, URL, body, headers with
 * {key}, {note}, {by}, {idempotency_key}, {action}), delivered by the outbox;
 * statuses decide between done, retry later and permanent failure. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include "../source.h"
#include "../util.h"
#include "../net/auth.h"
#include "../net/http.h"
#include "../net/ratelimit.h"
#include "../net/scrub.h"
#include "../net/jsonpath.h"
#include "../net/mapping.h"
#include "../net/template.h"
#include "aggregate.h"
#include "http_json.h"
#include "http_windows.h"

typedef enum { PAGE_NONE, PAGE_LINK, PAGE_FIELD, PAGE_OFFSET } PageMode;

typedef struct Paginate {
    PageMode mode;
    char *next_path;          /* PAGE_FIELD: a next URL or cursor */
    char *param;              /* PAGE_FIELD: query parameter that carries the cursor */
    char *offset_param, *limit_param;
    char *has_more;           /* optional path: stop when false */
    long page_size;
    long max_pages;
    int conditional;          /* send page 1's ETag back; 304 there = nothing changed */
} Paginate;

typedef struct ResolveCfg {
    int enabled;
    int uses_action;          /* {action} appears: the template handles "unresolve" too */
    char *method, *url, *body;
    HttpHeaders headers;      /* value templates */
    int nok;
    long ok[16];
} ResolveCfg;

typedef struct HttpJsonCfg {
    char *url, *method, *body;
    HttpHeaders headers;
    HttpAuth auth;
    HttpOptions opts;
    Mapping map;
    Paginate page;
    ResolveCfg resolve;
    HttpWindows win;          /* windows: date windows over the revenue year */
    AggregateCfg agg;         /* aggregate: items summed into one revenue row */
} HttpJsonCfg;

static const char *const http_json_keys[] = {
    "url", "method", "headers", "body", "auth", "insecure", "compressed", "follow_redirects",
    "max_bytes", "connect_timeout", "items", "fields", "set", "scale", "paginate", "resolve",
    "windows", "aggregate", "query", NULL,
};
static const char *const page_keys[] = {
    "next", "param", "offset_param", "limit_param", "page_size", "has_more", "max_pages", "conditional", NULL,
};
static const char *const resolve_keys[] = {"method", "url", "body", "headers", "ok", NULL};
static const char *const placeholders[] = {"key", "note", "by", "idempotency_key", "action", NULL};

static void http_json_free(void *p)
{
    HttpJsonCfg *c = p;
    if (!c)
        return;
    free(c->url), free(c->method), free(c->body);
    http_headers_free(&c->headers);
    http_auth_free(&c->auth);
    mapping_free(&c->map);
    free(c->page.next_path), free(c->page.param), free(c->page.offset_param);
    free(c->page.limit_param), free(c->page.has_more);
    free(c->resolve.method), free(c->resolve.url), free(c->resolve.body);
    http_headers_free(&c->resolve.headers);
    http_windows_free(&c->win);
    aggregate_cfg_free(&c->agg);
    free(c);
}

/* ---- configure -------------------------------------------------------- */

static int check_method(const YNode *map, char **method, const char *dflt, char **err)
{
    if (ynode_str(map, "method", method, err) < 0)
        return -1;
    if (!*method)
        *method = xstrdup(dflt);
    for (char *p = *method; *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 'a' + 'A');
    static const char *const ok[] = {"GET", "POST", "PUT", "PATCH", "DELETE", NULL};
    for (int i = 0; ok[i]; i++)
        if (!strcmp(*method, ok[i]))
            return 0;
    return ynode_error(ynode_get(map, "method"), err,
                       "method: '%s' is not one of GET, POST, PUT, PATCH, DELETE", *method);
}

static int check_url(const YNode *map, const char *key, const char *url, char **err)
{
    char *host = http_url_host(url);
    if (host) {
        free(host);
        return 0;
    }
    /* templates may hold {key} where a host check would stumble */
    if (strstr(url, "://") && (!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8))
        && strchr(url, '{'))
        return 0;
    return ynode_error(ynode_get(map, key), err, "%s: '%.80s' is not an http:// or https:// URL",
                       key, url);
}

static int read_headers(const YNode *map, HttpHeaders *h, int templates, char **err)
{
    const YNode *n = ynode_get(map, "headers");
    if (!n)
        return 0;
    if (n->type != YN_MAP)
        return ynode_error(n, err, "headers: expected a map of name: value");
    for (int i = 0; i < n->n; i++) {
        const YNode *k = n->keys[i], *v = n->items[i];
        char *unknown = NULL;
        if (!*k->scalar || strpbrk(k->scalar, " :\r\n\t"))
            return ynode_error(k, err, "headers: bad header name '%s'", k->scalar);
        if (v->type != YN_SCALAR)
            return ynode_error(v, err, "headers: the value of '%s' must be a string", k->scalar);
        if (templates && tmpl_check(v->scalar, placeholders, &unknown) < 0) {
            ynode_error(v, err, "unknown placeholder {%s} (known: key, note, by, idempotency_key, action)",
                        unknown);
            free(unknown);
            return -1;
        }
        /* a literal credential in headers: (X-Api-Key: ...) is a secret too */
        int secret = scrub_secret_name(k->scalar, strlen(k->scalar));
        if (secret && !templates)
            scrub_register(v->scalar);
        http_headers_set(h, k->scalar, v->scalar, secret);
    }
    return 0;
}

static int parse_paginate(Paginate *pg, const YNode *map, char **err)
{
    const YNode *n = ynode_get(map, "paginate");
    pg->max_pages = 20;
    if (!n)
        return 0;
    if (ynode_check_keys(n, page_keys, "paginate", err) < 0
        || ynode_str(n, "next", &pg->next_path, err) < 0 || ynode_str(n, "param", &pg->param, err) < 0
        || ynode_str(n, "offset_param", &pg->offset_param, err) < 0
        || ynode_str(n, "limit_param", &pg->limit_param, err) < 0
        || ynode_str(n, "has_more", &pg->has_more, err) < 0
        || ynode_long(n, "page_size", 1, 100000, &pg->page_size, err) < 0
        || ynode_long(n, "max_pages", 1, 10000, &pg->max_pages, err) < 0
        || ynode_bool(n, "conditional", &pg->conditional, err) < 0)
        return -1;
    if (pg->next_path && pg->offset_param)
        return ynode_error(n, err, "paginate: use next or offset_param, not both");
    if (pg->next_path && !strcmp(pg->next_path, "link")) {
        pg->mode = PAGE_LINK;
    } else if (pg->next_path) {
        pg->mode = PAGE_FIELD;
        if (jsonpath_validate(pg->next_path, err) < 0)
            return ynode_error(ynode_get(n, "next"), err, "paginate.next: not 'link' nor a JSON path");
    } else if (pg->offset_param) {
        pg->mode = PAGE_OFFSET;
        if (!pg->page_size)
            return ynode_error(n, err, "paginate: offset_param needs page_size");
    } else {
        return ynode_error(n, err, "paginate needs next (link or a JSON path) or offset_param");
    }
    if (pg->has_more && jsonpath_validate(pg->has_more, err) < 0)
        return ynode_error(ynode_get(n, "has_more"), err, "paginate.has_more: bad JSON path");
    return 0;
}

static int check_template(const YNode *rn, const char *key, const char *t, char **err)
{
    char *unknown = NULL;
    if (!t || tmpl_check(t, placeholders, &unknown) == 0)
        return 0;
    ynode_error(ynode_get(rn, key), err,
                "unknown placeholder {%s} (known: key, note, by, idempotency_key, action)", unknown);
    free(unknown);
    return -1;
}

static int parse_resolve(ResolveCfg *r, const YNode *map, char **err)
{
    const YNode *n = ynode_get(map, "resolve");
    if (!n)
        return 0;
    if (ynode_check_keys(n, resolve_keys, "resolve", err) < 0 || check_method(n, &r->method, "POST", err) < 0
        || ynode_path(n, "url", &r->url, err) < 0 || ynode_str(n, "body", &r->body, err) < 0
        || read_headers(n, &r->headers, 1, err) < 0)
        return -1;
    if (!r->url)
        return ynode_error(n, err, "resolve: missing required key 'url'");
    if (check_url(n, "url", r->url, err) < 0 || check_template(n, "url", r->url, err) < 0
        || check_template(n, "body", r->body, err) < 0)
        return -1;
    scrub_register_url(r->url);
    const YNode *ok = ynode_get(n, "ok");
    if (ok) {
        if (ok->type != YN_SEQ || ok->n < 1 || ok->n > 16)
            return ynode_error(ok, err, "resolve.ok: expected a list of 1 to 16 HTTP statuses");
        for (int i = 0; i < ok->n; i++)
            if (ynode_as_long(ok->items[i], 100, 599, &r->ok[r->nok++], err) < 0)
                return -1;
    } else {
        static const long dflt[] = {200, 201, 202, 204};
        for (size_t i = 0; i < MC_ARRAY_LEN(dflt); i++)
            r->ok[r->nok++] = dflt[i];
    }
    r->uses_action = strstr(r->url, "{action}") || (r->body && strstr(r->body, "{action}"));
    for (int i = 0; i < r->headers.n; i++)
        r->uses_action |= strstr(r->headers.v[i].value, "{action}") != NULL;
    r->enabled = 1;
    return 0;
}

/* `query: {name: value}`: parameters set on the URL (URL-encoded), so a
 * preset's optional parameter (GitHub's branch, Vercel's teamId) can vanish
 * with its key instead of leaving "&branch=" behind. */
static int add_query(const YNode *map, char **url, char **err)
{
    const YNode *q = ynode_get(map, "query");
    if (!q)
        return 0;
    if (q->type != YN_MAP)
        return ynode_error(q, err, "query: expected a map of parameter: value");
    for (int i = 0; i < q->n; i++) {
        const YNode *k = q->keys[i], *v = q->items[i];
        if (!*k->scalar)
            return ynode_error(k, err, "query: empty parameter name");
        if (v->type != YN_SCALAR)
            return ynode_error(v, err, "query: the value of '%s' must be a single value", k->scalar);
        char *u = http_url_set_param(*url, k->scalar, v->scalar);
        if (!u)
            return ynode_error(v, err, "query: cannot set '%s' on the URL", k->scalar);
        free(*url);
        *url = u;
    }
    return 0;
}

static int http_json_configure(SourceConfig *sc, const YNode *map, char **err)
{
    HttpJsonCfg *c = xcalloc(1, sizeof *c);
    if (source_check_keys(map, http_json_keys, err) < 0 || aggregate_configure(&c->agg, map, sc->id, err) < 0
        || http_windows_configure(&c->win, map, err) < 0)
        goto fail;
    if (c->agg.enabled && !sc->feeds)
        sc->feeds = dataset_get(DS_REVENUE);
    if (c->agg.enabled && sc->feeds->id != DS_REVENUE) {
        ynode_error(ynode_get(map, "aggregate"), err, "aggregate: writes the revenue dataset, not %s (drop feeds:)",
                    sc->feeds->name);
        goto fail;
    }
    static const char *const per_row[] = {"fields", "set", "scale", NULL};
    for (int i = 0; c->agg.enabled && per_row[i]; i++)
        if (ynode_get(map, per_row[i])) {
            ynode_error(ynode_get(map, per_row[i]), err, "%s: maps rows, but aggregate: writes one row per day "
                        "(aggregate takes amount, date, stream, scale)", per_row[i]);
            goto fail;
        }
    if (!sc->feeds) {
        ynode_error(map, err, "http_json source '%s' needs 'feeds:' (one of: %s)", sc->id, dataset_names());
        goto fail;
    }
    if (ynode_path(map, "url", &c->url, err) < 0 || check_method(map, &c->method, "GET", err) < 0
        || ynode_str(map, "body", &c->body, err) < 0 || read_headers(map, &c->headers, 0, err) < 0
        || http_auth_configure(&c->auth, ynode_get(map, "auth"), err) < 0
        || http_options_configure(&c->opts, map, err) < 0
        || mapping_configure(&c->map, sc->feeds, map, NULL, err) < 0
        || parse_paginate(&c->page, map, err) < 0 || parse_resolve(&c->resolve, map, err) < 0)
        goto fail;
    if (!c->url) {
        ynode_error(map, err, "http_json source '%s': missing required key 'url'", sc->id);
        goto fail;
    }
    if (check_url(map, "url", c->url, err) < 0 || add_query(map, &c->url, err) < 0)
        goto fail;
    scrub_register_url(c->url);         /* ?token=... or user:pass@ in the URL */
    sc->kcfg = c;
    return 0;
fail:
    http_json_free(c);
    return -1;
}

/* ---- fetch ------------------------------------------------------------ */

/* The source's headers plus auth, read now (an OAuth2 token request
 * within deadline_ms and cancel, when given). */
static int build_headers(const HttpJsonCfg *c, HttpHeaders *h, int64_t deadline_ms, atomic_int *cancel,
                         char **err)
{
    for (int i = 0; i < c->headers.n; i++)
        http_headers_set(h, c->headers.v[i].name, c->headers.v[i].value, c->headers.v[i].secret);
    return http_auth_headers_until(&c->auth, h, deadline_ms, cancel, err);
}

static void request_init(HttpRequest *rq, const HttpJsonCfg *c, const HttpHeaders *h)
{
    memset(rq, 0, sizeof *rq);
    rq->method = c->method;
    rq->headers = h;
    rq->body = c->body;
    http_options_apply(&c->opts, rq);
}

/* The URL of the page after this one, NULL when there is none; -1 on error. */
static int next_page(const HttpJsonCfg *c, const char *cur, const HttpResponse *r,
                     const cJSON *doc, int page_items, int64_t offset, char **next, char **err)
{
    const Paginate *pg = &c->page;
    *next = NULL;
    if (pg->has_more) {
        const cJSON *hm = jsonpath_get(pg->has_more, doc);
        if (!cJSON_IsTrue(hm))
            return 0;
    }
    if (pg->mode == PAGE_LINK) {
        *next = xstrdup(r->next_url);
    } else if (pg->mode == PAGE_OFFSET) {
        if (page_items == 0 || (!pg->has_more && page_items < pg->page_size))
            return 0;
        char num[32];
        snprintf(num, sizeof num, "%lld", (long long)offset);
        *next = http_url_set_param(cur, pg->offset_param, num);
    } else if (pg->mode == PAGE_FIELD) {
        const cJSON *v = jsonpath_get(pg->next_path, doc);
        char num[64];
        const char *s = NULL;
        if (cJSON_IsString(v) && v->valuestring && *v->valuestring)
            s = v->valuestring;
        else if (cJSON_IsNumber(v)) {
            snprintf(num, sizeof num, "%.0f", v->valuedouble);
            s = num;
        }
        if (!s)
            return 0;
        if (pg->param)
            *next = http_url_set_param(cur, pg->param, s);
        else if (!(*next = http_url_resolve(cur, s))) {
            set_err(err, "next page from %s: '%.60s' is not a URL (set paginate.param for a cursor)",
                    r->host, s);
            return -1;
        }
    }
    if (*next && !http_same_origin(*next, c->url)) {
        char *h = http_url_host(*next);
        set_err(err, "next page URL from %s points to another host (%s); not followed", r->host,
                h ? h : "not http");
        free(h);
        free(*next);
        *next = NULL;
        return -1;
    }
    if (*next && !strcmp(*next, cur)) {        /* a server that points at itself */
        free(*next);
        *next = NULL;
    }
    return 0;
}

/* The first URL: the configured one, with offset/limit for offset paging. */
static char *first_url(const HttpJsonCfg *c, const char *url)
{
    if (c->page.mode != PAGE_OFFSET)
        return xstrdup(url);
    char *u = http_url_set_param(url, c->page.offset_param, "0");
    if (c->page.limit_param) {
        char num[32];
        snprintf(num, sizeof num, "%ld", c->page.page_size);
        char *u2 = http_url_set_param(u, c->page.limit_param, num);
        free(u);
        u = u2;
    }
    return u;
}

typedef struct PageRun {
    FetchCtx *ctx;
    const HttpJsonCfg *c;
    HttpHeaders headers;
    Rows *rows;
    Aggregate *agg;           /* aggregate: items summed here instead of rows */
    int conditional;          /* validators were sent */
    int reauthed;             /* a 401 already fetched a new OAuth2 token */
    int64_t pace_ms;          /* the API asked for this wait before the next request */
    int pages_ok;             /* answers not refused for the rate, this fetch */
} PageRun;

/* One request of a page: paced by the vendor's rate limit (net/ratelimit.h),
 * and retried once with a new OAuth2 token after a 401. Refused for the
 * rate after pages were read: waits of up to RATELIMIT_INLINE_MAX_MS are
 * slept on the cancel flag (within the deadline) and the request repeated,
 * so the pages so far are not thrown away. Otherwise the fetch fails and
 * the engine moves the next attempt past the wait: with the vendor's own
 * signal (rate_reset, x-ratelimit-*) as "rate limited by HOST until
 * 14:05:00"; with only Retry-After, http_check_status's message.
 * 0 (resp filled, any status), or -1 with ctx->err. */
static int perform_page(PageRun *run, HttpRequest *rq, HttpResponse *resp)
{
    FetchCtx *ctx = run->ctx;
    for (int tries = 0;; tries++) {
        if (run->pace_ms > 0) {
            int64_t wait = run->pace_ms;
            run->pace_ms = 0;
            if (wait > RATELIMIT_INLINE_MAX_MS || ratelimit_sleep(wait, ctx->deadline_ms, ctx->cancel) < 0) {
                char *host = http_url_host(rq->url);
                char *m = ratelimit_message(host, now_ms() + wait);
                set_err(&ctx->err, "%s", m);
                free(m), free(host);
                ctx->retry_after_ms = wait;
                return -1;
            }
        }
        ctx->requests++;
        if (http_perform(rq, resp, &ctx->err) < 0)
            return -1;
        if (resp->status == 401 && !run->reauthed && http_auth_retry_401(&run->c->auth, &run->headers)) {
            run->reauthed = 1;          /* OAuth2: a new token, once per fetch */
            http_response_free(resp);
            memset(resp, 0, sizeof *resp);
            if (http_auth_headers_until(&run->c->auth, &run->headers, ctx->deadline_ms, ctx->cancel, &ctx->err) < 0)
                return -1;
            ctx->requests++;
            if (http_perform(rq, resp, &ctx->err) < 0)
                return -1;
        }
        int limited = 0;
        int64_t wait = ratelimit_wait_ms(resp, now_ms(), &limited);
        if (!limited) {
            run->pace_ms = wait;        /* 0 left: the next page waits for the reset */
            run->pages_ok++;
            return 0;
        }
        int inline_ok = run->pages_ok > 0 && tries < 3 && wait <= RATELIMIT_INLINE_MAX_MS;
        if (!inline_ok && limited == RATELIMIT_RETRY_AFTER)
            return 0;                   /* the standard "HTTP 429 ... (retry after 2s)" */
        http_response_free(resp);
        memset(resp, 0, sizeof *resp);
        run->pace_ms = inline_ok ? wait : RATELIMIT_INLINE_MAX_MS + wait;
        if (!inline_ok) {
            char *host = http_url_host(rq->url);
            char *m = ratelimit_message(host, now_ms() + wait);
            set_err(&ctx->err, "%s", m);
            free(m), free(host);
            ctx->retry_after_ms = wait;
            return -1;
        }
    }
}

/* Fetches one page into run->rows (or run->agg), *nitems = its items.
 * Returns 1 when 304, 0 ok, -1 error. */
static int fetch_page(PageRun *run, const char *url, int first, HttpResponse *resp, cJSON **doc,
                      int *nitems)
{
    FetchCtx *ctx = run->ctx;
    HttpRequest rq;
    request_init(&rq, run->c, &run->headers);
    rq.url = url;
    rq.deadline_ms = ctx->deadline_ms;
    rq.cancel = ctx->cancel;
    if (first && run->conditional) {
        rq.if_none_match = ctx->state->etag;
        rq.if_modified_since = ctx->state->last_modified;
    }
    if (perform_page(run, &rq, resp) < 0)
        return -1;
    if (resp->status == 304 && first && run->conditional)
        return 1;
    if (http_check_status(resp, &ctx->err) < 0) {
        if (http_retry_after(resp) >= 0)
            ctx->retry_after_ms = http_retry_after(resp);
        return -1;
    }
    *nitems = http_json_map_page(ctx->src, resp, run->rows, run->agg, doc, &ctx->err);
    return *nitems < 0 ? -1 : 0;
}

int http_json_map_page(const SourceConfig *sc, const HttpResponse *resp, Rows *rows, Aggregate *agg,
                       cJSON **doc, char **err)
{
    const HttpJsonCfg *c = sc->kcfg;
    if (!(*doc = http_parse_json(resp->body, resp->body_len, resp->host, err))) {
        if (resp->body_len == 0)
            set_err(err, "empty response from %s (HTTP %ld)", resp->host, resp->status);
        return -1;
    }
    char *merr = NULL;
    int before = rows->nrows;
    int n = agg ? aggregate_apply(agg, c->map.items, *doc, &merr) : mapping_apply(&c->map, *doc, rows, &merr);
    if (!agg && n >= 0)
        n = rows->nrows - before;
    if (n < 0) {
        set_err(err, "response from %s: %s", resp->host, merr);
        free(merr);
    }
    return n;
}

int http_json_next_page(const SourceConfig *sc, const char *cur, const HttpResponse *resp, const cJSON *doc,
                        int page_items, int64_t seen, char **next, char **err)
{
    const HttpJsonCfg *c = sc->kcfg;
    *next = NULL;
    return c->page.mode == PAGE_NONE ? 0 : next_page(c, cur, resp, doc, page_items, seen, next, err);
}

static void keep_validators(FetchCtx *ctx, const HttpResponse *r, int single_page)
{
    free(ctx->state->etag);
    free(ctx->state->last_modified);
    ctx->state->etag = single_page ? xstrdup(r->etag) : NULL;
    ctx->state->last_modified = single_page ? xstrdup(r->last_modified) : NULL;
}

/* The pages starting at start_url (one date window, or the whole source). */
static int run_pages(PageRun *run, const char *start_url)
{
    FetchCtx *ctx = run->ctx;
    char *url = first_url(run->c, start_url);
    int rc = 0;
    int64_t seen = 0;
    for (long page = 0; url && page < run->c->page.max_pages; page++) {
        HttpResponse resp;
        cJSON *doc = NULL;
        int nitems = 0;
        rc = fetch_page(run, url, page == 0, &resp, &doc, &nitems);
        if (rc == 1) {
            ctx->not_modified = 1;
        } else if (rc == 0) {
            if (page == 0)
                keep_validators(ctx, &resp, run->c->page.mode == PAGE_NONE || run->c->page.conditional);
            char *next = NULL;
            seen += nitems;
            if (http_json_next_page(ctx->src, url, &resp, doc, nitems, seen, &next, &ctx->err) < 0)
                rc = -1;
            free(url);
            url = next;
        }
        cJSON_Delete(doc);
        http_response_free(&resp);
        if (rc != 0)
            break;
    }
    free(url);
    return rc;
}

/* Every date window in order (or the URL once); a failed window fails the
 * whole fetch, so no partial sum is ever written as a total. */
static int fetch_windows(PageRun *run)
{
    const HttpJsonCfg *c = run->c;
    if (!c->win.enabled)
        return run_pages(run, c->url);
    int64_t first, today;
    int n = http_windows_span(&c->win, run->ctx->config, run->ctx->now_ms, &first, &today);
    for (int i = 0; i < n; i++) {
        int64_t from = first + (int64_t)i * c->win.days, to = from + c->win.days - 1;
        char *url = http_windows_url(&c->win, c->url, from, to < today ? to : today);
        int rc = run_pages(run, url);
        free(url);
        if (rc != 0) {
            if (rc < 0 && n > 1) {
                char *e = run->ctx->err;
                run->ctx->err = NULL;
                set_err(&run->ctx->err, "window %d of %d: %s", i + 1, n, e ? e : "failed");
                free(e);
            }
            return rc < 0 ? -1 : 0;
        }
    }
    return 0;
}

Aggregate *http_json_map_begin(const SourceConfig *sc, const Config *config, int64_t now_ms, Aggregate *agg,
                               Rows **rows)
{
    const HttpJsonCfg *c = sc->kcfg;
    *rows = rows_new(c->map.ds);
    if (!c->agg.enabled)
        return NULL;
    aggregate_begin(agg, &c->agg, config, now_ms);
    return agg;
}

static int http_json_fetch(void *self, FetchCtx *ctx)
{
    const HttpJsonCfg *c = ctx->src->kcfg;
    PageRun run = {.ctx = ctx, .c = c};
    if (build_headers(c, &run.headers, ctx->deadline_ms, ctx->cancel, &ctx->err) < 0) {
        http_headers_free(&run.headers);
        return -1;
    }
    Aggregate agg;
    run.agg = http_json_map_begin(ctx->src, ctx->config, ctx->now_ms, &agg, &run.rows);
    run.conditional = (c->page.mode == PAGE_NONE || c->page.conditional) && !c->win.enabled && !c->agg.enabled
                      && (ctx->state->etag || ctx->state->last_modified)
                      && cache_count(ctx->cache, c->map.ds, ctx->src->id) > 0;
    int rc = fetch_windows(&run);
    if (rc == 0 && run.agg) {
        aggregate_row(run.agg, run.rows);      /* today's row; earlier days' rows stay */
        rc = fetch_commit(ctx, &run.rows, 1, CACHE_MERGE);
    } else if (rc == 0)
        rc = fetch_commit(ctx, &run.rows, 1, CACHE_REPLACE);
    else if (rc == 1)
        rc = 0;
    if (run.agg)
        aggregate_end(run.agg);
    rows_free(run.rows);
    http_headers_free(&run.headers);
    return rc;
}

/* ---- resolve ---------------------------------------------------------- */

static int status_ok(const ResolveCfg *r, long status)
{
    for (int i = 0; i < r->nok; i++)
        if (r->ok[i] == status)
            return 1;
    return 0;
}

static ResolveResult resolve_outcome(const ResolveCfg *r, const HttpResponse *resp, ResolveOut *out)
{
    out->http_status = (int)resp->status;
    if (status_ok(r, resp->status))
        return RESOLVE_OK;
    char *text = http_error_text(resp->body, resp->body_len, 200);
    ResolveResult res = RESOLVE_FAIL;
    if (http_retryable(resp->status)) {
        res = RESOLVE_RETRY;
        if (http_retry_after(resp) >= 0)
            out->retry_after_ms = http_retry_after(resp);
    }
    if (*text)
        set_err(&out->message, "HTTP %ld: %s", resp->status, text);
    else
        set_err(&out->message, "HTTP %ld from %s", resp->status, resp->host);
    free(text);
    return res;
}

static ResolveResult http_json_resolve(void *self, const SourceConfig *sc, const Config *cfg,
                                       const ResolveReq *req, ResolveOut *out)
{
    const HttpJsonCfg *c = sc->kcfg;
    const ResolveCfg *r = &c->resolve;
    if (!r->enabled || (req->action && strcmp(req->action, "resolve") && !r->uses_action))
        return RESOLVE_UNSUPPORTED;
    const TmplVar vars[] = {{"key", req->key}, {"note", req->note}, {"by", req->by},
                            {"idempotency_key", req->idempotency_key}, {"action", req->action}};
    HttpHeaders h = {0};
    if (build_headers(c, &h, 0, NULL, &out->message) < 0) {
        http_headers_free(&h);
        return RESOLVE_FAIL;
    }
    for (int i = 0; i < r->headers.n; i++) {
        char *v = tmpl_expand(r->headers.v[i].value, vars, 5, TMPL_HEADER);
        http_headers_set(&h, r->headers.v[i].name, v, 0);
        free(v);
    }
    char *url = tmpl_expand(r->url, vars, 5, TMPL_URL);
    char *body = r->body ? tmpl_expand(r->body, vars, 5, TMPL_JSON) : NULL;
    HttpRequest rq;
    request_init(&rq, c, &h);
    rq.method = r->method;
    rq.url = url;
    rq.body = body;
    rq.deadline_ms = mono_ms() + (sc->timeout_ms > 0 ? sc->timeout_ms : 20000);
    HttpResponse resp = {0};
    ResolveResult res;
    char *host = http_url_host(url);
    if (!host) {
        set_err(&out->message, "resolve URL is not an http(s) URL after filling in {key}");
        res = RESOLVE_FAIL;
    } else if (http_auth_perform(&c->auth, &rq, &resp, &out->message) < 0)
        res = RESOLVE_RETRY;
    else
        res = resolve_outcome(r, &resp, out);
    http_response_free(&resp);
    free(host);
    free(url);
    free(body);
    http_headers_free(&h);
    return res;
}

/* resolve needs `resolve:`; anything else needs a template that uses {action}. */
static int http_json_supports(const SourceConfig *sc, const char *action)
{
    const HttpJsonCfg *c = sc->kcfg;
    return c->resolve.enabled && (!strcmp(action, "resolve") || c->resolve.uses_action);
}

const SourceClass src_http_json_class = {
    .kind = "http_json",
    .summary = "any JSON API: headers, auth, ETag, pagination, JSON path mapping",
    .datasets = 0,                 /* what `feeds:` says (required) */
    .configure = http_json_configure,
    .free_config = http_json_free,
    .fetch = http_json_fetch,
    .resolve = http_json_resolve,
    .supports = http_json_supports,
};
