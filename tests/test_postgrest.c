/* test_postgrest.c — the postgrest source kind against tests/fake_postgrest.py:
 * agent_usage into usage (and today's tokens and cost per agent into agents),
 * cron_jobs into cron, with the contract's names and types; paging by Range
 * (with and without a total, and under a server row cap) and by limit/offset,
 * every row exactly once; PostgREST errors shown plainly with the last good
 * rows kept; 429 Retry-After; resolve by PATCH with an eq filter; apikey and
 * Authorization sent, and never in a message. */
#include "team_fake.h"

#define API_KEY "eyJhbGciOiJIUzI1NiJ9.SUPAKEY-s3cr3t-role"
#define EXPIRED_KEY "eyJhbGciOiJIUzI1NiJ9.EXPIRED-jwt-abc123"
#define WRONG_KEY "eyJhbGciOiJIUzI1NiJ9.WRONG-key-777"

static Fake srv;
static Cache *cache;
static const char *key_file, *expired_file, *wrong_file;

static const char *const fixture =
    "{\"tables\": {\n"
    " \"agent_usage\": [\n"
    "  {\"id\": 1, \"agent_id\": \"max\", \"date\": \"@TODAY\", \"model\": \"claude-sonnet-4.5\",\n"
    "   \"input_tokens\": 1000, \"output_tokens\": 200, \"cache_read_tokens\": 50, \"cache_write_tokens\": 5,\n"
    "   \"input_cost\": 0.5, \"total_cost\": 1.25, \"message_count\": 10},\n"
    "  {\"id\": 2, \"agent_id\": \"max\", \"date\": \"@YESTERDAY\", \"model\": \"claude-sonnet-4.5\",\n"
    "   \"input_tokens\": 9000, \"output_tokens\": 900, \"cache_read_tokens\": 0, \"cache_write_tokens\": 0,\n"
    "   \"total_cost\": 9.5, \"message_count\": 40},\n"
    "  {\"id\": 3, \"agent_id\": \"atlas\", \"date\": \"@TODAY\", \"model\": \"gpt-5\",\n"
    "   \"input_tokens\": \"300\", \"output_tokens\": 30, \"cache_read_tokens\": null, \"cache_write_tokens\": 0,\n"
    "   \"total_cost\": \"0.75\", \"message_count\": 2}],\n"
    " \"cron_jobs\": [\n"
    "  {\"job_id\": \"morning-brief\", \"name\": \"Morning brief\", \"schedule\": \"0 7 * * *\",\n"
    "   \"payload_kind\": \"agentTurn\", \"enabled\": true, \"last_run\": \"2026-11-17T07:00:00+00:00\",\n"
    "   \"next_run\": \"2026-11-18T01:00:00-06:00\", \"updated_at\": \"2026-11-17T07:00:05+00:00\"},\n"
    "  {\"job_id\": \"revenue-sync\", \"name\": \"Revenue sync\", \"schedule\": \"*/15 * * * *\",\n"
    "   \"enabled\": false, \"last_run\": null, \"next_run\": null}],\n"
    " \"needs_apple\": [\n"
    "  {\"id\": 1, \"from_agent\": \"max\", \"description\": \"Sign the contract\", \"resolved\": false},\n"
    "  {\"id\": 2, \"from_agent\": \"atlas\", \"description\": \"Pay the invoice\", \"resolved\": false}]\n"
    "}}\n";

static Config *source(const char *id, const char *keyfile, const char *tables, const char *extra)
{
    return cfg_load(srv.port,
                    "- id: %s\n  kind: postgrest\n  url: http://127.0.0.1:@P\n  apikey_file: %s\n%s%s",
                    id, keyfile, tables, extra ? extra : "");
}

static cJSON *stats_root;

/* The n-th request from the end (0 = last) the fake saw; valid until the next call. */
static const cJSON *request(int from_end)
{
    cJSON_Delete(stats_root);
    stats_root = get_json(srv.port, "/_stats");
    const cJSON *reqs = cJSON_GetObjectItem(stats_root, "requests");
    return cJSON_GetArrayItem(reqs, cJSON_GetArraySize(reqs) - 1 - from_end);
}

