/* test_json_file.c — the json_file source kind: the default field maps of
 * projects, agents and revenue, globs, custom mappings, unchanged files,
 * and bad documents failing with path:line:column while the rows stay. */
#include <sys/time.h>
#include "fixtures/files/harness.h"

static int setup(Harness *h, const char *path, const char *extra)
{
    char *y = xasprintf("sources:\n  - id: docs\n    kind: json_file\n    path: %s\n%s", path,
                        extra ? extra : "");
    int rc = h_setup(h, y);
    free(y);
    return rc;
}

static void put(const char *path, const char *text)
{
    h_write(path, text, strlen(text));
}

/* Moves the file's mtime by `sec` so a same-size rewrite is seen as new. */
static void touch_by(const char *path, int sec)
{
    struct stat st;
    stat(path, &st);
    struct timeval tv[2] = {{st.st_atime, 0}, {st.st_mtime + sec, 0}};
    utimes(path, tv);
}

static void test_projects(void)
{
    Harness h;
    char *path = h_fixture("projects.json", "projects.json");
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK(h.err == NULL);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM projects WHERE source = 'docs'"), 3);
    CHECK_Q(&h, "SELECT name || '|' || status || '|' || owner || '|' || updated_at FROM projects"
                " WHERE key = 'p-07'", "Sponsor portal|active|max|2026-11-20T17:00:00Z");
    /* unknown status kept, epoch time converted, escape bytes are data, owner absent */
    CHECK_Q(&h, "SELECT name || '|' || status || '|' || updated_at FROM projects WHERE key = 'p-08'",
            "Revenue \x1b[31mdash\x1b[0m|on-fire|2025-11-21T09:20:00Z");
    CHECK_Q(&h, "SELECT owner FROM projects WHERE key = 'p-08'", NULL);
    CHECK_Q(&h, "SELECT status FROM projects WHERE name = 'No id'", "planning");
    /* unchanged: nothing read */
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h.not_modified, 1);
    /* same size, new content, new mtime: read again */
    size_t n = 0;
    char *text = h_slurp(path, &n);
    memcpy(strstr(text, "active"), "paused", 6);
    h_write(path, text, n);
    touch_by(path, 5);
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h.not_modified, 0);
    CHECK_Q(&h, "SELECT status FROM projects WHERE key = 'p-07'", "paused");
    /* an item removed from the file goes from the cache (replace) */
    put(path, "[{\"id\":\"p-07\",\"name\":\"Sponsor portal\",\"status\":\"done\"}]");
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM projects"), 1);
    free(text);
    h_teardown(&h);
    free(path);
}

static void test_bad_documents_keep_rows(void)
{
    Harness h;
    char *path = h_fixture("projects.json", "bad.json");
    if (setup(&h, path, NULL) != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    char *want = NULL;
    put(path, "[{\"id\":\"p-07\",\n  \"name\": \"x\",,\n}]\n");
    CHECK_INT(h_fetch(&h), -1);
    want = xasprintf("%s:2:16: invalid JSON near '  \"name\": \"x\",,'", path);
    CHECK_CONTAINS(h.err, want);
    free(want);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM projects"), 3);
    /* cut short (a half-written save) */
    put(path, "[{\"id\":\"p-07\",\"name\":\"Spon");
    CHECK_INT(h_fetch(&h), -1);
    CHECK_CONTAINS(h.err, "bad.json:1:23: invalid JSON near '");
    CHECK_CONTAINS(h.err, "Spon'");
    /* trailing garbage, empty file, the wrong shape */
    put(path, "[]\n]");
    CHECK_INT(h_fetch(&h), -1);
    want = xasprintf("%s:2:1:", path);
    CHECK_CONTAINS(h.err, want);
    free(want);
    put(path, "  \n");
    CHECK_INT(h_fetch(&h), -1);
    CHECK_CONTAINS(h.err, "empty file");
    CHECK_INT(h_int(&h, "SELECT count(*) FROM projects"), 3);
    /* a BOM is not an error */
    put(path, "\xEF\xBB\xBF[{\"id\":\"b\",\"name\":\"bom\"}]");
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, "SELECT name FROM projects", "bom");
    h_teardown(&h);
    /* bigger than max_bytes */
    if (setup(&h, path, "    max_bytes: 16\n") == 0) {
        CHECK_INT(h_fetch(&h), -1);
        CHECK_CONTAINS(h.err, "bad.json");
        h_teardown(&h);
    }
    free(path);
}

