/* httpproc.c — the parent side of HTTP in a helper process (policy and
 * frames in httphelper.h): whether this process sends its requests out,
 * the pool of helpers, spawning one, and one request through it with the
 * caller's cancel flag and deadline watched from here. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "httphelper.h"

extern char **environ;

/* ---- the choice ------------------------------------------------------- */

static atomic_int chosen;              /* http_set_out_of_process */
static atomic_int forced_in;           /* the helper itself */

void http_set_out_of_process(int on)
{
    atomic_store(&chosen, on != 0);
}

void http_force_in_process(void)
{
    atomic_store(&forced_in, 1);
}

int http_out_of_process(void)
{
    if (atomic_load(&forced_in))
        return 0;
    const char *env = getenv("MC_HTTP_HELPER");
    if (env && !strcmp(env, "0"))
        return 0;
    if (env && !strcmp(env, "1"))
        return 1;
    return atomic_load(&chosen);
}

/* ---- the pool --------------------------------------------------------- */

typedef struct Helper {
    pid_t pid;                 /* 0: free slot */
    int fd;                    /* our end of the socket pair */
    int busy;
    int64_t idle_since;
} Helper;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static Helper pool[HTTP_HELPER_POOL_MAX];

/* Reaps a helper that was told to exit or killed: a short wait, then
 * SIGKILL (it is between requests or already dead, so this is quick). */
static int reap(pid_t pid, int kill_first)
{
    int status = 0;
    if (kill_first)
        kill(pid, SIGKILL);
    for (int i = 0; i < 20; i++) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            return w == pid ? status : 0;
        struct timespec ts = {0, 5 * 1000000L};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

/* Helpers idle for HTTP_HELPER_IDLE_MS: their slots, emptied under the
 * lock, into *old (told to exit and reaped by the caller outside it). */
static int take_stale(Helper *old)
{
    int n = 0;
    int64_t now = mono_ms();
    for (int i = 0; i < HTTP_HELPER_POOL_MAX; i++) {
        Helper *h = &pool[i];
        if (h->pid && !h->busy && now - h->idle_since >= HTTP_HELPER_IDLE_MS) {
            old[n++] = *h;
            memset(h, 0, sizeof *h);
        }
    }
    return n;
}

/* Whether an idle helper has died (reaped now, its socket closed). The
 * death signal follows the *thread* that started a helper, so helpers a
 * retired engine's workers started die with them. */
static int gone(Helper *h)
{
    int status;
    if (waitpid(h->pid, &status, WNOHANG) == 0)
        return 0;
    close(h->fd);
    return 1;
}

/* A new helper: `mc __http-helper PPID` on a socket pair, every other fd
 * closed, signals back to their defaults, stderr to /dev/null. */
static int spawn_helper(Helper *h, char **err, const char *host)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        set_err(err, "%s: cannot start the HTTP helper: socketpair: %s", host, strerror(errno));
        return -1;
    }
    char ppid[32];
    snprintf(ppid, sizeof ppid, "%ld", (long)getpid());
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
    posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclosefrom_np(&fa, 3);
    posix_spawnattr_init(&at);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char *argv[] = {"mc", HTTP_HELPER_ARG, ppid, NULL};
    pid_t pid = 0;
    int e = posix_spawn(&pid, "/proc/self/exe", &fa, &at, argv, environ);
    if (e) {
        /* no /proc: the name we were started by */
        extern char *program_invocation_name;
        e = posix_spawnp(&pid, program_invocation_name, &fa, &at, argv, environ);
    }
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(sv[1]);
    if (e) {
        close(sv[0]);
        set_err(err, "%s: cannot start the HTTP helper: %s", host, strerror(e));
        return -1;
    }
    *h = (Helper){.pid = pid, .fd = sv[0], .busy = 1};
    return 0;
}

/* ---- the spawner thread ------------------------------------------------ */

/* PR_SET_PDEATHSIG follows the thread that started a helper, not the
 * process: a helper started by a fetch worker would be killed when that
 * worker exits (a config reload retires the engine), even in the middle of
 * another thread's request. So helpers are started by one thread that
 * lives as long as the process, on behalf of the caller. */
typedef struct SpawnJob {
    Helper *h;
    char **err;
    const char *host;
    int rc, done;
} SpawnJob;

static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t spawn_cv = PTHREAD_COND_INITIALIZER;
static pthread_once_t spawner_once = PTHREAD_ONCE_INIT;
static SpawnJob *spawn_job;            /* the one job waiting, or NULL */
static int spawner_ok;

/* Tells the helpers idle too long to exit and reaps them. */
static void retire_idle(void)
{
    Helper old[HTTP_HELPER_POOL_MAX];
    pthread_mutex_lock(&pool_lock);
    int n = take_stale(old);
    pthread_mutex_unlock(&pool_lock);
    for (int i = 0; i < n; i++) {
        close(old[i].fd);               /* end of input: the helper exits */
        reap(old[i].pid, 0);
    }
}

/* Starts helpers on request; every HTTP_HELPER_REAP_TICK_MS retires the
 * idle ones. */
