/* demo_files.c — the sample files of `mc --demo`, in the formats of
 * mc.1 "FILE FORMATS": agent handoffs (blockers for the owner, handoffs,
 * resolutions, a line with terminal escapes, CJK and emoji), pending work,
 * projects, cron run logs (ok, failed, hung, running), agent state files,
 * token usage and revenue snapshots. Every time is relative to `now`, so ages,
 * heartbeats and "next run" look right whenever the demo starts. */
#include "demo_data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MIN_MS DEMO_MIN_MS
#define HOUR_MS DEMO_HOUR_MS
#define DAY_MS DEMO_DAY_MS

/* ---- the cast ---- */

const DemoAgent demo_agents[DEMO_NAGENTS] = {
    {"max", "sonnet-4.5", "chase the Vercel token rotation", "working", 20, 900},
    {"coder", "opus-4.6", "build_api: /v2/revenue endpoint", "working", 5, 1400},
    {"dash", "sonnet-4.5", "refresh the revenue dashboard", "working", 70, 700},
    {"atlas", "opus-4.6", "plan Q1 sponsor outreach", "idle", 6 * 60, 500},
    {"quill", "haiku-3.5", "draft newsletter #48", "idle", 11 * 60, 350},
    {"scout", "haiku-3.5", "crawl affiliate offers", "working", 95 * 60, 600},
    {"nova", "sonnet-4.5", "数据同步 (data sync)", "idle", 26 * 3600, 200},
};
#define N_AGENTS DEMO_NAGENTS
#define N_LIVE DEMO_LIVE_AGENTS

/* USD per million tokens (input, output); cache reads 10%, writes 125% of input. */
void demo_model_price(const char *model, double *in, double *out)
{
    if (strncmp(model, "opus", 4) == 0)
        *in = 15.0, *out = 75.0;
    else if (strncmp(model, "haiku", 5) == 0)
        *in = 0.25, *out = 1.25;
    else
        *in = 3.0, *out = 15.0;
}

/* ---- small helpers ---- */

static void iso_at(int64_t ms, char *out, size_t n)
{
    time_format_iso(ms, out, n);
}

static void date_at(int64_t ms, char *out, size_t n)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%d", &tm);
}

static int put_file(const char *dir, const char *leaf, const char *text, char **err)
{
    char *path = xasprintf("%s/%s", dir, leaf);
    int rc = file_write_atomic(path, text, strlen(text), 0600, err);
    free(path);
    return rc;
}

static int put_json(const char *dir, const char *leaf, cJSON *doc, char **err)
{
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    Buf b = {0};
    buf_puts(&b, text ? text : "null");
    buf_putc(&b, '\n');
    cJSON_free(text);
    int rc = put_file(dir, leaf, b.s, err);
    buf_free(&b);
    return rc;
}

void demo_add_iso(cJSON *o, const char *key, int64_t ms)
{
    char ts[40];
    iso_at(ms, ts, sizeof ts);
    cJSON_AddStringToObject(o, key, ts);
}

/* ---- agent handoffs ---- */

typedef struct DemoEvent {
    int min_ago;
    const char *id, *from, *to, *type, *status, *summary, *details;
    int action_needed;
} DemoEvent;

/* In file order (oldest first). details starting with '{' are written as an
 * object; type "resolution" uses `to` as the ref. */
