/* test_backup.c — the daily schedule of backup.at (backup_due: due once the
 * latest scheduled time has passed since the newest backup, catching up a
 * missed day), and backup_take/backup_verify/backup_newest on a real cache:
 * names that sort by time, rotation to keep, a flipped byte refused. */
#include "thelp.h"

#include <stdlib.h>
#include <unistd.h>
#include "../src/backup.h"
#include "../src/cache.h"
#include "../src/util.h"

static int64_t at(const char *iso)
{
    int64_t ms = 0;
    time_parse_iso(iso, &ms);
    return ms;
}

static void test_due(void)
{
    int m3 = 3 * 60;   /* 03:00 */
    CHECK_INT(backup_due(-1, 0, at("2026-11-30T12:00:00Z")), 0);            /* not daily */
    CHECK_INT(backup_due(m3, 0, at("2026-11-30T12:00:00Z")), 1);            /* none yet */
    CHECK_INT(backup_due(m3, at("2026-11-30T03:00:05Z"), at("2026-11-30T12:00:00Z")), 0);
    CHECK_INT(backup_due(m3, at("2026-11-30T03:00:05Z"), at("2026-12-01T02:59:59Z")), 0);
    CHECK_INT(backup_due(m3, at("2026-11-30T03:00:05Z"), at("2026-12-01T03:00:00Z")), 1);
    CHECK_INT(backup_due(m3, at("2026-11-29T03:00:00Z"), at("2026-11-30T02:00:00Z")), 0);
    CHECK_INT(backup_due(m3, at("2026-11-28T03:00:00Z"), at("2026-11-30T02:00:00Z")), 1); /* missed a day */
    CHECK_INT(backup_due(m3, at("2026-11-30T02:59:00Z"), at("2026-11-30T03:01:00Z")), 1);
    CHECK_INT(backup_due(23 * 60 + 59, at("2026-11-29T23:59:30Z"), at("2026-11-30T00:00:10Z")), 0);
}

static void test_take_rotate_verify(void)
{
    const char *dir = t_tmpdir();
    char *db = xasprintf("%s/cache.db", dir), *bk = xasprintf("%s/bk", dir);
    Cache *c = NULL;
    char *err = NULL;
    CHECK_INT(cache_open(db, &c, NULL, &err), 0);
    cache_close(c);
    CHECK_INT(backup_newest(bk), 0);
    char *paths[4] = {0};
    for (int i = 0; i < 4; i++) {
        CHECK_INT(backup_take(db, bk, 2, &paths[i], &err), 0);
        CHECK(paths[i] && (i == 0 || strcmp(paths[i], paths[i - 1]) > 0));   /* names sort by time */
    }
    CHECK(access(paths[0], F_OK) != 0 && access(paths[1], F_OK) != 0);      /* rotated away */
    CHECK(access(paths[2], F_OK) == 0 && access(paths[3], F_OK) == 0);
    char *sum = xasprintf("%s.sha256", paths[0]);
    CHECK(access(sum, F_OK) != 0);
    free(sum);
    CHECK(backup_newest(bk) > 0);
    CHECK_INT(backup_verify(paths[3], &err), 0);
    FILE *f = fopen(paths[3], "r+b");
    CHECK(f != NULL);
    if (f) {
        fseek(f, 100, SEEK_SET);
        int ch = fgetc(f);
        fseek(f, 100, SEEK_SET);
        fputc(ch ^ 0x10, f);
        fclose(f);
    }
    CHECK_INT(backup_verify(paths[3], &err), -1);
    CHECK_CONTAINS(err, "checksum mismatch");
    free(err);
    for (int i = 0; i < 4; i++)
        free(paths[i]);
    free(db);
    free(bk);
}

int main(void)
{
    RUN(test_due);
    RUN(test_take_rotate_verify);
    return t_done();
}
