/* serve_deliver.c — delivers what `mc serve` queued. A resolve posted to the
 * API is one outbox row (outbox_enqueue); this thread delivers it at once on
 * its own cache connection, like `mc resolve` does, instead of waiting for a
 * `mc fetch --daemon` beside it to poll the outbox (the claim on each row
 * keeps two processes from delivering one twice). Later retries are due
 * when outbox_deliver_due says. With --fetch the engine's own outbox thread
 * does this instead. */
#ifdef MC_HAVE_MHD
#include "serve_internal.h"

#include <stdlib.h>
#include <time.h>
#include "../log.h"
#include "../outbox.h"

static struct {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    int kick, running;
    atomic_int stop;
    pthread_t thread;
} dv = {.lock = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *deliver_main(void *arg)
{
    Server *s = arg;
    Cache *c = NULL;
    char *err = NULL;
    cache_set_quick_check(0);   /* O(size): the fetch engine's workers run it */
    if (cache_open(s->cfg->cache_path, &c, NULL, &err) != 0) {
        log_error("serve: outbox: %s", err);
        free(err);
        return NULL;
    }
    pthread_mutex_lock(&dv.lock);
    while (!atomic_load(&dv.stop)) {
        dv.kick = 0;
        pthread_mutex_unlock(&dv.lock);
        int64_t next = outbox_deliver_due(c, s->cfg, &dv.stop);
        pthread_mutex_lock(&dv.lock);
        if (atomic_load(&dv.stop) || dv.kick)
            continue;
        int64_t wait = next > 0 ? next - now_ms() : 30000;
        wait = wait > 30000 ? 30000 : wait < 10 ? 10 : wait;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (wait % 1000) * 1000000;
        ts.tv_sec += wait / 1000 + ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_cond_timedwait(&dv.cv, &dv.lock, &ts);
    }
    pthread_mutex_unlock(&dv.lock);
    cache_close(c);
    return NULL;
}

int deliver_start(Server *s, char **err)
{
    atomic_store(&dv.stop, 0);
    if (pthread_create(&dv.thread, NULL, deliver_main, s) != 0) {
        set_err(err, "cannot start the outbox thread");
        return -1;
    }
    dv.running = 1;
    return 0;
}

void deliver_kick(void)
{
    pthread_mutex_lock(&dv.lock);
    dv.kick = 1;
    pthread_cond_signal(&dv.cv);
    pthread_mutex_unlock(&dv.lock);
}

void deliver_stop(void)
{
    if (!dv.running)
        return;
    pthread_mutex_lock(&dv.lock);
    atomic_store(&dv.stop, 1);
    pthread_cond_signal(&dv.cv);
    pthread_mutex_unlock(&dv.lock);
    pthread_join(dv.thread, NULL);
    dv.running = 0;
}
#endif
