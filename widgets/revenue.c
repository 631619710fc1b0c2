/* revenue.c — money in: the year-to-date total (the newest snapshot of each
 * revenue source, summed), the projected annual figure, a progress bar to the
 * configured yearly goal (goal_usd) and how far ahead of or behind the goal's
 * pace we are (pace = goal x the fraction of the year gone, in UTC; the year
 * may start on another day with year_start: MM-DD), a bar per stream and a
 * sparkline of the YTD total over the stored snapshots. */
#include <math.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "wkit.h"

#define MAX_SOURCES 32
#define MAX_STREAMS 32
#define HISTORY 60

typedef struct Stream {
    char *name;
    double usd;
} Stream;

typedef struct Revenue {
    double goal;                  /* 0: none */
    int start_mon, start_day;     /* the year starts on this day (UTC) */
    int nsources;
    char *sources[MAX_SOURCES], *dates[MAX_SOURCES];
    double ytd, projected;        /* projected: NAN when unknown */
    double year_frac;             /* of the year gone at load */
    Stream streams[MAX_STREAMS];
    int nstreams;
    double hist[HISTORY];         /* oldest first */
    int nhist;
} Revenue;

static void clear_data(Revenue *r)
{
    for (int i = 0; i < r->nsources; i++) {
        free(r->sources[i]);
        free(r->dates[i]);
    }
    for (int i = 0; i < r->nstreams; i++)
        free(r->streams[i].name);
    r->nsources = r->nstreams = r->nhist = 0;
    r->ytd = 0;
    r->projected = NAN;
}

/* year_start: "MM-DD" or "YYYY-MM-DD" (the year is ignored). */
static int parse_year_start(const YNode *opts, int *mon, int *day, char **err)
{
    char *s = NULL;
    if (ynode_str(opts, "year_start", &s, err) < 0)
        return -1;
    if (!s)
        return 0;
    const char *md = strlen(s) == 10 ? s + 5 : s;
    long m = 0, d = 0;
    char mm[3] = {0}, dd[3] = {0};
    int ok = strlen(md) == 5 && md[2] == '-';
    if (ok) {
        memcpy(mm, md, 2);
        memcpy(dd, md + 3, 2);
        ok = parse_long(mm, 1, 12, &m) == 0 && parse_long(dd, 1, 28, &d) == 0;
    }
    free(s);
    if (!ok)
        return ynode_error(ynode_get(opts, "year_start"), err,
                           "revenue widget: year_start must be MM-DD (day 1-28), e.g. 04-01");
    *mon = (int)m;
    *day = (int)d;
    return 0;
}

static void *rev_create(const YNode *opts, const Config *cfg, char **err)
{
    static const char *const keys[] = {WK_COMMON_KEYS, "goal_usd", "year_start", NULL};
    double goal = 0;
    /* the top-level year_start: (the revenue sources' year) unless the widget says */
    int mon = cfg && cfg->year_start_month ? cfg->year_start_month : 1;
    int day = cfg && cfg->year_start_day ? cfg->year_start_day : 1;
    if (day > 28)
        day = 28;
    if (opts && (ynode_check_keys(opts, keys, "revenue widget", err) < 0 ||
                 ynode_double(opts, "goal_usd", &goal, err) < 0 ||
                 parse_year_start(opts, &mon, &day, err) < 0))
        return NULL;
    if (!(goal >= 0 && goal < 1e15)) {
        ynode_error(ynode_get(opts, "goal_usd"), err, "revenue widget: goal_usd must be a "
                    "positive number of dollars");
        return NULL;
    }
    Revenue *r = xcalloc(1, sizeof *r);
    r->goal = goal;
    r->start_mon = mon;
    r->start_day = day;
    r->projected = NAN;
    return r;
}

static void rev_destroy(void *self)
{
    Revenue *r = self;
    if (!r)
        return;
    clear_data(r);
    free(r);
}

/* The fraction of the (possibly fiscal) year gone at now, UTC. */
static double year_fraction(const Revenue *r, int64_t now)
{
    char iso[40], d[32];
    time_format_iso(now, iso, sizeof iso);
    long year = 1970;
    iso[4] = '\0';
    if (parse_long(iso, 0, 9999, &year) < 0)
        return 0;
    int64_t start, end;
    snprintf(d, sizeof d, "%04ld-%02d-%02d", year, r->start_mon, r->start_day);
    if (time_parse_iso(d, &start) < 0)
        return 0;
    if (start > now) {
        year--;
        end = start;
        snprintf(d, sizeof d, "%04ld-%02d-%02d", year, r->start_mon, r->start_day);
        if (time_parse_iso(d, &start) < 0)
            return 0;
    } else {
        snprintf(d, sizeof d, "%04ld-%02d-%02d", year + 1, r->start_mon, r->start_day);
        if (time_parse_iso(d, &end) < 0)
            return 0;
    }
    return end > start ? (double)(now - start) / (double)(end - start) : 0;
}