static const char *rq_str(const cJSON *rq, const char *name)
{
    const cJSON *v = cJSON_GetObjectItem(rq, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void no_secret(const char *msg)
{
    CHECK(msg != NULL);
    CHECK(!msg || (!strstr(msg, "SUPAKEY") && !strstr(msg, "EXPIRED-jwt") && !strstr(msg, "WRONG-key")));
}

static const char *const std_tables =
    "  tables:\n"
    "    usage: {table: agent_usage, query: \"order=date.desc&limit=500\"}\n"
    "    cron: {table: cron_jobs}\n";

/* ---- fetch ------------------------------------------------------------ */

static void test_usage_agents_cron(void)
{
    Config *cfg = source("supa", key_file, std_tables, NULL);
    Res r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK(r.err == NULL);
    CHECK_INT(r.requests, 2);
    CHECK_INT(r.rows, 3 + 2 + 2);

    cJSON *u = dump(cache, "usage");
    CHECK_INT(cJSON_GetArraySize(u), 3);
    const cJSON *row = find_obj(u, "key", "3");
    CHECK(row != NULL);
    CHECK_STR(rq_str(row, "agent_id"), "atlas");
    CHECK_STR(rq_str(row, "model"), "gpt-5");
    CHECK(cJSON_IsNumber(cJSON_GetObjectItem(row, "input_tokens"))
          && cJSON_GetObjectItem(row, "input_tokens")->valueint == 300);
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(row, "cache_read_tokens")));
    CHECK(cJSON_GetObjectItem(row, "total_cost_usd")->valuedouble == 0.75);
    CHECK_INT(cJSON_GetObjectItem(row, "message_count")->valueint, 2);
    cJSON_Delete(u);

    /* today's (UTC) tokens and cost per agent; yesterday's row does not count */
    cJSON *a = dump(cache, "agents");
    CHECK_INT(cJSON_GetArraySize(a), 2);
    const cJSON *max = find_obj(a, "agent_id", "max"), *atlas = find_obj(a, "agent_id", "atlas");
    CHECK(max && cJSON_GetObjectItem(max, "tokens_today")->valueint == 1255);
    CHECK(max && cJSON_GetObjectItem(max, "cost_today_usd")->valuedouble == 1.25);
    CHECK(atlas && cJSON_GetObjectItem(atlas, "tokens_today")->valueint == 330);
    CHECK(atlas && cJSON_GetObjectItem(atlas, "cost_today_usd")->valuedouble == 0.75);
    CHECK_STR(rq_str(max, "key"), "max");
    cJSON_Delete(a);

    /* cron: bools, times with offsets as UTC Z, nulls */
    cJSON *c = dump(cache, "cron");
    const cJSON *mb = find_obj(c, "job_id", "morning-brief"), *rs = find_obj(c, "job_id", "revenue-sync");
    CHECK_STR(rq_str(mb, "key"), "morning-brief");
    CHECK_STR(rq_str(mb, "name"), "Morning brief");
    CHECK_STR(rq_str(mb, "schedule"), "0 7 * * *");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(mb, "enabled")));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(rs, "enabled")));
    CHECK_STR(rq_str(mb, "last_run"), "2026-11-17T07:00:00Z");
    CHECK_STR(rq_str(mb, "next_run"), "2026-11-18T07:00:00Z");
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(rs, "last_run")));
    cJSON_Delete(c);

    /* requests: the query's own limit pages by limit/offset; cron by Range */
    const cJSON *rq = request(1);
    CHECK_STR(rq_str(rq, "path"), "/rest/v1/agent_usage");
    CHECK_STR(rq_str(rq, "query"), "order=date.desc&limit=500&offset=0");
    CHECK(rq_str(rq, "range") == NULL);
    CHECK_STR(rq_str(rq, "apikey"), API_KEY);
    CHECK_STR(rq_str(rq, "authorization"), "Bearer " API_KEY);
    rq = request(0);
    CHECK_STR(rq_str(rq, "path"), "/rest/v1/cron_jobs");
    CHECK_STR(rq_str(rq, "range"), "0-999");
    CHECK_STR(rq_str(rq, "range_unit"), "items");
    CHECK_STR(rq_str(rq, "prefer"), "count=exact");
    config_free(cfg);

    /* an agents table of its own: usage rows give no agents rows */
    cfg = source("supa2", key_file,
                 "  tables:\n    usage: agent_usage\n    agents: {table: agent_usage, fields: {key: agent_id}}\n",
                 NULL);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(count_rows(cache, "agents", "supa2"), 2);      /* keyed by agent_id: max, atlas */
    CHECK(cell(cache, "agents", "supa2", "max", "tokens_today") == NULL);
    config_free(cfg);
    cfg = source("supa3", key_file, "  tables:\n    usage: {table: agent_usage, agents: false}\n", NULL);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(count_rows(cache, "agents", "supa3"), 0);
    config_free(cfg);
}

