/* test_text.c — the drawing kit's text rules: display width (CJK, emoji,
 * combining marks), sanitizing of control bytes and escape sequences from
 * data, fitting, wrapping, drawing clipped into a curses window, and the
 * number formats. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "draw/draw.h"
#include "thelp.h"

static void check_width(void)
{
    CHECK_INT(text_width(""), 0);
    CHECK_INT(text_width("abc"), 3);
    CHECK_INT(text_width("日本語"), 6);               /* CJK: 2 columns each */
    CHECK_INT(text_width("a🔴b"), 4);                 /* emoji: 2 */
    CHECK_INT(text_width("e\xcc\x81"), 1);           /* e + combining acute */
    CHECK_INT(text_width("caf\xc3\xa9"), 4);         /* precomposed é */
    CHECK_INT(text_width("a\tb"), 3);                /* tab shown as one space */
    CHECK_INT(text_width("\x1b[2J"), 1);             /* a CSI is one placeholder */
    CHECK_INT(text_width("\xff"), 1);                /* invalid byte: "?" */
    CHECK_INT(text_width(NULL), 0);
}

/* Emoji as terminals draw them. A character that is narrow by itself but
 * asks for emoji presentation with U+FE0F (🖼️ = U+1F5BC U+FE0F) takes two
 * columns in terminals that honour the selector and one in those that do
 * not, while curses always counts one: so the selector never reaches the
 * terminal, and a space after the character keeps the two columns the user
 * expects. Joiners and skin tones that some terminals fuse and others do not
 * are dropped the same way, so every terminal and curses agree. */
static void check_emoji(void)
{
    CHECK_INT(text_width("\U0001F5BC\uFE0F"), 2);         /* 🖼️ */
    char *s = text_sanitize("a\U0001F5BC\uFE0F" "b");
    CHECK_STR(s, "a\U0001F5BC b");                       /* no selector, a space */
    CHECK_INT(text_width(s), 4);
    free(s);
    CHECK_INT(text_width("\u26A0\uFE0F ok"), 5);          /* ⚠️ */
    CHECK_INT(text_width("\u2764\uFE0F"), 2);             /* ❤️ */
    CHECK_INT(text_width("\U0001F600\uFE0F"), 2);         /* 😀 is wide already */
    s = text_sanitize("\U0001F600\uFE0F");
    CHECK_STR(s, "\U0001F600");
    free(s);
    s = text_sanitize("\u2122\uFE0E");                    /* text presentation: dropped */
    CHECK_STR(s, "\u2122");
    free(s);
    CHECK_INT(text_width("1\uFE0F\u20E3"), 2);            /* keycap 1️⃣ */
    s = text_sanitize("1\uFE0F\u20E3");
    CHECK(!strstr(s, "\uFE0F"));
    free(s);
    s = text_sanitize("\U0001F469\u200D\U0001F4BB");     /* 👩‍💻: two emoji, no joiner */
    CHECK_STR(s, "\U0001F469\U0001F4BB");
    CHECK_INT(text_width(s), 4);
    free(s);
    s = text_sanitize("\U0001F44D\U0001F3FD");           /* 👍🏽: the tone goes */
    CHECK_STR(s, "\U0001F44D");
    free(s);
    s = text_sanitize("x\uFE0F");               /* no emoji form: the selector just goes */
    CHECK_STR(s, "x");
    free(s);
    s = text_sanitize("\uFE0F");
    CHECK_STR(s, "");
    free(s);
    /* what draw_text does: sanitize, then fit */
    char *clean = text_sanitize("\U0001F5BC\uFE0F\U0001F5BC\uFE0F\U0001F5BC\uFE0F");
    CHECK_INT(text_width(clean), 6);
    s = text_fit(clean, 5);
    CHECK_INT(text_width(s), 5);
    CHECK(!strstr(s, "\uFE0F"));
    free(s);
    free(clean);
    /* ascii mode is unchanged: one '?' */
    draw_set_ascii(1);
    s = text_sanitize("\U0001F5BC\uFE0F");
    CHECK_STR(s, "?");
    free(s);
    draw_set_ascii(0);
}

