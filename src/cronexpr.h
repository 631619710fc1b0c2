/* cronexpr.h — 5-field cron expressions (minute hour day-of-month month
 * day-of-week) as vixie cron reads them, evaluated in UTC. The cron widget
 * uses them to know when a job was last due (a missed run) and when it runs
 * next; nothing else in mc depends on the exact syntax.
 *
 * Syntax: each field is a comma list of `*`, `N`, `N-M`, each optionally
 * followed by `/STEP` (`N/STEP` means N-max/STEP). Months take JAN-DEC and
 * days of the week SUN-SAT (case-insensitive); day of week 7 is Sunday.
 * Shorthands: @yearly (@annually), @monthly, @weekly, @daily (@midnight),
 * @hourly. When both day-of-month and day-of-week are restricted (neither
 * starts with `*`), a day matches if EITHER matches, as in vixie cron.
 * (src/sources/cronexpr.c is cron_logs' own local-time parser; the names
 * here are cron_expr_* so the two can never bind to each other.) */
#ifndef MC_CRON_EXPR_H
#define MC_CRON_EXPR_H

#include <stdint.h>

typedef struct CronExpr {
    uint64_t minutes;   /* bit m for minute 0..59 */
    uint32_t hours;     /* bit h for hour 0..23 */
    uint32_t mdays;     /* bit d for day of month 1..31 */
    uint32_t months;    /* bit m for month 1..12 */
    uint32_t wdays;     /* bit w for day of week 0..6 (Sunday 0) */
    int mday_star;      /* the day-of-month field started with '*' */
    int wday_star;      /* the day-of-week field started with '*' */
} CronExpr;

/* Parses an expression. Returns 0, or -1 with *err = "column C: message"
 * (a new string; caller frees; err may be NULL) and *errpos = the 0-based
 * offset of the offending character (errpos may be NULL). */
int cron_expr_parse(const char *s, CronExpr *out, int *errpos, char **err);

/* The first fire time strictly after `after_ms` (epoch ms, UTC; results are
 * whole minutes), or -1 when there is none within 50 years (e.g. "0 0 30 2 *"). */
int64_t cron_expr_next(const CronExpr *e, int64_t after_ms);
/* The last fire time strictly before `before_ms`, or -1 when none within 50 years. */
int64_t cron_expr_prev(const CronExpr *e, int64_t before_ms);

#endif