static int64_t distinct_keys(const char *source)
{
    sqlite3_stmt *st;
    int64_t n = -1;
    if (sqlite3_prepare_v2(cache_db(cache), "SELECT count(DISTINCT key) FROM usage WHERE source = ?1", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return n;
}

static void test_paging(void)
{
    /* 2,500 rows, pages of 1,000: three Range requests, every row once */
    Config *cfg = source("big", key_file, "  tables:\n    usage: {table: big_usage, page_size: 1000}\n", NULL);
    Res r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.requests, 3);
    CHECK_INT(r.rows, 2500 + 5);
    CHECK_INT(count_rows(cache, "usage", "big"), 2500);
    CHECK_INT(distinct_keys("big"), 2500);
    CHECK(cell(cache, "usage", "big", "1", "key") && cell(cache, "usage", "big", "2500", "key"));
    CHECK_STR(rq_str(request(2), "range"), "0-999");
    CHECK_STR(rq_str(request(1), "range"), "1000-1999");
    CHECK_STR(rq_str(request(0), "range"), "2000-2999");
    r = fetch_src(cache, cfg, 0);                          /* again: still once each */
    CHECK_INT(count_rows(cache, "usage", "big"), 2500);
    config_free(cfg);

    /* no total ("*"): stop at the first short (here empty) page */
    cfg = source("nocount", key_file, "  tables:\n    usage: {table: nocount_usage}\n", NULL);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.requests, 3);
    CHECK_INT(count_rows(cache, "usage", "nocount"), 2000);
    config_free(cfg);

    /* the server caps pages (db-max-rows 1000) below page_size: the total carries on */
    cfg = source("capped", key_file, "  tables:\n    usage: {table: big_usage, page_size: 5000}\n", NULL);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.requests, 3);
    CHECK_INT(distinct_keys("capped"), 2500);
    CHECK_STR(rq_str(request(0), "range"), "2000-6999");
    config_free(cfg);

    /* the query's own limit: limit/offset pages up to it */
    cfg = source("lim", key_file,
                 "  tables:\n    usage: {table: big_usage, query: \"order=id.asc&limit=1500\", page_size: 1000}\n",
                 NULL);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(r.requests, 2);
    CHECK_INT(distinct_keys("lim"), 1500);
    CHECK_STR(rq_str(request(1), "query"), "order=id.asc&limit=1000&offset=0");
    CHECK_STR(rq_str(request(0), "query"), "order=id.asc&limit=500&offset=1000");
    CHECK(cell(cache, "usage", "lim", "1500", "key") && !cell(cache, "usage", "lim", "1501", "key"));
    config_free(cfg);

    cfg = source("lim", key_file,
                 "  tables:\n    usage: {table: big_usage, query: \"order=id.asc&offset=2495&limit=10\"}\n", NULL);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.requests, 1);
    CHECK_INT(count_rows(cache, "usage", "lim"), 5);
    CHECK(cell(cache, "usage", "lim", "2496", "key") != NULL);
    config_free(cfg);
}

static void test_structured_query(void)
{
    Config *cfg = source("sq", key_file,
                         "  tables:\n    cron:\n      table: cron_jobs\n      select: [job_id, name, enabled]\n"
                         "      order: job_id.desc\n      filters: {enabled: is.true, name: \"like.Morning*\"}\n",
                         NULL);
    Res r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(count_rows(cache, "cron", "sq"), 1);
    CHECK_STR(cell(cache, "cron", "sq", "morning-brief", "name"), "Morning brief");
    CHECK(cell(cache, "cron", "sq", "morning-brief", "schedule") == NULL);
    CHECK_STR(rq_str(request(0), "query"),
              "select=job_id%2Cname%2Cenabled&order=job_id.desc&enabled=is.true&name=like.Morning%2A");
    config_free(cfg);
}

