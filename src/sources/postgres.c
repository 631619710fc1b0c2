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
 * LISTEN/NOTIFY: a listener thread with its own connection waits in poll()
 * on the socket and a stop pipe; a notification (and every (re)connect or
 * loss of that connection) asks the engine to fetch the source now through
 * source_nudge(). The thread starts at the first fetch once an engine has
 * registered the nudge hook (so `mc fetch --once` and outbox deliveries,
 * which open a runtime of their own, never start one) and stops in close().
 * It reconnects with backoff, 1 s doubling to 30 s.
 *
 * resolve runs the configured statement with PQexecParams-style parameters
 * ($1 key, $2 note, $3 by; never SQL built from strings) in a transaction
 * that is committed only when exactly one row changed.
 *
 * The connection string is a secret: conninfo_file and conninfo_env are read
 * at each connect (a rotated secret is picked up), copies are wiped after use,
 * and it is never printed; libpq's messages go through pg_redact. Without libpq
 * (meson -Dpostgres=disabled) the kind exists but configure refuses it. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef MC_HAVE_PQ
#include <libpq-fe.h>
#endif
#include "../log.h"
#include "../source.h"
#include "../util.h"
#include "postgres.h"

#define PG_MAX_CHANNELS 32
#define PG_BACKOFF_MIN_MS 1000
#define PG_BACKOFF_MAX_MS 30000

typedef struct PgQuery {
    const Dataset *ds;
    char *sql;
} PgQuery;

typedef struct PgCfg {
    char *conninfo;           /* ${ENV} expanded (config load) */
    char *conninfo_file;      /* secret file (first line) */
    char *conninfo_env;       /* name of the variable holding it */
    char **listen;            /* NULL-terminated channel names, or NULL */
    PgQuery q[DS__COUNT];
    int nq;
    char *resolve, *unresolve;
    unsigned resolve_used, unresolve_used; /* bit i: $(i+1) appears */
    int64_t connect_timeout_ms;
    long max_rows;
} PgCfg;

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
        if (ds->id == DS_AUDIT)
            return ynode_error(key, err, "queries: the audit dataset is written by mc itself");
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

/* ---- connections -------------------------------------------------------- */

/* Outcomes of talking to the server. */
enum { PG_OK = 0, PG_SQL = -1, PG_LOST = -2, PG_ABORT = -3 };

/* Where waits stop: a monotonic deadline, a cancel flag, a stop pipe. */
typedef struct PgWait {
    int64_t deadline;
    volatile int *cancel;
    int stop_fd;              /* -1: none */
} PgWait;

typedef struct PgRt {
    const SourceConfig *sc;
    const PgCfg *k;
    pthread_mutex_t lock;     /* one fetch or resolve at a time on conn */
    PGconn *conn;
    pthread_t listener;
    int listening;
    int stop_pipe[2];
    volatile int stop;
} PgRt;

static void wipe_free(char *s)
{
    if (s) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

/* The connection string from conninfo / conninfo_file / conninfo_env.
 * Returns a new string (wipe_free it) or NULL with *err. */
static char *conninfo_text(const PgCfg *k, char **err)
{
    if (k->conninfo_file)
        return secret_read_file(k->conninfo_file, err);
    if (k->conninfo_env) {
        const char *v = getenv(k->conninfo_env);
        if (!v || !*v) {
            set_err(err, "environment variable %s is not set", k->conninfo_env);
            return NULL;
        }
        return xstrdup(v);
    }
    return xstrdup(k->conninfo); /* ${ENV} was expanded when the config was loaded */
}

/* libpq's message on one line: hint lines dropped, secrets masked. */
static char *pg_message(const char *msg, const char *password)
{
    Buf b = {0};
    const char *p = msg ? msg : "";
    while (*p) {
        size_t n = strcspn(p, "\n");
        if (n && *p != '\t' && strncmp(p, "HINT:", 5) != 0) {
            if (b.len)
                buf_puts(&b, "; ");
            buf_append(&b, p, n);
        }
        p += n + (p[n] == '\n');
    }
    char *s = buf_steal(&b);
    char *r = pg_redact(s, password);
    free(s);
    return r;
}

/* Masks every "quoted" fragment but "=" (libpq quotes pieces of a bad
 * connection string, which may be a password). */
static char *mask_quoted(const char *msg)
{
    Buf b = {0};
    for (const char *p = msg ? msg : ""; *p;) {
        const char *q = strchr(p, '"'), *e = q ? strchr(q + 1, '"') : NULL;
        if (!e) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(q + 1 - p));
        if (e - q == 2 && q[1] == '=')
            buf_putc(&b, '=');
        else
            buf_puts(&b, "...");
        buf_putc(&b, '"');
        p = e + 1;
    }
    char *s = buf_steal(&b);
    char *r = pg_message(s, NULL);
    free(s);
    return r;
}

