/* convex.c — the `convex` source kind: Mission Control's Convex deployment
 * over its HTTP API.
 *
 * fetch: one POST {url}/api/query per configured dataset
 * ({"path": "module:function", "args": {...}, "format": "json"}); the
 * {"status": "success", "value": ...} envelope is unwrapped and the value is
 * mapped into rows (net/mapping.h) with defaults for Mission Control's tables
 * (needs_apple, revenue_snapshots, activity_events, system_metrics) chosen by
 * dataset name. Every query must succeed before anything is written; then all
 * datasets are replaced in one transaction, except activity, which is merged
 * (only events at or after the newest one seen, kept in the source's cursor,
 * optionally passed to the query as `since_arg`).
 *
 * resolve: POST {url}/api/mutation with the configured mutation and
 * {id, note, by, idempotencyKey}; Convex is expected to dedupe on the key, so
 * the outbox may deliver again safely. A function error is final, a server
 * error or 429 is retried. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include "../source.h"
#include "../util.h"
#include "../net/auth.h"
#include "../net/http.h"
#include "../net/scrub.h"
#include "../net/secret.h"
#include "../net/jsonpath.h"
#include "../net/mapping.h"
#include "convex.h"
#include "teamkit.h"

typedef struct CvxQuery {
    const Dataset *ds;
    char *path;               /* "module:function" */
    cJSON *args;              /* an object */
    char *since_arg;          /* activity: arg that carries the newest ts (ms) */
    Mapping map;
} CvxQuery;

typedef struct ConvexCfg {
    char *url;                /* base, no trailing slash */
    char *deploy_env, *deploy_file;
    HttpAuth auth;            /* bearer etc. when no deploy key */
    HttpOptions opts;
    int nq;
    CvxQuery *q;
    char *mutation, *unmutation;
    cJSON *resolve_args;      /* extra args of the mutation */
} ConvexCfg;

static const char *const convex_keys[] = {
    "url", "auth", "queries", "resolve", "insecure", "max_bytes", "connect_timeout", NULL,
};
static const char *const query_keys[] = {
    "path", "args", "since_arg", "items", "fields", "set", "scale", NULL,
};
static const char *const resolve_keys[] = {"mutation", "args", "unresolve", NULL};
static const char *const deploy_keys[] = {"deploy_key_env", "deploy_key_file", NULL};

static void convex_free(void *p)
{
    ConvexCfg *c = p;
    if (!c)
        return;
    free(c->url), free(c->deploy_env), free(c->deploy_file);
    http_auth_free(&c->auth);
    for (int i = 0; i < c->nq; i++) {
        free(c->q[i].path), free(c->q[i].since_arg);
        cJSON_Delete(c->q[i].args);
        mapping_free(&c->q[i].map);
    }
    free(c->q);
    free(c->mutation), free(c->unmutation);
    cJSON_Delete(c->resolve_args);
    free(c);
}

/* ---- configure -------------------------------------------------------- */

/* A function name as Convex spells it: "dir/module:function", no spaces. */
static int check_fn(const YNode *at, const char *what, const char *fn, char **err)
{
    if (!fn || !*fn || strlen(fn) > 200)
        return ynode_error(at, err, "%s: expected a function name like \"needsApple:list\"", what);
    for (const char *p = fn; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '\\' || *p == 0x7f)
            return ynode_error(at, err, "%s: '%.80s' is not a Convex function name", what, fn);
    return 0;
}

/* deploy_key_env / deploy_key_file, or the shared auth map (bearer...). */
static int parse_auth(ConvexCfg *c, const YNode *map, char **err)
{
    const YNode *a = ynode_get(map, "auth");
    if (!a)
        return 0;
    if (a->type == YN_MAP && ynode_get(a, "deploy_key"))
        return ynode_error(ynode_get(a, "deploy_key"), err,
                           "auth: 'deploy_key' would put a secret in the config; use deploy_key_env or deploy_key_file");
    if (a->type != YN_MAP || (!ynode_get(a, "deploy_key_env") && !ynode_get(a, "deploy_key_file")))
        return http_auth_configure(&c->auth, a, err);
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->keys[i]->scalar, deploy_keys[0]) && strcmp(a->keys[i]->scalar, deploy_keys[1]))
            return ynode_error(a->keys[i], err,
                               "auth: '%s' cannot go with a deploy key (both set Authorization); keep one",
                               a->keys[i]->scalar);
    if (ynode_str(a, "deploy_key_env", &c->deploy_env, err) < 0
        || ynode_path(a, "deploy_key_file", &c->deploy_file, err) < 0)
        return -1;
    if (c->deploy_env && c->deploy_file)
        return ynode_error(a, err, "auth: deploy_key_env and deploy_key_file both given; keep one");
    return 0;
}

