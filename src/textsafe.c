/* textsafe.c — untrusted text made safe to show: control bytes, escape
 * sequences, invalid UTF-8, bidi overrides and unprintable code points become
 * visible placeholders. The screen (draw/text.c), the CLI and the log all use
 * these functions, so there is one rule for what may reach a terminal. */
#include "textsafe.h"

#include <langinfo.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>
#include "util.h"

/* Control pictures U+2400..U+241F as UTF-8, indexed by the C0 byte. */
static const char *const c0_pictures[32] = {
    "\u2400", "\u2401", "\u2402", "\u2403", "\u2404", "\u2405", "\u2406", "\u2407",
    "\u2408", "\u2409", "\u240a", "\u240b", "\u240c", "\u240d", "\u240e", "\u240f",
    "\u2410", "\u2411", "\u2412", "\u2413", "\u2414", "\u2415", "\u2416", "\u2417",
    "\u2418", "\u2419", "\u241a", "\u241b", "\u241c", "\u241d", "\u241e", "\u241f",
};
/* Caret notation. */
static const char *const c0_carets[32] = {
    "^@", "^A", "^B", "^C", "^D", "^E", "^F", "^G", "^H", "^I", "^J", "^K", "^L", "^M",
    "^N", "^O", "^P", "^Q", "^R", "^S", "^T", "^U", "^V", "^W", "^X", "^Y", "^Z", "^[",
    "^\\", "^]", "^^", "^_",
};

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

/* Embeddings, overrides and isolates (LRE..RLO, LRI..PDI) and the marks
 * LRM, RLM, ALM: they reorder or disguise what a line says. */
static int is_bidi_control(uint32_t cp)
{
    return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
           cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

size_t textsafe_next(const char *s, int flags, const char **ph, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    int carets = (flags & TEXTSAFE_CARETS) != 0;
    *cp = 0;
    if (u[0] == '\t') {
        *ph = " ";
        return 1;
    }
    if (u[0] == 0x1b) {
        size_t n = csi_len(u);
        *ph = carets ? "^[" : c0_pictures[0x1b];
        return n ? n : 1;
    }
    if (u[0] < 0x20) {
        *ph = carets ? c0_carets[u[0]] : c0_pictures[u[0]];
        return 1;
    }
    if (u[0] == 0x7f) {
        *ph = carets ? "^?" : "\u2421";
        return 1;
    }
    size_t n = utf8_decode(u, cp);
    if (n == 0) {
        *ph = "?";
        return 1;
    }
    if (*cp >= 0x80 && *cp <= 0x9f) {            /* C1 controls (0x9b is CSI) */
        *ph = carets ? "^[" : c0_pictures[0x1b];
        return n;
    }
    int w = *cp < 0x80 ? 1 : wcwidth((wchar_t)*cp);
    if (w < 0 || is_bidi_control(*cp)) {
        *ph = "?";
        return n;
    }
    if (flags == TEXTSAFE_ASCII && *cp >= 0x80) {
        /* no Unicode: combining marks vanish, the rest is '?' */
        *ph = w == 0 ? "" : "?";
        return n;
    }
    *ph = NULL;
    return n;
}

char *textsafe_clean(const char *s, int flags)
{
    Buf b = {0};
    buf_puts(&b, "");
    const char *ph;
    uint32_t cp;
    for (size_t n; s && *s; s += n) {
        n = textsafe_next(s, flags, &ph, &cp);
        if (ph)
            buf_puts(&b, ph);
        else
            buf_append(&b, s, n);
    }
    return buf_steal(&b);
}

int textsafe_flags_terminal(int ascii)
{
    const char *cs = nl_langinfo(CODESET);
    int utf8 = cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
    return utf8 && !ascii ? 0 : TEXTSAFE_ASCII;
}
