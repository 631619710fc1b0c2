/* test_cache.c — the cache: schema, upsert and sweep, blocker state kept
 * across fetches, source state split between engine and source, leases,
 * retention, migrations, damaged files moved aside, and the JSON dump. */
#include "thelp.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../src/cache.h"

static Cache *open_fresh(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", t_tmpdir(), name);
    Cache *c = NULL;
    char *err = NULL, *warn = NULL;
    if (cache_open(path, &c, &warn, &err) != 0) {
        fprintf(stderr, "cache_open: %s\n", err);
        exit(2);
    }
    free(warn);
    return c;
}

static int64_t q_int(Cache *c, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(cache_db(c), sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

/* The first column of the first row as text (rotating static buffers), or NULL. */
static const char *q_text(Cache *c, const char *sql)
{
    static char bufs[8][512];
    static int next;
    sqlite3_stmt *st;
    char *v = NULL;
    if (sqlite3_prepare_v2(cache_db(c), sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
            v = bufs[next++ % 8];
            snprintf(v, 512, "%s", (const char *)sqlite3_column_text(st, 0));
        }
        sqlite3_finalize(st);
    }
    return v;
}

static Rows *blockers(int n, const char *prefix, int resolved)
{
    const Dataset *ds = dataset_get(DS_BLOCKERS);
    Rows *r = rows_new(ds);
    for (int i = 0; i < n; i++) {
        int row = rows_add(r);
        char key[64];
        snprintf(key, sizeof key, "%s%d", prefix, i);
        rows_set_text(r, row, dataset_field(ds, "key"), key);
        rows_set_text(r, row, dataset_field(ds, "description"), "needs a token");
        rows_set_time(r, row, dataset_field(ds, "created_at"), 1763700000000LL + i * 1000);
        rows_set_int(r, row, dataset_field(ds, "resolved"), resolved);
    }
    return r;
}

static void test_schema(void)
{
    Cache *c = open_fresh("schema.db");
    CHECK_STR(q_text(c, "PRAGMA journal_mode"), "wal");
    CHECK_INT(q_int(c, "PRAGMA user_version"), CACHE_SCHEMA_VERSION);
    for (int i = 0; i < DS__COUNT; i++) {
        const Dataset *ds = dataset_get((DatasetId)i);
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s')", ds->name);
        CHECK(q_int(c, sql) >= ds->nfields);
    }
    CHECK_INT(q_int(c, "SELECT count(*) FROM sqlite_master WHERE name IN"
                       " ('source_state','outbox','snooze','activity_ts','blockers_open')"), 5);
    cache_close(c);
}

static void test_merge_replace(void)
{
    Cache *c = open_fresh("rows.db");
    char *err = NULL;
    Rows *r = blockers(5, "k", 0);
    CHECK_INT(cache_put_rows(c, "src", r, CACHE_MERGE, &err), 0);
    CHECK_INT(cache_count(c, dataset_get(DS_BLOCKERS), "src"), 5);
    CHECK_STR(q_text(c, "SELECT state FROM blockers WHERE key = 'k0'"), "open");
    /* merge adds, never removes */
    Rows *r2 = blockers(2, "m", 0);
    CHECK_INT(cache_put_rows(c, "src", r2, CACHE_MERGE, &err), 0);
    CHECK_INT(cache_count(c, dataset_get(DS_BLOCKERS), "src"), 7);
    /* replace removes what is not in the set, and only for that source */
    CHECK_INT(cache_put_rows(c, "other", r2, CACHE_MERGE, &err), 0);
    CHECK_INT(cache_put_rows(c, "src", r2, CACHE_REPLACE, &err), 0);
    CHECK_INT(cache_count(c, dataset_get(DS_BLOCKERS), "src"), 2);
    CHECK_INT(cache_count(c, dataset_get(DS_BLOCKERS), "other"), 2);
    /* a local "resolving" survives a fetch that still says open ... */
    CHECK_INT(cache_blocker_set_state(c, "src", "m0", "resolving", &err), 0);
    CHECK_INT(cache_put_rows(c, "src", r2, CACHE_REPLACE, &err), 0);
    CHECK_STR(q_text(c, "SELECT state FROM blockers WHERE source='src' AND key = 'm0'"), "resolving");
    /* ... until the source says resolved */
    Rows *done = blockers(1, "m", 1);
    CHECK_INT(cache_put_rows(c, "src", done, CACHE_MERGE, &err), 0);
    CHECK_STR(q_text(c, "SELECT state FROM blockers WHERE source='src' AND key = 'm0'"), "resolved");
    /* rows without a key get a stable hashed one */
    const Dataset *ads = dataset_get(DS_ACTIVITY);
    Rows *a = rows_new(ads);
    for (int i = 0; i < 2; i++) {
        int row = rows_add(a);
        rows_set_text(a, row, dataset_field(ads, "details"), "same line");
    }
    CHECK_INT(cache_put_rows(c, "act", a, CACHE_MERGE, &err), 0);
    CHECK_INT(cache_put_rows(c, "act", a, CACHE_MERGE, &err), 0);
    CHECK_INT(cache_count(c, ads, "act"), 1);
    rows_free(a);
    /* resolution seen at the source */
    CHECK_INT(cache_blocker_set_resolved(c, "src", "m1", 1, "apple", "2026-11-21T11:02:10Z", "done", &err), 0);
    CHECK_STR(q_text(c, "SELECT resolved_by || '|' || resolved_at || '|' || note || '|' || state"
                        " FROM blockers WHERE source='src' AND key='m1'"),
              "apple|2026-11-21T11:02:10Z|done|resolved");
    cache_forget_source(c, "src", NULL, &err);
    CHECK_INT(cache_count(c, dataset_get(DS_BLOCKERS), "src"), 0);
    CHECK_INT(cache_count(c, dataset_get(DS_BLOCKERS), "other"), 2);
    rows_free(r);
    rows_free(r2);
    rows_free(done);
    free(err);
    cache_close(c);
}

static void test_state_and_lease(void)
{
    Cache *c = open_fresh("state.db");
    char *err = NULL;
    SourceState s = {0};
    CHECK_INT(cache_state_get(c, "a", &s, &err), 0);
    CHECK_INT(s.last_success, 0);
    s.file_offset = 1234;
    s.etag = xstrdup("\"v1\"");
    CHECK_INT(cache_cursor_put(c, "a", &s, &err), 0);
    SourceState e = {0};
    e.last_attempt = 50;
    e.last_error = xstrdup("HTTP 500");
    e.consecutive_failures = 2;
    /* the engine's write must not clobber the source's cursor */
    CHECK_INT(cache_status_put(c, "a", &e, &err), 0);
    SourceState got = {0};
    CHECK_INT(cache_state_get(c, "a", &got, &err), 0);
    CHECK_INT(got.file_offset, 1234);
    CHECK_STR(got.etag, "\"v1\"");
    CHECK_STR(got.last_error, "HTTP 500");
    CHECK_INT(got.consecutive_failures, 2);
    cache_state_clear(&s);
    cache_state_clear(&e);
    cache_state_clear(&got);

    CHECK_INT(cache_lease_try(c, "a", "p1", 1000, 2000, &err), 1);
    CHECK_INT(cache_lease_try(c, "a", "p2", 1500, 2500, &err), 0);
    CHECK_INT(cache_lease_try(c, "a", "p1", 1500, 2500, &err), 1);   /* renew */
    CHECK_INT(cache_lease_try(c, "a", "p2", 2500, 3500, &err), 1);   /* expired */
    cache_lease_release(c, "a", "p2");
    CHECK_INT(cache_lease_try(c, "a", "p1", 2600, 3600, &err), 1);
    free(err);
    cache_close(c);
}

static void test_retention(void)
{
    Cache *c = open_fresh("ret.db");
    char *err = NULL;
    const Dataset *ds = dataset_get(DS_ACTIVITY);
    Rows *r = rows_new(ds);
    int64_t now = 1763700000000LL;
    for (int i = 0; i < 100; i++) {
        int row = rows_add(r);
        char key[16];
        snprintf(key, sizeof key, "a%d", i);
        rows_set_text(r, row, 1, key);
        rows_set_time(r, row, dataset_field(ds, "ts"), now - (int64_t)i * 3600000);
    }
    cache_put_rows(c, "s", r, CACHE_MERGE, &err);
    Retention ret[DS__COUNT] = {{0}};
    ret[DS_ACTIVITY].max_age_ms = 48 * 3600000LL;  /* keeps i = 0..48 */
    CHECK_INT(cache_apply_retention(c, ret, now, &err), 0);
    CHECK_INT(cache_count(c, ds, NULL), 49);
    ret[DS_ACTIVITY].max_rows = 10;
    CHECK_INT(cache_apply_retention(c, ret, now, &err), 0);
    CHECK_INT(cache_count(c, ds, NULL), 10);
    /* the newest ten are the ones kept */
    CHECK_INT(q_int(c, "SELECT count(*) FROM activity WHERE key IN ('a0','a9')"), 2);
    rows_free(r);
    free(err);
    cache_close(c);
}

static void test_migration_and_damage(void)
{
    char path[512];
    /* an older cache (version 0, one table) is upgraded in place, rows kept */
    snprintf(path, sizeof path, "%s/old.db", t_tmpdir());
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "CREATE TABLE blockers (source TEXT NOT NULL, key TEXT NOT NULL, from_agent TEXT,"
                     " description TEXT, context TEXT, created_at TEXT, resolved INTEGER, resolved_at TEXT,"
                     " resolved_by TEXT, note TEXT, state TEXT, gen INTEGER, updated_ms INTEGER,"
                     " PRIMARY KEY (source, key));"
                     "INSERT INTO blockers (source, key, description) VALUES ('s', 'k', 'kept');",
                 NULL, NULL, NULL);
    sqlite3_close(db);
    Cache *c = NULL;
    char *err = NULL, *warn = NULL;
    CHECK_INT(cache_open(path, &c, &warn, &err), 0);
    CHECK(warn == NULL);
    CHECK_STR(q_text(c, "SELECT description FROM blockers"), "kept");
    CHECK_INT(q_int(c, "PRAGMA user_version"), CACHE_SCHEMA_VERSION);
    CHECK_INT(q_int(c, "SELECT count(*) FROM outbox"), 0);
    cache_close(c);

    /* a version-1 cache gains what version 2 added (the outbox item index) */
    snprintf(path, sizeof path, "%s/v1.db", t_tmpdir());
    CHECK_INT(cache_open(path, &c, &warn, &err), 0);
    sqlite3_exec(cache_db(c), "DROP INDEX outbox_item; PRAGMA user_version = 1;", NULL, NULL, NULL);
    cache_close(c);
    CHECK_INT(cache_open(path, &c, &warn, &err), 0);
    CHECK_INT(q_int(c, "PRAGMA user_version"), CACHE_SCHEMA_VERSION);
    CHECK_INT(q_int(c, "SELECT count(*) FROM sqlite_master WHERE name = 'outbox_item'"), 1);
    cache_close(c);

    /* a newer cache is refused, not rebuilt */
    snprintf(path, sizeof path, "%s/newer.db", t_tmpdir());
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
    sqlite3_close(db);
    c = NULL;
    CHECK_INT(cache_open(path, &c, &warn, &err), -1);
    CHECK_CONTAINS(err, "newer");

    /* not a database: moved aside with a message, and a fresh cache made */
    snprintf(path, sizeof path, "%s/garbage.db", t_tmpdir());
    FILE *f = fopen(path, "w");
    for (int i = 0; i < 500; i++)
        fputs("this is not a sqlite database at all\n", f);
    fclose(f);
    free(warn);
    warn = NULL;
    CHECK_INT(cache_open(path, &c, &warn, &err), 0);
    CHECK_CONTAINS(warn, "moved it aside");
    CHECK_INT(q_int(c, "SELECT count(*) FROM blockers"), 0);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls %s/garbage.db.corrupt-* >/dev/null 2>&1", t_tmpdir());
    CHECK_INT(system(cmd), 0);
    cache_close(c);
    free(err);
    free(warn);
}

static void test_dump(void)
{
    Cache *c = open_fresh("dump.db");
    char *err = NULL;
    Rows *r = blockers(2, "d", 0);
    rows_set_text(r, 0, dataset_field(r->ds, "context"), "esc \x1b]0;owned\x07 and \"quotes\" \xff");
    cache_put_rows(c, "s", r, CACHE_MERGE, &err);
    const Dataset *sys = dataset_get(DS_SYSTEM);
    Rows *sr = rows_new(sys);
    int row = rows_add(sr);
    rows_set_text(sr, row, 1, "h1");
    rows_set_text(sr, row, dataset_field(sys, "services"), "[{\"name\":\"db\",\"up\":true}]");
    rows_set_real(sr, row, dataset_field(sys, "cpu_pct"), 12.5);
    cache_put_rows(c, "host", sr, CACHE_MERGE, &err);

    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    CHECK_INT(cache_dump_dataset(c, dataset_get(DS_BLOCKERS), mem, 0, &err), 0);
    fclose(mem);
    cJSON *j = cJSON_Parse(buf);
    CHECK(cJSON_IsArray(j));
    CHECK_INT(cJSON_GetArraySize(j), 2);
    cJSON *first = cJSON_GetArrayItem(j, 0);
    CHECK(cJSON_IsFalse(cJSON_GetObjectItem(first, "resolved")));
    CHECK(cJSON_IsString(cJSON_GetObjectItem(first, "state")));
    CHECK(cJSON_IsNull(cJSON_GetObjectItem(first, "resolved_at")));
    CHECK(cJSON_GetObjectItem(first, "from_agent") != NULL);
    cJSON_Delete(j);
    free(buf);

    mem = open_memstream(&buf, &len);
    CHECK_INT(cache_dump_dataset(c, sys, mem, 0, &err), 0);
    fclose(mem);
    j = cJSON_Parse(buf);
    cJSON *s0 = cJSON_GetArrayItem(j, 0);
    CHECK(cJSON_IsArray(cJSON_GetObjectItem(s0, "services")));
    CHECK(cJSON_GetObjectItem(s0, "cpu_pct")->valuedouble == 12.5);
    cJSON_Delete(j);
    free(buf);
    rows_free(r);
    rows_free(sr);
    free(err);
    cache_close(c);
}

/* Two connections (two workers, or two processes) replacing one source's
 * rows in turn: each replacement leaves exactly its own set. */
static void test_replace_across_connections(void)
{
    Cache *a = open_fresh("two.db");
    Cache *b = open_fresh("two.db");
    char *err = NULL;
    Rows *r2 = blockers(2, "a", 0), *r1 = blockers(1, "b", 0), *r3 = blockers(3, "c", 0);
    for (int round = 0; round < 20; round++) {
        CHECK_INT(cache_put_rows(a, "src", r2, CACHE_REPLACE, &err), 0);
        CHECK_INT(cache_count(b, dataset_get(DS_BLOCKERS), "src"), 2);
        CHECK_INT(cache_put_rows(b, "src", r1, CACHE_REPLACE, &err), 0);
        CHECK_INT(cache_count(a, dataset_get(DS_BLOCKERS), "src"), 1);
        CHECK_INT(cache_put_rows(a, "src", r3, CACHE_REPLACE, &err), 0);
        CHECK_INT(cache_count(b, dataset_get(DS_BLOCKERS), "src"), 3);
    }
    rows_free(r1);
    rows_free(r2);
    rows_free(r3);
    free(err);
    cache_close(a);
    cache_close(b);
}

/* Version 3: blockers say whether they need the owner (for_owner) and keep
 * what the source read (read_as), which the outbox copies at enqueue. A
 * version-2 cache gains the columns, keeps its rows (old blockers were all
 * for the owner), and its sources read again so every row gets read_as. */
static void test_migration_v3(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/v2.db", t_tmpdir());
    Cache *c = open_fresh("v2.db");
    sqlite3 *db = cache_db(c);
    CHECK_INT(sqlite3_exec(db, "ALTER TABLE blockers DROP COLUMN for_owner;"
                               "ALTER TABLE blockers DROP COLUMN read_as;"
                               "ALTER TABLE outbox DROP COLUMN read_as;"
                               "INSERT INTO blockers (source, key, description, resolved, state)"
                               " VALUES ('s', 'k', 'kept', 0, 'open');"
                               "INSERT INTO source_state (source, etag) VALUES ('s', 'fp');"
                               "PRAGMA user_version = 2;", NULL, NULL, NULL), SQLITE_OK);
    cache_close(c);
    char *err = NULL, *warn = NULL;
    CHECK_INT(cache_open(path, &c, &warn, &err), 0);
    CHECK_INT(q_int(c, "PRAGMA user_version"), CACHE_SCHEMA_VERSION);
    CHECK_STR(q_text(c, "SELECT description || ' ' || for_owner || ' ' || coalesce(read_as, '-')"
                        " FROM blockers"), "kept 1 -");
    CHECK_INT(q_int(c, "SELECT count(*) FROM pragma_table_info('outbox') WHERE name = 'read_as'"), 1);
    CHECK(q_text(c, "SELECT etag FROM source_state WHERE source = 's'") == NULL);
    /* a new blocker is for the owner unless its source says otherwise */
    Rows *r = blockers(2, "n", 0);
    rows_set_int(r, 1, dataset_field(r->ds, "for_owner"), 0);
    CHECK_INT(cache_put_rows(c, "s", r, CACHE_MERGE, &err), 0);
    CHECK_STR(q_text(c, "SELECT group_concat(key || for_owner, ' ') FROM (SELECT * FROM blockers"
                        " WHERE key LIKE 'n%' ORDER BY key)"), "n01 n10");
    rows_free(r);
    /* the dump (mc snapshot) has for_owner; read_as stays in the cache */
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    CHECK_INT(cache_dump_dataset(c, dataset_get(DS_BLOCKERS), mem, 1, &err), 0);
    fclose(mem);
    CHECK_CONTAINS(buf, "\"for_owner\": ");
    CHECK(strstr(buf, "read_as") == NULL);
    free(buf);
    cache_close(c);
    free(err);
    free(warn);
}

int main(void)
{
    RUN(test_schema);
    RUN(test_merge_replace);
    RUN(test_replace_across_connections);
    RUN(test_state_and_lease);
    RUN(test_retention);
    RUN(test_migration_and_damage);
    RUN(test_dump);
    RUN(test_migration_v3);
    return t_done();
}
