/* test_actions.c — what the blockers pane's keys do, below the screen:
 * resolve goes through the outbox, undo cancels a pending resolve or
 * unresolves a delivered one, snooze hides an item until it expires, and a
 * bulk resolve of 50 marked items ticks exactly those 50 boxes. */
#include "thelp.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "../src/cache.h"
#include "../src/config.h"
#include "../src/engine.h"
#include "../src/outbox.h"
#include "../src/ui/actions.h"
#include "../src/ui/widget.h"

extern const WidgetClass blockers_widget;

static Config *cfg;
static Cache *cache;
static char md_path[512];
static char *md_original;

static int64_t q_int(const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(cache_db(cache), sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

/* Keys of the open markdown blockers, in file order (by description). */
static int open_keys(char keys[][64], int max)
{
    sqlite3_stmt *st;
    int n = 0;
    sqlite3_prepare_v2(cache_db(cache),
                       "SELECT key FROM blockers WHERE source = 'pending' AND resolved = 0"
                       " ORDER BY description", -1, &st, NULL);
    while (n < max && sqlite3_step(st) == SQLITE_ROW)
        snprintf(keys[n++], 64, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return n;
}

/* One run of every source of CF; a failure fails the test. */
static void fetch_once(Config *cf)
{
    char *err = NULL;
    EngineOpts eo = {.workers = 1, .wake_fd = -1, .watch = 0, .only_source = NULL};
    Engine *e = engine_new(cf, &eo, &err);
    CHECK(e != NULL);
    if (e)
        CHECK_INT(engine_run_once(e, NULL, 0, &err), 0);
    engine_free(e);
    free(err);
}

static void fetch_all(void)
{
    fetch_once(cfg);
}

/* A test's own config (YAML, named NAME) and cache, fetched once. 0 when
 * both opened; otherwise the test fails and -1. */
static int open_fetched(const char *name, const char *yaml, Config **cf, Cache **c)
{
    char *err = NULL;
    *cf = NULL;
    *c = NULL;
    if (config_load_text(name, yaml, cf, &err) != 0 ||
        cache_open((*cf)->cache_path, c, NULL, &err) != 0) {
        fprintf(stderr, "setup: %s\n", err);
        CHECK(0);
        free(err);
        return -1;
    }
    fetch_once(*cf);
    return 0;
}

static void setup(void)
{
    char text[8192];
    int off = snprintf(text, sizeof text, "# Pending\n\n## Ops\n");
    for (int i = 0; i < 60; i++)
        off += snprintf(text + off, sizeof text - (size_t)off, "- [ ] task %02d BLOCKED: needs Apple\n", i);
    snprintf(md_path, sizeof md_path, "%s", t_write("pending-work.md", text));
    md_original = strdup(text);
    const char *handoffs = t_write("handoffs.jsonl",
        "{\"id\":\"h-1\",\"ts\":\"2026-11-21T09:14:03Z\",\"from\":\"max\",\"to\":\"apple\","
        "\"type\":\"blocker\",\"summary\":\"Vercel token returns 403\",\"action_needed\":true}\n");
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "owner: Apple\nuser: tester\ncache: %s/cache.db\nsnooze: 1h\n"
             "sources:\n"
             "  - {id: pending, kind: markdown_tasks, path: %s}\n"
             "  - {id: handoffs, kind: jsonl, path: %s}\n"
             "  - {id: ops, kind: http_json, url: 'http://127.0.0.1:1/x', feeds: blockers,"
             " resolve: {url: 'http://127.0.0.1:1/r/{key}'}, enabled: false}\n"
             "  - {id: feed, kind: http_json, url: 'http://127.0.0.1:1/y', feeds: blockers,"
             " enabled: false}\n",
             t_tmpdir(), md_path, handoffs);
    char *err = NULL;
    if (config_load_text("test.yaml", yaml, &cfg, &err) != 0 ||
        cache_open(cfg->cache_path, &cache, NULL, &err) != 0) {
        fprintf(stderr, "setup: %s\n", err);
        exit(2);
    }
    fetch_all();
}

static void test_undo_before_delivery(void)
{
    /* a blocker of a source that is down: the resolve stays pending */
    Rows *r = rows_new(dataset_get(DS_BLOCKERS));
    int row = rows_add(r);
    rows_set_text(r, row, 1, "ops-1");
    rows_set_text(r, row, dataset_field(r->ds, "description"), "remote blocker");
    char *err = NULL, *msg = NULL;
    CHECK_INT(cache_put_rows(cache, "ops", r, CACHE_MERGE, &err), 0);
    rows_free(r);
    CHECK_INT(ui_action_resolve(cache, cfg, "ops", "ops-1", "", &msg), 0);
    CHECK_INT(q_int("SELECT count(*) FROM blockers WHERE key='ops-1' AND state='resolving'"), 1);
    outbox_deliver_due(cache, cfg, NULL);       /* fails to connect: retry later */
    CHECK_INT(q_int("SELECT count(*) FROM outbox WHERE key='ops-1' AND state='pending'"), 1);
    CHECK_INT(ui_action_undo(cache, cfg, &msg), 0);
    CHECK_CONTAINS(msg, "not delivered yet");
    CHECK_INT(q_int("SELECT count(*) FROM outbox WHERE key='ops-1' AND state='cancelled'"), 1);
    CHECK_INT(q_int("SELECT count(*) FROM blockers WHERE key='ops-1' AND state='open'"), 1);
    /* a cancelled row is never delivered, and undo does not find it again */
    CHECK_INT(q_int("SELECT count(*) FROM outbox WHERE state='pending'"), 0);
    CHECK(ui_action_undo(cache, cfg, &msg) != 0 || strstr(msg, "ops-1") == NULL);
    CHECK_INT(q_int("SELECT count(*) FROM audit WHERE action='undo' AND target='ops:ops-1'"), 1);
    free(msg);
    free(err);
}

static void test_undo_after_delivery(void)
{
    char keys[64][64];
    char *msg = NULL;
    CHECK(open_keys(keys, 64) == 60);
    CHECK_INT(ui_action_resolve(cache, cfg, "pending", keys[0], "", &msg), 0);
    outbox_deliver_due(cache, cfg, NULL);
    CHECK_INT(q_int("SELECT count(*) FROM outbox WHERE state='delivered'"), 1);
    char *text = NULL;
    size_t len;
    file_read_all(md_path, 1 << 20, &text, &len, NULL);
    CHECK(strstr(text, "- [x] task 00 BLOCKED") != NULL);
    free(text);
    CHECK_INT(ui_action_undo(cache, cfg, &msg), 0);
    CHECK_CONTAINS(msg, "unresolving");
    outbox_deliver_due(cache, cfg, NULL);
    file_read_all(md_path, 1 << 20, &text, &len, NULL);
    CHECK_STR(text, md_original);               /* back, byte for byte */
    free(text);
    fetch_all();
    CHECK_INT(q_int("SELECT count(*) FROM blockers WHERE source='pending' AND resolved=0"), 60);
    free(msg);
}

/* A handoffs file takes resolutions only: undoing a delivered one is refused
 * at once, with the reason, and nothing is queued. */
static void test_undo_unsupported(void)
{
    char *msg = NULL;
    CHECK_INT(ui_action_resolve(cache, cfg, "handoffs", "h-1", "", &msg), 0);
    outbox_deliver_due(cache, cfg, NULL);
    CHECK_INT(q_int("SELECT count(*) FROM outbox WHERE source='handoffs' AND state='delivered'"), 1);
    int64_t before = q_int("SELECT count(*) FROM outbox");
    CHECK_INT(ui_action_undo(cache, cfg, &msg), -1);
    CHECK_CONTAINS(msg, "cannot unresolve");
    CHECK_INT(q_int("SELECT count(*) FROM outbox"), before);
    CHECK_INT(q_int("SELECT resolved FROM blockers WHERE source='handoffs' AND key='h-1'"), 1);
    /* a source with no write-back configured is refused when queuing */
    CHECK_INT(ui_action_resolve(cache, cfg, "feed", "f-1", "", &msg), -1);
    CHECK_CONTAINS(msg, "no write-back configured");
    CHECK_INT(q_int("SELECT count(*) FROM outbox"), before);
    free(msg);
}

static void test_snooze(void)
{
    char keys[64][64];
    char *msg = NULL;
    open_keys(keys, 64);
    CHECK_INT(ui_action_snooze(cache, cfg, "pending", keys[5], &msg), 0);
    CHECK_CONTAINS(msg, "snoozed");
    /* hidden until then (what the pane's query filters on), nothing written */
    CHECK(q_int("SELECT until_ms FROM snooze WHERE key IN (SELECT key FROM blockers"
                " WHERE description LIKE 'task 05%')") > now_ms() + 3500 * 1000LL);
    char *text = NULL;
    size_t len;
    file_read_all(md_path, 1 << 20, &text, &len, NULL);
    CHECK_STR(text, md_original);
    free(text);
    /* expiry: once until_ms has passed, the open-and-not-snoozed query has it again */
    const char *visible = "SELECT count(*) FROM blockers b LEFT JOIN snooze s ON s.source = b.source"
                          " AND s.key = b.key WHERE b.resolved = 0 AND b.source = 'pending'"
                          " AND (s.until_ms IS NULL OR s.until_ms <= CAST(strftime('%s','now') AS INTEGER) * 1000)";
    CHECK_INT(q_int(visible), 59);
    sqlite3_exec(cache_db(cache), "UPDATE snooze SET until_ms = 1000", NULL, NULL, NULL);
    CHECK_INT(q_int(visible), 60);
    CHECK_INT(q_int("SELECT count(*) FROM audit WHERE action='snooze'"), 1);
    free(msg);
}

static void test_bulk_resolve(void)
{
    char keys[64][64];
    char *msg = NULL;
    CHECK_INT(open_keys(keys, 64), 60);
    for (int i = 10; i < 60; i++)
        CHECK_INT(ui_action_resolve(cache, cfg, "pending", keys[i], "", &msg), 0);
    CHECK_INT(q_int("SELECT count(*) FROM blockers WHERE state='resolving'"), 50);
    outbox_deliver_due(cache, cfg, NULL);
    CHECK_INT(q_int("SELECT count(*) FROM outbox WHERE source='pending' AND action='resolve'"
                    " AND state='delivered'"), 51);
    char *text = NULL;
    size_t len;
    file_read_all(md_path, 1 << 20, &text, &len, NULL);
    /* exactly the 50 boxes changed, every other byte the same */
    CHECK_INT(strlen(text), strlen(md_original));
    int diffs = 0, bad = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] != md_original[i]) {
            diffs++;
            bad += !(md_original[i] == ' ' && text[i] == 'x');
        }
    CHECK_INT(diffs, 50);
    CHECK_INT(bad, 0);
    CHECK(strstr(text, "- [ ] task 09 BLOCKED") && strstr(text, "- [x] task 10 BLOCKED") &&
          strstr(text, "- [x] task 59 BLOCKED"));
    free(text);
    free(msg);
}

