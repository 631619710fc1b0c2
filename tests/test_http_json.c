/* test_http_json.c — the http_json source kind against tests/fake_http.py:
 * mapping into the cache, ETag/Last-Modified and 304, Retry-After, error
 * messages (status, host, sanitized body, malformed JSON, size cap,
 * timeout), pagination (Link, cursor, next URL, offset), auth headers and
 * secrets kept out of messages, resolve() templates and status handling. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
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

static pid_t server_pid;
static int server_stdin = -1;
static int port;
static Cache *cache;

/* Starts fake_http.py and reads its port from the first line it prints. */
static void server_start(void)
{
    const char *dir = getenv("MC_TESTS_DIR");
    char *script = xasprintf("%s/fake_http.py", dir ? dir : "tests");
    const char *spec = t_write("spec.json",
        "{\"routes\": {\"/range\": {\"status\": 206,"
        " \"headers\": {\"Content-Range\": \"0-1/3573\", \"X-RateLimit-Remaining\": \"41\"},"
        " \"json\": [{\"_id\": \"j1\", \"_creationTime\": 1763716443000.5, \"tokens\": \"9007199254740993\"},"
        " {\"_id\": \"j2\", \"_creationTime\": \"2026-11-21T09:14:03.250Z\", \"tokens\": 12}]}}}");
    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0)
        abort();
    server_pid = fork();
    if (server_pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]), close(in[1]), close(out[0]), close(out[1]);
        execlp("python3", "python3", script, "--spec", spec, (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    server_stdin = in[1];
    char line[32] = "";
    size_t n = 0;
    while (n < sizeof line - 1) {
        ssize_t r = read(out[0], line + n, 1);
        if (r <= 0 || line[n] == '\n')
            break;
        n++;
    }
    line[n] = 0;
    close(out[0]);
    long lp = 0;
    if (parse_long(line, 1, 65535, &lp) == 0)
        port = (int)lp;
    if (port <= 0) {
        fprintf(stderr, "fake_http.py did not start (%s)\n", script);
        exit(1);
    }
    free(script);
}

static void server_stop(void)
{
    close(server_stdin);
    kill(server_pid, SIGTERM);
    waitpid(server_pid, NULL, 0);
}

/* A config with one source; "@P" in text stands for the server's port. */
static Config *load(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *src = xvasprintf(fmt, ap);
    va_end(ap);
    Buf b = {0};
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", port);
    for (const char *p = src; *p; p++) {
        if (p[0] == '@' && p[1] == 'P') {
            buf_puts(&b, portstr);
            p++;
        } else {
            buf_putc(&b, *p);
        }
    }
    char *text = xasprintf("sources:\n%s", b.s);
    Config *cfg = NULL;
    char *err = NULL;
    if (config_load_text("t.yaml", text, &cfg, &err) < 0) {
        fprintf(stderr, "config: %s\n%s\n", err, text);
        exit(1);
    }
    free(text);
    free(src);
    buf_free(&b);
    return cfg;
}

static char *load_error(const char *text)
{
    return t_config_error(text);
}

typedef TFetch Res;

static Res fetch_t(const Config *cfg, int64_t timeout_ms)
{
    return t_fetch(cache, cfg, timeout_ms, 0, 0);
}

static Res fetch(const Config *cfg)
{
    return fetch_t(cfg, 10000);
}

static const char *cell(const char *table, const char *source, const char *key, const char *col)
{
    return t_cell(cache, table, source, key, col);
}

static int64_t count(const char *dsname, const char *source)
{
    return cache_count(cache, dataset_find(dsname), source);
}

/* GET /stats from the server as parsed JSON (caller deletes). */
static cJSON *stats(void)
{
    char *url = xasprintf("http://127.0.0.1:%d/stats", port);
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

static int stat_count(const char *section, const char *name)
{
    cJSON *s = stats();
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(s, section), name);
    int n = cJSON_IsNumber(v) ? v->valueint : 0;
    cJSON_Delete(s);
    return n;
}

/* The headers of the last request the server saw for a path prefix. */
static char *last_header(const char *path_prefix, const char *header)
{
    cJSON *s = stats();
    const cJSON *reqs = cJSON_GetObjectItem(s, "requests"), *rq;
    char *found = NULL;
    cJSON_ArrayForEach(rq, reqs) {
        const cJSON *p = cJSON_GetObjectItem(rq, "path");
        if (cJSON_IsString(p) && !strncmp(p->valuestring, path_prefix, strlen(path_prefix))) {
            const cJSON *h = cJSON_GetObjectItem(cJSON_GetObjectItem(rq, "headers"), header);
            free(found);
            found = xstrdup(cJSON_IsString(h) ? h->valuestring : NULL);
        }
    }
    cJSON_Delete(s);
    return found;
}

/* ---- fetch ------------------------------------------------------------ */

static void test_items_into_cache(void)
{
    Config *cfg = load("- id: items\n  kind: http_json\n  url: http://127.0.0.1:@P/items\n"
                       "  feeds: projects\n  items: $.items[*]\n"
                       "  fields: {key: id, name: name, updated_at: ts}\n  set: {status: active}\n");
    Res r = fetch(cfg);
    CHECK_INT(r.rc, 0);
    CHECK(r.err == NULL);
    CHECK_INT(r.rows, 3);
    CHECK_INT(r.requests, 1);
    CHECK_INT(count("projects", "items"), 3);
    CHECK_STR(cell("projects", "items", "i1", "name"), "item 1");
    CHECK_STR(cell("projects", "items", "i1", "updated_at"), "2023-11-14T22:13:21Z");
    CHECK_STR(cell("projects", "items", "i2", "status"), "active");
    config_free(cfg);

    /* the same source failing later keeps its rows */
    cfg = load("- id: items\n  kind: http_json\n  url: http://127.0.0.1:@P/500\n"
               "  feeds: projects\n  items: $.items[*]\n  fields: {key: id}\n");
    r = fetch(cfg);
    CHECK_INT(r.rc, -1);
    CHECK_INT(count("projects", "items"), 3);
    free(r.err);
    config_free(cfg);

    /* an error envelope with 200 (no items list at all) fails, rows kept */
    cfg = load("- id: items\n  kind: http_json\n  url: http://127.0.0.1:@P/echo\n"
               "  feeds: projects\n  items: $.deployments[*]\n  fields: {key: id}\n");
    r = fetch(cfg);
    CHECK_INT(r.rc, -1);
    CHECK_CONTAINS(r.err, "found nothing");
    CHECK_INT(count("projects", "items"), 3);
    free(r.err);
    config_free(cfg);
}

static void test_etag_and_last_modified(void)
{
    Config *cfg = load("- id: et\n  kind: http_json\n  url: http://127.0.0.1:@P/etag\n"
                       "  feeds: projects\n  items: $.items[*]\n  fields: {key: id, name: name}\n");
    Res r = fetch(cfg);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.not_modified, 0);
    CHECK_INT(count("projects", "et"), 2);
    SourceState st;
    memset(&st, 0, sizeof st);
    cache_state_get(cache, "et", &st, NULL);
    CHECK_STR(st.etag, "\"v1\"");
    cache_state_clear(&st);

    r = fetch(cfg);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.not_modified, 1);
    CHECK(r.err == NULL);
    CHECK_INT(count("projects", "et"), 2);
    char *inm = last_header("/etag", "If-None-Match");
    CHECK_STR(inm, "\"v1\"");
    free(inm);

    /* no rows in the cache: validators are not sent, the data comes again */
    cache_forget_source(cache, "et", NULL, NULL);
    r = fetch(cfg);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.not_modified, 0);
    CHECK_INT(count("projects", "et"), 2);
    config_free(cfg);

    cfg = load("- id: lm\n  kind: http_json\n  url: http://127.0.0.1:@P/lm\n"
               "  feeds: projects\n  items: $.items[*]\n  fields: {key: id}\n");
    r = fetch(cfg);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.not_modified, 0);
    r = fetch(cfg);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.not_modified, 1);
    CHECK_INT(count("projects", "lm"), 2);
    CHECK_INT(stat_count("counts", "/lm"), 2);
    config_free(cfg);
}

