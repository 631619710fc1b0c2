/* engine.c — the scheduler, the fetch worker pool and the file watcher.
 *
 * One scheduler thread picks due sources (sched.c decides when) and queues
 * them; worker threads take jobs from the queue (mutex + condition variable),
 * each with its own cache connection, take the source's lease row so that
 * several mc processes sharing a cache fetch it once per interval, run the
 * kind's fetch, record the status, and write a byte to the wake-up pipe. The
 * watcher thread (engine_watch.c) turns inotify events into "due now", and
 * engine_retire.c stops engines in the background.
 * A source's failure only changes its own status row. Workers block the
 * terminal signals; only the UI thread sees them. */
#include "engine_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>
#include "auth_blocker.h"
#include "cache.h"
#include "log.h"
#include "net/scrub.h"
#include "outbox.h"
#include "alerts/alerts.h"
#include "schedule.h"
#include "source.h"
#include "util.h"

static double engine_rand(Engine *e)
{
    e->rnd = e->rnd * 1103515245u + 12345u;
    return (double)((e->rnd >> 8) & 0xffff) / 65535.0;
}

int engine_selected(const Engine *e, const SourceConfig *sc)
{
    if (e->opts.only_source)
        return strcmp(sc->id, e->opts.only_source) == 0;
    return sc->enabled;
}

Engine *engine_new(const Config *cfg, const EngineOpts *opts, char **err)
{
    Engine *e = xcalloc(1, sizeof *e);
    e->cfg = cfg;
    e->opts = *opts;
    e->inotify_fd = -1;
    e->stop_pipe[0] = e->stop_pipe[1] = -1;
    if (opts->only_source && !config_source(cfg, opts->only_source)) {
        set_err(err, "no source with id '%s' in %s", opts->only_source, cfg->path);
        free(e);
        return NULL;
    }
    e->n = cfg->nsources;
    e->src = xcalloc((size_t)(e->n ? e->n : 1), sizeof *e->src);
    e->queue = xcalloc((size_t)(e->n ? e->n : 1), sizeof *e->queue);
    int64_t now = now_ms();
    e->rnd = (unsigned)(now ^ getpid());
    for (int i = 0; i < e->n; i++) {
        SrcRun *s = &e->src[i];
        s->sc = &cfg->sources[i];
        s->rate.per_min = s->sc->rate_per_min;
        s->rate.per_hour = s->sc->rate_per_hour;
        s->next_due = now;
        if (engine_selected(e, s->sc) && s->sc->cls->open)
            s->rt = s->sc->cls->open(s->sc);
    }
    char host[64] = "host";
    gethostname(host, sizeof host - 1);
    snprintf(e->owner, sizeof e->owner, "%s:%d:%u", host, (int)getpid(), e->rnd);
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->work, NULL);
    pthread_cond_init(&e->sched, NULL);
    pthread_cond_init(&e->idle, NULL);
    pthread_cond_init(&e->outbox_cv, NULL);
    return e;
}

void engine_wake_ui(Engine *e)
{
    if (e->opts.wake_fd >= 0) {
        char b = 1;
        if (write(e->opts.wake_fd, &b, 1) < 0 && errno != EAGAIN) {
            /* the UI is gone or the pipe is full: either way it will look */
        }
    }
}

/* Monotonic clock in microseconds, for the report's fetch times. */
static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Records the outcome of one attempt in source_state and the in-memory run
 * (took_us: how long the fetch ran, in microseconds). */
