/* actions_internal.h — what actions.c (queuing resolves and snoozes) and
 * undo.c (the session's undo log and the delivery reports) share. UI
 * thread only; nothing outside these two files includes it. */
#ifndef MC_UI_ACTIONS_INTERNAL_H
#define MC_UI_ACTIONS_INTERNAL_H

#include <stdint.h>
#include "actions.h"

/* One user action (of one or several items), as `u` takes it back. */
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

/* Appends an action to the log (the oldest goes when it is full); takes
 * items (n of them, each with new strings). */
void undo_log_push(UndoKind kind, UndoItem *items, int n);
/* Reports the outcome of outbox row id on the status line later; takes label. */
void undo_watch(int64_t id, char *label, int unresolve);
/* Asks the engine's outbox worker to deliver now (actions.c). */
void actions_nudge(void);
/* Sets the snooze of source:key back to prev (0: shown again), audited. */
int actions_unsnooze_one(Cache *c, const Config *cfg, const char *source, const char *key,
                         int64_t prev, char **why);

#endif
