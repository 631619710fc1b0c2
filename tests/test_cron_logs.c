/* test_cron_logs.c — the cron_logs source kind: last run, status, duration
 * and consecutive failures per job from the contract's log format (CRLF,
 * blank and shapeless lines), running vs hung, rotated copies ignored, failed
 * runs as activity, bounded tail reads, configured patterns and schedules. */
#include <time.h>
#include "fixtures/files/harness.h"

static const char *const fixture_logs[] = {
    "revenue-collector.log", "backup.log", "flaky.log", "revenue-collector.log.1",
    "revenue-collector.log.2.gz", "README.txt", NULL,
};

/* Copies the fixture logs into <tmp>/<name>/; returns the directory. */
static char *fixture_dir(const char *name)
{
    char *dir = xasprintf("%s/%s", t_tmpdir(), name);
    mkdir_p(dir, 0755);
    for (int i = 0; fixture_logs[i]; i++) {
        char *src = xasprintf("cron_logs/%s", fixture_logs[i]);
        char *dst = xasprintf("%s/%s", name, fixture_logs[i]);
        free(h_fixture(src, dst));
        free(src);
        free(dst);
    }
    return dir;
}

static int setup(Harness *h, const char *dir, const char *extra)
{
    char *y = xasprintf("sources:\n  - id: crons\n    kind: cron_logs\n    path: %s\n%s", dir,
                        extra ? extra : "");
    int rc = h_setup(h, y);
    free(y);
    return rc;
}

static int64_t at(const char *iso)
{
    int64_t ms = 0;
    time_parse_iso(iso, &ms);
    return ms;
}

#define JOB(col, job) "SELECT " col " FROM cron WHERE source = 'crons' AND job_id = '" job "'"

static void test_contract_format(void)
{
    Harness h;
    char *dir = fixture_dir("logs");
    if (setup(&h, dir, NULL) != 0) {
        CHECK(0);
        return;
    }
    h.now_ms = at("2026-11-21T03:10:00Z");
    CHECK_INT(h_fetch(&h), 0);
    CHECK(h.err == NULL);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM cron"), 3);
    CHECK_Q(&h, JOB("name || '|' || last_run || '|' || last_status || '|' || last_duration_ms || '|' ||"
                    " consecutive_failures || '|' || enabled", "revenue-collector"),
            "revenue-collector|2026-11-21T12:00:01Z|error|8000|1|1");
    CHECK_Q(&h, "SELECT ts || '|' || event_type || '|' || agent || '|' || status || '|' || details"
                " FROM activity WHERE agent = 'revenue-collector'",
            "2026-11-21T12:00:09Z|cron|revenue-collector|error|Impact API 429");
    /* CRLF, a blank line, a run still going */
    CHECK_Q(&h, JOB("last_run || '|' || last_status || '|' || last_duration_ms || '|' || consecutive_failures",
                    "backup"), "2026-11-21T03:00:00Z|running|600000|0");
    /* a shapeless line ignored; two failures in a row; escape bytes kept */
    CHECK_Q(&h, JOB("last_run || '|' || last_status || '|' || last_duration_ms || '|' || consecutive_failures",
                    "flaky"), "2026-11-21T06:00:00Z|error|4000|2");
    CHECK_INT(h_int(&h, "SELECT count(*) FROM activity WHERE agent = 'flaky'"), 2);
    CHECK_Q(&h, "SELECT details FROM activity WHERE agent = 'flaky' AND ts = '2026-11-21T06:00:04Z'",
            "disk full \x1b[31m");
    CHECK_Q(&h, "SELECT details FROM activity WHERE agent = 'flaky' AND ts = '2026-11-21T05:00:03Z'", "timeout");
    /* rotated copies are history, not jobs */
    CHECK_INT(h_int(&h, "SELECT count(*) FROM activity WHERE details = 'rotated'"), 0);
    /* later the same run has hung */
    h.now_ms = at("2026-11-21T05:00:00Z");
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, JOB("last_status || '|' || last_duration_ms || '|' || consecutive_failures", "backup"),
            "hung|7200000|1");
    CHECK_Q(&h, "SELECT status || '|' || details FROM activity WHERE key = 'backup:2026-11-21T03:00:00Z:hung'",
            "hung|no END 2h after START");
    /* then it ends: ok again, the hang stays in the activity history */
    char *log = xasprintf("%s/backup.log", dir);
    h_append(log, "2026-11-21T05:01:00Z END backup status=ok duration_ms=7260000\r\n");
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, JOB("last_status || '|' || last_duration_ms || '|' || consecutive_failures", "backup"),
            "ok|7260000|0");
    CHECK_INT(h_int(&h, "SELECT count(*) FROM activity WHERE status = 'hung'"), 1);
    /* a log removed: its job goes (replace) */
    unlink(log);
    CHECK_INT(h_fetch(&h), 0);
    CHECK_INT(h_int(&h, "SELECT count(*) FROM cron"), 2);
    free(log);
    char *w = h.sc->cls->watch_path(h.sc);
    CHECK_STR(w, dir);
    free(w);
    h_teardown(&h);
    free(dir);
}

