/* actions.c — resolve, snooze and undo from the keyboard (see actions.h).
 * All writes go through the outbox; delivery happens on the engine's outbox
 * thread, never here. This file keeps the session's undo log (one entry per
 * user action, however many items it took) and the outbox rows it queued,
 * so the status line can say when a delivery completed or failed. */
#include "actions.h"

#include <stdlib.h>
#include <string.h>
#include "../draw/draw.h"
#include "../engine.h"
#include "../outbox.h"
#include "../util.h"

#define UNDO_MAX 64
#define WATCH_MAX 512
#define LABEL_COLS 50

typedef enum { UNDO_RESOLVE, UNDO_SNOOZE } UndoKind;

typedef struct UndoItem {
    char *source, *key;
    int64_t outbox_id;          /* RESOLVE: the queued row */
    int64_t prev_until;         /* SNOOZE: the snooze it replaced (0: none) */
} UndoItem;

typedef struct UndoEntry {
    UndoKind kind;
    int n;
    UndoItem *items;
} UndoEntry;

/* A queued row whose outcome the status line reports. */
typedef struct Watch {
    int64_t id;
    char *label;
    int unresolve;
} Watch;

static Engine *actions_engine;
static UndoEntry undo_log[UNDO_MAX];
static int undo_n, session_acted;
static Watch watched[WATCH_MAX];
static int nwatched;

void ui_actions_set_engine(Engine *e)
{
    actions_engine = e;
}

static void nudge(void)
{
    if (actions_engine)
        engine_kick_outbox(actions_engine);
}

static void entry_free(UndoEntry *e)
{
    for (int i = 0; i < e->n; i++) {
        free(e->items[i].source);
        free(e->items[i].key);
    }
    free(e->items);
    memset(e, 0, sizeof *e);
}

void ui_actions_reset(void)
{
    for (int i = 0; i < undo_n; i++)
        entry_free(&undo_log[i]);
    undo_n = session_acted = 0;
    for (int i = 0; i < nwatched; i++)
        free(watched[i].label);
    nwatched = 0;
}

/* Appends an entry (the oldest goes when the log is full); takes items. */
static void log_push(UndoKind kind, UndoItem *items, int n)
{
    if (n <= 0) {
        free(items);
        return;
    }
    if (undo_n == UNDO_MAX) {
        entry_free(&undo_log[0]);
        memmove(undo_log, undo_log + 1, (UNDO_MAX - 1) * sizeof *undo_log);
        undo_n--;
    }
    undo_log[undo_n++] = (UndoEntry){kind, n, items};
    session_acted = 1;
}

static void watch_add(int64_t id, char *label, int unresolve)
{
    if (nwatched == WATCH_MAX) {
        free(label);
        return;
    }
    watched[nwatched++] = (Watch){id, label, unresolve};
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
        watch_add(id, label, 0);
        items[queued++] = (UndoItem){xstrdup(sources[i]), xstrdup(keys[i]), id, 0};
    }
    log_push(UNDO_RESOLVE, items, queued);
    if (queued > 0)
        nudge();
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
    log_push(UNDO_SNOOZE, items, done);
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
static int unsnooze_one(Cache *c, const Config *cfg, const char *source, const char *key,
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
    else if (unsnooze_one(c, cfg, source, key, 0, &why) != 0)
        set_err(msg, "cannot unsnooze %s: %s", label, why);
    else {
        set_err(msg, "shown again: %s", label);
        rc = 0;
    }
    free(why);
    free(label);
    return rc;
}

/* Undoes one queued resolve (outbox row id). 0 undone or queued, -1 *why. */
static int undo_resolve(Cache *c, const Config *cfg, int64_t id, char **why, int *queued)
{
    char *err = NULL, *source = NULL, *key = NULL, *action = NULL, *state = NULL;
    sqlite3_stmt *st;
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
    char *label = source ? ui_action_label(c, source, key) : NULL;
    int64_t nid;
    if (!source) {
        set_err(why, "nothing to undo");
    } else if (strcmp(action, "resolve") != 0) {
        set_err(why, "the last action (%s of %s) is already an undo", action, label);
    } else if (strcmp(state, "cancelled") == 0) {
        rc = 0;                                 /* undone before */
    } else if (strcmp(state, "pending") == 0 && outbox_cancel(c, id, cfg->user, &err) == 1) {
        set_err(why, "undone: %s was not delivered yet", label);
        rc = 0;
    } else if (strcmp(state, "failed") == 0) {
        outbox_drop(c, id, cfg->user, NULL);
        set_err(why, "undone: dropped the failed resolve of %s", label);
        rc = 0;
    } else if ((nid = outbox_enqueue(c, cfg, source, key, "unresolve", "", cfg->user, &err)) > 0) {
        watch_add(nid, xstrdup(label), 1);
        *queued = 1;
        set_err(why, "undoing: unresolving %s at its source", label);
        rc = 0;
    } else {
        set_err(why, "cannot undo %s: %s", label, err ? err : "failed");
    }
    free(err);
    free(label);
    free(source);
    free(key);
    free(action);
    free(state);
    return rc;
}

