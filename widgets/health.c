/* health.c — the machine at a glance from the newest `system` row: CPU,
 * memory and disk gauges colored by the warn/crit thresholds (warn_pct,
 * crit_pct), load, the 0-100 health score, services up or down (the services
 * JSON array), and a CPU sparkline over the last samples of the same host.
 * Below the gauges, one line per build/deploy source (github_actions,
 * vercel, ...): its newest `activity` row with event_type build or deploy,
 * as "● ci  success  3m". */
#include <math.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "wkit.h"

#define HISTORY 60
#define MAX_SERVICES 64
#define MAX_BUILDS 16

typedef struct Build {
    char *source, *status, *type;
    int64_t ts;
} Build;

typedef struct Service {
    char *name, *detail;
    int up;
} Service;

typedef struct Health {
    double warn, crit;
    int have;                         /* a row was found */
    char *host, *ts_s;
    int64_t ts;
    double cpu, mem, disk, load;      /* NAN when missing */
    int score;                        /* -1 when missing */
    Service services[MAX_SERVICES];
    int nservices, ndown;
    double cpu_hist[HISTORY];         /* oldest first */
    int nhist;
    Build builds[MAX_BUILDS];         /* the newest build/deploy row of each source */
    int nbuilds, nbuilds_bad;
} Health;

static void clear_row(Health *h)
{
    for (int i = 0; i < h->nservices; i++) {
        free(h->services[i].name);
        free(h->services[i].detail);
    }
    for (int i = 0; i < h->nbuilds; i++) {
        free(h->builds[i].source);
        free(h->builds[i].status);
        free(h->builds[i].type);
    }
    h->nbuilds = h->nbuilds_bad = 0;
    h->nservices = h->ndown = h->nhist = 0;
    free(h->host);
    free(h->ts_s);
    h->host = h->ts_s = NULL;
    h->have = 0;
    h->score = -1;
}

static void *health_create(const YNode *opts, const Config *cfg, char **err)
{
    static const char *const keys[] = {WK_COMMON_KEYS, "warn_pct", "crit_pct", NULL};
    double warn = 80, crit = 90;
    if (opts && (ynode_check_keys(opts, keys, "health widget", err) < 0 ||
                 ynode_double(opts, "warn_pct", &warn, err) < 0 ||
                 ynode_double(opts, "crit_pct", &crit, err) < 0))
        return NULL;
    if (!(warn >= 0 && warn <= 100) || !(crit >= 0 && crit <= 100) || warn > crit) {
        const YNode *at = opts ? ynode_get(opts, "warn_pct") : NULL;
        if (!at)
            at = ynode_get(opts, "crit_pct");
        ynode_error(at ? at : opts, err, "health widget: need 0 <= warn_pct <= crit_pct <= 100"
                    " (have %g and %g)", warn, crit);
        return NULL;
    }
    Health *h = xcalloc(1, sizeof *h);
    h->warn = warn;
    h->crit = crit;
    h->score = -1;
    return h;
}

static void health_destroy(void *self)
{
    Health *h = self;
    if (!h)
        return;
    clear_row(h);
    free(h);
}

static double col_num(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

/* Is a service's `up` true? (true, 1, "up", "ok", "true") */
static int json_up(const cJSON *v)
{
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v);
    if (cJSON_IsNumber(v))
        return v->valuedouble != 0;
    if (cJSON_IsString(v)) {
        static const char *const yes[] = {"up", "ok", "true", "yes", "healthy", NULL};
        return wk_word_in(v->valuestring, yes);
    }
    return 0;
}