static void add_stream(Revenue *r, const char *name, double usd)
{
    for (int i = 0; i < r->nstreams; i++) {
        if (strcmp(r->streams[i].name, name) == 0) {
            r->streams[i].usd += usd;
            return;
        }
    }
    if (r->nstreams < MAX_STREAMS) {
        r->streams[r->nstreams].name = xstrndup(name, 64);
        r->streams[r->nstreams++].usd = usd;
    }
}

static void parse_streams(Revenue *r, const char *json, size_t len)
{
    cJSON *arr = cJSON_ParseWithLength(json, len);
    const cJSON *list = cJSON_IsArray(arr) ? arr : NULL, *it;
    cJSON_ArrayForEach(it, list) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
        const cJSON *usd = cJSON_GetObjectItemCaseSensitive(it, "ytd_usd");
        if (cJSON_IsString(name) && cJSON_IsNumber(usd) && isfinite(usd->valuedouble))
            add_stream(r, name->valuestring, usd->valuedouble);
    }
    cJSON_Delete(arr);
}

static int stream_cmp(const void *a, const void *b)
{
    const Stream *x = a, *y = b;
    return x->usd > y->usd ? -1 : x->usd < y->usd ? 1 : strcmp(x->name, y->name);
}

/* The newest snapshot of each source (SQLite takes the bare columns from
 * the row holding the max). */
static int load_latest(Revenue *r, sqlite3 *db, char **err)
{
    sqlite3_stmt *st = wk_prepare(db, "revenue",
        "SELECT source, max(snapshot_date), total_ytd_usd, projected_annual_usd, streams"
        " FROM revenue GROUP BY source ORDER BY source LIMIT 32", err);
    if (!st)
        return -1;
    int rc, have_proj = 0;
    double proj = 0;
    while (r->nsources < MAX_SOURCES && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        r->sources[r->nsources] = wk_dup(st, 0);
        r->dates[r->nsources++] = wk_dup(st, 1);
        double ytd = sqlite3_column_double(st, 2);
        if (isfinite(ytd))
            r->ytd += ytd;
        if (sqlite3_column_type(st, 3) != SQLITE_NULL && isfinite(sqlite3_column_double(st, 3))) {
            proj += sqlite3_column_double(st, 3);
            have_proj = 1;
        }
        int n = sqlite3_column_bytes(st, 4);
        if (n > 0 && n < 256 * 1024)
            parse_streams(r, wk_col(st, 4), (size_t)n);
    }
    if (r->nsources == MAX_SOURCES)
        rc = SQLITE_DONE;
    if (have_proj)
        r->projected = proj;
    qsort(r->streams, (size_t)r->nstreams, sizeof *r->streams, stream_cmp);
    return wk_finish(db, st, rc, "revenue", err);
}

static int load_history(Revenue *r, sqlite3 *db, char **err)
{
    sqlite3_stmt *st = wk_prepare(db, "revenue",
        "SELECT sum(total_ytd_usd) FROM revenue GROUP BY snapshot_date"
        " ORDER BY snapshot_date DESC LIMIT 60", err);
    if (!st)
        return -1;
    double tmp[HISTORY];
    int n = 0, rc;
    while (n < HISTORY && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        double v = sqlite3_column_double(st, 0);
        tmp[n++] = isfinite(v) ? v : 0;
    }
    if (n == HISTORY)
        rc = SQLITE_DONE;
    for (int i = 0; i < n; i++)
        r->hist[i] = tmp[n - 1 - i];
    r->nhist = n;
    return wk_finish(db, st, rc, "revenue", err);
}

static int rev_load(void *self, const WidgetEnv *env, int rows, char **err)
{
    Revenue *r = self;
    sqlite3 *db = env && env->cache ? cache_db(env->cache) : NULL;
    clear_data(r);
    if (!db) {
        set_err(err, "revenue: no cache");
        return -1;
    }
    r->year_frac = year_fraction(r, env->now_ms);
    if (load_latest(r, db, err) < 0)
        return -1;
    if (isnan(r->projected) && r->nsources && r->year_frac > 0.02)
        r->projected = r->ytd / r->year_frac;
    return r->nsources ? load_history(r, db, err) : 0;
}

/* Row 0: "YTD $123,456.78      proj $410k/yr". */
static void draw_total(Revenue *r, WINDOW *w, int y)
{
    int W = getmaxx(w);
    char ytd[40], proj[48];
    fmt_money(r->ytd, ytd, sizeof ytd);
    if (text_width(ytd) + 4 > W)
        fmt_money_short(r->ytd, ytd, sizeof ytd);
    int x = wk_text(w, y, 0, W, ROLE_DIM, "YTD ");
    x += wk_text(w, y, x, W - x, ROLE_MONEY, ytd);
    if (!isnan(r->projected)) {
        char m[32];
        fmt_money_short(r->projected, m, sizeof m);
        snprintf(proj, sizeof proj, "proj %s/yr", m);
        if (W - x >= text_width(proj) + 2)
            wk_text_right(w, y, W, W - x - 2, ROLE_DIM, proj);
    }
}

