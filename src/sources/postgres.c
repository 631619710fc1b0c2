/* postgres.c — the `postgres` source kind: a PostgreSQL database over libpq.
 *
 *   conninfo: ${TEAMDB_URL} | conninfo_file: PATH | conninfo_env: NAME
 *   queries: {blockers: "select id::text as key, ...", activity: "..."}
 *   listen: [mc_changes]
 *   resolve: "update needs_apple set resolved = true, note = $2, ... where id::text = $1"
 *
 * fetch runs every query of the source in one read-only REPEATABLE READ
 * transaction on the source's connection (kept in the runtime, reconnected
 * when it went bad) and writes all the row sets with one fetch_commit
 * (CACHE_REPLACE). Result columns are matched to the dataset's fields by name;
 * values are converted by postgres_text.c.
 *
 * LISTEN/NOTIFY: a listener thread with its own connection turns a NOTIFY
 * on the configured channels into "fetch this source now" (source_nudge; see
 * postgres_conn.c). It starts at the first fetch once an engine has
 * registered the nudge hook, so `mc fetch --once` and outbox deliveries (which
 * open a runtime of their own) never start one, and stops in close().
 *
 * resolve runs the configured statement with PQexecParams-style parameters
 * ($1 key, $2 note, $3 by; never SQL built from strings) in a transaction
 * that is committed only when exactly one row changed.
 *
 * The connection string is a secret: it is never printed, and libpq's
 * messages go through pg_redact (postgres_text.c). Without libpq
 * (meson -Dpostgres=disabled) the kind exists but configure refuses it. */
#include <stdlib.h>
#include <string.h>
#include "../source.h"
#include "../util.h"
#include "postgres.h"
#include "postgres_conn.h"

#define PG_MAX_CHANNELS 32

static const char *const pg_keys[] = {
    "conninfo", "conninfo_file", "conninfo_env", "listen", "queries", "resolve", "unresolve",
    "connect_timeout", "max_rows", NULL,
};

static void pg_free_config(void *p)
{
    PgCfg *k = p;
    if (!k)
        return;
    free(k->conninfo), free(k->conninfo_file), free(k->conninfo_env);
    strv_free(k->listen);
    for (int i = 0; i < k->nq; i++)
        free(k->q[i].sql);
    free(k->resolve), free(k->unresolve);
    free(k);
}

/* ---- configure -------------------------------------------------------- */

static int ident_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '$';
}

/* Which parameters a statement uses outside quotes: bit i for $(i+1), bit 9
 * for any $N above 9. */
static unsigned placeholders_used(const char *sql)
{
    unsigned used = 0;
    char quote = 0;
    for (const char *p = sql; *p; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '$' && p[1] >= '1' && p[1] <= '9' && (p == sql || !ident_char(p[-1]))) {
            long n = 0;
            for (const char *d = p + 1; *d >= '0' && *d <= '9' && n < 100; d++)
                n = n * 10 + (*d - '0');
            used |= n <= 9 ? 1u << (n - 1) : 1u << 9;
        }
    }
    return used;
}

static int read_statement(const YNode *map, const char *key, char **sql, unsigned *used,
                          char **err)
{
    if (ynode_str(map, key, sql, err) < 0)
        return -1;
    if (!*sql)
        return 0;
    const YNode *n = ynode_get(map, key);
    *used = placeholders_used(*sql);
    if (*used & ~7u)
        return ynode_error(n, err, "%s: only $1 (key), $2 (note) and $3 (by) are available", key);
    if (!(*used & 1u))
        return ynode_error(n, err, "%s: the statement must use $1 (the blocker's key)", key);
    return 0;
}

static int read_queries(PgCfg *k, const YNode *map, char **err)
{
    const YNode *n = ynode_get(map, "queries");
    if (!n)
        return ynode_error(map, err, "missing required key 'queries'");
    if (n->type != YN_MAP || n->n == 0)
        return ynode_error(n, err, "queries: expected a map of dataset: SQL");
    for (int i = 0; i < n->n; i++) {
        const YNode *key = n->keys[i], *v = n->items[i];
        const Dataset *ds = dataset_find(key->scalar);
        if (!ds)
            return ynode_error(key, err, "queries: unknown dataset '%.60s' (known: %s)",
                               key->scalar, dataset_names());
        if (dataset_mc_owned(ds))
            return ynode_error(key, err, "queries: the %s dataset is written by mc itself", ds->name);
        if (v->type != YN_SCALAR || !v->scalar[strspn(v->scalar, " \t\r\n")])
            return ynode_error(v, err, "queries.%s: expected an SQL query", ds->name);
        for (int j = 0; j < k->nq; j++)
            if (k->q[j].ds == ds)
                return ynode_error(key, err, "queries: '%s' is given twice", ds->name);
        k->q[k->nq].ds = ds;
        k->q[k->nq++].sql = xstrdup(v->scalar);
    }
    return 0;
}

