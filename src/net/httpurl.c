/* httpurl.c — the URL helpers of http.h without libcurl: RFC 3986 parsing
 * into scheme, authority, path, query and fragment, reference resolution
 * (section 5.2: merge, dot segments), the host of a URL and same-origin.
 *
 * These run in every process that configures an HTTP source (host names in
 * messages, next-page links, redirect checks), including the dashboard,
 * which must not map libcurl (issue 13: its transfers run in a helper
 * process, see httphelper.c). Only http and https URLs with a host are
 * valid. Where curl's URL API (the earlier implementation) and the RFC
 * differ, the RFC wins: "#s" and "" keep the base's path and query. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "http.h"
#include "../util.h"

/* One URL split into its five components (RFC 3986 appendix B). A
 * component that is absent has its has_ flag clear; text is not copied. */
typedef struct UrlRef {
    const char *scheme, *auth, *path, *query, *frag;
    size_t scheme_len, auth_len, path_len, query_len, frag_len;
    int has_scheme, has_auth, has_query, has_frag;
} UrlRef;

static void url_split(const char *s, UrlRef *u)
{
    memset(u, 0, sizeof *u);
    const char *p = s;
    if (isalpha((unsigned char)*p)) {
        const char *q = p + 1;
        while (isalnum((unsigned char)*q) || *q == '+' || *q == '-' || *q == '.')
            q++;
        if (*q == ':') {
            u->has_scheme = 1;
            u->scheme = p;
            u->scheme_len = (size_t)(q - p);
            p = q + 1;
        }
    }
    if (p[0] == '/' && p[1] == '/') {
        p += 2;
        u->has_auth = 1;
        u->auth = p;
        u->auth_len = strcspn(p, "/?#");
        p += u->auth_len;
    }
    u->path = p;
    u->path_len = strcspn(p, "?#");
    p += u->path_len;
    if (*p == '?') {
        u->has_query = 1;
        u->query = ++p;
        u->query_len = strcspn(p, "#");
        p += u->query_len;
    }
    if (*p == '#') {
        u->has_frag = 1;
        u->frag = p + 1;
        u->frag_len = strlen(p + 1);
    }
}

static int is_http_scheme(const char *s, size_t n)
{
    return (n == 4 && !strncasecmp(s, "http", 4)) || (n == 5 && !strncasecmp(s, "https", 5));
}

/* The host and port of an authority ("user:pw@host:port"); 0, or -1 when
 * the host is empty or has characters a host cannot have, or the port is
 * not a number up to 65535. *port_len 0: no port given. */
static int auth_host(const char *a, size_t n, const char **host, size_t *host_len,
                     const char **port, size_t *port_len)
{
    const char *at = memchr(a, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - a);
        a = at + 1;
        if (memchr(a, '@', n))
            return -1;
    }
    size_t hl;
    if (n && a[0] == '[') {
        const char *close = memchr(a, ']', n);
        if (!close || close == a + 1)
            return -1;
        for (const char *c = a + 1; c < close; c++)
            if (!isxdigit((unsigned char)*c) && *c != ':' && *c != '.')
                return -1;
        hl = (size_t)(close + 1 - a);
        if (hl < n && a[hl] != ':')
            return -1;
    } else {
        hl = 0;
        while (hl < n && a[hl] != ':') {
            unsigned char c = (unsigned char)a[hl];
            if (c <= ' ' || c == 0x7F || !(isalnum(c) || c >= 0x80 || strchr("-._~", c)))
                return -1;
            hl++;
        }
    }
    if (!hl)
        return -1;
    *host = a;
    *host_len = hl;
    *port = hl < n ? a + hl + 1 : a + n;
    *port_len = hl < n ? n - hl - 1 : 0;
    long v = 0;
    for (size_t i = 0; i < *port_len; i++) {
        if (!isdigit((unsigned char)(*port)[i]))
            return -1;
        v = v * 10 + ((*port)[i] - '0');
        if (v > 65535)
            return -1;
    }
    /* "h:080" names port 80: leading zeros go */
    while (*port_len > 1 && **port == '0')
        (*port)++, (*port_len)--;
    return 0;
}

/* An http(s) URL with a valid host, split; -1 otherwise. Control
 * characters anywhere make it invalid. */
static int url_parse(const char *url, UrlRef *u, const char **host, size_t *hl,
                     const char **port, size_t *pl)
{
    if (!url)
        return -1;
    for (const char *c = url; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7F)
            return -1;
    url_split(url, u);
    if (!u->has_scheme || !is_http_scheme(u->scheme, u->scheme_len) || !u->has_auth)
        return -1;
    return auth_host(u->auth, u->auth_len, host, hl, port, pl);
}

char *http_url_host(const char *url)
{
    UrlRef u;
    const char *host, *port;
    size_t hl, pl;
    if (url_parse(url, &u, &host, &hl, &port, &pl) < 0)
        return NULL;
    return pl ? xasprintf("%.*s:%.*s", (int)hl, host, (int)pl, port) : xstrndup(host, hl);
}

int http_same_origin(const char *a, const char *b)
{
    UrlRef ua, ub;
    const char *ha, *hb, *pa, *pb;
    size_t hla, hlb, pla, plb;
    if (url_parse(a, &ua, &ha, &hla, &pa, &pla) < 0 || url_parse(b, &ub, &hb, &hlb, &pb, &plb) < 0)
        return 0;
    if (ua.scheme_len != ub.scheme_len || strncasecmp(ua.scheme, ub.scheme, ua.scheme_len)
        || hla != hlb || strncasecmp(ha, hb, hla))
        return 0;
    const char *dflt = ua.scheme_len == 5 ? "443" : "80";
    if (!pla)
        pa = dflt, pla = strlen(dflt);
    if (!plb)
        pb = dflt, plb = strlen(dflt);
    return pla == plb && !strncmp(pa, pb, pla);
}

