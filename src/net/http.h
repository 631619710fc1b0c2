/* http.h — the one HTTP client of mc: a thin libcurl wrapper used by the
 * http_json kind, by the Convex, PostgREST and vendor collectors, and by the
 * system kind's HTTP probes (status_only).
 *
 * One request = one curl easy handle, so any thread may call http_perform at
 * any time (after http_global_init). Every request is bounded: connect time,
 * total time or a monotonic deadline, a cancel flag, and a cap on the decoded
 * body size. Transport failures come back as messages naming the host and
 * what happened; they never contain a header value marked secret (auth) nor
 * the URL's query string. HTTP statuses >= 400 are not transport failures:
 * http_perform returns 0 with resp->status, and http_check_status turns the
 * status into the standard message.
 *
 * This header is the HTTP-source kit every HTTP kind builds on: the request
 * options a source configures (HttpOptions), the retry rule
 * (http_retryable, http_retry_after), redirects that keep credentials on
 * their origin, and, next to it, auth.h (the `auth:` map), secret.h (the
 * secret reader), scrub.h (the scrubber) and size.h (the size parser). */
#ifndef MC_HTTP_H
#define MC_HTTP_H

#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>

struct YNode;

#define HTTP_DEFAULT_MAX_BYTES ((size_t)16 << 20)
#define HTTP_DEFAULT_CONNECT_MS 5000

/* curl_global_init, once per process (thread-safe; http_perform calls it).
 * Does nothing when requests go to the helper process. */
void http_global_init(void);

/* Requests go to a helper process (httphelper.h) so this one never maps
 * libcurl: the dashboard calls this with 1 before its engine starts. The
 * environment variable MC_HTTP_HELPER=0 or 1 overrides the choice (for
 * debugging and tests). http_out_of_process says what applies now. */
void http_set_out_of_process(int on);
int http_out_of_process(void);

/* Request or response headers. Names compare case-insensitively. */
typedef struct HttpHeader {
    char *name;
    char *value;
    int secret;       /* auth material: scrubbed from every message */
} HttpHeader;

typedef struct HttpHeaders {
    int n;
    HttpHeader *v;
} HttpHeaders;

/* Adds (or replaces a header of the same name); CR and LF are dropped from
 * name and value so data can never inject a header. Copies both strings. */
void http_headers_set(HttpHeaders *h, const char *name, const char *value, int secret);
/* Adds without replacing (response headers that repeat). */
void http_headers_add(HttpHeaders *h, const char *name, const char *value, int secret);
/* The value, or NULL. Points into h. */
const char *http_headers_get(const HttpHeaders *h, const char *name);
void http_headers_free(HttpHeaders *h);

typedef struct HttpRequest {
    const char *method;            /* NULL: GET, or POST when there is a body */
    const char *url;
    const HttpHeaders *headers;    /* may be NULL */
    const char *body;              /* NULL: none */
    size_t body_len;               /* 0 with a body: strlen(body) */
    const char *content_type;      /* of the body; NULL: application/json */
    int64_t connect_timeout_ms;    /* 0: HTTP_DEFAULT_CONNECT_MS */
    int64_t timeout_ms;            /* whole transfer; 0: none (use deadline) */
    int64_t deadline_ms;           /* mono_ms() by which to give up; 0: none */
    size_t max_bytes;              /* decoded body cap; 0: HTTP_DEFAULT_MAX_BYTES */
    int compressed;                /* ask for gzip/deflate/br/zstd (what curl has) */
    int insecure;                  /* skip TLS certificate and host checks */
    int follow_redirects;          /* up to 5, http/https only; headers that carry
                                      credentials (marked secret, or named like
                                      Authorization, Cookie, X-Api-Key, apikey,
                                      *-Token) go only to req->url's origin; an
                                      https -> http redirect is an error; 303 (and
                                      301/302 after POST) continue as GET */
    const char *if_none_match;     /* ETag from an earlier response, or NULL */
    const char *if_modified_since; /* Last-Modified from an earlier response, or NULL */
    atomic_int *cancel;            /* non-zero: abort soon; may be NULL */
    int status_only;               /* stop at the first body byte: only the status
                                      and headers matter (a health probe); that
                                      stop is success and resp->body is empty */
    int no_proxy;                  /* connect directly, whatever the *_proxy
                                      environment says */
} HttpRequest;

/* What kind of transport failure ended a request (HttpResponse.fail_kind),
 * for callers that word their own short messages (the system kind's
 * probes); the err string of http_perform stays the full message. */
typedef enum HttpFailKind {
    HTTP_FAIL_NONE = 0,            /* http_perform returned 0 */
    HTTP_FAIL_OTHER,               /* anything below does not cover */
    HTTP_FAIL_TIMEOUT,             /* timeout_ms, connect timeout or deadline */
    HTTP_FAIL_CANCELLED,           /* the cancel flag */
    HTTP_FAIL_CONNECT,             /* could not connect (os_errno says why) */
    HTTP_FAIL_RESOLVE,             /* could not resolve the host */
    HTTP_FAIL_TOO_BIG              /* body over max_bytes */
} HttpFailKind;

