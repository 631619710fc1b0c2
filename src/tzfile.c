/* tzfile.c — reads a TZif file (RFC 8536) and answers a zone's UTC offset at
 * a time (tzfile.h). Version 1 files use the 32-bit block; version 2 and later
 * the 64-bit block and, past the last transition, the footer's POSIX TZ
 * string ("CST6CDT,M3.2.0,M11.1.0"): std and dst offsets with Mm.w.d rules
 * (the form every zone of the database uses; Jn and n day rules are read
 * too). Files are bounded (64 KiB) and every count is checked against what
 * was read, so a damaged file is an error, never a crash. */
#include "tzfile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

#define TZ_MAX_FILE 65536

static int64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    if (n == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
    static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : md[m - 1];
}

/* "[+-]hh[:mm[:ss]]" -> seconds; NULL when malformed. */
static const char *parse_hms(const char *s, long *out)
{
    int sign = 1;
    if (*s == '+' || *s == '-')
        sign = *s++ == '-' ? -1 : 1;
    long part[3] = {0, 0, 0};
    for (int i = 0; i < 3; i++) {
        if (!isdigit((unsigned char)*s))
            return i == 0 ? NULL : s;
        long v = 0;
        while (isdigit((unsigned char)*s) && v < 1000)
            v = v * 10 + (*s++ - '0');
        part[i] = v;
        if (*s != ':' || i == 2)
            break;
        s++;
    }
    *out = sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    return s;
}

static const char *parse_name(const char *s)
{
    if (*s == '<') {
        while (*s && *s != '>')
            s++;
        return *s ? s + 1 : NULL;
    }
    const char *b = s;
    while (isalpha((unsigned char)*s))
        s++;
    return s - b >= 3 ? s : NULL;
}

typedef struct Rule {
    char kind;              /* 'M', 'J' or 'n' */
    int m, w, d;            /* M: month, week, weekday; J/n: day in d */
    long time;              /* seconds after local midnight */
} Rule;

static const char *parse_rule(const char *s, Rule *r)
{
    long v;
    r->time = 7200;
    if (*s == 'M') {
        r->kind = 'M';
        char *end;
        r->m = (int)strtol(s + 1, &end, 10);
        if (*end != '.')
            return NULL;
        r->w = (int)strtol(end + 1, &end, 10);
        if (*end != '.')
            return NULL;
        r->d = (int)strtol(end + 1, &end, 10);
        s = end;
        if (r->m < 1 || r->m > 12 || r->w < 1 || r->w > 5 || r->d < 0 || r->d > 6)
            return NULL;
    } else {
        r->kind = *s == 'J' ? 'J' : 'n';
        if (*s == 'J')
            s++;
        char *end;
        r->d = (int)strtol(s, &end, 10);
        if (end == s || r->d < 0 || r->d > 365)
            return NULL;
        s = end;
    }
    if (*s == '/') {
        if (!(s = parse_hms(s + 1, &v)))
            return NULL;
        r->time = v;
    }
    return s;
}

/* Local midnight (as seconds since the epoch, local) of the rule's day in y. */
static int64_t rule_day(const Rule *r, int64_t y)
{
    if (r->kind == 'J') {          /* 1..365, Feb 29 never counted */
        int64_t d = r->d - 1 + (leap(y) && r->d >= 60);
        return (days_from_civil(y, 1, 1) + d) * 86400;
    }
    if (r->kind == 'n')
        return (days_from_civil(y, 1, 1) + r->d) * 86400;
    int64_t first = days_from_civil(y, r->m, 1);
    int wd1 = (int)(((first % 7) + 11) % 7);        /* 1970-01-01 was a Thursday (4) */
    int day = 1 + (r->d - wd1 + 7) % 7 + (r->w - 1) * 7;
    while (day > month_days(y, r->m))
        day -= 7;
    return (first + day - 1) * 86400;
}