static const DemoEvent demo_events[] = {
    {3100, "h-0001", "atlas", "team", "status", "info", "Weekly plan posted", "7 goals, 3 carried over", 0},
    {2950, "h-0002", "max", "apple", "blocker", "blocked", "Vercel token returns 403",
     "Deploy hooks fail since Monday; need a team-scoped token with deployments:read", 1},
    {2800, "h-0003", "dash", "atlas", "handoff", "ok", "Revenue collector finished", "{\"sources\":4,\"duration_s\":41}", 0},
    {2600, "h-0004", "coder", "team", "deploy", "ok", "Deployed api v2.3.0 to production", "build 1187, 42 s", 0},
    {2400, "h-0005", "scout", "dash", "handoff", "ok", "Found 14 new affiliate offers", "saved to offers/2025-w47.csv", 0},
    {2200, "h-0006", "max", "apple", "blocker", "blocked", "Close CRM export blocked by a 2FA prompt",
     "The export job needs a one-time code from Apple's phone", 1},
    {2050, "h-0007", "quill", "team", "status", "ok", "レポート生成完了 ✅ weekly report ready", "日本語版も含む", 0},
    {1900, "h-0008", "coder", "team", "error", "error", "CI failed on main: test_revenue_rollup", "expected 1840.22, got 1840.2", 0},
    {1850, "h-0009", "coder", "team", "status", "ok", "CI green again on main", "float rounding fixed", 0},
    {1700, "h-0010", "dash", "apple", "blocker", "blocked", "Impact API key expired",
     "Affiliate earnings stop at Nov 19 until the key is renewed", 1},
    {1600, "h-0011", "apple", "max", "resolution", "h-0006", "Code sent; export is running", NULL, 0},
    {1500, "h-0012", "dash", "team", "status", "ok", "MSN payout statement imported: $912.00", NULL, 0},
    {1400, "h-0013", "nova", "apple", "blocker", "blocked", "数据同步失败：需要新的 API 密钥 🔑",
     "同步任务自周二起失败 (sync failing since Tuesday)", 1},
    {1300, "h-0014", "scout", "team", "status", "warn",
     "Scraped title: \x1b]0;owned\x07" "Best deals\x1b[2J\x1b[?1049l (escapes shown, never obeyed)",
     "a page title carrying terminal escape sequences", 0},
    {1200, "h-0015", "coder", "apple", "blocker", "blocked", "Need a GitHub org admin to add the deploy key",
     "The key is in .secrets/deploy_key.pub", 1},
    {1100, "h-0016", "atlas", "quill", "handoff", "info", "Newsletter #48 topics agreed", "sponsor spotlight + MSN tips", 0},
    {1000, "h-0017", "dash", "team", "deploy", "ok", "部署完成 🚀 dashboard v1.8", NULL, 0},
    {900, "h-0018", "apple", "coder", "resolution", "h-0015", "Added the key to the org", NULL, 0},
    {820, "h-0019", "max", "team", "status", "ok", "Renewed the SSL certificate of the sponsor portal", "valid until 2026-02-19", 0},
    {700, "h-0020", "scout", "team", "error", "error", "Affiliate scrape hit 429 from Impact", "backing off 15 min", 0},
    {640, NULL, "scout", "team", "status", "ok", "Affiliate scrape resumed", "no id on this line: keyed by hash", 0},
    {560, "h-0022", "coder", "apple", "blocker", "blocked", "Approve the schema migration for agent_usage",
     "Adds cache_write_cost; 3 min of read-only mode", 1},
    {500, "h-0023", "quill", "atlas", "handoff", "ok", "Drafted newsletter #48 (1,240 words)", NULL, 0},
    {450, "h-0024", "atlas", "team", "status", "info", "🎉 Sponsorship signed: Northwind ($8,000)", NULL, 0},
    {400, "h-0025", "max", "coder", "handoff", "info", "Rotate the webhook secret after the token fix", NULL, 0},
    {330, "h-0026", "dash", "team", "status", "ok", "Revenue snapshot stored", "{\"ytd_usd\":427311.52,\"streams\":5}", 0},
    {300, "h-0027", "coder", "team", "deploy", "ok", "Deployed api v2.3.1 to production", "build 1203, 39 s", 0},
    {260, "h-0028", "scout", "apple", "blocker", "blocked", "Sponsor contract needs a signature (Acme Tools, $12,500)",
     "DocuSign envelope sent to apple@ on Thursday", 1},
    {220, "h-0029", "atlas", "team", "status", "warn", "Close CRM slow (4.2 s per page)", NULL, 0},
    {190, "h-0030", "coder", "team", "error", "error", "usage-sync: Supabase 401 (JWT expired)", "third failure in a row", 0},
    {160, "h-0031", "dash", "max", "handoff", "info", "Vercel deploys still failing: see blocker h-0002", NULL, 0},
    {130, "h-0032", "quill", "team", "status", "ok", "Newsletter #48 scheduled for Tuesday 09:00", NULL, 0},
    {100, "h-0033", "max", "team", "status", "ok", "Backed up .secrets to the vault", NULL, 0},
    {80, "h-0034", "atlas", "apple", "blocker", "blocked", "Choose the Q1 pricing tier for consulting",
     "Options: $180/h, $220/h, or a retainer at $6k/month", 1},
    {65, "h-0035", "coder", "dash", "handoff", "ok", "/v2/revenue returns streams now", "p95 38 ms", 0},
    {50, "h-0036", "scout", "team", "status", "ok", "Indexed 312 product pages", NULL, 0},
    {40, "h-0037", "dash", "team", "status", "ok", "Dashboard cache warmed", NULL, 0},
    {30, "h-0038", "max", "team", "status", "warn", "Disk on cron host at 81%", "old logs rotated", 0},
    {22, "h-0039", "quill", "apple", "blocker", "blocked", "Review newsletter #48 before Tuesday's send",
     "Draft in docs/newsletter-48.md", 1},
    {15, "h-0040", "coder", "team", "status", "ok", "Unit tests: 214 passed", NULL, 0},
    {9, "h-0041", "dash", "atlas", "handoff", "info", "Projected annual revenue updated", NULL, 0},
    {4, "h-0042", "max", "team", "status", "info", "Looking into the Vercel 403 again", NULL, 0},
    {1, "h-0043", "coder", "team", "status", "ok", "Started build_api: /v2/revenue endpoint", NULL, 0},
};

