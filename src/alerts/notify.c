/* notify.c — alert notifications through the outbox (see notify.h).
 * notify_enqueue writes one outbox row per target (INSERT OR IGNORE on the
 * idempotency key, so queueing a transition twice queues it once) inside the
 * caller's transaction; outbox.c claims the row like any other and calls
 * notify_deliver, which POSTs to a webhook (headers, auth like http_json,
 * the Idempotency-Key header; retryable statuses and Retry-After go back to
 * the outbox's backoff) or runs a command target (argv, no shell, the JSON
 * on stdin, its own process group, SIGTERM then SIGKILL at the timeout). */
#include <stddef.h>
#include "notify.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../cache.h"
#include "../config.h"
#include "../util.h"
#include "../net/auth.h"
#include "../net/http.h"
#include "../net/scrub.h"

extern char **environ;

int notify_enqueue(Cache *c, const Config *cfg, const NotifyTarget *targets, int ntargets,
                   const char *idempotency_key, const char *title_text, const cJSON *payload,
                   AlertSeverity sev, char **err)
{
    if (!targets) {
        targets = cfg->alerts.targets;
        ntargets = cfg->alerts.ntargets;
    }
    if (!ntargets)
        return 0;
    sqlite3 *db = cache_db(c);
    int own = sqlite3_get_autocommit(db);
    if (own && cache_begin(c, err) != 0)
        return -1;
    cJSON *body = payload ? cJSON_Duplicate(payload, 1) : cJSON_CreateObject();
    if (!cJSON_GetObjectItemCaseSensitive(body, "text"))
        cJSON_AddStringToObject(body, "text", title_text ? title_text : "");
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    const cJSON *k = payload ? cJSON_GetObjectItemCaseSensitive(payload, "key") : NULL;
    const char *akey = cJSON_IsString(k) ? k->valuestring : idempotency_key;
    char ts[40];
    time_format_iso(now_ms(), ts, sizeof ts);
    sqlite3_stmt *st;
    int n = 0, rc = 0;
    if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO outbox (source, key, action, note, by_user,"
                               " idempotency_key, created_at, state, next_attempt_ms)"
                               " VALUES ('" NOTIFY_SOURCE "', ?1, '" NOTIFY_ACTION "', ?2, ?3, ?4, ?5,"
                               " 'pending', 0)", -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "notify: %s", sqlite3_errmsg(db));
        rc = -1;
    }
    for (int i = 0; rc == 0 && i < ntargets; i++) {
        if (sev < targets[i].min)
            continue;
        char *idem = xasprintf("%s-%s", idempotency_key, targets[i].name);
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, akey, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, json ? json : "{}", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, targets[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, idem, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, ts, -1, SQLITE_STATIC);
        free(idem);
        if (sqlite3_step(st) != SQLITE_DONE) {
            set_err(err, "notify: %s", sqlite3_errmsg(db));
            rc = -1;
        } else {
            n += sqlite3_changes(db) > 0;
        }
    }
    sqlite3_finalize(st);
    cJSON_free(json);
    if (own) {
        if (rc != 0)
            cache_rollback(c);
        else if (cache_commit(c, err) != 0)
            rc = -1;
    }
    return rc < 0 ? -1 : n;
}

void notify_status_text(Cache *c, const Config *cfg, Buf *b)
{
    const AlertsConfig *a = &cfg->alerts;
    if (!a->ntargets) {
        buf_puts(b, "notifications: none configured (alerts.notify)\n");
        return;
    }
    buf_puts(b, "notifications:\n");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(cache_db(c), "SELECT state, count(*), max(CASE WHEN last_error <> '' THEN id END)"
                                        " FROM outbox WHERE state IN ('pending', 'failed')"
                                        " AND action = '" NOTIFY_ACTION "' AND by_user = ?1 GROUP BY state",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    for (int i = 0; i < a->ntargets; i++) {
        const NotifyTarget *t = &a->targets[i];
        long long pending = 0, failed = 0, last = 0;
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *state = (const char *)sqlite3_column_text(st, 0);
            long long n = sqlite3_column_int64(st, 1), id = sqlite3_column_int64(st, 2);
            if (state && strcmp(state, "failed") == 0)
                failed = n;
            else
                pending = n;
            if (id > last)
                last = id;
        }
        buf_printf(b, "  %s (%s, min %s): ", t->name, t->kind == NOTIFY_WEBHOOK ? "webhook" : "command",
                   alert_severity_name(t->min));
        if (!pending && !failed)
            buf_puts(b, "all delivered\n");
        else
            buf_printf(b, "%lld pending, %lld failed (mc outbox)\n", pending, failed);
        if (last) {
            sqlite3_stmt *le;
            if (sqlite3_prepare_v2(cache_db(c), "SELECT last_error FROM outbox WHERE id = ?1", -1, &le, NULL) ==
                SQLITE_OK) {
                sqlite3_bind_int64(le, 1, last);
                if (sqlite3_step(le) == SQLITE_ROW && sqlite3_column_text(le, 0))
                    buf_printf(b, "    last error: %s\n", (const char *)sqlite3_column_text(le, 0));
                sqlite3_finalize(le);
            }
        }
    }
    sqlite3_finalize(st);
}

static const NotifyTarget *find_target(const Config *cfg, const char *name)
{
    for (int i = 0; i < cfg->alerts.ntargets; i++)
        if (strcmp(cfg->alerts.targets[i].name, name) == 0)
            return &cfg->alerts.targets[i];
    for (int i = 0; i < cfg->brief.ntargets; i++)
        if (strcmp(cfg->brief.targets[i].name, name) == 0)
            return &cfg->brief.targets[i];
    return NULL;
}

