/* draw.h — the drawing kit every widget uses: color roles (never raw color
 * numbers), text measured with wcwidth and sanitized so no byte from data can
 * move the cursor or set a title, boxes, bars, gauges and sparklines, and the
 * number formats of the dashboard. Only src/ui, src/draw and widgets include
 * curses. All functions clip to the width they are given. */
#ifndef MC_DRAW_H
#define MC_DRAW_H

#include <stddef.h>
#include <stdint.h>
#include <curses.h>

typedef enum {
    ROLE_NORMAL,
    ROLE_DIM,          /* secondary text: ages, sources, labels */
    ROLE_TITLE,        /* pane titles */
    ROLE_BORDER,
    ROLE_BORDER_FOCUS,
    ROLE_SELECTED,     /* the selected row of the focused pane */
    ROLE_OK,           /* up, success, ahead of pace */
    ROLE_WARN,         /* amber: stale, warn threshold, retrying */
    ROLE_CRIT,         /* red: failing, critical, error */
    ROLE_STALE,        /* data older than expected */
    ROLE_BLOCKER,      /* things waiting on the owner */
    ROLE_ACCENT,       /* highlights, big numbers */
    ROLE_MONEY,
    ROLE_BAR,          /* filled part of bars */
    ROLE_BAR_EMPTY,
    ROLE_STATUS,       /* the status line */
    ROLE_PLACEHOLDER,  /* visible stand-ins for control characters */
    ROLE__COUNT
} Role;

/* Sets up colors once after initscr: theme "auto" | "256" | "8" | "mono";
 * NO_COLOR (set and non-empty) forces mono. ascii: no line drawing/Unicode. */
void draw_init(const char *theme, int ascii);
attr_t draw_role(Role r);
int draw_is_ascii(void);
/* Sets ascii mode without touching curses (draw_init also sets it); tests
 * and the text functions below use it. */
void draw_set_ascii(int ascii);
/* The theme draw_init chose: "256", "8" or "mono". */
const char *draw_theme_name(void);

/* Display width of UTF-8 text in columns (wcwidth; invalid bytes and
 * controls count as their placeholder's width; an emoji asked for with
 * U+FE0F, like 🖼️, is 2 columns, as text_sanitize draws it). */
int text_width(const char *s);
/* A copy of s with every C0/C1 control, DEL and escape sequence replaced by a
 * visible placeholder (control pictures like "␛" "␇", or "^[" "^G" in ascii
 * mode; a whole CSI "ESC [ ... final" is one "␛"; tabs become a space), and
 * invalid UTF-8 bytes, bidi overrides and unprintable code points by "?". In
 * ascii mode every non-ASCII character is "?". Emoji sequences terminals
 * disagree on lose their variation selectors, joiners and skin tones, and a
 * narrow character that asked for emoji presentation gets a space after it
 * (so curses and every terminal agree on the columns). Returns a new string;
 * caller frees. */
char *text_sanitize(const char *s);
/* Cuts sanitized UTF-8 text to at most maxw columns, adding "…" ("~" ascii)
 * when cut. Returns a new string; caller frees. */
char *text_fit(const char *s, int maxw);
/* Wraps text (sanitized here; newlines start new lines) to lines of at most
 * width columns, breaking at spaces when it can. Returns the number of lines
 * and *lines, a new NULL-terminated array of new strings (text_lines_free). */
int text_wrap(const char *s, int width, char ***lines);
void text_lines_free(char **lines);

/* Draws s (sanitized here; any data string may be passed) at y,x clipped to
 * maxw columns. Returns the columns used. */
int draw_text(WINDOW *w, int y, int x, int maxw, Role r, const char *s);
/* Right-aligned so the text ends at column xend-1. */
int draw_text_right(WINDOW *w, int y, int xend, int maxw, Role r, const char *s);
/* Fills a row segment with spaces in role r. */
void draw_fill(WINDOW *w, int y, int x, int width, Role r);

/* A box over the whole window, with a title on the top border (left) and
 * a note (right, e.g. "12s · 3 sources"). */
void draw_box(WINDOW *w, Role border, const char *title, Role title_role,
              const char *note, Role note_role);
/* The same with heavy lines (the focused pane; '=' and '#' in ascii). */
void draw_box_heavy(WINDOW *w, Role border, const char *title, Role title_role,
                    const char *note, Role note_role);

/* Horizontal bar of width w filled to frac (0..1), eighth-block precision
 * (or '#' in ascii). */
void draw_bar(WINDOW *win, int y, int x, int w, double frac, Role fill);
/* "label [|||||     ] 42%" colored by warn/crit thresholds (percent). */
void draw_gauge(WINDOW *win, int y, int x, int w, const char *label, double pct,
                double warn, double crit);
/* One-line sparkline of n values scaled to their min..max (▁..█ or ascii). */
void draw_sparkline(WINDOW *win, int y, int x, int w, const double *vals, int n, Role r);

/* Number formats: "$1.23M", "$12.3k", "$950"; exact "$12,345.67". */
void fmt_money_short(double usd, char *out, size_t n);
void fmt_money(double usd, char *out, size_t n);
/* "1.2M", "12k", "950" */
void fmt_count(double v, char *out, size_t n);

#endif
