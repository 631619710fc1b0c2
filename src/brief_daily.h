/* brief_daily.h — the daily brief of `mc fetch --daemon` (brief: {at, tz,
 * notify}): once the local time in brief.tz passes brief.at, the brief
 * (brief.c) is queued to the notify targets through the outbox
 * (alerts/notify.h) with the idempotency key "brief-<local date>", so it is
 * queued once per local day even when the daemon restarts (the key is
 * unique in the outbox), and delivered once by the outbox thread. Runs on
 * the daemon's main thread with its own cache connection; the zone's offset
 * comes from tzfile.h (no TZ, no tzset: other threads parse local times). */
#ifndef MC_BRIEF_DAILY_H
#define MC_BRIEF_DAILY_H

#include <stdint.h>
#include "cache.h"
#include "config.h"

typedef struct BriefDaily {
    Cache *cache;               /* opened at the first send; this thread's own */
    char done[16];              /* the local date whose brief is queued */
    int64_t offset_at;          /* when offset_s was read (it is re-read every minute) */
    int offset_s;
    int64_t retry_at;           /* after a failure, not before this */
    int already;                /* the date's brief was queued by an earlier run */
} BriefDaily;

/* Checks that brief.tz names a zone of the tz database (the daemon refuses
 * to start otherwise). 0, or -1 with *err. */
int brief_daily_check(const Config *cfg, char **err);
/* Called about once a second. Returns 1 when it queued today's brief, 0 when
 * there was nothing to do (not time yet, already queued, not configured),
 * or already queued by an earlier run: `already` is set), -1 with *err on
 * failure (tried again a minute later). */
int brief_daily_tick(BriefDaily *d, const Config *cfg, int64_t now, char **err);
void brief_daily_close(BriefDaily *d);

#endif
