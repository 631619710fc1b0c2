/* test_auth_blocker.c — "credentials refused" as a blocker for the owner
 * (src/auth_blocker.h) on a real cache: the status read from each HTTP
 * kind's error message, since-when kept in source_state.auth_since, the one
 * row after auth_blocker_after (none before), reopened while refused, gone
 * on success; a kind's own blocker rows of the same source untouched; a
 * rate limit or another status no refusal; delivery marks the source due. */
#include "thelp.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../src/auth_blocker.h"
#include "../src/engine.h"
#include "../src/outbox.h"
#include "../src/util.h"

static Config *load(const char *sources)
{
    char *text = xasprintf("owner: Apple\nuser: tester\ncache: %s/ab.db\nsources:\n%s", t_tmpdir(), sources);
    Config *cfg = NULL;
    char *err = NULL;
    if (config_load_text("ab.yaml", text, &cfg, &err) != 0) {
        fprintf(stderr, "config: %s\n", err);
        exit(2);
    }
    free(text);
    return cfg;
}

static void test_status(void)
{
    CHECK_INT(auth_blocker_status("HTTP 403 from api.vercel.com: Not authorized"), 403);
    CHECK_INT(auth_blocker_status("window 2 of 3: HTTP 401 from h:1"), 401);
    CHECK_INT(auth_blocker_status("auth failed (HTTP 401): JWT expired — check the API key"), 401);  /* postgrest, convex */
    CHECK_INT(auth_blocker_status("auth: oauth2 grant at h:1 answered HTTP 401: invalid_client"), 401);
    CHECK_INT(auth_blocker_status("HTTP 500 from h: upstream said HTTP 403"), 500);   /* the first one */
    CHECK_INT(auth_blocker_status("rate limited by api.github.com until 14:05:00"), 0);
    CHECK_INT(auth_blocker_status("HTTP 4031"), 0);
    CHECK_INT(auth_blocker_status("h:1: connection refused"), 0);
    CHECK_INT(auth_blocker_status(NULL), 0);
}

