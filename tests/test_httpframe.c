/* test_httpframe.c — the frames between mc and its HTTP helper
 * (src/net/httpframe.c): a request and an answer make the round trip with
 * every field (secret flags, a body with NULs, many headers, NULL strings,
 * status_only and no_proxy, a failure's kind and errno),
 * and a cut or altered frame is refused, never read past its end. */
#include <stdlib.h>
#include <string.h>
#include "thelp.h"
#include "../src/net/httphelper.h"
#include "../src/util.h"

static void test_request_round_trip(void)
{
    HttpHeaders h = {0};
    http_headers_add(&h, "Authorization", "Bearer s3cr3t-token", 1);
    http_headers_add(&h, "X-Plain", "v", 0);
    http_headers_add(&h, "X-Empty", "", 0);
    static const char body[] = "a\0b\0\0c";
    atomic_int cancel = 0;
    HttpRequest rq = {.method = "PATCH", .url = "https://api.example.com/x?q=1", .headers = &h,
                      .body = body, .body_len = sizeof body - 1, .content_type = "text/plain",
                      .connect_timeout_ms = 1234, .timeout_ms = 5678,
                      .deadline_ms = mono_ms() + 60000, .max_bytes = 4096, .compressed = 1,
                      .insecure = 1, .follow_redirects = 1, .if_none_match = "\"etag\"",
                      .if_modified_since = NULL, .cancel = &cancel, .status_only = 1,
                      .no_proxy = 1};
    Buf b = {0};
    http_frame_put_request(&b, &rq);
    CHECK_INT(http_frame_length((const unsigned char *)b.s), b.len - 4);
    HttpFrameRequest fr;
    CHECK_INT(http_frame_get_request(b.s + 4, b.len - 4, &fr), 0);
    const HttpRequest *q = &fr.req;
    CHECK_STR(q->method, "PATCH");
    CHECK_STR(q->url, rq.url);
    CHECK_INT(q->headers->n, 3);
    CHECK_STR(q->headers->v[0].name, "Authorization");
    CHECK_STR(q->headers->v[0].value, "Bearer s3cr3t-token");
    CHECK_INT(q->headers->v[0].secret, 1);
    CHECK_INT(q->headers->v[1].secret, 0);
    CHECK_STR(q->headers->v[2].value, "");
    CHECK_INT(q->body_len, sizeof body - 1);
    CHECK(q->body && !memcmp(q->body, body, sizeof body - 1));
    CHECK_STR(q->content_type, "text/plain");
    CHECK_INT(q->connect_timeout_ms, 1234);
    CHECK_INT(q->timeout_ms, 5678);
    CHECK(fr.deadline_left_ms > 50000 && fr.deadline_left_ms <= 60000);
    CHECK_INT(q->deadline_ms, 0);
    CHECK_INT(q->max_bytes, 4096);
    CHECK_INT(q->compressed, 1);
    CHECK_INT(q->insecure, 1);
    CHECK_INT(q->follow_redirects, 1);
    CHECK_STR(q->if_none_match, "\"etag\"");
    CHECK(q->if_modified_since == NULL);
    CHECK(q->cancel == NULL);                  /* the parent watches it */
    CHECK_INT(q->status_only, 1);
    CHECK_INT(q->no_proxy, 1);
    http_frame_request_free(&fr);

    /* every cut of the payload is refused */
    int refused = 1;
    for (size_t n = 0; n < b.len - 4; n++)
        if (http_frame_get_request(b.s + 4, n, &fr) == 0) {
            refused = 0;
            http_frame_request_free(&fr);
        }
    CHECK(refused);
    /* a response is not a request */
    b.s[4] = 'R';
    CHECK_INT(http_frame_get_request(b.s + 4, b.len - 4, &fr), -1);
    buf_free(&b);

    /* NULL method and body, no headers, no deadline */
    HttpRequest bare = {.url = "http://h/"};
    http_frame_put_request(&b, &bare);
    CHECK_INT(http_frame_get_request(b.s + 4, b.len - 4, &fr), 0);
    CHECK(fr.req.method == NULL && fr.req.body == NULL && fr.deadline_left_ms == 0);
    CHECK(fr.req.status_only == 0 && fr.req.no_proxy == 0);
    CHECK_INT(fr.req.headers->n, 0);
    http_frame_request_free(&fr);
    buf_free(&b);
    http_headers_free(&h);
}

