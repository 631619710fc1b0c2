/* test_convex.c — the convex source kind against tests/fake_convex.py:
 * Mission Control's tables mapped into blockers, revenue, activity and
 * system with the contract's names and types; function errors (HTTP 560 and
 * 200), an expired deploy key, 429 and 500 shown plainly with the last good
 * rows kept; activity read incrementally and merged; resolve through the
 * mutation, delivered once per idempotency key; no secret in any message. */
#include "team_fake.h"

#define DEPLOY_KEY "prod:happy-otter-123|DEPLOYKEY-s3cr3t-0001"
#define BAD_KEY "prod:happy-otter-123|EXPIRED-key-zz99"
#define BASE_MS 1795000000000LL

static Fake srv;
static Cache *cache;
static const char *key_file, *bad_key_file;

static const char *const all_queries =
    "  queries:\n"
    "    blockers: {path: \"needsApple:list\", args: {resolved: false}}\n"
    "    revenue: {path: \"revenue:latest\"}\n"
    "    activity: {path: \"activity:recent\", args: {limit: 200}}\n"
    "    system: systemMetrics:latest\n";

static Config *source(const char *id, const char *auth_file, const char *queries, const char *extra)
{
    return cfg_load(srv.port,
                    "- id: %s\n  kind: convex\n  url: http://127.0.0.1:@P/\n"
                    "  auth: {deploy_key_file: %s}\n%s%s",
                    id, auth_file, queries, extra ? extra : "");
}

/* The last request the fake saw, as JSON (caller deletes the returned root). */
static const cJSON *last_request(cJSON **root)
{
    *root = get_json(srv.port, "/_stats");
    const cJSON *reqs = cJSON_GetObjectItem(*root, "requests");
    return cJSON_GetArrayItem(reqs, cJSON_GetArraySize(reqs) - 1);
}

static int stat_of(const char *section, const char *key)
{
    cJSON *s = get_json(srv.port, "/_stats");
    const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(s, section), key);
    int n = cJSON_IsNumber(v) ? v->valueint : 0;
    cJSON_Delete(s);
    return n;
}

static void no_secret(const char *msg)
{
    CHECK(msg != NULL);
    CHECK(!msg || (!strstr(msg, "DEPLOYKEY-s3cr3t") && !strstr(msg, "EXPIRED-key-zz99")));
}

/* ---- fetch ------------------------------------------------------------ */

