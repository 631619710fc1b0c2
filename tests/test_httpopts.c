/* test_httpopts.c — the HTTP-source kit's retry rule and options
 * (src/net/http.h): which statuses are retried, Retry-After clamped, and
 * the options every HTTP kind configures the same way. */
#include "thelp.h"

#include <stdlib.h>
#include "../src/net/http.h"
#include "../src/ynode.h"

static void test_retry_rule(void)
{
    static const long retry[] = {408, 429, 500, 502, 503, 504, 560, 599};
    static const long final[] = {200, 204, 301, 304, 400, 401, 403, 404, 409, 410, 422, 600};
    for (size_t i = 0; i < sizeof retry / sizeof *retry; i++)
        CHECK(http_retryable(retry[i]));
    for (size_t i = 0; i < sizeof final / sizeof *final; i++)
        CHECK(!http_retryable(final[i]));
}

static void test_retry_after(void)
{
    HttpResponse r = {.status = 429, .retry_after_ms = 30000};
    CHECK_INT(http_retry_after(&r), 30000);
    r.retry_after_ms = 0;                                 /* "now" is at least 1 s */
    CHECK_INT(http_retry_after(&r), HTTP_RETRY_AFTER_MIN_MS);
    r.retry_after_ms = 7LL * 86400 * 1000;                /* a week is an hour */
    CHECK_INT(http_retry_after(&r), HTTP_RETRY_AFTER_MAX_MS);
    r.retry_after_ms = -1;                                /* none named */
    CHECK_INT(http_retry_after(&r), -1);
    r = (HttpResponse){.status = 408, .retry_after_ms = 5000};
    CHECK_INT(http_retry_after(&r), 5000);
    r = (HttpResponse){.status = 500, .retry_after_ms = 2000};
    CHECK_INT(http_retry_after(&r), 2000);
    r = (HttpResponse){.status = 400, .retry_after_ms = 2000};   /* not retryable: ignored */
    CHECK_INT(http_retry_after(&r), -1);
    CHECK_INT(http_clamp_retry_after(-1), -1);
    CHECK_INT(http_clamp_retry_after(1500), 1500);
    /* the message names the wait for any retryable status */
    char *err = NULL;
    r = (HttpResponse){.status = 502, .retry_after_ms = 3000, .host = "h:1", .body = ""};
    CHECK_INT(http_check_status(&r, &err), -1);
    CHECK_STR(err, "HTTP 502 from h:1 (retry after 3s)");
    free(err);
}

static YNode *parse(const char *text)
{
    char *err = NULL;
    YNode *doc = ynode_parse_text("t.yaml", text, strlen(text), &err);
    CHECK(doc != NULL);
    free(err);
    return doc;
}

static void test_options(void)
{
    YNode *doc = NULL;
    char *err = NULL;
    HttpOptions o;
    doc = parse("{x: 1}\n");
    CHECK_INT(http_options_configure(&o, doc, &err), 0);
    CHECK_INT(o.connect_timeout_ms, HTTP_DEFAULT_CONNECT_MS);
    CHECK_INT(o.max_bytes, (int64_t)HTTP_DEFAULT_MAX_BYTES);
    CHECK(o.compressed && !o.insecure && !o.follow_redirects);
    ynode_free(doc);
    doc = parse("{connect_timeout: 2s, max_bytes: 1M, insecure: true,"
                               " compressed: false, follow_redirects: true}\n");
    CHECK_INT(http_options_configure(&o, doc, &err), 0);
    CHECK_INT(o.connect_timeout_ms, 2000);
    CHECK_INT(o.max_bytes, 1048576);
    CHECK(!o.compressed && o.insecure && o.follow_redirects);
    HttpRequest rq = {0};
    http_options_apply(&o, &rq);
    CHECK_INT(rq.connect_timeout_ms, 2000);
    CHECK_INT((long long)rq.max_bytes, 1048576);
    CHECK(rq.insecure && !rq.compressed && rq.follow_redirects);
    ynode_free(doc);
    doc = parse("{max_bytes: 2GiB}\n");
    CHECK_INT(http_options_configure(&o, doc, &err), -1);
    CHECK_CONTAINS(err, "max_bytes: 2GiB is out of range");
    ynode_free(doc);
    free(err);
}

int main(void)
{
    RUN(test_retry_rule);
    RUN(test_retry_after);
    RUN(test_options);
    return t_done();
}
