/* serve_events.c — GET /api/events, server-sent events. One watcher thread
 * reads PRAGMA data_version on its own connection every 100 ms; when another
 * connection committed, the per-dataset probes (cache_dataset_probes, the
 * same the dashboard uses: new rows) and, like the dashboard's panes, each
 * configured source's state (a fetch that wrote rows, which may have updated
 * rows in place) say which datasets changed, and each change
 * becomes one numbered event in a ring of the last 256 (Last-Event-ID
 * replays from it) and is queued to every client. No thread per client:
 * each stream is a libmicrohttpd callback response that suspends its
 * connection when its queue is empty and is resumed when an event arrives.
 * A client whose queue passes 64 KiB (it does not read) is cut off, never
 * waited for; its socket's send buffer is kept small (8 KiB) so that happens
 * after a bounded amount of data. A comment heartbeat goes out every 15 s.
 * Test hook: MC_SERVE_QUEUE_MAX=<bytes> lowers the 64 KiB (it_serve.py drops
 * a slow client in seconds instead of minutes). */
#ifdef MC_HAVE_MHD
#include "serve_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "../log.h"
#include "../source.h"

#define RING 256

struct SseClient {
    struct MHD_Connection *conn;
    Buf q;
    size_t off;                 /* sent part of q */
    int suspended, closing;
    SseClient *next;
};

typedef struct Event {
    uint64_t id;
    int ds;
} Event;

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    SseClient *clients;
    int nclients;
    Event ring[RING];
    uint64_t seq;               /* id of the newest event */
    int closing, stop, running;
    size_t queue_max;
    pthread_t thread;
    Server *server;
} ev = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

static void format_event(Buf *b, uint64_t id, int ds)
{
    buf_printf(b, "id: %llu\nevent: dataset\ndata: {\"dataset\": \"%s\", \"version\": %llu}\n\n",
               (unsigned long long)id, dataset_get((DatasetId)ds)->name, (unsigned long long)id);
}

/* Queues text to one client (lock held); drops a client that does not read. */
static void client_push(SseClient *cl, const char *text, size_t n)
{
    if (cl->closing)
        return;
    if (cl->q.len - cl->off + n > ev.queue_max) {
        cl->closing = 1;
        log_warn("serve: an event client stopped reading; dropped");
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(cl->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci)
            shutdown(ci->connect_fd, SHUT_RDWR);   /* its next send fails; MHD closes it */
    } else {
        buf_append(&cl->q, text, n);
    }
    if (cl->suspended) {
        cl->suspended = 0;
        MHD_resume_connection(cl->conn);
    }
}

