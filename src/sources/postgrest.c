/* postgrest.c — the `postgrest` source kind: Supabase (or any PostgREST)
 * tables over HTTP. This file reads the config, builds the headers, turns
 * PostgREST's error JSON into plain messages, and does resolve;
 * postgrest_fetch.c pages the tables into the cache.
 *
 * config: per dataset a table and its query (raw, or select/order/filters/
 * limit); defaults by dataset name map agent_usage columns into usage (and
 * today's tokens and cost per agent into agents) and cron_jobs into cron;
 * columns named like the dataset's fields map by themselves. The API key is
 * sent as `apikey` and as the bearer token, and never appears in a message
 * (an expired or wrong key says so in words).
 *
 * resolve: PATCH {table}?{key}=eq.<key> with the configured `set:` columns
 * (and the note / who / when columns if named), Prefer: return=representation
 * so that a filter matching no row is reported instead of passing silently. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "postgrest.h"
#include "../net/scrub.h"
#include "../net/secret.h"
#include "teamkit.h"
#include "../util.h"

static const char *const postgrest_keys[] = {
    "url", "apikey_env", "apikey_file", "auth", "schema", "tables", "resolve", "insecure",
    "max_bytes", "connect_timeout", NULL,
};
static const char *const table_keys[] = {
    "table", "query", "select", "order", "filters", "limit", "page_size", "max_pages", "agents",
    "fields", "set", "scale", NULL,
};
static const char *const resolve_keys[] = {
    "table", "key", "set", "unset", "note_column", "by_column", "at_column", NULL,
};

static void postgrest_free(void *p)
{
    PostgrestCfg *c = p;
    if (!c)
        return;
    free(c->url), free(c->apikey_env), free(c->apikey_file), free(c->schema);
    http_auth_free(&c->auth);
    for (int i = 0; i < c->nt; i++) {
        free(c->t[i].table), free(c->t[i].query);
        mapping_free(&c->t[i].map);
    }
    free(c->t);
    free(c->r_table), free(c->r_key), free(c->note_col), free(c->by_col), free(c->at_col);
    cJSON_Delete(c->r_set);
    cJSON_Delete(c->r_unset);
    free(c);
}

/* ---- configure -------------------------------------------------------- */

/* Table and column names: printable, no characters that shape a URL. */
static int check_name(const YNode *at, const char *what, const char *s, char **err)
{
    if (!s || !*s || strlen(s) > 128)
        return ynode_error(at, err, "%s: expected a name", what);
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || strchr("/?#&=%\"\\", *p) || *p == 0x7f)
            return ynode_error(at, err, "%s: '%.60s' is not a table or column name", what, s);
    return 0;
}

/* A raw query string: keeps everything but limit= and offset=, read apart. */
static int parse_raw_query(PgTable *t, const YNode *n, char **err)
{
    const char *q = n->scalar;
    if (*q == '?')
        q++;
    for (const char *p = q; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '#' || *p == 0x7f)
            return ynode_error(n, err, "query: URL-encode spaces and '#' (near '%.20s')", p);
    Buf b = {0};
    char *copy = xstrdup(q), *save = NULL;
    int rc = 0;
    for (char *part = strtok_r(copy, "&", &save); part; part = strtok_r(NULL, "&", &save)) {
        long *slot = !strncmp(part, "limit=", 6) ? &t->limit : !strncmp(part, "offset=", 7) ? &t->offset : NULL;
        if (slot) {
            if (parse_long(strchr(part, '=') + 1, 0, 100000000, slot) < 0) {
                rc = ynode_error(n, err, "query: '%.40s' needs a whole number", part);
                break;
            }
            continue;
        }
        buf_printf(&b, "%s%s", b.len ? "&" : "", part);
    }
    free(copy);
    t->query = b.s ? buf_steal(&b) : xstrdup("");
    buf_free(&b);
    return rc;
}

/* "a,b" or [a, b] as one comma-separated value; NULL when absent. */
static int list_value(const YNode *map, const char *key, char **out, char **err)
{
    char **v = NULL;
    if (ynode_strv(map, key, &v, err) < 0)
        return -1;
    if (!v)
        return 0;
    Buf b = {0};
    for (int i = 0; v[i]; i++)
        buf_printf(&b, "%s%s", i ? "," : "", v[i]);
    strv_free(v);
    *out = b.s ? buf_steal(&b) : xstrdup("");
    buf_free(&b);
    return 0;
}

