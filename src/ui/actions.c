/* actions.c — resolve and snooze from the keyboard (see actions.h). All
 * writes go through the outbox; delivery happens on the engine's outbox
 * thread, never here. Each action is recorded in the undo log (undo.c) as
 * one entry however many items it took, and each queued row is watched so
 * the status line can say when its delivery completed or failed. */
#include "actions_internal.h"

#include <stdlib.h>
#include <string.h>
#include "../draw/draw.h"
#include "../engine.h"
#include "../outbox.h"
#include "../util.h"

#define LABEL_COLS 50

static Engine *actions_engine;

void ui_actions_set_engine(Engine *e)
{
    actions_engine = e;
}

void actions_nudge(void)
{
    if (actions_engine)
        engine_kick_outbox(actions_engine);
}

char *ui_action_label(Cache *c, const char *source, const char *key)
{
    sqlite3_stmt *st;
    char *desc = NULL;
    if (sqlite3_prepare_v2(cache_db(c), "SELECT description FROM blockers WHERE source = ?1 AND key = ?2",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) &&
            sqlite3_column_text(st, 0)[0])
            desc = xstrdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    if (!desc)
        desc = xasprintf("%s:%s", source, key);
    for (char *p = desc; *p; p++)       /* one line */
        if (*p == '\n' || *p == '\r' || *p == '\t')
            *p = ' ';
    char *clean = text_sanitize(desc);
    char *cut = text_fit(clean, LABEL_COLS);
    free(desc);
    free(clean);
    return cut;
}

/* Queues one resolve; returns its outbox id, or -1 with *why. */
static int64_t queue_resolve(Cache *c, const Config *cfg, const char *source, const char *key,
                             const char *note, char **why)
{
    char *err = NULL;
    int64_t id = outbox_enqueue(c, cfg, source, key, "resolve", note ? note : "", cfg->user, &err);
    if (id < 0 && err && strstr(err, "locked")) {
        set_err(why, "the cache is busy (a fetch is writing): nothing queued, press again");
    } else if (id < 0) {
        char *label = ui_action_label(c, source, key);
        set_err(why, "cannot resolve %s: %s", label, err ? err : "failed");
        free(label);
    }
    free(err);
    return id;
}

int ui_action_resolve_items(Cache *c, const Config *cfg, int n, char *const *sources,
                            char *const *keys, const char *note, char **msg)
{
    UndoItem *items = xcalloc((size_t)(n > 0 ? n : 1), sizeof *items);
    int queued = 0, refused = 0;
    char *why = NULL, *first = NULL;
    for (int i = 0; i < n; i++) {
        int64_t id = queue_resolve(c, cfg, sources[i], keys[i], note, &why);
        if (id < 0) {
            refused++;
            continue;
        }
        char *label = ui_action_label(c, sources[i], keys[i]);
        if (!first)
            first = xstrdup(label);
        undo_watch(id, label, 0);
        items[queued++] = (UndoItem){xstrdup(sources[i]), xstrdup(keys[i]), id, 0};
    }
    undo_log_push(UNDO_RESOLVE, items, queued);
    if (queued > 0)
        actions_nudge();
    if (refused == 0 && queued == 1)
        set_err(msg, "resolving: %s", first);
    else if (refused == 0)
        set_err(msg, "resolving %d items (u undoes all of them)", queued);
    else if (queued == 0)
        set_err(msg, "%s", why);
    else
        set_err(msg, "resolving %d of %d items (%s)", queued, n, why);
    free(why);
    free(first);
    return refused;
}

int ui_action_resolve(Cache *c, const Config *cfg, const char *source, const char *key,
                      const char *note, char **msg)
{
    char *s = (char *)source, *k = (char *)key;
    return ui_action_resolve_items(c, cfg, 1, &s, &k, note, msg) ? -1 : 0;
}