static void test_glob_and_rotation(void)
{
    Harness h;
    char *dir = fixture_dir("all");
    if (setup(&h, dir, "    glob: '*'\n") != 0) {
        CHECK(0);
        return;
    }
    CHECK_INT(h_fetch(&h), 0);
    /* README.txt is a (run-less) job; .1 and .2.gz are rotated copies */
    CHECK_INT(h_int(&h, "SELECT count(*) FROM cron"), 4);
    CHECK_Q(&h, JOB("coalesce(last_status, 'none') || '|' || consecutive_failures", "README"), "none|0");
    CHECK_INT(h_int(&h, "SELECT count(*) FROM cron WHERE job_id LIKE 'revenue-collector.%'"), 0);
    h_teardown(&h);
    free(dir);
}

static void test_partial_last_line(void)
{
    Harness h;
    char *dir = xasprintf("%s/partial", t_tmpdir());
    mkdir_p(dir, 0755);
    char *log = xasprintf("%s/job.log", dir);
    char t0[32], t1[32];
    int64_t now = now_ms() / 1000 * 1000;
    time_format_iso(now - 10000, t0, sizeof t0);    /* recent: running, not hung */
    time_format_iso(now - 5000, t1, sizeof t1);
    char *text = xasprintf("%s START job\n%s END job status=o", t0, t1);
    h_write(log, text, strlen(text));
    free(text);
    struct stat st;
    stat(log, &st);
    int64_t mtime = (int64_t)st.st_mtime * 1000;
    if (setup(&h, dir, NULL) != 0) {
        CHECK(0);
        return;
    }
    h.now_ms = mtime + 1000;                     /* being written: wait for it */
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, JOB("last_status", "job"), "running");
    h_append(log, "k\n");
    stat(log, &st);
    h.now_ms = (int64_t)st.st_mtime * 1000 + 1000;
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, JOB("last_status || '|' || last_duration_ms", "job"), "ok|5000");
    /* a writer that never ends its last line: read once the file is quiet */
    const char *text2 = "2026-11-21T07:00:00Z START job\n2026-11-21T07:00:02Z END job status=error";
    h_write(log, text2, strlen(text2));
    stat(log, &st);
    h.now_ms = (int64_t)st.st_mtime * 1000 + 60000;
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, JOB("last_status", "job"), "error");
    h_teardown(&h);
    free(log);
    free(dir);
}

static void test_tail_is_bounded(void)
{
    Harness h;
    char *dir = xasprintf("%s/big", t_tmpdir());
    mkdir_p(dir, 0755);
    Buf runs = {0}, file = {0};
    for (int i = 0; i < 10; i++)
        buf_printf(&runs, "2026-11-21T1%d:00:00Z START big\n2026-11-21T1%d:00:01Z END big status=ok\n", i, i);
    /* 300 KiB of old failures, then a line whose last 14 bytes look like a
     * START: the tail (2 KiB) begins inside it and must skip to its end */
    while (file.len < 300 * 1024)
        buf_puts(&file, "2026-11-20T00:00:00Z START big\n2026-11-20T00:00:01Z END big status=error msg=old\n");
    buf_puts(&file, "junk junk junk 2026-11-21T00:00:00Z START big\n");
    size_t pad = 2048 - 14 - runs.len - 1;
    for (size_t i = 0; i < pad; i++)
        buf_putc(&file, '#');
    buf_putc(&file, '\n');
    buf_append(&file, runs.s, runs.len);
    char *log = xasprintf("%s/big.log", dir);
    h_write(log, file.s, file.len);
    if (setup(&h, dir, "    tail_bytes: 2KiB\n") != 0) {
        CHECK(0);
        return;
    }
    h.now_ms = at("2026-11-21T20:00:00Z");
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, JOB("last_run || '|' || last_status || '|' || last_duration_ms || '|' || consecutive_failures",
                    "big"), "2026-11-21T19:00:00Z|ok|1000|0");
    CHECK_INT(h_int(&h, "SELECT count(*) FROM activity"), 0);
    h_teardown(&h);
    buf_free(&runs);
    buf_free(&file);
    free(log);
    free(dir);
}

