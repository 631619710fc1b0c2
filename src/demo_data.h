/* demo_data.h — what the parts of `mc --demo` share (private to src/demo*.c):
 * the cast of agents, the sample-file writers of demo_files.c, and small
 * helpers the simulation in demo_sim.c reuses to keep the files alive. */
#ifndef MC_DEMO_DATA_H
#define MC_DEMO_DATA_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "util.h"

#define DEMO_MIN_MS (60 * 1000LL)
#define DEMO_HOUR_MS (60 * DEMO_MIN_MS)
#define DEMO_DAY_MS (24 * DEMO_HOUR_MS)

typedef struct DemoAgent {
    const char *name, *model, *task, *status;
    int heartbeat_s;          /* seconds ago; > stale_after (15m) shows offline */
    int tokens_k;             /* typical thousands of tokens a day */
} DemoAgent;

#define DEMO_NAGENTS 7
#define DEMO_LIVE_AGENTS 5    /* the first five keep a fresh heartbeat in the simulation */
extern const DemoAgent demo_agents[DEMO_NAGENTS];

/* USD per million tokens of a model name (input, output). */
void demo_model_price(const char *model, double *in, double *out);
/* Adds key: ISO-8601 time of epoch ms to a JSON object. */
void demo_add_iso(cJSON *o, const char *key, int64_t ms);

/* Writes agents/<name>/state.json for demo_agents[a] (atomic). 0 or -1 with *err. */
int demo_write_agent(const char *dir, int a, const char *status, const char *task, int64_t heartbeat_ms,
                     int64_t tokens_today, double cost_today, char **err);

/* Writes every sample file into dir with times relative to now. 0 or -1 with *err. */
int demo_write_files(const char *dir, int64_t now, char **err);

/* Appends the `schedules:` entries of the demo's cron jobs ("      job: \"expr\"\n"). */
void demo_cron_schedules(Buf *out);

#endif
