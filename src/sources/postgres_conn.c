/* postgres_conn.c — connections for the `postgres` source kind, and its
 * LISTEN thread.
 *
 * Everything here waits in poll() with a deadline, a cancel flag and a stop
 * pipe, so a dead server never blocks a worker past the source's timeout and
 * close() never waits on the network. The connection string is read at each
 * connect (a rotated secret file is picked up), copies are wiped after use,
 * and libpq's messages pass through pg_redact before anyone sees them.
 *
 * The listener has its own connection: it LISTENs on the source's channels
 * and asks the engine to fetch the source now (source_nudge) on every
 * notification, after every (re)connect (to catch what changed while nobody
 * listened) and when its connection drops (so the outage shows at once). It
 * reconnects with backoff, 1 s doubling to 30 s. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../log.h"
#include "../net/secret.h"
#include "../source.h"
#include "../util.h"
#include "postgres.h"
#include "postgres_conn.h"

#ifdef MC_HAVE_PQ

#define PG_BACKOFF_MIN_MS 1000
#define PG_BACKOFF_MAX_MS 30000

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
    if (k->conninfo_file || k->conninfo_env)    /* the one secret reader */
        return secret_read(k->conninfo_env, k->conninfo_file, 0, err);
    return xstrdup(k->conninfo); /* ${ENV} was expanded when the config was loaded */
}

/* libpq's message on one line: hint lines dropped, secrets masked. */
char *pg_message(const char *msg, const char *password)
{
    Buf b = {0};
    const char *p = msg ? msg : "";
    while (*p) {
        size_t n = strcspn(p, "\n");
        if (n && *p != '\t' && strncmp(p, "HINT:", 5) != 0) {
            if (b.len)
                buf_puts(&b, "; ");
            for (size_t i = 0; i < n; i++) /* "FATAL:  x" -> "FATAL: x" */
                if (p[i] != ' ' || !b.len || b.s[b.len - 1] != ' ')
                    buf_putc(&b, p[i]);
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
PGconn *pg_connect(const PgRt *rt, const PgWait *w0, char **err)
{
    const PgCfg *k = rt->k;
    if (!pq_dyn()) {
        set_err(err, "%s", pq_dyn_error());
        return NULL;
    }
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
int pg_wait_result(PGconn *c, const PgWait *w, char **err)
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
char *pg_result_message(const PGresult *res)
{
    const char *m = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    return pg_message(m ? m : PQresultErrorMessage(res), NULL);
}

/* Sends a statement (several with simple=1) and drains its results.
 * PG_OK, PG_SQL (server error in *err, connection usable), PG_LOST, PG_ABORT. */
int pg_exec(PGconn *c, const char *sql, const PgWait *w, char **err)
{
    if (!PQsendQuery(c, sql)) {
        char *m = pg_message(PQerrorMessage(c), PQpass(c));
        set_err(err, "connection lost: %s", m);
        free(m);
        return PG_LOST;
    }
    int rc = PG_OK;
    for (;;) {
        int r = pg_wait_result(c, w, err);
        if (r != PG_OK)
            return r;
        PGresult *res = PQgetResult(c);
        if (!res)
            break;
        ExecStatusType st = PQresultStatus(res);
        if (rc == PG_OK && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
            st != PGRES_EMPTY_QUERY) {
            char *m = pg_result_message(res);
            set_err(err, "%s", m);
            free(m);
            rc = PQstatus(c) == CONNECTION_OK ? PG_SQL : PG_LOST;
        }
        PQclear(res);
    }
    return PQstatus(c) == CONNECTION_OK ? rc : PG_LOST;
}

/* Asks the server to stop the running statement (best effort). */
void pg_cancel_statement(PGconn *c)
{
    char buf[256];
    PGcancel *cn = PQgetCancel(c);
    if (cn) {
        PQcancel(cn, buf, sizeof buf);
        PQfreeCancel(cn);
    }
}

/* ---- LISTEN/NOTIFY ------------------------------------------------------ */

/* Sleeps ms or until close() asks the listener to stop. */
static void listener_sleep(PgRt *rt, int64_t ms)
{
    struct pollfd pf = {rt->stop_pipe[0], POLLIN, 0};
    int64_t end = mono_ms() + ms, left;
    while (!rt->stop && (left = end - mono_ms()) > 0)
        if (poll(&pf, 1, (int)left) > 0)
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
    int rc = pg_exec(c, b.s, w, err);
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
void pg_listener_start(PgRt *rt)
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

void pg_listener_stop(PgRt *rt)
{
    if (rt->listening) {
        rt->stop = 1;
        if (write(rt->stop_pipe[1], "x", 1) < 0) {
            /* the thread also sees rt->stop within its next wait */
        }
        pthread_join(rt->listener, NULL);
        rt->listening = 0;
    }
    for (int i = 0; i < 2; i++) {
        if (rt->stop_pipe[i] >= 0)
            close(rt->stop_pipe[i]);
        rt->stop_pipe[i] = -1;
    }
}

#endif /* MC_HAVE_PQ */