static int write_handoffs(const char *dir, int64_t now, char **err)
{
    Buf b = {0};
    for (size_t i = 0; i < MC_ARRAY_LEN(demo_events); i++) {
        const DemoEvent *e = &demo_events[i];
        int64_t ts = now - e->min_ago * MIN_MS + (int64_t)(i % 7) * 1000;
        cJSON *o = cJSON_CreateObject();
        if (e->id)
            cJSON_AddStringToObject(o, "id", e->id);
        if (i == 4)   /* one line with epoch seconds, as some writers do */
            cJSON_AddNumberToObject(o, "ts", (double)(ts / 1000));
        else
            demo_add_iso(o, "ts", ts);
        if (strcmp(e->type, "resolution") == 0) {
            cJSON_AddStringToObject(o, "type", "resolution");
            cJSON_AddStringToObject(o, "ref", e->status);
            cJSON_AddStringToObject(o, "by", e->from);
            cJSON_AddStringToObject(o, "note", e->summary);
        } else {
            cJSON_AddStringToObject(o, "from", e->from);
            cJSON_AddStringToObject(o, "to", e->to);
            cJSON_AddStringToObject(o, "type", e->type);
            cJSON_AddStringToObject(o, "status", e->status);
            cJSON_AddStringToObject(o, "summary", e->summary);
            cJSON *d = e->details && e->details[0] == '{' ? cJSON_Parse(e->details) : NULL;
            if (d)
                cJSON_AddItemToObject(o, "details", d);
            else if (e->details)
                cJSON_AddStringToObject(o, "details", e->details);
            cJSON_AddBoolToObject(o, "action_needed", e->action_needed);
        }
        char *line = cJSON_PrintUnformatted(o);
        buf_puts(&b, line);
        buf_putc(&b, '\n');
        cJSON_free(line);
        cJSON_Delete(o);
    }
    int rc = put_file(dir, "handoffs.jsonl", b.s, err);
    buf_free(&b);
    return rc;
}

/* ---- pending work, projects ---- */

static const char demo_pending[] =
    "# Pending Work\n"
    "\n"
    "## Revenue\n"
    "- [ ] Fix Vercel token permissions — BLOCKED: needs Apple (403 since Monday)\n"
    "- [x] Ship MSN entry form\n"
    "- [ ] Renew Impact API key ⏳ waiting on Apple\n"
    "  - [ ] rotate the key in .secrets too\n"
    "- [ ] Reconcile the October AdsByMoney statement\n"
    "\n"
    "## Sponsorships\n"
    "* [ ] Draft Q4 sponsor deck\n"
    "1. [ ] Chase unpaid invoice #1182 (blocked on Close CRM export)\n"
    "- [ ] Countersign the Acme Tools contract — BLOCKED, @apple to sign\n"
    "- [x] Send the Northwind onboarding kit\n"
    "\n"
    "## Platform\n"
    "- [ ] Move the cron host to Debian 12 🔴 needs Apple to approve 20 min of downtime\n"
    "- [ ] Alert when agent spend passes $50/day\n"
    "- [X] Rotate GitHub deploy keys\n"
    "\n"
    "## Content\n"
    "- [ ] 翻訳: 日本語版ランディングページ ⛔ waiting on Apple for copy sign-off\n"
    "- [ ] Outline newsletter #49\n";

typedef struct DemoProject {
    const char *id, *name, *status, *owner;
    int hours_ago, open_tasks;
} DemoProject;

