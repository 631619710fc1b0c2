/* actions.h — what the screen loop does with a widget's Intent: resolve,
 * undo and snooze blockers. Each is one short SQLite transaction on the UI
 * thread's connection (no network, no fsync: the UI connection never
 * checkpoints), followed by a nudge to the engine's outbox worker, which does
 * the delivery. *msg gets a line for the status bar (caller frees). */
#ifndef MC_UI_ACTIONS_H
#define MC_UI_ACTIONS_H

#include "../cache.h"
#include "../config.h"

struct Engine;
/* The engine to nudge after queuing (NULL: none; `mc fetch` delivers later). */
void ui_actions_set_engine(struct Engine *e);

/* Queues a resolve of source:key. 0 queued, -1 refused (msg says why). */
int ui_action_resolve(Cache *c, const Config *cfg, const char *source, const char *key,
                      const char *note, char **msg);
/* Undoes the user's newest resolve: cancels it while still pending, else
 * queues an unresolve at the source (which may say it cannot). */
int ui_action_undo(Cache *c, const Config *cfg, char **msg);
/* Hides source:key from the blockers pane for cfg->snooze_ms; the source is
 * not written. */
int ui_action_snooze(Cache *c, const Config *cfg, const char *source, const char *key, char **msg);

#endif