/* The snooze of source:key now (until_ms), 0 when none. */
static int64_t snooze_until(Cache *c, const char *source, const char *key)
{
    sqlite3_stmt *st;
    int64_t until = 0;
    if (sqlite3_prepare_v2(cache_db(c), "SELECT until_ms FROM snooze WHERE source = ?1 AND key = ?2",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            until = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return until;
}

/* Sets (until > 0) or removes (until 0) the snooze of source:key. */
static int snooze_set(Cache *c, const char *source, const char *key, int64_t until, char **why)
{
    sqlite3_stmt *st;
    const char *sql = until > 0 ? "INSERT INTO snooze (source, key, until_ms) VALUES (?1, ?2, ?3)"
                                  " ON CONFLICT (source, key) DO UPDATE SET until_ms = ?3"
                                : "DELETE FROM snooze WHERE source = ?1 AND key = ?2";
    if (sqlite3_prepare_v2(cache_db(c), sql, -1, &st, NULL) != SQLITE_OK) {
        set_err(why, "%s", sqlite3_errmsg(cache_db(c)));
        return -1;
    }
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    if (until > 0)
        sqlite3_bind_int64(st, 3, until);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        set_err(why, "%s", sqlite3_errmsg(cache_db(c)));
        return -1;
    }
    return 0;
}

int ui_action_snooze_items(Cache *c, const Config *cfg, int n, char *const *sources,
                           char *const *keys, char **msg)
{
    int64_t now = now_ms(), until = now + cfg->snooze_ms;
    UndoItem *items = xcalloc((size_t)(n > 0 ? n : 1), sizeof *items);
    int done = 0, failed = 0;
    char *why = NULL, *first = NULL, for_[32];
    time_format_age(cfg->snooze_ms, for_, sizeof for_);
    for (int i = 0; i < n; i++) {
        int64_t prev = snooze_until(c, sources[i], keys[i]);
        if (snooze_set(c, sources[i], keys[i], until, &why) != 0) {
            failed++;
            continue;
        }
        audit_record(c, cfg->user, "snooze", sources[i], keys[i], NULL, for_, NULL);
        if (!first)
            first = ui_action_label(c, sources[i], keys[i]);
        items[done++] = (UndoItem){xstrdup(sources[i]), xstrdup(keys[i]), 0, prev > now ? prev : 0};
    }
    undo_log_push(UNDO_SNOOZE, items, done);
    if (failed == 0 && done == 1)
        set_err(msg, "snoozed for %s: %s (u shows it again)", for_, first);
    else if (failed == 0)
        set_err(msg, "snoozed %d items for %s (u shows them again)", done, for_);
    else
        set_err(msg, "cannot snooze%s: %s", done ? " all of them" : "", why ? why : "failed");
    free(why);
    free(first);
    return failed;
}

int ui_action_snooze(Cache *c, const Config *cfg, const char *source, const char *key, char **msg)
{
    char *s = (char *)source, *k = (char *)key;
    return ui_action_snooze_items(c, cfg, 1, &s, &k, msg) ? -1 : 0;
}

/* Restores what the snooze replaced (prev 0: shown again). */
int actions_unsnooze_one(Cache *c, const Config *cfg, const char *source, const char *key,
                         int64_t prev, char **why)
{
    if (snooze_set(c, source, key, prev, why) != 0)
        return -1;
    audit_record(c, cfg->user, "unsnooze", source, key, NULL, NULL, NULL);
    return 0;
}

int ui_action_unsnooze(Cache *c, const Config *cfg, const char *source, const char *key,
                       char **msg)
{
    char *label = ui_action_label(c, source, key), *why = NULL;
    int rc = -1;
    if (snooze_until(c, source, key) <= now_ms())
        set_err(msg, "not snoozed: %s", label);
    else if (actions_unsnooze_one(c, cfg, source, key, 0, &why) != 0)
        set_err(msg, "cannot unsnooze %s: %s", label, why);
    else {
        set_err(msg, "shown again: %s", label);
        rc = 0;
    }
    free(why);
    free(label);
    return rc;
}
