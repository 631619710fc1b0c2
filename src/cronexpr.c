/* cronexpr.c — parses 5-field cron expressions into bit sets and walks the
 * UTC calendar to find the next and previous fire times. Used by the cron
 * widget to tell a missed run (due, but no run since) from a quiet job.
 * The calendar walk skips whole months, days and hours that cannot match,
 * so even a rare schedule ("0 0 29 2 *") takes a few hundred steps. */
#include "cronexpr.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "util.h"

#define SEARCH_YEARS 50

/* ---- parsing ---- */

enum { FLD_MIN, FLD_HOUR, FLD_MDAY, FLD_MON, FLD_WDAY, FLD__COUNT };

typedef struct FieldSpec {
    const char *what;
    int lo, hi;
    const char *const *names;  /* names[i] is the value lo+i; NULL: numbers only */
} FieldSpec;

static const char *const month_names[] = {
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC", NULL,
};
static const char *const wday_names[] = {
    "SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", NULL,
};

static const FieldSpec specs[FLD__COUNT] = {
    {"minute", 0, 59, NULL},
    {"hour", 0, 23, NULL},
    {"day of month", 1, 31, NULL},
    {"month", 1, 12, month_names},
    {"day of week", 0, 7, wday_names},
};

typedef struct Parser {
    const char *s;
    size_t pos;
    int errpos;
    char *err;
} Parser;

/* Records an error at byte offset `at`; always returns -1. */
__attribute__((format(printf, 3, 4)))
static int perr(Parser *p, size_t at, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->errpos = (int)at;
    set_err(&p->err, "column %zu: %s", at + 1, msg);
    return -1;
}

/* Reads digits as a number (saturating at 1000, so garbage cannot overflow). */
static long read_number(Parser *p)
{
    long v = 0;
    while (isdigit((unsigned char)p->s[p->pos])) {
        if (v < 1000)
            v = v * 10 + (p->s[p->pos] - '0');
        p->pos++;
    }
    return v;
}

static int at_field_end(char c)
{
    return c == '\0' || c == ' ' || c == '\t';
}

/* Reads a number or (where the field has them) a 3-letter name. */
static int parse_value(Parser *p, const FieldSpec *f, int *out)
{
    size_t start = p->pos;
    const char *s = p->s;
    if (isdigit((unsigned char)s[start])) {
        long v = read_number(p);
        if (v < f->lo || v > f->hi)
            return perr(p, start, "%s %ld out of range %d-%d", f->what, v, f->lo, f->hi);
        *out = (int)v;
        return 0;
    }
    if (isalpha((unsigned char)s[start])) {
        size_t n = 0;
        while (isalpha((unsigned char)s[start + n]))
            n++;
        int shown = n < 12 ? (int)n : 12;
        if (!f->names)
            return perr(p, start, "names are not allowed in the %s field ('%.*s')",
                        f->what, shown, s + start);
        for (int i = 0; f->names[i]; i++) {
            if (n == 3 && strncasecmp(s + start, f->names[i], 3) == 0) {
                p->pos += n;
                *out = f->lo + i;
                return 0;
            }
        }
        return perr(p, start, "unknown %s name '%.*s'", f->what, shown, s + start);
    }
    if (at_field_end(s[start]) || s[start] == ',')
        return perr(p, start, "%s field: expected a value", f->what);
    return perr(p, start, "%s field: unexpected character '%c'", f->what,
                isprint((unsigned char)s[start]) ? s[start] : '?');
}