static Res fetch_url(const char *path_and_query, const char *extra)
{
    Config *cfg = load("- id: err\n  kind: http_json\n  url: \"http://127.0.0.1:@P%s\"\n"
                       "  feeds: projects\n  items: $.items[*]\n  fields: {key: id}\n%s",
                       path_and_query, extra ? extra : "");
    Res r = fetch_t(cfg, 3000);
    config_free(cfg);
    return r;
}

static void test_http_errors(void)
{
    char want[128];
    Res r = fetch_url("/429", NULL);
    snprintf(want, sizeof want, "HTTP 429 from 127.0.0.1:%d (retry after 2s)", port);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.err, want);
    CHECK_INT(r.retry_after_ms, 2000);
    free(r.err);

    r = fetch_url("/429?date=1", NULL);
    CHECK(r.retry_after_ms > 60000 && r.retry_after_ms <= 121000);
    free(r.err);

    r = fetch_url("/503", NULL);
    CHECK_INT(r.retry_after_ms, 30000);
    CHECK_CONTAINS(r.err, "HTTP 503 from 127.0.0.1");
    free(r.err);

    r = fetch_url("/500", NULL);
    snprintf(want, sizeof want, "HTTP 500 from 127.0.0.1:%d: Internal [31mError [0m: database is down xxx", port);
    CHECK_CONTAINS(r.err, want);
    CHECK(strchr(r.err, '\x1b') == NULL && strchr(r.err, '\n') == NULL);
    CHECK(strlen(r.err) < 260);
    CHECK_INT(r.retry_after_ms, 0);
    free(r.err);

    r = fetch_url("/bad", NULL);
    snprintf(want, sizeof want, "malformed JSON from 127.0.0.1:%d at byte ", port);
    CHECK_CONTAINS(r.err, want);
    free(r.err);
    r = fetch_url("/html", NULL);
    CHECK_CONTAINS(r.err, "malformed JSON");
    CHECK_CONTAINS(r.err, "<html>");
    free(r.err);

    r = fetch_url("/big?n=5000", "  max_bytes: 1000\n");
    CHECK_CONTAINS(r.err, "response larger than 1000 bytes");
    free(r.err);
    r = fetch_url("/big?n=5000", "  max_bytes: 10KiB\n");
    CHECK_INT(r.rc, 0);
    free(r.err);
    /* one size parser: 2M is 2 MiB (2,097,152) here as in json_file */
    r = fetch_url("/big?n=2050000", "  max_bytes: 2M\n");
    CHECK_INT(r.rc, 0);
    free(r.err);

    /* the cap applies to decoded bytes: a small gzip body that inflates is cut off */
    r = fetch_url("/gzip?n=100000", "  max_bytes: 20000\n");
    CHECK_CONTAINS(r.err, "response larger than 20000 bytes");
    free(r.err);
    r = fetch_url("/gzip?n=100", NULL);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.rows, 1);
    char *ae = last_header("/gzip", "Accept-Encoding");
    CHECK_CONTAINS(ae, "gzip");
    free(ae);
    free(r.err);

    r = fetch_url("/nowhere", NULL);
    CHECK_CONTAINS(r.err, "HTTP 404 from 127.0.0.1");
    CHECK_CONTAINS(r.err, "no route /nowhere");
    free(r.err);
}

