/* undo.c — the session's undo log and the delivery reports (see
 * actions.h). Every user action (a resolve or snooze of one or several
 * items) is one entry, newest last; `u` takes back the newest entry whole.
 * The outbox rows queued this session are watched, so that once one is
 * delivered or refused the status line says so by the item's description. */
#include "actions_internal.h"

#include <stdlib.h>
#include <string.h>
#include "../draw/draw.h"
#include "../outbox.h"
#include "../util.h"

#define UNDO_MAX 64
#define WATCH_MAX 512

/* A queued row whose outcome the status line reports. */
typedef struct Watch {
    int64_t id;
    char *label;
    int unresolve;
} Watch;

static UndoEntry undo_log[UNDO_MAX];
static int undo_n, session_acted;
static Watch watched[WATCH_MAX];
static int nwatched;

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

void undo_log_push(UndoKind kind, UndoItem *items, int n)
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

void undo_watch(int64_t id, char *label, int unresolve)
{
    if (nwatched == WATCH_MAX) {
        free(label);
        return;
    }
    watched[nwatched++] = (Watch){id, label, unresolve};
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
        undo_watch(nid, xstrdup(label), 1);
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
                     ? actions_unsnooze_one(c, cfg, e->items[i].source, e->items[i].key,
                                            e->items[i].prev_until, &why)
                     : undo_resolve(c, cfg, e->items[i].outbox_id, &why, &queued);
        if (rc != 0) {
            failed++;
            free(bad);
            bad = why;
            why = NULL;
        }
    }
    if (queued)
        actions_nudge();
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

/* Before this session acted: the user's newest snooze still in force, when
 * it is newer than their newest resolve (both from the audit). 1 with *out. */
static int newest_snooze(Cache *c, const char *user, UndoItem *out)
{
    sqlite3_stmt *st;
    int found = 0;
    if (sqlite3_prepare_v2(cache_db(c),
                           "SELECT s.source, s.key FROM snooze s JOIN audit a"
                           " ON a.target = s.source || ':' || s.key AND a.action = 'snooze'"
                           " WHERE a.user = ?1 AND s.until_ms > ?2 AND a.updated_ms >="
                           " (SELECT coalesce(max(updated_ms), 0) FROM audit WHERE user = ?1"
                           "  AND action IN ('resolve', 'unresolve', 'undo', 'unsnooze'))"
                           " ORDER BY a.updated_ms DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now_ms());
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->source = xstrdup((const char *)sqlite3_column_text(st, 0));
        out->key = xstrdup((const char *)sqlite3_column_text(st, 1));
        found = 1;
    }
    sqlite3_finalize(st);
    return found;
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
    if (session_acted) {
        set_err(msg, "nothing to undo");
        return -1;
    }
    session_acted = 1;             /* one step back into the cache, not a walk through it */
    UndoItem snoozed = {0};
    if (newest_snooze(c, cfg->user, &snoozed)) {
        UndoEntry e = {UNDO_SNOOZE, 1, &snoozed};
        int rc = undo_entry(c, cfg, &e, msg);
        free(snoozed.source);
        free(snoozed.key);
        return rc;
    }
    int64_t id = outbox_last(c, cfg->user);
    if (id <= 0) {
        set_err(msg, "nothing to undo");
        return -1;
    }
    int queued = 0;
    int rc = undo_resolve(c, cfg, id, msg, &queued);
    if (queued)
        actions_nudge();
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