static void test_tables_into_datasets(void)
{
    Config *cfg = source("mc", key_file, all_queries, NULL);
    Res r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK(r.err == NULL);
    CHECK_INT(r.requests, 4);
    CHECK_INT(r.rows, 2 + 1 + 3 + 1);

    /* blockers: _id, fromAgent, context object as JSON text, _creationTime as ISO */
    CHECK_INT(count_rows(cache, "blockers", "mc"), 2);
    CHECK_STR(cell(cache, "blockers", "mc", "na_1", "from_agent"), "max");
    CHECK_STR(cell(cache, "blockers", "mc", "na_1", "description"), "Approve the Q4 sponsor contract");
    CHECK_STR(cell(cache, "blockers", "mc", "na_1", "created_at"), "2026-11-18T10:06:40Z");
    CHECK_STR(cell(cache, "blockers", "mc", "na_1", "context"), "{\"deal\":\"acme\",\"usd\":12000}");
    CHECK_STR(cell(cache, "blockers", "mc", "na_2", "context"), "expires Friday");
    CHECK_STR(cell(cache, "blockers", "mc", "na_1", "state"), "open");
    cJSON *b = dump(cache, "blockers");
    const cJSON *na1 = find_obj(b, "key", "na_1");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(na1, "resolved")));
    cJSON_Delete(b);

    /* revenue: the latest snapshot; Int64-as-string amounts are numbers of dollars */
    cJSON *rv = dump(cache, "revenue");
    CHECK_INT(cJSON_GetArraySize(rv), 1);
    const cJSON *snap = cJSON_GetArrayItem(rv, 0);
    CHECK_STR(cJSON_GetObjectItem(snap, "key")->valuestring, "rs_2");
    CHECK_STR(cJSON_GetObjectItem(snap, "snapshot_date")->valuestring, "2026-11-17");
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(snap, "total_ytd_usd")));
    CHECK(cJSON_GetObjectItem(snap, "total_ytd_usd")->valuedouble == 251000.25);
    CHECK(cJSON_GetObjectItem(snap, "projected_annual_usd")->valuedouble == 301000);
    const cJSON *streams = cJSON_GetObjectItem(snap, "streams");
    CHECK(cJSON_IsArray(streams));
    CHECK_INT(cJSON_GetArraySize(streams), 2);
    const cJSON *aff = find_obj(streams, "name", "affiliate");
    CHECK(aff && cJSON_GetObjectItem(aff, "ytd_usd")->valuedouble == 50500.25);
    cJSON_Delete(rv);

    /* activity */
    CHECK_INT(count_rows(cache, "activity", "mc"), 3);
    CHECK_STR(cell(cache, "activity", "mc", "ae_2", "ts"), "2026-11-18T10:58:40Z");
    CHECK_STR(cell(cache, "activity", "mc", "ae_2", "event_type"), "deploy");
    CHECK_STR(cell(cache, "activity", "mc", "ae_2", "agent"), "dash");
    CHECK_STR(cell(cache, "activity", "mc", "ae_1", "status"), "ok");
    CHECK_STR(cell(cache, "activity", "mc", "ae_1", "details"), "{\"n\":1}");

    /* system: numbers and nested shapes into percentages and services */
    cJSON *sy = dump(cache, "system");
    const cJSON *m = cJSON_GetArrayItem(sy, 0);
    CHECK_STR(cJSON_GetObjectItem(m, "ts")->valuestring, "2026-11-18T11:06:40Z");
    CHECK_STR(cJSON_GetObjectItem(m, "host")->valuestring, "mc");
    CHECK(cJSON_GetObjectItem(m, "cpu_pct")->valuedouble == 41.5);
    CHECK(cJSON_GetObjectItem(m, "mem_pct")->valuedouble == 75);
    CHECK(cJSON_GetObjectItem(m, "disk_pct")->valuedouble == 70);
    const cJSON *svc = cJSON_GetObjectItem(m, "services");
    const cJSON *api = find_obj(svc, "name", "api"), *db = find_obj(svc, "name", "db");
    CHECK(api && cJSON_IsTrue(cJSON_GetObjectItem(api, "up")));
    CHECK(db && cJSON_IsFalse(cJSON_GetObjectItem(db, "up")));
    CHECK(db && !strcmp(cJSON_GetObjectItem(db, "detail")->valuestring, "connection refused"));
    cJSON_Delete(sy);

    /* the requests: the documented body and the deploy key scheme */
    cJSON *root;
    const cJSON *rq = last_request(&root);
    CHECK_STR(cJSON_GetObjectItem(rq, "endpoint")->valuestring, "query");
    CHECK_STR(cJSON_GetObjectItem(rq, "path")->valuestring, "systemMetrics:latest");
    CHECK_STR(cJSON_GetObjectItem(rq, "format")->valuestring, "json");
    CHECK_STR(cJSON_GetObjectItem(rq, "auth")->valuestring, "Convex");
    const cJSON *first = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "requests"), 0);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(first, "args"), "resolved")));
    cJSON_Delete(root);
    config_free(cfg);
}

/* Field overrides in a query entry replace the defaults. */
static void test_field_overrides(void)
{
    Config *cfg = source("ov", key_file,
                         "  queries:\n    projects:\n      path: needsApple:list\n"
                         "      fields: {name: description, owner: fromAgent, updated_at: _creationTime}\n"
                         "      set: {status: waiting}\n", NULL);
    Res r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(count_rows(cache, "projects", "ov"), 3);
    CHECK_STR(cell(cache, "projects", "ov", "na_2", "name"), "Rotate the Stripe key");
    CHECK_STR(cell(cache, "projects", "ov", "na_2", "owner"), "atlas");
    CHECK_STR(cell(cache, "projects", "ov", "na_2", "status"), "waiting");
    CHECK_STR(cell(cache, "projects", "ov", "na_3", "updated_at"), "2026-11-17T11:06:40Z");
    config_free(cfg);
}

