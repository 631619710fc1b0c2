/* test_cronexpr.c — cron expression parsing (errors with their column) and
 * next/previous fire times in UTC: month ends, leap days, steps, names,
 * shorthands, vixie's day-of-month OR day-of-week rule, and a brute-force
 * cross-check of the calendar walk against libc's gmtime. */
#include <stdlib.h>
#include <time.h>
#include "thelp.h"
#include "cronexpr.h"
#include "util.h"

static int64_t ms(const char *iso)
{
    int64_t v = 0;
    if (time_parse_iso(iso, &v) < 0) {
        fprintf(stderr, "bad test time %s\n", iso);
        abort();
    }
    return v;
}

static const char *iso(int64_t v)
{
    static char buf[4][40];
    static int i;
    i = (i + 1) % 4;
    if (v == -1)
        snprintf(buf[i], sizeof buf[i], "none");
    else
        time_format_iso(v, buf[i], sizeof buf[i]);
    return buf[i];
}

static void check_next(const char *expr, const char *after, const char *expect)
{
    CronExpr e;
    char *err = NULL;
    t_checks++;
    if (cron_expr_parse(expr, &e, NULL, &err) < 0) {
        t_failures++;
        fprintf(stderr, "%s: parse '%s' failed: %s\n", t_current, expr, err);
        free(err);
        return;
    }
    CHECK_STR(iso(cron_expr_next(&e, ms(after))), expect);
}

static void check_prev(const char *expr, const char *before, const char *expect)
{
    CronExpr e;
    char *err = NULL;
    t_checks++;
    if (cron_expr_parse(expr, &e, NULL, &err) < 0) {
        t_failures++;
        fprintf(stderr, "%s: parse '%s' failed: %s\n", t_current, expr, err);
        free(err);
        return;
    }
    CHECK_STR(iso(cron_expr_prev(&e, ms(before))), expect);
}

static void test_every_minute(void)
{
    check_next("* * * * *", "2026-11-21T10:00:30Z", "2026-11-21T10:01:00Z");
    check_next("* * * * *", "2026-11-21T10:00:00Z", "2026-11-21T10:01:00Z");
    check_next("* * * * *", "2026-11-21T10:00:59.999Z", "2026-11-21T10:01:00Z");
    check_prev("* * * * *", "2026-11-21T10:00:00Z", "2026-11-21T09:59:00Z");
    check_prev("* * * * *", "2026-11-21T10:00:30Z", "2026-11-21T10:00:00Z");
    check_prev("* * * * *", "2026-11-21T10:00:00.001Z", "2026-11-21T10:00:00Z");
}

static void test_month_ends(void)
{
    check_next("0 0 1 * *", "2026-01-31T12:00:00Z", "2026-02-01T00:00:00Z");
    check_prev("0 0 1 * *", "2026-03-01T00:00:00Z", "2026-02-01T00:00:00Z");
    /* the 31st skips February and April */
    check_next("0 12 31 * *", "2026-01-31T13:00:00Z", "2026-03-31T12:00:00Z");
    check_next("0 12 31 * *", "2026-03-31T13:00:00Z", "2026-05-31T12:00:00Z");
    check_prev("0 12 31 * *", "2026-05-30T00:00:00Z", "2026-03-31T12:00:00Z");
    /* year end, both ways */
    check_next("59 23 31 12 *", "2026-06-01T00:00:00Z", "2026-12-31T23:59:00Z");
    check_prev("59 23 31 12 *", "2027-01-01T00:00:00Z", "2026-12-31T23:59:00Z");
    check_next("0 0 1 1 *", "2026-12-31T23:59:59Z", "2027-01-01T00:00:00Z");
    check_prev("0 0 1 1 *", "2027-01-01T00:00:00Z", "2026-01-01T00:00:00Z");
    check_next("30 * * * *", "2026-12-31T23:45:00Z", "2027-01-01T00:30:00Z");
    check_prev("30 * * * *", "2027-01-01T00:15:00Z", "2026-12-31T23:30:00Z");
    /* last hour of a 30-day month rolls into the next month */
    check_next("0 * * * *", "2026-04-30T23:00:00Z", "2026-05-01T00:00:00Z");
    check_prev("0 23 * * *", "2026-05-01T22:00:00Z", "2026-04-30T23:00:00Z");
}