static void record(Engine *e, Cache *c, SrcRun *s, FetchCtx *ctx, int ok, int64_t started,
                   int64_t took_us)
{
    int64_t took = took_us / 1000;
    SourceState st = {0};
    char *err = NULL;
    cache_state_get(c, s->sc->id, &st, NULL);
    st.last_attempt = started;
    st.duration_ms = took;
    free(st.last_error);
    st.last_error = NULL;
    int64_t now = now_ms();
    pthread_mutex_lock(&e->lock);
    breaker_record(&s->breaker, ok, s->sc->breaker_after, s->sc->breaker_open_ms, now);
    if (!s->failures_read) {
        /* the count goes on across processes (mc fetch --once from cron) */
        s->failures_read = 1;
        if (st.consecutive_failures > s->failures)
            s->failures = st.consecutive_failures;
    }
    s->failures = ok ? 0 : s->failures + 1;
    int64_t delay = sched_next_delay(s->failures, s->sc->every_ms, s->sc->backoff_max_ms,
                                     s->sc->jitter, engine_rand(e));
    if (!ok && ctx->retry_after_ms > delay)
        delay = ctx->retry_after_ms;
    if (s->breaker.state == BREAKER_OPEN && s->breaker.open_until - now > delay)
        delay = s->breaker.open_until - now;
    if (ok && s->changed && delay > 30)
        delay = 30; /* a change seen mid-fetch may be past what it read */
    s->changed = 0;
    s->next_due = now + delay;
    st.breaker = s->breaker.state;
    st.breaker_until = s->breaker.open_until;
    st.consecutive_failures = s->failures;
    st.next_due = s->next_due; /* under the lock: the watcher moves it */
    pthread_mutex_unlock(&e->lock);
    if (ok) {
        st.last_success = now;
        st.rows = ctx->rows;
    } else {
        st.last_error = scrub_text(ctx->err ? ctx->err : "failed");   /* net/scrub.h */
    }
    if (cache_status_put(c, s->sc->id, &st, &err) != 0) {
        log_error("%s: cannot record status: %s", s->sc->id, err);
        cache_write_note(err);         /* the dashboard says it: the cache cannot */
        free(err);
    } else {
        cache_write_note(NULL);
    }
    auth_blocker_note(c, s->sc, ok, st.last_error, now);   /* 401/403 for long -> a blocker */
    free(s->report);
    if (ok)
        s->report = xasprintf("%s: ok (%lld rows%s, %.*f ms)", s->sc->id, (long long)ctx->rows,
                              ctx->not_modified ? ", unchanged" : "", took_us < 10000 ? 1 : 0,
                              (double)took_us / 1000.0);
    else
        s->report = xasprintf("%s: error: %s", s->sc->id, st.last_error);
    if (!ok)
        log_warn("%s", s->report);
    cache_state_clear(&st);
}

/* Evaluates the alert rules that depend on `what` on this thread's
 * connection (alerts/alerts.h); new transitions may have queued
 * notifications, so the outbox thread is kicked when anything changed. */
static void evaluate_alerts(Engine *e, Cache *c, unsigned what)
{
    char *err = NULL;
    int n = alerts_evaluate(c, e->cfg, what, now_ms(), &err);
    if (n < 0)
        log_warn("alerts: %s", err ? err : "evaluation failed");
    free(err);
    if (n > 0) {
        engine_kick_outbox(e);
        engine_wake_ui(e);             /* the timer's changes reach the panes at once */
    }
}

/* Runs one source on this worker's connection. */
static void run_source(Engine *e, Cache *c, SrcRun *s, int force)
{
    const SourceConfig *sc = s->sc;
    int64_t start = now_ms();
    char *err = NULL;
    if (!force) {
        int64_t until = start + (sc->every_ms * 9) / 10;
        int got = cache_lease_try(c, sc->id, e->owner, start, until, &err);
        if (got == 0) {
            /* another mc process holds this interval's fetch */
            pthread_mutex_lock(&e->lock);
            s->next_due = until + 50;
            s->ok = 1;
            free(s->report);
            s->report = xasprintf("%s: skipped (another mc fetched it)", sc->id);
            pthread_mutex_unlock(&e->lock);
            free(err);
            return;
        }
        free(err);
        err = NULL;
    }
    SourceState st = {0};
    FetchCtx ctx = {0};
    ctx.cache = c;
    ctx.config = e->cfg;
    ctx.src = sc;
    ctx.state = &st;
    ctx.now_ms = start;
    int64_t m0 = mono_ms(), u0 = mono_us();
    ctx.deadline_ms = m0 + sc->timeout_ms;
    ctx.cancel = &e->stop;
    int ok = 0;
    if (cache_state_get(c, sc->id, &st, &err) != 0) {
        set_err(&ctx.err, "%s", err);
    } else if (!sc->cls->fetch) {
        set_err(&ctx.err, "source kind '%s' cannot fetch", sc->cls->kind);
    } else {
        ok = sc->cls->fetch(s->rt, &ctx) == 0;
        if (!ok && !ctx.err)
            set_err(&ctx.err, "fetch failed");
        if (ok && mono_ms() > ctx.deadline_ms + 1000)
            log_warn("%s: fetch overran its timeout", sc->id);
    }
    free(err);
    pthread_mutex_lock(&e->lock);
    rate_note(&s->rate, now_ms(), ctx.requests ? (int)ctx.requests : 1);
    pthread_mutex_unlock(&e->lock);
    record(e, c, s, &ctx, ok, start, mono_us() - u0);
    /* the rules of the datasets this fetch wrote (none when it failed or the
     * source said "not modified"), and stale/failing */
    evaluate_alerts(e, c, ALERTS_ON_SOURCES | (ok && !ctx.not_modified ? source_datasets(sc) : 0));
    s->ok = ok;
    free(ctx.err);
    cache_state_clear(&st);
    engine_wake_ui(e);
}

