/* test_intent.c — what `y` puts on the clipboard (issue 8 item 10): text
 * from data goes through copy_clean, so no escape sequence, control, DEL,
 * bidi mark or invalid byte is copied; newlines become one space unless the
 * detail view's full text was asked for. */
#include "thelp.h"

#include <stdlib.h>
#include <string.h>
#include "../src/ui/ui_internal.h"

static void check_clean(const char *in, int full, const char *want)
{
    char *out = copy_clean(in, full);
    CHECK_STR(out, want);
    free(out);
}

static void test_row_copy(void)
{
    check_clean("plain text", 0, "plain text");
    check_clean("\033[31mred\033[0m", 0, "red");
    check_clean("a\033]52;c;QUFB\007b", 0, "ab");                  /* OSC to BEL */
    check_clean("a\033]0;title\033\\b", 0, "ab");                  /* OSC to ST */
    check_clean("x\033Py\033\\z", 0, "xz");                          /* DCS */
    check_clean("bell\007 del\177 nul\001", 0, "bell del nul");
    check_clean("c1\xc2\x9b" "31m", 0, "c131m");                     /* 8-bit CSI dropped */
    check_clean("left\xe2\x80\xaeright\xe2\x81\xa6x\xe2\x81\xa9\xe2\x80\x8f", 0, "leftrightx");
    check_clean("line one\nline two\r\n\tthree", 0, "line one line two three");
    check_clean("bad \xff\xfe bytes \xc0\xaf", 0, "bad  bytes ");
    check_clean("caf\xc3\xa9 \xf0\x9f\x96\xbc\xef\xb8\x8f", 0, "caf\xc3\xa9 \xf0\x9f\x96\xbc\xef\xb8\x8f");
    check_clean("\n\nlead", 0, "lead");
}

static void test_full_copy(void)
{
    check_clean("title\nbody \033[1mbold\033[0m\r\nend\xe2\x80\xae", 1, "title\nbody bold\nend");
    check_clean("a\tb", 1, "a b");
}

int main(void)
{
    RUN(test_row_copy);
    RUN(test_full_copy);
    return t_done();
}