static void parse_services(Health *h, const char *json, size_t len)
{
    cJSON *arr = cJSON_ParseWithLength(json, len);
    const cJSON *list = cJSON_IsArray(arr) ? arr : NULL, *it;
    cJSON_ArrayForEach(it, list) {
        if (h->nservices == MAX_SERVICES)
            break;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name");
        const cJSON *detail = cJSON_GetObjectItemCaseSensitive(it, "detail");
        if (!cJSON_IsString(name))
            continue;           /* not a service entry */
        Service *s = &h->services[h->nservices++];
        s->name = xstrndup(name->valuestring, 64);
        s->detail = xstrndup(cJSON_IsString(detail) ? detail->valuestring : "", 512);
        s->up = json_up(cJSON_GetObjectItemCaseSensitive(it, "up"));
        h->ndown += !s->up;
    }
    cJSON_Delete(arr);
}

static int load_history(Health *h, sqlite3 *db, char **err)
{
    sqlite3_stmt *st = wk_prepare(db, "health",
        "SELECT cpu_pct FROM system WHERE host IS ?1 ORDER BY ts DESC LIMIT 60", err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, h->host, -1, SQLITE_STATIC);
    double tmp[HISTORY];
    int n = 0, rc;
    while (n < HISTORY && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        double v = col_num(st, 0);
        tmp[n++] = isnan(v) ? 0 : v;
    }
    if (n == HISTORY)
        rc = SQLITE_DONE;
    for (int i = 0; i < n; i++)
        h->cpu_hist[i] = tmp[n - 1 - i];
    h->nhist = n;
    return wk_finish(db, st, rc, "health", err);
}

/* The newest build or deploy row of each source (SQLite takes the bare
 * columns from the row holding the max). */
static int load_builds(Health *h, sqlite3 *db, char **err)
{
    sqlite3_stmt *st = wk_prepare(db, "health",
        "SELECT source, status, event_type, max(ts) FROM activity"
        " WHERE event_type IN ('build', 'deploy') GROUP BY source ORDER BY source LIMIT 16", err);
    if (!st)
        return -1;
    int rc;
    while (h->nbuilds < MAX_BUILDS && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        Build *b = &h->builds[h->nbuilds++];
        b->source = wk_dup(st, 0);
        b->status = wk_dup(st, 1);
        b->type = wk_dup(st, 2);
        b->ts = wk_time(st, 3);
        h->nbuilds_bad += wk_status_role(b->status) == ROLE_CRIT;
    }
    if (h->nbuilds == MAX_BUILDS)
        rc = SQLITE_DONE;
    return wk_finish(db, st, rc, "health", err);
}

static int health_load(void *self, const WidgetEnv *env, int rows, char **err)
{
    Health *h = self;
    sqlite3 *db = env && env->cache ? cache_db(env->cache) : NULL;
    clear_row(h);
    if (!db) {
        set_err(err, "health: no cache");
        return -1;
    }
    sqlite3_stmt *st = wk_prepare(db, "health",
        "SELECT host, ts, cpu_pct, mem_pct, disk_pct, load1, health_score, services"
        " FROM system ORDER BY ts DESC LIMIT 1", err);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        h->have = 1;
        h->host = wk_dup(st, 0);
        h->ts_s = wk_dup(st, 1);
        h->ts = wk_time(st, 1);
        h->cpu = col_num(st, 2);
        h->mem = col_num(st, 3);
        h->disk = col_num(st, 4);
        h->load = col_num(st, 5);
        h->score = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 6);
        int n = sqlite3_column_bytes(st, 7);
        if (n > 0 && n < 256 * 1024)
            parse_services(h, wk_col(st, 7), (size_t)n);
    }
    if (wk_finish(db, st, rc, "health", err) < 0 || load_builds(h, db, err) < 0)
        return -1;
    return h->have ? load_history(h, db, err) : 0;
}

static Role score_role(int score)
{
    return score < 0 ? ROLE_DIM : score >= 80 ? ROLE_OK : score >= 50 ? ROLE_WARN : ROLE_CRIT;
}

static Role pct_role(const Health *h, double pct)
{
    return isnan(pct) ? ROLE_DIM : pct >= h->crit ? ROLE_CRIT : pct >= h->warn ? ROLE_WARN :
           ROLE_OK;
}

