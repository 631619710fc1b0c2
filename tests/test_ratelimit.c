/* test_ratelimit.c — the vendors' rate-limit signals (src/net/ratelimit.h)
 * and the OAuth2 token lifetime rules (src/net/oauth2.h): how long each
 * response asks us to wait, whether it was refused for the rate (and by
 * the vendor's own signal or only Retry-After), the cancel-aware sleep,
 * expires_in as a number or a string, and the refresh margin. */
#include "thelp.h"

#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "../src/net/http.h"
#include "../src/net/oauth2.h"
#include "../src/net/ratelimit.h"
#include "../src/util.h"

static HttpResponse resp(long status, const char *body)
{
    HttpResponse r = {.status = status, .retry_after_ms = -1, .host = "h:1"};
    r.body = (char *)(body ? body : "");
    r.body_len = strlen(r.body);
    return r;
}

static void hdr(HttpResponse *r, const char *name, const char *value)
{
    http_headers_add(&r->headers, name, value, 0);
}

static void test_close(void)
{
    int lim = -1;
    /* Close: 429 with {"error": {"rate_reset": 2.5}} and no Retry-After */
    HttpResponse r = resp(429, "{\"error\":{\"rate_reset\":2.5,\"message\":\"API call rate limit exceeded\"}}");
    CHECK_INT(ratelimit_wait_ms(&r, 0, &lim), 2500);
    CHECK_INT(lim, RATELIMIT_VENDOR);
    /* Retry-After larger than rate_reset wins */
    r.retry_after_ms = 4000;
    CHECK_INT(ratelimit_wait_ms(&r, 0, &lim), 4000);
    /* a plain 429 with only Retry-After */
    r = resp(429, "slow down");
    r.retry_after_ms = 3000;
    CHECK_INT(ratelimit_wait_ms(&r, 0, &lim), 3000);
    CHECK_INT(lim, RATELIMIT_RETRY_AFTER);
    /* a 429 that names no wait still waits a second */
    r = resp(429, "");
    CHECK_INT(ratelimit_wait_ms(&r, 0, &lim), 1000);
    /* a 200 with a rate_reset field is not refused */
    r = resp(200, "{\"error\":{\"rate_reset\":2.5}}");
    CHECK_INT(ratelimit_wait_ms(&r, 0, &lim), 0);
    CHECK_INT(lim, 0);
}

static void test_github(void)
{
    int lim = -1;
    int64_t now = 1773800000000LL;
    HttpResponse r = resp(403, "{\"message\":\"API rate limit exceeded\"}");
    hdr(&r, "x-ratelimit-remaining", "0");
    hdr(&r, "x-ratelimit-reset", "1773800042");
    CHECK_INT(ratelimit_wait_ms(&r, now, &lim), 42000);
    CHECK_INT(lim, RATELIMIT_VENDOR);
    http_headers_free(&r.headers);
    /* a 403 with budget left is a real 403 (credentials), not a rate limit */
    r = resp(403, "{\"message\":\"Resource not accessible\"}");
    hdr(&r, "x-ratelimit-remaining", "4999");
    hdr(&r, "x-ratelimit-reset", "1773800042");
    CHECK_INT(ratelimit_wait_ms(&r, now, &lim), 0);
    CHECK_INT(lim, 0);
    http_headers_free(&r.headers);
    /* a secondary rate limit: 403 with Retry-After, no count */
    r = resp(403, "{\"message\":\"You have exceeded a secondary rate limit.\"}");
    r.retry_after_ms = 60000;
    CHECK_INT(ratelimit_wait_ms(&r, now, &lim), 60000);
    CHECK_INT(lim, RATELIMIT_VENDOR);
    /* a 200 that used the last request: not refused, but the next one waits */
    r = resp(200, "{}");
    hdr(&r, "X-RateLimit-Remaining", "0");
    hdr(&r, "X-RateLimit-Reset", "1773800010");
    CHECK_INT(ratelimit_wait_ms(&r, now, &lim), 10000);
    CHECK_INT(lim, 0);
    http_headers_free(&r.headers);
    /* a reset in the past waits nothing; a reset days away is capped */
    r = resp(200, "{}");
    hdr(&r, "x-ratelimit-remaining", "0");
    hdr(&r, "x-ratelimit-reset", "1773700000");
    CHECK_INT(ratelimit_wait_ms(&r, now, &lim), 0);
    http_headers_free(&r.headers);
    r = resp(429, "");
    hdr(&r, "x-ratelimit-remaining", "0");
    hdr(&r, "x-ratelimit-reset", "1783800000");
    CHECK_INT(ratelimit_wait_ms(&r, now, &lim), RATELIMIT_MAX_MS);
    http_headers_free(&r.headers);
}

