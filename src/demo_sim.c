/* demo_sim.c — keeps `mc --demo` alive: a thread that appends an activity
 * line to handoffs.jsonl every 2-4 s (now and then a new blocker for the
 * owner), the way agents do (one write() of a whole line under flock), and
 * gives one agent a new task and a fresh heartbeat in its state.json every
 * ~5 s (atomic rewrite). The sources notice through their file watches. It
 * only does file I/O, never curses, and runs with every signal blocked. */
#include "demo.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "demo_data.h"
#include "util.h"

typedef struct SimEvent {
    const char *type, *status, *fmt;   /* fmt takes one %s: a task or a thing */
} SimEvent;

static const SimEvent sim_events[] = {
    {"status", "ok", "Finished: %s"},
    {"status", "info", "Started: %s"},
    {"deploy", "ok", "Deployed %s to production"},
    {"handoff", "info", "Handing off %s"},
    {"error", "error", "Retrying after a 502 from upstream while doing %s"},
    {"status", "warn", "Slow response from Close CRM while doing %s"},
    {"status", "ok", "✅ checks passed for %s"},
};

static const char *const sim_tasks[] = {
    "sync Impact earnings", "build_api: /v2/revenue endpoint", "refresh the revenue dashboard",
    "draft newsletter #49", "rotate the webhook secret", "scrape affiliate offers", "index product pages",
    "review the Q1 sponsor list", "reconcile AdsByMoney", "summarize MSN payouts", "レポート作成",
    "tune the usage alerts", "archive old cron logs", "update the sponsor portal copy",
};

static const char *const sim_asks[] = {
    "Approve a $240 ad spend for the sponsor campaign",
    "Confirm the invoice address for Northwind",
    "Need the 2FA code for the Close CRM export",
    "OK to pause the podcast pilot until January?",
    "Pick the hero image for newsletter #49 🖼️",
};

#define SIM_MAX_BLOCKERS 12

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t th;
    int running, stop;
    char *dir;
    uint64_t rng;
    unsigned tag;                    /* per run, so activity ids never repeat */
    int64_t tokens[DEMO_NAGENTS];
    double cost[DEMO_NAGENTS];
} sim = {.mu = PTHREAD_MUTEX_INITIALIZER};

static unsigned sim_rand(unsigned n)
{
    sim.rng ^= sim.rng << 13;
    sim.rng ^= sim.rng >> 7;
    sim.rng ^= sim.rng << 17;
    return n ? (unsigned)(sim.rng % n) : 0;
}

/* Appends one whole line with a single write() under an exclusive flock,
 * as the contract says writers of handoffs do. */
static void sim_append(const char *path, const char *line)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0)
        return;   /* the demo dir went away: nothing to keep alive */
    if (flock(fd, LOCK_EX) == 0) {
        ssize_t w = write(fd, line, strlen(line));
        (void)w;   /* best effort: a full disk only stops the demo's activity */
        flock(fd, LOCK_UN);
    }
    close(fd);
}

static void sim_activity(int seq, int *blockers)
{
    const DemoAgent *ag = &demo_agents[sim_rand(DEMO_LIVE_AGENTS)];
    cJSON *o = cJSON_CreateObject();
    char id[64], text[200];
    snprintf(id, sizeof id, "h-sim-%06x-%d", sim.tag, seq);
    cJSON_AddStringToObject(o, "id", id);
    demo_add_iso(o, "ts", now_ms());
    cJSON_AddStringToObject(o, "from", ag->name);
    if (*blockers < SIM_MAX_BLOCKERS && sim_rand(20) == 0) {
        (*blockers)++;
        cJSON_AddStringToObject(o, "to", "apple");
        cJSON_AddStringToObject(o, "type", "blocker");
        cJSON_AddStringToObject(o, "status", "blocked");
        cJSON_AddStringToObject(o, "summary", sim_asks[sim_rand(MC_ARRAY_LEN(sim_asks))]);
        cJSON_AddBoolToObject(o, "action_needed", 1);
    } else {
        const SimEvent *e = &sim_events[sim_rand(MC_ARRAY_LEN(sim_events))];
        snprintf(text, sizeof text, e->fmt, sim_tasks[sim_rand(MC_ARRAY_LEN(sim_tasks))]);
        cJSON_AddStringToObject(o, "to", e->type[0] == 'h' ? demo_agents[sim_rand(DEMO_LIVE_AGENTS)].name : "team");
        cJSON_AddStringToObject(o, "type", e->type);
        cJSON_AddStringToObject(o, "status", e->status);
        cJSON_AddStringToObject(o, "summary", text);
        cJSON_AddBoolToObject(o, "action_needed", 0);
    }
    char *json = cJSON_PrintUnformatted(o);
    char *line = xasprintf("%s\n", json);
    char *path = xasprintf("%s/handoffs.jsonl", sim.dir);
    sim_append(path, line);
    free(path);
    free(line);
    cJSON_free(json);
    cJSON_Delete(o);
}

