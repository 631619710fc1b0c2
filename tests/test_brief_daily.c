/* test_brief_daily.c — when the daemon's daily brief is queued
 * (brief_daily_tick, src/brief_daily.c), with an injected clock: nothing
 * before brief.at in brief.tz, the brief at the first tick past it (keyed by
 * the local date, which differs from the UTC date in the evening in
 * Chicago), nothing more that local day, even from a fresh BriefDaily (a
 * restarted daemon), and the next local day's brief after midnight there.
 * Summer and winter offsets both. The rows are only queued here (no engine):
 * their idempotency key, target and payload are checked in the outbox. */
#include "thelp.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../src/brief_daily.h"
#include "../src/util.h"

static Config *cfg;

static int64_t at(const char *iso)
{
    int64_t t = 0;
    CHECK(time_parse_iso(iso, &t) == 0);
    return t;
}

/* The idempotency keys of the queued notify rows, joined by spaces. */
static char *keys(void)
{
    Cache *c = NULL;
    Buf b = {0};
    buf_puts(&b, "");
    if (cache_open(cfg->cache_path, &c, NULL, NULL) != 0)
        return buf_steal(&b);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(cache_db(c), "SELECT idempotency_key FROM outbox WHERE action = 'notify'"
                           " ORDER BY id", -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW)
            buf_printf(&b, "%s%s", b.len ? " " : "", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    cache_close(c);
    return buf_steal(&b);
}

static void expect(BriefDaily *d, const char *now, int want, const char *want_keys)
{
    char *err = NULL;
    int got = brief_daily_tick(d, cfg, at(now), &err);
    if (got != want)
        fprintf(stderr, "  at %s: %d (%s)\n", now, got, err ? err : "");
    CHECK_INT(got, want);
    char *k = keys();
    CHECK_STR(k, want_keys);
    free(k);
    free(err);
}

static void test_schedule(void)
{
    if (access("/usr/share/zoneinfo/America/Chicago", R_OK) != 0) {
        t_skip("no tz database");
        return;
    }
    char *text = xasprintf("cache: %s/daily.db\nlog: %s/mc.log\nsources: []\n"
                           "brief:\n  at: \"07:00\"\n  tz: America/Chicago\n  notify:\n"
                           "    - {kind: command, name: mail, argv: [cat]}\n", t_tmpdir(), t_tmpdir());
    char *err = NULL;
    CHECK(config_load_text("daily.yaml", text, &cfg, &err) == 0);
    free(text);
    free(err);
    if (!cfg)
        return;
    BriefDaily d = {0};
    /* winter: Chicago is UTC-6, 07:00 there is 13:00 UTC */
    expect(&d, "2026-12-01T12:59:00Z", 0, "");
    expect(&d, "2026-12-01T13:00:30Z", 1, "brief-2026-12-01-mail");
    expect(&d, "2026-12-01T13:01:00Z", 0, "brief-2026-12-01-mail");
    /* 23:30 local on Dec 1 is 05:30 UTC on Dec 2: still Dec 1 there */
    expect(&d, "2026-12-02T05:30:00Z", 0, "brief-2026-12-01-mail");
    brief_daily_close(&d);
    /* a restarted daemon the same local day: queued already, nothing new */
    BriefDaily again = {0};
    expect(&again, "2026-12-01T20:00:00Z", 0, "brief-2026-12-01-mail");
    CHECK(again.already);
    /* after local midnight but before 07:00 local: nothing yet */
    expect(&again, "2026-12-02T12:00:00Z", 0, "brief-2026-12-01-mail");
    expect(&again, "2026-12-02T13:00:00Z", 1, "brief-2026-12-01-mail brief-2026-12-02-mail");
    /* summer: UTC-5, 07:00 there is 12:00 UTC */
    expect(&again, "2027-07-01T11:59:00Z", 0, "brief-2026-12-01-mail brief-2026-12-02-mail");
    expect(&again, "2027-07-01T12:00:00Z", 1,
           "brief-2026-12-01-mail brief-2026-12-02-mail brief-2027-07-01-mail");
    brief_daily_close(&again);

    /* the payload: the brief as markdown text and JSON */
    Cache *c = NULL;
    CHECK(cache_open(cfg->cache_path, &c, NULL, NULL) == 0);
    const char *note = t_cell(c, "outbox", "alerts", "brief-2026-12-01", "note");
    CHECK_CONTAINS(note, "\"kind\":\"brief\"");
    CHECK_CONTAINS(note, "\"date\":\"2026-12-01\"");
    CHECK_CONTAINS(note, "# Brief for Apple");
    CHECK_CONTAINS(note, "\"brief\":{\"generated_at\":\"2026-12-01T13:00:30Z\"");
    cache_close(c);
    config_free(cfg);
    cfg = NULL;
}

static void test_not_configured(void)
{
    Config *c = NULL;
    char *err = NULL, *text = xasprintf("cache: %s/none.db\nsources: []\n", t_tmpdir());
    CHECK(config_load_text("none.yaml", text, &c, &err) == 0);
    BriefDaily d = {0};
    if (c) {
        CHECK_INT(brief_daily_tick(&d, c, at("2026-12-01T23:00:00Z"), &err), 0);
        CHECK(d.cache == NULL);                 /* not even a connection */
        CHECK_INT(brief_daily_check(c, &err), 0);
    }
    brief_daily_close(&d);
    config_free(c);
    free(text);
    /* at: set but no target anywhere: nothing queued, and not "already queued" */
    text = xasprintf("cache: %s/none.db\nsources: []\nbrief: {at: \"07:00\"}\n", t_tmpdir());
    c = NULL;
    CHECK(config_load_text("none.yaml", text, &c, &err) == 0);
    BriefDaily e = {0};
    if (c) {
        CHECK_INT(brief_daily_tick(&e, c, at("2026-12-01T08:00:00Z"), &err), 0);
        CHECK(!e.already && e.cache == NULL);
    }
    brief_daily_close(&e);
    config_free(c);
    free(text);
    free(err);
}

int main(void)
{
    RUN(test_schedule);
    RUN(test_not_configured);
    return t_done();
}
