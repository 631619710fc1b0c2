/* team_fake.h — what test_convex.c and test_postgrest.c share: starting a
 * fake server (tests/fake_*.py, port read from its first line of output),
 * loading a one-source config with "@P" standing for that port, running one
 * fetch the way the engine does, and reading back the cache and the
 * server's /_stats. Header-only (static inline) because the unit test glob
 * links each test_*.c with thelp.c alone. */
#ifndef MC_TEAM_FAKE_H
#define MC_TEAM_FAKE_H

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "thelp.h"
#include "cache.h"
#include "config.h"
#include "source.h"
#include "util.h"
#include "net/http.h"

typedef struct Fake {
    pid_t pid;
    int in;
    int port;
} Fake;

/* Starts python3 tests/<script> with args (NULL-terminated). Exits on failure. */
static inline Fake fake_start(const char *script, const char *const *args)
{
    const char *dir = getenv("MC_TESTS_DIR");
    char *path = xasprintf("%s/%s", dir ? dir : "tests", script);
    const char *argv[32] = {"python3", path};
    int n = 2;
    for (int i = 0; args && args[i] && n < 31; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0)
        abort();
    Fake f = {0};
    f.pid = fork();
    if (f.pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        execvp("python3", (char *const *)argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    f.in = in[1];
    char line[32] = "";
    size_t len = 0;
    while (len < sizeof line - 1) {
        ssize_t r = read(out[0], line + len, 1);
        if (r <= 0 || line[len] == '\n')
            break;
        len++;
    }
    line[len] = 0;
    close(out[0]);
    long lp = 0;
    if (parse_long(line, 1, 65535, &lp) < 0) {
        fprintf(stderr, "%s did not start\n", path);
        exit(1);
    }
    f.port = (int)lp;
    free(path);
    return f;
}

static inline void fake_stop(Fake *f)
{
    close(f->in);
    kill(f->pid, SIGTERM);
    waitpid(f->pid, NULL, 0);
}

/* "sources:\n" + the text with every "@P" replaced by port. */
static inline char *with_port(int port, const char *src)
{
    Buf b = {0};
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    buf_puts(&b, "sources:\n");
    for (const char *p = src; *p; p++) {
        if (p[0] == '@' && p[1] == 'P') {
            buf_puts(&b, portstr);
            p++;
        } else {
            buf_putc(&b, *p);
        }
    }
    return buf_steal(&b);
}

static inline Config *cfg_load(int port, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *src = xvasprintf(fmt, ap);
    va_end(ap);
    char *text = with_port(port, src);
    Config *cfg = NULL;
    char *err = NULL;
    if (config_load_text("t.yaml", text, &cfg, &err) < 0) {
        fprintf(stderr, "config: %s\n%s\n", err, text);
        exit(1);
    }
    free(text);
    free(src);
    return cfg;
}

/* Config text that must fail; returns the message (caller frees). */
static inline char *cfg_error(const char *src)
{
    Config *cfg = NULL;
    char *err = NULL;
    char *text = with_port(1, src);
    CHECK_INT(config_load_text("t.yaml", text, &cfg, &err), -1);
    free(text);
    config_free(cfg);
    return err;
}

typedef TFetch Res;

/* One fetch of the config's first source, as the engine runs it. */
static inline Res fetch_src(Cache *cache, const Config *cfg, int64_t now)
{
    return t_fetch(cache, cfg, 10000, now, 0);
}

static inline ResolveResult resolve_src(const Config *cfg, const char *action, const char *key,
                                        const char *note, const char *idem, ResolveOut *out)
{
    const SourceConfig *sc = &cfg->sources[0];
    ResolveReq req = {.action = action, .key = key, .note = note, .by = "apple",
                      .idempotency_key = idem, .now_ms = now_ms()};
    memset(out, 0, sizeof *out);
    return sc->cls->resolve(NULL, sc, cfg, &req, out);
}

static inline const char *cell(Cache *cache, const char *table, const char *source, const char *key,
                               const char *col)
{
    return t_cell(cache, table, source, key, col);
}

static inline int64_t count_rows(Cache *cache, const char *ds, const char *source)
{
    return cache_count(cache, dataset_find(ds), source);
}

/* The dataset as `mc snapshot --json` prints it, parsed (caller deletes). */
static inline cJSON *dump(Cache *cache, const char *ds)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cache_dump_dataset(cache, dataset_find(ds), f, 0, NULL);
    fclose(f);
    cJSON *j = cJSON_Parse(buf);
    free(buf);
    return j;
}

/* The object of arr whose `field` is the string value, or NULL. */
static inline const cJSON *find_obj(const cJSON *arr, const char *field, const char *value)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, arr) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, field);
        if (cJSON_IsString(v) && !strcmp(v->valuestring, value))
            return e;
    }
    return NULL;
}

/* GET http://127.0.0.1:port/path as JSON (caller deletes), or NULL. */
static inline cJSON *get_json(int port, const char *path)
{
    char *url = xasprintf("http://127.0.0.1:%d%s", port, path);
    HttpRequest rq = {.url = url, .deadline_ms = mono_ms() + 5000};
    HttpResponse resp;
    char *err = NULL;
    cJSON *j = NULL;
    if (http_perform(&rq, &resp, &err) == 0)
        j = cJSON_Parse(resp.body);
    http_response_free(&resp);
    free(err);
    free(url);
    return j;
}

/* POST a JSON body to the fake (control routes). */
static inline int post_json(int port, const char *path, const char *body)
{
    char *url = xasprintf("http://127.0.0.1:%d%s", port, path);
    HttpRequest rq = {.url = url, .body = body, .deadline_ms = mono_ms() + 5000};
    HttpResponse resp;
    char *err = NULL;
    int rc = http_perform(&rq, &resp, &err) == 0 && resp.status == 200 ? 0 : -1;
    http_response_free(&resp);
    free(err);
    free(url);
    return rc;
}

#endif
