/* cron_logs.c — the `cron_logs` source kind: a directory of cron run logs,
 * one file per job (mc.1 "FILE FORMATS", Cron run logs).
 *
 * Each run appends a START line and, when it finishes, an END line carrying
 * status=, duration_ms= and msg=; the patterns are POSIX extended regular
 * expressions in the config (group 1 is the value), so jobs that log in
 * other shapes can be read too. Only the tail of each log is read (bounded),
 * rotated copies (.1, .gz...) are ignored. Each job becomes one `cron` row
 * (last run, ok/error/hung/running, duration, consecutive failures, schedule
 * and next run when a schedule is configured), replacing the source's rows;
 * failed and hung runs also become `activity` rows (merged, so the history
 * outlives the log's rotation). A START with no END for longer than
 * hung_after is a hung run. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "../source.h"
#include "../util.h"
#include "../cronexpr.h"
#include "fileutil.h"

#define CRON_MAX_JOBS 1000
#define CRON_SETTLE_MS 5000   /* an unterminated last line counts once the file is this quiet */

enum { RE_START, RE_END, RE_STATUS, RE_DURATION, RE_MESSAGE, RE__N };
static const char *const re_keys[RE__N] = {"start", "end", "status", "duration", "message"};
static const char *const re_defaults[RE__N] = {
    "^([^[:space:]]+)[[:space:]]+START([[:space:]]|$)",
    "^([^[:space:]]+)[[:space:]]+END([[:space:]]|$)",
    "[[:space:]]status=([^[:space:]]+)",
    "[[:space:]]duration_ms=([0-9]+)",
    "[[:space:]]msg=(\"[^\"]*\"|[^[:space:]]+)",
};

typedef struct CronSched {
    char *job, *expr;
    CronExpr ce;
} CronSched;

typedef struct CronCfg {
    char *dir, *glob;
    regex_t re[RE__N];
    int ncompiled;
    int64_t hung_after_ms, tail_bytes;
    int nsched;
    CronSched *sched;
} CronCfg;

/* What the tail of one job's log says. */
typedef struct JobScan {
    const char *job;
    const CronCfg *k;
    int64_t now, mtime;
    Rows *act;
    int open, open_has_ts;     /* a START with no END yet */
    int64_t open_start;
    const char *status;        /* "ok", "error", "hung", "running", NULL */
    int has_run, has_dur;
    int64_t last_run, dur;
    int failures;              /* consecutive, newest first */
} JobScan;

static const char *const cron_keys[] = {
    "path", "glob", "start", "end", "status", "duration", "message", "hung_after",
    "tail_bytes", "schedules", NULL,
};

static void cron_free_config(void *p)
{
    CronCfg *k = p;
    if (!k)
        return;
    for (int i = 0; i < k->ncompiled; i++)
        regfree(&k->re[i]);
    for (int i = 0; i < k->nsched; i++) {
        free(k->sched[i].job);
        free(k->sched[i].expr);
    }
    free(k->sched);
    free(k->dir);
    free(k->glob);
    free(k);
}

static int compile_patterns(CronCfg *k, const YNode *map, char **err)
{
    for (int i = 0; i < RE__N; i++) {
        char *pat = NULL;
        if (ynode_str(map, re_keys[i], &pat, err))
            return -1;
        const YNode *n = ynode_get(map, re_keys[i]);
        int rc = regcomp(&k->re[i], pat ? pat : re_defaults[i], REG_EXTENDED);
        free(pat);
        if (rc != 0) {
            char msg[200];
            regerror(rc, &k->re[i], msg, sizeof msg);
            return ynode_error(n ? n : map, err, "%s: not a valid extended regular expression: %s",
                               re_keys[i], msg);
        }
        k->ncompiled++;
        if (i >= RE_STATUS && k->re[i].re_nsub < 1)
            return ynode_error(n ? n : map, err, "%s: the pattern needs a (group) around the value",
                               re_keys[i]);
    }
    return 0;
}

static int parse_schedules(CronCfg *k, const YNode *map, char **err)
{
    const YNode *s = ynode_get(map, "schedules");
    if (!s)
        return 0;
    if (s->type != YN_MAP)
        return ynode_error(s, err, "schedules: expected a map of job: \"cron expression\"");
    k->sched = xcalloc((size_t)s->n + 1, sizeof *k->sched);
    for (int i = 0; i < s->n; i++) {
        const YNode *v = s->items[i];
        char *why = NULL;
        if (v->type != YN_SCALAR || !v->scalar)
            return ynode_error(v, err, "schedules: expected a cron expression for '%s'", s->keys[i]->scalar);
        CronSched *c = &k->sched[k->nsched++];
        c->job = xstrdup(s->keys[i]->scalar);
        c->expr = xstrdup(v->scalar);
        if (cron_expr_parse(v->scalar, &c->ce, NULL, &why) != 0) {
            ynode_error(v, err, "schedule of '%s': %s", c->job, why);
            free(why);
            return -1;
        }
    }
    return 0;
}

