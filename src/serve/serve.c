/* serve.c — `mc serve`'s daemon: libmicrohttpd with its internal epoll
 * thread pool on the socket serve_listen.c opened, routing (401/403 from
 * serve_auth.c, 404/405 with JSON bodies), the body cap, the access log line
 * of every request (method, path without its query, status, ms; never a
 * header) and the clean stop on SIGTERM/SIGINT: stop accepting, end the
 * event streams, let in-flight requests finish, all within 2 s. Routes live
 * in serve_api.c and serve_events.c. */
#ifdef MC_HAVE_MHD
#include "serve_internal.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "../log.h"
#include "../net/secret.h"

#define POOL_THREADS 4
#define CONN_LIMIT 4096
#define CONN_TIMEOUT_S 30
#define CONN_MEMORY (16 * 1024)   /* each connection's buffers (MHD's default: 32 KiB) */

/* ---- replies ---- */

void serve_common_headers(Server *s, struct MHD_Connection *c, struct MHD_Response *resp)
{
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    for (char **o = s->cfg->serve.cors_origins; origin && o && *o; o++)
        if (strcmp(*o, origin) == 0) {
            MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin);
            MHD_add_response_header(resp, "Vary", "Origin");
            break;
        }
}

enum MHD_Result serve_reply(Server *s, struct MHD_Connection *c, Req *r, int status,
                            char *body, const char *ctype)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", ctype);
    serve_common_headers(s, c, resp);
    if (status == 401)
        MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
    if (status == 405)
        MHD_add_response_header(resp, "Allow",
                                strstr(r->route, "/resolve") ? "POST, OPTIONS" : "GET, OPTIONS");
    r->status = status;
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return rc;
}

enum MHD_Result serve_error(Server *s, struct MHD_Connection *c, Req *r, int status,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *msg = xvasprintf(fmt, ap);
    va_end(ap);
    Buf b = {0};
    buf_puts(&b, "{\"error\": ");
    buf_json_string(&b, msg, 1);
    buf_printf(&b, ", \"status\": %d}\n", status);
    free(msg);
    return serve_reply(s, c, r, status, buf_steal(&b), "application/json");
}

/* ---- per-thread read connections ---- */

static void cache_close_cb(void *p)
{
    cache_close(p);
}

Cache *serve_cache(Server *s, char **err)
{
    Cache *c = pthread_getspecific(s->cache_key);
    if (c)
        return c;
    cache_set_quick_check(0);
    if (cache_open(s->cfg->cache_path, &c, NULL, err) != 0)
        return NULL;
    cache_no_checkpoint(c);
    sqlite3_exec(cache_db(c), "PRAGMA query_only = 1", NULL, NULL, NULL);   /* read-only */
    pthread_setspecific(s->cache_key, c);
    return c;
}

/* ---- routing ---- */