/* A route from the spec file: status 206, extra headers, a top-level array. */
static void test_spec_route_and_headers(void)
{
    char *url = xasprintf("http://127.0.0.1:%d/range", port);
    HttpRequest rq = {.url = url, .deadline_ms = mono_ms() + 5000};
    HttpResponse resp;
    char *err = NULL;
    CHECK_INT(http_perform(&rq, &resp, &err), 0);
    CHECK_INT(resp.status, 206);
    CHECK_STR(resp.content_range, "0-1/3573");
    CHECK_STR(http_response_header(&resp, "x-ratelimit-remaining"), "41");
    CHECK_INT(resp.retry_after_ms, -1);
    CHECK(resp.next_url == NULL);
    CHECK_INT(http_check_status(&resp, &err), 0);
    http_response_free(&resp);
    free(url);

    Config *cfg = load("- id: conv\n  kind: http_json\n  url: http://127.0.0.1:@P/range\n"
                       "  feeds: agents\n  fields: {key: _id, last_seen: _creationTime, tokens_today: tokens}\n");
    Res r = fetch(cfg);
    CHECK_INT(r.rc, 0);
    CHECK_STR(cell("agents", "conv", "j1", "last_seen"), "2025-11-21T09:14:03Z");
    CHECK_STR(cell("agents", "conv", "j2", "last_seen"), "2026-11-21T09:14:03Z");
    CHECK_STR(cell("agents", "conv", "j1", "tokens_today"), "9007199254740993");
    CHECK_STR(cell("agents", "conv", "j2", "tokens_today"), "12");
    config_free(cfg);
}

