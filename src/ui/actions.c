/* actions.c — resolve, undo and snooze from the keyboard (see actions.h).
 * All writes go through the outbox; delivery happens on the engine's outbox
 * thread, never here. */
#include "actions.h"

#include <stdlib.h>
#include <string.h>
#include "../engine.h"
#include "../outbox.h"
#include "../util.h"

static Engine *actions_engine;

void ui_actions_set_engine(Engine *e)
{
    actions_engine = e;
}

static void nudge(void)
{
    if (actions_engine)
        engine_kick_outbox(actions_engine);
}

int ui_action_resolve(Cache *c, const Config *cfg, const char *source, const char *key,
                      const char *note, char **msg)
{
    char *err = NULL;
    int64_t id = outbox_enqueue(c, cfg, source, key, "resolve", note ? note : "", cfg->user, &err);
    if (id < 0 && err && strstr(err, "locked")) {
        set_err(msg, "the cache is busy (a fetch is writing): nothing queued, press again");
        free(err);
        return -1;
    }
    if (id < 0) {
        set_err(msg, "cannot resolve %s:%s: %s", source, key, err ? err : "failed");
        free(err);
        return -1;
    }
    nudge();
    set_err(msg, "resolving %s:%s", source, key);
    return 0;
}

int ui_action_undo(Cache *c, const Config *cfg, char **msg)
{
    char *err = NULL;
    int64_t id = outbox_last(c, cfg->user);
    if (id <= 0) {
        set_err(msg, "nothing to undo");
        return -1;
    }
    sqlite3_stmt *st;
    char *source = NULL, *key = NULL, *action = NULL, *state = NULL;
    if (sqlite3_prepare_v2(cache_db(c), "SELECT source, key, action, state FROM outbox WHERE id = ?1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW) {
            source = xstrdup((const char *)sqlite3_column_text(st, 0));
            key = xstrdup((const char *)sqlite3_column_text(st, 1));
            action = xstrdup((const char *)sqlite3_column_text(st, 2));
            state = xstrdup((const char *)sqlite3_column_text(st, 3));
        }
        sqlite3_finalize(st);
    }
    int rc = -1;
    if (!source) {
        set_err(msg, "nothing to undo");
    } else if (strcmp(action, "resolve") != 0) {
        set_err(msg, "the last action (%s of %s:%s) is already an undo", action, source, key);
    } else if (strcmp(state, "pending") == 0 && outbox_cancel(c, id, cfg->user, &err) == 1) {
        set_err(msg, "undone: %s:%s was not delivered yet", source, key);
        rc = 0;
    } else if (strcmp(state, "failed") == 0) {
        outbox_drop(c, id, cfg->user, NULL);
        set_err(msg, "undone: dropped the failed resolve of %s:%s", source, key);
        rc = 0;
    } else if (outbox_enqueue(c, cfg, source, key, "unresolve", "", cfg->user, &err) > 0) {
        nudge();
        set_err(msg, "undoing: unresolving %s:%s at its source", source, key);
        rc = 0;
    } else {
        set_err(msg, "cannot undo %s:%s: %s", source, key, err ? err : "failed");
    }
    free(err);
    free(source);
    free(key);
    free(action);
    free(state);
    return rc;
}

int ui_action_snooze(Cache *c, const Config *cfg, const char *source, const char *key, char **msg)
{
    int64_t until = now_ms() + cfg->snooze_ms;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(cache_db(c),
                           "INSERT INTO snooze (source, key, until_ms) VALUES (?1, ?2, ?3)"
                           " ON CONFLICT (source, key) DO UPDATE SET until_ms = ?3",
                           -1, &st, NULL) != SQLITE_OK) {
        set_err(msg, "cannot snooze: %s", sqlite3_errmsg(cache_db(c)));
        return -1;
    }
    sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, until);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        set_err(msg, "cannot snooze: %s", sqlite3_errmsg(cache_db(c)));
        return -1;
    }
    char for_[32];
    time_format_age(cfg->snooze_ms, for_, sizeof for_);
    audit_record(c, cfg->user, "snooze", source, key, NULL, for_, NULL);
    set_err(msg, "snoozed %s:%s for %s", source, key, for_);
    return 0;
}