/* The default field paths for a dataset: Mission Control's documents
 * (camelCase fields, _id, _creationTime); hand-converted fields are left out. */
static void default_pairs(const Dataset *ds, TeamPairs *p)
{
    static const char *const skip[] = {"key", "streams", "services", NULL};
    team_pairs_add(p, "key", "_id");
    if (ds->id == DS_BLOCKERS)
        team_pairs_add(p, "created_at", "_creationTime");
    if (ds->id == DS_ACTIVITY || ds->id == DS_SYSTEM)
        team_pairs_add(p, "ts", "timestamp");
    team_pairs_all(p, ds, 0, skip);
}

static int parse_query(CvxQuery *q, const YNode *k, const YNode *v, char **err)
{
    q->ds = dataset_find(k->scalar);
    if (!q->ds || dataset_mc_owned(q->ds))
        return ynode_error(k, err, "queries: unknown dataset '%.60s' (known: %s)", k->scalar,
                           "blockers, activity, revenue, system, agents, usage, cron, projects");
    if (v->type == YN_SCALAR) {
        q->path = xstrdup(v->scalar);
        q->args = cJSON_CreateObject();
    } else if (v->type == YN_MAP) {
        if (ynode_check_keys(v, query_keys, "queries", err) < 0
            || ynode_req_str(v, "path", &q->path, err) < 0
            || team_yaml_object(v, "args", &q->args, err) < 0
            || ynode_str(v, "since_arg", &q->since_arg, err) < 0)
            return -1;
        if (q->since_arg && q->ds->id != DS_ACTIVITY)
            return ynode_error(ynode_get(v, "since_arg"), err,
                               "since_arg: only the activity query is read incrementally");
    } else {
        return ynode_error(v, err, "queries.%s: expected a function name or {path, args}", k->scalar);
    }
    if (check_fn(v->type == YN_MAP ? ynode_get(v, "path") : v, "path", q->path, err) < 0)
        return -1;
    TeamPairs defaults = {0};
    default_pairs(q->ds, &defaults);
    int rc = mapping_configure(&q->map, q->ds, v, (const char *const *)defaults.v, err);
    team_pairs_free(&defaults);
    return rc;
}

static int parse_queries(ConvexCfg *c, const YNode *map, const char *id, char **err)
{
    const YNode *qs = ynode_get(map, "queries");
    if (!qs)
        return ynode_error(map, err, "convex source '%s': missing required key 'queries' "
                                     "(dataset: \"module:function\")", id);
    if (qs->type != YN_MAP || qs->n == 0)
        return ynode_error(qs, err, "queries: expected a map of dataset: {path, args}");
    c->q = xcalloc((size_t)qs->n, sizeof *c->q);
    for (int i = 0; i < qs->n; i++) {
        c->nq++;
        if (parse_query(&c->q[i], qs->keys[i], qs->items[i], err) < 0)
            return -1;
    }
    return 0;
}

static int parse_resolve(ConvexCfg *c, const YNode *map, char **err)
{
    const YNode *r = ynode_get(map, "resolve");
    if (!r)
        return 0;
    if (ynode_check_keys(r, resolve_keys, "resolve", err) < 0
        || ynode_req_str(r, "mutation", &c->mutation, err) < 0
        || ynode_str(r, "unresolve", &c->unmutation, err) < 0
        || team_yaml_object(r, "args", &c->resolve_args, err) < 0
        || check_fn(ynode_get(r, "mutation"), "resolve.mutation", c->mutation, err) < 0)
        return -1;
    if (c->unmutation && check_fn(ynode_get(r, "unresolve"), "resolve.unresolve", c->unmutation, err) < 0)
        return -1;
    return 0;
}

static int convex_configure(SourceConfig *sc, const YNode *map, char **err)
{
    ConvexCfg *c = xcalloc(1, sizeof *c);
    char *url = NULL;
    if (source_check_keys(map, convex_keys, err) < 0)
        goto fail;
    if (sc->feeds) {
        ynode_error(ynode_get(map, "feeds"), err,
                    "convex source '%s': datasets come from 'queries:' (dataset: function); drop 'feeds:'",
                    sc->id);
        goto fail;
    }
    if (ynode_path(map, "url", &url, err) < 0)
        goto fail;
    if (!url) {
        ynode_error(map, err, "convex source '%s': missing required key 'url'", sc->id);
        goto fail;
    }
    if (team_base_url(map, "url", url, &c->url, err) < 0 || parse_auth(c, map, err) < 0
        || http_options_configure(&c->opts, map, err) < 0
        || parse_queries(c, map, sc->id, err) < 0 || parse_resolve(c, map, err) < 0)
        goto fail;
    free(url);
    sc->kcfg = c;
    return 0;
fail:
    free(url);
    convex_free(c);
    return -1;
}