static void test_impact(void)
{
    int lim = -1;
    int64_t now = 1773800000000LL + 15 * 60000;        /* 15 min past an hour */
    HttpResponse r = resp(200, "{}");
    hdr(&r, "X-RateLimit-Remaining-hour", "0");
    hdr(&r, "RateLimit-Reset", "120");
    CHECK_INT(ratelimit_wait_ms(&r, now, &lim), 120000);
    CHECK_INT(lim, 0);
    http_headers_free(&r.headers);
    /* a reset given as an epoch time */
    r = resp(429, "");
    hdr(&r, "X-RateLimit-Remaining-hour", "0");
    hdr(&r, "RateLimit-Reset", "1773801000");
    CHECK_INT(ratelimit_wait_ms(&r, now, &lim), 1773801000000LL - now);
    http_headers_free(&r.headers);
    /* no reset header: to the next full hour */
    r = resp(429, "");
    hdr(&r, "X-RateLimit-Remaining-hour", "0");
    CHECK_INT(ratelimit_wait_ms(&r, now, &lim), 3600000 - now % 3600000);
    CHECK_INT(lim, RATELIMIT_VENDOR);
    http_headers_free(&r.headers);
    r = resp(200, "{}");
    hdr(&r, "X-RateLimit-Remaining-hour", "17");
    CHECK_INT(ratelimit_wait_ms(&r, now, &lim), 0);
    http_headers_free(&r.headers);
}

static void test_sleep_and_message(void)
{
    atomic_int cancel = 0;
    int64_t t0 = mono_ms();
    CHECK_INT(ratelimit_sleep(30, 0, &cancel), 0);
    CHECK(mono_ms() - t0 >= 30);
    cancel = 1;
    CHECK_INT(ratelimit_sleep(60000, 0, &cancel), -1);      /* returns at once */
    cancel = 0;
    CHECK_INT(ratelimit_sleep(60000, mono_ms() + 100, &cancel), -1);   /* past the deadline */
    char *m = ratelimit_message("api.github.com", now_ms() + 60000);
    CHECK_CONTAINS(m, "rate limited by api.github.com until ");
    CHECK(strstr(m, "HTTP") == NULL);                        /* never read as "credentials refused" */
    free(m);
}

static void test_oauth2_lifetime(void)
{
    cJSON *j = cJSON_Parse("{\"a\":3600,\"b\":\"3600\",\"c\":\" 2 \",\"d\":\"soon\",\"e\":-5,\"f\":null,"
                           "\"g\":1.5}");
    CHECK_INT(oauth2_expires_ms(cJSON_GetObjectItem(j, "a")), 3600000);
    CHECK_INT(oauth2_expires_ms(cJSON_GetObjectItem(j, "b")), 3600000);
    CHECK_INT(oauth2_expires_ms(cJSON_GetObjectItem(j, "c")), 2000);   /* blanks around a number */
    CHECK_INT(oauth2_expires_ms(cJSON_GetObjectItem(j, "d")), -1);
    CHECK_INT(oauth2_expires_ms(cJSON_GetObjectItem(j, "e")), -1);
    CHECK_INT(oauth2_expires_ms(cJSON_GetObjectItem(j, "f")), -1);
    CHECK_INT(oauth2_expires_ms(cJSON_GetObjectItem(j, "g")), 1500);
    CHECK_INT(oauth2_expires_ms(NULL), -1);
    cJSON_Delete(j);
    CHECK_INT(oauth2_margin_ms(3600000), 60000);             /* at most a minute */
    CHECK_INT(oauth2_margin_ms(300000), 30000);              /* a tenth of a short lifetime */
    CHECK_INT(oauth2_margin_ms(2000), 200);
}

int main(void)
{
    RUN(test_close);
    RUN(test_github);
    RUN(test_impact);
    RUN(test_sleep_and_message);
    RUN(test_oauth2_lifetime);
    return t_done();
}