/* The offset at t (seconds) by a POSIX TZ string; -1 when it cannot be read. */
static int posix_offset(const char *tz, int64_t t, int *off)
{
    long stdoff, dstoff;
    const char *s = parse_name(tz);
    if (!s || !(s = parse_hms(s, &stdoff)))
        return -1;
    if (!*s) {
        *off = (int)-stdoff;
        return 0;
    }
    if (!(s = parse_name(s)))
        return -1;
    dstoff = stdoff - 3600;
    if (*s && *s != ',' && !(s = parse_hms(s, &dstoff)))
        return -1;
    Rule a, b;
    if (*s != ',' || !(s = parse_rule(s + 1, &a)) || *s != ',' || !(s = parse_rule(s + 1, &b)))
        return -1;
    int64_t y = 1970 + (t - stdoff) / 31556952;    /* the local year, nearly: checked around */
    for (int64_t yy = y - 1; yy <= y + 1; yy++) {
        /* start in local standard time, end in local daylight time */
        int64_t start = rule_day(&a, yy) + a.time + stdoff;
        int64_t end = rule_day(&b, yy) + b.time + dstoff;
        int in_dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
        int64_t ys = days_from_civil(yy, 1, 1) * 86400 + stdoff;
        int64_t ye = days_from_civil(yy + 1, 1, 1) * 86400 + stdoff;
        if (t >= ys && t < ye) {
            *off = (int)-(in_dst ? dstoff : stdoff);
            return 0;
        }
    }
    *off = (int)-stdoff;
    return 0;
}

/* Parses the TZif data for t (seconds). */
static int tzif_offset(const unsigned char *p, size_t n, int64_t t, int *off)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0)
        return -1;
    int version = p[4];
    int tsize = 4;
    size_t pos = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pos + 44 > n || memcmp(p + pos, "TZif", 4) != 0)
            return -1;
        const unsigned char *h = p + pos + 20;
        int64_t isut = be(h, 4), isstd = be(h + 4, 4), leapc = be(h + 8, 4);
        int64_t timec = be(h + 12, 4), typec = be(h + 16, 4), charc = be(h + 20, 4);
        if (isut < 0 || isstd < 0 || leapc < 0 || timec < 0 || typec < 1 || charc < 0 ||
            timec > 100000 || typec > 256 || leapc > 10000 || charc > 10000)
            return -1;
        size_t body = (size_t)(timec * tsize + timec + typec * 6 + charc +
                               leapc * (tsize + 4) + isstd + isut);
        pos += 44;
        if (pos + body > n)
            return -1;
        if (pass == 0 && version >= '2') {     /* skip the 32-bit block */
            pos += body;
            tsize = 8;
            continue;
        }
        const unsigned char *times = p + pos, *idx = times + timec * tsize;
        const unsigned char *types = idx + timec;
        int64_t i = -1;
        for (int64_t k = 0; k < timec; k++)
            if (be(times + k * tsize, tsize) <= t)
                i = k;
        const char *footer = NULL;
        char foot[128] = "";
        size_t fpos = pos + body;
        if (tsize == 8 && fpos < n && p[fpos] == '\n') {
            size_t e = fpos + 1;
            while (e < n && p[e] != '\n')
                e++;
            if (e < n && e - fpos - 1 < sizeof foot) {
                memcpy(foot, p + fpos + 1, e - fpos - 1);
                foot[e - fpos - 1] = '\0';
                footer = foot[0] ? foot : NULL;
            }
        }
        if (footer && (timec == 0 || i == timec - 1) && posix_offset(footer, t, off) == 0)
            return 0;
        int type = 0;
        if (i >= 0)
            type = idx[i];
        else            /* before the first transition: the first standard-time type */
            for (int k = 0; k < typec; k++)
                if (!types[k * 6 + 4]) {
                    type = k;
                    break;
                }
        if (type >= typec)
            return -1;
        *off = (int)be(types + type * 6, 4);
        return 0;
    }
    return -1;
}

int tz_offset(const char *name, int64_t t_ms, int *offset_s, char **err)
{
    *offset_s = 0;
    if (!name || !*name || strcmp(name, "UTC") == 0 || strcmp(name, "Etc/UTC") == 0)
        return 0;
    if (name[0] == '/' || strstr(name, "..") || strlen(name) > 200) {
        set_err(err, "time zone '%s': not a zone name (like America/Chicago)", name);
        return -1;
    }
    const char *dir = getenv("TZDIR");
    char *path = xasprintf("%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    char *data = NULL, *why = NULL;
    size_t len = 0;
    int rc = file_read_all(path, TZ_MAX_FILE, &data, &len, &why);
    if (rc != 0) {
        set_err(err, "time zone '%s': %s", name, why ? why : "cannot read it");
    } else if (tzif_offset((const unsigned char *)data, len, t_ms / 1000 - (t_ms % 1000 < 0),
                           offset_s) != 0) {
        set_err(err, "time zone '%s': %s is not a TZif file", name, path);
        rc = -1;
    }
    free(data);
    free(why);
    free(path);
    return rc;
}