/* "goal $500k [█████▌     ] 24.7%" */
static void draw_goal(Revenue *r, WINDOW *w, int y)
{
    int W = getmaxx(w);
    char g[32], pct[16];
    fmt_money_short(r->goal, g, sizeof g);
    double frac = r->ytd / r->goal;
    snprintf(pct, sizeof pct, " %.1f%%", frac * 100 > 9999 ? 9999 : frac * 100);
    int x = wk_text(w, y, 0, W, ROLE_DIM, "goal ");
    x += wk_text(w, y, x, W - x, ROLE_NORMAL, g) + 1;
    int pw = text_width(pct);
    if (W - x - pw >= 4)
        wk_bar(w, y, x, W - x - pw, frac, frac >= 1 ? ROLE_OK : ROLE_BAR);
    wk_text_right(w, y, W, pw, frac >= r->year_frac ? ROLE_OK : ROLE_WARN, pct);
}

/* "+$12.3k ahead of pace" or "-$4.1k behind pace". */
static void draw_pace(Revenue *r, WINDOW *w, int y)
{
    double diff = r->ytd - r->goal * r->year_frac;
    char m[32], s[64];
    fmt_money_short(fabs(diff), m, sizeof m);
    snprintf(s, sizeof s, "%s%s %s pace", diff >= 0 ? "+" : "-", m,
             diff >= 0 ? "ahead of" : "behind");
    wk_text(w, y, 0, getmaxx(w), diff >= 0 ? ROLE_OK : ROLE_WARN, s);
}

static void draw_stream(Revenue *r, WINDOW *w, int y, const Stream *s)
{
    int W = getmaxx(w);
    char m[32];
    fmt_money_short(s->usd, m, sizeof m);
    int namew = W / 3 > 16 ? 16 : W / 3;
    char name[64];
    snprintf(name, sizeof name, "%-16.60s", s->name);
    wk_text(w, y, 0, namew, ROLE_NORMAL, name);
    int mw = text_width(m);
    int barw = W - namew - 1 - mw - 1;
    if (barw >= 3)
        wk_bar(w, y, namew + 1, barw, r->ytd > 0 ? s->usd / r->ytd : 0, ROLE_BAR);
    wk_text_right(w, y, W, mw, ROLE_MONEY, m);
}

static void rev_draw(void *self, WINDOW *w, const WidgetEnv *env, const PaneInfo *pane)
{
    Revenue *r = self;
    werase(w);
    if (r->nsources == 0) {
        wk_empty(w, NULL);
        return;
    }
    int H = getmaxy(w), W = getmaxx(w), y = 0;
    draw_total(r, w, y++);
    if (r->goal > 0 && y < H)
        draw_goal(r, w, y++);
    if (r->goal > 0 && y < H)
        draw_pace(r, w, y++);
    int spark = H - y >= 2 && r->nhist > 1;
    for (int i = 0; i < r->nstreams && y < H - spark; i++)
        draw_stream(r, w, y++, &r->streams[i]);
    if (spark) {
        int x = wk_text(w, H - 1, 0, W, ROLE_DIM, "ytd ");
        wk_spark(w, H - 1, x, W - x, r->hist, r->nhist, ROLE_MONEY);
    }
}

static void rev_title_note(void *self, char *buf, size_t n)
{
    Revenue *r = self;
    if (r->goal > 0 && r->nsources)
        snprintf(buf, n, "%.0f%% of goal", r->ytd / r->goal * 100);
    else if (r->nsources == 1)
        snprintf(buf, n, "as of %.10s", r->dates[0]);
    else if (n)
        buf[0] = '\0';
}

static int rev_detail(void *self, Buf *out)
{
    Revenue *r = self;
    if (!r->nsources)
        return -1;
    char m[40];
    fmt_money(r->ytd, m, sizeof m);
    buf_printf(out, "year to date:      %s\n", m);
    if (!isnan(r->projected)) {
        fmt_money(r->projected, m, sizeof m);
        buf_printf(out, "projected annual:  %s\n", m);
    }
    if (r->goal > 0) {
        fmt_money(r->goal, m, sizeof m);
        buf_printf(out, "goal:              %s (%.1f%%)\n", m, r->ytd / r->goal * 100);
        fmt_money(r->goal * r->year_frac, m, sizeof m);
        buf_printf(out, "pace today:        %s (%.1f%% of the year gone)\n", m,
                   r->year_frac * 100);
    }
    if (r->nstreams)
        buf_puts(out, "\nstreams:\n");
    for (int i = 0; i < r->nstreams; i++) {
        fmt_money(r->streams[i].usd, m, sizeof m);
        buf_printf(out, "  %-24s %s\n", r->streams[i].name, m);
    }
    buf_puts(out, "\nsnapshots:\n");
    for (int i = 0; i < r->nsources; i++)
        buf_printf(out, "  %-24s %s\n", r->sources[i], r->dates[i]);
    return 0;
}

const WidgetClass revenue_widget = {
    .name = "revenue",
    .title = "Revenue",
    .datasets = 1u << DS_REVENUE,
    .create = rev_create,
    .load = rev_load,
    .draw = rev_draw,
    .title_note = rev_title_note,
    .detail = rev_detail,
    .destroy = rev_destroy,
};