static const DemoProject demo_projects[] = {
    {"p-01", "Sponsor portal", "active", "max", 3, 12},
    {"p-02", "Revenue dashboard", "active", "dash", 1, 5},
    {"p-03", "Affiliate scraper", "blocked", "scout", 20, 4},
    {"p-04", "Newsletter relaunch", "active", "quill", 6, 7},
    {"p-05", "Usage alerts", "planning", "coder", 30, 3},
    {"p-06", "Consulting site redesign", "paused", "atlas", 24 * 9, 9},
    {"p-07", "MSN integration", "done", "dash", 24 * 4, 0},
    {"p-08", "Cron host migration", "blocked", "max", 12, 6},
    {"p-09", "API v2", "active", "coder", 0, 15},
    {"p-10", "Q1 sponsor outreach", "planning", "atlas", 48, 8},
    {"p-11", "日本語ランディングページ", "planning", "quill", 72, 2},
    {"p-12", "Old blog archive", "done", "nova", 24 * 20, 0},
    {"p-13", "Podcast pilot 🎙️", "paused", "atlas", 24 * 14, 4},
};

static int write_projects(const char *dir, int64_t now, char **err)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < MC_ARRAY_LEN(demo_projects); i++) {
        const DemoProject *p = &demo_projects[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", p->id);
        cJSON_AddStringToObject(o, "name", p->name);
        cJSON_AddStringToObject(o, "status", p->status);
        cJSON_AddStringToObject(o, "owner", p->owner);
        demo_add_iso(o, "updatedAt", now - p->hours_ago * HOUR_MS - 17 * MIN_MS);
        cJSON *m = cJSON_AddObjectToObject(o, "metrics");
        cJSON_AddNumberToObject(m, "open_tasks", p->open_tasks);
        cJSON_AddItemToArray(arr, o);
    }
    return put_json(dir, "projects.json", arr, err);
}

/* ---- cron logs ---- */

typedef struct DemoJob {
    const char *name, *schedule;
    int64_t period_ms, offset_ms; /* runs at every multiple of period (UTC), plus offset */
    int runs;                     /* finished runs to write */
    int fail_last;                /* how many of the newest finished runs failed */
    int64_t duration_ms;
    int open;                     /* 0, OPEN_RUNNING (started at the newest slot) or OPEN_HUNG */
    const char *msg;              /* failure message */
} DemoJob;

enum { OPEN_RUNNING = 1, OPEN_HUNG = 2 };

static const DemoJob demo_jobs[] = {
    {"revenue-collector", "0 */6 * * *", 6 * HOUR_MS, 0, 6, 0, 43120, 0, NULL},
    {"usage-sync", "15 * * * *", HOUR_MS, 15 * MIN_MS, 8, 3, 2100, 0, "Supabase 401 JWT expired"},
    {"backup-nightly", "30 2 * * *", DAY_MS, 150 * MIN_MS, 4, 0, 1260000, OPEN_HUNG, NULL},
    {"index-rebuild", "*/30 * * * *", 30 * MIN_MS, 0, 6, 0, 25 * MIN_MS, OPEN_RUNNING, NULL},
    {"morning-brief", "0 7 * * *", DAY_MS, 7 * HOUR_MS, 5, 0, 4200, 0, NULL},
    {"sitemap-ping", "*/15 * * * *", 15 * MIN_MS, 0, 12, 0, 850, 0, NULL},
    {"affiliate-scrape", "0 */4 * * *", 4 * HOUR_MS, 0, 5, 1, 61000, 0, "Impact API 429"},
};

static void cron_line(Buf *b, int64_t ms, const char *what, const char *job)
{
    char ts[40];
    iso_at(ms, ts, sizeof ts);
    buf_printf(b, "%s %s %s", ts, what, job);
}

/* The newest scheduled start at or before t. */
static int64_t slot_before(const DemoJob *d, int64_t t)
{
    return (t - d->offset_ms) / d->period_ms * d->period_ms + d->offset_ms;
}

