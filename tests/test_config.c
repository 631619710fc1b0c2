/* test_config.c — mc.yaml into Config: defaults, every setting, durations,
 * ~ and ${ENV} expansion, retention, and each kind of mistake reported at its
 * exact FILE:LINE:COLUMN; a failed load leaves the previous Config alone; the
 * shipped mc.yaml.example loads. Fixtures live in tests/fixtures/config/. */
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "source.h"
#include "thelp.h"
#include "util.h"

static char fixture_dir[512];

static const char *fixture(const char *name)
{
    static char path[4][700];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 700, "%s/%s", fixture_dir, name);
    return p;
}

/* Loads a fixture that must fail; checks the message is exactly PATH:want. */
static void expect_file_error(const char *name, const char *want)
{
    Config *c = NULL;
    char *err = NULL;
    const char *path = fixture(name);
    CHECK_INT(config_load(path, &c, &err), -1);
    CHECK(c == NULL);
    char *full = xasprintf("%s:%s", path, want);
    CHECK_STR(err, full);
    free(full);
    free(err);
}

/* Same for text in memory, named "t.yaml". */
static void expect_text_error(const char *text, const char *want)
{
    Config *c = NULL;
    char *err = NULL;
    CHECK_INT(config_load_text("t.yaml", text, &c, &err), -1);
    CHECK(c == NULL);
    char *full = xasprintf("t.yaml:%s", want);
    CHECK_STR(err, full);
    free(full);
    free(err);
}

static void set_env(void)
{
    setenv("HOME", "/home/tester", 1);
    setenv("USER", "tester", 1);
    setenv("XDG_CACHE_HOME", "/xdg/cache", 1);
    setenv("XDG_STATE_HOME", "/xdg/state", 1);
    setenv("XDG_CONFIG_HOME", "/xdg/config", 1);
    setenv("MC_TEST_USER", "max", 1);
    setenv("MC_TEST_ROOT", "/srv/mc", 1);
    unsetenv("MC_TEST_UNSET_VAR");
    unsetenv("MC_CONFIG");
}

static void test_defaults(void)
{
    Config *c = NULL;
    char *err = NULL;
    CHECK_INT(config_load(fixture("minimal.yaml"), &c, &err), 0);
    CHECK(err == NULL);
    if (!c)
        return;
    CHECK_STR(c->path, fixture("minimal.yaml"));
    CHECK_STR(c->owner, "Apple");
    CHECK_STR(c->user, "tester");
    CHECK_STR(c->cache_path, "/xdg/cache/mission-control/cache.db");
    CHECK_STR(c->log_path, "/xdg/state/mission-control/mc.log");
    CHECK_STR(c->layout, "default");
    CHECK_STR(c->layouts_dir, "/xdg/config/mission-control/layouts");
    CHECK_STR(c->theme, "auto");
    CHECK_INT(c->workers, 4);
    CHECK_INT(c->snooze_ms, 4 * 3600 * 1000LL);
    CHECK_INT(c->stale_ms, 15 * 60 * 1000LL);
    CHECK_INT(c->retention[DS_ACTIVITY].max_rows, 100000);
    CHECK_INT(c->retention[DS_ACTIVITY].max_age_ms, 90 * 86400 * 1000LL);
    CHECK_INT(c->retention[DS_SYSTEM].max_rows, 2000);
    CHECK_INT(c->retention[DS_SYSTEM].max_age_ms, 7 * 86400 * 1000LL);
    CHECK_INT(c->retention[DS_REVENUE].max_rows, 5000);
    CHECK_INT(c->retention[DS_REVENUE].max_age_ms, 0);
    CHECK_INT(c->retention[DS_BLOCKERS].max_rows, 0);
    CHECK_INT(c->retention[DS_USAGE].max_age_ms, 0);
    CHECK_INT(c->nsources, 0);
    CHECK(c->widgets == NULL && c->keys == NULL && c->prices == NULL);
    CHECK(config_source(c, "host") == NULL);
    config_free(c);

    /* no USER, an empty document, `sources:` with nothing under it */
    unsetenv("USER");
    c = NULL;
    CHECK_INT(config_load_text("t.yaml", "", &c, &err), 0);
    CHECK_STR(c ? c->user : NULL, "unknown");
    config_free(c);
    c = NULL;
    CHECK_INT(config_load_text("t.yaml", "sources:\nwidgets:\n", &c, &err), 0);
    CHECK_INT(c ? c->nsources : -1, 0);
    config_free(c);
    setenv("USER", "tester", 1);
    free(err);
}

