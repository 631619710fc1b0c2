/* engine.h — the scheduler and the fetch workers.
 *
 * A scheduler thread decides which sources are due (interval with jitter,
 * backoff after failures, circuit breaker, rate budget, and a lease row in the
 * cache so several mc processes sharing one cache fetch each source once per
 * interval); a small pool of worker threads runs them, each with its own cache
 * connection. File kinds are also watched with inotify and refreshed within
 * 200 ms of a change. After each commit a byte goes down the wake-up pipe.
 * Worker threads block the terminal signals; only the UI thread sees them. */
#ifndef MC_ENGINE_H
#define MC_ENGINE_H

#include <stdio.h>
#include "config.h"
#include "progress.h"

typedef struct Engine Engine;

typedef struct EngineOpts {
    int workers;              /* 0: config's `workers` */
    int wake_fd;              /* write end of the wake-up pipe, or -1 */
    int watch;                /* inotify on file kinds */
    const char *only_source;  /* NULL: every enabled source */
    Progress *progress;       /* engine_run_once's "N of M sources" line (NULL: none) */
} EngineOpts;

/* Creates an engine over cfg (which must outlive it). Returns NULL with *err. */
Engine *engine_new(const Config *cfg, const EngineOpts *opts, char **err);
/* Starts the scheduler, workers and watcher. Returns 0 or -1 with *err. */
int engine_start(Engine *e, char **err);
/* Asks every thread to stop (in-flight fetches are cancelled) and joins them. */
void engine_stop(Engine *e);
void engine_free(Engine *e);
/* Stops and frees an engine without waiting for it: its threads are told to
 * stop at once, and a detached thread joins them, frees the engine, then
 * calls after(arg) (e.g. config_free of the config it ran on). For the UI,
 * which must not wait out an in-flight fetch when the config is reloaded. */
void engine_retire(Engine *e, void (*after)(void *), void *arg);
/* Waits until every retired engine is gone (at exit). */
void engine_wait_retired(void);

/* Marks a source (NULL: all) due now. Thread-safe, never blocks. */
void engine_refresh(Engine *e, const char *source_id);
/* Wakes the outbox delivery worker (a new action was queued). */
void engine_kick_outbox(Engine *e);

/* Fetches every selected source once, now, on the calling thread and the
 * workers; writes "id: ok (N rows, 12 ms)" or "id: error: ..." lines to
 * report (may be NULL). Honours leases only when respect_lease is set.
 * Returns the number of sources that failed, or -1 with *err. */
int engine_run_once(Engine *e, FILE *report, int respect_lease, char **err);

#endif