/* ---- one call --------------------------------------------------------- */

/* Authorization, read now: "Convex <deploy key>", or the shared auth. */
static int build_headers(const ConvexCfg *c, HttpHeaders *h, char **err)
{
    if (!c->deploy_env && !c->deploy_file)
        return http_auth_headers(&c->auth, h, err);
    char *ferr = NULL;
    char *key = secret_read(c->deploy_env, c->deploy_file, 0, &ferr);
    if (!key) {
        set_err(err, "auth: %s", ferr);
        free(ferr);
        return -1;
    }
    char *value = xasprintf("Convex %s", key);
    http_headers_set(h, "Authorization", value, 1);
    secret_free(key);
    secret_free(value);
    return 0;
}

typedef enum { CVX_OK, CVX_FUNCTION, CVX_TRANSIENT, CVX_PERMANENT } CvxOutcome;

typedef struct CvxReply {
    CvxOutcome outcome;
    cJSON *doc;               /* the parsed envelope (owned) */
    const cJSON *value;       /* "value" inside doc, NULL when none */
    long status;
    int64_t retry_after_ms;   /* -1 when the server named none */
} CvxReply;

/* "convex fn: <errorMessage>" without the stack trace Convex appends. */
static void function_error(const cJSON *doc, const char *fn, char **err)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(doc, "errorMessage");
    const char *msg = cJSON_IsString(m) && m->valuestring ? m->valuestring : "";
    const char *stack = strstr(msg, "\n    at ");
    size_t len = stack ? (size_t)(stack - msg) : strlen(msg);
    char *text = http_sanitize(msg, len, 300);
    if (!*text) {
        char *data = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(doc, "errorData"));
        free(text);
        text = http_sanitize(data ? data : "function failed", data ? strlen(data) : 15, 300);
        free(data);
    }
    set_err(err, "convex %s: %s", fn, text);
    free(text);
}

/* The message of a failed status, and whether trying again may help. */
static CvxOutcome status_error(const ConvexCfg *c, const HttpResponse *r, char **err)
{
    char *text = http_error_text(r->body, r->body_len, 200);
    CvxOutcome o = CVX_PERMANENT;
    if (r->status == 401 || r->status == 403) {
        const char *hint = c->deploy_env || c->deploy_file ? "check the deploy key"
                           : http_auth_any(&c->auth)       ? "check the token"
                                                           : "set auth: (deploy_key_file or bearer_file)";
        set_err(err, "auth failed (HTTP %ld): %s — %s", r->status, *text ? text : "unauthorized", hint);
    } else {
        if (http_retryable(r->status))
            o = CVX_TRANSIENT;
        if (http_retry_after(r) >= 0)
            http_check_status(r, err);
        else if (*text)
            set_err(err, "HTTP %ld from %s: %s", r->status, r->host, text);
        else
            set_err(err, "HTTP %ld from %s", r->status, r->host);
    }
    free(text);
    return o;
}

/* POSTs {path, args, format} to {url}/api/<endpoint> and sorts the answer. */
static void cvx_call(const ConvexCfg *c, const HttpHeaders *h, const char *endpoint, const char *fn,
                     cJSON *args, int64_t deadline, atomic_int *cancel, CvxReply *out, char **err)
{
    memset(out, 0, sizeof *out);
    out->retry_after_ms = -1;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "path", fn);
    cJSON_AddItemToObject(body, "args", args);
    cJSON_AddStringToObject(body, "format", "json");
    char *text = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    char *url = xasprintf("%s/api/%s", c->url, endpoint);
    HttpRequest rq = {.method = "POST", .url = url, .headers = h, .body = text,
                      .deadline_ms = deadline, .cancel = cancel};
    http_options_apply(&c->opts, &rq);
    HttpResponse resp;
    if (http_auth_perform(&c->auth, &rq, &resp, err) < 0) {   /* OAuth2: once more after a 401 */
        out->outcome = CVX_TRANSIENT;
        goto done;
    }
    out->status = resp.status;
    out->retry_after_ms = http_retry_after(&resp);
    if (resp.status != 200 && resp.status != 560) {
        out->outcome = status_error(c, &resp, err);
        goto done;
    }
    if (!(out->doc = team_parse_body(&resp, err))) {
        out->outcome = CVX_TRANSIENT;
        goto done;
    }
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(out->doc, "status");
    const char *s = cJSON_IsString(st) ? st->valuestring : NULL;
    if (s && !strcmp(s, "error")) {
        function_error(out->doc, fn, err);
        out->outcome = CVX_FUNCTION;
    } else if (resp.status == 200 && cJSON_IsObject(out->doc)
               && ((s && !strcmp(s, "success")) || (!s && cJSON_HasObjectItem(out->doc, "value")))) {
        out->value = cJSON_GetObjectItemCaseSensitive(out->doc, "value");
        out->outcome = CVX_OK;
    } else {
        set_err(err, "convex %s: unexpected reply from %s (HTTP %ld, no \"status\": \"success\")", fn,
                resp.host, resp.status);
        out->outcome = resp.status == 560 ? CVX_FUNCTION : CVX_PERMANENT;
    }