static void test_full(void)
{
    Config *c = NULL;
    char *err = NULL;
    CHECK_INT(config_load(fixture("full.yaml"), &c, &err), 0);
    CHECK(err == NULL);
    if (err)
        fprintf(stderr, "  %s\n", err);
    if (!c)
        return;
    CHECK_STR(c->owner, "Max");
    CHECK_STR(c->user, "max");                                 /* ${MC_TEST_USER} */
    CHECK_STR(c->cache_path, "/home/tester/cache/mc.db");      /* ~ */
    CHECK_STR(c->log_path, "/srv/mc/logs/mc.log");             /* ${MC_TEST_ROOT} */
    CHECK_STR(c->layout, "compact");
    CHECK_STR(c->layouts_dir, "/home/tester/my-layouts");
    CHECK_STR(c->theme, "mono");
    CHECK_INT(c->workers, 8);
    CHECK_INT(c->snooze_ms, 30 * 60000);
    CHECK_INT(c->stale_ms, 2 * 60000);
    /* retention: given fields replace the default, others keep it */
    CHECK_INT(c->retention[DS_ACTIVITY].max_rows, 500);
    CHECK_INT(c->retention[DS_ACTIVITY].max_age_ms, 90 * 86400 * 1000LL);
    CHECK_INT(c->retention[DS_SYSTEM].max_rows, 10);
    CHECK_INT(c->retention[DS_SYSTEM].max_age_ms, 86400 * 1000LL);
    CHECK_INT(c->retention[DS_USAGE].max_rows, 0);
    CHECK_INT(c->retention[DS_USAGE].max_age_ms, 30 * 86400 * 1000LL);
    CHECK_INT(c->nsources, 2);
    const SourceConfig *h = config_source(c, "host");
    CHECK(h != NULL);
    if (h) {
        CHECK_STR(h->cls->kind, "system");
        CHECK(h->node == c->doc->items[11]->items[0]);
        CHECK_INT(h->every_ms, 5000);
        CHECK_INT(h->timeout_ms, 1500);
        CHECK(h->jitter == 0.25);
        CHECK_INT(h->backoff_max_ms, 3600000);
        CHECK_INT(h->breaker_after, 3);
        CHECK_INT(h->breaker_open_ms, 90000);
        CHECK_INT(h->rate_per_min, 10);
        CHECK_INT(h->rate_per_hour, 100);
        CHECK(h->feeds == dataset_find("system"));
        CHECK_INT(h->enabled, 0);
    }
    const SourceConfig *b = config_source(c, "host.backup_2");
    CHECK(b != NULL);
    if (b) {   /* the defaults of every common key */
        CHECK_INT(b->every_ms, 45000);   /* a bare number is seconds */
        CHECK_INT(b->timeout_ms, 20000);
        CHECK(b->jitter == 0.1);
        CHECK_INT(b->backoff_max_ms, 600000);
        CHECK_INT(b->breaker_after, 5);
        CHECK_INT(b->breaker_open_ms, 300000);
        CHECK_INT(b->rate_per_min, 0);
        CHECK_INT(b->rate_per_hour, 0);
        CHECK(b->feeds == NULL);
        CHECK_INT(b->enabled, 1);
    }
    CHECK(c->widgets && c->widgets->type == YN_SEQ && c->widgets->n == 2);
    CHECK(c->keys && c->keys->type == YN_MAP);
    CHECK(c->prices && c->prices->n == 2);
    CHECK_STR(ynode_get(ynode_get(c->prices, "sonnet-4.5"), "cache_write")->scalar, "3.75");
    config_free(c);
    free(err);
}

static void test_durations(void)
{
    static const struct { const char *every; int64_t ms; } ok[] = {
        {"100ms", 100}, {"30s", 30000}, {"5m", 300000}, {"1h", 3600000}, {"2d", 172800000}, {"1.5s", 1500},
    };
    for (size_t i = 0; i < MC_ARRAY_LEN(ok); i++) {
        char *text = xasprintf("sources:\n  - {id: h, kind: system, every: %s}\n", ok[i].every);
        Config *c = NULL;
        char *err = NULL;
        CHECK_INT(config_load_text("t.yaml", text, &c, &err), 0);
        CHECK_INT(c ? c->sources[0].every_ms : -1, ok[i].ms);
        config_free(c);
        free(err);
        free(text);
    }
    expect_text_error("sources:\n  - {id: h, kind: system, every: 50ms}\n", "2:34: 'every' must be at least 100ms");
    expect_text_error("sources:\n  - {id: h, kind: system, timeout: -1s}\n",
                      "2:36: 'timeout' must be a duration like 30s, 5m, 1h (got '-1s')");
    expect_text_error("snooze: [1h]\n", "1:9: 'snooze' must be a duration like 30s, 5m, 1h, not a list");
    expect_text_error("stale_after: 10 minutes\n",
                      "1:14: 'stale_after' must be a duration like 30s, 5m, 1h (got '10 minutes')");
}

