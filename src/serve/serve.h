/* serve.h — `mc serve`: the cache as a small read API with live events
 * (mc.1 COMMANDS, docs/ARCHITECTURE.md). libmicrohttpd with its internal epoll thread pool
 * does the HTTP; each pool thread reads through its own read-only cache
 * connection, writes (a resolve) go through the outbox on one write
 * connection. Never fetches itself unless asked to run the engine too. */
#ifndef MC_SERVE_H
#define MC_SERVE_H

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

#endif
