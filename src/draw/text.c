/* text.c — text as the terminal will show it: display width with wcwidth,
 * sanitizing (no byte from data may move the cursor, set a title or switch
 * screens), fitting to a width, wrapping, and drawing clipped text. Every
 * string a widget draws passes through text_sanitize on its way to ncurses,
 * which is the last step of the data path for text. */
#include "draw.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "../textsafe.h"
#include "../util.h"

/* One unit of sanitized output: either a printable code point or a
 * placeholder standing in for control bytes or invalid input. */
typedef struct Tok {
    size_t in_len;      /* bytes consumed from the input */
    const char *out;    /* placeholder text, or NULL: copy the input bytes */
    size_t out_len;     /* bytes of output */
    int width;          /* columns */
    char buf[16];       /* the output when it is neither (an emoji rewritten) */
} Tok;

static void tok_placeholder(Tok *t, const char *ph, size_t in_len)
{
    t->in_len = in_len;
    t->out = ph;
    t->out_len = strlen(ph);
    t->width = draw_is_ascii() ? (int)t->out_len : 1;
}

/* The code point at s when it is a printable one (else 0); *n its length. */
static uint32_t peek_cp(const char *s, size_t *n)
{
    const char *ph;
    uint32_t cp;
    *n = *s ? textsafe_next(s, 0, &ph, &cp) : 0;
    return *n && !ph ? cp : 0;
}

static int is_pictograph(uint32_t cp)
{
    return (cp >= 0x1f000 && cp <= 0x1faff) || (cp >= 0x2600 && cp <= 0x27bf) ||
           (cp >= 0x2b00 && cp <= 0x2bff);
}

#define VS15 0xfe0e          /* text presentation selector */
#define VS16 0xfe0f          /* emoji presentation selector */
#define ZWJ 0x200d
#define KEYCAP 0x20e3

/* Whether a pictograph comes next in s, past selectors and joiners (a joiner
 * before it could fuse it with what precedes). */
static int pictograph_next(const char *s)
{
    size_t m;
    uint32_t cp;
    while ((cp = peek_cp(s, &m)) == VS15 || cp == VS16 || cp == ZWJ)
        s += m;
    return is_pictograph(cp);
}

/* Emoji sequences whose width terminals disagree on (and curses, which
 * counts wcwidth per code point, cannot know): a narrow character with VS16
 * (🖼️) is two columns where the selector is honoured and one elsewhere; a
 * zero-width joiner or a skin tone fuses two emoji into one in some terminals
 * only. So what reaches the terminal is unambiguous: the selectors, the
 * joiners between emoji and the tones are left out, and a narrow character
 * that asked for emoji presentation gets a space after it, so it takes the
 * two columns it takes in the terminals that draw it as an emoji. Consumes
 * the sequence's tail after the base code point at s (n bytes, width w). */
static void emoji_tok(const char *s, size_t n, uint32_t base, int w, Tok *t)
{
    size_t off = n, m;
    int vs16 = 0, keycap = 0;
    /* the tail in any order, so that what is left never forms a new one */
    for (;;) {
        uint32_t cp = peek_cp(s + off, &m);
        if (cp >= 0x1f3fb && cp <= 0x1f3ff && is_pictograph(base))   /* skin tone */
            ;
        else if (cp == VS16 || cp == VS15)
            vs16 = vs16 || cp == VS16;
        else if (cp == KEYCAP)
            keycap = 1;
        else if (cp != ZWJ || !pictograph_next(s + off + m))
            break;
        off += m;
    }
    t->in_len = off;
    if (off == n) {                  /* nothing to rewrite: copy the input */
        t->out = NULL;
        t->out_len = n;
        t->width = w;
        return;
    }
    size_t len = n;
    memcpy(t->buf, s, n);
    if (keycap) {
        memcpy(t->buf + len, "\u20e3", 3);
        len += 3;
    }
    t->width = w;
    /* the characters with an emoji form: symbols, pictographs, keycaps */
    if (vs16 && w == 1 && (base >= 0x2000 || keycap || base == 0xa9 || base == 0xae)) {
        t->buf[len++] = ' ';
        t->width = 2;
    }
    t->buf[len] = '\0';
    t->out = t->buf;
    t->out_len = len;
}

/* Reads the next token of s (which must not be at its NUL): what may be
 * shown is decided by textsafe_next (one rule for screen, CLI and log); how
 * wide it is, by wcwidth and emoji_tok. */
static void next_tok(const char *s, Tok *t)
{
    const char *ph;
    uint32_t cp;
    size_t n = textsafe_next(s, draw_is_ascii() ? TEXTSAFE_ASCII : 0, &ph, &cp);
    if (ph) {
        tok_placeholder(t, ph, n);
        return;
    }
    int w = cp < 0x80 ? 1 : wcwidth((wchar_t)cp);
    if (cp == VS15 || cp == VS16 ||  /* a selector after nothing it could change */
        (cp == ZWJ && pictograph_next(s + n))) {  /* a joiner emoji_tok did not take */
        t->in_len = n;
        t->out = "";
        t->out_len = 0;
        t->width = 0;
        return;
    }
    if (w > 0 && !draw_is_ascii()) {
        emoji_tok(s, n, cp, w, t);
        return;
    }
    t->in_len = n;
    t->out = NULL;
    t->out_len = n;
    t->width = w;
}

