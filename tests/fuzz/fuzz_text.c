/* fuzz_text.c — text sanitizing and width (src/textsafe.c, src/draw/text.c;
 * no curses screen needed, only a UTF-8 locale): the input's first byte
 * chooses a width (and ascii mode), the rest is the text. Checked: no
 * cleaned text holds a C0/C1 control, DEL or a bidi control (U+061C,
 * U+200E/F, U+202A-E, U+2066-9); sanitizing twice changes nothing; a text's
 * width is its sanitized text's; text_fit and text_wrap stay within the width. */
#include <locale.h>
#include "fuzz.h"
#include "src/textsafe.h"
#include "src/draw/draw.h"

static void check_clean(const char *what, const char *in, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *bad = NULL;
        if (*p < 0x20 || *p == 0x7f)
            bad = "a C0 control or DEL";
        else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            bad = "a C1 control";
        else if (p[0] == 0xd8 && p[1] == 0x9c)
            bad = "U+061C (ALM)";
        else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0x8e || p[2] == 0x8f || (p[2] >= 0xaa && p[2] <= 0xae)))
            bad = "a bidi mark or override";
        else if (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9)
            bad = "a bidi isolate";
        if (bad) {
            fprintf(stderr, "%s let %s through at byte %zu of '%s' (input '%s')\n", what, bad,
                    (size_t)(p - (const unsigned char *)s), s, in);
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        setlocale(LC_ALL, "C.UTF-8");
        init = 1;
    }
    if (size < 1)
        return 0;
    int width = data[0] & 0x7f;
    int ascii = data[0] >> 7;
    char *s = fz_str(data + 1, size - 1);
    draw_set_ascii(ascii);

    static const int flags[] = {0, TEXTSAFE_CARETS, TEXTSAFE_ASCII};
    for (size_t i = 0; i < 3; i++) {
        char *c = textsafe_clean(s, flags[i]);
        check_clean("textsafe_clean", s, c);
        free(c);
    }
    const char *ph;
    uint32_t cp;
    for (const char *p = s; *p;) {
        size_t n = textsafe_next(p, 0, &ph, &cp);
        if (n == 0 || n > strlen(p))
            abort();
        p += n;
    }

    char *clean = text_sanitize(s);
    check_clean("text_sanitize", s, clean);
    char *twice = text_sanitize(clean);
    if (strcmp(clean, twice) != 0) {
        fprintf(stderr, "text_sanitize is not stable: '%s' -> '%s' -> '%s'\n", s, clean, twice);
        abort();
    }
    free(twice);
    if (text_width(s) != text_width(clean)) {
        fprintf(stderr, "width %d of '%s' but %d of its sanitized '%s'\n", text_width(s), s,
                text_width(clean), clean);
        abort();
    }
    char *fit = text_fit(clean, width);
    if (text_width(fit) > width) {
        fprintf(stderr, "text_fit('%s', %d) = '%s' is %d wide\n", clean, width, fit, text_width(fit));
        abort();
    }
    free(fit);
    char **lines = NULL;
    int n = text_wrap(s, width, &lines);
    for (int i = 0; i < n; i++) {
        check_clean("text_wrap", s, lines[i]);
        int w = text_width(lines[i]);
        if (w > (width < 1 ? 1 : width) && w > 2) {
            fprintf(stderr, "text_wrap('%s', %d) line '%s' is %d wide\n", s, width, lines[i], w);
            abort();
        }
    }
    text_lines_free(lines);
    free(clean);
    free(s);
    return 0;
}
