/* httputil.c — the small pure helpers around HTTP (see http.h): URL pieces,
 * Link and Retry-After parsing, error texts from response bodies, and the
 * one-line sanitizer every server- or command-supplied text goes through
 * before it lands in an error message (it scrubs secrets first, so a secret
 * is never cut in half and left partly readable). */
#include <cjson/cJSON.h>
#include <ctype.h>
#include "curl_dyn.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "http.h"
#include "scrub.h"
#include "size.h"
#include "../util.h"
#include "../ynode.h"

/* ---- text ------------------------------------------------------------- */

/* Length of a valid UTF-8 sequence at s (n bytes left), or 0; *c1 is set
 * when it encodes a C1 control character. */
static size_t utf8_len(const unsigned char *s, size_t n, int *c1)
{
    size_t len;
    uint32_t cp;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0) len = 2, cp = s[0] & 0x1F;
    else if ((s[0] & 0xF0) == 0xE0) len = 3, cp = s[0] & 0x0F;
    else if ((s[0] & 0xF8) == 0xF0) len = 4, cp = s[0] & 0x07;
    else return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *c1 = cp >= 0x80 && cp <= 0x9F;    /* C1 controls (CSI 0x9B ...) */
    return len;
}

/* The first bytes of s (NULs as spaces), through the scrubber: a secret is
 * masked whole before the text is cut to length. */
static char *scrub_window(const char *s, size_t len, size_t max)
{
    size_t window = max * 8 + 4096;
    if (len > window)
        len = window;
    char *copy = xmalloc(len + 1);
    for (size_t i = 0; i < len; i++)
        copy[i] = s[i] ? s[i] : ' ';
    copy[len] = 0;
    char *out = scrub_text(copy);
    free(copy);
    return out;
}

char *http_sanitize(const char *s, size_t len, size_t max)
{
    Buf b = {0};
    char *scrubbed = scrub_window(s ? s : "", s ? len : 0, max);
    const unsigned char *p = (const unsigned char *)scrubbed;
    len = strlen(scrubbed);
    int space = 0, cut = 0;
    if (max < 8)
        max = 8;
    for (size_t i = 0; i < len;) {
        const char *piece;
        size_t plen;
        int c1 = 0;
        if (p[i] < 0x20 || p[i] == 0x7F || p[i] == ' ') {
            space = 1;
            i++;
            continue;
        }
        plen = utf8_len(p + i, len - i, &c1);
        if (c1) {
            space = 1;
            i += plen;
            continue;
        }
        piece = (const char *)p + i;
        i += plen ? plen : 1;
        if (!plen) {                    /* invalid UTF-8 or a C1 control */
            piece = "?";
            plen = 1;
        }
        if (b.len + (space && b.len) + plen > max - 3) {
            cut = 1;
            break;
        }
        if (space && b.len)
            buf_putc(&b, ' ');
        space = 0;
        buf_append(&b, piece, plen);
    }
    if (cut)
        buf_puts(&b, "...");
    free(scrubbed);
    return b.s ? buf_steal(&b) : xstrdup("");
}

void http_format_secs(int64_t ms, char *out, size_t outsz)
{
    if (ms < 0)
        ms = 0;
    if (ms % 1000 == 0 || ms >= 100000)
        snprintf(out, outsz, "%llds", (long long)((ms + 500) / 1000));
    else
        snprintf(out, outsz, "%.1fs", (double)ms / 1000.0);
}

/* A string member, or the "message" of an object member. */
static const char *member_text(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (cJSON_IsString(v) && v->valuestring && *v->valuestring)
        return v->valuestring;
    if (cJSON_IsObject(v)) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(v, "message");
        if (cJSON_IsString(m) && m->valuestring && *m->valuestring)
            return m->valuestring;
    }
    return NULL;
}

char *http_error_text(const char *body, size_t len, size_t max)
{
    static const char *const keys[] = {"message", "errorMessage", "error_description",
                                       "error", "detail", "msg", NULL};
    cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;
    char *out = NULL;
    if (cJSON_IsObject(j)) {
        for (int i = 0; keys[i] && !out; i++) {
            const char *t = member_text(j, keys[i]);
            if (t)
                out = http_sanitize(t, strlen(t), max);
        }
    }
    cJSON_Delete(j);
    return out ? out : http_sanitize(body, body ? len : 0, max);
}