/* Gives the next live agent a new task (mostly working, sometimes idle) and a fresh heartbeat. */
static void sim_agent(int turn)
{
    int a = turn % DEMO_LIVE_AGENTS;
    const char *status = sim_rand(4) ? "working" : "idle";
    const char *task = sim_tasks[sim_rand(MC_ARRAY_LEN(sim_tasks))];
    int64_t tok = 2000 + sim_rand(18000);
    double pin, pout;
    demo_model_price(demo_agents[a].model, &pin, &pout);
    sim.tokens[a] += tok;
    sim.cost[a] += ((double)tok * 0.8 * pin + (double)tok * 0.2 * pout) / 1e6;
    char *err = NULL;
    demo_write_agent(sim.dir, a, status, task, now_ms(), sim.tokens[a], sim.cost[a], &err);
    free(err);   /* best effort: the demo dir may have been removed */
}

/* Reads today's totals back from the state files so the simulation continues them. */
static void sim_load_totals(void)
{
    for (int a = 0; a < DEMO_NAGENTS; a++) {
        char *path = xasprintf("%s/agents/%s/state.json", sim.dir, demo_agents[a].name), *text = NULL, *e = NULL;
        if (file_read_all(path, 1 << 16, &text, NULL, &e) == 0) {
            cJSON *j = cJSON_Parse(text);
            const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "tokens_today");
            const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "cost_today_usd");
            sim.tokens[a] = cJSON_IsNumber(t) ? (int64_t)t->valuedouble : 0;
            sim.cost[a] = cJSON_IsNumber(c) ? c->valuedouble : 0;
            cJSON_Delete(j);
        }
        free(text);
        free(e);
        free(path);
    }
}

/* Waits until mono_ms() reaches `until` or a stop (the condition variable runs on
 * CLOCK_MONOTONIC, as mono_ms does); returns 1 when asked to stop. */
static int sim_wait(int64_t until)
{
    pthread_mutex_lock(&sim.mu);
    while (!sim.stop && mono_ms() < until) {
        struct timespec ts = {.tv_sec = (time_t)(until / 1000), .tv_nsec = (long)(until % 1000) * 1000000L};
        pthread_cond_timedwait(&sim.cv, &sim.mu, &ts);
    }
    int stop = sim.stop;
    pthread_mutex_unlock(&sim.mu);
    return stop;
}

static void *sim_main(void *arg)
{
    int seq = 0, turn = 0, blockers = 0;
    sim_load_totals();
    int64_t next_act = mono_ms() + 2000 + sim_rand(2000), next_agent = mono_ms() + 4500 + sim_rand(1000);
    for (;;) {
        if (sim_wait(next_act < next_agent ? next_act : next_agent))
            break;
        int64_t now = mono_ms();
        if (now >= next_act) {
            sim_activity(++seq, &blockers);
            next_act = now + 2000 + sim_rand(2000);
        }
        if (now >= next_agent) {
            sim_agent(turn++);
            next_agent = now + 4500 + sim_rand(1000);
        }
    }
    return NULL;
}

int demo_sim_start(const char *dir)
{
    pthread_mutex_lock(&sim.mu);
    if (sim.running) {
        pthread_mutex_unlock(&sim.mu);
        return -1;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sim.cv, &ca);
    pthread_condattr_destroy(&ca);
    sim.stop = 0;
    sim.dir = xstrdup(dir);
    sim.rng = (uint64_t)now_ms() * 2654435761u | 1;
    sim.tag = (unsigned)(now_ms() / 1000 & 0xffffff);
    /* the thread inherits a full signal mask: only the UI thread sees signals */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&sim.th, NULL, sim_main, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        free(sim.dir);
        sim.dir = NULL;
        pthread_cond_destroy(&sim.cv);
    } else {
        sim.running = 1;
    }
    pthread_mutex_unlock(&sim.mu);
    return rc == 0 ? 0 : -1;
}

void demo_sim_stop(void)
{
    pthread_mutex_lock(&sim.mu);
    if (!sim.running) {
        pthread_mutex_unlock(&sim.mu);
        return;
    }
    sim.stop = 1;
    pthread_cond_broadcast(&sim.cv);
    pthread_mutex_unlock(&sim.mu);
    pthread_join(sim.th, NULL);
    pthread_mutex_lock(&sim.mu);
    sim.running = 0;
    free(sim.dir);
    sim.dir = NULL;
    pthread_cond_destroy(&sim.cv);
    pthread_mutex_unlock(&sim.mu);
}