done:
    http_response_free(&resp);
    free(url);
    free(text);
}

/* ---- fetch ------------------------------------------------------------ */

/* Maps one query's value into rows (null: none) and fixes the rows up. */
static int map_value(const CvxQuery *q, const cJSON *value, Rows *rows, const char *host,
                     const char *source_id, char **err)
{
    if (!value || cJSON_IsNull(value))
        return 0;
    char *merr = NULL;
    int before = rows->nrows;
    if (mapping_apply(&q->map, value, rows, &merr) < 0) {
        set_err(err, "convex %s: the value from %s: %s", q->path, host, merr);
        free(merr);
        return -1;
    }
    const char *items = q->map.items ? q->map.items : cJSON_IsArray(value) ? "$[*]" : "$";
    const cJSON **found = NULL;
    int n = 0;
    if (jsonpath_eval(items, value, &found, &n, NULL) >= 0)
        for (int i = 0; i < n && before + i < rows->nrows; i++)
            convex_fix_row(rows, before + i, found[i], source_id);
    free((void *)found);
    return 0;
}

static int64_t cursor_since(const SourceState *st)
{
    cJSON *j = st->cursor ? cJSON_Parse(st->cursor) : NULL;
    double d;
    int64_t since = team_json_number(cJSON_GetObjectItemCaseSensitive(j, "activity_ms"), &d) == 0
                    ? (int64_t)d : -1;
    cJSON_Delete(j);
    return since;
}

/* Activity: drops events older than since; returns the newest ts seen. */
static int64_t keep_new(Rows *rows, int64_t since)
{
    int ts = dataset_field(rows->ds, "ts");
    int64_t newest = since;
    unsigned char *keep = xmalloc((size_t)rows->nrows + 1);
    for (int r = 0; r < rows->nrows; r++) {
        int64_t t = team_cell_time(rows, r, ts);
        keep[r] = t < 0 || t >= since;
        if (t > newest)
            newest = t;
    }
    team_rows_keep(rows, keep);
    free(keep);
    return newest;
}

/* Runs every query into sets[]; returns 0 or -1 with ctx->err. */
static int run_queries(const ConvexCfg *c, FetchCtx *ctx, const HttpHeaders *h, Rows **sets,
                       int64_t since, int64_t *newest)
{
    for (int i = 0; i < c->nq; i++) {
        const CvxQuery *q = &c->q[i];
        cJSON *args = cJSON_Duplicate(q->args, 1);
        if (q->since_arg && since >= 0) {
            cJSON_DeleteItemFromObjectCaseSensitive(args, q->since_arg);
            cJSON_AddNumberToObject(args, q->since_arg, (double)since);
        }
        CvxReply rp;
        ctx->requests++;
        cvx_call(c, h, "query", q->path, args, ctx->deadline_ms, ctx->cancel, &rp, &ctx->err);
        if (rp.outcome != CVX_OK) {
            if (rp.retry_after_ms >= 0)
                ctx->retry_after_ms = rp.retry_after_ms;
            cJSON_Delete(rp.doc);
            return -1;
        }
        char *host = http_url_host(c->url);
        sets[i] = rows_new(q->ds);
        int rc = map_value(q, rp.value, sets[i], host, ctx->src->id, &ctx->err);
        free(host);
        cJSON_Delete(rp.doc);
        if (rc < 0)
            return -1;
        if (q->ds->id == DS_ACTIVITY) {
            int64_t n = keep_new(sets[i], since);
            if (n > *newest)
                *newest = n;
        }
    }
    return 0;
}