static void add_param(Buf *b, const char *name, const char *value)
{
    char *n = http_url_escape(name), *v = http_url_escape(value);
    buf_printf(b, "%s%s=%s", b->len ? "&" : "", n, v);
    free(n), free(v);
}

/* select / order / filters / limit as a query string. */
static int parse_structured(PgTable *t, const YNode *n, char **err)
{
    char *select = NULL, *order = NULL;
    Buf b = {0};
    int rc = -1;
    if (list_value(n, "select", &select, err) < 0 || list_value(n, "order", &order, err) < 0
        || ynode_long(n, "limit", 0, 100000000, &t->limit, err) < 0)
        goto out;
    if (select)
        add_param(&b, "select", select);
    if (order)
        add_param(&b, "order", order);
    const YNode *f = ynode_get(n, "filters");
    if (f && f->type != YN_MAP) {
        ynode_error(f, err, "filters: expected a map of column: \"operator.value\" (e.g. status: eq.open)");
        goto out;
    }
    for (int i = 0; f && i < f->n; i++) {
        const YNode *k = f->keys[i], *v = f->items[i];
        if (check_name(k, "filters", k->scalar, err) < 0)
            goto out;
        if (v->type != YN_SCALAR || !strchr(v->scalar, '.')) {
            ynode_error(v, err, "filters.%s: expected \"operator.value\" like eq.x, gte.5, in.(a,b), is.null",
                        k->scalar);
            goto out;
        }
        add_param(&b, k->scalar, v->scalar);
    }
    t->query = b.s ? buf_steal(&b) : xstrdup("");
    rc = 0;
out:
    free(select), free(order);
    buf_free(&b);
    return rc;
}

/* Default paths: columns named like the dataset's fields, plus the pipeline's names. */
static void default_pairs(const Dataset *ds, TeamPairs *p)
{
    static const char *const skip[] = {"key", NULL};
    if (ds->id == DS_USAGE)
        team_pairs_add(p, "total_cost_usd", "total_cost");
    if (ds->id == DS_CRON)
        team_pairs_add(p, "key", "job_id");
    else
        team_pairs_add(p, "key", "id");
    team_pairs_all(p, ds, 1, skip);
}

/* query: or select/order/filters/limit of one table entry. */
static int parse_query(PgTable *t, const YNode *k, const YNode *v, char **err)
{
    const YNode *raw = ynode_get(v, "query");
    if (raw && (ynode_get(v, "select") || ynode_get(v, "order") || ynode_get(v, "filters")
                || ynode_get(v, "limit")))
        return ynode_error(raw, err, "tables.%s: give query: or select/order/filters/limit, not both",
                           k->scalar);
    if (raw && raw->type != YN_SCALAR)
        return ynode_error(raw, err, "query: expected a query string like \"order=date.desc&limit=500\"");
    if ((raw ? parse_raw_query(t, raw, err) : parse_structured(t, v, err)) < 0)
        return -1;
    if (ynode_get(v, "agents") && t->ds->id != DS_USAGE)
        return ynode_error(ynode_get(v, "agents"), err, "agents: only the usage table gives agents rows");
    return 0;
}

static int parse_table(PostgrestCfg *c, PgTable *t, const YNode *k, const YNode *v, char **err)
{
    t->ds = dataset_find(k->scalar);
    t->limit = -1;
    t->page_size = PG_DEFAULT_PAGE;
    t->max_pages = PG_DEFAULT_MAX_PAGES;
    if (!t->ds || dataset_mc_owned(t->ds))
        return ynode_error(k, err, "tables: unknown dataset '%.60s' (known: %s)", k->scalar,
                           "blockers, activity, revenue, system, agents, usage, cron, projects");
    int agents = 1;
    if (v->type == YN_SCALAR) {
        t->table = xstrdup(v->scalar);
        t->query = xstrdup("");
        if (check_name(v, "table", t->table, err) < 0)
            return -1;
    } else if (ynode_check_keys(v, table_keys, "tables", err) < 0
               || ynode_req_str(v, "table", &t->table, err) < 0
               || check_name(ynode_get(v, "table"), "table", t->table, err) < 0
               || ynode_long(v, "page_size", 1, 100000, &t->page_size, err) < 0
               || ynode_long(v, "max_pages", 1, 1000000, &t->max_pages, err) < 0
               || ynode_bool(v, "agents", &agents, err) < 0 || parse_query(t, k, v, err) < 0) {
        return -1;
    }
    if (t->ds->id == DS_USAGE && !agents)
        c->derive_agents = 0;
    TeamPairs defaults = {0};
    default_pairs(t->ds, &defaults);
    int rc = mapping_configure(&t->map, t->ds, v, (const char *const *)defaults.v, err);
    team_pairs_free(&defaults);
    return rc;
}

