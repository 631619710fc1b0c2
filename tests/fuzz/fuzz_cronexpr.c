/* fuzz_cronexpr.c — cron expressions (src/cronexpr.c): the input is the
 * expression. One that parses is evaluated around a few instants, and the
 * next and previous fire times must lie on the right side of them. */
#include "fuzz.h"
#include "src/cronexpr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fz_str(data, size);
    CronExpr e;
    int pos = -1;
    char *err = NULL;
    if (cron_expr_parse(text, &e, &pos, &err) == 0) {
        static const int64_t at[] = {0, 951782400000LL, 1764547200000LL, 4102444740000LL};
        for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
            int64_t next = cron_expr_next(&e, at[i]), prev = cron_expr_prev(&e, at[i]);
            if ((next != -1 && next <= at[i]) || (prev != -1 && prev >= at[i]) ||
                (next != -1 && next % 60000) || (prev != -1 && prev % 60000)) {
                fprintf(stderr, "'%s' at %lld: next %lld prev %lld\n", text, (long long)at[i],
                        (long long)next, (long long)prev);
                abort();
            }
        }
    } else if (pos < 0 || (size_t)pos > strlen(text)) {
        fprintf(stderr, "'%s': error position %d outside the text (%s)\n", text, pos, err);
        abort();
    }
    free(err);
    free(text);
    return 0;
}
