/* backup.c — cache backups (see backup.h). Both directions use
 * sqlite3_backup_step(-1): a backup reads the live cache in one read
 * transaction (WAL: the daemon and dashboards keep writing, the copy is one
 * consistent state); a restore writes the live cache in one write
 * transaction, so the other processes' connections simply see the restored
 * rows at their next read (nothing to reopen). New files go through the
 * atomic writer (temp name, fsync, rename, directory fsync). */
#include "backup.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <stdio.h>
#include <sqlite3.h>
#include "cache.h"
#include "log.h"
#include "sha256.h"
#include "util.h"

#define BUSY_WAIT_MS 30000

/* "20261130T213306" (+ ".123" with ms) of now in UTC. */
static void stamp(int64_t ms, int with_ms, char *out, size_t outsz)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, outsz, "%Y%m%dT%H%M%S", &tm);
    if (with_ms)
        snprintf(out + n, outsz - n, ".%03dZ", (int)(ms % 1000));
    else
        snprintf(out + n, outsz - n, "Z");
}

/* Copies database src into dst (open connections) in one step, waiting out
 * a busy lock. 0 or -1 with *err. */
static int copy_db(sqlite3 *dst, sqlite3 *src, const char *what, char **err)
{
    sqlite3_backup *bk = sqlite3_backup_init(dst, "main", src, "main");
    if (!bk) {
        set_err(err, "%s: %s", what, sqlite3_errmsg(dst));
        return -1;
    }
    int rc;
    int64_t until = mono_ms() + BUSY_WAIT_MS;
    while ((rc = sqlite3_backup_step(bk, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        if (mono_ms() > until)
            break;
        sqlite3_sleep(20);
    }
    sqlite3_backup_finish(bk);
    if (rc != SQLITE_DONE) {
        set_err(err, "%s: %s", what, sqlite3_errstr(rc));
        return -1;
    }
    return 0;
}

/* Opens a database by path or URI. NULL with *err. */
static sqlite3 *open_db(const char *path, int flags, char **err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
        set_err(err, "%s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* A consistent copy of the database at src_path into a new file dst
 * (atomically, mode 0600). Also returns its SHA-256 in hex when hex. */
static int snapshot_to(const char *src_path, const char *dst, char *hex, char **err)
{
    sqlite3 *src = open_db(src_path, SQLITE_OPEN_READWRITE, err);
    if (!src)
        return -1;
    AtomicFile *af = file_atomic_open(dst, 0600, err);
    if (!af) {
        sqlite3_close(src);
        return -1;
    }
    sqlite3 *out = open_db(af->tmp, SQLITE_OPEN_READWRITE, err);
    int rc = out ? copy_db(out, src, src_path, err) : -1;
    sqlite3_close(out);
    sqlite3_close(src);
    if (rc == 0 && hex)
        rc = sha256_file(af->tmp, hex, err);
    if (rc != 0) {
        file_atomic_abort(af);
        return -1;
    }
    return file_atomic_commit(af, err);
}

static int is_backup_name(const char *n)
{
    size_t len = strlen(n);
    return strncmp(n, "cache-", 6) == 0 && len > 9 && strcmp(n + len - 3, ".db") == 0;
}

static int cmp_desc(const void *a, const void *b)
{
    return strcmp(*(char *const *)b, *(char *const *)a);
}

/* The backup file names in dir, newest first (the names sort by time). */
static char **list_backups(const char *dir, int *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    int cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!is_backup_name(e->d_name))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            names = xrealloc(names, (size_t)cap * sizeof *names);
        }
        names[(*n)++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (*n)
        qsort(names, (size_t)*n, sizeof *names, cmp_desc);
    return names;
}

/* Deletes the backups past the newest keep (and their .sha256). */
static void rotate(const char *dir, int keep)
{
    int n;
    char **names = list_backups(dir, &n);
    for (int i = 0; i < n; i++) {
        if (i >= keep) {
            char *p = xasprintf("%s/%s", dir, names[i]);
            char *sum = xasprintf("%s.sha256", p);
            unlink(p);
            unlink(sum);
            free(p);
            free(sum);
        }
        free(names[i]);
    }
    free(names);
}

int backup_take(const char *cache_path, const char *dir, int keep, char **out, char **err)
{
    struct stat st;
    if (stat(cache_path, &st) != 0) {
        set_err(err, "%s: no cache to back up (%s)", cache_path, strerror(errno));
        return -1;
    }
    if (mkdir_p(dir, 0700) != 0) {
        set_err(err, "%s: %s", dir, strerror(errno));
        return -1;
    }
    char ts[40], hex[65];
    char *path = NULL;
    for (int64_t ms = now_ms();; ms++) {       /* one name per millisecond */
        stamp(ms, 1, ts, sizeof ts);
        free(path);
        path = xasprintf("%s/cache-%s.db", dir, ts);
        if (access(path, F_OK) != 0)
            break;
    }
    if (snapshot_to(cache_path, path, hex, err) != 0) {
        free(path);
        return -1;
    }
    const char *base = strrchr(path, '/') + 1;
    char *line = xasprintf("%s  %s\n", hex, base);
    char *sum = xasprintf("%s.sha256", path);
    int rc = file_write_atomic(sum, line, strlen(line), 0600, err);
    free(line);
    free(sum);
    if (rc != 0) {
        unlink(path);
        free(path);
        return -1;
    }
    rotate(dir, keep);
    *out = path;
    return 0;
}

/* Reads file.sha256: the 64 hex digits, and the name it describes. */
static int read_sum(const char *file, char hex[65], char **err)
{
    char *sum = xasprintf("%s.sha256", file), *text = NULL;
    size_t len = 0;
    int rc = file_read_all(sum, 4096, &text, &len, err);
    if (rc == 0) {
        const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
        size_t bl = strlen(base);
        int ok = len >= 64 + 2 + bl;
        for (int i = 0; ok && i < 64; i++)
            ok = (text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f');
        ok = ok && text[64] == ' ' && (text[65] == ' ' || text[65] == '*') &&
             strncmp(text + 66, base, bl) == 0 && (text[66 + bl] == '\n' || text[66 + bl] == '\0');
        if (!ok) {
            set_err(err, "%s: not a sha256sum line for %s", sum, base);
            rc = -1;
        } else {
            memcpy(hex, text, 64);
            hex[64] = '\0';
        }
    } else {
        set_err(err, "%s: no checksum beside it (%s.sha256): refusing a backup that cannot be checked", file, file);
    }
    free(text);
    free(sum);
    return rc;
}

/* backup_verify, each check a step of pg (NULL: none). */
static int verify(const char *file, Progress *pg, char **err)
{
    char want[65], got[65];
    Progress none = {0};
    if (!pg)
        pg = &none;
    progress_step(pg, "checking the checksum...");
    if (read_sum(file, want, err) != 0 || sha256_file(file, got, err) != 0)
        return -1;
    if (strcmp(want, got) != 0) {
        set_err(err, "%s: checksum mismatch (the .sha256 says %.12s..., the file hashes to %.12s...): "
                "damaged or not the backup it describes", file, want, got);
        return -1;
    }
    progress_step(pg, "checking integrity...");
    char *uri = sqlite3_mprintf("file:%s?immutable=1", file);   /* never writes beside it */
    sqlite3 *db = open_db(uri, SQLITE_OPEN_READONLY, err);
    sqlite3_free(uri);
    if (!db)
        return -1;
    sqlite3_stmt *st = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const char *r = (const char *)sqlite3_column_text(st, 0);
        if (r && strcmp(r, "ok") == 0)
            rc = 0;
        else
            set_err(err, "%s: integrity check failed: %.200s", file, r ? r : "?");
    } else {
        set_err(err, "%s: not an mc cache: %s", file, sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    if (rc == 0 && (sqlite3_prepare_v2(db, "SELECT 1 FROM source_state LIMIT 0", -1, &st, NULL) != SQLITE_OK)) {
        set_err(err, "%s: not an mc cache (no source_state table)", file);
        rc = -1;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

int backup_verify(const char *file, char **err)
{
    return verify(file, NULL, err);
}

int backup_restore(const char *cache_path, const char *file, Progress *pg, char **aside, char **err)
{
    Progress none = {0};
    if (!pg)
        pg = &none;
    *aside = NULL;
    if (verify(file, pg, err) != 0)
        return -1;
    struct stat st;
    if (stat(cache_path, &st) == 0) {
        char ts[40];
        stamp(now_ms(), 0, ts, sizeof ts);
        char *keep = xasprintf("%s.before-restore-%s", cache_path, ts);
        progress_step(pg, "keeping the current cache (%.1f MB)...", (double)st.st_size / 1e6);
        if (snapshot_to(cache_path, keep, NULL, err) != 0) {
            free(keep);
            return -1;
        }
        *aside = keep;
    }
    char *dir = xstrdup(cache_path);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        mkdir_p(dir, 0700);
    }
    free(dir);
    char *uri = sqlite3_mprintf("file:%s?immutable=1", file);
    sqlite3 *src = open_db(uri, SQLITE_OPEN_READONLY, err);
    sqlite3_free(uri);
    sqlite3 *dst = src ? open_db(cache_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err) : NULL;
    progress_step(pg, "restoring...");
    int rc = dst ? copy_db(dst, src, cache_path, err) : -1;
    sqlite3_close(dst);
    sqlite3_close(src);
    if (rc == 0)
        file_make_private(cache_path, 0);
    return rc;
}

int64_t backup_newest(const char *dir)
{
    int n;
    char **names = list_backups(dir, &n);
    int64_t ms = 0;
    if (n > 0) {
        char *p = xasprintf("%s/%s", dir, names[0]);
        struct stat st;
        if (stat(p, &st) == 0)
            ms = (int64_t)st.st_mtime * 1000;
        free(p);
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return ms;
}

int backup_due(int at_min, int64_t newest_ms, int64_t now)
{
    if (at_min < 0)
        return 0;
    const int64_t day = 24LL * 3600 * 1000;
    int64_t today = now - ((now % day) + day) % day;   /* 00:00 UTC of now's day */
    int64_t last = today + (int64_t)at_min * 60000;
    if (last > now)
        last -= day;
    return newest_ms < last;
}

void backup_tick(const char *cache_path, const char *dir, int keep, int at_min, int64_t *newest)
{
    if (at_min < 0)
        return;
    if (*newest < 0)
        *newest = backup_newest(dir);
    int64_t now = now_ms();
    if (!backup_due(at_min, *newest, now))
        return;
    char *out = NULL, *err = NULL;
    if (backup_take(cache_path, dir, keep, &out, &err) == 0)
        log_info("daily backup: %s", out);
    else
        log_warn("daily backup failed: %s", err);
    *newest = now;                 /* a failure waits for tomorrow's time, not a retry loop */
    free(out);
    free(err);
}

void backup_status(const BackupConfig *b, char *out, size_t outsz)
{
    int64_t newest = backup_newest(b->dir);
    char age[32] = "none yet", when[48] = "";
    if (newest) {
        time_format_age(now_ms() - newest, age, sizeof age);
        snprintf(age + strlen(age), sizeof age - strlen(age), " ago");
    }
    if (b->at_min >= 0)
        snprintf(when, sizeof when, ", daily at %02d:%02d UTC", b->at_min / 60, b->at_min % 60);
    snprintf(out, outsz, "newest %s (keep %d%s)", age, b->keep, when);
}
