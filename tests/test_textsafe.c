/* test_textsafe.c — the one sanitizer shared by the screen, the CLI and the
 * log: no control byte, escape sequence, C1 control or bidi override from
 * data survives, in picture, caret and ASCII form; printable UTF-8 stays. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include "textsafe.h"
#include "thelp.h"

/* 1 when s holds a byte a terminal would act on (C0, DEL, the UTF-8 of C1
 * controls and of bidi overrides/isolates). */
static int has_unsafe(const char *s)
{
    for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
        if (*u < 0x20 || *u == 0x7f)
            return 1;
        if (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f)
            return 1;
        if (u[0] == 0xe2 && u[1] == 0x80 && u[2] >= 0xaa && u[2] <= 0xae)
            return 1;
        if (u[0] == 0xe2 && u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9)
            return 1;
    }
    return 0;
}

static const char *const nasty[] = {
    "clear \x1b[2J screen",
    "title \x1b]0;owned\x07 after",
    "title2 \x1b]2;owned\x1b\\ st",
    "cr \roverwrite",
    "bell \x07 nl \n next",
    "c1 csi \xc2\x9b" "31m red",
    "raw c1 \x9b" "31m",
    "bidi \u202e" "gnp.exe \u2066iso\u2069",
    "del \x7f tab\there",
    NULL,
};

static void check_no_controls_survive(void)
{
    static const int flags[] = {0, TEXTSAFE_CARETS, TEXTSAFE_ASCII};
    for (int f = 0; f < 3; f++)
        for (int i = 0; nasty[i]; i++) {
            char *s = textsafe_clean(nasty[i], flags[f]);
            t_checks++;
            if (has_unsafe(s)) {
                t_failures++;
                fprintf(stderr, "flags %d: unsafe bytes survive in \"%s\"\n", flags[f], s);
            }
            free(s);
        }
}

static void check_forms(void)
{
    char *s = textsafe_clean("a\x1b[2Jb\x07" "c\rd\ne", 0);
    CHECK_STR(s, "a\u241bb\u2407c\u240dd\u240ae");       /* a whole CSI is one picture */
    free(s);
    s = textsafe_clean("a\x1b[2Jb\x07" "c\rd\ne\x7f", TEXTSAFE_CARETS);
    CHECK_STR(s, "a^[b^Gc^Md^Je^?");
    free(s);
    s = textsafe_clean("caf\xc3\xa9 \xe6\x97\xa5 \u202eX", TEXTSAFE_CARETS);
    CHECK_STR(s, "caf\xc3\xa9 \xe6\x97\xa5 ?X");          /* printable UTF-8 stays */
    free(s);
    s = textsafe_clean("caf\xc3\xa9 \xe6\x97\xa5", TEXTSAFE_ASCII);
    CHECK_STR(s, "caf? ?");
    free(s);
    s = textsafe_clean("bad \xff\xfe tab\t.", 0);
    CHECK_STR(s, "bad ?? tab .");
    free(s);
    s = textsafe_clean(NULL, 0);
    CHECK_STR(s, "");
    free(s);
}

static void check_next(void)
{
    const char *ph;
    uint32_t cp;
    CHECK_INT(textsafe_next("\x1b[38;5;196mX", 0, &ph, &cp), 11);
    CHECK(ph != NULL);
    CHECK_INT(textsafe_next("\xe6\x97\xa5", 0, &ph, &cp), 3);
    CHECK(ph == NULL);
    CHECK_INT(cp, 0x65e5);
    CHECK_INT(textsafe_next("\xc2\x9b", TEXTSAFE_CARETS, &ph, &cp), 2);
    CHECK_STR(ph, "^[");
}

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8"))
        setlocale(LC_ALL, "");
    RUN(check_no_controls_survive);
    RUN(check_forms);
    RUN(check_next);
    return t_done();
}