/* "host  score 92  load 0.42" */
static void draw_header(Health *h, WINDOW *w, int y)
{
    int W = getmaxx(w);
    int x = 0;
    char s[48];
    if (h->score >= 0) {
        snprintf(s, sizeof s, "score %d", h->score);
        x += wk_text(w, y, x, W - x, score_role(h->score), s) + 2;
    }
    if (!isnan(h->load)) {
        snprintf(s, sizeof s, "load %.2f", h->load);
        x += wk_text(w, y, x, W - x, ROLE_NORMAL, s) + 2;
    }
    if (h->host && *h->host && W - x >= 6)
        wk_text_right(w, y, W, W - x, ROLE_DIM, h->host);
}

/* One line of a tiny pane: "CPU 42% MEM 63% DSK 35% 92". */
static void draw_compact(Health *h, WINDOW *w, int y)
{
    const char *lab[] = {"CPU ", "MEM ", "DSK "};
    double v[] = {h->cpu, h->mem, h->disk};
    int x = 0;
    for (int i = 0; i < 3; i++) {
        char s[24];
        if (isnan(v[i]))
            snprintf(s, sizeof s, "%s?", lab[i]);
        else
            snprintf(s, sizeof s, "%s%.0f%%", lab[i], v[i]);
        x += wk_text(w, y, x, getmaxx(w) - x, pct_role(h, v[i]), s) + 1;
    }
    if (h->score >= 0) {
        char s[16];
        snprintf(s, sizeof s, "%s%d", wk_g("\u2665", "#"), h->score);
        wk_text(w, y, x, getmaxx(w) - x, score_role(h->score), s);
    }
}

/* Services as "● api  ● db  ✕ redis" flowing over rows y..ymax-1. */
static void draw_services(Health *h, WINDOW *w, int y, int ymax)
{
    int W = getmaxx(w), x = 0;
    for (int i = 0; i < h->nservices && y < ymax; i++) {
        const Service *s = &h->services[i];
        int need = 2 + text_width(s->name);
        if (need > 24)
            need = 24;
        if (x > 0 && x + need > W) {
            y++;
            x = 0;
            if (y >= ymax)
                break;
        }
        if (y == ymax - 1 && i < h->nservices - 1 && x + need + 8 > W && x > 0) {
            char more[24];
            snprintf(more, sizeof more, "+%d more", h->nservices - i);
            wk_text(w, y, x, W - x, ROLE_DIM, more);
            return;
        }
        Role r = s->up ? ROLE_OK : ROLE_CRIT;
        x += wk_text(w, y, x, 2, r, s->up ? wk_g("\u25cf ", "+ ") : wk_g("\u2715 ", "x "));
        x += wk_text(w, y, x, need - 2, s->up ? ROLE_NORMAL : ROLE_CRIT, s->name) + 2;
    }
}

/* "● ci        success  3m" per build/deploy source, on rows y..ymax-1;
 * returns the next free row. */
static int draw_builds(Health *h, WINDOW *w, int y, int ymax, int64_t now)
{
    int W = getmaxx(w);
    for (int i = 0; i < h->nbuilds && y < ymax; i++, y++) {
        const Build *b = &h->builds[i];
        Role r = wk_status_role(b->status);
        char age[24];
        wk_age(now, b->ts, age, sizeof age);
        int x = wk_text(w, y, 0, 2, r == ROLE_NORMAL ? ROLE_DIM : r, r == ROLE_CRIT ? wk_g("\u2715 ", "x ")
                                                                                  : wk_g("\u25cf ", "+ "));
        int namew = W / 3 > 16 ? 16 : W / 3;
        wk_text(w, y, x, namew, ROLE_NORMAL, b->source);
        x += namew + 1;
        int aw = text_width(age);
        wk_text(w, y, x, W - x - aw - 1, r, b->status && *b->status ? b->status : b->type);
        wk_text_right(w, y, W, aw, ROLE_DIM, age);
    }
    return y;
}