static void *spawner_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&spawn_lock);
    for (;;) {
        if (!spawn_job || spawn_job->done) {
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_sec += HTTP_HELPER_REAP_TICK_MS / 1000;
            if (pthread_cond_timedwait(&spawn_cv, &spawn_lock, &until) == ETIMEDOUT) {
                pthread_mutex_unlock(&spawn_lock);
                retire_idle();
                pthread_mutex_lock(&spawn_lock);
            }
            continue;
        }
        SpawnJob *j = spawn_job;
        j->rc = spawn_helper(j->h, j->err, j->host);
        j->done = 1;
        pthread_cond_broadcast(&spawn_cv);
    }
    return NULL;
}

/* Starts the spawner with every signal blocked (only the UI thread takes
 * the terminal's signals) and a small stack. */
static void spawner_start(void)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 256 * 1024);
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    spawner_ok = pthread_create(&t, &at, spawner_main, NULL) == 0;
    pthread_attr_destroy(&at);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* spawn_helper, run by the spawner thread (or here when it could not start). */
static int spawn_from_spawner(Helper *h, char **err, const char *host)
{
    pthread_once(&spawner_once, spawner_start);
    if (!spawner_ok)
        return spawn_helper(h, err, host);
    SpawnJob j = {.h = h, .err = err, .host = host};
    pthread_mutex_lock(&spawn_lock);
    while (spawn_job)                  /* one job at a time */
        pthread_cond_wait(&spawn_cv, &spawn_lock);
    spawn_job = &j;
    pthread_cond_broadcast(&spawn_cv);
    while (!j.done)
        pthread_cond_wait(&spawn_cv, &spawn_lock);
    spawn_job = NULL;
    pthread_cond_broadcast(&spawn_cv);
    pthread_mutex_unlock(&spawn_lock);
    return j.rc;
}

/* A helper for one request: an idle one, or a new one. *slot is its index
 * in the pool, or -1 for one outside it (the pool is full). */
static int acquire(Helper *out, int *slot, char **err, const char *host)
{
    Helper old[HTTP_HELPER_POOL_MAX];
    pthread_mutex_lock(&pool_lock);
    int n_old = take_stale(old);       /* the spawner's tick may not have run */
    int idle = -1, free_slot = -1;
    for (int i = 0; i < HTTP_HELPER_POOL_MAX; i++) {
        if (pool[i].pid > 0 && !pool[i].busy && idle < 0 && gone(&pool[i]))
            memset(&pool[i], 0, sizeof pool[i]);
        if (pool[i].pid && !pool[i].busy && idle < 0)
            idle = i;
        if (!pool[i].pid && free_slot < 0)
            free_slot = i;
    }
    if (idle >= 0) {
        pool[idle].busy = 1;
        *out = pool[idle];
    } else if (free_slot >= 0) {
        pool[free_slot] = (Helper){.pid = -1, .fd = -1, .busy = 1};   /* reserved */
    }
    pthread_mutex_unlock(&pool_lock);
    for (int i = 0; i < n_old; i++) {
        close(old[i].fd);               /* end of input: the helper exits */
        reap(old[i].pid, 0);
    }
    *slot = idle >= 0 ? idle : free_slot;
    if (idle >= 0)
        return 0;
    int rc = spawn_from_spawner(out, err, host);
    if (free_slot >= 0) {
        pthread_mutex_lock(&pool_lock);
        if (rc == 0)
            pool[free_slot] = *out;
        else
            memset(&pool[free_slot], 0, sizeof pool[free_slot]);
        pthread_mutex_unlock(&pool_lock);
    }
    return rc;
}

/* After a request: an intact helper goes back idle (one outside the pool
 * is told to exit); a broken one was already killed and reaped. */
static void release(const Helper *h, int slot, int intact)
{
    if (slot < 0 || !intact) {
        if (intact) {
            close(h->fd);
            reap(h->pid, 0);
        }
        if (slot >= 0) {
            pthread_mutex_lock(&pool_lock);
            memset(&pool[slot], 0, sizeof pool[slot]);
            pthread_mutex_unlock(&pool_lock);
        }
        return;
    }
    pthread_mutex_lock(&pool_lock);
    pool[slot].busy = 0;
    pool[slot].idle_since = mono_ms();
    pthread_mutex_unlock(&pool_lock);
}

/* ---- one request ------------------------------------------------------ */

typedef enum { WAIT_OK, WAIT_CANCELLED, WAIT_TIMEOUT, WAIT_BROKEN } WaitResult;

typedef struct Exchange {
    const HttpRequest *req;
    int64_t start, limit;      /* limit: mono_ms() past which we give up; 0 none */
    int fd;
} Exchange;

static WaitResult watch(const Exchange *x)
{
    if (x->req->cancel && atomic_load(x->req->cancel))
        return WAIT_CANCELLED;
    if (x->limit && mono_ms() >= x->limit)
        return WAIT_TIMEOUT;
    return WAIT_OK;
}

