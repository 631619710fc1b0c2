/* httphelper.h — HTTP in a helper process (issue 13, footprint).
 *
 * libcurl and the TLS stack behind it cost ~6 MB of resident memory in any
 * process that maps them. The dashboard keeps libcurl out: once
 * http_set_out_of_process(1) is called, http_perform hands each request to
 * a helper, mc itself re-executed as `mc __http-helper PPID`, over a
 * socket pair on the helper's stdin and stdout, and returns its answer with
 * the contract of http.h unchanged. Every other command performs requests
 * in process.
 *
 * The policy, in one place:
 *   - one helper per request running at the same time (a pool of at most
 *     HTTP_HELPER_POOL_MAX; past that a request gets a helper of its own that
 *     exits after it); an idle helper is reused;
 *   - a helper idle for HTTP_HELPER_IDLE_MS is told to exit (the parent's
 *     spawner thread looks every HTTP_HELPER_REAP_TICK_MS, closes its stdin
 *     and reaps it), so its memory comes back between the fetches of a slow
 *     interval; one idle that long is never reused. As a backstop a helper
 *     exits by itself after HTTP_HELPER_IDLE_EXIT_MS without a request
 *     (later, so a reuse never races that exit);
 *   - the parent waits on the socket in ticks of HTTP_HELPER_TICK_MS and
 *     SIGKILLs the helper on the caller's cancel flag, or when the request's
 *     deadline or timeout passed HTTP_HELPER_GRACE_MS ago without an answer
 *     (the helper's libcurl normally answers "timed out" first);
 *   - the helper dies with its parent (PR_SET_PDEATHSIG), never writes to
 *     the terminal (stderr is /dev/null), and gets secrets only through
 *     the socket, never in argv or the environment.
 *
 * Frames: a 4-byte big-endian payload length, then the payload: one kind
 * byte ('Q' request, 'R' response), then fields in a fixed order. A number
 * is 8 bytes big-endian (two's complement); a string is its length as a
 * number (-1: NULL) and its bytes (NULs allowed). Request: method, url,
 * header count and each header (name, value, secret), body, content_type,
 * connect_timeout_ms, timeout_ms, the ms left to deadline_ms (0: none),
 * max_bytes, compressed, insecure, follow_redirects, if_none_match,
 * if_modified_since, status_only, no_proxy. Response: rc, err, status,
 * body, etag, last_modified, content_type, content_range, next_url,
 * retry_after_ms, headers, host, fail_kind, os_errno (an unknown kind reads
 * as HTTP_FAIL_OTHER, an errno outside 0..4095 as 0). */
#ifndef MC_HTTPHELPER_H
#define MC_HTTPHELPER_H

#include <stdint.h>
#include "http.h"
#include "../util.h"

#define HTTP_HELPER_ARG "__http-helper"
#define HTTP_HELPER_POOL_MAX 16
#define HTTP_HELPER_IDLE_MS ((int64_t)15000)
#define HTTP_HELPER_REAP_TICK_MS 1000
#define HTTP_HELPER_IDLE_EXIT_MS (HTTP_HELPER_IDLE_MS + 10000)
#define HTTP_HELPER_TICK_MS 50
#define HTTP_HELPER_GRACE_MS ((int64_t)1500)
/* a frame's payload: the largest body cap (1 GiB) and room for headers */
#define HTTP_FRAME_MAX (((size_t)1 << 30) + ((size_t)16 << 20))

/* A request read from a frame, with the storage its pointers use. */
typedef struct HttpFrameRequest {
    HttpRequest req;
    HttpHeaders headers;
    char *method, *url, *body, *content_type, *if_none_match, *if_modified_since;
    int64_t deadline_left_ms;          /* 0: none */
} HttpFrameRequest;

/* Appends the whole frame (length and payload) for req to out; the
 * deadline travels as the ms left from now. */
void http_frame_put_request(Buf *out, const HttpRequest *req);
/* Appends the frame of one answer: rc, err (may be NULL) and resp. */
void http_frame_put_response(Buf *out, int rc, const char *err, const HttpResponse *resp);

/* Parse a payload (without its length prefix). 0, or -1 when it is not a
 * well-formed frame of that kind. The request's fields are owned by *out
 * (free with http_frame_request_free); deadline_ms is left 0 and
 * deadline_left_ms set. The response fills *resp (http_response_free) and
 * *err (NULL or a new string). */
int http_frame_get_request(const char *p, size_t n, HttpFrameRequest *out);
void http_frame_request_free(HttpFrameRequest *r);
int http_frame_get_response(const char *p, size_t n, int *rc, char **err, HttpResponse *resp);

/* The payload length in a 4-byte prefix. */
size_t http_frame_length(const unsigned char *prefix);

/* The parent side (httpproc.c): performs req in a helper. host is the
 * request URL's host (for messages). Same contract as http_perform. */
int http_helper_perform(const HttpRequest *req, const char *host, HttpResponse *resp, char **err);

/* This process performs its requests itself, whatever MC_HTTP_HELPER says
 * (the helper). */
void http_force_in_process(void);

/* The helper's main loop (httphelper.c): `mc __http-helper PPID`. */
int http_helper_main(int argc, char **argv);

#endif