static void *worker_main(void *arg)
{
    Engine *e = arg;
    Cache *c = NULL;
    char *err = NULL;
    if (cache_open(e->cfg->cache_path, &c, NULL, &err) != 0) {
        log_error("worker: %s", err);
        free(err);
    }
    pthread_mutex_lock(&e->lock);
    for (;;) {
        e->idle_workers++;
        while (!e->stop && e->qlen == 0)
            pthread_cond_wait(&e->work, &e->lock);
        e->idle_workers--;
        if (e->stop)
            break;
        int i = e->queue[e->qhead];
        e->qhead = (e->qhead + 1) % e->n;
        e->qlen--;
        SrcRun *s = &e->src[i];
        int force = s->force;
        s->force = 0;
        s->queued = 0;
        s->running = 1;
        pthread_mutex_unlock(&e->lock);
        if (c) {
            run_source(e, c, s, force);
            cache_release_memory(c);   /* issue 13: -200 KB peak RSS, dashboard */
        } else {
            s->ok = 0;
            free(s->report);
            s->report = xasprintf("%s: error: cache unavailable", s->sc->id);
        }
        pthread_mutex_lock(&e->lock);
        s->running = 0;
        s->done_once = 1;
        pthread_cond_signal(&e->sched);
        pthread_cond_broadcast(&e->idle);
    }
    pthread_mutex_unlock(&e->lock);
    cache_close(c);
    return NULL;
}

/* Queues source i (lock held). */
static void enqueue(Engine *e, int i)
{
    SrcRun *s = &e->src[i];
    if (s->queued || s->running)
        return;
    s->queued = 1;
    s->queued_ms = now_ms();
    e->queue[(e->qhead + e->qlen) % e->n] = i;
    e->qlen++;
    pthread_cond_signal(&e->work);
}

/* A running engine starts with one worker and adds one (up to `workers`)
 * when a fetch has waited WORKER_GROW_MS in the queue with no worker free:
 * file sources take a few ms, so one worker usually serves them all, and each
 * worker that never starts saves its stack, malloc arena and cache
 * connection (~300 KB of RSS, issue 13); slow sources still run side by
 * side. Lock held. Returns when to look again (0: nothing waiting). */
#define WORKER_GROW_MS 100

static int64_t grow_workers(Engine *e, int64_t now)
{
    if (e->qlen == 0 || e->nworkers >= e->maxworkers || e->idle_workers > 0)
        return 0;
    int64_t since = e->src[e->queue[e->qhead]].queued_ms;
    if (now - since < WORKER_GROW_MS)
        return since + WORKER_GROW_MS;
    int rc = engine_spawn(&e->workers[e->nworkers], worker_main, e);
    if (rc == 0)
        e->nworkers++;
    else
        log_warn("cannot start another worker thread: %s", strerror(rc));
    return now + WORKER_GROW_MS; /* another, if the queue still waits then */
}