static int cron_configure(SourceConfig *sc, const YNode *map, char **err)
{
    if (source_check_keys(map, cron_keys, err))
        return -1;
    CronCfg *k = xcalloc(1, sizeof *k);
    k->hung_after_ms = 3600 * 1000;
    k->tail_bytes = 256 << 10;
    if (fu_ynode_req_path(map, "path", &k->dir, err) || ynode_str(map, "glob", &k->glob, err) ||
        ynode_duration(map, "hung_after", &k->hung_after_ms, err) ||
        fu_ynode_size(map, "tail_bytes", 1024, (int64_t)64 << 20, &k->tail_bytes, err) ||
        compile_patterns(k, map, err) || parse_schedules(k, map, err)) {
        cron_free_config(k);
        return -1;
    }
    if (!k->glob)
        k->glob = xstrdup("*.log");
    sc->kcfg = k;
    return 0;
}

static char *cron_watch_path(const SourceConfig *sc)
{
    const CronCfg *k = sc->kcfg;
    return k ? xstrdup(k->dir) : NULL;
}

/* ---- the job list ----------------------------------------------------- */

/* A rotated or compressed copy: "x.log.1", "x.log.gz", "x.log-20261121". */
static int is_rotated(const char *name)
{
    static const char *const comp[] = {".gz", ".bz2", ".xz", ".zst", ".zip", ".Z", NULL};
    size_t n = strlen(name);
    for (int i = 0; comp[i]; i++) {
        size_t c = strlen(comp[i]);
        if (n > c && strcmp(name + n - c, comp[i]) == 0)
            return 1;
    }
    const char *dot = strrchr(name, '.');
    if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1))
        return 1;
    const char *dash = strrchr(name, '-');
    return dash && strstr(name, ".log-") && strspn(dash + 1, "0123456789") == strlen(dash + 1);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the job logs in the directory, sorted (new NULL-terminated list). */
