/* textsafe.h — the one rule for showing untrusted text. Data (error messages
 * that quote a row, file names agents chose, keys, summaries) may hold bytes
 * that move the cursor, clear the screen, set a window title, ring the bell or
 * reorder a line (bidi overrides). Everything shown to a person goes through
 * here: the screen (draw/text.c measures and clips on top of textsafe_next),
 * every human-readable line the CLI prints, and the log. No curses here. */
#ifndef MC_TEXTSAFE_H
#define MC_TEXTSAFE_H

#include <stddef.h>
#include <stdint.h>

/* Flags. Default: controls become Unicode control pictures ("␛", "␇").
 * TEXTSAFE_CARETS: caret notation instead ("^[", "^G", "^?"), ASCII only.
 * TEXTSAFE_ASCII: carets, and every non-ASCII character becomes "?"
 * (combining marks vanish), for terminals that cannot show UTF-8. */
#define TEXTSAFE_CARETS 1
#define TEXTSAFE_ASCII 3

/* Reads one unit of s (which must not be at its NUL) and returns the bytes it
 * consumed. Either *ph is NULL and *cp is a printable code point to copy as
 * is, or *ph is the placeholder (a static string) to show instead: for a C0
 * or C1 control, DEL, a whole CSI sequence "ESC [ ... final" (one
 * placeholder), an invalid UTF-8 byte, a bidi control or an unprintable code
 * point ("?"). A tab is " ". */
size_t textsafe_next(const char *s, int flags, const char **ph, uint32_t *cp);

/* A copy of s with every unit replaced as textsafe_next says. Newlines are
 * controls too, so the result is always one line. NULL gives "". Returns a
 * new string; caller frees. */
char *textsafe_clean(const char *s, int flags);

/* The flags for text printed on this process's stdout/stderr: control
 * pictures when the locale is UTF-8 and ascii is 0, else TEXTSAFE_ASCII. */
int textsafe_flags_terminal(int ascii);

#endif