static void test_timeout(void)
{
    Config *cfg = load("- id: slow\n  kind: http_json\n  url: http://127.0.0.1:@P/slow?s=30\n"
                       "  feeds: projects\n  fields: {key: id}\n");
    Res r = fetch_t(cfg, 300);
    CHECK_INT(r.rc, -1);
    CHECK_CONTAINS(r.err, "127.0.0.1");
    CHECK_CONTAINS(r.err, "timed out after");
    free(r.err);
    config_free(cfg);
}

static void test_pagination(void)
{
    static const struct {
        const char *url, *extra;
        int rows;
    } cases[] = {
        {"/page?n=1", "  paginate: {next: link}\n", 6},
        {"/page?n=1&rel=1", "  paginate: {next: link}\n", 6},
        {"/page?n=1", "  paginate: {next: link, max_pages: 2}\n", 4},
        {"/page?n=1", "", 2},
        {"/cursor", "  paginate: {next: $.next, param: c}\n", 6},
        {"/cursor_url", "  paginate: {next: next_url}\n", 3},
    };
    for (size_t i = 0; i < MC_ARRAY_LEN(cases); i++) {
        Res r = fetch_url(cases[i].url, cases[i].extra);
        CHECK_INT(r.rc, 0);
        CHECK(r.err == NULL);
        CHECK_INT(r.rows, cases[i].rows);
        CHECK_INT(r.requests, cases[i].rows / (i == 5 ? 1 : 2));
        CHECK_INT(count("projects", "err"), cases[i].rows);
        free(r.err);
    }
    CHECK(cell("projects", "err", "u3", "key") != NULL);

    Config *cfg = load("- id: off\n  kind: http_json\n  url: http://127.0.0.1:@P/offset\n"
                       "  feeds: projects\n  items: $.data[*]\n  fields: {key: id}\n"
                       "  paginate: {offset_param: skip, limit_param: limit, page_size: 2}\n");
    Res r = fetch(cfg);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.rows, 5);
    CHECK_INT(r.requests, 3);
    CHECK(cell("projects", "off", "o4", "key") != NULL);
    config_free(cfg);

    r = fetch_url("/evil", "  paginate: {next: link}\n");
    CHECK_INT(r.rc, -1);
    CHECK_CONTAINS(r.err, "points to another host (127.0.0.2");
    free(r.err);
}

/* ---- auth and secrets ------------------------------------------------- */