static int deliver_webhook(const NotifyTarget *t, const char *body, const char *idem, int64_t *retry_after_ms,
                           int *http_status, char **msg)
{
    HttpHeaders h = {0};
    HttpAuth a;
    char *err = NULL;
    if (http_auth_configure(&a, t->auth, &err) != 0 || http_auth_headers(&a, &h, &err) != 0) {
        http_auth_free(&a);
        http_headers_free(&h);
        set_err(msg, "%s: %s", t->name, err ? err : "auth");
        free(err);
        return 2;
    }
    http_auth_free(&a);
    for (int i = 0; t->headers && i < t->headers->n; i++) {
        const YNode *v = t->headers->items[i];
        if (v->type == YN_SCALAR)
            http_headers_set(&h, t->headers->keys[i]->scalar, v->scalar, 0);
    }
    http_headers_set(&h, "Idempotency-Key", idem, 0);
    HttpRequest rq = {.method = "POST", .url = t->url, .headers = &h, .body = body,
                      .content_type = "application/json", .timeout_ms = t->timeout_ms,
                      .max_bytes = 64 * 1024};
    HttpResponse resp = {0};
    int rc;
    if (http_perform(&rq, &resp, &err) != 0) {
        set_err(msg, "%s: %s", t->name, err ? err : "request failed");
        rc = 1;                        /* transport: the endpoint may be back later */
    } else {
        *http_status = (int)resp.status;
        if (resp.status >= 200 && resp.status < 300) {
            rc = 0;
        } else {
            char *e2 = NULL;
            http_check_status(&resp, &e2);
            set_err(msg, "%s: %s", t->name, e2 ? e2 : "HTTP error");
            free(e2);
            rc = http_retryable(resp.status) ? 1 : 2;
            if (rc == 1)
                *retry_after_ms = http_retry_after(&resp);
        }
    }
    free(err);
    http_response_free(&resp);
    http_headers_free(&h);
    return rc;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Runs argv with body on stdin; 0 exit 0, 2 other exit, 1 timed out / cannot start. */
static int deliver_command(const NotifyTarget *t, const char *body, const char *idem, char **msg)
{
    int in[2];
    if (pipe2(in, O_CLOEXEC) != 0) {
        set_err(msg, "%s: pipe: %s", t->name, strerror(errno));
        return 1;
    }
    /* the child's environment: ours plus MC_IDEMPOTENCY_KEY, built before
     * fork (the child of a threaded process only execs) */
    int nenv = 0;
    while (environ[nenv])
        nenv++;
    char **envp = xcalloc((size_t)nenv + 2, sizeof *envp);
    int k = 0;
    for (int i = 0; i < nenv; i++)
        if (strncmp(environ[i], "MC_IDEMPOTENCY_KEY=", 19) != 0)
            envp[k++] = environ[i];
    char *idem_env = xasprintf("MC_IDEMPOTENCY_KEY=%s", idem);
    envp[k] = idem_env;
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        int devnull = open("/dev/null", O_RDWR);
        dup2(in[0], 0);
        if (devnull >= 0) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);
        execvpe(t->argv[0], t->argv, envp);
        _exit(127);
    }
    free(idem_env);
    free(envp);
    close(in[0]);
    if (pid < 0) {
        close(in[1]);
        set_err(msg, "%s: cannot run '%s': fork: %s", t->name, t->argv[0], strerror(errno));
        return 1;
    }
    int64_t deadline = mono_ms() + t->timeout_ms;
    size_t len = strlen(body), off = 0;
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    /* a target that exits without reading its stdin must not kill mc with
     * SIGPIPE: block it on this thread, and take back one we caused */
    sigset_t pipe_set, old_mask, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_mask);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE), epipe = 0;
    while (off < len && mono_ms() < deadline) {
        struct pollfd p = {in[1], POLLOUT, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        ssize_t w = write(in[1], body + off, len - off);
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
            epipe = errno == EPIPE;
            break;                     /* it did not read it all; its exit says */
        }
        if (w > 0)
            off += (size_t)w;
    }
    close(in[1]);
    if (epipe && !was_pending) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    int status = 0;
    pid_t got = 0;
    while ((got = waitpid(pid, &status, WNOHANG)) == 0 && mono_ms() < deadline)
        sleep_ms(10);
    if (got == 0) {
        kill(-pid, SIGTERM);
        for (int i = 0; i < 100 && (got = waitpid(pid, &status, WNOHANG)) == 0; i++)
            sleep_ms(10);
        if (got == 0) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        char secs[32];
        http_format_secs(t->timeout_ms, secs, sizeof secs);
        set_err(msg, "%s: '%s' timed out after %s (killed)", t->name, t->argv[0], secs);
        return 1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        set_err(msg, "%s: cannot run '%s' (not found or not executable)", t->name, t->argv[0]);
    else if (WIFEXITED(status))
        set_err(msg, "%s: '%s' exited with status %d", t->name, t->argv[0], WEXITSTATUS(status));
    else
        set_err(msg, "%s: '%s' killed by signal %d", t->name, t->argv[0], WTERMSIG(status));
    return 1;
}

int notify_deliver(const Config *cfg, const char *target_name, const char *body, const char *idempotency_key,
                   int64_t *retry_after_ms, int *http_status, char **msg)
{
    *retry_after_ms = -1;
    *http_status = 0;
    const NotifyTarget *t = find_target(cfg, target_name ? target_name : "");
    if (!t) {
        set_err(msg, "no notify target '%s' in the config", target_name ? target_name : "");
        return 2;
    }
    int rc = t->kind == NOTIFY_WEBHOOK ? deliver_webhook(t, body, idempotency_key, retry_after_ms, http_status, msg)
                                       : deliver_command(t, body, idempotency_key, msg);
    scrub_in_place(msg);
    return rc;
}
