/* fileutil.c — helpers shared by the file-reading source kinds (see
 * fileutil.h). Nothing here touches the cache; these only turn untrusted
 * file bytes into safe messages, keys and row values. */
#include "fileutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "../util.h"
#include "../net/size.h"

void fu_line_col(const char *text, size_t len, size_t off, int *line, int *col)
{
    int l = 1, c = 1;
    if (off > len)
        off = len;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++;                 /* count characters, not UTF-8 continuation bytes */
        }
    }
    *line = l;
    *col = c;
}

void fu_fingerprint(const struct stat *st, char *out, size_t outsz)
{
    snprintf(out, outsz, "%llu:%lld:%lld.%09ld", (unsigned long long)st->st_ino,
             (long long)st->st_size, (long long)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec);
}

void fu_snippet(const char *s, size_t n, char *out, size_t outsz)
{
    size_t o = 0;
    if (!outsz)
        return;
    for (size_t i = 0; i < n && s[i] && o + 1 < outsz; i++) {
        unsigned char ch = (unsigned char)s[i];
        out[o++] = (ch < 0x20 || ch == 0x7f) ? '?' : (char)ch;
    }
    out[o] = '\0';
}

/* ASCII only, whatever the locale (the UI sets one). */
static int is_word(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z') || c == '_';
}

const char *fu_find_marker(const char *hay, size_t n, const char *marker)
{
    size_t m = strlen(marker);
    if (!m || m > n)
        return NULL;
    int word_start = is_word((unsigned char)marker[0]);
    int word_end = is_word((unsigned char)marker[m - 1]);
    for (size_t i = 0; i + m <= n; i++) {
        if (strncasecmp(hay + i, marker, m) != 0)
            continue;
        if (word_start && i > 0 && is_word((unsigned char)hay[i - 1]))
            continue;
        if (word_end && i + m < n && is_word((unsigned char)hay[i + m]))
            continue;
        return hay + i;
    }
    return NULL;
}

void fu_hex64(uint64_t h, char *out)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        out[i] = hex[h & 15];
        h >>= 4;
    }
    out[16] = '\0';
}

char *fu_json_text(const cJSON *v)
{
    if (!v || cJSON_IsNull(v))
        return NULL;
    if (cJSON_IsString(v))
        return xstrdup(v->valuestring);
    char *s = cJSON_PrintUnformatted(v);
    if (!s)
        return NULL;
    char *r = xstrdup(s);
    cJSON_free(s);
    return r;
}

static void print_string(Buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    buf_putc(b, '"');
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        buf_append(b, run, (size_t)(s - run));
        run = s + 1;
        char esc[7] = {'\\', 0};
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
        }
        buf_append(b, esc, strlen(esc));
    }
    buf_append(b, run, (size_t)(s - run));
    buf_putc(b, '"');
}

static void print_number(Buf *b, double d)
{
    char tmp[40];
    if (d != d || d > 1.7976931348623157e308 || d < -1.7976931348623157e308) {
        buf_puts(b, "null");
    } else if (d == (double)(long long)d && d > -9007199254740992.0 && d < 9007199254740992.0) {
        long long v = (long long)d;
        unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
        int i = (int)sizeof tmp;
        tmp[--i] = '\0';
        do {
            tmp[--i] = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (v < 0)
            tmp[--i] = '-';
        buf_puts(b, tmp + i);
    } else {
        snprintf(tmp, sizeof tmp, "%1.15g", d);
        if (strtod(tmp, NULL) != d)
            snprintf(tmp, sizeof tmp, "%1.17g", d);
        buf_puts(b, tmp);
    }
}

void fu_json_print(Buf *b, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        print_string(b, v->valuestring);
    } else if (cJSON_IsNumber(v)) {
        print_number(b, v->valuedouble);
    } else if (cJSON_IsTrue(v)) {
        buf_puts(b, "true");
    } else if (cJSON_IsFalse(v)) {
        buf_puts(b, "false");
    } else if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
        int obj = cJSON_IsObject(v);
        buf_putc(b, obj ? '{' : '[');
        for (const cJSON *c = v->child; c; c = c->next) {
            if (obj) {
                print_string(b, c->string ? c->string : "");
                buf_putc(b, ':');
            }
            fu_json_print(b, c);
            if (c->next)
                buf_putc(b, ',');
        }
        buf_putc(b, obj ? '}' : ']');
    } else {
        buf_puts(b, "null");
    }
}