cJSON *http_parse_json(const char *text, size_t len, const char *from, char **err)
{
    size_t start = 0;
    while (start < len && isspace((unsigned char)text[start]))
        start++;
    if (start == len) {
        set_err(err, "empty response from %s", from);
        return NULL;
    }
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    size_t at = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
    if (doc) {
        while (at < len && isspace((unsigned char)text[at]))
            at++;
        if (at == len)
            return doc;
        cJSON_Delete(doc);
    }
    size_t from_at = at > 20 ? at - 20 : 0;
    size_t n = len - from_at < 60 ? len - from_at : 60;
    char *near = http_sanitize(text + from_at, n, 80);
    set_err(err, "malformed JSON from %s at byte %zu: near '%s'", from, at, near);
    free(near);
    return NULL;
}

/* ---- headers ---------------------------------------------------------- */

int64_t http_parse_retry_after(const char *value, int64_t now)
{
    while (value && isspace((unsigned char)*value))
        value++;
    if (!value || !*value)
        return -1;
    if (isdigit((unsigned char)*value)) {
        char *end;
        double secs = strtod(value, &end);
        while (isspace((unsigned char)*end))
            end++;
        if (*end || !isfinite(secs) || secs < 0)
            return -1;
        if (secs > 7 * 86400.0)
            secs = 7 * 86400.0;
        return (int64_t)(secs * 1000.0 + 0.5);
    }
    if (!curl_dyn())
        return -1;
    time_t t = curl_getdate(value, NULL);
    if (t == (time_t)-1)
        return -1;
    /* a date years away (curl reads "1994999999") must not overflow the
     * product: past the 7-day cap of the seconds form, it is the cap */
    int64_t secs = (int64_t)t;
    if (secs > now / 1000 + 7 * 86400)
        return (int64_t)7 * 86400 * 1000;
    if (secs < now / 1000 - 1)
        return 0;
    int64_t ms = secs * 1000 - now;
    return ms < 0 ? 0 : ms;
}

/* Whether a rel parameter value (possibly quoted, space-separated) has "next". */
static int rel_has_next(const char *v, size_t n)
{
    if (n && (*v == '"' || *v == '\'')) {
        v++, n--;
        if (n && (v[n - 1] == '"' || v[n - 1] == '\''))
            n--;
    }
    for (size_t i = 0; i < n;) {
        while (i < n && v[i] == ' ')
            i++;
        size_t s = i;
        while (i < n && v[i] != ' ')
            i++;
        if (i - s == 4 && !strncasecmp(v + s, "next", 4))
            return 1;
    }
    return 0;
}

char *http_link_next(const char *link)
{
    const char *p = link;
    while (p && (p = strchr(p, '<'))) {
        const char *end = strchr(p, '>');
        if (!end)
            return NULL;
        const char *url = p + 1;
        size_t ulen = (size_t)(end - url);
        /* parameters up to the next link (a ',' outside quotes) */
        const char *q = end + 1;
        int quoted = 0, next = 0;
        while (*q && (quoted || *q != ',')) {
            if (*q == '"')
                quoted = !quoted;
            if (!quoted && *q == ';') {
                q++;
                while (*q == ' ')
                    q++;
                if (!strncasecmp(q, "rel", 3)) {
                    const char *v = q + 3;
                    while (*v == ' ')
                        v++;
                    if (*v == '=') {
                        v++;
                        while (*v == ' ')
                            v++;
                        size_t vl = *v == '"' ? (size_t)(strchrnul(v + 1, '"') - v) + 1
                                              : strcspn(v, ";,");
                        if (vl > strlen(v))
                            vl = strlen(v);
                        next |= rel_has_next(v, vl);
                    }
                }
                continue;
            }
            q++;
        }
        if (next)
            return xstrndup(url, ulen);
        p = q;
    }
    return NULL;
}

/* ---- URLs ------------------------------------------------------------- */

