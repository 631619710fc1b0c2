/* test_system.c — the `system` source kind against a fake /proc tree
 * (tests/fixtures/proc, copied to a temp dir so it can be rewritten between
 * fetches): cpu from two /proc/stat samples, memory, load, process probes,
 * TCP probes against a listening and a closed port, HTTP probes against a
 * tiny in-test server (in process, and through the HTTP helper without this
 * process ever mapping libcurl), bad /proc content, config errors and the health math. */
#include "thelp.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../src/net/http.h"
#include "cache.h"
#include "config.h"
#include "source.h"
#include "util.h"
#include "sources/system.h"

static char proc_dir[512];
static Cache *cache;

/* ---- helpers ---- */

static void write_file(const char *path, const char *text)
{
    char *err = NULL;
    if (file_write_atomic(path, text, strlen(text), 0644, &err) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(2);
    }
}

static void proc_write(const char *leaf, const char *text)
{
    char path[600];
    snprintf(path, sizeof path, "%s/%s", proc_dir, leaf);
    write_file(path, text);
}

static Config *load(const char *sources_yaml, char **err)
{
    char *text = xasprintf("owner: Apple\nsources:\n%s", sources_yaml);
    Config *cfg = NULL;
    if (config_load_text("test.yaml", text, &cfg, err) != 0)
        cfg = NULL;
    free(text);
    return cfg;
}

/* One fetch of the config's first source with the given runtime state. */
static int fetch(const Config *cfg, void *self, int64_t now, char **err)
{
    SourceState st = {0};
    FetchCtx ctx = {.cache = cache, .config = cfg, .src = &cfg->sources[0], .state = &st,
                    .now_ms = now, .deadline_ms = mono_ms() + 20000};
    int rc = cfg->sources[0].cls->fetch(self, &ctx);
    if (rc != 0 && err)
        *err = ctx.err;
    else
        free(ctx.err);
    cache_state_clear(&st);
    return rc;
}

/* The system rows as parsed JSON (newest first); caller frees. */
static cJSON *rows_json(void)
{
    char *buf = NULL, *err = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (cache_dump_dataset(cache, dataset_get(DS_SYSTEM), f, 0, &err) != 0)
        fprintf(stderr, "dump: %s\n", err);
    fclose(f);
    cJSON *j = cJSON_Parse(buf);
    free(buf);
    free(err);
    return j;
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The services entry with that name in a row. */
static const cJSON *service(const cJSON *row, const char *name)
{
    const cJSON *s, *arr = cJSON_GetObjectItemCaseSensitive(row, "services");
    cJSON_ArrayForEach(s, arr)
        if (str(s, "name") && strcmp(str(s, "name"), name) == 0)
            return s;
    return NULL;
}

static int is_up(const cJSON *svc)
{
    return svc && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(svc, "up"));
}

static void reset_cache(void)
{
    char *err = NULL;
    cache_forget_source(cache, "host", NULL, &err);
    free(err);
}

/* ---- a tiny HTTP server: answers one connection with a status, or just holds it ---- */

typedef struct Srv {
    int fd, port, status;
    int hold;        /* promise a long body, send a little, keep the connection */
    char request[4096];   /* what the client sent, up to the blank line */
    pthread_t th;
} Srv;

static int listen_local(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("listen");
        exit(2);
    }
    *port = ntohs(a.sin_port);
    return fd;
}

/* A port nothing listens on: bound, then closed. */
static int closed_port(void)
{
    int port;
    close(listen_local(&port));
    return port;
}

