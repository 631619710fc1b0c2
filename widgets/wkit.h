/* wkit.h — small helpers shared by the widget files: drawing clipped to the
 * window (so no widget can write outside its pane, whatever its size), reading
 * SQLite columns with bounded copies (data is untrusted), ages and status
 * colors. Everything is static inline so each widget file still exports only
 * its class and needs no extra build entry. */
#ifndef MC_WKIT_H
#define MC_WKIT_H

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sqlite3.h>
#include "../src/draw/draw.h"
#include "../src/ui/widget.h"
#include "../src/util.h"

/* Longest string a widget keeps from one cell (detail views show this much). */
#define WK_MAX_TEXT 16384

/* Text at y,x clipped to maxw and to the window; nothing when y,x is outside. */
static inline int wk_text(WINDOW *w, int y, int x, int maxw, Role r, const char *s)
{
    int W = getmaxx(w), H = getmaxy(w);
    if (!s || !*s || y < 0 || y >= H || x < 0 || x >= W)
        return 0;
    if (maxw > W - x)
        maxw = W - x;
    if (maxw <= 0)
        return 0;
    return draw_text(w, y, x, maxw, r, s);
}

/* A fixed-width column: s clipped to colw (no padding drawn); returns colw
 * (or what is left of the window) so the next column starts after it. */
static inline int wk_cell(WINDOW *w, int y, int x, int colw, Role r, const char *s)
{
    int left = getmaxx(w) - x;
    if (colw > left)
        colw = left > 0 ? left : 0;
    wk_text(w, y, x, colw, r, s);
    return colw;
}

/* Text ending at column xend-1 (clipped to maxw columns and to the window). */
static inline int wk_text_right(WINDOW *w, int y, int xend, int maxw, Role r, const char *s)
{
    if (!s || !*s)
        return 0;
    if (xend > getmaxx(w))
        xend = getmaxx(w);
    int tw = text_width(s);
    if (tw > maxw)
        tw = maxw;
    if (tw > xend)
        tw = xend;
    if (tw <= 0)
        return 0;
    return wk_text(w, y, xend - tw, tw, r, s);
}

/* Fills a row segment, clipped to the window. */
static inline void wk_fill(WINDOW *w, int y, int x, int width, Role r)
{
    int W = getmaxx(w);
    if (y < 0 || y >= getmaxy(w) || x < 0 || x >= W)
        return;
    if (width > W - x)
        width = W - x;
    if (width > 0)
        draw_fill(w, y, x, width, r);
}

/* The bar/gauge/sparkline kit, clipped the same way. */
static inline void wk_bar(WINDOW *w, int y, int x, int width, double frac, Role r)
{
    if (y < 0 || y >= getmaxy(w) || x < 0 || x >= getmaxx(w))
        return;
    if (width > getmaxx(w) - x)
        width = getmaxx(w) - x;
    if (width > 0)
        draw_bar(w, y, x, width, frac < 0 ? 0 : frac > 1 ? 1 : frac, r);
}

static inline void wk_gauge(WINDOW *w, int y, int x, int width, const char *label, double pct,
                            double warn, double crit)
{
    if (y < 0 || y >= getmaxy(w) || x < 0 || x >= getmaxx(w))
        return;
    if (width > getmaxx(w) - x)
        width = getmaxx(w) - x;
    if (width > 0)
        draw_gauge(w, y, x, width, label, pct, warn, crit);
}

static inline void wk_spark(WINDOW *w, int y, int x, int width, const double *v, int n, Role r)
{
    if (n <= 0 || y < 0 || y >= getmaxy(w) || x < 0 || x >= getmaxx(w))
        return;
    if (width > getmaxx(w) - x)
        width = getmaxx(w) - x;
    if (width > n)
        width = n;
    if (width > 0)
        draw_sparkline(w, y, x, width, v + (n - width), width, r);
}

/* "no data yet" (or msg) in the middle of the window, dim. */
static inline void wk_empty(WINDOW *w, const char *msg)
{
    int W = getmaxx(w), H = getmaxy(w);
    if (!msg)
        msg = "no data yet";
    int tw = text_width(msg);
    int x = tw < W ? (W - tw) / 2 : 0;
    wk_text(w, H > 2 ? H / 2 - 1 + (H % 2) : 0, x, W - x, ROLE_DIM, msg);
}