/* ---- reference resolution (RFC 3986 section 5.2) ------------------------ */

/* Drops the last segment of out (from its last '/'), not below start. */
static void pop_segment(Buf *out, size_t start)
{
    while (out->len > start && out->s[out->len - 1] != '/')
        out->len--;
    if (out->len > start)
        out->len--;
}

/* remove_dot_segments (5.2.4) of in[0..n), appended to out. */
static void remove_dot_segments(const char *in, size_t n, Buf *out)
{
    size_t start = out->len;
    const char *p = in, *end = in + n;
    while (p < end) {
        size_t left = (size_t)(end - p);
        if (left >= 3 && !strncmp(p, "../", 3)) {
            p += 3;                                     /* A */
        } else if (left >= 2 && !strncmp(p, "./", 2)) {
            p += 2;                                     /* A */
        } else if (left >= 3 && !strncmp(p, "/./", 3)) {
            p += 2;                                     /* B */
        } else if (left == 2 && !strncmp(p, "/.", 2)) {
            buf_putc(out, '/');                         /* B, then E on "/" */
            p = end;
        } else if (left >= 4 && !strncmp(p, "/../", 4)) {
            pop_segment(out, start);                    /* C */
            p += 3;
        } else if (left == 3 && !strncmp(p, "/..", 3)) {
            pop_segment(out, start);                    /* C, then E on "/" */
            buf_putc(out, '/');
            p = end;
        } else if ((left == 1 && *p == '.') || (left == 2 && !strncmp(p, "..", 2))) {
            p = end;                                    /* D */
        } else {
            const char *seg = p + (*p == '/');          /* E */
            const char *slash = memchr(seg, '/', (size_t)(end - seg));
            const char *stop = slash ? slash : end;
            buf_append(out, p, (size_t)(stop - p));
            p = stop;
        }
    }
}

/* Appends s[0..n): a space becomes %20 in the path and '+' in the query
 * and fragment, a byte over 0x7F is percent-encoded (what curl did). */
static void put_encoded(Buf *b, const char *s, size_t n, int in_path)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ') {
            buf_puts(b, in_path ? "%20" : "+");
        } else if (c >= 0x80) {
            char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(b, enc, 3);
        } else {
            buf_putc(b, (char)c);
        }
    }
}

/* The merged path (5.2.3) with dots removed, into path. */
static void target_path(const UrlRef *base, const UrlRef *r, Buf *path)
{
    Buf merged = {0};
    if (r->path_len && r->path[0] == '/') {
        buf_append(&merged, r->path, r->path_len);
    } else if (base->has_auth && !base->path_len) {
        buf_putc(&merged, '/');
        buf_append(&merged, r->path, r->path_len);
    } else {
        const char *slash = NULL;
        for (size_t i = base->path_len; i > 0; i--)
            if (base->path[i - 1] == '/') {
                slash = base->path + i;
                break;
            }
        if (slash)
            buf_append(&merged, base->path, (size_t)(slash - base->path));
        buf_append(&merged, r->path, r->path_len);
    }
    remove_dot_segments(merged.s ? merged.s : "", merged.len, path);
    buf_free(&merged);
}

char *http_url_resolve(const char *base, const char *ref)
{
    UrlRef b, r, t;
    const char *h, *p;
    size_t hl, pl;
    if (url_parse(base, &b, &h, &hl, &p, &pl) < 0 || !ref)
        return NULL;
    for (const char *c = ref; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7F)
            return NULL;
    url_split(ref, &r);
    Buf path = {0};
    t = r;
    if (r.has_scheme) {
        remove_dot_segments(r.path, r.path_len, &path);
    } else {
        t.scheme = b.scheme, t.scheme_len = b.scheme_len, t.has_scheme = 1;
        if (r.has_auth) {
            remove_dot_segments(r.path, r.path_len, &path);
        } else {
            t.auth = b.auth, t.auth_len = b.auth_len, t.has_auth = b.has_auth;
            if (!r.path_len) {
                buf_append(&path, b.path, b.path_len);
                if (!r.has_query)
                    t.query = b.query, t.query_len = b.query_len, t.has_query = b.has_query;
            } else {
                target_path(&b, &r, &path);
            }
        }
    }
    /* recompose (5.3): scheme in lower case, an empty path as "/" */
    Buf out = {0};
    for (size_t i = 0; i < t.scheme_len; i++)
        buf_putc(&out, (char)tolower((unsigned char)t.scheme[i]));
    buf_putc(&out, ':');
    if (t.has_auth) {
        buf_puts(&out, "//");
        buf_append(&out, t.auth, t.auth_len);
    }
    if (!path.len && t.has_auth)
        buf_putc(&out, '/');
    put_encoded(&out, path.s ? path.s : "", path.len, 1);
    if (t.has_query) {
        buf_putc(&out, '?');
        put_encoded(&out, t.query, t.query_len, 0);
    }
    if (t.has_frag) {
        buf_putc(&out, '#');
        put_encoded(&out, t.frag, t.frag_len, 0);
    }
    buf_free(&path);
    char *s = buf_steal(&out);
    UrlRef check;
    if (url_parse(s, &check, &h, &hl, &p, &pl) < 0) {    /* still http(s) with a host */
        free(s);
        return NULL;
    }
    return s;
}