static void *sched_main(void *arg)
{
    Engine *e = arg;
    Cache *c = NULL;
    int64_t next_retention = now_ms() + 60000;
    int64_t next_alerts = now_ms() + 1000;       /* time-based alert rules */
    pthread_mutex_lock(&e->lock);
    while (!e->stop) {
        int64_t now = now_ms();
        int64_t wake = now + 60000;
        for (int i = 0; i < e->n; i++) {
            SrcRun *s = &e->src[i];
            if (!engine_selected(e, s->sc) || s->queued || s->running)
                continue;
            int64_t due = s->force ? now : s->next_due;
            if (due <= now && !s->force) {
                int64_t w = rate_wait(&s->rate, now);
                if (w > 0)
                    due = now + w;
                else if (!breaker_allow(&s->breaker, now))
                    due = s->breaker.open_until;
            }
            if (due <= now)
                enqueue(e, i);
            else if (due < wake)
                wake = due;
        }
        int64_t grow = grow_workers(e, now);
        if (grow && grow < wake)
            wake = grow;
        if (now >= next_alerts) {
            next_alerts = now + 15000;
            pthread_mutex_unlock(&e->lock);
            char *err = NULL;
            if (!c && cache_open(e->cfg->cache_path, &c, NULL, &err) != 0)
                c = NULL;
            free(err);
            if (c)
                evaluate_alerts(e, c, ALERTS_ON_TIMER);
            pthread_mutex_lock(&e->lock);
            continue;
        }
        if (next_alerts < wake)
            wake = next_alerts;
        if (now >= next_retention) {
            next_retention = now + 10 * 60000;
            pthread_mutex_unlock(&e->lock);
            char *err = NULL;
            if (!c && cache_open(e->cfg->cache_path, &c, NULL, &err) != 0)
                c = NULL;
            if (c && cache_apply_retention(c, e->cfg->retention, now, &err) != 0)
                log_warn("retention: %s", err);
            free(err);
            pthread_mutex_lock(&e->lock);
            continue;
        }
        struct timespec ts;
        int64_t wait = wake - now_ms();
        if (wait < 5)
            wait = 5;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (wait % 1000) * 1000000;
        ts.tv_sec += wait / 1000 + ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&e->sched, &e->lock, &ts);
    }
    pthread_mutex_unlock(&e->lock);
    cache_close(c);
    return NULL;
}

static void *outbox_main(void *arg)
{
    Engine *e = arg;
    Cache *c = NULL;
    char *err = NULL;
    if (cache_open(e->cfg->cache_path, &c, NULL, &err) != 0) {
        log_error("outbox: %s", err);
        free(err);
        return NULL;
    }
    pthread_mutex_lock(&e->lock);
    while (!e->stop) {
        e->outbox_kick = 0;
        pthread_mutex_unlock(&e->lock);
        int64_t next = outbox_deliver_due(c, e->cfg, &e->stop);
        engine_wake_ui(e);
        pthread_mutex_lock(&e->lock);
        if (e->stop || e->outbox_kick)
            continue;
        int64_t wait = next > 0 ? next - now_ms() : 30000;
        if (wait > 30000)
            wait = 30000;
        if (wait < 10)
            wait = 10;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (wait % 1000) * 1000000;
        ts.tv_sec += wait / 1000 + ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&e->outbox_cv, &e->lock, &ts);
    }
    pthread_mutex_unlock(&e->lock);
    cache_close(c);
    return NULL;
}

