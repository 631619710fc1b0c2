/* engine_internal.h — what engine.c, engine_watch.c and engine_retire.c
 * share: the engine's state. Nothing outside the engine includes it. */
#ifndef MC_ENGINE_INTERNAL_H
#define MC_ENGINE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include "engine.h"
#include "schedule.h"
#include "source.h"

typedef struct SrcRun {
    const SourceConfig *sc;
    void *rt;                 /* the kind's runtime state (cls->open) */
    int64_t next_due;         /* wall ms */
    int queued, running;
    int64_t queued_ms;        /* wall ms it was queued (grow_workers) */
    int force;                /* refresh requested: skip lease and budget checks */
    int changed;              /* the watcher saw a change while it ran: fetch again soon */
    int done_once;            /* engine_run_once bookkeeping */
    int ok;
    Breaker breaker;
    RateBudget rate;
    int failures;
    int failures_read;        /* failures was taken over from source_state */
    char *report;             /* last result line */
} SrcRun;

typedef struct Watch {
    int wd;
    int src;                  /* index into Engine.src */
    char *name;               /* basename to match, NULL = anything in the directory */
} Watch;

struct Engine {
    const Config *cfg;
    EngineOpts opts;
    int n;
    SrcRun *src;
    pthread_mutex_t lock;
    pthread_cond_t work;      /* workers wait here */
    pthread_cond_t sched;     /* the scheduler waits here */
    pthread_cond_t idle;      /* run_once waits here */
    pthread_cond_t outbox_cv; /* the outbox worker waits here */
    int *queue, qhead, qlen;
    pthread_t sched_thread, watch_thread, outbox_thread;
    pthread_t *workers;
    int nworkers, started, watching, outbox_running;
    int maxworkers, idle_workers; /* workers grow on demand up to maxworkers */
    atomic_int stop;          /* set once by engine_stop/engine_retire; read by
                               * every thread without the lock and handed to
                               * fetches and deliveries as their cancel flag */
    int inotify_fd;
    int stop_pipe[2];
    Watch *watches;
    int nwatches;
    int outbox_kick;
    char owner[96];
    unsigned rnd;
};

/* Is this source run by this engine (enabled, or the --source one)? */
int engine_selected(const Engine *e, const SourceConfig *sc);
/* One byte down the UI's wake-up pipe (if any). */
void engine_wake_ui(Engine *e);
/* pthread_create with every signal blocked in the new thread. 0 or errno. */
int engine_spawn(pthread_t *t, void *(*fn)(void *), void *arg);
/* engine_watch.c: add the inotify watch of source i; the watcher thread. */
void engine_watch_source(Engine *e, int i);
void *engine_watch_main(void *arg);

#endif