/* One job's log: finished runs (the newest fail_last failed), then maybe an open START. */
static void cron_log_text(const DemoJob *d, int64_t now, Buf *b)
{
    int64_t open_at = 0, newest;
    if (d->open == OPEN_RUNNING) {
        open_at = slot_before(d, now);
        newest = open_at - d->period_ms;
    } else if (d->open == OPEN_HUNG) {
        open_at = slot_before(d, now - 90 * MIN_MS);   /* older than hung_after (1h) */
        newest = open_at - d->period_ms;
    } else {
        newest = slot_before(d, now - d->duration_ms - MIN_MS);
    }
    for (int r = 0; r < d->runs; r++) {
        int64_t start = newest - (int64_t)(d->runs - 1 - r) * d->period_ms + 1000;
        int64_t dur = d->duration_ms - (r * 7919) % (d->duration_ms / 10 + 1);
        cron_line(b, start, "START", d->name);
        buf_putc(b, '\n');
        cron_line(b, start + dur, "END", d->name);
        if (r >= d->runs - d->fail_last)
            buf_printf(b, " status=error exit=1 duration_ms=%lld msg=\"%s\"\n", (long long)dur,
                       d->msg ? d->msg : "failed");
        else
            buf_printf(b, " status=ok duration_ms=%lld\n", (long long)dur);
    }
    if (d->open) {
        cron_line(b, open_at + 1000, "START", d->name);
        buf_putc(b, '\n');
    }
}

static int write_cron_logs(const char *dir, int64_t now, char **err)
{
    char *cdir = xasprintf("%s/cron_logs", dir);
    int rc = 0;
    if (mkdir(cdir, 0700) != 0 && errno != EEXIST) {
        set_err(err, "%s: %s", cdir, strerror(errno));
        rc = -1;
    }
    free(cdir);
    for (size_t j = 0; rc == 0 && j < MC_ARRAY_LEN(demo_jobs); j++) {
        Buf b = {0};
        cron_log_text(&demo_jobs[j], now, &b);
        char *leaf = xasprintf("cron_logs/%s.log", demo_jobs[j].name);
        rc = put_file(dir, leaf, b.s, err);
        free(leaf);
        buf_free(&b);
    }
    if (rc == 0) {   /* a rotated copy, which the source ignores */
        Buf old = {0};
        cron_line(&old, now - 30 * DAY_MS, "START", demo_jobs[0].name);
        buf_putc(&old, '\n');
        rc = put_file(dir, "cron_logs/revenue-collector.log.1", old.s, err);
        buf_free(&old);
    }
    return rc;
}

/* ---- agents, usage, revenue ---- */

/* Tokens of one agent on day `d` days ago (deterministic, varies by day). */
static void usage_of(int a, int d, int64_t *in, int64_t *out, int64_t *cr, int64_t *cw, int *msgs)
{
    double f = 0.7 + 0.3 * sin(a * 1.3 + d * 0.9) + (d == 0 ? -0.35 : 0);
    if (a >= N_LIVE && d == 0)
        f = 0.05;                         /* the offline ones did little today */
    int64_t total = (int64_t)(demo_agents[a].tokens_k * 1000.0 * f);
    *in = total * 55 / 100;
    *out = total * 12 / 100;
    *cr = total * 28 / 100;
    *cw = total * 5 / 100;
    *msgs = (int)(total / 9000) + 3;
}

static double usage_cost(const char *model, int64_t in, int64_t out, int64_t cr, int64_t cw)
{
    double pin, pout;
    demo_model_price(model, &pin, &pout);
    return ((double)in * pin + (double)out * pout + (double)cr * pin * 0.1 + (double)cw * pin * 1.25) / 1e6;
}

static double cents(double v)
{
    return round(v * 100) / 100;
}

int demo_write_agent(const char *dir, int a, const char *status, const char *task, int64_t heartbeat,
                     int64_t tokens, double cost, char **err)
{
    char *adir = xasprintf("%s/agents/%s", dir, demo_agents[a].name);
    if (mkdir_p(adir, 0700) != 0) {
        set_err(err, "%s: %s", adir, strerror(errno));
        free(adir);
        return -1;
    }
    free(adir);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "agent", demo_agents[a].name);
    cJSON_AddStringToObject(o, "status", status);
    cJSON_AddStringToObject(o, "task", task);
    demo_add_iso(o, "heartbeat", heartbeat);
    cJSON_AddStringToObject(o, "model", demo_agents[a].model);
    cJSON_AddNumberToObject(o, "tokens_today", (double)tokens);
    cJSON_AddNumberToObject(o, "cost_today_usd", cents(cost));
    char *leaf = xasprintf("agents/%s/state.json", demo_agents[a].name);
    int rc = put_json(dir, leaf, o, err);
    free(leaf);
    return rc;
}