/* Undoes a whole entry of the log; 0 when every item was undone. */
static int undo_entry(Cache *c, const Config *cfg, const UndoEntry *e, char **msg)
{
    int failed = 0, queued = 0;
    char *why = NULL, *bad = NULL;
    for (int i = 0; i < e->n; i++) {
        free(why);
        why = NULL;
        int rc = e->kind == UNDO_SNOOZE
                     ? unsnooze_one(c, cfg, e->items[i].source, e->items[i].key, e->items[i].prev_until, &why)
                     : undo_resolve(c, cfg, e->items[i].outbox_id, &why, &queued);
        if (rc != 0) {
            failed++;
            free(bad);
            bad = why;
            why = NULL;
        }
    }
    if (queued)
        nudge();
    if (e->kind == UNDO_SNOOZE && failed == 0) {
        char *label = ui_action_label(c, e->items[0].source, e->items[0].key);
        if (e->n == 1)
            set_err(msg, "undone: snooze of %s (shown again)", label);
        else
            set_err(msg, "undone: snooze of %d items (shown again)", e->n);
        free(label);
    } else if (e->n == 1) {
        set_err(msg, "%s", bad ? bad : why ? why : "undone");
    } else if (failed == 0) {
        set_err(msg, "undone: the resolve of %d items%s", e->n, queued ? " (unresolving at the sources)" : "");
    } else {
        set_err(msg, "undone %d of %d items (%s)", e->n - failed, e->n, bad ? bad : "failed");
    }
    free(why);
    free(bad);
    return failed ? -1 : 0;
}

int ui_action_undo(Cache *c, const Config *cfg, char **msg)
{
    if (undo_n > 0) {
        UndoEntry e = undo_log[--undo_n];
        memset(&undo_log[undo_n], 0, sizeof undo_log[undo_n]);
        int rc = undo_entry(c, cfg, &e, msg);
        entry_free(&e);
        return rc;
    }
    int64_t id = session_acted ? 0 : outbox_last(c, cfg->user);
    if (id <= 0) {
        set_err(msg, "nothing to undo");
        return -1;
    }
    int queued = 0;
    int rc = undo_resolve(c, cfg, id, msg, &queued);
    if (queued)
        nudge();
    session_acted = 1;             /* one step back into the cache, not a walk through it */
    return rc;
}

int ui_actions_poll(Cache *c, char **msg, int *failed)
{
    int ok = 0, bad = 0, keep = 0;
    char *first_ok = NULL, *first_bad = NULL;
    for (int i = 0; i < nwatched; i++) {
        Watch *w = &watched[i];
        char *last_error = NULL;
        char *state = outbox_state(c, w->id, &last_error);
        if (state && strcmp(state, "delivered") == 0) {
            if (ok++ == 0)
                first_ok = xasprintf("%s: %s", w->unresolve ? "unresolved" : "resolved", w->label);
            free(w->label);
        } else if (state && strcmp(state, "failed") == 0) {
            if (bad++ == 0) {
                char *e = last_error ? text_sanitize(last_error) : NULL;
                first_bad = xasprintf("%s failed: %s: %s", w->unresolve ? "unresolve" : "resolve",
                                      w->label, e ? e : "refused by the source");
                free(e);
            }
            free(w->label);
        } else if (!state || strcmp(state, "cancelled") == 0) {
            free(w->label);
        } else {
            watched[keep++] = *w;   /* still pending */
        }
        free(state);
        free(last_error);
    }
    nwatched = keep;
    int any = ok + bad > 0;
    if (bad)
        set_err(msg, "%s%s", first_bad, bad + ok > 1 ? " (and others: see e or mc outbox)" : "");
    else if (ok == 1)
        set_err(msg, "%s", first_ok);
    else if (ok > 1)
        set_err(msg, "%s (and %d more)", first_ok, ok - 1);
    *failed = bad > 0;
    free(first_ok);
    free(first_bad);
    return any;
}