/* Waits until c's socket is ready (0), or the wait ends: PG_ABORT with *err. */
static int wait_socket(PGconn *c, int for_write, const PgWait *w, char **err)
{
    for (;;) {
        if (w->cancel && *w->cancel) {
            set_err(err, "cancelled");
            return PG_ABORT;
        }
        int64_t left = w->deadline - mono_ms();
        if (left <= 0) {
            set_err(err, "timed out");
            return PG_ABORT;
        }
        struct pollfd pf[2] = {{PQsocket(c), (short)(for_write ? POLLOUT : POLLIN), 0},
                               {w->stop_fd, POLLIN, 0}};
        int n = poll(pf, w->stop_fd >= 0 ? 2 : 1, left > 100 ? 100 : (int)left);
        if (n < 0 && errno != EINTR) {
            set_err(err, "poll: %s", strerror(errno));
            return PG_ABORT;
        }
        if (n > 0 && w->stop_fd >= 0 && pf[1].revents) {
            set_err(err, "stopping");
            return PG_ABORT;
        }
        if (n > 0 && pf[0].revents)
            return PG_OK;
    }
}

/* Server notices (and the FATAL a server sends before it closes an idle
 * connection) go to the log, never to stderr under the dashboard. */
static void on_notice(void *arg, const char *msg)
{
    char *m = pg_message(msg, NULL);
    log_info("%s: server: %s", (const char *)arg, m);
    free(m);
}

/* Connects without blocking past the wait's limits or connect_timeout.
 * Returns the connection or NULL with *err ("cannot connect: ..."). */
static PGconn *pg_connect(const PgRt *rt, const PgWait *w0, char **err)
{
    const PgCfg *k = rt->k;
    char *ci = conninfo_text(k, err), *perr = NULL, *password = NULL;
    if (!ci)
        return NULL;
    PgWait w = *w0;
    int64_t limit = k->connect_timeout_ms;
    PQconninfoOption *opts = PQconninfoParse(ci, &perr);
    if (!opts) {
        char *m = mask_quoted(perr ? perr : "out of memory");
        set_err(err, "conninfo is not a valid connection string: %s", m);
        free(m);
        PQfreemem(perr);
        wipe_free(ci);
        return NULL;
    }
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        long secs;
        if (o->val && !strcmp(o->keyword, "password"))
            password = xstrdup(o->val);
        else if (o->val && !strcmp(o->keyword, "connect_timeout") &&
                 parse_long(o->val, 1, 3600, &secs) == 0)
            limit = secs * 1000;
    }
    PQconninfoFree(opts);
    if (mono_ms() + limit < w.deadline)
        w.deadline = mono_ms() + limit;
    const char *const kw[] = {"fallback_application_name", "dbname", NULL};
    const char *const val[] = {"mc", ci, NULL};
    PGconn *c = PQconnectStartParams(kw, val, 1);
    wipe_free(ci);
    if (c)
        PQsetNoticeProcessor(c, on_notice, rt->sc->id);
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    char *why = NULL;
    while (c && PQstatus(c) != CONNECTION_BAD && st != PGRES_POLLING_OK &&
           st != PGRES_POLLING_FAILED) {
        if (wait_socket(c, st == PGRES_POLLING_WRITING, &w, &why) != PG_OK)
            break;
        st = PQconnectPoll(c);
    }
    if (!c || PQstatus(c) != CONNECTION_OK) {
        if (why && !strcmp(why, "timed out"))
            set_err(err, "cannot connect: no answer within %lld ms", (long long)limit);
        else if (why)
            set_err(err, "cannot connect: %s", why);
        else {
            char *m = pg_message(c ? PQerrorMessage(c) : "out of memory", password);
            int down = strstr(m, "refused") || strstr(m, "No such file");
            set_err(err, "cannot connect: %s%s", m, down ? " (server down?)" : "");
            free(m);
        }
        PQfinish(c);
        c = NULL;
    }
    free(why);
    wipe_free(password);
    return c;
}

