/* ratelimit.h — what vendors say about their rate limits, read from a
 * response so a source waits instead of burning its budget:
 *
 *   - Retry-After (seconds or an HTTP date) on any 429/403/503;
 *   - Close: a 429 body {"error": {"rate_reset": 2.5}} (seconds, float);
 *   - GitHub: x-ratelimit-remaining: 0 with x-ratelimit-reset (epoch s),
 *     and its secondary limits: a 403 with Retry-After;
 *   - impact.com: X-RateLimit-Remaining-hour: 0, until RateLimit-Reset
 *     (seconds) or else the next full hour.
 *
 * A response that is rate limited (429, or 403 with a remaining count of 0)
 * makes http_json wait on the fetch's cancel flag for at most
 * RATELIMIT_INLINE_MAX_MS (and within the fetch deadline), then try the same
 * request again; a longer wait fails the fetch with "rate limited by HOST
 * until 14:05" and moves the source's next attempt past it (FetchCtx
 * retry_after_ms). A successful page that leaves 0 requests makes the next
 * page wait the same way. */
#ifndef MC_NET_RATELIMIT_H
#define MC_NET_RATELIMIT_H

#include <stdatomic.h>
#include <stdint.h>
#include "http.h"

#define RATELIMIT_INLINE_MAX_MS ((int64_t)10000)
#define RATELIMIT_MAX_MS ((int64_t)3600 * 1000)

#define RATELIMIT_RETRY_AFTER 1     /* refused; only Retry-After (or nothing) says how long */
#define RATELIMIT_VENDOR 2          /* refused; the vendor's own signal says how long */

/* How long the server asks us to wait before the next request, in ms from
 * now_ms (wall clock), at most RATELIMIT_MAX_MS; 0 when it asks for
 * nothing. *limited (may be NULL): 0 when this response was not refused for
 * the rate, else RATELIMIT_RETRY_AFTER or RATELIMIT_VENDOR (429 with a
 * rate_reset body or a remaining count of 0; 403 with a remaining count of 0). */
int64_t ratelimit_wait_ms(const HttpResponse *r, int64_t now_ms, int *limited);
/* Sleeps ms unless *cancel becomes non-zero or mono deadline passes (0:
 * none). Returns 0 when the whole wait was slept, -1 when cut short. */
int ratelimit_sleep(int64_t ms, int64_t deadline_ms, atomic_int *cancel);
/* "rate limited by HOST until 14:05:30" (local time) into a new string. */
char *ratelimit_message(const char *host, int64_t until_ms);

#endif
