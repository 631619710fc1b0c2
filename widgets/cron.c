/* cron.c — scheduled jobs: name, schedule, the last run's age and result,
 * the next run and the failure streak. Failed, hung and missed runs stand
 * out (red/amber, listed first). A run is "missed" when the schedule (parsed
 * with cronexpr, in UTC) says the job was due more than `grace` ago and no
 * run has started since. The cron table is small and read whole, capped. */
#include <stdio.h>
#include <string.h>
#include "wkit.h"
#include "../src/cronexpr.h"

#define MAX_JOBS 500
#define EARLY_MS 60000      /* a run this much before its due minute still counts */

typedef enum { JOB_FAILED, JOB_HUNG, JOB_MISSED, JOB_BAD_SCHEDULE, JOB_OK, JOB_NEVER,
               JOB_DISABLED } JobState;

typedef struct Job {
    char *source, *key, *id, *name, *schedule, *status, *last_run_s, *next_run_s;
    int enabled, failures;
    int64_t last_run, next_run, duration_ms, due;
    JobState state;
    char *sched_err;        /* why the schedule did not parse, or NULL */
} Job;

typedef struct Cron {
    int64_t grace_ms;
    Job *jobs;
    int njobs, nproblems;
    ListView lv;            /* selection by job (source + key) */
} Cron;

static void jobs_drop(Cron *c)
{
    for (int i = 0; i < c->njobs; i++) {
        Job *j = &c->jobs[i];
        free(j->source);
        free(j->key);
        free(j->id);
        free(j->name);
        free(j->schedule);
        free(j->status);
        free(j->last_run_s);
        free(j->next_run_s);
        free(j->sched_err);
    }
    free(c->jobs);
    c->jobs = NULL;
    c->njobs = c->nproblems = 0;
}

static void *cron_create(const YNode *opts, const Config *cfg, char **err)
{
    static const char *const keys[] = {WK_COMMON_KEYS, "grace", NULL};
    int64_t grace = 5 * 60000;
    if (opts && (ynode_check_keys(opts, keys, "cron widget", err) < 0 ||
                 ynode_duration(opts, "grace", &grace, err) < 0))
        return NULL;
    Cron *c = xcalloc(1, sizeof *c);
    c->grace_ms = grace;
    return c;
}

static void cron_destroy(void *self)
{
    Cron *c = self;
    if (!c)
        return;
    jobs_drop(c);
    list_free(&c->lv);
    free(c);
}

/* A job's identity and label for the list helper. */
static void job_id(const void *rows, int i, const char **source, const char **key,
                   const char **label)
{
    const Job *j = (const Job *)rows + i;
    *source = j->source;
    *key = j->key;
    *label = j->name;
}

static int is_hung(const char *status)
{
    static const char *const hung[] = {"hung", "timeout", "timed_out", "timedout", "stuck", NULL};
    return wk_word_in(status, hung);
}

/* The schedule without a "CRON_TZ=Zone " prefix (the list shows the
 * expression; the detail the whole text). */
static const char *sched_shown(const char *s)
{
    if (strncmp(s, "CRON_TZ=", 8))
        return s;
    s += 8 + strcspn(s + 8, " \t");
    return s + strspn(s, " \t");
}

/* Works out the job's state, its last due time and its next run. */
static void classify(Job *j, int64_t now, int64_t grace)
{
    CronExpr e;
    int have_expr = 0;
    const char *expr = j->schedule;
    int other_tz = 0;
    if (!strncmp(expr, "CRON_TZ=", 8)) {   /* cronie's zone prefix (openclaw_cron writes it) */
        const char *zone = expr + 8;
        size_t zl = strcspn(zone, " \t");
        other_tz = !((zl == 3 && !strncmp(zone, "UTC", 3)) || (zl == 7 && !strncmp(zone, "Etc/UTC", 7)));
        expr = zone + zl;
    }
    /* an expression in another zone: this UTC evaluator cannot tell when it
     * was due; the source's own next_run stands */
    if (*expr && !other_tz) {
        if (cron_expr_parse(expr, &e, NULL, &j->sched_err) == 0)
            have_expr = 1;
    }
    if (have_expr) {
        j->due = cron_expr_prev(&e, now - grace + 1);
        if (j->next_run <= now)
            j->next_run = cron_expr_next(&e, now);
    } else if (j->next_run <= now) {
        j->next_run = 0;
    }
    if (!j->enabled)
        j->state = JOB_DISABLED;
    else if (is_hung(j->status))
        j->state = JOB_HUNG;
    else if (wk_status_role(j->status) == ROLE_CRIT || j->failures > 0)
        j->state = JOB_FAILED;
    else if (have_expr && j->due > 0 && j->last_run > 0 && j->last_run < j->due - EARLY_MS)
        j->state = JOB_MISSED;
    else if (j->sched_err)
        j->state = JOB_BAD_SCHEDULE;
    else if (j->last_run <= 0)
        j->state = JOB_NEVER;
    else
        j->state = JOB_OK;
}