static void test_leap_days(void)
{
    check_next("0 0 29 2 *", "2026-01-01T00:00:00Z", "2028-02-29T00:00:00Z");
    check_prev("0 0 29 2 *", "2028-02-29T00:00:00Z", "2024-02-29T00:00:00Z");
    /* 2100 is not a leap year; 2000 was */
    check_next("0 0 29 2 *", "2096-03-01T00:00:00Z", "2104-02-29T00:00:00Z");
    check_prev("0 0 29 2 *", "2004-01-01T00:00:00Z", "2000-02-29T00:00:00Z");
    check_next("0 0 * 2 *", "2028-02-28T12:00:00Z", "2028-02-29T00:00:00Z");
    check_next("0 0 * 2 *", "2027-02-28T12:00:00Z", "2028-02-01T00:00:00Z");
    check_prev("0 0 1 3 *", "2028-03-01T00:00:01Z", "2028-03-01T00:00:00Z");
    check_prev("0 12 * * *", "2028-03-01T00:00:00Z", "2028-02-29T12:00:00Z");
}

static void test_steps_lists_ranges(void)
{
    check_next("*/15 * * * *", "2026-11-21T10:07:00Z", "2026-11-21T10:15:00Z");
    check_next("*/15 * * * *", "2026-11-21T10:45:00Z", "2026-11-21T11:00:00Z");
    check_next("5-59/20 * * * *", "2026-11-21T10:06:00Z", "2026-11-21T10:25:00Z");
    check_next("5-59/20 * * * *", "2026-11-21T10:45:00Z", "2026-11-21T11:05:00Z");
    check_next("10/20 * * * *", "2026-11-21T10:31:00Z", "2026-11-21T10:50:00Z");
    check_next("10/20 * * * *", "2026-11-21T10:51:00Z", "2026-11-21T11:10:00Z");
    check_next("0 */6 * * *", "2026-11-21T13:00:00Z", "2026-11-21T18:00:00Z");
    check_next("0 1,13,22 * * *", "2026-11-21T13:00:00Z", "2026-11-21T22:00:00Z");
    check_next("0 1,13,22 * * *", "2026-11-21T22:00:00Z", "2026-11-22T01:00:00Z");
    check_next("0 9-17/4 * * *", "2026-11-21T14:00:00Z", "2026-11-21T17:00:00Z");
    check_prev("0 9-17/4 * * *", "2026-11-21T09:00:00Z", "2026-11-20T17:00:00Z");
    check_next("0,30 8 1-3,15 * *", "2026-11-03T08:30:00Z", "2026-11-15T08:00:00Z");
    check_next("0 0 1 */3 *", "2026-02-10T00:00:00Z", "2026-04-01T00:00:00Z");
}