static void test_auth_headers(void)
{
    const char *tok = t_write("token", "s3cr3t-token-value\n");
    Config *cfg = load("- id: echo\n  kind: http_json\n  url: http://127.0.0.1:@P/echo\n"
                       "  feeds: activity\n  items: $.items[*]\n  fields: {key: name, details: value}\n"
                       "  headers: {X-Team: ops}\n"
                       "  auth: {bearer_file: %s, header: {name: X-Api-Key, value_env: MC_T_KEY, prefix: 'k-'}}\n",
                       tok);
    setenv("MC_T_KEY", "envkey", 1);
    Res r = fetch(cfg);
    CHECK_INT(r.rc, 0);
    CHECK_STR(cell("activity", "echo", "Authorization", "details"), "Bearer s3cr3t-token-value");
    CHECK_STR(cell("activity", "echo", "X-Api-Key", "details"), "k-envkey");
    CHECK_STR(cell("activity", "echo", "X-Team", "details"), "ops");
    CHECK(cell("activity", "echo", "User-Agent", "details") != NULL);

    /* the token file is read on every fetch */
    t_write("token", "rotated-token\n");
    r = fetch(cfg);
    CHECK_STR(cell("activity", "echo", "Authorization", "details"), "Bearer rotated-token");

    /* a missing variable names the variable; nothing is requested */
    unsetenv("MC_T_KEY");
    int before = stat_count("counts", "/echo");
    r = fetch(cfg);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.err, "auth: environment variable MC_T_KEY is not set");
    CHECK_INT(stat_count("counts", "/echo"), before);
    free(r.err);
    config_free(cfg);

    cfg = load("- id: echo\n  kind: http_json\n  url: http://127.0.0.1:@P/echo\n"
               "  feeds: activity\n  items: $.items[*]\n  fields: {key: name, details: value}\n"
               "  auth: {basic: {user: apikey, password_env: MC_T_PW}}\n");
    setenv("MC_T_PW", "pw", 1);
    r = fetch(cfg);
    CHECK_INT(r.rc, 0);
    CHECK_STR(cell("activity", "echo", "Authorization", "details"), "Basic YXBpa2V5OnB3");
    unsetenv("MC_T_PW");                                  /* empty password is allowed... */
    config_free(cfg);
    cfg = load("- id: echo\n  kind: http_json\n  url: http://127.0.0.1:@P/echo\n"
               "  feeds: activity\n  items: $.items[*]\n  fields: {key: name, details: value}\n"
               "  auth: {basic_user_file: %s}\n", tok);
    r = fetch(cfg);
    CHECK_INT(r.rc, 0);                                   /* ...Close CRM style: key as user */
    CHECK_STR(cell("activity", "echo", "Authorization", "details"), "Basic cm90YXRlZC10b2tlbjo=");
    config_free(cfg);
    /* impact.com style: the account SID from one secret file, the token from another */
    const char *sid = t_write("sid", "IRabc123\n"), *tokf = t_write("auth_token", "s3cr3t\n");
    cfg = load("- id: echo\n  kind: http_json\n  url: http://127.0.0.1:@P/echo\n"
               "  feeds: activity\n  items: $.items[*]\n  fields: {key: name, details: value}\n"
               "  auth: {basic: {user_file: %s, password_file: %s}}\n", sid, tokf);
    r = fetch(cfg);
    CHECK_INT(r.rc, 0);
    CHECK_STR(cell("activity", "echo", "Authorization", "details"), "Basic SVJhYmMxMjM6czNjcjN0");
    config_free(cfg);

    char *missing = xasprintf("%s/no-such-token", t_tmpdir());
    cfg = load("- id: echo\n  kind: http_json\n  url: http://127.0.0.1:@P/echo\n"
               "  feeds: activity\n  fields: {key: name}\n  auth: {bearer_file: %s}\n", missing);
    r = fetch(cfg);
    CHECK_INT(r.rc, -1);
    CHECK_CONTAINS(r.err, missing);
    free(r.err);
    free(missing);
    config_free(cfg);
}

