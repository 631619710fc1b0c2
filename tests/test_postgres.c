/* test_postgres.c — the postgres source kind without a server: secrets
 * masked in every message (pg_redact and the real connect errors), libpq's
 * text values into typed cells, the config checks with their positions, a
 * resolve against no server, and the nudge hook the listener uses. The
 * server-backed behaviour is tests/it_postgres.sh. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "source.h"
#include "sources/postgres.h"
#include "thelp.h"
#include "util.h"

#define SECRET "hunter2xyz"

static void redacts(const char *in, const char *pw, const char *want)
{
    char *got = pg_redact(in, pw);
    CHECK_STR(got, want);
    free(got);
}

static void test_redact(void)
{
    redacts("bad: password=" SECRET " host=x", NULL, "bad: password=*** host=x");
    redacts("password = " SECRET " dbname=mc", NULL, "password = *** dbname=mc");
    redacts("PASSWORD='a b\\' " SECRET "' host=x", NULL, "PASSWORD=*** host=x");
    redacts("sslpassword=" SECRET, NULL, "sslpassword=***");
    redacts("postgresql://bob:" SECRET "@db.example:5432/mc", NULL,
            "postgresql://bob:***@db.example:5432/mc");
    redacts("postgres://bob@db/mc and postgres://a:b@c/d", NULL,
            "postgres://bob@db/mc and postgres://a:***@c/d");
    redacts("postgresql:///mc?host=/tmp&password=" SECRET "&sslmode=require", NULL,
            "postgresql:///mc?host=/tmp&password=***&sslmode=require");
    redacts("near \"" SECRET "\" twice " SECRET, SECRET, "near \"***\" twice ***");
    redacts("password authentication failed for user \"bob\"", NULL,
            "password authentication failed for user \"bob\"");
    redacts(NULL, NULL, "");
    redacts("password=", NULL, "password=***");
}

static Rows *one_row(DatasetId id)
{
    Rows *r = rows_new(dataset_get(id));
    rows_add(r);
    return r;
}

static const char *text_of(Rows *r, const char *field)
{
    const Value *v = rows_cell_c(r, 0, dataset_field(r->ds, field));
    return v && v->kind == V_TEXT ? v->u.s : NULL;
}

static void set(Rows *r, const char *field, const char *text)
{
    pg_set_cell(r, 0, dataset_field(r->ds, field), text, text ? strlen(text) : 0);
}

static int kind_of(Rows *r, const char *field)
{
    return (int)rows_cell_c(r, 0, dataset_field(r->ds, field))->kind;
}

static void test_cells(void)
{
    Rows *b = one_row(DS_BLOCKERS);
    set(b, "created_at", "2026-11-21 16:03:00+02");
    CHECK_STR(text_of(b, "created_at"), "2026-11-21T14:03:00Z");
    set(b, "created_at", "2026-11-21 14:03:00.123456+00");
    CHECK_STR(text_of(b, "created_at"), "2026-11-21T14:03:00Z");
    set(b, "created_at", "2026-11-21 08:33:00-05:30");
    CHECK_STR(text_of(b, "created_at"), "2026-11-21T14:03:00Z");
    set(b, "created_at", "2026-11-21");
    CHECK_STR(text_of(b, "created_at"), "2026-11-21T00:00:00Z");
    set(b, "created_at", "1763733780");
    CHECK_STR(text_of(b, "created_at"), "2025-11-21T14:03:00Z");
    set(b, "created_at", "infinity");
    CHECK_INT(kind_of(b, "created_at"), V_NULL);
    set(b, "resolved", "t");
    CHECK_INT(rows_cell_c(b, 0, dataset_field(b->ds, "resolved"))->u.i, 1);
    set(b, "resolved", "f");
    CHECK_INT(kind_of(b, "resolved"), V_INT);
    CHECK_INT(rows_cell_c(b, 0, dataset_field(b->ds, "resolved"))->u.i, 0);
    set(b, "resolved", "maybe");
    CHECK_INT(kind_of(b, "resolved"), V_NULL);
    set(b, "note", NULL);
    CHECK_INT(kind_of(b, "note"), V_NULL);
    set(b, "note", "✨ done\n");
    CHECK_STR(text_of(b, "note"), "✨ done\n");
    pg_set_cell(b, 0, 99, "x", 1); /* out of range: ignored */
    pg_set_cell(b, 0, -1, "x", 1);
    rows_free(b);

    Rows *u = one_row(DS_USAGE);
    set(u, "input_tokens", "1000");
    CHECK_INT(rows_cell_c(u, 0, dataset_field(u->ds, "input_tokens"))->u.i, 1000);
    set(u, "input_tokens", "12.0");
    CHECK_INT(rows_cell_c(u, 0, dataset_field(u->ds, "input_tokens"))->u.i, 12);
    set(u, "input_tokens", "12 apples");
    CHECK_INT(kind_of(u, "input_tokens"), V_NULL);
    set(u, "input_tokens", "");
    CHECK_INT(kind_of(u, "input_tokens"), V_NULL);
    set(u, "total_cost_usd", "0.012345");
    CHECK(rows_cell_c(u, 0, dataset_field(u->ds, "total_cost_usd"))->u.d == 0.012345);
    set(u, "total_cost_usd", "NaN");
    CHECK_INT(kind_of(u, "total_cost_usd"), V_NULL);
    rows_free(u);

    Rows *s = one_row(DS_SYSTEM);
    set(s, "services", "[{\"name\": \"api\", \"up\": true}]");
    CHECK_STR(text_of(s, "services"), "[{\"name\": \"api\", \"up\": true}]");
    set(s, "services", "{a,\"b c\"}"); /* a PostgreSQL array is not JSON */
    CHECK_STR(text_of(s, "services"), "\"{a,\\\"b c\\\"}\"");
    set(s, "services", "[1] trailing");
    CHECK_STR(text_of(s, "services"), "\"[1] trailing\"");
    rows_free(s);

    /* a huge value is cut at a UTF-8 boundary */
    Rows *a = one_row(DS_ACTIVITY);
    size_t n = PG_MAX_CELL + 10;
    char *big = xmalloc(n + 1);
    for (size_t i = 0; i < n; i += 2)
        memcpy(big + i, "\xc3\xa9", 2); /* é */
    big[n] = '\0';
    pg_set_cell(a, 0, dataset_field(a->ds, "details"), big, n);
    CHECK(strlen(text_of(a, "details")) == PG_MAX_CELL);
    free(big);
    rows_free(a);
}