static WaitResult send_all(const Exchange *x, const char *p, size_t n)
{
    while (n) {
        WaitResult w = watch(x);
        if (w != WAIT_OK)
            return w;
        struct pollfd pf = {x->fd, POLLOUT, 0};
        if (poll(&pf, 1, HTTP_HELPER_TICK_MS) <= 0)
            continue;
        ssize_t put = send(x->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (put < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (put <= 0)
            return WAIT_BROKEN;
        p += put;
        n -= (size_t)put;
    }
    return WAIT_OK;
}

/* Reads one whole frame into *in (prefix included). */
static WaitResult recv_frame(const Exchange *x, Buf *in, size_t max)
{
    size_t want = 4;
    char chunk[65536];
    for (;;) {
        if (want == 4 && in->len >= 4) {
            size_t n = http_frame_length((const unsigned char *)in->s);
            if (n == 0 || n > max)
                return WAIT_BROKEN;
            want = 4 + n;
        }
        if (want > 4 && in->len >= want)
            return WAIT_OK;
        WaitResult w = watch(x);
        if (w != WAIT_OK)
            return w;
        struct pollfd pf = {x->fd, POLLIN, 0};
        if (poll(&pf, 1, HTTP_HELPER_TICK_MS) <= 0)
            continue;
        size_t room = want - in->len < sizeof chunk ? want - in->len : sizeof chunk;
        ssize_t got = recv(x->fd, chunk, room, MSG_DONTWAIT);
        if (got < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (got <= 0)
            return WAIT_BROKEN;
        buf_append(in, chunk, (size_t)got);
    }
}

/* The message for a request that did not come back. */
static char *failure(WaitResult w, const Exchange *x, const char *host, int status)
{
    char secs[32];
    if (w == WAIT_CANCELLED)
        return xasprintf("%s: cancelled", host);
    if (w == WAIT_TIMEOUT) {
        http_format_secs(mono_ms() - x->start, secs, sizeof secs);
        return xasprintf("%s: timed out after %s", host, secs);
    }
    if (WIFSIGNALED(status))
        return xasprintf("%s: HTTP helper exited (signal %d)", host, WTERMSIG(status));
    if (WIFEXITED(status))
        return xasprintf("%s: HTTP helper exited (status %d)", host, WEXITSTATUS(status));
    return xasprintf("%s: HTTP helper stopped answering", host);
}

/* When the parent gives up on an answer: GRACE past the deadline or the
 * timeout (the helper's own libcurl reports those first). */
static int64_t give_up_at(const HttpRequest *req, int64_t start)
{
    int64_t limit = 0;
    if (req->deadline_ms)
        limit = req->deadline_ms + HTTP_HELPER_GRACE_MS;
    if (req->timeout_ms > 0 && (!limit || start + req->timeout_ms + HTTP_HELPER_GRACE_MS < limit))
        limit = start + req->timeout_ms + HTTP_HELPER_GRACE_MS;
    return limit;
}

int http_helper_perform(const HttpRequest *req, const char *host, HttpResponse *resp, char **err)
{
    Helper h;
    int slot;
    Exchange x = {.req = req, .start = mono_ms()};
    x.limit = give_up_at(req, x.start);
    Buf out = {0}, in = {0};
    http_frame_put_request(&out, req);
    WaitResult w = WAIT_BROKEN;
    /* a helper that died idle refuses the frame (it never had it): once
     * more with a new one */
    for (int attempt = 0; attempt < 2 && w == WAIT_BROKEN; attempt++) {
        if (attempt) {
            close(h.fd);
            reap(h.pid, 1);
            release(&h, slot, 0);
        }
        if (acquire(&h, &slot, err, host) < 0) {
            buf_free(&out);
            return -1;
        }
        x.fd = h.fd;
        w = send_all(&x, out.s, out.len);
    }
    buf_free(&out);
    size_t cap = req->max_bytes ? req->max_bytes : HTTP_DEFAULT_MAX_BYTES;
    if (w == WAIT_OK)
        w = recv_frame(&x, &in, cap + ((size_t)16 << 20));
    int rc = -1;
    char *msg = NULL;
    if (w == WAIT_OK) {
        HttpResponse got;
        if (http_frame_get_response(in.s + 4, in.len - 4, &rc, &msg, &got) == 0) {
            http_response_free(resp);
            *resp = got;
        } else {
            w = WAIT_BROKEN;
        }
    }
    buf_free(&in);
    if (w != WAIT_OK) {
        close(h.fd);
        int status = reap(h.pid, 1);    /* a dead helper keeps its own status */
        msg = failure(w, &x, host, status);
        resp->fail_kind = w == WAIT_TIMEOUT     ? HTTP_FAIL_TIMEOUT
                          : w == WAIT_CANCELLED ? HTTP_FAIL_CANCELLED : HTTP_FAIL_OTHER;
        rc = -1;
    }
    release(&h, slot, w == WAIT_OK);
    if (rc < 0) {
        free(*err);
        *err = msg ? msg : xasprintf("%s: HTTP helper failed", host);
    } else {
        free(msg);
    }
    return rc;
}