static void broadcast(const char *text, size_t n)
{
    for (SseClient *cl = ev.clients; cl; cl = cl->next)
        client_push(cl, text, n);
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    SseClient *cl = cls;
    pthread_mutex_lock(&ev.lock);
    size_t have = cl->q.len - cl->off;
    if (have) {
        size_t n = have < max ? have : max;
        memcpy(buf, cl->q.s + cl->off, n);
        cl->off += n;
        if (cl->off == cl->q.len)
            cl->q.len = cl->off = 0;
        pthread_mutex_unlock(&ev.lock);
        return (ssize_t)n;
    }
    if (cl->closing || ev.closing) {
        pthread_mutex_unlock(&ev.lock);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    cl->suspended = 1;
    MHD_suspend_connection(cl->conn);
    pthread_mutex_unlock(&ev.lock);
    return 0;
}

static void reader_free(void *cls)
{
    SseClient *cl = cls;
    pthread_mutex_lock(&ev.lock);
    for (SseClient **p = &ev.clients; *p; p = &(*p)->next)
        if (*p == cl) {
            *p = cl->next;
            ev.nclients--;
            break;
        }
    pthread_mutex_unlock(&ev.lock);
    buf_free(&cl->q);
    free(cl);
}

enum MHD_Result api_events(Server *s, struct MHD_Connection *c, Req *r)
{
    SseClient *cl = xcalloc(1, sizeof *cl);
    cl->conn = c;
    const char *last = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
    long long since = -1;
    if (last && *last) {
        char *end;
        since = strtoll(last, &end, 10);
        if (*end || since < 0)
            since = -1;
    }
    pthread_mutex_lock(&ev.lock);
    if (ev.closing) {
        pthread_mutex_unlock(&ev.lock);
        free(cl);
        return serve_error(s, c, r, 503, "shutting down");
    }
    buf_printf(&cl->q, "retry: %d\n\n", SERVE_RETRY_MS);
    if (since >= 0 && (uint64_t)since < ev.seq) {
        uint64_t oldest = ev.seq > RING ? ev.seq - RING + 1 : 1;
        if ((uint64_t)since + 1 >= oldest) {
            for (uint64_t id = (uint64_t)since + 1; id <= ev.seq; id++)
                format_event(&cl->q, id, ev.ring[id % RING].ds);
        } else {
            /* too far behind to replay: every dataset may have changed */
            for (int d = 0; d < DS__COUNT; d++)
                format_event(&cl->q, ev.seq, d);
        }
    }
    cl->next = ev.clients;
    ev.clients = cl;
    ev.nclients++;
    pthread_mutex_unlock(&ev.lock);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    int sndbuf = 8192;
    if (ci)
        setsockopt(ci->connect_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    struct MHD_Response *resp =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, reader, cl, reader_free);
    if (!resp) {
        reader_free(cl);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    serve_common_headers(s, c, resp);
    r->status = 200;
    r->sse = cl;
    enum MHD_Result rc = MHD_queue_response(c, 200, resp);
    MHD_destroy_response(resp);
    return rc;
}

/* Marks in *changed the datasets of every source whose last fetch wrote rows
 * since the last call (seen: each source's last such fetch time). */
static void sources_changed(Cache *c, const Config *cfg, int64_t *seen, uint32_t *changed)
{
    for (int i = 0; i < cfg->nsources; i++) {
        const SourceConfig *sc = &cfg->sources[i];
        SourceState st = {0};
        if (!sc->enabled || cache_state_get(c, sc->id, &st, NULL) != 0) {
            cache_state_clear(&st);
            continue;
        }
        if (st.rows > 0 && st.last_success != seen[i]) {
            if (seen[i] >= 0)
                *changed |= source_datasets(sc);
            seen[i] = st.last_success;
        } else if (seen[i] < 0) {
            seen[i] = st.last_success;
        }
        cache_state_clear(&st);
    }
}

static void *watch_main(void *arg)
{
    Server *s = arg;
    char *err = NULL;
    Cache *c = NULL;
    cache_set_quick_check(0);
    if (cache_open(s->cfg->cache_path, &c, NULL, &err) != 0) {
        log_error("serve: events: %s", err);
        free(err);
        return NULL;
    }
    cache_no_checkpoint(c);
    int64_t probes[DS__COUNT], now[DS__COUNT];
    int64_t version = cache_data_version(c), beat = mono_ms();
    int64_t *seen = xcalloc((size_t)s->cfg->nsources + 1, sizeof *seen);
    uint32_t changed = 0;
    for (int i = 0; i < s->cfg->nsources; i++)
        seen[i] = -1;
    cache_dataset_probes(c, probes);
    sources_changed(c, s->cfg, seen, &changed);
    pthread_mutex_lock(&ev.lock);
    while (!ev.stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 100 * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&ev.wake, &ev.lock, &until);
        if (ev.stop)
            break;
        pthread_mutex_unlock(&ev.lock);
        int64_t v = cache_data_version(c);
        changed = 0;
        if (v != version) {
            version = v;
            cache_dataset_probes(c, now);
            for (int d = 0; d < DS__COUNT; d++)
                if (now[d] != probes[d])
                    changed |= 1u << d;
            memcpy(probes, now, sizeof probes);
            sources_changed(c, s->cfg, seen, &changed);
        }
        pthread_mutex_lock(&ev.lock);
        Buf b = {0};
        for (int d = 0; d < DS__COUNT; d++) {
            if (!(changed & (1u << d)))
                continue;
            ev.seq++;
            ev.ring[ev.seq % RING] = (Event){ev.seq, d};
            format_event(&b, ev.seq, d);
        }
        if (mono_ms() - beat >= SERVE_HEARTBEAT_MS) {
            beat = mono_ms();
            buf_puts(&b, ": heartbeat\n\n");
        }
        if (b.len)
            broadcast(b.s, b.len);
        buf_free(&b);
    }
    pthread_mutex_unlock(&ev.lock);
    free(seen);
    cache_close(c);
    return NULL;
}

int events_start(Server *s, char **err)
{
    ev.server = s;
    ev.stop = ev.closing = 0;
    const char *qm = getenv("MC_SERVE_QUEUE_MAX");
    long v;
    ev.queue_max = qm && parse_long(qm, 64, 1 << 30, &v) == 0 ? (size_t)v : SERVE_SSE_QUEUE_MAX;
    if (pthread_create(&ev.thread, NULL, watch_main, s) != 0) {
        set_err(err, "cannot start the events thread");
        return -1;
    }
    ev.running = 1;
    return 0;
}

void events_close_all(void)
{
    pthread_mutex_lock(&ev.lock);
    ev.closing = 1;
    for (SseClient *cl = ev.clients; cl; cl = cl->next) {
        cl->closing = 1;
        if (cl->suspended) {
            cl->suspended = 0;
            MHD_resume_connection(cl->conn);
        }
    }
    pthread_mutex_unlock(&ev.lock);
}

void events_stop(void)
{
    events_close_all();
    if (!ev.running)
        return;
    pthread_mutex_lock(&ev.lock);
    ev.stop = 1;
    pthread_cond_signal(&ev.wake);
    pthread_mutex_unlock(&ev.lock);
    pthread_join(ev.thread, NULL);
    ev.running = 0;
}
#endif