static void test_errors_shown_rows_kept(void)
{
    char want[200];
    /* a function error (HTTP 560): its message, without the stack trace */
    Config *cfg = source("mc", key_file, "  queries:\n    blockers: broken:list\n", NULL);
    Res r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.err, "convex broken:list: Uncaught Error: table needs_apple is being migrated");
    CHECK_INT(r.retry_after_ms, 0);
    CHECK_INT(count_rows(cache, "blockers", "mc"), 2);
    free(r.err);
    config_free(cfg);

    /* the error envelope with HTTP 200 */
    cfg = source("mc", key_file, "  queries:\n    blockers: broken:ok200\n", NULL);
    r = fetch_src(cache, cfg, 0);
    CHECK_STR(r.err, "convex broken:ok200: Server Error");
    free(r.err);
    config_free(cfg);

    /* one failing query of several writes nothing at all */
    cfg = source("mc", key_file,
                 "  queries:\n    blockers: needsApple:list\n    revenue: crash:list\n", NULL);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, -1);
    snprintf(want, sizeof want, "HTTP 500 from 127.0.0.1:%d: Your request couldn't be completed.", srv.port);
    CHECK_CONTAINS(r.err, want);
    CHECK_INT(r.retry_after_ms, 0);
    CHECK_INT(count_rows(cache, "blockers", "mc"), 2);     /* not 3: the unresolved-only rows stay */
    CHECK_INT(count_rows(cache, "revenue", "mc"), 1);
    free(r.err);
    config_free(cfg);

    /* 429 with Retry-After */
    cfg = source("mc", key_file, "  queries:\n    blockers: limited:list\n", NULL);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, -1);
    snprintf(want, sizeof want, "HTTP 429 from 127.0.0.1:%d (retry after 3s)", srv.port);
    CHECK_STR(r.err, want);
    CHECK_INT(r.retry_after_ms, 3000);
    free(r.err);
    config_free(cfg);

    /* an unknown function (400 {code, message}) */
    cfg = source("mc", key_file, "  queries:\n    blockers: nope:list\n", NULL);
    r = fetch_src(cache, cfg, 0);
    snprintf(want, sizeof want, "HTTP 400 from 127.0.0.1:%d: Could not find public function for 'nope:list'",
             srv.port);
    CHECK_STR(r.err, want);
    free(r.err);
    config_free(cfg);
    CHECK_INT(count_rows(cache, "blockers", "mc"), 2);
}

static void test_auth(void)
{
    /* an expired deploy key says so, without the key */
    Config *cfg = source("mc", bad_key_file, all_queries, NULL);
    Res r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.err, "auth failed (HTTP 401): The deploy key has expired or is invalid — check the deploy key");
    no_secret(r.err);
    CHECK_INT(count_rows(cache, "blockers", "mc"), 2);
    free(r.err);
    config_free(cfg);

    /* deploy key from the environment */
    cfg = cfg_load(srv.port, "- id: mc\n  kind: convex\n  url: http://127.0.0.1:@P\n"
                             "  auth: {deploy_key_env: MC_T_CONVEX_KEY}\n%s", all_queries);
    unsetenv("MC_T_CONVEX_KEY");
    r = fetch_src(cache, cfg, 0);
    CHECK_STR(r.err, "auth: environment variable MC_T_CONVEX_KEY is not set");
    CHECK_INT(r.requests, 0);
    free(r.err);
    setenv("MC_T_CONVEX_KEY", DEPLOY_KEY, 1);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    config_free(cfg);

    /* a bearer token through the shared auth map */
    cfg = cfg_load(srv.port, "- id: mc\n  kind: convex\n  url: http://127.0.0.1:@P\n"
                             "  auth: {bearer_env: MC_T_CONVEX_KEY}\n%s", all_queries);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    cJSON *root;
    CHECK_STR(cJSON_GetObjectItem(last_request(&root), "auth")->valuestring, "Bearer");
    cJSON_Delete(root);
    config_free(cfg);

    /* a server that echoes the key in its error: masked */
    cfg = source("mc", key_file, "  queries:\n    blockers: echo:key\n", NULL);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, -1);
    CHECK_CONTAINS(r.err, "key *** is not allowed");
    no_secret(r.err);
    free(r.err);
    config_free(cfg);

    /* a closed port: the host, never the key */
    cfg = cfg_load(srv.port, "- id: mc\n  kind: convex\n  url: http://127.0.0.1:1\n"
                             "  auth: {deploy_key_file: %s}\n%s", key_file, all_queries);
    r = fetch_src(cache, cfg, 0);
    CHECK_CONTAINS(r.err, "127.0.0.1:1");
    no_secret(r.err);
    free(r.err);
    config_free(cfg);
}