/* Reads one list item (`*`, `N`, `N-M`, each with an optional `/STEP`) into *bits. */
static int parse_item(Parser *p, const FieldSpec *f, uint64_t *bits)
{
    int lo, hi, step = 1;
    int star = 0;
    if (p->s[p->pos] == '*') {
        p->pos++;
        lo = f->lo;
        hi = f->hi;
        star = 1;
    } else {
        if (parse_value(p, f, &lo) < 0)
            return -1;
        hi = lo;
        if (p->s[p->pos] == '-') {
            p->pos++;
            size_t at = p->pos;
            if (parse_value(p, f, &hi) < 0)
                return -1;
            if (hi < lo)
                return perr(p, at, "%s range %d-%d goes backwards", f->what, lo, hi);
        }
    }
    if (p->s[p->pos] == '/') {
        p->pos++;
        size_t at = p->pos;
        if (!isdigit((unsigned char)p->s[at]))
            return perr(p, at, "%s field: expected a step number after '/'", f->what);
        long v = read_number(p);
        if (v < 1 || v > f->hi)
            return perr(p, at, "%s step %ld out of range 1-%d", f->what, v, f->hi);
        step = (int)v;
        if (!star && hi == lo)
            hi = f->hi;         /* "N/STEP" runs from N to the end */
    }
    for (int v = lo; v <= hi; v += step)
        *bits |= 1ull << (f == &specs[FLD_WDAY] ? v % 7 : v);
    return 0;
}

static int parse_field(Parser *p, int fi, uint64_t *bits, int *star)
{
    const FieldSpec *f = &specs[fi];
    *bits = 0;
    *star = p->s[p->pos] == '*';
    for (;;) {
        if (parse_item(p, f, bits) < 0)
            return -1;
        char c = p->s[p->pos];
        if (c == ',') {
            p->pos++;
            continue;
        }
        if (at_field_end(c))
            return 0;
        return perr(p, p->pos, "%s field: unexpected character '%c'", f->what,
                    isprint((unsigned char)c) ? c : '?');
    }
}

static void skip_blanks(Parser *p)
{
    while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t')
        p->pos++;
}