static enum MHD_Result route(Server *s, struct MHD_Connection *c, Req *r, const char *url)
{
    int get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
    int post = strcmp(r->method, "POST") == 0;
    if (strcmp(r->method, "OPTIONS") == 0 && s->cfg->serve.cors_origins) {
        char *empty = xstrdup("");
        struct MHD_Response *resp =
            MHD_create_response_from_buffer(0, empty, MHD_RESPMEM_MUST_FREE);
        serve_common_headers(s, c, resp);
        MHD_add_response_header(resp, "Access-Control-Allow-Methods", "GET, POST");
        MHD_add_response_header(resp, "Access-Control-Allow-Headers",
                                "Authorization, Content-Type, Last-Event-ID");
        r->status = 204;
        enum MHD_Result rc = MHD_queue_response(c, 204, resp);
        MHD_destroy_response(resp);
        return rc;
    }
    if (strcmp(url, "/api/health") == 0)
        return get ? api_health(s, c, r) : serve_error(s, c, r, 405, "use GET");
    /* which route, before auth: an unknown one is 404 to everyone */
    enum { R_NONE, R_OVERVIEW, R_DATASET, R_SOURCES, R_EVENTS, R_RESOLVE, R_ALERTS } which = R_NONE;
    const char *rest = NULL;
    char source[256] = "", key[1024] = "";
    if (strcmp(url, "/api/overview") == 0)
        which = R_OVERVIEW;
    else if (strcmp(url, "/api/alerts") == 0)
        which = R_ALERTS;
    else if (strcmp(url, "/api/sources") == 0)
        which = R_SOURCES;
    else if (strcmp(url, "/api/events") == 0)
        which = R_EVENTS;
    else if (strncmp(url, "/api/datasets/", 14) == 0 && url[14] && !strchr(url + 14, '/'))
        which = R_DATASET, rest = url + 14;
    else if (strncmp(url, "/api/blockers/", 14) == 0) {
        /* SOURCE/KEY/resolve; a key may itself hold '/' */
        const char *p = url + 14, *slash = strchr(p, '/');
        size_t n = strlen(p);
        if (slash && n > 8 && strcmp(p + n - 8, "/resolve") == 0 && slash < p + n - 8 &&
            (size_t)(slash - p) < sizeof source && (size_t)(p + n - 8 - slash - 1) < sizeof key) {
            snprintf(source, sizeof source, "%.*s", (int)(slash - p), p);
            snprintf(key, sizeof key, "%.*s", (int)(p + n - 8 - slash - 1), slash + 1);
            which = source[0] && key[0] ? R_RESOLVE : R_NONE;
        }
    }
    if (which == R_NONE)
        return serve_error(s, c, r, 404, "no such route (see /api/health)");
    if (which == R_RESOLVE ? !post : !get)
        return serve_error(s, c, r, 405, "use %s", which == R_RESOLVE ? "POST" : "GET");
    int tok = serve_presented(s, c);
    if (which == R_RESOLVE) {
        if (tok < 0 && (s->read_token || s->write_token))
            return serve_error(s, c, r, 401, "a bearer token is required");
        if (!s->write_token)
            return serve_error(s, c, r, 403, "writes are off (no serve.write_token_file)");
        if (tok != 1)
            return serve_error(s, c, r, tok < 0 ? 401 : 403,
                               tok < 0 ? "a bearer token is required"
                                       : "this token may only read");
        if (r->too_big)
            return serve_error(s, c, r, 413, "request body over %d bytes", SERVE_BODY_MAX);
        if (serve_rate_limited(s, c))
            return serve_error(s, c, r, 429, "over %d writes a minute", SERVE_WRITES_PER_MIN);
        return api_resolve(s, c, r, source, key, s->write_name);
    }
    if (tok < 0 && s->read_token)
        return serve_error(s, c, r, 401, "a bearer token is required");
    switch (which) {
    case R_OVERVIEW:
        return api_overview(s, c, r);
    case R_SOURCES:
        return api_sources(s, c, r);
    case R_ALERTS:
        return api_alerts(s, c, r);
    case R_EVENTS:
        return api_events(s, c, r);
    default:
        return api_dataset(s, c, r, rest);
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **ctx)
{
    Server *s = cls;
    Req *r = *ctx;
    if (!r) {
        r = xcalloc(1, sizeof *r);
        r->t0 = mono_ms();
        atomic_fetch_add(&s->inflight, 1);
        snprintf(r->method, sizeof r->method, "%s", method);
        /* the path only, cut at a safe length; the query never reaches the log */
        size_t n = strcspn(url, "?");
        snprintf(r->route, sizeof r->route, "%.*s", (int)(n < 95 ? n : 95), url);
        *ctx = r;
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->body.len + *upload_size > SERVE_BODY_MAX)
            r->too_big = 1;
        else
            buf_append(&r->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->status)
        return MHD_YES;
    if (r->too_big && strcmp(r->method, "POST") != 0)
        return serve_error(s, c, r, 413, "request body over %d bytes", SERVE_BODY_MAX);
    return route(s, c, r, url);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    Req *r = *ctx;
    if (!r)
        return;
    log_info("serve: %s %s %d %lldms%s", r->method, r->route, r->status,
             (long long)(mono_ms() - r->t0),
             toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" :
             toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? " (timed out)" :
             toe == MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN ? " (shutdown)" : " (closed)");
    buf_free(&r->body);
    free(r);
    *ctx = NULL;
    atomic_fetch_sub(&((Server *)cls)->inflight, 1);
}

/* ---- start and stop ---- */

static void server_free(Server *s)
{
    secret_free(s->read_token);
    secret_free(s->write_token);
    free(s->read_name);
    free(s->write_name);
    if (s->wcache)
        cache_close(s->wcache);
    pthread_mutex_destroy(&s->wlock);
    pthread_mutex_destroy(&s->rate_lock);
}

int serve_run(const Config *cfg, const ServeOpts *o)
{
    const char *prog = o->program ? o->program : "mc serve";
    const char *spec = o->listen ? o->listen : cfg->serve.listen;
    Server s = {.cfg = cfg, .started_ms = now_ms()};
    pthread_mutex_init(&s.wlock, NULL);
    pthread_mutex_init(&s.rate_lock, NULL);
    char *err = NULL, shown[300];
    int loopback = 0, bad = 0, rc = 1;
    if (!mhd_dyn()) {
        fprintf(stderr, "%s: %s\n", prog, mhd_dyn_error());
        server_free(&s);
        return 1;
    }
    if (serve_token_load(cfg, 0, &s.read_token, &s.read_name, &err) != 0 ||
        serve_token_load(cfg, 1, &s.write_token, &s.write_name, &err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        free(err);
        server_free(&s);
        return 2;
    }
    char *tls_cert = NULL, *tls_key = NULL;
    size_t tls_len;
    if (cfg->serve.tls_cert_file &&
        (file_read_all(cfg->serve.tls_cert_file, 1 << 20, &tls_cert, &tls_len, &err) != 0 ||
         file_read_all(cfg->serve.tls_key_file, 1 << 20, &tls_key, &tls_len, &err) != 0)) {
        fprintf(stderr, "%s: serve.tls: %s\n", prog, err);   /* names the file, never its text */
        free(err);
        free(tls_cert);
        server_free(&s);
        return 2;
    }
    int fd = serve_listen_on(spec, &loopback, shown, sizeof shown, &bad, &err);
    if (fd >= 0 && serve_exposure_check(cfg, loopback, shown, &err) != 0) {
        close(fd);
        fd = -1;
        bad = 1;
    }
    if (fd < 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        free(err);
        free(tls_cert);
        secret_free(tls_key);
        server_free(&s);
        return bad ? 2 : 1;
    }
    /* many event streams: as many descriptors as allowed */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    /* the signals are taken by this thread only (sigtimedwait below) */
    sigset_t sigs, old;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    sigaddset(&sigs, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &sigs, &old);
    pthread_key_create(&s.cache_key, cache_close_cb);
    if (o->fetch) {
        EngineOpts eo = {.workers = 0, .wake_fd = -1, .watch = 1};
        s.engine = engine_new(cfg, &eo, &err);
        if (!s.engine || engine_start(s.engine, &err) != 0) {
            fprintf(stderr, "%s: %s\n", prog, err);
            goto out;
        }
    }
    if ((!s.engine && deliver_start(&s, &err) != 0) || events_start(&s, &err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err);
        goto out;
    }
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, tls_key},
        {MHD_OPTION_END, 0, NULL},
    };
    s.daemon = MHD_start_daemon(
        MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
            (tls_cert ? MHD_USE_TLS : 0),
        0, NULL, NULL, on_request, &s, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)POOL_THREADS, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)CONN_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, &s, MHD_OPTION_ARRAY,
        tls_cert ? tls_opts : tls_opts + 2, MHD_OPTION_END);
    if (!s.daemon) {
        fprintf(stderr, "%s: cannot start the HTTP server on %s\n", prog, shown);
        close(fd);
        events_stop();
        goto out;
    }
    log_info("serve: listening on %s (%sreads %s, writes %s)", shown, tls_cert ? "TLS, " : "",
             s.read_token ? "need a bearer" : "open", s.write_token ? "on" : "off");
    printf("listening on %s://%s\n", tls_cert ? "https" : "http", shown);
    fflush(stdout);
    int sig;
    do {
        struct timespec ts = {1, 0};
        sig = sigtimedwait(&sigs, NULL, &ts);
    } while (sig < 0 || sig == SIGPIPE);
    int64_t t0 = mono_ms();
    log_info("serve: stopping (signal %d)", sig);
    int lfd = MHD_quiesce_daemon(s.daemon);
    if (lfd >= 0)
        close(lfd);
    events_close_all();
    /* in-flight requests finish; at most 1.5 s */
    while (mono_ms() - t0 < 1500 && atomic_load(&s.inflight) > 0) {
        struct timespec nap = {0, 20 * 1000000};
        nanosleep(&nap, NULL);
    }
    events_stop();
    MHD_stop_daemon(s.daemon);
    rc = 0;
out:
    deliver_stop();
    if (s.engine) {
        engine_stop(s.engine);
        engine_free(s.engine);
    }
    free(err);
    Cache *mine = pthread_getspecific(s.cache_key);
    if (mine)
        cache_close(mine);
    pthread_key_delete(s.cache_key);
    free(tls_cert);
    secret_free(tls_key);
    server_free(&s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
#endif