static void test_response_round_trip(void)
{
    HttpResponse r = {0};
    r.status = 206;
    static const char body[] = "{\"a\":1}\0tail";
    r.body = xmalloc(sizeof body);
    memcpy(r.body, body, sizeof body);
    r.body_len = sizeof body - 1;
    r.etag = xstrdup("W/\"1\"");
    r.content_range = xstrdup("items 0-9/100");
    r.next_url = xstrdup("https://h/x?page=2");
    r.retry_after_ms = 30000;
    r.host = xstrdup("h:8443");
    for (int i = 0; i < 200; i++) {
        char name[32], value[32];
        snprintf(name, sizeof name, "X-H%d", i);
        snprintf(value, sizeof value, "v%d", i);
        http_headers_add(&r.headers, name, value, 0);
    }
    Buf b = {0};
    http_frame_put_response(&b, 0, NULL, &r);
    int rc = 7;
    char *err = xstrdup("stale");
    free(err);
    err = NULL;
    HttpResponse got;
    CHECK_INT(http_frame_get_response(b.s + 4, b.len - 4, &rc, &err, &got), 0);
    CHECK_INT(rc, 0);
    CHECK(err == NULL);
    CHECK_INT(got.status, 206);
    CHECK_INT(got.body_len, sizeof body - 1);
    CHECK(!memcmp(got.body, body, sizeof body - 1) && got.body[got.body_len] == 0);
    CHECK_STR(got.etag, "W/\"1\"");
    CHECK(got.last_modified == NULL && got.content_type == NULL);
    CHECK_STR(got.content_range, "items 0-9/100");
    CHECK_STR(got.next_url, "https://h/x?page=2");
    CHECK_INT(got.retry_after_ms, 30000);
    CHECK_STR(got.host, "h:8443");
    CHECK_INT(got.headers.n, 200);
    CHECK_STR(http_response_header(&got, "x-h199"), "v199");
    CHECK_INT(got.fail_kind, HTTP_FAIL_NONE);
    CHECK_INT(got.os_errno, 0);
    http_response_free(&got);
    buf_free(&b);
    http_response_free(&r);

    /* a failure: rc -1, the message, its kind and errno, an empty response */
    HttpResponse none = {.retry_after_ms = -1, .host = xstrdup("h"),
                         .fail_kind = HTTP_FAIL_CONNECT, .os_errno = 111};
    http_frame_put_response(&b, -1, "h: Failed to connect", &none);
    CHECK_INT(http_frame_get_response(b.s + 4, b.len - 4, &rc, &err, &got), 0);
    CHECK_INT(rc, -1);
    CHECK_STR(err, "h: Failed to connect");
    CHECK_STR(got.body, "");
    CHECK_INT(got.retry_after_ms, -1);
    CHECK_INT(got.fail_kind, HTTP_FAIL_CONNECT);
    CHECK_INT(got.os_errno, 111);
    free(err);
    http_response_free(&got);
    /* a kind this side does not know reads as OTHER, a wild errno as 0 */
    Buf odd = {0};
    HttpResponse weird = {.retry_after_ms = -1, .fail_kind = 99, .os_errno = -5};
    http_frame_put_response(&odd, -1, "x", &weird);
    CHECK_INT(http_frame_get_response(odd.s + 4, odd.len - 4, &rc, &err, &got), 0);
    CHECK_INT(got.fail_kind, HTTP_FAIL_OTHER);
    CHECK_INT(got.os_errno, 0);
    free(err);
    http_response_free(&got);
    buf_free(&odd);
    /* every cut of a failure's payload is refused (the new fields included) */
    int refused = 1;
    for (size_t n = 0; n < b.len - 4; n++)
        if (http_frame_get_response(b.s + 4, n, &rc, &err, &got) == 0) {
            refused = 0;
            free(err);
            http_response_free(&got);
        }
    CHECK(refused);
    /* a header count larger than the frame can hold is refused: the count
     * before host "h" (8 + 1 bytes), fail_kind and os_errno (8 each) */
    size_t at = b.len - 16 - 8 - 1 - 8;
    memset(b.s + at, 0x7F, 8);
    CHECK_INT(http_frame_get_response(b.s + 4, b.len - 4, &rc, &err, &got), -1);
    CHECK(err == NULL);
    http_response_free(&got);
    buf_free(&b);
    http_response_free(&none);
}

int main(void)
{
    RUN(test_request_round_trip);
    RUN(test_response_round_trip);
    return t_done();
}