static void test_errors(void)
{
    char want[256];
    /* an expired key: plain words, no key, last good rows kept */
    Config *cfg = source("supa", expired_file, std_tables, NULL);
    Res r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, -1);
    CHECK_STR(r.err, "auth failed: JWT expired (PGRST301) — check the API key");
    no_secret(r.err);
    free(r.err);
    config_free(cfg);
    CHECK_INT(count_rows(cache, "usage", "supa"), 3);
    CHECK_INT(count_rows(cache, "agents", "supa"), 2);
    CHECK_INT(count_rows(cache, "cron", "supa"), 2);

    cfg = source("supa", wrong_file, std_tables, NULL);
    r = fetch_src(cache, cfg, 0);
    CHECK_STR(r.err, "auth failed (HTTP 401): Invalid API key — check the API key");
    no_secret(r.err);
    free(r.err);
    config_free(cfg);

    /* no such table, with PostgREST's hint; the first table's rows are not written either */
    cfg = source("supa", key_file, "  tables:\n    cron: cron_jobs\n    usage: agent_usag\n", NULL);
    r = fetch_src(cache, cfg, 0);
    snprintf(want, sizeof want,
             "no such table 'agent_usag' at 127.0.0.1:%d (Perhaps you meant the table 'public.agent_usage')",
             srv.port);
    CHECK_STR(r.err, want);
    free(r.err);
    config_free(cfg);
    CHECK_INT(count_rows(cache, "usage", "supa"), 3);

    cfg = source("supa", key_file, "  tables:\n    usage: _limited\n", NULL);
    r = fetch_src(cache, cfg, 0);
    snprintf(want, sizeof want, "HTTP 429 from 127.0.0.1:%d (retry after 5s)", srv.port);
    CHECK_STR(r.err, want);
    CHECK_INT(r.retry_after_ms, 5000);
    free(r.err);
    config_free(cfg);

    cfg = source("supa", key_file, "  tables:\n    usage: {table: agent_usage, filters: {date: zz.1}}\n", NULL);
    r = fetch_src(cache, cfg, 0);
    snprintf(want, sizeof want, "HTTP 400 from 127.0.0.1:%d: \"failed to parse filter (zz)\"", srv.port);
    CHECK_CONTAINS(r.err, want);
    CHECK_CONTAINS(r.err, "(PGRST100)");
    CHECK_INT(r.retry_after_ms, 0);
    free(r.err);
    config_free(cfg);

    cfg = cfg_load(srv.port, "- id: supa\n  kind: postgrest\n  url: http://127.0.0.1:@P\n"
                             "  apikey_env: MC_T_SUPA_KEY\n%s", std_tables);
    unsetenv("MC_T_SUPA_KEY");
    r = fetch_src(cache, cfg, 0);
    CHECK_STR(r.err, "auth: environment variable MC_T_SUPA_KEY is not set");
    CHECK_INT(r.requests, 0);
    free(r.err);
    setenv("MC_T_SUPA_KEY", API_KEY, 1);
    r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    config_free(cfg);

    /* auth: overrides Authorization; apikey stays */
    cfg = cfg_load(srv.port, "- id: jwt\n  kind: postgrest\n  url: http://127.0.0.1:@P/rest/v1/\n"
                             "  apikey_env: MC_T_SUPA_KEY\n  auth: {bearer_env: MC_T_USER_JWT}\n%s", std_tables);
    setenv("MC_T_USER_JWT", "user-jwt-value", 1);
    r = fetch_src(cache, cfg, 0);
    CHECK_STR(r.err, "auth failed (HTTP 401): Invalid API key — check the API key");
    CHECK_STR(rq_str(request(0), "authorization"), "Bearer user-jwt-value");
    CHECK_STR(rq_str(request(0), "apikey"), API_KEY);
    CHECK_STR(rq_str(request(0), "path"), "/rest/v1/agent_usage");
    free(r.err);
    config_free(cfg);

    cfg = cfg_load(srv.port, "- id: supa\n  kind: postgrest\n  url: http://127.0.0.1:1\n"
                             "  apikey_file: %s\n%s", key_file, std_tables);
    r = fetch_src(cache, cfg, 0);
    CHECK_CONTAINS(r.err, "127.0.0.1:1");
    no_secret(r.err);
    free(r.err);
    config_free(cfg);
    CHECK_INT(count_rows(cache, "usage", "supa"), 3);
}

/* ---- resolve ---------------------------------------------------------- */

static const char *const resolve_cfg =
    "  resolve:\n    table: needs_apple\n    key: id\n    set: {resolved: true}\n"
    "    note_column: note\n    by_column: resolved_by\n    at_column: resolved_at\n";