static CURLU *url_parse(const char *url)
{
    if (!curl_dyn())
        return NULL;
    CURLU *u = curl_url();
    if (!u)
        return NULL;
    char *scheme = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK
        || curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK
        || (strcasecmp(scheme, "http") && strcasecmp(scheme, "https"))) {
        curl_free(scheme);
        curl_url_cleanup(u);
        return NULL;
    }
    curl_free(scheme);
    return u;
}

char *http_url_host(const char *url)
{
    CURLU *u = url_parse(url);
    if (!u)
        return NULL;
    char *host = NULL, *port = NULL, *out = NULL;
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
        if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port)
            out = xasprintf("%s:%s", host, port);
        else
            out = xstrdup(host);
    }
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return out;
}

char *http_url_escape(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    Buf b = {0};
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            buf_putc(&b, (char)*p);
        } else {
            char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_append(&b, enc, 3);
        }
    }
    return b.s ? buf_steal(&b) : xstrdup("");
}

char *http_url_resolve(const char *base, const char *ref)
{
    CURLU *u = url_parse(base);
    if (!u)
        return NULL;
    char *out = NULL, *res = NULL;
    if (curl_url_set(u, CURLUPART_URL, ref, 0) == CURLUE_OK
        && curl_url_get(u, CURLUPART_URL, &res, 0) == CURLUE_OK) {
        out = xstrdup(res);
        curl_free(res);
    }
    curl_url_cleanup(u);
    if (out) {
        CURLU *check = url_parse(out);     /* still http(s) */
        if (!check) {
            free(out);
            return NULL;
        }
        curl_url_cleanup(check);
    }
    return out;
}

char *http_url_set_param(const char *url, const char *name, const char *value)
{
    size_t frag = strcspn(url, "#");
    size_t qpos = strcspn(url, "?");
    Buf b = {0};
    char *ename = http_url_escape(name), *evalue = http_url_escape(value);
    size_t elen = strlen(ename);
    int first = 1;
    buf_append(&b, url, qpos < frag ? qpos : frag);
    if (qpos < frag) {
        const char *p = url + qpos + 1, *end = url + frag;
        while (p < end) {
            const char *amp = memchr(p, '&', (size_t)(end - p));
            const char *pe = amp ? amp : end;
            size_t plen = (size_t)(pe - p);
            int same = plen >= elen && !strncmp(p, ename, elen) && (plen == elen || p[elen] == '=');
            if (plen && !same) {
                buf_putc(&b, first ? '?' : '&');
                buf_append(&b, p, plen);
                first = 0;
            }
            p = amp ? amp + 1 : end;
        }
    }
    buf_printf(&b, "%c%s=%s", first ? '?' : '&', ename, evalue);
    buf_puts(&b, url + frag);
    free(ename);
    free(evalue);
    return buf_steal(&b);
}

static char *url_part(CURLU *u, CURLUPart part, unsigned flags)
{
    char *v = NULL, *out = NULL;
    if (curl_url_get(u, part, &v, flags) == CURLUE_OK)
        out = xstrdup(v);
    curl_free(v);
    return out;
}

int http_same_origin(const char *a, const char *b)
{
    CURLU *ua = url_parse(a), *ub = url_parse(b);
    int same = 0;
    if (ua && ub) {
        char *sa = url_part(ua, CURLUPART_SCHEME, 0), *sb = url_part(ub, CURLUPART_SCHEME, 0);
        char *ha = url_part(ua, CURLUPART_HOST, 0), *hb = url_part(ub, CURLUPART_HOST, 0);
        char *pa = url_part(ua, CURLUPART_PORT, CURLU_DEFAULT_PORT);
        char *pb = url_part(ub, CURLUPART_PORT, CURLU_DEFAULT_PORT);
        same = sa && sb && ha && hb && pa && pb && !strcasecmp(sa, sb) && !strcasecmp(ha, hb)
               && !strcmp(pa, pb);
        free(sa), free(sb), free(ha), free(hb), free(pa), free(pb);
    }
    curl_url_cleanup(ua);
    curl_url_cleanup(ub);
    return same;
}

/* ---- sizes ------------------------------------------------------------ */

int http_ynode_size(const YNode *map, const char *key, int64_t max, int64_t *out, char **err)
{
    return size_ynode(map, key, 1, max, out, err);
}