/* A channel name that LISTEN takes as an identifier. */
static int channel_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || (s[0] >= '0' && s[0] <= '9') || s[0] == '$')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!ident_char(s[i]))
            return 0;
    return 1;
}

static int read_listen(PgCfg *k, const YNode *map, char **err)
{
    if (ynode_strv(map, "listen", &k->listen, err) < 0)
        return -1;
    const YNode *n = ynode_get(map, "listen");
    int len = k->listen ? strv_len(k->listen) : 0;
    if (len > PG_MAX_CHANNELS)
        return ynode_error(n, err, "listen: at most %d channels", PG_MAX_CHANNELS);
    for (int i = 0; i < len; i++) {
        if (!channel_ok(k->listen[i])) {
            const YNode *at = n->type == YN_SEQ && i < n->n ? n->items[i] : n;
            return ynode_error(at, err,
                               "listen: '%.70s' is not a channel name (letters, digits, _ and"
                               " $, at most 63, not starting with a digit)",
                               k->listen[i]);
        }
    }
    return 0;
}

static int pg_configure(SourceConfig *sc, const YNode *map, char **err)
{
    if (source_check_keys(map, pg_keys, err))
        return -1;
#ifndef MC_HAVE_PQ
    return ynode_error(ynode_get(map, "kind"), err, "this mc was built without PostgreSQL support");
#endif
    if (sc->feeds)
        return ynode_error(ynode_get(map, "feeds"), err,
                           "feeds: not used by postgres (the keys of queries: name the datasets)");
    PgCfg *k = xcalloc(1, sizeof *k);
    k->connect_timeout_ms = 5000;
    k->max_rows = 100000;
    if (ynode_str(map, "conninfo", &k->conninfo, err) < 0 ||
        ynode_path(map, "conninfo_file", &k->conninfo_file, err) < 0 ||
        ynode_str(map, "conninfo_env", &k->conninfo_env, err) < 0 ||
        ynode_duration(map, "connect_timeout", &k->connect_timeout_ms, err) < 0 ||
        ynode_long(map, "max_rows", 1, 10000000, &k->max_rows, err) < 0 ||
        read_listen(k, map, err) < 0 || read_queries(k, map, err) < 0 ||
        read_statement(map, "resolve", &k->resolve, &k->resolve_used, err) < 0 ||
        read_statement(map, "unresolve", &k->unresolve, &k->unresolve_used, err) < 0)
        goto fail;
    if (!!k->conninfo + !!k->conninfo_file + !!k->conninfo_env != 1) {
        ynode_error(map, err, "a postgres source needs exactly one of conninfo, conninfo_file"
                              " and conninfo_env");
        goto fail;
    }
    if (k->connect_timeout_ms < 100) {
        ynode_error(ynode_get(map, "connect_timeout"), err, "connect_timeout: at least 100ms");
        goto fail;
    }
    sc->kcfg = k;
    return 0;
fail:
    pg_free_config(k);
    return -1;
}

#ifdef MC_HAVE_PQ

/* Closes the runtime's connection after a failure that left it unusable. */
static void drop_conn(PgRt *rt, int rc)
{
    if (!rt->conn || rc == PG_OK || rc == PG_SQL)
        return;
    if (rc == PG_ABORT && PQstatus(rt->conn) == CONNECTION_OK)
        pg_cancel_statement(rt->conn);
    PQfinish(rt->conn);
    rt->conn = NULL;
}

/* Makes sure rt->conn is usable; *fresh says it was just made. */
static int ensure_conn(PgRt *rt, const PgWait *w, int *fresh, char **err)
{
    *fresh = 0;
    if (rt->conn && (!PQconsumeInput(rt->conn) || PQstatus(rt->conn) != CONNECTION_OK ||
                     PQtransactionStatus(rt->conn) != PQTRANS_IDLE)) {
        PQfinish(rt->conn);
        rt->conn = NULL;
    }
    if (rt->conn)
        return 0;
    rt->conn = pg_connect(rt, w, err);
    *fresh = 1;
    return rt->conn ? 0 : -1;
}