static void test_file_errors(void)
{
    char *kinds = xasprintf("3:11: unknown source kind 'telepathy' (known: %s)", source_kinds());
    char *feeds = xasprintf("4:12: unknown dataset 'money' in 'feeds' (known: %s)", dataset_names());
    expect_file_error("bad_unknown_top.yaml",
                      "2:1: unknown key 'colour' (known: owner, user, cache, log, layout, layouts_dir, theme, "
                      "workers, snooze, stale_after, retention, sources, widgets, keys, prices, serve, backup, "
                      "year_start, alerts, brief)");
    Config *c = NULL;
    char *err = NULL;
    const char *p = fixture("bad_unknown_source_key.yaml");
    CHECK_INT(config_load(p, &c, &err), -1);
    char *want = xasprintf("%s:4:5: unknown key 'colour' in source", p);
    CHECK(err && strncmp(err, want, strlen(want)) == 0);
    CHECK_CONTAINS(err, "(known: id, kind, every, timeout,");
    free(want);
    free(err);
    expect_file_error("bad_sources_map.yaml", "3:3: 'sources' must be a list of sources (- id: ...), not a map");
    expect_file_error("bad_missing_id.yaml", "4:5: missing required key 'id'");
    expect_file_error("bad_missing_kind.yaml", "2:5: missing required key 'kind'");
    expect_file_error("bad_unknown_kind.yaml", kinds);
    expect_file_error("bad_duplicate_id.yaml", "6:9: duplicate source id 'host' (first at line 2)");
    expect_file_error("bad_duration.yaml", "4:12: 'every' must be a duration like 30s, 5m, 1h (got 'soon')");
    expect_file_error("bad_feeds.yaml", feeds);
    expect_file_error("bad_env.yaml", "2:8: environment variable MC_TEST_UNSET_VAR is not set");
    expect_file_error("bad_syntax.yaml", "4:10: mapping values are not allowed in this context");
    expect_file_error("bad_duplicate_key.yaml", "6:5: duplicate key 'every' (first at line 5)");
    free(kinds);
    free(feeds);
    /* a file that is not there names the file */
    c = NULL;
    err = NULL;
    CHECK_INT(config_load(fixture("absent.yaml"), &c, &err), -1);
    CHECK_CONTAINS(err, "absent.yaml: No such file");
    free(err);
}

static void test_text_errors(void)
{
    char *names = xasprintf("3:3: unknown dataset 'money' in retention (known: %s)", dataset_names());
    expect_text_error("- a\n- b\n", "1:1: the config must be a map of settings (owner: ..., sources: ...), not a list");
    expect_text_error("workers: 40\n", "1:10: 'workers' must be an integer from 1 to 16 (got '40')");
    expect_text_error("theme: neon\n", "1:8: 'theme' must be one of auto, 256, 8, mono (got 'neon')");
    expect_text_error("owner: \"\"\n", "1:8: 'owner' must not be empty");
    expect_text_error("owner: {a: 1}\n", "1:8: 'owner' must be a string, not a map");
    expect_text_error("widgets: {type: revenue}\n",
                      "1:10: 'widgets' must be a list of widgets (- type: ...), not a map");
    expect_text_error("keys: [q]\n", "1:7: 'keys' must be a map of key bindings, not a list");
    expect_text_error("retention:\n  activity: {rows: 5}\n  money: {rows: 5}\n", names);
    expect_text_error("retention:\n  activity: {rows: lots}\n",
                      "2:20: 'rows' must be an integer of at least 0 (got 'lots')");
    expect_text_error("retention:\n  activity: {rows: 5, max: 3}\n",
                      "2:23: unknown key 'max' in retention of 'activity' (known: rows, age, archive)");
    expect_text_error("retention:\n  activity: 5\n",
                      "2:13: retention of 'activity' must be a map of key: value settings");
    expect_text_error("prices:\n  opus: {input: 15, output: cheap}\n",
                      "2:29: 'output' must be a number (got 'cheap')");
    expect_text_error("prices:\n  opus: {input: -1}\n", "2:17: 'input' must not be negative");
    expect_text_error("prices:\n  opus: {inptu: 1}\n",
                      "2:10: unknown key 'inptu' in prices of 'opus', did you mean 'input'? "
                      "(known: input, output, cache_read, cache_write)");
    expect_text_error("sources:\n  - host\n", "2:5: each source must be a map with at least 'id' and 'kind', not a single value");
    expect_text_error("sources:\n  - {id: \"my host\", kind: system}\n",
                      "2:10: source id 'my host' may only have letters, digits, '_', '.' and '-' (at most 64)");
    expect_text_error("sources:\n  - {id: \"\", kind: system}\n", "2:10: 'id' must not be empty");
    expect_text_error("sources:\n  - {id: h, kind: system, jitter: 1.5}\n",
                      "2:35: 'jitter' must be from 0 to 1 (a fraction of 'every')");
    /* with feeds: too (fuzz_config: the feeds string leaked; ASan's leak check) */
    expect_text_error("sources:\n  - {id: h, kind: command, command: [x], feeds: agents, jitter: 5.1}\n",
                      "2:65: 'jitter' must be from 0 to 1 (a fraction of 'every')");
    expect_text_error("sources:\n  - {id: h, kind: system, enabled: \"no\"}\n",
                      "2:36: 'enabled' must be true or false without quotes (got the string 'no')");
    expect_text_error("sources:\n  - {id: h, kind: system, breaker_after: 0}\n",
                      "2:42: 'breaker_after' must be an integer from 1 to 1000 (got '0')");
    expect_text_error("sources:\n  - {id: h, kind: [system]}\n", "2:19: 'kind' must be a string, not a list");
    expect_text_error("workers: 2\nworkers: 3\n", "2:1: duplicate key 'workers' (first at line 1)");
    free(names);
}