static int job_cmp(const void *a, const void *b)
{
    const Job *x = a, *y = b;
    if (x->state != y->state)
        return x->state < y->state ? -1 : 1;
    return strcmp(x->name, y->name);
}

static int cron_load(void *self, const WidgetEnv *env, int rows, char **err)
{
    Cron *c = self;
    sqlite3 *db = env && env->cache ? cache_db(env->cache) : NULL;
    jobs_drop(c);
    if (!db) {
        set_err(err, "cron: no cache");
        return -1;
    }
    sqlite3_stmt *st = wk_prepare(db, "cron",
        "SELECT source, key, job_id, name, schedule, enabled, last_run, last_status,"
        " last_duration_ms, next_run, consecutive_failures FROM cron ORDER BY job_id LIMIT 500",
        err);
    if (!st)
        return -1;
    int cap = 0;   /* grown to the rows there are, not MAX_JOBS up front */
    c->jobs = xgrow(NULL, 0, &cap, sizeof *c->jobs);
    int rc;
    while (c->njobs < MAX_JOBS && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        c->jobs = xgrow(c->jobs, c->njobs, &cap, sizeof *c->jobs);
        Job *j = &c->jobs[c->njobs++];
        j->source = wk_dup(st, 0);
        j->key = wk_dup(st, 1);
        j->id = wk_dup(st, 2);
        j->name = wk_dup(st, 3);
        if (!*j->name) {
            free(j->name);
            j->name = xstrdup(*j->id ? j->id : j->key);
        }
        j->schedule = wk_dup(st, 4);
        j->enabled = sqlite3_column_type(st, 5) == SQLITE_NULL || sqlite3_column_int(st, 5);
        j->last_run_s = wk_dup(st, 6);
        j->last_run = wk_time(st, 6);
        j->status = wk_dup(st, 7);
        j->duration_ms = sqlite3_column_int64(st, 8);
        j->next_run_s = wk_dup(st, 9);
        j->next_run = wk_time(st, 9);
        j->failures = sqlite3_column_int(st, 10);
        classify(j, env->now_ms, c->grace_ms);
        c->nproblems += j->state <= JOB_BAD_SCHEDULE;
    }
    if (c->njobs == MAX_JOBS)
        rc = SQLITE_DONE;
    if (wk_finish(db, st, rc, "cron", err) < 0)
        return -1;
    qsort(c->jobs, (size_t)c->njobs, sizeof *c->jobs, job_cmp);
    list_sync(&c->lv, c->jobs, c->njobs, rows, job_id);
    return 0;
}

static const char *state_word(const Job *j)
{
    switch (j->state) {
    case JOB_FAILED: return *j->status ? j->status : "failed";
    case JOB_HUNG: return "hung";
    case JOB_MISSED: return "missed";
    case JOB_BAD_SCHEDULE: return "bad schedule";
    case JOB_NEVER: return "never ran";
    case JOB_DISABLED: return "disabled";
    default: return *j->status ? j->status : "ok";
    }
}

static Role state_role(const Job *j)
{
    switch (j->state) {
    case JOB_FAILED:
    case JOB_HUNG: return ROLE_CRIT;
    case JOB_MISSED:
    case JOB_BAD_SCHEDULE: return ROLE_WARN;
    case JOB_OK: return ROLE_OK;
    default: return ROLE_DIM;
    }
}

/* One row: "! revenue-collector  0 6 * * *  5m error  in 55m  x3"; narrow
 * panes keep the mark, the name and the state. */
