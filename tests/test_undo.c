/* test_undo.c — `u` undoes the user's last action whatever it was, whole
 * (issue 8 item 6): after a snooze it lifts the snooze (not an older
 * resolve), after a bulk resolve it takes back every item; and the status
 * line names items by their description, sanitized, and says when a queued
 * resolve was delivered ("resolved: ..."). */
#include "thelp.h"

#include <stdlib.h>
#include <string.h>
#include "../src/cache.h"
#include "../src/config.h"
#include "../src/engine.h"
#include "../src/outbox.h"
#include "../src/ui/actions.h"
#include "../src/util.h"

static Config *cfg;
static Cache *cache;

static int64_t q_int(const char *fmt, const char *arg)
{
    char *sql = xasprintf(fmt, arg ? arg : "");
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(cache_db(cache), sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    free(sql);
    return v;
}

/* The key of the task whose description starts with "task NN" (static). */
static char *key_of(int n)
{
    static char keys[4][64];
    static int turn;
    char *out = keys[turn++ % 4];
    char like[32];
    snprintf(like, sizeof like, "task %02d %%", n);
    sqlite3_stmt *st;
    out[0] = '\0';
    sqlite3_prepare_v2(cache_db(cache), "SELECT key FROM blockers WHERE source = 'pending'"
                       " AND description LIKE ?1", -1, &st, NULL);
    sqlite3_bind_text(st, 1, like, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        snprintf(out, 64, "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

static void setup(void)
{
    char text[4096];
    int off = snprintf(text, sizeof text, "# Pending\n\n## Ops\n");
    for (int i = 0; i < 20; i++)
        off += snprintf(text + off, sizeof text - (size_t)off, "- [ ] task %02d BLOCKED: needs Apple\n", i);
    const char *md = t_write("pending-work.md", text);
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "owner: Apple\nuser: tester\ncache: %s/cache.db\nsnooze: 1h\n"
             "sources:\n"
             "  - {id: pending, kind: markdown_tasks, path: %s}\n"
             "  - {id: ops, kind: http_json, url: 'http://127.0.0.1:1/x', feeds: blockers,"
             " resolve: {url: 'http://127.0.0.1:1/r/{key}'}, enabled: false}\n",
             t_tmpdir(), md);
    char *err = NULL;
    if (config_load_text("test.yaml", yaml, &cfg, &err) != 0 ||
        cache_open(cfg->cache_path, &cache, NULL, &err) != 0) {
        fprintf(stderr, "setup: %s\n", err);
        exit(2);
    }
    EngineOpts eo = {.workers = 1, .wake_fd = -1, .watch = 0, .only_source = NULL};
    Engine *e = engine_new(cfg, &eo, &err);
    CHECK(e != NULL);
    CHECK_INT(engine_run_once(e, NULL, 0, &err), 0);
    engine_free(e);
    free(err);
}

#define SNOOZED "SELECT count(*) FROM snooze WHERE key = '%s' AND until_ms > 0"
#define UNRESOLVES "SELECT count(*) FROM outbox WHERE key = '%s' AND action = 'unresolve'"

/* s after r, then u: the snooze is lifted; the resolve stays until a second u. */
static void test_undo_snooze(void)
{
    ui_actions_reset();
    char *msg = NULL, k1[64], k2[64];
    snprintf(k1, sizeof k1, "%s", key_of(1));
    snprintf(k2, sizeof k2, "%s", key_of(2));
    CHECK_INT(ui_action_resolve(cache, cfg, "pending", k1, "", &msg), 0);
    outbox_deliver_due(cache, cfg, NULL);
    CHECK_INT(ui_action_snooze(cache, cfg, "pending", k2, &msg), 0);
    CHECK_CONTAINS(msg, "task 02");
    CHECK_INT(q_int(SNOOZED, k2), 1);
    CHECK_INT(ui_action_undo(cache, cfg, &msg), 0);
    CHECK_CONTAINS(msg, "snooze");
    CHECK_INT(q_int(SNOOZED, k2), 0);                   /* shown again */
    CHECK_INT(q_int(UNRESOLVES, k1), 0);                /* the resolve untouched */
    CHECK_INT(ui_action_undo(cache, cfg, &msg), 0);     /* now the resolve */
    CHECK_INT(q_int(UNRESOLVES, k1), 1);
    outbox_deliver_due(cache, cfg, NULL);
    CHECK_INT(q_int("SELECT count(*) FROM audit WHERE action = 'unsnooze'", NULL), 1);
    /* an explicit unsnooze too */
    CHECK_INT(ui_action_snooze(cache, cfg, "pending", k2, &msg), 0);
    CHECK_INT(ui_action_unsnooze(cache, cfg, "pending", k2, &msg), 0);
    CHECK_INT(q_int(SNOOZED, k2), 0);
    CHECK_INT(ui_action_unsnooze(cache, cfg, "pending", k2, &msg), -1);
    free(msg);
}

/* A bulk resolve of 2, then u: both come back, not one. */
static void test_undo_bulk(void)
{
    ui_actions_reset();
    char *msg = NULL;
    char *src[2] = {"pending", "pending"};
    char k[2][64];
    snprintf(k[0], 64, "%s", key_of(5));
    snprintf(k[1], 64, "%s", key_of(6));
    char *keys[2] = {k[0], k[1]};
    CHECK_INT(ui_action_resolve_items(cache, cfg, 2, src, keys, "", &msg), 0);
    CHECK_CONTAINS(msg, "2 items");
    CHECK_INT(q_int("SELECT count(*) FROM blockers WHERE state = 'resolving'", NULL), 2);
    CHECK_INT(ui_action_undo(cache, cfg, &msg), 0);
    CHECK_INT(q_int("SELECT count(*) FROM outbox WHERE state = 'cancelled'", NULL), 2);
    CHECK_INT(q_int("SELECT count(*) FROM blockers WHERE state = 'resolving'", NULL), 0);
    /* the same after delivery: both unresolved at the source */
    CHECK_INT(ui_action_resolve_items(cache, cfg, 2, src, keys, "", &msg), 0);
    outbox_deliver_due(cache, cfg, NULL);
    CHECK_INT(ui_action_undo(cache, cfg, &msg), 0);
    CHECK_INT(q_int(UNRESOLVES, k[0]), 1);
    CHECK_INT(q_int(UNRESOLVES, k[1]), 1);
    /* nothing older of this session: the log is empty now */
    CHECK_INT(ui_action_undo(cache, cfg, &msg), -1);
    CHECK_CONTAINS(msg, "nothing to undo");
    free(msg);
}

/* The status line: the description, not the key; "resolved: ..." once delivered. */
static void test_messages(void)
{
    ui_actions_reset();
    char *msg = NULL;
    int failed = -1;
    char key[64];
    snprintf(key, sizeof key, "%s", key_of(9));
    CHECK_INT(ui_action_resolve(cache, cfg, "pending", key, "", &msg), 0);
    CHECK_CONTAINS(msg, "resolving: task 09 BLOCKED");
    CHECK(strstr(msg, key) == NULL);
    CHECK_INT(ui_actions_poll(cache, &msg, &failed), 0);   /* not delivered yet */
    outbox_deliver_due(cache, cfg, NULL);
    CHECK_INT(ui_actions_poll(cache, &msg, &failed), 1);
    CHECK_CONTAINS(msg, "resolved: task 09 BLOCKED");
    CHECK_INT(failed, 0);
    CHECK_INT(ui_actions_poll(cache, &msg, &failed), 0);   /* said once */
    /* a description from data: no escape, newline or bidi reaches the line, cut */
    Rows *r = rows_new(dataset_get(DS_BLOCKERS));
    int row = rows_add(r);
    rows_set_text(r, row, 1, "ops-9");
    rows_set_text(r, row, dataset_field(r->ds, "description"),
                  "\033]52;c;AAAA\007evil\nsecond line \xe2\x80\xae reversed and then a very long tail "
                  "that goes on and on and on past any status line");
    char *err = NULL;
    CHECK_INT(cache_put_rows(cache, "ops", r, CACHE_MERGE, &err), 0);
    rows_free(r);
    char *label = ui_action_label(cache, "ops", "ops-9");
    CHECK(strchr(label, '\033') == NULL && strchr(label, '\n') == NULL && strchr(label, '\007') == NULL);
    CHECK(strstr(label, "\xe2\x80\xae") == NULL);
    CHECK_CONTAINS(label, "evil");
    CHECK(strlen(label) < 80);
    free(label);
    free(err);
    free(msg);
}

/* Right after a start (a fresh log), u takes back the newest of the user's
 * actions recorded in the cache: a snooze still in force when it is newer
 * than their newest resolve, else that resolve. */
static void test_undo_after_restart(void)
{
    ui_actions_reset();
    char *msg = NULL, k1[64], k2[64];
    snprintf(k1, sizeof k1, "%s", key_of(12));
    snprintf(k2, sizeof k2, "%s", key_of(13));
    CHECK_INT(ui_action_resolve(cache, cfg, "pending", k1, "", &msg), 0);
    outbox_deliver_due(cache, cfg, NULL);
    CHECK_INT(ui_action_snooze(cache, cfg, "pending", k2, &msg), 0);
    ui_actions_reset();                                 /* mc restarts */
    CHECK_INT(ui_action_undo(cache, cfg, &msg), 0);
    CHECK_CONTAINS(msg, "snooze of task 13");
    CHECK_INT(q_int(SNOOZED, k2), 0);
    CHECK_INT(q_int(UNRESOLVES, k1), 0);
    CHECK_INT(ui_action_undo(cache, cfg, &msg), -1);    /* one step back, not a walk */
    ui_actions_reset();                                 /* and again: now the resolve */
    CHECK_INT(ui_action_undo(cache, cfg, &msg), 0);
    CHECK_INT(q_int(UNRESOLVES, k1), 1);
    outbox_deliver_due(cache, cfg, NULL);
    free(msg);
}

int main(void)
{
    setup();
    RUN(test_undo_snooze);
    RUN(test_undo_bulk);
    RUN(test_messages);
    RUN(test_undo_after_restart);
    ui_actions_reset();
    cache_close(cache);
    config_free(cfg);
    return t_done();
}