static Config *load(const char *src, char **err)
{
    char *text = xasprintf("user: tester\ncache: %s/c.db\nsources:\n  - id: db\n    kind: postgres\n%s",
                           t_tmpdir(), src);
    Config *c = NULL;
    if (config_load_text("t.yaml", text, &c, err) != 0)
        c = NULL;
    free(text);
    return c;
}

static void config_fails(const char *src, const char *want)
{
    char *err = NULL;
    Config *c = load(src, &err);
    CHECK(c == NULL);
    CHECK_STR(err, want);
    config_free(c);
    free(err);
}

#define Q "    queries: {blockers: \"select id::text as key from t\"}\n"

static void test_config(void)
{
    unsetenv("MC_TEST_NO_SUCH_DB");
#ifdef MC_HAVE_PQ
    char *err = NULL;
    Config *c = load("    conninfo: host=/x\n    listen: [mc_changes, Other_1]\n" Q
                     "    resolve: \"update t set note = $2 where id::text = $1 and by <> '$9'\"\n",
                     &err);
    CHECK(c != NULL);
    CHECK(err == NULL);
    config_free(c);
    free(err);
    config_fails("    conninfo: host=/x\n",
                 "t.yaml:4:5: missing required key 'queries'");
    config_fails(Q, "t.yaml:4:5: a postgres source needs exactly one of conninfo, conninfo_file"
                    " and conninfo_env");
    config_fails("    conninfo: host=/x\n    conninfo_env: DB\n" Q,
                 "t.yaml:4:5: a postgres source needs exactly one of conninfo, conninfo_file"
                 " and conninfo_env");
    config_fails("    conninfo: host=/x\n    listen: [ok, \"bad-name\"]\n" Q,
                 "t.yaml:7:18: listen: 'bad-name' is not a channel name (letters, digits, _ and $,"
                 " at most 63, not starting with a digit)");
    config_fails("    conninfo: host=/x\n    queries: {blokers: \"select 1\"}\n",
                 "t.yaml:7:15: queries: unknown dataset 'blokers' (known: blockers, activity,"
                 " revenue, system, agents, usage, cron, projects, audit, alerts)");
    config_fails("    conninfo: host=/x\n    queries: {audit: \"select 1\"}\n",
                 "t.yaml:7:15: queries: the audit dataset is written by mc itself");
    config_fails("    conninfo: host=/x\n    queries: {blockers: \"  \"}\n",
                 "t.yaml:7:25: queries.blockers: expected an SQL query");
    config_fails("    conninfo: host=/x\n" Q "    resolve: \"update t set resolved = true\"\n",
                 "t.yaml:8:14: resolve: the statement must use $1 (the blocker's key)");
    config_fails("    conninfo: host=/x\n" Q "    resolve: \"update t set a = $4 where id = $1\"\n",
                 "t.yaml:8:14: resolve: only $1 (key), $2 (note) and $3 (by) are available");
    config_fails("    conninfo: host=/x\n" Q "    unresolve: \"update t set a = $12 where k = $1\"\n",
                 "t.yaml:8:16: unresolve: only $1 (key), $2 (note) and $3 (by) are available");
    config_fails("    conninfo: host=/x\n    feeds: blockers\n" Q,
                 "t.yaml:7:12: feeds: not used by postgres (the keys of queries: name the datasets)");
    config_fails("    conninfo: \"${MC_TEST_NO_SUCH_DB} password=x\"\n" Q,
                 "t.yaml:6:15: environment variable MC_TEST_NO_SUCH_DB is not set");
    config_fails("    conninfo: host=/x\n    password: x\n" Q,
                 "t.yaml:7:5: unknown key 'password' in source (known: id, kind, every, timeout,"
                 " jitter, backoff_max, breaker_after, breaker_open, rate_per_min, rate_per_hour,"
                 " feeds, enabled, auth_blocker_after, conninfo, conninfo_file, conninfo_env, listen, queries, resolve,"
                 " unresolve, connect_timeout, max_rows)");
#else
    config_fails("    conninfo: host=/x\n" Q,
                 "t.yaml:5:11: this mc was built without PostgreSQL support");
#endif
}