static void test_secret_not_in_errors(void)
{
    /* a closed port: the transport error names the host, not the token */
    t_write("token2", "TOPSECRET-123456\n");
    char *tok = xasprintf("%s/token2", t_tmpdir());
    Config *cfg = load("- id: closed\n  kind: http_json\n  url: http://127.0.0.1:1/x?api_key=QUERYSECRET\n"
                       "  feeds: activity\n  fields: {key: id}\n  auth: {bearer_file: %s}\n", tok);
    Res r = fetch(cfg);
    CHECK_INT(r.rc, -1);
    CHECK_CONTAINS(r.err, "127.0.0.1:1");
    CHECK(r.err && !strstr(r.err, "TOPSECRET") && !strstr(r.err, "QUERYSECRET"));
    free(r.err);
    config_free(cfg);
    free(tok);

    /* a literal secret in the config is refused with its line */
    char *e = load_error("- id: s\n  kind: http_json\n  url: http://x/\n  feeds: activity\n"
                         "  auth: {token: abc}\n");
    CHECK_CONTAINS(e, "t.yaml:6");
    CHECK_CONTAINS(e, "token_env");
    CHECK(!strstr(e, "abc"));
    free(e);
}

static void test_config_errors(void)
{
    static const struct {
        const char *yaml, *want;
    } cases[] = {
        {"- id: a\n  kind: http_json\n  url: http://x/\n", "needs 'feeds:'"},
        {"- id: a\n  kind: http_json\n  feeds: activity\n", "missing required key 'url'"},
        {"- id: a\n  kind: http_json\n  url: ftp://x/\n  feeds: activity\n", "t.yaml:4:8: url: 'ftp://x/'"},
        {"- id: a\n  kind: http_json\n  url: http://x/\n  feeds: activity\n  method: FETCH\n", "t.yaml:6"},
        {"- id: a\n  kind: http_json\n  url: http://x/\n  feeds: activity\n  paginate: {param: c}\n",
         "paginate needs next"},
        {"- id: a\n  kind: http_json\n  url: http://x/\n  feeds: activity\n  paginate: {offset_param: s}\n",
         "needs page_size"},
        {"- id: a\n  kind: http_json\n  url: http://x/\n  feeds: activity\n  max_bytes: lots\n",
         "expected a size"},
        {"- id: a\n  kind: http_json\n  url: http://x/\n  feeds: activity\n  resolve: {url: 'http://x/{kye}'}\n",
         "unknown placeholder {kye}"},
        {"- id: a\n  kind: http_json\n  url: http://x/\n  feeds: activity\n  resolve: {url: 'http://x/', ok: [999]}\n",
         "t.yaml:6"},
        {"- id: a\n  kind: http_json\n  url: http://x/\n  feeds: activity\n  auth: {bearer_env: A, basic_user: u}\n",
         "keep one"},
        {"- id: a\n  kind: http_json\n  url: http://x/\n  feeds: activity\n  auth: {header: {name: X}}\n",
         "value_env, value_file"},
        {"- id: a\n  kind: http_json\n  url: http://x/\n  feeds: activity\n  urll: x\n", "unknown key 'urll'"},
    };
    for (size_t i = 0; i < MC_ARRAY_LEN(cases); i++) {
        char *e = load_error(cases[i].yaml);
        CHECK_CONTAINS(e, cases[i].want);
        free(e);
    }
}

/* ---- resolve ---------------------------------------------------------- */

static ResolveResult resolve(const Config *cfg, const char *key, const char *note, const char *idem,
                             ResolveOut *out)
{
    const SourceConfig *sc = &cfg->sources[0];
    ResolveReq req = {.action = "resolve", .key = key, .note = note, .by = "apple",
                      .idempotency_key = idem, .now_ms = now_ms()};
    memset(out, 0, sizeof *out);
    return sc->cls->resolve(NULL, sc, cfg, &req, out);
}