static void test_resolve(void)
{
    Config *cfg = source("nb", key_file, "  tables:\n    blockers: needs_apple\n", resolve_cfg);
    Res r = fetch_src(cache, cfg, 0);
    CHECK_INT(r.rc, 0);
    CHECK_INT(count_rows(cache, "blockers", "nb"), 2);
    CHECK_STR(cell(cache, "blockers", "nb", "1", "resolved"), "0");

    ResolveOut out;
    CHECK_INT(resolve_src(cfg, "resolve", "1", "paid \"in full\"", "idem-1", &out), RESOLVE_OK);
    CHECK_INT(out.http_status, 200);
    CHECK(out.message == NULL);
    const cJSON *rq = request(0);
    CHECK_STR(rq_str(rq, "method"), "PATCH");
    CHECK_STR(rq_str(rq, "path"), "/rest/v1/needs_apple");
    CHECK_STR(rq_str(rq, "query"), "id=eq.1");
    CHECK_STR(rq_str(rq, "prefer"), "return=representation");
    CHECK_STR(rq_str(rq, "apikey"), API_KEY);
    cJSON *body = cJSON_Parse(rq_str(rq, "body"));
    CHECK(cJSON_IsTrue(cJSON_GetObjectItem(body, "resolved")));
    CHECK_STR(rq_str(body, "note"), "paid \"in full\"");
    CHECK_STR(rq_str(body, "resolved_by"), "apple");
    int64_t at;
    CHECK(rq_str(body, "resolved_at") && time_parse_iso(rq_str(body, "resolved_at"), &at) == 0);
    cJSON_Delete(body);

    /* exactly that row changed at the source */
    r = fetch_src(cache, cfg, 0);
    CHECK_STR(cell(cache, "blockers", "nb", "1", "resolved"), "1");
    CHECK_STR(cell(cache, "blockers", "nb", "1", "state"), "resolved");
    CHECK_STR(cell(cache, "blockers", "nb", "2", "resolved"), "0");

    /* a filter that matches nothing is a failure, not a silent success */
    CHECK_INT(resolve_src(cfg, "resolve", "99", "", "idem-2", &out), RESOLVE_FAIL);
    CHECK_STR(out.message, "no row matched id = '99' in needs_apple");
    free(out.message);
    CHECK_INT(resolve_src(cfg, "resolve", "a&b=c d", "", "idem-3", &out), RESOLVE_FAIL);
    CHECK_STR(rq_str(request(0), "query"), "id=eq.a%26b%3Dc%20d");
    free(out.message);

    CHECK_INT(resolve_src(cfg, "unresolve", "1", "", "idem-4", &out), RESOLVE_UNSUPPORTED);
    free(out.message);
    config_free(cfg);

    cfg = source("nb", key_file, "  tables:\n    blockers: needs_apple\n",
                 "  resolve: {table: needs_apple, set: {resolved: true}, unset: {resolved: false},"
                 " at_column: resolved_at}\n");
    CHECK_INT(resolve_src(cfg, "unresolve", "1", "", "idem-5", &out), RESOLVE_OK);
    body = cJSON_Parse(rq_str(request(0), "body"));
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(body, "resolved")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(body, "resolved_at")));
    cJSON_Delete(body);
    config_free(cfg);

    cfg = source("nb", key_file, "  tables:\n    blockers: needs_apple\n",
                 "  resolve: {table: _conflict, set: {resolved: true}}\n");
    CHECK_INT(resolve_src(cfg, "resolve", "1", "", "idem-6", &out), RESOLVE_FAIL);
    CHECK_INT(out.http_status, 409);
    CHECK_CONTAINS(out.message, "HTTP 409 from 127.0.0.1");
    CHECK_CONTAINS(out.message, "duplicate key value violates unique constraint \"x_key\" (23505)");
    free(out.message);
    config_free(cfg);

    cfg = source("nb", key_file, "  tables:\n    blockers: needs_apple\n",
                 "  resolve: {table: _flaky, set: {resolved: true}}\n");
    CHECK_INT(resolve_src(cfg, "resolve", "1", "", "idem-7", &out), RESOLVE_RETRY);
    CHECK_INT(out.http_status, 503);
    CHECK_INT(out.retry_after_ms, 7000);
    free(out.message);
    config_free(cfg);

    cfg = source("nb", expired_file, "  tables:\n    blockers: needs_apple\n", resolve_cfg);
    CHECK_INT(resolve_src(cfg, "resolve", "2", "", "idem-8", &out), RESOLVE_FAIL);
    CHECK_STR(out.message, "auth failed: JWT expired (PGRST301) — check the API key");
    no_secret(out.message);
    free(out.message);
    config_free(cfg);

    cfg = cfg_load(srv.port, "- id: nb\n  kind: postgrest\n  url: http://127.0.0.1:1\n  apikey_file: %s\n"
                             "  tables:\n    blockers: needs_apple\n%s", key_file, resolve_cfg);
    CHECK_INT(resolve_src(cfg, "resolve", "2", "", "idem-9", &out), RESOLVE_RETRY);
    no_secret(out.message);
    free(out.message);
    config_free(cfg);

    cJSON *s = get_json(srv.port, "/_stats");
    CHECK_INT(cJSON_GetObjectItem(cJSON_GetObjectItem(s, "patches"), "needs_apple")->valueint, 4);
    cJSON_Delete(s);
}

