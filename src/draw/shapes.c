/* shapes.c — the drawn shapes of the dashboard: pane boxes with a title and
 * a note on the top border, bars with eighth-block precision, threshold
 * gauges and sparklines. Each has an ascii form for --ascii. Everything clips
 * to the window it is given. */
#include "draw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "../util.h"

/* Draws the same UTF-8 glyph n times at y,x in role r. */
static void repeat_glyph(WINDOW *w, int y, int x, int n, Role r, const char *g)
{
    if (n <= 0 || y < 0 || y >= getmaxy(w) || x < 0)
        return;
    if (n > getmaxx(w) - x)
        n = getmaxx(w) - x;
    Buf b = {0};
    for (int i = 0; i < n; i++)
        buf_puts(&b, g);
    wattrset(w, draw_role(r));
    mvwaddstr(w, y, x, b.s ? b.s : "");
    wattrset(w, A_NORMAL);
    buf_free(&b);
}

static void line_glyphs(int heavy, const char **h, const char **v, const char **tl,
                        const char **tr, const char **bl, const char **br)
{
    int a = draw_is_ascii();
    if (heavy) {
        *h = a ? "=" : "\u2501";
        *v = a ? "#" : "\u2503";
        *tl = *tr = *bl = *br = a ? "#" : NULL;
        if (!a) {
            *tl = "\u250f", *tr = "\u2513", *bl = "\u2517", *br = "\u251b";
        }
        return;
    }
    *h = a ? "-" : "\u2500";
    *v = a ? "|" : "\u2502";
    *tl = a ? "+" : "\u250c";
    *tr = a ? "+" : "\u2510";
    *bl = a ? "+" : "\u2514";
    *br = a ? "+" : "\u2518";
}

static void box_with(WINDOW *w, int heavy, Role border, const char *title, Role title_role,
                     const char *note, Role note_role);

void draw_box(WINDOW *w, Role border, const char *title, Role title_role,
              const char *note, Role note_role)
{
    box_with(w, 0, border, title, title_role, note, note_role);
}

void draw_box_heavy(WINDOW *w, Role border, const char *title, Role title_role,
                    const char *note, Role note_role)
{
    box_with(w, 1, border, title, title_role, note, note_role);
}

static void box_with(WINDOW *w, int heavy, Role border, const char *title, Role title_role,
                     const char *note, Role note_role)
{
    int rows = getmaxy(w), cols = getmaxx(w);
    if (rows < 2 || cols < 2)
        return;
    const char *h, *v, *tl, *tr, *bl, *br;
    line_glyphs(heavy, &h, &v, &tl, &tr, &bl, &br);
    repeat_glyph(w, 0, 0, 1, border, tl);
    repeat_glyph(w, 0, 1, cols - 2, border, h);
    repeat_glyph(w, 0, cols - 1, 1, border, tr);
    for (int y = 1; y < rows - 1; y++) {
        repeat_glyph(w, y, 0, 1, border, v);
        repeat_glyph(w, y, cols - 1, 1, border, v);
    }
    repeat_glyph(w, rows - 1, 0, 1, border, bl);
    repeat_glyph(w, rows - 1, 1, cols - 2, border, h);
    /* the corner cell last: curses may not advance past it */
    repeat_glyph(w, rows - 1, cols - 1, 1, border, br);

    int room = cols - 4;             /* between "┌ " and " ┐" */
    int used = 0;
    if (title && *title && room > 2) {
        char *t = xasprintf(" %s ", title);
        used = draw_text(w, 0, 1, room + 2, title_role, t);
        free(t);
    }
    int left = cols - 2 - (1 + used) - 1;   /* keep one border cell between */
    if (note && *note && left >= 4) {
        char *n = xasprintf(" %s ", note);
        if (text_width(n) <= left)
            draw_text_right(w, 0, cols - 1, left, note_role, n);
        free(n);
    }
}

/* Eighth blocks U+2589..U+258F, indexed by eighths 1..7. */
static const char *const eighths[8] = {
    "", "\u258f", "\u258e", "\u258d", "\u258c", "\u258b", "\u258a", "\u2589",
};

void draw_bar(WINDOW *win, int y, int x, int w, double frac, Role fill)
{
    if (!win || w <= 0)
        return;
    if (!(frac > 0))     /* also NaN */
        frac = 0;
    if (frac > 1)
        frac = 1;
    int ascii = draw_is_ascii();
    int total = (int)lround(frac * w * 8);
    int full = total / 8, part = ascii ? 0 : total % 8;
    if (ascii)
        full = (int)lround(frac * w);
    repeat_glyph(win, y, x, full, fill, ascii ? "#" : "\u2588");
    int at = x + full;
    if (part) {
        repeat_glyph(win, y, at, 1, fill, eighths[part]);
        at++;
    }
    int track_bg = strcmp(draw_theme_name(), "256") == 0;
    repeat_glyph(win, y, at, x + w - at, ROLE_BAR_EMPTY,
                 ascii ? "." : track_bg ? " " : "\u00b7");
}

void draw_gauge(WINDOW *win, int y, int x, int w, const char *label, double pct,
                double warn, double crit)
{
    if (!win || w <= 0)
        return;
    Role r = pct >= crit ? ROLE_CRIT : pct >= warn ? ROLE_WARN : ROLE_OK;
    char num[16];
    if (pct != pct)
        snprintf(num, sizeof num, "  ?%%");
    else
        snprintf(num, sizeof num, "%3.0f%%", pct < 0 ? 0 : pct > 999 ? 999 : pct);
    int lw = label ? text_width(label) : 0;
    int nw = (int)strlen(num);
    int barw = w - lw - (lw ? 1 : 0) - nw - 1;
    int cx = x;
    if (lw) {
        cx += draw_text(win, y, cx, w, ROLE_DIM, label);
        cx++;
    }
    if (barw >= 3) {
        draw_bar(win, y, cx, barw, pct / 100.0, r);
        cx += barw + 1;
    }
    draw_text(win, y, cx, x + w - cx, r, num);
}

void draw_sparkline(WINDOW *win, int y, int x, int w, const double *vals, int n, Role r)
{
    static const char *const blocks[8] = {
        "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
    };
    static const char ascii_levels[] = "_.,-=+*#";
    if (!win || w <= 0 || !vals || n <= 0)
        return;
    int start = n > w ? n - w : 0;
    double lo = vals[start], hi = vals[start];
    for (int i = start; i < n; i++) {
        if (vals[i] < lo)
            lo = vals[i];
        if (vals[i] > hi)
            hi = vals[i];
    }
    Buf b = {0};
    int ascii = draw_is_ascii();
    for (int i = start; i < n; i++) {
        double f = hi > lo ? (vals[i] - lo) / (hi - lo) : (hi > 0 ? 0.5 : 0);
        int lv = f >= 0 && f <= 1 ? (int)(f * 7.0 + 0.5) : 0;   /* also NaN */
        if (lv < 0)
            lv = 0;
        if (lv > 7)
            lv = 7;
        if (ascii)
            buf_putc(&b, ascii_levels[lv]);
        else
            buf_puts(&b, blocks[lv]);
    }
    if (b.s)
        draw_text(win, y, x, w, r, b.s);
    buf_free(&b);
}
