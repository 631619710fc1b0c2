/* outbox.h — durable write-back. A user action (resolve, unresolve) is first
 * one committed row in the cache's outbox table — the blocker shows
 * "resolving" at once — and then delivered to its source by a worker with
 * retries and exponential backoff. A crash or kill -9 at any moment loses
 * nothing: the next mc or `mc fetch` run delivers what is pending, and the
 * idempotency key makes a repeated delivery harmless. Every action and every
 * delivery result also goes to the audit dataset. */
#ifndef MC_OUTBOX_H
#define MC_OUTBOX_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include "cache.h"
#include "config.h"

/* Queues an action ("resolve" or "unresolve") for source:key in one
 * transaction (outbox row + blocker state + audit). The row carries the
 * blocker's read_as (what the source read when the user saw it), which
 * delivery hands to the source to verify. Fails when the source does not
 * exist or cannot write back. Returns the row id (> 0) or -1, *err. */
int64_t outbox_enqueue(Cache *c, const Config *cfg, const char *source, const char *key,
                       const char *action, const char *note, const char *by, char **err);

/* Delivers every due pending row (claiming each so two processes never
 * deliver one at the same time). Returns the wall ms of the next due
 * attempt, or 0 when nothing is pending. Never called on the UI thread. */
int64_t outbox_deliver_due(Cache *c, const Config *cfg, atomic_int *cancel);

/* State of one row: "pending", "delivered", "failed", "cancelled"; NULL when
 * there is no such row. Returns a new string. */
char *outbox_state(Cache *c, int64_t id, char **last_error);

/* Cancels a pending row (undo before delivery). 1 cancelled, 0 too late
 * (already delivered or being delivered), -1 error. */
int outbox_cancel(Cache *c, int64_t id, const char *by, char **err);
/* The newest action row by `by` that was not cancelled (0 when none). */
int64_t outbox_last(Cache *c, const char *by);

/* `mc outbox`: lists pending and failed rows; retry (id or -1 = all failed)
 * puts rows back to pending; drop removes one. Return 0 or -1 with *err. */
int outbox_list(Cache *c, FILE *out, char **err);
int outbox_retry(Cache *c, int64_t id, char **err);
int outbox_drop(Cache *c, int64_t id, const char *by, char **err);

/* Adds one audit row (who, what, which item, note, result). */
int audit_record(Cache *c, const char *user, const char *action, const char *source,
                 const char *key, const char *note, const char *result, char **err);

#endif
