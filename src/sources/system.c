/* system.c — the `system` source kind: this machine's health as one row of
 * the `system` dataset per fetch.
 *
 * CPU % comes from deltas of the aggregate "cpu" line of /proc/stat between
 * two fetches (the previous sample lives in the runtime state from open()).
 * The first fetch has no previous sample, so it takes a second one ~150 ms
 * later; when nothing moved in between (a frozen /proc, as in tests) it
 * reports the average since boot instead. Memory % is 1 - MemAvailable /
 * MemTotal, disk % the fullest configured mount (statvfs), load1 the first
 * field of /proc/loadavg. Service probes (TCP connect, HTTP GET, process
 * name) run one after another, each bounded by probe_timeout and the fetch
 * deadline; see system_probe below. The services array holds one entry per
 * probe and one per disk ({name, up, detail, kind, pct}); `kind` tells them
 * apart. Rows are keyed host@ts and merged, so history builds up and the
 * cache's retention trims it. Bad /proc content is an error naming the file
 * and line; the rows already cached stay. */
#include "system.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "../source.h"
#include "../util.h"
#include "fileutil.h"
#include "system_probe.h"

#define SYS_PROC_MAX (1 << 20)    /* bytes read from one /proc file at most */
#define SYS_FIRST_GAP_MS 150      /* gap between the two samples of a first fetch */

typedef struct SysConfig {
    char **disks;                 /* NULL-terminated; default {"/"} */
    SysService *services;
    int nservices;
    char *host;                   /* NULL: gethostname() at fetch time */
    char *proc_root;              /* default "/proc" */
    int64_t probe_timeout_ms;     /* default 2s */
    double warn_pct, crit_pct;    /* default 80, 90 */
} SysConfig;

/* Runtime state: the previous CPU sample. */
typedef struct SysState {
    pthread_mutex_t lock;
    int have_prev;
    unsigned long long prev_total, prev_idle;
} SysState;

typedef struct CpuSample {
    unsigned long long total, idle;
    int ncpu;
} CpuSample;

int src_system_health(const SysMetrics *m, double warn_pct, double crit_pct)
{
    const double pcts[3] = {m->cpu_pct, m->mem_pct, m->disk_pct};
    int score = 100;
    for (int i = 0; i < 3; i++) {
        if (pcts[i] >= crit_pct)
            score -= 30;
        else if (pcts[i] >= warn_pct)
            score -= 15;
    }
    score -= 20 * (m->services_down > 0 ? m->services_down : 0);
    if (m->load1 > (m->ncpu > 0 ? m->ncpu : 1) * 1.5)
        score -= 10;
    return score < 0 ? 0 : score > 100 ? 100 : score;
}

/* ---- configuration ---- */

static void sys_free_config(void *p)
{
    SysConfig *c = p;
    if (!c)
        return;
    strv_free(c->disks);
    for (int i = 0; i < c->nservices; i++)
        probe_service_free(&c->services[i]);
    free(c->services);
    free(c->host);
    free(c->proc_root);
    free(c);
}

static int sys_configure_services(SysConfig *c, const YNode *seq, char **err)
{
    if (!seq)
        return 0;
    if (seq->type != YN_SEQ)
        return ynode_error(seq, err, "'services' must be a list of {name, tcp|http|process}");
    c->services = xcalloc((size_t)(seq->n ? seq->n : 1), sizeof *c->services);
    for (int i = 0; i < seq->n; i++) {
        if (probe_service_configure(&c->services[i], seq->items[i], err) != 0)
            return -1;
        c->nservices++;
    }
    return 0;
}

