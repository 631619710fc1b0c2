/* engine_retire.c — stopping an engine without waiting for it (the UI on a
 * config reload): its threads are told to stop at once and a detached
 * thread joins them, frees the engine and then what it ran on. */
#include "engine_internal.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include "util.h"

typedef struct Retiring {
    Engine *e;
    void (*after)(void *);
    void *arg;
} Retiring;

static pthread_mutex_t retire_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t retire_done = PTHREAD_COND_INITIALIZER;
static int retiring;

static void *retire_main(void *p)
{
    Retiring *r = p;
    engine_free(r->e);
    if (r->after)
        r->after(r->arg);
    free(r);
    pthread_mutex_lock(&retire_lock);
    retiring--;
    pthread_cond_broadcast(&retire_done);
    pthread_mutex_unlock(&retire_lock);
    return NULL;
}

void engine_retire(Engine *e, void (*after)(void *), void *arg)
{
    if (e) {
        /* from now on no new fetch starts and in-flight ones are cancelled */
        source_clear_nudge(e);
        pthread_mutex_lock(&e->lock);
        atomic_store(&e->stop, 1);
        pthread_cond_broadcast(&e->work);
        pthread_cond_broadcast(&e->sched);
        pthread_cond_broadcast(&e->outbox_cv);
        pthread_mutex_unlock(&e->lock);
    }
    Retiring *r = xcalloc(1, sizeof *r);
    *r = (Retiring){e, after, arg};
    pthread_mutex_lock(&retire_lock);
    retiring++;
    pthread_mutex_unlock(&retire_lock);
    pthread_t t;
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&t, &at, retire_main, r);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&at);
    if (rc != 0)
        retire_main(r); /* no thread to spare: do it here */
}

void engine_wait_retired(void)
{
    pthread_mutex_lock(&retire_lock);
    while (retiring > 0)
        pthread_cond_wait(&retire_done, &retire_lock);
    pthread_mutex_unlock(&retire_lock);
}