/* Starts threads with every signal blocked, so only the UI thread sees them. */
int engine_spawn(pthread_t *t, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(t, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

/* Starts the workers: every one (engine_run_once: one-shot runs want them
 * all at once) or the first (engine_start: grow_workers adds the others
 * when fetches queue up). */
static int start_workers(Engine *e, int all, char **err)
{
    int n = e->opts.workers > 0 ? e->opts.workers : e->cfg->workers;
    if (n < 1)
        n = 1;
    if (n > e->n && e->n > 0)
        n = e->n;
    e->maxworkers = n;
    e->workers = xcalloc((size_t)n, sizeof *e->workers);
    for (int i = 0; i < (all ? n : 1); i++) {
        if (engine_spawn(&e->workers[i], worker_main, e) != 0) {
            set_err(err, "cannot start worker thread: %s", strerror(errno));
            return -1;
        }
        e->nworkers++;
    }
    return 0;
}

static void engine_nudge(void *arg, const char *source_id)
{
    engine_refresh(arg, source_id);
}

int engine_start(Engine *e, char **err)
{
    if (pipe2(e->stop_pipe, O_CLOEXEC) != 0) {
        set_err(err, "pipe: %s", strerror(errno));
        return -1;
    }
    if (start_workers(e, 0, err) != 0)
        return -1;
    source_set_nudge(engine_nudge, e); /* kinds with threads of their own (postgres LISTEN) */
    if (engine_spawn(&e->sched_thread, sched_main, e) != 0) {
        source_set_nudge(NULL, NULL);
        set_err(err, "cannot start scheduler thread");
        return -1;
    }
    e->started = 1;
    if (engine_spawn(&e->outbox_thread, outbox_main, e) == 0)
        e->outbox_running = 1;
    if (e->opts.watch) {
        e->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (e->inotify_fd >= 0) {
            for (int i = 0; i < e->n; i++)
                engine_watch_source(e, i);
            if (engine_spawn(&e->watch_thread, engine_watch_main, e) == 0)
                e->watching = 1;
        }
    }
    return 0;
}

void engine_stop(Engine *e)
{
    if (!e)
        return;
    if (e->started)
        source_clear_nudge(e);
    pthread_mutex_lock(&e->lock);
    atomic_store(&e->stop, 1);
    pthread_cond_broadcast(&e->work);
    pthread_cond_broadcast(&e->sched);
    pthread_cond_broadcast(&e->idle);
    pthread_cond_broadcast(&e->outbox_cv);
    pthread_mutex_unlock(&e->lock);
    if (e->stop_pipe[1] >= 0 && write(e->stop_pipe[1], "x", 1) < 0) {
        /* the watcher also exits on e->stop at its next event */
    }
    for (int i = 0; i < e->nworkers; i++)
        pthread_join(e->workers[i], NULL);
    e->nworkers = 0;
    if (e->started)
        pthread_join(e->sched_thread, NULL);
    e->started = 0;
    if (e->outbox_running)
        pthread_join(e->outbox_thread, NULL);
    e->outbox_running = 0;
    if (e->watching)
        pthread_join(e->watch_thread, NULL);
    e->watching = 0;
}

void engine_free(Engine *e)
{
    if (!e)
        return;
    engine_stop(e);
    for (int i = 0; i < e->n; i++) {
        if (e->src[i].rt && e->src[i].sc->cls->close)
            e->src[i].sc->cls->close(e->src[i].rt);
        free(e->src[i].report);
    }
    for (int i = 0; i < e->nwatches; i++)
        free(e->watches[i].name);
    free(e->watches);
    if (e->inotify_fd >= 0)
        close(e->inotify_fd);
    for (int i = 0; i < 2; i++)
        if (e->stop_pipe[i] >= 0)
            close(e->stop_pipe[i]);
    free(e->workers);
    free(e->src);
    free(e->queue);
    pthread_mutex_destroy(&e->lock);
    pthread_cond_destroy(&e->work);
    pthread_cond_destroy(&e->sched);
    pthread_cond_destroy(&e->idle);
    pthread_cond_destroy(&e->outbox_cv);
    free(e);
}

void engine_refresh(Engine *e, const char *source_id)
{
    pthread_mutex_lock(&e->lock);
    for (int i = 0; i < e->n; i++)
        if (!source_id || strcmp(e->src[i].sc->id, source_id) == 0)
            e->src[i].force = 1;
    pthread_cond_signal(&e->sched);
    pthread_mutex_unlock(&e->lock);
}

void engine_kick_outbox(Engine *e)
{
    pthread_mutex_lock(&e->lock);
    e->outbox_kick = 1;
    pthread_cond_broadcast(&e->outbox_cv);
    pthread_mutex_unlock(&e->lock);
}

int engine_run_once(Engine *e, FILE *report, int respect_lease, char **err)
{
    if (e->n == 0)
        return 0;
    if (!e->nworkers && start_workers(e, 1, err) != 0)
        return -1;
    pthread_mutex_lock(&e->lock);
    for (int i = 0; i < e->n; i++) {
        SrcRun *s = &e->src[i];
        s->done_once = 0;
        if (!engine_selected(e, s->sc)) {
            s->done_once = 1;
            continue;
        }
        s->force = !respect_lease;
        enqueue(e, i);
    }
    Progress none = {0}, *pg = e->opts.progress ? e->opts.progress : &none;
    int total = 0, pending;
    for (int i = 0; i < e->n; i++)
        total += !e->src[i].done_once;
    for (;;) {
        pending = 0;
        for (int i = 0; i < e->n; i++)
            pending += !e->src[i].done_once;
        progress_show(pg, "%d of %d sources fetched", total - pending, total);
        if (!pending || e->stop)
            break;
        pthread_cond_wait(&e->idle, &e->lock);
    }
    progress_done(pg, "%d of %d sources fetched", total - pending, total);
    int failed = 0;
    for (int i = 0; i < e->n; i++) {
        SrcRun *s = &e->src[i];
        if (!engine_selected(e, s->sc))
            continue;
        failed += !s->ok;
        if (report && s->report)
            fprintf(report, "%s\n", s->report);
    }
    pthread_mutex_unlock(&e->lock);
    Cache *c = NULL;
    char *e2 = NULL;
    if (cache_open(e->cfg->cache_path, &c, NULL, &e2) == 0) {
        cache_apply_retention(c, e->cfg->retention, now_ms(), NULL);
        evaluate_alerts(e, c, ALERTS_ON_TIMER);
        outbox_deliver_due(c, e->cfg, &e->stop);
        cache_close(c);
    }
    free(e2);
    return failed;
}