/* "BEGIN ...; SET LOCAL ..." for a transaction that must end by deadline. */
static char *begin_sql(const char *mode, int64_t deadline)
{
    int64_t left = deadline - mono_ms();
    return xasprintf("BEGIN%s; SET LOCAL statement_timeout = %lld; SET LOCAL TimeZone = 'UTC';"
                     " SET LOCAL DateStyle = 'ISO, YMD'",
                     mode, (long long)(left > 1000 ? left : 1000));
}

/* ---- fetch ----------------------------------------------------------------- */

/* Maps result columns to dataset fields (-1: ignored). Returns a new array,
 * or NULL with *err when there is no key column. */
static int *map_columns(const PGresult *res, const Dataset *ds, char **err)
{
    int n = PQnfields(res), key = 0;
    int *map = xcalloc((size_t)(n ? n : 1), sizeof *map);
    for (int i = 0; i < n; i++) {
        const char *name = PQfname(res, i);
        map[i] = strcmp(name, "source") ? dataset_field(ds, name) : -1;
        key |= map[i] == 1;
    }
    if (!key) {
        set_err(err, "query for %s returns no 'key' column", ds->name);
        free(map);
        return NULL;
    }
    return map;
}

/* Runs one dataset's query in single-row mode into rows. PG_* codes. */
static int run_query(PGconn *c, const PgQuery *q, long max_rows, Rows *rows, const PgWait *w,
                     char **err)
{
    if (!PQsendQueryParams(c, q->sql, 0, NULL, NULL, NULL, NULL, 0) || !PQsetSingleRowMode(c)) {
        char *m = pg_message(PQerrorMessage(c), PQpass(c));
        set_err(err, "query for %s: %s", q->ds->name, m);
        free(m);
        return PQstatus(c) == CONNECTION_OK ? PG_SQL : PG_LOST;
    }
    int rc = PG_OK, *map = NULL;
    PGresult *res;
    for (;;) {
        int r = pg_wait_result(c, w, err);
        if (r != PG_OK) {
            free(map);
            return r;
        }
        if (!(res = PQgetResult(c)))
            break;
        ExecStatusType st = PQresultStatus(res);
        if (rc != PG_OK) {
            /* draining after an error */
        } else if (st == PGRES_SINGLE_TUPLE || st == PGRES_TUPLES_OK) {
            if (!map && !(map = map_columns(res, q->ds, err)))
                rc = PG_SQL;
            for (int i = 0; rc == PG_OK && i < PQntuples(res); i++) {
                if (rows->nrows >= max_rows) {
                    set_err(err, "query for %s returns more than %ld rows (add a LIMIT or"
                                 " raise max_rows)", q->ds->name, max_rows);
                    pg_cancel_statement(c);
                    rc = PG_SQL;
                    break;
                }
                int row = rows_add(rows);
                for (int f = 0; f < PQnfields(res); f++)
                    if (map[f] >= 0)
                        pg_set_cell(rows, row, map[f],
                                    PQgetisnull(res, i, f) ? NULL : PQgetvalue(res, i, f),
                                    (size_t)PQgetlength(res, i, f));
            }
        } else if (st == PGRES_COMMAND_OK || st == PGRES_EMPTY_QUERY) {
            set_err(err, "query for %s returns no rows (not a SELECT?)", q->ds->name);
            rc = PG_SQL;
        } else {
            char *m = pg_result_message(res);
            set_err(err, "query for %s: %s", q->ds->name, m);
            free(m);
            rc = PG_SQL;
        }
        PQclear(res);
    }
    free(map);
    return PQstatus(c) == CONNECTION_OK ? rc : PG_LOST;
}