int fu_json_time(const cJSON *v, int64_t *ms)
{
    if (cJSON_IsNumber(v)) {
        if (v->valuedouble <= 0 || v->valuedouble > 1e15)
            return -1;
        *ms = time_from_number(v->valuedouble);
        return 0;
    }
    if (cJSON_IsString(v))
        return time_parse_iso(v->valuestring, ms);
    return -1;
}

/* Two digits at s as a number in [lo, hi], or -1. */
static int two(const char *s, int lo, int hi)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return -1;
    int v = (s[0] - '0') * 10 + (s[1] - '0');
    return v >= lo && v <= hi ? v : -1;
}

static int is_canonical_iso(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[4] == '-' && two(s + 5, 1, 12) >= 0 && s[7] == '-' && two(s + 8, 1, 31) >= 0 &&
           s[10] == 'T' && two(s + 11, 0, 23) >= 0 && s[13] == ':' && two(s + 14, 0, 59) >= 0 &&
           s[16] == ':' && two(s + 17, 0, 60) >= 0 && s[19] == 'Z' && s[20] == '\0';
}

static void put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
}

int fu_json_iso(const cJSON *v, char *out)
{
    int64_t ms;
    if (cJSON_IsString(v) && is_canonical_iso(v->valuestring)) {
        memcpy(out, v->valuestring, 21);
        return 0;
    }
    if (fu_json_time(v, &ms) != 0)
        return -1;
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    int year;
    if (!gmtime_r(&t, &tm) || (year = tm.tm_year + 1900) < 0 || year > 9999)
        return -1;
    put2(out, year / 100);
    put2(out + 2, year % 100);
    out[4] = '-';
    put2(out + 5, tm.tm_mon + 1);
    out[7] = '-';
    put2(out + 8, tm.tm_mday);
    out[10] = 'T';
    put2(out + 11, tm.tm_hour);
    out[13] = ':';
    put2(out + 14, tm.tm_min);
    out[16] = ':';
    put2(out + 17, tm.tm_sec);
    out[19] = 'Z';
    out[20] = '\0';
    return 0;
}

size_t fu_bom_len(const char *s, size_t n)
{
    return (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
}

char *fu_json_error(const char *path, const char *text, size_t len, const char *at)
{
    size_t off = (at && at >= text && at <= text + len) ? (size_t)(at - text) : len;
    int line, col;
    char snip[40];
    fu_line_col(text, len, off, &line, &col);
    if (off >= len) {
        return xasprintf("%s:%d:%d: invalid JSON: unexpected end of the document", path, line, col);
    }
    /* a window around the position, within its line */
    size_t from = off, to = off;
    while (from > 0 && off - from < 16 && text[from - 1] != '\n')
        from--;
    while (to < len && to - off < 16 && text[to] != '\n' && text[to] != '\r')
        to++;
    fu_snippet(text + from, to - from, snip, sizeof snip);
    return xasprintf("%s:%d:%d: invalid JSON near '%s'", path, line, col, snip);
}

int fu_ynode_size(const YNode *map, const char *key, int64_t min, int64_t max,
                  int64_t *out, char **err)
{
    return size_ynode(map, key, min, max, out, err);     /* the one size parser */
}

int fu_ynode_req_path(const YNode *map, const char *key, char **out, char **err)
{
    return ynode_req_path(map, key, out, err);
}