/* ---- delivery checks the line the user saw (issue 8 item 3) ---------- */

static char *q_text_in(Cache *c, const char *sql)
{
    sqlite3_stmt *st;
    char *v = NULL;
    if (sqlite3_prepare_v2(cache_db(c), sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            v = strdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    return v;
}

static char *slurp_md(const char *path)
{
    char *text = NULL;
    size_t len;
    if (file_read_all(path, 1 << 20, &text, &len, NULL) != 0)
        return NULL;
    return text;
}

/* Resolves the item whose description starts with `desc` through the
 * outbox (queued, then delivered with a fresh runtime, as mc does) after
 * the file was changed to `edited`; the delivery must fail with `why` and
 * leave the file as it is. */
static void resolve_after_edit(Cache *c, const Config *cf, const char *path, const char *desc,
                               const char *edited, const char *why)
{
    char sql[300], *msg = NULL;
    snprintf(sql, sizeof sql, "SELECT key FROM blockers WHERE source = 'work' AND description LIKE '%s%%'", desc);
    char *key = q_text_in(c, sql);
    CHECK(key != NULL);
    if (!key)
        return;
    int fd = open(path, O_WRONLY | O_TRUNC);
    CHECK(fd >= 0 && write(fd, edited, strlen(edited)) == (ssize_t)strlen(edited));
    close(fd);
    CHECK_INT(ui_action_resolve(c, cf, "work", key, "", &msg), 0);
    free(msg);
    outbox_deliver_due(c, cf, NULL);
    char *text = slurp_md(path);
    CHECK_STR(text, edited);                    /* nothing written */
    free(text);
    snprintf(sql, sizeof sql, "SELECT state || ': ' || last_error FROM outbox WHERE key = '%s'"
             " ORDER BY id DESC LIMIT 1", key);
    char *row = q_text_in(c, sql);
    CHECK_CONTAINS(row, "failed: ");
    CHECK_CONTAINS(row, why);
    free(row);
    snprintf(sql, sizeof sql, "SELECT state FROM blockers WHERE source = 'work' AND key = '%s'", key);
    row = q_text_in(c, sql);
    CHECK_STR(row, "failed");                   /* the pane shows it failed, and why */
    free(row);
    free(key);
}

static void test_delivery_checks_line_read(void)
{
    const char *orig = "# Ops\n- [ ] Sign the contract BLOCKED\n- [ ] beta BLOCKED\n";
    char path[512], yaml[1024];
    snprintf(path, sizeof path, "%s", t_write("checked.md", orig));
    snprintf(yaml, sizeof yaml, "owner: Apple\nuser: tester\ncache: %s/checked.db\n"
             "sources:\n  - {id: work, kind: markdown_tasks, path: %s}\n", t_tmpdir(), path);
    Config *cf;
    Cache *c;
    if (open_fetched("checked.yaml", yaml, &cf, &c) != 0)
        return;
    /* edited in case since it was read */
    resolve_after_edit(c, cf, path, "Sign the",
                       "# Ops\n- [ ] sign the contract BLOCKED\n- [ ] beta BLOCKED\n",
                       "line changed since it was read");
    /* an identical item inserted above the one read */
    resolve_after_edit(c, cf, path, "beta",
                       "# Ops\n- [ ] beta BLOCKED\n- [ ] Sign the contract BLOCKED\n- [ ] beta BLOCKED\n",
                       "ambiguous");
    cache_close(c);
    config_free(cf);
}

/* ---- the pane counts what needs the owner apart (issue 8 item 2) ------ */

static void test_pane_counts_owner_apart(void)
{
    const char *md = "# Work\n"
                     "- [ ] Sign contract \xE2\x80\x94 needs Apple\n"
                     "- [ ] Move cron host @apple\n"
                     "- [ ] Renew key, waiting on APPLE\n"
                     "- [ ] Vendor approval BLOCKED\n"
                     "- [ ] Rotate backups, waiting on Max\n"
                     "- [ ] Plain task\n";
    const char *handoffs =
        "{\"id\":\"o1\",\"from\":\"max\",\"to\":\"apple\",\"action_needed\":true,\"summary\":\"for apple\"}\n"
        "{\"id\":\"o2\",\"from\":\"max\",\"to\":\"bob\",\"type\":\"blocker\",\"summary\":\"bob's\"}\n"
        "{\"id\":\"o3\",\"from\":\"max\",\"to\":\"bob\",\"action_needed\":true,\"summary\":\"bob's work\"}\n";
    char yaml[1024], *err = NULL;
    snprintf(yaml, sizeof yaml, "owner: Apple\nuser: tester\ncache: %s/owner.db\nsources:\n"
             "  - {id: work, kind: markdown_tasks, path: %s}\n",
             t_tmpdir(), t_write("owner-work.md", md));
    size_t yl = strlen(yaml);
    snprintf(yaml + yl, sizeof yaml - yl, "  - {id: agents, kind: jsonl, path: %s}\n",
             t_write("owner-handoffs.jsonl", handoffs));
    Config *cf;
    Cache *c;
    if (open_fetched("owner.yaml", yaml, &cf, &c) != 0)
        return;
    void *w = blockers_widget.create(NULL, cf, &err);
    CHECK(w != NULL);
    WidgetEnv env = {.cache = c, .cfg = cf, .now_ms = now_ms(), .ascii = 0};
    if (w && blockers_widget.load(w, &env, 20, &err) == 0) {
        char note[128] = "";
        blockers_widget.title_note(w, note, sizeof note);
        /* 3 markdown tasks and 1 handoff name Apple; 2 tasks and 1 handoff are blocked elsewhere */
        CHECK_STR(note, "Needs Apple \u00b7 4 \u00b7 blocked 3");
        /* the detail view says who the selected item needs */
        Buf d = {0};
        CHECK_INT(blockers_widget.detail(w, &d), 0);
        char *desc = d.s ? strndup(d.s, strcspn(d.s, "\n")) : NULL;
        sqlite3_stmt *st = NULL;
        int fo = -1;
        if (sqlite3_prepare_v2(cache_db(c), "SELECT for_owner FROM blockers WHERE description = ?1", -1,
                               &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, desc ? desc : "", -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW)
                fo = sqlite3_column_int(st, 0);
        }
        sqlite3_finalize(st);
        CHECK(fo == 0 || fo == 1);
        CHECK_CONTAINS(d.s, fo == 1 ? "needs:       Apple\n" : "needs:       someone else");
        free(desc);
        buf_free(&d);
    } else {
        fprintf(stderr, "load: %s\n", err ? err : "?");
        CHECK(0);
    }
    if (w)
        blockers_widget.destroy(w);
    free(err);
    cache_close(c);
    config_free(cf);
}

int main(void)
{
    setup();
    RUN(test_undo_before_delivery);
    RUN(test_undo_after_delivery);
    RUN(test_undo_unsupported);
    RUN(test_snooze);
    RUN(test_bulk_resolve);
    RUN(test_delivery_checks_line_read);
    RUN(test_pane_counts_owner_apart);
    cache_close(cache);
    config_free(cfg);
    free(md_original);
    return t_done();
}