/* No control code point (C0, DEL, C1), ESC or invalid UTF-8 may survive. */
static int has_controls(const char *s)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t len = strlen(s);
    while (len > 0) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, s, len, &st);
        if (n == (size_t)-1 || n == (size_t)-2 || n == 0)
            return 1;
        if (wc < 0x20 || (wc >= 0x7f && wc <= 0x9f))
            return 1;
        s += n;
        len -= n;
    }
    return 0;
}

static void check_sanitize(void)
{
    const char *evil[] = {
        "title \x1b]0;owned\x07 after",
        "clear \x1b[2J screen",
        "alt \x1b[?1049l off",
        "c1 raw \x9b" "31m red",
        "c1 utf8 \xc2\x9b" "31m red",
        "bad utf8 \xc3\x28 \xe2\x82 \xf0\x28\x8c\xbc \xed\xa0\x80",
        "bell\x07 bs\x08 del\x7f nul-free cr\r lf\n end",
        "\x1b", "\x1b[", "\x1b[999999999999999999999999999999999999999999999999999999999999999999999",
    };
    for (size_t i = 0; i < sizeof evil / sizeof *evil; i++) {
        char *s = text_sanitize(evil[i]);
        CHECK(!has_controls(s));
        CHECK_INT(text_width(s), text_width(evil[i]));
        char *again = text_sanitize(s);        /* sanitizing twice changes nothing */
        CHECK_STR(again, s);
        free(again);
        free(s);
    }
    char *s = text_sanitize("title \x1b]0;owned\x07 after");
    CHECK_STR(s, "title \u241b]0;owned\u2407 after");
    free(s);
    s = text_sanitize("clear \x1b[2J screen \x1b[?1049l!");
    CHECK_STR(s, "clear \u241b screen \u241b!");
    free(s);
    s = text_sanitize("raw \x9b" "2J");
    CHECK_STR(s, "raw ?2J");
    free(s);
    s = text_sanitize("c1 \xc2\x9b" "2J");
    CHECK_STR(s, "c1 \u241b2J");
    free(s);
    s = text_sanitize("a\xc3\x28z");
    CHECK_STR(s, "a?(z");
    free(s);
    s = text_sanitize("over\xc0\xaflong");   /* overlong "/" */
    CHECK_STR(s, "over??long");
    free(s);
    s = text_sanitize("bidi \u202eevil");
    CHECK_STR(s, "bidi ?evil");
    free(s);
    s = text_sanitize("tab\there");
    CHECK_STR(s, "tab here");
    free(s);
    s = text_sanitize("ok 日本 🔴 é");
    CHECK_STR(s, "ok 日本 🔴 é");
    free(s);

    draw_set_ascii(1);
    s = text_sanitize("t \x1b]0;x\x07 \x7f 日 \xff");
    CHECK_STR(s, "t ^[]0;x^G ^? ? ?");
    CHECK_INT(text_width("\x1b"), 2);
    free(s);
    s = text_fit("abcdef", 4);
    CHECK_STR(s, "abc~");
    free(s);
    draw_set_ascii(0);
}

static void check_fit(void)
{
    char *s = text_fit("hello", 10);
    CHECK_STR(s, "hello");
    free(s);
    s = text_fit("hello world", 8);
    CHECK_STR(s, "hello w\u2026");
    CHECK_INT(text_width(s), 8);
    free(s);
    s = text_fit("日本語テキスト", 7);               /* 3 wide chars + ellipsis */
    CHECK_STR(s, "日本語\u2026");
    CHECK_INT(text_width(s), 7);
    free(s);
    s = text_fit("日本語テキスト", 6);               /* never splits a wide char */
    CHECK(text_width(s) <= 6);
    free(s);
    s = text_fit("🔴🔴🔴", 4);
    CHECK(text_width(s) <= 4);
    free(s);
    s = text_fit("e\xcc\x81" "e\xcc\x81" "eee", 3);  /* combining marks stay with their base */
    CHECK_STR(s, "e\xcc\x81" "e\xcc\x81" "\u2026");
    free(s);
    s = text_fit("abc", 0);
    CHECK_STR(s, "");
    free(s);
    for (int w = 1; w < 20; w++) {
        s = text_fit("mixed 日本 text 🔴 and more e\xcc\x81 words", w);
        CHECK(text_width(s) <= w);
        free(s);
    }
}