static int sys_configure(SourceConfig *sc, const YNode *map, char **err)
{
    static const char *const keys[] = {"disks", "services", "host", "proc_root",
                                       "probe_timeout", "warn_pct", "crit_pct", NULL};
    if (source_check_keys(map, keys, err) != 0)
        return -1;
    const YNode *feeds = ynode_get(map, "feeds");
    if (feeds && (feeds->type != YN_SCALAR || strcmp(feeds->scalar, "system") != 0))
        return ynode_error(feeds, err, "a system source only feeds 'system'");
    SysConfig *c = xcalloc(1, sizeof *c);
    c->probe_timeout_ms = 2000;
    c->warn_pct = 80;
    c->crit_pct = 90;
    if (ynode_strv(map, "disks", &c->disks, err) != 0 || ynode_str(map, "host", &c->host, err) != 0 ||
        ynode_path(map, "proc_root", &c->proc_root, err) != 0 ||
        ynode_duration(map, "probe_timeout", &c->probe_timeout_ms, err) != 0 ||
        ynode_double(map, "warn_pct", &c->warn_pct, err) != 0 ||
        ynode_double(map, "crit_pct", &c->crit_pct, err) != 0 ||
        sys_configure_services(c, ynode_get(map, "services"), err) != 0)
        goto fail;
    if (c->probe_timeout_ms <= 0) {
        ynode_error(ynode_get(map, "probe_timeout"), err, "probe_timeout must be positive");
        goto fail;
    }
    if (!(c->warn_pct >= 0 && c->crit_pct <= 100 && c->warn_pct <= c->crit_pct)) {
        ynode_error(ynode_get(map, "warn_pct") ? ynode_get(map, "warn_pct") : ynode_get(map, "crit_pct"),
                    err, "need 0 <= warn_pct <= crit_pct <= 100");
        goto fail;
    }
    if (!c->disks || !c->disks[0]) {
        strv_free(c->disks);
        c->disks = xcalloc(2, sizeof *c->disks);
        c->disks[0] = xstrdup("/");
    }
    if (!c->proc_root)
        c->proc_root = xstrdup("/proc");
    if (c->host && !c->host[0]) {
        ynode_error(ynode_get(map, "host"), err, "host must not be empty");
        goto fail;
    }
    sc->kcfg = c;
    return 0;
fail:
    sys_free_config(c);
    return -1;
}

/* ---- /proc readers ---- */

/* Reads the numbers after "cpu " in line[0..n): at most 10; returns how many, or -1 on garbage. */
static int cpu_fields(const char *line, size_t n, unsigned long long v[10])
{
    const char *p = line + 4, *lim = line + n;
    int nv = 0;
    while (nv < 10) {
        while (p < lim && (*p == ' ' || *p == '\t'))
            p++;
        if (p >= lim || *p == '\r')
            break;
        if (!isdigit((unsigned char)*p))
            return -1;
        char *end;
        errno = 0;
        v[nv++] = strtoull(p, &end, 10);
        if (errno || (end < lim && *end != ' ' && *end != '\t' && *end != '\r'))
            return -1;
        p = end;
    }
    return nv;
}

/* Parses the aggregate "cpu" line and counts "cpuN" lines of a /proc/stat text. */
static int parse_stat(const char *path, const char *text, CpuSample *out, char **err)
{
    int found = 0;
    out->ncpu = 0;
    for (const char *line = text; *line; ) {
        const char *eol = strchr(line, '\n');
        size_t n = eol ? (size_t)(eol - line) : strlen(line);
        if (n > 3 && strncmp(line, "cpu", 3) == 0 && isdigit((unsigned char)line[3])) {
            out->ncpu++;
        } else if (n >= 4 && strncmp(line, "cpu ", 4) == 0 && !found) {
            unsigned long long v[10] = {0};
            int nv = cpu_fields(line, n, v);
            if (nv < 4) {
                char snip[64];
                int lineno, col;
                fu_line_col(text, strlen(text), (size_t)(line - text), &lineno, &col);
                fu_snippet(line, n, snip, sizeof snip);
                set_err(err, "%s:%d: malformed cpu line '%s'", path, lineno, snip);
                return -1;
            }
            /* user nice system idle iowait irq softirq steal; guest is inside user */
            out->total = 0;
            for (int i = 0; i < nv && i < 8; i++)
                out->total += v[i];
            out->idle = v[3] + v[4];
            found = 1;
        }
        if (!eol)
            break;
        line = eol + 1;
    }
    if (!found) {
        set_err(err, "%s: no aggregate 'cpu' line", path);
        return -1;
    }
    if (out->ncpu < 1)
        out->ncpu = 1;
    return 0;
}