static void test_names_and_weekdays(void)
{
    /* 2026-01-01 is a Thursday */
    check_next("0 9 * * MON-FRI", "2026-01-02T10:00:00Z", "2026-01-05T09:00:00Z");
    check_next("0 9 * JAN-MAR mon-fri", "2026-03-31T10:00:00Z", "2027-01-01T09:00:00Z");
    check_next("0 0 * * sun", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z");
    check_next("0 0 * * 7", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z");
    check_next("0 0 * * 0", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z");
    check_next("0 0 * * 5-7", "2026-01-03T12:00:00Z", "2026-01-04T00:00:00Z");
    check_next("0 0 * * Sat,Sun", "2026-01-04T00:00:00Z", "2026-01-10T00:00:00Z");
    check_next("0 0 * jan,Feb,DEC *", "2026-02-28T00:00:00Z", "2026-12-01T00:00:00Z");
    check_prev("0 0 * * FRI", "2026-01-02T00:00:00Z", "2025-12-26T00:00:00Z");
}

static void test_dom_dow_semantics(void)
{
    /* both restricted: either matches (Fri 2 Jan, then Tue 13 Jan) */
    check_next("0 0 13 * FRI", "2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z");
    check_next("0 0 13 * FRI", "2026-01-09T00:00:00Z", "2026-01-13T00:00:00Z");
    check_next("0 0 13 * FRI", "2026-01-13T00:00:00Z", "2026-01-16T00:00:00Z");
    /* a field starting with '*' makes it AND: odd days that are Mondays */
    check_next("0 0 */2 * MON", "2026-01-01T00:00:00Z", "2026-01-05T00:00:00Z");
    check_next("0 0 */2 * MON", "2026-01-05T00:00:00Z", "2026-01-19T00:00:00Z");
    check_next("0 0 1 * */7", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z");
    /* Friday the 13th only through a star: */
    check_next("0 0 13 * *", "2026-01-13T00:00:00Z", "2026-02-13T00:00:00Z");
}

static void test_shorthands(void)
{
    check_next("@hourly", "2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z");
    check_next("@daily", "2026-11-21T10:00:00Z", "2026-11-22T00:00:00Z");
    check_next("@midnight", "2026-11-21T10:00:00Z", "2026-11-22T00:00:00Z");
    check_next("@weekly", "2026-11-21T10:00:00Z", "2026-11-22T00:00:00Z"); /* a Sunday */
    check_next("@monthly", "2026-11-21T10:00:00Z", "2026-12-01T00:00:00Z");
    check_next("@yearly", "2026-11-21T10:00:00Z", "2027-01-01T00:00:00Z");
    check_next("@annually", "2026-11-21T10:00:00Z", "2027-01-01T00:00:00Z");
    check_next("  @DAILY  ", "2026-11-21T10:00:00Z", "2026-11-22T00:00:00Z");
    check_next("  0\t12 * *   *  ", "2026-11-21T10:00:00Z", "2026-11-21T12:00:00Z");
}

static void test_impossible_and_old(void)
{
    check_next("0 0 30 2 *", "2026-01-01T00:00:00Z", "none");
    check_prev("0 0 30 2 *", "2026-01-01T00:00:00Z", "none");
    check_next("0 0 31 4,6,9,11 *", "2026-01-01T00:00:00Z", "none");
    /* before the epoch works too */
    check_prev("0 0 1 1 *", "1970-01-01T00:00:00Z", "1969-01-01T00:00:00Z");
    check_next("0 0 * * *", "1969-12-31T12:00:00Z", "1970-01-01T00:00:00Z");
}

static void check_bad(const char *expr, int pos, const char *msg)
{
    CronExpr e;
    char *err = NULL;
    int at = -99;
    int rc = cron_expr_parse(expr, &e, &at, &err);
    CHECK_INT(rc, -1);
    if (rc == -1) {
        if (at != pos)
            fprintf(stderr, "  (expression '%s': %s)\n", expr ? expr : "NULL", err);
        CHECK_INT(at, pos);
        CHECK_CONTAINS(err, msg);
        char col[32];
        snprintf(col, sizeof col, "column %d: ", pos + 1);
        CHECK(err && strncmp(err, col, strlen(col)) == 0);
    }
    free(err);
}

static void test_invalid(void)
{
    check_bad("", 0, "expected 5 fields, found 0");
    check_bad(NULL, 0, "expected 5 fields");
    check_bad("* * * *", 7, "found 4 (day of week missing)");
    check_bad("* * * * * *", 10, "too many fields");
    check_bad("* * * * * echo hi", 10, "too many fields");
    check_bad("60 * * * *", 0, "minute 60 out of range 0-59");
    check_bad("* 24 * * *", 2, "hour 24 out of range 0-23");
    check_bad("* * 0 * *", 4, "day of month 0 out of range 1-31");
    check_bad("* * 32 * *", 4, "day of month 32 out of range 1-31");
    check_bad("* * * 13 *", 6, "month 13 out of range 1-12");
    check_bad("* * * * 8", 8, "day of week 8 out of range 0-7");
    check_bad("0 5-1 * * *", 4, "hour range 5-1 goes backwards");
    check_bad("*/0 * * * *", 2, "minute step 0 out of range");
    check_bad("*/61 * * * *", 2, "minute step 61 out of range");
    check_bad("*/ * * * *", 2, "expected a step number");
    check_bad("* * * FOO *", 6, "unknown month name 'FOO'");
    check_bad("* * * JANUARY *", 6, "unknown month name 'JANUARY'");
    check_bad("* * * * MON-XYZ", 12, "unknown day of week name 'XYZ'");
    check_bad("MON * * * *", 0, "names are not allowed in the minute field");
    check_bad("1,,2 * * * *", 2, "expected a value");
    check_bad("1, * * * *", 2, "expected a value");
    check_bad("1;2 * * * *", 1, "unexpected character ';'");
    check_bad("1-2-3 * * * *", 3, "unexpected character '-'");
    check_bad("@reboot", 0, "unknown shorthand '@reboot'");
    check_bad("@daily x", 7, "unexpected text after the shorthand");
    check_bad("99999999999999999999 * * * *", 0, "out of range");
    check_bad("* * * * \x1b[2J", 8, "unexpected character");
    check_bad("0 0 * * 1-", 10, "expected a value");
}

/* Brute force with libc's calendar: does minute t match e? */
static int brute_match(const CronExpr *e, int64_t t_ms)
{
    time_t t = (time_t)(t_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    int md = (e->mdays >> tm.tm_mday) & 1, wd = (e->wdays >> tm.tm_wday) & 1;
    int day = (e->mday_star || e->wday_star) ? (md && wd) : (md || wd);
    return ((e->minutes >> tm.tm_min) & 1) && ((e->hours >> tm.tm_hour) & 1) &&
           ((e->months >> (tm.tm_mon + 1)) & 1) && day;
}

static void test_brute_force(void)
{
    static const char *exprs[] = {
        "*/7 3-5 * * *", "15 10 28-31 * *", "0 0 13 * 5", "1 2 * * 1,3", "*/20 */5 1,15 2,3 *",
        "59 23 29 2 *",
    };
    int64_t start = ms("2027-12-20T00:00:00Z"), end = ms("2028-03-20T00:00:00Z");
    for (size_t i = 0; i < MC_ARRAY_LEN(exprs); i++) {
        CronExpr e;
        CHECK_INT(cron_expr_parse(exprs[i], &e, NULL, NULL), 0);
        int64_t expect_prev = -1, mismatches = 0;
        /* the calls are sampled every 11th minute to keep this quick */
        for (int64_t t = start; t < end; t += 60000) {
            int probe = expect_prev != -1 && (t / 60000) % 11 == 0;
            if (probe && (cron_expr_prev(&e, t) != expect_prev ||
                          cron_expr_prev(&e, t + 1) != (brute_match(&e, t) ? t : expect_prev)))
                mismatches++;
            if (brute_match(&e, t))
                expect_prev = t;
        }
        int64_t expect_next = -1;
        for (int64_t t = end; t > start; t -= 60000) {
            int probe = expect_next != -1 && (t / 60000) % 11 == 0;
            if (probe && (cron_expr_next(&e, t) != expect_next ||
                          cron_expr_next(&e, t + 30000) != expect_next ||
                          cron_expr_next(&e, t - 1) != (brute_match(&e, t) ? t : expect_next)))
                mismatches++;
            if (brute_match(&e, t))
                expect_next = t;
        }
        if (mismatches)
            fprintf(stderr, "  (%s)\n", exprs[i]);
        CHECK_INT(mismatches, 0);
    }
}

int main(void)
{
    RUN(test_every_minute);
    RUN(test_month_ends);
    RUN(test_leap_days);
    RUN(test_steps_lists_ranges);
    RUN(test_names_and_weekdays);
    RUN(test_dom_dow_semantics);
    RUN(test_shorthands);
    RUN(test_impossible_and_old);
    RUN(test_invalid);
    RUN(test_brute_force);
    return t_done();
}
