/* thelp.c — the tally and temp-dir helpers behind thelp.h. */
#include "thelp.h"
#include <stdlib.h>
#include <unistd.h>

int t_failures, t_checks;
const char *t_current = "";
static char t_dir[256];

const char *t_tmpdir(void)
{
    if (!t_dir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(t_dir, sizeof t_dir, "%s/mc-test-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(t_dir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return t_dir;
}

const char *t_write(const char *name, const char *text)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", t_tmpdir(), name);
    FILE *f = fopen(p, "wb");
    if (!f) {
        perror(p);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
    return p;
}

int t_done(void)
{
    if (t_dir[0] && !getenv("MC_KEEP_TMP")) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", t_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", t_dir);
    }
    printf("%d checks, %d failed\n", t_checks, t_failures);
    return t_failures ? 1 : 0;
}