static void draw_row(WINDOW *w, int y, const Job *j, int selected, const WidgetEnv *env,
                     const PaneInfo *pane)
{
    int W = getmaxx(w);
    Role sr = wk_row_role(selected, pane, state_role(j));
    Role row = wk_row_role(selected, pane, j->state == JOB_DISABLED ? ROLE_DIM : ROLE_NORMAL);
    Role dim = wk_row_role(selected, pane, ROLE_DIM);
    if (row == ROLE_SELECTED)
        wk_fill(w, y, 0, W, ROLE_SELECTED);
    int problem = j->state <= JOB_BAD_SCHEDULE;
    int x = wk_text(w, y, 0, 1, sr, problem ? "!" : j->state == JOB_OK ? wk_g("\u2713", "+") :
                    " ") + 1;
    Role name_role = problem ? sr : row;
    if (W < 40) {                      /* mark, name, state */
        int sw = text_width(state_word(j));
        if (sw > 12)
            sw = 12;
        int namew = W - x - sw - 1;
        if (namew < 4)
            namew = W - x;
        wk_cell(w, y, x, namew, name_role, j->name);
        if (namew < W - x)
            wk_text_right(w, y, W, sw, sr, state_word(j));
        return;
    }
    int show_sched = W >= 62, show_next = W >= 48;
    int right = 5 + 12 + (show_next ? 8 : 0) + 5 + (show_sched ? 16 : 0);
    int namew = W - x - right - 1;
    if (namew > 24)
        namew = 24;
    x += wk_cell(w, y, x, namew, name_role, j->name) + 1;
    if (show_sched)
        x += wk_cell(w, y, x, 15, j->sched_err ? wk_row_role(selected, pane, ROLE_WARN) : dim,
                     *sched_shown(j->schedule) ? sched_shown(j->schedule) : "-") + 1;
    char age[24];
    wk_age(env->now_ms, j->last_run, age, sizeof age);
    wk_text_right(w, y, x + 4, 4, dim, age);
    x += 5;
    x += wk_cell(w, y, x, 12, sr, state_word(j));
    if (show_next) {
        char nx[24] = "-";
        if (j->next_run > 0 && j->enabled)
            wk_age(env->now_ms, j->next_run, nx, sizeof nx);
        wk_text_right(w, y, x + 7, 7, dim, nx);
        x += 8;
    }
    if (j->failures > 0) {
        char s[16];
        snprintf(s, sizeof s, "x%d", j->failures > 999 ? 999 : j->failures);
        wk_text_right(w, y, x + 5, 4, wk_row_role(selected, pane, ROLE_CRIT), s);
    }
}

static void cron_draw(void *self, WINDOW *w, const WidgetEnv *env, const PaneInfo *pane)
{
    Cron *c = self;
    werase(w);
    if (c->njobs == 0) {
        wk_empty(w, NULL);
        return;
    }
    int H = getmaxy(w);
    list_clamp(&c->lv, c->njobs, H);
    for (int y = 0; y < H && c->lv.top + y < c->njobs; y++)
        draw_row(w, y, &c->jobs[c->lv.top + y], list_is_sel(&c->lv, c->lv.top + y), env, pane);
}

static HandlerResult cron_key(void *self, Action act, Intent *out)
{
    Cron *c = self;
    HandlerResult hr = list_move(&c->lv, act, 0);
    if (hr == HR_REDRAW)
        list_repin(&c->lv, c->jobs, job_id);
    return hr;
}

static ListView *cron_list(void *self)
{
    return &((Cron *)self)->lv;
}

static void cron_title_note(void *self, char *buf, size_t n)
{
    Cron *c = self;
    if (c->nproblems)
        snprintf(buf, n, "%d need%s attention", c->nproblems, c->nproblems == 1 ? "s" : "");
    else if (c->njobs)
        snprintf(buf, n, "%d ok", c->njobs);
    else if (n)
        buf[0] = '\0';
}

static int cron_detail(void *self, Buf *out)
{
    Cron *c = self;
    if (c->njobs == 0 || c->lv.sel < 0 || c->lv.sel >= c->njobs)
        return -1;
    const Job *j = &c->jobs[c->lv.sel];
    char due[40] = "-";
    if (j->due > 0)
        time_format_iso(j->due, due, sizeof due);
    char next[40] = "-";
    if (j->next_run > 0)
        time_format_iso(j->next_run, next, sizeof next);
    buf_printf(out, "job:          %s (%s)\n", j->name, state_word(j));
    buf_printf(out, "id:           %s\n", j->id);
    buf_printf(out, "schedule:     %s\n", *j->schedule ? j->schedule : "(unknown)");
    if (j->sched_err)
        buf_printf(out, "              %s\n", j->sched_err);
    buf_printf(out, "enabled:      %s\n", j->enabled ? "yes" : "no");
    buf_printf(out, "last run:     %s\n", *j->last_run_s ? j->last_run_s : "never");
    buf_printf(out, "last status:  %s\n", *j->status ? j->status : "-");
    buf_printf(out, "duration:     %lld ms\n", (long long)j->duration_ms);
    buf_printf(out, "last due:     %s (grace %llds)\n", due, (long long)(c->grace_ms / 1000));
    buf_printf(out, "next run:     %s\n", next);
    buf_printf(out, "failures:     %d in a row\n", j->failures);
    buf_printf(out, "source:       %s\nkey:          %s\n", j->source, j->key);
    return 0;
}

const WidgetClass cron_widget = {
    .name = "cron",
    .title = "Cron",
    .datasets = 1u << DS_CRON,
    .create = cron_create,
    .load = cron_load,
    .draw = cron_draw,
    .key = cron_key,
    .title_note = cron_title_note,
    .detail = cron_detail,
    .list = cron_list,
    .destroy = cron_destroy,
};