/* Waits for the whole next result to arrive. PG_OK, PG_LOST or PG_ABORT. */
static int wait_result(PGconn *c, const PgWait *w, char **err)
{
    while (PQisBusy(c)) {
        int r = wait_socket(c, 0, w, err);
        if (r != PG_OK)
            return r;
        if (!PQconsumeInput(c)) {
            char *m = pg_message(PQerrorMessage(c), PQpass(c));
            set_err(err, "connection lost: %s", m);
            free(m);
            return PG_LOST;
        }
    }
    return PG_OK;
}

/* The server's message of a failed result, one line (a new string). */
static char *result_message(const PGresult *res)
{
    const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    return pg_message(m ? m : PQresultErrorMessage(res), NULL);
}

/* Sends a statement (several with simple=1) and drains its results.
 * PG_OK, PG_SQL (server error in *err, connection usable), PG_LOST, PG_ABORT. */
static int exec_simple(PGconn *c, const char *sql, const PgWait *w, char **err)
{
    if (!PQsendQuery(c, sql)) {
        char *m = pg_message(PQerrorMessage(c), PQpass(c));
        set_err(err, "connection lost: %s", m);
        free(m);
        return PG_LOST;
    }
    int rc = PG_OK;
    for (;;) {
        int r = wait_result(c, w, err);
        if (r != PG_OK)
            return r;
        PGresult *res = PQgetResult(c);
        if (!res)
            break;
        ExecStatusType st = PQresultStatus(res);
        if (rc == PG_OK && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
            st != PGRES_EMPTY_QUERY) {
            char *m = result_message(res);
            set_err(err, "%s", m);
            free(m);
            rc = PQstatus(c) == CONNECTION_OK ? PG_SQL : PG_LOST;
        }
        PQclear(res);
    }
    return PQstatus(c) == CONNECTION_OK ? rc : PG_LOST;
}

/* Asks the server to stop the running statement (best effort). */
static void cancel_statement(PGconn *c)
{
    char buf[256];
    PGcancel *cn = PQgetCancel(c);
    if (cn) {
        PQcancel(cn, buf, sizeof buf);
        PQfreeCancel(cn);
    }
}

/* Closes the runtime's connection after a failure that left it unusable. */
static void drop_conn(PgRt *rt, int rc)
{
    if (!rt->conn || rc == PG_OK || rc == PG_SQL)
        return;
    if (rc == PG_ABORT && PQstatus(rt->conn) == CONNECTION_OK)
        cancel_statement(rt->conn);
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
        int r = wait_result(c, w, err);
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
                    cancel_statement(c);
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
            char *m = result_message(res);
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
    int rc = exec_simple(rt->conn, begin, w, err);
    free(begin);
    for (int i = 0; rc == PG_OK && i < rt->k->nq; i++) {
        rows_clear(sets[i]);
        rc = run_query(rt->conn, &rt->k->q[i], rt->k->max_rows, sets[i], w, err);
    }
    if (rc == PG_OK)
        rc = exec_simple(rt->conn, "COMMIT", w, err);
    else if (rc == PG_SQL)
        exec_simple(rt->conn, "ROLLBACK", w, NULL);
    return rc;
}

