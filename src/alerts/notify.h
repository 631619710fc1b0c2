/* notify.h — notifications through the outbox. An alert transition (or any
 * payload, e.g. the daily brief) becomes one outbox row per target
 * (action 'notify', source "alerts", key the alert key, by_user the target
 * name, note the JSON body),
 * in the caller's transaction, so a crash between queueing and delivery loses
 * nothing and the Idempotency-Key makes a repeated delivery harmless.
 * Delivery (outbox.c calls notify_deliver for 'notify' rows): webhook = POST
 * of the JSON payload with an `Idempotency-Key` header; command = argv (no
 * shell) with the JSON on stdin, killed after its timeout. */
#ifndef MC_NOTIFY_H
#define MC_NOTIFY_H

#include <stdint.h>
#include "alerts.h"

struct Cache;
struct Config;
struct cJSON;

/* The outbox row fields for notifications. */
#define NOTIFY_SOURCE "alerts"
#define NOTIFY_ACTION "notify"

/* Queues `payload` (a JSON object; "text" is set to title_text when it has
 * none) to every target whose `min` is <= sev, of `targets` (NULL: the
 * config's alerts.notify). One outbox row per target, idempotency key
 * "<idempotency_key>-<target name>". Runs inside the caller's transaction
 * when one is open, else in its own. A key already queued is skipped (so
 * calling twice for the same key queues nothing new). Returns the number of
 * rows queued, or -1 with *err. */
int notify_enqueue(struct Cache *c, const struct Config *cfg, const NotifyTarget *targets, int ntargets,
                   const char *idempotency_key, const char *title_text, const struct cJSON *payload,
                   AlertSeverity sev, char **err);

/* Delivers one claimed notify row: target by name, the stored JSON body,
 * its idempotency key. Returns like a source resolve (0 ok, 1 retry with
 * *retry_after_ms (-1: backoff), 2 failed for good) with *msg on failure. */
int notify_deliver(const struct Config *cfg, const char *target_name, const char *body,
                   const char *idempotency_key, int64_t *retry_after_ms, int *http_status, char **msg);

/* One paragraph for the sources view of the alerts pane: each target with
 * its pending and failed notifications and the newest failure's reason
 * ("notifications: none configured" without targets). Two indexed counts
 * per target; appends to b. */
struct Buf;
void notify_status_text(struct Cache *c, const struct Config *cfg, struct Buf *b);

#endif