static int write_agents_usage(const char *dir, int64_t now, char **err)
{
    cJSON *arr = cJSON_CreateArray();
    for (int a = 0; a < N_AGENTS; a++) {
        const DemoAgent *ag = &demo_agents[a];
        for (int d = 6; d >= 0; d--) {
            int64_t in, out, cr, cw;
            int msgs;
            char date[16], id[64];
            usage_of(a, d, &in, &out, &cr, &cw, &msgs);
            date_at(now - d * DAY_MS, date, sizeof date);
            snprintf(id, sizeof id, "%s-%s", ag->name, date);
            double pin, pout;
            demo_model_price(ag->model, &pin, &pout);
            cJSON *o = cJSON_CreateObject();
            cJSON_AddStringToObject(o, "id", id);
            cJSON_AddStringToObject(o, "agent_id", ag->name);
            cJSON_AddStringToObject(o, "date", date);
            cJSON_AddStringToObject(o, "model", ag->model);
            cJSON_AddNumberToObject(o, "input_tokens", (double)in);
            cJSON_AddNumberToObject(o, "output_tokens", (double)out);
            cJSON_AddNumberToObject(o, "cache_read_tokens", (double)cr);
            cJSON_AddNumberToObject(o, "cache_write_tokens", (double)cw);
            cJSON_AddNumberToObject(o, "input_cost", cents((double)in * pin / 1e6));
            cJSON_AddNumberToObject(o, "output_cost", cents((double)out * pout / 1e6));
            cJSON_AddNumberToObject(o, "cache_read_cost", cents((double)cr * pin * 0.1 / 1e6));
            cJSON_AddNumberToObject(o, "cache_write_cost", cents((double)cw * pin * 1.25 / 1e6));
            cJSON_AddNumberToObject(o, "total_cost", cents(usage_cost(ag->model, in, out, cr, cw)));
            cJSON_AddNumberToObject(o, "message_count", msgs);
            cJSON_AddItemToArray(arr, o);
            if (d == 0 && demo_write_agent(dir, a, ag->status, ag->task, now - ag->heartbeat_s * 1000LL,
                                      in + out + cr + cw, usage_cost(ag->model, in, out, cr, cw), err) != 0) {
                cJSON_Delete(arr);
                return -1;
            }
        }
    }
    return put_json(dir, "usage.json", arr, err);
}

static const struct {
    const char *name;
    double share;
} demo_streams[] = {
    {"Sponsorships", 0.37}, {"Affiliate", 0.24}, {"AdsByMoney", 0.17}, {"MSN", 0.09}, {"Consulting", 0.13},
};

/* A snapshot a day for the last 60 days; YTD grows through the year (and
 * starts over on January 1st, as YTD does). */
static int write_revenue(const char *dir, int64_t now, char **err)
{
    cJSON *arr = cJSON_CreateArray();
    for (int d = 59; d >= 0; d--) {
        int64_t at = now - d * DAY_MS;
        time_t t = (time_t)(at / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        double n = tm.tm_yday + 1;
        double ytd = 1000 * n + 0.95 * n * n + 250 * sin(n / 3.0);
        char date[16];
        date_at(at, date, sizeof date);
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "snapshotDate", date);
        cJSON_AddNumberToObject(o, "totalYtdUsd", cents(ytd));
        cJSON_AddNumberToObject(o, "projectedAnnualUsd", cents(ytd / n * 365));
        cJSON *streams = cJSON_AddArrayToObject(o, "streams");
        double left = cents(ytd);
        for (size_t s = 0; s < MC_ARRAY_LEN(demo_streams); s++) {
            double wobble = 1 + 0.04 * sin(n / 9.0 + (double)s);
            double v = s + 1 < MC_ARRAY_LEN(demo_streams) ? cents(ytd * demo_streams[s].share * wobble) : left;
            left = cents(left - v);
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "name", demo_streams[s].name);
            cJSON_AddNumberToObject(e, "ytd_usd", v);
            cJSON_AddItemToArray(streams, e);
        }
        cJSON_AddItemToArray(arr, o);
    }
    return put_json(dir, "revenue.json", arr, err);
}

int demo_write_files(const char *dir, int64_t now, char **err)
{
    if (write_handoffs(dir, now, err) != 0 || put_file(dir, "pending-work.md", demo_pending, err) != 0 ||
        write_projects(dir, now, err) != 0 || write_cron_logs(dir, now, err) != 0 ||
        write_agents_usage(dir, now, err) != 0 || write_revenue(dir, now, err) != 0)
        return -1;
    return 0;
}

void demo_cron_schedules(Buf *out)
{
    for (size_t j = 0; j < MC_ARRAY_LEN(demo_jobs); j++)
        buf_printf(out, "      %s: \"%s\"\n", demo_jobs[j].name, demo_jobs[j].schedule);
}