/* Every query in one read-only snapshot. PG_* codes. */
static int read_all(PgRt *rt, Rows **sets, const PgWait *w, char **err)
{
    char *begin = begin_sql(" ISOLATION LEVEL REPEATABLE READ READ ONLY", w->deadline);
    int rc = pg_exec(rt->conn, begin, w, err);
    free(begin);
    for (int i = 0; rc == PG_OK && i < rt->k->nq; i++) {
        rows_clear(sets[i]);
        rc = run_query(rt->conn, &rt->k->q[i], rt->k->max_rows, sets[i], w, err);
    }
    if (rc == PG_OK)
        rc = pg_exec(rt->conn, "COMMIT", w, err);
    else if (rc == PG_SQL)
        pg_exec(rt->conn, "ROLLBACK", w, NULL);
    return rc;
}

static int pg_fetch(void *self, FetchCtx *ctx)
{
    PgRt *rt = self;
    if (!rt) {
        set_err(&ctx->err, "no runtime (open failed)");
        return -1;
    }
    const PgCfg *k = rt->k;
    PgWait w = {ctx->deadline_ms, ctx->cancel, -1};
    Rows *sets[DS__COUNT] = {0};
    for (int i = 0; i < k->nq; i++)
        sets[i] = rows_new(k->q[i].ds);
    pthread_mutex_lock(&rt->lock);
    int rc = PG_LOST;
    for (int attempt = 0; attempt < 2 && rc == PG_LOST; attempt++) {
        int fresh;
        if (ensure_conn(rt, &w, &fresh, &ctx->err) != 0) {
            rc = PG_ABORT;
            break;
        }
        ctx->requests += k->nq;
        free(ctx->err);
        ctx->err = NULL;
        rc = read_all(rt, sets, &w, &ctx->err);
        drop_conn(rt, rc);
        if (fresh)
            break; /* a stale kept connection gets one more try on a new one */
    }
    if (rc == PG_ABORT && ctx->err && !strcmp(ctx->err, "timed out"))
        set_err(&ctx->err, "timed out after %lld ms", (long long)ctx->src->timeout_ms);
    pg_listener_start(rt);
    pthread_mutex_unlock(&rt->lock);
    if (rc == PG_OK)
        rc = fetch_commit(ctx, sets, k->nq, CACHE_REPLACE);
    for (int i = 0; i < k->nq; i++)
        rows_free(sets[i]);
    return rc == PG_OK ? 0 : -1;
}

/* ---- resolve ---------------------------------------------------------------- */

/* SQLSTATE classes worth another try: connection, rollback (serialization,
 * deadlock), resources, operator intervention (shutdown, cancel). */
static int transient(const PGresult *res)
{
    const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    return !s || !strncmp(s, "08", 2) || !strncmp(s, "40", 2) || !strncmp(s, "53", 2) ||
           !strncmp(s, "57", 2);
}

/* Runs the statement with $1..$3; *n = rows it changed. RESOLVE_OK when it ran. */
static ResolveResult run_statement(PGconn *c, const char *sql, unsigned used,
                                   const ResolveReq *req, const PgWait *w, long *n, char **msg)
{
    /* a parameter the statement does not use still needs a type: text */
    const Oid types[3] = {used & 1 ? 0 : 25, used & 2 ? 0 : 25, used & 4 ? 0 : 25};
    const char *const vals[3] = {req->key, req->note ? req->note : "", req->by ? req->by : ""};
    if (!PQsendQueryParams(c, sql, 3, types, vals, NULL, NULL, 0)) {
        char *m = pg_message(PQerrorMessage(c), PQpass(c));
        set_err(msg, "connection lost: %s", m);
        free(m);
        return RESOLVE_RETRY;
    }
    ResolveResult rr = RESOLVE_OK;
    PGresult *res;
    int seen = 0;
    for (;;) {
        if (pg_wait_result(c, w, msg) != PG_OK)
            return RESOLVE_RETRY;
        if (!(res = PQgetResult(c)))
            break;
        ExecStatusType st = PQresultStatus(res);
        if (!seen && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)) {
            if (parse_long(PQcmdTuples(res), 0, 1L << 40, n) != 0)
                *n = PQntuples(res);
        } else if (!seen) {
            char *m = pg_result_message(res);
            set_err(msg, "%s", m);
            free(m);
            rr = transient(res) ? RESOLVE_RETRY : RESOLVE_FAIL;
        }
        seen = 1;
        PQclear(res);
    }
    return PQstatus(c) == CONNECTION_OK ? rr : RESOLVE_RETRY;
}