static void *srv_main(void *p)
{
    Srv *s = p;
    int c = accept(s->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    char req[4096] = "";
    size_t got = 0;
    while (got < sizeof req - 1) {
        ssize_t n = read(c, req + got, sizeof req - 1 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    memcpy(s->request, req, got + 1);
    char resp[256];
    int n = snprintf(resp, sizeof resp, "HTTP/1.1 %d Whatever\r\nContent-Length: %d\r\nConnection: close\r\n\r\nhello\n",
                     s->status, s->hold ? 1000000 : 6);
    if (write(c, resp, (size_t)n) != n)
        perror("write");
    while (s->hold && read(c, req, sizeof req) > 0)
        ;                                     /* until the client hangs up */
    close(c);
    return NULL;
}

static void srv_start(Srv *s, int status)
{
    s->status = status;
    s->fd = listen_local(&s->port);
    pthread_create(&s->th, NULL, srv_main, s);
}

/* After the fetch: a server the probe never reached stops waiting too. */
static void srv_stop(Srv *s)
{
    shutdown(s->fd, SHUT_RDWR);
    pthread_join(s->th, NULL);
    close(s->fd);
}

/* ---- tests ---- */

static const char *const base_src =
    "  - id: host\n    kind: system\n    host: testbox\n    proc_root: %s\n    disks: [%s]\n";

static Config *load_basic(const char *extra)
{
    char *err = NULL;
    char *y = xasprintf(base_src, proc_dir, t_tmpdir());
    char *all = xasprintf("%s%s", y, extra ? extra : "");
    Config *cfg = load(all, &err);
    if (!cfg)
        fprintf(stderr, "config: %s\n", err);
    free(err);
    free(y);
    free(all);
    return cfg;
}

static void test_cpu_mem_load(void)
{
    Config *cfg = load_basic(NULL);
    CHECK(cfg != NULL);
    if (!cfg)
        return;
    const SourceClass *cls = cfg->sources[0].cls;
    void *self = cls->open(&cfg->sources[0]);
    char *err = NULL;
    reset_cache();
    /* first fetch: the fixture does not move, so cpu is the average since boot */
    CHECK_INT(fetch(cfg, self, 1763700000000LL, &err), 0);
    proc_write("stat", "cpu  200 0 200 1300 100 0 0 0 0 0\ncpu0 100 0 100 650 50 0 0 0 0 0\n"
                       "cpu1 100 0 100 650 50 0 0 0 0 0\n");
    proc_write("loadavg", "3.25 1.00 0.50 1/100 999\n");
    CHECK_INT(fetch(cfg, self, 1763700005000LL, &err), 0);
    cJSON *rows = rows_json();
    CHECK_INT(cJSON_GetArraySize(rows), 2);
    const cJSON *newest = cJSON_GetArrayItem(rows, 0), *first = cJSON_GetArrayItem(rows, 1);
    CHECK(fabs(num(first, "cpu_pct") - 20.0) < 0.01);    /* (1000 - 800) / 1000 */
    CHECK(fabs(num(newest, "cpu_pct") - 25.0) < 0.01);   /* delta: (800 - 600) / 800 */
    CHECK(fabs(num(newest, "mem_pct") - 75.0) < 0.01);   /* 1 - 2000000 / 8000000 */
    CHECK(fabs(num(first, "load1") - 0.52) < 1e-9);
    CHECK(fabs(num(newest, "load1") - 3.25) < 1e-9);
    CHECK_STR(str(newest, "host"), "testbox");
    CHECK_STR(str(newest, "ts"), "2025-11-21T04:40:05Z");
    CHECK_STR(str(newest, "key"), "testbox@2025-11-21T04:40:05Z");
    CHECK_STR(str(newest, "source"), "host");

    /* the disk entry and disk_pct agree with statvfs of the same directory */
    struct statvfs sv;
    CHECK_INT(statvfs(t_tmpdir(), &sv), 0);
    double used = (double)(sv.f_blocks - sv.f_bfree), pct = 100.0 * used / (used + (double)sv.f_bavail);
    CHECK(fabs(num(newest, "disk_pct") - pct) < 1.0);
    char dname[600];
    snprintf(dname, sizeof dname, "disk %s", t_tmpdir());
    const cJSON *d = service(newest, dname);
    CHECK(d != NULL);
    CHECK_STR(str(d, "kind"), "disk");
    CHECK_CONTAINS(str(d, "detail"), "free of");

    /* health: 2 cpus, load 3.25 > 3.0 costs 10; cpu 25 and mem 75 are under warn 80 */
    SysMetrics m = {.cpu_pct = 25, .mem_pct = 75, .disk_pct = num(newest, "disk_pct"), .load1 = 3.25, .ncpu = 2};
    CHECK_INT((int)num(newest, "health_score"), src_system_health(&m, 80, 90));
    CHECK((int)num(newest, "health_score") <= 90);
    CHECK((int)num(first, "health_score") > (int)num(newest, "health_score") - 1);
    cJSON_Delete(rows);
    cls->close(self);
    config_free(cfg);
    proc_write("stat", "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 350 50 0 0 0 0 0\ncpu1 50 0 50 350 50 0 0 0 0 0\n");
    proc_write("loadavg", "0.52 0.58 0.59 2/1234 5678\n");
}

/* Counters that go backwards (a reboot) fall back to the average since boot. */
static void test_cpu_counter_reset(void)
{
    Config *cfg = load_basic(NULL);
    if (!cfg)
        return;
    void *self = cfg->sources[0].cls->open(&cfg->sources[0]);
    reset_cache();
    CHECK_INT(fetch(cfg, self, 1763700000000LL, NULL), 0);
    proc_write("stat", "cpu  10 0 10 60 20 0 0 0\n");
    CHECK_INT(fetch(cfg, self, 1763700001000LL, NULL), 0);
    cJSON *rows = rows_json();
    CHECK(fabs(num(cJSON_GetArrayItem(rows, 0), "cpu_pct") - 20.0) < 0.01);
    cJSON_Delete(rows);
    cfg->sources[0].cls->close(self);
    config_free(cfg);
    proc_write("stat", "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 350 50 0 0 0 0 0\ncpu1 50 0 50 350 50 0 0 0 0 0\n");
}

/* The probes of a fetch, answered by in-test servers; the same details
 * whether HTTP runs in this process or in a helper (http_out_of_process). */
static void check_probes(void)
{
    int up_port, hung_port;
    int up_fd = listen_local(&up_port);
    int hung_fd = listen_local(&hung_port);   /* connects (backlog) but never answers */
    int down_port = closed_port();
    Srv ok = {0}, bad = {0}, bad2 = {0}, held = {.hold = 1};   /* each answers one request */
    srv_start(&held, 200);
    srv_start(&ok, 200);
    srv_start(&bad, 503);
    srv_start(&bad2, 503);
    char *extra = xasprintf(
        "    probe_timeout: 300ms\n"
        "    services:\n"
        "      - {name: db, tcp: \"127.0.0.1:%d\"}\n"
        "      - {name: cache, tcp: \"127.0.0.1:%d\"}\n"
        "      - {name: api, http: \"http://127.0.0.1:%d/health\"}\n"
        "      - {name: web, http: \"http://127.0.0.1:%d/\"}\n"
        "      - {name: teapot, http: \"http://127.0.0.1:%d/\", expect: 503}\n"
        "      - {name: gone, http: \"http://127.0.0.1:%d/\"}\n"
        "      - {name: slow, http: \"http://127.0.0.1:%d/\"}\n"
        "      - {name: stream, http: \"http://127.0.0.1:%d/\"}\n"
        "      - {name: initp, process: init}\n"
        "      - {name: daemons, process: mc-fake-daemon}\n"
        "      - {name: journal, process: systemd-journald}\n"
        "      - {name: ghost, process: no-such-proc}\n",
        up_port, down_port, ok.port, bad.port, bad2.port, down_port, hung_port, held.port);
    Config *cfg = load_basic(extra);
    free(extra);
    CHECK(cfg != NULL);
    if (!cfg)
        exit(1);
    reset_cache();
    char *err = NULL;
    CHECK_INT(fetch(cfg, NULL, 1763700000000LL, &err), 0);
    srv_stop(&ok);
    srv_stop(&bad);
    srv_stop(&bad2);
    srv_stop(&held);
    close(up_fd);
    close(hung_fd);
    cJSON *rows = rows_json();
    const cJSON *row = cJSON_GetArrayItem(rows, 0);
    CHECK(is_up(service(row, "db")));
    CHECK_CONTAINS(str(service(row, "db"), "detail"), "open");
    CHECK_STR(str(service(row, "db"), "kind"), "tcp");
    CHECK(!is_up(service(row, "cache")));
    CHECK_STR(str(service(row, "cache"), "detail"), "connection refused");
    CHECK(is_up(service(row, "api")));
    CHECK_STR(str(service(row, "api"), "detail"), "HTTP 200");
    CHECK_STR(str(service(row, "api"), "kind"), "http");
    CHECK_CONTAINS(ok.request, "GET /health HTTP/1.1\r\n");
    CHECK_CONTAINS(ok.request, "\r\nUser-Agent: mc/" MC_VERSION " (health probe)\r\n");
    CHECK(!is_up(service(row, "web")));
    CHECK_STR(str(service(row, "web"), "detail"), "HTTP 503");
    CHECK(is_up(service(row, "teapot")));
    CHECK(!is_up(service(row, "gone")));
    CHECK_STR(str(service(row, "gone"), "detail"), "connection refused");
    CHECK(!is_up(service(row, "slow")));
    CHECK_STR(str(service(row, "slow"), "detail"), "timeout");
    CHECK(is_up(service(row, "stream")));              /* the status, not the whole body */
    CHECK_STR(str(service(row, "stream"), "detail"), "HTTP 200");
    CHECK(is_up(service(row, "initp")));
    CHECK_STR(str(service(row, "initp"), "detail"), "pid 1");
    CHECK(is_up(service(row, "daemons")));
    CHECK_CONTAINS(str(service(row, "daemons"), "detail"), "2 processes");
    CHECK(is_up(service(row, "journal")));             /* comm keeps only 15 bytes */
    CHECK(!is_up(service(row, "ghost")));
    CHECK_STR(str(service(row, "ghost"), "detail"), "not running");
    /* five down (cache, web, gone, slow, ghost): 100 - 100, whatever the rest */
    CHECK_INT((int)num(row, "health_score"), 0);
    cJSON_Delete(rows);
    config_free(cfg);
}

static int maps_libcurl(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int curl = 0;
    CHECK(f != NULL);
    while (f && fgets(line, sizeof line, f))
        curl |= strstr(line, "libcurl") != NULL;
    if (f)
        fclose(f);
    return curl;
}

/* Through the HTTP helper (the dashboard's way): same details, and this
 * process never maps libcurl (runs before any in-process request). */
static void test_probes_in_helper(void)
{
    setenv("http_proxy", "http://127.0.0.1:9/", 1);   /* no_proxy: never used by a probe */
    http_set_out_of_process(1);
    CHECK_INT(http_out_of_process(), 1);
    check_probes();
    CHECK_INT(maps_libcurl(), 0);
    http_set_out_of_process(0);
}

static void test_probes(void)
{
    setenv("http_proxy", "http://127.0.0.1:9/", 1);
    CHECK_INT(http_out_of_process(), 0);
    check_probes();
}

/* A fetch that fails keeps the rows already cached and says where and what. */
static void test_bad_proc(void)
{
    Config *cfg = load_basic(NULL);
    if (!cfg)
        return;
    reset_cache();
    CHECK_INT(fetch(cfg, NULL, 1763700000000LL, NULL), 0);
    char *err = NULL;
    proc_write("stat", "cpu  12 abc 7 9\n");
    CHECK_INT(fetch(cfg, NULL, 1763700001000LL, &err), -1);
    CHECK_CONTAINS(err, "stat:1: malformed cpu line 'cpu  12 abc 7 9'");
    free(err), err = NULL;
    proc_write("stat", "intr 5\ncpu  1 2 x 4\n");
    CHECK_INT(fetch(cfg, NULL, 1763700001000LL, &err), -1);
    CHECK_CONTAINS(err, "stat:2: malformed cpu line 'cpu  1 2 x 4'");
    free(err), err = NULL;
    proc_write("stat", "intr 1 2 3\n");
    CHECK_INT(fetch(cfg, NULL, 1763700001000LL, &err), -1);
    CHECK_CONTAINS(err, "stat: no aggregate 'cpu' line");
    free(err), err = NULL;
    proc_write("stat", "cpu  1 2\n");
    CHECK_INT(fetch(cfg, NULL, 1763700001000LL, &err), -1);
    CHECK_CONTAINS(err, "malformed cpu line");
    free(err), err = NULL;
    char nul[] = "cpu  1 2 3 4\n\0garbage";
    char path[600];
    snprintf(path, sizeof path, "%s/stat", proc_dir);
    char *werr = NULL;
    file_write_atomic(path, nul, sizeof nul, 0644, &werr);
    free(werr);
    CHECK_INT(fetch(cfg, NULL, 1763700001000LL, &err), -1);
    CHECK_CONTAINS(err, "NUL byte");
    free(err), err = NULL;
    proc_write("stat", "cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 50 0 50 350 50 0 0 0 0 0\ncpu1 50 0 50 350 50 0 0 0 0 0\n");

    proc_write("meminfo", "MemTotal: 8000 kB\nMemAvailable: lots kB\n");
    CHECK_INT(fetch(cfg, NULL, 1763700001000LL, &err), -1);
    CHECK_CONTAINS(err, "meminfo:2: malformed line 'MemAvailable: lots kB'");
    free(err), err = NULL;
    proc_write("meminfo", "MemFree: 10 kB\n");
    CHECK_INT(fetch(cfg, NULL, 1763700001000LL, &err), -1);
    CHECK_CONTAINS(err, "meminfo: no MemTotal");
    free(err), err = NULL;
    proc_write("meminfo", "MemTotal:        8000000 kB\nMemFree:          500000 kB\nMemAvailable:    2000000 kB\n");

    proc_write("loadavg", "\x1b[2Jnope\n");
    CHECK_INT(fetch(cfg, NULL, 1763700001000LL, &err), -1);
    CHECK_CONTAINS(err, "loadavg:1: malformed load average '?[2Jnope'");
    free(err), err = NULL;
    proc_write("loadavg", "0.52 0.58 0.59 2/1234 5678\n");

    /* still the one good row */
    CHECK_INT(cache_count(cache, dataset_get(DS_SYSTEM), "host"), 1);
    config_free(cfg);

    /* a proc_root that is not there */
    char *y = xasprintf("  - id: host\n    kind: system\n    proc_root: %s/nowhere\n", t_tmpdir());
    cfg = load(y, &err);
    free(y);
    CHECK(cfg != NULL);
    if (cfg) {
        CHECK_INT(fetch(cfg, NULL, 1763700002000LL, &err), -1);
        CHECK_CONTAINS(err, "nowhere/stat: No such file");
        free(err), err = NULL;
        config_free(cfg);
    }
}

/* MemAvailable missing (old kernels): free + buffers + cached. */
static void test_mem_fallback(void)
{
    Config *cfg = load_basic(NULL);
    if (!cfg)
        return;
    reset_cache();
    proc_write("meminfo", "MemTotal: 1000 kB\r\nMemFree: 100 kB\r\nBuffers: 50 kB\r\nCached: 250 kB\r\n");
    CHECK_INT(fetch(cfg, NULL, 1763700000000LL, NULL), 0);
    cJSON *rows = rows_json();
    CHECK(fabs(num(cJSON_GetArrayItem(rows, 0), "mem_pct") - 60.0) < 0.01);
    cJSON_Delete(rows);
    config_free(cfg);
    proc_write("meminfo", "MemTotal:        8000000 kB\nMemFree:          500000 kB\nMemAvailable:    2000000 kB\n");
}

static void expect_config_error(const char *yaml, const char *want)
{
    char *err = NULL;
    Config *cfg = load(yaml, &err);
    CHECK(cfg == NULL);
    CHECK_CONTAINS(err, want);
    config_free(cfg);
    free(err);
}

static void test_config_errors(void)
{
    const char *h = "  - id: host\n    kind: system\n";
    char *y;
#define BAD(extra, want) (y = xasprintf("%s%s", h, extra), expect_config_error(y, want), free(y))
    BAD("    services:\n      - {name: a, tcp: \"x:1\", http: \"http://x/\"}\n",
        "test.yaml:6:9: service 'a' needs exactly one of tcp, http, process");
    BAD("    services:\n      - {name: a}\n", "needs exactly one of tcp, http, process");
    BAD("    services:\n      - {name: a, tcp: \"localhost\"}\n", "test.yaml:6:24: tcp probe wants \"host:port\"");
    BAD("    services:\n      - {name: a, tcp: \"localhost:70000\"}\n", "tcp probe wants");
    BAD("    services:\n      - {name: a, tcp: \"h:1\", expect: 200}\n", "'expect' only goes with an http probe");
    BAD("    services:\n      - {name: a, http: \"ftp://x/\"}\n", "http:// or https://");
    BAD("    services:\n      - {name: a, process: \"/bin/sh\"}\n", "process probe wants a process name");
    BAD("    services:\n      - {name: a, http: \"http://x/\", expect: 42}\n", "expect");
    BAD("    services:\n      - {name: a, udp: \"h:1\"}\n", "unknown key 'udp'");
    BAD("    services: {name: a}\n", "'services' must be a list");
    BAD("    disk: [/]\n", "unknown key 'disk'");
    BAD("    warn_pct: 95\n    crit_pct: 90\n", "warn_pct <= crit_pct");
    BAD("    probe_timeout: soon\n", "probe_timeout");
    BAD("    feeds: activity\n", "a system source only feeds 'system'");
#undef BAD
    /* the good forms all load */
    char *err = NULL;
    Config *cfg = load("  - id: host\n    kind: system\n    disks: /\n    services:\n"
                       "      - {name: v6, tcp: \"[::1]:22\"}\n"
                       "      - {name: api, http: \"https://example.invalid/h\", expect: 204}\n"
                       "      - {name: p, process: systemd}\n", &err);
    CHECK(cfg != NULL);
    if (!cfg)
        fprintf(stderr, "%s\n", err);
    free(err);
    config_free(cfg);
}

static void test_health_math(void)
{
    SysMetrics m = {.cpu_pct = 10, .mem_pct = 10, .disk_pct = 10, .load1 = 0.1, .ncpu = 4};
    CHECK_INT(src_system_health(&m, 80, 90), 100);
    m.cpu_pct = 80;                       /* warn: at the threshold counts */
    CHECK_INT(src_system_health(&m, 80, 90), 85);
    m.mem_pct = 95;                       /* crit */
    CHECK_INT(src_system_health(&m, 80, 90), 55);
    m.disk_pct = 90;
    CHECK_INT(src_system_health(&m, 80, 90), 25);
    m.cpu_pct = m.mem_pct = m.disk_pct = 0;
    m.services_down = 2;
    CHECK_INT(src_system_health(&m, 80, 90), 60);
    m.load1 = 6.0;                        /* = 4 * 1.5: not over */
    CHECK_INT(src_system_health(&m, 80, 90), 60);
    m.load1 = 6.01;
    CHECK_INT(src_system_health(&m, 80, 90), 50);
    m.services_down = 9;                  /* clamped */
    CHECK_INT(src_system_health(&m, 80, 90), 0);
    m = (SysMetrics){.cpu_pct = 50, .ncpu = 0, .load1 = 1.6};   /* ncpu 0 counts as 1 */
    CHECK_INT(src_system_health(&m, 40, 60), 75);
}

int main(void)
{
    unsetenv("MC_HTTP_HELPER");
    const char *tests_dir = getenv("MC_TESTS_DIR");
    char cmd[1200], *err = NULL;
    snprintf(proc_dir, sizeof proc_dir, "%s/proc", t_tmpdir());
    snprintf(cmd, sizeof cmd, "cp -R '%s/fixtures/proc' '%s'", tests_dir ? tests_dir : "../tests", proc_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot copy the /proc fixture (set MC_TESTS_DIR)\n");
        return 2;
    }
    char *db = xasprintf("%s/cache.db", t_tmpdir());
    if (cache_open(db, &cache, NULL, &err) != 0) {
        fprintf(stderr, "cache: %s\n", err);
        return 2;
    }
    free(db);
    RUN(test_health_math);
    RUN(test_config_errors);
    RUN(test_cpu_mem_load);
    RUN(test_cpu_counter_reset);
    RUN(test_mem_fallback);
    RUN(test_bad_proc);
    RUN(test_probes_in_helper);
    http_global_init();
    RUN(test_probes);
    cache_close(cache);
    return t_done();
}