#ifdef MC_HAVE_PQ
/* Fetches once from a source that cannot connect; returns the error. */
static char *fetch_error(const char *src)
{
    char *err = NULL, *text = xasprintf("%s" Q, src);
    Config *c = load(text, &err);
    free(text);
    CHECK(c != NULL);
    if (!c) {
        fprintf(stderr, "config: %s\n", err);
        free(err);
        return xstrdup("");
    }
    const SourceConfig *sc = &c->sources[0];
    void *rt = sc->cls->open(sc);
    atomic_int cancel = 0;
    SourceState st = {0};
    FetchCtx ctx = {.config = c, .src = sc, .state = &st, .now_ms = now_ms(),
                    .deadline_ms = mono_ms() + 10000, .cancel = &cancel};
    CHECK_INT(sc->cls->fetch(rt, &ctx), -1);
    sc->cls->close(rt);
    config_free(c);
    return ctx.err ? ctx.err : xstrdup("");
}

static void test_connect_errors(void)
{
    char *e = fetch_error("    conninfo: \"host=/nonexistent-mc-dir user=bob password=" SECRET
                          " dbname=mc\"\n");
    CHECK_CONTAINS(e, "cannot connect: ");
    CHECK_CONTAINS(e, "/nonexistent-mc-dir");
    CHECK_CONTAINS(e, "(server down?)");
    CHECK(!strstr(e, SECRET));
    CHECK(!strchr(e, '\n'));
    free(e);
    e = fetch_error("    conninfo: \"postgresql://bob:" SECRET "@/mc?host=/nonexistent-mc-dir\"\n");
    CHECK_CONTAINS(e, "cannot connect: ");
    CHECK(!strstr(e, SECRET));
    free(e);
    /* a malformed string: libpq quotes a piece of it */
    e = fetch_error("    conninfo: \"host=/x " SECRET "\"\n");
    CHECK_CONTAINS(e, "conninfo is not a valid connection string: ");
    CHECK(!strstr(e, SECRET));
    free(e);
    e = fetch_error("    conninfo: \"postgresql://bob:" SECRET "@h/mc?bogus=1\"\n");
    CHECK_CONTAINS(e, "conninfo is not a valid connection string: ");
    CHECK(!strstr(e, SECRET));
    free(e);
    unsetenv("MC_TEST_NO_SUCH_DB");
    e = fetch_error("    conninfo_env: MC_TEST_NO_SUCH_DB\n");
    CHECK_STR(e, "environment variable MC_TEST_NO_SUCH_DB is not set");
    free(e);
    char *path = xasprintf("conninfo_file: %s/missing", t_tmpdir());
    char *src = xasprintf("    %s\n", path);
    e = fetch_error(src);
    CHECK_CONTAINS(e, "cannot read secret file");
    free(e);
    free(src);
    free(path);
    /* from a secret file, with the password only in the file */
    const char *f = t_write("teamdb", "host=/nonexistent-mc-dir password=" SECRET "\n");
    src = xasprintf("    conninfo_file: %s\n", f);
    e = fetch_error(src);
    CHECK_CONTAINS(e, "cannot connect: ");
    CHECK(!strstr(e, SECRET));
    free(e);
    free(src);
}