static int convex_fetch(void *self, FetchCtx *ctx)
{
    const ConvexCfg *c = ctx->src->kcfg;
    HttpHeaders h = {0};
    Rows **sets = xcalloc((size_t)c->nq, sizeof *sets);
    Rows **replace = xcalloc((size_t)c->nq, sizeof *replace), **merge = xcalloc((size_t)c->nq, sizeof *merge);
    int nrep = 0, nmerge = 0, rc = -1;
    int64_t since = -1, newest = -1;
    if (cache_count(ctx->cache, dataset_get(DS_ACTIVITY), ctx->src->id) > 0)
        since = cursor_since(ctx->state);
    newest = since;
    if (build_headers(c, &h, &ctx->err) < 0 || run_queries(c, ctx, &h, sets, since, &newest) < 0)
        goto done;
    for (int i = 0; i < c->nq; i++) {
        if (c->q[i].ds->id == DS_ACTIVITY)
            merge[nmerge++] = sets[i];
        else
            replace[nrep++] = sets[i];
    }
    rc = 0;
    if (nrep && fetch_commit(ctx, replace, nrep, CACHE_REPLACE) < 0)
        rc = -1;
    if (rc == 0 && nmerge) {
        if (newest >= 0) {
            free(ctx->state->cursor);
            ctx->state->cursor = xasprintf("{\"activity_ms\":%lld}", (long long)newest);
        }
        rc = fetch_commit(ctx, merge, nmerge, CACHE_MERGE);
    }
done:
    scrub_in_place(&ctx->err);
    for (int i = 0; i < c->nq; i++)
        rows_free(sets[i]);
    free(sets), free(replace), free(merge);
    http_headers_free(&h);
    return rc;
}

/* ---- resolve ---------------------------------------------------------- */

static ResolveResult convex_resolve(void *self, const SourceConfig *sc, const Config *cfg,
                                    const ResolveReq *req, ResolveOut *out)
{
    const ConvexCfg *c = sc->kcfg;
    const char *fn = !strcmp(req->action, "unresolve") ? c->unmutation : c->mutation;
    if (!fn)
        return RESOLVE_UNSUPPORTED;
    HttpHeaders h = {0};
    if (build_headers(c, &h, &out->message) < 0) {
        http_headers_free(&h);
        return RESOLVE_FAIL;
    }
    cJSON *args = c->resolve_args ? cJSON_Duplicate(c->resolve_args, 1) : cJSON_CreateObject();
    static const char *const ours[] = {"id", "note", "by", "idempotencyKey"};
    const char *vals[] = {req->key, req->note ? req->note : "", req->by ? req->by : "",
                          req->idempotency_key};
    for (size_t i = 0; i < MC_ARRAY_LEN(ours); i++) {
        cJSON_DeleteItemFromObjectCaseSensitive(args, ours[i]);
        cJSON_AddStringToObject(args, ours[i], vals[i] ? vals[i] : "");
    }
    CvxReply rp;
    int64_t deadline = mono_ms() + (sc->timeout_ms > 0 ? sc->timeout_ms : 20000);
    cvx_call(c, &h, "mutation", fn, args, deadline, NULL, &rp, &out->message);
    out->http_status = (int)rp.status;
    ResolveResult res = rp.outcome == CVX_OK ? RESOLVE_OK
                        : rp.outcome == CVX_TRANSIENT ? RESOLVE_RETRY : RESOLVE_FAIL;
    if (res == RESOLVE_RETRY && rp.retry_after_ms >= 0)
        out->retry_after_ms = rp.retry_after_ms;
    if (res == RESOLVE_OK) {
        free(out->message);
        out->message = NULL;
    }
    scrub_in_place(&out->message);
    cJSON_Delete(rp.doc);
    http_headers_free(&h);
    return res;
}

/* resolve needs `resolve.mutation`, unresolve `resolve.unresolve`. */
static int convex_supports(const SourceConfig *sc, const char *action)
{
    const ConvexCfg *c = sc->kcfg;
    return !strcmp(action, "unresolve") ? c->unmutation != NULL
           : !strcmp(action, "resolve") ? c->mutation != NULL : 0;
}

const SourceClass src_convex_class = {
    .kind = "convex",
    .summary = "a Convex deployment: queries per dataset, a mutation for resolve",
    .datasets_map = "queries",
    .configure = convex_configure,
    .free_config = convex_free,
    .fetch = convex_fetch,
    .resolve = convex_resolve,
    .supports = convex_supports,
};