/* One delivery on rt's connection; the transaction commits only on 1 row. */
static ResolveResult resolve_once(PgRt *rt, const char *sql, unsigned used, const ResolveReq *req,
                                  const PgWait *w, ResolveOut *out)
{
    char *begin = begin_sql("", w->deadline);
    int rc = pg_exec(rt->conn, begin, w, &out->message);
    free(begin);
    if (rc != PG_OK) {
        drop_conn(rt, rc);
        return rc == PG_SQL ? RESOLVE_FAIL : RESOLVE_RETRY;
    }
    long n = -1;
    ResolveResult rr = run_statement(rt->conn, sql, used, req, w, &n, &out->message);
    if (rr == RESOLVE_OK && n == 1)
        rc = pg_exec(rt->conn, "COMMIT", w, &out->message);
    else if (PQstatus(rt->conn) == CONNECTION_OK)
        rc = pg_exec(rt->conn, "ROLLBACK", w, NULL);
    if (rr == RESOLVE_OK && n == 0) {
        set_err(&out->message, "no row matched key %.200s", req->key);
        rr = RESOLVE_FAIL;
    } else if (rr == RESOLVE_OK && n != 1) {
        set_err(&out->message, "the statement matched %ld rows for key %.200s; nothing was changed",
                n, req->key);
        rr = RESOLVE_FAIL;
    } else if (rr == RESOLVE_OK && rc != PG_OK) {
        rr = rc == PG_SQL ? RESOLVE_FAIL : RESOLVE_RETRY; /* COMMIT failed */
    }
    if (rr == RESOLVE_RETRY || rc != PG_OK)
        drop_conn(rt, PG_LOST);
    return rr;
}

static void *pg_open(const SourceConfig *sc);
static void pg_close(void *self);

static ResolveResult pg_resolve(void *self, const SourceConfig *sc, const Config *cfg,
                                const ResolveReq *req, ResolveOut *out)
{
    const PgCfg *k = sc->kcfg;
    int un = req->action && !strcmp(req->action, "unresolve");
    const char *sql = un ? k->unresolve : k->resolve;
    if (!sql)
        return RESOLVE_UNSUPPORTED;
    PgRt *rt = self ? self : pg_open(sc);
    PgWait w = {mono_ms() + (sc->timeout_ms > 0 ? sc->timeout_ms : 20000), NULL, -1};
    ResolveResult rr = RESOLVE_RETRY;
    pthread_mutex_lock(&rt->lock);
    for (int attempt = 0; attempt < 2; attempt++) {
        int fresh;
        if (ensure_conn(rt, &w, &fresh, &out->message) != 0)
            break;
        rr = resolve_once(rt, sql, un ? k->unresolve_used : k->resolve_used, req, &w, out);
        if (fresh || rr != RESOLVE_RETRY || rt->conn)
            break;
    }
    pthread_mutex_unlock(&rt->lock);
    if (!self)
        pg_close(rt);
    return rr;
}

/* ---- runtime ------------------------------------------------------------------ */

static void *pg_open(const SourceConfig *sc)
{
    PgRt *rt = xcalloc(1, sizeof *rt);
    rt->sc = sc;
    rt->k = sc->kcfg;
    rt->stop_pipe[0] = rt->stop_pipe[1] = -1;
    pthread_mutex_init(&rt->lock, NULL);
    return rt;
}

static void pg_close(void *self)
{
    PgRt *rt = self;
    if (!rt)
        return;
    pg_listener_stop(rt);
    PQfinish(rt->conn);
    pthread_mutex_destroy(&rt->lock);
    free(rt);
}

#endif /* MC_HAVE_PQ */

/* resolve needs `resolve:` SQL, unresolve `unresolve:` SQL. */
static int pg_supports(const SourceConfig *sc, const char *action)
{
    const PgCfg *k = sc->kcfg;
    return !strcmp(action, "unresolve") ? k->unresolve != NULL
           : !strcmp(action, "resolve") ? k->resolve != NULL : 0;
}

const SourceClass src_postgres_class = {
    .kind = "postgres",
    .summary = "a PostgreSQL database: SQL per dataset, LISTEN/NOTIFY, UPDATE for resolve",
    .datasets_map = "queries",
    .configure = pg_configure,
    .free_config = pg_free_config,
#ifdef MC_HAVE_PQ
    .open = pg_open,
    .close = pg_close,
    .fetch = pg_fetch,
    .resolve = pg_resolve,
#endif
    .supports = pg_supports,
};