static int parse_tables(PostgrestCfg *c, const YNode *map, const char *id, char **err)
{
    const YNode *ts = ynode_get(map, "tables");
    if (!ts)
        return ynode_error(map, err, "postgrest source '%s': missing required key 'tables' "
                                     "(dataset: {table, query})", id);
    if (ts->type != YN_MAP || ts->n == 0)
        return ynode_error(ts, err, "tables: expected a map of dataset: {table, query}");
    c->t = xcalloc((size_t)ts->n, sizeof *c->t);
    int usage = 0, agents = 0;
    c->derive_agents = 1;
    for (int i = 0; i < ts->n; i++) {
        c->nt++;
        if (parse_table(c, &c->t[i], ts->keys[i], ts->items[i], err) < 0)
            return -1;
        usage |= c->t[i].ds->id == DS_USAGE;
        agents |= c->t[i].ds->id == DS_AGENTS;
    }
    if (!usage || agents)        /* an agents table of its own wins */
        c->derive_agents = 0;
    return 0;
}

static int parse_resolve(PostgrestCfg *c, const YNode *map, char **err)
{
    const YNode *r = ynode_get(map, "resolve");
    if (!r)
        return 0;
    if (ynode_check_keys(r, resolve_keys, "resolve", err) < 0 || ynode_req_str(r, "table", &c->r_table, err) < 0
        || ynode_str(r, "key", &c->r_key, err) < 0 || ynode_str(r, "note_column", &c->note_col, err) < 0
        || ynode_str(r, "by_column", &c->by_col, err) < 0 || ynode_str(r, "at_column", &c->at_col, err) < 0)
        return -1;
    if (!c->r_key)
        c->r_key = xstrdup("id");
    if (check_name(ynode_get(r, "table"), "resolve.table", c->r_table, err) < 0
        || check_name(ynode_get(r, "key") ? ynode_get(r, "key") : r, "resolve.key", c->r_key, err) < 0)
        return -1;
    if (!ynode_get(r, "set"))
        return ynode_error(r, err, "resolve: missing required key 'set' (columns to write, e.g. {resolved: true})");
    if (team_yaml_object(r, "set", &c->r_set, err) < 0)
        return -1;
    if (ynode_get(r, "unset") && team_yaml_object(r, "unset", &c->r_unset, err) < 0)
        return -1;
    return 0;
}

static int postgrest_configure(SourceConfig *sc, const YNode *map, char **err)
{
    PostgrestCfg *c = xcalloc(1, sizeof *c);
    char *url = NULL, *base = NULL;
    if (ynode_get(map, "apikey")) {
        ynode_error(ynode_get(map, "apikey"), err,
                    "'apikey' would put a secret in the config; use apikey_env or apikey_file");
        goto fail;
    }
    if (source_check_keys(map, postgrest_keys, err) < 0)
        goto fail;
    if (sc->feeds) {
        ynode_error(ynode_get(map, "feeds"), err,
                    "postgrest source '%s': datasets come from 'tables:' (dataset: table); drop 'feeds:'",
                    sc->id);
        goto fail;
    }
    if (ynode_path(map, "url", &url, err) < 0 || ynode_str(map, "apikey_env", &c->apikey_env, err) < 0
        || ynode_path(map, "apikey_file", &c->apikey_file, err) < 0
        || http_auth_configure(&c->auth, ynode_get(map, "auth"), err) < 0
        || ynode_str(map, "schema", &c->schema, err) < 0
        || http_options_configure(&c->opts, map, err) < 0)
        goto fail;
    if (!url) {
        ynode_error(map, err, "postgrest source '%s': missing required key 'url'", sc->id);
        goto fail;
    }
    if (c->apikey_env && c->apikey_file) {
        ynode_error(ynode_get(map, "apikey_file"), err, "apikey_env and apikey_file both given; keep one");
        goto fail;
    }
    if (c->schema && check_name(ynode_get(map, "schema"), "schema", c->schema, err) < 0)
        goto fail;
    if (team_base_url(map, "url", url, &base, err) < 0 || parse_tables(c, map, sc->id, err) < 0
        || parse_resolve(c, map, err) < 0)
        goto fail;
    size_t bl = strlen(base);
    c->url = bl >= 8 && !strcmp(base + bl - 8, "/rest/v1") ? xstrdup(base) : xasprintf("%s/rest/v1", base);
    free(url), free(base);
    sc->kcfg = c;
    return 0;
fail:
    free(url), free(base);
    postgrest_free(c);
    return -1;
}

