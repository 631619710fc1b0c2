/* httpframe.c — the frames between mc and its HTTP helper (format in
 * httphelper.h): a request with every HttpRequest field, an answer with
 * every HttpResponse field and the error message. Pure functions on
 * buffers; the reading side checks every length against what is left. */
#include <stdlib.h>
#include <string.h>
#include "httphelper.h"

/* ---- writing ------------------------------------------------------------ */

static void put_num(Buf *b, int64_t v)
{
    unsigned char x[8];
    uint64_t u = (uint64_t)v;
    for (int i = 7; i >= 0; i--, u >>= 8)
        x[i] = (unsigned char)(u & 0xFF);
    buf_append(b, x, 8);
}

static void put_bytes(Buf *b, const char *s, size_t n)
{
    if (!s) {
        put_num(b, -1);
        return;
    }
    put_num(b, (int64_t)n);
    buf_append(b, s, n);
}

static void put_str(Buf *b, const char *s)
{
    put_bytes(b, s, s ? strlen(s) : 0);
}

static void put_headers(Buf *b, const HttpHeaders *h)
{
    put_num(b, h ? h->n : 0);
    for (int i = 0; h && i < h->n; i++) {
        put_str(b, h->v[i].name);
        put_str(b, h->v[i].value);
        put_num(b, h->v[i].secret);
    }
}

/* Starts a frame: room for the length, then the kind byte. */
static size_t frame_begin(Buf *b, char kind)
{
    size_t at = b->len;
    buf_append(b, "\0\0\0\0", 4);
    buf_putc(b, kind);
    return at;
}

static void frame_end(Buf *b, size_t at)
{
    size_t n = b->len - at - 4;
    unsigned char *p = (unsigned char *)b->s + at;
    p[0] = (unsigned char)(n >> 24), p[1] = (unsigned char)(n >> 16);
    p[2] = (unsigned char)(n >> 8), p[3] = (unsigned char)n;
}

size_t http_frame_length(const unsigned char *p)
{
    return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | (size_t)p[3];
}

void http_frame_put_request(Buf *out, const HttpRequest *req)
{
    size_t at = frame_begin(out, 'Q');
    put_str(out, req->method);
    put_str(out, req->url);
    put_headers(out, req->headers);
    put_bytes(out, req->body, req->body ? (req->body_len ? req->body_len : strlen(req->body)) : 0);
    put_str(out, req->content_type);
    put_num(out, req->connect_timeout_ms);
    put_num(out, req->timeout_ms);
    int64_t left = 0;
    if (req->deadline_ms) {
        left = req->deadline_ms - mono_ms();
        if (left < 1)
            left = 1;
    }
    put_num(out, left);
    put_num(out, (int64_t)req->max_bytes);
    put_num(out, req->compressed);
    put_num(out, req->insecure);
    put_num(out, req->follow_redirects);
    put_str(out, req->if_none_match);
    put_str(out, req->if_modified_since);
    put_num(out, req->status_only);
    put_num(out, req->no_proxy);
    frame_end(out, at);
}

void http_frame_put_response(Buf *out, int rc, const char *err, const HttpResponse *r)
{
    size_t at = frame_begin(out, 'R');
    put_num(out, rc);
    put_str(out, err);
    put_num(out, r->status);
    put_bytes(out, r->body, r->body ? r->body_len : 0);
    put_str(out, r->etag);
    put_str(out, r->last_modified);
    put_str(out, r->content_type);
    put_str(out, r->content_range);
    put_str(out, r->next_url);
    put_num(out, r->retry_after_ms);
    put_headers(out, &r->headers);
    put_str(out, r->host);
    put_num(out, r->fail_kind);
    put_num(out, r->os_errno);
    frame_end(out, at);
}

/* ---- reading ------------------------------------------------------------ */

typedef struct Reader {
    const unsigned char *p;
    size_t n, off;
    int bad;
} Reader;

static int64_t get_num(Reader *r)
{
    if (r->bad || r->n - r->off < 8) {
        r->bad = 1;
        return 0;
    }
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | r->p[r->off + (size_t)i];
    r->off += 8;
    return (int64_t)u;
}

/* A new NUL-terminated copy (NULL for a NULL string); *len its length. */
static char *get_bytes(Reader *r, size_t *len)
{
    int64_t n = get_num(r);
    if (len)
        *len = 0;
    if (r->bad || n == -1)
        return NULL;
    if (n < 0 || (uint64_t)n > r->n - r->off) {
        r->bad = 1;
        return NULL;
    }
    char *s = xmalloc((size_t)n + 1);
    memcpy(s, r->p + r->off, (size_t)n);
    s[n] = 0;
    r->off += (size_t)n;
    if (len)
        *len = (size_t)n;
    return s;
}

