/* test_log.c — mc.log lines: one line per event, and no byte from data that
 * a terminal would act on (escape sequences, CR, BEL, C1, bidi overrides)
 * reaches the file, so `tail -f mc.log` is as safe as the screen. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include "log.h"
#include "thelp.h"
#include "util.h"

static void check_log_sanitized(void)
{
    char *path = xasprintf("%s/mc.log", t_tmpdir());
    CHECK_INT(log_open(path), 0);
    log_error("source x: \x1b[2J\x1b]0;owned\x07 cr\rnl\nc1 \xc2\x9b" "31m bidi \u202eevil caf\xc3\xa9");
    log_close();
    char *text = NULL;
    size_t len = 0;
    char *err = NULL;
    CHECK_INT(file_read_all(path, 1 << 20, &text, &len, &err), 0);
    CHECK(text != NULL);
    if (text) {
        CHECK(strchr(text, '\x1b') == NULL);
        CHECK(strchr(text, '\x07') == NULL);
        CHECK(strchr(text, '\r') == NULL);
        CHECK(strstr(text, "\xc2\x9b") == NULL);
        CHECK(strstr(text, "\u202e") == NULL);
        CHECK_CONTAINS(text, "^[");
        CHECK_CONTAINS(text, "caf\xc3\xa9");             /* printable UTF-8 stays */
        char *nl = strchr(text, '\n');
        CHECK(nl && nl[1] == '\0');                      /* exactly one line */
    }
    free(text);
    free(err);
    free(path);
}

int main(void)
{
    if (!setlocale(LC_ALL, "C.UTF-8"))
        setlocale(LC_ALL, "");
    RUN(check_log_sanitized);
    return t_done();
}
