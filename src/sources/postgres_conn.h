/* postgres_conn.h — internals shared by the files of the `postgres` source
 * kind: its parsed config, and (with libpq) the runtime, the non-blocking
 * connection and statement helpers, and the LISTEN thread
 * (postgres_conn.c). Not a public interface: only src/sources/postgres*.c
 * include it. */
#ifndef MC_SOURCES_POSTGRES_CONN_H
#define MC_SOURCES_POSTGRES_CONN_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include "../config.h"
#include "../dataset.h"

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

#ifdef MC_HAVE_PQ
#include "pq_dyn.h"

/* Outcomes of talking to the server. */
enum { PG_OK = 0, PG_SQL = -1, PG_LOST = -2, PG_ABORT = -3 };
/* PG_SQL: the server refused (message in *err), the connection is usable;
 * PG_LOST: the connection broke; PG_ABORT: deadline, cancel or stop. */

/* Where waits stop: a monotonic deadline, a cancel flag, a stop pipe. */
typedef struct PgWait {
    int64_t deadline;
    atomic_int *cancel;       /* NULL: none */
    int stop_fd;              /* -1: none */
} PgWait;

/* The runtime of one source (open/close). */
typedef struct PgRt {
    const SourceConfig *sc;
    const PgCfg *k;
    pthread_mutex_t lock;     /* one fetch or resolve at a time on conn */
    PGconn *conn;             /* fetch/resolve connection, kept between calls */
    pthread_t listener;
    int listening;
    int stop_pipe[2];         /* -1 until the listener starts */
    atomic_int stop;          /* close() asks the listener thread to stop */
} PgRt;

/* libpq's message on one line: hint lines dropped, secrets masked.
 * Returns a new string. */
char *pg_message(const char *msg, const char *password);
/* The server's message of a failed result, one line. Returns a new string. */
char *pg_result_message(const PGresult *res);
/* Connects without blocking past the wait's limits or connect_timeout.
 * Returns the connection or NULL with *err ("cannot connect: ..."). */
PGconn *pg_connect(const PgRt *rt, const PgWait *w, char **err);
/* Waits for the whole next result to arrive: PG_OK, PG_LOST or PG_ABORT. */
int pg_wait_result(PGconn *c, const PgWait *w, char **err);
/* Sends a statement (several separated by ';' are fine) and drains every
 * result. Returns a PG_* outcome. */
int pg_exec(PGconn *c, const char *sql, const PgWait *w, char **err);
/* Asks the server to stop the running statement (best effort). */
void pg_cancel_statement(PGconn *c);

/* Starts the LISTEN thread when the source has channels and an engine has
 * registered the nudge hook (idempotent; call with rt->lock held). */
void pg_listener_start(PgRt *rt);
/* Stops and joins it (before the runtime is freed). */
void pg_listener_stop(PgRt *rt);
#endif

#endif