static void check_wrap(void)
{
    char **lines;
    int n = text_wrap("the quick brown fox jumps", 10, &lines);
    CHECK_INT(n, 3);
    CHECK_STR(lines[0], "the quick");
    CHECK_STR(lines[1], "brown fox");
    CHECK_STR(lines[2], "jumps");
    CHECK(lines[3] == NULL);
    text_lines_free(lines);
    n = text_wrap("line one\nline two\r\n\x1b[2Jx", 40, &lines);
    CHECK_INT(n, 3);
    CHECK_STR(lines[1], "line two");
    CHECK_STR(lines[2], "\u241bx");
    text_lines_free(lines);
    n = text_wrap("abcdefghijkl", 5, &lines);
    CHECK_INT(n, 3);
    CHECK_STR(lines[2], "kl");
    text_lines_free(lines);
    n = text_wrap("日本語", 1, &lines);        /* wider than the width: one per line */
    CHECK_INT(n, 3);
    text_lines_free(lines);
    n = text_wrap("", 10, &lines);
    CHECK_INT(n, 1);
    CHECK_STR(lines[0], "");
    text_lines_free(lines);
}

/* Draws into a real curses window and reads the cells back. */
static void check_draw(void)
{
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    const char *term = getenv("MC_TEST_TERM") ? getenv("MC_TEST_TERM") : "xterm-256color";
    SCREEN *scr = newterm(term, out, in);
    if (!scr) {
        char why[160];
        snprintf(why, sizeof why, "no %s terminfo: draw checks not run", term);
        t_skip(why);              /* reported as a skip, never as a pass */
        fclose(out);
        fclose(in);
        return;
    }
    draw_init("256", 0);
    WINDOW *w = newwin(3, 12, 0, 0);
    int used = draw_text(w, 0, 2, 5, ROLE_NORMAL, "日本語テキスト");
    CHECK(used <= 5);
    /* nothing was written past column 2+5 */
    for (int x = 7; x < 12; x++)
        CHECK_INT(mvwinch(w, 0, x) & A_CHARTEXT, ' ');
    used = draw_text(w, 1, 0, 100, ROLE_NORMAL, "a\x1b]0;owned\x07" "bcdefghijklmnop");
    CHECK_INT(used, 12);                    /* clipped to the window */
    CHECK_INT(mvwinch(w, 1, 0) & A_CHARTEXT, 'a');
    cchar_t cc;
    wchar_t wc[CCHARW_MAX + 1];
    attr_t a;
    short pair;
    mvwin_wch(w, 1, 1, &cc);
    getcchar(&cc, wc, &a, &pair, NULL);
    CHECK_INT(wc[0], 0x241b);               /* the escape is a visible placeholder */
    used = draw_text_right(w, 2, 12, 12, ROLE_DIM, "42s");
    CHECK_INT(used, 3);
    CHECK_INT(mvwinch(w, 2, 11) & A_CHARTEXT, 's');
    delwin(w);
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
}

static void check_formats(void)
{
    char b[32];
    fmt_money_short(950, b, sizeof b);
    CHECK_STR(b, "$950");
    fmt_money_short(12345, b, sizeof b);
    CHECK_STR(b, "$12.3k");
    fmt_money_short(1234567, b, sizeof b);
    CHECK_STR(b, "$1.23M");
    fmt_money_short(-2500, b, sizeof b);
    CHECK_STR(b, "-$2.50k");
    fmt_money_short(999999, b, sizeof b);
    CHECK_STR(b, "$1.00M");
    fmt_money(12345.678, b, sizeof b);
    CHECK_STR(b, "$12,345.68");
    fmt_money(0, b, sizeof b);
    CHECK_STR(b, "$0.00");
    fmt_money(-1234567.5, b, sizeof b);
    CHECK_STR(b, "-$1,234,567.50");
    fmt_count(950, b, sizeof b);
    CHECK_STR(b, "950");
    fmt_count(12000, b, sizeof b);
    CHECK_STR(b, "12k");
    fmt_count(1200000, b, sizeof b);
    CHECK_STR(b, "1.2M");
    fmt_count(999999, b, sizeof b);
    CHECK_STR(b, "1.0M");
}

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8"))
        setlocale(LC_ALL, "");
    RUN(check_width);
    RUN(check_emoji);
    RUN(check_sanitize);
    RUN(check_fit);
    RUN(check_wrap);
    RUN(check_draw);
    RUN(check_formats);
    return t_done();
}
