/* actions.h — what the screen loop does with a widget's Intent: resolve,
 * undo and snooze blockers. Each is one short SQLite transaction on the UI
 * thread's connection (no network, no fsync: the UI connection never
 * checkpoints), followed by a nudge to the engine's outbox worker, which does
 * the delivery. *msg gets a line for the status bar (caller frees) naming the
 * item by its description (sanitized, cut), not by its key.
 *
 * Every action of this session (a resolve or snooze of one or several marked
 * items) is one entry of an undo log, newest last: `u` undoes the newest
 * entry whole, whatever it was. When this session has done nothing yet, `u`
 * undoes the user's newest resolve recorded in the cache (so an undo still
 * works after a restart). UI thread only. */
#ifndef MC_UI_ACTIONS_H
#define MC_UI_ACTIONS_H

#include "../cache.h"
#include "../config.h"

struct Engine;
/* The engine to nudge after queuing (NULL: none; `mc fetch` delivers later). */
void ui_actions_set_engine(struct Engine *e);

/* Queues a resolve of n items (sources[i]:keys[i]) as one action: one `u`
 * undoes all of them. Returns how many were refused (0: all queued). */
int ui_action_resolve_items(Cache *c, const Config *cfg, int n, char *const *sources,
                            char *const *keys, const char *note, char **msg);
/* Queues a resolve of source:key. 0 queued, -1 refused (msg says why). */
int ui_action_resolve(Cache *c, const Config *cfg, const char *source, const char *key,
                      const char *note, char **msg);
/* Undoes the newest action of this session (see above): a resolve is
 * cancelled while still pending, dropped when it failed, else unresolved at
 * the source (which may say it cannot); a snooze is lifted. 0 or -1. */
int ui_action_undo(Cache *c, const Config *cfg, char **msg);
/* Hides n items from the blockers pane for cfg->snooze_ms as one action;
 * the sources are not written. Returns how many failed. */
int ui_action_snooze_items(Cache *c, const Config *cfg, int n, char *const *sources,
                           char *const *keys, char **msg);
int ui_action_snooze(Cache *c, const Config *cfg, const char *source, const char *key, char **msg);
/* Shows source:key again (what `u` after `s` does). 0, or -1 when it was
 * not snoozed. */
int ui_action_unsnooze(Cache *c, const Config *cfg, const char *source, const char *key,
                       char **msg);

/* Acknowledges (ack 1) or snoozes for cfg->snooze_ms (ack 0) the alerts
 * with these keys, each in one short transaction (actions_alerts.c). Returns
 * how many failed; *msg says what happened. */
int ui_action_alerts(Cache *c, const Config *cfg, int ack, int n, char *const *keys, char **msg);

/* The outcome of this session's queued write-backs: returns 1 with *msg
 * ("resolved: <description>", or why it failed; *failed set) when one or
 * more finished since the last call, else 0. Cheap; call after a commit. */
int ui_actions_poll(Cache *c, char **msg, int *failed);
/* Forgets the undo log and what is being watched (at exit; tests). */
void ui_actions_reset(void);

/* The status-line name of an item: its description (or key when it has
 * none), sanitized and cut to about 50 columns. Returns a new string. */
char *ui_action_label(Cache *c, const char *source, const char *key);

#endif