/* The @ shorthands, as their 5-field equivalents. */
static const char *shorthand(const char *w, size_t n)
{
    static const struct { const char *name, *expr; } tab[] = {
        {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
        {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"}, {"@midnight", "0 0 * * *"},
        {"@hourly", "0 * * * *"},
    };
    for (size_t i = 0; i < MC_ARRAY_LEN(tab); i++)
        if (strlen(tab[i].name) == n && strncasecmp(w, tab[i].name, n) == 0)
            return tab[i].expr;
    return NULL;
}

static int parse_fields(Parser *p, CronExpr *e)
{
    uint64_t bits[FLD__COUNT];
    int stars[FLD__COUNT];
    for (int fi = 0; fi < FLD__COUNT; fi++) {
        skip_blanks(p);
        if (p->s[p->pos] == '\0')
            return perr(p, p->pos, "expected 5 fields, found %d (%s missing)", fi,
                        specs[fi].what);
        if (parse_field(p, fi, &bits[fi], &stars[fi]) < 0)
            return -1;
    }
    skip_blanks(p);
    if (p->s[p->pos] != '\0')
        return perr(p, p->pos, "too many fields (expected 5)");
    e->minutes = bits[FLD_MIN];
    e->hours = (uint32_t)bits[FLD_HOUR];
    e->mdays = (uint32_t)bits[FLD_MDAY];
    e->months = (uint32_t)bits[FLD_MON];
    e->wdays = (uint32_t)bits[FLD_WDAY];
    e->mday_star = stars[FLD_MDAY];
    e->wday_star = stars[FLD_WDAY];
    return 0;
}

int cron_expr_parse(const char *s, CronExpr *out, int *errpos, char **err)
{
    Parser p = {s ? s : "", 0, 0, NULL};
    CronExpr e;
    memset(&e, 0, sizeof e);
    skip_blanks(&p);
    int rc;
    if (p.s[p.pos] == '@') {
        size_t start = p.pos, n = 0;
        while (p.s[start + n] && p.s[start + n] != ' ' && p.s[start + n] != '\t')
            n++;
        const char *expr = shorthand(p.s + start, n);
        p.pos = start + n;
        skip_blanks(&p);
        if (!expr) {
            rc = perr(&p, start, "unknown shorthand '%.*s' (use @hourly, @daily, @weekly, "
                      "@monthly or @yearly)", (int)(n < 16 ? n : 16), p.s + start);
        } else if (p.s[p.pos] != '\0') {
            rc = perr(&p, p.pos, "unexpected text after the shorthand");
        } else {
            Parser q = {expr, 0, 0, NULL};
            rc = parse_fields(&q, &e);
        }
    } else {
        rc = parse_fields(&p, &e);
    }
    if (rc < 0) {
        if (errpos)
            *errpos = p.errpos;
        if (err) {
            free(*err);
            *err = p.err;
        } else {
            free(p.err);
        }
        return -1;
    }
    *out = e;
    return 0;
}

/* ---- the calendar walk (proleptic Gregorian, UTC) ---- */

/* Days since 1970-01-01 of a civil date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

typedef struct Tm {
    int64_t y;
    int mo, d, h, mi;
} Tm;

static int64_t floordiv(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static void tm_from_minutes(int64_t m, Tm *t)
{
    int64_t days = floordiv(m, 1440);
    int64_t rem = m - days * 1440;
    civil_from_days(days, &t->y, &t->mo, &t->d);
    t->h = (int)(rem / 60);
    t->mi = (int)(rem % 60);
}

static int64_t tm_to_ms(const Tm *t)
{
    return ((days_from_civil(t->y, t->mo, t->d) * 1440) + t->h * 60 + t->mi) * 60000;
}

static int day_matches(const CronExpr *e, const Tm *t)
{
    int64_t days = days_from_civil(t->y, t->mo, t->d);
    int wday = (int)((days % 7 + 7 + 4) % 7);   /* 1970-01-01 was a Thursday */
    int md = (e->mdays >> t->d) & 1;
    int wd = (e->wdays >> wday) & 1;
    if (e->mday_star || e->wday_star)
        return md && wd;
    return md || wd;
}

/* Moves t to the start of the next month / day / hour. */
static void next_month(Tm *t)
{
    if (++t->mo > 12) {
        t->mo = 1;
        t->y++;
    }
    t->d = 1;
    t->h = 0;
    t->mi = 0;
}

static void next_day(Tm *t)
{
    if (++t->d > days_in_month(t->y, t->mo))
        next_month(t);
    t->h = 0;
    t->mi = 0;
}

static void next_hour(Tm *t)
{
    if (++t->h > 23)
        next_day(t);
    t->mi = 0;
}

/* Moves t to the last minute of the previous month / day / hour. */
static void prev_month(Tm *t)
{
    if (--t->mo < 1) {
        t->mo = 12;
        t->y--;
    }
    t->d = days_in_month(t->y, t->mo);
    t->h = 23;
    t->mi = 59;
}

static void prev_day(Tm *t)
{
    if (--t->d < 1)
        prev_month(t);
    t->h = 23;
    t->mi = 59;
}

static void prev_hour(Tm *t)
{
    if (--t->h < 0)
        prev_day(t);
    t->mi = 59;
}

int64_t cron_expr_next(const CronExpr *e, int64_t after_ms)
{
    Tm t;
    tm_from_minutes(floordiv(after_ms, 60000) + 1, &t);
    int64_t limit = t.y + SEARCH_YEARS;
    while (t.y <= limit) {
        if (!((e->months >> t.mo) & 1))
            next_month(&t);
        else if (!day_matches(e, &t))
            next_day(&t);
        else if (!((e->hours >> t.h) & 1))
            next_hour(&t);
        else if (!((e->minutes >> t.mi) & 1)) {
            if (++t.mi > 59)
                next_hour(&t);
        } else
            return tm_to_ms(&t);
    }
    return -1;
}

int64_t cron_expr_prev(const CronExpr *e, int64_t before_ms)
{
    Tm t;
    tm_from_minutes(floordiv(before_ms + 59999, 60000) - 1, &t);
    int64_t limit = t.y - SEARCH_YEARS;
    while (t.y >= limit) {
        if (!((e->months >> t.mo) & 1))
            prev_month(&t);
        else if (!day_matches(e, &t))
            prev_day(&t);
        else if (!((e->hours >> t.h) & 1))
            prev_hour(&t);
        else if (!((e->minutes >> t.mi) & 1)) {
            if (--t.mi < 0)
                prev_hour(&t);
        } else
            return tm_to_ms(&t);
    }
    return -1;
}