static int64_t cursor_ms(const char *source)
{
    SourceState st;
    memset(&st, 0, sizeof st);
    cache_state_get(cache, source, &st, NULL);
    cJSON *j = st.cursor ? cJSON_Parse(st.cursor) : NULL;
    const cJSON *v = cJSON_GetObjectItem(j, "activity_ms");
    int64_t ms = cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;
    cJSON_Delete(j);
    cache_state_clear(&st);
    return ms;
}

static void test_activity_incremental(void)
{
    Config *cfg = source("act", key_file,
                         "  queries:\n    activity: {path: activity:recent, since_arg: after}\n", NULL);
    Res r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.rows, 3);
    CHECK_INT(cursor_ms("act"), BASE_MS - 480000);
    cJSON *root;
    const cJSON *args = cJSON_GetObjectItem(last_request(&root), "args");
    CHECK(cJSON_GetObjectItem(args, "after") == NULL);      /* nothing cached yet: no cursor */
    cJSON_Delete(root);

    char doc[400];
    snprintf(doc, sizeof doc,
             "{\"table\": \"activity_events\", \"doc\": {\"_id\": \"ae_new\", \"_creationTime\": %lld,"
             " \"eventType\": \"cron\", \"agent\": \"max\", \"status\": \"ok\", \"timestamp\": \"%lld\"}}",
             BASE_MS, BASE_MS);
    CHECK_INT(post_json(srv.port, "/_insert", doc), 0);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.rows, 1);                                     /* only the new one */
    args = cJSON_GetObjectItem(last_request(&root), "args");
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(args, "after"))
          && cJSON_GetObjectItem(args, "after")->valuedouble == (double)(BASE_MS - 480000));
    cJSON_Delete(root);
    CHECK_INT(count_rows(cache, "activity", "act"), 4);
    CHECK_STR(cell(cache, "activity", "act", "ae_new", "ts"), "2026-11-18T11:06:40Z");
    CHECK_INT(cursor_ms("act"), BASE_MS);
    config_free(cfg);

    /* without since_arg the server sends old events too: filtered here, and
     * merging keeps the cached ones the query no longer returns */
    cfg = source("act", key_file, "  queries:\n    activity: {path: activity:recent, args: {limit: 2}}\n",
                 NULL);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.rows, 1);                 /* ae_new again (same ts as the cursor); ae_2 is older */
    CHECK_INT(count_rows(cache, "activity", "act"), 4);
    config_free(cfg);

    /* with the rows gone (retention, forget), the cursor no longer applies */
    cache_forget_source(cache, "act", NULL, NULL);
    cfg = source("act", key_file, "  queries:\n    activity: {path: activity:recent, since_arg: after}\n", NULL);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rows, 4);
    CHECK_INT(count_rows(cache, "activity", "act"), 4);
    config_free(cfg);
}

/* ---- resolve ---------------------------------------------------------- */