static void health_draw(void *self, WINDOW *w, const WidgetEnv *env, const PaneInfo *pane)
{
    Health *h = self;
    werase(w);
    if (!h->have && !h->nbuilds) {
        wk_empty(w, NULL);
        return;
    }
    int64_t now = env ? env->now_ms : 0;
    if (!h->have) {
        draw_builds(h, w, 0, getmaxy(w), now);
        return;
    }
    int H = getmaxy(w), W = getmaxx(w);
    if (H < 4) {
        draw_compact(h, w, 0);
        if (H >= 2)
            draw_services(h, w, 1, H);
        return;
    }
    int y = 0;
    draw_header(h, w, y++);
    wk_gauge(w, y++, 0, W, "CPU ", h->cpu, h->warn, h->crit);
    wk_gauge(w, y++, 0, W, "MEM ", h->mem, h->warn, h->crit);
    wk_gauge(w, y++, 0, W, "DISK", h->disk, h->warn, h->crit);
    y = draw_builds(h, w, y, H, now);
    if (h->nservices > 0 && y < H)
        draw_services(h, w, y, H - (H - y >= 3 && h->nhist > 1 ? 1 : 0));
    if (h->nhist > 1 && H - y >= (h->nservices ? 3 : 1)) {
        int x = wk_text(w, H - 1, 0, W, ROLE_DIM, "cpu ");
        wk_spark(w, H - 1, x, W - x, h->cpu_hist, h->nhist, ROLE_ACCENT);
    }
}

static void health_title_note(void *self, char *buf, size_t n)
{
    Health *h = self;
    if (h->ndown && h->nbuilds_bad)
        snprintf(buf, n, "%d down, %d failing", h->ndown, h->nbuilds_bad);
    else if (h->nbuilds_bad)
        snprintf(buf, n, "%d failing", h->nbuilds_bad);
    else if (h->ndown)
        snprintf(buf, n, "%d down", h->ndown);
    else if (h->score >= 0)
        snprintf(buf, n, "score %d", h->score);
    else if (n)
        buf[0] = '\0';
}

static int health_detail(void *self, Buf *out)
{
    Health *h = self;
    if (!h->have && !h->nbuilds)
        return -1;
    if (h->nbuilds)
        buf_puts(out, "builds and deploys (the newest of each source):\n");
    for (int i = 0; i < h->nbuilds; i++) {
        char iso[40];
        time_format_iso(h->builds[i].ts, iso, sizeof iso);
        buf_printf(out, "  %-16s %-7s %-12s %s\n", h->builds[i].source, h->builds[i].type,
                   h->builds[i].status ? h->builds[i].status : "", iso);
    }
    if (!h->have)
        return 0;
    if (h->nbuilds)
        buf_puts(out, "\n");
    buf_printf(out, "host:    %s\nsampled: %s\n", h->host, h->ts_s);
    buf_printf(out, "cpu:     %.1f%%\nmemory:  %.1f%%\ndisk:    %.1f%%\nload:    %.2f\n",
               h->cpu, h->mem, h->disk, h->load);
    buf_printf(out, "score:   %d\n", h->score);
    buf_printf(out, "thresholds: warn %.0f%%, critical %.0f%%\n", h->warn, h->crit);
    if (h->nservices)
        buf_printf(out, "\nservices (%d down):\n", h->ndown);
    for (int i = 0; i < h->nservices; i++)
        buf_printf(out, "  %-4s %s%s%s\n", h->services[i].up ? "up" : "DOWN",
                   h->services[i].name, *h->services[i].detail ? "  " : "",
                   h->services[i].detail);
    return 0;
}

const WidgetClass health_widget = {
    .name = "health",
    .title = "Health",
    .datasets = 1u << DS_SYSTEM | 1u << DS_ACTIVITY,
    .create = health_create,
    .load = health_load,
    .draw = health_draw,
    .title_note = health_title_note,
    .detail = health_detail,
    .destroy = health_destroy,
};
