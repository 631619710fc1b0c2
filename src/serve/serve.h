/* serve.h — `mc serve`: the cache as a small read API with live events
 * (mc.1 COMMANDS, docs/ARCHITECTURE.md). libmicrohttpd with its internal epoll thread pool
 * does the HTTP; each pool thread reads through its own read-only cache
 * connection, writes (a resolve) go through the outbox on one write
 * connection. Never fetches itself unless asked to run the engine too. */
#ifndef MC_SERVE_H
#define MC_SERVE_H

#include <sys/socket.h>
#include "../config.h"

typedef struct ServeOpts {
    const char *listen;        /* ADDR:PORT (overrides serve.listen), or NULL */
    int fetch;                 /* also run the fetch engine in this process */
    const char *program;       /* "mc serve", for messages */
} ServeOpts;

/* Serves until SIGTERM/SIGINT. Prints "listening on http://ADDR:PORT" on
 * stdout once it accepts (port 0 picks a free one). Returns the exit code:
 * 0 after a clean stop, 1 when it cannot start (port taken, library
 * missing), 2 for a bad configuration (bad address, a non-loopback address
 * without serve.token_file, an unreadable token file). */
int serve_run(const Config *cfg, const ServeOpts *o);

/* ---- serve_config.c: the settings' checks, shared by serve_run and
 * `mc check` (no libmicrohttpd needed). Errors start with FILE:LINE:COLUMN
 * of the key when it is in the config; none holds a token. ---- */

/* serve.token_file (write: serve.write_token_file) through the one secret
 * reader: 0 with *tok NULL when not configured; 0 with the token and its
 * name ("api:" and the file's base name up to the first dot); -1 with *err
 * naming the key and the file. Caller frees *tok with secret_free, *name
 * with free. */
int serve_token_load(const Config *cfg, int write, char **tok, char **name, char **err);

/* A listen address, ADDR:PORT or [V6]:PORT (numeric only), resolved
 * without binding. */
typedef struct ServeAddr {
    struct sockaddr_storage sa;
    socklen_t len;
    int family;
    int loopback;
    int port;                  /* 0: any free one */
    char host[256];            /* without brackets */
} ServeAddr;
/* 0, or -1 with *err ("listen address 'X' must be ADDR:PORT ..."). */
int serve_addr_parse(const char *spec, ServeAddr *a, char **err);

/* A non-loopback address needs serve.token_file: 0, or -1 with *err
 * ("refusing to listen on SHOWN without serve.token_file: ..."). */
int serve_exposure_check(const Config *cfg, int loopback, const char *shown, char **err);

/* What `mc check` runs when serve: is configured: both token files read
 * (and dropped), serve.listen parsed, the exposure check. 0, or -1 with
 * *err (caller frees). */
int serve_settings_check(const Config *cfg, char **err);

#endif
