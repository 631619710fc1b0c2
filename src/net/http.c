/* http.c — performs one HTTP request with libcurl (see http.h).
 *
 * Each call builds its own easy handle, so fetch workers and the outbox
 * delivery thread can run requests at the same time. The body is collected
 * into memory up to the request's cap (decoded bytes, so a compressed bomb
 * is cut off too); the progress callback aborts on the caller's cancel flag
 * or deadline. Messages name the host, never the path, query or a secret. */
#include <pthread.h>
#include "curl_dyn.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "http.h"
#include "httphelper.h"
#include "scrub.h"
#include "../util.h"

#define MAX_HEADER_BYTES (64 * 1024)

/* Lazy and thread-safe: libcurl and the TLS libraries behind it are only
 * loaded (several MB of resident memory) by processes that make a request. */
void http_global_init(void)
{
    if (!http_out_of_process())
        (void)curl_dyn();
}

/* ---- header lists ----------------------------------------------------- */

static char *strip_crlf(const char *s)
{
    char *o = xstrdup(s ? s : "");
    char *w = o;
    for (const char *r = o; *r; r++)
        if (*r != '\r' && *r != '\n')
            *w++ = *r;
    *w = 0;
    return o;
}

void http_headers_add(HttpHeaders *h, const char *name, const char *value, int secret)
{
    h->v = xrealloc(h->v, sizeof *h->v * (size_t)(h->n + 1));
    h->v[h->n++] = (HttpHeader){strip_crlf(name), strip_crlf(value), secret};
}

void http_headers_set(HttpHeaders *h, const char *name, const char *value, int secret)
{
    for (int i = 0; i < h->n; i++) {
        if (!strcasecmp(h->v[i].name, name)) {
            free(h->v[i].value);
            h->v[i].value = strip_crlf(value);
            h->v[i].secret = secret;
            return;
        }
    }
    http_headers_add(h, name, value, secret);
}

const char *http_headers_get(const HttpHeaders *h, const char *name)
{
    const char *found = NULL;
    for (int i = 0; h && i < h->n; i++)
        if (!strcasecmp(h->v[i].name, name))
            found = h->v[i].value;
    return found;
}

void http_headers_free(HttpHeaders *h)
{
    for (int i = 0; i < h->n; i++) {
        free(h->v[i].name);
        free(h->v[i].value);
    }
    free(h->v);
    h->v = NULL;
    h->n = 0;
}

void http_response_free(HttpResponse *r)
{
    if (!r)
        return;
    free(r->body);
    free(r->etag);
    free(r->last_modified);
    free(r->content_type);
    free(r->content_range);
    free(r->next_url);
    free(r->host);
    http_headers_free(&r->headers);
    memset(r, 0, sizeof *r);
}

const char *http_response_header(const HttpResponse *r, const char *name)
{
    return http_headers_get(&r->headers, name);
}

/* ---- one transfer ----------------------------------------------------- */

static int is_credential_name(const char *name)
{
    return !strcasecmp(name, "Cookie") || scrub_secret_name(name, strlen(name));
}

typedef struct Xfer {
    const HttpRequest *req;
    HttpResponse *resp;
    Buf body;
    size_t max;
    int too_big, cancelled, past_deadline;
    int stopped;               /* status_only: stopped at the first body byte */
    size_t header_bytes;
    char *link_next;           /* raw next link of the final response */
} Xfer;

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    Xfer *x = ud;
    size_t n = size * nmemb;
    if (x->req->status_only) {
        x->stopped = 1;
        return 0;                       /* ends the transfer; transfer() calls it success */
    }
    if (x->body.len + n > x->max) {
        x->too_big = 1;
        return 0;
    }
    buf_append(&x->body, data, n);
    return n;
}

static void trim(char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t'))
        (*s)++, (*len)--;
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r'
                    || (*s)[*len - 1] == '\n'))
        (*len)--;
}

