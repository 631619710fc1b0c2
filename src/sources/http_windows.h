/* http_windows.h — `windows:` of http_json: the range from the revenue
 * year's start (top-level `year_start:`) to today, split into windows of at
 * most `days` days (both ends included), each requested with its first and
 * last day in the query parameters `start_param` / `end_param`, formatted
 * with strftime's `format` (default %Y-%m-%d). For APIs that refuse long
 * ranges (a reporting API's 31-day limit, impact.com's row cap). */
#ifndef MC_HTTP_WINDOWS_H
#define MC_HTTP_WINDOWS_H

#include <stdint.h>
#include "../config.h"
#include "../ynode.h"

typedef struct HttpWindows {
    int enabled;
    long days;                     /* at most this many days per window (default 31) */
    char *start_param, *end_param; /* default start_date / end_date */
    char *format;                  /* strftime format of a day (default %Y-%m-%d) */
} HttpWindows;

/* Reads `windows:` from a source map (absent: w->enabled = 0). */
int http_windows_configure(HttpWindows *w, const YNode *map, char **err);
void http_windows_free(HttpWindows *w);

/* The windows of the current year up to now's UTC day, in order: sets
 * *first (days since 1970) and returns how many there are (>= 1). Window i
 * runs from first + i*days to min(that + days - 1, today). */
int http_windows_span(const HttpWindows *w, const Config *cfg, int64_t now_ms, int64_t *first,
                      int64_t *today);
/* url with window [from_day, to_day]'s parameters set. Returns a new string. */
char *http_windows_url(const HttpWindows *w, const char *url, int64_t from_day, int64_t to_day);

#endif