/* A failed (re)load returns -1 and leaves the caller's Config as it was. */
static void test_failed_reload_keeps_old(void)
{
    Config *c = NULL, *before;
    char *err = NULL;
    CHECK_INT(config_load(fixture("full.yaml"), &c, &err), 0);
    before = c;
    CHECK_INT(config_load(fixture("bad_duplicate_id.yaml"), &c, &err), -1);
    CHECK(c == before);
    CHECK_INT(config_load(fixture("bad_syntax.yaml"), &c, &err), -1);
    CHECK_INT(config_load_text("t.yaml", "owner: Zed\nworkers: 99\n", &c, &err), -1);
    CHECK(c == before);
    if (c) {   /* still whole: ASan would see a use after free here */
        CHECK_STR(c->owner, "Max");
        CHECK_INT(c->nsources, 2);
        CHECK_STR(config_source(c, "host")->id, "host");
        CHECK_STR(ynode_get(c->doc, "owner")->scalar, "Max");
    }
    config_free(c);
    free(err);
}

static void test_default_path(void)
{
    char *p = config_default_path("/etc/mc-special.yaml");
    CHECK_STR(p, "/etc/mc-special.yaml");
    free(p);
    setenv("MC_CONFIG", "/from/env.yaml", 1);
    p = config_default_path(NULL);
    CHECK_STR(p, "/from/env.yaml");
    free(p);
    p = config_default_path("cli.yaml");   /* -c beats $MC_CONFIG */
    CHECK_STR(p, "cli.yaml");
    free(p);
    setenv("MC_CONFIG", "", 1);
    p = config_default_path(NULL);
    CHECK_STR(p, "/xdg/config/mission-control/mc.yaml");
    free(p);
    unsetenv("MC_CONFIG");
    unsetenv("XDG_CONFIG_HOME");
    p = config_default_path(NULL);
    CHECK_STR(p, "/home/tester/.config/mission-control/mc.yaml");   /* never ~/.config/mc/ */
    free(p);
    setenv("XDG_CONFIG_HOME", "/xdg/config", 1);
}

/* The shipped example must load as it is. */
static void test_example_loads(void)
{
    const char *src = getenv("MC_SRC_DIR");
    CHECK(src != NULL);
    if (!src)
        return;
    /* the variables the example's sources refer to */
    setenv("CONVEX_URL", "https://example.convex.cloud", 1);
    setenv("SUPABASE_URL", "https://example.supabase.co", 1);
    setenv("TEAMDB_URL", "postgres://localhost/team", 1);
    setenv("OPS_TOKEN", "not-a-secret", 1);
    char *path = xasprintf("%s/mc.yaml.example", src);
    Config *c = NULL;
    char *err = NULL;
    CHECK_INT(config_load(path, &c, &err), 0);
    CHECK(err == NULL);
    if (err)
        fprintf(stderr, "  %s\n", err);
    if (c) {
        CHECK(c->nsources >= 1);
        CHECK(config_source(c, "host") != NULL);
        CHECK(c->widgets != NULL);
        CHECK(c->prices != NULL);
    }
    config_free(c);
    free(err);
    free(path);
}

int main(void)
{
    const char *tests = getenv("MC_TESTS_DIR");
    snprintf(fixture_dir, sizeof fixture_dir, "%s/fixtures/config", tests ? tests : "tests");
    set_env();
    RUN(test_defaults);
    RUN(test_full);
    RUN(test_durations);
    RUN(test_file_errors);
    RUN(test_text_errors);
    RUN(test_failed_reload_keeps_old);
    RUN(test_default_path);
    RUN(test_example_loads);
    return t_done();
}