static void start_listener(PgRt *rt);

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
    start_listener(rt);
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
        if (wait_result(c, w, msg) != PG_OK)
            return RESOLVE_RETRY;
        if (!(res = PQgetResult(c)))
            break;
        ExecStatusType st = PQresultStatus(res);
        if (!seen && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)) {
            if (parse_long(PQcmdTuples(res), 0, 1L << 40, n) != 0)
                *n = PQntuples(res);
        } else if (!seen) {
            char *m = result_message(res);
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
    int rc = exec_simple(rt->conn, begin, w, &out->message);
    free(begin);
    if (rc != PG_OK) {
        drop_conn(rt, rc);
        return rc == PG_SQL ? RESOLVE_FAIL : RESOLVE_RETRY;
    }
    long n = -1;
    ResolveResult rr = run_statement(rt->conn, sql, used, req, w, &n, &out->message);
    if (rr == RESOLVE_OK && n == 1)
        rc = exec_simple(rt->conn, "COMMIT", w, &out->message);
    else if (PQstatus(rt->conn) == CONNECTION_OK)
        rc = exec_simple(rt->conn, "ROLLBACK", w, NULL);
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

/* ---- LISTEN/NOTIFY ------------------------------------------------------------ */

/* Sleeps ms or until close() asks the listener to stop. */
static void listener_sleep(PgRt *rt, int64_t ms)
{
    struct pollfd pf = {rt->stop_pipe[0], POLLIN, 0};
    int64_t end = mono_ms() + ms;
    while (!rt->stop && mono_ms() < end)
        if (poll(&pf, 1, (int)(end - mono_ms())) > 0)
            break;
}

static int listen_all(PGconn *c, char **channels, const PgWait *w, char **err)
{
    Buf b = {0};
    for (int i = 0; channels[i]; i++) {
        char *id = PQescapeIdentifier(c, channels[i], strlen(channels[i]));
        if (!id) {
            buf_free(&b);
            set_err(err, "cannot quote channel %s", channels[i]);
            return PG_SQL;
        }
        buf_printf(&b, "LISTEN %s;", id);
        PQfreemem(id);
    }
    int rc = exec_simple(c, b.s, w, err);
    buf_free(&b);
    return rc;
}

/* Waits for notifications until the connection is lost or stop is asked. */
static void listen_loop(PgRt *rt, PGconn *c)
{
    while (!rt->stop) {
        struct pollfd pf[2] = {{PQsocket(c), POLLIN, 0}, {rt->stop_pipe[0], POLLIN, 0}};
        int n = poll(pf, 2, -1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 || pf[1].revents)
            return;
        if (!pf[0].revents)
            continue;
        if (!PQconsumeInput(c) || PQstatus(c) != CONNECTION_OK)
            return;
        int hit = 0;
        PGnotify *nt;
        while ((nt = PQnotifies(c))) {
            hit = 1;
            PQfreemem(nt);
        }
        if (hit)
            source_nudge(rt->sc->id);
    }
}

static void *listener_main(void *arg)
{
    PgRt *rt = arg;
    const char *id = rt->sc->id;
    int64_t backoff = PG_BACKOFF_MIN_MS;
    int outage = 0;
    while (!rt->stop) {
        char *err = NULL;
        PgWait w = {mono_ms() + rt->k->connect_timeout_ms + 5000, &rt->stop, rt->stop_pipe[0]};
        PGconn *c = pg_connect(rt, &w, &err);
        if (c && listen_all(c, rt->k->listen, &w, &err) == PG_OK) {
            if (outage)
                log_info("%s: listening again", id);
            outage = 0;
            backoff = PG_BACKOFF_MIN_MS;
            source_nudge(id); /* whatever changed while nobody listened */
            listen_loop(rt, c);
            PQfinish(c);
            if (rt->stop)
                break;
            log_warn("%s: lost the LISTEN connection; reconnecting", id);
            source_nudge(id); /* the next fetch shows whether the server is gone */
            outage = 1;
        } else {
            PQfinish(c);
            if (!rt->stop && !outage)
                log_warn("%s: cannot listen: %s; retrying", id, err ? err : "?");
            outage = 1;
        }
        free(err);
        listener_sleep(rt, backoff);
        if (outage && backoff < PG_BACKOFF_MAX_MS)
            backoff = backoff * 2 > PG_BACKOFF_MAX_MS ? PG_BACKOFF_MAX_MS : backoff * 2;
    }
    return NULL;
}

/* Starts the listener once an engine wants nudges (lock held). */
static void start_listener(PgRt *rt)
{
    if (rt->listening || !rt->k->listen || !rt->k->listen[0] || !source_nudge_active())
        return;
    if (pipe2(rt->stop_pipe, O_CLOEXEC) != 0) {
        rt->stop_pipe[0] = rt->stop_pipe[1] = -1;
        return;
    }
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&rt->listener, NULL, listener_main, rt);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0) {
        rt->listening = 1;
        return;
    }
    log_warn("%s: cannot start the listener thread: %s", rt->sc->id, strerror(rc));
    close(rt->stop_pipe[0]);
    close(rt->stop_pipe[1]);
    rt->stop_pipe[0] = rt->stop_pipe[1] = -1;
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
    if (rt->listening) {
        rt->stop = 1;
        if (write(rt->stop_pipe[1], "x", 1) < 0) {
            /* the thread also sees rt->stop within its next wait */
        }
        pthread_join(rt->listener, NULL);
    }
    for (int i = 0; i < 2; i++)
        if (rt->stop_pipe[i] >= 0)
            close(rt->stop_pipe[i]);
    PQfinish(rt->conn);
    pthread_mutex_destroy(&rt->lock);
    free(rt);
}

#endif /* MC_HAVE_PQ */

const SourceClass src_postgres_class = {
    .kind = "postgres",
    .summary = "a PostgreSQL database: SQL per dataset, LISTEN/NOTIFY, UPDATE for resolve",
    .configure = pg_configure,
    .free_config = pg_free_config,
#ifdef MC_HAVE_PQ
    .open = pg_open,
    .close = pg_close,
    .fetch = pg_fetch,
    .resolve = pg_resolve,
#endif
};
