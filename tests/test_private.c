/* test_private.c — files mc writes that may hold private data are 0600
 * whatever the umask (022 here) and the directory (0755 here): the cache,
 * its -wal and -shm, a cache rebuilt after damage and the damaged copy moved
 * aside, and the log; an older
 * cache or log left 0644 is narrowed when mc opens it. */
#include "thelp.h"

#include <fcntl.h>
#include <glob.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../src/cache.h"
#include "../src/cache_internal.h"
#include "../src/log.h"
#include "../src/util.h"

static int mode_of(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void open_dir(char *dir, size_t n, const char *leaf)
{
    snprintf(dir, n, "%s/%s", t_tmpdir(), leaf);
    CHECK_INT(mkdir(dir, 0755), 0);
    CHECK_INT(chmod(dir, 0755), 0);
}

/* Writes a row so the WAL and its index exist. */
static void touch_rows(Cache *c)
{
    char *err = NULL;
    CHECK_INT(cache_exec(c, "CREATE TABLE IF NOT EXISTS t_private(x); INSERT INTO t_private VALUES (1);", &err), 0);
    free(err);
}

static void check_private(const char *path)
{
    char side[700];
    CHECK_INT(mode_of(path), 0600);
    snprintf(side, sizeof side, "%s-wal", path);
    CHECK_INT(mode_of(side), 0600);
    snprintf(side, sizeof side, "%s-shm", path);
    CHECK_INT(mode_of(side), 0600);
}

static void test_new_cache(void)
{
    char dir[512], path[600];
    open_dir(dir, sizeof dir, "newcache");
    snprintf(path, sizeof path, "%s/cache.db", dir);
    Cache *c = NULL;
    char *err = NULL;
    CHECK_INT(cache_open(path, &c, NULL, &err), 0);
    if (c) {
        touch_rows(c);
        check_private(path);
        cache_close(c);
    }
    free(err);
}

static void test_wide_cache_narrowed(void)
{
    char dir[512], path[600], side[700];
    open_dir(dir, sizeof dir, "widecache");
    snprintf(path, sizeof path, "%s/cache.db", dir);
    Cache *c = NULL;
    char *err = NULL;
    CHECK_INT(cache_open(path, &c, NULL, &err), 0);
    if (c) {
        touch_rows(c);
        chmod(path, 0644);
        for (int i = 0; i < 2; i++) {
            snprintf(side, sizeof side, "%s%s", path, i ? "-shm" : "-wal");
            chmod(side, 0644);
        }
        Cache *c2 = NULL;                       /* a second open, as a new mc would */
        CHECK_INT(cache_open(path, &c2, NULL, &err), 0);
        check_private(path);
        cache_close(c2);
        cache_close(c);
    }
    free(err);
}

static void test_damaged_cache_rebuilt_private(void)
{
    char dir[512], path[600];
    open_dir(dir, sizeof dir, "damaged");
    snprintf(path, sizeof path, "%s/cache.db", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    char junk[4096];
    memset(junk, 'x', sizeof junk);
    CHECK_INT(write(fd, junk, sizeof junk), (long long)sizeof junk);
    close(fd);
    chmod(path, 0644);
    Cache *c = NULL;
    char *err = NULL, *warn = NULL;
    CHECK_INT(cache_open(path, &c, &warn, &err), 0);
    CHECK_CONTAINS(warn, "damaged");
    if (c) {
        touch_rows(c);
        check_private(path);
        cache_close(c);
    }
    /* the damaged copy moved aside (a backup of private data) is 0600 too */
    char pattern[700];
    snprintf(pattern, sizeof pattern, "%s/cache.db.corrupt-*", dir);
    glob_t g;
    CHECK_INT(glob(pattern, 0, NULL, &g), 0);
    for (size_t i = 0; i < g.gl_pathc; i++)
        if (!strstr(g.gl_pathv[i], "-wal") && !strstr(g.gl_pathv[i], "-shm"))
            CHECK_INT(mode_of(g.gl_pathv[i]), 0600);
    globfree(&g);
    free(err);
    free(warn);
}

static void test_log(void)
{
    char dir[512], path[600];
    open_dir(dir, sizeof dir, "log");
    snprintf(path, sizeof path, "%s/mc.log", dir);
    CHECK_INT(log_open(path), 0);
    log_msg("info", "hello");
    log_close();
    CHECK_INT(mode_of(path), 0600);
    chmod(path, 0644);                          /* an older mc's log */
    CHECK_INT(log_open(path), 0);
    log_close();
    CHECK_INT(mode_of(path), 0600);
}

int main(void)
{
    umask(022);
    RUN(test_new_cache);
    RUN(test_wide_cache_narrowed);
    RUN(test_damaged_cache_rebuilt_private);
    RUN(test_log);
    return t_done();
}