static void test_patterns_and_schedules(void)
{
    Harness h;
    setenv("TZ", "UTC", 1);
    tzset();
    char *dir = xasprintf("%s/custom", t_tmpdir());
    mkdir_p(dir, 0755);
    char *log = xasprintf("%s/sync.txt", dir);
    const char *text = "[2026-11-21 08:00:00] begin sync\n[2026-11-21 08:00:30] finished rc=0\n"
                       "[2026-11-21 09:00:00] begin sync\n[2026-11-21 09:01:00] finished rc=2 err: quota exceeded\n";
    h_write(log, text, strlen(text));
    if (setup(&h, dir, "    glob: '*.txt'\n"
                       "    start: '^\\[([^]]+)\\] begin'\n"
                       "    end: '^\\[([^]]+)\\] finished'\n"
                       "    status: 'rc=([0-9]+)'\n"
                       "    message: 'err: (.*)$'\n"
                       "    hung_after: 10m\n"
                       "    schedules: {sync: '0 */6 * * *', other: '@daily'}\n") != 0) {
        CHECK(0);
        return;
    }
    h.now_ms = at("2026-11-21T12:30:00Z");
    CHECK_INT(h_fetch(&h), 0);
    CHECK_Q(&h, JOB("last_run || '|' || last_status || '|' || last_duration_ms || '|' || consecutive_failures"
                    " || '|' || schedule || '|' || next_run", "sync"),
            "2026-11-21T09:00:00Z|error|60000|1|0 */6 * * *|2026-11-21T18:00:00Z");
    CHECK_Q(&h, "SELECT details FROM activity WHERE agent = 'sync'", "quota exceeded");
    h_teardown(&h);
    free(log);
    free(dir);
}

static void test_config_errors(void)
{
    Config *c = NULL;
    char *err = NULL;
    CHECK(config_load_text("t.yaml", "sources:\n  - id: c\n    kind: cron_logs\n    path: /x\n"
                           "    start: '(['\n", &c, &err) != 0);
    CHECK_CONTAINS(err, "t.yaml:5:12");
    CHECK_CONTAINS(err, "regular expression");
    free(err);
    err = NULL;
    CHECK(config_load_text("t.yaml", "sources:\n  - id: c\n    kind: cron_logs\n    path: /x\n"
                           "    status: 'status=ok'\n", &c, &err) != 0);
    CHECK_CONTAINS(err, "needs a (group)");
    free(err);
    err = NULL;
    CHECK(config_load_text("t.yaml", "sources:\n  - id: c\n    kind: cron_logs\n    path: /x\n"
                           "    schedules:\n      job: '61 * * * *'\n", &c, &err) != 0);
    CHECK_CONTAINS(err, "t.yaml:6:12");
    CHECK_CONTAINS(err, "schedule of 'job'");
    free(err);
    err = NULL;
    CHECK(config_load_text("t.yaml", "sources:\n  - id: c\n    kind: cron_logs\n    path: /x\n"
                           "    hung_after: soon\n", &c, &err) != 0);
    CHECK_CONTAINS(err, "t.yaml:5:");
    free(err);
    Harness h;
    char *dir = xasprintf("%s/no-such-dir", t_tmpdir());
    if (setup(&h, dir, NULL) == 0) {
        CHECK_INT(h_fetch(&h), -1);
        CHECK_CONTAINS(h.err, "no-such-dir");
        h_teardown(&h);
    }
    free(dir);
}

int main(void)
{
    RUN(test_contract_format);
    RUN(test_glob_and_rotation);
    RUN(test_partial_last_line);
    RUN(test_tail_is_bounded);
    RUN(test_patterns_and_schedules);
    RUN(test_config_errors);
    return t_done();
}