static void test_agents_glob(void)
{
    Harness h;
    char *dir = xasprintf("%s/agents", t_tmpdir());
    const char *agents[] = {"coder", "max"};
    for (int i = 0; i < 2; i++) {
        char *d = xasprintf("%s/%s", dir, agents[i]);
        mkdir_p(d, 0755);
        char *f = xasprintf("%s/state.json", d);
        char *j = xasprintf("{\"agent\":\"%s\",\"status\":\"working\",\"task\":\"build_api\","
                            "\"heartbeat\":\"2026-11-21T09:30:00Z\",\"model\":\"sonnet-4.5\"}", agents[i]);
        put(f, j);
        free(j);
        free(f);
        free(d);
    }
    char *glob = xasprintf("%s/*/state.json", dir);
    if (setup(&h, glob, "    feeds: agents\n") != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM agents"), 2);
    CHECK_Q(&h, "SELECT agent_id || '|' || status || '|' || current_task || '|' || last_seen || '|' || model"
                " FROM agents WHERE key = 'max'", "max|working|build_api|2026-11-21T09:30:00Z|sonnet-4.5");
    char *w = h.sc->cls->watch_path(h.sc);
    CHECK_STR(w, dir);
    free(w);
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h.not_modified, 1);
    /* one agent's file broken: the fetch fails naming it, nothing is lost */
    char *f = xasprintf("%s/coder/state.json", dir);
    put(f, "{\"agent\":");
    CHECK_INT(h_fetch(&h), -1);
    CHECK_CONTAINS(h.err, f);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM agents"), 2);
    free(f);
    h_teardown(&h);
    char *none = xasprintf("%s/*/nothing.json", dir);
    if (setup(&h, none, "    feeds: agents\n") == 0) {
        CHECK_INT(h_fetch(&h), -1);
        CHECK_CONTAINS(h.err, "no file matches");
        h_teardown(&h);
    }
    free(none);
    free(glob);
    free(dir);
}

static void test_revenue_and_custom_mapping(void)
{
    Harness h;
    char *path = xasprintf("%s/revenue.json", t_tmpdir());
    put(path, "{\"snapshotDate\":\"2026-11-21\",\"totalYtdUsd\":123456.78,\"projectedAnnualUsd\":150000,"
              "\"streams\":[{\"name\":\"AdsByMoney\",\"ytd_usd\":1840.22}]}");
    if (setup(&h, path, "    feeds: revenue\n") != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, "SELECT snapshot_date || '|' || total_ytd_usd || '|' || projected_annual_usd FROM revenue",
            "2026-11-21|123456.78|150000.0");
    CHECK_Q(&h, "SELECT streams FROM revenue", "[{\"name\":\"AdsByMoney\",\"ytd_usd\":1840.22}]");
    h_teardown(&h);
    /* the manual revenue file, mapped by hand into projects */
    char *manual = xasprintf("%s/manual.json", t_tmpdir());
    put(manual, "{\"entries\":[{\"stream\":\"AdsByMoney\",\"month\":\"2026-10\",\"usd\":1840.22},"
                "{\"stream\":\"MSN\",\"month\":\"2026-10\",\"usd\":912.00}]}");
    if (setup(&h, manual, "    items: $.entries[*]\n    fields: {key: stream, name: month}\n"
                          "    set: {status: manual}\n") == 0) {
        CHECK_INT(h_fetch(&h), 0);
        CHECK_INT(h_int(&h, "SELECT count(*) FROM projects"), 2);
        CHECK_Q(&h, "SELECT name || '|' || status FROM projects WHERE key = 'MSN'", "2026-10|manual");
        h_teardown(&h);
    }
    free(manual);
    free(path);
}

static void test_config_errors(void)
{
    Config *c = NULL;
    char *err = NULL;
    CHECK(config_load_text("t.yaml", "sources:\n  - id: d\n    kind: json_file\n    path: /x\n"
                           "    fields: {bogus: a}\n", &c, &err) != 0);
    CHECK_CONTAINS(err, "t.yaml:5:14");
    CHECK_CONTAINS(err, "bogus");
    free(err);
    err = NULL;
    CHECK(config_load_text("t.yaml", "sources:\n  - id: d\n    kind: json_file\n    path: /x\n"
                           "    max_bytes: 10 parsecs\n", &c, &err) != 0);
    CHECK_CONTAINS(err, "t.yaml:5:16");
    free(err);
    err = NULL;
    CHECK(config_load_text("t.yaml", "sources:\n  - id: d\n    kind: json_file\n    url: /x\n", &c, &err) != 0);
    CHECK_CONTAINS(err, "t.yaml:4:5");
    free(err);
    Harness h;
    char *path = xasprintf("%s/missing.json", t_tmpdir());
    if (setup(&h, path, NULL) == 0) {
        CHECK_INT(h_fetch(&h), -1);
        CHECK_CONTAINS(h.err, "missing.json");
        h_teardown(&h);
    }
    free(path);
}

int main(void)
{
    RUN(test_projects);
    RUN(test_bad_documents_keep_rows);
    RUN(test_agents_glob);
    RUN(test_revenue_and_custom_mapping);
    RUN(test_config_errors);
    return t_done();
}