int text_width(const char *s)
{
    int w = 0;
    Tok t;
    for (; s && *s; s += t.in_len) {
        next_tok(s, &t);
        w += t.width;
    }
    return w;
}

char *text_sanitize(const char *s)
{
    Buf b = {0};
    Tok t;
    buf_puts(&b, "");
    for (; s && *s; s += t.in_len) {
        next_tok(s, &t);
        buf_append(&b, t.out ? t.out : s, t.out_len);
    }
    return buf_steal(&b);
}

/* Byte length of the longest prefix of s no wider than maxw; *w gets its width. */
static size_t prefix_fit(const char *s, int maxw, int *w)
{
    size_t off = 0;
    int used = 0;
    Tok t;
    while (s[off]) {
        next_tok(s + off, &t);
        if (used + t.width > maxw)
            break;
        used += t.width;
        off += t.in_len;
    }
    /* keep combining marks that follow the last character kept */
    while (s[off]) {
        next_tok(s + off, &t);
        if (t.width != 0 || t.out)
            break;
        off += t.in_len;
    }
    *w = used;
    return off;
}

char *text_fit(const char *s, int maxw)
{
    if (!s || maxw <= 0)
        return xstrdup("");
    if (text_width(s) <= maxw)
        return xstrdup(s);
    const char *ell = draw_is_ascii() ? "~" : "\u2026";
    int w;
    size_t n = prefix_fit(s, maxw - 1, &w);
    return xasprintf("%.*s%s", (int)n, s, ell);
}

/* Appends one wrapped paragraph (no newlines) of sanitized text to v. */
static void wrap_para(const char *p, int width, char ***v, int *n, int *cap)
{
    do {
        int w;
        size_t len = prefix_fit(p, width, &w);
        if (p[len]) {
            /* break at the last space inside the cut, if there is one */
            size_t sp = len;
            while (sp > 0 && p[sp] != ' ')
                sp--;
            if (sp > 0)
                len = sp;
            if (len == 0) {           /* a character wider than the width */
                Tok t;
                next_tok(p, &t);
                len = t.in_len;
            }
        }
        if (*n + 2 > *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *v = xrealloc(*v, (size_t)*cap * sizeof **v);
        }
        (*v)[(*n)++] = xstrndup(p, len);
        p += len;
        while (*p == ' ')
            p++;
    } while (*p);
}

int text_wrap(const char *s, int width, char ***lines)
{
    char **v = NULL;
    int n = 0, cap = 0;
    if (width < 1)
        width = 1;
    const char *line = s ? s : "";
    for (;;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len && line[len - 1] == '\r')
            len--;
        char *raw = xstrndup(line, len);
        char *clean = text_sanitize(raw);
        wrap_para(clean, width, &v, &n, &cap);
        free(clean);
        free(raw);
        if (!nl)
            break;
        line = nl + 1;
    }
    v[n] = NULL;
    *lines = v;
    return n;
}

void text_lines_free(char **lines)
{
    for (int i = 0; lines && lines[i]; i++)
        free(lines[i]);
    free(lines);
}

int draw_text(WINDOW *w, int y, int x, int maxw, Role r, const char *s)
{
    if (!w || !s || y < 0 || x < 0 || y >= getmaxy(w) || x >= getmaxx(w))
        return 0;
    if (maxw > getmaxx(w) - x)
        maxw = getmaxx(w) - x;
    if (maxw <= 0)
        return 0;
    char *clean = text_sanitize(s);
    char *fit = text_fit(clean, maxw);
    /* a leading combining mark would attach to the cell before x */
    const char *start = fit;
    Tok t;
    while (*start) {
        next_tok(start, &t);
        if (t.width != 0)
            break;
        start += t.in_len;
    }
    int used = text_width(start);
    wattrset(w, draw_role(r));
    mvwaddnstr(w, y, x, start, -1);
    wattrset(w, A_NORMAL);
    free(fit);
    free(clean);
    return used;
}

int draw_text_right(WINDOW *w, int y, int xend, int maxw, Role r, const char *s)
{
    if (!w || !s)
        return 0;
    if (maxw > xend)
        maxw = xend;
    char *clean = text_sanitize(s);
    char *fit = text_fit(clean, maxw);
    int tw = text_width(fit);
    int used = draw_text(w, y, xend - tw, tw, r, fit);
    free(fit);
    free(clean);
    return used;
}

void draw_fill(WINDOW *w, int y, int x, int width, Role r)
{
    if (!w || y < 0 || x < 0 || y >= getmaxy(w))
        return;
    if (width > getmaxx(w) - x)
        width = getmaxx(w) - x;
    if (width <= 0)
        return;
    wattrset(w, draw_role(r));
    mvwhline(w, y, x, ' ', width);
    wattrset(w, A_NORMAL);
}