static char **list_logs(const CronCfg *k, FetchCtx *ctx)
{
    DIR *d = opendir(k->dir);
    if (!d) {
        set_err(&ctx->err, "%s: cannot list: %s", k->dir, strerror(errno));
        return NULL;
    }
    int n = 0, cap = 16;
    char **v = xcalloc((size_t)cap, sizeof *v);
    struct dirent *e;
    while ((e = readdir(d)) && n < CRON_MAX_JOBS) {
        if (fnmatch(k->glob, e->d_name, FNM_PERIOD) != 0 || is_rotated(e->d_name))
            continue;
        if (n + 1 >= cap) {
            cap *= 2;
            v = xrealloc(v, (size_t)cap * sizeof *v);
        }
        v[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    v[n] = NULL;
    qsort(v, (size_t)n, sizeof *v, cmp_str);
    return v;
}

/* ---- one log ---------------------------------------------------------- */

/* Group 1 of a match as a new string, quotes around it dropped; NULL if none. */
static char *group(const char *line, const regmatch_t *m)
{
    if (m[1].rm_so < 0)
        return NULL;
    const char *s = line + m[1].rm_so;
    size_t n = (size_t)(m[1].rm_eo - m[1].rm_so);
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    return xstrndup(s, n);
}

static int match_value(const regex_t *re, const char *line, char **out)
{
    regmatch_t m[10];
    if (regexec(re, line, 10, m, 0) != 0)
        return 0;
    *out = re->re_nsub >= 1 ? group(line, m) : NULL;
    return 1;
}

static const char *status_word(const char *s)
{
    static const char *const ok[] = {"ok", "success", "succeeded", "0", "done", "passed", NULL};
    if (!s)
        return "ok";
    for (int i = 0; ok[i]; i++)
        if (strcasecmp(s, ok[i]) == 0)
            return "ok";
    return "error";
}

/* An activity row for a failed or hung run. */
static void failure_row(JobScan *j, const char *status, int has_ts, int64_t ts, const char *details,
                        const char *line)
{
    Rows *a = j->act;
    const Dataset *ds = a->ds;
    char iso[32], hex[17];
    int r = rows_add(a);
    if (has_ts) {
        time_format_iso(ts, iso, sizeof iso);
        rows_set_time(a, r, dataset_field(ds, "ts"), ts);
    } else {
        fu_hex64(hash64(line, strlen(line)), hex);
        snprintf(iso, sizeof iso, "%s", hex);
    }
    char *key = xasprintf("%s:%s:%s", j->job, iso, status);
    rows_set_text(a, r, dataset_field(ds, "key"), key);
    rows_set_text(a, r, dataset_field(ds, "event_type"), "cron");
    rows_set_text(a, r, dataset_field(ds, "agent"), j->job);
    rows_set_text(a, r, dataset_field(ds, "status"), status);
    rows_set_text(a, r, dataset_field(ds, "details"), details);
    free(key);
}

static void on_start(JobScan *j, const char *line, char *ts_text)
{
    int64_t ts = 0;
    int has_ts = ts_text && time_parse_iso(ts_text, &ts) == 0;
    if (j->open) {                               /* the previous run never ended */
        failure_row(j, "hung", j->open_has_ts, j->open_start, "started again before it ended", line);
        j->failures++;
        j->status = "hung";
    }
    j->open = 1;
    j->open_has_ts = has_ts;
    j->open_start = ts;
    if (has_ts) {
        j->has_run = 1;
        j->last_run = ts;
    }
}

static void on_end(JobScan *j, const char *line, char *ts_text)
{
    const CronCfg *k = j->k;
    char *st = NULL, *dur = NULL, *msg = NULL;
    int64_t end = 0;
    int has_end = ts_text && time_parse_iso(ts_text, &end) == 0;
    match_value(&k->re[RE_STATUS], line, &st);
    match_value(&k->re[RE_DURATION], line, &dur);
    match_value(&k->re[RE_MESSAGE], line, &msg);
    long d = -1;
    j->has_dur = 0;
    if (dur && parse_long(dur, 0, LONG_MAX, &d) == 0) {
        j->dur = d;
        j->has_dur = 1;
    } else if (j->open && j->open_has_ts && has_end && end >= j->open_start) {
        j->dur = end - j->open_start;
        j->has_dur = 1;
    }
    if (!j->open && has_end) {                   /* an END whose START rolled out of the tail */
        j->has_run = 1;
        j->last_run = end - (j->has_dur ? j->dur : 0);
    }
    j->status = status_word(st);
    if (strcmp(j->status, "error") == 0) {
        j->failures++;
        failure_row(j, "error", has_end, end, msg ? msg : line, line);
    } else {
        j->failures = 0;
    }
    j->open = 0;
    free(st);
    free(dur);
    free(msg);
}

/* Reads the tail of one log into a new NUL-terminated buffer. */
static char *read_tail(const CronCfg *k, const char *path, size_t *len, int64_t *mtime, char **why)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (errno != ENOENT)                     /* gone since the listing: skipped */
            set_err(why, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return NULL;                             /* not a log: skipped */
    }
    *mtime = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
    int64_t from = st.st_size > k->tail_bytes ? st.st_size - k->tail_bytes : 0;
    size_t want = (size_t)(st.st_size - from), got = 0;
    char *buf = xmalloc(want + 1);
    while (got < want) {
        ssize_t n = pread(fd, buf + got, want - got, from + (int64_t)got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;                               /* shrank while reading: use what we have */
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    size_t skip = 0;
    if (from > 0) {                              /* drop the partial first line */
        char *nl = memchr(buf, '\n', got);
        skip = nl ? (size_t)(nl - buf) + 1 : got;
        memmove(buf, buf + skip, got - skip + 1);
    }
    *len = got - skip;
    return buf;
}

/* Scans the lines of text (modified in place). */
static void scan_lines(JobScan *j, char *text, size_t len)
{
    const CronCfg *k = j->k;
    size_t pos = 0;
    while (pos < len) {
        char *line = text + pos;
        char *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        if (!nl && j->now - j->mtime < CRON_SETTLE_MS)
            break;                               /* a line still being written */
        pos += n + 1;
        line[n] = '\0';
        if (n && line[n - 1] == '\r')
            line[n - 1] = '\0';
        char *ts = NULL;
        if (match_value(&k->re[RE_START], line, &ts))
            on_start(j, line, ts);
        else if (match_value(&k->re[RE_END], line, &ts))
            on_end(j, line, ts);
        free(ts);
    }
    if (j->open) {
        int64_t since = j->open_has_ts ? j->open_start : j->mtime;
        j->has_dur = 1;
        j->dur = j->now - since > 0 ? j->now - since : 0;
        if (j->dur > k->hung_after_ms) {
            char age[16], *msg;
            time_format_age(j->dur, age, sizeof age);
            msg = xasprintf("no END %s after START", age);
            failure_row(j, "hung", j->open_has_ts, j->open_start, msg, "hung");
            free(msg);
            j->status = "hung";
            j->failures++;
        } else {
            j->status = "running";
        }
    }
}

/* cron fires by the local wall clock; cron_expr_next walks UTC, so walk the
 * local wall clock as if it were UTC and shift back. */
static int64_t next_local(const CronExpr *e, int64_t after_ms)
{
    struct tm tm;
    time_t t = (time_t)(after_ms / 1000);
    localtime_r(&t, &tm);
    int64_t off = (int64_t)tm.tm_gmtoff * 1000;
    int64_t wall = cron_expr_next(e, after_ms + off);
    if (wall < 0)
        return -1;
    t = (time_t)((wall - off) / 1000);
    localtime_r(&t, &tm);                        /* the offset at that time (DST) */
    return wall - (int64_t)tm.tm_gmtoff * 1000;
}

static const CronSched *schedule_of(const CronCfg *k, const char *job)
{
    for (int i = 0; i < k->nsched; i++)
        if (strcmp(k->sched[i].job, job) == 0)
            return &k->sched[i];
    return NULL;
}

/* Adds the cron row for one log file. Returns 0, or -1 when unreadable. */
static int scan_job(const CronCfg *k, const char *name, FetchCtx *ctx, Rows *cron, Rows *act, char **why)
{
    char *path = xasprintf("%s/%s", k->dir, name);
    size_t len = 0;
    JobScan j;
    memset(&j, 0, sizeof j);
    char *text = read_tail(k, path, &len, &j.mtime, why);
    free(path);
    if (!text)
        return *why ? -1 : 0;
    char *job = xstrdup(name);
    char *dot = strrchr(job, '.');
    if (dot && dot != job)
        *dot = '\0';
    j.job = job;
    j.k = k;
    j.now = ctx->now_ms ? ctx->now_ms : now_ms();
    j.act = act;
    scan_lines(&j, text, len);

    const Dataset *ds = cron->ds;
    int r = rows_add(cron);
    rows_set_text(cron, r, dataset_field(ds, "key"), job);
    rows_set_text(cron, r, dataset_field(ds, "job_id"), job);
    rows_set_text(cron, r, dataset_field(ds, "name"), job);
    rows_set_int(cron, r, dataset_field(ds, "enabled"), 1);
    if (j.has_run)
        rows_set_time(cron, r, dataset_field(ds, "last_run"), j.last_run);
    rows_set_text(cron, r, dataset_field(ds, "last_status"), j.status);
    if (j.has_dur)
        rows_set_int(cron, r, dataset_field(ds, "last_duration_ms"), j.dur);
    rows_set_int(cron, r, dataset_field(ds, "consecutive_failures"), j.failures);
    const CronSched *s = schedule_of(k, job);
    if (s) {
        rows_set_text(cron, r, dataset_field(ds, "schedule"), s->expr);
        int64_t next = next_local(&s->ce, j.now);
        if (next > 0)
            rows_set_time(cron, r, dataset_field(ds, "next_run"), next);
    }
    free(job);
    free(text);
    return 0;
}

static int cron_fetch(void *self, FetchCtx *ctx)
{
    const CronCfg *k = ctx->src->kcfg;
    char **names = list_logs(k, ctx);
    if (!names)
        return -1;
    Rows *cron = rows_new(dataset_get(DS_CRON));
    Rows *act = rows_new(dataset_get(DS_ACTIVITY));
    char *why = NULL, *err = NULL;
    int rc = -1;
    for (int i = 0; names[i]; i++) {
        if ((ctx->cancel && *ctx->cancel) || (ctx->deadline_ms && mono_ms() > ctx->deadline_ms)) {
            set_err(&ctx->err, "%s: out of time after %d of the logs", k->dir, i);
            goto out;
        }
        if (scan_job(k, names[i], ctx, cron, act, &why) != 0) {
            set_err(&ctx->err, "cannot read %s", why);
            goto out;
        }
    }
    if (cache_begin(ctx->cache, &err) != 0)
        goto fail;
    if (cache_put_rows(ctx->cache, ctx->src->id, cron, CACHE_REPLACE, &err) != 0 ||
        (act->nrows && cache_put_rows(ctx->cache, ctx->src->id, act, CACHE_MERGE, &err) != 0) ||
        cache_cursor_put(ctx->cache, ctx->src->id, ctx->state, &err) != 0 ||
        cache_commit(ctx->cache, &err) != 0) {
        cache_rollback(ctx->cache);
        goto fail;
    }
    ctx->rows = cron->nrows + act->nrows;
    rc = 0;
    goto out;
fail:
    set_err(&ctx->err, "%s: cache write failed: %s", ctx->src->id, err ? err : "?");
out:
    free(why);
    free(err);
    rows_free(cron);
    rows_free(act);
    strv_free(names);
    return rc;
}

const SourceClass src_cron_logs_class = {
    .kind = "cron_logs",
    .summary = "a directory of cron run logs: last run, status, duration per job",
    .datasets = DS_BIT(DS_CRON) | DS_BIT(DS_ACTIVITY),
    .configure = cron_configure,
    .free_config = cron_free_config,
    .fetch = cron_fetch,
    .watch_path = cron_watch_path,
};