typedef struct HttpResponse {
    long status;                   /* HTTP status of the final response */
    char *body;                    /* always NUL-terminated (empty when none) */
    size_t body_len;
    char *etag, *last_modified;    /* NULL when absent */
    char *content_type, *content_range;
    char *next_url;                /* Link: <...>; rel="next", made absolute; or NULL */
    int64_t retry_after_ms;        /* Retry-After (seconds or HTTP date); -1 when absent */
    HttpHeaders headers;           /* every header of the final response (bounded) */
    char *host;                    /* "host" or "host:port" of the request URL */
    int fail_kind;                 /* HttpFailKind: HTTP_FAIL_NONE when http_perform
                                      returned 0, else never NONE */
    int os_errno;                  /* errno of the failed connect (libcurl's
                                      CURLINFO_OS_ERRNO), 0 when none */
} HttpResponse;

/* Performs one request. Returns 0 with *resp filled (any status), or -1 with
 * *err = "HOST: what happened" (or a message without HOST when the URL or
 * libcurl itself is the problem), resp->fail_kind and resp->os_errno set
 * (resp is still freeable). Caller frees resp
 * with http_response_free and err with free. */
int http_perform(const HttpRequest *req, HttpResponse *resp, char **err);
void http_response_free(HttpResponse *resp);
/* A response header by name (the last one received), or NULL. */
const char *http_response_header(const HttpResponse *resp, const char *name);

/* ---- the retry rule --------------------------------------------------- */

#define HTTP_RETRY_AFTER_MIN_MS ((int64_t)1000)
#define HTTP_RETRY_AFTER_MAX_MS ((int64_t)3600 * 1000)

/* 1 when a later attempt may succeed: 408, 429 and every 5xx. */
int http_retryable(long status);
/* The wait a retryable response asked for (Retry-After, clamped to
 * HTTP_RETRY_AFTER_MIN_MS..HTTP_RETRY_AFTER_MAX_MS), or -1 when the status
 * is not retryable or named no wait. */
int64_t http_retry_after(const HttpResponse *r);
/* ms clamped to the range above; -1 stays -1. */
int64_t http_clamp_retry_after(int64_t ms);

/* ---- the options every HTTP source configures --------------------------- */

typedef struct HttpOptions {
    int64_t connect_timeout_ms;    /* connect_timeout: (default 5s) */
    int64_t max_bytes;             /* max_bytes: decoded body cap (default 16MiB, at most 1GiB) */
    int insecure;                  /* insecure: skip TLS certificate and host checks */
    int compressed;                /* compressed: ask for gzip... (default on) */
    int follow_redirects;          /* follow_redirects: (default off) */
} HttpOptions;

/* The keys http_options_configure reads, NULL-terminated. */
extern const char *const http_option_keys[];
/* Defaults, then whichever of the option keys map has (a kind lists in its
 * own key table the ones it accepts). Returns 0, or -1 with *err at the key. */
int http_options_configure(HttpOptions *o, const struct YNode *map, char **err);
/* Copies the options into a request (other fields untouched). */
void http_options_apply(const HttpOptions *o, HttpRequest *rq);

/* 2xx: returns 0. Otherwise -1 with *err set to the standard message:
 * "HTTP 429 from HOST (retry after 30s)" when a retryable status carries Retry-After,
 * else "HTTP 500 from HOST: <first 200 chars of the body, one sanitized line>". */
int http_check_status(const HttpResponse *resp, char **err);

/* The message a server put in an error body: "message", "error" (a string or
 * an object with "message"), "errorMessage", "error_description"; else the
 * body as one sanitized line of at most max bytes. Returns a new string. */
char *http_error_text(const char *body, size_t len, size_t max);

/* Retry-After value (delay seconds or an HTTP date) as ms from now_ms;
 * -1 when it cannot be parsed. Never negative otherwise. */
int64_t http_parse_retry_after(const char *value, int64_t now_ms);

/* The value of rel="next" in a Link header value, or NULL. New string. */
char *http_link_next(const char *link);

/* URL helpers. All return new strings (caller frees) or NULL on a bad URL. */
char *http_url_host(const char *url);               /* "host" or "host:port" */
char *http_url_escape(const char *s);               /* percent-encodes all but A-Za-z0-9-._~ */
char *http_url_resolve(const char *base, const char *ref); /* relative ref against base */
/* Sets query parameter name=value (URL-encoded), replacing earlier ones. */
char *http_url_set_param(const char *url, const char *name, const char *value);
/* 1 when both URLs have the same scheme, host and port. */
int http_same_origin(const char *a, const char *b);

/* Bytes as one printable line: control characters and invalid UTF-8 become
 * spaces or '?', runs of white space collapse, at most max bytes (cut on a
 * character boundary, "..." appended when cut). Secrets are scrubbed
 * (scrub.h) before the cut. Returns a new string. */
char *http_sanitize(const char *s, size_t len, size_t max);

/* Parses a whole JSON document (only white space may follow it). Returns the
 * tree (caller deletes), or NULL with *err = "malformed JSON from FROM at
 * byte N: near '...'" (or "empty response from FROM"). */
struct cJSON;
struct cJSON *http_parse_json(const char *text, size_t len, const char *from, char **err);

/* "30s", "1.5s" for messages, into out. */
void http_format_secs(int64_t ms, char *out, size_t outsz);

/* size_ynode (size.h) with a minimum of 1 byte, for callers that predate
 * the one size parser. */
int http_ynode_size(const struct YNode *map, const char *key, int64_t max, int64_t *out,
                    char **err);

#endif
