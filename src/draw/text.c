/* text.c — text as the terminal will show it: display width with wcwidth,
 * sanitizing (no byte from data may move the cursor, set a title or switch
 * screens), fitting to a width, wrapping, and drawing clipped text. Every
 * string a widget draws passes through text_sanitize on its way to ncurses,
 * which is the last step of the data path for text. */
#include "draw.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "../util.h"

/* One unit of sanitized output: either a printable code point or a
 * placeholder standing in for control bytes or invalid input. */
typedef struct Tok {
    size_t in_len;      /* bytes consumed from the input */
    const char *out;    /* placeholder text, or NULL: copy the input bytes */
    size_t out_len;     /* bytes of output */
    int width;          /* columns */
} Tok;

/* Control pictures U+2400..U+241F as UTF-8, indexed by the C0 byte. */
static const char *const c0_pictures[32] = {
    "\u2400", "\u2401", "\u2402", "\u2403", "\u2404", "\u2405", "\u2406", "\u2407",
    "\u2408", "\u2409", "\u240a", "\u240b", "\u240c", "\u240d", "\u240e", "\u240f",
    "\u2410", "\u2411", "\u2412", "\u2413", "\u2414", "\u2415", "\u2416", "\u2417",
    "\u2418", "\u2419", "\u241a", "\u241b", "\u241c", "\u241d", "\u241e", "\u241f",
};
/* Caret notation for ascii mode. */
static const char *const c0_carets[32] = {
    "^@", "^A", "^B", "^C", "^D", "^E", "^F", "^G", "^H", "^I", "^J", "^K", "^L", "^M",
    "^N", "^O", "^P", "^Q", "^R", "^S", "^T", "^U", "^V", "^W", "^X", "^Y", "^Z", "^[",
    "^\\", "^]", "^^", "^_",
};

static void tok_placeholder(Tok *t, const char *ph, size_t in_len)
{
    t->in_len = in_len;
    t->out = ph;
    t->out_len = strlen(ph);
    t->width = draw_is_ascii() ? (int)t->out_len : 1;
}

/* Decodes one UTF-8 sequence; returns its length, or 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    uint32_t c = s[0];
    size_t n;
    uint32_t min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xe0) == 0xc0) {
        n = 2, c &= 0x1f, min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        n = 3, c &= 0x0f, min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        n = 4, c &= 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3f);
    }
    if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return n;
}

/* Length of a CSI sequence "ESC [ params intermediates final" starting at s,
 * or 0 when s is not one (bounded so garbage cannot make it run long). */
static size_t csi_len(const unsigned char *s)
{
    if (s[0] != 0x1b || s[1] != '[')
        return 0;
    size_t i = 2;
    while (i < 64 && s[i] >= 0x30 && s[i] <= 0x3f)
        i++;
    while (i < 64 && s[i] >= 0x20 && s[i] <= 0x2f)
        i++;
    return (s[i] >= 0x40 && s[i] <= 0x7e) ? i + 1 : 0;
}

static int is_bidi_control(uint32_t cp)
{
    return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Reads the next token of s (which must not be at its NUL). */
static void next_tok(const char *s, Tok *t)
{
    const unsigned char *u = (const unsigned char *)s;
    int ascii = draw_is_ascii();
    if (u[0] == '\t') {
        tok_placeholder(t, " ", 1);
        return;
    }
    if (u[0] == 0x1b) {
        size_t n = csi_len(u);
        tok_placeholder(t, ascii ? "^[" : c0_pictures[0x1b], n ? n : 1);
        return;
    }
    if (u[0] < 0x20) {
        tok_placeholder(t, ascii ? c0_carets[u[0]] : c0_pictures[u[0]], 1);
        return;
    }
    if (u[0] == 0x7f) {
        tok_placeholder(t, ascii ? "^?" : "\u2421", 1);
        return;
    }
    uint32_t cp;
    size_t n = utf8_decode(u, &cp);
    if (n == 0) {
        tok_placeholder(t, "?", 1);
        return;
    }
    if (cp >= 0x80 && cp <= 0x9f) {            /* C1 controls (0x9b is CSI) */
        tok_placeholder(t, ascii ? "^[" : c0_pictures[0x1b], n);
        return;
    }
    int w = cp < 0x80 ? 1 : wcwidth((wchar_t)cp);
    if (w < 0 || is_bidi_control(cp)) {
        tok_placeholder(t, "?", n);
        return;
    }
    if (ascii && cp >= 0x80) {
        /* no Unicode in ascii mode: combining marks vanish, the rest is '?' */
        tok_placeholder(t, w == 0 ? "" : "?", n);
        t->width = w == 0 ? 0 : 1;
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