static void test_resolve(void)
{
    Config *cfg = load("- id: ops\n  kind: http_json\n  url: http://127.0.0.1:@P/items\n"
                       "  feeds: blockers\n  fields: {key: id}\n"
                       "  resolve:\n    method: post\n"
                       "    url: \"http://127.0.0.1:@P/resolve/{key}\"\n"
                       "    body: '{\"note\": \"{note}\", \"by\": \"{by}\", \"what\": \"{action}\"}'\n"
                       "    headers: {Idempotency-Key: \"{idempotency_key}\"}\n");
    ResolveOut out;
    const char *note = "he said \"ok\"\nthen \\left {key}";
    CHECK_INT(resolve(cfg, "b 1/x", note, "idem-1", &out), RESOLVE_OK);
    CHECK_INT(out.http_status, 200);
    CHECK(out.message == NULL);
    cJSON *s = stats();
    const cJSON *reqs = cJSON_GetObjectItem(s, "requests");
    const cJSON *last = cJSON_GetArrayItem(reqs, cJSON_GetArraySize(reqs) - 1);
    CHECK_STR(cJSON_GetObjectItem(last, "path")->valuestring, "/resolve/b%201%2Fx");
    CHECK_STR(cJSON_GetObjectItem(last, "method")->valuestring, "POST");
    cJSON *body = cJSON_Parse(cJSON_GetObjectItem(last, "body")->valuestring);
    CHECK_STR(cJSON_GetObjectItem(body, "note")->valuestring, note);    /* survived intact */
    CHECK_STR(cJSON_GetObjectItem(body, "by")->valuestring, "apple");
    CHECK_STR(cJSON_GetObjectItem(body, "what")->valuestring, "resolve");
    cJSON_Delete(body);
    cJSON_Delete(s);

    /* a note with invalid UTF-8 still makes a valid JSON body (the server parses it) */
    CHECK_INT(resolve(cfg, "b0", "bad \xff byte\x01", "idem-0", &out), RESOLVE_OK);

    /* the same idempotency key on a retry reaches the server as the same key */
    CHECK_INT(resolve(cfg, "b2", "", "idem-2", &out), RESOLVE_OK);
    CHECK_INT(resolve(cfg, "b2", "", "idem-2", &out), RESOLVE_OK);
    CHECK_INT(stat_count("idempotency", "idem-2"), 2);

    /* a header value cannot smuggle in another header */
    CHECK_INT(resolve(cfg, "b3", "", "idem-3\r\nX-Evil: 1", &out), RESOLVE_OK);
    char *evil = last_header("/resolve/b3", "X-Evil");
    char *idem = last_header("/resolve/b3", "Idempotency-Key");
    CHECK(evil == NULL);
    CHECK_STR(idem, "idem-3X-Evil: 1");
    free(evil);
    free(idem);

    CHECK_INT(resolve(cfg, "taken", "n", "idem-4", &out), RESOLVE_FAIL);
    CHECK_INT(out.http_status, 409);
    CHECK_STR(out.message, "HTTP 409: blocker taken was already resolved by max");
    free(out.message);

    CHECK_INT(resolve(cfg, "flaky", "n", "idem-5", &out), RESOLVE_RETRY);
    CHECK_INT(out.http_status, 503);
    CHECK_INT(out.retry_after_ms, 7000);
    CHECK_CONTAINS(out.message, "HTTP 503");
    free(out.message);
    config_free(cfg);

    /* a network failure is worth retrying */
    cfg = load("- id: ops\n  kind: http_json\n  url: http://127.0.0.1:1/\n  feeds: blockers\n"
               "  resolve: {url: 'http://127.0.0.1:1/r/{key}', ok: [204]}\n");
    CHECK_INT(resolve(cfg, "k", "", "i", &out), RESOLVE_RETRY);
    CHECK_CONTAINS(out.message, "127.0.0.1:1");
    free(out.message);
    config_free(cfg);

    /* a status outside ok that is not a server error is final */
    cfg = load("- id: ops\n  kind: http_json\n  url: http://127.0.0.1:@P/\n  feeds: blockers\n"
               "  resolve: {method: PUT, url: 'http://127.0.0.1:@P/resolve/{key}', ok: [204]}\n");
    CHECK_INT(resolve(cfg, "k", "", "i", &out), RESOLVE_FAIL);
    CHECK_INT(out.http_status, 200);
    free(out.message);

    /* a template without {action} only resolves */
    const SourceConfig *sc = &cfg->sources[0];
    ResolveReq unres = {.action = "unresolve", .key = "k", .note = "", .by = "a", .idempotency_key = "i"};
    memset(&out, 0, sizeof out);
    CHECK_INT(sc->cls->resolve(NULL, sc, cfg, &unres, &out), RESOLVE_UNSUPPORTED);
    config_free(cfg);

    /* no resolve: configured */
    cfg = load("- id: ro\n  kind: http_json\n  url: http://127.0.0.1:@P/\n  feeds: blockers\n");
    CHECK_INT(resolve(cfg, "k", "", "i", &out), RESOLVE_UNSUPPORTED);
    config_free(cfg);
}

