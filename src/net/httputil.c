/* httputil.c — the small pure helpers around HTTP (see http.h): URL pieces,
 * Link and Retry-After parsing, error texts from response bodies, and the
 * one-line sanitizer every server- or command-supplied text goes through
 * before it lands in an error message (it scrubs secrets first, so a secret
 * is never cut in half and left partly readable). */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>
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

/* ---- HTTP dates (RFC 9110 section 5.6.7) -------------------------------- */

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                          "jul", "aug", "sep", "oct", "nov", "dec"};
static const char *const day_names[] = {"monday", "tuesday", "wednesday", "thursday",
                                        "friday", "saturday", "sunday"};

/* What one word of a date is: 0 weekday, 1 month (*month set), 2 a zone
 * meaning UTC, -1 none of these. */
static int date_word(const char *w, size_t n, int *month)
{
    for (int i = 0; i < 7; i++)
        if ((n == 3 || n == strlen(day_names[i])) && !strncasecmp(w, day_names[i], n))
            return 0;
    for (int i = 0; n == 3 && i < 12; i++)
        if (!strncasecmp(w, month_names[i], 3)) {
            *month = i;
            return 1;
        }
    if ((n == 3 && (!strncasecmp(w, "GMT", 3) || !strncasecmp(w, "UTC", 3)))
        || (n == 2 && !strncasecmp(w, "UT", 2)) || (n == 1 && (*w == 'Z' || *w == 'z')))
        return 2;
    return -1;
}

/* "hh:mm" or "hh:mm:ss" at p; the characters read, or 0. */
static size_t date_time(const char *p, struct tm *tm)
{
    char *end;
    long v[3] = {0, 0, 0};
    const char *q = p;
    int n = 0;
    for (; n < 3; n++) {
        if (!isdigit((unsigned char)*q))
            return 0;
        v[n] = strtol(q, &end, 10);
        if (end - q > 2)
            return 0;
        q = end;
        if (*q != ':')
            break;
        q++;
    }
    if (n < 1 || n > 2 || v[0] > 23 || v[1] > 59 || v[2] > 60)
        return 0;
    tm->tm_hour = (int)v[0], tm->tm_min = (int)v[1], tm->tm_sec = (int)v[2];
    return (size_t)(q - p);
}

/* An HTTP date in any of its three forms (IMF-fixdate "Sun, 06 Nov 1994
 * 08:49:37 GMT", RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT", asctime "Sun Nov
 * 6 08:49:37 1994"), also with a numeric zone (+0000), UTC, or hh:mm; the
 * weekday is required, not checked. Seconds since the epoch, or -1. */
static time_t http_date_parse(const char *s)
{
    struct tm tm = {0};
    int wday = 0, month = -1, day = -1, year = -1, have_time = 0;
    long offset = 0;
    const char *p = s;
    while (*p) {
        if (*p == ' ' || *p == ',' || *p == '\t') {
            p++;
        } else if ((*p == '+' || *p == '-') && have_time && strspn(p + 1, "0123456789") == 4) {
            long hhmm = strtol(p + 1, NULL, 10);
            offset = (hhmm / 100 * 3600 + hhmm % 100 * 60) * (*p == '-' ? -1 : 1);
            p += 5;
        } else if (*p == '-') {
            p++;
        } else if (isalpha((unsigned char)*p)) {
            size_t n = 0;
            while (isalpha((unsigned char)p[n]))
                n++;
            int kind = date_word(p, n, &month);
            if (kind < 0)
                return (time_t)-1;
            wday |= kind == 0;
            p += n;
        } else if (isdigit((unsigned char)*p)) {
            size_t n = strspn(p, "0123456789");
            size_t t = p[n] == ':' ? date_time(p, &tm) : 0;
            if (p[n] == ':' && (!t || have_time))
                return (time_t)-1;
            if (t) {
                have_time = 1;
                p += t;
                continue;
            }
            long v = strtol(p, NULL, 10);
            if (n == 4 && year < 0)
                year = (int)v;
            else if (n <= 2 && day < 0)
                day = (int)v;
            else if (n == 2 && year < 0)
                year = (int)(v < 70 ? 2000 + v : 1900 + v);
            else
                return (time_t)-1;
            p += n;
        } else {
            return (time_t)-1;
        }
    }
    if (!wday || month < 0 || day < 1 || day > 31 || year < 1970 || !have_time)
        return (time_t)-1;
    tm.tm_year = year - 1900;
    tm.tm_mon = month;
    tm.tm_mday = day;
    time_t t = timegm(&tm);
    return t == (time_t)-1 ? t : t - offset;
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
    time_t t = http_date_parse(value);
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

/* ---- URLs (parsing and resolution: httpurl.c) ----------------------------- */

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

/* ---- sizes ------------------------------------------------------------ */

int http_ynode_size(const YNode *map, const char *key, int64_t max, int64_t *out, char **err)
{
    return size_ynode(map, key, 1, max, out, err);
}