static char *get_str(Reader *r)
{
    return get_bytes(r, NULL);
}

/* Headers as sent (names and values are taken as they are: the sender's
 * lists were already cleaned of CR and LF). */
static void get_headers(Reader *r, HttpHeaders *h)
{
    int64_t n = get_num(r);
    if (r->bad || n < 0 || (uint64_t)n > (r->n - r->off) / 24) {
        r->bad = 1;
        return;
    }
    for (int64_t i = 0; i < n && !r->bad; i++) {
        char *name = get_str(r), *value = get_str(r);
        int64_t secret = get_num(r);
        if (!r->bad && name && value)
            http_headers_add(h, name, value, secret != 0);
        else
            r->bad = 1;
        free(name);
        free(value);
    }
}

static int reader_start(Reader *r, const char *p, size_t n, char kind)
{
    *r = (Reader){(const unsigned char *)p, n, 1, 0};
    return n >= 1 && p[0] == kind ? 0 : -1;
}

int http_frame_get_request(const char *p, size_t n, HttpFrameRequest *out)
{
    Reader r;
    memset(out, 0, sizeof *out);
    if (reader_start(&r, p, n, 'Q') < 0)
        return -1;
    out->method = get_str(&r);
    out->url = get_str(&r);
    get_headers(&r, &out->headers);
    size_t body_len = 0;
    out->body = get_bytes(&r, &body_len);
    out->content_type = get_str(&r);
    HttpRequest *q = &out->req;
    q->connect_timeout_ms = get_num(&r);
    q->timeout_ms = get_num(&r);
    out->deadline_left_ms = get_num(&r);
    int64_t max = get_num(&r);
    q->max_bytes = max > 0 ? (size_t)max : 0;
    q->compressed = get_num(&r) != 0;
    q->insecure = get_num(&r) != 0;
    q->follow_redirects = get_num(&r) != 0;
    out->if_none_match = get_str(&r);
    out->if_modified_since = get_str(&r);
    q->status_only = get_num(&r) != 0;
    q->no_proxy = get_num(&r) != 0;
    if (r.bad || r.off != r.n || !out->url) {
        http_frame_request_free(out);
        return -1;
    }
    q->method = out->method;
    q->url = out->url;
    q->headers = &out->headers;
    q->body = out->body;
    q->body_len = body_len;
    q->content_type = out->content_type;
    q->if_none_match = out->if_none_match;
    q->if_modified_since = out->if_modified_since;
    return 0;
}

void http_frame_request_free(HttpFrameRequest *r)
{
    http_headers_free(&r->headers);
    free(r->method);
    free(r->url);
    free(r->body);
    free(r->content_type);
    free(r->if_none_match);
    free(r->if_modified_since);
    memset(r, 0, sizeof *r);
}

int http_frame_get_response(const char *p, size_t n, int *rc, char **err, HttpResponse *resp)
{
    Reader r;
    memset(resp, 0, sizeof *resp);
    resp->retry_after_ms = -1;
    *err = NULL;
    if (reader_start(&r, p, n, 'R') < 0)
        return -1;
    *rc = (int)get_num(&r);
    *err = get_str(&r);
    resp->status = (long)get_num(&r);
    resp->body = get_bytes(&r, &resp->body_len);
    resp->etag = get_str(&r);
    resp->last_modified = get_str(&r);
    resp->content_type = get_str(&r);
    resp->content_range = get_str(&r);
    resp->next_url = get_str(&r);
    resp->retry_after_ms = get_num(&r);
    get_headers(&r, &resp->headers);
    resp->host = get_str(&r);
    int64_t kind = get_num(&r), oserr = get_num(&r);
    resp->fail_kind = kind >= HTTP_FAIL_NONE && kind <= HTTP_FAIL_TOO_BIG ? (int)kind : HTTP_FAIL_OTHER;
    resp->os_errno = oserr >= 0 && oserr <= 4095 ? (int)oserr : 0;
    if (!resp->body)
        resp->body = xstrdup("");
    if (r.bad || r.off != r.n) {
        http_response_free(resp);
        resp->retry_after_ms = -1;
        free(*err);
        *err = NULL;
        return -1;
    }
    return 0;
}
