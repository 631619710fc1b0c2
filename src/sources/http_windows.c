/* http_windows.c — splits the revenue year into request windows
 * (http_windows.h). */
#include "http_windows.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "../util.h"
#include "../net/http.h"

static const char *const win_keys[] = {"days", "start_param", "end_param", "format", NULL};

int http_windows_configure(HttpWindows *w, const YNode *map, char **err)
{
    memset(w, 0, sizeof *w);
    const YNode *n = ynode_get(map, "windows");
    if (!n)
        return 0;
    if (n->type != YN_MAP)
        return ynode_error(n, err, "windows: expected a map {days, start_param, end_param, format}");
    w->days = 31;
    if (ynode_check_keys(n, win_keys, "windows", err) < 0 || ynode_long(n, "days", 1, 3660, &w->days, err) < 0
        || ynode_str(n, "start_param", &w->start_param, err) < 0
        || ynode_str(n, "end_param", &w->end_param, err) < 0 || ynode_str(n, "format", &w->format, err) < 0)
        return -1;
    if (!w->start_param)
        w->start_param = xstrdup("start_date");
    if (!w->end_param)
        w->end_param = xstrdup("end_date");
    if (!w->format)
        w->format = xstrdup("%Y-%m-%d");
    if (!*w->start_param || !*w->end_param || !strcmp(w->start_param, w->end_param))
        return ynode_error(n, err, "windows: start_param and end_param must be two different names");
    char probe[128];
    struct tm tm = {.tm_year = 126, .tm_mon = 0, .tm_mday = 31};
    if (!*w->format || strftime(probe, sizeof probe, w->format, &tm) == 0)
        return ynode_error(ynode_get(n, "format"), err, "windows.format: '%.40s' gives no date (e.g. \"%%Y-%%m-%%d\")",
                           w->format);
    w->enabled = 1;
    return 0;
}

void http_windows_free(HttpWindows *w)
{
    free(w->start_param), free(w->end_param), free(w->format);
    memset(w, 0, sizeof *w);
}

int http_windows_span(const HttpWindows *w, const Config *cfg, int64_t now_ms, int64_t *first,
                      int64_t *today)
{
    config_year_span(cfg, now_ms, first, NULL);
    *today = now_ms >= 0 ? now_ms / 86400000 : (now_ms - 86399999) / 86400000;
    int64_t days = *today - *first + 1;
    return (int)((days + w->days - 1) / w->days);
}

static void format_day(const HttpWindows *w, int64_t day, char *out, size_t outsz)
{
    time_t t = (time_t)(day * 86400);
    struct tm tm;
    gmtime_r(&t, &tm);
    if (strftime(out, outsz, w->format, &tm) == 0)
        out[0] = 0;
}

char *http_windows_url(const HttpWindows *w, const char *url, int64_t from_day, int64_t to_day)
{
    char a[128], b[128];
    format_day(w, from_day, a, sizeof a);
    format_day(w, to_day, b, sizeof b);
    char *u1 = http_url_set_param(url, w->start_param, a);
    char *u2 = http_url_set_param(u1, w->end_param, b);
    free(u1);
    return u2;
}