/* A column as text: "" for NULL. */
static inline const char *wk_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

/* A column as a new string, cut to WK_MAX_TEXT bytes. */
static inline char *wk_dup(sqlite3_stmt *st, int i)
{
    const char *t = wk_col(st, i);
    int n = sqlite3_column_bytes(st, i);
    return xstrndup(t, (size_t)(n < WK_MAX_TEXT ? n : WK_MAX_TEXT));
}

/* A time column (ISO text, or a number of epoch s/ms) as epoch ms; 0 when unknown. */
static inline int64_t wk_time(sqlite3_stmt *st, int i)
{
    int t = sqlite3_column_type(st, i);
    if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
        return time_from_number(sqlite3_column_double(st, i));
    int64_t ms = 0;
    if (t == SQLITE_TEXT && time_parse_iso(wk_col(st, i), &ms) == 0)
        return ms;
    return 0;
}

/* Age of t at now ("5m", "in 3h" for the future); "-" when t is unknown. */
static inline void wk_age(int64_t now, int64_t t, char *out, size_t n)
{
    if (t <= 0) {
        snprintf(out, n, "-");
        return;
    }
    if (t > now + 60000) {
        char a[16];
        time_format_age(t - now, a, sizeof a);
        snprintf(out, n, "in %s", a);
        return;
    }
    time_format_age(now > t ? now - t : 0, out, n);
}

static inline int wk_word_in(const char *s, const char *const *words)
{
    for (int i = 0; s && words[i]; i++)
        if (strcasecmp(s, words[i]) == 0)
            return 1;
    return 0;
}

/* The color of a status word from data (ok/success/ready, error/failed, warn/blocked). */
static inline Role wk_status_role(const char *s)
{
    static const char *const ok[] = {"ok", "success", "succeeded", "ready", "done", "up",
                                     "passed", "completed", "resolved", NULL};
    static const char *const crit[] = {"error", "failed", "fail", "failure", "critical",
                                       "crit", "down", "canceled", "cancelled", "hung", NULL};
    static const char *const warn[] = {"warn", "warning", "blocked", "retry", "retrying",
                                       "timeout", "degraded", "stale", NULL};
    if (wk_word_in(s, ok))
        return ROLE_OK;
    if (wk_word_in(s, crit))
        return ROLE_CRIT;
    if (wk_word_in(s, warn))
        return ROLE_WARN;
    return ROLE_NORMAL;
}

/* Prepares a statement; NULL with *err naming the widget on failure. */
static inline sqlite3_stmt *wk_prepare(sqlite3 *db, const char *who, const char *sql, char **err)
{
    sqlite3_stmt *st = NULL;
    if (!db) {
        set_err(err, "%s: no cache", who);
        return NULL;
    }
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        set_err(err, "%s: reading the cache: %s", who, sqlite3_errmsg(db));
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Finishes a stepping loop: 0 when it ended in SQLITE_DONE, else -1 with *err. */
static inline int wk_finish(sqlite3 *db, sqlite3_stmt *st, int rc, const char *who, char **err)
{
    int ret = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        set_err(err, "%s: reading the cache: %s", who, sqlite3_errmsg(db));
        ret = -1;
    }
    sqlite3_finalize(st);
    return ret;
}

/* A glyph, or its stand-in in --ascii mode. */
static inline const char *wk_g(const char *unicode, const char *ascii)
{
    return draw_is_ascii() ? ascii : unicode;
}

/* The / filter text as a LIKE pattern for "... LIKE ? ESCAPE '\'": "%text%"
 * with %, _ and \ escaped. Returns a new string. */
static inline char *wk_like_pattern(const char *text)
{
    Buf p = {0};
    buf_putc(&p, '%');
    for (const char *s = text; s && *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\')
            buf_putc(&p, '\\');
        buf_putc(&p, *s);
    }
    buf_putc(&p, '%');
    return buf_steal(&p);
}

/* Every widget accepts these option keys besides its own. */
#define WK_COMMON_KEYS "type", "title"

/* The selected row is highlighted only in the focused pane. */
static inline Role wk_row_role(int selected, const PaneInfo *pane, Role normal)
{
    return (selected && pane && pane->focused) ? ROLE_SELECTED : normal;
}

#endif