static void test_resolve(void)
{
    Config *cfg = source("mc", key_file, all_queries,
                         "  resolve: {mutation: \"needsApple:resolve\", args: {source: mc, id: ignored}}\n");
    ResolveOut out;
    CHECK_INT(resolve_src(cfg, "resolve", "na_1", "done \"quoted\"", "idem-1", &out), RESOLVE_OK);
    CHECK(out.message == NULL);
    CHECK_INT(out.http_status, 200);
    cJSON *root;
    const cJSON *rq = last_request(&root);
    CHECK_STR(cJSON_GetObjectItem(rq, "endpoint")->valuestring, "mutation");
    CHECK_STR(cJSON_GetObjectItem(rq, "path")->valuestring, "needsApple:resolve");
    const cJSON *args = cJSON_GetObjectItem(rq, "args");
    CHECK_STR(cJSON_GetObjectItem(args, "id")->valuestring, "na_1");
    CHECK_STR(cJSON_GetObjectItem(args, "note")->valuestring, "done \"quoted\"");
    CHECK_STR(cJSON_GetObjectItem(args, "by")->valuestring, "apple");
    CHECK_STR(cJSON_GetObjectItem(args, "idempotencyKey")->valuestring, "idem-1");
    CHECK_STR(cJSON_GetObjectItem(args, "source")->valuestring, "mc");
    cJSON_Delete(root);

    /* delivered twice with the same key (an outbox retry): applied once */
    CHECK_INT(resolve_src(cfg, "resolve", "na_1", "done", "idem-1", &out), RESOLVE_OK);
    CHECK_INT(stat_of("deliveries", "idem-1"), 2);
    CHECK_INT(stat_of("applied", "idem-1"), 1);

    /* the next fetch sees it resolved at the source */
    Res r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(count_rows(cache, "blockers", "mc"), 1);
    CHECK(cell(cache, "blockers", "mc", "na_1", "key") == NULL);

    /* a function error is final and says why */
    CHECK_INT(resolve_src(cfg, "resolve", "zz", "", "idem-2", &out), RESOLVE_FAIL);
    CHECK_INT(out.http_status, 560);
    CHECK_STR(out.message, "convex needsApple:resolve: Uncaught ConvexError: no blocker zz");
    free(out.message);

    /* unresolve needs its own mutation */
    CHECK_INT(resolve_src(cfg, "unresolve", "na_1", "", "idem-3", &out), RESOLVE_UNSUPPORTED);
    free(out.message);
    config_free(cfg);

    cfg = source("mc", key_file, all_queries,
                 "  resolve: {mutation: \"flaky:resolve\", unresolve: \"needsApple:unresolve\"}\n");
    CHECK_INT(resolve_src(cfg, "resolve", "na_2", "", "idem-4", &out), RESOLVE_RETRY);
    CHECK_INT(out.http_status, 503);
    CHECK_INT(out.retry_after_ms, 7000);
    free(out.message);
    CHECK_INT(resolve_src(cfg, "unresolve", "na_1", "", "idem-5", &out), RESOLVE_OK);
    CHECK_INT(stat_of("applied", "idem-5"), 1);
    config_free(cfg);

    /* an expired key is final; a dead server is worth retrying; no key in either */
    cfg = source("mc", bad_key_file, all_queries, "  resolve: {mutation: \"needsApple:resolve\"}\n");
    CHECK_INT(resolve_src(cfg, "resolve", "na_2", "", "idem-6", &out), RESOLVE_FAIL);
    CHECK_INT(out.http_status, 401);
    CHECK_CONTAINS(out.message, "auth failed (HTTP 401)");
    no_secret(out.message);
    free(out.message);
    CHECK_INT(stat_of("deliveries", "idem-6"), 0);
    config_free(cfg);
    cfg = cfg_load(srv.port, "- id: mc\n  kind: convex\n  url: http://127.0.0.1:1\n"
                             "  auth: {deploy_key_file: %s}\n%s  resolve: {mutation: \"needsApple:resolve\"}\n",
                   key_file, all_queries);
    CHECK_INT(resolve_src(cfg, "resolve", "na_2", "", "idem-7", &out), RESOLVE_RETRY);
    CHECK_CONTAINS(out.message, "127.0.0.1:1");
    no_secret(out.message);
    free(out.message);
    config_free(cfg);

    /* no resolve: configured */
    cfg = source("ro", key_file, all_queries, NULL);
    CHECK_INT(resolve_src(cfg, "resolve", "na_2", "", "idem-8", &out), RESOLVE_UNSUPPORTED);
    config_free(cfg);
}