/* Keeps the headers of the last response only (a redirect or 100-continue
 * starts a new status line). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
    Xfer *x = ud;
    size_t n = size * nmemb;
    if (n >= 5 && !strncmp(data, "HTTP/", 5)) {
        http_headers_free(&x->resp->headers);
        free(x->link_next);
        x->link_next = NULL;
        x->header_bytes = 0;
        return n;
    }
    x->header_bytes += n;
    if (x->header_bytes > MAX_HEADER_BYTES)
        return n;                       /* keep going, just stop remembering */
    char *colon = memchr(data, ':', n);
    if (!colon)
        return n;
    char *name = data, *val = colon + 1;
    size_t nlen = (size_t)(colon - data), vlen = n - nlen - 1;
    trim(&name, &nlen);
    trim(&val, &vlen);
    char *k = xstrndup(name, nlen), *v = xstrndup(val, vlen);
    http_headers_add(&x->resp->headers, k, v, 0);
    if (!strcasecmp(k, "Link") && !x->link_next)
        x->link_next = http_link_next(v);
    free(k);
    free(v);
    return n;
}

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    Xfer *x = ud;
    if (x->req->cancel && *x->req->cancel) {
        x->cancelled = 1;
        return 1;
    }
    if (x->req->deadline_ms && mono_ms() >= x->req->deadline_ms) {
        x->past_deadline = 1;
        return 1;
    }
    return 0;
}

/* Every secret header value (and the token after its scheme word) is
 * known to the scrubber before anything can echo it. */
static void register_secrets(const HttpHeaders *h)
{
    for (int i = 0; h && i < h->n; i++) {
        if (!h->v[i].secret && !is_credential_name(h->v[i].name))
            continue;
        scrub_register(h->v[i].value);
        const char *sp = strchr(h->v[i].value, ' ');
        if (sp)
            scrub_register(sp + 1);
    }
}

static struct curl_slist *build_headers(const HttpRequest *req)
{
    struct curl_slist *list = NULL;
    const HttpHeaders *h = req->headers;
    for (int i = 0; h && i < h->n; i++) {
        char *line = *h->v[i].value ? xasprintf("%s: %s", h->v[i].name, h->v[i].value)
                                    : xasprintf("%s;", h->v[i].name);
        list = curl_slist_append(list, line);
        free(line);
    }
    if (!http_headers_get(h, "Accept"))
        list = curl_slist_append(list, "Accept: application/json");
    if (req->body && !http_headers_get(h, "Content-Type")) {
        char *line = xasprintf("Content-Type: %s",
                               req->content_type ? req->content_type : "application/json");
        list = curl_slist_append(list, line);
        free(line);
    }
    list = curl_slist_append(list, "Expect:");
    if (req->if_none_match && *req->if_none_match) {
        char *line = xasprintf("If-None-Match: %s", req->if_none_match);
        char *clean = strip_crlf(line);
        list = curl_slist_append(list, clean);
        free(clean);
        free(line);
    }
    if (req->if_modified_since && *req->if_modified_since) {
        char *line = xasprintf("If-Modified-Since: %s", req->if_modified_since);
        char *clean = strip_crlf(line);
        list = curl_slist_append(list, clean);
        free(clean);
        free(line);
    }
    return list;
}

static int valid_method(const char *m)
{
    if (!*m || strlen(m) > 16)
        return 0;
    for (const char *p = m; *p; p++)
        if (*p < 'A' || *p > 'Z')
            return 0;
    return 1;
}

static void set_method(CURL *c, const HttpRequest *req, const char *method)
{
    size_t blen = req->body ? (req->body_len ? req->body_len : strlen(req->body)) : 0;
    if (!strcmp(method, "HEAD")) {
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
        return;
    }
    if (req->body || !strcmp(method, "POST")) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }
    if (strcmp(method, "GET") && strcmp(method, "POST"))
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    else if (!strcmp(method, "GET") && req->body)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "GET");
}

static void set_limits(CURL *c, const HttpRequest *req, Xfer *x)
{
    int64_t connect = req->connect_timeout_ms > 0 ? req->connect_timeout_ms : HTTP_DEFAULT_CONNECT_MS;
    int64_t total = req->timeout_ms > 0 ? req->timeout_ms : 0;
    if (req->deadline_ms) {
        int64_t left = req->deadline_ms - mono_ms();
        if (left < 1)
            left = 1;
        if (!total || left < total)
            total = left;
    }
    if (total && connect > total)
        connect = total;
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)connect);
    if (total)
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)total);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
}

static void set_options(CURL *c, const HttpRequest *req, Xfer *x, char *errbuf)
{
    curl_easy_setopt(c, CURLOPT_URL, req->url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "mc/" MC_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
    if (req->compressed)
        curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    if (req->insecure) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (req->no_proxy)
        curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);   /* http_perform follows them */
    set_limits(c, req, x);
}

