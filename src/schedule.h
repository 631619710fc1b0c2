/* schedule.h — the pure decisions of the scheduler, with the clock passed in so
 * tests can drive them: when a source is next due (interval + jitter, backoff
 * after failures), the circuit breaker, and the rate budget. */
#ifndef MC_SCHEDULE_H
#define MC_SCHEDULE_H

#include <stdint.h>

/* Delay before the next attempt after `failures` consecutive failures:
 * min(cap, base * 2^(failures-1)), with up to 20% random jitter from `rnd`
 * (0..1). failures == 0: base with +/- jitter_frac * base. */
int64_t sched_next_delay(int failures, int64_t base_ms, int64_t cap_ms, double jitter_frac, double rnd);

enum { BREAKER_CLOSED = 0, BREAKER_OPEN = 1, BREAKER_HALF_OPEN = 2 };

typedef struct Breaker {
    int state;
    int failures;             /* consecutive */
    int64_t open_until;       /* when OPEN: the time a probe is allowed */
} Breaker;

/* May a fetch start now? Moves OPEN -> HALF_OPEN when open_until passed
 * (one probe); HALF_OPEN admits no second probe until the first reports. */
int breaker_allow(Breaker *b, int64_t now);
/* Records the result; opens after `threshold` failures or a failed probe. */
void breaker_record(Breaker *b, int ok, int threshold, int64_t open_ms, int64_t now);

/* A budget of requests per minute and per hour (0 = unlimited), counted in
 * one-minute buckets over the last hour. */
typedef struct RateBudget {
    int per_min, per_hour;
    int64_t minute[60];       /* which minute (epoch / 60000) each bucket holds */
    int count[60];
} RateBudget;

/* 0 when a request may go now, else the ms to wait. */
int64_t rate_wait(const RateBudget *r, int64_t now);
void rate_note(RateBudget *r, int64_t now, int requests);

#endif