static void test_config_errors(void)
{
    static const struct {
        const char *yaml, *want;
    } cases[] = {
        {"- id: a\n  kind: convex\n  queries: {blockers: x:y}\n", "missing required key 'url'"},
        {"- id: a\n  kind: convex\n  url: http://x\n", "missing required key 'queries'"},
        {"- id: a\n  kind: convex\n  url: ftp://x\n  queries: {blockers: x:y}\n", "t.yaml:4:8: url:"},
        {"- id: a\n  kind: convex\n  url: http://x\n  queries: {blokers: x:y}\n",
         "unknown dataset 'blokers'"},
        {"- id: a\n  kind: convex\n  url: http://x\n  queries: {blockers: \"needs apple:list\"}\n",
         "not a Convex function name"},
        {"- id: a\n  kind: convex\n  url: http://x\n  queries: {blockers: {args: {}}}\n",
         "missing required key 'path'"},
        {"- id: a\n  kind: convex\n  url: http://x\n  queries: {blockers: {path: a:b, args: [1]}}\n",
         "args: expected a map"},
        {"- id: a\n  kind: convex\n  url: http://x\n  queries: {blockers: {path: a:b, since_arg: after}}\n",
         "only the activity query"},
        {"- id: a\n  kind: convex\n  url: http://x\n  queries: {blockers: {path: a:b, fields: {nope: x}}}\n",
         "unknown field 'nope'"},
        {"- id: a\n  kind: convex\n  url: http://x\n  auth: {deploy_key: abc}\n  queries: {blockers: a:b}\n",
         "use deploy_key_env or deploy_key_file"},
        {"- id: a\n  kind: convex\n  url: http://x\n  auth: {deploy_key_env: A, bearer_env: B}\n"
         "  queries: {blockers: a:b}\n", "cannot go with a deploy key"},
        {"- id: a\n  kind: convex\n  url: http://x\n  feeds: blockers\n  queries: {blockers: a:b}\n",
         "drop 'feeds:'"},
        {"- id: a\n  kind: convex\n  url: http://x\n  queries: {blockers: a:b}\n  resolve: {args: {}}\n",
         "missing required key 'mutation'"},
        {"- id: a\n  kind: convex\n  url: http://x\n  queries: {blockers: a:b}\n  urll: x\n",
         "unknown key 'urll'"},
    };
    for (size_t i = 0; i < MC_ARRAY_LEN(cases); i++) {
        char *e = cfg_error(cases[i].yaml);
        CHECK_CONTAINS(e, cases[i].want);
        CHECK(!e || !strstr(e, "abc"));
        free(e);
    }
    /* ${ENV} in the url */
    setenv("MC_T_CONVEX_URL", "https://happy-otter-123.convex.cloud/", 1);
    Config *cfg = cfg_load(1, "- id: a\n  kind: convex\n  url: ${MC_T_CONVEX_URL}\n  queries: {blockers: a:b}\n");
    CHECK(cfg != NULL);
    config_free(cfg);
}

int main(void)
{
    http_global_init();
    signal(SIGPIPE, SIG_IGN);
    key_file = xstrdup(t_write("deploy_key", DEPLOY_KEY "\n"));
    bad_key_file = xstrdup(t_write("bad_key", BAD_KEY "\n"));
    const char *fixture = t_write("convex.json",
                                  "{\"functions\": {\"echo:key\": {\"status\": 400, \"body\": "
                                  "{\"code\": \"BadRequest\", \"message\": \"key " DEPLOY_KEY " is not allowed\"}}}}");
    const char *args[] = {"--key", DEPLOY_KEY, "--fixture", fixture, NULL};
    srv = fake_start("fake_convex.py", args);
    char *path = xasprintf("%s/cache.db", t_tmpdir()), *err = NULL;
    if (cache_open(path, &cache, NULL, &err) < 0) {
        fprintf(stderr, "cache_open: %s\n", err);
        return 1;
    }
    free(path);
    RUN(test_tables_into_datasets);
    RUN(test_field_overrides);
    RUN(test_errors_shown_rows_kept);
    RUN(test_auth);
    RUN(test_activity_incremental);
    RUN(test_resolve);
    RUN(test_config_errors);
    cache_close(cache);
    fake_stop(&srv);
    free((void *)key_file);
    free((void *)bad_key_file);
    return t_done();
}