/* The machine-readable side of a failed transfer (http.h: HttpFailKind). */
static void classify_failure(CURL *c, CURLcode rc, const Xfer *x, HttpResponse *resp)
{
    long oserr = 0;
    curl_easy_getinfo(c, CURLINFO_OS_ERRNO, &oserr);
    resp->os_errno = (int)oserr;
    if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED)
        resp->fail_kind = HTTP_FAIL_TOO_BIG;
    else if (x->cancelled)
        resp->fail_kind = HTTP_FAIL_CANCELLED;
    else if (x->past_deadline || rc == CURLE_OPERATION_TIMEDOUT)
        resp->fail_kind = HTTP_FAIL_TIMEOUT;
    else if (rc == CURLE_COULDNT_CONNECT)
        resp->fail_kind = HTTP_FAIL_CONNECT;
    else if (rc == CURLE_COULDNT_RESOLVE_HOST)
        resp->fail_kind = HTTP_FAIL_RESOLVE;
    else
        resp->fail_kind = HTTP_FAIL_OTHER;
}

/* The message for a failed transfer: "HOST: what". */
static char *transport_error(CURL *c, CURLcode rc, const Xfer *x, const char *host,
                             const char *errbuf, const HttpRequest *req)
{
    char secs[32];
    if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED)
        return xasprintf("%s: response larger than %zu bytes", host, x->max);
    if (x->cancelled)
        return xasprintf("%s: cancelled", host);
    if (x->past_deadline || rc == CURLE_OPERATION_TIMEDOUT) {
        double total = 0;
        curl_off_t conn = 0;
        curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &total);
        curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &conn);
        http_format_secs((int64_t)(total * 1000 + 0.5), secs, sizeof secs);
        return xasprintf("%s: timed out after %s%s", host, secs,
                         conn ? "" : " while connecting");
    }
    const char *detail = errbuf[0] ? errbuf : curl_easy_strerror(rc);
    char *clean = http_sanitize(detail, strlen(detail), 300);
    char *msg = xasprintf("%s: %s", host, clean);
    free(clean);
    char *safe = scrub_text(msg);
    free(msg);
    return safe;
}

/* Copies what callers read often out of the header list. */
static void fill_response(CURL *c, Xfer *x)
{
    HttpResponse *r = x->resp;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    r->body_len = x->body.len;
    r->body = x->body.s ? buf_steal(&x->body) : xstrdup("");
    r->etag = xstrdup(http_headers_get(&r->headers, "ETag"));
    r->last_modified = xstrdup(http_headers_get(&r->headers, "Last-Modified"));
    r->content_type = xstrdup(http_headers_get(&r->headers, "Content-Type"));
    r->content_range = xstrdup(http_headers_get(&r->headers, "Content-Range"));
    const char *ra = http_headers_get(&r->headers, "Retry-After");
    r->retry_after_ms = ra ? http_clamp_retry_after(http_parse_retry_after(ra, now_ms())) : -1;
    if (x->link_next) {
        char *eff = NULL;
        curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff);
        r->next_url = http_url_resolve(eff ? eff : x->req->url, x->link_next);
    }
}

/* One transfer of req (no redirects followed). *redirect is set to the
 * absolute Location of a 3xx answer (or NULL). */