static int read_proc(const SysConfig *c, const char *leaf, char **text, char **path, char **err)
{
    size_t len = 0;
    *path = xasprintf("%s/%s", c->proc_root, leaf);
    if (file_read_all(*path, SYS_PROC_MAX, text, &len, err) != 0)
        return -1;
    if (strlen(*text) != len) {
        set_err(err, "%s: unexpected NUL byte (not a /proc text file)", *path);
        return -1;
    }
    return 0;
}

static int sample_cpu(const SysConfig *c, CpuSample *s, char **err)
{
    char *text = NULL, *path = NULL;
    int rc = read_proc(c, "stat", &text, &path, err);
    if (rc == 0)
        rc = parse_stat(path, text, s, err);
    free(text);
    free(path);
    return rc;
}

/* Sleeps up to ms in short slices; returns -1 when cancelled or past the deadline. */
static int nap(FetchCtx *ctx, int ms)
{
    int64_t until = mono_ms() + ms;
    while (mono_ms() < until) {
        if ((ctx->cancel && *ctx->cancel) || (ctx->deadline_ms && mono_ms() >= ctx->deadline_ms))
            return -1;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static double busy_pct(unsigned long long dtotal, unsigned long long didle)
{
    if (dtotal == 0)
        return 0;
    if (didle > dtotal)
        didle = dtotal;
    return 100.0 * (double)(dtotal - didle) / (double)dtotal;
}

/* CPU busy % since the previous sample (see the file comment for the first fetch). */
static int measure_cpu(SysState *st, const SysConfig *c, FetchCtx *ctx, double *pct, int *ncpu,
                       char **err)
{
    CpuSample cur;
    if (sample_cpu(c, &cur, err) != 0)
        return -1;
    pthread_mutex_lock(&st->lock);
    int have = st->have_prev;
    unsigned long long pt = st->prev_total, pi = st->prev_idle;
    pthread_mutex_unlock(&st->lock);
    if (!have) {
        pt = cur.total;
        pi = cur.idle;
        if (nap(ctx, SYS_FIRST_GAP_MS) != 0) {
            set_err(err, "cancelled while sampling cpu");
            return -1;
        }
        if (sample_cpu(c, &cur, err) != 0)
            return -1;
    }
    if (cur.total > pt && cur.idle >= pi)
        *pct = busy_pct(cur.total - pt, cur.idle - pi);
    else
        *pct = busy_pct(cur.total, cur.idle);   /* nothing moved, or counters reset */
    *ncpu = cur.ncpu;
    pthread_mutex_lock(&st->lock);
    st->have_prev = 1;
    st->prev_total = cur.total;
    st->prev_idle = cur.idle;
    pthread_mutex_unlock(&st->lock);
    return 0;
}

/* "Key:   123 kB" -> 123; returns 0 on a good number. */
static int meminfo_value(const char *p, long long *out)
{
    char *end;
    while (*p == ' ' || *p == '\t')
        p++;
    if (!isdigit((unsigned char)*p))
        return -1;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    if (errno || v < 0 || (*end && !isspace((unsigned char)*end)))
        return -1;
    *out = v;
    return 0;
}

static int measure_mem(const SysConfig *c, double *pct, char **err)
{
    static const char *const names[] = {"MemTotal", "MemAvailable", "MemFree", "Buffers", "Cached"};
    long long v[5] = {-1, -1, -1, -1, -1};
    char *text = NULL, *path = NULL;
    int rc = read_proc(c, "meminfo", &text, &path, err), lineno = 1;
    for (char *line = text; rc == 0 && line && *line; lineno++) {
        char *eol = strchr(line, '\n');
        if (eol)
            *eol = '\0';
        char *colon = strchr(line, ':');
        for (int i = 0; colon && i < 5; i++) {
            if ((size_t)(colon - line) == strlen(names[i]) && strncmp(line, names[i], strlen(names[i])) == 0 &&
                meminfo_value(colon + 1, &v[i]) != 0) {
                char snip[64];
                fu_snippet(line, strlen(line), snip, sizeof snip);
                set_err(err, "%s:%d: malformed line '%s'", path, lineno, snip);
                rc = -1;
            }
        }
        line = eol ? eol + 1 : NULL;
    }
    if (rc == 0 && v[0] <= 0) {
        set_err(err, "%s: no MemTotal", path);
        rc = -1;
    }
    if (rc == 0) {
        long long avail = v[1];
        if (avail < 0)   /* kernels before 3.14 */
            avail = (v[2] > 0 ? v[2] : 0) + (v[3] > 0 ? v[3] : 0) + (v[4] > 0 ? v[4] : 0);
        if (avail > v[0])
            avail = v[0];
        *pct = 100.0 * (double)(v[0] - avail) / (double)v[0];
    }
    free(text);
    free(path);
    return rc;
}

static int measure_load(const SysConfig *c, double *load1, char **err)
{
    char *text = NULL, *path = NULL;
    int rc = read_proc(c, "loadavg", &text, &path, err);
    if (rc == 0) {
        char *end;
        errno = 0;
        double v = strtod(text, &end);
        if (end == text || errno || !isfinite(v) || v < 0 || (*end && !isspace((unsigned char)*end))) {
            char snip[64];
            fu_snippet(text, strcspn(text, "\n"), snip, sizeof snip);
            set_err(err, "%s:1: malformed load average '%s'", path, snip);
            rc = -1;
        } else {
            *load1 = v;
        }
    }
    free(text);
    free(path);
    return rc;
}

/* ---- disks ---- */

static void human_bytes(double b, char *out, size_t outsz)
{
    static const char units[] = "BKMGTPE";
    int u = 0;
    while (b >= 1024 && u < 6) {
        b /= 1024;
        u++;
    }
    snprintf(out, outsz, u ? "%.1f%c" : "%.0f%c", b, units[u]);
}

/* Adds one services entry per disk; returns the fullest disk's %, counts unreadable ones. */
static double measure_disks(const SysConfig *c, cJSON *services, int *unreadable)
{
    double max_pct = 0;
    for (int i = 0; c->disks[i]; i++) {
        struct statvfs sv;
        char name[300], detail[160];
        snprintf(name, sizeof name, "disk %s", c->disks[i]);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", name);
        if (statvfs(c->disks[i], &sv) != 0) {
            snprintf(detail, sizeof detail, "cannot read: %s", strerror(errno));
            cJSON_AddBoolToObject(e, "up", 0);
            (*unreadable)++;
        } else {
            double frsize = (double)(sv.f_frsize ? sv.f_frsize : sv.f_bsize);
            double used = (double)(sv.f_blocks - sv.f_bfree) * frsize;
            double avail = (double)sv.f_bavail * frsize;
            double pct = used + avail > 0 ? 100.0 * used / (used + avail) : 0;
            char fr[32], tot[32];
            human_bytes(avail, fr, sizeof fr);
            human_bytes(used + avail, tot, sizeof tot);
            snprintf(detail, sizeof detail, "%.0f%% used, %s free of %s", pct, fr, tot);
            cJSON_AddBoolToObject(e, "up", pct < c->crit_pct);
            cJSON_AddNumberToObject(e, "pct", round(pct * 10) / 10);
            if (pct > max_pct)
                max_pct = pct;
        }
        cJSON_AddStringToObject(e, "detail", detail);
        cJSON_AddStringToObject(e, "kind", "disk");
        cJSON_AddItemToArray(services, e);
    }
    return max_pct;
}

/* ---- the class ---- */

static void *sys_open(const SourceConfig *sc)
{
    SysState *st = xcalloc(1, sizeof *st);
    pthread_mutex_init(&st->lock, NULL);
    return st;
}

static void sys_close(void *self)
{
    SysState *st = self;
    if (!st)
        return;
    pthread_mutex_destroy(&st->lock);
    free(st);
}

/* Runs every probe; returns how many are down. */
static int run_probes(const SysConfig *c, FetchCtx *ctx, cJSON *services)
{
    int down = 0;
    for (int i = 0; i < c->nservices; i++) {
        ProbeResult r;
        int64_t budget = c->probe_timeout_ms;
        if (ctx->deadline_ms) {
            int64_t left = ctx->deadline_ms - mono_ms();
            if (left < budget)
                budget = left;
        }
        if (budget <= 0 || (ctx->cancel && *ctx->cancel)) {
            r.up = 0;
            snprintf(r.detail, sizeof r.detail, "not probed: fetch out of time");
        } else {
            probe_run(&c->services[i], c->proc_root, budget, &r);
        }
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", c->services[i].name);
        cJSON_AddBoolToObject(e, "up", r.up);
        cJSON_AddStringToObject(e, "detail", r.detail);
        cJSON_AddStringToObject(e, "kind", probe_kind_name(c->services[i].kind));
        cJSON_AddItemToArray(services, e);
        down += !r.up;
    }
    return down;
}

static int sys_fetch(void *self, FetchCtx *ctx)
{
    const SysConfig *c = ctx->src->kcfg;
    SysState local = {.lock = PTHREAD_MUTEX_INITIALIZER};
    SysState *st = self ? self : &local;
    SysMetrics m = {0};
    if (!c) {
        set_err(&ctx->err, "system source not configured");
        return -1;
    }
    if (measure_cpu(st, c, ctx, &m.cpu_pct, &m.ncpu, &ctx->err) != 0 ||
        measure_mem(c, &m.mem_pct, &ctx->err) != 0 || measure_load(c, &m.load1, &ctx->err) != 0)
        return -1;
    cJSON *services = cJSON_CreateArray();
    int unreadable = 0;
    m.disk_pct = measure_disks(c, services, &unreadable);
    m.services_down = unreadable + run_probes(c, ctx, services);
    char host[256] = "localhost";
    if (c->host)
        snprintf(host, sizeof host, "%s", c->host);
    else if (gethostname(host, sizeof host) != 0 || !host[0])
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    char ts[40];
    time_format_iso(ctx->now_ms, ts, sizeof ts);

    Rows *rows = rows_new(dataset_get(DS_SYSTEM));
    const Dataset *ds = rows->ds;
    int r = rows_add(rows);
    char *key = xasprintf("%s@%s", host, ts);
    char *json = cJSON_PrintUnformatted(services);
    rows_set_text(rows, r, dataset_field(ds, "key"), key);
    rows_set_text(rows, r, dataset_field(ds, "host"), host);
    rows_set_time(rows, r, dataset_field(ds, "ts"), ctx->now_ms);
    rows_set_real(rows, r, dataset_field(ds, "cpu_pct"), round(m.cpu_pct * 10) / 10);
    rows_set_real(rows, r, dataset_field(ds, "mem_pct"), round(m.mem_pct * 10) / 10);
    rows_set_real(rows, r, dataset_field(ds, "disk_pct"), round(m.disk_pct * 10) / 10);
    rows_set_real(rows, r, dataset_field(ds, "load1"), m.load1);
    rows_set_int(rows, r, dataset_field(ds, "health_score"), src_system_health(&m, c->warn_pct, c->crit_pct));
    rows_set_text(rows, r, dataset_field(ds, "services"), json ? json : "[]");
    free(key);
    cJSON_free(json);
    cJSON_Delete(services);
    int rc = fetch_commit(ctx, &rows, 1, CACHE_MERGE);   /* counts ctx->rows */
    rows_free(rows);
    return rc;
}

const SourceClass src_system_class = {
    .kind = "system",
    .summary = "this machine: cpu, memory, disk, load, service probes, health score",
    .datasets = DS_BIT(DS_SYSTEM),
    .configure = sys_configure,
    .free_config = sys_free_config,
    .open = sys_open,
    .close = sys_close,
    .fetch = sys_fetch,
};