/* ---- small helpers of http.h ------------------------------------------ */

static void test_http_helpers(void)
{
    char *s = http_link_next("<https://a/x?page=1>; rel=\"prev\", <https://a/x?page=3>; rel=\"next\"");
    CHECK_STR(s, "https://a/x?page=3");
    free(s);
    s = http_link_next("<https://a/n>; title=\"a, b\"; rel=\"last next\"");
    CHECK_STR(s, "https://a/n");
    free(s);
    CHECK(http_link_next("<https://a/p>; rel=prev") == NULL);
    CHECK_INT(http_parse_retry_after("120", 0), 120000);
    CHECK_INT(http_parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", 1445412480000LL), 30000);
    CHECK_INT(http_parse_retry_after("soon", 0), -1);
    s = http_url_set_param("http://h/p?a=1&c=old&b=2#f", "c", "n e/w");
    CHECK_STR(s, "http://h/p?a=1&b=2&c=n%20e%2Fw#f");
    free(s);
    s = http_url_resolve("http://h:8/a/b?q=1", "/c?d=2");
    CHECK_STR(s, "http://h:8/c?d=2");
    free(s);
    CHECK(http_url_resolve("http://h/", "file:///etc/passwd") == NULL);
    CHECK_INT(http_same_origin("http://h/a", "http://H:80/b"), 1);
    CHECK_INT(http_same_origin("http://h/a", "https://h/a"), 0);
    s = http_url_host("https://user:pw@api.example.com:8443/x?token=1");
    CHECK_STR(s, "api.example.com:8443");
    free(s);
    const char *raw = "a\x1b]0;title\x07 b\xff\xc2\x9b[2J c\n\n  d";
    s = http_sanitize(raw, strlen(raw), 100);
    CHECK_STR(s, "a ]0;title b? [2J c d");
    free(s);
    s = http_sanitize("0123456789\xc3\xa9xyz", 16, 14);
    CHECK_STR(s, "0123456789...");
    free(s);
    const char *eb = "{\"error\":{\"code\":\"forbidden\",\"message\":\"Not authorized\"}}";
    s = http_error_text(eb, strlen(eb), 100);
    CHECK_STR(s, "Not authorized");
    free(s);
}

int main(void)
{
    http_global_init();
    signal(SIGPIPE, SIG_IGN);
    server_start();
    char *path = xasprintf("%s/cache.db", t_tmpdir()), *err = NULL;
    if (cache_open(path, &cache, NULL, &err) < 0) {
        fprintf(stderr, "cache_open: %s\n", err);
        return 1;
    }
    free(path);
    RUN(test_items_into_cache);
    RUN(test_etag_and_last_modified);
    RUN(test_http_errors);
    RUN(test_spec_route_and_headers);
    RUN(test_timeout);
    RUN(test_pagination);
    RUN(test_auth_headers);
    RUN(test_secret_not_in_errors);
    RUN(test_config_errors);
    RUN(test_resolve);
    RUN(test_http_helpers);
    cache_close(cache);
    server_stop();
    return t_done();
}
