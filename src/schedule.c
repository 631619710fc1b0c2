/* schedule.c — when to fetch: interval with jitter, exponential backoff after
 * failures, the circuit breaker and the request budget. Pure functions of
 * their inputs and the clock they are handed, so tests drive them directly. */
#include "schedule.h"

int64_t sched_next_delay(int failures, int64_t base_ms, int64_t cap_ms, double jitter_frac,
                         double rnd)
{
    if (base_ms < 100)
        base_ms = 100;
    if (failures <= 0) {
        double j = jitter_frac * (double)base_ms * (2.0 * rnd - 1.0);
        int64_t d = base_ms + (int64_t)j;
        return d < 100 ? 100 : d;
    }
    /* first retry after min(base, 5s), doubling up to the cap */
    int64_t first = base_ms < 5000 ? base_ms : 5000;
    int64_t d = first;
    for (int i = 1; i < failures && d < cap_ms; i++)
        d *= 2;
    if (cap_ms > 0 && d > cap_ms)
        d = cap_ms;
    d += (int64_t)((double)d * 0.2 * rnd);
    return d;
}

int breaker_allow(Breaker *b, int64_t now)
{
    switch (b->state) {
    case BREAKER_CLOSED:
        return 1;
    case BREAKER_OPEN:
        if (now >= b->open_until) {
            b->state = BREAKER_HALF_OPEN;
            return 1;
        }
        return 0;
    default:
        return 0; /* a probe is already out */
    }
}

void breaker_record(Breaker *b, int ok, int threshold, int64_t open_ms, int64_t now)
{
    if (ok) {
        b->state = BREAKER_CLOSED;
        b->failures = 0;
        return;
    }
    b->failures++;
    if (b->state == BREAKER_HALF_OPEN || (threshold > 0 && b->failures >= threshold)) {
        b->state = BREAKER_OPEN;
        b->open_until = now + open_ms;
    }
}

static int used_since(const RateBudget *r, int64_t now_min, int minutes)
{
    int n = 0;
    for (int i = 0; i < 60; i++)
        if (r->count[i] && r->minute[i] > now_min - minutes && r->minute[i] <= now_min)
            n += r->count[i];
    return n;
}

int64_t rate_wait(const RateBudget *r, int64_t now)
{
    int64_t m = now / 60000;
    if (r->per_min > 0 && used_since(r, m, 1) >= r->per_min)
        return (m + 1) * 60000 - now;
    if (r->per_hour > 0 && used_since(r, m, 60) >= r->per_hour) {
        /* wait for the oldest bucket in the window to fall out */
        int64_t oldest = m;
        for (int i = 0; i < 60; i++)
            if (r->count[i] && r->minute[i] > m - 60 && r->minute[i] < oldest)
                oldest = r->minute[i];
        return (oldest + 60) * 60000 - now;
    }
    return 0;
}

void rate_note(RateBudget *r, int64_t now, int requests)
{
    int64_t m = now / 60000;
    int i = (int)(m % 60);
    if (r->minute[i] != m) {
        r->minute[i] = m;
        r->count[i] = 0;
    }
    r->count[i] += requests;
}