/* ---- requests --------------------------------------------------------- */

/* apikey + Authorization: Bearer (unless auth: sets its own), read now. */
int postgrest_headers(const PostgrestCfg *c, HttpHeaders *h, char **err)
{
    if (c->apikey_env || c->apikey_file) {
        char *ferr = NULL;
        char *key = secret_read(c->apikey_env, c->apikey_file, 0, &ferr);
        if (!key) {
            set_err(err, "auth: %s", ferr);
            free(ferr);
            return -1;
        }
        char *bearer = xasprintf("Bearer %s", key);
        http_headers_set(h, "apikey", key, 1);
        http_headers_set(h, "Authorization", bearer, 1);
        secret_free(key);
        secret_free(bearer);
    }
    if (http_auth_headers(&c->auth, h, err) < 0)
        return -1;
    http_headers_set(h, "Accept", "application/json", 0);
    if (c->schema) {
        http_headers_set(h, "Accept-Profile", c->schema, 0);
        http_headers_set(h, "Content-Profile", c->schema, 0);
    }
    return 0;
}

void postgrest_request_init(HttpRequest *rq, const PostgrestCfg *c, const HttpHeaders *h)
{
    memset(rq, 0, sizeof *rq);
    rq->headers = h;
    http_options_apply(&c->opts, rq);
}

static char *json_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) && v->valuestring && *v->valuestring
           ? http_sanitize(v->valuestring, strlen(v->valuestring), 200) : NULL;
}

/* PostgREST's {code, message, details, hint} as one plain message. */
void postgrest_error(const HttpResponse *r, const char *table, char **err)
{
    cJSON *j = r->body_len ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
    char *code = json_str(j, "code"), *msg = json_str(j, "message"), *hint = json_str(j, "hint");
    char *text = msg ? NULL : http_error_text(r->body, r->body_len, 200);
    const char *m = msg ? msg : text;
    int auth_code = code && (!strcmp(code, "PGRST301") || !strcmp(code, "PGRST302") || !strcmp(code, "PGRST303"));
    int no_table = code && (!strcmp(code, "42P01") || !strcmp(code, "PGRST205"));
    if (auth_code)
        set_err(err, "auth failed: %s (%s) — check the API key", *m ? m : "unauthorized", code);
    else if (r->status == 401 || r->status == 403)
        set_err(err, "auth failed (HTTP %ld): %s — check the API key", r->status, *m ? m : "unauthorized");
    else if (no_table)
        set_err(err, "no such table '%s' at %s%s%s%s", table, r->host, hint ? " (" : "", hint ? hint : "",
                hint ? ")" : "");
    else if (http_retry_after(r) >= 0)
        http_check_status(r, err);
    else if (code && *m)
        set_err(err, "HTTP %ld from %s: %s (%s)", r->status, r->host, m, code);
    else if (*m)
        set_err(err, "HTTP %ld from %s: %s", r->status, r->host, m);
    else
        set_err(err, "HTTP %ld from %s", r->status, r->host);
    free(code), free(msg), free(hint), free(text);
    cJSON_Delete(j);
}

/* ---- resolve ---------------------------------------------------------- */

