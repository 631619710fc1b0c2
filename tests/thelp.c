/* thelp.c — the tally and temp-dir helpers behind thelp.h. */
#include "thelp.h"
#include <stdlib.h>
#include "../src/source.h"
#include "../src/util.h"
#include "../src/net/httphelper.h"
#include <unistd.h>

/* Every test binary is also an HTTP helper (src/net/httphelper.h): with
 * MC_HTTP_HELPER=1 the requests a unit test makes go to /proc/self/exe. */
__attribute__((constructor)) static void t_http_helper(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], HTTP_HELPER_ARG))
        exit(http_helper_main(argc, argv));
}

int t_failures, t_checks;
static int t_skips;
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

TFetch t_fetch(Cache *cache, const Config *cfg, int64_t timeout_ms, int64_t now, int cancel_now)
{
    const SourceConfig *sc = &cfg->sources[0];
    SourceState st;
    memset(&st, 0, sizeof st);
    if (cache_state_get(cache, sc->id, &st, NULL) < 0)
        abort();
    atomic_int cancel = cancel_now;
    FetchCtx ctx = {.cache = cache, .config = cfg, .src = sc, .state = &st,
                    .now_ms = now ? now : now_ms(), .deadline_ms = mono_ms() + timeout_ms,
                    .cancel = &cancel};
    void *self = sc->cls->open ? sc->cls->open(sc) : NULL;
    TFetch r = {0};
    r.rc = sc->cls->fetch(self, &ctx);
    if (sc->cls->close)
        sc->cls->close(self);
    r.err = ctx.err;
    r.retry_after_ms = ctx.retry_after_ms;
    r.not_modified = ctx.not_modified;
    r.rows = ctx.rows;
    r.requests = ctx.requests;
    cache_state_clear(&st);
    return r;
}

const char *t_cell(Cache *cache, const char *table, const char *source, const char *key,
                   const char *col)
{
    static char out[1024];
    char *sql = xasprintf("SELECT %s FROM %s WHERE source = ?1 AND key = ?2", col, table);
    sqlite3_stmt *st;
    const char *res = NULL;
    if (sqlite3_prepare_v2(cache_db(cache), sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
            snprintf(out, sizeof out, "%s", (const char *)sqlite3_column_text(st, 0));
            res = out;
        }
        sqlite3_finalize(st);
    }
    free(sql);
    return res;
}

char *t_config_error(const char *sources_text)
{
    Config *cfg = NULL;
    char *err = NULL;
    char *full = xasprintf("sources:\n%s", sources_text);
    CHECK_INT(config_load_text("t.yaml", full, &cfg, &err), -1);
    free(full);
    config_free(cfg);
    return err;
}

int t_done(void)
{
    if (t_dir[0] && !getenv("MC_KEEP_TMP")) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", t_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", t_dir);
    }
    printf("%d checks, %d failed%s\n", t_checks, t_failures, t_skips ? ", some skipped" : "");
    return t_failures ? 1 : t_skips ? 77 : 0;
}

void t_skip(const char *why)
{
    printf("SKIP: %s: %s\n", t_current, why);
    t_skips++;
}
