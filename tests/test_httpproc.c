/* test_httpproc.c — http_perform through helper processes (src/net/httpproc.c)
 * against tests/fake_http.py: statuses, headers, next_url, retry_after_ms and
 * the body cap come back as in process; a secret header reaches the server
 * and no message; the caller's cancel flag and deadline are honoured from
 * the parent; four requests at once run in four helpers; this process never
 * maps libcurl. The helpers are this test binary re-executed (tests/thelp.c). */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "thelp.h"
#include "team_fake.h"
#include "../src/net/http.h"
#include "../src/util.h"

static Fake srv;        /* tests/fake_http.py (team_fake.h) */
static int port;

static char *url(const char *path)
{
    return xasprintf("http://127.0.0.1:%d%s", port, path);
}

/* The live `__http-helper` children of this process. */
static int helpers_alive(void)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/task", (int)getpid());
    char *cmd = xasprintf("cat %s/*/children 2>/dev/null", path);
    FILE *f = popen(cmd, "r");
    free(cmd);
    int n = 0, pid;
    while (f && fscanf(f, "%d", &pid) == 1) {
        char c[128], buf[256] = "";
        snprintf(c, sizeof c, "/proc/%d/cmdline", pid);
        FILE *g = fopen(c, "r");
        size_t got = g ? fread(buf, 1, sizeof buf - 1, g) : 0;
        if (g)
            fclose(g);
        size_t first = strnlen(buf, got);
        if (first + 1 < got && !strcmp(buf + first + 1, "__http-helper"))
            n++;
    }
    if (f)
        pclose(f);
    return n;
}

static void test_fields(void)
{
    HttpResponse r;
    char *err = NULL, *u = url("/page?n=1");
    HttpRequest rq = {.url = u, .timeout_ms = 10000};
    CHECK_INT(http_perform(&rq, &r, &err), 0);
    CHECK_INT(r.status, 200);
    CHECK(r.next_url && strstr(r.next_url, "n=2"));
    CHECK_STR(r.content_type, "application/json");
    char *host = xasprintf("127.0.0.1:%d", port);
    CHECK_STR(r.host, host);
    http_response_free(&r);
    free(u);

    u = url("/429?after=7");
    rq.url = u;
    CHECK_INT(http_perform(&rq, &r, &err), 0);
    CHECK_INT(r.status, 429);
    CHECK_INT(r.retry_after_ms, 7000);
    http_response_free(&r);
    free(u);

    u = url("/big?n=100000");
    rq.url = u;
    rq.max_bytes = 1000;
    CHECK_INT(http_perform(&rq, &r, &err), -1);
    char *want = xasprintf("%s: response larger than 1000 bytes", host);
    CHECK_STR(err, want);
    free(want);
    free(err);
    err = NULL;
    http_response_free(&r);
    free(u);
    free(host);
}

static void test_secret(void)
{
    HttpHeaders h = {0};
    http_headers_add(&h, "Authorization", "Bearer pipe-only-s3cret", 1);
    char *u = url("/echo"), *err = NULL;
    HttpRequest rq = {.url = u, .headers = &h, .timeout_ms = 10000};
    HttpResponse r;
    CHECK_INT(http_perform(&rq, &r, &err), 0);
    CHECK(r.body && strstr(r.body, "pipe-only-s3cret"));      /* it reached the server */
    http_response_free(&r);
    free(u);
    /* a failure's message never carries it */
    rq.url = "http://127.0.0.1:1/x?token=pipe-only-s3cret";
    CHECK_INT(http_perform(&rq, &r, &err), -1);
    CHECK(err && !strstr(err, "pipe-only-s3cret"));
    free(err);
    http_response_free(&r);
    http_headers_free(&h);
}

typedef struct Slow {
    atomic_int *cancel;
    int delay_ms;
} Slow;

static void *cancel_later(void *arg)
{
    Slow *s = arg;
    struct timespec ts = {0, (long)s->delay_ms * 1000000L};
    nanosleep(&ts, NULL);
    atomic_store(s->cancel, 1);
    return NULL;
}

static void test_cancel_and_deadline(void)
{
    atomic_int cancel = 0;
    char *u = url("/slow?s=10"), *err = NULL;
    char *host = xasprintf("127.0.0.1:%d", port);
    HttpRequest rq = {.url = u, .cancel = &cancel};
    HttpResponse r;
    Slow s = {&cancel, 200};
    pthread_t t;
    pthread_create(&t, NULL, cancel_later, &s);
    int64_t t0 = mono_ms();
    CHECK_INT(http_perform(&rq, &r, &err), -1);
    CHECK(mono_ms() - t0 < 5000);
    pthread_join(t, NULL);
    char *want = xasprintf("%s: cancelled", host);
    CHECK_STR(err, want);
    CHECK_INT(r.fail_kind, HTTP_FAIL_CANCELLED);   /* the parent killed the helper */
    free(want);
    free(err);
    err = NULL;
    http_response_free(&r);

    HttpRequest dl = {.url = u, .deadline_ms = mono_ms() + 500};
    t0 = mono_ms();
    CHECK_INT(http_perform(&dl, &r, &err), -1);
    CHECK(mono_ms() - t0 < 5000);
    want = xasprintf("%s: timed out after", host);
    CHECK(err && !strncmp(err, want, strlen(want)));
    CHECK_INT(r.fail_kind, HTTP_FAIL_TIMEOUT);     /* the helper's libcurl said so */
    free(want);
    free(err);
    err = NULL;
    http_response_free(&r);
    free(u);
    free(host);
}

static void *one_slow(void *arg)
{
    HttpResponse r;
    char *err = NULL;
    HttpRequest rq = {.url = arg, .timeout_ms = 10000};
    long status = http_perform(&rq, &r, &err) == 0 ? r.status : -1;
    free(err);
    http_response_free(&r);
    return (void *)status;
}

static void test_concurrent(void)
{
    char *u = url("/slow?s=0.4");
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, one_slow, u);
    int ok = 0;
    for (int i = 0; i < 4; i++) {
        void *st;
        pthread_join(t[i], &st);
        ok += (long)st == 200;
    }
    CHECK_INT(ok, 4);
    CHECK_INT(helpers_alive(), 4);            /* one per request in flight, kept idle */
    free(u);
}

static void test_no_libcurl_here(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int curl = 0;
    while (f && fgets(line, sizeof line, f))
        curl |= strstr(line, "libcurl") != NULL;
    if (f)
        fclose(f);
    CHECK(f != NULL);
    CHECK_INT(curl, 0);
}

int main(void)
{
    unsetenv("MC_HTTP_HELPER");
    signal(SIGPIPE, SIG_IGN);
    http_set_out_of_process(1);
    http_global_init();
    srv = fake_start("fake_http.py", NULL);
    port = srv.port;
    RUN(test_fields);
    RUN(test_secret);
    RUN(test_cancel_and_deadline);
    RUN(test_concurrent);
    RUN(test_no_libcurl_here);
    fake_stop(&srv);
    return t_done();
}