/* The PATCH body: set (or unset) plus the note / who / when columns. */
static char *patch_body(const PostgrestCfg *c, const ResolveReq *req, int undo)
{
    cJSON *b = cJSON_Duplicate(undo ? c->r_unset : c->r_set, 1);
    char at[40];
    time_format_iso(req->now_ms ? req->now_ms : now_ms(), at, sizeof at);
    const char *cols[] = {c->note_col, c->by_col, c->at_col};
    const char *vals[] = {req->note ? req->note : "", req->by ? req->by : "", at};
    for (size_t i = 0; i < MC_ARRAY_LEN(cols); i++) {
        if (!cols[i] || (undo && i < 2))
            continue;
        cJSON_DeleteItemFromObjectCaseSensitive(b, cols[i]);
        if (undo)
            cJSON_AddNullToObject(b, cols[i]);
        else
            cJSON_AddStringToObject(b, cols[i], vals[i]);
    }
    char *s = cJSON_PrintUnformatted(b);
    cJSON_Delete(b);
    return s;
}

static ResolveResult patch_outcome(const PostgrestCfg *c, const HttpResponse *r, const char *key,
                                   ResolveOut *out)
{
    out->http_status = (int)r->status;
    if (r->status >= 200 && r->status <= 299) {
        cJSON *j = r->body_len ? cJSON_ParseWithLength(r->body, r->body_len) : NULL;
        int none = cJSON_IsArray(j) && cJSON_GetArraySize(j) == 0;
        cJSON_Delete(j);
        if (!none)
            return RESOLVE_OK;
        char *k = http_sanitize(key, strlen(key), 80);
        set_err(&out->message, "no row matched %s = '%s' in %s", c->r_key, k, c->r_table);
        free(k);
        return RESOLVE_FAIL;
    }
    postgrest_error(r, c->r_table, &out->message);
    if (http_retryable(r->status)) {
        if (http_retry_after(r) >= 0)
            out->retry_after_ms = http_retry_after(r);
        return RESOLVE_RETRY;
    }
    return RESOLVE_FAIL;
}

static ResolveResult postgrest_resolve(void *self, const SourceConfig *sc, const Config *cfg,
                                       const ResolveReq *req, ResolveOut *out)
{
    const PostgrestCfg *c = sc->kcfg;
    int undo = req->action && !strcmp(req->action, "unresolve");
    if (!c->r_table || (undo && !c->r_unset))
        return RESOLVE_UNSUPPORTED;
    HttpHeaders h = {0};
    if (postgrest_headers(c, &h, &out->message) < 0) {
        http_headers_free(&h);
        return RESOLVE_FAIL;
    }
    http_headers_set(&h, "Prefer", "return=representation", 0);
    char *tbl = http_url_escape(c->r_table), *col = http_url_escape(c->r_key);
    char *val = http_url_escape(req->key ? req->key : "");
    char *url = xasprintf("%s/%s?%s=eq.%s", c->url, tbl, col, val);
    char *body = patch_body(c, req, undo);
    HttpRequest rq;
    postgrest_request_init(&rq, c, &h);
    rq.method = "PATCH";
    rq.url = url;
    rq.body = body;
    rq.deadline_ms = mono_ms() + (sc->timeout_ms > 0 ? sc->timeout_ms : 20000);
    HttpResponse resp;
    ResolveResult res = http_auth_perform(&c->auth, &rq, &resp, &out->message) < 0
                        ? RESOLVE_RETRY : patch_outcome(c, &resp, req->key ? req->key : "", out);
    http_response_free(&resp);
    scrub_in_place(&out->message);
    free(tbl), free(col), free(val), free(url), free(body);
    http_headers_free(&h);
    return res;
}

/* resolve needs `resolve.table`, unresolve also `resolve.unset`. */
static int postgrest_supports(const SourceConfig *sc, const char *action)
{
    const PostgrestCfg *c = sc->kcfg;
    return c->r_table && (!strcmp(action, "resolve") || (!strcmp(action, "unresolve") && c->r_unset));
}

const SourceClass src_postgrest_class = {
    .kind = "postgrest",
    .summary = "Supabase / PostgREST tables: paged reads per dataset, PATCH for resolve",
    .datasets_map = "tables",
    .configure = postgrest_configure,
    .free_config = postgrest_free,
    .fetch = postgrest_fetch,
    .resolve = postgrest_resolve,
    .supports = postgrest_supports,
};
