/* fuzz.h — shared by the libFuzzer harnesses in tests/fuzz (one per parser;
 * tests/fuzz/README.md says how they are built and run). Header-only, every
 * function static: a private temp directory removed at exit, the input as a
 * NUL-terminated string, and, for the file-reading source kinds, one source
 * fetched the way the engine does it, over a file holding the input, with the
 * cache emptied before each input so that every run is reproducible alone. */
#ifndef MC_TESTS_FUZZ_H
#define MC_TESTS_FUZZ_H

#include <fcntl.h>
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "src/cache.h"
#include "src/config.h"
#include "src/source.h"
#include "src/util.h"

#define FZ_FN static __attribute__((unused))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fz_dir_buf[256];

static int fz_remove(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void fz_cleanup(void)
{
    if (fz_dir_buf[0] && nftw(fz_dir_buf, fz_remove, 16, FTW_DEPTH | FTW_PHYS) != 0)
        fprintf(stderr, "fuzz: could not remove %s\n", fz_dir_buf);
}

/* A fresh private directory for this process (in /dev/shm when it is there:
 * the cache's writes stay off the disk). */
FZ_FN const char *fz_dir(void)
{
    if (!fz_dir_buf[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
        snprintf(fz_dir_buf, sizeof fz_dir_buf, "%s/mc-fuzz-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(fz_dir_buf)) {
            perror("mkdtemp");
            abort();
        }
        atexit(fz_cleanup);
    }
    return fz_dir_buf;
}

/* The input as a string (a new buffer; an embedded NUL ends it early). */
FZ_FN char *fz_str(const uint8_t *data, size_t size)
{
    return xstrndup((const char *)data, size);
}

/* Writes exactly n bytes to path (create/truncate). */
FZ_FN void fz_write(const char *path, const void *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || (n && write(fd, data, n) != (ssize_t)n)) {
        perror(path);
        abort();
    }
    close(fd);
}

/* One configured source over a file of the temp dir. */
typedef struct FzSource {
    Config *cfg;
    Cache *cache;
    const SourceConfig *sc;
    void *rt;
    char *file;                /* where the input is written */
    char *wipe;                /* DELETE FROM every table */
} FzSource;

/* Loads yaml (the config, whose first source is fetched), opens a cache in
 * the temp dir. The input will be written to `file`. Aborts on failure: a
 * harness that cannot start is a bug of the harness. */
FZ_FN void fz_source_open(FzSource *s, const char *yaml, const char *file)
{
    char *err = NULL;
    memset(s, 0, sizeof *s);
    if (config_load_text("fuzz.yaml", yaml, &s->cfg, &err) != 0) {
        fprintf(stderr, "fuzz config: %s\n", err);
        abort();
    }
    char *db = xasprintf("%s/cache.db", fz_dir());
    if (cache_open(db, &s->cache, NULL, &err) != 0) {
        fprintf(stderr, "fuzz cache: %s\n", err);
        abort();
    }
    free(db);
    s->sc = &s->cfg->sources[0];
    if (s->sc->cls->open)
        s->rt = s->sc->cls->open(s->sc);
    s->file = xstrdup(file);
    Buf b = {0};
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(cache_db(s->cache), "SELECT name FROM sqlite_master WHERE type = 'table'"
                           " AND name NOT LIKE 'sqlite_%'", -1, &st, NULL) != SQLITE_OK)
        abort();
    while (sqlite3_step(st) == SQLITE_ROW)
        buf_printf(&b, "DELETE FROM \"%s\";", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    s->wipe = buf_steal(&b);
}

/* Writes the input to the source's file, empties the cache and fetches once. */
FZ_FN int fz_source_fetch(FzSource *s, const uint8_t *data, size_t size)
{
    fz_write(s->file, data, size);
    if (sqlite3_exec(cache_db(s->cache), s->wipe, NULL, NULL, NULL) != SQLITE_OK)
        abort();
    SourceState st;
    memset(&st, 0, sizeof st);
    if (cache_state_get(s->cache, s->sc->id, &st, NULL) != 0)
        abort();
    FetchCtx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.cache = s->cache;
    ctx.config = s->cfg;
    ctx.src = s->sc;
    ctx.state = &st;
    ctx.now_ms = now_ms();
    ctx.deadline_ms = mono_ms() + 10000;
    int rc = s->sc->cls->fetch(s->rt, &ctx);
    free(ctx.err);
    cache_state_clear(&st);
    return rc;
}

#endif
