/* ratelimit.c — vendors' rate-limit signals (see ratelimit.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "ratelimit.h"
#include "../util.h"

/* A header as a number; -1 when absent or not a number. */
static double header_num(const HttpResponse *r, const char *name)
{
    const char *v = http_response_header(r, name);
    if (!v || !*v)
        return -1;
    char *end = NULL;
    double d = strtod(v, &end);
    while (end && (*end == ' ' || *end == '\t'))
        end++;
    return end && !*end && isfinite(d) && d >= 0 ? d : -1;
}

/* Close: {"error": {"rate_reset": 2.5}} -> ms, or -1. */
static int64_t body_rate_reset(const HttpResponse *r)
{
    if (!r->body_len || r->body_len > 65536)
        return -1;
    cJSON *j = cJSON_ParseWithLength(r->body, r->body_len);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    const cJSON *rr = cJSON_GetObjectItemCaseSensitive(e, "rate_reset");
    if (!rr)
        rr = cJSON_GetObjectItemCaseSensitive(j, "rate_reset");
    int64_t ms = -1;
    if (cJSON_IsNumber(rr) && isfinite(rr->valuedouble) && rr->valuedouble >= 0)
        ms = (int64_t)ceil(rr->valuedouble * 1000.0);
    cJSON_Delete(j);
    return ms;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

int64_t ratelimit_wait_ms(const HttpResponse *r, int64_t now_ms, int *limited)
{
    int64_t wait = 0;
    int exhausted = 0;
    double gh_left = header_num(r, "x-ratelimit-remaining");
    double hour_left = header_num(r, "x-ratelimit-remaining-hour");
    if (gh_left == 0) {
        exhausted = 1;
        double reset = header_num(r, "x-ratelimit-reset");
        if (reset > 0)
            wait = max64(wait, (int64_t)(reset * 1000.0) - now_ms);
    }
    if (hour_left == 0) {
        exhausted = 1;
        double reset = header_num(r, "ratelimit-reset");
        if (reset >= 0 && reset < 1e6)
            wait = max64(wait, (int64_t)(reset * 1000.0));      /* seconds from now */
        else if (reset > 1e9)
            wait = max64(wait, (int64_t)(reset * 1000.0) - now_ms);   /* an epoch time */
        else
            wait = max64(wait, 3600000 - now_ms % 3600000);     /* the next full hour */
    }
    /* GitHub's secondary limits: a 403 with Retry-After (and no count) */
    int secondary = r->status == 403 && r->retry_after_ms >= 0;
    int refused = r->status == 429 || ((r->status == 403 || r->status == 503) && exhausted) || secondary;
    int vendor = exhausted || secondary;
    if (refused || r->status == 503) {
        if (r->retry_after_ms >= 0)
            wait = max64(wait, r->retry_after_ms);
        int64_t body = r->status == 429 ? body_rate_reset(r) : -1;
        if (body >= 0) {
            vendor = 1;
            wait = max64(wait, body);
        }
    }
    if (limited)
        *limited = !refused ? 0 : vendor ? RATELIMIT_VENDOR : RATELIMIT_RETRY_AFTER;
    if (refused && wait <= 0)
        wait = 1000;                    /* refused without saying how long */
    return wait > RATELIMIT_MAX_MS ? RATELIMIT_MAX_MS : wait < 0 ? 0 : wait;
}

int ratelimit_sleep(int64_t ms, int64_t deadline_ms, atomic_int *cancel)
{
    int64_t end = mono_ms() + ms;
    if (deadline_ms && end > deadline_ms)
        return -1;
    for (;;) {
        if (cancel && atomic_load(cancel))
            return -1;
        int64_t left = end - mono_ms();
        if (left <= 0)
            return 0;
        if (left > 50)
            left = 50;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)left * 1000000L};
        nanosleep(&ts, NULL);
    }
}

char *ratelimit_message(const char *host, int64_t until_ms)
{
    time_t t = (time_t)(until_ms / 1000);
    struct tm tm;
    char hm[16] = "?";
    if (localtime_r(&t, &tm))
        strftime(hm, sizeof hm, "%H:%M:%S", &tm);
    return xasprintf("rate limited by %s until %s", host ? host : "the API", hm);
}