static int transfer(const HttpRequest *req, const char *method, HttpResponse *resp,
                    char **redirect, char **err)
{
    CURL *c = curl_easy_init();
    if (!c) {
        set_err(err, "%s: cannot start a request (curl_easy_init failed)", resp->host);
        return -1;
    }
    Xfer x = {.req = req, .resp = resp,
              .max = req->max_bytes ? req->max_bytes : HTTP_DEFAULT_MAX_BYTES};
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdrs = build_headers(req);
    set_options(c, req, &x, errbuf);
    set_method(c, req, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_WRITE_ERROR && x.stopped)
        rc = CURLE_OK;                  /* status_only: the status is all we wanted */
    int ret = 0;
    if (rc != CURLE_OK) {
        classify_failure(c, rc, &x, resp);
        free(*err);
        *err = transport_error(c, rc, &x, resp->host, errbuf, req);
        buf_free(&x.body);
        ret = -1;
    } else {
        fill_response(c, &x);
        char *loc = NULL;
        if (resp->status >= 300 && resp->status < 400
            && curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
            *redirect = xstrdup(loc);
    }
    free(x.link_next);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    return ret;
}

/* A header that carries credentials: marked secret, or named like one
 * (Authorization, Cookie, X-Api-Key, apikey, *-Token ...). */
static int is_credential(const HttpHeader *h)
{
    return h->secret || is_credential_name(h->name);
}

/* The request's headers without credentials, for another origin. */
static void strip_credentials(const HttpHeaders *from, HttpHeaders *to)
{
    for (int i = 0; from && i < from->n; i++)
        if (!is_credential(&from->v[i]))
            http_headers_add(to, from->v[i].name, from->v[i].value, 0);
}

static int is_https(const char *url)
{
    return url && !strncasecmp(url, "https://", 8);
}

/* Checks the request before anything is sent. */
static int precheck(const HttpRequest *req, const char *method, HttpResponse *resp, char **err)
{
    if (!http_out_of_process() && !curl_dyn()) {
        set_err(err, "%s", curl_dyn_error());
        return -1;
    }
    resp->host = http_url_host(req->url ? req->url : "");
    if (!resp->host) {
        set_err(err, "bad URL (not http:// or https://)");
        return -1;
    }
    if (!valid_method(method)) {
        set_err(err, "%s: bad HTTP method '%s'", resp->host, method);
        return -1;
    }
    if (req->cancel && *req->cancel) {
        resp->fail_kind = HTTP_FAIL_CANCELLED;
        set_err(err, "%s: cancelled", resp->host);
        return -1;
    }
    if (req->deadline_ms && mono_ms() >= req->deadline_ms) {
        resp->fail_kind = HTTP_FAIL_TIMEOUT;
        set_err(err, "%s: no time left for the request", resp->host);
        return -1;
    }
    return 0;
}

/* Redirects are followed here, not by libcurl: libcurl would forward
 * custom headers (X-Api-Key, apikey ...) to any host. Credentials go only to
 * the origin of req->url; an https -> http redirect is refused. */
static int perform(const HttpRequest *req, HttpResponse *resp, char **err)
{
    memset(resp, 0, sizeof *resp);
    resp->retry_after_ms = -1;
    const char *method = req->method ? req->method : req->body ? "POST" : "GET";
    if (precheck(req, method, resp, err) < 0)
        return -1;
    register_secrets(req->headers);
    if (http_out_of_process())
        return http_helper_perform(req, resp->host, resp, err);
    HttpRequest hop = *req;
    HttpHeaders stripped = {0};
    char *url = xstrdup(req->url), *next = NULL;
    int ret;
    for (int n = 0;; n++) {
        hop.url = url;
        hop.headers = http_same_origin(url, req->url) ? req->headers : &stripped;
        if (hop.headers == &stripped && !stripped.n)
            strip_credentials(req->headers, &stripped);
        ret = transfer(&hop, method, resp, &next, err);
        if (ret < 0 || !next || !req->follow_redirects)
            break;
        long st = resp->status;
        if (st != 301 && st != 302 && st != 303 && st != 307 && st != 308)
            break;
        char *to = http_url_host(next);
        if (!to || n >= 5 || (is_https(url) && !is_https(next))) {
            set_err(err, !to    ? "%s: redirect to a URL that is not http(s); not followed"
                         : n >= 5 ? "%s: more than 5 redirects"
                                  : "%s: refused a redirect from https to plain http (%s)",
                    resp->host, to ? to : "");
            free(to);
            ret = -1;
            break;
        }
        free(to);
        if (st == 303 || ((st == 301 || st == 302) && !strcmp(method, "POST"))) {
            method = "GET";
            hop.body = NULL;
        }
        http_response_free(resp);
        resp->retry_after_ms = -1;
        resp->host = http_url_host(next);
        free(url);
        url = next;
        next = NULL;
    }
    free(next);
    free(url);
    http_headers_free(&stripped);
    return ret;
}

/* Every failure has a kind (a redirect refused, a bad URL: HTTP_FAIL_OTHER). */
int http_perform(const HttpRequest *req, HttpResponse *resp, char **err)
{
    int ret = perform(req, resp, err);
    if (ret < 0 && resp->fail_kind == HTTP_FAIL_NONE)
        resp->fail_kind = HTTP_FAIL_OTHER;
    else if (ret == 0)
        resp->fail_kind = HTTP_FAIL_NONE, resp->os_errno = 0;
    return ret;
}

int http_check_status(const HttpResponse *r, char **err)
{
    if (r->status >= 200 && r->status < 300)
        return 0;
    const char *host = r->host ? r->host : "server";
    if (http_retry_after(r) >= 0) {
        char secs[32];
        http_format_secs(r->retry_after_ms, secs, sizeof secs);
        set_err(err, "HTTP %ld from %s (retry after %s)", r->status, host, secs);
        return -1;
    }
    char *text = http_sanitize(r->body ? r->body : "", r->body_len, 200);
    if (*text)
        set_err(err, "HTTP %ld from %s: %s", r->status, host, text);
    else
        set_err(err, "HTTP %ld from %s", r->status, host);
    free(text);
    return -1;
}
