/* postgres_text.c — the libpq-free half of the `postgres` source kind.
 *
 * pg_redact keeps connection secrets out of every message that leaves the
 * kind (libpq errors can echo parts of the connection string). pg_set_cell
 * turns a value as libpq prints it in text format into the typed cell a
 * dataset field wants, so the cache holds the same shapes whatever column
 * types a team's schema uses. Both work on untrusted text and never fail. */
#include "postgres.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <cjson/cJSON.h>
#include "../util.h"
#include "../net/scrub.h"

/* ---- redaction -------------------------------------------------------- */

/* Replaces every occurrence of secret in s. Returns a new string. */
static char *mask_literal(const char *s, const char *secret)
{
    Buf b = {0};
    size_t n = secret ? strlen(secret) : 0;
    const char *p = s, *hit;
    while (n && (hit = strstr(p, secret))) {
        buf_append(&b, p, (size_t)(hit - p));
        buf_puts(&b, "***");
        p = hit + n;
    }
    buf_puts(&b, p);
    return buf_steal(&b);
}

/* At p: "password" (any case) then optional blanks and '='. Returns where
 * the value starts, or NULL. */
static const char *password_key(const char *p)
{
    if (strncasecmp(p, "password", 8) != 0)
        return NULL;
    p += 8;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p != '=')
        return NULL;
    p++;
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* End of a conninfo value starting at p: a quoted value up to its closing
 * quote (backslash escapes), a URI query value up to '&', else up to a blank. */
static const char *value_end(const char *p, int in_uri)
{
    if (*p == '\'' || *p == '"') {
        char q = *p++;
        while (*p && *p != q)
            p += (*p == '\\' && p[1]) ? 2 : 1;
        return *p ? p + 1 : p;
    }
    while (*p && !isspace((unsigned char)*p) && !(in_uri && (*p == '&' || *p == '#')))
        p++;
    return p;
}

/* Masks password=VALUE pairs. Returns a new string. */
static char *mask_pairs(const char *s)
{
    Buf b = {0};
    const char *p = s;
    while (*p) {
        const char *v = password_key(p);
        if (!v) {
            buf_putc(&b, *p++);
            continue;
        }
        int in_uri = p > s && (p[-1] == '?' || p[-1] == '&');
        buf_append(&b, p, (size_t)(v - p));
        buf_puts(&b, "***");
        p = value_end(v, in_uri);
    }
    return buf_steal(&b);
}

/* Masks the password of scheme://user:password@host. Returns a new string. */
static char *mask_uri_userinfo(const char *s)
{
    Buf b = {0};
    const char *p = s, *sch;
    while ((sch = strstr(p, "://"))) {
        const char *u = sch + 3, *e = u, *colon = NULL;
        while (*e && *e != '@' && *e != '/' && *e != '?' && *e != '#' && *e != '"' &&
               *e != '\'' && !isspace((unsigned char)*e)) {
            if (*e == ':' && !colon)
                colon = e;
            e++;
        }
        if (*e == '@' && colon) {
            buf_append(&b, p, (size_t)(colon + 1 - p));
            buf_puts(&b, "***");
            p = e;
        } else {
            buf_append(&b, p, (size_t)(u - p));
            p = u;
        }
    }
    buf_puts(&b, p);
    return buf_steal(&b);
}

char *pg_redact(const char *msg, const char *password)
{
    char *a = mask_literal(msg ? msg : "", password && *password ? password : NULL);
    char *b = mask_pairs(a);
    char *c = mask_uri_userinfo(b);
    char *d = scrub_text(c);        /* and everything the one scrubber knows */
    free(a);
    free(b);
    free(c);
    return d;
}

/* ---- values ----------------------------------------------------------- */

static int parse_bool(const char *s, int *out)
{
    static const char *const yes[] = {"t", "true", "1", "yes", "y", "on", NULL};
    static const char *const no[] = {"f", "false", "0", "no", "n", "off", NULL};
    for (int i = 0; yes[i]; i++)
        if (!strcasecmp(s, yes[i]))
            return *out = 1, 0;
    for (int i = 0; no[i]; i++)
        if (!strcasecmp(s, no[i]))
            return *out = 0, 0;
    return -1;
}

static int parse_real(const char *s, double *out)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return -1;
    double d = strtod(s, &end);
    if (*end || !isfinite(d))
        return -1;
    *out = d;
    return 0;
}

static int parse_int(const char *s, int64_t *out)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return -1;
    long long v = strtoll(s, &end, 10);
    if (!*end && end != s) {
        *out = v;
        return 0;
    }
    double d;
    if (parse_real(s, &d) != 0 || d > 9.2e18 || d < -9.2e18)
        return -1;
    *out = (int64_t)llround(d);
    return 0;
}

static void set_json(Rows *r, int row, int field, const char *s, size_t n)
{
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(s, n, &end, 0);
    while (j && end < s + n && isspace((unsigned char)*end))
        end++;
    if (j && end == s + n) {
        cJSON_Delete(j);
        rows_set_textn(r, row, field, s, n);
        return;
    }
    cJSON_Delete(j);
    Buf b = {0};
    char *copy = xstrndup(s, n);
    buf_json_string(&b, copy, 1);
    rows_set_text(r, row, field, b.s);
    buf_free(&b);
    free(copy);
}

void pg_set_cell(Rows *r, int row, int field, const char *text, size_t len)
{
    if (field < 0 || !r || field >= r->ds->nfields)
        return;
    if (!text) {
        rows_set_null(r, row, field);
        return;
    }
    if (len > PG_MAX_CELL) {
        len = PG_MAX_CELL;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;
    }
    FieldType t = r->ds->fields[field].type;
    if (t == F_TEXT) {
        rows_set_textn(r, row, field, text, len);
        return;
    }
    if (t == F_JSON) {
        set_json(r, row, field, text, len);
        return;
    }
    char s[128];
    if (len >= sizeof s || memchr(text, '\0', len)) {
        rows_set_null(r, row, field);
        return;
    }
    memcpy(s, text, len);
    s[len] = '\0';
    int b;
    int64_t i;
    double d;
    if (t == F_BOOL && parse_bool(s, &b) == 0)
        rows_set_int(r, row, field, b);
    else if (t == F_INT && parse_int(s, &i) == 0)
        rows_set_int(r, row, field, i);
    else if (t == F_REAL && parse_real(s, &d) == 0)
        rows_set_real(r, row, field, d);
    else if (t == F_TIME && time_parse_iso(s, &i) == 0)
        rows_set_time(r, row, field, i);
    else if (t == F_TIME && parse_real(s, &d) == 0)
        rows_set_time(r, row, field, time_from_number(d));
    else
        rows_set_null(r, row, field);
}