/* A source_state column as a number, or -1. */
static int64_t state_col(Cache *c, const char *src, const char *col)
{
    char *sql = xasprintf("SELECT %s FROM source_state WHERE source = ?1", col);
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(cache_db(c), sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, src, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    free(sql);
    return v;
}

static int64_t since_of(Cache *c, const char *src)
{
    return state_col(c, src, "auth_since");
}

static int blocker_rows(Cache *c, const char *src)
{
    sqlite3_stmt *st;
    int n = -1;
    if (sqlite3_prepare_v2(cache_db(c), "SELECT count(*) FROM blockers WHERE source = ?1", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, src, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return n;
}

static void status_row(Cache *c, const char *src)
{
    SourceState st = {0};
    st.last_attempt = 1;
    st.next_due = 99;
    CHECK_INT(cache_status_put(c, src, &st, NULL), 0);
}

static void test_lifecycle(void)
{
    Config *cfg = load("  - {id: vercel, kind: http_json, url: 'http://h/x', feeds: blockers, items: '$[*]',\n"
                       "     fields: {key: id, description: text}, auth_blocker_after: 1h}\n"
                       "  - {id: files, kind: json_file, path: /nonexistent.json, feeds: projects}\n");
    const SourceConfig *v = config_source(cfg, "vercel"), *f = config_source(cfg, "files");
    CHECK_INT(v->auth_blocker_after_ms, 3600000);
    CHECK_INT(f->auth_blocker_after_ms, AUTH_BLOCKER_DEFAULT_MS);
    CHECK(auth_blocker_applies(v) && !auth_blocker_applies(f));
    Cache *c = NULL;
    char *err = NULL;
    CHECK_INT(cache_open(cfg->cache_path, &c, NULL, &err), 0);
    status_row(c, "vercel");
    /* the kind's own blocker of this source */
    CHECK_INT(sqlite3_exec(cache_db(c), "INSERT INTO blockers (source, key, from_agent, description, gen)"
                                        " VALUES ('vercel', 'b1', 'max', 'sign the form', 1)", NULL, NULL, NULL),
              SQLITE_OK);
    int64_t t0 = 1774224000000LL;                           /* 2026-03-23 00:00 UTC */
    const char *e403 = "HTTP 403 from api.vercel.com: Not authorized: Bearer sekrit-token-xyz";
    auth_blocker_note(c, v, 0, e403, t0);
    CHECK_INT(since_of(c, "vercel"), t0);
    CHECK_INT(blocker_rows(c, "vercel"), 1);                /* not yet: 1h not passed */
    auth_blocker_note(c, v, 0, "h: connection timed out", t0 + 1800000);   /* no answer: no change */
    CHECK_INT(since_of(c, "vercel"), t0);
    auth_blocker_note(c, v, 0, e403, t0 + 3600000);
    CHECK_INT(blocker_rows(c, "vercel"), 2);
    CHECK(auth_blocker_is(c, "vercel", "auth"));
    CHECK(!auth_blocker_is(c, "vercel", "b1"));
    CHECK_CONTAINS(t_cell(c, "blockers", "vercel", "auth", "description"),
                   "vercel: token lacks permission — HTTP 403 since Mar 2");
    CHECK_STR(t_cell(c, "blockers", "vercel", "auth", "from_agent"), "mc");
    CHECK_STR(t_cell(c, "blockers", "vercel", "auth", "for_owner"), "1");
    CHECK_STR(t_cell(c, "blockers", "vercel", "auth", "created_at"), "2026-03-23T00:00:00Z");
    const char *ctx = t_cell(c, "blockers", "vercel", "auth", "context");
    CHECK(ctx && strstr(ctx, "HTTP 403") != NULL);
    /* resolved by the owner, then refused again: open again, still one row */
    CHECK_INT(sqlite3_exec(cache_db(c), "UPDATE blockers SET resolved = 1 WHERE key = 'auth'", NULL, NULL, NULL),
              SQLITE_OK);
    CHECK_INT(auth_blocker_deliver(c, "vercel", "resolve", &(ResolveOut){0}), RESOLVE_OK);
    CHECK_INT(state_col(c, "vercel", "next_due"), 0);
    auth_blocker_note(c, v, 0, "HTTP 401 from api.vercel.com", t0 + 7200000);
    CHECK_STR(t_cell(c, "blockers", "vercel", "auth", "resolved"), "0");
    CHECK_CONTAINS(t_cell(c, "blockers", "vercel", "auth", "description"), "credentials refused — HTTP 401");
    CHECK_INT(blocker_rows(c, "vercel"), 2);
    /* another answer (a 500) restarts the clock but keeps the row */
    auth_blocker_note(c, v, 0, "HTTP 500 from api.vercel.com", t0 + 7300000);
    CHECK_INT(since_of(c, "vercel"), 0);
    CHECK_INT(blocker_rows(c, "vercel"), 2);
    /* success: the row leaves, the kind's own stays */
    auth_blocker_note(c, v, 1, NULL, t0 + 7400000);
    CHECK_INT(blocker_rows(c, "vercel"), 1);
    CHECK(t_cell(c, "blockers", "vercel", "b1", "description") != NULL);
    CHECK(!auth_blocker_is(c, "vercel", "auth"));
    /* non-HTTP kinds never get one */
    status_row(c, "files");
    auth_blocker_note(c, f, 0, "HTTP 403 from nowhere", t0);
    CHECK_INT(blocker_rows(c, "files"), 0);
    cache_close(c);
    config_free(cfg);
}

static void test_zero_and_config(void)
{
    Config *cfg = load("  - {id: v0, kind: http_json, url: 'http://h/x', feeds: activity, items: '$[*]',\n"
                       "     fields: {key: id}, auth_blocker_after: 0s}\n");
    const SourceConfig *v = config_source(cfg, "v0");
    CHECK_INT(v->auth_blocker_after_ms, 0);
    Cache *c = NULL;
    char *err = NULL;
    CHECK_INT(cache_open(cfg->cache_path, &c, NULL, &err), 0);
    status_row(c, "v0");
    auth_blocker_note(c, v, 0, "HTTP 401 from h", 1774224000000LL);
    CHECK(auth_blocker_is(c, "v0", "auth"));                 /* 0s: at the first refusal */
    cache_close(c);
    config_free(cfg);
    char *e = t_config_error("  - {id: v, kind: http_json, url: 'http://h/', feeds: activity, auth_blocker_after: soon}\n");
    CHECK_CONTAINS(e, "auth_blocker_after");
    free(e);
}

/* Lines in a file (the runs of the command source below). */
static int runs(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0, ch;
    while (f && (ch = fgetc(f)) != EOF)
        n += ch == '\n';
    if (f)
        fclose(f);
    return n;
}

static int wait_runs(const char *path, int want, int ms)
{
    int64_t end = mono_ms() + ms;
    while (runs(path) < want && mono_ms() < end)
        usleep(10000);
    return runs(path);
}

/* Resolving the auth blocker in a running mc: queued although the source
 * has no write-back, delivered without calling one, marked resolved, and
 * the source fetched at once (not after its 1h interval). */
static void test_resolve_fetches_now(void)
{
    char *log = xasprintf("%s/runs.txt", t_tmpdir());
    char *src = xasprintf("  - {id: api, kind: command, every: 1h, feeds: projects, items: '$[*]',\n"
                          "     fields: {key: id}, argv: [sh, -c, \"echo x >> %s; echo '[]'\"]}\n", log);
    Config *cfg = load(src);
    free(src);
    const SourceConfig *sc = config_source(cfg, "api");
    Cache *c = NULL;
    char *err = NULL;
    CHECK_INT(cache_open(cfg->cache_path, &c, NULL, &err), 0);
    char *e = NULL;
    CHECK(outbox_enqueue(c, cfg, "api", "auth", "resolve", "", "tester", &e) < 0);  /* no row yet: no write-back */
    CHECK_CONTAINS(e, "no write-back");
    free(e);
    CHECK_INT(sqlite3_exec(cache_db(c), "INSERT INTO blockers (source, key, from_agent, description, resolved,"
                                        " for_owner) VALUES ('api', 'auth', 'mc', 'api: credentials refused', 0, 1)",
                           NULL, NULL, NULL), SQLITE_OK);
    EngineOpts o = {.workers = 1, .wake_fd = -1, .watch = 0};
    Engine *eng = engine_new(cfg, &o, &err);
    CHECK(eng != NULL);
    CHECK(engine_start(eng, &err) == 0);
    CHECK_INT(wait_runs(log, 1, 10000), 1);                  /* the first fetch, due at start */
    e = NULL;
    int64_t id = outbox_enqueue(c, cfg, "api", "auth", "resolve", "", "tester", &e);
    CHECK(id > 0);
    free(e);
    engine_kick_outbox(eng);
    CHECK_INT(wait_runs(log, 2, 10000), 2);                  /* fetched again at once */
    int64_t end = mono_ms() + 5000;
    const char *st = NULL;
    while (mono_ms() < end && !((st = outbox_state(c, id, NULL)) && !strcmp(st, "delivered"))) {
        free((void *)st);
        st = NULL;
        usleep(10000);
    }
    CHECK_STR(st, "delivered");
    free((void *)st);
    engine_stop(eng);
    engine_free(eng);
    /* a command source succeeded: the auth row of an HTTP kind would leave;
     * this kind is not HTTP, so the row stays, now resolved */
    CHECK(!auth_blocker_applies(sc));
    CHECK_STR(t_cell(c, "blockers", "api", "auth", "resolved"), "1");
    cache_close(c);
    config_free(cfg);
    free(log);
}

int main(void)
{
    RUN(test_resolve_fetches_now);
    RUN(test_status);
    RUN(test_lifecycle);
    RUN(test_zero_and_config);
    return t_done();
}
