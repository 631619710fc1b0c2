/* brief.h — the morning brief (`mc brief`, and the daemon's daily send):
 * what needs the owner, money against the goal, jobs that failed, what the
 * agents cost, the machine's health, open alerts and the notable activity,
 * read from the cache only (one read connection, bounded queries, never the
 * network) and printed as plain text (80 columns, for mail), markdown (for
 * chat) or JSON (stable field names, mc.1 "mc brief"). Every text that came
 * from data is sanitized in the text and markdown forms and escaped in JSON.
 * No curses here. */
#ifndef MC_BRIEF_H
#define MC_BRIEF_H

#include <stdint.h>
#include <sqlite3.h>
#include "config.h"
#include "util.h"

typedef enum { BRIEF_TEXT, BRIEF_MARKDOWN, BRIEF_JSON } BriefFormat;

#define BRIEF_LIST 5        /* items listed per section (oldest blockers, jobs, alerts) */
#define BRIEF_EVENTS 8      /* notable activity lines */
#define BRIEF_TOP 3         /* top spenders */
#define BRIEF_COUNT_CAP 100000  /* counts stop here (bounded queries) */

typedef struct BriefBlocker {
    char *from, *desc, *source;
    int64_t created;
} BriefBlocker;

typedef struct BriefJob {
    char *name, *state, *status;   /* state: failed, hung or missed */
    int64_t at;                    /* the run (failed, hung) or when it was due (missed) */
    int64_t last;                  /* the last run */
} BriefJob;

typedef struct BriefSpender {
    char *agent;
    double usd;
} BriefSpender;

typedef struct BriefAlert {
    char *severity, *title, *source;
    int64_t since;
} BriefAlert;

typedef struct BriefEvent {
    char *agent, *type, *status, *details;
    int64_t ts;
    int bad;                       /* a failure or an error */
} BriefEvent;

typedef struct Brief {
    int64_t now, since;            /* epoch ms: the window is [since, now] */
    char owner[64];
    int blockers;                  /* open blockers for the owner (not snoozed), capped */
    BriefBlocker oldest[BRIEF_LIST];
    int noldest;
    int have_revenue;
    double ytd, goal, year_frac;   /* goal 0: none configured (revenue widget goal_usd) */
    int have_change;
    double change;                 /* YTD now minus the previous day's snapshots */
    char revenue_date[16];         /* the newest snapshot's date */
    int have_jobs, jobs_total;     /* jobs in the cron dataset */
    BriefJob jobs[BRIEF_LIST];
    int njobs, jobs_bad;           /* listed; failed/hung/missed in the window */
    int have_cost;
    char yesterday[16];            /* UTC date */
    double cost;
    BriefSpender top[BRIEF_TOP];
    int ntop;
    int have_system;
    char *host;
    int64_t system_ts;
    double cpu, mem, disk;         /* NAN when the row lacks one */
    int services, services_down;
    char *down_names;              /* "db, web" (the first few) or NULL */
    int alerts[3];                 /* open alerts: info, warn, crit */
    BriefAlert alist[BRIEF_LIST];  /* crit first, then newest */
    int nalist;
    int events_total, events_bad;  /* activity in the window (capped) */
    BriefEvent events[BRIEF_EVENTS];
    int nevents;
} Brief;

/* Reads the brief from db (any connection; read-only is enough) for the
 * window [now - since_ms, now]. 0, or -1 with *err (caller frees). */
int brief_collect(sqlite3 *db, const Config *cfg, int64_t now, int64_t since_ms, Brief *out,
                  char **err);
void brief_free(Brief *b);

/* Appends the brief in format f to out. flags: textsafe flags for the text
 * and markdown forms (TEXTSAFE_ASCII for an ASCII-only terminal). Text lines
 * are at most 80 columns. */
void brief_render(const Brief *b, BriefFormat f, int flags, Buf *out);

/* The subject line of a sent brief: "mc brief 2026-12-01: 3 blockers, 1 crit". */
void brief_subject(const Brief *b, const char *date, char *out, size_t n);

/* The goal_usd of the first revenue widget in mc.yaml's widgets:, else
 * alerts.rules.revenue_pace.goal_usd, else 0. */
double brief_goal(const Config *cfg);

#endif