static void test_config_errors(void)
{
    static const struct {
        const char *yaml, *want;
    } cases[] = {
        {"- id: a\n  kind: postgrest\n  tables: {usage: agent_usage}\n", "missing required key 'url'"},
        {"- id: a\n  kind: postgrest\n  url: http://x\n", "missing required key 'tables'"},
        {"- id: a\n  kind: postgrest\n  url: http://x\n  apikey: abc\n  tables: {usage: u}\n",
         "use apikey_env or apikey_file"},
        {"- id: a\n  kind: postgrest\n  url: http://x\n  apikey_env: A\n  apikey_file: /f\n  tables: {usage: u}\n",
         "keep one"},
        {"- id: a\n  kind: postgrest\n  url: http://x\n  tables: {usge: u}\n", "unknown dataset 'usge'"},
        {"- id: a\n  kind: postgrest\n  url: http://x\n  tables: {usage: \"a/b\"}\n", "not a table or column name"},
        {"- id: a\n  kind: postgrest\n  url: http://x\n  tables: {usage: {table: u, query: \"limit=5\", order: x}}\n",
         "not both"},
        {"- id: a\n  kind: postgrest\n  url: http://x\n  tables: {usage: {table: u, query: \"a=b c\"}}\n",
         "URL-encode spaces"},
        {"- id: a\n  kind: postgrest\n  url: http://x\n  tables: {usage: {table: u, query: \"limit=lots\"}}\n",
         "needs a whole number"},
        {"- id: a\n  kind: postgrest\n  url: http://x\n  tables: {usage: {table: u, filters: {a: open}}}\n",
         "expected \"operator.value\""},
        {"- id: a\n  kind: postgrest\n  url: http://x\n  tables: {cron: {table: u, agents: true}}\n",
         "only the usage table"},
        {"- id: a\n  kind: postgrest\n  url: http://x\n  tables: {usage: u}\n  resolve: {table: t}\n",
         "missing required key 'set'"},
        {"- id: a\n  kind: postgrest\n  url: http://x\n  tables: {usage: u}\n  resolve: {table: t, set: true}\n",
         "set: expected a map"},
        {"- id: a\n  kind: postgrest\n  url: http://x\n  feeds: usage\n  tables: {usage: u}\n", "drop 'feeds:'"},
        {"- id: a\n  kind: postgrest\n  url: http://x?a=1\n  tables: {usage: u}\n", "base URL only"},
    };
    for (size_t i = 0; i < MC_ARRAY_LEN(cases); i++) {
        char *e = cfg_error(cases[i].yaml);
        CHECK_CONTAINS(e, cases[i].want);
        CHECK(!e || !strstr(e, "abc"));
        free(e);
    }
}

int main(void)
{
    http_global_init();
    signal(SIGPIPE, SIG_IGN);
    key_file = xstrdup(t_write("supa_key", API_KEY "\n"));
    expired_file = xstrdup(t_write("expired_key", EXPIRED_KEY "\n"));
    wrong_file = xstrdup(t_write("wrong_key", WRONG_KEY "\n"));
    const char *fx = t_write("postgrest.json", fixture);
    const char *args[] = {"--fixture", fx, "--gen", "big_usage:2500", "--gen", "nocount_usage:2000",
                          "--max-rows", "1000", "--apikey", API_KEY, "--expired-key", EXPIRED_KEY, NULL};
    srv = fake_start("fake_postgrest.py", args);
    char *path = xasprintf("%s/cache.db", t_tmpdir()), *err = NULL;
    if (cache_open(path, &cache, NULL, &err) < 0) {
        fprintf(stderr, "cache_open: %s\n", err);
        return 1;
    }
    free(path);
    RUN(test_usage_agents_cron);
    RUN(test_paging);
    RUN(test_structured_query);
    RUN(test_errors);
    RUN(test_resolve);
    RUN(test_config_errors);
    cJSON_Delete(stats_root);
    cache_close(cache);
    fake_stop(&srv);
    free((void *)key_file);
    free((void *)expired_file);
    free((void *)wrong_file);
    return t_done();
}