static void test_resolve_offline(void)
{
    char *err = NULL;
    Config *c = load("    conninfo: \"host=/nonexistent-mc-dir password=" SECRET "\"\n" Q
                     "    resolve: \"update t set note = $2 where id::text = $1\"\n",
                     &err);
    CHECK(c != NULL);
    if (!c) {
        free(err);
        return;
    }
    const SourceConfig *sc = &c->sources[0];
    ResolveReq req = {.action = "resolve", .key = "7", .note = "hi", .by = "tester",
                      .idempotency_key = "idem-1", .now_ms = now_ms()};
    ResolveOut out = {0};
    CHECK_INT(sc->cls->resolve(NULL, sc, c, &req, &out), RESOLVE_RETRY);
    CHECK_CONTAINS(out.message, "cannot connect");
    CHECK(out.message && !strstr(out.message, SECRET));
    free(out.message);
    req.action = "unresolve";
    out = (ResolveOut){0};
    CHECK_INT(sc->cls->resolve(NULL, sc, c, &req, &out), RESOLVE_UNSUPPORTED);
    free(out.message);
    config_free(c);
}
#endif

static int nudges;
static char nudged[64];

static void on_nudge(void *arg, const char *id)
{
    nudges += *(int *)arg;
    snprintf(nudged, sizeof nudged, "%s", id);
}

static void test_nudge(void)
{
    int step = 1;
    CHECK(!source_nudge_active());
    source_nudge("teamdb"); /* nobody listening: nothing happens */
    source_set_nudge(on_nudge, &step);
    CHECK(source_nudge_active());
    source_nudge("teamdb");
    CHECK_INT(nudges, 1);
    CHECK_STR(nudged, "teamdb");
    source_set_nudge(NULL, NULL);
    source_nudge("teamdb");
    CHECK_INT(nudges, 1);
    CHECK(!source_nudge_active());
}

int main(void)
{
    RUN(test_redact);
    RUN(test_cells);
    RUN(test_config);
#ifdef MC_HAVE_PQ
    RUN(test_connect_errors);
    RUN(test_resolve_offline);
#endif
    RUN(test_nudge);
    return t_done();
}
